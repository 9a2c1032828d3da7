"""The inventory's lifecycle: entities created (CreateVM_Task, CreateFolder), renamed,
moved, reconfigured (ReconfigVM_Task) and destroyed (Destroy_Task, UnregisterVM), with the
faults and events vCenter gives. The vim25 methods on the managed object classes call in.

A destroyed entity leaves ``vc.objects`` (its moRef answers ManagedObjectNotFound) and the
tree (property filters report it ``leave``; views and SearchIndex walk the tree); a fixture
entity destroyed is listed in ``vc.removed`` so that a restored snapshot loses it too.
"""
import re
import types
import uuid

from vimsim.model import (authorization, environment_browser, faults, vm_clone, vm_devices,
                          vm_hardware, vm_settings)
from vimsim.model.objects import MANAGED_TYPES
from vimsim.vim25.data import DataObject

MAX_NAME = vm_clone.MAX_NAME
POWERED_ON, POWERED_OFF = "poweredOn", "poweredOff"

# The privilege Rename_Task and Destroy_Task need, by entity type (vim25 leaves it dynamic).
RENAME_PRIVILEGES = {"VirtualMachine": "VirtualMachine.Config.Rename", "Folder": "Folder.Rename",
                     "Datacenter": "Datacenter.Rename", "Datastore": "Datastore.Rename",
                     "ClusterComputeResource": "Host.Inventory.RenameCluster",
                     "ComputeResource": "Host.Inventory.RenameCluster",
                     "ResourcePool": "Resource.RenamePool", "Network": "Network.Config"}
DESTROY_PRIVILEGES = {"VirtualMachine": "VirtualMachine.Inventory.Delete",
                      "Folder": "Folder.Delete", "Datacenter": "Datacenter.Delete",
                      "ClusterComputeResource": "Host.Inventory.DeleteCluster",
                      "ResourcePool": "Resource.DeletePool"}
# A new folder's moId prefix, by what its parent holds
FOLDER_PREFIXES = (("VirtualMachine", "group-v"), ("ComputeResource", "group-h"),
                   ("Datastore", "group-s"), ("Network", "group-n"), ("Datacenter", "group-d"))
OBJECT_TYPES = {"VirtualMachine": "VirtualMachine", "Folder": "Folder",
                "Datacenter": "Datacenter", "Datastore": "Datastore", "Network": "Network",
                "ComputeResource": "ComputeResource", "ClusterComputeResource": "ComputeResource",
                "DistributedVirtualPortgroup": "Network", "VirtualApp": "VirtualApp",
                "StoragePod": "StoragePod", "DistributedVirtualSwitch": "DistributedVirtualSwitch"}


# How an event names an entity: its argument's type and the field holding its moRef.
EVENT_ARGUMENTS = {"Datacenter": ("DatacenterEventArgument", "datacenter"),
                   "Folder": ("FolderEventArgument", "folder"),
                   "ComputeResource": ("ComputeResourceEventArgument", "computeResource"),
                   "ClusterComputeResource": ("ComputeResourceEventArgument", "computeResource"),
                   "ResourcePool": ("ResourcePoolEventArgument", "resourcePool")}


def event_argument(entity):
    type_name, field = EVENT_ARGUMENTS[entity.vim_type]
    return DataObject(type_name, name=entity.name, **{field: entity.ref})


def entity_arguments(entity):
    """An event's fields naming ``entity`` (a compute resource or a pool) and where it is."""
    compute = getattr(entity, "owner", entity)
    fields = {"datacenter": event_argument(entity.datacenter()),
              "computeResource": event_argument(compute)}
    if compute is not entity:
        fields["resourcePool"] = event_argument(entity)
    return fields


def require_privilege(ctx, obj, privilege):
    authorization.require(obj.vc, ctx, obj, privilege)


def user_of(ctx):
    return ctx.user_name or ""


def post(vc, type_name, vm, message, user, **fields):
    """An event in the chain of the task whose work this is (none for a direct call)."""
    running = vc.task_manager.running
    return vc.event_manager.post(type_name, vm, message, user=user, chain_id=running and
                                 running.info.eventChainId, **fields)


