"""One twisted site serving every front-end over one model, on one port."""
import copy
import logging
import threading
import time
from urllib.parse import quote

from twisted.internet import reactor as default_reactor
from twisted.internet.task import LoopingCall
from twisted.web import resource

from vimsim import heap, httpserver, tls, ui
from vimsim.control import ControlResource
from vimsim.datastore_http import DatastoreFileResource
from vimsim.guestfile import GuestFileResource
from vimsim.model import fixture as fixtures
from vimsim.model import snapshot
from vimsim.model.clock import Clock
from vimsim.model.sessions import User
from vimsim.jsonapi.resource import JsonApiResource
from vimsim.rest.resource import AutomationResource
from vimsim.zstack.resource import ZStackResource
from vimsim.soap import wsdl
from vimsim.soap.resource import SoapResource, VersionsResource
from vimsim.vim25 import primitives

DEFAULT_MAX_BODY = 16 * 1024 * 1024
SETTLE_SLICE = 0.002
DEFAULT_STATE_INTERVAL = 1.0  # seconds an accepted change may wait to reach --state FILE
log = logging.getLogger("vimsim")
# A reactor timer this much earlier than the next event is re-armed (float noise is not).
SPURIOUS_WAKE = 0.001


class NotFound(resource.Resource):
    isLeaf = True

    def render(self, request):
        request.setResponseCode(404)
        request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
        return b"Not found\n"


