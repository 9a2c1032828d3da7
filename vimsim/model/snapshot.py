"""Snapshots: the whole durable state of a Vcenter as JSON, and back; the --state file.

A snapshot walks the managed objects: each keeps what its class names in ``persisted``
(vimsim/model/objects.py), the VMs instant clones included, the tasks with their bodies and
the managers' settings (options, licenses, custom fields, permissions). Scheduled work is
data too: every call on the clock to a method a class names in ``scheduled_work`` (a task's
start and end, VMware Tools starting after a power-on, a customization's next step) is kept
as the object's moId, the method's name and its arguments, and is re-armed on restore. Also kept:
the fault rules with their counts, the moId counter, virtual time, and the moIds of the
entities destroyed (the fixture builds them again; restore removes them). Not kept: sessions,
views, property filters and the calls waiting on them (a restarted vCenter drops them too),
and the event history (new events' keys carry on from the kept counter).

Restore order: the fixture is built again; the objects it lacks are re-created
(``recreate``), the clock's events re-armed, then every object takes back its state
(``restore_persisted``, which may look at the restored events).
"""
import errno
import fcntl
import json
import math
import os
from collections import deque
from datetime import datetime
from types import MappingProxyType

from vimsim.model import clock as clock_module
from vimsim.model import fixture as fixtures, lifecycle
from vimsim.model.faults import Fault
from vimsim.model.objects import MANAGED_TYPES, ManagedObject
from vimsim.model.sessions import CallContext, Session
from vimsim.vim25 import conformance
from vimsim.vim25.data import DataObject, MoRef, TypedValue, format_datetime, parse_datetime
from vimsim.vim25.types import REGISTRY

FORMAT = 2


class SnapshotError(fixtures.FixtureError):
    pass


# -- values as JSON ----------------------------------------------------------------------

class Unstorable(ValueError):
    """A value no snapshot can keep; ``path`` says where it is, outermost first."""

    def __init__(self, what):
        super().__init__(what)
        self.what, self.path = what, []

    def __str__(self):
        return "%s: %s" % (".".join(reversed(self.path)), self.what)


_PLAIN = (str, int, bool, type(None))


def encode(value, vc):
    """``value`` as plain JSON: data objects, moRefs, datetimes, typed values, faults,
    tuples, maps with other keys than strings, managed objects and their bound methods (by
    moId) marked with a ``$`` key. Unstorable, saying where, for anything else."""
    cls = type(value)
    if cls in _PLAIN:
        return value
    if cls is float:
        if not math.isfinite(value):
            raise Unstorable("%r is not a number a snapshot can keep" % value)
        return value
    if cls is list or cls is deque:
        return [_item(v, vc, i) for i, v in enumerate(value)]
    if cls is tuple:
        return {"$tuple": [_item(v, vc, i) for i, v in enumerate(value)]}
    if cls is dict or cls is MappingProxyType:
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: _item(v, vc, k) for k, v in value.items()}
        return {"$map": [[_item(k, vc, k), _item(v, vc, k)] for k, v in value.items()]}
    if isinstance(value, DataObject):
        return {"$data": value._typeName, "fields": {
            k: _item(v, vc, k) for k, v in value.__dict__.items()
            if v is not None and k != "_typeName"}}
    if cls is MoRef:
        return {"$ref": [value.type, value.value]}
    if cls is datetime:
        return {"$time": format_datetime(value)}
    if cls is TypedValue:
        return {"$typed": [value.type, _item(value.value, vc, "value")]}
    if isinstance(value, Fault):
        return {"$fault": value.type_name, "msg": value.msg,
                "fields": _item(value.fields, vc, "fields")}
    if isinstance(value, ManagedObject):
        if vc.objects.get(value.moid) is not value:
            raise Unstorable("%r is not in the inventory" % value)
        return {"$obj": value.moid}
    owner = getattr(value, "__self__", None)
    if isinstance(owner, ManagedObject) and callable(value):
        if vc.objects.get(owner.moid) is not owner:
            raise Unstorable("%r is not in the inventory" % owner)
        return {"$method": [owner.moid, value.__func__.__name__]}
    raise Unstorable("a %s cannot be kept in a snapshot" % cls.__name__)


def _item(value, vc, key):
    """One member of a container, encoded; an Unstorable learns its key on the way out."""
    cls = type(value)
    if cls in _PLAIN:
        return value
    try:
        return encode(value, vc)
    except Unstorable as exc:
        exc.path.append(str(key))
        raise


