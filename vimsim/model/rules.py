"""Fault rules: scriptable misbehaviour. A rule matches a call by operation, target and user,
on a schedule (every call, the nth, the first k, with a seeded probability, after a clock
time), and acts: raise a fault on the call, fail the task the call returns, delay the answer
or the task, fail or hang the guest side of a customization, or answer a REST/ZStack error.
Rules come from scenario YAML, the control API and Python; each counts its hits."""
import itertools
import json
import logging
import math
import random

from vimsim import activity
from vimsim.model import faults, schemas
from vimsim.vim25 import primitives
from vimsim.vim25.data import MoRef
from vimsim.vim25.types import REGISTRY

log = logging.getLogger("vimsim.rules")


class RuleError(ValueError):
    pass


# Operations other than vim25 methods that rules may name, as the front-ends that fire them
# declare them (register_operations): operation -> the error_type values it can answer, or
# None for any.
OTHER_OPERATIONS = {}


def register_operations(names, error_types=None):
    for name in names:
        OTHER_OPERATIONS[name] = frozenset(error_types) if error_types is not None else None


@schemas.FORMATS.checks("vimsim-operation")
def is_operation(name):
    """Whether a rule's ``operation`` is one vimsim fires rules on (the schema's format)."""
    return not isinstance(name, str) or REGISTRY.is_method_name(name) or \
        name in OTHER_OPERATIONS


def check(spec, where="rule"):
    """Refuse a rule the schema (vimsim/schemas/vimsim.json: its keys, the operation and fault
    it names) or the fault's fields do not allow: a rule that is stored must be one that can
    fire, be answered and be saved. ``where`` names the rule in messages."""
    try:
        schemas.validate("rule", spec, where)
    except schemas.SchemaError as exc:
        raise RuleError(str(exc))
    _require_writable(spec, where)
    operation, fault = spec.get("operation"), spec.get("fault")
    error_types = OTHER_OPERATIONS.get(operation)
    if spec.get("error_type") is not None and error_types is not None \
            and spec["error_type"] not in error_types:
        raise RuleError("%s.error_type: %s is not one of %s" % (
            where, spec["error_type"], ", ".join(sorted(error_types))))
    if fault is not None:  # a vim25 fault type (the schema's vim25-fault format)
        fault_type = REGISTRY.data[fault]
        for name, value in (spec.get("fields") or {}).items():
            _check_field(fault_type, name, value, where)


