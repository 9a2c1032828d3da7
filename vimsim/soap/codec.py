"""vim25 XML: values of the model to the bytes vCenter writes, and request elements back.

Written for WIRE.md: fields in XSD order and only those the client's API version knows,
``xsi:type`` on subtypes and in anyType slots, unset fields omitted (never ``xsi:nil``).
"""
from datetime import datetime

from vimsim.frontend import Encoded
from vimsim.model import faults
from vimsim.vim25.data import DataObject, FrozenDataObject, MoRef, TypedValue, format_datetime
from vimsim.vim25 import primitives
from vimsim.vim25.types import REGISTRY, Field, infer_field

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = "{%s}type" % XSI
XSI_NIL = "{%s}nil" % XSI

_ARRAY_ITEM = {"xsd:string": ("String", "string"), "xsd:int": ("Int", "int"),
               "xsd:long": ("Long", "long"), "xsd:short": ("Short", "short"),
               "xsd:byte": ("Byte", "byte"), "xsd:boolean": ("Boolean", "boolean"),
               "xsd:double": ("Double", "double"), "xsd:float": ("Float", "float"),
               "xsd:dateTime": ("DateTime", "dateTime"), "xsd:anyURI": ("AnyURI", "anyURI"),
               "xsd:base64Binary": ("Base64Binary", "base64Binary")}
# ArrayOf<item> of the xsd types (ArrayOfString holds xsd:string), and the xsd names an
# xsi:type may give a value.
_ARRAY_ITEM_XSD = dict({v[0]: k for k, v in _ARRAY_ITEM.items()}, AnyType="xsd:anyType")
_XSD_NAMES = frozenset([v[1] for v in _ARRAY_ITEM.values()] + ["anyType"])


def escape(text):
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attr(text):
    return escape(text).replace('"', "&quot;")


def text_of(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, str):
        return escape(value)
    return str(value)


