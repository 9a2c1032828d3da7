"""pyVmomi against vimsim: connect, about, inventory walk, views, property reads, logout."""
import pytest
from pyVim.connect import Disconnect
from pyVmomi import SoapStubAdapter, vim, vmodl

from conftest import find_vm

DEFAULT_VMS = {"DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1",
               "DC0_C0_RP0_NoTools"}


def test_https_connect_reads_about(make_emulator, tmp_path):
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))
    si = emulator.connect()
    about = si.content.about
    assert about.apiType == "VirtualCenter"
    assert about.apiVersion == "8.0.3.0"
    assert about.name == "VMware vCenter Server"
    assert about.productLineId == "vpx"
    assert si._stub.versionId.strip('"') == "urn:vim25/8.0.3.0"
    Disconnect(si)


def test_current_session_names_the_user(si):
    session = si.content.sessionManager.currentSession
    assert session.userName == "user"
    assert session.key


def test_inventory_walk_matches_vcsim_default_layout(si):
    root = si.content.rootFolder
    [dc] = root.childEntity
    assert isinstance(dc, vim.Datacenter) and dc.name == "DC0"
    assert {vm.name for vm in dc.vmFolder.childEntity} == DEFAULT_VMS
    computes = {c.name: c for c in dc.hostFolder.childEntity}
    assert set(computes) == {"DC0_C0", "DC0_H0"}
    cluster = computes["DC0_C0"]
    assert isinstance(cluster, vim.ClusterComputeResource)
    assert [h.name for h in cluster.host] == ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"]
    assert cluster.resourcePool.name == "Resources"
    assert [p.name for p in cluster.resourcePool.resourcePool] == ["DC0_C0_RP1"]
    assert {vm.name for vm in cluster.resourcePool.vm} == {
        "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_C0_RP0_NoTools"}
    assert [d.name for d in dc.datastore] == ["LocalDS_0"]
    assert [n.name for n in dc.network] == ["VM Network"]
    vm = find_vm(si, "DC0_H0_VM0")
    assert vm.parent == dc.vmFolder
    assert vm.runtime.host.name == "DC0_H0"
    assert vm.resourcePool.parent.name == "DC0_H0"


def test_container_view_is_recursive_and_type_filtered(si):
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    assert {vm.name for vm in view.view} == DEFAULT_VMS
    assert len(view.view) == len(DEFAULT_VMS)
    hosts = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    assert {h.name for h in hosts.view} == {"DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2", "DC0_H0"}
    flat = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], False)
    assert flat.view == []
    view.DestroyView()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        view.view


def test_vm_properties_as_vcenter_fills_them(si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    assert vm.runtime.powerState == vim.VirtualMachine.PowerState.poweredOn
    assert vm.runtime.connectionState == "connected"
    assert vm.guest.toolsStatus == "toolsOk"
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    assert vm.guest.guestState == "running"
    assert vm.config.name == "DC0_C0_RP0_VM0"
    assert vm.config.guestId == "otherLinux64Guest"
    assert vm.config.uuid
    assert vm.summary.config.name == "DC0_C0_RP0_VM0"
    assert vm.summary.runtime.powerState == "poweredOn"
    notools = find_vm(si, "DC0_C0_RP0_NoTools")
    assert notools.runtime.powerState == "poweredOn"
    assert notools.guest.toolsRunningStatus == "guestToolsNotRunning"
    assert notools.guest.toolsStatus == "toolsNotRunning"
    assert notools.guest.guestState == "notRunning"


def test_retrieve_contents_with_traversal_specs(si):
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    pc = content.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(
            obj=view, skip=True, selectSet=[vmodl.query.PropertyCollector.TraversalSpec(
                name="traverseEntities", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(
            type=vim.VirtualMachine, pathSet=["name", "runtime.powerState"])])
    result = pc.RetrieveContents([spec])
    got = {o.obj._moId: {p.name: p.val for p in o.propSet} for o in result}
    assert {v["name"] for v in got.values()} == DEFAULT_VMS
    assert all(v["runtime.powerState"] == "poweredOn" for v in got.values())
    result = pc.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions())
    assert result.token is None and len(result.objects) == len(DEFAULT_VMS)


def test_folder_traversal_with_named_selection_specs(si):
    PC = vmodl.query.PropertyCollector
    folder_to_child = PC.TraversalSpec(name="f", type=vim.Folder, path="childEntity", skip=False,
                                       selectSet=[PC.SelectionSpec(name="f"),
                                                  PC.SelectionSpec(name="dc")])
    dc_to_vm = PC.TraversalSpec(name="dc", type=vim.Datacenter, path="vmFolder", skip=False,
                                selectSet=[PC.SelectionSpec(name="f")])
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=si.content.rootFolder, skip=False,
                                                  selectSet=[folder_to_child, dc_to_vm])],
                         propSet=[PC.PropertySpec(type=vim.ManagedEntity, pathSet=["name"])])
    names = [o.propSet[0].val for o in si.content.propertyCollector.RetrieveContents([spec])]
    assert names[0] == "Datacenters"
    assert set(names) == {"Datacenters", "DC0", "vm"} | DEFAULT_VMS
    assert len(names) == len(set(names))