def require_name(name):
    """InvalidName for what vCenter does not take as an inventory name."""
    if not name or len(name) > MAX_NAME or not name.strip():
        raise faults.InvalidName(name=name or "")


# What ManagedEntity.name escapes: "/" and "\\", and "%" unless it starts an escape (%XX)
_ESCAPED = re.compile(r"[/\\]|%(?![0-9A-Fa-f]{2})")
_ESCAPES = {"/": "%2f", "\\": "%5c", "%": "%25"}


def escaped_name(name):
    """An entity's name as vCenter keeps it: "a/b" is "a%2fb" (so that an inventory path's
    slashes are only its separators)."""
    return _ESCAPED.sub(lambda found: _ESCAPES[found.group()], name) if name else name


def inventory_name(name):
    """A new name for an entity, checked (InvalidName) and escaped as vCenter keeps it."""
    require_name(name)
    return escaped_name(name)


def require_unique(folder, name, entity=None):
    for child in folder.inventory_children():
        if child is not None and child is not entity and child.name == name:
            raise faults.DuplicateName(name=name, object=child.ref)


def _on_vm(vm, what):
    """An event's message naming the VM, its host and datacenter in that order."""
    return what % (vm.name, vm.host.name, vm.datacenter().name)


# -- removal -----------------------------------------------------------------------------

def remove(vc, entity):
    """``entity`` and what it holds out of the inventory, as Destroy_Task leaves them. A
    child resource pool's pools and VMs move up to its parent pool, as vCenter moves them."""
    if entity.vim_type == "VirtualMachine":
        entity._next_cycle()  # its Tools and guest timers die with it
        entity.drop_snapshots()
        for holder in (entity.pool.vms, entity.host.vms):
            if entity in holder:
                holder.remove(entity)
        for d in entity.datastores + entity.networks:
            if entity in d.vms:
                d.vms.remove(entity)
        for obj in (entity.pool, entity.host):
            vc.touch(obj, structural=True)
    elif entity.vim_type == "ResourcePool" and not entity.is_root:
        parent = entity.parent
        for pool in entity.pools:
            pool.parent = parent
        for vm in entity.vms:
            vm.pool = parent
            vc.touch(vm)
        parent.pools = [p for p in parent.pools if p is not entity] + entity.pools
        parent.vms += entity.vms
        entity.pools, entity.vms = [], []
        vc.touch(parent, structural=True)
    elif entity.vim_type == "ResourcePool":  # a root pool, with its compute resource
        while entity.pools:
            remove(vc, entity.pools[0])
        for vm in list(entity.vms):
            remove(vc, vm)
    else:
        for child in list(entity.inventory_children()):
            if child is not None and vc.objects.get(child.moid) is child:
                remove(vc, child)
        if entity.vim_type == "HostSystem":
            _unlink_host(vc, entity)
        browser = getattr(entity, "environment_browser", None)  # a compute resource's
        if browser is not None:
            vc.remove(browser)
    parent = entity.parent
    if parent is not None and entity in getattr(parent, "children", ()):
        parent.children.remove(entity)
        vc.touch(parent, structural=True)
    vc.remove(entity)
    vc.removed.append(entity.moid)
    vc.tagging.forget(entity.moid)
    vc.touch(entity, structural=True)


def _unlink_host(vc, host):
    """A removed host out of its compute resource's and its datastores' and networks' lists,
    its configuration managers with it."""
    compute = host.parent
    if host in getattr(compute, "hosts", ()):
        compute.hosts.remove(host)
        vc.touch(compute)
    for held in host.datastores + host.networks:
        if host in held.hosts:
            held.hosts.remove(host)
            vc.touch(held)
    for manager in host.config_managers.values():
        vc.remove(manager)


