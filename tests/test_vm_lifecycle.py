"""The VM lifecycle through pyVmomi: Folder.CreateVM_Task, ReconfigVM_Task, Rename_Task,
CreateFolder, MoveIntoFolder_Task, MarkAsTemplate / MarkAsVirtualMachine, Destroy_Task and
UnregisterVM, each with its faults and events, datastore space following the disks, and a
property filter watching the changes; on the virtual clock."""
import pytest
import requests
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_durability import restored
from test_performance import find as named

D = vim.vm.device
GB_KB = 1024 * 1024


def datacenter(si):
    return si.content.rootFolder.childEntity[0]


def standalone_pool(si):
    return named(si, vim.ComputeResource, "DC0_H0").resourcePool


def done(emulator, task, seconds=2):
    emulator.advance(seconds)
    assert task.info.state in ("success", "error"), task.info.state
    return task.info


def task_fault(emulator, task):
    """The fault a task ended with (pyVmomi gives info.error as the fault itself)."""
    info = done(emulator, task)
    assert info.state == "error"
    assert info.error.msg  # the localizedMessage
    return info.error


def disk_spec(controller_key, size_kb, key=-2, thin=True, file_name="", datastore=None):
    return D.VirtualDeviceSpec(
        operation="add", fileOperation="create",
        device=D.VirtualDisk(key=key, controllerKey=controller_key, unitNumber=None,
                             capacityInKB=size_kb,
                             backing=D.VirtualDisk.FlatVer2BackingInfo(
                                 diskMode="persistent", thinProvisioned=thin,
                                 fileName=file_name, datastore=datastore)))


def nic_spec(network, key=-3, kind=D.VirtualVmxnet3):
    return D.VirtualDeviceSpec(operation="add", device=kind(
        key=key, backing=D.VirtualEthernetCard.NetworkBackingInfo(
            network=network, deviceName=network.name)))


def config_spec(si, name="web01", disk_gb=10, thin=True, extra=()):
    network = named(si, vim.Network, "VM Network")
    return vim.vm.ConfigSpec(
        name=name, guestId="ubuntu64Guest", numCPUs=2, memoryMB=2048,
        files=vim.vm.FileInfo(vmPathName="[LocalDS_0]"),
        deviceChange=[
            D.VirtualDeviceSpec(operation="add", device=D.ParaVirtualSCSIController(
                key=-1, busNumber=0, sharedBus="noSharing")),
            disk_spec(-1, disk_gb * GB_KB, thin=thin),
            nic_spec(network),
            D.VirtualDeviceSpec(operation="add", device=D.VirtualIDEController(
                key=-4, busNumber=0)),
            D.VirtualDeviceSpec(operation="add", device=D.VirtualCdrom(
                key=-5, controllerKey=-4, backing=D.VirtualCdrom.IsoBackingInfo(
                    fileName="[LocalDS_0] iso/ubuntu.iso"),
                connectable=D.VirtualDevice.ConnectInfo(startConnected=True))),
        ] + list(extra))


def create(emulator, si, spec=None, folder=None, pool=None, host=None):
    folder = folder or datacenter(si).vmFolder
    task = folder.CreateVM_Task(config=spec or config_spec(si), pool=pool or standalone_pool(si),
                                host=host)
    info = done(emulator, task)
    assert info.state == "success", info.error
    return info.result


def events_of(si, *types):
    return si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(eventTypeId=list(types)))


def devices_of(vm, kind):
    return [d for d in vm.config.hardware.device if isinstance(d, kind)]


# -- CreateVM_Task -------------------------------------------------------------------------

def test_create_vm_from_a_config_spec(emulator, si):
    datastore = named(si, vim.Datastore, "LocalDS_0")
    free = datastore.summary.freeSpace
    uncommitted = datastore.summary.uncommitted
    host = named(si, vim.HostSystem, "DC0_H0")
    vm = create(emulator, si, host=host)
    assert vm.name == "web01" and vm.runtime.powerState == "poweredOff"
    assert vm.runtime.host == host and vm.resourcePool == standalone_pool(si)
    config = vm.config
    assert config.guestId == "ubuntu64Guest"
    assert config.guestFullName == "Ubuntu Linux (64-bit)"
    assert config.hardware.numCPU == 2 and config.hardware.memoryMB == 2048
    assert config.files.vmPathName == "[LocalDS_0] web01/web01.vmx"
    scsi, = devices_of(vm, D.ParaVirtualSCSIController)
    disk, = devices_of(vm, D.VirtualDisk)
    nic, = devices_of(vm, D.VirtualEthernetCard)
    cdrom, = devices_of(vm, D.VirtualCdrom)
    assert scsi.key == 1000 and scsi.device == [disk.key]
    assert disk.key == 2000 and disk.controllerKey == 1000 and disk.unitNumber == 0
    assert disk.capacityInKB == 10 * GB_KB
    assert disk.backing.fileName == "[LocalDS_0] web01/web01.vmdk"
    assert disk.backing.datastore == datastore and disk.backing.thinProvisioned
    assert isinstance(nic, D.VirtualVmxnet3) and nic.backing.network.name == "VM Network"
    assert cdrom.backing.fileName == "[LocalDS_0] iso/ubuntu.iso" and cdrom.controllerKey == 200
    assert vm.summary.config.numVirtualDisks == 1 and vm.summary.config.numEthernetCards == 1
    assert vm.guest.toolsStatus == "toolsNotInstalled"
    assert vm in host.vm and vm in datastore.vm
    assert find_vm(si, "web01") == vm
    assert si.content.searchIndex.FindByInventoryPath("DC0/vm/web01") == vm
    # a thin disk takes no space yet; it may grow by its capacity
    assert datastore.summary.uncommitted == uncommitted + 10 * GB_KB * 1024
    assert 0 < free - datastore.summary.freeSpace < 1024 * 1024
    being, = events_of(si, "VmBeingCreatedEvent")
    created, = events_of(si, "VmCreatedEvent")
    assert being.configSpec.name == "web01" and created.vm.vm == vm
    assert created.host.host == host and created.chainId == being.chainId


