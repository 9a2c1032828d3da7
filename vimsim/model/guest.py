"""What happens inside a guest: its accounts, its network, and guest customization.

Guest customization is one state machine per VM that every view reads (SOAP's
``guest.customizationInfo``, REST's customization status):
none (IDLE) -> PENDING -> RUNNING -> SUCCEEDED | FAILED.
How long the guest takes and whether it fails is decided by a GuestBehaviour, which a
fixture configures and an embedding program may replace.
"""
import functools
import logging
import types

from vimsim import activity
from vimsim.model import faults
from vimsim.vim25.data import DataObject

IDLE, PENDING, RUNNING, SUCCEEDED, FAILED = (
    "IDLE", "PENDING", "RUNNING", "SUCCEEDED", "FAILED")
ABORTED_MESSAGE = "The guest customization was aborted."
POWERED_OFF_MESSAGE = "The virtual machine was powered off during guest customization."

log = logging.getLogger("vimsim.guest")


def logged(vm):
    """A VM's customization state changed: a line for ``-v`` (vimsim/activity.py)."""
    state = vm.customization
    activity.event(log, "customization", "customization %s %s %s%s", activity.ref_text(vm.ref),
                   vm.name, state.status, ": " + state.error if state.error else "",
                   target=activity.ref_text(vm.ref), vm_name=vm.name, state=state.status,
                   error=state.error)


def tools_logged(vm):
    activity.event(log, "tools", "tools %s %s %s", activity.ref_text(vm.ref), vm.name,
                   "running" if vm.tools_running else "notRunning",
                   target=activity.ref_text(vm.ref), vm_name=vm.name,
                   state="running" if vm.tools_running else "notRunning")


def network_logged(vm):
    addresses = [a for a in vm.nic_addresses if a]
    activity.event(log, "guest_network", "guest network %s %s up %s", activity.ref_text(vm.ref),
                   vm.name, ", ".join(addresses) or "(no address)",
                   target=activity.ref_text(vm.ref), vm_name=vm.name, state="up",
                   addresses=addresses)


DEFAULT_ACCOUNTS = [{"username": "root", "password": "vmware", "privileged": True},
                    {"username": "guest", "password": "guest", "privileged": False}]
WINDOWS_ACCOUNTS = [{"username": "Administrator", "password": "vmware", "privileged": True},
                    {"username": "guest", "password": "guest", "privileged": False}]


def default_accounts(guest_family):
    """A VM's guest accounts when its fixture entry names none."""
    return WINDOWS_ACCOUNTS if guest_family == "windowsGuest" else DEFAULT_ACCOUNTS


class GuestAccount:
    __slots__ = ("username", "password", "privileged")

    def __init__(self, username, password, privileged=True):
        self.username, self.password, self.privileged = username, str(password), privileged


def accounts(specs):
    """A VM's guest accounts by user name, from [{username, password, privileged}]. Read-only
    and shared by every VM with the same accounts (one copy for 10,000 VMs); a change
    replaces a VM's whole mapping."""
    return _accounts(tuple((a["username"], str(a["password"]), bool(a.get("privileged", True)))
                           for a in specs))


@functools.lru_cache(maxsize=256)
def _accounts(key):
    return types.MappingProxyType({u: GuestAccount(u, p, privileged) for u, p, privileged in key})


def account_specs(accounts):
    """A VM's guest accounts as [{username, password, privileged}], as ``accounts`` takes."""
    return [{"username": a.username, "password": a.password, "privileged": a.privileged}
            for a in accounts.values()]


def check_guest_auth(vm, auth):
    """The fault a guest operation fails with for these credentials, or None."""
    account = None
    if auth is not None and auth._typeName == "NamePasswordAuthentication":
        account = vm.guest_accounts.get(auth.username)
        if account is not None and account.password != auth.password:
            account = None
    if account is None:
        return faults.InvalidGuestLogin()
    if not account.privileged:
        return faults.GuestPermissionDenied()
    return None


