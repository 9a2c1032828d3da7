"""vim25 XML: values of the model to the bytes vCenter writes, and request elements back.

Written for WIRE.md: fields in XSD order and only those the client's API version knows,
``xsi:type`` on subtypes and in anyType slots, unset fields omitted (never ``xsi:nil``).
"""
from datetime import datetime

from vimsim.frontend import Encoded
from vimsim.model import faults
from vimsim.vim25.data import (DataObject, FrozenDataObject, MoRef, TypedValue, format_datetime,
                               parse_datetime)
from vimsim.vim25.types import REGISTRY, Field, infer_field

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = "{%s}type" % XSI

_ARRAY_ITEM = {"xsd:string": ("String", "string"), "xsd:int": ("Int", "int"),
               "xsd:long": ("Long", "long"), "xsd:short": ("Short", "short"),
               "xsd:byte": ("Byte", "byte"), "xsd:boolean": ("Boolean", "boolean"),
               "xsd:double": ("Double", "double"), "xsd:float": ("Float", "float"),
               "xsd:dateTime": ("DateTime", "dateTime"), "xsd:anyURI": ("AnyURI", "anyURI"),
               "xsd:base64Binary": ("Base64Binary", "base64Binary")}


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


def _bad(msg):
    return faults.InvalidRequest(msg)


def _xsd(text, xsd_type, name):
    text = (text or "").strip() if xsd_type != "xsd:string" else (text or "")
    try:
        if xsd_type in ("xsd:int", "xsd:long", "xsd:short", "xsd:byte"):
            return int(text)
        if xsd_type == "xsd:boolean":
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
            raise ValueError(text)
        if xsd_type in ("xsd:double", "xsd:float"):
            return float(text)
        if xsd_type == "xsd:dateTime":
            return parse_datetime(text)
    except ValueError:
        raise faults.InvalidRequest("Invalid value %r for %s (%s)" % (text, name, xsd_type))
    return text


def decode(el, field):
    """The model value of one request element whose declared type is ``field``."""
    kind = field.kind
    xsi = _type_attr(el)
    if kind == "any" or (xsi and kind in ("xsd", "moref") and xsi != field.type and
                         not (kind == "moref" and xsi == "ManagedObjectReference")):
        return decode_any(el, xsi, field.name)
    if kind == "moref":
        type_name = el.get("type")
        if not type_name:
            raise _bad("Managed object reference %s has no type" % field.name)
        return MoRef(type_name, (el.text or "").strip())
    if kind == "xsd":
        return _xsd(el.text, field.type, field.name)
    if kind == "enum":
        value = (el.text or "").strip()
        if value not in REGISTRY.enums[field.type]:
            raise faults.InvalidArgument(invalidProperty=field.name)
        return value
    return decode_data(el, _data_type(xsi or field.type, field))


def _data_type(actual, field):
    dtype = REGISTRY.data.get(actual)
    if dtype is None or not dtype.is_a(field.type):
        raise faults.InvalidType(argument=actual) if dtype is None else \
            faults.InvalidArgument(invalidProperty=field.name)
    return dtype


def decode_data(el, dtype):
    values = {}
    for child, name, sub in _fields_of(el, dtype):
        value = decode(child, sub)
        if sub.array:
            values.setdefault(name, []).append(value)
        else:
            values[name] = value
    return _data_object(dtype, values)


def _fields_of(el, dtype):
    """(element, name, field) of each child of a data object's element."""
    by_name = dtype.by_name
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        sub = by_name.get(name)
        if sub is None:
            if name in ("dynamicType", "dynamicProperty"):
                continue
            raise _bad("Unexpected element %s in %s" % (name, dtype.name))
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
    dtype = _data_type(xsi or field.type, field)
    values = {}
    for child, name, sub in _fields_of(el, dtype):
        value = yield from decode_in_steps(child, sub)
        if sub.array:
            values.setdefault(name, []).append(value)
        else:
            values[name] = value
        yield None
    return _data_object(dtype, values)


def decode_any(el, xsi, name):
    if xsi is None:
        return el.text or ""
    if xsi.startswith("ArrayOf"):
        item_type = xsi[7:]
        if item_type == "ManagedObjectReference":
            field = Field("item", "ManagedObjectReference", False, None, True)
        else:
            xsd = {v[0]: k for k, v in _ARRAY_ITEM.items()}.get(item_type, item_type)
            field = Field("item", xsd, False, None, True)
        return [decode(child, field) for child in el if isinstance(child.tag, str)]
    if xsi == "ManagedObjectReference":
        return decode(el, Field(name, "ManagedObjectReference", False, None, True))
    xsd_name = "xsd:" + xsi
    if xsd_name in _ARRAY_ITEM or xsi in ("string", "anyType"):
        value = _xsd(el.text, xsd_name, name)
        return value if xsi in ("string", "int", "boolean", "double", "dateTime") \
            else TypedValue(xsd_name, value)
    if xsi in REGISTRY.enums:
        return TypedValue(xsi, (el.text or "").strip())
    dtype = REGISTRY.data.get(xsi)
    if dtype is None:
        raise faults.InvalidType(argument=xsi)
    return decode_data(el, dtype)
