"""The base of every managed object: its moRef, its properties by vSphere path, its methods.

A managed object class names its vim25 type in ``vim_type``; each vim25 method it serves is
a Python method of the same name (``PowerOnVM_Task``) taking the call context and the named
parameters; each property is a getter marked with ``@vim_property`` and named after the
property (``runtime``) or registered under a deeper path for a fast read
(``@vim_property("runtime.powerState")``).

A getter returns a value its caller may keep (property filters compare it with the next
read): a fresh object or a copy, never one the model goes on mutating. A getter and the
instance state it reads may share a name (``name``); the getter is found in ``_getters``.
"""
from vimsim.model import faults
from vimsim.vim25.data import DataObject, MoRef
from vimsim.vim25.types import REGISTRY, keyed_part

MANAGED_TYPES = {}


def vim_property(arg=None):
    """Mark a getter ``(self, ctx) -> value`` as the vSphere property of its name or of ``arg``."""
    def mark(fn, path=None):
        fn._vim_path = path or fn.__name__
        return fn
    if callable(arg):
        return mark(arg)
    return lambda fn: mark(fn, arg)


class ManagedObject:
    vim_type = "ManagedObject"
    _getters = {}
    # The attributes a snapshot keeps (vimsim/model/snapshot.py): a class names its own and
    # those of its bases it needs, beside the fields themselves. Values are data, moRefs,
    # datetimes or managed objects (kept by moId).
    persisted = ()
    # True where every change to that state touches the object (Vcenter.touch): a snapshot
    # may then keep its encoding until the object is touched again.
    persisted_touched = False
    # The methods whose calls on the clock (clock.call_later) are scheduled work a snapshot
    # keeps and re-arms; other calls belong to a session or a request and end with a restart.
    scheduled_work = ()

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        getters = {}
        for base in reversed(cls.__mro__[1:]):
            getters.update(getattr(base, "_getters", {}))
        for value in cls.__dict__.values():
            path = getattr(value, "_vim_path", None)
            if path:
                getters[path] = value
        cls._getters = getters
        MANAGED_TYPES.setdefault(cls.vim_type, cls)

    def __init__(self, vc, moid):
        self.vc = vc
        self.ref = MoRef(self.vim_type, moid)

    @property
    def moid(self):
        return self.ref.value

    # -- persisted state (see vimsim/model/snapshot.py) ----------------------------------

    def persisted_state(self):
        """What a snapshot keeps of this object: its ``persisted`` attributes by name."""
        return {name: getattr(self, name) for name in self.persisted}

    def restore_persisted(self, state):
        """Take back what ``persisted_state`` gave (names this class no longer keeps are
        ignored; those the snapshot lacks keep their fixture values)."""
        for name in self.persisted:
            if name in state:
                setattr(self, name, state[name])

    @classmethod
    def recreate(cls, vc, moid, state):
        """The object a snapshot holds but the fixture does not build (an instant clone, a
        task), added to ``vc``; ``state[name]`` is one of its persisted values, decoded."""
        raise ValueError("a snapshot names %s %s, which this fixture does not have"
                         % (cls.vim_type, moid))

    @classmethod
    def property_names(cls):
        """Top-level properties this object serves, in definition order."""
        return [p for p in cls._getters if "." not in p]

    @classmethod
    def has_path(cls, path):
        """Whether the schema defines the property path on this type (or the model serves it)."""
        return path in cls._getters or REGISTRY.property_field(cls.vim_type, path) is not None

    @classmethod
    def type_names(cls):
        """The vim25 type names this object answers to: its type and the schema's bases."""
        names = cls.__dict__.get("_vim_type_names")
        if names is None:
            names = cls._vim_type_names = REGISTRY.managed[cls.vim_type].ancestors
        return names

    def get(self, path, ctx):
        """The value at a property path; None when unset, as a property the schema defines
        but the model holds no value for is. InvalidProperty for a path the type lacks."""
        getter = self._getters.get(path)
        if getter is not None:
            return getter(self, ctx)
        head, _, rest = path.partition(".")
        name, key = keyed_part(head)
        getter = self._getters.get(name)
        if getter is None or (not rest and key is None):
            if REGISTRY.property_field(self.vim_type, path) is not None:
                return None
            raise faults.InvalidProperty(name=path)
        if (key is not None or "[" in rest) and \
                REGISTRY.property_field(self.vim_type, path) is None:
            raise faults.InvalidProperty(name=path)
        value = _item(getter(self, ctx), key)
        for part in rest.split(".") if rest else ():
            if value is None:
                return None
            name, key = keyed_part(part)
            # a field of the value's type, never a Python attribute (``__class__``)
            if not isinstance(value, DataObject) or \
                    name not in REGISTRY.data[value._typeName].by_name:
                raise faults.InvalidProperty(name=path)
            value = _item(value.__dict__.get(name), key)
        return value

    def get_in_steps(self, path, ctx):
        """get() as a generator of steps (None) returning the value, for a traversal: a
        property long to work out (a ContainerView's view) yields while it works."""
        return self.get(path, ctx)
        yield  # a generator, though this one takes no step

    def __repr__(self):
        return "<%s %s>" % (self.vim_type, self.moid)


