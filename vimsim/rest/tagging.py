"""com.vmware.cis.tagging over /api and /rest: categories, tags and tag associations, as
govc's tags.* commands, Ansible's vmware_category / vmware_tag / vmware_tag_manager and the
vmware_rest and vmware.vmware tag modules call them. The service itself is
vimsim/model/tagging.py's; this is its wire form (/rest: ``id:`` before an id, ``~action``,
bodies wrapped in ``create_spec`` / ``update_spec``, answers in ``value``)."""
from vimsim.model.tagging import TaggingError
from vimsim.rest import errors

# Every operation of the three services, by service (fault rules and settings name them).
OPERATIONS = {
    "category": ("create", "get", "list", "update", "delete", "list_used_categories"),
    "tag": ("create", "get", "list", "update", "delete", "list_tags_for_category",
            "list_used_tags"),
    "tag_association": ("attach", "detach", "list_attached_tags", "list_attached_objects",
                        "list_attached_tags_on_objects", "list_attached_objects_on_tags",
                        "attach_multiple_tags_to_object", "detach_multiple_tags_from_object",
                        "attach_tag_to_multiple_objects", "detach_tag_from_multiple_objects")}
MESSAGE_IDS = {"NOT_FOUND": "com.vmware.cis.tagging.objectNotFound.error",
               "ALREADY_EXISTS": "com.vmware.cis.tagging.alreadyExists.error",
               "INVALID_ARGUMENT": "com.vmware.vapi.std.errors.invalid_argument",
               "UNAUTHORIZED": "vapi.method.authz.unauthorized"}


def _tagging(resource):
    return resource.api.vc.tagging


def _action(route):
    return (route.query.get("action") or route.query.get("~action") or [None])[-1]


def _ident(route, ident):
    return ident[3:] if route.dialect == "rest" and ident.startswith("id:") else ident


def _body(route, key=None):
    """The request's JSON object (/rest's under ``key`` when given)."""
    body = route.body()
    if not isinstance(body, dict):
        raise errors.invalid_argument("The request body must be a JSON object.")
    if key is not None and route.dialect == "rest":
        body = body.get(key)
        if not isinstance(body, dict):
            raise errors.invalid_argument("The request body needs %s, an object." % key)
    return body


def _field(body, name, kind, required=True):
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (kind is list and not all(
            isinstance(v, (str, dict)) for v in value)):
        raise errors.invalid_argument("Invalid or missing %s." % name, name)
    return value


def _spec(body):
    """A create or update spec's fields, their types checked."""
    spec = {}
    for name in ("name", "description", "cardinality", "category_id", "tag_id"):
        if body.get(name) is not None:
            spec[name] = _field(body, name, str)
    if body.get("associable_types") is not None:
        types = _field(body, "associable_types", list)
        if not all(isinstance(t, str) for t in types):
            raise errors.invalid_argument("Invalid associable_types.", "associable_types")
        spec["associable_types"] = types
    return spec


def _object_id(value, name="object_id"):
    if not isinstance(value, dict) or not isinstance(value.get("type"), str) or \
            not isinstance(value.get("id"), str):
        raise errors.invalid_argument("Invalid %s: a {type, id} object is needed." % name, name)
    return value


def _rest_error(error):
    """vAPI's error for a TaggingError of the service."""
    return errors.RestError(error.error_type, MESSAGE_IDS[error.error_type], error.message,
                            error.args_)


def _calls(kind, operation=None):
    """A handler of ``kind``'s ``operation`` (None: the one its action names): the
    operation's availability and fault rules first; a TaggingError becomes vAPI's error."""
    def wrap(fn):
        def handler(resource, route, session, *groups):
            name = operation or (_action(route) or "create").replace("-", "_")
            resource.api.require_available("com.vmware.cis.tagging.%s.%s" % (kind, name),
                                           session)
            try:
                return fn(resource, route, session, *groups)
            except TaggingError as error:
                raise _rest_error(error)
        return handler
    return wrap