def test_a_thick_disk_takes_its_capacity_from_the_datastore(emulator, si):
    datastore = named(si, vim.Datastore, "LocalDS_0")
    free = datastore.summary.freeSpace
    create(emulator, si, config_spec(si, "thick01", disk_gb=20, thin=False))
    assert free - datastore.summary.freeSpace >= 20 * GB_KB * 1024


def test_create_vm_in_a_cluster_places_it_on_a_host(emulator, si):
    cluster = named(si, vim.ClusterComputeResource, "DC0_C0")
    vm = create(emulator, si, config_spec(si, "in-cluster"), pool=cluster.resourcePool)
    assert vm.runtime.host in cluster.host and vm.resourcePool == cluster.resourcePool


def test_create_vm_faults(emulator, si):
    folder, pool = datacenter(si).vmFolder, standalone_pool(si)

    def fault_of(spec, **kw):
        return task_fault(emulator, folder.CreateVM_Task(config=spec, pool=pool, **kw))

    fault = fault_of(config_spec(si, "DC0_H0_VM0"))
    assert isinstance(fault, vim.fault.DuplicateName) and fault.name == "DC0_H0_VM0"
    assert fault.object == find_vm(si, "DC0_H0_VM0")
    fault = fault_of(config_spec(si, "x" * 81))
    assert isinstance(fault, vim.fault.InvalidName) and fault.name == "x" * 81
    spec = config_spec(si, "nowhere")
    spec.files.vmPathName = "[NoSuchDS]"
    fault = fault_of(spec)
    assert isinstance(fault, vim.fault.InvalidDatastorePath)
    assert fault.datastorePath == "[NoSuchDS]"
    spec = config_spec(si, "badkey", extra=[disk_spec(1234, GB_KB, key=-9)])
    fault = fault_of(spec)
    assert isinstance(fault, vim.fault.InvalidController) and fault.controllerKey == 1234
    spec = config_spec(si, "nosize", extra=[disk_spec(-1, 0, key=-9)])
    fault = fault_of(spec)
    assert isinstance(fault, vim.fault.InvalidDeviceSpec) and fault.deviceIndex == 5
    spec = config_spec(si, "twice", extra=[disk_spec(
        -1, GB_KB, key=-9, file_name="[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmdk")])
    fault = fault_of(spec)
    assert isinstance(fault, vim.fault.FileAlreadyExists)
    assert fault.file == "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmdk"
    spec = config_spec(si, "explicit")
    spec.files.vmPathName = "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmx"
    assert isinstance(fault_of(spec), vim.fault.FileAlreadyExists)
    other_host = named(si, vim.HostSystem, "DC0_C0_H0")
    with pytest.raises(vmodl.fault.InvalidArgument) as raised:
        folder.CreateVM_Task(config=config_spec(si, "elsewhere"), pool=pool, host=other_host)
    assert raised.value.invalidProperty == "host"
    with pytest.raises(vmodl.fault.NotSupported):
        datacenter(si).hostFolder.CreateVM_Task(config=config_spec(si, "h"), pool=pool)
    # nothing of the failed attempts is left
    assert [e.vm.name for e in events_of(si, "VmCreatedEvent")] == []
    with pytest.raises(LookupError):
        find_vm(si, "nosize")


def test_a_second_vm_of_a_name_on_the_datastore_gets_its_own_folder(emulator, si):
    create(emulator, si, config_spec(si, "same"))
    other = create(emulator, si, config_spec(si, "same"),
                   folder=datacenter(si).vmFolder.CreateFolder("elsewhere"))
    assert other.config.files.vmPathName == "[LocalDS_0] same_1/same.vmx"


# -- ReconfigVM_Task -----------------------------------------------------------------------

def reconfigure(emulator, vm, **fields):
    return done(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(**fields)))


def test_reconfigure_cpu_memory_annotation_and_extra_config(emulator, si):
    vm = create(emulator, si)
    version = vm.config.changeVersion
    emulator.advance(5)
    info = reconfigure(emulator, vm, numCPUs=4, memoryMB=4096, annotation="web tier",
                       extraConfig=[vim.option.OptionValue(key="guestinfo.role", value="web")])
    assert info.state == "success"
    config = vm.config
    assert config.hardware.numCPU == 4 and config.hardware.memoryMB == 4096
    assert config.annotation == vm.summary.config.annotation == "web tier"
    assert {o.key: o.value for o in config.extraConfig}["guestinfo.role"] == "web"
    assert config.changeVersion != version and config.modified > config.createDate
    event = events_of(si, "VmReconfiguredEvent")[0]
    assert event.vm.vm == vm and event.configSpec.numCPUs == 4
    assert event.configSpec.annotation == "web tier"
    reconfigure(emulator, vm, extraConfig=[vim.option.OptionValue(key="guestinfo.role",
                                                                  value="")])
    assert "guestinfo.role" not in {o.key for o in vm.config.extraConfig}
    # a spec naming an older changeVersion is refused
    stale = vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(changeVersion=version, numCPUs=1))
    assert isinstance(task_fault(emulator, stale), vim.fault.ConcurrentAccess)


