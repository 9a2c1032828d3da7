"""VM snapshots through pyVmomi: CreateSnapshot_Task (and CreateSnapshotEx_Task),
RevertToSnapshot_Task, RevertToCurrentSnapshot_Task, RemoveSnapshot_Task,
RemoveAllSnapshots_Task and RenameSnapshot with their faults and privileges; the VM's
``snapshot``, ``rootSnapshot`` and ``layoutEx``, the snapshot objects' properties, datastore
space following the snapshot files, what a revert gives back, a property filter watching the
tree, Destroy_Task and UnregisterVM dropping the snapshots, and --state keeping them; on the
virtual clock."""
import pytest
from pyVmomi import vim, vmodl

from conftest import customize, find_vm
from test_durability import Served, restored, wait_for
from test_jsonapi import Json
from test_performance import find as named
from test_vm_lifecycle import config_spec, create, done, nic_spec, reconfigure, task_fault

D = vim.vm.device
MB = 1024 * 1024


def snap(emulator, vm, name, memory=False, quiesce=False, description=None):
    """CreateSnapshot_Task, waited for: the new snapshot."""
    info = done(emulator, vm.CreateSnapshot_Task(name=name, description=description,
                                                 memory=memory, quiesce=quiesce))
    assert info.state == "success", info.error
    return info.result


def ok(emulator, task):
    info = done(emulator, task)
    assert info.state == "success", info.error
    return info


def tree(vm):
    """{name: (snapshot, [child names])} of the VM's snapshot tree."""
    found = {}

    def walk(nodes):
        for node in nodes:
            found[node.name] = (node.snapshot, [c.name for c in node.childSnapshotList])
            walk(node.childSnapshotList)
    walk(vm.snapshot.rootSnapshotList if vm.snapshot else [])
    return found


def files_of(vm, kind):
    return sorted(f.name for f in vm.layoutEx.file if f.type == kind)


def disk_of(vm):
    disk, = [d for d in vm.config.hardware.device if isinstance(d, D.VirtualDisk)]
    return disk


def free_space(si):
    return named(si, vim.Datastore, "LocalDS_0").summary.freeSpace


# -- CreateSnapshot_Task and what the VM shows ------------------------------------------------