class Root(resource.Resource):
    def getChild(self, path, request):
        if path == b"" and request.postpath == []:
            return ui.page_resource()
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
                 idle_timeout=httpserver.IDLE_TIMEOUT,
                 handshake_timeout=httpserver.HANDSHAKE_TIMEOUT, max_connections=None,
                 max_unauthenticated_body=httpserver.MAX_UNAUTHENTICATED_BODY,
                 state_interval=DEFAULT_STATE_INTERVAL, session_timeout=None,
                 max_sessions=None, freeze_model=False):
        self.reactor = reactor or default_reactor
        # --session-timeout (minutes) and --max-sessions, applied to every model built
        self.session_limits = (session_timeout, max_sessions)
        self.heap = heap.FrozenHeap(self.reactor, lambda: self.site.busy_at) \
            if freeze_model else None
        self.fixture_data = fixtures.scale(fixtures.load(fixture), vms=vms, hosts=hosts)
        self.fixture_data["scenarios"] = list(self.fixture_data.get("scenarios", ())) + \
            list(scenarios)
        self.clock = Clock(clock, speed)
        self.extra_user = (username, password or "") if username else None
        self.vc = None
        self.generation = 0  # bumps whenever the model is replaced (reset, snapshot load)
        self.state_file = state_file
        self.state_interval = state_interval
        self.state = snapshot.StateFile(state_file) if state_file else None
        self.save_failed = False  # the last save of the state file failed
        self._saved_key = None
        self._saver = None
        self._recorder = None  # the snapshot of the model now served, as the file gets it
        self._writing = None  # the thread writing the file, if one is
        try:
            loaded = self.state is not None and self.state.exists()
            if loaded:
                saved = self.state.read()  # its errors name the file already
                try:
                    self.load_snapshot(saved, check=False)
                except fixtures.FixtureError as exc:
                    raise fixtures.FixtureError("state file %s: %s" % (state_file, exc))
            else:
                self.reset()
            if self.state is not None:
                self._first_save(loaded)
        except BaseException:
            self.close_state(save=False)
            raise
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
        self.dashboard = ui.Dashboard(self)
        self.control = ControlResource(self)
        root.putChild(b"guestFile", GuestFileResource(self))
        root.putChild(b"folder", DatastoreFileResource(self))
        vimsim_root = resource.Resource()
        vimsim_root.putChild(b"v1", self.control)
        vimsim_root.putChild(b"ui", ui.ui_resource())
        root.putChild(b"vimsim", vimsim_root)
        self.root = root
        self.site = httpserver.Site(root, max_body, self.reactor, request_timeout, idle_timeout,
                                    handshake_timeout, max_connections,
                                    max_unauthenticated_body)
        self.port = None
        self.secure = False

    def reset(self):
        """Back to the loaded fixture: a new model, nothing scheduled, no sessions."""
        self.generation += 1
        self.clock.clear()
        self.vc = fixtures.build(copy.deepcopy(self.fixture_data), self.clock)
        if self.extra_user:
            name, password = self.extra_user
            self.vc.users[name] = User(name, password, "Admin")
        self.vc.session_manager.configure(*self.session_limits)
        self._publish_endpoint()
        self._freeze()
        return self.vc

    def snapshot(self):
        return snapshot.save(self.vc, self.fixture_data)

    def load_snapshot(self, data, check=True):
        """Replace the whole state with a snapshot's (FixtureError if it is not one, and
        nothing changed: the clock keeps its time and what it had scheduled). ``check``:
        every property the restored objects answer is of its vim25 type (about 2 ms an
        object; the --state file vimsim itself wrote is not checked again)."""
        kept = self.clock.save_point()
        self.clock.clear()
        try:
            try:
                vc = snapshot.restore(data, self.clock)
                if check:
                    snapshot.check_answers(vc)
            except fixtures.FixtureError:
                raise
            except KeyError as exc:
                raise fixtures.FixtureError("not a whole vimsim snapshot: %s is missing"
                                            % primitives.quoted(exc.args[0] if exc.args
                                                                else ""))
            except Exception:  # Python's words stay in the log (at INFO: the input's fault)
                log.info("a snapshot refused", exc_info=True)
                raise fixtures.FixtureError("not a snapshot vimsim can restore: a value in "
                                            "it is not of the kind vimsim writes there")
        except BaseException:
            self.clock.back_to(kept)
            raise
        self.fixture_data = snapshot.fixture_of(data)
        self.vc = vc
        self.generation += 1
        if self.extra_user:
            name, password = self.extra_user
            self.vc.users[name] = User(name, password, "Admin")
        self.vc.session_manager.configure(*self.session_limits)
        self._publish_endpoint()
        self._freeze()

    def _publish_endpoint(self):
        """Tell the model where clients reach it (the URLs it hands out name the port)."""
        if getattr(self, "port", None) is not None:
            self.vc.endpoint = ("https" if self.secure else "http", self.port.getHost().port)

    def _freeze(self):
        """A process serving one model (vimsim serve) keeps it out of the garbage collector's
        full passes (vimsim/heap.py): over 10,000 VMs each held every client 0.15-0.3 s
        (issue 14). The model it replaces is collected first."""
        if self.heap is not None:
            self.heap.reclaim()

    # -- the --state file ------------------------------------------------------------------

    def _change_key(self):
        """What changes whenever the state does: the model itself, its change count, the
        rules' counts and virtual time. Cheap, so that an idle server writes nothing."""
        vc = self.vc
        return (self.generation, vc.changes, tuple((r.id, r.hits, r.calls) for r in vc.rules.rules),
                self.clock.time() if self.clock.mode != "real" else None)

    def _first_save(self, loaded):
        """Before serving: encode the whole state once (later saves encode what changed)
        and, for a new file, write it, so that a state that cannot be saved fails the start."""
        key = self._change_key()
        try:
            self._recorder = snapshot.Recorder(self.vc, self.fixture_data)
            pieces = self._recorder.pieces()
            if not loaded:
                self.state.write(pieces)
        except Exception as exc:
            raise fixtures.FixtureError("state file %s cannot be saved: %s"
                                        % (self.state_file, exc))
        self._saved_key = key

    def start_saving(self):
        """Save the state to --state FILE every ``state_interval`` seconds it changed."""
        if self.state is not None and self._saver is None:
            self._saver = LoopingCall(self._tick)
            self._saver.clock = self.reactor
            self._saver.start(self.state_interval, now=False)

    def _tick(self):
        try:
            self.save_if_changed()
        except Exception:  # whatever it was, the loop goes on and the stop says so
            self.save_failed = True
            log.exception("cannot save the state to %s", self.state_file)

    def save_if_changed(self, wait=False):
        """Save if anything changed since the last save (or that save failed). The file is
        written in a thread: the reactor only encodes what changed. With ``wait``, the write
        is done before this returns."""
        if self._writing is not None:
            if not wait:
                return  # the next interval saves what changed meanwhile
            self._finish_write()
        if self._change_key() != self._saved_key or self.save_failed:
            self.save_state(wait)

    def save_state(self, wait=True):
        """Write the state to --state FILE. A failure is logged at ERROR with its reason and
        left in ``save_failed`` (the next interval tries again). With ``wait``, True if saved."""
        if self.state is None:
            return True
        if self._writing is not None:
            self._finish_write()
        key = self._change_key()
        try:
            if self._recorder is None or self._recorder.vc is not self.vc:
                if self._recorder is not None:
                    self._recorder.close()
                self._recorder = None
                self._recorder = snapshot.Recorder(self.vc, self.fixture_data)
            pieces = self._recorder.pieces()
        except Exception as exc:  # a value JSON cannot hold
            return self._saved(key, exc)
        if wait:
            return self._saved(key, self._write(pieces))
        writer = threading.Thread(target=self._write_in_thread, args=(pieces, key),
                                  name="vimsim-state", daemon=True)
        self._writing = writer
        writer.start()
        return None

    def _write(self, pieces):
        try:
            self.state.write(pieces)
        except Exception as exc:  # a full disk, a gone folder
            return exc
        return None

    def _write_in_thread(self, pieces, key):
        writer = threading.current_thread()
        writer.outcome = (key, self._write(pieces))
        self.reactor.callFromThread(self._written, writer)

    def _written(self, writer):
        if self._writing is writer:  # not already taken by _finish_write
            self._writing = None
            self._saved(*writer.outcome)

    def _finish_write(self):
        writer, self._writing = self._writing, None
        writer.join()
        self._saved(*writer.outcome)

    def _saved(self, key, error):
        if error is not None:
            self.save_failed = True
            log.error("cannot save the state to %s: %s", self.state_file, error)
            return False
        if self.save_failed:
            log.warning("saved the state to %s again", self.state_file)
        self.save_failed = False
        self._saved_key = key
        return True

    def close_state(self, save=True):
        """On a clean stop: a last save if anything changed, then the file's lock let go.
        ``save_failed`` then tells whether the file holds the final state."""
        if self._saver is not None:
            if self._saver.running:
                self._saver.stop()
            self._saver = None
        if self.state is not None:
            if save:
                self.save_if_changed(wait=True)
            elif self._writing is not None:
                self._writing.join()
            self.state.close()
            self.state = None

    # -- the clock on the reactor ----------------------------------------------------------

    def _arm_timer(self, when):
        if self.clock.mode != "real":
            return
        delay = max(0.0, when - self.clock.time())
        if self._timer is not None and self._timer.active():
            if self._timer.getTime() <= self.reactor.seconds() + delay:
                return
            self._timer.cancel()
        self._timer = self.reactor.callLater(delay, self._fire)

    def _fire(self):
        self._timer = None
        self.clock.run_due()
        self._rearm()

    def _rearm(self):
        """Keep the reactor's timer on the earliest event still to run: one armed for an
        event that a request has already run, or that was cancelled, would wake the process
        for nothing (a task's start and a waiter's wake-up are due at once, and every
        request runs what is due)."""
        when = self.clock.next_event_time()
        if self._timer is not None and self._timer.active() and \
                (when is None or self._timer.getTime() < when - SPURIOUS_WAKE):
            self._timer.cancel()
            self._timer = None
        if when is not None:
            self._arm_timer(when)

    def request_done(self):
        """After each request: run what became due, and in auto mode let time move on."""
        self.clock.run_due()
        if self.clock.mode == "real":
            self._rearm()
        elif self.clock.mode == "auto" and not self._settling and \
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
        self._publish_endpoint()
        when = self.clock.next_event_time()  # events a restored snapshot scheduled
        if when is not None:
            self._arm_timer(when)
        self.start_saving()
        if self.heap is not None:
            self.heap.start()
        return self.port.getHost().port

    @property
    def base_url(self):
        """scheme://host:port, where every endpoint lives (`vimsim serve` lists them)."""
        scheme = "https" if self.secure else "http"
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % (scheme, host, self.port.getHost().port)

    @property
    def url(self):
        """The SOAP endpoint with the user's credentials, percent-encoded (RFC 3986 userinfo),
        so a password such as p@ss:w/rd still gives a URL that parses."""
        scheme, rest = self.base_url.split("://", 1)
        return "%s://%s:%s@%s/sdk" % (scheme, quote(self.username, safe=""),
                                      quote(self.password, safe=""), rest)

    def stop(self):
        self.dashboard.close()
        if self.heap is not None:
            self.heap.stop()
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self.close_state()
        if self.port is not None:
            return self.port.stopListening()