def _item(value, key):
    """``value``, or with a ``key`` the item of the array ``value`` that has it (None: none)."""
    if key is None:
        return value
    return next((item for item in value or () if getattr(item, "key", None) == key), None)


class ExtensibleManagedObject(ManagedObject):
    vim_type = "ExtensibleManagedObject"

    # Custom attributes: the definitions and values CustomFieldsManager holds for this object.
    @vim_property
    def availableField(self, ctx):
        return self.vc.managers["customFieldsManager"].available_for(self)

    @vim_property
    def value(self, ctx):
        return self.vc.managers["customFieldsManager"].values_of(self)

    def setCustomValue(self, ctx, key, value):
        self.vc.managers["customFieldsManager"].set_by_name(ctx, self, key, value)


def refs(objects):
    return [o.ref for o in objects]


class Pending:
    """An answer that comes later (a blocked WaitForUpdates): the front-end waits on it."""

    def __init__(self):
        self.done = False
        self.value = self.fault = None
        self._callbacks = []
        self.on_cancel = None

    def resolve(self, value=None):
        self._finish(value, None)

    def fail(self, fault):
        self._finish(None, fault)

    def _finish(self, value, fault):
        if self.done:
            return
        self.done, self.value, self.fault = True, value, fault
        for callback in self._callbacks:
            callback(self)
        self._callbacks = []

    def add_callback(self, callback):
        if self.done:
            callback(self)
        else:
            self._callbacks.append(callback)

    def cancel(self):
        """The caller went away: stop waiting without answering."""
        if not self.done:
            self.done = True
            self._callbacks = []
            if self.on_cancel is not None:
                self.on_cancel()


def complete(steps):
    """The value a generator of steps returns, run to its end in one go."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


class Streamed:
    """An answer produced piece by piece (RetrieveProperties over 10,000 VMs, a
    RetrievePropertiesEx page, a WaitForUpdatesEx fill, CreateFilter's walk of 20,000
    objectSets): a front-end encodes the items as they come and answers other clients between
    pieces instead of blocking them all. An item of None is a step of work with nothing to
    encode. ``finish(items, cut)`` makes the answer from the items taken (without ``finish``
    the answer is the list of items); ``cut`` says the front-end stopped early at its bound in
    bytes, which only an answer made ``may_cut`` allows (what was not taken comes next call)."""

    def __init__(self, items, finish=None, may_cut=False):
        self.items = iter(items)
        self.finish = finish
        self.may_cut = may_cut

    def __iter__(self):
        return self.items

    def answer(self, items, cut=False):
        return items if self.finish is None else self.finish(items, cut)


class SessionObject(ManagedObject):
    """A managed object that lives in one session (views, property filters), as on vCenter."""

    def __init__(self, vc, session):
        super().__init__(vc, "session[%s]%s" % (session.key, vc.new_token()))
        self.session = session
        session.objects[self.moid] = self

    def destroy(self):
        self.session.objects.pop(self.moid, None)
