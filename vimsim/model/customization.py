"""VirtualMachineGuestCustomizationManager: customize a running guest, abort it, start its
network (seed 002). Each method checks the VM, returns a Task at once, and hands the work to
the guest; the guest's side shows in the VM's customization state."""
import logging

from vimsim.model import faults, guest, guest_config
from vimsim.model.objects import ManagedObject
from vimsim.model.vm import POWERED_ON

CUSTOMIZE_PRIVILEGE = "VirtualMachine.Provisioning.Customize"
WINDOWS_IDENTITIES = ("CustomizationSysprep", "CustomizationSysprepText")
LINUX_IDENTITIES = ("CustomizationLinuxPrep", "CustomizationCloudinitPrep")
# vCenter 8.0's words for a VM without VMware Tools (its UncustomizableGuest)
TOOLS_NOT_INSTALLED_MESSAGE = (
    "Customization of the guest operating system is not supported due to the given reason: "
    "Tools is not installed in the GuestOS. Please install the latest version of open-vm-tools "
    "or VMware Tools to enable GuestCustomization.")

log = logging.getLogger("vimsim")


class GuestCustomizationManager(ManagedObject):
    vim_type = "VirtualMachineGuestCustomizationManager"
    # a customization's next step, and a Windows guest's restart in it (snapshot.py keeps them)
    scheduled_work = ("_run", "_finish", "_guest_restarts", "_guest_restarted")

    def __init__(self, vc, moid="GuestCustomizationManager"):
        super().__init__(vc, moid)

    def privilege_target(self, args):
        """NoPermission names the VM, whose privilege is missing, not this manager."""
        return args.get("vm")

    # -- checks, in the order vCenter applies them ---------------------------------------

    def _holder(self, vm, aborting):
        """The task that keeps ``vm`` busy for a guest operation, or None."""
        holder = self.vc.task_manager.lock_holder(vm)
        if aborting:
            # Abort ends a customization; only other work in flight makes the VM busy.
            return None if holder is not None and holder.info.name == "CustomizeGuest_Task" \
                else holder
        if holder is None and vm.customization.in_progress:
            holder = vm.customization.task
        return holder

    def _host_fault(self, vm, aborting=False):
        if vm.power_state != POWERED_ON:
            return faults.invalid_power_state(POWERED_ON, vm.power_state)
        if not vm.tools_running:
            return faults.InvalidState("The operation is not allowed in the current state "
                                       "because VMware Tools is not running in the guest.")
        holder = self._holder(vm, aborting)
        if holder is not None:
            return faults.TaskInProgress("Another task is already in progress.", task=holder.ref)
        return None

    @staticmethod
    def deploy_fault(vm, spec):
        """The fault a customization of ``vm`` with ``spec`` deployed by vCenter (for its next
        boot: CustomizeVM_Task, CheckCustomizationSpec, a clone's) meets, or None."""
        if not vm.tools_installed:
            return faults.UncustomizableGuest(TOOLS_NOT_INSTALLED_MESSAGE,
                                              uncustomizableGuestOS=vm.guest_id)
        fault = GuestCustomizationManager._spec_fault(vm, spec)
        if fault is None and not spec.nicSettingMap and vm.networks and not (
                spec.identity is not None and
                spec.identity._typeName == "CustomizationCloudinitPrep"):
            # a deployed spec sets up every NIC: "...specification: 0 does not match ...: 1."
            # (cloud-init's network comes from its metadata)
            fault = faults.NicSettingMismatch(numberOfNicsInSpec=0,
                                              numberOfNicsInVM=len(vm.networks))
        return fault

    @staticmethod
    def _spec_fault(vm, spec):
        identity = spec.identity
        windows = guest_config.is_windows(vm)
        if not guest_config.customizable(vm.guest_id) or identity is not None and (
                (identity._typeName in WINDOWS_IDENTITIES and not windows) or
                (identity._typeName in LINUX_IDENTITIES and windows)):
            return faults.UncustomizableGuest(uncustomizableGuestOS=vm.guest_id)
        nic_settings = len(spec.nicSettingMap or ())
        if nic_settings and nic_settings != len(vm.networks):
            return faults.NicSettingMismatch(numberOfNicsInSpec=nic_settings,
                                             numberOfNicsInVM=len(vm.networks))
        return guest_config.deploy_fault(spec)

    def _start(self, ctx, vm, method, description_id, duration, checks, body, args,
               lock=True):
        """Run the checks; the first fault fails the call or the task, as its delivery says.
        Otherwise queue the task whose body, ``body(*args)``, does the work."""
        for check in checks:
            fault = check()
            if fault is None:
                continue
            if self.vc.delivery_of(fault) == "call":
                raise fault
            return self.vc.task_manager.create(ctx, vm, method, description_id, self._fail,
                                               duration, lock=False, args=(fault,)).ref
        return self.vc.task_manager.create(ctx, vm, method, description_id, body, duration,
                                           lock=lock, args=args).ref

    def _fail(self, fault):  # a method, not a closure: a snapshot keeps the task
        raise fault

    # -- vim25 methods -------------------------------------------------------------------

    def CustomizeGuest_Task(self, ctx, vm, auth, spec, configParams=None):
        vm = self.vc.lookup(vm, ctx)
        return self._start(
            ctx, vm, "CustomizeGuest_Task", "VirtualMachineGuestCustomizationManager.customize",
            self.vc.timings["customize_task"],
            (lambda: self._host_fault(vm), lambda: self._spec_fault(vm, spec),
             lambda: guest.check_guest_auth(vm, auth)), self._hand_to_guest,
            (vm, spec, configParams))

    def _hand_to_guest(self, vm, spec, config_params):
        # This task still holds the VM while its body runs.
        self.begin(vm, spec, config_params, self.vc.task_manager.lock_holder(vm))

    def AbortCustomization_Task(self, ctx, vm, auth):
        vm = self.vc.lookup(vm, ctx)
        # What the abort ends is decided now, when it is called: the CustomizeGuest_Task in
        # flight and the customization in the guest (or the one that task starts). One that
        # begins after this call is not this abort's, whenever its task runs.
        holder = self.vc.task_manager.lock_holder(vm)
        customize = holder if holder is not None and \
            holder.info.name == "CustomizeGuest_Task" else None
        state = vm.customization
        generation = state.generation if state.in_progress else None
        return self._start(
            ctx, vm, "AbortCustomization_Task",
            "VirtualMachineGuestCustomizationManager.abortCustomization",
            self.vc.timings["abort_task"],
            (lambda: self._host_fault(vm, aborting=True),
             lambda: guest.check_guest_auth(vm, auth)), self._abort,
            (vm, customize, generation), lock=self.vc.task_manager.lock_holder(vm) is None)

    def _abort(self, vm, customize, generation):
        if customize is not None and not customize.done:
            self.vc.task_manager.finish(customize, error=faults.CustomizationFault(
                guest.ABORTED_MESSAGE))
        current = vm.customization
        if current.in_progress and (current.generation == generation or
                                    (customize is not None and current.task is customize)):
            self.end(vm, guest.FAILED, guest.ABORTED_MESSAGE)

    def StartGuestNetwork_Task(self, ctx, vm, auth):
        vm = self.vc.lookup(vm, ctx)
        return self._start(
            ctx, vm, "StartGuestNetwork_Task",
            "VirtualMachineGuestCustomizationManager.startNetwork",
            self.vc.timings["network_task"],
            (lambda: self._host_fault(vm), lambda: guest.check_guest_auth(vm, auth)),
            self._start_network, (vm,))

    def _start_network(self, vm):
        # NICs the customization gave no fixed address get one from DHCP.
        guest_config.bring_up(vm, every_nic=True)
        self.vc.touch(vm)

    # -- the guest's side ----------------------------------------------------------------

    def begin(self, vm, spec, config_params, task):
        """The guest has the customization: PENDING, then RUNNING, then its outcome."""
        state = vm.customization
        state.generation += 1
        state.status, state.start_time, state.end_time, state.error = guest.PENDING, None, None, None
        state.spec, state.config_params, state.task = spec, config_params, task
        self.vc.touch(vm)
        guest.logged(vm)
        self.vc.clock.call_later(self.vc.guest_behaviour.pending_seconds(vm), self._run, vm,
                                 state.generation)

    def _run(self, vm, generation):
        state = vm.customization
        if state.generation != generation or state.status != guest.PENDING:
            return
        try:
            outcome = vm.customization_override or \
                self.vc.guest_behaviour.customization(vm, state.spec, state.config_params)
            vm.customization_override = None
        except Exception:  # a broken guest behaviour hook fails the customization
            fault = faults.internal_error(log, "in the guest behaviour of " + vm.moid)
            self.end(vm, guest.FAILED, "Guest customization failed: internal error %s"
                     % fault.error_id)
            return
        state.status, state.start_time = guest.RUNNING, self.vc.clock.now()
        state.failure_event = outcome.event
        self.vc.event_manager.post("CustomizationStartedEvent", vm,
                                   logLocation=guest_config.log_location(vm, state.spec.identity))
        self.vc.touch(vm)
        guest.logged(vm)
        if getattr(state.spec.identity, "_typeName", None) in WINDOWS_IDENTITIES:
            # Sysprep restarts Windows while it runs: Tools go down, then come back.
            self.vc.clock.call_later(outcome.duration / 3, self._guest_restarts, vm, generation,
                                     outcome.duration / 3)
        if not outcome.hang:  # the outcome's error as data: a snapshot keeps the event
            self.vc.clock.call_later(outcome.duration, self._finish, vm, generation,
                                     outcome.error, outcome.reason)

    def _guest_restarts(self, vm, generation, within):
        if vm.customization.generation == generation and vm.tools_running:
            vm.set_tools_running(False)
            self.vc.clock.call_later(min(self.vc.timings["guest_reboot"], within),
                                     self._guest_restarted, vm, generation)

    def _guest_restarted(self, vm, generation):
        if vm.customization.generation == generation and vm.power_state == POWERED_ON:
            vm.set_tools_running(True)

    def _finish(self, vm, generation, error, reason=None):
        if vm.customization.generation != generation:
            return
        if error:
            self.end(vm, guest.FAILED, error, reason=reason)
            return
        try:
            guest_config.apply(self.vc, vm, vm.customization.spec)
        except guest_config.GuestFailure as failure:
            self.end(vm, guest.FAILED, failure.message, failure.event, failure.reason)
            return
        except Exception:  # a vimsim bug applying the spec fails the customization, logged
            fault = faults.internal_error(log, "applying the customization of " + vm.moid)
            self.end(vm, guest.FAILED, "Guest customization failed: internal error %s"
                     % fault.error_id, "CustomizationUnknownFailure")
            return
        self.end(vm, guest.SUCCEEDED, None)
        options = vm.customization.spec.options
        if getattr(options, "reboot", None) == "shutdown" and guest_config.is_windows(vm):
            vm.guest_shuts_down()  # CustomizationWinOptions: Sysprep ends by shutting down

    def end(self, vm, status, error, event=None, reason=None):
        """The customization ends: SUCCEEDED, or FAILED with ``error`` (customizationInfo's
        errorMsg), posting ``event`` (or the failure event the guest behaviour chose) with
        ``reason``, a CustomizationFailedReasonCode that vCenter sets only when the guest
        gives one (userDefinedScriptDisabled, ...). The events' messages are vCenter's."""
        state = vm.customization
        state.generation += 1
        state.status, state.end_time, state.error = status, self.vc.clock.now(), error
        where = guest_config.log_location(vm, getattr(state.spec, "identity", None))
        if status == guest.SUCCEEDED:
            self.vc.event_manager.post("CustomizationSucceeded", vm, logLocation=where)
        else:
            event = event or state.failure_event or "CustomizationFailed"
            fields = {}
            if event == "CustomizationSysprepFailed":
                fields = guest_config.sysprep_versions(vm)
            self.vc.event_manager.post(event, vm, reason=reason, logLocation=where, **fields)
        self.vc.touch(vm)
        guest.logged(vm)
