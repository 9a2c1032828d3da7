"""The dashboard at ``GET /``: a page that shows the emulator live (inventory, VMs with their
power, Tools, customization and addresses, tasks, events, fault rules, the clock, sessions)
and drives the clock, behind the control API's login.

The page's assets live beside this module (``static/``) and are all served by vimsim. After
logging in (``POST /vimsim/v1/login``, which sets a cookie), the page opens
``GET /vimsim/v1/stream``, a server-sent events stream: one ``view`` message with everything,
then an ``update`` message with what changed, pushed from the model's change notifications
(coalesced over UPDATE_DELAY seconds), never polled.
"""
import itertools
import json
import os
import secrets
import time

from twisted.web import resource

from vimsim import control
from vimsim.vim25.data import format_datetime

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
ASSETS = {"dashboard.js": "text/javascript; charset=utf-8",
          "dashboard.css": "text/css; charset=utf-8"}
UPDATE_DELAY = 0.1  # seconds of real time over which changes are gathered into one update
HEARTBEAT = 15.0  # seconds between comment lines, so a dead stream is noticed and closed
LOGIN_LIFETIME = 12 * 3600  # seconds a dashboard login lasts
RECENT_EVENTS = 100
SESSIONS_SHOWN = 100
# Headers every dashboard answer carries: nothing is loaded from elsewhere, and the page is
# not framed by another site.
SECURITY_HEADERS = (
    (b"Content-Security-Policy", b"default-src 'self'; img-src 'self' data:; "
     b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"X-Content-Type-Options", b"nosniff"),
    (b"Referrer-Policy", b"no-referrer"))


def _read(name):
    with open(os.path.join(STATIC, name), "rb") as f:
        return f.read()


class Logins:
    """Dashboard logins: a secret token per login, sent back as a cookie (and, for changes,
    in the X-Vimsim-Token header, which another site's page cannot set)."""

    def __init__(self):
        self.tokens = {}  # token -> (user name, expiry, wall clock)

    def create(self, user_name):
        now = time.time()
        for token in [t for t, (_, expiry) in self.tokens.items() if expiry < now]:
            del self.tokens[token]
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (user_name, now + LOGIN_LIFETIME)
        return token

    def user(self, token):
        entry = self.tokens.get(token)
        if entry is None or entry[1] < time.time():
            self.tokens.pop(token, None)
            return None
        return entry[0]

    def end(self, token):
        self.tokens.pop(token, None)


def _time(value):
    return format_datetime(value) if value is not None else None


def vm_view(vm):
    """The control API's view of a VM, less its guest accounts' passwords."""
    view = control.vm_state(vm)
    del view["guest_accounts"]
    view["addresses"] = [a for a in vm.nic_addresses if a]
    return view


def task_view(task):
    info = task.info
    error = info.error
    return {"moid": task.moid, "name": info.descriptionId or info.name,
            "entity": info.entityName, "state": info.state, "progress": info.progress,
            "queued": _time(info.queueTime), "started": _time(info.startTime),
            "completed": _time(info.completeTime),
            "error": (error.localizedMessage or error.fault._typeName) if error is not None else None}


def event_view(event):
    vm = getattr(event, "vm", None)
    return {"key": event.key, "type": event._typeName, "time": _time(event.createdTime),
            "user": event.userName or "", "message": event.fullFormattedMessage or "",
            "vm": vm.vm.value if vm is not None and vm.vm is not None else None}