def decode(value, vc):
    if isinstance(value, list):
        return [decode(v, vc) for v in value]
    if not isinstance(value, dict):
        return value
    if "$data" in value:
        return DataObject.of(value["$data"], {k: decode(v, vc)
                                              for k, v in value["fields"].items()})
    if "$obj" in value:
        return vc.objects[value["$obj"]]
    if "$ref" in value:
        return MoRef(*value["$ref"])
    if "$time" in value:
        return parse_datetime(value["$time"])
    if "$tuple" in value:
        return tuple(decode(v, vc) for v in value["$tuple"])
    if "$map" in value:
        return {decode(k, vc): decode(v, vc) for k, v in value["$map"]}
    if "$typed" in value:
        return TypedValue(value["$typed"][0], decode(value["$typed"][1], vc))
    if "$fault" in value:
        return Fault.of(value["$fault"], value["msg"], **decode(value["fields"], vc))
    if "$method" in value:
        moid, name = value["$method"]
        obj = vc.objects[moid]
        if not callable(getattr(type(obj), name, None)):
            raise ValueError("%s has no method %s" % (moid, name))
        return getattr(obj, name)
    return {k: decode(v, vc) for k, v in value.items()}


# -- the snapshot ------------------------------------------------------------------------

def _kept(what, encode_it):
    """``encode_it()``; an Unstorable it raises names ``what`` too."""
    try:
        return encode_it()
    except Unstorable as exc:
        exc.path.append(what)
        raise


def _entry(obj, vc):
    where = "%s %s" % (obj.vim_type, obj.moid)
    return {"moid": obj.moid, "type": obj.vim_type,
            "state": _kept(where, lambda: encode(obj.persisted_state(), vc))}


def _events(vc):
    """The clock's events that are scheduled work of managed objects (their class names the
    method in ``scheduled_work``), as data. The others are callbacks of sessions and of
    waiting calls (a PropertyCollector's wake, a delayed answer), which a restart ends."""
    kept = []
    for timer in vc.clock.pending():
        owner = getattr(timer.fn, "__self__", None)
        if not isinstance(owner, ManagedObject) or \
                timer.fn.__func__.__name__ not in owner.scheduled_work or \
                vc.objects.get(owner.moid) is not owner:
            continue
        where = "event %s.%s" % (owner.moid, timer.fn.__func__.__name__)
        kept.append({"when": timer.when, "call": encode(timer.fn, vc),
                     "args": _kept(where, lambda: encode(list(timer.args), vc))})
    return kept


def _rest(vc):
    """Everything but the fixture and the objects."""
    return {"format": FORMAT, "time": vc.clock.time(), "next_id": vc.peek_moid_number(),
            "events": _events(vc), "removed": list(vc.removed),
            "rules": [_kept("rule %s" % r.id, lambda: encode(dict(r.describe()), vc))
                      for r in vc.rules.rules],
            "tagging": _kept("tagging", lambda: encode(vc.tagging.state(), vc))}


def save(vc, fixture_data):
    """The snapshot of ``vc`` (built from ``fixture_data``) as a JSON-able dict; Unstorable,
    saying where, when something in the state cannot be kept."""
    return dict(_rest(vc), fixture=_fixture(fixture_data, vc),
                objects=[_entry(o, vc) for o in vc.objects.values() if o.persisted])


def _fixture(fixture_data, vc):
    return _kept("fixture", lambda: encode(fixture_data, vc))


def fixture_of(snapshot):
    """The fixture a snapshot was built from."""
    return decode(snapshot["fixture"], None)


