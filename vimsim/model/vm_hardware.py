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
VMSD_ENTRY_BYTES = 420  # what each snapshot adds to the .vmsd
# A new snapshot delta (SEsparse, as on VMFS 6): its header and first grain tables; the guest
# writes nothing the emulator keeps, so it stays this size.
DELTA_BYTES = 16 * MB
# A snapshot's .vmsn holds the VM's configuration and NVRAM.
VMSN_BYTES = VMX_BYTES + NVRAM_BYTES + 18628


def _description(label, summary):
    return DataObject("Description", label=label, summary=summary)


def _device(type_name, key, label, summary, controller=None, unit=None, **fields):
    return DataObject(type_name, key=key, deviceInfo=_description(label, summary),
                      controllerKey=controller, unitNumber=unit, **fields)


def disk_record(key, capacity_kb, datastore, file_name, controller=1000, unit=0, thin=True,
                used=None):
    """One virtual disk as a VM keeps it (data a snapshot keeps): its capacity, where its
    file is, and what the file holds (``used`` bytes: all of a thick disk, nothing of a new
    thin one)."""
    return {"key": key, "controller": controller, "unit": unit, "capacity_kb": capacity_kb,
            "thin": thin, "used": (0 if thin else capacity_kb * KB) if used is None else used,
            "datastore": datastore, "file": file_name}