def host_network(host, name):
    """The standard network ``name`` of the host's datacenter, on the host too (AddPortGroup's
    port group): made in the datacenter's network folder when no host has it yet."""
    vc, dc = host.vc, host.datacenter()
    network = next((n for n in dc.networks if n.name == name), None)
    if network is not None and network.vim_type != "Network":  # a distributed port group's
        raise faults.AlreadyExists(name=name)
    if network is None:
        network = vc.add(MANAGED_TYPES["Network"](vc, vc.new_moid("network-"), name,
                                                  dc.network_folder))
        dc.network_folder.add_child(network)
        dc.networks.append(network)
    for holder, item in ((host.networks, network), (network.hosts, host),
                         (host.parent.networks, network)):
        if item not in holder:
            holder.append(item)
    for obj in (host, network, host.parent):
        vc.touch(obj)
    return network


def drop_host_network(host, network):
    """RemovePortGroup's: the network off the host; gone when no host or VM has it."""
    vc = host.vc
    host.networks.remove(network)
    network.hosts.remove(host)
    compute = host.parent
    if network in compute.networks and not any(network in h.networks for h in compute.hosts):
        compute.networks.remove(network)
    if not network.hosts and not network.vms:
        dc = network.datacenter()
        if network in dc.networks:
            dc.networks.remove(network)
        remove(vc, network)
    for obj in (host, compute):
        vc.touch(obj)


def vms_below(entity):
    if entity.vim_type == "VirtualMachine":
        return [entity]
    return [vm for child in getattr(entity, "children", ()) for vm in vms_below(child)]


def destroy_vm(vm, user, unregister=False):
    """VmRemovedEvent, the VM out of the inventory; Destroy_Task also deletes its files."""
    vc = vm.vc
    vm.require_power(POWERED_OFF, (POWERED_OFF, "suspended"))
    post(vc, "VmRemovedEvent", vm, _on_vm(vm, "Removed %s on %s from %s"), user)
    if not unregister:
        for ds, size in vm_hardware.allocated(vm).items():
            ds.allocate(-size)
    else:
        unregistered(vm)
    remove(vc, vm)


def unregistered(vm):
    """A VM's files stay on its datastore, and what RegisterVM_Task reads of them (not its
    snapshots)."""
    vm.drop_snapshots()
    if not vm.datastores:
        return
    kept = {k: v for k, v in vm.persisted_state().items() if k not in ("folder", "pool", "host")}
    vm.datastores[0].unregistered = dict(vm.datastores[0].unregistered, **{vm.vmx_path: kept})


def register_vm(folder, path, name, as_template, pool, host, user):
    """RegisterVM_Task's work: the VM whose .vmx is at ``path`` (one UnregisterVM left) back in
    the inventory, with a new moId; a template needs a host, a VM a pool."""
    vc = folder.vc
    datastore_name = vm_devices.datastore_name(path or "")
    datastore = next((d for d in folder.datacenter().datastores if d.name == datastore_name),
                     None)
    if datastore is None:
        raise faults.Fault.of("InvalidDatastore", "Invalid datastore path '%s'." % path,
                              name=datastore_name or "")
    if any(vm.vmx_path == path for vm in datastore.vms):
        raise faults.Fault.of("AlreadyExists", "The specified key, name, or identifier '%s' "
                              "already exists." % path, name=path)
    state = datastore.unregistered.get(path)
    if state is None:
        raise faults.Fault.of("FileNotFound", "File %s was not found" % path, file=path)
    if as_template:
        if host is None or pool is not None:
            raise faults.InvalidArgument(invalidProperty="host" if host is None else "pool")
        pool = host.parent.resource_pool
    elif pool is None:
        raise faults.InvalidArgument(invalidProperty="pool")
    host = placement(vc, pool, host)
    name = inventory_name(name) if name else state["name"]
    require_unique(folder, name)
    state = dict(state, name=name, folder=folder, pool=pool, host=host,
                 template=bool(as_template))
    # as a snapshot's restore brings back a VM the fixture lacks, with a new moId
    vm = MANAGED_TYPES["VirtualMachine"].recreate(vc, vc.new_moid("vm-"), state)
    vm.restore_persisted(state)
    datastore.unregistered = {k: v for k, v in datastore.unregistered.items() if k != path}
    vc.touch(datastore)
    post(vc, "VmRegisteredEvent", vm, _on_vm(vm, "Registered %s on %s in %s"), user)
    return vm.ref