class Encoder:
    def __init__(self, version_ids):
        self.version_ids = version_ids

    def element(self, out, tag, value, field, any_slot=False, context=None):
        """Append ``<tag>value</tag>`` for one (non-array) value of the declared field."""
        if isinstance(value, TypedValue):
            value = value.value
        kind = field.kind
        if kind == "any":
            self.any_element(out, tag, value, infer_field(value))
            return
        if kind == "moref":
            if any_slot:
                out.append('<%s type="%s" xsi:type="ManagedObjectReference">%s</%s>'
                           % (tag, value.type, escape(value.value), tag))
            else:
                out.append('<%s type="%s">%s</%s>' % (tag, value.type, escape(value.value), tag))
            return
        if kind == "data":
            self.data_element(out, tag, value, field.type, any_slot, context)
            return
        if any_slot:
            out.append('<%s xsi:type="%s">%s</%s>' % (tag, field.type, text_of(value), tag))
        else:
            out.append("<%s>%s</%s>" % (tag, text_of(value), tag))

    def any_element(self, out, tag, value, field):
        """An anyType slot holding a value of the declared field's type (arrays as ArrayOf...)."""
        if isinstance(value, TypedValue):
            value = value.value
        if not field.array:
            self.element(out, tag, value, field, any_slot=True)
            return
        if field.kind == "moref":
            array_type, item_tag = "ManagedObjectReference", "ManagedObjectReference"
        elif field.kind == "xsd":
            array_type, item_tag = _ARRAY_ITEM.get(field.type, ("String", "string"))
        else:
            array_type = item_tag = field.type
        out.append('<%s xsi:type="ArrayOf%s">' % (tag, array_type))
        item = Field(item_tag, field.type if field.kind != "moref" else "moref:" + field.type,
                     False, None, True)
        for v in value:
            self.element(out, item_tag, v, item, any_slot=True)  # each item typed, as vCenter
        out.append("</%s>" % tag)

    def data_element(self, out, tag, value, declared, any_slot=False, context=None):
        if value.__class__ is Encoded:  # an ObjectContent or ObjectUpdate of a sliced answer
            out.append("<%s>%s</%s>" % (tag, value.text, tag))
            return
        if value.__class__ is FrozenDataObject:
            key = (tag, declared, any_slot, self.version_ids)
            xml = value.wire_cache.get(key)
            if xml is None:
                part = []
                self._data_element(part, tag, value, declared, any_slot, context)
                xml = value.wire_cache[key] = "".join(part)
            out.append(xml)
            return
        self._data_element(out, tag, value, declared, any_slot, context)

    def _data_element(self, out, tag, value, declared, any_slot, context):
        actual = value._typeName
        dtype = REGISTRY.data.get(actual)
        if dtype is None:
            raise faults.system_error("vimsim cannot encode type %s" % actual)
        if actual != declared or any_slot:
            out.append('<%s xsi:type="%s">' % (tag, actual))
        else:
            out.append("<%s>" % tag)
        self.fields(out, value, dtype, context)
        out.append("</%s>" % tag)

    def object_content(self, out, value):
        """ObjectContent, the bulk of every PropertyCollector answer, written directly."""
        obj = value.obj
        obj_type = obj.type
        append = out.append
        append('<obj type="%s">%s</obj>' % (obj_type, escape(obj.value)))
        for prop in value.propSet or ():
            attrs = prop.__dict__
            val, name = attrs["val"], attrs["name"]
            field = REGISTRY.slot_field(obj_type, name, val)
            if val.__class__ is str and not field.array and field.kind in ("xsd", "enum"):
                # the common case (names, power states) in one piece
                append('<propSet><name>%s</name><val xsi:type="%s">%s</val></propSet>'
                       % (escape(name), field.type, escape(val)))
                continue
            append("<propSet><name>%s</name>" % escape(name))
            if not field.array and field.kind in ("xsd", "enum") and \
                    not isinstance(val, TypedValue):
                append('<val xsi:type="%s">%s</val>' % (field.type, text_of(val)))
            else:
                self.any_element(out, "val", val, field)
            append("</propSet>")
        for missing in value.missingSet or ():
            self.element(out, "missingSet", missing,
                         REGISTRY.data["ObjectContent"].by_name["missingSet"])

    def fields(self, out, value, dtype, context=None):
        if dtype.name == "ObjectContent":
            self.object_content(out, value)
            return
        attrs = value.__dict__
        if dtype.name == "ObjectUpdate":
            context = attrs.get("obj")
        append = out.append
        for field in dtype.fields_for(self.version_ids):
            v = attrs.get(field.name)
            if v is None:
                continue
            kind = field.kind
            if (kind == "xsd" or kind == "enum") and not field.array:
                cls = v.__class__
                if cls is str:  # the common cases first, written inline
                    append(field.open + escape(v) + field.close)
                    continue
                if cls is not TypedValue:
                    append(field.open + text_of(v) + field.close)
                    continue
            elif kind == "moref" and not field.array:
                append('<%s type="%s">%s</%s>' % (field.name, v.type, escape(v.value),
                                                  field.name))
                continue
            name = field.name
            if name == "val" and context is not None and dtype.name in ("DynamicProperty",
                                                                        "PropertyChange"):
                self.any_element(out, name, v, REGISTRY.slot_field(context.type, attrs["name"], v))
            elif field.array:
                for item in v:
                    self.element(out, name, item, field, context=context)
            else:
                self.element(out, name, v, field, context=context)

    def returnval(self, out, value, field, this_type=None, prop=None):
        """The ``returnval`` element(s) of a method's response."""
        if prop is not None:  # Fetch: an anyType slot typed by the property's declaration
            declared = REGISTRY.slot_field(this_type, prop, value)
            if value is None:
                if not declared.array:
                    return  # unset: an empty FetchResponse
                value = []  # unset array: the empty typed array vCenter sends
            self.any_element(out, "returnval", value, declared)
        elif field.array:
            for item in value:
                self.element(out, "returnval", item, field)
        else:
            self.element(out, "returnval", value, field)


# -- decoding ----------------------------------------------------------------------------