def test_cores_per_socket_divide_the_cpus(emulator, si):
    """numCoresPerSocket is kept and answered (config, REST); a CPU count that is not a
    multiple of it is InvalidArgument, whichever of the two changes, and nothing changes."""
    vm = create(emulator, si)
    assert vm.config.hardware.numCoresPerSocket == 1
    assert reconfigure(emulator, vm, numCPUs=4, numCoresPerSocket=2).state == "success"
    assert (vm.config.hardware.numCPU, vm.config.hardware.numCoresPerSocket) == (4, 2)
    for spec, field in ((dict(numCPUs=4, numCoresPerSocket=3), "numCoresPerSocket"),
                        (dict(numCoresPerSocket=0), "numCoresPerSocket"),
                        (dict(numCPUs=3), "numCPUs")):  # 3 CPUs in sockets of 2
        fault = None
        try:
            fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(**spec)))
        except vmodl.fault.InvalidArgument as raised:
            fault = raised
        assert isinstance(fault, vmodl.fault.InvalidArgument) and \
            fault.invalidProperty == "spec." + field, (spec, fault)
    assert (vm.config.hardware.numCPU, vm.config.hardware.numCoresPerSocket) == (4, 2)
    rest = requests.post(emulator.base + "/api/session", auth=("user", "pass"), timeout=10)
    cpu = requests.get(emulator.base + "/api/vcenter/vm/%s/hardware/cpu" % vm._moId,
                       headers={"vmware-api-session-id": rest.json()}, timeout=10).json()
    assert (cpu["count"], cpu["cores_per_socket"]) == (4, 2)
    done(emulator, vm.PowerOnVM_Task())  # other cores per socket need the VM off
    assert isinstance(task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(
        numCoresPerSocket=4))), vim.fault.InvalidPowerState)
    assert reconfigure(emulator, vm, numCoresPerSocket=2).state == "success"  # the same
    assert vm.config.hardware.numCoresPerSocket == 2


def test_hot_add_rules_on_a_powered_on_vm(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")  # powered on, hot add off
    fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(numCPUs=2)))
    assert isinstance(fault, vim.fault.InvalidPowerState)
    assert fault.existingState == "poweredOn" and fault.requestedState == "poweredOff"
    assert isinstance(task_fault(emulator, vm.ReconfigVM_Task(
        spec=vim.vm.ConfigSpec(memoryHotAddEnabled=True))), vim.fault.InvalidPowerState)
    # turned on while powered off, hot add lets CPUs and memory grow (never shrink)
    new = create(emulator, si, config_spec(si, "hot"))
    assert reconfigure(emulator, new, cpuHotAddEnabled=True, memoryHotAddEnabled=True).state \
        == "success"
    done(emulator, new.PowerOnVM_Task())
    assert reconfigure(emulator, new, numCPUs=4, memoryMB=4096).state == "success"
    assert new.config.hardware.numCPU == 4 and new.config.cpuHotAddEnabled
    assert isinstance(task_fault(emulator, new.ReconfigVM_Task(
        spec=vim.vm.ConfigSpec(memoryMB=1024))), vim.fault.InvalidPowerState)
    assert new.config.hardware.memoryMB == 4096


