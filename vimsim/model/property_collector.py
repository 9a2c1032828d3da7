"""PropertyCollector: retrieval with traversal specs and paging, filters and WaitForUpdates.

Filters do not poll: the model calls ``touch(obj)`` on every change, which marks the object
dirty in each filter that covers it; a waiting client is answered with the diff of just the
dirty objects against what that filter last reported.
"""
import collections
import itertools

from vimsim.model import authorization, faults, sessions
from vimsim.model.objects import (MANAGED_TYPES, ManagedObject, Pending, SessionObject, Streamed,
                                  vim_property)
from vimsim.vim25.data import DataObject, FrozenDataObject, MoRef, TypedValue
from vimsim.vim25.types import REGISTRY

# Objects per RetrievePropertiesEx page when the client sets no maxObjects, and the most
# a page holds whatever it sets (the "PropertyCollector policy" RetrieveOptions documents).
# Pages and WaitForUpdatesEx answers are built an object at a time as the front-end encodes
# them, and it also bounds them in bytes (vimsim/frontend.py, PAGE_BYTES).
DEFAULT_PAGE = 1000
MAX_PAGE = 2000
# Unfinished RetrievePropertiesEx results kept for ContinueRetrievePropertiesEx: per session
# and collector, and over all sessions; beyond either the oldest is discarded (its token then
# answers InvalidArgument, as one vCenter discarded does).
MAX_OPEN_RETRIEVALS = 16
MAX_RETRIEVALS_KEPT = 1000


def _selection_specs(specs, named):
    # Only a TraversalSpec defines a name; a bare SelectionSpec refers to one.
    for spec in specs or ():
        if spec._typeName == "TraversalSpec":
            if spec.name and spec.name not in named:
                named[spec.name] = spec
                _selection_specs(spec.selectSet, named)
            elif not spec.name:
                _selection_specs(spec.selectSet, named)


def traverse(vc, ctx, object_specs):
    """The objects an objectSet selects, each once, in traversal order: a generator, so that
    a long answer walks the inventory a slice at a time (faults surface as it goes). It
    yields None for an object it passes without selecting it (skipped, or seen before), a
    step of work for the front-end (frontend.take)."""
    seen = set()
    # What the caller may not read: NoPermission for an object it names, and left out where
    # a traversal reaches it (None: it reads everything, nothing to check).
    readable = authorization.read_filter(vc, ctx)
    for ospec in object_specs or ():
        if ospec.obj is None:
            raise faults.InvalidArgument(invalidProperty="obj")
        root = vc.lookup(ospec.obj, ctx)
        if readable is not None and not readable(root):
            raise faults.no_permission(root.ref, authorization.READ)
        named = {}
        _selection_specs(ospec.selectSet, named)
        if not ospec.skip and root.moid not in seen:
            seen.add(root.moid)
            yield root
        else:
            yield None
        visited = set()
        stack = [(root, ospec.selectSet or ())]
        while stack:
            obj, selections = stack.pop()
            for sel in selections:
                spec = named.get(sel.name, sel) if sel._typeName == "SelectionSpec" else sel
                if spec is None or spec._typeName != "TraversalSpec":
                    if sel.name and sel.name not in named:
                        raise faults.InvalidArgument(invalidProperty="selectSet")
                    continue
                if spec.type not in obj.type_names():
                    continue
                key = (obj.moid, id(spec))
                if key in visited:
                    continue
                visited.add(key)
                if not obj.has_path(spec.path):
                    raise faults.InvalidProperty(name=spec.path)
                value = yield from obj.get_in_steps(spec.path, ctx)
                targets = value if isinstance(value, list) else [value] if value else []
                children = []
                further = spec.selectSet or ()
                keep = not spec.skip
                find = vc.find
                for ref in targets:
                    target = find(ref, ctx)
                    if target is None:
                        continue
                    if keep and target.moid not in seen:
                        seen.add(target.moid)
                        if readable is None or readable(target):
                            yield target
                        else:
                            yield None
                    else:
                        yield None
                    if further:  # a leaf (a view's VMs) needs no turn of its own on the stack
                        children.append((target, further))
                stack.extend(reversed(children))


