"""The Automation API operations vimsim serves, shared by /api, /rest and the JSON-RPC
endpoint the vSphere Automation SDK uses. Values are in the REST (JSON) form; each wire
wraps them its own way."""
from datetime import timezone

from vimsim.model import dispatch, faults, guest, rules
from vimsim.model.sessions import CallContext
from vimsim.rest import errors
from vimsim.rest.vcenter import POWER_STATES, VcenterInventory
from vimsim.vim25.types import REGISTRY

# The vim25 privileges the operations need: reading the inventory, and what CustomizeVM_Task
# needs (the vim25 method a pending customization is set through).
VIEW = "System.View"
CUSTOMIZE = REGISTRY.method("VirtualMachine", "CustomizeVM_Task").privilege
API_RELEASES = ("8.0.3.0", "8.0.2.0", "8.0.1.0")
# The Automation API operations that check availability and fire fault rules (a rule's
# ``operation`` names one of these); an http_error rule answers one of errors.ERROR_TYPES.
INVENTORY_KINDS = ("host", "datastore", "network", "datacenter", "cluster", "folder",
                   "resource_pool")
OPERATIONS = frozenset(
    ["com.vmware.vcenter.VM.list", "com.vmware.vcenter.VM.get",
     "com.vmware.vcenter.vm.hardware.get", "com.vmware.vcenter.vm.guest.customization.get",
     "com.vmware.vcenter.vm.guest.customization.set"]
    + ["com.vmware.vcenter.vm.Power.%s" % a for a in ("start", "stop", "suspend", "reset")]
    + ["com.vmware.cis.tagging.%s.list" % service for service in ("category", "tag", "tag_association")]
    + ["com.vmware.cis.tagging.tag_association.%s" % o for o in (
        "list_attached_tags", "list_attached_objects", "list_attached_tags_on_objects",
        "list_attached_objects_on_tags")]
    + ["com.vmware.vcenter.%s.%s" % (k, o) for k in INVENTORY_KINDS for o in ("list", "get")])
rules.register_operations(OPERATIONS, errors.ERROR_TYPES)