def _require_writable(value, where):
    """RuleError for a string (a message, a field) holding what an answer cannot carry."""
    if isinstance(value, str):
        bad = primitives.NOT_XML.search(value)
        if bad is not None:
            raise RuleError("%s holds U+%04X, a character XML 1.0 cannot carry"
                            % (where, ord(bad.group())))
    elif isinstance(value, dict):
        for key, item in value.items():
            _require_writable(item, "%s.%s" % (where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _require_writable(item, "%s[%d]" % (where, i))


_XSD_KINDS = {"xsd:string": (str,), "xsd:boolean": (bool,), "xsd:int": (int,),
              "xsd:long": (int,), "xsd:short": (int,), "xsd:byte": (int,),
              "xsd:float": (int, float), "xsd:double": (int, float)}


def _check_field(fault_type, name, value, where):
    field = fault_type.by_name.get(name)
    if field is None:
        raise RuleError("%s.fields.%s: %s has no field %s" % (where, name, fault_type.name,
                                                            name))
    values = value if field.array and isinstance(value, list) else [value]
    for item in values:
        if field.kind == "moref":  # of a managed object type clients know
            ok = isinstance(item, dict) and set(item) == {"type", "value"} and all(
                isinstance(v, str) for v in item.values()) and \
                REGISTRY.managed.get(item["type"]) is not None
        elif field.kind == "enum":
            ok = isinstance(item, str) and item in REGISTRY.enums.get(field.type, (item,))
        elif field.kind == "xsd":
            kinds = _XSD_KINDS.get(field.type, ())
            low, high = primitives.INT_RANGES.get(field.type, (None, None))
            ok = isinstance(item, kinds) and isinstance(item, bool) == (kinds == (bool,)) and \
                (low is None or low <= item <= high) and \
                (not isinstance(item, float) or math.isfinite(item))
        else:
            ok = False
        if not ok:
            raise RuleError("%s.fields.%s: %s is not of type %s%s" % (
                where, name, json.dumps(item, default=str),
                "moRef {type, value}" if field.kind == "moref" else field.type,
                " (a rule can set only plain and moRef fields)" if field.kind in
                ("data", "any") else ""))


class Rule:
    def __init__(self, rule_id, operation=None, target=None, user=None, action="fault",
                 fault=None, fields=None, message=None, seconds=0.0, nth=None, first=None,
                 probability=None, seed=0, after=None, error_type=None, status=None,
                 event=None):
        self.id = rule_id
        self.operation, self.target, self.user = operation, target, user
        self.action, self.fault, self.fields = action, fault, dict(fields or {})
        self.message, self.seconds = message, float(seconds or 0)
        self.nth, self.first = nth, first
        self.probability, self.seed, self.after = probability, seed, after
        self.error_type, self.status = error_type, status
        self.event = event  # the failure event a guest_fail posts (CustomizationFailed's)
        self.calls = 0  # matching calls seen
        self.hits = 0   # times the rule acted
        self._random = random.Random(seed)

    def describe(self):
        keys = ("operation", "target", "user", "action", "fault", "fields", "message", "seconds",
                "nth", "first", "probability", "seed", "after", "error_type", "status", "event")
        out = {"id": self.id, "hits": self.hits, "calls": self.calls}
        out.update({k: getattr(self, k) for k in keys
                    if getattr(self, k) not in (None, {}, 0.0) or k == "action"})
        return out

    def matches(self, operation, targets, user):
        if self.operation is not None and self.operation != operation:
            return False
        if self.user is not None and self.user != user:
            return False
        if self.target is not None and self.target not in targets:
            return False
        return True

    def fires(self, now):
        """Count a matching call and say whether the rule acts on it."""
        self.calls += 1
        if self.after is not None and now < float(self.after):
            return False
        if self.nth is not None and self.calls != int(self.nth):
            return False
        if self.first is not None and self.calls > int(self.first):
            return False
        if self.probability is not None and self._random.random() >= float(self.probability):
            return False
        self.hits += 1
        return True

    def make_fault(self):
        fields = {name: MoRef(value["type"], value["value"])
                  if isinstance(value, dict) and {"type", "value"} <= set(value) else value
                  for name, value in self.fields.items()}
        return faults.Fault.of(self.fault, self.message, **fields)


class RuleBook:
    """Every rule of one Vcenter, in the order they were added."""

    def __init__(self, clock):
        self.clock = clock
        self.origin = clock.time()  # a rule's "after" counts clock seconds from here
        self.rules = []
        self._ids = itertools.count(1)

    def add(self, **spec):
        return self.add_spec(spec)

    def add_spec(self, spec, where="rule"):
        """A rule from its spec (a mapping), refused with RuleError unless check() allows it."""
        if not isinstance(spec, dict):
            raise RuleError("%s: a rule is a mapping, not %r" % (where, spec))
        check(spec, where)
        rule = Rule("rule-%d" % next(self._ids), **spec)
        self.rules.append(rule)
        return rule

    def remove(self, rule_id):
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self):
        self.rules = []

    def firing(self, operation, targets, user):
        """The rules that act on this call, each counted."""
        if not self.rules:
            return []
        now = self.clock.time() - self.origin
        fired = [r for r in self.rules if r.matches(operation, targets, user) and r.fires(now)]
        for rule in fired:
            activity.event(log, "rule", "rule %s fired on %s: %s%s (hit %d)", rule.id, operation,
                           rule.action, " " + rule.fault if rule.fault else "", rule.hits,
                           rule=rule.id, operation=operation, action=rule.action,
                           fault=rule.fault, hits=rule.hits, user=user)
        return fired