def paths_for(obj, prop_specs):
    """The property paths the propSet asks of ``obj`` (None: the object is not wanted)."""
    names = obj.type_names()
    paths, matched = [], False
    for pspec in prop_specs:
        if pspec.type not in names:
            continue
        matched = True
        wanted = obj.property_names() if pspec.all else (pspec.pathSet or ())
        for path in wanted:
            if path not in paths:
                if not obj.has_path(path):
                    raise faults.InvalidProperty(name=path)
                paths.append(path)
    return paths if matched else None


def validate_prop_specs(vc, prop_specs):
    """InvalidType for a type the schema lacks, InvalidProperty for a path its type lacks;
    a type vimsim holds no objects of is valid and matches nothing."""
    for pspec in prop_specs or ():
        if pspec.type not in REGISTRY.managed:
            raise faults.InvalidType(argument=pspec.type)
        cls = MANAGED_TYPES.get(pspec.type)
        for path in pspec.pathSet or ():
            if not (cls.has_path(path) if cls is not None
                    else REGISTRY.property_field(pspec.type, path) is not None):
                raise faults.InvalidProperty(name=path)


def object_content(obj, paths, ctx):
    props, missing = [], []
    for path in paths:
        try:
            value = obj.get(path, ctx)
        except faults.NoPermission as fault:  # a property that needs more (sessionList)
            missing.append(DataObject("MissingProperty", path=path, fault=fault.localized()))
            continue
        if value is not None:
            props.append(DataObject.of("DynamicProperty", {"name": path, "val": value}))
    content = {"obj": obj.ref, "propSet": props}
    if missing:
        content["missingSet"] = missing
    return DataObject.of("ObjectContent", content)


def retrieve(vc, ctx, spec_set):
    """ObjectContent for every object the filter specs select, as an iterator (pages and
    long answers are produced piece by piece). Bad specs fail here, before the first piece."""
    work = []
    for fspec in spec_set:
        validate_prop_specs(vc, fspec.propSet)
        work.append((traverse(vc, ctx, fspec.objectSet), fspec.propSet or ()))
    return _contents(work, ctx)


def _contents(work, ctx):
    for objects, prop_specs in work:
        plans = {}  # what is asked depends on the class only: worked out once per class
        for obj in objects:
            if obj is None:
                yield None
                continue
            cls = obj.__class__
            try:
                paths = plans[cls]
            except KeyError:
                paths = plans[cls] = paths_for(obj, prop_specs)
            yield object_content(obj, paths, ctx) if paths is not None else None


class Collectors(set):
    """The collector states that have filters, and which filters cover which object: a
    change visits the filters that cover the object changed, not every filter of every
    session (a structural change, which may change what any filter covers, visits all)."""

    def __init__(self):
        super().__init__()
        self.covering = {}  # moId -> {PropertyFilter: None}, as each filter last worked out

    def cover(self, pfilter, old, new):
        for moid in old.keys() - new.keys():
            watchers = self.covering.get(moid)
            if watchers is not None:
                watchers.pop(pfilter, None)
                if not watchers:
                    del self.covering[moid]
        for moid in new.keys() - old.keys():
            self.covering.setdefault(moid, {})[pfilter] = None

    def touched(self, obj, structural, clock):
        """Mark ``obj`` changed in the filters it concerns; wake their waiting clients."""
        if structural:
            marked = [s for s in self if any([f.mark(obj, True) for f in s.filters])]
        else:
            marked = []
            for pfilter in self.covering.get(obj.moid, ()):
                pfilter.dirty.add(obj.moid)
                marked.append(pfilter.state)
        for state in marked:
            if state.waiter is not None and not state.wake_scheduled:
                state.wake_scheduled = True
                clock.call_later(0, state.wake)


