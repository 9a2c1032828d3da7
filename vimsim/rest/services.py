"""The Automation API operations vimsim serves, shared by /api, /rest and the JSON-RPC
endpoint the vSphere Automation SDK uses. Values are in the REST (JSON) form; each wire
wraps them its own way."""
from datetime import timezone

from vimsim import activity, compat
from vimsim.model import authorization, dispatch, faults, guest, rules
from vimsim.model.sessions import CallContext
from vimsim.rest import customization_specs as rest_specs
from vimsim.rest import errors, inputs
from vimsim.rest import tagging as rest_tagging
from vimsim.rest.vcenter import POWER_STATES, VcenterInventory
from vimsim.vim25.data import DataObject
from vimsim.vim25.types import REGISTRY

# The vim25 privileges the operations need: reading the inventory, and what CustomizeVM_Task
# needs (the vim25 method a pending customization is set through).
VIEW = "System.View"
CUSTOMIZE = REGISTRY.method("VirtualMachine", "CustomizeVM_Task").privilege
READ_SPECS = REGISTRY.method("CustomizationSpecManager", "GetCustomizationSpec").privilege
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
    + ["com.vmware.vcenter.VM.create", "com.vmware.vcenter.VM.delete",
       "com.vmware.vcenter.vm.hardware.cpu.update", "com.vmware.vcenter.vm.hardware.memory.update"]
    + ["com.vmware.cis.tagging.%s.%s" % (service, o)
       for service, operations in rest_tagging.OPERATIONS.items() for o in operations]
    + ["com.vmware.vcenter.%s.%s" % (k, o) for k in INVENTORY_KINDS for o in ("list", "get")]
    + ["com.vmware.vcenter.guest.customization_specs.%s" % o for o in (
        "list", "get", "create", "set", "delete", "export", "import_specification")])
rules.register_operations(OPERATIONS, errors.ERROR_TYPES)


def rest_time(value):
    """vAPI's date_time: milliseconds and Z, as 2015-01-01T22:13:05.651Z."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)


class AutomationApi:
    def __init__(self, vc):
        self.vc = vc
        self.inventory = VcenterInventory(vc)
        self.specs = CustomizationSpecs(self)
        self.fired = []  # (rule, VM) fired for the operation being answered

    # -- sessions -----------------------------------------------------------------------

    def login(self, user_name, password, ip_address=None, user_agent=None):
        try:
            return self.vc.session_manager.login(user_name, password, ip_address, user_agent)
        except faults.InvalidLogin:
            raise errors.unauthenticated()
        except faults.SystemError as fault:  # no session left: vpxd's 503
            if getattr(fault, "http_status", None) != 503:
                raise
            raise errors.RestError("SERVICE_UNAVAILABLE",
                                   "com.vmware.vapi.std.errors.service_unavailable",
                                   fault.fields.get("reason", fault.msg))

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

    def require(self, session, privilege, moid=None):
        """UNAUTHORIZED unless the session holds ``privilege`` on the entity ``moid`` names
        (the root folder for none, or one that does not exist: the operation then answers
        that it is not found)."""
        if not authorization.holds(self.vc, session.user, self.vc.objects.get(moid) if moid
                                   else None, privilege):
            raise errors.unauthorized(privilege)

    def visible(self, session):
        """What a list shows the session: the entities it may see (None: all of them)."""
        return authorization.read_filter(self.vc, CallContext(session=session), VIEW)

    def target_text(self, moid):
        """An object an operation names, for its log line: ``VirtualMachine:vm-42`` if it
        exists, else the id as given (None for none)."""
        obj = self.vc.objects.get(moid) if moid else None
        return activity.ref_text(obj.ref) if obj is not None else moid

    def vm(self, vm_id):
        obj = self.vc.objects.get(vm_id)
        if obj is None or obj.vim_type != "VirtualMachine":
            raise errors.vm_not_found(vm_id)
        return obj

    def list_vms(self, session, filters):
        """com.vmware.vcenter.VM.list: summaries of the VMs matching every given filter."""
        self.require_available("com.vmware.vcenter.VM.list", session)
        for state in filters.get("power_states") or ():
            if state not in POWER_STATES.values():
                raise errors.invalid_argument("Invalid power state %s." % state, state)
        return self.inventory.list_vms(filters, self.visible(session))

    def customization_info(self, session, vm_id):
        """com.vmware.vcenter.vm.guest.customization.get, with seed 001's field rules."""
        self.require_available("com.vmware.vcenter.vm.guest.customization.get", session, vm_id)
        vm = self.vm(vm_id)
        self.require(session, VIEW, vm_id)
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
        self.require(session, CUSTOMIZE, vm_id)
        if name is not None and spec is not None:
            raise errors.invalid_argument("Only one of name and spec may be set.")
        if name is not None:
            pending = self.vc.customization_spec_manager.spec(name)
            if pending is None:
                raise errors.RestError("NOT_FOUND", "com.vmware.api.vcenter.guest.spec.not_found",
                                       "Customization specification '%s' does not exist." % name,
                                       [name])
        else:
            pending = rest_specs.to_vim(spec) if spec is not None else None
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


