"""A VM's virtual hardware and files as vCenter describes them: the devices of a default VM
(controllers, disk, CD-ROM, NICs, video card), its file layout and its storage use.

Device keys and unit numbers are vCenter's for a VM created with default hardware: PCI 100,
IDE 200/201, PS2 300, SIO 400, video 500, keyboard 600, mouse 700, SCSI 1000, disks from
2000, CD-ROM 3002, NICs from 4000, VMCI 12000.
"""
from vimsim.vim25.data import DataObject

KB, MB, GB = 1024, 1024 ** 2, 1024 ** 3
NVRAM_BYTES = 8684
VMX_BYTES = 2992
LOG_BYTES = 262144
DESCRIPTOR_BYTES = 560


def _description(label, summary):
    return DataObject("Description", label=label, summary=summary)


def _device(type_name, key, label, summary, controller=None, unit=None, **fields):
    return DataObject(type_name, key=key, deviceInfo=_description(label, summary),
                      controllerKey=controller, unitNumber=unit, **fields)


def _connectable(connected):
    return DataObject("VirtualDeviceConnectInfo", startConnected=True, allowGuestControl=True,
                      connected=connected, status="ok")


def disk_file(vm):
    return "[%s] %s/%s.vmdk" % (vm.datastores[0].name if vm.datastores else "LocalDS_0",
                                vm.name, vm.name)


def disk_used_bytes(vm):
    """What the thin disk holds: a quarter of its capacity (a freshly installed guest)."""
    return vm.disk_gb * GB // 4


def devices(vm):
    """Every virtual device of ``vm`` in vCenter's order (controllers first)."""
    powered_on = vm.power_state == "poweredOn"
    nics = vm.nic_devices()
    capacity_kb = vm.disk_gb * GB // KB
    disk = _device(
        "VirtualDisk", 2000, "Hard disk 1", "%s KB" % format(capacity_kb, ","), 1000, 0,
        capacityInKB=capacity_kb, capacityInBytes=capacity_kb * KB,
        backing=DataObject(
            "VirtualDiskFlatVer2BackingInfo", fileName=disk_file(vm),
            datastore=vm.datastores[0].ref if vm.datastores else None, diskMode="persistent",
            split=False, writeThrough=False, thinProvisioned=True, eagerlyScrub=False,
            uuid=vm.uuid.replace("-", "")[:8] + vm.instance_uuid[8:], contentId=vm.uuid.replace(
                "-", ""), digestEnabled=False, sharing="sharingNone"),
        shares=DataObject("SharesInfo", shares=1000, level="normal"),
        storageIOAllocation=DataObject("StorageIOAllocationInfo", limit=-1, shares=DataObject(
            "SharesInfo", shares=1000, level="normal"), reservation=0),
        diskObjectId="%d-2000" % vm.number, nativeUnmanagedLinkedClone=False)
    return [
        _device("VirtualIDEController", 200, "IDE 0", "IDE 0", busNumber=0),
        _device("VirtualIDEController", 201, "IDE 1", "IDE 1", busNumber=1, device=[3002]),
        _device("VirtualPS2Controller", 300, "PS2 controller 0", "PS2 controller 0",
                busNumber=0, device=[600, 700]),
        _device("VirtualPCIController", 100, "PCI controller 0", "PCI controller 0",
                busNumber=0, device=[500, 12000, 1000] + [n.key for n in nics]),
        _device("VirtualSIOController", 400, "SIO controller 0", "SIO controller 0",
                busNumber=0),
        _device("VirtualKeyboard", 600, "Keyboard", "Keyboard", 300, 0),
        _device("VirtualPointingDevice", 700, "Pointing device", "Pointing device; Device",
                300, 1, backing=DataObject("VirtualPointingDeviceDeviceBackingInfo",
                                           deviceName="", useAutoDetect=False,
                                           hostPointingDevice="autodetect")),
        _device("VirtualMachineVideoCard", 500, "Video card ", "Video card", 100, 0,
                videoRamSizeInKB=4096, numDisplays=1, useAutoDetect=False,
                enable3DSupport=False, use3dRenderer="automatic",
                graphicsMemorySizeInKB=262144),
        _device("VirtualMachineVMCIDevice", 12000, "VMCI device",
                "Device on the virtual machine PCI bus that provides support for the virtual "
                "machine communication interface", 100, 17, id=vm.number,
                allowUnrestrictedCommunication=False, filterEnable=True),
        _device("ParaVirtualSCSIController", 1000, "SCSI controller 0", "VMware paravirtual SCSI",
                100, 3, busNumber=0, device=[2000], hotAddRemove=True, sharedBus="noSharing",
                scsiCtlrUnitNumber=7),
        _device("VirtualCdrom", 3002, "CD/DVD drive 1", "Remote device", 201, 0,
                backing=DataObject("VirtualCdromRemotePassthroughBackingInfo", deviceName="",
                                   useAutoDetect=False, exclusive=False),
                connectable=DataObject("VirtualDeviceConnectInfo", startConnected=False,
                                       allowGuestControl=True, connected=False,
                                       status="untried")),
        disk,
    ] + [_with_connection(n, powered_on) for n in nics]


def _with_connection(nic, connected):
    nic.connectable = _connectable(connected)
    return nic


