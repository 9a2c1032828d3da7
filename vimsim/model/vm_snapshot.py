"""VirtualMachineSnapshot: a VM's snapshots, the tree they make, the files they keep, and what
a revert gives back.

A snapshot keeps what the VM was when it was taken: its virtual hardware (CPUs, memory,
devices, extraConfig, guest OS type), its guest (host name, addresses, accounts, the guest's
files, the customization status) and, for a memory snapshot, that it was running. Taking one
freezes the head of each disk's chain and starts a delta disk on top of it (``disk["deltas"]``,
oldest first, beside the base disk); the VM's files (vm_hardware.files) are the union of the
chains the VM and its snapshots name, so space on the datastores follows them. Removing a
snapshot with one dependent (a child snapshot, or the running VM) merges the dependent's first
delta into the one the snapshot froze, as ESXi consolidates; with several it only goes.

vCenter's reference lists no events for these methods: only their tasks' TaskEvents are posted.
"""
import types

from vimsim.model import faults, guest, lifecycle, vm_hardware
from vimsim.model.objects import ExtensibleManagedObject, refs, vim_property
from vimsim.vim25.data import DataObject

POWERED_ON, POWERED_OFF, SUSPENDED = "poweredOn", "poweredOff", "suspended"
# The levels of a snapshot tree a VM takes (ESXi supports chains of 32 snapshots).
MAX_LEVELS = 32
# What a snapshot keeps of the VM's hardware and of its guest (VirtualMachine attributes).
HARDWARE = ("num_cpu", "memory_mb", "cpu_hot_add", "memory_hot_add", "guest_id",
            "guest_full_name", "guest_family", "extra_config", "disks", "controllers", "cdroms",
            "networks", "nic_types", "nic_settings", "config_settings")
GUEST = ("host_name", "nic_addresses", "guest_network_up", "guest_config",
         "pending_customization", "tools_running")


def walk(snapshots):
    """Every snapshot of a tree, each before its children."""
    for snapshot in snapshots:
        yield snapshot
        yield from walk(snapshot.children)


def _copied(name, value):
    """A copy of a VM attribute a snapshot keeps, sharing no list or dict with the VM (the
    datastores and networks in it are the inventory's own)."""
    if name == "disks":
        return [dict(d, deltas=list(d.get("deltas") or ())) for d in value]
    if name in ("controllers", "cdroms", "nic_settings"):
        return [dict(d) for d in value]
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def capture(vm):
    """What a snapshot keeps of ``vm`` now."""
    kept = {name: _copied(name, getattr(vm, name)) for name in HARDWARE + GUEST}
    kept["cores_per_socket"] = vm.cores_per_socket
    kept.update(guest_accounts=guest.account_specs(vm.guest_accounts),
                customization=vm.customization.persisted_state(),
                guest_system=vm.vc.managers["guestOperationsManager"].guest_state(vm))
    return kept


def as_taken(snapshot):
    """The VM as ``snapshot`` kept it, for CloneVM_Task's ``spec.snapshot``: an object with
    the attributes a clone reads of its source (vimsim/model/vm_clone.py)."""
    vm, kept = snapshot.vm, snapshot.captured
    values = {name: getattr(vm, name) for name in (
        "name", "parent", "pool", "host", "datastores", "uuid", "template", "annotation",
        "tools_installed", "tools_autostart", "customization_plan", "custom_scripts")}
    values.update({name: _copied(name, kept[name]) for name in HARDWARE + GUEST})
    values["cores_per_socket"] = kept.get("cores_per_socket", 1)  # (kept since this vimsim)
    values["guest_accounts"] = guest.accounts(kept["guest_accounts"])
    return types.SimpleNamespace(**values)


def disk_records(vm):
    """The disks of ``vm`` and those its snapshots keep (a disk removed since is in these)."""
    return list(vm.disks) + [d for s in walk(vm.snapshot_roots) for d in s.captured["disks"]]


def _new_delta(vm, disk):
    """The next free ``name-00000N.vmdk`` beside the disk's base, as ESXi names deltas."""
    taken = {f for d in disk_records(vm) for f in d.get("deltas") or ()}
    stem = disk["file"][:-len(".vmdk")]
    n = 1
    while "%s-%06d.vmdk" % (stem, n) in taken:
        n += 1
    return "%s-%06d.vmdk" % (stem, n)


