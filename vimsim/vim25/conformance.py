"""Whether a value the model answers is what the vim25 schema declares for it: strings that
XML can carry, integers in their range, finite numbers, enumeration values, moRefs, data
objects of the declared type (or a subtype) with only its fields, arrays where arrays are
declared. The codecs check what clients send; this checks what the model holds when it did
not come through them (a snapshot given to the control API)."""
from datetime import datetime

from vimsim.vim25 import primitives
from vimsim.vim25.data import DataObject, MoRef
from vimsim.vim25.types import REGISTRY


def problem(value, field, path):
    """(path, what is wrong) of the first part of ``value`` that does not fit ``field``
    (a types.Field), or None. ``None`` is an unset value, which fits."""
    if value is None:
        return None
    if field.array:
        if not isinstance(value, (list, tuple)):
            return path, "%s where the schema declares an array" % _kind(value)
        for i, item in enumerate(value):
            found = _one(item, field, "%s[%d]" % (path, i))
            if found is not None:
                return found
        return None
    return _one(value, field, path)


def _one(value, field, path):
    kind = field.kind
    if kind == "xsd":
        if field.type == "xsd:dateTime":
            return None if isinstance(value, datetime) else \
                (path, "%s where the schema declares a dateTime" % _kind(value))
        try:  # VI/JSON's check of a value (anyURI, base64Binary: text)
            primitives.from_json(value, field.type)
        except primitives.BadValue as exc:
            return path, str(exc)
        return None
    if kind == "enum":
        values = REGISTRY.enums[field.type]
        return None if isinstance(value, str) and value in values else \
            (path, "%s is not a %s" % (primitives.quoted(value), field.type))
    if kind == "moref":
        ref = getattr(value, "ref", value)  # a managed object answers as its moRef
        return None if isinstance(ref, MoRef) and REGISTRY.managed.get(ref.type) is not None \
            else (path, "%s where the schema declares a moRef" % _kind(value))
    if kind in ("data", "any"):
        if not isinstance(value, DataObject):
            return None if kind == "any" else \
                (path, "%s where the schema declares a %s" % (_kind(value), field.type))
        dtype = REGISTRY.data.get(value._typeName)
        if dtype is None or (kind == "data" and not dtype.is_a(field.type)):
            return path, "a %s where the schema declares a %s" % (value._typeName, field.type)
        for name, value_field in dtype.by_name.items():
            found = problem(value.__dict__.get(name), value_field, "%s.%s" % (path, name))
            if found is not None:
                return found
        extra = sorted(set(value.__dict__) - set(dtype.by_name) - {"_typeName"})
        return (path, "%s has no field %s" % (dtype.name, extra[0])) if extra else None
    return None


def _kind(value):
    return "a %s" % primitives.json_kind(value) if not isinstance(value, DataObject) else \
        "a %s" % value._typeName
