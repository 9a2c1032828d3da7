"""One dispatch for every vim25 front-end (SOAP and VI/JSON): session, object, method,
privilege and argument checks in vCenter's order, then the managed object's own method."""
import logging

from vimsim.model import authorization, faults
from vimsim.model.guest import Outcome
from vimsim.model.objects import Pending
from vimsim.vim25.data import DataObject, MoRef
from vimsim.vim25.types import REGISTRY, Field

log = logging.getLogger("vimsim")

# Methods vCenter answers without a session.
ANONYMOUS = frozenset((("ServiceInstance", "RetrieveServiceContent"),
                       ("SessionManager", "Login")))
# Properties vCenter reads without a session (VI/JSON clients start here).
# currentSession is how clients (pyVmomi scripts, govc) ask whether a saved session still
# lives: unset when it does not.
ANONYMOUS_PROPERTIES = frozenset((("ServiceInstance", "content"),
                                  ("SessionManager", "currentSession")))
# Methods that read without a session only what ANONYMOUS_PROPERTIES names.
ANONYMOUS_READS = frozenset((("PropertyCollector", "RetrieveProperties"),
                             ("PropertyCollector", "RetrievePropertiesEx")))

FETCH = "Fetch"
# Fetch's one parameter (pyVmomi's internal method, not in the schema)
FETCH_PARAMS = {"prop": Field("prop", "xsd:string", False, None, False)}


def resolve(vc, ctx, this, method, prop=None):
    """The object and the Method a call names, checked as vCenter does: the session first,
    then the object, then the method. Fetch (of ``prop``) answers (obj, None)."""
    if not isinstance(this, MoRef) or not this.type:
        raise faults.InvalidRequest("The _this argument is missing or has no type")
    if ctx.session is None and (this.type, method) not in ANONYMOUS \
            and (this.type, method) not in ANONYMOUS_READS \
            and (this.type, prop) not in ANONYMOUS_PROPERTIES:
        raise faults.not_authenticated(this)
    obj = vc.find(this, ctx)
    if obj is None:
        raise faults.ManagedObjectNotFound(this)
    if method == FETCH:
        return obj, None
    minfo = REGISTRY.method(obj.vim_type, method)
    if minfo is None and not REGISTRY.is_method_name(method):
        raise faults.InvalidRequest("Unable to resolve WSDL method name %s for namespace name "
                                    "urn:vim25" % method)
    if minfo is None or getattr(obj, method, None) is None:
        raise faults.method_not_found(this, method)
    return obj, minfo


def invoke(vc, ctx, this, method, args):
    """The one entry for a surface that names the call itself (REST, the SDK): resolve, then
    call, with every check and fault rule a SOAP or VI/JSON call of ``method`` has."""
    obj, minfo = resolve(vc, ctx, this, method)
    return call(vc, ctx, obj, minfo, args)


def call(vc, ctx, obj, minfo, args):
    """Run a resolved method with decoded ``args``: privilege and argument checks, then the
    model. Returns the result, or a Pending for an answer that comes later."""
    if minfo is None:  # Fetch
        prop = args.get("prop")
        if not prop:
            raise faults.InvalidRequest("Required parameter prop is missing")
        if not obj.has_path(prop):
            raise faults.InvalidProperty(name=prop)
        authorization.require_read(vc, ctx, obj)
        return obj.get(prop, ctx)
    if ctx.session is None and (obj.vim_type, minfo.name) in ANONYMOUS_READS:
        require_anonymous_read(obj, args.get("specSet"))
    check_arguments(vc, ctx, obj, minfo, args)
    # A method without a static privilege (vim25's "dynamic" ones, such as CancelTask, and
    # those on a session's own filters and collectors) checks what it needs itself.
    if not authorization.require_on_call(vc, ctx, obj, minfo.privilege):
        target = getattr(obj, "privilege_target", None)
        raise faults.no_permission((target and target(args)) or obj.ref, minfo.privilege)
    # The targets cost a lookup per moRef: worked out only when some rule could match.
    fired = fire_rules(vc, ctx, minfo.name, rule_targets(vc, obj, args)) \
        if vc.rules.rules else ()
    try:
        result = getattr(obj, minfo.name)(ctx, **args)
    except faults.Fault:
        raise
    except Exception:  # never a Python error on the wire: vCenter's SystemError
        raise faults.internal_error(log, "in %s.%s" % (obj.vim_type, minfo.name))
    result = apply_rules(vc, fired, obj, args, result) if fired else result
    if isinstance(result, Pending) and ctx.session is not None:
        # A session waiting for an answer (WaitForUpdates over a long task) is not idle.
        session = ctx.session
        result.add_callback(lambda _: vc.session_manager.active(session))
    return result