def _settle_space(vm, before):
    """The datastores' free space after the VM's files went from ``before`` to now."""
    after = vm_hardware.allocated(vm)
    for ds in set(before) | set(after):
        ds.allocate(after.get(ds, 0) - before.get(ds, 0))


def _needed_deltas(vm, disk):
    """How many deltas the VM's ``disk`` needs: those its current snapshot froze and the one
    the VM writes on top of them (none without a current snapshot holding the disk)."""
    current = vm.current_snapshot
    frozen = next((d for d in current.captured["disks"] if d["key"] == disk["key"]), None) \
        if current is not None else None
    return len(frozen.get("deltas") or ()) + 1 if frozen is not None else 0


def consolidation_needed(vm):
    """runtime.consolidationNeeded: a removal without consolidation left the VM writing to a
    longer chain than its current snapshot needs."""
    return any(len(d.get("deltas") or ()) > _needed_deltas(vm, d) for d in vm.disks)


# -- the VM's snapshot methods' work -----------------------------------------------------

def create(vm, name, description, memory, quiesce):
    """CreateSnapshot_Task's work: the new snapshot, a child of the current one."""
    lifecycle.require_not_template(vm)
    lifecycle.require_name(name)
    parent = vm.current_snapshot
    depth = 0
    level = parent
    while level is not None:
        depth, level = depth + 1, level.parent
    if depth >= MAX_LEVELS:
        raise faults.Fault.of("TooManySnapshotLevels",
                              "Exceeded the maximum number of permitted snapshots.")
    vc = vm.vc
    before = vm_hardware.allocated(vm)
    power = vm.power_state
    snapshot = VirtualMachineSnapshot(vc, vc.new_moid("snapshot-"), vm, parent)
    vm.snapshot_count += 1
    snapshot.id = vm.snapshot_count
    snapshot.name, snapshot.description = name, description or ""
    snapshot.create_time = vc.clock.now()
    # a suspended VM's snapshot always holds its memory; memory of a powered-off one is none
    snapshot.state = SUSPENDED if power == SUSPENDED else \
        POWERED_ON if memory and power == POWERED_ON else POWERED_OFF
    # quiesce is ignored without a running guest and its Tools, as the reference says
    snapshot.quiesced = bool(quiesce and power == POWERED_ON and vm.tools_running)
    snapshot.config_info = vm.config(None)  # its disks name the heads it freezes
    snapshot.captured = capture(vm)
    vc.add(snapshot)
    (parent.children if parent is not None else vm.snapshot_roots).append(snapshot)
    vm.current_snapshot = snapshot
    for disk in vm.disks:
        disk["deltas"] = list(disk.get("deltas") or ()) + [_new_delta(vm, disk)]
    _settle_space(vm, before)
    vm.reconfigured()
    if parent is not None:
        vc.touch(parent)
    vc.touch(snapshot)
    return snapshot.ref


def revert(snapshot, host, suppress_power_on, user):
    """RevertToSnapshot_Task's work: the VM as ``snapshot`` kept it, running again if it
    was a memory snapshot (suspended with ``suppress_power_on``), powered off otherwise."""
    vm = snapshot.vm
    lifecycle.require_not_template(vm)
    kept = snapshot.captured
    target = snapshot.state
    if target == POWERED_ON and suppress_power_on:
        target = SUSPENDED
    before = vm_hardware.allocated(vm)
    lifecycle.apply_changes(vm, {
        "cpus": kept["num_cpu"], "cores_per_socket": kept.get("cores_per_socket", 1),
        "memory_mb": kept["memory_mb"],
        "extra_config": dict(kept["extra_config"]), "disks": _copied("disks", kept["disks"]),
        "controllers": _copied("controllers", kept["controllers"]),
        "cdroms": _copied("cdroms", kept["cdroms"]), "networks": list(kept["networks"]),
        "nic_types": list(kept["nic_types"]),
        "nic_settings": _copied("nic_settings", kept.get("nic_settings", ())),
        "config_settings": dict(kept.get("config_settings", {}))})
    for name in ("cpu_hot_add", "memory_hot_add", "guest_id", "guest_full_name",
                 "guest_family"):
        setattr(vm, name, kept[name])
    for disk in vm.disks:  # the running deltas go; new ones start on the snapshot's heads
        disk["deltas"] = list(disk.get("deltas") or ()) + [_new_delta(vm, disk)]
    vm.current_snapshot = snapshot
    if target == POWERED_ON and host is not None and host is not vm.host:
        vm.place(vm.pool, host)
    # no power event: the reference posts none for a revert
    vm.set_power(target, user, post_event=False)
    _restore_guest(vm, kept, target)
    _settle_space(vm, before)
    vm.reconfigured()