def _done(route, status_api=204):
    return (200 if route.dialect == "rest" else status_api), None


def _created(route, ident):
    return (200 if route.dialect == "rest" else 201), ident


@_calls("category", "list")
def category_list(resource, route, session):
    return 200, list(_tagging(resource).categories)


@_calls("category", "create")
def category_create(resource, route, session):
    if _action(route) is not None:
        raise errors.operation_not_found("POST /%s/%s" % (route.dialect, route.path))
    return _created(route, _tagging(resource).create_category(
        session, _spec(_body(route, "create_spec"))))


@_calls("category", "get")
def category_get(resource, route, session, ident):
    return 200, dict(_tagging(resource).category(_ident(route, ident)))


@_calls("category", "update")
def category_update(resource, route, session, ident):
    _tagging(resource).update_category(session, _ident(route, ident),
                                       _spec(_body(route, "update_spec")))
    return _done(route)


@_calls("category", "delete")
def category_delete(resource, route, session, ident):
    _tagging(resource).delete_category(session, _ident(route, ident))
    return _done(route)


@_calls("tag", "list")
def tag_list(resource, route, session):
    return 200, list(_tagging(resource).tags)


@_calls("tag")
def tag_create(resource, route, session):
    action = _action(route)
    if action == "list-tags-for-category":  # /api: the category in the body
        return 200, _tagging(resource).tags_for_category(
            _field(_body(route), "category_id", str))
    if action is not None:
        raise errors.operation_not_found("POST /%s/%s" % (route.dialect, route.path))
    return _created(route, _tagging(resource).create_tag(session,
                                                         _spec(_body(route, "create_spec"))))


@_calls("tag", "get")
def tag_get(resource, route, session, ident):
    return 200, dict(_tagging(resource).tag(_ident(route, ident)))


@_calls("tag", "list_tags_for_category")
def tag_post(resource, route, session, ident):
    """/rest's POST tag/id:{category}?~action=list-tags-for-category."""
    if _action(route) != "list-tags-for-category":
        raise errors.operation_not_found("POST /%s/%s" % (route.dialect, route.path))
    return 200, _tagging(resource).tags_for_category(_ident(route, ident))


@_calls("tag", "update")
def tag_update(resource, route, session, ident):
    _tagging(resource).update_tag(session, _ident(route, ident),
                                  _spec(_body(route, "update_spec")))
    return _done(route)


@_calls("tag", "delete")
def tag_delete(resource, route, session, ident):
    _tagging(resource).delete_tag(session, _ident(route, ident))
    return _done(route)


@_calls("tag_association")
def association_item(resource, route, session, tag_id):
    """POST tag-association/{tag}?action=...: one tag and its objects."""
    return _association(resource, route, session, {"tag_id": _ident(route, tag_id)})


@_calls("tag_association")
def association_collection(resource, route, session):
    """POST tag-association?action=...: tags of objects, objects of tags, several at once."""
    return _association(resource, route, session, {})


def _association(resource, route, session, given):
    """A tag_association operation as the SDK's, its answer in plain JSON."""
    from vimsim.rest.resource import unwrap  # (that module routes here)
    operation = (_action(route) or "").replace("-", "_")
    if operation not in OPERATIONS["tag_association"]:
        raise errors.operation_not_found("POST /%s/%s" % (route.dialect, route.path))
    body = _body(route) if operation != "list_attached_objects" else {}
    output = _rpc_call(_tagging(resource), session, "tag_association", operation,
                       dict(body, **given))
    return _done(route) if output is None else (200, unwrap(output))


def _structure(name, fields):
    return {"STRUCTURE": {name: fields}}


def _dynamic_id(object_id):
    return _structure("com.vmware.vapi.std.dynamic_ID", object_id)


def _batch_ok():
    return _structure("com.vmware.cis.tagging.batch_result",
                      {"success": True, "error_messages": []})