def test_retrieve_all_properties(si):
    PC = vmodl.query.PropertyCollector
    vm = find_vm(si, "DC0_H0_VM1")
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine, all=True)])
    [content] = si.content.propertyCollector.RetrieveContents([spec])
    props = {p.name: p.val for p in content.propSet}
    assert props["name"] == "DC0_H0_VM1"
    assert props["runtime"].powerState == "poweredOn"
    assert props["guest"].toolsRunningStatus == "guestToolsRunning"
    assert props["parent"]._moId == vm.parent._moId


def test_retrieve_properties_of_a_missing_object_is_managed_object_not_found(si):
    # RetrieveProperties answers in slices; a fault met on the way is still the whole answer.
    PC = vmodl.query.PropertyCollector
    gone = vim.VirtualMachine("vm-99999", si._stub)
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=gone)],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
    with pytest.raises(vmodl.fault.ManagedObjectNotFound) as err:
        si.content.propertyCollector.RetrieveContents([spec])
    assert err.value.obj._moId == "vm-99999"


def test_unknown_property_path_is_invalid_property(si):
    PC = vmodl.query.PropertyCollector
    vm = find_vm(si, "DC0_H0_VM1")
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["nosuch"])])
    with pytest.raises(vmodl.query.InvalidProperty) as err:
        si.content.propertyCollector.RetrieveContents([spec])
    assert err.value.name == "nosuch" and err.value.msg == ""  # vCenter's faultstring is empty


def test_a_path_picks_an_array_item_by_its_key(si):
    """config.hardware.device[4000], config.extraConfig["key"]: vCenter answers the one item
    (govmomi issue 1001); a key no item has answers nothing; after the item, its type's fields."""
    PC = vmodl.query.PropertyCollector
    vm = find_vm(si, "DC0_H0_VM1")
    extra = vm.config.extraConfig[0].key
    paths = ["config.hardware.device[4000]", 'config.extraConfig["%s"]' % extra,
             "config.hardware.device[4000].key", "config.hardware.device[9999]"]
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=paths)])
    [content] = si.content.propertyCollector.RetrieveContents([spec])
    got = {p.name: p.val for p in content.propSet}
    assert isinstance(got["config.hardware.device[4000]"], vim.vm.device.VirtualEthernetCard)
    assert got["config.hardware.device[4000]"].key == 4000
    assert got['config.extraConfig["%s"]' % extra].key == extra
    assert got["config.hardware.device[4000].key"] == 4000
    assert "config.hardware.device[9999]" not in got
    for bad in ("config.hardware.device[x]", "config.hardware[1]", "name[0]",
                "config.hardware.device[4000].macAddress"):  # a subtype's field: as vCenter
        spec.propSet[0].pathSet = [bad]
        with pytest.raises(vmodl.query.InvalidProperty):
            si.content.propertyCollector.RetrieveContents([spec])


def every_vm_name(si):
    """A filter spec for the name of every VM (through a ContainerView), and the collector."""
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    PC = vmodl.query.PropertyCollector
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
            PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
    return spec, content.propertyCollector


def test_retrieve_properties_ex_pages_every_vm_exactly_once(make_emulator):
    emulator = make_emulator(clock="virtual", vms=2500)
    si = emulator.connect()
    spec, pc = every_vm_name(si)
    PC = vmodl.query.PropertyCollector
    result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=300))
    seen, pages = [], 0
    while True:
        pages += 1
        assert len(result.objects) <= 300
        seen.extend(o.obj._moId for o in result.objects)
        if not result.token:
            break
        result = pc.ContinueRetrievePropertiesEx(result.token)
    assert pages == 9
    assert len(seen) == 2500 and len(set(seen)) == 2500
    names = {o.obj._moId for o in result.objects}
    assert names <= set(seen)
    with pytest.raises(vmodl.fault.InvalidArgument):
        pc.ContinueRetrievePropertiesEx("no-such-token")


def test_a_page_holds_at_most_the_collector_policy_limit(make_emulator):
    # RetrieveOptions: "PropertyCollector policy may still limit the count to something less
    # than maxObjects". vimsim's limit keeps each page short for the other clients.
    from vimsim.model.property_collector import MAX_PAGE
    emulator = make_emulator(clock="virtual", vms=MAX_PAGE + 500)
    si = emulator.connect()
    spec, pc = every_vm_name(si)
    PC = vmodl.query.PropertyCollector
    first = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=100000))
    assert len(first.objects) == MAX_PAGE and first.token
    rest = pc.ContinueRetrievePropertiesEx(first.token)
    assert len(rest.objects) == 500 and not rest.token
    # RetrieveProperties has no pages: everything in one answer.
    assert len(pc.RetrieveContents([spec])) == MAX_PAGE + 500