def _restore_guest(vm, kept, power):
    """The guest as the snapshot kept it: names, addresses, accounts, files, customization."""
    vc = vm.vc
    vm.host_name = kept["host_name"]
    vm.nic_addresses = list(kept["nic_addresses"])
    vm.guest_network_up = kept["guest_network_up"]
    vm.guest_config = kept["guest_config"]
    vm.pending_customization = kept["pending_customization"]
    vm.guest_accounts = guest.accounts(kept["guest_accounts"])
    customization = guest.GuestCustomization()
    customization.restore_persisted(kept["customization"], vc)
    customization.generation = vm.customization.generation + 1  # its timers are stale now
    vm.customization = customization
    vc.managers["guestOperationsManager"].restore_guest(vm, kept["guest_system"])
    if power == POWERED_ON and kept["tools_running"]:
        vm.set_tools_running(True)  # a memory snapshot's guest goes on with its Tools
    if customization.in_progress and vm.pending_customization is None:
        if power == POWERED_ON:  # the guest goes on customizing from the start
            vc.guest_customization_manager.begin(vm, customization.spec,
                                                 customization.config_params, None)
        else:
            vc.guest_customization_manager.end(vm, guest.FAILED, guest.POWERED_OFF_MESSAGE)
    vc.touch(vm)


def remove(snapshot, remove_children, consolidate):
    """RemoveSnapshot_Task's work: the snapshot (and with ``remove_children`` those below
    it) gone, its children moved up to its parent."""
    vm = snapshot.vm
    before = vm_hardware.allocated(vm)
    doomed = list(walk([snapshot]))[::-1] if remove_children else [snapshot]
    for each in doomed:  # children first: each is then a leaf
        _remove_one(each, consolidate is not False)
    _settle_space(vm, before)
    vm.reconfigured()


def remove_all(vm, consolidate):
    """RemoveAllSnapshots_Task's work."""
    before = vm_hardware.allocated(vm)
    for each in list(walk(vm.snapshot_roots))[::-1]:
        _remove_one(each, consolidate is not False)
    if consolidate is not False:  # every delta merges into its base disk
        for disk in vm.disks:
            disk["deltas"] = []
    _settle_space(vm, before)
    vm.reconfigured()


def _remove_one(snapshot, consolidate):
    vm, vc = snapshot.vm, snapshot.vc
    parent = snapshot.parent
    dependents = [c.captured["disks"] for c in snapshot.children]
    if vm.current_snapshot is snapshot:
        dependents.append(vm.disks)
        vm.current_snapshot = parent
    if consolidate and len(dependents) == 1:
        _merge(vm, snapshot.captured["disks"], dependents[0])
    siblings = parent.children if parent is not None else vm.snapshot_roots
    at = siblings.index(snapshot)
    siblings[at:at + 1] = snapshot.children
    for child in snapshot.children:
        child.parent = parent
        vc.touch(child)
    if parent is not None:
        vc.touch(parent)
    snapshot.children = []
    vc.remove(snapshot)
    vc.touch(snapshot, structural=True)


def _merge(vm, frozen, dependent):
    """The first delta of each dependent disk after the head the snapshot froze merges into
    that head: every chain that has it loses it."""
    for disk in frozen:
        deltas = disk.get("deltas") or []
        record = next((d for d in dependent if d["file"] == disk["file"] and
                       (d.get("deltas") or [])[:len(deltas)] == deltas), None)
        if record is None or len(record.get("deltas") or ()) <= len(deltas):
            continue
        merged = record["deltas"][len(deltas)]
        for owner, records in [(vm, vm.disks)] + [(s, s.captured["disks"])
                                                  for s in walk(vm.snapshot_roots)]:
            for other in records:
                if merged in (other.get("deltas") or ()):
                    other["deltas"].remove(merged)
                    vm.vc.touch(owner)  # (what a --state file keeps of it changed)


def consolidate(vm):
    """ConsolidateVMDisks_Task's work: the deltas beyond the one the VM writes on top of its
    current snapshot merge into it."""
    before = vm_hardware.allocated(vm)
    for disk in vm.disks:
        disk["deltas"] = list(disk.get("deltas") or ())[:_needed_deltas(vm, disk)]
    _settle_space(vm, before)
    vm.reconfigured()


