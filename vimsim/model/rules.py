"""Fault rules: scriptable misbehaviour. A rule matches a call by operation, target and user,
on a schedule (every call, the nth, the first k, with a seeded probability, after a clock
time), and acts: raise a fault on the call, fail the task the call returns, delay the answer
or the task, fail or hang the guest side of a customization, or answer a REST/ZStack error.
Rules come from scenario YAML, the control API and Python; each counts its hits."""
import itertools
import random

from vimsim.model import faults
from vimsim.vim25.data import MoRef
from vimsim.vim25.types import REGISTRY

ACTIONS = ("fault", "task_fault", "delay", "task_delay", "guest_fail", "guest_hang",
           "http_error")
_FAULT_ACTIONS = ("fault", "task_fault")


class RuleError(ValueError):
    pass


class Rule:
    def __init__(self, rule_id, operation=None, target=None, user=None, action="fault",
                 fault=None, fields=None, message=None, seconds=0.0, nth=None, first=None,
                 probability=None, seed=0, after=None, error_type=None, status=None):
        if action not in ACTIONS:
            raise RuleError("action must be one of %s" % ", ".join(ACTIONS))
        if action in _FAULT_ACTIONS and not fault:
            raise RuleError("a %s rule needs a fault type" % action)
        if action == "http_error" and not (error_type or status):
            raise RuleError("an http_error rule needs error_type (REST) or status (ZStack)")
        if probability is not None and not 0 <= float(probability) <= 1:
            raise RuleError("probability must be between 0 and 1")
        self.id = rule_id
        self.operation, self.target, self.user = operation, target, user
        self.action, self.fault, self.fields = action, fault, dict(fields or {})
        self.message, self.seconds = message, float(seconds or 0)
        self.nth, self.first = nth, first
        self.probability, self.seed, self.after = probability, seed, after
        self.error_type, self.status = error_type, status
        self.calls = 0  # matching calls seen
        self.hits = 0   # times the rule acted
        self._random = random.Random(seed)

    def describe(self):
        keys = ("operation", "target", "user", "action", "fault", "fields", "message", "seconds",
                "nth", "first", "probability", "seed", "after", "error_type", "status")
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
        unknown = set(spec) - set(Rule.__init__.__code__.co_varnames[2:])
        if unknown:
            raise RuleError("unknown rule keys: %s" % ", ".join(sorted(unknown)))
        fault = spec.get("fault")
        if fault is not None and not (fault in REGISTRY.data and REGISTRY.data[fault].is_fault):
            raise RuleError("%s is not a vim25 fault type vimsim serves" % fault)
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
        return [r for r in self.rules if r.matches(operation, targets, user) and r.fires(now)]