def test_reconfigure_sets_the_uuids_and_refuses_what_is_not_one(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    before = vm.config.uuid
    for field in ("uuid", "instanceUuid"):
        for bad in ("not-a-uuid", "12345678abcd1234cdef123456789abc",
                    "{12345678-abcd-1234-cdef-123456789abc}"):
            fault = task_fault(emulator, vm.ReconfigVM_Task(vim.vm.ConfigSpec(**{field: bad})))
            assert isinstance(fault, vmodl.fault.InvalidArgument)
            assert fault.invalidProperty == "spec." + field
    assert vm.config.uuid == before
    new = "4211ABCD-0000-1111-2222-333344445555"
    assert done(emulator, vm.ReconfigVM_Task(vim.vm.ConfigSpec(
        uuid=new, instanceUuid="5011abcd-0000-1111-2222-333344445555"))).state == "success"
    assert vm.config.uuid == new.lower() == vm.summary.config.uuid
    assert vm.config.instanceUuid == "5011abcd-0000-1111-2222-333344445555"
    assert si.content.searchIndex.FindByUuid(None, new.lower(), True) == vm
    made = create(emulator, si, config_spec(si, name="given-uuid"))
    assert made.config.uuid != new.lower()
    spec = config_spec(si, name="given-uuid-2")
    spec.uuid = "00000000-1111-2222-3333-444444444444"
    assert create(emulator, si, spec).config.uuid == spec.uuid
    spec = config_spec(si, name="bad-uuid")
    spec.uuid = "bad"
    task = datacenter(si).vmFolder.CreateVM_Task(config=spec, pool=standalone_pool(si))
    assert task_fault(emulator, task).invalidProperty == "config.uuid"


def test_reconfigure_keeps_what_vcenter_keeps_and_checks_it(make_emulator):
    """Firmware, boot options, nested virtualization, reservations, limits and shares, Tools
    and flag settings, ...: each was dropped while the task succeeded (Ansible's vmware_guest
    and govc's vm.change then never converged)."""
    first = make_emulator(clock="virtual")
    si = first.connect()
    vm = create(first, si)  # powered off
    B = vim.vm.BootOptions
    info = reconfigure(
        first, vm, firmware="efi", nestedHVEnabled=True, vPMCEnabled=True, maxMksConnections=4,
        swapPlacement="hostLocal", changeTrackingEnabled=True,
        bootOptions=B(bootDelay=3000, efiSecureBootEnabled=True, bootOrder=[
            B.BootableCdromDevice(), B.BootableDiskDevice(deviceKey=2000)]),
        cpuAllocation=vim.ResourceAllocationInfo(
            reservation=100, limit=4000, shares=vim.SharesInfo(level="high", shares=0)),
        memoryAllocation=vim.ResourceAllocationInfo(
            reservation=512, limit=4096, shares=vim.SharesInfo(level="custom", shares=777)),
        flags=vim.vm.FlagInfo(enableLogging=False), tools=vim.vm.ToolsConfigInfo(
            syncTimeWithHost=True), latencySensitivity=vim.LatencySensitivity(level="high"))
    assert info.state == "success", info.error

    def kept(vm):
        config = vm.config
        assert (config.firmware, config.nestedHVEnabled, config.vPMCEnabled,
                config.maxMksConnections, config.swapPlacement, config.changeTrackingEnabled) \
            == ("efi", True, True, 4, "hostLocal", True)
        boot = config.bootOptions
        assert (boot.bootDelay, boot.efiSecureBootEnabled, boot.bootRetryDelay) == \
            (3000, True, 10000)  # what was not set keeps vCenter's value
        assert [type(d) for d in boot.bootOrder] == [B.BootableCdromDevice,
                                                    B.BootableDiskDevice]
        assert boot.bootOrder[1].deviceKey == 2000
        cpu, memory = config.cpuAllocation, config.memoryAllocation
        assert (cpu.reservation, cpu.limit, cpu.shares.level, cpu.shares.shares) == \
            (100, 4000, "high", 2000 * config.hardware.numCPU)
        assert (memory.reservation, memory.limit, memory.shares.level, memory.shares.shares) \
            == (512, 4096, "custom", 777)
        assert vm.resourceConfig.cpuAllocation.reservation == 100
        assert (vm.summary.config.cpuReservation, vm.summary.config.memoryReservation) == \
            (100, 512)
        assert not config.flags.enableLogging and config.flags.monitorType == "release"
        assert config.tools.syncTimeWithHost and config.tools.toolsUpgradePolicy == "manual"
        assert config.latencySensitivity.level == "high"
    kept(vm)
    for field, value, prop in (
            ("firmware", "uefi", "spec.firmware"),
            ("swapPlacement", "elsewhere", "spec.swapPlacement"),
            ("cpuAllocation", vim.ResourceAllocationInfo(reservation=-1),
             "spec.cpuAllocation.reservation"),
            ("memoryAllocation", vim.ResourceAllocationInfo(limit=100),  # below 512
             "spec.memoryAllocation.limit"),
            ("bootOptions", B(bootDelay=-5), "spec.bootOptions.bootDelay"),
            ("flags", vim.vm.FlagInfo(monitorType="bogus"), "spec.flags.monitorType"),
            ("tools", vim.vm.ToolsConfigInfo(toolsUpgradePolicy="bogus"),
             "spec.tools.toolsUpgradePolicy"),
            ("powerOpInfo", vim.vm.DefaultPowerOpInfo(powerOffType="bogus"),
             "spec.powerOpInfo.powerOffType"),
            ("guestId", "nosuchGuest", "configSpec.guestId")):
        fault = task_fault(first, vm.ReconfigVM_Task(vim.vm.ConfigSpec(**{field: value})))
        assert isinstance(fault, vmodl.fault.InvalidArgument) and fault.invalidProperty == prop
    kept(vm)  # a refused spec changed nothing
    kept(find_vm(restored(make_emulator, first).connect(), vm.name))  # --state keeps it
    assert done(first, vm.PowerOnVM_Task()).state == "success"
    fault = task_fault(first, vm.ReconfigVM_Task(vim.vm.ConfigSpec(firmware="bios")))
    assert isinstance(fault, vim.fault.InvalidPowerState)  # only while the VM is off
    assert reconfigure(first, vm, bootOptions=B(bootDelay=10)).state == "success"
    assert vm.config.bootOptions.bootDelay == 10 and vm.config.firmware == "efi"
    assert find_vm(si, "DC0_H0_VM0").config.latencySensitivity.level == "normal"


def test_a_disk_keeps_its_modes_and_io_allocation(emulator, si):
    vm = create(emulator, si, config_spec(si, "modes"))
    added = disk_spec(1000, GB_KB, key=-7, thin=False)
    added.device.backing.diskMode = "independent_persistent"
    added.device.backing.eagerlyScrub = True
    added.device.backing.sharing = "sharingMultiWriter"
    added.device.storageIOAllocation = vim.StorageResourceManager.IOAllocationInfo(
        limit=500, shares=vim.SharesInfo(level="high", shares=2000))
    assert reconfigure(emulator, vm, deviceChange=[added]).state == "success"
    disk = devices_of(vm, D.VirtualDisk)[1]
    assert (disk.backing.diskMode, disk.backing.eagerlyScrub, disk.backing.sharing,
            disk.backing.thinProvisioned, disk.backing.writeThrough) == (
        "independent_persistent", True, "sharingMultiWriter", False, False)
    assert (disk.storageIOAllocation.limit, disk.storageIOAllocation.shares.level,
            disk.storageIOAllocation.reservation) == (500, "high", 0)
    disk.backing.diskMode, disk.backing.writeThrough = "persistent", True
    assert reconfigure(emulator, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=disk)]).state == "success"
    disk = devices_of(vm, D.VirtualDisk)[1]
    assert (disk.backing.diskMode, disk.backing.writeThrough, disk.backing.eagerlyScrub) == (
        "persistent", True, True)
    # a disk's file in a folder the datastore does not have: vCenter makes none
    lost = disk_spec(1000, GB_KB, key=-8, file_name="[LocalDS_0] nodir/x.vmdk")
    fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[lost])))
    assert isinstance(fault, vim.fault.FileNotFound) and fault.file == "[LocalDS_0] nodir"
    # a disk's file is a .vmdk: not the VM's own .vmx, not a name without the extension
    for name in ("[LocalDS_0] modes/modes.vmx", "[LocalDS_0] x"):
        fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[
            disk_spec(1000, GB_KB, key=-8, file_name=name)])))
        assert isinstance(fault, vim.fault.InvalidDeviceBacking), name
        assert fault.property == "device.backing.fileName" and fault.deviceIndex == 0
    named_disk = disk_spec(1000, GB_KB, key=-8, file_name="[LocalDS_0] modes/data.vmdk")
    assert reconfigure(emulator, vm, deviceChange=[named_disk]).state == "success"
    disk.backing.diskMode = "sideways"
    fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=disk)])))
    assert isinstance(fault, vim.fault.InvalidDeviceSpec) and \
        fault.property == "device.backing.diskMode"
    first = devices_of(vm, D.VirtualDisk)[0]  # what no one set: vCenter's defaults
    assert (first.backing.diskMode, first.backing.sharing, first.storageIOAllocation.limit) == \
        ("persistent", "sharingNone", -1)


