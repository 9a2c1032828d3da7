"""The calls of vmware/pyvmomi-community-samples, made through pyVmomi against vimsim.

Each test follows one sample of that repository (named in its docstring): the same calls,
the same properties read, and assertions on what the sample would print for the default
fixture. The samples are not copied; each test is written here from what the sample does.
Where a sample reads "now" from the client's wall clock, the test reads the server's clock
(``CurrentTime``) instead, since vimsim's virtual clock is not the machine's.
"""
import re
from datetime import timedelta

import pytest
import requests
from pyVmomi import vim, vmodl

from conftest import connected, find_vm
from vimsim.model import fixture as fixtures

PC = vmodl.query.PropertyCollector

CLUSTER_VMS = ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_C0_RP0_NoTools"]
HOST_VMS = ["DC0_H0_VM0", "DC0_H0_VM1"]
ALL_VMS = CLUSTER_VMS + HOST_VMS
ALL_HOSTS = ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2", "DC0_H0"]
TOOLS_VMS = [name for name in ALL_VMS if name != "DC0_C0_RP0_NoTools"]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GiB = 1024 ** 3


# -- helpers (the samples' tools/ package, rewritten) ------------------------------------------

def objects_of(si, types, container=None):
    """Every object of ``types`` under ``container`` via a ContainerView, destroyed after."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(container or content.rootFolder, types, True)
    try:
        return list(view.view)
    finally:
        view.Destroy()


def by_name(si, types, name):
    return next((obj for obj in objects_of(si, types) if obj.name == name), None)


def wait_with_collector(si, tasks):
    """Wait for ``tasks`` as the samples' tools.tasks does: a filter on every Task property,
    WaitForUpdates until each reports success; a failed task raises its error."""
    collector = si.content.propertyCollector
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=t) for t in tasks],
                         propSet=[PC.PropertySpec(type=vim.Task, pathSet=[], all=True)])
    pending = {t._moId for t in tasks}
    pfilter = collector.CreateFilter(spec, True)
    try:
        version = None
        for _ in range(50):
            if not pending:
                return
            update = collector.WaitForUpdates(version)
            for filter_set in update.filterSet:
                for obj_set in filter_set.objectSet:
                    for change in obj_set.changeSet:
                        if change.name == "info":
                            state = change.val.state
                        elif change.name == "info.state":
                            state = change.val
                        else:
                            continue
                        if state == vim.TaskInfo.State.success:
                            pending.discard(obj_set.obj._moId)
                        elif state == vim.TaskInfo.State.error:
                            raise obj_set.obj.info.error
            version = update.version
        raise AssertionError("tasks still pending: %s" % sorted(pending))
    finally:
        pfilter.Destroy()


def poll_until_done(task, limit=200):
    """The samples' busy loop on task.info.state (bounded here)."""
    for _ in range(limit):
        state = task.info.state
        if state in (vim.TaskInfo.State.success, vim.TaskInfo.State.error):
            return state
    raise AssertionError("task %s never finished" % task._moId)


def human_size(num):
    """The samples' sizeof_fmt."""
    for unit in ["bytes", "KB", "MB", "GB"]:
        if num < 1024.0:
            return "%3.1f%s" % (num, unit)
        num /= 1024.0
    return "%3.1f%s" % (num, "TB")


@pytest.fixture
def auto_emulator(make_emulator):
    """The default fixture on the automatic clock: samples that block on tasks or waits."""
    return make_emulator(clock="auto")


@pytest.fixture
def auto_si(auto_emulator):
    yield from connected(auto_emulator)


# -- listing and filtering VMs -------------------------------------------------------------------

def test_getallvms_prints_every_vms_summary(si):
    """getallvms.py: a ContainerView of every VM, each VM's summary."""
    printed = {}
    for vm in objects_of(si, [vim.VirtualMachine]):
        summary = vm.summary
        config = summary.config
        printed[config.name] = {
            "template": config.template, "path": config.vmPathName,
            "guest": config.guestFullName, "instance": config.instanceUuid,
            "bios": config.uuid, "annotation": config.annotation,
            "state": summary.runtime.powerState,
            "tools": summary.guest.toolsStatus, "ip": summary.guest.ipAddress,
            "question": summary.runtime.question}
    assert sorted(printed) == sorted(ALL_VMS)
    for name, row in printed.items():
        assert row["template"] is False
        assert row["path"] == "[LocalDS_0] %s/%s.vmx" % (name, name)
        assert row["guest"] == "Other Linux (64-bit)"
        assert UUID.match(row["instance"]) and UUID.match(row["bios"])
        assert row["instance"] != row["bios"]
        assert not row["annotation"]
        assert row["state"] == "poweredOn"
        assert row["question"] is None
        if name == "DC0_C0_RP0_NoTools":
            assert row["tools"] == "toolsNotRunning" and row["ip"] is None
        else:
            assert row["tools"] == "toolsOk"
            assert row["ip"] == find_vm(si, name).guest.ipAddress and row["ip"].count(".") == 3
    uuids = [row["bios"] for row in printed.values()] + [r["instance"] for r in printed.values()]
    assert len(set(uuids)) == 10


def test_getallvms_find_filters_names_by_regex(si):
    """getallvms.py --find: re.search (ignoring case) on summary.config.name."""
    pattern = re.compile("c0_rp0_vm", re.IGNORECASE)
    matched = [vm.summary.config.name for vm in objects_of(si, [vim.VirtualMachine])
               if pattern.search(vm.summary.config.name)]
    assert sorted(matched) == ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"]


def test_get_vm_names_walks_each_datacenters_vm_folder(si):
    """get_vm_names.py: rootFolder.childEntity, the datacenters' vmFolder, recursing into
    anything with childEntity (hasattr), printing summary.config.name."""
    names = []

    def walk(entity, depth=1):
        if hasattr(entity, "childEntity"):
            if depth <= 10:
                for child in entity.childEntity:
                    walk(child, depth + 1)
            return
        names.append(entity.summary.config.name)

    content = si.RetrieveContent()
    for child in content.rootFolder.childEntity:
        if hasattr(child, "vmFolder"):
            for vm in child.vmFolder.childEntity:
                walk(vm)
    assert names == ALL_VMS