class CustomizationSpecs:
    """com.vmware.vcenter.guest.CustomizationSpecs over the vim25 CustomizationSpecManager:
    each operation is the manager's method, called as a vim25 client would call it (its
    privilege and fault rules included), its fault turned into the vAPI error."""

    SERVICE = "com.vmware.vcenter.guest.customization_specs"

    def __init__(self, api):
        self.api = api

    def _available(self, session, operation):
        self.api.require_available("%s.%s" % (self.SERVICE, operation), session)

    def _invoke(self, session, method, **args):
        vc = self.api.vc
        return dispatch.invoke(vc, CallContext(session=session),
                               vc.customization_spec_manager.ref, method, args)

    def list(self, session, names=None, os_type=None):
        self._available(session, "list")
        self.api.require(session, READ_SPECS)
        manager = self.api.vc.customization_spec_manager
        items = [manager.items[name] for name in sorted(manager.items)]
        return [{"name": i.info.name, "description": i.info.description or "",
                 "OS_type": rest_specs.os_type(i),
                 "last_modified": rest_time(i.info.lastUpdateTime)}
                for i in items if (not names or i.info.name in names)
                and (os_type is None or rest_specs.os_type(i) == os_type)]

    def get(self, session, name):
        self._available(session, "get")
        item = self._invoke(session, "GetCustomizationSpec", name=name)
        return {"last_modified": rest_time(item.info.lastUpdateTime),
                "spec": {"name": item.info.name, "description": item.info.description or "",
                         "fingerprint": item.info.changeVersion,
                         "spec": rest_specs.from_vim(item.spec)}}

    @staticmethod
    def _item(operation, body, name=None, fingerprint=None):
        inputs.check(operation, body, inputs.NAMED_SPEC, "spec", required=True)
        spec = rest_specs.to_vim(body["spec"])
        info = DataObject("CustomizationSpecInfo", name=name or body.get("name"),
                          description=body.get("description", ""),
                          type="Windows" if spec.identity._typeName.startswith(
                              "CustomizationSysprep") else "Linux",
                          changeVersion=fingerprint)
        return DataObject("CustomizationSpecItem", info=info, spec=spec)

    def create(self, session, body):
        self._available(session, "create")
        item = self._item("create", body)
        self._invoke(session, "CreateCustomizationSpec", item=item)
        return item.info.name

    def set(self, session, name, body):
        self._available(session, "set")
        inputs.check("set", body, inputs.NAMED_SPEC, "spec", required=True)
        new_name = body["name"] if body.get("name") is not None else name
        item = self._item("set", body, name, body.get("fingerprint"))
        self._invoke(session, "OverwriteCustomizationSpec", item=item)
        if new_name != name:
            self._invoke(session, "RenameCustomizationSpec", name=name, newName=new_name)

    def delete(self, session, name):
        self._available(session, "delete")
        self._invoke(session, "DeleteCustomizationSpec", name=name)

    def export(self, session, name, fmt):
        self._available(session, "export")
        if fmt not in ("JSON", "XML"):
            raise errors.invalid_argument("The format must be JSON or XML.")
        item = self._invoke(session, "GetCustomizationSpec", name=name)
        return rest_specs.export(item, fmt)

    def import_specification(self, session, text):
        """The CreateSpec a document (vCenter's XML, or the export's JSON) holds."""
        self._available(session, "import_specification")
        if not isinstance(text, str):
            raise errors.invalid_argument("The customization_spec must be a string.")
        if text.lstrip().startswith("<"):
            item = self._invoke(session, "XmlToCustomizationSpecItem", specItemXml=text)
            return {"name": item.info.name, "description": item.info.description or "",
                    "spec": rest_specs.from_vim(item.spec)}
        try:
            body = compat.parse_json(text)
        except ValueError:
            raise errors.invalid_argument("The customization spec is neither XML nor JSON.")
        item = self._item("import_specification", body)
        return {"name": item.info.name, "description": item.info.description,
                "spec": rest_specs.from_vim(item.spec)}