def _readable_value(obj, path, ctx):
    """A filter's value of one property: unset where the session may not read it."""
    try:
        return obj.get(path, ctx)
    except faults.NoPermission:
        return None


class CollectorState:
    """One session's view of one PropertyCollector: its filters, version and waiter."""

    def __init__(self, collector, session):
        self.collector, self.session = collector, session
        self.filters = []
        self.version = 0
        self.waiter = None
        self.waiter_limit = None  # (maxObjectUpdates, may truncate) of the waiting call
        self.carried = []  # [(filter, ObjectUpdate)] a truncated answer left for the next
        self.wake_scheduled = False
        self.retrievals = {}

    def destroy(self):
        """The session ended: a client still waiting gets RequestCanceled."""
        if self.waiter is not None:
            self.waiter.fail(faults.RequestCanceled())
        self.collector.vc.collectors.discard(self)
        kept = self.collector.vc.property_collector.retrievals_kept
        for token in self.retrievals:
            kept.pop(token, None)
        self.retrievals.clear()

    def keep_retrieval(self, token, entry):
        """Keep an unfinished result under ``token`` (unique in the vCenter), discarding the
        oldest beyond the caps."""
        kept = self.collector.vc.property_collector.retrievals_kept
        if len(self.retrievals) >= MAX_OPEN_RETRIEVALS:
            oldest = next(iter(self.retrievals))
            del self.retrievals[oldest]
            kept.pop(oldest, None)
        while len(kept) >= MAX_RETRIEVALS_KEPT:
            oldest, state = kept.popitem(last=False)
            state.retrievals.pop(oldest, None)
        self.retrievals[token] = entry
        kept[token] = self

    def take_retrieval(self, token):
        """The unfinished result of ``token`` (None if unknown or discarded), forgotten."""
        entry = self.retrievals.pop(token, None)
        if entry is not None:
            self.collector.vc.property_collector.retrievals_kept.pop(token, None)
        return entry

    def wake(self):
        self.wake_scheduled = False
        if self.waiter is None or self.waiter.done:
            return
        update = self.collect_updates(*self.waiter_limit)
        if update is not None:
            waiter, self.waiter = self.waiter, None
            waiter.resolve(update)

    def collect_updates(self, max_updates=None, may_truncate=False):
        """The filters' updates since they last reported, as a Streamed UpdateSet built an
        ObjectUpdate at a time; None when there are none. WaitForUpdatesEx's stops after
        ``max_updates``, or where the front-end's bound in bytes cuts it: then, if more is
        ready, the next update is carried over to the next call and the answer is truncated
        (UpdateSet.truncated: the client calls again with its version for the rest)."""
        carried = [(f, u) for f, u in self.carried if f in self.filters]
        self.carried = []
        source = self._filter_updates()
        pairs = itertools.chain(carried, source)
        first = next(pairs, None)
        if first is None:
            return None
        pairs = itertools.chain((first,), pairs)
        self.version += 1
        version = str(self.version)
        groups = []  # [filter, how many ObjectUpdates] in order, as they are taken

        def items():
            for pfilter, update in pairs:
                if max_updates is not None and sum(n for _, n in groups) == max_updates:
                    self.carried.append((pfilter, update))
                    return
                if groups and groups[-1][0] is pfilter:
                    groups[-1][1] += 1
                else:
                    groups.append([pfilter, 1])
                yield update

        def finish(objects, cut):
            if cut:
                self.carried.extend(itertools.islice(pairs, 1))
            source.close()  # what was not reported stays for the next call
            filter_set, start = [], 0
            for pfilter, count in groups:
                filter_set.append(DataObject("PropertyFilterUpdate", filter=pfilter.ref,
                                             objectSet=objects[start:start + count]))
                start += count
            return DataObject("UpdateSet", version=version, filterSet=filter_set,
                              truncated=True if self.carried else None)
        return Streamed(items(), finish, may_cut=may_truncate)

    def _filter_updates(self):
        for pfilter in list(self.filters):
            for update in pfilter.updates():
                yield pfilter, update


