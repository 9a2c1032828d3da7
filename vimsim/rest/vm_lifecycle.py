"""The Automation API's VM lifecycle: com.vmware.vcenter.VM create and delete, and the update
of com.vmware.vcenter.vm.hardware.Cpu and Memory. Each builds the vim25 call vCenter makes
(Folder.CreateVM_Task, Destroy_Task, ReconfigVM_Task) and runs it through the model's one call
path; the answer comes when the task is done, its fault as the vAPI error."""
from vimsim.model import dispatch, faults, vm_settings
from vimsim.model.objects import Pending
from vimsim.model.sessions import CallContext
from vimsim.rest import errors, inputs
from vimsim.rest.vcenter import GUEST_OS
from vimsim.vim25.data import DataObject, MoRef

STRING, LONG, BOOLEAN = inputs.STRING, inputs.LONG, inputs.BOOLEAN
_V = "com.vmware.vcenter.vm.hardware."
NIC_TYPES = {"VMXNET3": "VirtualVmxnet3", "E1000": "VirtualE1000", "E1000E": "VirtualE1000e",
             "VMXNET2": "VirtualVmxnet2", "PCNET32": "VirtualPCNet32"}
CPU_UPDATE = inputs.Struct(_V + "Cpu.UpdateSpec", count=LONG, cores_per_socket=LONG,
                           hot_add_enabled=BOOLEAN, hot_remove_enabled=BOOLEAN)
MEMORY_UPDATE = inputs.Struct(_V + "Memory.UpdateSpec", size_MiB=LONG, hot_add_enabled=BOOLEAN)
CREATE_SPEC = inputs.Struct(
    "com.vmware.vcenter.VM.CreateSpec", name=STRING, guest_OS=STRING, guest_os=STRING,
    placement=inputs.Struct("com.vmware.vcenter.VM.PlacementSpec", folder=STRING,
                            resource_pool=STRING, host=STRING, cluster=STRING, datastore=STRING),
    cpu=CPU_UPDATE, memory=MEMORY_UPDATE,
    boot=inputs.Struct(
        _V + "Boot.CreateSpec", type=inputs.Enum(_V + "Boot.Type", "BIOS", "EFI"),
        efi_legacy_boot=BOOLEAN, network_protocol=inputs.Enum(
            _V + "Boot.NetworkProtocol", "IPV4", "IPV6"), delay=LONG, retry=BOOLEAN,
        retry_delay=LONG, enter_setup_mode=BOOLEAN),
    hardware_version=inputs.Enum(_V + "Hardware.Version", *(
        "VMX_%02d" % n for n in range(vm_settings.OLDEST_VERSION,
                                      vm_settings.NEWEST_VERSION + 1))),
    disks=inputs.ListOf(inputs.Struct(
        _V + "Disk.CreateSpec", type=inputs.Enum(_V + "Disk.HostBusAdapterType", "IDE", "SCSI",
                                                 "SATA", "NVME"),
        new_vmdk=inputs.Struct(_V + "Disk.VmdkCreateSpec", name=STRING, capacity=LONG))),
    nics=inputs.ListOf(inputs.Struct(
        _V + "Ethernet.CreateSpec", type=inputs.Enum(_V + "Ethernet.EmulationType", *NIC_TYPES),
        start_connected=BOOLEAN,
        backing=inputs.Struct(_V + "Ethernet.BackingSpec", type=STRING, network=STRING))),
    cdroms=inputs.ListOf(inputs.Struct(
        _V + "Cdrom.CreateSpec", start_connected=BOOLEAN,
        type=inputs.Enum(_V + "Cdrom.HostBusAdapterType", "IDE", "SATA"),
        backing=inputs.Struct(_V + "Cdrom.BackingSpec", type=inputs.Enum(
            _V + "Cdrom.BackingType", "ISO_FILE", "HOST_DEVICE", "CLIENT_DEVICE"),
            iso_file=STRING))))
GUEST_IDS = {name: guest_id for guest_id, name in GUEST_OS.items()}
D = "VirtualDeviceConfigSpec"


def _call(api, session, obj, method, args):
    """The vim25 method through the call path; a Pending of its task's result."""
    task = dispatch.invoke(api.vc, CallContext(session=session), obj.ref, method, args)
    return api.vc.objects[task.value].finished() if isinstance(task, MoRef) else task