class Dashboard:
    """What the page shows, and the streams it is pushed to."""

    def __init__(self, server):
        self.server = server
        self.logins = Logins()
        self.streams = set()
        self._vc = None  # the model the listener is on (a reset or snapshot load replaces it)
        self._dirty = set()
        self._structural = False
        self._pending = None
        self._heartbeat = None
        self._last_event = 0

    # -- what is shown ---------------------------------------------------------------------

    def _attach(self):
        vc = self.server.vc
        if vc is not self._vc:
            if self._vc is not None and self._listener in self._vc.listeners:
                self._vc.listeners.remove(self._listener)
            vc.listeners.append(self._listener)
            self._vc = vc
        return vc

    def tree(self, vc):
        def node(obj):
            children = [node(c) for c in obj.inventory_children()]
            return {"moid": obj.moid, "name": obj.name, "type": obj.vim_type,
                    "children": children}
        return node(vc.root_folder)

    def meta(self, vc):
        """The small parts, sent whole in every message."""
        # the session list is kept in order of activity, the latest last
        shown = list(itertools.islice(reversed(vc.session_manager.sessions.values()),
                                      SESSIONS_SHOWN))
        tasks = [task_view(t) for t in vc.task_manager.recent.values()]
        return {"clock": self.server.control.clock_state(),
                "rules": [r.describe() for r in vc.rules.rules],
                "tasks": tasks,
                "sessions": {"count": vc.session_manager.live_count(), "shown": [
                    {"user": s.user.name, "address": s.ip_address, "agent": s.user_agent,
                     "login": _time(s.login_time), "active": _time(s.last_active)}
                    for s in shown]}}

    def _new_events(self, vc):
        """The events since the last message, the stream's cursor moved past them."""
        events = [e for e in vc.event_manager.events if e.key > self._last_event]
        events = events[-RECENT_EVENTS:]
        if events:
            self._last_event = events[-1].key
        return [event_view(e) for e in events]

    def view(self):
        """Everything the page shows (the stream's first message, GET .../dashboard)."""
        vc = self.server.vc
        events = list(itertools.islice(reversed(vc.event_manager.events), RECENT_EVENTS))
        return dict(self.meta(vc), tree=self.tree(vc),
                    vms=[vm_view(o) for o in vc.objects.values()
                         if o.vim_type == "VirtualMachine"],
                    events=[event_view(e) for e in reversed(events)])

    def _stream_view(self):
        """``view()`` for the streams: what follows it are the changes after it."""
        vc = self._attach()
        self._dirty.clear()
        self._structural = False
        self._last_event = vc.event_manager.events[-1].key if vc.event_manager.events else 0
        return self.view()

    # -- pushing ---------------------------------------------------------------------------

    def _listener(self, obj):
        if not self.streams:
            return
        if obj.vim_type != "VirtualMachine" and "ManagedEntity" in obj.type_names():
            self._structural = True  # the tree may have changed
        self._dirty.add(obj.moid)
        self.changed()

    def changed(self):
        """Something the page shows may have changed: push an update soon."""
        if self.streams and self._pending is None:
            self._pending = self.server.reactor.callLater(UPDATE_DELAY, self._push)

    def _push(self):
        self._pending = None
        if not self.streams:
            return
        if self.server.vc is not self._vc:  # a reset or a loaded snapshot: all anew
            self._send("view", self._stream_view())
            return
        vc = self._vc
        dirty, self._dirty = self._dirty, set()
        body = self.meta(vc)
        body["vms"], body["removed"] = [], []
        for moid in sorted(dirty):
            obj = vc.objects.get(moid)
            if obj is None:
                body["removed"].append(moid)
            elif obj.vim_type == "VirtualMachine":
                body["vms"].append(vm_view(obj))
        if self._structural or body["removed"]:
            body["tree"] = self.tree(vc)
            self._structural = False
        body["events"] = self._new_events(vc)
        self._send("update", body)

    def _send(self, kind, body):
        data = ("event: %s\ndata: %s\n\n" % (kind, json.dumps(body, default=str))).encode()
        for request in list(self.streams):
            request.write(data)

    def _beat(self):
        self._heartbeat = None
        for request in list(self.streams):
            request.write(b": keep-alive\n\n")
        if self.streams:
            self._heartbeat = self.server.reactor.callLater(HEARTBEAT, self._beat)

    def open_stream(self, request):
        """Serve ``request`` as an event stream until its client goes away."""
        request.setHeader(b"Content-Type", b"text/event-stream; charset=utf-8")
        request.setHeader(b"Cache-Control", b"no-store")
        if hasattr(request, "start_stream"):  # vimsim's HTTP server (twisted.web's streams)
            request.start_stream()
        if self._pending is not None and self._pending.active():
            # what the other streams have yet to get goes out first: the new one's view
            # then starts where they stand
            self._pending.cancel()
            self._push()
        view = self._stream_view()
        self.streams.add(request)
        request.write(("retry: 2000\nevent: view\ndata: %s\n\n"
                       % json.dumps(view, default=str)).encode())
        if self._heartbeat is None:
            self._heartbeat = self.server.reactor.callLater(HEARTBEAT, self._beat)

        def gone(_):
            self.streams.discard(request)
            if not self.streams:
                for call in (self._pending, self._heartbeat):
                    if call is not None and call.active():
                        call.cancel()
                self._pending = self._heartbeat = None
        request.notifyFinish().addBoth(gone)

    def close(self):
        for request in list(self.streams):
            request.finish()


class Page(resource.Resource):
    """``/`` (the page) and ``/vimsim/ui/<asset>``."""

    isLeaf = True

    def __init__(self, name):
        super().__init__()
        self.name = name

    def render_GET(self, request):
        for name, value in SECURITY_HEADERS:
            request.setHeader(name, value)
        request.setHeader(b"Cache-Control", b"no-cache")
        name = self.name
        if name is None:  # /vimsim/ui/NAME
            name = request.postpath[0].decode("utf-8", "replace") if request.postpath else ""
            if name not in ASSETS:
                request.setResponseCode(404)
                request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
                return b"Not found\n"
            request.setHeader(b"Content-Type", ASSETS[name].encode())
        else:
            request.setHeader(b"Content-Type", b"text/html; charset=utf-8")
        return _read(name)


def ui_resource():
    return Page(None)


def page_resource():
    return Page("index.html")