def test_create_snapshots_makes_a_tree(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    assert vm.snapshot is None and vm.rootSnapshot == []
    task = vm.CreateSnapshot_Task(name="first", description="before the upgrade", memory=True,
                                  quiesce=True)
    info = ok(emulator, task)
    first = info.result
    assert isinstance(first, vim.vm.Snapshot) and first._moId.startswith("snapshot-")
    assert info.entity == vm and info.descriptionId == "VirtualMachine.createSnapshot"
    second = snap(emulator, vm, "second")
    assert vm.snapshot.currentSnapshot == second and vm.rootSnapshot == [first]
    root, = vm.snapshot.rootSnapshotList
    assert (root.snapshot, root.vm, root.name, root.description, root.id) == (
        first, vm, "first", "before the upgrade", 1)
    assert root.createTime == info.completeTime
    assert root.state == "poweredOn" and root.quiesced and root.backupManifest is None
    assert root.replaySupported is False
    child, = root.childSnapshotList
    assert (child.snapshot, child.name, child.description, child.id, child.state) == (
        second, "second", "", 2, "poweredOff")
    assert not child.quiesced and child.childSnapshotList == []
    assert first.vm == vm and first.childSnapshot == [second] and second.childSnapshot == []
    assert first.config.hardware.numCPU == vm.config.hardware.numCPU
    # a snapshot's config names the disk's head at that snapshot; the VM writes a newer delta
    assert first.config.hardware.device and disk_of(vm).backing.fileName.endswith(
        "DC0_H0_VM0-000002.vmdk")
    frozen, = [d for d in second.config.hardware.device if isinstance(d, D.VirtualDisk)]
    assert frozen.backing.fileName.endswith("DC0_H0_VM0-000001.vmdk")


def test_snapshots_over_vi_json(emulator):
    api = Json(emulator)
    api.login()
    vm = api.vm_id("DC0_H0_VM0")
    r = api.post("VirtualMachine", vm, "CreateSnapshot_Task",
                 {"name": "json", "memory": False, "quiesce": False})
    assert r.status_code == 200, r.text
    emulator.advance(2)
    info = api.task_info(r.json()["value"])
    assert info["state"] == "success", info
    snapshot = info["result"]
    assert snapshot["_typeName"] == "ManagedObjectReference"
    assert snapshot["type"] == "VirtualMachineSnapshot"
    tree = api.get("VirtualMachine", vm, "snapshot").json()
    assert tree["_typeName"] == "VirtualMachineSnapshotInfo"
    assert tree["currentSnapshot"]["value"] == snapshot["value"]
    assert tree["rootSnapshotList"][0]["name"] == "json"
    assert api.get("VirtualMachineSnapshot", snapshot["value"], "vm").json()["value"] == vm
    r = api.post("VirtualMachineSnapshot", snapshot["value"], "RenameSnapshot", {"name": ""})
    assert r.status_code == 500 and r.json()["_typeName"] == "InvalidName"


def test_create_snapshot_ex_quiesces_with_a_spec(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    info = ok(emulator, vm.CreateSnapshotEx_Task(
        name="ex", memory=False, quiesceSpec=vim.vm.GuestQuiesceSpec(timeout=5)))
    node, = vm.snapshot.rootSnapshotList
    assert node.snapshot == info.result and node.quiesced and node.state == "poweredOff"
    for minutes in (4, 241):
        with pytest.raises(vmodl.fault.InvalidArgument) as raised:
            vm.CreateSnapshotEx_Task(name="ex", memory=False,
                                     quiesceSpec=vim.vm.GuestQuiesceSpec(timeout=minutes))
        assert raised.value.invalidProperty == "quiesceSpec.timeout"


def test_memory_and_quiesce_apply_only_where_they_can(emulator, si):
    off = find_vm(si, "DC0_H0_VM0")
    ok(emulator, off.PowerOffVM_Task())
    snap(emulator, off, "off", memory=True, quiesce=True)
    node, = off.snapshot.rootSnapshotList
    assert node.state == "poweredOff" and not node.quiesced
    no_tools = find_vm(si, "DC0_C0_RP0_NoTools")
    assert no_tools.runtime.powerState == "poweredOn"
    snap(emulator, no_tools, "no tools", memory=True, quiesce=True)
    node, = no_tools.snapshot.rootSnapshotList
    assert node.state == "poweredOn" and not node.quiesced
    suspended = find_vm(si, "DC0_H0_VM1")
    ok(emulator, suspended.SuspendVM_Task())
    snap(emulator, suspended, "suspended")
    assert suspended.snapshot.rootSnapshotList[0].state == "suspended"


def test_snapshot_files_layout_and_datastore_space(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    free = free_space(si)
    base = disk_of(vm).backing.fileName
    assert base == "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmdk"
    first = snap(emulator, vm, "with memory", memory=True)
    second = snap(emulator, vm, "disk only")
    folder = "[LocalDS_0] DC0_H0_VM0/"
    assert files_of(vm, "snapshotData") == [folder + "DC0_H0_VM0-Snapshot1.vmsn",
                                            folder + "DC0_H0_VM0-Snapshot2.vmsn"]
    assert files_of(vm, "snapshotMemory") == [folder + "DC0_H0_VM0-Snapshot1.vmem"]
    assert files_of(vm, "diskDescriptor") == [
        folder + "DC0_H0_VM0-000001.vmdk", folder + "DC0_H0_VM0-000002.vmdk", base]
    assert files_of(vm, "diskExtent") == [
        folder + "DC0_H0_VM0-000001-sesparse.vmdk", folder + "DC0_H0_VM0-000002-sesparse.vmdk",
        folder + "DC0_H0_VM0-flat.vmdk"]
    layout = vm.layoutEx
    by_key = {f.key: f for f in layout.file}
    disk_layout, = layout.disk
    assert [by_key[u.fileKey[0]].name for u in disk_layout.chain] == [
        base, folder + "DC0_H0_VM0-000001.vmdk", folder + "DC0_H0_VM0-000002.vmdk"]
    one, two = layout.snapshot
    assert one.key == first and by_key[one.dataKey].name.endswith("Snapshot1.vmsn")
    assert by_key[one.memoryKey].type == "snapshotMemory" and two.memoryKey == -1
    assert [by_key[u.fileKey[0]].name for u in one.disk[0].chain] == [base]
    assert len(two.disk[0].chain) == 2
    backing = disk_of(vm).backing
    assert backing.fileName == folder + "DC0_H0_VM0-000002.vmdk"
    assert backing.parent.fileName == folder + "DC0_H0_VM0-000001.vmdk"
    assert backing.parent.parent.fileName == base and backing.parent.parent.parent is None
    snapshot_bytes = sum(f.size for f in layout.file if f.type in (
        "snapshotData", "snapshotMemory", "snapshotList")) + sum(
        f.size for f in layout.file if f.name.startswith(folder + "DC0_H0_VM0-0000"))
    assert by_key[one.memoryKey].size == vm.config.hardware.memoryMB * MB
    assert free - free_space(si) == snapshot_bytes
    browser = named(si, vim.Datastore, "LocalDS_0").browser
    search = ok(emulator, browser.SearchDatastore_Task(
        datastorePath=folder, searchSpec=vim.host.DatastoreBrowser.SearchSpec(
            query=[vim.host.DatastoreBrowser.VmSnapshotQuery()],
            details=vim.host.DatastoreBrowser.FileInfo.Details(modification=True)))).result
    assert [(f.path, f.modification) for f in search.file] == [
        ("DC0_H0_VM0-Snapshot1.vmsn", vm.snapshot.rootSnapshotList[0].createTime),
        ("DC0_H0_VM0-Snapshot2.vmsn",
         vm.snapshot.rootSnapshotList[0].childSnapshotList[0].createTime)]
    ok(emulator, vm.RemoveAllSnapshots_Task())
    assert free_space(si) == free
    assert vm.snapshot is None and vm.layoutEx.snapshot == []
    assert disk_of(vm).backing.fileName == base and disk_of(vm).backing.parent is None
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        second.config


# -- faults and privileges ---------------------------------------------------------------------

def test_create_snapshot_faults(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    fault = task_fault(emulator, vm.CreateSnapshot_Task(name="", memory=False, quiesce=False))
    assert isinstance(fault, vim.fault.InvalidName)
    assert vm.snapshot is None
    busy = vm.PowerOffVM_Task()
    with pytest.raises(vim.fault.TaskInProgress) as raised:
        vm.CreateSnapshot_Task(name="busy", memory=False, quiesce=False)
    assert raised.value.task == busy
    emulator.advance(1)
    template = create(emulator, si, config_spec(si, "golden"))
    template.MarkAsTemplate()
    fault = task_fault(emulator, template.CreateSnapshot_Task(name="t", memory=False,
                                                              quiesce=False))
    assert type(fault) is vim.fault.InvalidState
    with pytest.raises(vim.fault.NotFound):
        vm.RevertToCurrentSnapshot_Task()


def test_a_branch_takes_32_levels(emulator, si):
    vm = create(emulator, si, config_spec(si, "deep", disk_gb=1))
    for level in range(32):
        snap(emulator, vm, "level %d" % level)
    fault = task_fault(emulator, vm.CreateSnapshot_Task(name="one too many", memory=False,
                                                        quiesce=False))
    assert isinstance(fault, vim.fault.TooManySnapshotLevels)
    assert isinstance(fault, vim.fault.SnapshotFault)
    assert len(tree(vm)) == 32
    # a revert to the root starts a new branch, which may grow again
    ok(emulator, vm.rootSnapshot[0].RevertToSnapshot_Task())
    snap(emulator, vm, "a new branch")
    assert tree(vm)["level 0"][1] == ["level 1", "a new branch"]


def test_snapshot_methods_need_their_privileges(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    first = snap(emulator, vm, "first")
    ro = emulator.connect(user="readonly", pwd="readonly")
    theirs_vm = vim.VirtualMachine(vm._moId, ro._stub)
    theirs = vim.vm.Snapshot(first._moId, ro._stub)
    for call, privilege in (
            (lambda: theirs_vm.CreateSnapshot_Task(name="x", memory=False, quiesce=False),
             "VirtualMachine.State.CreateSnapshot"),
            (lambda: theirs.RemoveSnapshot_Task(removeChildren=False),
             "VirtualMachine.State.RemoveSnapshot"),
            (lambda: theirs_vm.RemoveAllSnapshots_Task(), "VirtualMachine.State.RemoveSnapshot"),
            (lambda: theirs.RevertToSnapshot_Task(), "VirtualMachine.State.RevertToSnapshot"),
            (lambda: theirs_vm.RevertToCurrentSnapshot_Task(),
             "VirtualMachine.State.RevertToSnapshot"),
            (lambda: theirs.RenameSnapshot(name="y"), "VirtualMachine.State.RenameSnapshot")):
        with pytest.raises(vim.fault.NoPermission) as raised:
            call()
        assert raised.value.privilegeId == privilege
        assert raised.value.object._moId == vm._moId
    assert theirs.vm._moId == vm._moId  # System.Read on the VM reads its snapshots
    assert [n.name for n in vm.snapshot.rootSnapshotList] == ["first"]


# -- revert ------------------------------------------------------------------------------------

def test_revert_restores_hardware_power_and_guest(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    emulator.advance(5)
    host_name, address = vm.guest.hostName, vm.guest.ipAddress
    cpus, memory = vm.config.hardware.numCPU, vm.config.hardware.memoryMB
    plain = snap(emulator, vm, "before customization")
    ok(emulator, customize(si, vm, host_name="custom01"))
    emulator.advance(6)
    assert vm.guest.hostName == "custom01"
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    with_memory = snap(emulator, vm, "customized", memory=True)
    nics = len(vm.network)
    ok(emulator, vm.PowerOffVM_Task())
    assert reconfigure(emulator, vm, numCPUs=cpus * 2, memoryMB=memory * 2,
                deviceChange=[D.VirtualDeviceSpec(operation="add", device=D.VirtualCdrom(
                    key=-1, controllerKey=201, backing=D.VirtualCdrom.IsoBackingInfo(
                        fileName="[LocalDS_0] iso/tools.iso"))),
                    nic_spec(named(si, vim.Network, "VM Network"))]).state == "success"
    assert len([d for d in vm.config.hardware.device
                if isinstance(d, D.VirtualEthernetCard)]) == nics + 1
    assert vm.config.hardware.numCPU == cpus * 2

    info = ok(emulator, plain.RevertToSnapshot_Task())
    assert info.descriptionId == "vm.Snapshot.revert" and info.entity == vm
    assert vm.runtime.powerState == "poweredOff"  # a disk-only snapshot
    assert vm.snapshot.currentSnapshot == plain
    assert (vm.config.hardware.numCPU, vm.config.hardware.memoryMB) == (cpus, memory)
    assert len([d for d in vm.config.hardware.device if isinstance(d, D.VirtualCdrom)]) == 1
    assert len([d for d in vm.config.hardware.device
                if isinstance(d, D.VirtualEthernetCard)]) == nics
    ok(emulator, vm.PowerOnVM_Task())
    emulator.advance(5)
    assert vm.guest.hostName == host_name and vm.guest.ipAddress == address
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_IDLE"

    ok(emulator, with_memory.RevertToSnapshot_Task())
    # a memory snapshot: running at once, its guest as it was, Tools included
    assert vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    assert vm.guest.hostName == "custom01"
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert (vm.config.hardware.numCPU, vm.config.hardware.memoryMB) == (cpus, memory)

    ok(emulator, with_memory.RevertToSnapshot_Task(suppressPowerOn=True))
    assert vm.runtime.powerState == "suspended"
    ok(emulator, vm.RevertToCurrentSnapshot_Task())
    assert vm.runtime.powerState == "poweredOn"
    ok(emulator, plain.RevertToSnapshot_Task())  # a running VM to a disk-only snapshot
    assert vm.runtime.powerState == "poweredOff" and vm.snapshot.currentSnapshot == plain
    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        eventTypeId=["TaskEvent"], entity=vim.event.EventFilterSpec.ByEntity(
            entity=vm, recursion="self")))
    assert {"VirtualMachine.createSnapshot", "vm.Snapshot.revert",
            "VirtualMachine.revertToCurrentSnapshot"} <= {e.info.descriptionId for e in events}


def test_revert_restores_the_guest_files(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    emulator.advance(5)
    files = si.content.guestOperationsManager.fileManager
    auth = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
    files.MakeDirectoryInGuest(vm=vm, auth=auth, directoryPath="/srv/before",
                               createParentDirectories=True)
    plain = snap(emulator, vm, "files")
    files.MakeDirectoryInGuest(vm=vm, auth=auth, directoryPath="/srv/after",
                               createParentDirectories=True)
    ok(emulator, plain.RevertToSnapshot_Task())
    ok(emulator, vm.PowerOnVM_Task())
    emulator.advance(5)
    listed = files.ListFilesInGuest(vm=vm, auth=auth, filePath="/srv")
    assert sorted(f.path for f in listed.files if f.path not in (".", "..")) == ["before"]


def test_a_revert_starts_a_branch_and_reuses_a_free_delta(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    first = snap(emulator, vm, "first")
    second = snap(emulator, vm, "second")
    ok(emulator, first.RevertToSnapshot_Task())
    third = snap(emulator, vm, "third")
    assert tree(vm)["first"] == (first, ["second", "third"])
    assert vm.snapshot.currentSnapshot == third
    # the delta written after "second" went with the revert; its name was free again
    assert files_of(vm, "diskDescriptor")[-3:-1] == [
        "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0-000002.vmdk",
        "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0-000003.vmdk"]
    assert second.childSnapshot == []


def test_revert_faults(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    first = snap(emulator, vm, "first", memory=True)
    other = named(si, vim.HostSystem, "DC0_C0_H0")
    with pytest.raises(vmodl.fault.InvalidArgument) as raised:
        first.RevertToSnapshot_Task(host=other)
    assert raised.value.invalidProperty == "host"
    vm.PowerOffVM_Task()
    with pytest.raises(vim.fault.TaskInProgress):
        first.RevertToSnapshot_Task()
    emulator.advance(1)
    vm.MarkAsTemplate()
    assert isinstance(task_fault(emulator, first.RevertToSnapshot_Task()), vim.fault.InvalidState)


def test_a_disk_with_a_snapshot_does_not_grow(emulator, si):
    vm = create(emulator, si, config_spec(si, "grows"))
    disk = disk_of(vm)
    snap(emulator, vm, "first")
    disk.capacityInKB *= 2
    fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=disk)])))
    assert isinstance(fault, vim.fault.InvalidDeviceOperation)
    assert (fault.deviceIndex, fault.badOp) == (0, "edit")
    ok(emulator, vm.RemoveAllSnapshots_Task())
    assert reconfigure(emulator, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=disk)]).state == "success"
    assert disk_of(vm).capacityInKB == disk.capacityInKB