class Recorder:
    """The snapshot of one Vcenter as JSON text, made again at every save: an object whose
    every change touches it (``persisted_touched``: the VMs and tasks, nearly all of a big
    inventory) is encoded again only once touched."""

    def __init__(self, vc, fixture_data):
        self.vc = vc
        self.fixture = json.dumps(_fixture(fixture_data, vc), allow_nan=False)
        self.cache = {}  # moId -> (object, its entry as JSON text)
        self.touched = set()
        vc.listeners.append(self._touched)

    def _touched(self, obj):
        self.touched.add(obj.moid)

    def close(self):
        if self._touched in self.vc.listeners:
            self.vc.listeners.remove(self._touched)

    def pieces(self):
        """The snapshot's JSON text, in pieces to write one after the other (joining 10,000
        VMs' entries would cost the reactor a copy of all of them)."""
        vc, cache, touched = self.vc, self.cache, self.touched
        kept = {}
        pieces = ['{"fixture": ', self.fixture, ', "objects": [']
        for moid, obj in vc.objects.items():
            if not obj.persisted:
                continue
            hit = cache.get(moid)
            if hit is not None and hit[0] is obj and moid not in touched:
                text = hit[1]
            else:
                text = json.dumps(_entry(obj, vc), allow_nan=False)
            if obj.persisted_touched:
                kept[moid] = (obj, text)
            pieces.append(text)
            pieces.append(", ")
        if pieces[-1] == ", ":
            pieces.pop()
        pieces.append("], ")
        pieces.append(json.dumps(_rest(vc), allow_nan=False)[1:])
        self.cache, self.touched = kept, set()  # only once all of it could be encoded
        return pieces


class _Lazy:
    """A saved state whose values are decoded when read: an object being re-created reads
    only what places it, before the objects the rest of its state names exist."""

    def __init__(self, state, vc):
        self.state, self.vc = state, vc

    def __getitem__(self, name):
        return decode(self.state[name], self.vc)


def _check_outline(snapshot):
    """SnapshotError for a snapshot whose parts are not of the kinds vimsim writes."""
    for key in ("fixture", "objects", "time", "next_id", "events", "removed", "rules"):
        if key not in snapshot:
            raise SnapshotError("not a whole vimsim snapshot: %r is missing" % key)
    objects = snapshot.get("objects")
    if not isinstance(objects, list) or not all(
            isinstance(e, dict) and isinstance(e.get("moid"), str) and
            isinstance(e.get("type"), str) and isinstance(e.get("state"), dict)
            for e in objects):
        raise SnapshotError("the snapshot's objects must be a list of {moid, type, state}")
    moids = [e["moid"] for e in objects]
    if len(set(moids)) != len(moids):
        raise SnapshotError("the snapshot names a moId twice")
    when = snapshot.get("time")
    if isinstance(when, bool) or not isinstance(when, (int, float)) or \
            not 0 <= when <= clock_module.LATEST:
        raise SnapshotError("the snapshot's time must be a number of seconds since 1970, "
                            "before the year 9000")
    next_id = snapshot.get("next_id")
    if isinstance(next_id, bool) or not isinstance(next_id, int) or next_id < 1:
        raise SnapshotError("the snapshot's next_id must be a whole number from 1")
    for key in ("events", "removed", "rules"):
        if not isinstance(snapshot.get(key), list):
            raise SnapshotError("the snapshot's %s must be a list" % key)
    for event in snapshot["events"]:
        if not isinstance(event, dict) or isinstance(event.get("when"), bool) or \
                not isinstance(event.get("when"), (int, float)) or \
                not math.isfinite(event["when"]) or not isinstance(event.get("args"), list):
            raise SnapshotError("the snapshot's events must be {when, call, args}")


def check_answers(vc):
    """SnapshotError naming the first property of a restored object that is not what the
    vim25 schema declares (a snapshot edited by hand: a dict for a name, "on" for a power
    state), read as an Administrator would: what SOAP, VI/JSON and REST would answer."""
    admin = next((u for u in vc.users.values() if u.role == "Admin"), None)
    ctx = CallContext(session=Session(admin, vc.clock)) if admin is not None else CallContext()
    for obj in list(vc.objects.values()):
        for name in type(obj).property_names():
            field = REGISTRY.property_field(obj.vim_type, name)
            if field is None:
                continue
            try:
                value = obj.get(name, ctx)
            except Fault:
                continue
            except Exception:  # what the state gives breaks the model's own reading of it
                raise SnapshotError("%s %s: its %s cannot be read from the state given"
                                    % (obj.vim_type, obj.moid, name))
            found = conformance.problem(value, field, name)
            if found is not None:
                raise SnapshotError("%s %s: %s: %s" % (obj.vim_type, obj.moid, *found))


