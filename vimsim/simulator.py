"""Embedding vimsim: a Simulator to start from Python, read and change, and stop.

    with vimsim.Simulator(fixture="default", clock="virtual") as sim:
        sim.start()                                  # a free port, reactor in a thread
        si = SmartConnect(host=sim.host, port=sim.port, ..., protocol="http")
        sim.vm("DC0_H0_VM0").tools_running = False
        sim.faults.add(operation="CustomizeGuest_Task", action="fault", fault="SystemError")
        sim.advance(5)

Programs that run their own twisted reactor mount ``sim.resource`` in their site instead of
calling start(). Every state change runs in the reactor thread, so tests may call from any
thread. Two simulators share nothing but the reactor.
"""
import threading

from twisted.internet import reactor
from twisted.internet.threads import blockingCallFromThread
from twisted.python.threadable import isInIOThread

from vimsim.control import apply_vm_changes, vm_state
from vimsim.server import Server

_thread = None
_lock = threading.Lock()


def ensure_reactor():
    """The twisted reactor, running in a daemon thread unless the program runs it itself."""
    global _thread
    with _lock:
        if reactor.running or _thread is not None:
            return
        _thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False},
                                   name="vimsim-reactor", daemon=True)
        _thread.start()


def in_reactor(fn, *args, **kw):
    """Run ``fn`` in the reactor thread (at once if already there, or if no reactor runs)."""
    if (reactor.running or _thread is not None) and not isInIOThread():
        return blockingCallFromThread(reactor, lambda: fn(*args, **kw))
    return fn(*args, **kw)


_call = in_reactor


class VmHandle:
    """One VM, by name, for reading and changing its state."""

    _fields = ("power_state", "tools_running", "tools_autostart", "guest_network_up",
               "ip_address", "host_name", "guest_accounts")

    def __init__(self, sim, name):
        object.__setattr__(self, "_sim", sim)
        object.__setattr__(self, "_name", name)

    def _vm(self):
        for obj in self._sim.server.vc.objects.values():
            if obj.vim_type == "VirtualMachine" and obj.name == self._name:
                return obj
        raise KeyError("no VM named %s" % self._name)

    @property
    def moid(self):
        return _call(lambda: self._vm().moid)

    @property
    def state(self):
        return _call(lambda: vm_state(self._vm()))

    def __getattr__(self, name):
        if name in self._fields or name in ("customization", "nic_addresses"):
            return self.state.get(name)
        raise AttributeError(name)

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError("%s cannot be set on a VM" % name)
        _call(lambda: apply_vm_changes(self._sim.server, self._vm(), {name: value}))


class FaultRules:
    """The simulator's fault rules."""

    def __init__(self, sim):
        self._sim = sim

    def add(self, **rule):
        return _call(lambda: self._sim.server.vc.rules.add(**rule).describe())

    def list(self):
        return _call(lambda: [r.describe() for r in self._sim.server.vc.rules.rules])

    def remove(self, rule_id):
        return _call(lambda: self._sim.server.vc.rules.remove(rule_id))

    def clear(self):
        _call(lambda: self._sim.server.vc.rules.clear())


class Simulator:
    def __init__(self, fixture="default", clock="virtual", **options):
        self.server = Server(fixture=fixture, clock=clock, **options)
        self.faults = FaultRules(self)
        self._listening = False

    # -- running ---------------------------------------------------------------------------

    def start(self, port=0, host="127.0.0.1", secure=False, cert_dir=None):
        ensure_reactor()
        _call(self.server.listen, port, host, secure, cert_dir)
        self._listening = True
        return self

    @property
    def resource(self):
        """The root twisted resource, for a program that runs its own site and reactor."""
        return self.server.root

    @property
    def url(self):
        return self.server.url if self._listening else None

    @property
    def host(self):
        return self.server.host

    @property
    def port(self):
        return self.server.port.getHost().port if self._listening else None

    def stop(self):
        if self._listening:
            _call(self.server.stop)
            self._listening = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- state -----------------------------------------------------------------------------

    @property
    def vc(self):
        """The model itself (call into it from the reactor thread)."""
        return self.server.vc

    def vm(self, name):
        return VmHandle(self, name)

    def advance(self, seconds):
        _call(self.server.advance, seconds)

    def reset(self):
        _call(self.server.reset)

    def now(self):
        return self.server.clock.now()

    def set_guest_behaviour(self, behaviour):
        """Plug in a vimsim.model.guest.GuestBehaviour (how long customizations take, and
        whether they fail)."""
        _call(lambda: setattr(self.server.vc, "guest_behaviour", behaviour))

    def set_program_behaviour(self, behaviour):
        """Plug in a vimsim.model.guest_processes.ProgramBehaviour (what a program
        StartProgramInGuest starts does: its exit code, duration and output)."""
        _call(lambda: setattr(self.server.vc.managers["guestOperationsManager"],
                              "program_behaviour", behaviour))

    def subscribe(self, callback, path=None, type=None):
        """Call ``callback(obj)`` (in the reactor thread) whenever a managed object changes,
        or, with ``path`` (a vSphere property path such as ``info.state`` or
        ``guest.customizationInfo.customizationStatus``), ``callback(obj, value)`` whenever
        that property's value changes on an object (of ``type``, if given)."""
        if path is None:
            _call(lambda: self.server.vc.listeners.append(callback))
            return
        last = {}

        def watch(obj):
            if type is not None and obj.vim_type != type or not obj.has_path(path):
                return
            try:
                value = obj.get(path, None)
            except Exception:  # a path this kind of object does not have
                return
            if obj.moid not in last or last[obj.moid] != value:
                last[obj.moid] = value
                callback(obj, value)
        _call(lambda: self.server.vc.listeners.append(watch))
