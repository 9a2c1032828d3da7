"""One twisted site serving every front-end over one model, on one port."""
import copy
import gc
import os
import time

from twisted.internet import reactor as default_reactor
from twisted.web import resource

from vimsim import httpserver, tls
from vimsim.control import ControlResource
from vimsim.model import fixture as fixtures
from vimsim.model import snapshot
from vimsim.model.clock import Clock
from vimsim.model.sessions import User
from vimsim.jsonapi.resource import JsonApiResource
from vimsim.rest.resource import AutomationResource
from vimsim.zstack.resource import ZStackResource
from vimsim.soap import wsdl
from vimsim.soap.resource import SoapResource, VersionsResource

DEFAULT_MAX_BODY = 16 * 1024 * 1024
SETTLE_SLICE = 0.002


class NotFound(resource.Resource):
    isLeaf = True

    def render(self, request):
        request.setResponseCode(404)
        request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
        return b"Not found\n"


class Root(resource.Resource):
    def getChild(self, path, request):
        return NotFound()


class SdkResource(SoapResource):
    """/sdk: the SOAP endpoint, with the version document and /sdk/vimService beside it."""

    isLeaf = False

    def __init__(self, state, documents):
        super().__init__(state)
        self.putChild(b"vimServiceVersions.xml", VersionsResource())
        for name, body in documents.items():
            self.putChild(name.encode(), wsdl.WsdlResource(body, name == "vimService.wsdl"))
        self.service_wsdl = self.children[b"vimService.wsdl"]
        self.putChild(b"vim25", JsonApiResource(state))

    def getChild(self, path, request):
        query = request.uri.partition(b"?")[2].lower()
        if path == b"vimService" and request.method == b"GET" and query.startswith(b"wsdl"):
            return self.service_wsdl
        if path in (b"", b"vimService"):
            return self
        return NotFound()


class Server:
    """A vCenter emulator: a model built from a fixture, and the site that serves it."""

    def __init__(self, fixture="default", clock="real", speed=1.0, vms=None, hosts=None,
                 username=None, password=None, max_body=DEFAULT_MAX_BODY, reactor=None,
                 scenarios=(), state_file=None, request_timeout=httpserver.REQUEST_TIMEOUT,
                 idle_timeout=httpserver.IDLE_TIMEOUT, freeze_model=False):
        self.reactor = reactor or default_reactor
        self.freeze_model = freeze_model
        self.fixture_data = fixtures.scale(fixtures.load(fixture), vms=vms, hosts=hosts)
        self.fixture_data["scenarios"] = list(self.fixture_data.get("scenarios", ())) + \
            list(scenarios)
        self.clock = Clock(clock, speed)
        self.extra_user = (username, password or "") if username else None
        self.vc = None
        self.state_file = state_file
        if state_file and os.path.exists(state_file):
            self.load_snapshot(snapshot.read(state_file))
        else:
            self.reset()
        self.username = username or next(iter(self.vc.users))
        self.password = self.vc.users[self.username].password
        self.clock.on_schedule = self._arm_timer
        self._timer = None
        self._settling = False
        root = Root()
        root.putChild(b"sdk", SdkResource(self, wsdl.load()))
        root.putChild(b"api", AutomationResource(self, "api"))
        root.putChild(b"rest", AutomationResource(self, "rest"))
        root.putChild(b"zstack", ZStackResource(self))
        vimsim_root = resource.Resource()
        vimsim_root.putChild(b"v1", ControlResource(self))
        root.putChild(b"vimsim", vimsim_root)
        self.root = root
        self.site = httpserver.Site(root, max_body, self.reactor, request_timeout, idle_timeout)
        self.port = None
        self.secure = False

    def reset(self):
        """Back to the loaded fixture: a new model, nothing scheduled, no sessions."""
        self.clock.clear()
        self.vc = fixtures.build(copy.deepcopy(self.fixture_data), self.clock)
        if self.extra_user:
            name, password = self.extra_user
            self.vc.users[name] = User(name, password, "Admin")
        self._freeze()
        return self.vc

    def snapshot(self):
        return snapshot.save(self.vc, self.fixture_data)

    def load_snapshot(self, data):
        """Replace the whole state with a snapshot's (FixtureError if it is not one)."""
        self.clock.clear()
        try:
            vc = snapshot.restore(data, self.clock)
        except (KeyError, TypeError, ValueError) as exc:
            raise fixtures.FixtureError("bad snapshot: %s" % exc)
        self.fixture_data = data["fixture"]
        self.vc = vc
        if self.extra_user:
            name, password = self.extra_user
            self.vc.users[name] = User(name, password, "Admin")
        self._freeze()

    def _freeze(self):
        """A process serving one model (vimsim serve) keeps it out of the garbage collector's
        full passes: over 10,000 VMs each held every client 0.15-0.3 s (issue 14). The model
        it replaces is unfrozen and collected first."""
        if self.freeze_model:
            if gc.get_freeze_count():
                gc.unfreeze()
                gc.collect()
            gc.freeze()

    def save_state(self):
        """Write the state to --state FILE (on a clean stop)."""
        if self.state_file:
            snapshot.write(self.state_file, self.snapshot())

    # -- the clock on the reactor ----------------------------------------------------------

    def _arm_timer(self, when):
        if self.clock.mode != "real":
            return
        delay = max(0.0, when - time.time())
        if self._timer is not None and self._timer.active():
            if self._timer.getTime() <= self.reactor.seconds() + delay:
                return
            self._timer.cancel()
        self._timer = self.reactor.callLater(delay, self._fire)

    def _fire(self):
        self._timer = None
        self.clock.run_due()
        when = self.clock.next_event_time()
        if when is not None:
            self._arm_timer(when)

    def request_done(self):
        """After each request: run what became due, and in auto mode let time move on."""
        self.clock.run_due()
        if self.clock.mode == "auto" and not self._settling and \
                self.clock.next_event_time() is not None:
            self._settling = True
            self.reactor.callLater(0, self._settle)

    def _settle(self):
        # Time moves on event by event while no request is being served, for at most
        # SETTLE_SLICE seconds per reactor turn: a task is done before its client's next
        # request arrives, and a clock that never runs dry still lets requests in.
        deadline = time.perf_counter() + SETTLE_SLICE
        while self.clock.idle():
            if time.perf_counter() > deadline:
                self.reactor.callLater(0, self._settle)
                return
        self._settling = False

    def advance(self, seconds):
        self.clock.advance(seconds)

    # -- listening -------------------------------------------------------------------------

    def listen(self, port=0, host="127.0.0.1", secure=True, cert_dir=None):
        if secure:
            self.port = self.reactor.listenTCP(
                port, tls.TLSFactory(self.site, tls.server_context(cert_dir)), interface=host)
        else:
            self.port = self.reactor.listenTCP(port, self.site, interface=host)
        self.secure = self.site.secure = secure
        self.host = host
        return self.port.getHost().port

    @property
    def url(self):
        scheme = "https" if self.secure else "http"
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%s@%s:%d/sdk" % (scheme, self.username, self.password, host,
                                         self.port.getHost().port)

    def stop(self):
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        if self.port is not None:
            return self.port.stopListening()