def restore(snapshot, clock):
    """A Vcenter in the state a snapshot recorded."""
    if not isinstance(snapshot, dict) or "format" not in snapshot:
        raise SnapshotError("not a vimsim snapshot")
    if snapshot["format"] != FORMAT:
        raise SnapshotError("a snapshot of format %r, which this vimsim does not read (it "
                            "writes format %d): start without it, or with a fresh file"
                            % (snapshot["format"], FORMAT))
    _check_outline(snapshot)
    data = fixture_of(snapshot)
    if not isinstance(data, dict):
        raise SnapshotError("the snapshot's fixture must be a mapping")
    data.pop("rules", None)
    data["scenarios"] = []
    fixtures.check(data, "the snapshot's fixture")
    if clock.mode != "real":
        clock._virtual = snapshot["time"]
    vc = fixtures.build(data, clock)
    for moid in snapshot.get("removed", ()):  # destroyed: gone again before the rest
        if moid in vc.objects:
            lifecycle.remove(vc, vc.objects[moid])
    entries = snapshot["objects"]
    for entry in entries:
        if entry["moid"] in vc.objects:  # the fixture's, or made with its parent (a
            continue                     # datacenter's folders, a cluster's root pool)
        cls = MANAGED_TYPES.get(entry["type"])
        if cls is None:
            raise SnapshotError("a snapshot names %s, an unknown type" % entry["type"])
        cls.recreate(vc, entry["moid"], _Lazy(entry["state"], vc))
    for event in snapshot["events"]:
        clock.call_at(event["when"], decode(event["call"], vc), *decode(event["args"], vc))
    for entry in entries:
        obj = vc.objects[entry["moid"]]
        if obj.vim_type != entry["type"]:
            raise SnapshotError("%s is a %s in the snapshot, a %s in the fixture"
                                % (entry["moid"], entry["type"], obj.vim_type))
        obj.restore_persisted(decode(entry["state"], vc))
    vc.set_moid_number(snapshot["next_id"])
    if snapshot.get("tagging") is not None:  # (snapshots before it have none)
        vc.tagging.restore(decode(snapshot["tagging"], vc))
    for rule in snapshot["rules"]:
        rule = decode(rule, vc)
        counts = {k: rule.pop(k) for k in ("id", "hits", "calls")}
        added = vc.rules.add(**rule)
        added.hits, added.calls = counts["hits"], counts["calls"]
    return vc


# -- the --state file --------------------------------------------------------------------

def write(path, pieces):
    """Write a snapshot's JSON text (its pieces) atomically: a temporary file in the same
    folder, fsync, rename, fsync of the folder. A reader never sees half a snapshot, a crash
    never loses the old one, and no temporary file is left, even when writing fails
    (OSError)."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(pieces)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path):
    """The snapshot a state file holds; SnapshotError naming the file when it holds none."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise SnapshotError("state file %s cannot be read: %s" % (path, exc))
    if not isinstance(data, dict) or "format" not in data:
        raise SnapshotError("state file %s is not a vimsim snapshot" % path)
    return data


class StateFile:
    """A --state file, checked and locked at start: its folder exists and takes new files,
    and no other vimsim uses it (an advisory lock on FILE.lock, released at exit, even by a
    SIGKILL). SnapshotError with a message naming the file otherwise."""

    def __init__(self, path):
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise SnapshotError("state file %s: folder %s does not exist" % (path, folder))
        if os.path.isdir(path):
            raise SnapshotError("state file %s is a folder" % path)
        self._lock = self._take_lock(path + ".lock")
        try:
            self._remove_leftovers()
            probe = "%s.%d.tmp" % (path, os.getpid())
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.unlink(probe)
        except OSError as exc:
            self.close()
            raise SnapshotError("state file %s cannot be written: %s" % (
                path, exc.strerror or exc))

    def _remove_leftovers(self):
        """Temporary files a killed vimsim left (none is writing: this one holds the lock)."""
        folder, name = os.path.split(os.path.abspath(self.path))
        for entry in os.listdir(folder):
            if entry.startswith(name + ".") and entry.endswith(".tmp") and \
                    entry[len(name) + 1:-4].isdigit():
                os.unlink(os.path.join(folder, entry))

    @staticmethod
    def _take_lock(lock_path):
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise SnapshotError("state file lock %s cannot be opened: %s" % (
                lock_path, exc.strerror or exc))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise SnapshotError("state file %s is in use by another vimsim (it holds %s)"
                                    % (lock_path[:-len(".lock")], lock_path))
            raise SnapshotError("state file lock %s: %s" % (lock_path, exc.strerror or exc))
        return fd

    def exists(self):
        return os.path.exists(self.path)

    def read(self):
        return read(self.path)

    def write(self, pieces):
        write(self.path, pieces)

    def close(self):
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