def test_clone_from_a_snapshot(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    cpus = vm.config.hardware.numCPU
    first = snap(emulator, vm, "first")
    ok(emulator, vm.PowerOffVM_Task())
    assert reconfigure(emulator, vm, numCPUs=cpus + 1).state == "success"
    folder = vm.parent
    location = vim.vm.RelocateSpec(pool=vm.resourcePool)
    info = ok(emulator, vm.CloneVM_Task(folder=folder, name="as-first", spec=vim.vm.CloneSpec(
        location=location, snapshot=first)))
    clone = info.result
    assert clone.config.hardware.numCPU == cpus and clone.snapshot is None
    assert disk_of(clone).backing.fileName == "[LocalDS_0] as-first/as-first.vmdk"
    assert disk_of(clone).backing.parent is None
    other = snap(emulator, find_vm(si, "DC0_H0_VM1"), "other")
    with pytest.raises(vmodl.fault.InvalidArgument) as raised:
        vm.CloneVM_Task(folder=folder, name="wrong", spec=vim.vm.CloneSpec(
            location=location, snapshot=other))
    assert raised.value.invalidProperty == "spec.snapshot"


# -- removal and renaming ----------------------------------------------------------------------

def test_remove_a_snapshot_keeps_its_children(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    free = free_space(si)
    one, two, three = (snap(emulator, vm, n) for n in ("one", "two", "three"))
    info = ok(emulator, two.RemoveSnapshot_Task(removeChildren=False))
    assert info.descriptionId == "vm.Snapshot.remove" and info.entity == vm
    assert tree(vm) == {"one": (one, ["three"]), "three": (three, [])}
    assert one.childSnapshot == [three]
    with pytest.raises(vmodl.fault.ManagedObjectNotFound) as raised:
        two.childSnapshot
    assert raised.value.obj._moId == two._moId
    # the delta "two" froze merged into "one"'s: two deltas left, the VM on the newest
    assert len(files_of(vm, "diskDescriptor")) == 3
    assert disk_of(vm).backing.parent.parent.parent is None
    ok(emulator, three.RemoveSnapshot_Task(removeChildren=False))
    assert vm.snapshot.currentSnapshot == one and len(files_of(vm, "diskDescriptor")) == 2
    ok(emulator, one.RemoveSnapshot_Task(removeChildren=False))
    assert vm.snapshot is None and free_space(si) == free
    assert not vm.runtime.consolidationNeeded


def test_remove_a_subtree_and_without_consolidation(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    free = free_space(si)
    one = snap(emulator, vm, "one")
    snap(emulator, vm, "two")
    snap(emulator, vm, "three")
    ok(emulator, one.RemoveSnapshot_Task(removeChildren=True))
    assert vm.snapshot is None and vm.rootSnapshot == [] and free_space(si) == free
    one = snap(emulator, vm, "one")
    two = snap(emulator, vm, "two")
    ok(emulator, two.RemoveSnapshot_Task(removeChildren=False, consolidate=False))
    # the VM still writes to the delta after "two": a consolidation is needed
    assert vm.runtime.consolidationNeeded
    assert len(files_of(vm, "diskDescriptor")) == 3
    needing = free_space(si)
    info = ok(emulator, vm.ConsolidateVMDisks_Task())
    assert info.descriptionId == "VirtualMachine.consolidateDisks"
    assert not vm.runtime.consolidationNeeded and len(files_of(vm, "diskDescriptor")) == 2
    assert free_space(si) > needing
    ok(emulator, vm.RemoveAllSnapshots_Task(consolidate=True))
    assert vm.snapshot is None and free_space(si) == free
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        one.RemoveSnapshot_Task(removeChildren=False)
    assert ok(emulator, vm.RemoveAllSnapshots_Task()).state == "success"  # none: nothing


def test_rename_snapshot(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    first = snap(emulator, vm, "first", description="old")
    first.RenameSnapshot(name="renamed")
    node, = vm.snapshot.rootSnapshotList
    assert (node.name, node.description) == ("renamed", "old")
    first.RenameSnapshot(description="new")
    assert vm.snapshot.rootSnapshotList[0].description == "new"
    assert vm.snapshot.rootSnapshotList[0].name == "renamed"
    with pytest.raises(vim.fault.InvalidName):
        first.RenameSnapshot(name="")
    vm.PowerOffVM_Task()
    with pytest.raises(vim.fault.TaskInProgress):
        first.RenameSnapshot(name="busy")
    emulator.advance(1)
    assert vm.snapshot.rootSnapshotList[0].name == "renamed"


# -- filters, destruction, --state -------------------------------------------------------------

def test_a_property_filter_watches_the_tree(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    pc = si.content.propertyCollector
    pfilter = pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=vm)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(
            type=vim.VirtualMachine, pathSet=["snapshot", "rootSnapshot"])]), True)
    options = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0)
    first = pc.WaitForUpdatesEx("", options)
    change = {c.name: c for c in first.filterSet[0].objectSet[0].changeSet}
    assert change["rootSnapshot"].val == []

    def changes(version):
        result = pc.WaitForUpdatesEx(version, options)
        return result.version, {c.name: c for f in result.filterSet for u in f.objectSet
                                for c in u.changeSet}
    one = snap(emulator, vm, "one")
    version, seen = changes(first.version)
    assert seen["snapshot"].val.currentSnapshot == one
    assert list(seen["rootSnapshot"].val) == [one]
    one.RenameSnapshot(name="uno")
    version, seen = changes(version)
    assert seen["snapshot"].val.rootSnapshotList[0].name == "uno"
    watched = pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=one)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(
            type=vim.vm.Snapshot, pathSet=["childSnapshot"])]), True)
    version, seen = changes(version)
    assert list(seen["childSnapshot"].val) == []  # the new filter's enter
    two = snap(emulator, vm, "two")
    version, seen = changes(version)
    assert list(seen["childSnapshot"].val) == [two]
    assert seen["snapshot"].val.currentSnapshot == two
    ok(emulator, one.RemoveSnapshot_Task(removeChildren=True))
    result = pc.WaitForUpdatesEx(version, options)
    kinds = {(f.filter, u.obj._moId): u.kind for f in result.filterSet for u in f.objectSet}
    assert kinds[(watched, one._moId)] == "leave"
    seen = {c.name: c for f in result.filterSet for u in f.objectSet for c in u.changeSet}
    assert seen["snapshot"].val is None and list(seen["rootSnapshot"].val) == []
    watched.DestroyPropertyFilter()
    pfilter.DestroyPropertyFilter()