def default_disks(datastore, vmx_path, disk_gb):
    """The one thin disk of a fixture VM, a quarter full (a freshly installed guest)."""
    capacity_kb = disk_gb * GB // KB
    return [disk_record(2000, capacity_kb, datastore, vmx_path[:-len(".vmx")] + ".vmdk",
                        used=capacity_kb * KB // 4)]


def default_cdroms():
    """A fixture VM's CD-ROM: on IDE 1, a remote device, not connected."""
    return [{"key": 3002, "controller": 201, "unit": 0, "iso": None, "connected": False}]


def default_controllers():
    return [{"key": 1000, "type": "ParaVirtualSCSIController", "bus": 0}]


def disk_used_bytes(vm):
    """What the VM's first disk holds (the guest's root file system)."""
    return vm.disks[0]["used"] if vm.disks else 0


SCSI_SUMMARIES = {"ParaVirtualSCSIController": "VMware paravirtual SCSI",
                  "VirtualLsiLogicController": "LSI Logic",
                  "VirtualLsiLogicSASController": "LSI Logic SAS",
                  "VirtualBusLogicController": "BusLogic"}


def disk_chain(disk):
    """(descriptor, extent, extent bytes) of each file of a disk, from its base to the delta
    the VM writes (vimsim/model/vm_snapshot.py adds a delta per snapshot)."""
    base = disk["file"][:-len(".vmdk")]
    return [(disk["file"], base + "-flat.vmdk", disk["used"])] + [
        (delta, delta[:-len(".vmdk")] + "-sesparse.vmdk", DELTA_BYTES)
        for delta in disk.get("deltas") or ()]


# A disk backing's modes no spec has set
DISK_BACKING_DEFAULTS = {"diskMode": "persistent", "writeThrough": False, "eagerlyScrub": False,
                         "sharing": "sharingNone"}


def _disk_backing(vm, disk, index, chain):
    """The backing of a disk's file at ``chain[-1]``, its parent that of the one before."""
    ds = disk["datastore"]
    descriptor = chain[-1][0]
    kept = dict(DISK_BACKING_DEFAULTS, **(disk.get("backing") or {}))
    return DataObject(
        "VirtualDiskFlatVer2BackingInfo", fileName=descriptor,
        datastore=ds.ref if ds is not None else None, diskMode=kept["diskMode"],
        split=False, writeThrough=kept["writeThrough"], thinProvisioned=disk["thin"],
        eagerlyScrub=kept["eagerlyScrub"],
        uuid=vm.uuid.replace("-", "")[:8] + vm.instance_uuid[8:-4] + "%04x" % disk["key"]
        if index else vm.uuid.replace("-", "")[:8] + vm.instance_uuid[8:],
        contentId=vm.uuid.replace("-", "") if len(chain) == 1 else
        vm.uuid.replace("-", "")[:-4] + "%04x" % (len(chain) - 1),
        parent=_disk_backing(vm, disk, index, chain[:-1]) if len(chain) > 1 else None,
        deltaDiskFormat="seSparseFormat" if len(chain) > 1 else None,
        digestEnabled=False, sharing=kept["sharing"])


def _disk_device(vm, disk, index):
    capacity_kb = disk["capacity_kb"]
    return _device(
        "VirtualDisk", disk["key"], "Hard disk %d" % (index + 1),
        "%s KB" % format(capacity_kb, ","), disk["controller"], disk["unit"],
        capacityInKB=capacity_kb, capacityInBytes=capacity_kb * KB,
        backing=_disk_backing(vm, disk, index, disk_chain(disk)),
        shares=DataObject("SharesInfo", shares=1000, level="normal"),
        storageIOAllocation=DataObject("StorageIOAllocationInfo", **dict(
            {"limit": -1, "shares": DataObject("SharesInfo", shares=1000, level="normal"),
             "reservation": 0}, **(disk.get("io") or {}))),
        diskObjectId="%d-%d" % (vm.number, disk["key"]), nativeUnmanagedLinkedClone=False)


def _cdrom_device(cdrom, index):
    if cdrom["iso"]:
        backing = DataObject("VirtualCdromIsoBackingInfo", fileName=cdrom["iso"])
        summary = "ISO %s" % cdrom["iso"]
    else:
        backing = DataObject("VirtualCdromRemotePassthroughBackingInfo", deviceName="",
                             useAutoDetect=False, exclusive=False)
        summary = "Remote device"
    connected = cdrom["connected"]
    return _device("VirtualCdrom", cdrom["key"], "CD/DVD drive %d" % (index + 1), summary,
                   cdrom["controller"], cdrom["unit"], backing=backing,
                   connectable=DataObject("VirtualDeviceConnectInfo", startConnected=connected,
                                          allowGuestControl=True, connected=connected,
                                          status="ok" if connected else "untried"))


def devices(vm):
    """Every virtual device of ``vm`` in vCenter's order (controllers first)."""
    nics = vm.nic_devices()
    on_ide = {200: [], 201: []}
    for cdrom in vm.cdroms:
        on_ide.setdefault(cdrom["controller"], []).append(cdrom["key"])
    scsi = [_device(c["type"], c["key"], "SCSI controller %d" % c["bus"],
                    SCSI_SUMMARIES.get(c["type"], "SCSI"), 100, 3 + c["bus"] if c["bus"] == 0
                    else 15 + c["bus"], busNumber=c["bus"],
                    device=[d["key"] for d in vm.disks if d["controller"] == c["key"]],
                    hotAddRemove=True, sharedBus="noSharing", scsiCtlrUnitNumber=7)
            for c in vm.controllers]
    return [
        _device("VirtualIDEController", 200, "IDE 0", "IDE 0", busNumber=0,
                device=on_ide[200] or None),
        _device("VirtualIDEController", 201, "IDE 1", "IDE 1", busNumber=1,
                device=on_ide[201] or None),
        _device("VirtualPS2Controller", 300, "PS2 controller 0", "PS2 controller 0",
                busNumber=0, device=[600, 700]),
        _device("VirtualPCIController", 100, "PCI controller 0", "PCI controller 0",
                busNumber=0, device=[500, 12000] + [c["key"] for c in vm.controllers] +
                [n.key for n in nics]),
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
    ] + scsi + [_cdrom_device(c, i) for i, c in enumerate(vm.cdroms)] + \
        [_disk_device(vm, d, i) for i, d in enumerate(vm.disks)] + \
        nics  # (their connectable as the VM keeps it: VirtualMachine.nic_devices)


def vm_folder(vm):
    """The VM's folder, as a datastore path ending in a slash: ``[LocalDS_0] web01/``."""
    return vm.vm_path_name().rsplit("/", 1)[0] + "/"


def vmx_stem(vm):
    """The .vmx's name without its extension: what the VM's other files are named after."""
    return vm.vm_path_name().rsplit("/", 1)[1][:-len(".vmx")]


def snapshot_stem(vm, snapshot):
    """``[ds] folder/name-SnapshotN``: a snapshot's .vmsn and .vmem, N its id."""
    return "%s%s-Snapshot%d" % (vm_folder(vm), vmx_stem(vm), snapshot.id)


def files(vm):
    """The FileInfo of each file the VM has, as layoutEx lists them: its snapshots' and the
    disks of every chain the VM and its snapshots name among them."""
    folder = vm_folder(vm)
    stem = vmx_stem(vm)
    snapshots = vm.all_snapshots()
    entries = [(folder + "%s.vmx" % stem, "config", VMX_BYTES),
               (folder + "%s.nvram" % stem, "nvram", NVRAM_BYTES),
               (folder + "%s.vmsd" % stem, "snapshotList",
                VMSD_ENTRY_BYTES * len(snapshots))]
    for snapshot in snapshots:
        name = snapshot_stem(vm, snapshot)
        entries.append((name + ".vmsn", "snapshotData", VMSN_BYTES))
        if snapshot.state != "poweredOff":
            entries.append((name + ".vmem", "snapshotMemory", vm.memory_mb * MB))
    listed = set()
    for disk in vm.disk_records():
        for descriptor, extent, size in disk_chain(disk):
            if descriptor not in listed:
                listed.add(descriptor)
                entries += [(descriptor, "diskDescriptor", DESCRIPTOR_BYTES),
                            (extent, "diskExtent", size)]
    entries.append((folder + "vmware.log", "log", LOG_BYTES))
    if vm.power_state != "poweredOff":
        entries.append((folder + "%s-%s.vswp" % (stem, vm.uuid[:8]), "swap",
                        vm.memory_mb * MB))
    return [DataObject("VirtualMachineFileLayoutExFileInfo", key=i, name=name,
                       type=kind, size=size, uniqueSize=size, accessible=True)
            for i, (name, kind, size) in enumerate(entries)]


def layout_ex(vm, now):
    listed = files(vm)
    by_name = {f.name: f.key for f in listed}

    def layouts(disks):
        return [DataObject("VirtualMachineFileLayoutExDiskLayout", key=d["key"], chain=[
            DataObject("VirtualMachineFileLayoutExDiskUnit", fileKey=[
                by_name[descriptor], by_name[extent]])
            for descriptor, extent, _ in disk_chain(d)]) for d in disks]

    snapshots = []
    for snapshot in vm.all_snapshots():
        name = snapshot_stem(vm, snapshot)
        snapshots.append(DataObject(
            "VirtualMachineFileLayoutExSnapshotLayout", key=snapshot.ref,
            dataKey=by_name[name + ".vmsn"], memoryKey=by_name.get(name + ".vmem", -1),
            disk=layouts(snapshot.captured["disks"])))
    return DataObject("VirtualMachineFileLayoutEx", file=listed, disk=layouts(vm.disks),
                      snapshot=snapshots, timestamp=now)


def datastore_of(vm, path):
    """The datastore of ``path`` (``[name] ...``) among the VM's, or its first."""
    name = path[1:path.index("]")] if path.startswith("[") and "]" in path else None
    return next((d for d in vm.datastores if d.name == name),
                vm.datastores[0] if vm.datastores else None)


def allocated(vm):
    """{datastore: bytes} the VM's files take while it is powered off (its swap file
    aside): what creating, growing and destroying it moves in the datastores' free space."""
    used = {}
    for f in files(vm):
        if f.type != "swap":
            ds = datastore_of(vm, f.name)
            if ds is not None:
                used[ds] = used.get(ds, 0) + f.size
    return used


def uncommitted_on(vm, datastore):
    """What the VM's thin disks on ``datastore`` may still grow by."""
    return sum(d["capacity_kb"] * KB - d["used"] for d in vm.disks
               if d["datastore"] is datastore and d["thin"])


def storage_use(vm):
    """(committed, uncommitted, unshared) bytes of the VM."""
    committed = sum(f.size for f in files(vm))
    uncommitted = sum(d["capacity_kb"] * KB - d["used"] for d in vm.disks if d["thin"])
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
    if not vm.disks:
        return []
    capacity = vm.disks[0]["capacity_kb"] * KB - 1 * GB  # the root file system, less boot and swap
    return [DataObject("GuestDiskInfo", diskPath="/", capacity=capacity,
                       freeSpace=capacity - disk_used_bytes(vm), filesystemType="ext4",
                       mappings=[DataObject("GuestInfoVirtualDiskMapping",
                                            key=vm.disks[0]["key"])])]


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