def rest_time(value):
    """vAPI's date_time: milliseconds and Z, as 2015-01-01T22:13:05.651Z."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)


class AutomationApi:
    def __init__(self, vc):
        self.vc = vc
        self.inventory = VcenterInventory(vc)
        self.fired = []  # (rule, VM) fired for the operation being answered

    # -- sessions -----------------------------------------------------------------------

    def login(self, user_name, password, ip_address=None, user_agent=None):
        try:
            return self.vc.session_manager.login(user_name, password, ip_address, user_agent)
        except faults.InvalidLogin:
            raise errors.unauthenticated()

    def session(self, token):
        session = self.vc.session_manager.session_for_cookie(token)
        if session is None:
            raise errors.unauthenticated()
        return session

    def logout(self, session):
        self.vc.session_manager.logout(session)

    @staticmethod
    def session_info(session):
        return {"user": session.user.name, "created_time": rest_time(session.login_time),
                "last_accessed_time": rest_time(session.last_active)}

    # -- operations ----------------------------------------------------------------------

    def require_available(self, operation, session=None, vm_id=None):
        """The settings and fault rules acting on an operation before it runs: the model's
        rule firing (dispatch.fire_rules, as for every vim25 call), then what only the
        Automation API has (unavailable operations, HTTP errors). Rules that act later (a
        delay) are kept for answer()."""
        if "*" in self.vc.unavailable_operations or operation in self.vc.unavailable_operations:
            raise errors.service_unavailable(operation)
        targets = {vm_id} if vm_id else set()
        vm = self.vc.objects.get(vm_id) if vm_id else None
        if vm is not None:
            targets.update((vm.name, vm.vim_type))
        fired = dispatch.fire_rules(self.vc, CallContext(session=session), operation, targets)
        for rule in fired:
            if rule.action == "http_error" and rule.error_type:
                raise errors.RestError(rule.error_type, "vimsim.fault_rule." + rule.id,
                                       rule.message or "Injected by fault rule %s." % rule.id)
        self.fired.extend((rule, vm) for rule in fired)

    def answer(self, value):
        """The operation's answer, shaped by the rules it fired (dispatch.apply_rules): a
        Pending answered after a delay rule's seconds, a guest rule's outcome on the VM."""
        for rule, vm in self.fired:
            value = dispatch.apply_rules(self.vc, [rule], vm or self.vc.service_instance, {},
                                         value)
        self.fired = []
        return value

    @staticmethod
    def require(session, privilege):
        if not session.user.has_privilege(privilege):
            raise errors.unauthorized(privilege)

    def vm(self, vm_id):
        obj = self.vc.objects.get(vm_id)
        if obj is None or obj.vim_type != "VirtualMachine":
            raise errors.vm_not_found(vm_id)
        return obj

    def list_vms(self, session, filters):
        """com.vmware.vcenter.VM.list: summaries of the VMs matching every given filter."""
        self.require_available("com.vmware.vcenter.VM.list", session)
        if not session.user.has_privilege(VIEW):
            return []
        for state in filters.get("power_states") or ():
            if state not in POWER_STATES.values():
                raise errors.invalid_argument("Invalid power state %s." % state, state)
        return self.inventory.list_vms(filters)

    def customization_info(self, session, vm_id):
        """com.vmware.vcenter.vm.guest.customization.get, with seed 001's field rules."""
        self.require_available("com.vmware.vcenter.vm.guest.customization.get", session, vm_id)
        vm = self.vm(vm_id)
        self.require(session, VIEW)
        state = vm.customization
        info = {"status": state.status}
        if state.status in (guest.RUNNING, guest.SUCCEEDED, guest.FAILED) and state.start_time:
            info["start_time"] = rest_time(state.start_time)
        if state.status in (guest.SUCCEEDED, guest.FAILED) and state.end_time:
            info["end_time"] = rest_time(state.end_time)
        if state.status == guest.FAILED and state.error:
            info["error"] = state.error
        return info

    def set_customization(self, session, vm_id, name=None, spec=None):
        """com.vmware.vcenter.vm.guest.customization.set: a named spec or a spec for the next
        power-on of a powered-off VM; with neither, what was pending is cleared (as the SDK
        documents)."""
        self.require_available("com.vmware.vcenter.vm.guest.customization.set", session, vm_id)
        vm = self.vm(vm_id)
        self.require(session, CUSTOMIZE)
        if name is not None and spec is not None:
            raise errors.invalid_argument("Only one of name and spec may be set.")
        if name is not None:
            pending = self.vc.customization_spec_manager.spec(name)
            if pending is None:
                raise errors.RestError("NOT_FOUND", "com.vmware.api.vcenter.guest.spec.not_found",
                                       "Customization specification '%s' does not exist." % name,
                                       [name])
        else:
            pending = vim_spec(spec) if spec is not None else None
        try:
            vm.set_pending_customization(pending)
        except faults.InvalidPowerState:
            raise errors.RestError(
                "NOT_ALLOWED_IN_CURRENT_STATE",
                "com.vmware.api.vcenter.vm.guest.customization.vm_not_powered_off",
                "The virtual machine '%s' must be powered off to set its customization." % vm_id,
                [vm_id])

    @staticmethod
    def hello(api_releases):
        for release in api_releases or ():
            if release in API_RELEASES:
                return release
        return ""


def vim_spec(spec):
    """The guest-side meaning of a REST CustomizationSpec: host name and NIC addresses."""
    if not isinstance(spec, dict):
        raise errors.invalid_argument("The customization spec must be an object.")
    config = spec.get("configuration_spec") or {}
    linux = config.get("linux_config") or config.get("windows_config") or {}
    host = linux.get("hostname") or {}
    if isinstance(host, dict):
        host = host.get("fixed_name") or host.get("prefix")
    addresses = []
    for interface in spec.get("interfaces") or ():
        ipv4 = ((interface or {}).get("adapter") or {}).get("ipv4") or {}
        addresses.append(ipv4.get("ip_address") if ipv4.get("type") == "STATIC" else None)
    return guest.simple_spec(host if isinstance(host, str) else None, addresses)
