"""Values of the vim25 type system as the model holds them: data objects and moRefs."""
import re
from datetime import datetime, timezone


class MoRef:
    """A ManagedObjectReference: the type of a managed object and its moId."""

    __slots__ = ("type", "value")

    def __init__(self, type, value):
        self.type = type
        self.value = value

    def __eq__(self, other):
        return isinstance(other, MoRef) and self.value == other.value and self.type == other.type

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return "MoRef(%s:%s)" % (self.type, self.value)


class DataObject:
    """An instance of a vim25 data object type (``_typeName``); unset fields are absent."""

    def __init__(self, _typeName, **fields):
        self.__dict__.update(fields)
        self._typeName = _typeName

    @classmethod
    def of(cls, _typeName, fields):
        """The same as ``DataObject(_typeName, **fields)``, without the keyword round trip
        (PropertyCollector answers build tens of thousands of these)."""
        obj = cls.__new__(cls)
        fields["_typeName"] = _typeName
        obj.__dict__ = fields
        return obj

    def fields(self):
        """Set fields by name, the type name excluded."""
        return {k: v for k, v in self.__dict__.items() if k != "_typeName" and v is not None}

    def copy(self):
        """A shallow copy: a snapshot of this object's fields as they are now."""
        return DataObject(**self.__dict__)

    def __getattr__(self, name):
        # An unset field reads as None, as in pyVmomi.
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __eq__(self, other):
        return isinstance(other, DataObject) and self.__dict__ == other.__dict__

    def __repr__(self):
        inner = ", ".join("%s=%r" % kv for kv in self.fields().items())
        return "%s(%s)" % (self._typeName, inner)


class FrozenDataObject(DataObject):
    """A data object nobody changes after it is built (ServiceContent, a Task's info as read):
    encoders may keep the XML they wrote for it, and filters its fingerprint. The cache lives
    in a slot, outside the fields in ``__dict__``."""

    __slots__ = ("wire_cache",)

    def __init__(self, _typeName, **fields):
        super().__init__(_typeName, **fields)
        self.wire_cache = {}


class TypedValue:
    """A value in an anyType slot whose xsd or vim25 type must travel with it (xsd:long, an enum)."""

    __slots__ = ("type", "value")

    def __init__(self, type, value):
        self.type = type
        self.value = value

    def __eq__(self, other):
        return isinstance(other, TypedValue) and (self.type, self.value) == (other.type, other.value)

    def __repr__(self):
        return "TypedValue(%s, %r)" % (self.type, self.value)


def format_datetime(value):
    """As vCenter writes a dateTime: UTC, the fraction without trailing zeros, and none on a
    whole second (``2023-12-14T06:58:11.28404Z``, ``1970-01-01T00:00:00Z``)."""
    text = _FORMATTED.get(value)
    if text is None:
        if len(_FORMATTED) >= 4096:
            _FORMATTED.clear()
        utc = value.astimezone(timezone.utc) \
            if value.tzinfo is not None and value.tzinfo is not timezone.utc else value
        text = utc.replace(tzinfo=None).isoformat(timespec="microseconds")
        text = _FORMATTED[value] = text.rstrip("0").rstrip(".") + "Z"
    return text


# What format_datetime wrote lately: a task's times are written at every Fetch of its info.
_FORMATTED = {}


# A dateTime's fraction of a second: fromisoformat before Python 3.11 reads only 3 or 6 digits.
_FRACTION = re.compile(r"\.([0-9]+)")


def parse_datetime(text):
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "00000")[:6], text, count=1)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value