def destroy_folder(folder, user, unregister=False):
    """Destroy_Task (and UnregisterAndDestroy_Task) of a folder: every VM below it must be
    powered off; they are destroyed (unregistered), the folders below it with them."""
    if folder.parent is None or folder.parent.vim_type != "Folder":
        raise faults.NotSupported()  # the root folder and a datacenter's own folders stay
    vms = vms_below(folder)
    for vm in vms:
        vm.require_power(POWERED_OFF, (POWERED_OFF, "suspended"))
    for vm in vms:
        destroy_vm(vm, user, unregister)
    remove(folder.vc, folder)


def destroy(entity, user, unregister=False):
    """Destroy_Task's work on a VM, a folder, a datacenter or a cluster."""
    if entity.vim_type == "VirtualMachine":
        destroy_vm(entity, user, unregister)
    elif entity.vim_type == "Folder":
        destroy_folder(entity, user, unregister)
    else:
        destroy_container(entity, user)


def destroy_container(entity, user):
    """Destroy_Task of a datacenter or a cluster: what it holds leaves the inventory with
    it (its VMs' files stay on their datastores, as when a host leaves vCenter)."""
    vc = entity.vc
    arguments = entity_arguments(entity) if entity.vim_type == "ClusterComputeResource" else None
    vms = vms_below(entity.vm_folder) if entity.vim_type == "Datacenter" else entity.all_vms()
    for vm in vms:
        unregistered(vm)
    remove(vc, entity)
    if arguments is not None:
        post(vc, "ClusterDestroyedEvent", None, None, user, **arguments)


def reconfigure_privileges(spec):
    """The privileges a ReconfigVM_Task spec needs, as vCenter names them."""
    needed = [p for field, p in (("numCPUs", "CPUCount"), ("memoryMB", "Memory"),
                                 ("annotation", "Annotation"), ("extraConfig", "AdvancedConfig"),
                                 ("name", "Rename")) if getattr(spec, field)]
    for change in spec.deviceChange or ():
        disk = getattr(change.device, "_typeName", "") == "VirtualDisk"
        needed.append({("add", True): "AddNewDisk", ("edit", True): "DiskExtend",
                       ("remove", True): "RemoveDisk"}.get(
            (change.operation, disk), "EditDevice" if change.operation == "edit"
            else "AddRemoveDevice"))
    return ["VirtualMachine.Config." + p for p in dict.fromkeys(needed or ["Settings"])]


# -- renaming and folders ----------------------------------------------------------------

def rename(entity, new_name, user):
    new_name = inventory_name(new_name)
    if entity.vim_type == "HostSystem" or (
            entity.vim_type == "Folder" and (entity.parent is None
                                             or entity.parent.vim_type == "Datacenter")):
        raise faults.NotSupported()
    if entity.parent is not None:
        require_unique(entity.parent, new_name, entity)
    old, entity.name = entity.name, new_name
    vc = entity.vc
    if entity.vim_type == "VirtualMachine":
        entity.reconfigured()
        post(vc, "VmRenamedEvent", entity, "Renamed %s from %s to %s in %s" % (
            entity.name, old, new_name, entity.datacenter().name), user, oldName=old,
            newName=new_name)
    elif entity.vim_type == "Datacenter":
        post(vc, "DatacenterRenamedEvent", None, "Renamed datacenter from %s to %s" % (
            old, new_name), user, oldName=old, newName=new_name, datacenter=DataObject(
                "DatacenterEventArgument", name=new_name, datacenter=entity.ref))
    elif entity.vim_type == "Datastore":
        post(vc, "DatastoreRenamedEvent", None, "Renamed datastore from %s to %s" % (
            old, new_name), user, oldName=old, newName=new_name, datastore=DataObject(
                "DatastoreEventArgument", name=new_name, datastore=entity.ref))
    vc.touch(entity)
    if entity.parent is not None:
        vc.touch(entity.parent)


