"""/api and /rest (the vCenter Automation REST API) and the JSON-RPC endpoint on /api that
the vSphere Automation SDK for Python speaks (WIRE.md section 6)."""
import base64
import binascii
import json
import logging
import re

from vimsim.compat import header
from vimsim.frontend import ModelResource
from vimsim.model import faults
from vimsim.rest import errors
from vimsim.rest.services import AutomationApi

log = logging.getLogger("vimsim.rest")

SESSION = "vmware-api-session-id"
_CUSTOMIZATION = re.compile(r"^vcenter/vm/([^/]+)/guest/customization$")


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


def structure(name, fields, optional=()):
    """A vAPI structure; fields named in ``optional`` travel as {"OPTIONAL": v}."""
    return {"STRUCTURE": {name: {k: ({"OPTIONAL": v} if k in optional else v)
                                 for k, v in fields.items()}}}


class Route:
    """A request as the REST dialects see it."""

    def __init__(self, request, dialect):
        self.request, self.dialect = request, dialect
        self.path = "/".join(p.decode("utf-8", "replace") for p in request.postpath).strip("/")
        self.method = request.method.decode()
        self.query = {k.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in vs]
                      for k, vs in request.args.items()}
        self.raw_query = request.uri.partition(b"?")[2].decode("utf-8", "replace")

    def body(self):
        raw = self.request.content.read()
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise errors.invalid_argument("The request body is not valid JSON.")


