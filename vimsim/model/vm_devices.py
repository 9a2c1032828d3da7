"""What a VirtualMachineConfigSpec's deviceChange does to a VM's devices (SCSI controllers,
disks, CD-ROMs, NICs), with the faults vCenter answers: the rules CreateVM_Task,
ReconfigVM_Task and CloneVM_Task share. The devices themselves are data on the VM
(vm_hardware.disk_record and its neighbours); nothing here changes a VM."""
import logging
import re

from vimsim.model import faults, vm_hardware

log = logging.getLogger("vimsim")
KB = vm_hardware.KB
SCSI_TYPES = tuple(vm_hardware.SCSI_SUMMARIES)
NIC_TYPES = ("VirtualVmxnet3", "VirtualVmxnet2", "VirtualVmxnet", "VirtualE1000",
             "VirtualE1000e", "VirtualPCNet32", "VirtualSriovEthernetCard",
             "VirtualVmxnet3Vrdma")
IDE_KEYS = (200, 201)
SCSI_UNITS = [u for u in range(16) if u != 7]  # unit 7 is the controller's own
NIC_KEY = 4000
# What a disk's backing keeps as a spec sets it, and the modes it may have
DISK_BACKING_SETTINGS = tuple(vm_hardware.DISK_BACKING_DEFAULTS)
DISK_MODES = ("persistent", "nonpersistent", "undoable", "independent_persistent",
              "independent_nonpersistent", "append")


MAC = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")


# A NIC's settings beyond its network and type: its MAC (None: made from the VM's moId) and
# addressType, its connectable state and wake-on-LAN.
NIC_SETTINGS = {"mac": None, "address_type": "assigned", "connected": True,
                "start_connected": True, "allow_guest_control": True, "wake_on_lan": True}


def nic_settings_of(settings, count, macs=()):
    """``count`` NICs' settings: those given (copies), the defaults for the rest; ``macs``,
    a fixture's, as each one's MAC."""
    settings = [dict(NIC_SETTINGS, **s) for s in list(settings)[:count]]
    settings += [dict(NIC_SETTINGS) for _ in range(count - len(settings))]
    for entry, mac in zip(settings, macs):
        if mac:
            entry["mac"] = mac
    return settings


def invalid_device(index, prop):
    return faults.Fault.of("InvalidDeviceSpec", "Invalid configuration for device '%d'."
                           % index, property=prop, deviceIndex=index)


def network_of(vc, backing, index):
    """The Network a NIC backing names (by moRef, or by name as deviceName)."""
    ref = getattr(backing, "network", None)
    found = vc.find(ref) if ref is not None else next(
        (o for o in vc.objects.values() if o.vim_type in ("Network", "DistributedVirtualPortgroup")
         and o.name == getattr(backing, "deviceName", None)), None)
    if found is None or found.vim_type not in ("Network", "DistributedVirtualPortgroup"):
        raise invalid_device(index, "device.backing")
    return found


def datastore_name(path):
    """The datastore of ``[name] folder/file``, or None for a path without one."""
    path = (path or "").strip()
    if path.startswith("[") and "]" in path:
        return path[1:path.index("]")]
    return None


def disk_files(vc):
    """Every disk file a VM of ``vc`` has (its snapshots' deltas included)."""
    return {descriptor for o in vc.objects.values() if o.vim_type == "VirtualMachine"
            for d in o.disk_records() for descriptor, _, _ in vm_hardware.disk_chain(d)}