def then(pending, fn):
    """A Pending of ``fn(result)``, or of the vAPI error the task's fault becomes."""
    answer = Pending()

    def done(p):
        if p.fault is not None:
            answer.fail(p.fault)
        else:
            answer.resolve(fn(p.value))
    pending.add_callback(done)
    return answer


def _entity(vc, moid, types, field):
    if not moid:
        raise errors.invalid_argument("The placement names no %s." % field, field)
    obj = vc.objects.get(moid)
    if obj is None or obj.vim_type not in types:
        raise errors.invalid_argument("The %s '%s' of the placement does not exist."
                                      % (field, moid), moid)
    return obj


def _placement(vc, placement):
    """(folder, pool, host, datastore) of a PlacementSpec: the pool defaults to the host's
    or the cluster's root pool."""
    placement = placement or {}
    folder = _entity(vc, placement.get("folder"), ("Folder",), "folder")
    host = _entity(vc, placement["host"], ("HostSystem",), "host") \
        if placement.get("host") else None
    if placement.get("resource_pool"):
        pool = _entity(vc, placement["resource_pool"], ("ResourcePool",), "resource_pool")
    elif placement.get("cluster"):
        pool = _entity(vc, placement["cluster"], ("ClusterComputeResource",),
                       "cluster").resource_pool
    elif host is not None:
        pool = host.parent.resource_pool
    else:
        raise errors.invalid_argument("The placement needs a resource pool, host or cluster.")
    datastore = _entity(vc, placement.get("datastore"), ("Datastore",), "datastore")
    return folder, pool, host, datastore


def _devices(spec):
    """The deviceChange of a CreateSpec: a PVSCSI controller for its disks, then its disks,
    NICs and CD-ROMs, with vCenter's temporary negative keys."""
    changes = []
    if spec.get("disks"):
        changes.append(DataObject(D, operation="add", device=DataObject(
            "ParaVirtualSCSIController", key=-100, busNumber=0, sharedBus="noSharing")))
    for i, disk in enumerate(spec.get("disks") or ()):
        vmdk = disk.get("new_vmdk") or {}
        if disk.get("type") not in (None, "SCSI") or not vmdk.get("capacity"):
            raise errors.invalid_argument("Disk %d needs a new_vmdk with a capacity on SCSI." % i)
        changes.append(DataObject(D, operation="add", fileOperation="create", device=DataObject(
            "VirtualDisk", key=-200 - i, controllerKey=-100, capacityInBytes=vmdk["capacity"],
            capacityInKB=vmdk["capacity"] // 1024, backing=DataObject(
                "VirtualDiskFlatVer2BackingInfo", diskMode="persistent", thinProvisioned=True,
                fileName=vmdk.get("name") or ""))))
    for i, nic in enumerate(spec.get("nics") or ()):
        network = (nic.get("backing") or {}).get("network")
        changes.append(DataObject(D, operation="add", device=DataObject(
            NIC_TYPES[nic.get("type") or "VMXNET3"], key=-300 - i,
            backing=DataObject("VirtualEthernetCardNetworkBackingInfo",
                               network=MoRef("Network", network or "")),
            connectable=DataObject("VirtualDeviceConnectInfo",
                                   startConnected=nic.get("start_connected", True)))))
    for i, cdrom in enumerate(spec.get("cdroms") or ()):
        if cdrom.get("type") not in (None, "IDE"):  # vimsim has no SATA adapter
            raise errors.invalid_argument("CD-ROM %d needs an IDE adapter." % i)
        backing = cdrom.get("backing") or {}
        changes.append(DataObject(D, operation="add", device=DataObject(
            "VirtualCdrom", key=-400 - i, controllerKey=200 + i // 2, unitNumber=i % 2,
            backing=DataObject("VirtualCdromIsoBackingInfo", fileName=backing["iso_file"])
            if backing.get("type") == "ISO_FILE" else DataObject(
                "VirtualCdromRemotePassthroughBackingInfo", deviceName="", exclusive=False),
            connectable=DataObject("VirtualDeviceConnectInfo",
                                   startConnected=bool(cdrom.get("start_connected"))))))
    return changes


