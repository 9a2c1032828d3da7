"""/api and /rest (the vCenter Automation REST API) and the JSON-RPC endpoint on /api that
the vSphere Automation SDK for Python speaks (WIRE.md section 6)."""
import json
import logging
import re

from twisted.web import server

from vimsim import activity
from vimsim.compat import basic_credentials, header, parse_json
from vimsim.frontend import ModelResource
from vimsim.model import faults
from vimsim.model.objects import Pending
from vimsim.rest import errors, inputs, tagging, vm_lifecycle
from vimsim.rest.guest_operations import GuestOperations
from vimsim.rest.services import VIEW, AutomationApi, CustomizationSpecs
from vimsim.rest.vapi_types import STRUCTURES
from vimsim.rest.vcenter import VcenterInventory
from vimsim.vim25 import primitives

log = logging.getLogger("vimsim.rest")

SESSION = "vmware-api-session-id"


def unwrap(value):
    """vAPI's JSON-RPC data (STRUCTURE, OPTIONAL, SECRET wrappers) as plain JSON."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key == "STRUCTURE" and isinstance(inner, dict) and len(inner) == 1:
                return unwrap(next(iter(inner.values())))
            if key in ("OPTIONAL", "SECRET"):
                return unwrap(inner)
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def reshape(value):
    """/api's value in /rest's form: every map becomes a list of {"key", "value"} pairs."""
    if isinstance(value, list):
        return [reshape(v) for v in value]
    if isinstance(value, dict):
        if value and all(k.isdigit() for k in value):
            return [{"key": k, "value": reshape(v)} for k, v in value.items()]
        return {k: reshape(v) for k, v in value.items()}
    return value


def structure(name, fields, optional=()):
    """A vAPI structure; fields named in ``optional`` travel as {"OPTIONAL": v}."""
    return {"STRUCTURE": {name: {k: ({"OPTIONAL": v} if k in optional else v)
                                 for k, v in fields.items()}}}


def vapi_value(value, kind):
    """A JSON value as the SDK reads it, by its generated type (rest/vapi_types.py): every
    structure named and complete, unset optional fields as {"OPTIONAL": null}."""
    if kind.startswith("opt:"):
        return {"OPTIONAL": vapi_value(value, kind[4:]) if value is not None else None}
    if kind.startswith("list:"):
        return [vapi_value(v, kind[5:]) for v in value or ()]
    if kind.startswith("struct:"):
        name = kind[7:]
        return {"STRUCTURE": {name: {field: vapi_value(value.get(field), field_kind)
                                     for field, field_kind in STRUCTURES[name]}}}
    if kind == "secret":
        return {"SECRET": value}
    return value


def set_fields(value):
    """A JSON-RPC input without its unset fields (null), as the REST form has them."""
    if isinstance(value, dict):
        return {k: set_fields(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [set_fields(v) for v in value]
    return value


class Route:
    """A request as the REST dialects see it."""

    def __init__(self, request, dialect):
        self.request, self.dialect = request, dialect
        # an encoded '/' (%2F) stays inside its segment: it names an id, not a sub-resource
        self.path = "/".join(p.decode("utf-8", "replace").replace("/", "%2F")
                             for p in request.postpath).strip("/")
        # HEAD is GET without the body (the HTTP layer drops it)
        self.method = "GET" if request.method == b"HEAD" else request.method.decode()
        self.query = {k.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in vs]
                      for k, vs in request.args.items()}
        self.raw_query = request.uri.partition(b"?")[2].decode("utf-8", "replace")

    def body(self):
        raw = self.request.content.read()
        if not raw.strip():
            return {}
        try:
            return parse_json(raw)
        except ValueError:
            raise errors.invalid_argument("The request body is not valid JSON.")


class AutomationResource(ModelResource):
    """One of /api or /rest."""

    def __init__(self, server_state, dialect):
        super().__init__(server_state)
        self.dialect = dialect
        self._api = None

    @property
    def api(self):
        """The operations over this resource's model; one object, as requests are answered
        one at a time on the reactor (the rules an operation fired live there until its
        answer is shaped)."""
        if self._api is None or self._api.vc is not self.vc:
            self._api = AutomationApi(self.vc)
        return self._api

    def render(self, request):
        route = Route(request, self.dialect)
        self.api.fired = []
        try:
            if self.dialect == "api" and route.path == "" and route.method == "POST":
                return self.json_rpc(request)
            status, value = self.dispatch(route)
            if isinstance(value, Pending):
                self.answer_later(request, status, value)
                return server.NOT_DONE_YET
        except errors.RestError as error:
            status, value = error.status, self.error_body(error, request)
        except faults.Fault as fault:
            error = errors.from_fault(fault)
            status, value = error.status, self.error_body(error, request)
        except Exception:  # a vimsim bug: a vAPI internal error, never a traceback
            error = errors.internal_error(faults.internal_error(log, "answering " + route.path))
            status, value = error.status, self.error_body(error, request)
        finally:
            self.state.request_done()
        return self.finish_answer(request, status, value)

    def finish_answer(self, request, status, value):
        request.setResponseCode(status)
        if value is None:
            # No body, and so no Content-Type (the vmware_rest modules decide on the header).
            return b""
        request.setHeader(b"Content-Type", b"application/json")
        return json.dumps(value).encode()

    def answer_later(self, request, status, pending):
        """An operation that answers when its task is done (power start, stop, ...)."""
        def done(p):
            if request.finished or getattr(request, "_disconnected", False):
                return
            if p.fault is not None:
                error = errors.from_fault(p.fault)
                body = self.finish_answer(request, error.status, self.error_body(error, request))
            else:  # a task's end (no body), or an answer a delay rule held back
                body = self.finish_answer(request, status, p.value if isinstance(
                    p.value, (dict, list, str)) else None)
            request.write(body)
            request.finish()
        pending.add_callback(done)

    def error_body(self, error, request):
        activity.note(request, fault=error.error_type)
        if self.dialect == "rest":
            return {"type": error.std_name, "value": {"messages": error.messages()}}
        return {"error_type": error.error_type, "messages": error.messages()}

    # -- REST -----------------------------------------------------------------------------

    def token(self, request):
        token = header(request, SESSION)
        if not token and self.dialect == "rest":
            token = request.getCookie(SESSION.encode())
            token = token.decode("utf-8", "replace") if token else None
        return token

    def authenticated(self, request):
        # JSON-RPC carries its session in the body: its requests count as without one
        # unless they also send the header.
        return self.vc.session_manager.live_session(self.token(request)) is not None

    def basic_login(self, route):
        credentials = basic_credentials(route.request)
        if credentials is None:
            raise errors.unauthenticated()
        user, password = credentials
        request = route.request
        activity.note(request, user=user)
        return self.api.login(user, password, getattr(request.getClientAddress(), "host", None),
                              header(request, "User-Agent"))

    def dispatch(self, route):
        api, path, method, rest = self.api, route.path, route.method, self.dialect == "rest"
        session_path = "com/vmware/cis/session" if rest else "session"
        if path == session_path:
            return self.session_operation(route)
        if path == "vcenter/system" and not rest and method == "POST" \
                and "action=hello" in route.raw_query:
            body = inputs.check("hello", route.body(), inputs.HELLO, "spec") or {}
            return 200, {"api_release": api.hello(body.get("api_releases"))}
        for verb, pattern, dialects, handler in ROUTES:
            if verb != method or self.dialect not in dialects:
                continue
            match = pattern.match(path)
            if match is None:
                continue
            if match.groups():
                activity.note(route.request, target=self.api.target_text(match.group(1)))
            session = api.session(self.token(route.request))
            activity.note(route.request, user=session.user.name)
            status, value = handler(self, route, session, *match.groups())
            if rest and value is not None and not isinstance(value, Pending):
                value = {"value": reshape(value)}
            return status, api.answer(value)
        raise errors.operation_not_found("%s /%s/%s" % (method, self.dialect, path))

    def session_operation(self, route):
        api, rest = self.api, self.dialect == "rest"
        wrap = (lambda v: {"value": v}) if rest else (lambda v: v)
        if route.method == "POST" and not (rest and "~action=get" in route.raw_query):
            session = self.basic_login(route)
            if rest and header(route.request, "vmware-use-header-authn") != "true":
                route.request.addCookie(SESSION, session.cookie, path="/", httpOnly=True,
                                        secure=route.request.isSecure())
            return (200 if rest else 201), wrap(session.cookie)
        session = api.session(self.token(route.request))
        activity.note(route.request, user=session.user.name)
        if route.method == "DELETE":
            api.logout(session)
            return (200 if rest else 204), None
        if route.method in ("GET", "POST"):
            return 200, wrap(api.session_info(session))
        raise errors.operation_not_found("%s /%s/%s" % (route.method, self.dialect, route.path))

    # -- operations (see ROUTES) ----------------------------------------------------------

    def filters(self, route):
        """The list filters of a query, /rest's ``filter.`` prefix taken off; booleans parsed."""
        prefix = "filter." if self.dialect == "rest" else ""
        found = {}
        for key, values in route.query.items():
            if not key.startswith(prefix):
                continue
            name = key[len(prefix):].rstrip("]").split("[", 1)[0]
            if name == "standalone":
                if values[-1].lower() not in ("true", "false"):
                    raise errors.invalid_argument("Invalid value %s for the boolean standalone."
                                                  % primitives.quoted(values[-1]), values[-1])
                found[name] = values[-1].lower() == "true"
            elif name == "type":
                found[name] = values[-1]
            else:
                found.setdefault(name, []).extend(values)
        return found

    def list_vms(self, route, session):
        return 200, self.api.list_vms(session, self.filters(route))

    def vm_info(self, route, session, vm):
        self.api.require_available("com.vmware.vcenter.VM.get", session, vm)
        self.api.require(session, VIEW, vm)
        return 200, self.api.inventory.vm_info(vm)

    def vm_part(self, route, session, vm, part, item=None):
        self.api.require_available("com.vmware.vcenter.vm.hardware.get", session, vm)
        self.api.require(session, VIEW, vm)
        return 200, self.api.inventory.vm_part(vm, part, item)

    def vm_guest(self, route, session, vm, part):
        self.api.require(session, VIEW, vm)
        inventory = self.api.inventory
        return 200, {"networking": inventory.guest_networking,
                     "networking/interfaces": inventory.guest_interfaces,
                     "networking/routes": inventory.guest_routes,
                     "local-filesystem": inventory.guest_local_filesystem,
                     "operations": inventory.guest_operations}[part](vm)

    def vm_tools(self, route, session, vm):
        self.api.require(session, VIEW, vm)
        return 200, self.api.inventory.tools(vm)

    def power_get(self, route, session, vm):
        self.api.require(session, VIEW, vm)
        return 200, self.api.inventory.power_state(vm)

    def power_action(self, route, session, vm, action=None):
        action = action or (route.query.get("action") or [None])[-1]
        if action is None:
            raise errors.operation_not_found("POST /%s/%s" % (self.dialect, route.path))
        self.api.require_available("com.vmware.vcenter.vm.Power.%s" % action, session, vm)
        done = self.api.inventory.power(session, vm, action)
        return (200 if self.dialect == "rest" else 204), done

    def vm_create(self, route, session):
        body = route.body()
        spec = body.get("spec") if self.dialect == "rest" and isinstance(body, dict) else body
        self.api.require_available("com.vmware.vcenter.VM.create", session)
        made = vm_lifecycle.create(self.api, session, spec)
        if self.dialect == "rest":
            return 200, vm_lifecycle.then(made, lambda vm_id: {"value": vm_id})
        return 201, made

    def vm_delete(self, route, session, vm):
        self.api.require_available("com.vmware.vcenter.VM.delete", session, vm)
        return (200 if self.dialect == "rest" else 204), vm_lifecycle.delete(
            self.api, session, vm)

    def vm_hardware_update(self, route, session, vm, part):
        body = route.body()
        spec = body.get("spec") if self.dialect == "rest" and isinstance(body, dict) else body
        self.api.require_available("com.vmware.vcenter.vm.hardware.%s.update" % part,
                                   session, vm)
        update = vm_lifecycle.update_cpu if part == "cpu" else vm_lifecycle.update_memory
        return (200 if self.dialect == "rest" else 204), update(self.api, session, vm, spec)

    def guest_identity(self, route, session, vm):
        self.api.require(session, VIEW, vm)
        return 200, self.api.inventory.guest_identity(vm)

    def customization_get(self, route, session, vm):
        return 200, self.api.customization_info(session, vm)

    def customization_set(self, route, session, vm):
        body = route.body()
        spec = body.get("spec", {}) if self.dialect == "rest" and isinstance(body, dict) \
            else body
        inputs.check("set", spec, inputs.SET_SPEC, "spec", required=True)
        self.api.set_customization(session, vm, spec.get("name"), spec.get("spec"))
        return (200 if self.dialect == "rest" else 204), None

    # -- guest operations (processes and files in the guest) ------------------------------

    def guest_operation(self, route, session, vm, part, pid=None):
        return GuestOperations(self.api).call(session, vm, part, self._action(route),
                                              route.body(), pid)

    def guest_process(self, route, session, vm, pid):
        return self.guest_operation(route, session, vm, "process", pid)

    # -- guest customization specs ---------------------------------------------------------

    def _spec_body(self, route):
        """The request's structure: /rest wraps it in {"spec": ...}."""
        body = route.body()
        if self.dialect == "rest" and isinstance(body, dict) and set(body) == {"spec"}:
            return body["spec"]
        return body

    def _action(self, route):
        return (route.query.get("action") or [None])[-1]

    def specs_list(self, route, session):
        filters = self.filters(route)
        os_type = filters.get("OS_type")
        names = filters.get("names")
        return 200, self.api.specs.list(session, set(names) if names else None,
                                        os_type[-1] if isinstance(os_type, list) else os_type)

    def specs_post(self, route, session):
        action = self._action(route)
        if action == "import":
            body = route.body()
            return 200, self.api.specs.import_specification(
                session, body.get("customization_spec") if isinstance(body, dict) else None)
        if action is not None:
            raise errors.operation_not_found("POST /%s/%s?action=%s" % (
                self.dialect, route.path, action))
        name = self.api.specs.create(session, self._spec_body(route))
        return (200 if self.dialect == "rest" else 201), name

    def specs_get(self, route, session, name):
        return 200, self.api.specs.get(session, name)

    def specs_set(self, route, session, name):
        self.api.specs.set(session, name, self._spec_body(route))
        return (200 if self.dialect == "rest" else 204), None

    def specs_delete(self, route, session, name):
        self.api.specs.delete(session, name)
        return (200 if self.dialect == "rest" else 204), None

    def specs_export(self, route, session, name):
        if self._action(route) != "export":
            raise errors.operation_not_found("POST /%s/%s" % (self.dialect, route.path))
        body = route.body()
        return 200, self.api.specs.export(session, name, body.get("format")
                                          if isinstance(body, dict) else None)

    # -- JSON-RPC (the SDK) ---------------------------------------------------------------

    def json_rpc(self, request):
        """vAPI JSON-RPC 2.0: always HTTP 200, the id echoed, errors in result.error."""
        request.setResponseCode(200)
        request.setHeader(b"Content-Type", b"application/json")
        try:
            message = parse_json(request.content.read())
            params = message["params"]
            rpc_id = message.get("id")
            service, operation = params["serviceId"], params["operationId"]
            if not (isinstance(service, str) and isinstance(operation, str)):
                raise TypeError("serviceId and operationId are strings")
            given = unwrap(params.get("input", {}))
            security = (params.get("ctx") or {}).get("securityCtx") or {}
            if not all(isinstance(v, str) for k, v in security.items()
                       if k in ("schemeId", "sessionId", "userName", "password")):
                raise TypeError("the security context's fields are strings")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            activity.note(request, surface="jsonrpc", fault="Invalid Request")
            return json.dumps({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": "Invalid Request"}}).encode()
        activity.note(request, surface="jsonrpc", method="%s.%s" % (service, operation))
        self.api.fired = []
        try:
            output = self.api.answer(self.invoke(service, operation, given, security, request))
            if isinstance(output, Pending):  # a delay rule: the answer once it has passed
                output.add_callback(lambda p: self.rpc_answer_later(request, rpc_id, p))
                return server.NOT_DONE_YET
            result = {"output": output}
        except errors.RestError as error:
            result = {"error": self.rpc_error(error, request)}
        except faults.Fault as fault:
            result = {"error": self.rpc_error(errors.from_fault(fault), request)}
        except Exception:
            result = {"error": self.rpc_error(errors.internal_error(faults.internal_error(
                log, "in %s.%s" % (service, operation))), request)}
        return json.dumps({"jsonrpc": "2.0", "id": rpc_id, "result": result}).encode()

    def rpc_specs(self, session, operation, given):
        """com.vmware.vcenter.guest.customization_specs, as the SDK calls it."""
        specs, prefix = self.api.specs, "struct:com.vmware.vcenter.guest.customization_specs."
        name = inputs.check(operation, given.get("name"), inputs.STRING, "name",
                            required=operation in ("get", "set", "delete", "export"))
        if operation == "list":
            spec = inputs.check(operation, given.get("filter"), inputs.SPECS_FILTER,
                                "filter") or {}
            return [vapi_value(s, prefix + "summary") for s in specs.list(
                session, set(spec["names"]) if spec.get("names") else None,
                spec.get("OS_type"))]
        if operation == "get":
            return vapi_value(specs.get(session, name), prefix + "info")
        if operation == "create":
            return specs.create(session, given.get("spec"))
        if operation == "set":
            return specs.set(session, name, given.get("spec"))
        if operation == "delete":
            return specs.delete(session, name)
        if operation == "export":
            return specs.export(session, name, given.get("format"))
        if operation == "import_specification":
            return vapi_value(specs.import_specification(session, given.get(
                "customization_spec")), prefix + "create_spec")
        raise errors.operation_not_found("%s.%s" % (CustomizationSpecs.SERVICE, operation))

    def rpc_answer_later(self, request, rpc_id, pending):
        if request.finished or getattr(request, "_disconnected", False):
            return
        result = {"error": self.rpc_error(errors.from_fault(pending.fault), request)} \
            if pending.fault is not None else {"output": pending.value}
        request.write(json.dumps({"jsonrpc": "2.0", "id": rpc_id, "result": result}).encode())
        request.finish()

    @staticmethod
    def rpc_error(error, request):
        activity.note(request, fault=error.error_type)
        messages = [structure("com.vmware.vapi.std.localizable_message", m)
                    for m in error.messages()]
        return {"ERROR": {error.std_name: {"messages": messages, "data": {"OPTIONAL": None},
                                           "error_type": {"OPTIONAL": error.error_type}}}}

    def invoke(self, service, operation, given, security, request):
        api = self.api
        if (service, operation) == ("com.vmware.cis.session", "create"):
            if security.get("schemeId") != "com.vmware.vapi.std.security.user_pass":
                raise errors.unauthenticated()
            activity.note(request, user=security.get("userName"))
            session = api.login(security.get("userName"), security.get("password"),
                                getattr(request.getClientAddress(), "host", None),
                                header(request, "User-Agent"))
            return {"SECRET": session.cookie}
        if security.get("schemeId") != "com.vmware.vapi.std.security.session_id":
            raise errors.unauthenticated()
        session = api.session(security.get("sessionId"))
        activity.note(request, user=session.user.name)
        given = given.get("operation-input", given) if isinstance(given, dict) else {}
        if not isinstance(given, dict):
            raise errors.invalid_input(operation, [])
        if service == "com.vmware.cis.session":
            if operation == "delete":
                api.logout(session)
                return None
            if operation == "get":
                return structure("com.vmware.cis.session.info", api.session_info(session))
        if operation == "list" and service in RPC_LISTS:
            kind, struct, optional = RPC_LISTS[service]
            spec = inputs.check(operation, given.get("filter"), inputs.LIST_FILTER, "filter")
            spec = {k: v for k, v in (spec or {}).items() if v is not None}
            if kind == "vm":
                found = api.list_vms(session, spec)
            else:
                api.require_available(service + ".list", session)
                found = getattr(api.inventory, "list_%ss" % kind)(spec, api.visible(session))
            return [structure(struct, s, optional=optional) for s in found]
        if service in TAGGING_SERVICES:
            api.require_available("%s.%s" % (service, operation), session)
            return tagging.rpc(api.vc.tagging, session, service, operation, set_fields(given))
        vm = inputs.check(operation, given.get("vm"), inputs.STRING, "vm")
        activity.note(request, target=api.target_text(vm))
        if (service, operation) == ("com.vmware.vcenter.vm.guest.identity", "get"):
            identity = dict(api.inventory.guest_identity(vm))
            identity["full_name"] = structure("com.vmware.vapi.std.localizable_message",
                                              identity["full_name"])
            identity.setdefault("ip_address", None)
            return structure("com.vmware.vcenter.vm.guest.identity.info", identity,
                             optional=("ip_address",))
        if service == CustomizationSpecs.SERVICE:
            return self.rpc_specs(session, operation, set_fields(given))
        if service in RPC_HARDWARE and operation == "get":
            part, struct, optional = RPC_HARDWARE[service]
            api.require_available("com.vmware.vcenter.vm.hardware.get", session, vm)
            api.require(session, VIEW, vm)
            info = dict({k: None for k in optional}, **api.inventory.vm_part(vm, part))
            return structure(struct, info, optional=optional)
        if (service, operation) in RPC_LIFECYCLE:
            api.require_available("%s.%s" % (service, operation), session, vm)
            if operation == "create":
                return vm_lifecycle.create(api, session, set_fields(given.get("spec")))
            if operation == "delete":
                return vm_lifecycle.delete(api, session, vm)
            update = vm_lifecycle.update_cpu if service.endswith("cpu") else \
                vm_lifecycle.update_memory
            return update(api, session, vm, set_fields(given.get("spec")))
        if service == "com.vmware.vcenter.vm.guest.customization":
            if vm is None:
                raise errors.invalid_argument("The vm parameter is missing.")
            if operation == "get":
                info = api.customization_info(session, vm)
                return structure("com.vmware.vcenter.vm.guest.customization.info", info,
                                 optional=("start_time", "end_time", "error"))
            if operation == "set":
                spec = inputs.check(operation, given.get("spec"), inputs.SET_SPEC, "spec") or {}
                api.set_customization(session, vm, spec.get("name"), spec.get("spec"))
                return None
        raise errors.operation_not_found("%s.%s" % (service, operation))


def _inventory_list(kind):
    """The handler of GET /vcenter/{kind}: the entities of a kind matching the filters."""
    def handler(self, route, session):
        self.api.require_available("com.vmware.vcenter.%s.list" % kind, session)
        return 200, getattr(self.api.inventory, "list_%ss" % kind)(self.filters(route),
                                                                  self.api.visible(session))
    return handler


def _inventory_get(kind):
    """The handler of GET /vcenter/{kind}/{id}: one inventory object's info."""
    def handler(self, route, session, moid):
        self.api.require_available("com.vmware.vcenter.%s.get" % kind, session)
        self.api.require(session, VIEW, moid)
        return 200, getattr(self.api.inventory, "%s_info" % kind)(moid)
    return handler


def _path(pattern):
    return re.compile("^%s$" % pattern.replace("{id}", "([^/]+)"))


# The SDK's list services: service id -> (kind, summary structure, its optional fields).
RPC_LISTS = {
    "com.vmware.vcenter.VM": ("vm", "com.vmware.vcenter.VM.summary",
                              ("cpu_count", "memory_size_MiB")),
    "com.vmware.vcenter.host": ("host", "com.vmware.vcenter.host.summary",
                                ("power_state", "host_uuid")),
    "com.vmware.vcenter.datastore": ("datastore", "com.vmware.vcenter.datastore.summary",
                                     ("free_space", "capacity")),
    "com.vmware.vcenter.network": ("network", "com.vmware.vcenter.network.summary", ()),
    "com.vmware.vcenter.datacenter": ("datacenter", "com.vmware.vcenter.datacenter.summary", ()),
    "com.vmware.vcenter.cluster": ("cluster", "com.vmware.vcenter.cluster.summary", ()),
    "com.vmware.vcenter.folder": ("folder", "com.vmware.vcenter.folder.summary", ()),
    "com.vmware.vcenter.resource_pool": ("resource_pool",
                                         "com.vmware.vcenter.resource_pool.summary", ()),
}
# The SDK's VM lifecycle operations (rest/vm_lifecycle.py).
RPC_LIFECYCLE = (("com.vmware.vcenter.VM", "create"), ("com.vmware.vcenter.VM", "delete"),
                 ("com.vmware.vcenter.vm.hardware.cpu", "update"),
                 ("com.vmware.vcenter.vm.hardware.memory", "update"))
# The SDK's hardware gets: service id -> (the VM part, its info structure, optional fields).
RPC_HARDWARE = {
    "com.vmware.vcenter.vm.hardware.cpu": ("hardware/cpu", "com.vmware.vcenter.vm.hardware.cpu.info",
                                           ()),
    "com.vmware.vcenter.vm.hardware.memory": (
        "hardware/memory", "com.vmware.vcenter.vm.hardware.memory.info",
        ("hot_add_increment_size_MiB", "hot_add_limit_MiB"))}
TAGGING_SERVICES = ("com.vmware.cis.tagging.category", "com.vmware.cis.tagging.tag",
                    "com.vmware.cis.tagging.tag_association")
BOTH, API, REST = ("api", "rest"), ("api",), ("rest",)
# The Automation API operations served: (HTTP method, path, dialects, handler).
ROUTES = [
    ("GET", _path("vcenter/vm"), BOTH, AutomationResource.list_vms),
    ("GET", _path("vcenter/vm/{id}"), BOTH, AutomationResource.vm_info),
    ("POST", _path("vcenter/vm"), BOTH, AutomationResource.vm_create),
    ("DELETE", _path("vcenter/vm/{id}"), BOTH, AutomationResource.vm_delete),
    ("PATCH", _path("vcenter/vm/{id}/hardware/(cpu|memory)"), BOTH,
     AutomationResource.vm_hardware_update),
    ("GET", _path("vcenter/vm/{id}/power"), BOTH, AutomationResource.power_get),
    ("POST", _path("vcenter/vm/{id}/power"), API, AutomationResource.power_action),
    ("POST", _path("vcenter/vm/{id}/power/(start|stop|suspend|reset)"), REST,
     AutomationResource.power_action),
    ("GET", _path("vcenter/vm/{id}/guest/identity"), BOTH, AutomationResource.guest_identity),
    ("GET", _path("vcenter/vm/{id}/guest/customization"), BOTH,
     AutomationResource.customization_get),
    ("PUT", _path("vcenter/vm/{id}/guest/customization"), BOTH,
     AutomationResource.customization_set),
    ("GET", _path("vcenter/vm/{id}/(%s)" % "|".join(VcenterInventory.VM_PARTS)), BOTH,
     AutomationResource.vm_part),
    ("GET", _path("vcenter/vm/{id}/(hardware/disk|hardware/ethernet|hardware/cdrom|"
                  "hardware/adapter/scsi)/{id}"), BOTH, AutomationResource.vm_part),
    ("GET", _path("vcenter/vm/{id}/guest/(networking|networking/interfaces|"
                  "networking/routes|local-filesystem)"), BOTH,
     AutomationResource.vm_guest),
    ("GET", _path("vcenter/vm/{id}/guest/(operations)"), API, AutomationResource.vm_guest),
    ("GET", _path("vcenter/vm/{id}/tools"), BOTH, AutomationResource.vm_tools),
    ("POST", _path("vcenter/vm/{id}/guest/(processes|filesystem)"), API,
     AutomationResource.guest_operation),
    ("POST", _path("vcenter/vm/{id}/guest/filesystem/(directories|files)"), API,
     AutomationResource.guest_operation),
    ("POST", _path("vcenter/vm/{id}/guest/processes/{id}"), API,
     AutomationResource.guest_process),
    ("GET", _path("vcenter/guest/customization-specs"), BOTH, AutomationResource.specs_list),
    ("POST", _path("vcenter/guest/customization-specs"), BOTH, AutomationResource.specs_post),
    ("GET", _path("vcenter/guest/customization-specs/{id}"), BOTH, AutomationResource.specs_get),
    ("PUT", _path("vcenter/guest/customization-specs/{id}"), BOTH, AutomationResource.specs_set),
    ("DELETE", _path("vcenter/guest/customization-specs/{id}"), BOTH,
     AutomationResource.specs_delete),
    ("POST", _path("vcenter/guest/customization-specs/{id}"), BOTH,
     AutomationResource.specs_export),
] + [(verb, _path(prefix + tail), dialects, handler)
     for prefix, dialects in (("cis/tagging/", API), ("com/vmware/cis/tagging/", REST))
     for verb, tail, handler in (
         ("GET", "category", tagging.category_list), ("POST", "category", tagging.category_create),
         ("GET", "category/{id}", tagging.category_get),
         ("PATCH", "category/{id}", tagging.category_update),
         ("DELETE", "category/{id}", tagging.category_delete),
         ("GET", "tag", tagging.tag_list), ("POST", "tag", tagging.tag_create),
         ("GET", "tag/{id}", tagging.tag_get), ("POST", "tag/{id}", tagging.tag_post),
         ("PATCH", "tag/{id}", tagging.tag_update), ("DELETE", "tag/{id}", tagging.tag_delete),
         ("POST", "tag-association", tagging.association_collection),
         ("POST", "tag-association/{id}", tagging.association_item))
     ] + [("GET", _path("vcenter/%s/{id}" % path), BOTH, _inventory_get(kind))
     for path, kind in (("datastore", "datastore"), ("datacenter", "datacenter"),
                        ("cluster", "cluster"), ("resource-pool", "resource_pool"))
     ] + [("GET", _path("vcenter/%s" % path), BOTH, _inventory_list(kind))
     for path, kind in (("host", "host"), ("datastore", "datastore"), ("network", "network"),
                        ("datacenter", "datacenter"), ("cluster", "cluster"),
                        ("folder", "folder"), ("resource-pool", "resource_pool"))]