class PropertyCollector(ManagedObject):
    vim_type = "PropertyCollector"

    def __init__(self, vc, moid="propertyCollector"):
        super().__init__(vc, moid)
        # (the ServiceContent's collector's) token -> CollectorState of every session's
        # unfinished results, oldest first
        self.retrievals_kept = collections.OrderedDict()

    def state(self, ctx):
        key = ("collector", self.moid)
        state = ctx.session.objects.get(key)
        if state is None:
            state = ctx.session.objects[key] = CollectorState(self, ctx.session)
        return state

    # -- retrieval -----------------------------------------------------------------------

    def RetrieveProperties(self, ctx, specSet):
        return Streamed(retrieve(self.vc, ctx, specSet))

    def RetrievePropertiesEx(self, ctx, specSet, options=None):
        page = (options.maxObjects if options is not None else None) or DEFAULT_PAGE
        if page < 0:
            raise faults.InvalidArgument(invalidProperty="maxObjects")
        page = min(page, MAX_PAGE)
        return self._page(ctx, retrieve(self.vc, ctx, specSet), page)

    def _page(self, ctx, contents, page):
        """A Streamed RetrieveResult of at most ``page`` objects, built as the front-end takes
        them (it may stop sooner, at its bound in bytes); what remains is kept under a token
        for ContinueRetrievePropertiesEx."""
        following = []  # the first object of the next page, if there is one

        def items():
            taken = 0
            for content in contents:
                if content is not None:
                    if taken == page:
                        following.append(content)
                        return
                    taken += 1
                yield content

        def finish(objects, cut):
            if not objects:
                return None
            if cut:
                following.extend(itertools.islice((c for c in contents if c is not None), 1))
            token = None
            if following:
                token = self.vc.new_token()
                self.state(ctx).keep_retrieval(token, (itertools.chain(following, contents),
                                                       page))
            return DataObject("RetrieveResult", token=token, objects=objects)
        return Streamed(items(), finish, may_cut=True)

    def ContinueRetrievePropertiesEx(self, ctx, token):
        entry = self.state(ctx).take_retrieval(token)
        if entry is None:
            raise faults.InvalidArgument(invalidProperty="token")
        rest, page = entry
        return self._page(ctx, rest, page)

    def CancelRetrievePropertiesEx(self, ctx, token):
        if self.state(ctx).take_retrieval(token) is None:
            raise faults.InvalidArgument(invalidProperty="token")

    # -- filters and updates ---------------------------------------------------------------

    def CreateFilter(self, ctx, spec, partialUpdates):
        """Streamed: the walk of the objectSet (which fails the call for a bad one) goes an
        object at a time, and what it finds is the new filter's first cover."""
        validate_prop_specs(self.vc, spec.propSet)
        sessions.require_room(ctx.session, ("PropertyFilter",), sessions.MAX_FILTERS,
                              "property filters")
        covered = {}
        version = self.vc.structure_version

        def walk():
            for obj in traverse(self.vc, ctx, spec.objectSet):
                if obj is not None:
                    covered[obj.moid] = obj
                yield None

        def finish(_items, _cut):
            state = self.state(ctx)
            pfilter = PropertyFilter(self.vc, ctx, state, spec, bool(partialUpdates))
            if version == self.vc.structure_version:
                self.vc.collectors.cover(pfilter, {}, covered)
                pfilter.covered, pfilter.covered_version = covered, version
            state.filters.append(pfilter)
            self.vc.collectors.add(state)
            return pfilter.ref
        return Streamed(walk(), finish)

    def _wait(self, ctx, version, max_wait, max_updates=None, may_truncate=False):
        state = self.state(ctx)
        if version:
            if not (version.isascii() and version.isdigit()) or int(version) > state.version:
                raise faults.InvalidCollectorVersion()
        else:
            state.carried = []
            for pfilter in state.filters:
                pfilter.reported = None
        update = state.collect_updates(max_updates, may_truncate)
        if update is not None or max_wait == 0:
            return update
        if state.waiter is not None:
            state.waiter.fail(faults.RequestCanceled())
        waiter = state.waiter = Pending()
        state.waiter_limit = (max_updates, may_truncate)
        if max_wait is not None:
            timer = self.vc.clock.call_later(max_wait, waiter.resolve, None)
            waiter.add_callback(lambda _: timer.cancel())
            waiter.on_cancel = timer.cancel
        return waiter

    def WaitForUpdates(self, ctx, version=None):
        return self._wait(ctx, version, None)

    def WaitForUpdatesEx(self, ctx, version=None, options=None):
        max_wait = options.maxWaitSeconds if options is not None else None
        if max_wait is not None and max_wait < 0:
            raise faults.InvalidArgument(invalidProperty="maxWaitSeconds")
        max_updates = options.maxObjectUpdates if options is not None else None
        if max_updates is not None and max_updates <= 0:
            raise faults.InvalidArgument(invalidProperty="maxObjectUpdates")
        return self._wait(ctx, version, max_wait, max_updates, may_truncate=True)

    def CheckForUpdates(self, ctx, version=None):
        return self._wait(ctx, version, 0)

    def CancelWaitForUpdates(self, ctx):
        state = self.state(ctx)
        if state.waiter is not None:
            waiter, state.waiter = state.waiter, None
            waiter.fail(faults.RequestCanceled())

    # -- a session's own collectors --------------------------------------------------------

    def CreatePropertyCollector(self, ctx):
        """A collector of the caller's session, with filters and versions of its own."""
        sessions.require_room(ctx.session, ("PropertyCollector",),
                              sessions.MAX_PROPERTY_COLLECTORS, "property collectors")
        collector = PropertyCollector(self.vc, "session[%s]%s" % (ctx.session.key,
                                                                  self.vc.new_token()))
        collector.session = ctx.session
        ctx.session.objects[collector.moid] = collector
        return collector.ref

    def DestroyPropertyCollector(self, ctx):
        if self.session is None:  # the ServiceContent's collector is the server's own
            raise faults.NotSupported()
        self.destroy()

    session = None

    def destroy(self):
        """Gone with its session or DestroyPropertyCollector: its filters go with it."""
        state = self.session.objects.pop(("collector", self.moid), None)
        if state is not None:
            for pfilter in list(state.filters):
                pfilter.destroy()
            state.destroy()
        self.session.objects.pop(self.moid, None)

    @vim_property
    def filter(self, ctx):
        return [f.ref for f in self.state(ctx).filters] if ctx.session else []