def test_filter_vms_by_property_with_retrieve_properties_ex(emulator, si):
    """filter_vms.py: one ObjectSpec per VM, RetrievePropertiesEx of runtime.powerState,
    keep those equal to the value."""
    find_vm(si, "DC0_H0_VM1").PowerOffVM_Task()
    emulator.advance(1)
    content = si.RetrieveContent()
    vms = objects_of(si, [vim.VirtualMachine])

    def matching(prop, value):
        spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm) for vm in vms],
                             propSet=[PC.PropertySpec(all=False, type=vim.VirtualMachine,
                                                      pathSet=[prop])])
        result = content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
        assert result.token is None and len(result.objects) == 5
        return sorted(o.obj.name for o in result.objects if o.propSet[0].val == value)

    assert matching("runtime.powerState", "poweredOn") == sorted(
        n for n in ALL_VMS if n != "DC0_H0_VM1")
    assert matching("runtime.powerState", "poweredOff") == ["DC0_H0_VM1"]
    assert matching("guest.toolsRunningStatus", "guestToolsNotRunning") == [
        "DC0_C0_RP0_NoTools", "DC0_H0_VM1"]


def test_vminfo_quick_collects_through_a_view_traversal(si):
    """vminfo_quick.py (tools.pchelper.collect_properties): ObjectSpec on a ContainerView
    (skip), TraversalSpec path "view", RetrieveContents of eight paths, with the moRefs."""
    paths = ["name", "config.uuid", "config.hardware.numCPU", "config.hardware.memoryMB",
             "guest.guestState", "config.guestFullName", "config.guestId", "config.version"]
    content = si.content
    view = content.viewManager.CreateContainerView(container=content.rootFolder,
                                                   type=[vim.VirtualMachine], recursive=True)
    traversal = PC.TraversalSpec(name="traverseEntities", path="view", skip=False,
                                 type=view.__class__)
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=paths)])
    rows = []
    for obj in content.propertyCollector.RetrieveContents([spec]):
        row = {p.name: p.val for p in obj.propSet}
        row["obj"] = obj.obj
        rows.append(row)
    view.DestroyView()
    assert len(rows) == 5 and sorted(r["name"] for r in rows) == sorted(ALL_VMS)
    for row in rows:
        assert set(row) == set(paths) | {"obj"}
        assert isinstance(row["obj"], vim.VirtualMachine) and row["obj"].name == row["name"]
        assert row["config.uuid"] == row["obj"].summary.config.uuid
        assert row["config.hardware.numCPU"] == 1 and row["config.hardware.memoryMB"] == 32
        assert row["guest.guestState"] == (
            "notRunning" if row["name"] == "DC0_C0_RP0_NoTools" else "running")
        assert row["config.guestFullName"] == "Other Linux (64-bit)"
        assert row["config.guestId"] == "otherLinux64Guest"
        assert re.match(r"^vmx-\d+$", row["config.version"])


def test_getvmsbycluster_builds_the_placement_tree(si):
    """getvmsbycluster.py: datacenter.hostFolder.childEntity, each compute resource's host,
    each host's vm with summary (config, storage, runtime), guest.net and parent."""
    tree = {}
    content = si.RetrieveContent()
    for dc in content.rootFolder.childEntity:
        tree[dc.name] = {}
        for cluster in dc.hostFolder.childEntity:
            tree[dc.name][cluster.name] = {}
            for host in cluster.host:
                hostname = host.summary.config.name
                tree[dc.name][cluster.name][hostname] = {}
                for vm in host.vm:
                    summary, config = vm.summary, vm.summary.config
                    nics = {}
                    for nic in vm.guest.net:
                        if nic.network and nic.ipConfig is not None \
                                and nic.ipConfig.ipAddress is not None:
                            ipv4 = [a for a in nic.ipConfig.ipAddress if ":" not in a.ipAddress]
                            nics[nic.macAddress] = {
                                "netlabel": nic.network, "connected": nic.connected,
                                "ipv4": [a.ipAddress for a in ipv4],
                                "prefix": [a.prefixLength for a in ipv4]}
                    tree[dc.name][cluster.name][hostname][config.name] = {
                        "folder": vm.parent.name, "mem": str(config.memorySizeMB / 1024),
                        "diskGB": "%.2f" % (summary.storage.committed / GiB),
                        "cpu": str(config.numCpu), "path": config.vmPathName,
                        "ostype": config.guestFullName, "state": summary.runtime.powerState,
                        "net": nics}
    assert list(tree) == ["DC0"]
    assert {c: {h: sorted(vms) for h, vms in hosts.items()}
            for c, hosts in tree["DC0"].items()} == {
        "DC0_C0": {"DC0_C0_H0": ["DC0_C0_RP0_VM0"], "DC0_C0_H1": ["DC0_C0_RP0_VM1"],
                   "DC0_C0_H2": ["DC0_C0_RP0_NoTools"]},
        "DC0_H0": {"DC0_H0": ["DC0_H0_VM0", "DC0_H0_VM1"]}}
    vms = {name: row for hosts in tree["DC0"].values() for host in hosts.values()
           for name, row in host.items()}
    for name, row in vms.items():
        assert row["folder"] == "vm" and row["mem"] == "0.03125" and row["cpu"] == "1"
        assert row["path"] == "[LocalDS_0] %s/%s.vmx" % (name, name)
        assert row["ostype"] == "Other Linux (64-bit)" and row["state"] == "poweredOn"
        assert 0 < float(row["diskGB"]) < 16
        if name == "DC0_C0_RP0_NoTools":
            assert row["net"] == {}
            continue
        [(mac, nic)] = row["net"].items()
        vm = find_vm(si, name)
        assert nic == {"netlabel": "VM Network", "connected": True,
                       "ipv4": [vm.guest.ipAddress], "prefix": [24]}
        assert mac == vm.guest.net[0].macAddress


