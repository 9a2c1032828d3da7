"""The ZStack Cloud API surface (/zstack/v1): login, logout, the VM and host queries, and
GetVirtualizerInfo, over vimsim's inventory (WIRE.md section 7)."""
import json
import logging

from vimsim import activity, compat
from vimsim.compat import header
from vimsim.frontend import ModelResource
from vimsim.model import faults, rules
from vimsim.vim25.data import format_datetime
from vimsim.zstack.models import ZStackError

log = logging.getLogger("vimsim.zstack")

# The ZStack API calls fault rules can name (their ZStack API message names), by path.
OPERATIONS = {"vm-instances/virtualizer-info": "GetVirtualizerInfo",
              "vm-instances": "QueryVmInstance", "hosts": "QueryHost"}
rules.register_operations(OPERATIONS.values())


def _json(value):
    return json.dumps(value, default=lambda v: format_datetime(v)).encode()


class ZStackResource(ModelResource):

    @property
    def backend(self):
        return self.vc.zstack

    def render(self, request):
        try:
            status, body = self.dispatch(request)
        except ZStackError as error:
            activity.note(request, fault=error.code)
            status, body = 503, error.body()
        except Exception:  # a vimsim bug: ZStack's internal error, never a traceback
            fault = faults.internal_error(log, "answering ZStack")
            status, body = 503, ZStackError("SYS.1000", "An internal error happened in system",
                                            fault.fields["reason"]).body()
        finally:
            self.state.request_done()
        request.setResponseCode(status)
        if isinstance(body, str):
            request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            return body.encode()
        request.setHeader(b"Content-Type", b"application/json; charset=utf-8")
        return _json(body)

    def authenticate(self, request):
        """The account of a valid ``Authorization: OAuth <session uuid>``; 400 text otherwise,
        as ZStack answers before the API runs."""
        auth = header(request, "Authorization")
        if not auth:
            return None, (400, "missing header 'Authorization'")
        scheme, _, session = auth.strip().partition(" ")
        if scheme != "OAuth" or not session.strip():
            return None, (400, "Authorization type must be 'OAuth'")
        account = self.backend.check_session(session.strip())
        activity.note(request, user=account)
        return account, None

    def authenticated(self, request):
        try:
            return self.authenticate(request)[1] is None
        except ZStackError:  # expired or unknown
            return False

    def dispatch(self, request):
        parts = [p.decode("utf-8", "replace") for p in request.postpath]
        method = request.method.decode()
        if not parts or parts[0] != "v1":
            return 404, "no API found for %s" % request.path.decode("utf-8", "replace")
        path = "/".join(parts[1:]).strip("/")
        args = {k.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in vs]
                for k, vs in request.args.items()}
        backend = self.backend
        if path == "accounts/login" and method == "PUT":
            try:
                body = compat.parse_json(request.content.read() or b"{}")
                login = body["logInByAccount"]
                activity.note(request, method="LogInByAccount", user=login["accountName"])
                return 200, {"inventory": backend.login(login["accountName"], login["password"])}
            except (ValueError, KeyError, TypeError):
                raise ZStackError("SYS.1007", "One or more API argument is invalid",
                                  "the body must be {\"logInByAccount\": {\"accountName\": ..., "
                                  "\"password\": <SHA-512 hex>}}")
        if path.startswith("accounts/sessions/") and method == "DELETE":
            # A session is ended only with its own token (knowing its uuid is not enough).
            session = path.rsplit("/", 1)[1]
            activity.note(request, method="LogOut")
            _, refused = self.authenticate(request)
            if refused:
                return refused
            if header(request, "Authorization").strip().partition(" ")[2].strip() != session:
                raise ZStackError("SYS.1007", "One or more API argument is invalid",
                                  "a session is ended with its own OAuth token")
            backend.logout(session)
            return 200, {}
        if method != "GET" or path not in ("vm-instances", "hosts",
                                           "vm-instances/virtualizer-info") \
                and not path.startswith(("vm-instances/", "hosts/")):
            return 404, "no API found for %s %s" % (method, request.path.decode("utf-8", "replace"))
        _, refused = self.authenticate(request)
        if refused:
            return refused
        operation = OPERATIONS.get(
            path, "QueryVmInstance" if path.startswith("vm-instances/") else "QueryHost")
        activity.note(request, method=operation)
        for rule in self.vc.rules.firing(operation, set(args.get("uuids", ())), None):
            if rule.action == "http_error":
                activity.note(request, fault=rule.error_type or "SYS.1000")
                return int(rule.status or 503), ZStackError(
                    rule.error_type or "SYS.1000", "An injected error",
                    rule.message or "Injected by fault rule %s." % rule.id).body()
        if path == "vm-instances/virtualizer-info":
            uuids = [u for value in args.get("uuids", ()) for u in value.split(",") if u]
            return 200, {"inventories": backend.virtualizer_info(uuids)}
        kind, _, item = path.partition("/")
        objects = backend.vms() if kind == "vm-instances" else backend.hosts()
        render = backend.vm_inventory if kind == "vm-instances" else backend.host_inventory
        inventories = [render(o) for o in objects]
        if item:
            inventories = [i for i in inventories if i["uuid"] == item]
        for condition in args.get("q", ()):
            field, op, value = condition.partition("=")
            if not op or field not in ("name", "uuid", "state"):
                raise ZStackError("SYS.1007", "One or more API argument is invalid",
                                  "unsupported query condition %s" % condition)
            inventories = [i for i in inventories if str(i.get(field)) == value]
        return 200, {"inventories": inventories}
