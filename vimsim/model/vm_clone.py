"""CloneVM_Task's rules: where a clone goes, what a VirtualMachineConfigSpec changes on it,
and the VM it becomes (a new identity, the source's guest, disks and NICs)."""
import re
import types
import uuid

from vimsim.model import faults, guest, vm_devices, vm_settings
from vimsim.vim25.data import TypedValue
from vimsim.vim25.types import REGISTRY

MAX_NAME = 80  # vCenter's limit on an inventory name
GUEST_IDS = frozenset(REGISTRY.enums["VirtualMachineGuestOsIdentifier"])
# A VM's uuid and instanceUuid: "12345678-abcd-1234-cdef-123456789abc"
UUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")


def location(vc, ctx, source, relocate, where="spec.location."):
    """(pool, host, datastore) of a RelocateSpec, the source's where unset; InvalidArgument
    naming the field (below ``where``) for a place the VM cannot go."""
    relocate = relocate or types.SimpleNamespace(pool=None, host=None, datastore=None)
    pool = vc.lookup(relocate.pool, ctx) if relocate.pool is not None else \
        (None if source.template else source.pool)
    if pool is None or pool.vim_type not in ("ResourcePool", "VirtualApp"):
        raise faults.InvalidArgument(invalidProperty=where + "pool")
    hosts = getattr(pool.owner, "hosts", ())
    if relocate.host is not None:
        host = vc.lookup(relocate.host, ctx)
        if host.vim_type != "HostSystem" or host not in hosts:
            raise faults.InvalidArgument(invalidProperty=where + "host")
    else:
        host = source.host if source.host in hosts else (hosts[0] if hosts else None)
        if host is None:
            raise faults.InvalidArgument(invalidProperty=where + "pool")
    if relocate.datastore is not None:
        datastore = vc.lookup(relocate.datastore, ctx)
        if datastore.vim_type != "Datastore" or datastore not in host.datastores:
            raise faults.InvalidArgument(invalidProperty=where + "datastore")
        datastores = [datastore]
    else:
        datastores = [d for d in source.datastores if d in host.datastores] or \
            list(host.datastores[:1])
    return pool, host, datastores


def privileges(source, folder, pool, datastores, spec):
    """(object, privilege) pairs a clone needs, in the order vCenter checks them."""
    needed = [(source, "VirtualMachine.Provisioning.DeployTemplate" if source.template
               else "VirtualMachine.Provisioning.Clone"),
              (folder, "VirtualMachine.Inventory.CreateFromExisting"),
              (pool, "Resource.AssignVMToPool")]
    needed += [(d, "Datastore.AllocateSpace") for d in datastores]
    if spec.customization is not None:
        needed.append((source, "VirtualMachine.Provisioning.Customize"))
    if spec.template:
        needed.append((source, "VirtualMachine.Provisioning.CreateTemplateFromVM"))
    return needed


def require_name(folder, name):
    if not name or len(name) > MAX_NAME:
        raise faults.InvalidArgument(invalidProperty="name")
    if folder.vim_type != "Folder" or "VirtualMachine" not in folder.child_type:
        raise faults.InvalidArgument(invalidProperty="folder")
    for child in folder.children:
        if child.name == name:
            raise faults.DuplicateName(name=name, object=child.ref)


MAX_MEMORY_MB = 24 * 1024 * 1024  # 24 TB, the most any virtual hardware version takes