def test_the_hardware_version_is_made_at_create_and_changed_by_upgrade(emulator, si):
    spec = config_spec(si, name="v15")
    spec.version = "vmx-15"
    vm = create(emulator, si, spec)
    assert vm.config.version == "vmx-15" and vm.summary.config.hwVersion == "vmx-15"
    # ReconfigVM_Task ignores a version, as vCenter does (UpgradeVM_Task changes it)
    assert reconfigure(emulator, vm, version="vmx-21").state == "success"
    assert vm.config.version == "vmx-15"
    for version in ("vmx-99", "vmx-\u0662\u0661", "vmx-"):  # (Arabic-Indic digits were taken)
        spec = config_spec(si, name="v99")
        spec.version = version
        task = datacenter(si).vmFolder.CreateVM_Task(config=spec, pool=standalone_pool(si))
        assert task_fault(emulator, task).invalidProperty == "config.version", version
    assert done(emulator, vm.UpgradeVM_Task("vmx-17")).state == "success"
    assert vm.config.version == "vmx-17"
    assert done(emulator, vm.UpgradeVM_Task()).state == "success"  # the newest
    assert vm.config.version == "vmx-21"
    assert isinstance(task_fault(emulator, vm.UpgradeVM_Task()), vim.fault.AlreadyUpgraded)
    assert sorted(e.version for e in events_of(si, "VmUpgradeCompleteEvent")) == [
        "vmx-17", "vmx-21"]
    running = find_vm(si, "DC0_H0_VM0")
    assert running.config.version == "vmx-19"
    assert isinstance(task_fault(emulator, running.UpgradeVM_Task()), vim.fault.InvalidPowerState)


def test_reconfigure_devices(emulator, si):
    datastore = named(si, vim.Datastore, "LocalDS_0")
    vm = create(emulator, si, config_spec(si, "dev01", thin=False))
    disk, = devices_of(vm, D.VirtualDisk)
    free = datastore.summary.freeSpace
    disk.capacityInKB = 20 * GB_KB
    info = reconfigure(emulator, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=disk),
        disk_spec(1000, 5 * GB_KB, key=-7),
        nic_spec(named(si, vim.Network, "VM Network"), key=-8, kind=D.VirtualE1000)])
    assert info.state == "success", info.error
    disks = devices_of(vm, D.VirtualDisk)
    assert [d.capacityInKB for d in disks] == [20 * GB_KB, 5 * GB_KB]
    assert disks[1].key == 2001 and disks[1].backing.fileName == "[LocalDS_0] dev01/dev01_1.vmdk"
    assert [type(n) for n in devices_of(vm, D.VirtualEthernetCard)] == [D.VirtualVmxnet3,
                                                                        D.VirtualE1000]
    # thick: grown by 10 GB; the new thin disk is a descriptor so far
    assert 0 <= free - datastore.summary.freeSpace - 10 * GB_KB * 1024 < 4096
    # a disk only grows
    disk = devices_of(vm, D.VirtualDisk)[0]
    disk.capacityInKB = GB_KB
    fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=disk)])))
    assert isinstance(fault, vim.fault.InvalidDeviceSpec) and fault.deviceIndex == 0
    # removing a disk with its file gives the space back; the CD-ROM gets other media
    cdrom, = devices_of(vm, D.VirtualCdrom)
    cdrom.backing = D.VirtualCdrom.RemotePassthroughBackingInfo(deviceName="")
    free = datastore.summary.freeSpace
    info = reconfigure(emulator, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="remove", fileOperation="destroy",
                            device=devices_of(vm, D.VirtualDisk)[0]),
        D.VirtualDeviceSpec(operation="edit", device=cdrom),
        D.VirtualDeviceSpec(operation="remove", device=devices_of(vm, D.VirtualEthernetCard)[0])])
    assert info.state == "success", info.error
    assert [d.key for d in devices_of(vm, D.VirtualDisk)] == [2001]
    assert datastore.summary.freeSpace - free >= 20 * GB_KB * 1024
    assert isinstance(devices_of(vm, D.VirtualCdrom)[0].backing,
                      D.VirtualCdrom.RemotePassthroughBackingInfo)
    assert [type(n) for n in devices_of(vm, D.VirtualEthernetCard)] == [D.VirtualE1000]
    fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[
        D.VirtualDeviceSpec(operation="remove", device=D.VirtualDisk(key=2999))])))
    assert isinstance(fault, vim.fault.InvalidDeviceSpec)
    # a device vimsim does not emulate: vCenter's words (the message named vimsim, "a add")
    fault = task_fault(emulator, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[
        D.VirtualDeviceSpec(operation="add", device=D.VirtualSerialPort(key=-9))])))
    assert isinstance(fault, vmodl.fault.NotSupported)
    assert fault.msg == "The operation is not supported on the object."