def require_anonymous_read(collector, spec_set):
    """Without a session a collector reads only ANONYMOUS_PROPERTIES, of the objects named
    themselves (no traversal): NotAuthenticated for anything else."""
    allowed = bool(spec_set)
    for fspec in spec_set or ():
        for ospec in fspec.objectSet or ():
            allowed = allowed and ospec.obj is not None and not ospec.selectSet
        for pspec in fspec.propSet or ():
            paths = pspec.pathSet or ()
            allowed = allowed and not pspec.all and paths and all(
                (pspec.type, p) in ANONYMOUS_PROPERTIES for p in paths)
    if not allowed:
        raise faults.not_authenticated(collector.ref)


def fire_rules(vc, ctx, operation, targets):
    """The fault rules acting on one call of ``operation`` (a vim25 method, or an Automation
    API operation such as com.vmware.vcenter.VM.list), each counted once; a ``fault`` rule's
    fault is raised. Every surface fires its rules here; apply_rules applies the rest."""
    fired = vc.rules.firing(operation, targets, ctx.user_name) if vc.rules.rules else ()
    for rule in fired:
        if rule.action == "fault":
            raise rule.make_fault()
    return fired


def rule_targets(vc, obj, args):
    """What a rule's ``target`` may name for this call: moIds, names and types of ``_this``
    and of every moRef argument."""
    targets = set()
    for ref in [obj.ref] + [v for v in args.values() if isinstance(v, MoRef)]:
        found = vc.find(ref)
        targets.update((ref.value, ref.type))
        if found is not None and isinstance(getattr(found, "name", None), str):
            targets.add(found.name)
    return targets


def apply_rules(vc, fired, obj, args, result):
    """The actions that shape a call's outcome after it ran: its task, guest, or answer."""
    task = vc.objects.get(result.value) if isinstance(result, MoRef) and \
        result.type == "Task" else None
    vm = vc.find(args["vm"]) if isinstance(args.get("vm"), MoRef) else \
        (obj if obj.vim_type == "VirtualMachine" else None)
    for rule in fired:
        if rule.action == "task_fault" and task is not None:
            task.forced_error = rule.make_fault()
            vc.touch(task)  # state a snapshot keeps (vimsim/model/snapshot.py)
        elif rule.action == "task_delay" and task is not None:
            vc.task_manager.delay(task, rule.seconds)
        elif rule.action in ("guest_fail", "guest_hang") and \
                getattr(obj, "apply_guest_rule", None) is not None:
            obj.apply_guest_rule(vm, rule, result)  # a program started in the guest
        elif rule.action in ("guest_fail", "guest_hang") and vm is not None:
            vm.customization_override = Outcome(
                rule.seconds or vc.timings["customization_running"],
                error=rule.message or "Guest customization failed.",
                hang=rule.action == "guest_hang", event=rule.event)
            vc.touch(vm)
        elif rule.action == "delay":
            answer = Pending()
            vc.clock.call_later(rule.seconds, answer.resolve, result)
            result = answer
    return result


def unknown_type(value, version_ids):
    """The first data type in ``value`` that the API version ``version_ids`` does not have
    (CustomizationCloudinitPrep before 7.0.3.0), or None."""
    if isinstance(value, list):
        return next((t for t in (unknown_type(v, version_ids) for v in value) if t), None)
    if not isinstance(value, DataObject):
        return None
    dtype = REGISTRY.data.get(value._typeName)
    if dtype is not None and dtype.version not in version_ids:
        return value._typeName
    return unknown_type(list(value.fields().values()), version_ids)


def check_arguments(vc, ctx, obj, minfo, args):
    version_ids = REGISTRY.version_ids(ctx.version) if ctx.version else REGISTRY.newest
    if not version_ids >= REGISTRY.newest:  # a client of an older API version
        # a type its version does not have is one it cannot send, as vCenter parses it
        newer = unknown_type(list(args.values()), version_ids)
        if newer is not None:
            raise faults.InvalidType(argument=newer)
    # Arguments naming objects that may be gone, answered as "unresolved" (ListView's).
    lenient = getattr(obj, "unresolved_arguments", ())
    for param in minfo.params:
        value = args.get(param.name)
        if value is None or (param.array and not value and not param.optional):
            if not param.optional:
                raise faults.InvalidRequest("Required parameter %s is missing" % param.name)
            continue
        if param.kind != "moref":
            continue
        for ref in value if param.array else (value,):
            if not isinstance(ref, MoRef):
                raise faults.InvalidArgument(invalidProperty=param.name)
            if not REGISTRY.is_managed_subtype(ref.type, param.type) \
                    and ref.type != param.type and param.type != "ManagedObject":
                raise faults.InvalidArgument(invalidProperty=param.name)
            if vc.find(ref, ctx) is None and param.name not in lenient:
                raise faults.ManagedObjectNotFound(ref)