def option_text(value):
    """An extraConfig value as the text it is kept as: a boolean or a number as XML Schema
    writes it ("true", "100", "0.5"), never as Python does ("True", "100.0")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def config_changes(vc, vm, config, devices=None, prefix="spec.config.", creating=False):
    """What a VirtualMachineConfigSpec changes on ``vm``, as fixture-style values
    (cpus, memory_mb, annotation, extra_config, and the devices: vm_devices.Devices.values,
    applied to ``devices`` or the VM's own); InvalidArgument or InvalidDeviceSpec for what
    vCenter refuses (``prefix`` names the spec in the fault). Nothing is changed here."""
    changes = {}
    if config is None:
        return changes
    if config.guestId is not None and config.guestId not in GUEST_IDS:
        # vCenter's "A specified parameter was not correct: configSpec.guestId"
        raise faults.InvalidArgument(invalidProperty="configSpec.guestId")
    if config.numCPUs is not None:
        if not 1 <= config.numCPUs <= 768:
            raise faults.InvalidArgument(invalidProperty=prefix + "numCPUs")
        changes["cpus"] = config.numCPUs
    # the CPUs come in sockets of numCoresPerSocket cores: a count that is not a multiple of
    # it is refused, whichever of the two the spec changes
    cores = config.numCoresPerSocket
    if cores is not None and not 1 <= cores <= 768:
        raise faults.InvalidArgument(invalidProperty=prefix + "numCoresPerSocket")
    if cores is not None or config.numCPUs is not None:
        cores = cores if cores is not None else getattr(vm, "cores_per_socket", 1)
        if changes.get("cpus", getattr(vm, "num_cpu", 1)) % cores:
            raise faults.InvalidArgument(invalidProperty=prefix + (
                "numCoresPerSocket" if config.numCoresPerSocket is not None else "numCPUs"))
        changes["cores_per_socket"] = cores
    if config.memoryMB is not None:
        if not 4 <= config.memoryMB <= MAX_MEMORY_MB or config.memoryMB % 4:
            raise faults.InvalidArgument(invalidProperty=prefix + "memoryMB")
        changes["memory_mb"] = config.memoryMB
    if config.annotation is not None:
        changes["annotation"] = config.annotation
    for field, key in (("uuid", "uuid"), ("instanceUuid", "instance_uuid")):
        value = getattr(config, field)
        if value:  # "" leaves it as it is
            if not UUID.fullmatch(value):
                raise faults.InvalidArgument(invalidProperty=prefix + field)
            changes[key] = value.lower()
    if config.extraConfig:
        extra = dict(vm.extra_config)
        for option in config.extraConfig:
            if not option.key:
                raise faults.InvalidArgument(invalidProperty=prefix + "extraConfig")
            value = option.value
            if isinstance(value, TypedValue) and value.type.startswith("xsd:"):
                value = value.value  # an xsd:float or xsd:long, as pyVmomi types them
            if value is None or value == "":  # an empty value removes the key
                extra.pop(option.key, None)
            elif isinstance(value, (str, int, float)):  # kept as the text .vmx holds
                extra[option.key] = option_text(value)
            else:  # a data object or an array: nothing a .vmx line holds
                raise faults.InvalidArgument(invalidProperty=prefix + "extraConfig")
        changes["extra_config"] = extra
    settings = vm_settings.changes(getattr(vm, "config_settings", {}), config, prefix, creating)
    if settings is not None:
        changes["config_settings"] = settings
    if config.deviceChange:
        devices = (devices or vm_devices.Devices.of_vm(vm)).apply(config.deviceChange)
        changes.update(devices.values())
    return changes


def clone_spec(source, moid, name, spec, datastores, changes, files):
    """The fixture-style spec of a full clone: a new identity, the source's guest (its
    accounts, customization plan and Tools), disks and NICs, powered off."""
    values = {
        "name": name, "guest_id": source.guest_id, "guest_full_name": source.guest_full_name,
        "guest_family": source.guest_family, "cpus": source.num_cpu,
        "cores_per_socket": getattr(source, "cores_per_socket", 1),
        "memory_mb": source.memory_mb,
        "uuid": changes.get("uuid") or str(uuid.uuid5(
            uuid.NAMESPACE_OID, "clone/%s/%s" % (source.uuid, moid))),
        "instance_uuid": changes.get("instance_uuid") or str(uuid.uuid5(
            uuid.NAMESPACE_OID, "clone-instance/%s/%s" % (source.uuid, moid))),
        "tools_installed": source.tools_installed, "tools_autostart": source.tools_autostart,
        "power_state": "poweredOff", "hostname": source.host_name,
        "datastores": datastores, "networks": list(source.networks),
        "customization": source.customization_plan, "created": True,
        "vmx_path": vmx_path(datastores[0], files, name),
        "disks": clone_disks(source, name, datastores[0], files),
        "controllers": source.controllers, "cdroms": source.cdroms,
        "nic_types": source.nic_types, "custom_scripts": source.custom_scripts,
        "extra_config": dict(source.extra_config), "annotation": source.annotation,
        "config_settings": dict(source.config_settings), "template": bool(spec.template),
        "guest_accounts": guest.account_specs(source.guest_accounts),
    }
    values.update(changes)
    return values


def free_folder(datastore, base):
    """The folder vCenter gives a new VM's files on ``datastore``: ``base``, or ``base_1``,
    ``base_2``... when another VM's files are there."""
    folders = datastore.vm_folders()
    return next(f for f in (base if n == 0 else "%s_%d" % (base, n)
                            for n in range(len(folders) + 1)) if f not in folders)


def vmx_path(datastore, folder, name):
    """A new VM's files.vmPathName: the .vmx named after it, in ``folder`` (free_folder's)
    on ``datastore``."""
    return "[%s] %s/%s.vmx" % (datastore.name, folder, name)


def clone_disks(source, name, datastore, folder):
    """The source's disks, copied into the clone's ``folder`` on ``datastore``."""
    return [dict(d, datastore=datastore, deltas=[], file="[%s] %s/%s%s.vmdk" % (
        datastore.name, folder, name, "_%d" % i if i else "")) for i, d in enumerate(source.disks)]


def clone_devices(vc, source, name, host, datastore, folder):
    """The clone's devices (its files in ``folder``) before its spec's deviceChange."""
    return vm_devices.Devices(vc, host, vmx_path(datastore, folder, name),
                              clone_disks(source, name, datastore, folder), source.controllers,
                              source.cdroms, source.networks, source.nic_types)


def guest_of(source, changes):
    """What a customization check reads of the clone-to-be."""
    return types.SimpleNamespace(
        tools_installed=source.tools_installed, guest_family=source.guest_family,
        guest_id=source.guest_id, networks=changes.get("networks", source.networks))