def test_a_nic_keeps_a_manual_mac_and_gets_one_generated_back(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    nic, = devices_of(vm, D.VirtualEthernetCard)
    generated = nic.macAddress
    assert nic.addressType == "assigned"
    # from vCenter's generated range, 00:50:56:80:00:00-bf:ff:ff (00-3f is for manual MACs)
    assert generated.startswith("00:50:56:") and 0x80 <= int(generated[9:11], 16) <= 0xBF
    for bad in ("zz:zz:zz:zz:zz:zz", "00:50:56:01:02", "", None):
        nic.addressType, nic.macAddress = "manual", bad
        fault = task_fault(first, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[
            D.VirtualDeviceSpec(operation="edit", device=nic)])))
        assert isinstance(fault, vim.fault.InvalidDeviceSpec), bad
        assert fault.property == "device.macAddress" and fault.deviceIndex == 0
    assert devices_of(vm, D.VirtualEthernetCard)[0].macAddress == generated
    nic.addressType, nic.macAddress = "manual", "00:50:56:3F:00:01"
    added = nic_spec(named(si, vim.Network, "VM Network"), key=-8)
    added.device.addressType, added.device.macAddress = "manual", "00:50:56:00:aa:bb"
    info = reconfigure(first, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=nic), added])
    assert info.state == "success", info.error
    nics = devices_of(vm, D.VirtualEthernetCard)
    assert [(n.addressType, n.macAddress) for n in nics] == [
        ("manual", "00:50:56:3f:00:01"), ("manual", "00:50:56:00:aa:bb")]
    assert vm.guest.net[0].macAddress == "00:50:56:3f:00:01"  # what the guest sees too
    second = restored(make_emulator, first)  # --state keeps it
    vm = find_vm(second.connect(), "DC0_H0_VM0")
    nics = devices_of(vm, D.VirtualEthernetCard)
    assert [n.macAddress for n in nics] == ["00:50:56:3f:00:01", "00:50:56:00:aa:bb"]
    nics[0].addressType = "generated"
    info = reconfigure(second, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=nics[0])])
    assert info.state == "success", info.error
    nic = devices_of(vm, D.VirtualEthernetCard)[0]
    assert (nic.addressType, nic.macAddress) == ("assigned", generated)


def test_a_nic_keeps_its_connect_state_and_wake_on_lan(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")  # powered on
    nic, = devices_of(vm, D.VirtualEthernetCard)
    assert (nic.connectable.connected, nic.connectable.startConnected, nic.wakeOnLanEnabled) \
        == (True, True, True)
    # what vCenter gives a NIC (vmware.vmware.vm reads its share)
    assert (nic.resourceAllocation.reservation, nic.resourceAllocation.limit,
            nic.resourceAllocation.share.level, nic.resourceAllocation.share.shares) == \
        (0, -1, "normal", 50)
    nic.connectable = D.VirtualDevice.ConnectInfo(connected=False, startConnected=False,
                                                  allowGuestControl=False)
    nic.wakeOnLanEnabled = False
    assert reconfigure(emulator, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=nic)]).state == "success"
    nic, = devices_of(vm, D.VirtualEthernetCard)
    assert (nic.connectable.connected, nic.connectable.startConnected,
            nic.connectable.allowGuestControl, nic.wakeOnLanEnabled) == (False, False, False,
                                                                          False)
    assert vm.guest.net[0].connected is False
    nic.connectable.connected = True  # connected again while running
    assert reconfigure(emulator, vm, deviceChange=[
        D.VirtualDeviceSpec(operation="edit", device=nic)]).state == "success"
    assert devices_of(vm, D.VirtualEthernetCard)[0].connectable.connected
    assert done(emulator, vm.PowerOffVM_Task()).state == "success"
    nic, = devices_of(vm, D.VirtualEthernetCard)
    assert not nic.connectable.connected and nic.connectable.status == "untried"
    assert done(emulator, vm.PowerOnVM_Task()).state == "success"
    # a boot connects only the NICs that start connected
    assert not devices_of(vm, D.VirtualEthernetCard)[0].connectable.connected


# -- Rename_Task, CreateFolder, MoveIntoFolder_Task --------------------------------------