class AutomationResource(ModelResource):
    """One of /api or /rest."""

    def __init__(self, server_state, dialect):
        super().__init__(server_state)
        self.dialect = dialect

    @property
    def api(self):
        return AutomationApi(self.vc)

    def render(self, request):
        request.setHeader(b"Content-Type", b"application/json")
        route = Route(request, self.dialect)
        try:
            if self.dialect == "api" and route.path == "" and route.method == "POST":
                return self.json_rpc(request)
            status, value = self.dispatch(route)
        except errors.RestError as error:
            status, value = error.status, self.error_body(error)
        except faults.Fault as fault:
            error = errors.from_fault(fault)
            status, value = error.status, self.error_body(error)
        except Exception as exc:  # a vimsim bug: a vAPI internal error, never a traceback
            log.exception("internal error answering %s", request.path)
            error = errors.RestError("INTERNAL_SERVER_ERROR",
                                     "com.vmware.vapi.std.errors.internal_server_error", str(exc))
            status, value = error.status, self.error_body(error)
        finally:
            self.state.request_done()
        request.setResponseCode(status)
        if value is None:
            return b""
        return json.dumps(value).encode()

    def error_body(self, error):
        if self.dialect == "rest":
            return {"type": error.std_name, "value": {"messages": error.messages()}}
        return {"error_type": error.error_type, "messages": error.messages()}

    # -- REST -----------------------------------------------------------------------------

    def token(self, route):
        token = header(route.request, SESSION)
        if not token and self.dialect == "rest":
            token = route.request.getCookie(SESSION.encode())
            token = token.decode("utf-8", "replace") if token else None
        return token

    def basic_login(self, route):
        auth = header(route.request, "Authorization") or ""
        scheme, _, encoded = auth.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise errors.unauthenticated()
        if scheme.lower() != "basic":
            raise errors.unauthenticated()
        request = route.request
        return self.api.login(user, password, getattr(request.getClientAddress(), "host", None),
                              header(request, "User-Agent"))

    def dispatch(self, route):
        api, path, method, rest = self.api, route.path, route.method, self.dialect == "rest"
        wrap = (lambda v: {"value": v}) if rest else (lambda v: v)
        session_path = "com/vmware/cis/session" if rest else "session"
        if path == session_path:
            if method == "POST" and not (rest and "~action=get" in route.raw_query):
                session = self.basic_login(route)
                if rest and header(route.request, "vmware-use-header-authn") != "true":
                    route.request.addCookie(SESSION, session.cookie, path="/", httpOnly=True,
                                            secure=route.request.isSecure())
                return (200 if rest else 201), wrap(session.cookie)
            session = api.session(self.token(route))
            if method == "DELETE":
                api.logout(session)
                return (200 if rest else 204), None
            if method in ("GET", "POST"):
                return 200, wrap(api.session_info(session))
        if path == "vcenter/system" and not rest and method == "POST" \
                and "action=hello" in route.raw_query:
            return 200, {"api_release": api.hello(route.body().get("api_releases"))}
        if path == "vcenter/vm" and method == "GET":
            session = api.session(self.token(route))
            prefix = "filter." if rest else ""
            return 200, wrap(api.list_vms(
                session, names=route.query.get(prefix + "names"),
                vms=route.query.get(prefix + "vms"),
                power_states=route.query.get(prefix + "power_states")))
        match = _CUSTOMIZATION.match(path)
        if match:
            vm = match.group(1)
            if method == "GET":
                session = api.session(self.token(route))
                return 200, wrap(api.customization_info(session, vm))
            if method == "PUT":
                session = api.session(self.token(route))
                body = route.body()
                spec = body.get("spec", {}) if rest else body
                if not isinstance(spec, dict):
                    raise errors.invalid_argument("The request body must be an object.")
                unknown = set(spec) - {"name", "spec"}
                if unknown:
                    raise errors.invalid_argument("Unexpected field %s." % sorted(unknown)[0])
                api.set_customization(session, vm, spec.get("name"), spec.get("spec"))
                return (200 if rest else 204), None
        raise errors.operation_not_found("%s /%s/%s" % (method, self.dialect, path))

    # -- JSON-RPC (the SDK) ---------------------------------------------------------------

    def json_rpc(self, request):
        """vAPI JSON-RPC 2.0: always HTTP 200, the id echoed, errors in result.error."""
        request.setResponseCode(200)
        try:
            message = json.loads(request.content.read())
            params = message["params"]
            rpc_id = message.get("id")
            service, operation = params["serviceId"], params["operationId"]
            inputs = unwrap(params.get("input", {}))
            security = (params.get("ctx") or {}).get("securityCtx") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return json.dumps({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": "Invalid Request"}}).encode()
        try:
            output = self.invoke(service, operation, inputs, security, request)
            result = {"output": output}
        except errors.RestError as error:
            result = {"error": self.rpc_error(error)}
        except faults.Fault as fault:
            result = {"error": self.rpc_error(errors.from_fault(fault))}
        except Exception as exc:
            log.exception("internal error in %s.%s", service, operation)
            result = {"error": self.rpc_error(errors.RestError(
                "INTERNAL_SERVER_ERROR", "com.vmware.vapi.std.errors.internal_server_error",
                str(exc)))}
        return json.dumps({"jsonrpc": "2.0", "id": rpc_id, "result": result}).encode()

    @staticmethod
    def rpc_error(error):
        messages = [structure("com.vmware.vapi.std.localizable_message", m)
                    for m in error.messages()]
        return {"ERROR": {error.std_name: {"messages": messages, "data": {"OPTIONAL": None},
                                           "error_type": {"OPTIONAL": error.error_type}}}}

    def invoke(self, service, operation, inputs, security, request):
        api = self.api
        if (service, operation) == ("com.vmware.cis.session", "create"):
            if security.get("schemeId") != "com.vmware.vapi.std.security.user_pass":
                raise errors.unauthenticated()
            session = api.login(security.get("userName"), security.get("password"),
                                getattr(request.getClientAddress(), "host", None),
                                header(request, "User-Agent"))
            return {"SECRET": session.cookie}
        if security.get("schemeId") != "com.vmware.vapi.std.security.session_id":
            raise errors.unauthenticated()
        session = api.session(security.get("sessionId"))
        inputs = inputs.get("operation-input", inputs) if isinstance(inputs, dict) else {}
        if service == "com.vmware.cis.session":
            if operation == "delete":
                api.logout(session)
                return None
            if operation == "get":
                return structure("com.vmware.cis.session.info", api.session_info(session))
        if (service, operation) == ("com.vmware.vcenter.VM", "list"):
            spec = inputs.get("filter") or {}
            return [structure("com.vmware.vcenter.VM.summary", s,
                              optional=("cpu_count", "memory_size_MiB"))
                    for s in api.list_vms(session, spec.get("names"), spec.get("vms"),
                                          spec.get("power_states"))]
        if service == "com.vmware.vcenter.vm.guest.customization":
            vm = inputs.get("vm")
            if not isinstance(vm, str):
                raise errors.invalid_argument("The vm parameter is missing.")
            if operation == "get":
                info = api.customization_info(session, vm)
                return structure("com.vmware.vcenter.vm.guest.customization.info", info,
                                 optional=("start_time", "end_time", "error"))
            if operation == "set":
                spec = inputs.get("spec") or {}
                api.set_customization(session, vm, spec.get("name"), spec.get("spec"))
                return None
        raise errors.operation_not_found("%s.%s" % (service, operation))