def test_logout_ends_the_session(emulator):
    si = emulator.connect()
    stub = si._stub
    si.content.sessionManager.Logout()
    with pytest.raises(vim.fault.NotAuthenticated):
        vim.ServiceInstance("ServiceInstance", stub).content.rootFolder.name


def test_wrong_password_is_invalid_login(emulator):
    with pytest.raises(vim.fault.InvalidLogin) as err:
        emulator.connect(pwd="wrong")
    assert err.value.msg == "Cannot complete login due to an incorrect user name or password."


def test_login_and_set_locale_take_a_language_and_country_the_server_knows(emulator):
    stub = SoapStubAdapter(host="127.0.0.1", port=-emulator.port, version="vim.version.v8_0_3_0")
    manager = vim.ServiceInstance("ServiceInstance", stub).RetrieveContent().sessionManager
    for locale in ("xx", "english", "en_USA", "<en>", "EN", "en_U"):
        with pytest.raises(vim.fault.InvalidLocale):
            manager.Login("user", "pass", locale)
    assert manager.currentSession is None  # no session was made
    session = manager.Login("user", "pass", "en_US")  # govc's default
    assert (session.locale, session.messageLocale) == ("en_US", "en")
    manager.SetLocale("fr_CA")
    assert manager.currentSession.locale == "fr_CA"
    with pytest.raises(vim.fault.InvalidLocale):
        manager.SetLocale("zz_ZZ")
    assert manager.currentSession.locale == "fr_CA"
    assert manager.supportedLocaleList == ["en"] and manager.defaultLocale == "en"


def test_calls_without_a_session_are_not_authenticated(emulator):
    # A negative port is pyVmomi's way of asking for plain HTTP.
    stub = SoapStubAdapter(host="127.0.0.1", port=-emulator.port, version="vim.version.v8_0_3_0")
    si = vim.ServiceInstance("ServiceInstance", stub)
    content = si.RetrieveContent()  # answered without a session, as on vCenter
    with pytest.raises(vim.fault.NotAuthenticated) as err:
        content.rootFolder.childEntity
    assert err.value.object._moId == "group-d1"
    assert err.value.privilegeId == "System.View"


def test_unknown_moref_is_managed_object_not_found(si):
    ghost = vim.VirtualMachine("vm-99999", si._stub)
    with pytest.raises(vmodl.fault.ManagedObjectNotFound) as err:
        ghost.name
    assert err.value.obj._moId == "vm-99999"
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        ghost.PowerOnVM_Task()


def test_unserved_method_is_method_not_found(si):
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vmodl.fault.MethodNotFound) as err:
        vm.ExportVm()
    assert err.value.method == "ExportVm"
    assert err.value.receiver._moId == vm._moId


def test_bad_arguments_are_invalid_argument(si):
    content = si.content
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vmodl.fault.InvalidArgument) as err:
        content.viewManager.CreateContainerView(vm, [vim.VirtualMachine], True)
    assert err.value.invalidProperty == "container"
    folder = content.rootFolder
    # A moRef typed HostSystem naming a folder names nothing, as on vCenter.
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vm.PowerOnVM_Task(host=vim.HostSystem(folder._moId, si._stub))
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vm.PowerOnVM_Task(host=vim.HostSystem("host-424242", si._stub))


def test_readonly_user_lacks_power_privilege(emulator):
    si = emulator.connect(user="readonly", pwd="readonly")
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.NoPermission) as err:
        vm.PowerOffVM_Task()
    assert err.value.privilegeId == "VirtualMachine.Interact.PowerOff"
    assert err.value.object._moId == vm._moId
    assert vm.runtime.powerState == "poweredOn"


def test_a_lost_session_reads_current_session_as_unset(emulator):
    """How clients ask whether a saved session still lives (pyVmomi scripts, govc): the
    current session is unset, not a fault; anything else still needs a session."""
    si = emulator.connect()
    manager = si.content.sessionManager
    assert manager.currentSession.userName == "user"
    vm = find_vm(si, "DC0_H0_VM0")
    manager.Logout()
    assert manager.currentSession is None
    PC = vmodl.query.PropertyCollector
    collector = si.content.propertyCollector
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=manager)], propSet=[PC.PropertySpec(
        type=vim.SessionManager, pathSet=["currentSession"])])
    [content] = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions()).objects
    assert content.obj == manager and not content.propSet
    for other in (PC.PropertySpec(type=vim.SessionManager, pathSet=["sessionList"]),
                  PC.PropertySpec(type=vim.SessionManager, all=True)):
        with pytest.raises(vim.fault.NotAuthenticated):
            collector.RetrieveContents([PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=manager)],
                                                      propSet=[other])])
    with pytest.raises(vim.fault.NotAuthenticated):
        collector.RetrieveContents([PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=vm)],
            propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])])
