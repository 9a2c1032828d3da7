"""The JSON Schema vimsim checks its inputs against (``vimsim/schemas/vimsim.json``), through
jsonschema: fixtures, scenarios, fault rules (from scenarios, the control API and Python) and
the control API's VM changes. A refusal names where in the value it is and what was expected.

Beyond JSON Schema's own keywords the schema uses formats registered on FORMATS (``vim25-fault``
here, ``vimsim-operation`` by vimsim/model/rules.py) and ``x-unique``: names that must not
repeat among the items found at some paths (``{"what": "VM", "in": "folder", "scope":
"folder", "at": [["hosts", "*", "vms", "*"]]}``: unique among the VMs of one ``folder``), as
vCenter refuses a second VM of one name in a folder (DuplicateName)."""
import difflib
import functools
import json
import math
import os
import reprlib

import jsonschema

from vimsim.vim25.types import REGISTRY

SCHEMA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas",
                      "vimsim.json")


class SchemaError(ValueError):
    pass


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("vim25-fault")
def _is_fault_type(value):
    fault_type = REGISTRY.data.get(value) if isinstance(value, str) else None
    return not isinstance(value, str) or (fault_type is not None and fault_type.is_fault)


def _named_at(value, path, where=()):
    """(place, name, item) of each item at ``path`` ("*": every item or value) that has a
    name: the item itself when it is a string, its ``name`` when it is a mapping."""
    if not path:
        name = value if isinstance(value, str) else \
            value.get("name") if isinstance(value, dict) else None
        if isinstance(name, str):
            yield (list(where) + (["name"] if isinstance(value, dict) else [])), name, value
        return
    step, rest = path[0], path[1:]
    if step == "*":
        items = enumerate(value) if isinstance(value, list) else \
            value.items() if isinstance(value, dict) else ()
        for key, item in items:
            yield from _named_at(item, rest, list(where) + [key])
    elif isinstance(value, dict) and step in value:
        yield from _named_at(value[step], rest, list(where) + [step])


def _unique(validator, specs, instance, schema):
    for spec in specs:
        seen = {}
        for path in spec["at"]:
            for place, name, item in _named_at(instance, path):
                # "scope": the item's key that holds where the name must be unique (a VM's
                # folder); items without it share one place
                key = (item.get(spec["scope"]) if isinstance(item, dict) and "scope" in spec
                       else None, name)
                if key in seen:
                    yield jsonschema.ValidationError(
                        "%r is the name of another %s in this %s (at %s)" % (
                            name, spec["what"], spec["in"], where(seen[key])),
                        path=place, instance=name)
                else:
                    seen[key] = place


@functools.lru_cache(maxsize=None)
def document():
    with open(SCHEMA, encoding="utf-8") as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def validator(name):
    """The validator of one definition (``$defs/<name>``) of the schema."""
    doc = document()
    if name not in doc["$defs"]:
        raise KeyError(name)
    schema = {"$schema": doc["$schema"], "$defs": doc["$defs"], "$ref": "#/$defs/%s" % name}
    base = jsonschema.validators.validator_for(schema)
    base.check_schema(doc)
    cls = jsonschema.validators.extend(base, {"x-unique": _unique})
    return cls(schema, format_checker=FORMATS)


def where(path, prefix=""):
    """A JSON-path-like name for a place in a value: ``rules[2].after``."""
    out = prefix
    for part in path:
        out += "[%d]" % part if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "the value"


def _plain(value, path, prefix):
    """Refuse what JSON cannot hold (YAML dates, sets, NaN, Infinity) before the schema sees
    it: jsonschema lets NaN through every numeric bound."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise SchemaError("%s: the key %r is not a string" % (where(path, prefix), key))
            _plain(item, path + [key], prefix)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _plain(item, path + [i], prefix)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise SchemaError("%s: %r is not a finite number" % (where(path, prefix), value))
    elif value is not None and not isinstance(value, (str, int, bool)):
        raise SchemaError("%s: a %s is not a JSON value (quote it to make it a string)"
                          % (where(path, prefix), type(value).__name__))


def validate(name, value, prefix=""):
    """Raise SchemaError unless ``value`` is valid against the definition ``name``."""
    _plain(value, [], prefix)
    error = jsonschema.exceptions.best_match(validator(name).iter_errors(value))
    if error is not None:
        place = where(error.absolute_path, prefix) if error.absolute_path or prefix else ""
        raise SchemaError("%s: %s" % (place, _message(error)) if place else _message(error))


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother = 60, 60


def _message(error):
    """What was wrong and what was expected, in words (jsonschema's, unless the schema's
    "x-message" says what a failed pattern, format or anyOf means)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", ()))
        unknown = [k for k in error.instance if k not in schema.get("properties", ())]
        close = difflib.get_close_matches(str(unknown[0]), known, 1, 0.6) if unknown else []
        return "unknown key %r (%s)" % (unknown[0] if unknown else "?", "did you mean %r?" % (
            close[0]) if close else "expected one of: " + ", ".join(known))
    if error.validator == "x-unique":
        return error.message
    if schema.get("x-message") and error.validator in ("pattern", "format", "anyOf", "oneOf"):
        return "%s %s" % (_SHORT.repr(error.instance), schema["x-message"])
    if error.validator == "enum":
        hint = " (YAML reads an unquoted on, off, yes or no as a boolean: quote it)" \
            if isinstance(error.instance, bool) else ""
        return "%s is not one of %s%s" % (_SHORT.repr(error.instance), ", ".join(
            str(v) for v in error.validator_value), hint)
    if error.validator == "type":
        expected = error.validator_value
        return "%s is not of type %s" % (_SHORT.repr(error.instance), " or ".join(
            map(repr, expected)) if isinstance(expected, list) else repr(expected))
    return error.message