def test_vcenter_details_lists_every_entity_under_the_root(si):
    """vcenter_details.py: CreateContainerView(rootFolder, [], True) lists every managed
    entity; tools.vm.print_vm_info for the VMs among them."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [], True)
    found = list(view.view)
    view.Destroy()
    kinds = {}
    for obj in found:
        kinds.setdefault(type(obj).__name__.split(".")[-1], []).append(obj.name)
    assert len({o._moId for o in found}) == len(found) == 21
    assert sorted(kinds["VirtualMachine"]) == sorted(ALL_VMS)
    assert sorted(kinds["HostSystem"]) == ALL_HOSTS
    assert kinds["Datacenter"] == ["DC0"] and kinds["ClusterComputeResource"] == ["DC0_C0"]
    assert kinds["ComputeResource"] == ["DC0_H0"]
    assert sorted(kinds["Folder"]) == ["datastore", "host", "network", "vm"]
    assert sorted(kinds["ResourcePool"]) == ["DC0_C0_RP1", "Resources", "Resources"]
    assert kinds["Datastore"] == ["LocalDS_0"] and kinds["Network"] == ["VM Network"]
    for vm in (o for o in found if isinstance(o, vim.VirtualMachine)):
        summary = vm.summary
        assert summary.config.name == vm.name
        assert summary.config.vmPathName.startswith("[LocalDS_0] ")
        assert summary.runtime.powerState == "poweredOn" and summary.runtime.question is None


# -- sessions ------------------------------------------------------------------------------------

def test_hello_world_reads_the_current_session_key(si):
    """hello_world_vcenter.py: sessionManager.currentSession.key."""
    session = si.content.sessionManager.currentSession
    assert session.key and session.userName == "user"


def test_sessions_list_shows_the_sessions_and_logout_clears_current(emulator, si):
    """sessions_list.py: currentSession.key, sessionList (key, userName, ipAddress), Logout,
    then currentSession read again (the sample prints None)."""
    other = emulator.connect("readonly", "readonly")
    manager = si.content.sessionManager
    key = manager.currentSession.key
    sessions = {s.key: (s.userName, s.ipAddress) for s in manager.sessionList}
    assert sessions[key] == ("user", "127.0.0.1")
    assert other.content.sessionManager.currentSession.key in sessions
    assert sorted(user for user, _ in sessions.values()) == ["readonly", "user"]
    manager.Logout()
    assert si.content.sessionManager.currentSession is None
    # Reading sessionList needs Sessions.TerminateSession: the Administrator's, not readonly's.
    with pytest.raises(vim.fault.NoPermission):
        other.content.sessionManager.sessionList
    listed = emulator.connect().content.sessionManager.sessionList
    assert key not in [s.key for s in listed]
    assert sorted(s.userName for s in listed) == ["readonly", "user"]


# -- finding a VM: UUID, DNS name, IP ------------------------------------------------------------

def test_find_by_uuid_prints_the_vms_details(si):
    """find_by_uuid.py: SearchIndex.FindByUuid(None, <BIOS uuid>, True), then summary.config,
    runtime.host.name and runtime.bootTime."""
    uuid = find_vm(si, "DC0_C0_RP0_VM1").config.uuid
    vm = si.content.searchIndex.FindByUuid(None, uuid, True)
    assert isinstance(vm, vim.VirtualMachine)
    config = vm.summary.config
    details = {"name": config.name, "bios UUID": config.uuid, "path": config.vmPathName,
               "guest OS id": config.guestId, "guest OS name": config.guestFullName,
               "host name": vm.runtime.host.name, "booted": vm.runtime.bootTime}
    assert details["name"] == "DC0_C0_RP0_VM1" and details["bios UUID"] == uuid
    assert details["path"] == "[LocalDS_0] DC0_C0_RP0_VM1/DC0_C0_RP0_VM1.vmx"
    assert details["guest OS id"] == "otherLinux64Guest"
    assert details["guest OS name"] == "Other Linux (64-bit)"
    assert details["host name"] in ALL_HOSTS[:3]
    assert details["booted"] is not None and details["booted"] <= si.CurrentTime()
    assert config.instanceUuid != uuid
    assert si.content.searchIndex.FindByUuid(None, "00000000-0000-0000-0000-00000000beef",
                                             True) is None


def test_reboot_vm_finds_the_vm_each_way_and_resets_it(auto_si):
    """reboot_vm.py: FindByUuid(None, uuid, True, True) (instance UUID), FindByDnsName,
    FindByIp, then ResetVM_Task waited on with a property collector."""
    si = auto_si
    index = si.content.searchIndex
    target = find_vm(si, "DC0_H0_VM0")
    assert index.FindByUuid(None, target.config.instanceUuid, True, True) == target
    assert index.FindByDnsName(None, target.guest.hostName, True) == target
    assert index.FindByIp(None, target.guest.ipAddress, True) == target
    assert target.runtime.powerState == "poweredOn"
    task = target.ResetVM_Task()
    wait_with_collector(si, [task])
    assert task.info.state == "success" and task.info.entityName == "DC0_H0_VM0"
    assert target.runtime.powerState == "poweredOn"


def test_soft_reboot_sends_reboot_guest(emulator, si):
    """soft_reboot.py: FindByUuid(datacenter=None, uuid=..., vmSearch=True), name,
    runtime.powerState, RebootGuest (no task: the call returns nothing)."""
    uuid = find_vm(si, "DC0_H0_VM1").config.uuid
    vm = si.content.searchIndex.FindByUuid(datacenter=None, uuid=uuid, vmSearch=True)
    assert vm.name == "DC0_H0_VM1" and vm.runtime.powerState == "poweredOn"
    assert vm.RebootGuest() is None
    emulator.advance(1)
    assert vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    emulator.advance(10)
    assert vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    assert vm.guest.guestState == "running"


def test_soft_reboot_of_a_vm_without_tools_is_tools_unavailable(si):
    """soft_reboot.py on a VM whose VMware Tools are not running."""
    vm = by_name(si, [vim.VirtualMachine], "DC0_C0_RP0_NoTools")
    with pytest.raises(vim.fault.ToolsUnavailable):
        vm.RebootGuest()
    assert vm.runtime.powerState == "poweredOn"


# -- VMware Tools, NICs, devices -----------------------------------------------------------------

def test_list_vmwaretools_status(si):
    """list_vmwaretools_status.py: guest.toolsRunningStatus, toolsVersion,
    toolsVersionStatus2 of every VM (and of one found by name)."""
    rows = {vm.name: (vm.guest.toolsRunningStatus, str(vm.guest.toolsVersion),
                      vm.guest.toolsVersionStatus2)
            for vm in objects_of(si, [vim.VirtualMachine])}
    assert sorted(rows) == sorted(ALL_VMS)
    for name, (running, version, status) in rows.items():
        assert running == ("guestToolsNotRunning" if name == "DC0_C0_RP0_NoTools"
                           else "guestToolsRunning")
        assert version.isdigit() and int(version) > 0
        assert status == "guestToolsCurrent"
    one = by_name(si, [vim.VirtualMachine], "DC0_H0_VM0")
    assert one.guest.toolsRunningStatus == "guestToolsRunning"


def test_getvnicinfo_maps_each_nic_to_its_port_group(si):
    """getvnicinfo.py: every host's config.network.portgroup; every VM's
    config.hardware.device NICs: backing.network.name matched against the port group keys of
    runtime.host (found with list.index), spec.vlanId and spec.vswitchName."""
    hosts = objects_of(si, [vim.HostSystem])
    portgroups = {host: host.config.network.portgroup for host in hosts}
    lines = {}
    for vm in objects_of(si, [vim.VirtualMachine]):
        assert vm.runtime.powerState == "poweredOn"
        for dev in vm.config.hardware.device:
            if not isinstance(dev, vim.vm.device.VirtualEthernetCard):
                continue
            assert not hasattr(dev.backing, "port")  # a standard switch, no DVS port
            group = dev.backing.network.name
            host = hosts[hosts.index(vm.runtime.host)]
            vlan = switch = None
            for pg in portgroups[host]:
                if group in pg.key:
                    vlan, switch = str(pg.spec.vlanId), str(pg.spec.vswitchName)
            lines[vm.name] = "%s->%s @ %s->%s (VLAN %s)" % (
                dev.deviceInfo.label, dev.macAddress, switch, group, vlan)
    assert sorted(lines) == sorted(ALL_VMS)
    for name, line in lines.items():
        assert re.match(r"^Network adapter 1->([0-9a-f]{2}:){5}[0-9a-f]{2} @ vSwitch0->"
                        r"VM Network \(VLAN 0\)$", line), line
    macs = [line.split("->")[1].split(" ")[0] for line in lines.values()]
    assert len(set(macs)) == 5
    assert lines["DC0_H0_VM0"].split("->")[1].split(" ")[0] == \
        find_vm(si, "DC0_H0_VM0").guest.net[0].macAddress


def test_virtual_machine_device_info(si):
    """virtual_machine_device_info.py: FindByIp(None, ip, True), the summary, then for every
    device key, deviceInfo, the device and backing types, and for file backings the
    datastore (name, host mounts, summary), fileName and backingObjectId."""
    ip = find_vm(si, "DC0_H0_VM0").guest.ipAddress
    vm = si.content.searchIndex.FindByIp(None, ip, True)
    assert vm.summary.config.name == "DC0_H0_VM0" and vm.runtime.host.name == "DC0_H0"
    devices = vm.config.hardware.device
    assert len({d.key for d in devices}) == len(devices)
    by_type = {type(d).__name__.split(".")[-1]: d for d in devices}
    assert {"VirtualDisk", "VirtualVmxnet3", "VirtualCdrom", "VirtualIDEController",
            "ParaVirtualSCSIController", "VirtualVideoCard"} <= set(by_type)
    for device in devices:
        assert device.deviceInfo.label and device.deviceInfo.summary is not None
    file_backed = [d for d in devices
                   if d.backing is not None and hasattr(d.backing, "fileName")]
    [disk] = file_backed
    assert isinstance(disk, vim.vm.device.VirtualDisk)
    assert disk.deviceInfo.label == "Hard disk 1"
    assert type(disk.backing).__name__ == "vim.vm.device.VirtualDisk.FlatVer2BackingInfo"
    assert disk.backing.fileName == "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmdk"
    datastore = disk.backing.datastore
    assert datastore.name == "LocalDS_0"
    assert sorted(mount.key.name for mount in datastore.host) == ALL_HOSTS
    summary = datastore.summary
    assert (summary.capacity, summary.freeSpace) == (1024 * GiB, 900 * GiB)
    assert summary.type == "VMFS"
    assert summary.url.startswith("ds:///vmfs/volumes/") and summary.url.endswith("/")
    nic = by_type["VirtualVmxnet3"]
    assert nic.deviceInfo.label == "Network adapter 1" and nic.deviceInfo.summary == "VM Network"
    assert type(nic.backing).__name__ == \
        "vim.vm.device.VirtualEthernetCard.NetworkBackingInfo"


# -- watching changes ----------------------------------------------------------------------------

def full_traversal():
    """A traversal of the whole inventory as the samples' serviceutil builds one."""
    T, S = PC.TraversalSpec, PC.SelectionSpec

    def refs(*names):
        return [S(name=n) for n in names]
    return [
        T(name="visitFolders", type=vim.Folder, path="childEntity", skip=False,
          selectSet=refs("visitFolders", "dcToHf", "dcToVmf", "dcToNet", "crToH", "crToRp",
                         "dcToDs", "hToVm", "rpToVm")),
        T(name="dcToHf", type=vim.Datacenter, path="hostFolder", skip=False,
          selectSet=refs("visitFolders")),
        T(name="dcToVmf", type=vim.Datacenter, path="vmFolder", skip=False,
          selectSet=refs("visitFolders")),
        T(name="dcToNet", type=vim.Datacenter, path="networkFolder", skip=False,
          selectSet=refs("visitFolders")),
        T(name="crToH", type=vim.ComputeResource, path="host", skip=False),
        T(name="crToRp", type=vim.ComputeResource, path="resourcePool", skip=False,
          selectSet=refs("rpToRp", "rpToVm")),
        T(name="dcToDs", type=vim.Datacenter, path="datastore", skip=False,
          selectSet=refs("visitFolders")),
        T(name="rpToRp", type=vim.ResourcePool, path="resourcePool", skip=False,
          selectSet=refs("rpToRp", "rpToVm")),
        T(name="hToVm", type=vim.HostSystem, path="vm", skip=False,
          selectSet=refs("visitFolders")),
        T(name="rpToVm", type=vim.ResourcePool, path="vm", skip=False),
    ]


