"""The JSON Schema vimsim checks its inputs against (``vimsim/schemas/vimsim.json``), through
jsonschema: fault rules (from scenarios, the control API and Python) and the control API's VM
changes. A refusal names where in the value it is and what was expected."""
import functools
import json
import math
import os

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas",
                      "vimsim.json")


class SchemaError(ValueError):
    pass


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
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(doc)
    return cls(schema, format_checker=jsonschema.FormatChecker())


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
        # A schema's "x-message" says in words what a failed pattern or anyOf means.
        message = error.schema.get("x-message") if isinstance(error.schema, dict) else None
        raise SchemaError("%s: %s" % (where(error.absolute_path, prefix), "%r %s" % (
            error.instance, message) if message else error.message))
