"""CloneVM_Task's rules: where a clone goes, what a VirtualMachineConfigSpec changes on it,
and the VM it becomes (a new identity, the source's guest, disks and NICs)."""
import types
import uuid

from vimsim.model import faults, guest

MAX_NAME = 80  # vCenter's limit on an inventory name


def location(vc, ctx, source, relocate):
    """(pool, host, datastore) of a RelocateSpec, the source's where unset; InvalidArgument
    naming the field for a place the clone cannot go."""
    relocate = relocate or types.SimpleNamespace(pool=None, host=None, datastore=None)
    pool = vc.lookup(relocate.pool, ctx) if relocate.pool is not None else \
        (None if source.template else source.pool)
    if pool is None or pool.vim_type not in ("ResourcePool", "VirtualApp"):
        raise faults.InvalidArgument(invalidProperty="spec.location.pool")
    hosts = getattr(pool.owner, "hosts", ())
    if relocate.host is not None:
        host = vc.lookup(relocate.host, ctx)
        if host.vim_type != "HostSystem" or host not in hosts:
            raise faults.InvalidArgument(invalidProperty="spec.location.host")
    else:
        host = source.host if source.host in hosts else (hosts[0] if hosts else None)
        if host is None:
            raise faults.InvalidArgument(invalidProperty="spec.location.pool")
    if relocate.datastore is not None:
        datastore = vc.lookup(relocate.datastore, ctx)
        if datastore.vim_type != "Datastore" or datastore not in host.datastores:
            raise faults.InvalidArgument(invalidProperty="spec.location.datastore")
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


def _network(vc, backing, index):
    """The Network a NIC backing names (by moRef, or by name as deviceName)."""
    ref = getattr(backing, "network", None)
    found = vc.find(ref) if ref is not None else next(
        (o for o in vc.objects.values() if o.vim_type in ("Network", "DistributedVirtualPortgroup")
         and o.name == getattr(backing, "deviceName", None)), None)
    if found is None or found.vim_type not in ("Network", "DistributedVirtualPortgroup"):
        raise faults.Fault.of("InvalidDeviceSpec", "Invalid network backing for device %d."
                              % index, property="backing", deviceIndex=index)
    return found


NIC_KEY, DISK_KEY, CDROM_KEY = 4000, 2000, 3002


def config_changes(vc, vm, config):
    """What a VirtualMachineConfigSpec changes on ``vm``, as fixture-style values
    (cpus, memory_mb, annotation, extra_config, networks, disk_gb); InvalidArgument or
    InvalidDeviceSpec for what vCenter refuses. Nothing is changed here."""
    changes = {}
    if config is None:
        return changes
    if config.numCPUs is not None:
        if not 1 <= config.numCPUs <= 768:
            raise faults.InvalidArgument(invalidProperty="spec.config.numCPUs")
        changes["cpus"] = config.numCPUs
    if config.memoryMB is not None:
        if config.memoryMB < 4 or config.memoryMB % 4:
            raise faults.InvalidArgument(invalidProperty="spec.config.memoryMB")
        changes["memory_mb"] = config.memoryMB
    if config.annotation is not None:
        changes["annotation"] = config.annotation
    if config.extraConfig:
        extra = dict(vm.extra_config)
        for option in config.extraConfig:
            if not option.key:
                raise faults.InvalidArgument(invalidProperty="spec.config.extraConfig")
            value = option.value
            if value is None or value == "":  # an empty value removes the key
                extra.pop(option.key, None)
            else:
                extra[option.key] = str(value)
        changes["extra_config"] = extra
    networks, disk_gb = list(vm.networks), vm.disk_gb
    for index, change in enumerate(config.deviceChange or ()):
        device = change.device
        kind = getattr(device, "_typeName", "")
        key = getattr(device, "key", None)
        if "EthernetCard" in kind or kind in ("VirtualVmxnet", "VirtualVmxnet2", "VirtualVmxnet3",
                                              "VirtualE1000", "VirtualE1000e", "VirtualPCNet32",
                                              "VirtualSriovEthernetCard"):
            if change.operation == "add":
                networks.append(_network(vc, device.backing, index))
            elif change.operation in ("edit", "remove"):
                slot = (key or 0) - NIC_KEY
                if not 0 <= slot < len(networks):
                    raise faults.Fault.of("InvalidDeviceSpec", "Device %s not found." % key,
                                          property="key", deviceIndex=index)
                if change.operation == "remove":
                    networks[slot] = None
                elif device.backing is not None:
                    networks[slot] = _network(vc, device.backing, index)
            else:
                raise faults.InvalidArgument(invalidProperty="spec.config.deviceChange.operation")
        elif kind == "VirtualDisk" and change.operation == "edit" and key == DISK_KEY:
            size_kb = device.capacityInKB or (device.capacityInBytes or 0) // 1024
            new_gb = -(-size_kb // (1024 * 1024))
            if new_gb < disk_gb:  # a disk only grows
                raise faults.Fault.of("InvalidDeviceSpec", "Disks cannot shrink.",
                                      property="capacityInKB", deviceIndex=index)
            disk_gb = new_gb
        elif kind == "VirtualCdrom" and change.operation == "edit" and key == CDROM_KEY:
            pass  # the CD-ROM's media is not modelled; the edit is accepted as vCenter does
        else:
            raise faults.NotSupported("vimsim does not emulate a %s %s in a clone's config."
                                      % (change.operation, kind or "device"))
    networks = [n for n in networks if n is not None]
    if networks != list(vm.networks):
        changes["networks"] = networks
    if disk_gb != vm.disk_gb:
        changes["disk_gb"] = disk_gb
    return changes


def clone_spec(source, moid, name, spec, datastores, changes):
    """The fixture-style spec of a full clone: a new identity, the source's guest (its
    accounts, customization plan and Tools), disks and NICs, powered off."""
    config = spec.config
    values = {
        "name": name, "guest_id": source.guest_id, "guest_full_name": source.guest_full_name,
        "guest_family": source.guest_family, "cpus": source.num_cpu,
        "memory_mb": source.memory_mb,
        "uuid": getattr(config, "uuid", None) or str(uuid.uuid5(
            uuid.NAMESPACE_OID, "clone/%s/%s" % (source.uuid, moid))),
        "instance_uuid": getattr(config, "instanceUuid", None) or str(uuid.uuid5(
            uuid.NAMESPACE_OID, "clone-instance/%s/%s" % (source.uuid, moid))),
        "tools_installed": source.tools_installed, "tools_autostart": source.tools_autostart,
        "power_state": "poweredOff", "hostname": source.host_name,
        "datastores": datastores, "networks": list(source.networks),
        "customization": source.customization_plan, "disk_gb": source.disk_gb,
        "custom_scripts": source.custom_scripts,
        "extra_config": dict(source.extra_config), "annotation": source.annotation,
        "template": bool(spec.template),
        "guest_accounts": guest.account_specs(source.guest_accounts),
    }
    values.update(changes)
    return values


def guest_of(source, changes):
    """What a customization check reads of the clone-to-be."""
    return types.SimpleNamespace(
        tools_installed=source.tools_installed, guest_family=source.guest_family,
        guest_id=source.guest_id, networks=changes.get("networks", source.networks))