def fingerprint(value):
    """A value as one string, equal when the values are: what a filter keeps of what it
    reported. Strings are outside the garbage collector's view, where 10,000 VMs' reported
    data objects (or tuples) made each of its full passes take 0.1-1 s."""
    frozen = value.__class__ is FrozenDataObject  # a Task's info: compared at every wake
    if frozen and "fingerprint" in value.wire_cache:
        return value.wire_cache["fingerprint"]
    out = []
    _print(value, out.append)
    text = "".join(out)
    if frozen:
        value.wire_cache["fingerprint"] = text
    return text


def _print(value, write):
    cls = value.__class__
    if cls is str:
        write(repr(value))
    elif isinstance(value, DataObject):
        write("%s{" % value._typeName)
        for key, v in sorted(value.__dict__.items()):
            if key != "_typeName":
                write(key)
                write("=")
                _print(v, write)
                write(",")
        write("}")
    elif isinstance(value, (list, tuple)):
        write("[")
        for v in value:
            _print(v, write)
            write(",")
        write("]")
    elif isinstance(value, MoRef):
        write("@%s:%r" % (value.type, value.value))
    elif isinstance(value, TypedValue):
        write("<%s>" % value.type)
        _print(value.value, write)
    else:  # numbers, booleans, None, datetimes
        write("%s(%r)" % (cls.__name__, value))


def fingerprints(values):
    return {path: fingerprint(v) for path, v in values.items()}


