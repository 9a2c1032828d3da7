"""VirtualMachine: power state, VMware Tools, the guest, and the power operations."""
import uuid

from vimsim.model import authorization, faults, guest, guest_config, lifecycle, vm_clone, \
    vm_devices, vm_hardware, vm_settings, vm_snapshot
from vimsim.model.inventory import ManagedEntity
from vimsim.model.objects import refs, vim_property
from vimsim.vim25.data import DataObject, format_datetime

POWERED_ON, POWERED_OFF, SUSPENDED = "poweredOn", "poweredOff", "suspended"


class VirtualMachine(ManagedEntity):
    vim_type = "VirtualMachine"
    # Slots keep a VM at a third of the memory of a per-instance dict (10,000 VMs: issue 9).
    __slots__ = ("pool", "host", "datastores", "networks", "guest_id", "guest_full_name",
                 "guest_family", "num_cpu", "cores_per_socket", "memory_mb", "uuid",
                 "instance_uuid", "tools_installed", "tools_autostart", "power_state", "tools_running",
                 "host_name", "nic_addresses", "guest_network_up", "guest_accounts",
                 "customization", "customization_plan", "hypervisor_version",
                 "pending_customization", "customization_override", "boot_time", "power_cycle",
                 "cycle_timers", "extra_config", "annotation", "template", "vmx_path", "disks",
                 "controllers", "cdroms", "nic_types", "nic_settings", "config_settings",
                 "cpu_hot_add", "memory_hot_add", "create_date", "modified", "guest_config",
                 "custom_scripts", "snapshot_roots", "current_snapshot", "snapshot_count")

    def __init__(self, vc, moid, name, folder, pool, host, spec):
        super().__init__(vc, moid, name, folder)
        self.pool, self.host = pool, host
        self.datastores = list(spec.get("datastores", ()))
        self.networks = list(spec.get("networks", ()))  # one virtual NIC on each
        self.guest_id = spec.get("guest_id", "otherLinux64Guest")
        self.guest_full_name = spec.get("guest_full_name", "Other Linux (64-bit)")
        self.guest_family = spec.get("guest_family", "linuxGuest")
        self.num_cpu = spec.get("cpus", 1)
        self.cores_per_socket = spec.get("cores_per_socket", 1)
        self.memory_mb = spec.get("memory_mb", 32)
        self.uuid = spec["uuid"]
        self.instance_uuid = spec["instance_uuid"]
        self.tools_installed = spec.get("tools_installed", True)
        # Whether the guest starts VMware Tools when it boots (False: tools stay down).
        self.tools_autostart = spec.get("tools_autostart", True)
        self.power_state = spec.get("power_state", POWERED_ON)
        self.tools_running = (self.power_state == POWERED_ON and self.tools_installed
                              and spec.get("tools_running", self.tools_autostart))
        self.host_name = spec.get("hostname", name.lower().replace("_", "-"))
        # Per NIC, the address the guest has on it when its network is up (None: none).
        self.nic_addresses = [spec.get("ip")] + [None] * (len(self.networks) - 1)
        self.guest_network_up = spec.get("guest_network_up", True)
        self.guest_accounts = guest.accounts(spec.get("guest_accounts",
                                                      guest.default_accounts(self.guest_family)))
        self.customization = guest.GuestCustomization()
        self.customization_plan = spec.get("customization")
        self.hypervisor_version = spec.get("hypervisor_version")  # None: its host's
        # A customization set for the next power-on (the REST API's PUT), or None.
        self.pending_customization = None
        # A fault rule's outcome for the next customization (guest_fail, guest_hang), or None.
        self.customization_override = None
        self.boot_time = vc.boot_time if self.power_state == POWERED_ON else None
        self.power_cycle = 0  # bumps on every power change; stale tools timers check it
        self.cycle_timers = []  # what this power cycle has scheduled (Tools, guest shutdown)
        # config.files.vmPathName, fixed when the VM is made (a rename keeps its files)
        self.vmx_path = spec.get("vmx_path") or "[%s] %s/%s.vmx" % (
            self.datastores[0].name if self.datastores else "LocalDS_0", name, name)
        # The devices beyond those every VM has (vm_hardware.disk_record and its neighbours)
        self.disks = spec["disks"] if "disks" in spec else vm_hardware.default_disks(
            self.datastores[0] if self.datastores else None, self.vmx_path,
            spec.get("disk_gb", 16))
        self.controllers = spec["controllers"] if "controllers" in spec else \
            vm_hardware.default_controllers()
        self.cdroms = spec["cdroms"] if "cdroms" in spec else vm_hardware.default_cdroms()
        # The adapter type of the NIC on each of ``networks``
        self.nic_types = list(spec.get("nic_types") or ()) + ["VirtualVmxnet3"] * (
            len(self.networks) - len(spec.get("nic_types") or ()))
        self.cpu_hot_add = bool(spec.get("cpu_hot_add", False))
        self.memory_hot_add = bool(spec.get("memory_hot_add", False))
        self.create_date = self.modified = vc.clock.now() if spec.get("created") \
            else vc.boot_time
        # config.extraConfig beyond the entries every VM has (guestinfo.* keys, ...)
        self.extra_config = dict(spec.get("extra_config") or {})
        # what a config spec set that the VM only keeps (vimsim/model/vm_settings.py)
        self.config_settings = dict(spec.get("config_settings") or {})
        # each NIC's MAC, connectable state, ... (vm_devices.NIC_SETTINGS)
        self.nic_settings = vm_devices.nic_settings_of(spec.get("nic_settings") or (),
                                                       len(self.networks), spec.get("macs") or ())
        self.annotation = spec.get("annotation", "")  # config.annotation, the VM's notes
        self.template = bool(spec.get("template", False))  # a template never powers on
        # What the last customization set in the guest (vimsim/model/guest_config.py), or None.
        self.guest_config = spec.get("guest_config")
        # Whether VMware Tools runs a customization's scriptText (deployPkg's
        # enable-custom-scripts); a spec with a script fails in a guest that does not.
        self.custom_scripts = spec.get("custom_scripts", True)
        # The snapshot tree (vimsim/model/vm_snapshot.py): its roots, the snapshot the VM runs
        # from (None: none, or the root level), and the last snapshot id given.
        self.snapshot_roots = []
        self.current_snapshot = None
        self.snapshot_count = 0

    # -- persisted state (see vimsim/model/snapshot.py) ----------------------------------

    # Everything but the placement, which a VM keeps for life, and the guest's accounts and
    # customization, kept as data below.
    persisted = ("name", "guest_id", "guest_full_name", "guest_family", "num_cpu",
                 "cores_per_socket", "memory_mb",
                 "uuid", "instance_uuid", "tools_installed", "tools_autostart", "power_state",
                 "tools_running", "host_name", "nic_addresses", "guest_network_up",
                 "customization_plan", "hypervisor_version", "pending_customization",
                 "boot_time", "power_cycle", "extra_config", "annotation", "template",
                 "vmx_path", "disks", "controllers", "cdroms", "nic_types", "nic_settings",
                 "config_settings", "cpu_hot_add",
                 "memory_hot_add", "create_date", "modified", "guest_config",
                 "custom_scripts", "snapshot_roots", "current_snapshot", "snapshot_count")
    persisted_touched = True
    scheduled_work = ("_tools_started", "_guest_powered_off", "_guest_rebooted")

    def persisted_state(self):
        state = super().persisted_state()
        state.update(folder=self.parent, pool=self.pool, host=self.host,
                     networks=self.networks, datastores=self.datastores,
                     guest_accounts=guest.account_specs(self.guest_accounts),
                     customization=self.customization.persisted_state(),
                     customization_override=self.customization_override.persisted_state()
                     if self.customization_override is not None else None)
        return state

    def restore_persisted(self, state):
        super().restore_persisted(state)
        self.place(state["pool"], state["host"])
        # the NICs and disks a ReconfigVM_Task added since the fixture
        for ds in set(self.datastores) | set(state["datastores"]):
            if (ds in state["datastores"]) != (self in ds.vms):
                (ds.vms.append if ds in state["datastores"] else ds.vms.remove)(self)
                self.vc.touch(ds)
        self.datastores = list(state["datastores"])
        lifecycle.apply_changes(self, {"networks": state["networks"]})
        self.nic_addresses = list(self.nic_addresses)
        self.guest_accounts = guest.accounts(state["guest_accounts"])
        self.customization.restore_persisted(state["customization"], self.vc)
        override = state.get("customization_override")
        self.customization_override = guest.Outcome(**override) if override else None

    @classmethod
    def recreate(cls, vc, moid, state):
        """A VM the fixture does not have (an instant clone), where it was, with its moId."""
        spec = {"name": state["name"], "uuid": state["uuid"],
                "instance_uuid": state["instance_uuid"], "networks": state["networks"],
                "datastores": state["datastores"], "disks": state["disks"]}
        return vc.add_vm(spec, state["folder"], state["pool"], state["host"], moid=moid)

    # -- state changes -------------------------------------------------------------------

    @property
    def disk_gb(self):
        """The first disk's capacity in whole GB (0 without a disk)."""
        return -(-self.disks[0]["capacity_kb"] // (1024 * 1024)) if self.disks else 0

    def place(self, pool, host):
        """The VM in ``pool`` on ``host`` (MarkAsVirtualMachine moves a template)."""
        for attr, new in (("pool", pool), ("host", host)):
            old = getattr(self, attr)
            if new is not old:
                old.vms.remove(self)
                new.vms.append(self)
                setattr(self, attr, new)
                self.vc.touch(old, structural=True)
                self.vc.touch(new, structural=True)

    def reconfigured(self):
        """config.modified and config.changeVersion move (a ReconfigVM_Task, a rename)."""
        self.modified = self.vc.clock.now()
        self.vc.touch(self)

    def set_power(self, state, user="", chain_id=None, post_event=True):
        """The VM in ``state``; the event names the user and the task chain that did it."""
        before, self.power_state = self.power_state, state
        event = {POWERED_ON: "VmPoweredOnEvent", POWERED_OFF: "VmPoweredOffEvent",
                 SUSPENDED: "VmSuspendedEvent"}[state]
        if before != state and post_event:
            self.vc.event_manager.post(event, self, "%s on %s in %s is %s" % (
                self.name, self.host.name, self.datacenter().name,
                {POWERED_ON: "powered on", POWERED_OFF: "powered off",
                 SUSPENDED: "suspended"}[state]), chain_id=chain_id, user=user)
        self._next_cycle()
        if state == POWERED_ON:
            if before == POWERED_OFF:  # a boot connects the NICs that start connected
                for settings in self.nic_settings:
                    settings["connected"] = settings["start_connected"]
            self.boot_time = self.vc.clock.now()
            guest_config.bring_up(self)  # a booting guest brings its network up
        else:
            self.boot_time = None if state == POWERED_OFF else self.boot_time
        self.set_tools_running(False)
        if self.customization.in_progress and self.pending_customization is None:
            # (one waiting for the next boot stays PENDING through power changes)
            self.vc.guest_customization_manager.end(self, guest.FAILED, guest.POWERED_OFF_MESSAGE)
        if state == POWERED_ON:
            self.schedule_tools_start()
        self.vc.touch(self)
        # what the VM's power adds up in: its pool's and cluster's usage, its host's stats
        for container in (self.pool, self.pool.owner, self.host):
            self.vc.touch(container)

    def schedule_tools_start(self):
        if self.tools_installed and self.tools_autostart:
            self._call_in_cycle(self.vc.timings["tools_start"], self._tools_started)

    def _tools_started(self, cycle):
        if cycle == self.power_cycle and self.power_state == POWERED_ON:
            self.set_tools_running(True)
            if self.pending_customization is not None:
                # The guest picks up the customization set while it was powered off.
                spec, self.pending_customization = self.pending_customization, None
                self.vc.guest_customization_manager.begin(self, spec, None, None)

    def set_tools_running(self, running):
        if self.tools_running != running:
            self.tools_running = running
            self.vc.touch(self)
            guest.tools_logged(self)

    # -- preconditions -------------------------------------------------------------------

    def require_power(self, requested, allowed):
        if self.power_state not in allowed:
            raise faults.invalid_power_state(requested, self.power_state)

    def set_pending_customization(self, spec, replace=True):
        """The customization the guest runs when it next boots and Tools start (None: none):
        what CustomizeVM_Task, a clone's customization and REST's PUT set. Only a powered-off
        VM takes one; it shows as PENDING at once (config.tools.pendingCustomization set).
        Without ``replace`` one already pending is CustomizationPending."""
        self.require_power(POWERED_OFF, (POWERED_OFF,))
        if spec is not None:
            if self.pending_customization is not None and not replace:
                raise faults.CustomizationPending()
            fault = self.vc.guest_customization_manager.deploy_fault(self, spec)
            if fault is not None:
                raise fault
        state = self.customization
        state.generation += 1
        if spec is not None:
            state.status, state.start_time, state.end_time, state.error = \
                guest.PENDING, None, None, None
            state.spec, state.config_params, state.task = spec, None, None
        elif self.pending_customization is not None:
            state.status = guest.IDLE
        self.pending_customization = spec
        self.vc.touch(self)
        guest.logged(self)

    def pending_customization_file(self):
        """config.tools.pendingCustomization: the package the guest runs at its next boot."""
        if self.pending_customization is None:
            return None
        return "%s/imcf-%d" % (self.vm_path_name().rsplit("/", 1)[0],
                                self.customization.generation)

    def require_tools_running(self):
        if not self.tools_running:
            raise faults.ToolsUnavailable()

    # -- vim25 methods -------------------------------------------------------------------

    def _power_task(self, ctx, method, description_id, new_state, allowed):
        """A power operation's task. Its precondition is checked when the task runs, as
        vCenter does: a VM already in that state fails the task (InvalidPowerState), not the
        call (govc's ``vm.power -force`` relies on it)."""
        task = self.vc.task_manager.create(ctx, self, method, description_id, self._power_body,
                                           self.vc.timings["power_op"],
                                           args=(method, new_state, allowed, ctx.user_name or ""))
        return task.ref

    def _power_body(self, method, new_state, allowed, user):
        """A power task's work (task bodies are bound methods with data arguments, so that a
        snapshot keeps tasks in flight)."""
        self.require_power(new_state, allowed)
        if method == "ResetVM_Task":
            self.vc.event_manager.post("VmResettingEvent", self, "%s on %s in %s is reset" % (
                self.name, self.host.name, self.datacenter().name), user=user)
            return self.set_power(POWERED_ON)
        return self.set_power(new_state, user, self.vc.task_manager.running.info.eventChainId)

    def PowerOnVM_Task(self, ctx, host=None):
        if self.template:
            raise faults.InvalidState("A template cannot be powered on.")
        return self._power_task(ctx, "PowerOnVM_Task", "VirtualMachine.powerOn", POWERED_ON,
                                (POWERED_OFF, SUSPENDED))

    def PowerOffVM_Task(self, ctx):
        return self._power_task(ctx, "PowerOffVM_Task", "VirtualMachine.powerOff", POWERED_OFF,
                                (POWERED_ON, SUSPENDED))

    def SuspendVM_Task(self, ctx):
        return self._power_task(ctx, "SuspendVM_Task", "VirtualMachine.suspend", SUSPENDED,
                                (POWERED_ON,))

    def ResetVM_Task(self, ctx):
        return self._power_task(ctx, "ResetVM_Task", "VirtualMachine.reset", POWERED_ON,
                                (POWERED_ON,))

    def CloneVM_Task(self, ctx, folder, name, spec):
        vc = self.vc
        name = lifecycle.escaped_name(name)
        folder = vc.lookup(folder, ctx)
        if spec.snapshot is not None and vc.lookup(spec.snapshot, ctx) not in \
                self.all_snapshots():
            raise faults.InvalidArgument(invalidProperty="spec.snapshot")
        pool, host, datastores = vm_clone.location(vc, ctx, self, spec.location)
        # vim25 leaves the privileges to the method: VMware's reference names these
        for obj, privilege in vm_clone.privileges(self, folder, pool, datastores, spec):
            authorization.require(vc, ctx, obj, privilege)
        user = ctx.user_name or ""
        # A clone reads its source: many deploy from one template or VM at once, as on
        # vCenter, but not from one another task is changing, nor is it changed meanwhile.
        task = vc.task_manager.create(
            ctx, self, "CloneVM_Task", "VirtualMachine.clone", self._clone_body,
            vc.timings["clone_vm"], lock="shared",
            args=(folder, name, spec, pool, host, datastores, user))
        # the copy begins as the task does (VmClonedEvent or VmCloneFailedEvent ends it)
        vc.event_manager.post("VmBeingClonedEvent", self, "Cloning %s on host %s in %s to %s" % (
            self.name, self.host.name, self.datacenter().name, name),
            chain_id=task.info.eventChainId, user=user, **self._clone_destination(
                folder, name, host))
        return task.ref

    def RelocateVM_Task(self, ctx, spec, priority=None):
        vc = self.vc
        pool, host, datastores = vm_clone.location(vc, ctx, self, spec, "spec.")
        folder = vc.lookup(spec.folder, ctx) if spec.folder is not None else None
        if folder is not None and "VirtualMachine" not in getattr(folder, "child_type", ()):
            raise faults.InvalidArgument(invalidProperty="spec.folder")
        # vim25 leaves the privileges to the method: VMware's reference names these
        authorization.require(vc, ctx, self, "Resource.HotMigrate" if
                              self.power_state == POWERED_ON else "Resource.ColdMigrate")
        if pool is not self.pool:
            authorization.require(vc, ctx, pool, "Resource.AssignVMToPool")
        datastore = datastores[0] if spec.datastore is not None else None
        if datastore is not None and datastore not in self.datastores:
            authorization.require(vc, ctx, datastore, "Datastore.AllocateSpace")
        return vc.task_manager.create(
            ctx, self, "RelocateVM_Task", "VirtualMachine.relocate", self._relocate_body,
            vc.timings["relocate_vm"], args=(pool, host, datastore, folder, ctx.user_name or "")).ref

    def _relocate_body(self, pool, host, datastore, folder, user):
        """vMotion (another host or pool), storage vMotion (the VM's folder to another
        datastore) or both; a folder given too moves the VM there. VmRelocatedEvent."""
        require_not_template = self.template and pool is not self.pool
        if require_not_template:
            raise faults.InvalidArgument(invalidProperty="spec.pool")  # a template has none
        if folder is not None and folder is not self.parent:
            lifecycle.move_into(folder, [self])
        source = dict(sourceHost=DataObject("HostEventArgument", name=self.host.name,
                                            host=self.host.ref),
                      sourceDatacenter=DataObject("DatacenterEventArgument",
                                                  name=self.datacenter().name,
                                                  datacenter=self.datacenter().ref),
                      sourceDatastore=DataObject("DatastoreEventArgument",
                                                 name=self.datastores[0].name,
                                                 datastore=self.datastores[0].ref))
        if datastore is not None and datastore is not self.datastores[0]:
            self._move_files(datastore)
        self.place(pool, host)
        ds = self.datastores[0]
        self.vc.event_manager.post(
            "VmRelocatedEvent", self, None, chain_id=self.vc.task_manager.running.info.eventChainId, user=user,
            ds=DataObject("DatastoreEventArgument", name=ds.name, datastore=ds.ref), **source)

    def _move_files(self, target):
        """Storage vMotion: the VM's folder (its .vmx, the disks in it, their deltas, what
        its snapshots hold of them) to a free folder on ``target``; the datastores' free
        space moves with it. Disks kept elsewhere stay where they are."""
        before = vm_hardware.allocated(self)
        old = vm_hardware.vm_folder(self)
        new = "[%s] %s/" % (target.name, vm_clone.free_folder(
            target, old.split("] ", 1)[-1][:-1]))

        def moved(path):
            return new + path[len(old):] if path.startswith(old) else path
        self.vmx_path = moved(self.vmx_path)
        for record in vm_snapshot.disk_records(self):
            if record["file"].startswith(old):
                record.update(file=moved(record["file"]), datastore=target,
                              deltas=[moved(d) for d in record.get("deltas") or ()])
        used = [target] + [d for d in self.datastores if d is not target and any(
            r["datastore"] is d for r in vm_snapshot.disk_records(self))]
        for ds in set(self.datastores) | set(used):
            if (ds in used) != (self in ds.vms):
                (ds.vms.append if ds in used else ds.vms.remove)(self)
            self.vc.touch(ds)
        self.datastores = used
        after = vm_hardware.allocated(self)
        for ds in set(before) | set(after):
            ds.allocate(after.get(ds, 0) - before.get(ds, 0))
        self.reconfigured()

    @staticmethod
    def _clone_destination(folder, name, host):
        """The destination fields of VmBeingClonedEvent and VmCloneFailedEvent."""
        return dict(
            destFolder=DataObject("FolderEventArgument", name=folder.name, folder=folder.ref),
            destName=name, destHost=DataObject("HostEventArgument", name=host.name,
                                               host=host.ref))

    def _clone_body(self, folder, name, spec, pool, host, datastores, user):
        vc = self.vc
        chain = vc.task_manager.running.info.eventChainId
        destination = self._clone_destination(folder, name, host)
        # a clone of spec.snapshot is of the VM as that snapshot kept it
        source = self if spec.snapshot is None else \
            vm_snapshot.as_taken(vc.lookup(spec.snapshot))
        try:
            vm_clone.require_name(folder, name)
            # one walk over the datastore's VMs for the clone's folder on it, not one per use
            files = vm_clone.free_folder(datastores[0], name)
            changes = vm_clone.config_changes(vc, source, spec.config, vm_clone.clone_devices(
                vc, source, name, host, datastores[0], files))
            if spec.customization is not None and not spec.template:
                fault = vc.guest_customization_manager.deploy_fault(
                    vm_clone.guest_of(source, changes), spec.customization)
                if fault is not None:
                    raise fault
        except faults.Fault as fault:
            vc.event_manager.post("VmCloneFailedEvent", self, "Failed to clone %s: %s" % (
                self.name, fault.msg), chain_id=chain, user=user, reason=fault.localized(),
                **destination)
            raise
        moid = vc.new_moid("vm-")
        clone = vc.add_vm(vm_clone.clone_spec(source, moid, name, spec, datastores, changes,
                                              files), folder, pool, host, moid=moid)
        for ds, size in vm_hardware.allocated(clone).items():
            ds.allocate(size)
        if spec.customization is not None and not spec.template:
            clone.set_pending_customization(spec.customization, replace=False)
        vc.event_manager.post(
            "VmClonedEvent", clone, "Clone of %s completed" % self.name, chain_id=chain,
            user=user, sourceVm=DataObject("VmEventArgument", name=self.name, vm=self.ref))
        if spec.powerOn and not spec.template:
            # the clone task ends with the clone booting; its guest customizes after
            clone.set_power(POWERED_ON, user, chain)
        return clone.ref

    def ReconfigVM_Task(self, ctx, spec):
        for privilege in lifecycle.reconfigure_privileges(spec):
            lifecycle.require_privilege(ctx, self, privilege)
        return self.vc.task_manager.create(
            ctx, self, "ReconfigVM_Task", "VirtualMachine.reconfigure", self._reconfigure_body,
            self.vc.timings["reconfig_vm"], args=(spec, ctx.user_name or "")).ref

    def _reconfigure_body(self, spec, user):
        lifecycle.reconfigure(self, spec, user)

    def UpgradeVM_Task(self, ctx, version=None):
        lifecycle.require_privilege(ctx, self, "VirtualMachine.Config.UpgradeVirtualHardware")
        return self.vc.task_manager.create(
            ctx, self, "UpgradeVM_Task", "VirtualMachine.upgradeVirtualHardware",
            self._upgrade_body, self.vc.timings["reconfig_vm"],
            args=(version, ctx.user_name or "")).ref

    def _upgrade_body(self, version, user):
        """The VM's hardware at ``version`` (default the newest the host runs): only while it
        is off, and only to a newer one (AlreadyUpgraded)."""
        lifecycle.require_not_template(self)
        self.require_power(POWERED_OFF, (POWERED_OFF,))
        target = vm_settings.checked_version(
            version or "vmx-%02d" % vm_settings.NEWEST_VERSION, "version")
        current = vm_settings.version(self)
        if int(target[4:]) <= int(current[4:]):
            raise faults.Fault.of("AlreadyUpgraded", "The virtual machine compatibility is "
                                  "already %s or later." % current)
        lifecycle.post(self.vc, "VmUpgradingEvent", self, "Upgrading virtual machine "
                       "compatibility of %s in %s to %s" % (
                           self.name, self.datacenter().name, target), user, version=target)
        self.config_settings = dict(self.config_settings, version=target)
        self.reconfigured()
        lifecycle.post(self.vc, "VmUpgradeCompleteEvent", self, "Virtual machine compatibility "
                       "upgraded to %s" % target, user, version=target)

    # -- snapshots (vimsim/model/vm_snapshot.py has their rules) -------------------------

    def all_snapshots(self):
        """Every snapshot of the VM, each before its children."""
        return list(vm_snapshot.walk(self.snapshot_roots))

    def disk_records(self):
        return vm_snapshot.disk_records(self)

    def _snapshot_task(self, ctx, method, description_id, body, args):
        return self.vc.task_manager.create(ctx, self, method, description_id, body,
                                           self.vc.timings["snapshot"], args=args).ref

    def CreateSnapshot_Task(self, ctx, name, memory, quiesce, description=None):
        return self._snapshot_task(ctx, "CreateSnapshot_Task", "VirtualMachine.createSnapshot",
                                   self._create_snapshot_body,
                                   (name, description, bool(memory), bool(quiesce)))

    def CreateSnapshotEx_Task(self, ctx, name, memory, description=None, quiesceSpec=None):
        timeout = getattr(quiesceSpec, "timeout", None)
        if timeout is not None and not 5 <= timeout <= 240:  # minutes, as vim25 bounds it
            raise faults.InvalidArgument(invalidProperty="quiesceSpec.timeout")
        return self._snapshot_task(ctx, "CreateSnapshotEx_Task",
                                   "VirtualMachine.createSnapshotEx", self._create_snapshot_body,
                                   (name, description, bool(memory), quiesceSpec is not None))

    def _create_snapshot_body(self, name, description, memory, quiesce):
        return vm_snapshot.create(self, name, description, memory, quiesce)

    def RevertToCurrentSnapshot_Task(self, ctx, host=None, suppressPowerOn=None):
        if self.current_snapshot is None:
            raise faults.NotFound()
        return self.current_snapshot.revert_task(
            ctx, "RevertToCurrentSnapshot_Task", "VirtualMachine.revertToCurrentSnapshot", host,
            suppressPowerOn)

    def ConsolidateVMDisks_Task(self, ctx):
        return self._snapshot_task(ctx, "ConsolidateVMDisks_Task",
                                   "VirtualMachine.consolidateDisks", self._consolidate_body, ())

    def _consolidate_body(self):
        vm_snapshot.consolidate(self)

    def drop_snapshots(self):
        vm_snapshot.drop_all(self)

    def RemoveAllSnapshots_Task(self, ctx, consolidate=None, spec=None):
        return self._snapshot_task(ctx, "RemoveAllSnapshots_Task",
                                   "VirtualMachine.removeAllSnapshots",
                                   self._remove_all_snapshots_body, (consolidate,))

    def _remove_all_snapshots_body(self, consolidate):
        vm_snapshot.remove_all(self, consolidate)

    def UnregisterVM(self, ctx):
        self.vc.task_manager.require_unlocked(self)
        lifecycle.destroy_vm(self, ctx.user_name or "", unregister=True)

    def MarkAsTemplate(self, ctx):
        lifecycle.mark_as_template(self)

    def MarkAsVirtualMachine(self, ctx, pool, host=None):
        lifecycle.mark_as_virtual_machine(self, self.vc.lookup(pool, ctx),
                                          self.vc.lookup(host, ctx) if host else None)

    def CustomizeVM_Task(self, ctx, spec):
        # vCenter checks the VM and the spec as the task runs: its faults end the task.
        return self.vc.task_manager.create(ctx, self, "CustomizeVM_Task",
                                           "VirtualMachine.customize", self._customize_body,
                                           self.vc.timings["customize_task"], args=(spec,)).ref

    def _customize_body(self, spec):
        self.set_pending_customization(spec, replace=False)

    def CheckCustomizationSpec(self, ctx, spec):
        fault = self.vc.guest_customization_manager.deploy_fault(self, spec)
        if fault is not None:
            raise fault

    def ShutdownGuest(self, ctx):
        self.require_power(POWERED_OFF, (POWERED_ON,))
        self.require_tools_running()
        self.vc.task_manager.require_unlocked(self)
        self._post_guest_event("VmGuestShutdownEvent", "Guest OS shut down", ctx)
        self.guest_shuts_down()

    def guest_shuts_down(self):
        """The guest OS shuts down: powered off after its shutdown time (a power change
        before then cancels it)."""
        self._call_in_cycle(self.vc.timings["guest_shutdown"], self._guest_powered_off)

    def _post_guest_event(self, type_name, what, ctx):
        self.vc.event_manager.post(type_name, self, "%s for %s on %s in %s" % (
            what, self.name, self.host.name, self.datacenter().name), user=ctx.user_name or "")

    def _guest_powered_off(self, cycle):
        if cycle == self.power_cycle:
            self.set_power(POWERED_OFF)

    def _call_in_cycle(self, delay, fn):
        """``fn(cycle)`` after ``delay`` clock seconds, cancelled if the power changes first:
        a stale timer would still wake the server (one a power pair, seconds later)."""
        self.cycle_timers.append(self.vc.clock.call_later(delay, fn, self.power_cycle))

    def _next_cycle(self):
        self.power_cycle += 1
        for timer in self.cycle_timers:
            timer.cancel()
        self.cycle_timers = []

    def RebootGuest(self, ctx):
        self.require_power(POWERED_ON, (POWERED_ON,))
        self.require_tools_running()
        self.vc.task_manager.require_unlocked(self)
        self._post_guest_event("VmGuestRebootEvent", "Guest OS reboot", ctx)
        self._next_cycle()
        self.set_tools_running(False)
        self._call_in_cycle(self.vc.timings["guest_reboot"], self._guest_rebooted)

    def _guest_rebooted(self, cycle):
        if cycle == self.power_cycle:
            self.boot_time = self.vc.clock.now()
            guest_config.bring_up(self)  # a booting guest brings its network up
            self.schedule_tools_start()
            self.vc.touch(self)

    def InstantClone_Task(self, ctx, spec):
        self.require_power(POWERED_ON, (POWERED_ON,))
        if not spec.name or len(spec.name) > 80:
            raise faults.InvalidArgument(invalidProperty="spec.name")
        spec = spec.copy()
        spec.name = lifecycle.escaped_name(spec.name)
        location = spec.location
        vc = self.vc
        folder = vc.lookup(location.folder, ctx) if location.folder else self.parent
        pool = vc.lookup(location.pool, ctx) if location.pool else self.pool
        host = vc.lookup(location.host, ctx) if location.host else (
            self.host if pool.owner is self.pool.owner else pool.owner.hosts[0])
        if folder.vim_type != "Folder" or "VirtualMachine" not in folder.child_type:
            raise faults.InvalidArgument(invalidProperty="spec.location.folder")
        self._require_unique_name(folder, spec.name)
        vc.task_manager.require_unlocked(self)

        return vc.task_manager.create(ctx, self, "InstantClone_Task", "VirtualMachine.instantClone",
                                      self._instant_clone_body, vc.timings["instant_clone"],
                                      args=(spec, folder, pool, host, ctx.user_name)).ref

    def _instant_clone_body(self, spec, folder, pool, host, user):
        self._require_unique_name(folder, spec.name)
        new = self.vc.add_vm(self.instant_clone_spec(spec), folder, pool, host)
        self.vc.event_manager.post(
            "VmClonedEvent", new, "Instant clone of %s completed as %s" % (self.name, new.name),
            user=user, sourceVm=DataObject("VmEventArgument", name=self.name, vm=self.ref))
        return new.ref

    @staticmethod
    def _require_unique_name(folder, name):
        if any(child.name == name for child in folder.children):
            raise faults.DuplicateName(name=name, object=folder.ref)

    def instant_clone_spec(self, spec):
        """The fixture-style spec of an instant clone: the source's guest, NICs and accounts,
        running, with its network down until StartGuestNetwork_Task."""
        return {
            "name": spec.name, "guest_id": self.guest_id, "guest_full_name": self.guest_full_name,
            "guest_family": self.guest_family, "cpus": self.num_cpu,
            "cores_per_socket": self.cores_per_socket, "memory_mb": self.memory_mb,
            "uuid": spec.biosUuid or str(uuid.uuid5(uuid.NAMESPACE_OID, "%s/%s" % (
                self.uuid, spec.name))),
            "instance_uuid": str(uuid.uuid5(uuid.NAMESPACE_OID, "instance/%s/%s" % (
                self.uuid, spec.name))),
            "tools_installed": self.tools_installed, "tools_autostart": self.tools_autostart,
            "power_state": POWERED_ON, "tools_running": self.tools_running,
            "hostname": self.host_name, "datastores": self.datastores, "networks": self.networks,
            "guest_network_up": False, "customization": self.customization_plan,
            "custom_scripts": self.custom_scripts,
            "disk_gb": self.disk_gb,
            # InstantCloneSpec.config lands in the clone's extraConfig (guestinfo.* keys)
            "extra_config": dict(self.extra_config, **{
                o.key: o.value for o in spec.config or () if o.key}),
            "config_settings": dict(self.config_settings),
            "guest_accounts": guest.account_specs(self.guest_accounts),
        }

    # -- properties ----------------------------------------------------------------------

    @property
    def tools_status(self):
        if not self.tools_installed:
            return "toolsNotInstalled"
        return "toolsOk" if self.tools_running else "toolsNotRunning"

    @property
    def tools_version_status(self):
        return "guestToolsCurrent" if self.tools_installed else "guestToolsNotInstalled"

    @property
    def tools_running_status(self):
        return "guestToolsRunning" if self.tools_running else "guestToolsNotRunning"

    @vim_property("runtime.powerState")
    def runtime_power_state(self, ctx):
        return self.power_state

    @vim_property
    def runtime(self, ctx):
        return DataObject(
            "VirtualMachineRuntimeInfo", device=[], host=self.host.ref, connectionState="connected",
            powerState=self.power_state, faultToleranceState="notConfigured",
            toolsInstallerMounted=False, bootTime=self.boot_time, suspendInterval=0,
            maxCpuUsage=self.num_cpu * self.host.cpu_mhz, maxMemoryUsage=self.memory_mb,
            numMksConnections=0, recordReplayState="inactive", onlineStandby=False,
            consolidationNeeded=vm_snapshot.consolidation_needed(self), paused=False,
            snapshotInBackground=False,
            instantCloneFrozen=False)

    @property
    def ip_address(self):
        """The guest's primary address as VMware Tools reports it, or None."""
        if not (self.tools_running and self.guest_network_up):
            return None
        return next((a for a in self.nic_addresses if a), None)

    def guest_nics(self):
        if not (self.tools_running and self.guest_network_up):
            return []
        return guest_config.guest_nics(self)

    def guest_ip_stack(self):
        if self.ip_address is None:
            return []
        return guest_config.ip_stack(self)

    def cpu_usage_mhz(self):
        """What the guest uses now: a steady 2% of its vCPUs, none while it is not running."""
        return self.num_cpu * self.host.cpu_mhz // 50 if self.power_state == POWERED_ON else 0

    def mac_address(self, index):
        given = self.nic_settings[index]["mac"] if index < len(self.nic_settings) else None
        if given:  # by the fixture (an inventory loaded with --load), or set manual
            return given
        n = self.number
        # vCenter's generated range, 00:50:56:80:00:00 to 00:50:56:bf:ff:ff (00-3f is for
        # manual ones)
        return "00:50:56:%02x:%02x:%02x" % (0x80 | ((n >> 8) & 0x3F), n & 0xFF, index & 0xFF)

    def nic_connected(self, index):
        """Whether NIC ``index`` is connected now: only while the VM runs."""
        return self.power_state == POWERED_ON and self.nic_settings[index]["connected"]

    def nic_devices(self):
        devices = []
        for i, net in enumerate(self.networks):
            settings, connected = self.nic_settings[i], self.nic_connected(i)
            devices.append(DataObject(
                self.nic_types[i], key=4000 + i,
                deviceInfo=DataObject("Description", label="Network adapter %d" % (i + 1),
                                      summary=net.name),
                backing=net.nic_backing(),
                connectable=DataObject(
                    "VirtualDeviceConnectInfo", startConnected=settings["start_connected"],
                    allowGuestControl=settings["allow_guest_control"], connected=connected,
                    status="ok" if connected else "untried"),
                controllerKey=100, unitNumber=7 + i, addressType=settings["address_type"],
                macAddress=self.mac_address(i), wakeOnLanEnabled=settings["wake_on_lan"],
                resourceAllocation=DataObject(  # what vCenter gives a NIC no one has set
                    "VirtualEthernetCardResourceAllocation", reservation=0, limit=-1,
                    share=DataObject("SharesInfo", shares=50, level="normal"))))
        return devices

    @vim_property("guest.toolsRunningStatus")
    def guest_tools_running_status(self, ctx):
        return self.tools_running_status

    @vim_property("guest.toolsStatus")
    def guest_tools_status(self, ctx):
        return self.tools_status

    @vim_property
    def guest(self, ctx):
        running = self.tools_running
        return DataObject(
            "GuestInfo", toolsStatus=self.tools_status,
            toolsVersionStatus=self.tools_version_status,
            toolsVersionStatus2=self.tools_version_status,
            toolsRunningStatus=self.tools_running_status,
            toolsVersion="12352" if self.tools_installed else "0",
            toolsInstallType="guestToolsTypeOpenVMTools" if self.tools_installed else None,
            guestId=self.guest_id if running else None,
            guestFamily=self.guest_family if running else None,
            guestFullName=self.guest_full_name if running else None,
            hostName=self.host_name if running else None,
            ipAddress=self.ip_address if running else None,
            net=self.guest_nics(), ipStack=self.guest_ip_stack(),
            disk=vm_hardware.guest_disks(self) if running else [],
            guestState="running" if running else "notRunning",
            guestOperationsReady=running, interactiveGuestOperationsReady=False,
            guestStateChangeSupported=running, customizationInfo=self.customization.info())

    @vim_property("guest.customizationInfo")
    def guest_customization_info(self, ctx):
        return self.customization.info()

    def extra_config_values(self):
        values = {"nvram": "%s.nvram" % self.name, "svga.present": "TRUE",
                  "pciBridge0.present": "TRUE", "tools.guest.desktop.autolock": "FALSE",
                  "vmware.tools.internalversion": "12352"}
        values.update(self.extra_config)
        return [DataObject("OptionValue", key=k, value=v) for k, v in sorted(values.items())]

    @vim_property
    def config(self, ctx):
        folder = self.vm_path_name().rsplit("/", 1)[0] + "/"
        return vm_settings.apply(DataObject(
            "VirtualMachineConfigInfo", changeVersion=self.change_version(),
            modified=self.modified,
            name=self.name, guestFullName=self.guest_full_name, version="vmx-19", uuid=self.uuid,
            createDate=self.create_date, instanceUuid=self.instance_uuid,
            npivTemporaryDisabled=True, locationId="564d%s" % self.uuid.replace("-", "")[4:16],
            template=self.template, guestId=self.guest_id, alternateGuestName="",
            annotation=self.annotation,
            files=DataObject("VirtualMachineFileInfo", vmPathName=self.vm_path_name(),
                             snapshotDirectory=folder, suspendDirectory=folder,
                             logDirectory=folder),
            tools=vm_hardware.tools_config(self),
            flags=DataObject("VirtualMachineFlagInfo", disableAcceleration=False,
                             enableLogging=True, useToe=False, runWithDebugInfo=False,
                             monitorType="release", htSharing="any", snapshotDisabled=False,
                             snapshotLocked=False, diskUuidEnabled=False,
                             virtualMmuUsage="automatic", virtualExecUsage="hvAuto",
                             snapshotPowerOffBehavior="powerOff", cbrcCacheEnabled=False,
                             vvtdEnabled=False, vbsEnabled=False),
            defaultPowerOps=DataObject("VirtualMachineDefaultPowerOpInfo",
                                       powerOffType="soft", suspendType="hard",
                                       resetType="soft", defaultPowerOffType="soft",
                                       defaultSuspendType="hard", defaultResetType="soft",
                                       standbyAction="checkpoint"),
            hardware=DataObject("VirtualHardware", numCPU=self.num_cpu,
                                numCoresPerSocket=self.cores_per_socket,
                                autoCoresPerSocket=True, memoryMB=self.memory_mb,
                                virtualICH7MPresent=False, virtualSMCPresent=False,
                                device=vm_hardware.devices(self), motherboardLayout="i440bxHostBridge",
                                simultaneousThreads=1),
            latencySensitivity=DataObject("LatencySensitivity", level="normal"),
            cpuHotAddEnabled=self.cpu_hot_add, cpuHotRemoveEnabled=False,
            memoryHotAddEnabled=self.memory_hot_add,
            hotPlugMemoryLimit=self.memory_mb, hotPlugMemoryIncrementSize=0,
            swapPlacement="inherit", bootOptions=DataObject(
                "VirtualMachineBootOptions", bootDelay=0, enterBIOSSetup=False,
                efiSecureBootEnabled=False, bootRetryEnabled=False, bootRetryDelay=10000,
                networkBootProtocol="ipv4"),
            firmware="bios", maxMksConnections=40, guestAutoLockEnabled=False,
            memoryReservationLockedToMax=False, nestedHVEnabled=False, vPMCEnabled=False,
            messageBusTunnelEnabled=False,
            extraConfig=self.extra_config_values(),
            datastoreUrl=[DataObject("VirtualMachineConfigInfoDatastoreUrlPair", name=ds.name,
                                     url=ds.mount_path) for ds in self.datastores],
            initialOverhead=DataObject("VirtualMachineConfigInfoOverheadInfo",
                                       initialMemoryReservation=0, initialSwapReservation=0),
            vFlashCacheReservation=0, migrateEncryption="opportunistic",
            ftEncryptionMode="ftEncryptionOpportunistic",
            sevEnabled=False, pmemFailoverEnabled=False, vmOpNotificationToAppEnabled=False,
            vmOpNotificationTimeout=-1), self)

    @vim_property
    def snapshot(self, ctx):
        return vm_snapshot.info(self)

    @vim_property
    def rootSnapshot(self, ctx):
        return refs(self.snapshot_roots)

    @vim_property
    def layoutEx(self, ctx):
        return vm_hardware.layout_ex(self, self.vc.clock.now())

    @vim_property
    def storage(self, ctx):
        return vm_hardware.storage_info(self, self.vc.clock.now())

    @vim_property
    def resourceConfig(self, ctx):
        return DataObject("ResourceConfigSpec", entity=self.ref, changeVersion="1",
                          lastModified=self.vc.boot_time,
                          cpuAllocation=vm_settings.allocation(self, "cpuAllocation"),
                          memoryAllocation=vm_settings.allocation(self, "memoryAllocation"))

    def change_version(self):
        """config.changeVersion: the time of the last change, as vCenter gives it."""
        return format_datetime(self.modified)

    def uptime(self):
        if self.boot_time is None or self.power_state != POWERED_ON:
            return 0
        return int((self.vc.clock.now() - self.boot_time).total_seconds())

    def vm_path_name(self):
        return self.vmx_path

    @vim_property
    def summary(self, ctx):
        running = self.tools_running
        return DataObject(
            "VirtualMachineSummary", vm=self.ref, runtime=self.runtime(ctx),
            guest=DataObject(
                "VirtualMachineGuestSummary", guestId=self.guest_id if running else None,
                guestFullName=self.guest_full_name if running else None,
                toolsStatus=self.tools_status, toolsRunningStatus=self.tools_running_status,
                toolsVersionStatus=self.tools_version_status,
                toolsVersionStatus2=self.tools_version_status,
                hostName=self.host_name if running else None,
                ipAddress=self.ip_address if running else None),
            config=DataObject(
                "VirtualMachineConfigSummary", name=self.name, template=self.template,
                vmPathName=self.vm_path_name(), memorySizeMB=self.memory_mb,
                numCpu=self.num_cpu, numEthernetCards=len(self.networks),
                numVirtualDisks=len(self.disks),
                uuid=self.uuid, instanceUuid=self.instance_uuid, guestId=self.guest_id,
                guestFullName=self.guest_full_name, annotation=self.annotation,
                cpuReservation=vm_settings.allocation(self, "cpuAllocation").reservation,
                memoryReservation=vm_settings.allocation(self, "memoryAllocation").reservation,
                hwVersion=vm_settings.version(self)),
            storage=vm_hardware.storage_summary(self, self.vc.clock.now()),
            quickStats=self.quick_stats(), overallStatus="green",
            customValue=self.vc.managers["customFieldsManager"].values_of(self))

    def quick_stats(self):
        on = self.power_state == POWERED_ON
        used = self.memory_mb // 4 if on else 0
        return DataObject(
            "VirtualMachineQuickStats", overallCpuUsage=self.cpu_usage_mhz(),
            overallCpuDemand=self.cpu_usage_mhz(), overallCpuReadiness=0,
            guestMemoryUsage=used, hostMemoryUsage=self.memory_mb if on else 0,
            guestHeartbeatStatus="green" if self.tools_running else "gray",
            distributedCpuEntitlement=self.cpu_usage_mhz(),
            distributedMemoryEntitlement=self.memory_mb if on else 0,
            staticCpuEntitlement=self.num_cpu * self.host.cpu_mhz if on else 0,
            staticMemoryEntitlement=self.memory_mb if on else 0, grantedMemory=self.memory_mb
            if on else 0, privateMemory=self.memory_mb if on else 0, sharedMemory=0,
            swappedMemory=0, balloonedMemory=0, consumedOverheadMemory=used and 20,
            ftLogBandwidth=-1, ftSecondaryLatency=-1, ftLatencyStatus="gray",
            compressedMemory=0, uptimeSeconds=self.uptime(), ssdSwappedMemory=0,
            activeMemory=used)

    @vim_property
    def resourcePool(self, ctx):
        return None if self.template else self.pool.ref  # a template is in no pool

    @vim_property
    def environmentBrowser(self, ctx):
        return self.pool.owner.environment_browser.ref

    @vim_property
    def datastore(self, ctx):
        return refs(self.datastores)

    @vim_property
    def network(self, ctx):
        return refs(self.networks)

    @vim_property
    def capability(self, ctx):
        return vm_hardware.capability()