def _rpc_call(tagging, session, kind, operation, given):
    """One JSON-RPC tagging operation on unwrapped ``given`` input; its vAPI output."""
    if kind == "category":
        if operation == "list":
            return list(tagging.categories)
        if operation == "list_used_categories":
            return []
        if operation == "create":
            return tagging.create_category(session, _spec(_rpc_spec(given, "create_spec")))
        ident = _field(given, "category_id", str)
        if operation == "get":
            return _structure("com.vmware.cis.tagging.category_model",
                              dict(tagging.category(ident)))
        if operation == "update":
            return tagging.update_category(session, ident,
                                           _spec(_rpc_spec(given, "update_spec")))
        if operation == "delete":
            return tagging.delete_category(session, ident)
    elif kind == "tag":
        if operation == "list":
            return list(tagging.tags)
        if operation == "list_used_tags":
            return []
        if operation == "create":
            return tagging.create_tag(session, _spec(_rpc_spec(given, "create_spec")))
        if operation == "list_tags_for_category":
            return tagging.tags_for_category(_field(given, "category_id", str))
        ident = _field(given, "tag_id", str)
        if operation == "get":
            return _structure("com.vmware.cis.tagging.tag_model", dict(tagging.tag(ident)))
        if operation == "update":
            return tagging.update_tag(session, ident, _spec(_rpc_spec(given, "update_spec")))
        if operation == "delete":
            return tagging.delete_tag(session, ident)
    elif kind == "tag_association":
        if operation in ("attach", "detach"):
            (tagging.attach if operation == "attach" else tagging.detach)(
                session, _field(given, "tag_id", str), _object_id(given.get("object_id")))
            return None
        if operation == "list_attached_tags":
            return tagging.attached_tags(_object_id(given.get("object_id")))
        if operation == "list_attached_objects":
            return [_dynamic_id(o) for o in tagging.attached_objects(
                _field(given, "tag_id", str))]
        if operation in ("attach_multiple_tags_to_object", "detach_multiple_tags_from_object"):
            object_id = _object_id(given.get("object_id"))
            for tag_id in _field(given, "tag_ids", list):
                (tagging.attach if operation.startswith("attach") else tagging.detach)(
                    session, tag_id, object_id)
            return _batch_ok()
        if operation in ("attach_tag_to_multiple_objects", "detach_tag_from_multiple_objects"):
            tag_id = _field(given, "tag_id", str)
            for object_id in _field(given, "object_ids", list):
                (tagging.attach if operation.startswith("attach") else tagging.detach)(
                    session, tag_id, _object_id(object_id, "object_ids"))
            return _batch_ok()
        if operation == "list_attached_tags_on_objects":
            return [_structure("com.vmware.cis.tagging.tag_association.object_to_tags", {
                "object_id": _dynamic_id(o), "tag_ids": tagging.attached_tags(o)})
                for o in (_object_id(v, "object_ids") for v in _field(given, "object_ids",
                                                                        list))]
        if operation == "list_attached_objects_on_tags":
            return [_structure("com.vmware.cis.tagging.tag_association.tag_to_objects", {
                "tag_id": t, "object_ids": [_dynamic_id(o) for o in tagging.attached_objects(t)]})
                for t in _field(given, "tag_ids", list)]
    raise errors.operation_not_found("com.vmware.cis.tagging.%s.%s" % (kind, operation))


def _rpc_spec(given, key):
    spec = given.get(key)
    if not isinstance(spec, dict):
        raise errors.invalid_argument("Invalid or missing %s." % key, key)
    return spec


def rpc(tagging, session, service, operation, given):
    """The SDK's (JSON-RPC) com.vmware.cis.tagging.{category,tag,tag_association} calls."""
    try:
        return _rpc_call(tagging, session, service.rsplit(".", 1)[-1], operation, given)
    except TaggingError as error:
        raise _rest_error(error)