def test_destroy_and_unregister_drop_the_snapshots(emulator, si):
    free = free_space(si)
    vm = create(emulator, si, config_spec(si, "short-lived"))
    one = snap(emulator, vm, "one")
    ok(emulator, vm.Destroy_Task())
    assert free_space(si) == free  # its snapshot files went with it
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        one.config
    kept = create(emulator, si, config_spec(si, "unregistered"))
    two = snap(emulator, kept, "two")
    kept.UnregisterVM()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        two.RevertToSnapshot_Task()


def test_the_state_keeps_the_tree(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    cpus = vm.config.hardware.numCPU
    one = snap(first, vm, "one", memory=True)
    two = snap(first, vm, "two", description="second")
    ok(first, vm.PowerOffVM_Task())
    assert reconfigure(first, vm, numCPUs=cpus + 1).state == "success"
    free = free_space(si)
    layout = [(f.name, f.size) for f in vm.layoutEx.file]

    second = restored(make_emulator, first)
    si = second.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    assert tree(vm) == {"one": (vim.vm.Snapshot(one._moId, si._stub), ["two"]),
                        "two": (vim.vm.Snapshot(two._moId, si._stub), [])}
    assert vm.snapshot.currentSnapshot._moId == two._moId
    assert vm.snapshot.rootSnapshotList[0].childSnapshotList[0].description == "second"
    assert [(f.name, f.size) for f in vm.layoutEx.file] == layout
    assert free_space(si) == free
    restored_one = vim.vm.Snapshot(one._moId, si._stub)
    assert restored_one.vm == vm and restored_one.config.hardware.numCPU == cpus
    ok(second, restored_one.RevertToSnapshot_Task())
    assert vm.config.hardware.numCPU == cpus and vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"


def test_a_state_file_keeps_the_chains_a_removal_merged(tmp_path):
    """--state writes again only what was touched: a removal's merge changes the chains of the
    snapshots below it, which the file must then hold."""
    state = tmp_path / "state.json"
    served = Served(state)
    try:
        vm = find_vm(served.si, "DC0_H0_VM0")
        for name in ("one", "two", "three"):
            vm.CreateSnapshot_Task(name=name, memory=False, quiesce=False)
            served.advance(1)
        wait_for(lambda: state.exists() and '"three"' in state.read_text(),
                 "the snapshots in the state file")
        tree(vm)["one"][0].RemoveSnapshot_Task(removeChildren=False)  # "three" is not its child
        served.advance(1)
        files = [(f.name, f.size) for f in vm.layoutEx.file]
        chains = [[u.fileKey for u in d.chain] for s in vm.layoutEx.snapshot for d in s.disk]
        assert len(files) == len(set(files)) and len(chains) == 2
    finally:
        status, errors = served.stop()
    assert status == 0, errors
    served = Served(state)
    try:
        vm = find_vm(served.si, "DC0_H0_VM0")
        assert sorted(tree(vm)) == ["three", "two"]
        assert [(f.name, f.size) for f in vm.layoutEx.file] == files
        assert [[u.fileKey for u in d.chain] for s in vm.layoutEx.snapshot
                for d in s.disk] == chains
    finally:
        status, errors = served.stop()
    assert status == 0 and "Traceback" not in errors, errors