def test_rename_entities(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    assert done(emulator, vm.Rename_Task("renamed")).state == "success"
    assert vm.name == "renamed" and vm.config.files.vmPathName.endswith("DC0_H0_VM0.vmx")
    event, = events_of(si, "VmRenamedEvent")
    assert event.oldName == "DC0_H0_VM0" and event.newName == "renamed"
    fault = task_fault(emulator, vm.Rename_Task("DC0_H0_VM1"))
    assert isinstance(fault, vim.fault.DuplicateName) and fault.name == "DC0_H0_VM1"
    assert isinstance(task_fault(emulator, vm.Rename_Task("")), vim.fault.InvalidName)
    for entity in (datacenter(si), named(si, vim.Datastore, "LocalDS_0"),
                   named(si, vim.ClusterComputeResource, "DC0_C0")):
        assert done(emulator, entity.Rename_Task(entity.name + "-new")).state == "success"
        assert entity.name.endswith("-new")
    assert si.content.searchIndex.FindByInventoryPath("DC0-new/vm/renamed") == vm


def test_names_are_kept_escaped_as_vcenter_keeps_them(emulator, si):
    """ManagedEntity.name: "/" is kept as %2f, "\\" as %5c, and "%" as %25 unless it starts
    an escape, so that an inventory path's slashes are only its separators."""
    vm_folder = datacenter(si).vmFolder
    web = vm_folder.CreateFolder("web/prod")
    assert web.name == "web%2fprod"
    with pytest.raises(vim.fault.DuplicateName):  # the same name, escaped by the client
        vm_folder.CreateFolder("web%2fprod")
    assert si.content.searchIndex.FindByInventoryPath("DC0/vm/web%2fprod") == web
    assert si.content.searchIndex.FindByInventoryPath("DC0/vm/web/prod") is None
    vm = find_vm(si, "DC0_H0_VM0")
    assert done(emulator, vm.Rename_Task("100% a\\b")).state == "success"
    assert vm.name == vm.config.name == "100%25 a%5cb"
    event, = events_of(si, "VmRenamedEvent")
    assert event.newName == "100%25 a%5cb"
    assert done(emulator, vm.ReconfigVM_Task(vim.vm.ConfigSpec(name="x/y%41"))).state == \
        "success"
    assert vm.name == "x%2fy%41"
    made = create(emulator, si, config_spec(si, name="new/vm"), folder=web)
    assert made.name == "new%2fvm" and "/" not in made.config.files.vmPathName.split("] ")[1] \
        .rsplit("/", 1)[0]
    clone = done(emulator, vm.CloneVM_Task(folder=web, name="copy/1", spec=vim.vm.CloneSpec(
        location=vim.vm.RelocateSpec()))).result
    assert clone.name == "copy%2f1"
    assert si.content.searchIndex.FindByInventoryPath("DC0/vm/web%2fprod/copy%2f1") == clone


def test_folders_and_moves(emulator, si):
    vm_folder = datacenter(si).vmFolder
    web = vm_folder.CreateFolder("web")
    assert web.parent == vm_folder and web in vm_folder.childEntity
    assert web._moId.startswith("group-v") and set(web.childType) == set(vm_folder.childType)
    with pytest.raises(vim.fault.DuplicateName) as raised:
        vm_folder.CreateFolder("web")
    assert raised.value.object == web
    with pytest.raises(vim.fault.InvalidName):
        vm_folder.CreateFolder("")
    inner = web.CreateFolder("inner")
    vm = find_vm(si, "DC0_H0_VM0")
    assert done(emulator, inner.MoveIntoFolder_Task([vm])).state == "success"
    assert vm.parent == inner and vm not in vm_folder.childEntity
    assert si.content.searchIndex.FindByInventoryPath("DC0/vm/web/inner/DC0_H0_VM0") == vm
    # a VM's events name its datacenter however deep its folder (they named the folder "web")
    assert done(emulator, vm.PowerOffVM_Task()).state == "success"
    event, = events_of(si, "VmPoweredOffEvent")
    assert event.datacenter.datacenter == datacenter(si) and event.datacenter.name == "DC0"
    assert event.fullFormattedMessage.endswith(" in DC0 is powered off")
    fault = task_fault(emulator, inner.MoveIntoFolder_Task([web]))
    assert isinstance(fault, vim.fault.InvalidFolder) and fault.target == web
    host_folder = datacenter(si).hostFolder
    assert isinstance(task_fault(emulator, host_folder.MoveIntoFolder_Task([vm])),
                      vmodl.fault.NotSupported)


# -- templates -----------------------------------------------------------------------------

def test_templates(emulator, si):
    vm = create(emulator, si, config_spec(si, "golden"))
    vm.MarkAsTemplate()
    assert vm.config.template and vm.summary.config.template and vm.resourcePool is None
    with pytest.raises(vim.fault.InvalidState):
        vm.PowerOnVM_Task()
    with pytest.raises(vmodl.fault.NotSupported):
        vm.MarkAsTemplate()
    clone = done(emulator, vm.CloneVM_Task(folder=datacenter(si).vmFolder, name="from-golden",
                                          spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(
                                              pool=standalone_pool(si)))), seconds=3)
    assert clone.state == "success", clone.error
    assert not clone.result.config.template
    assert len(devices_of(clone.result, D.VirtualDisk)) == 1
    vm.MarkAsVirtualMachine(pool=standalone_pool(si))
    assert not vm.config.template and vm.resourcePool == standalone_pool(si)
    with pytest.raises(vmodl.fault.NotSupported):
        vm.MarkAsVirtualMachine(pool=standalone_pool(si))
    running = find_vm(si, "DC0_H0_VM1")
    with pytest.raises(vim.fault.InvalidPowerState):
        running.MarkAsTemplate()


# -- Destroy_Task, UnregisterVM ------------------------------------------------------------

def test_destroy_a_vm(emulator, si):
    datastore = named(si, vim.Datastore, "LocalDS_0")
    free = datastore.summary.freeSpace
    vm = create(emulator, si, config_spec(si, "short-lived", thin=False))
    moid = vm._moId
    running = find_vm(si, "DC0_H0_VM1")
    fault = task_fault(emulator, running.Destroy_Task())
    assert isinstance(fault, vim.fault.InvalidPowerState) and fault.existingState == "poweredOn"
    assert done(emulator, vm.Destroy_Task()).state == "success"
    assert datastore.summary.freeSpace == free
    with pytest.raises(vmodl.fault.ManagedObjectNotFound) as raised:
        vm.name
    assert raised.value.obj._moId == moid
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vm.PowerOnVM_Task()
    assert si.content.searchIndex.FindByInventoryPath("DC0/vm/short-lived") is None
    with pytest.raises(LookupError):
        find_vm(si, "short-lived")
    event, = events_of(si, "VmRemovedEvent")
    assert event.vm.name == "short-lived"


def test_unregister_keeps_the_files(emulator, si):
    datastore = named(si, vim.Datastore, "LocalDS_0")
    running = find_vm(si, "DC0_H0_VM1")
    with pytest.raises(vim.fault.InvalidPowerState):
        running.UnregisterVM()
    vm = create(emulator, si, config_spec(si, "kept", thin=False))
    free = datastore.summary.freeSpace
    vm.UnregisterVM()
    assert datastore.summary.freeSpace == free
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vm.name


