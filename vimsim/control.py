"""The control API (/vimsim/v1): read and change the emulator's state, fault rules and clock
from outside, as tests and bigger simulators need. JSON, HTTP Basic auth with an
Administrator user of the fixture."""
import json
import logging
from datetime import datetime, timezone

from twisted.web import resource
from twisted.web.server import NOT_DONE_YET

from vimsim import activity, compat
from vimsim.compat import header
from vimsim.model import faults, guest, schemas
from vimsim.model.rules import RuleError
from vimsim.model.snapshot import Unstorable
from vimsim.vim25.data import format_datetime

log = logging.getLogger("vimsim.control")


# The most one advance of the clock may move it: a decade of emulated time is plenty, and a
# larger jump (3e11 s) would put the clock past what dates can hold.
MAX_ADVANCE = 10 * 366 * 86400
TOKEN_HEADER = b"X-Vimsim-Token"
COOKIE = b"vimsim_dashboard"  # the dashboard's login (vimsim/ui)


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def vm_state(vm):
    c = vm.customization
    return {
        "moid": vm.moid, "name": vm.name, "power_state": vm.power_state,
        "tools_installed": vm.tools_installed, "tools_running": vm.tools_running,
        "tools_autostart": vm.tools_autostart, "guest_network_up": vm.guest_network_up,
        "ip_address": vm.ip_address, "nic_addresses": list(vm.nic_addresses),
        "host_name": vm.host_name, "host": vm.host.name, "pool": vm.pool.name,
        "guest_config": vm.guest_config,
        "guest_accounts": guest.account_specs(vm.guest_accounts),
        "customization": {"status": c.status,
                          "start_time": format_datetime(c.start_time) if c.start_time else None,
                          "end_time": format_datetime(c.end_time) if c.end_time else None,
                          "error": c.error},
    }


def apply_vm_changes(server, vm, changes):
    """Change a VM's power, Tools, guest network, accounts or addresses, as the guest or
    the host would, notifying every view."""
    try:
        schemas.validate("vm_changes", changes)
    except schemas.SchemaError as exc:
        raise ControlError(400, str(exc))
    if changes.get("tools_running") and changes.get("power_state", vm.power_state) != \
            "poweredOn":  # refused before anything changes
        raise ControlError(409, "VMware Tools cannot run in a VM that is not powered on")
    if "power_state" in changes and changes["power_state"] != vm.power_state:
        vm.set_power(changes["power_state"])
    if "tools_autostart" in changes:
        vm.tools_autostart = changes["tools_autostart"]
    if "tools_running" in changes:
        vm.set_tools_running(changes["tools_running"])
    if "guest_network_up" in changes:
        vm.guest_network_up = changes["guest_network_up"]
    if "ip_address" in changes:
        vm.nic_addresses = [changes["ip_address"]] + vm.nic_addresses[1:]
    if "host_name" in changes:
        vm.host_name = changes["host_name"]
    if "guest_accounts" in changes:
        vm.guest_accounts = guest.accounts(changes["guest_accounts"])
    server.vc.touch(vm)