def test_waitforupdates_monitors_vm_and_datacenter_properties(auto_si):
    """waitforupdates.py -P VirtualMachine:name,summary.config.numCpu,runtime.powerState,
    config.uuid -P Datacenter:name: CreateFilter from rootFolder with a full traversal,
    WaitForUpdatesEx(version, maxWaitSeconds=30) in a loop; None when nothing changed."""
    si = auto_si
    content = si.content
    collector = content.propertyCollector
    vm_paths = ["name", "summary.config.numCpu", "runtime.powerState", "config.uuid"]
    vm_spec = PC.PropertySpec(type=vim.VirtualMachine, all=False)
    vm_spec.pathSet.extend(vm_paths)
    dc_spec = PC.PropertySpec(type=vim.Datacenter, all=False)
    dc_spec.pathSet.extend(["name"])
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=content.rootFolder,
                                                  selectSet=full_traversal())],
                         propSet=[vm_spec, dc_spec])
    pfilter = collector.CreateFilter(spec, True)
    options = PC.WaitOptions(maxWaitSeconds=30)

    def changes(result):
        out = {}
        for filter_set in result.filterSet:
            assert filter_set.filter == pfilter
            for obj_set in filter_set.objectSet:
                assert obj_set.obj is not None
                assert obj_set.kind in ("enter", "modify", "leave")
                if obj_set.kind != "leave":
                    assert len(obj_set.changeSet) > 0
                    out[str(obj_set.obj).strip("'")] = (
                        obj_set.kind, {c.name: c.val for c in obj_set.changeSet})
        return out

    first = collector.WaitForUpdatesEx("", options)
    entered = changes(first)
    assert len(entered) == 6 and all(kind == "enter" for kind, _ in entered.values())
    dcs = [v for k, v in entered.items() if k.startswith("vim.Datacenter:")]
    assert dcs == [("enter", {"name": "DC0"})]
    vms = {props["name"]: props for k, (_, props) in entered.items()
           if k.startswith("vim.VirtualMachine:")}
    assert sorted(vms) == sorted(ALL_VMS)
    for name, props in vms.items():
        assert set(props) == set(vm_paths)
        assert props["summary.config.numCpu"] == 1 and props["runtime.powerState"] == "poweredOn"
        assert props["config.uuid"] == find_vm(si, name).config.uuid

    vm = find_vm(si, "DC0_H0_VM1")
    vm.PowerOffVM_Task()
    second = collector.WaitForUpdatesEx(first.version, options)
    assert changes(second) == {"vim.VirtualMachine:%s" % vm._moId:
                               ("modify", {"runtime.powerState": "poweredOff"})}
    before = si.CurrentTime()
    assert collector.WaitForUpdatesEx(second.version, options) is None
    assert (si.CurrentTime() - before).total_seconds() >= 30
    pfilter.Destroy()
    assert collector.filter == []