def local(tag):
    return tag[tag.rfind("}") + 1:] if tag[0] == "{" else tag


def _type_attr(el):
    t = el.get(XSI_TYPE)
    if t is None:
        return None
    return t[t.find(":") + 1:]


def _is_nil(el):
    return el.get(XSI_NIL) in ("true", "1")


def _bad(msg):
    return faults.InvalidRequest(msg)


def _unexpected(child):
    return _bad('Unexpected element tag "%s" seen' % local(child.tag))


def _known_type(name):
    """Whether an xsi:type names a type of the schema (or an xsd or ArrayOf type)."""
    return name in REGISTRY.data or name in REGISTRY.enums or name in _XSD_NAMES \
        or name == "ManagedObjectReference" or (name.startswith("ArrayOf") and (
            name[7:] in _ARRAY_ITEM_XSD or _known_type(name[7:])))


def _fits(xsi, field):
    """Whether an xsi:type may stand in a slot declared as ``field``: the declared type or
    one derived from it (an anyType slot takes any)."""
    kind = field.kind
    if kind == "data":
        dtype = REGISTRY.data.get(xsi)
        return dtype is not None and dtype.is_a(field.type)
    if kind == "xsd":
        return "xsd:" + xsi in primitives.XSD_SUBTYPES.get(field.type, (field.type,))
    if kind == "moref":
        return xsi == "ManagedObjectReference"
    return xsi == field.type  # enum


def _mismatch(xsi, field):
    """InvalidType for an xsi:type the slot cannot hold, in vCenter's words for it."""
    if not _known_type(xsi):
        return faults.InvalidType(argument=xsi)
    expected = "ManagedObjectReference" if field.kind == "moref" else \
        primitives.type_label(field.type)
    return faults.InvalidType(argument="Type Mismatch: expected: %s, found: %s"
                              % (expected, xsi))


def _xsd(el, xsd_type):
    for child in el:
        if isinstance(child.tag, str):
            raise _unexpected(child)
    try:
        return primitives.from_text(el.text or "", xsd_type)
    except primitives.BadValue as bad:
        raise _bad(str(bad)).within("serialized value of type %s"
                                    % primitives.type_label(xsd_type))


def decode_arguments(el, params, decode_one=None):
    """A method call element's arguments by name, each decoded as ``params`` declares: a
    generator, decoding in steps (decode_in_steps) unless ``decode_one`` says otherwise."""
    args, seen_this = {}, False
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name == "_this":
            if seen_this:  # the object called is named once
                raise _unexpected(child)
            seen_this = True
            continue
        if _is_nil(child):  # xsi:nil="true": the argument is not given
            continue
        param = params.get(name)
        if param is None or (name in args and not param.array):
            raise _unexpected(child)
        value = decode_one(child, param) if decode_one is not None else \
            (yield from decode_in_steps(child, param))
        if param.array:
            args.setdefault(name, []).append(value)
        else:
            args[name] = value
    return args


def decode(el, field):
    """The model value of one request element declared as ``field`` (one item of an array
    field), checked against the schema: InvalidRequest (InvalidType for a type that does not
    fit) saying where, for anything the declaration does not allow."""
    try:
        return _decode(el, field)
    except faults.InvalidRequest as fault:
        raise fault.within(field.parse_context())


def _decode(el, field):
    kind = field.kind
    xsi = _type_attr(el)
    if kind == "any":
        return decode_any(el, xsi, field.name)
    if xsi is not None and not _fits(xsi, field):
        raise _mismatch(xsi, field)
    if kind == "moref":
        type_name = el.get("type")
        if not type_name:
            raise _bad("Managed object reference %s has no type" % field.name)
        return MoRef(type_name, _xsd(el, "xsd:string").strip())
    if kind == "xsd":
        return _xsd(el, field.type)
    if kind == "enum":
        value = _xsd(el, "xsd:string").strip()
        if value not in REGISTRY.enums[field.type]:
            raise faults.InvalidArgument(invalidProperty=field.name)
        return value
    return decode_data(el, _data_type(xsi, field))