def create(api, session, spec):
    """VM.create: a Pending of the new VM's identifier."""
    if not isinstance(spec, dict):
        raise errors.invalid_argument("The request body must be an object.")
    spec = inputs.check("create", spec, CREATE_SPEC, "spec")
    guest_os = spec.get("guest_OS") or spec.get("guest_os")  # (newer releases' spelling)
    guest_id = GUEST_IDS.get(guest_os)
    if guest_id is None:
        raise errors.invalid_argument("Invalid guest_OS %s." % guest_os, guest_os)
    folder, pool, host, datastore = _placement(api.vc, spec.get("placement"))
    cpu, memory = spec.get("cpu") or {}, spec.get("memory") or {}
    boot, version = spec.get("boot") or {}, spec.get("hardware_version")
    config = DataObject(
        "VirtualMachineConfigSpec", name=spec.get("name") or "Virtual Machine",
        guestId=guest_id, numCPUs=cpu.get("count"), memoryMB=memory.get("size_MiB"),
        cpuHotAddEnabled=cpu.get("hot_add_enabled"),
        memoryHotAddEnabled=memory.get("hot_add_enabled"),
        files=DataObject("VirtualMachineFileInfo", vmPathName="[%s]" % datastore.name),
        firmware=boot["type"].lower() if boot.get("type") else None,
        bootOptions=DataObject(
            "VirtualMachineBootOptions", bootDelay=boot.get("delay"),
            bootRetryEnabled=boot.get("retry"), bootRetryDelay=boot.get("retry_delay"),
            enterBIOSSetup=boot.get("enter_setup_mode"),
            networkBootProtocol=boot["network_protocol"].lower()
            if boot.get("network_protocol") else None) if boot else None,
        version=version.lower().replace("_", "-") if version else None,
        deviceChange=_devices(spec))
    return then(_call(api, session, folder, "CreateVM_Task", {
        "config": config, "pool": pool.ref, "host": host.ref if host else None}),
        lambda ref: ref.value)


def delete(api, session, vm_id):
    """VM.delete: a powered-off VM and its files (NOT_ALLOWED_IN_CURRENT_STATE otherwise)."""
    vm = api.vm(vm_id)
    # privileges first, as vCenter checks them: the power state of a VM one may not delete
    # is not for one to learn
    api.require(session, "VirtualMachine.Inventory.Delete", vm_id)
    if vm.power_state != "poweredOff":
        raise errors.RestError("NOT_ALLOWED_IN_CURRENT_STATE",
                               "com.vmware.api.vcenter.vm.delete.powered_on",
                               "Virtual machine '%s' is powered on." % vm_id, [vm_id])
    return then(_call(api, session, vm, "Destroy_Task", {}), lambda result: None)


def update_cpu(api, session, vm_id, spec):
    spec = inputs.check("update", spec, CPU_UPDATE, "spec") or {}
    if spec.get("count") is not None and spec["count"] < 1:
        raise errors.invalid_argument("The CPU count must be at least 1.", spec["count"])
    return _reconfigure(api, session, vm_id, numCPUs=spec.get("count"),
                        numCoresPerSocket=spec.get("cores_per_socket"),
                        cpuHotAddEnabled=spec.get("hot_add_enabled"),
                        cpuHotRemoveEnabled=spec.get("hot_remove_enabled"))


def update_memory(api, session, vm_id, spec):
    spec = inputs.check("update", spec, MEMORY_UPDATE, "spec") or {}
    size = spec.get("size_MiB")
    if size is not None and (size < 4 or size % 4):
        raise errors.invalid_argument("The memory size must be a multiple of 4 MiB.", size)
    return _reconfigure(api, session, vm_id, memoryMB=size,
                        memoryHotAddEnabled=spec.get("hot_add_enabled"))


def _reconfigure(api, session, vm_id, **fields):
    vm = api.vm(vm_id)
    spec = DataObject("VirtualMachineConfigSpec", **fields)
    try:
        return then(_call(api, session, vm, "ReconfigVM_Task", {"spec": spec}),
                     lambda result: None)
    except faults.Fault as fault:
        raise errors.from_fault(fault)