def test_monitor_mac_addresses_with_a_collector_of_its_own(emulator, si):
    """monitor_mac_addresses.py: CreatePropertyCollector, a ContainerView of VMs, a filter on
    name, guest.net and config.hardware.device (partialUpdates False), WaitForUpdatesEx with
    maxWaitSeconds and maxObjectUpdates; NIC keys to MACs, guest MACs to IP addresses."""
    content = si.content
    collector = content.propertyCollector.CreatePropertyCollector()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    prop = PC.PropertySpec(type=vim.VirtualMachine,
                           pathSet=["name", "guest.net", "config.hardware.device"])
    traversal = PC.TraversalSpec(name="traverseEntities", path="view", skip=False,
                                 type=vim.view.ContainerView)
    pfilter = collector.CreateFilter(
        PC.FilterSpec(propSet=[prop],
                      objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])]),
        False)
    options = PC.WaitOptions(maxWaitSeconds=10, maxObjectUpdates=100)

    def read(result):
        seen = {}
        for filter_set in result.filterSet:
            if filter_set.filter != pfilter:
                continue
            for update in filter_set.objectSet:
                name = vnic = guest = None
                for change in update.changeSet:
                    assert change.op == "assign"
                    if change.name == "name":
                        name = change.val
                    elif change.name == "guest.net":
                        guest = {n.macAddress: [a.ipAddress for a in n.ipConfig.ipAddress]
                                 if n.ipConfig else [] for n in change.val if n.macAddress}
                    elif change.name == "config.hardware.device":
                        vnic = {d.key: d.macAddress for d in change.val
                                if isinstance(d, vim.vm.device.VirtualEthernetCard)
                                and d.key and d.macAddress}
                seen[update.obj._GetMoId()] = (update.kind, name, vnic, guest)
        return seen

    first = collector.WaitForUpdatesEx("", options)
    seen = read(first)
    assert len(seen) == 5
    names = {}
    for moid, (kind, name, vnic, guest) in seen.items():
        assert kind == "enter" and name in ALL_VMS
        names[name] = moid
        [mac] = vnic.values()
        if name == "DC0_C0_RP0_NoTools":
            assert not guest
        else:
            assert guest == {mac: [find_vm(si, name).guest.ipAddress]}
    moid = names["DC0_H0_VM0"]
    mac = list(seen[moid][2].values())[0]

    find_vm(si, "DC0_H0_VM0").PowerOffVM_Task()
    emulator.advance(1)
    off = collector.WaitForUpdatesEx(first.version, options)
    [(changed, (kind, name, vnic, guest))] = read(off).items()
    # the guest's NICs go; the devices change too (the NIC's connectable.connected goes
    # false, as on vCenter: the sample's "spurious updates"), its MAC does not
    assert (changed, kind, name, guest) == (moid, "modify", None, {})
    assert vnic in (None, {4000: mac})
    find_vm(si, "DC0_H0_VM0").PowerOnVM_Task()
    emulator.advance(10)
    on = collector.WaitForUpdatesEx(off.version, options)
    kind, name, vnic, guest = read(on)[moid]
    assert kind == "modify" and vnic in (None, {4000: mac}) and list(guest) == [mac]

    pfilter.DestroyPropertyFilter()
    view.DestroyView()
    collector.DestroyPropertyCollector()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        collector.WaitForUpdatesEx(on.version, options)


# -- events --------------------------------------------------------------------------------------

def test_relocate_events_query_by_entity_and_type(emulator, si):
    """relocate_events.py: FindChild(datacenter.vmFolder, name), QueryEvent with ByEntity
    (recursion self) and eventTypeId VmRelocatedEvent/DrsVmMigratedEvent/VmMigratedEvent,
    optionally ByUsername; then the same filter shape for an event that did happen."""
    content = si.content
    dc = next(d for d in content.rootFolder.childEntity if d.name == "DC0")
    vm = content.searchIndex.FindChild(dc.vmFolder, "DC0_H0_VM0")
    assert vm.name == "DC0_H0_VM0"
    vm.PowerOffVM_Task()
    emulator.advance(1)
    entity = vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self")
    moves = vim.event.EventFilterSpec(
        entity=entity, eventTypeId=["VmRelocatedEvent", "DrsVmMigratedEvent", "VmMigratedEvent"])
    assert list(content.eventManager.QueryEvent(moves)) == []
    spec = vim.event.EventFilterSpec(entity=entity, eventTypeId=["VmPoweredOffEvent"])
    [event] = content.eventManager.QueryEvent(spec)
    assert event._wsdlName == "VmPoweredOffEvent"
    assert event.vm.name == "DC0_H0_VM0" and event.vm.vm == vm
    assert event.host.name == "DC0_H0" and event.datacenter.name == "DC0"
    # --filterUsers: the sample adds ByUsername (systemUser False). vimsim leaves the power
    # event's userName empty (see the report), so the user filter is checked on the task's
    # own event.
    by_user = vim.event.EventFilterSpec.ByUsername(userList=["user"])
    by_user.systemUser = False
    spec = vim.event.EventFilterSpec(entity=entity, eventTypeId=["TaskEvent"], userName=by_user)
    [task_event] = content.eventManager.QueryEvent(spec)
    assert task_event.userName == "user" and task_event.vm.name == "DC0_H0_VM0"
    by_user.userList = ["readonly"]
    assert list(content.eventManager.QueryEvent(spec)) == []


