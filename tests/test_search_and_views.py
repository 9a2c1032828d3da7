"""SearchIndex, a session's own PropertyCollectors, ListView and InventoryView, through pyVmomi."""
import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm

PC = vmodl.query.PropertyCollector


def test_find_by_inventory_path_and_child(si):
    index, root = si.content.searchIndex, si.content.rootFolder
    vm = index.FindByInventoryPath("DC0/vm/DC0_H0_VM0")
    assert isinstance(vm, vim.VirtualMachine) and vm.name == "DC0_H0_VM0"
    assert index.FindByInventoryPath("/DC0/host/DC0_C0/DC0_C0_H0/").name == "DC0_C0_H0"
    assert index.FindByInventoryPath("DC0/host/DC0_C0/Resources")._wsdlName == "ResourcePool"
    assert index.FindByInventoryPath("DC0") == [d for d in root.childEntity if d.name == "DC0"][0]
    assert index.FindByInventoryPath("DC0/vm/no-such-vm") is None
    dc = index.FindChild(root, "DC0")
    assert isinstance(dc, vim.Datacenter)
    assert index.FindChild(dc, "vm") == dc.vmFolder
    assert index.FindChild(dc.vmFolder, "DC0_H0_VM0") == vm
    assert index.FindChild(dc.vmFolder, "nothing") is None


def test_find_by_uuid_bios_and_instance(si):
    index = si.content.searchIndex
    vm = find_vm(si, "DC0_C0_RP0_VM1")
    assert index.FindByUuid(uuid=vm.config.uuid, vmSearch=True) == vm
    assert index.FindByUuid(uuid=vm.config.uuid.upper(), vmSearch=True) == vm
    assert index.FindByUuid(uuid=vm.config.instanceUuid, vmSearch=True, instanceUuid=True) == vm
    assert index.FindByUuid(uuid=vm.config.instanceUuid, vmSearch=True) is None
    assert index.FindAllByUuid(uuid=vm.config.uuid, vmSearch=True) == [vm]
    dc = vm.parent.parent
    assert index.FindByUuid(datacenter=dc, uuid=vm.config.uuid, vmSearch=True) == vm
    host = vm.runtime.host
    assert index.FindByUuid(uuid=host.hardware.systemInfo.uuid, vmSearch=False) == host
    assert index.FindAllByUuid(uuid="00000000-0000-0000-0000-000000000000", vmSearch=True) == []


def test_find_by_dns_name_and_ip(si):
    index = si.content.searchIndex
    vm = find_vm(si, "DC0_H0_VM0")
    assert vm.guest.hostName and vm.guest.ipAddress
    assert index.FindByDnsName(dnsName=vm.guest.hostName, vmSearch=True) == vm
    assert index.FindAllByDnsName(dnsName=vm.guest.hostName.upper(), vmSearch=True) == [vm]
    assert index.FindByIp(ip=vm.guest.ipAddress, vmSearch=True) == vm
    assert index.FindAllByIp(ip="192.0.2.254", vmSearch=True) == []
    host = vm.runtime.host
    assert index.FindByDnsName(dnsName=host.name, vmSearch=False) == host


def test_find_by_datastore_path_and_its_faults(si):
    index = si.content.searchIndex
    vm = find_vm(si, "DC0_H0_VM0")
    dc = vm.parent.parent
    assert index.FindByDatastorePath(dc, vm.config.files.vmPathName) == vm
    assert index.FindByDatastorePath(dc, "[LocalDS_0] nothing/nothing.vmx") is None
    with pytest.raises(vim.fault.InvalidDatastore) as err:
        index.FindByDatastorePath(dc, "[NoSuchDS] x/x.vmx")
    assert err.value.name == "NoSuchDS"
    with pytest.raises(vim.fault.InvalidDatastorePath) as err:
        index.FindByDatastorePath(dc, "not a datastore path")
    assert err.value.datastorePath == "not a datastore path"


def test_a_sessions_own_property_collector(si):
    """govc waits on every task with a collector of its own: its filters and versions are
    its own, and it goes with DestroyPropertyCollector."""
    content = si.content
    collector = content.propertyCollector.CreatePropertyCollector()
    assert collector._moId != content.propertyCollector._moId
    vm = find_vm(si, "DC0_H0_VM0")
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine,
                                                  pathSet=["runtime.powerState"])])
    pfilter = collector.CreateFilter(spec, partialUpdates=True)
    assert collector.filter == [pfilter] and content.propertyCollector.filter == []
    first = collector.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0))
    assert first.version == "1"
    [update] = first.filterSet[0].objectSet
    assert update.kind == "enter" and update.changeSet[0].val == "poweredOn"
    # The server's own collector has no filter: its version is its own too.
    assert content.propertyCollector.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0)) \
        is None
    [contents] = collector.RetrieveContents([spec])
    assert contents.obj == vm
    collector.DestroyPropertyCollector()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        collector.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0))
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        pfilter.Destroy()
    with pytest.raises(vmodl.fault.NotSupported):
        content.propertyCollector.DestroyPropertyCollector()


def test_collectors_go_with_their_session(emulator):
    si = emulator.connect()
    collector = si.content.propertyCollector.CreatePropertyCollector()
    moid = collector._moId
    session = emulator.call(lambda: next(iter(emulator.vc.session_manager.sessions.values())))
    assert moid in session.objects
    si.content.sessionManager.Logout()
    assert moid not in session.objects and not session.objects


def test_list_view(si):
    vms = [find_vm(si, n) for n in ("DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0")]
    views = si.content.viewManager
    view = views.CreateListView(vms[:2])
    assert view.view == vms[:2]
    missing = vim.VirtualMachine("vm-99999", si._stub)
    assert view.ModifyListView(add=[vms[2], missing], remove=[vms[0]]) == [missing]
    assert view.view == vms[1:]
    assert view.ResetListView([vms[0]]) == []
    assert view.view == [vms[0]]
    container = views.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
    copied = views.CreateListViewFromView(container)
    assert sorted(v._moId for v in copied.view) == sorted(v._moId for v in container.view)
    assert {v._moId for v in views.viewList} >= {view._moId, container._moId, copied._moId}
    view.DestroyView()
    assert view._moId not in {v._moId for v in views.viewList}


def test_inventory_view(si):
    view = si.content.viewManager.CreateInventoryView()
    root = si.content.rootFolder
    assert view.view == [root]
    assert view.OpenInventoryViewFolder([root]) == []
    [dc] = [d for d in root.childEntity if d.name == "DC0"]
    assert dc in view.view
    assert view.OpenInventoryViewFolder([dc]) == []
    assert dc.vmFolder in view.view and dc.hostFolder in view.view
    view.CloseInventoryViewFolder([dc])
    assert dc.vmFolder not in view.view and dc in view.view
    view.DestroyView()