class Devices:
    """A VM's devices as a deviceChange leaves them: ``apply`` takes one spec's changes
    (faults naming the change's index), ``values`` gives them in the VM's spec keys."""

    def __init__(self, vc, host, vmx_path, disks=(), controllers=(), cdroms=(), networks=(),
                 nic_types=(), nic_settings=()):
        self.vc, self.host, self.vmx_path = vc, host, vmx_path
        self.disks = [dict(d) for d in disks]
        self.controllers = [dict(c) for c in controllers]
        self.cdroms = [dict(c) for c in cdroms]
        self.networks, self.nic_types = list(networks), list(nic_types)
        self.nic_settings = nic_settings_of(nic_settings, len(self.networks))
        self.keys = {}  # the key a spec gave a new device -> the one vCenter gives it
        self.created, self.destroyed = [], []  # disk records whose files come and go

    @classmethod
    def of_vm(cls, vm):
        return cls(vm.vc, vm.host, vm.vmx_path, vm.disks, vm.controllers, vm.cdroms,
                   vm.networks, vm.nic_types, vm.nic_settings)

    def values(self):
        # (a NIC removed leaves a None in its slot until then: the keys of a spec's other
        # changes name the slots as they were)
        return {"disks": self.disks, "controllers": self.controllers, "cdroms": self.cdroms,
                "networks": [n for n in self.networks if n is not None],
                "nic_types": self._of_nics(self.nic_types),
                "nic_settings": self._of_nics(self.nic_settings)}

    def _of_nics(self, values):
        return [v for n, v in zip(self.networks, values) if n is not None]

    def apply(self, changes):
        # controllers first: a spec's disks may name a controller it adds after them
        ordered = sorted(enumerate(changes or ()), key=lambda c: not self._is_controller(c[1]))
        for index, change in ordered:
            device = change.device
            if device is None or change.operation is None:
                raise invalid_device(index, "device" if device is None else "operation")
            kind = device._typeName
            handler = self._handler(kind)
            if handler is None:  # vCenter's words on the wire, the reason in the log
                log.info("deviceChange[%d]: vimsim does not emulate the %s of a %s",
                         index, change.operation, kind)
                raise faults.NotSupported()
            handler(index, change.operation, change, device)
        return self

    @staticmethod
    def _is_controller(change):
        kind = getattr(change.device, "_typeName", "")
        return kind in SCSI_TYPES or kind == "VirtualIDEController"

    def _handler(self, kind):
        if kind in SCSI_TYPES:
            return self._scsi
        if kind == "VirtualIDEController":
            return self._ide
        if kind == "VirtualDisk":
            return self._disk
        if kind == "VirtualCdrom":
            return self._cdrom
        if kind in NIC_TYPES:
            return self._nic
        return None

    # -- controllers ---------------------------------------------------------------------

    def _scsi(self, index, operation, change, device):
        if operation == "add":
            used = {c["bus"] for c in self.controllers}
            bus = device.busNumber if device.busNumber is not None else next(
                (b for b in range(4) if b not in used), None)
            if bus is None or bus in used or not 0 <= bus < 4:
                raise invalid_device(index, "device.busNumber")
            self.controllers.append({"key": 1000 + bus, "type": device._typeName, "bus": bus})
            self.keys[device.key] = 1000 + bus
            return
        controller = self._find(self.controllers, device.key, index)
        if operation == "remove":
            if any(d["controller"] == controller["key"] for d in self.disks):
                raise invalid_device(index, "device.key")
            self.controllers.remove(controller)

    def _ide(self, index, operation, change, device):
        # Every VM has both IDE controllers; one a spec adds is one of them.
        if operation != "add" or device.busNumber not in (0, 1, None):
            raise invalid_device(index, "device.busNumber")
        self.keys[device.key] = IDE_KEYS[device.busNumber or 0]

    def _controller_key(self, key, index):
        key = self.keys.get(key, key)
        if key in IDE_KEYS or any(c["key"] == key for c in self.controllers):
            return key
        raise faults.Fault.of("InvalidController", "Device '%d' has an invalid controller "
                              "key." % index, controllerKey=key, deviceIndex=index,
                              property="device.controllerKey")

    def _unit(self, controller, unit, index):
        taken = {d["unit"] for d in self.disks + self.cdroms if d["controller"] == controller}
        units = (0, 1) if controller in IDE_KEYS else SCSI_UNITS
        if unit is None:
            unit = next((u for u in units if u not in taken), None)
        if unit is None or unit in taken or unit not in units:
            raise invalid_device(index, "device.unitNumber")
        return unit

    @staticmethod
    def _find(devices, key, index):
        found = next((d for d in devices if d["key"] == key), None)
        if found is None:
            raise invalid_device(index, "device.key")
        return found

    # -- disks ---------------------------------------------------------------------------

    def _disk(self, index, operation, change, device):
        if operation == "add":
            return self._add_disk(index, change, device)
        disk = self._find(self.disks, device.key, index)
        if operation == "remove":
            self.disks.remove(disk)
            if change.fileOperation == "destroy":
                self.destroyed.append(disk)
            return
        capacity = device.capacityInKB or (device.capacityInBytes or 0) // KB
        if capacity:
            if capacity < disk["capacity_kb"]:  # a disk only grows
                raise invalid_device(index, "device.capacityInKB")
            if capacity > disk["capacity_kb"] and disk.get("deltas"):
                # a snapshot's delta is on it (vimsim/model/vm_snapshot.py)
                raise faults.Fault.of(
                    "InvalidDeviceOperation", "Invalid operation for device '%d'. Disks with "
                    "parents cannot be expanded." % index, property="device.capacityInKB",
                    deviceIndex=index, badOp="edit")
            disk["capacity_kb"] = capacity
            if not disk["thin"]:
                disk["used"] = capacity * KB
        self._disk_settings(index, disk, device)

    def _disk_settings(self, index, disk, device):
        """A disk's backing modes (diskMode, eagerlyScrub, writeThrough, sharing) and
        storageIOAllocation, as a spec sets them (checked)."""
        backing, io = device.backing, device.storageIOAllocation
        if backing is not None:
            given = {f: getattr(backing, f) for f in DISK_BACKING_SETTINGS
                     if getattr(backing, f, None) is not None}
            if given.get("diskMode", "persistent") not in DISK_MODES:
                raise invalid_device(index, "device.backing.diskMode")
            if given.get("sharing", "sharingNone") not in ("sharingNone", "sharingMultiWriter"):
                raise invalid_device(index, "device.backing.sharing")
            if given:
                disk["backing"] = dict(disk.get("backing") or {}, **given)
        if io is not None:
            given = {f: getattr(io, f) for f in ("limit", "reservation", "shares")
                     if getattr(io, f) is not None}
            if given.get("limit", -1) < -1 or given.get("reservation", 0) < 0 or (
                    given.get("shares") is not None and given["shares"].level == "custom" and
                    (given["shares"].shares or 0) < 0):
                raise invalid_device(index, "device.storageIOAllocation")
            if given:
                disk["io"] = dict(disk.get("io") or {}, **given)

    def _add_disk(self, index, change, device):
        controller = self._controller_key(device.controllerKey, index)
        unit = self._unit(controller, device.unitNumber, index)
        backing = device.backing
        if backing is None or backing._typeName != "VirtualDiskFlatVer2BackingInfo":
            raise invalid_device(index, "device.backing")
        datastore = self._datastore(backing, index)
        path = self._disk_path(index, datastore, backing.fileName)
        if change.fileOperation != "create":
            if path not in disk_files(self.vc):
                raise faults.Fault.of("FileNotFound", "File %s was not found" % path,
                                      file=path)
            raise faults.NotSupported("vimsim does not attach a disk another VM has.")
        if path in disk_files(self.vc) or any(d["file"] == path for d in self.disks):
            raise faults.Fault.of("FileAlreadyExists", "Cannot complete the operation because "
                                  "the file or folder %s already exists" % path, file=path)
        capacity = device.capacityInKB or (device.capacityInBytes or 0) // KB
        if capacity <= 0:
            raise invalid_device(index, "device.capacityInKB")
        if controller in IDE_KEYS:
            key = 3000 + (controller - 200) * 2 + unit
        else:
            key = 2000 + (controller - 1000) * 16 + unit
        disk = vm_hardware.disk_record(key, capacity, datastore, path, controller, unit,
                                       thin=bool(backing.thinProvisioned))
        self._disk_settings(index, disk, device)
        self.disks.append(disk)
        self.created.append(disk)
        self.keys[device.key] = key

    def _datastore(self, backing, index):
        if backing.datastore is not None:
            found = self.vc.find(backing.datastore)
            if found is None or found not in self.host.datastores:
                raise faults.Fault.of("InvalidDatastore", "The datastore is not accessible.",
                                      datastore=backing.datastore)
            return found
        name = datastore_name(backing.fileName) or datastore_name(self.vmx_path)
        found = next((d for d in self.host.datastores if d.name == name), None)
        if found is None:
            raise faults.Fault.of("InvalidDatastore", "Invalid datastore path '%s'."
                                  % (backing.fileName or self.vmx_path), name=name)
        return found

    def _disk_path(self, index, datastore, file_name):
        """The file a new disk gets: the one named, or the VM's next free ``name_N.vmdk``."""
        rest = (file_name or "").strip()
        rest = rest[rest.index("]") + 1:].strip() if "]" in rest else rest
        if rest:
            if not rest.endswith(".vmdk"):  # a disk's file is a .vmdk (not the VM's .vmx)
                raise faults.Fault.of(
                    "InvalidDeviceBacking", "Invalid configuration for device '%d'." % index,
                    property="device.backing.fileName", deviceIndex=index)
            folder = rest.rsplit("/", 1)[0] if "/" in rest else ""
            own = self.vmx_path.split("] ", 1)[1].rsplit("/", 1)[0] \
                if datastore_name(self.vmx_path) == datastore.name else None
            if folder and folder != own and folder not in datastore.vm_folders():
                # vCenter makes no folder for a disk's file
                missing = "[%s] %s" % (datastore.name, folder)
                raise faults.Fault.of("FileNotFound", "File %s was not found" % missing,
                                      file=missing)
            return "[%s] %s" % (datastore.name, rest)
        folder, vmx = self.vmx_path.split("] ", 1)[1].rsplit("/", 1)
        stem = vmx[:-len(".vmx")]
        taken = disk_files(self.vc) | {d["file"] for d in self.disks}
        for n in range(len(taken) + 1):
            path = "[%s] %s/%s%s.vmdk" % (datastore.name, folder, stem, "_%d" % n if n else "")
            if path not in taken:
                return path

    # -- CD-ROMs and NICs ----------------------------------------------------------------

    def _cdrom(self, index, operation, change, device):
        if operation == "add":
            controller = self._controller_key(device.controllerKey, index)
            if controller not in IDE_KEYS:
                raise invalid_device(index, "device.controllerKey")
            unit = self._unit(controller, device.unitNumber, index)
            cdrom = {"key": 3000 + (controller - 200) * 2 + unit, "controller": controller,
                     "unit": unit, "iso": None, "connected": False}
            self.cdroms.append(cdrom)
            self.keys[device.key] = cdrom["key"]
        else:
            cdrom = self._find(self.cdroms, device.key, index)
            if operation == "remove":
                self.cdroms.remove(cdrom)
                return
        backing = device.backing
        if backing is not None:
            if backing._typeName == "VirtualCdromIsoBackingInfo":
                if not datastore_name(backing.fileName):
                    raise invalid_device(index, "device.backing.fileName")
                cdrom["iso"] = backing.fileName
            else:
                cdrom["iso"] = None
        if device.connectable is not None and device.connectable.startConnected is not None:
            cdrom["connected"] = bool(device.connectable.startConnected)

    def _nic(self, index, operation, change, device):
        if operation == "add":
            self.networks.append(network_of(self.vc, device.backing, index))
            self.nic_types.append(device._typeName)
            self.nic_settings.append(dict(NIC_SETTINGS))
            self._nic_settings(index, len(self.networks) - 1, device)
            return
        slot = (device.key or 0) - NIC_KEY
        if not 0 <= slot < len(self.networks) or self.networks[slot] is None:
            raise invalid_device(index, "device.key")
        if operation == "remove":
            self.networks[slot] = None
            return
        if device.backing is not None:
            self.networks[slot] = network_of(self.vc, device.backing, index)
        self._nic_settings(index, slot, device)

    def _nic_settings(self, index, slot, device):
        """What a NIC's spec sets beyond its network: addressType manual keeps the macAddress
        given (a MAC, else InvalidDeviceSpec), generated has vCenter give one; connectable
        and wakeOnLanEnabled."""
        settings = self.nic_settings[slot] = dict(self.nic_settings[slot])
        kind = device.addressType
        if kind is not None and kind.lower() == "manual":
            mac = device.macAddress or ""
            if not MAC.fullmatch(mac):
                raise invalid_device(index, "device.macAddress")
            settings.update(mac=mac.lower(), address_type="manual")
        elif kind is not None and (kind.lower() == "generated" or (
                kind.lower() == "assigned" and settings["address_type"] == "manual")):
            settings.update(mac=None, address_type="assigned")  # vCenter gives one
        elif kind is not None and kind.lower() != "assigned":
            raise invalid_device(index, "device.addressType")
        connectable = device.connectable
        for field, key in (("connected", "connected"), ("startConnected", "start_connected"),
                           ("allowGuestControl", "allow_guest_control")):
            value = getattr(connectable, field) if connectable is not None else None
            if value is not None:
                settings[key] = bool(value)
        if device.wakeOnLanEnabled is not None:
            settings["wake_on_lan"] = bool(device.wakeOnLanEnabled)