# -- performance ---------------------------------------------------------------------------------

def test_vm_perf_example_reads_the_latest_sample_of_every_metric(emulator, si):
    """vm_perf_example.py: perfCounter names (group.name.rollup), QueryAvailablePerfMetric per
    VM, QueryStats with maxSample=1 and instance "*" for every available counter."""
    emulator.advance(120)
    perf = si.RetrieveContent().perfManager
    names = {}
    for counter in perf.perfCounter:
        names["%s.%s.%s" % (counter.groupInfo.key, counter.nameInfo.key,
                            counter.rollupType)] = counter.key
    assert len(set(names.values())) == len(names)
    assert names["cpu.usage.average"] == 2 and names["mem.usage.average"] == 24
    key_to_name = {v: k for k, v in names.items()}
    for vm in objects_of(si, [vim.VirtualMachine]):
        available = perf.QueryAvailablePerfMetric(entity=vm)
        counters = [m.counterId for m in available]
        assert counters and all(c in key_to_name for c in counters)
        ids = [vim.PerformanceManager.MetricId(counterId=c, instance="*") for c in counters]
        spec = vim.PerformanceManager.QuerySpec(maxSample=1, entity=vm, metricId=ids)
        [result] = perf.QueryStats(querySpec=[spec])
        assert result.entity == vm
        [sample] = result.sampleInfo
        assert sample.interval == 20
        lines = {}
        for series in result.value:
            assert len(series.value) == 1
            label = key_to_name[series.id.counterId]
            if series.id.instance:
                label += " (%s)" % series.id.instance
            lines[label] = series.value[0]
        assert {(s.id.counterId, s.id.instance) for s in result.value} == \
            {(m.counterId, m.instance) for m in available}
        assert 0 <= lines["cpu.usage.average"] <= 10000
        uptime = lines["sys.uptime.latest"]
        assert 0 < uptime <= (sample.timestamp - vm.runtime.bootTime).total_seconds() + 1


def test_esxi_perf_sample_queries_counter_6_of_a_host_for_the_last_hour(emulator, si):
    """esxi_perf_sample.py: FindByDnsName(dnsName=host, vmSearch=False), QueryPerf of counter
    6 (instance "*") with maxSample=1 over the last hour."""
    import datetime
    emulator.advance(300)
    content = si.RetrieveContent()
    host = content.searchIndex.FindByDnsName(dnsName="DC0_H0", vmSearch=False)
    assert isinstance(host, vim.HostSystem) and host.name == "DC0_H0"
    perf = content.perfManager
    [counter] = perf.QueryPerfCounter([6])
    assert (counter.groupInfo.key, counter.nameInfo.key, counter.rollupType) == \
        ("cpu", "usagemhz", "average")
    now = si.CurrentTime()
    query = vim.PerformanceManager.QuerySpec(
        maxSample=1, entity=host,
        metricId=[vim.PerformanceManager.MetricId(counterId=6, instance="*")],
        startTime=now - datetime.timedelta(hours=1), endTime=now)
    [result] = perf.QueryPerf(querySpec=[query])
    assert isinstance(result, vim.PerformanceManager.EntityMetric) and result.entity == host
    [sample] = result.sampleInfo
    # a range reaching back an hour may cross out of the realtime (20 s) samples into the
    # 5-minute ones: "the result contains data from the longest interval in the period"
    assert sample.interval in (20, 300)
    assert now - datetime.timedelta(seconds=sample.interval) <= sample.timestamp <= now
    assert result.value and all(s.id.counterId == 6 and len(s.value) == 1 for s in result.value)
    assert "" in [s.id.instance for s in result.value]
    assert all(v >= 0 for s in result.value for v in s.value)


# -- datastores, hosts, networks -----------------------------------------------------------------

def test_list_datastore_info_reads_each_hosts_vmfs_mounts(si):
    """list_datastore_info.py: every host's configManager.storageSystem
    .fileSystemVolumeInfo.mountInfo, VMFS volumes' name, uuid, capacity, version, local,
    ssd and extent diskName."""
    datastore = by_name(si, [vim.Datastore], "LocalDS_0")
    hosts = objects_of(si, [vim.HostSystem])
    assert sorted(h.name for h in hosts) == ALL_HOSTS
    for host in hosts:
        mounts = host.configManager.storageSystem.fileSystemVolumeInfo.mountInfo
        vmfs = [m for m in mounts if m.volume.type == "VMFS"]
        [mount] = vmfs
        volume = mount.volume
        assert volume.name == "LocalDS_0"
        assert volume.uuid == datastore.info.vmfs.uuid
        assert datastore.summary.url == "ds:///vmfs/volumes/%s/" % volume.uuid
        assert human_size(volume.capacity) == "1.0TB"
        assert volume.version == datastore.info.vmfs.version and volume.version.startswith("6.")
        assert isinstance(volume.local, bool) and isinstance(volume.ssd, bool)
        assert [e.diskName for e in volume.extent] and all(e.diskName for e in volume.extent)
        assert mount.mountInfo.path == "/vmfs/volumes/%s" % volume.uuid


def test_list_dc_datastore_info_prints_space_and_counts(si):
    """list_dc_datastore_info.py: pchelper.search_for_obj for the datastore, its summary
    (capacity, freeSpace, uncommitted), the provisioned space, len(host), len(vm)."""
    ds = by_name(si, [vim.Datastore], "LocalDS_0")
    summary = ds.summary
    uncommitted = summary.uncommitted or 0
    provisioned = summary.capacity - summary.freeSpace + uncommitted
    assert summary.name == "LocalDS_0"
    assert summary.url.startswith("ds:///vmfs/volumes/")
    assert human_size(summary.capacity) == "1.0TB" and human_size(summary.freeSpace) == "900.0GB"
    assert uncommitted == sum(vm.summary.storage.uncommitted for vm in ds.vm)
    assert provisioned - summary.capacity < 0  # not over-provisioned: the sample prints no line
    assert len(ds.host) == 4 and len(ds.vm) == 5
    assert by_name(si, [vim.Datastore], "NoSuchDS") is None
    assert [d.name for d in objects_of(si, [vim.Datastore])] == ["LocalDS_0"]