class Outcome:
    """How one customization ends inside the guest: after ``duration`` clock seconds of
    RUNNING, SUCCEEDED (``error`` None) or FAILED with ``error``, posting the ``event``
    failure type (CustomizationFailed or a subtype: CustomizationLinuxIdentityFailed,
    CustomizationNetworkSetupFailed, CustomizationSysprepFailed, CustomizationUnknownFailure)
    with ``reason``, a CustomizationFailedReasonCode (None: unset, as vCenter leaves it for
    most failures); ``hang`` never ends."""

    def __init__(self, duration, error=None, hang=False, event=None, reason=None):
        self.duration, self.error, self.hang = duration, error, hang
        self.event, self.reason = event, reason

    def persisted_state(self):
        return {"duration": self.duration, "error": self.error, "hang": self.hang,
                "event": self.event, "reason": self.reason}


class GuestBehaviour:
    """The default guest: customizes in the fixture's time and succeeds, unless the VM's
    fixture entry says ``customization: {fail: "message", duration: seconds, hang: true,
    event: CustomizationLinuxIdentityFailed, reason: customizationDisabled}``."""

    def __init__(self, timings):
        self.timings = timings

    def pending_seconds(self, vm):
        return self.timings["customization_pending"]

    def customization(self, vm, spec, config_params):
        plan = vm.customization_plan or {}
        return Outcome(plan.get("duration", self.timings["customization_running"]),
                       plan.get("fail"), bool(plan.get("hang")), plan.get("event"),
                       plan.get("reason"))


class GuestCustomization:
    """One VM's customization state as the guest reports it."""

    __slots__ = ("status", "start_time", "end_time", "error", "task", "spec", "config_params",
                 "generation", "failure_event")

    def __init__(self):
        self.status = IDLE
        self.start_time = self.end_time = self.error = None
        self.task = None  # the CustomizeGuest_Task that handed it to the guest
        self.spec = self.config_params = None
        self.generation = 0  # bumps on every new customization or abort; stale timers check it
        self.failure_event = None  # the event type a failure of the running one posts

    @property
    def in_progress(self):
        return self.status in (PENDING, RUNNING)

    def persisted_state(self):
        """Every field, as a snapshot keeps it; the task by its moId, which the task history
        may have purged by the time the snapshot is read."""
        state = {name: getattr(self, name) for name in self.__slots__}
        state["task"] = self.task.moid if self.task is not None else None
        return state

    def restore_persisted(self, state, vc):
        for name in self.__slots__:
            if name in state:
                setattr(self, name, state[name])
        self.task = vc.objects.get(self.task) if self.task is not None else None

    def info(self):
        """GuestInfoCustomizationInfo, with the fields the status allows (seed 001's rules)."""
        return DataObject(
            "GuestInfoCustomizationInfo", customizationStatus="TOOLSDEPLOYPKG_" + self.status,
            startTime=self.start_time if self.status in (RUNNING, SUCCEEDED, FAILED) else None,
            endTime=self.end_time if self.status in (SUCCEEDED, FAILED) else None,
            errorMsg=self.error if self.status == FAILED else None)


def simple_spec(host_name=None, addresses=()):
    """A vim25 CustomizationSpec from a host name and per-NIC addresses (None: DHCP): what a
    fixture's named spec comes down to; a fixed address is in a /24, as a spec vCenter stores
    always has a subnet mask (REST's ipv4 prefix) for it."""
    def settings(address):
        if address:
            return DataObject("CustomizationIPSettings", ip=DataObject(
                "CustomizationFixedIp", ipAddress=address), subnetMask="255.255.255.0")
        return DataObject("CustomizationIPSettings",
                          ip=DataObject("CustomizationDhcpIpGenerator"))
    identity = DataObject("CustomizationLinuxPrep", domain="",
                          hostName=DataObject("CustomizationFixedName", name=host_name)
                          if host_name else DataObject("CustomizationVirtualMachineName"))
    return DataObject(
        "CustomizationSpec", identity=identity,
        globalIPSettings=DataObject("CustomizationGlobalIPSettings"),
        nicSettingMap=[DataObject("CustomizationAdapterMapping", adapter=settings(a))
                       for a in addresses])