def create_folder(folder, name):
    if "Folder" not in folder.child_type:
        raise faults.NotSupported()
    name = inventory_name(name)
    require_unique(folder, name)
    vc = folder.vc
    prefix = next(p for kind, p in FOLDER_PREFIXES if kind in folder.child_type)
    child_type = list(folder.child_type)
    new = vc.add(type(folder)(vc, vc.new_moid(prefix), name, folder, child_type))
    folder.add_child(new)
    return new


def _ancestors(entity):
    while entity is not None:
        yield entity
        entity = entity.parent


def move_into(folder, entities):
    """MoveIntoFolder_Task's work: each entity checked, then all moved."""
    vc = folder.vc
    for entity in entities:
        kind = "Folder" if entity.vim_type == "Folder" else OBJECT_TYPES.get(entity.vim_type)
        if kind not in folder.child_type or (
                kind == "Folder" and entity.child_type != folder.child_type):
            raise faults.NotSupported()
        if entity.vim_type == "Folder" and entity in _ancestors(folder):
            raise faults.Fault.of("InvalidFolder", "The folder '%s' cannot be moved into "
                                  "itself or one of its subfolders." % entity.name,
                                  target=entity.ref)
        if entity.parent is None or entity.parent.vim_type != "Folder" or \
                entity.datacenter() is not folder.datacenter():
            raise faults.NotSupported()
        if entity.parent is not folder:
            require_unique(folder, entity.name)
    for entity in entities:
        if entity.parent is not folder:
            old = entity.parent
            old.children.remove(entity)
            vc.touch(old, structural=True)
            folder.add_child(entity)
            vc.touch(entity)


# -- CreateVM_Task -----------------------------------------------------------------------

def guest_of(guest_id):
    """(family, full name) of a guest id, as the environment browser names it."""
    for gid, family, full_name, *_ in environment_browser.GUESTS:
        if gid == guest_id:
            return family, full_name
    family = "windowsGuest" if guest_id.startswith("win") else \
        "linuxGuest" if not guest_id.startswith("other") else "otherGuestFamily"
    return family, guest_id


def placement(vc, pool, host):
    """The host a VM made in ``pool`` runs on: the one named (in the pool's compute
    resource, else InvalidArgument), or the one with the fewest VMs."""
    hosts = getattr(pool.owner, "hosts", ())
    if host is not None:
        if host not in hosts:
            raise faults.InvalidArgument(invalidProperty="host")
        return host
    if not hosts:
        raise faults.InvalidArgument(invalidProperty="pool")
    return min(hosts, key=lambda h: len(h.vms))


def vmx_path_of(vc, host, config, vm_name):
    """The .vmx a new VM gets from ``files.vmPathName`` (``[ds]`` alone: a folder named
    after the VM, ``_1`` and on when taken): InvalidDatastorePath for a datastore the host
    does not mount, FileAlreadyExists for a .vmx another VM has."""
    files = config.files
    path = (files.vmPathName or "").strip() if files is not None else ""
    name = vm_devices.datastore_name(path)
    if not path or name is None:
        raise faults.InvalidArgument(invalidProperty="config.files.vmPathName")
    datastore = next((d for d in host.datastores if d.name == name), None)
    if datastore is None:
        raise faults.Fault.of("InvalidDatastorePath", "Invalid datastore path '%s'." % path,
                              datastorePath=path, name=name)
    rest = path[path.index("]") + 1:].strip().rstrip("/")
    taken = {vm.vmx_path for vm in datastore.vms}
    if rest.endswith(".vmx"):
        vmx = "[%s] %s" % (name, rest)
        if vmx in taken:
            raise faults.Fault.of("FileAlreadyExists", "Cannot complete the operation because "
                                  "the file or folder %s already exists" % vmx, file=vmx)
        return datastore, vmx
    folder = vm_clone.free_folder(datastore, rest or vm_name)
    return datastore, "[%s] %s/%s.vmx" % (name, folder, vm_name)