def _data_type(xsi, field):
    """The data type of an element declared as ``field`` (its xsi:type, checked to fit)."""
    if xsi is not None and not _fits(xsi, field):
        raise _mismatch(xsi, field)
    return REGISTRY.data[xsi or field.type]


def decode_data(el, dtype):
    try:
        return _decode_data(el, dtype)
    except faults.InvalidRequest as fault:
        raise fault.within("serialized DataObject of type %s" % dtype.name)


def _decode_data(el, dtype):
    values = {}
    for child, name, sub in _fields_of(el, dtype):
        _put(values, child, name, sub, decode(child, sub))
    return _data_object(dtype, values)


def _put(values, child, name, sub, value):
    if sub.array:
        values.setdefault(name, []).append(value)
    elif name in values:  # a second value for a field that holds one
        raise _unexpected(child)
    else:
        values[name] = value


def _fields_of(el, dtype):
    """(element, name, field) of each child of a data object's element."""
    by_name = dtype.by_name
    for child in el:
        if not isinstance(child.tag, str) or _is_nil(child):  # a nil field is an unset one
            continue
        name = local(child.tag)
        sub = by_name.get(name)
        if sub is None:
            if name in ("dynamicType", "dynamicProperty"):
                continue
            raise _unexpected(child)
        yield child, name, sub


def _data_object(dtype, values):
    for f in dtype.all_fields:
        if not f.optional and f.name not in values and not f.array:
            raise _bad("Required property %s is missing from data object of type %s"
                       % (f.name, dtype.name))
    return DataObject(dtype.name, **values)


def decode_in_steps(el, field):
    """decode() as a generator yielding None after each field of each data object, so that
    a huge argument (a CreateFilter's 20,000 objectSets) does not hold the reactor. Returns
    the value."""
    xsi = _type_attr(el)
    if field.kind != "data" or (xsi and xsi.startswith("ArrayOf")):
        return decode(el, field)
        yield  # a generator all the same
    try:
        dtype = _data_type(xsi, field)
        values = {}
        try:
            for child, name, sub in _fields_of(el, dtype):
                _put(values, child, name, sub, (yield from decode_in_steps(child, sub)))
                yield None
            return _data_object(dtype, values)
        except faults.InvalidRequest as fault:
            raise fault.within("serialized DataObject of type %s" % dtype.name)
    except faults.InvalidRequest as fault:
        raise fault.within(field.parse_context())


def decode_any(el, xsi, name):
    """An anyType slot's value: as its xsi:type says (text without one)."""
    if xsi is None:
        return _xsd(el, "xsd:string")
    if xsi.startswith("ArrayOf"):
        item_type = xsi[7:]
        if item_type == "ManagedObjectReference":
            field = Field("item", "ManagedObjectReference", False, None, True)
        elif item_type in _ARRAY_ITEM_XSD:
            field = Field("item", _ARRAY_ITEM_XSD[item_type], False, None, True)
        elif item_type in REGISTRY.data or item_type in REGISTRY.enums:
            field = Field("item", item_type, False, None, True)
        else:
            raise faults.InvalidType(argument=xsi)
        return [decode(child, field) for child in el if isinstance(child.tag, str)]
    if xsi == "ManagedObjectReference":
        return decode(el, Field(name, "ManagedObjectReference", False, None, True))
    if xsi in _XSD_NAMES:
        value = _xsd(el, "xsd:" + xsi)
        return value if xsi in ("string", "int", "boolean", "double", "dateTime") \
            else TypedValue("xsd:" + xsi, value)
    if xsi in REGISTRY.enums:
        value = _xsd(el, "xsd:string").strip()
        if value not in REGISTRY.enums[xsi]:
            raise faults.InvalidArgument(invalidProperty=name)
        return TypedValue(xsi, value)
    dtype = REGISTRY.data.get(xsi)
    if dtype is None:
        raise faults.InvalidType(argument=xsi)
    return decode_data(el, dtype)