def test_register_takes_an_unregistered_vm_back(make_emulator):
    """RegisterVM_Task: what UnregisterVM left (govc vm.register, Ansible's
    vmware_guest_register_operation), with a new moId and its own identity and hardware."""
    first = make_emulator(clock="virtual")
    si = first.connect()
    folder, pool = datacenter(si).vmFolder, standalone_pool(si)
    vm = create(first, si, config_spec(si, "kept", thin=False))
    reconfigure(first, vm, numCPUs=4, annotation="mine")
    path, uuid, moid = vm.config.files.vmPathName, vm.config.uuid, vm._moId
    vm.UnregisterVM()
    for bad_path, bad in (("[LocalDS_0] nothing/nothing.vmx", vim.fault.FileNotFound),
                          ("[NoSuchDS] kept/kept.vmx", vim.fault.InvalidDatastore),
                          (find_vm(si, "DC0_H0_VM0").config.files.vmPathName,
                           vim.fault.AlreadyExists)):
        fault = task_fault(first, folder.RegisterVM_Task(path=bad_path, asTemplate=False,
                                                          pool=pool))
        assert isinstance(fault, bad), bad_path
    fault = task_fault(first, folder.RegisterVM_Task(path=path, asTemplate=False))
    assert isinstance(fault, vmodl.fault.InvalidArgument) and fault.invalidProperty == "pool"
    second = restored(make_emulator, first)  # --state keeps what can be registered
    si = second.connect()
    folder = datacenter(si).vmFolder
    info = done(second, folder.RegisterVM_Task(path=path, name="back", asTemplate=False,
                                               pool=standalone_pool(si)))
    assert info.state == "success", info.error
    back = info.result
    assert back._moId != moid and back.name == "back" and back.config.uuid == uuid
    assert back.config.files.vmPathName == path and back.config.hardware.numCPU == 4
    assert back.config.annotation == "mine" and back.runtime.powerState == "poweredOff"
    assert [e.vm.name for e in events_of(si, "VmRegisteredEvent")] == ["back"]
    fault = task_fault(second, folder.RegisterVM_Task(path=path, asTemplate=False,
                                                      pool=standalone_pool(si)))
    assert isinstance(fault, vim.fault.AlreadyExists)  # registered once
    back.UnregisterVM()
    host = named(si, vim.HostSystem, "DC0_H0")
    template = done(second, folder.RegisterVM_Task(path=path, asTemplate=True, host=host))
    assert template.state == "success", template.error
    assert template.result.config.template and template.result.resourcePool is None
    assert template.result.name == "back" and template.result.runtime.host == host


def test_destroy_a_folder_destroys_its_vms(emulator, si):
    vm_folder = datacenter(si).vmFolder
    folder = vm_folder.CreateFolder("project")
    vm = create(emulator, si, config_spec(si, "p1"), folder=folder)
    running = find_vm(si, "DC0_H0_VM1")
    done(emulator, folder.MoveIntoFolder_Task([running]))
    fault = task_fault(emulator, folder.Destroy_Task())
    assert isinstance(fault, vim.fault.InvalidPowerState)
    assert vm.name == "p1"  # nothing destroyed
    done(emulator, vm_folder.MoveIntoFolder_Task([running]))
    assert done(emulator, folder.Destroy_Task()).state == "success"
    for gone in (vm, folder):
        with pytest.raises(vmodl.fault.ManagedObjectNotFound):
            gone.name
    assert folder not in vm_folder.childEntity
    assert isinstance(task_fault(emulator, vm_folder.Destroy_Task()), vmodl.fault.NotSupported)


def test_a_property_filter_watches_the_lifecycle(emulator, si):
    pc = si.content.propertyCollector
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    traversal = vmodl.query.PropertyCollector.TraversalSpec(
        name="view", path="view", skip=False, type=vim.view.ContainerView)
    pfilter = pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True,
                                                            selectSet=[traversal])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(
            type=vim.VirtualMachine, pathSet=["name", "config.hardware.numCPU"])]), True)
    options = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0)
    first = pc.WaitForUpdatesEx("", options)
    assert {u.kind for u in first.filterSet[0].objectSet} == {"enter"}

    def updates(version):
        result = pc.WaitForUpdatesEx(version, options)
        return result.version, [(u.kind, u.obj._moId, {c.name: c.val for c in u.changeSet})
                                for f in result.filterSet for u in f.objectSet]
    vm = create(emulator, si)
    version, seen = updates(first.version)
    assert ("enter", vm._moId, {"name": "web01", "config.hardware.numCPU": 2}) in seen
    reconfigure(emulator, vm, numCPUs=3)
    done(emulator, vm.Rename_Task("web02"))
    version, seen = updates(version)
    assert seen == [("modify", vm._moId, {"name": "web02", "config.hardware.numCPU": 3})]
    done(emulator, vm.Destroy_Task())
    version, seen = updates(version)
    assert seen == [("leave", vm._moId, {})]
    left = pc.WaitForUpdatesEx(version, options)
    assert left is None
    pfilter.DestroyPropertyFilter()


def test_the_state_keeps_what_the_lifecycle_did(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    folder = datacenter(si).vmFolder.CreateFolder("kept")
    made = create(first, si, config_spec(si, "made", thin=False), folder=folder)
    done(first, find_vm(si, "DC0_C0_RP0_VM0").Rename_Task("renamed"))
    gone = find_vm(si, "DC0_H0_VM0")
    done(first, gone.PowerOffVM_Task())
    done(first, gone.Destroy_Task())
    done(first, folder.MoveIntoFolder_Task([find_vm(si, "DC0_H0_VM1")]))
    free = named(si, vim.Datastore, "LocalDS_0").summary.freeSpace

    si = restored(make_emulator, first).connect()
    assert named(si, vim.Datastore, "LocalDS_0").summary.freeSpace == free
    vm = find_vm(si, "made")
    assert vm._moId == made._moId and vm.parent._moId == folder._moId
    assert vm.parent.name == "kept" and vm.config.files.vmPathName == "[LocalDS_0] made/made.vmx"
    assert [d.capacityInKB for d in devices_of(vm, D.VirtualDisk)] == [10 * GB_KB]
    assert find_vm(si, "renamed").config.files.vmPathName.endswith("DC0_C0_RP0_VM0.vmx")
    assert find_vm(si, "DC0_H0_VM1").parent.name == "kept"
    with pytest.raises(LookupError):
        find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vim.VirtualMachine(gone._moId, si._stub).name