def drop_all(vm):
    """The VM's snapshot objects out of the inventory (the VM is destroyed or unregistered)."""
    vc = vm.vc
    for snapshot in list(walk(vm.snapshot_roots)):
        vc.remove(snapshot)
        vc.touch(snapshot, structural=True)
    vm.snapshot_roots, vm.current_snapshot = [], None


# -- what the VM shows of them -----------------------------------------------------------

def tree(snapshot):
    return DataObject(
        "VirtualMachineSnapshotTree", snapshot=snapshot.ref, vm=snapshot.vm.ref,
        name=snapshot.name, description=snapshot.description, id=snapshot.id,
        createTime=snapshot.create_time, state=snapshot.state, quiesced=snapshot.quiesced,
        childSnapshotList=[tree(c) for c in snapshot.children], replaySupported=False)


def info(vm):
    """VirtualMachine.snapshot: unset while the VM has none."""
    if not vm.snapshot_roots:
        return None
    current = vm.current_snapshot
    return DataObject("VirtualMachineSnapshotInfo",
                      currentSnapshot=current.ref if current is not None else None,
                      rootSnapshotList=[tree(s) for s in vm.snapshot_roots])


class VirtualMachineSnapshot(ExtensibleManagedObject):
    """One snapshot of a VM; its tree lives on the VM (``snapshot_roots``,
    ``current_snapshot``) and in each snapshot's ``parent`` and ``children``."""

    vim_type = "VirtualMachineSnapshot"
    persisted = ("vm", "parent", "children", "name", "description", "create_time", "id",
                 "state", "quiesced", "captured", "config_info")
    persisted_touched = True

    def __init__(self, vc, moid, vm, parent=None):
        super().__init__(vc, moid)
        self.vm, self.parent = vm, parent
        self.children = []
        self.name = self.description = ""
        self.create_time = None
        self.id = 0
        self.state = POWERED_OFF
        self.quiesced = False
        self.captured = {}
        self.config_info = None

    @classmethod
    def recreate(cls, vc, moid, state):
        return vc.add(cls(vc, moid, state["vm"]))

    def privilege_target(self, args):
        """A refused call names the VM, whose permissions decide (authorization.entity_of)."""
        return self.vm.ref

    # -- vim25 methods -------------------------------------------------------------------

    def RemoveSnapshot_Task(self, ctx, removeChildren, consolidate=None):
        vm = self.vm
        return vm.vc.task_manager.create(
            ctx, vm, "RemoveSnapshot_Task", "vm.Snapshot.remove", self._remove_body,
            vm.vc.timings["snapshot"], args=(bool(removeChildren), consolidate)).ref

    def _remove_body(self, remove_children, consolidate):
        remove(self, remove_children, consolidate)

    def RevertToSnapshot_Task(self, ctx, host=None, suppressPowerOn=None):
        return self.revert_task(ctx, "RevertToSnapshot_Task", "vm.Snapshot.revert", host,
                                suppressPowerOn)

    def revert_task(self, ctx, method, description_id, host, suppress_power_on):
        """The task of a revert to this snapshot (VirtualMachine's RevertToCurrentSnapshot_Task
        too): a host the VM could not run on is InvalidArgument."""
        vm = self.vm
        target = vm.vc.lookup(host, ctx) if host is not None else None
        if target is not None and target not in getattr(vm.pool.owner, "hosts", ()):
            raise faults.InvalidArgument(invalidProperty="host")
        return vm.vc.task_manager.create(
            ctx, vm, method, description_id, self._revert_body, vm.vc.timings["snapshot"],
            args=(target, bool(suppress_power_on), lifecycle.user_of(ctx))).ref

    def _revert_body(self, host, suppress_power_on, user):
        revert(self, host, suppress_power_on, user)

    def RenameSnapshot(self, ctx, name=None, description=None):
        vm = self.vm
        vm.vc.task_manager.require_unlocked(vm)
        if name is not None:
            lifecycle.require_name(name)
            self.name = name
        if description is not None:
            self.description = description
        self.vc.touch(self)
        self.vc.touch(vm)

    # -- properties ----------------------------------------------------------------------

    @vim_property
    def config(self, ctx):
        return self.config_info

    @vim_property
    def childSnapshot(self, ctx):
        return refs(self.children)

    @vim_property
    def vm(self, ctx):
        return self.vm.ref