def test_list_datastore_cluster_finds_no_storage_pods(si):
    """list_datastore_cluster.py: a ContainerView of StoragePod; the fixture has none."""
    assert objects_of(si, [vim.StoragePod]) == []


def test_get_hosts_vswitch_and_get_portgroup(si):
    """get_hosts_vswitch.py (host.config.network.vswitch names), get_portgroup.py
    (pchelper.get_obj of a vim.Network by name) and list_vlan_in_portgroups.py (DVSes under
    the datacenter's networkFolder: none here)."""
    for host in objects_of(si, [vim.HostSystem]):
        assert [s.name for s in host.config.network.vswitch] == ["vSwitch0"]
    network = by_name(si, [vim.Network], "VM Network")
    assert type(network) is vim.Network and network.summary.name == "VM Network"
    assert sorted(v.name for v in network.vm) == sorted(ALL_VMS)
    dc = by_name(si, [vim.Datacenter], "DC0")
    assert objects_of(si, [vim.DistributedVirtualSwitch], container=dc.networkFolder) == []


def test_list_host_alarms_finds_hosts_by_ip_and_uuid(si):
    """list_host_alarms.py: FindByUuid(datacenter=None, uuid=..., vmSearch=False) and
    FindByIp(ip=..., vmSearch=False) for a host, then triggeredAlarmState."""
    index = si.content.searchIndex
    host = by_name(si, [vim.HostSystem], "DC0_H0")
    address = host.config.network.vnic[0].spec.ip.ipAddress
    assert index.FindByIp(ip=address, vmSearch=False) == host
    uuid = host.hardware.systemInfo.uuid
    assert index.FindByUuid(datacenter=None, uuid=uuid, vmSearch=False) == host
    assert index.FindByUuid(datacenter=None, uuid=uuid, vmSearch=True) is None
    assert list(host.triggeredAlarmState) == []
    assert host.overallStatus == "green"


# -- power operations ----------------------------------------------------------------------------

def test_vm_power_on_waits_for_the_tasks(auto_si):
    """vm_power_on.py: PowerOn() of the VMs named, tools.tasks.wait_for_tasks; a VM already
    on fails its task (the sample prints the fault)."""
    si = auto_si
    vms = [vm for vm in objects_of(si, [vim.VirtualMachine]) if vm.name in HOST_VMS]
    wait_with_collector(si, [vm.PowerOff() for vm in vms])
    assert [vm.runtime.powerState for vm in vms] == ["poweredOff", "poweredOff"]
    wait_with_collector(si, [vm.PowerOn() for vm in vms])
    assert [vm.runtime.powerState for vm in vms] == ["poweredOn", "poweredOn"]
    with pytest.raises(vim.fault.InvalidPowerState) as err:
        wait_with_collector(si, [vms[0].PowerOn()])
    assert err.value.existingState == "poweredOn"


def test_power_cycle_and_question(auto_si):
    """virtual_machine_power_cycle_and_question.py: find the VM by walking childEntity and
    vmFolder, PowerOff and poll task.info.state, PowerOn polling while checking
    runtime.question (none is asked)."""
    si = auto_si
    stack = list(si.content.rootFolder.childEntity)
    vm = None
    while stack:
        entity = stack.pop()
        if entity.name == "DC0_C0_RP0_VM0":
            vm = entity
            break
        if hasattr(entity, "childEntity"):
            stack.extend(entity.childEntity)
        elif isinstance(entity, vim.Datacenter):
            stack.append(entity.vmFolder)
    assert isinstance(vm, vim.VirtualMachine)
    assert vm.runtime.powerState == vim.VirtualMachinePowerState.poweredOn
    assert poll_until_done(vm.PowerOff()) == vim.TaskInfo.State.success
    assert vm.runtime.powerState == vim.VirtualMachinePowerState.poweredOff
    task = vm.PowerOn()
    for _ in range(200):
        if task.info.state in (vim.TaskInfo.State.success, vim.TaskInfo.State.error):
            break
        assert vm.runtime.question is None
    assert task.info.state == vim.TaskInfo.State.success and task.info.error is None
    assert vm.runtime.powerState == vim.VirtualMachinePowerState.poweredOn


# -- datastore browsing, snapshots, settings -----------------------------------------------------

def test_getorphanedvms_finds_every_vmx_belongs_to_the_inventory(auto_si):
    """getorphanedvms.py: datacenter.datastore, each datastore's browser
    SearchDatastoreSubFolders_Task("[name]", matchPattern *.vmx) polled until success, the
    folders' files, compared with the VMs of vmFolder (config.instanceUuid)."""
    si = auto_si
    dc = si.RetrieveContent().rootFolder.childEntity[0]
    found = []
    for datastore in dc.datastore:
        spec = vim.HostDatastoreBrowserSearchSpec()
        spec.matchPattern = "*.vmx"
        task = datastore.browser.SearchDatastoreSubFolders_Task(
            "[%s]" % datastore.summary.name, spec)
        assert poll_until_done(task) == "success"
        for folder in task.info.result:
            assert folder.folderPath.startswith("[LocalDS_0]")
            vm_folder = folder.folderPath.split("]")[1][1:]
            found.extend(vm_folder + f.path for f in folder.file)
    assert sorted(found) == sorted("%s/%s.vmx" % (n, n) for n in ALL_VMS)
    inventory = [vm.config.instanceUuid.replace("-", "") for vm in dc.vmFolder.childEntity]
    assert len(set(inventory)) == 5 and all(len(u) == 32 for u in inventory)


def test_snapshot_operations_sees_no_snapshot(si):
    """snapshot_operations.py (list_all / list_current): vm.snapshot is None for a VM
    without snapshots, so the sample says it has none."""
    vm = by_name(si, [vim.VirtualMachine], "DC0_H0_VM0")
    assert vm.snapshot is None
    assert list(vm.rootSnapshot) == []