def create_vm(folder, config, pool, host, user):
    """CreateVM_Task's work: the VM its config describes, powered off, in ``folder``."""
    vc = folder.vc
    name = inventory_name(config.name)
    require_unique(folder, name)
    datastore, vmx = vmx_path_of(vc, host, config, name)
    devices = vm_devices.Devices(vc, host, vmx)
    changes = vm_clone.config_changes(vc, types.SimpleNamespace(extra_config={}), config,
                                      devices, prefix="config.", creating=True)
    guest_id = config.guestId or "otherGuest"
    family, full_name = guest_of(guest_id)
    moid = vc.new_moid("vm-")
    datastores = [datastore] + [d["datastore"] for d in changes.get("disks", ())
                                if d["datastore"] is not datastore]
    spec = {
        "name": name, "guest_id": guest_id, "guest_family": family,
        "guest_full_name": full_name,
        "uuid": changes.get("uuid") or str(uuid.uuid5(uuid.NAMESPACE_OID, "create/%s/%s" % (
            vc.instance_uuid, moid))),
        "instance_uuid": changes.get("instance_uuid") or str(uuid.uuid5(
            uuid.NAMESPACE_OID, "create-instance/%s/%s" % (vc.instance_uuid, moid))),
        # a new VM has no guest operating system yet, so no Tools and no address
        "tools_installed": False, "power_state": POWERED_OFF, "ip": None,
        "datastores": list(dict.fromkeys(datastores)), "vmx_path": vmx, "created": True,
        "disks": [], "controllers": [], "cdroms": [], "networks": [], "nic_types": [],
        "cpu_hot_add": bool(config.cpuHotAddEnabled),
        "memory_hot_add": bool(config.memoryHotAddEnabled),
    }
    spec.update(changes)
    vm = vc.add_vm(spec, folder, pool, host, moid=moid)
    for ds, size in vm_hardware.allocated(vm).items():
        ds.allocate(size)
    post(vc, "VmBeingCreatedEvent", vm, _on_vm(vm, "Creating %s on %s, in %s"), user,
         configSpec=config)
    post(vc, "VmCreatedEvent", vm, _on_vm(vm, "Created virtual machine %s on %s in %s"), user)
    return vm.ref


# -- ReconfigVM_Task ---------------------------------------------------------------------

def require_hot_change(vm, spec):
    """What a powered-on VM refuses: fewer CPUs or less memory, more without hot add
    enabled, turning hot add on or off, another guest OS, other cores per socket."""
    if vm.power_state != POWERED_ON:
        return
    refused = (
        spec.numCPUs is not None and (spec.numCPUs < vm.num_cpu or (
            spec.numCPUs > vm.num_cpu and not vm.cpu_hot_add)),
        spec.memoryMB is not None and (spec.memoryMB < vm.memory_mb or (
            spec.memoryMB > vm.memory_mb and not vm.memory_hot_add)),
        spec.cpuHotAddEnabled is not None and bool(spec.cpuHotAddEnabled) != vm.cpu_hot_add,
        spec.memoryHotAddEnabled is not None and
        bool(spec.memoryHotAddEnabled) != vm.memory_hot_add,
        spec.guestId is not None and spec.guestId != vm.guest_id,
        spec.numCoresPerSocket is not None and spec.numCoresPerSocket != vm.cores_per_socket,
        bool(vm_settings.cold_changes(vm.config_settings, spec)))
    if any(refused):
        raise faults.invalid_power_state(POWERED_OFF, vm.power_state)