def files(vm):
    """The FileInfo of each file the VM has, as layoutEx lists them."""
    folder = "[%s] %s/" % (vm.datastores[0].name if vm.datastores else "LocalDS_0", vm.name)
    used = disk_used_bytes(vm)
    entries = [("%s.vmx" % vm.name, "config", VMX_BYTES),
               ("%s.nvram" % vm.name, "nvram", NVRAM_BYTES),
               ("%s.vmsd" % vm.name, "snapshotList", 0),
               ("%s.vmdk" % vm.name, "diskDescriptor", DESCRIPTOR_BYTES),
               ("%s-flat.vmdk" % vm.name, "diskExtent", used),
               ("vmware.log", "log", LOG_BYTES)]
    if vm.power_state != "poweredOff":
        entries.append(("%s-%s.vswp" % (vm.name, vm.uuid[:8]), "swap", vm.memory_mb * MB))
    return [DataObject("VirtualMachineFileLayoutExFileInfo", key=i, name=folder + name,
                       type=kind, size=size, uniqueSize=size, accessible=True)
            for i, (name, kind, size) in enumerate(entries)]


def layout_ex(vm, now):
    listed = files(vm)
    disk_keys = [f.key for f in listed if f.type in ("diskDescriptor", "diskExtent")]
    return DataObject(
        "VirtualMachineFileLayoutEx", file=listed,
        disk=[DataObject("VirtualMachineFileLayoutExDiskLayout", key=2000, chain=[
            DataObject("VirtualMachineFileLayoutExDiskUnit", fileKey=disk_keys)])],
        snapshot=[], timestamp=now)


def storage_use(vm):
    """(committed, uncommitted, unshared) bytes on the VM's datastore."""
    committed = sum(f.size for f in files(vm))
    uncommitted = vm.disk_gb * GB - disk_used_bytes(vm)
    return committed, uncommitted, committed


def storage_info(vm, now):
    committed, uncommitted, unshared = storage_use(vm)
    return DataObject("VirtualMachineStorageInfo", timestamp=now, perDatastoreUsage=[
        DataObject("VirtualMachineUsageOnDatastore", datastore=ds.ref, committed=committed,
                   uncommitted=uncommitted, unshared=unshared)
        for ds in vm.datastores[:1]])


def storage_summary(vm, now):
    committed, uncommitted, unshared = storage_use(vm)
    return DataObject("VirtualMachineStorageSummary", committed=committed,
                      uncommitted=uncommitted, unshared=unshared, timestamp=now)


def allocation(shares):
    return DataObject("ResourceAllocationInfo", reservation=0, expandableReservation=False,
                      limit=-1, shares=DataObject("SharesInfo", shares=shares, level="normal"))


def tools_config(vm):
    return DataObject(
        "ToolsConfigInfo", toolsVersion=12352 if vm.tools_installed else 0,
        toolsInstallType="guestToolsTypeOpenVMTools" if vm.tools_installed else None,
        afterPowerOn=True, afterResume=True, beforeGuestStandby=True, beforeGuestShutdown=True,
        beforeGuestReboot=True, toolsUpgradePolicy="manual", syncTimeWithHostAllowed=True,
        syncTimeWithHost=False,
        lastInstallInfo=DataObject("ToolsConfigInfoToolsLastInstallInfo", counter=0),
        pendingCustomization=vm.pending_customization_file())


def guest_disks(vm):
    capacity = vm.disk_gb * GB - 1 * GB  # the root file system, less boot and swap
    return [DataObject("GuestDiskInfo", diskPath="/", capacity=capacity,
                       freeSpace=capacity - disk_used_bytes(vm), filesystemType="ext4",
                       mappings=[DataObject("GuestInfoVirtualDiskMapping", key=2000)])]


def capability():
    """What a vmx-19 VM supports (VirtualMachine.capability, and the environment browser's
    config option)."""
    return DataObject("VirtualMachineCapability", snapshotOperationsSupported=True,
                      multipleSnapshotsSupported=True, snapshotConfigSupported=True,
                      poweredOffSnapshotsSupported=True, memorySnapshotsSupported=True,
                      revertToSnapshotSupported=True, quiescedSnapshotsSupported=True,
                      disableSnapshotsSupported=False, lockSnapshotsSupported=True,
                      consolePreferencesSupported=False, cpuFeatureMaskSupported=True,
                      s1AcpiManagementSupported=True, settingScreenResolutionSupported=True,
                      toolsAutoUpdateSupported=False, vmNpivWwnSupported=True,
                      npivWwnOnNonRdmVmSupported=True, swapPlacementSupported=True,
                      toolsSyncTimeSupported=True, virtualMmuUsageSupported=True,
                      diskSharesSupported=True, bootOptionsSupported=True,
                      bootRetryOptionsSupported=True, settingVideoRamSizeSupported=True,
                      settingDisplayTopologySupported=False, recordReplaySupported=False,
                      changeTrackingSupported=True, multipleCoresPerSocketSupported=True,
                      hostBasedReplicationSupported=True, guestAutoLockSupported=True,
                      memoryReservationLockSupported=True, featureRequirementSupported=True,
                      poweredOnMonitorTypeChangeSupported=True, seSparseDiskSupported=True,
                      nestedHVSupported=True, vPMCSupported=True,
                      vmNpivWwnDisableSupported=True, vmNpivWwnUpdateSupported=True)