class PropertyFilter(SessionObject):
    vim_type = "PropertyFilter"

    def __init__(self, vc, ctx, state, spec, partial_updates):
        super().__init__(vc, ctx.session)
        self.ctx = ctx
        self.state, self.spec, self.partial_updates = state, spec, partial_updates
        # moId -> {path: fingerprint of the value} as last reported; None: report all
        self.reported = None
        self.covered = {}  # moId -> object
        self.covered_version = None
        self.dirty = set()

    def _cover(self):
        if self.covered_version != self.vc.structure_version:
            try:
                objects = list(traverse(self.vc, self.ctx, self.spec.objectSet))
            except (faults.ManagedObjectNotFound, faults.NoPermission):
                objects = []
            covered = {o.moid: o for o in objects if o is not None}
            self.vc.collectors.cover(self, self.covered, covered)
            self.covered = covered
            self.covered_version = self.vc.structure_version
        return self.covered

    def mark(self, obj, structural):
        if structural:
            self.covered_version = None
        if obj.moid in self.covered or structural:
            self.dirty.add(obj.moid)
            return True
        return False

    def _values(self, obj):
        """{path: value} the filter reports of ``obj``; None when no PropertySpec matches its
        type (traversed, as a folder on the way to its VMs, but not reported)."""
        paths = paths_for(obj, self.spec.propSet or ())
        if paths is None:
            return None
        return {path: _readable_value(obj, path, self.ctx) for path in paths}

    def updates(self):
        """The filter's ObjectUpdates since it last reported, made one at a time: each is
        recorded as reported when it is handed over, so that an answer cut short (a truncated
        WaitForUpdatesEx) leaves the rest, dirty marks included, for the next call."""
        covered = self._cover()
        if self.reported is None:
            self.reported = {}
            self.dirty.clear()
            for moid, obj in list(covered.items()):
                values = self._values(obj)
                if values is None:
                    continue
                self.reported[moid] = fingerprints(values)
                yield DataObject(
                    "ObjectUpdate", kind="enter", obj=obj.ref,
                    changeSet=[DataObject("PropertyChange", name=p, op="assign", val=v)
                               for p, v in values.items() if v is not None])
            return
        dirty, self.dirty = self.dirty, set()
        reported = self.reported
        try:
            for moid in [m for m in reported if m not in covered]:
                del reported[moid]
                yield DataObject("ObjectUpdate", kind="leave", obj=self.vc.ref_of(moid))
            # What is new or changed, in covered order, picked out in one pass: a first fill
            # of 10,000 VMs goes on page after page, each walking past what it reported
            for moid in [m for m in covered if m in dirty or m not in reported]:
                obj = covered.get(moid)
                if obj is None:
                    continue
                old = reported.get(moid)
                dirty.discard(moid)
                values = self._values(obj)
                if values is None:
                    continue
                prints = self.reported[moid] = fingerprints(values)
                if old is None:
                    changes = [DataObject("PropertyChange", name=p, op="assign", val=v)
                               for p, v in values.items() if v is not None]
                    yield DataObject("ObjectUpdate", kind="enter", obj=obj.ref,
                                     changeSet=changes)
                    continue
                changes = [DataObject("PropertyChange", name=p, op="assign", val=v)
                           for p, v in values.items() if old.get(p) != prints[p]]
                if changes:
                    yield DataObject("ObjectUpdate", kind="modify", obj=obj.ref,
                                     changeSet=changes)
            dirty.clear()  # all seen: marks of objects the filter no longer covers go too
        finally:
            self.dirty |= dirty  # what was not reported yet stays dirty

    def DestroyPropertyFilter(self, ctx):
        self.destroy()

    def destroy(self):
        super().destroy()
        self.vc.collectors.cover(self, self.covered, {})
        self.covered = {}
        if self in self.state.filters:
            self.state.filters.remove(self)
        if not self.state.filters:
            self.vc.collectors.discard(self.state)

    @vim_property
    def spec(self, ctx):
        return self.spec

    @vim_property
    def partialUpdates(self, ctx):
        return self.partial_updates