class ControlResource(resource.Resource):
    isLeaf = True

    def __init__(self, server):
        super().__init__()
        self.emulator = server

    def render(self, request):
        if request.postpath == [b"stream"] and request.method == b"GET":
            try:
                self.authorize(request)
            except ControlError as error:
                return self._answer(request, error.status, {"error": error.message})
            self.emulator.dashboard.open_stream(request)
            return NOT_DONE_YET
        request.setHeader(b"Content-Type", b"application/json")
        try:
            if request.postpath == [b"login"]:
                status, body = self.login(request)
            else:
                self.authorize(request)
                status, body = self.dispatch(request)
        except ControlError as error:
            status, body = error.status, {"error": error.message}
        except Exception:  # a vimsim bug: a JSON error with its log entry's id, never Python's
            fault = faults.internal_error(log, "answering the control API")
            status, body = 500, {"error": fault.fields["reason"], "error_id": fault.error_id}
        finally:
            self.emulator.request_done()
        if request.method != b"GET":
            self.emulator.dashboard.changed()  # a rule, the clock or a VM may have changed
        return self._answer(request, status, body)

    @staticmethod
    def _answer(request, status, body):
        request.setHeader(b"Content-Type", b"application/json")
        request.setResponseCode(status)
        # The dashboard's own calls say who they are: a browser must not prompt for
        # credentials over the page's login form.
        if status == 401 and request.getHeader(TOKEN_HEADER) is None:
            request.setHeader(b"WWW-Authenticate", b'Basic realm="vimsim"')
        return json.dumps(body, default=str).encode() if body is not None else b""

    def login(self, request):
        """The dashboard's login: an Administrator's name and password for a cookie, and
        the token that must come with each change (POST /vimsim/v1/login); DELETE logs out."""
        logins = self.emulator.dashboard.logins
        if request.method == b"DELETE":
            token = request.getCookie(COOKIE)
            if token is not None:
                logins.end(token.decode("latin-1"))
            request.addCookie(COOKIE, b"", path=b"/vimsim", httpOnly=True,
                              secure=request.isSecure())
            return 204, None
        if request.method != b"POST":
            raise ControlError(405, "use POST to log in, DELETE to log out")
        body = self.body(request)
        name, password = body.get("username"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str):
            raise ControlError(400, "give username and password, as strings")
        activity.note(request, user=name)
        user = self.emulator.vc.users.get(name)
        if user is None or user.password != password:
            raise ControlError(401, "Cannot complete login due to an incorrect user name or "
                               "password.")
        if user.role != "Admin":
            raise ControlError(403, "the control API is for Administrator users only")
        token = logins.create(name)
        request.addCookie(COOKIE, token.encode(), path=b"/vimsim", httpOnly=True,
                          secure=request.isSecure(), sameSite=b"Strict")
        return 200, {"user": name, "token": token}

    def authenticated(self, request):
        """An Administrator's credentials stand for a session here (see ModelResource)."""
        try:
            self.authorize(request)
        except ControlError:
            return False
        return True

    def authorize(self, request):
        cookie = request.getCookie(COOKIE)
        if cookie is not None and not header(request, "Authorization"):
            return self._authorize_login(request, cookie.decode("latin-1"))
        name, password = compat.basic_credentials(request) or (None, None)
        user = self.emulator.vc.users.get(name) if name is not None else None
        if user is None or user.password != password:
            raise ControlError(401, "the control API needs HTTP Basic auth of a fixture user")
        activity.note(request, user=name)
        if user.role != "Admin":
            raise ControlError(403, "the control API is for Administrator users only")

    def _authorize_login(self, request, token):
        """A dashboard login's cookie; a change must also carry its token in a header."""
        name = self.emulator.dashboard.logins.user(token)
        user = self.emulator.vc.users.get(name) if name is not None else None
        if user is None:
            raise ControlError(401, "the dashboard login has ended: log in again")
        activity.note(request, user=name)
        if user.role != "Admin":
            raise ControlError(403, "the control API is for Administrator users only")
        if request.method not in (b"GET", b"HEAD") and \
                header(request, TOKEN_HEADER.decode()) != token:
            raise ControlError(403, "a change from the dashboard must carry its token in the "
                               "X-Vimsim-Token header")

    @staticmethod
    def body(request):
        raw = request.content.read()
        if not raw.strip():
            return {}
        try:
            value = compat.parse_json(raw)
        except ValueError:  # NaN and Infinity, and nesting too deep, too
            raise ControlError(400, "the body is not valid JSON (NaN and Infinity are not JSON)")
        if not isinstance(value, dict):
            raise ControlError(400, "the body must be a JSON object")
        return value

    def find_vm(self, key):
        for obj in self.emulator.vc.objects.values():
            if obj.vim_type == "VirtualMachine" and key in (obj.moid, obj.name):
                return obj
        raise ControlError(404, "no VM named or with moId %s" % key)

    def clock_state(self):
        clock = self.emulator.clock
        next_event = clock.next_event_time()
        return {"mode": clock.mode, "speed": clock.speed, "now": format_datetime(clock.now()),
                "next_event": format_datetime(datetime.fromtimestamp(next_event, timezone.utc))
                if next_event is not None else None}

    def dispatch(self, request):
        server, vc = self.emulator, self.emulator.vc
        parts = [p.decode("utf-8", "replace") for p in request.postpath if p]
        method = request.method.decode()
        route = "/".join(parts)
        if route == "state" and method == "GET":
            vms = [vm_state(o) for o in vc.objects.values() if o.vim_type == "VirtualMachine"]
            return 200, {"clock": self.clock_state(), "vms": vms,
                         "hosts": [o.name for o in vc.objects.values()
                                   if o.vim_type == "HostSystem"],
                         "sessions": vc.session_manager.live_count(),
                         "rules": [r.describe() for r in vc.rules.rules]}
        if route == "dashboard" and method == "GET":  # what the stream's first message holds
            return 200, server.dashboard.view()
        if parts[:1] == ["vms"] and len(parts) == 2:
            vm = self.find_vm(parts[1])
            if method in ("PATCH", "POST"):
                apply_vm_changes(server, vm, self.body(request))
            elif method != "GET":
                raise ControlError(405, "use GET or PATCH")
            return 200, vm_state(vm)
        if route == "rules":
            if method == "GET":
                return 200, {"rules": [r.describe() for r in vc.rules.rules]}
            if method == "POST":
                try:
                    return 201, vc.rules.add_spec(self.body(request)).describe()
                except RuleError as exc:
                    raise ControlError(400, str(exc))
            if method == "DELETE":
                vc.rules.clear()
                return 204, None
        if parts[:1] == ["rules"] and len(parts) == 2:
            rule = next((r for r in vc.rules.rules if r.id == parts[1]), None)
            if rule is None:
                raise ControlError(404, "no rule %s" % parts[1])
            if method == "DELETE":
                vc.rules.remove(rule.id)
                return 204, None
            return 200, rule.describe()
        if route == "clock":
            if method in ("PATCH", "POST", "PUT"):
                body = self.body(request)
                try:
                    server.clock.set_mode(body.get("mode", server.clock.mode), body.get("speed"))
                except ValueError as exc:
                    raise ControlError(400, str(exc))
            return 200, self.clock_state()
        if route == "clock/advance" and method == "POST":
            seconds = self.body(request).get("seconds")
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) \
                    or not 0 <= seconds <= MAX_ADVANCE:  # NaN fails both comparisons
                raise ControlError(400, "seconds must be a number from 0 to %d (ten years)"
                                   % MAX_ADVANCE)
            if server.clock.mode == "real":
                raise ControlError(409, "advancing needs the virtual or auto clock")
            try:
                server.advance(seconds)
            except ValueError as exc:  # one that would take the clock past its last date
                raise ControlError(400, str(exc))
            return 200, self.clock_state()
        if route == "snapshot":
            if method == "GET":
                try:
                    return 200, server.snapshot()
                except Unstorable as exc:  # logged at ERROR by the --state saves too
                    raise ControlError(409, "the state cannot be saved: %s" % exc)
            if method == "PUT":
                try:
                    server.load_snapshot(self.body(request))
                except ValueError as exc:
                    raise ControlError(400, str(exc))
                return 200, {"loaded": True}
        if route == "reset" and method == "POST":
            server.reset()
            return 200, {"reset": True}
        raise ControlError(404, "no control endpoint %s %s" % (method, route))