def test_generate_html5_console_reads_the_vcenter_fqdn_setting(si):
    """generate_html5_console.py: the VM's _moId and content.setting.setting's
    VirtualCenter.FQDN (the clone ticket it then asks for is not served: see the report)."""
    content = si.RetrieveContent()
    vm = by_name(si, [vim.VirtualMachine], "DC0_H0_VM0")
    assert vm._moId.startswith("vm-")
    fqdn = [o.value for o in content.setting.setting if o.key == "VirtualCenter.FQDN"]
    assert len(fqdn) == 1 and isinstance(fqdn[0], str) and fqdn[0]


# -- programs and files in the guest -------------------------------------------------------------

GuestLogin = vim.vm.guest.NamePasswordAuthentication


def run_in_guest(emulator, si, vm, creds, program, arguments=None):
    """execute_program_in_vm.py's calls after it found the VM: guest.toolsStatus checked, a
    ProgramSpec (arguments only when given) to processManager.StartProgramInGuest, then
    ListProcessesInGuest(vm, creds, [pid]).pop().exitCode until it is a number (the sample
    sleeps 5 s between reads: here the virtual clock moves 5 s). The exit code, or what the
    sample would stop with."""
    if vm.guest.toolsStatus in ("toolsNotInstalled", "toolsNotRunning"):
        return "tools not running"
    manager = si.RetrieveContent().guestOperationsManager.processManager
    Spec = vim.vm.guest.ProcessManager.ProgramSpec
    spec = Spec(programPath=program, arguments=arguments) if arguments else \
        Spec(programPath=program)
    try:
        pid = manager.StartProgramInGuest(vm, creds, spec)
        assert pid > 0
        exit_code = manager.ListProcessesInGuest(vm, creds, [pid]).pop().exitCode
        for _ in range(20):
            if re.match("[0-9]+", str(exit_code)):
                return exit_code
            emulator.advance(5)
            exit_code = manager.ListProcessesInGuest(vm, creds, [pid]).pop().exitCode
    except vmodl.MethodFault as error:
        return "Caught vmodl fault : " + error.msg
    raise AssertionError("program %d never ended" % pid)


def test_execute_program_in_vm_runs_the_program_until_it_exits(make_emulator):
    """execute_program_in_vm.py: the VM by UUID (searchIndex.FindByUuid(None, uuid, True):
    vmSearch, so the BIOS UUID) or by name (a ContainerView), its example ``/bin/cat
    /etc/network/interfaces > /tmp/plop`` on a guest whose fixture entry has that file, a
    program that runs on the clock, and a failing one."""
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][0]["guest_files"] = {
        "/etc/network/interfaces": "auto lo\niface lo inet loopback\n"}
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    content = si.RetrieveContent()
    named = by_name(si, [vim.VirtualMachine], "DC0_H0_VM0")
    vm = content.searchIndex.FindByUuid(None, named.config.uuid, True)
    assert vm == named
    root = GuestLogin(username="root", password="vmware")
    files = content.guestOperationsManager.fileManager
    assert run_in_guest(emulator, si, vm, root, "/bin/cat",
                        "/etc/network/interfaces > /tmp/plop") == 0
    info = files.InitiateFileTransferFromGuest(vm, root, "/tmp/plop")
    assert requests.get(info.url.replace("*", "127.0.0.1"), timeout=10).content == \
        b"auto lo\niface lo inet loopback\n"
    before = emulator.call(emulator.vc.clock.now)
    assert run_in_guest(emulator, si, vm, root, "/bin/sleep", "12") == 0
    assert emulator.call(emulator.vc.clock.now) - before == timedelta(seconds=15)
    assert run_in_guest(emulator, si, vm, root, "/bin/bash", "-c 'exit 2'") == 2
    # the sample's failure report: the process as ListProcessesInGuest gives it
    [ended] = [p for p in content.guestOperationsManager.processManager.ListProcessesInGuest(
        vm, root) if p.cmdLine == "\"/bin/bash\" -c 'exit 2'"]
    assert ended.exitCode == 2 and ended.endTime is not None
    assert vm.summary.guest.ipAddress


def test_execute_program_in_vm_stops_where_vcenter_refuses(emulator, si):
    """execute_program_in_vm.py's ways out: a VM without running Tools (toolsStatus), the
    vmodl fault of a wrong guest password or a program the guest lacks."""
    no_tools = by_name(si, [vim.VirtualMachine], "DC0_C0_RP0_NoTools")
    root = GuestLogin(username="root", password="vmware")
    assert run_in_guest(emulator, si, no_tools, root, "/bin/true") == "tools not running"
    vm = by_name(si, [vim.VirtualMachine], "DC0_H0_VM0")
    assert run_in_guest(emulator, si, vm, GuestLogin(username="root", password="nope"),
                        "/bin/true") == ("Caught vmodl fault : Failed to authenticate with the "
                                         "guest operating system using the supplied "
                                         "credentials.")
    assert run_in_guest(emulator, si, vm, root, "/opt/none") == \
        "Caught vmodl fault : File /opt/none was not found"


def test_upload_file_to_vm_puts_the_file_through_the_https_url(make_emulator, tmp_path):
    """upload_file_to_vm.py over HTTPS: the VM by its BIOS UUID, fileManager.
    InitiateFileTransferToGuest(vm, creds, path, FileAttributes(), size, True) with its
    ``https://*:`` rewritten to the vCenter host, and a PUT of the bytes (verify=False)."""
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))
    si = emulator.connect()
    content = si.RetrieveContent()
    uuid = by_name(si, [vim.VirtualMachine], "DC0_C0_RP0_VM0").config.uuid
    vm = content.searchIndex.FindByUuid(None, uuid, True)
    assert vm.guest.toolsStatus not in ("toolsNotInstalled", "toolsNotRunning")
    creds = GuestLogin(username="root", password="vmware")
    data = b"#!/bin/sh\necho uploaded\n"
    for _ in range(2):  # overwrite=True: the second upload replaces the first
        url = content.guestOperationsManager.fileManager.InitiateFileTransferToGuest(
            vm, creds, "/tmp/setup.sh", vim.vm.guest.FileManager.FileAttributes(), len(data),
            True)
        assert url.startswith("https://*:%d/guestFile?" % emulator.port)
        url = re.sub(r"^https://\*:", "https://127.0.0.1:", url)
        assert requests.put(url, data=data, verify=False, timeout=10).status_code == 200
    info = content.guestOperationsManager.fileManager.InitiateFileTransferFromGuest(
        vm, creds, "/tmp/setup.sh")
    assert info.size == len(data)
    assert requests.get(re.sub(r"^https://\*:", "https://127.0.0.1:", info.url), verify=False,
                        timeout=10).content == data
