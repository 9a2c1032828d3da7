"""One dispatch for every vim25 front-end (SOAP and VI/JSON): session, object, method,
privilege and argument checks in vCenter's order, then the managed object's own method."""
import logging

from vimsim.model import faults
from vimsim.vim25.data import MoRef
from vimsim.vim25.types import REGISTRY

log = logging.getLogger("vimsim")

# Methods vCenter answers without a session.
ANONYMOUS = frozenset((("ServiceInstance", "RetrieveServiceContent"),
                       ("SessionManager", "Login")))
# Properties vCenter reads without a session (VI/JSON clients start here).
ANONYMOUS_PROPERTIES = frozenset((("ServiceInstance", "content"),))
# Privileges every logged-in user holds.
ALWAYS_GRANTED = frozenset(("System.Anonymous", "System.View", "System.Read"))

FETCH = "Fetch"


def resolve(vc, ctx, this, method, prop=None):
    """The object and the Method a call names, checked as vCenter does: the session first,
    then the object, then the method. Fetch (of ``prop``) answers (obj, None)."""
    if not isinstance(this, MoRef) or not this.type:
        raise faults.InvalidRequest("The _this argument is missing or has no type")
    if ctx.session is None and (this.type, method) not in ANONYMOUS \
            and (this.type, prop) not in ANONYMOUS_PROPERTIES:
        raise faults.not_authenticated(this)
    obj = vc.find(this, ctx)
    if obj is None:
        raise faults.ManagedObjectNotFound(this)
    if method == FETCH:
        return obj, None
    minfo = REGISTRY.method(obj.vim_type, method)
    if minfo is None or getattr(obj, method, None) is None:
        raise faults.method_not_found(this, method)
    return obj, minfo


def call(vc, ctx, obj, minfo, args):
    """Run a resolved method with decoded ``args``: privilege and argument checks, then the
    model. Returns the result, or a Pending for an answer that comes later."""
    if minfo is None:  # Fetch
        prop = args.get("prop")
        if not prop:
            raise faults.InvalidRequest("Required parameter prop is missing")
        if not obj.has_path(prop):
            raise faults.InvalidProperty(name=prop)
        return obj.get(prop, ctx)
    check_arguments(vc, ctx, minfo, args)
    if ctx.session is not None and minfo.privilege not in ALWAYS_GRANTED \
            and not ctx.session.user.has_privilege(minfo.privilege):
        target = getattr(obj, "privilege_target", None)
        raise faults.no_permission((target and target(args)) or obj.ref, minfo.privilege)
    try:
        return getattr(obj, minfo.name)(ctx, **args)
    except faults.Fault:
        raise
    except Exception as exc:  # never a Python error on the wire: vCenter's SystemError
        log.exception("internal error in %s.%s", obj.vim_type, minfo.name)
        raise faults.system_error(str(exc) or type(exc).__name__)


def check_arguments(vc, ctx, minfo, args):
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
            if vc.find(ref, ctx) is None:
                raise faults.ManagedObjectNotFound(ref)