def reconfigure(vm, spec, user):
    """ReconfigVM_Task's work: the spec checked whole, then applied."""
    vc = vm.vc
    if spec.changeVersion and spec.changeVersion != vm.change_version():
        raise faults.ConcurrentAccess()
    require_not_template(vm)
    require_hot_change(vm, spec)
    name = vm.name if spec.name is None or spec.name == vm.name else inventory_name(spec.name)
    if name != vm.name:
        require_unique(vm.parent, name, vm)
    devices = vm_devices.Devices.of_vm(vm)
    changes = vm_clone.config_changes(vc, vm, spec, devices, prefix="spec.")
    before = vm_hardware.allocated(vm)
    kept = {d["key"] for d in devices.disks + devices.destroyed}
    detached = [d for d in vm.disks if d["key"] not in kept]
    apply_changes(vm, changes)
    vm.name = name
    if spec.guestId is not None:
        vm.guest_id = spec.guestId
        vm.guest_family, vm.guest_full_name = guest_of(spec.guestId)
    if spec.cpuHotAddEnabled is not None:
        vm.cpu_hot_add = bool(spec.cpuHotAddEnabled)
    if spec.memoryHotAddEnabled is not None:
        vm.memory_hot_add = bool(spec.memoryHotAddEnabled)
    after = vm_hardware.allocated(vm)
    for disk in detached:  # a disk removed without destroying its file keeps its space
        ds = disk["datastore"]
        after[ds] = after.get(ds, 0) + vm_hardware.DESCRIPTOR_BYTES + disk["used"]
    for ds in set(before) | set(after):
        ds.allocate(after.get(ds, 0) - before.get(ds, 0))
    vm.reconfigured()
    for container in (vm.pool, vm.pool.owner, vm.host):
        vc.touch(container)
    post(vc, "VmReconfiguredEvent", vm, _on_vm(vm, "Reconfigured %s on %s in %s"), user,
         configSpec=spec)


def apply_changes(vm, changes):
    """Fixture-style values (vm_clone.config_changes's) set on the VM."""
    vc = vm.vc
    for key, attr in (("cpus", "num_cpu"), ("cores_per_socket", "cores_per_socket"),
                      ("memory_mb", "memory_mb"), ("uuid", "uuid"),
                      ("instance_uuid", "instance_uuid"),
                      ("annotation", "annotation"), ("extra_config", "extra_config"),
                      ("disks", "disks"), ("controllers", "controllers"),
                      ("cdroms", "cdroms"), ("nic_types", "nic_types"),
                      ("nic_settings", "nic_settings"),
                      ("config_settings", "config_settings")):
        if key in changes:
            setattr(vm, attr, changes[key])
    if "networks" in changes:
        for net in vm.networks:
            if vm in net.vms:
                net.vms.remove(vm)
                vc.touch(net)
        vm.networks = list(changes["networks"])
        for net in vm.networks:
            if vm not in net.vms:
                net.vms.append(vm)
                vc.touch(net)
        vm.nic_addresses = (vm.nic_addresses + [None] * len(vm.networks))[:len(vm.networks)]
    for disk in vm.disks:
        ds = disk["datastore"]
        if ds is not None and ds not in vm.datastores:
            vm.datastores.append(ds)
            ds.vms.append(vm)
            vc.touch(ds)


# -- templates ---------------------------------------------------------------------------

def require_not_template(vm):
    """What a template refuses: a reconfiguration, a snapshot taken or reverted to."""
    if vm.template:
        raise faults.InvalidState("The operation is not allowed on a template.")


def mark_as_template(vm):
    if vm.template:
        raise faults.NotSupported()
    vm.require_power(POWERED_OFF, (POWERED_OFF,))
    vm.vc.task_manager.require_unlocked(vm)
    vm.template = True
    vm.reconfigured()
    vm.vc.touch(vm.pool, structural=True)


def mark_as_virtual_machine(vm, pool, host):
    if not vm.template:
        raise faults.NotSupported()
    vm.vc.task_manager.require_unlocked(vm)
    if host is None and vm.host in getattr(pool.owner, "hosts", ()):
        host = vm.host
    host = placement(vm.vc, pool, host)
    vm.place(pool, host)
    vm.template = False
    vm.reconfigured()
    vm.vc.touch(pool, structural=True)
