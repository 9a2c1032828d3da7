"""vim25 values as VI/JSON (vSphere 8.0.1+): ``_typeName`` on data objects, moRefs as
objects, anyType values boxed, unset fields absent, datetimes in ISO 8601 with ``Z``."""
import json
from datetime import datetime

from vimsim.frontend import Encoded, utf8_in_steps
from vimsim.model import faults
from vimsim.vim25 import primitives, typedata
from vimsim.vim25.data import DataObject, MoRef, TypedValue, format_datetime
from vimsim.vim25.types import REGISTRY, Field, infer_field

_XSD_JSON = {"xsd:string": "string", "xsd:int": "int", "xsd:long": "long",
             "xsd:short": "short", "xsd:byte": "byte", "xsd:boolean": "boolean",
             "xsd:double": "double", "xsd:float": "float", "xsd:dateTime": "dateTime",
             "xsd:anyURI": "anyURI", "xsd:base64Binary": "base64Binary"}
_JSON_XSD = {v: k for k, v in _XSD_JSON.items()}


def moref(ref):
    return {"_typeName": "ManagedObjectReference", "type": ref.type, "value": ref.value}


def dumps(value):
    """json.dumps of an encoded answer holding Encoded items, written as they are."""
    if isinstance(value, Encoded):
        return value.text
    texts = []
    _texts(value, texts)
    return "".join(texts)


def dumps_in_steps(value):
    """dumps() as a generator (frontend.utf8_in_steps): a page of 2,000 VMs with all their
    properties (megabytes) does not hold the reactor while it is joined and encoded."""
    texts = []
    _texts(value, texts)
    return (yield from utf8_in_steps(texts))


def _texts(value, out):
    if isinstance(value, Encoded):
        out.append(value.text)
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append("%s%s: " % (", " if index else "", json.dumps(key)))
            _texts(item, out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(", ")
            _texts(item, out)
        out.append("]")
    else:
        out.append(json.dumps(value))


class Encoder:
    def __init__(self, version_ids):
        self.version_ids = version_ids

    def value(self, value, field, context=None):
        """A value of the declared field (an array field takes the whole list)."""
        if isinstance(value, TypedValue):
            value = value.value
        if field.array:
            item = Field(field.name, field.type if field.kind != "moref" else "moref:" + field.type,
                         False, None, True)
            return [self.value(v, item, context) for v in value]
        kind = field.kind
        if kind == "any":
            return self.boxed(value, infer_field(value))
        if kind == "moref":
            return moref(value)
        if kind == "data":
            return self.data(value, context)
        if isinstance(value, datetime):
            return format_datetime(value)
        return value

    def boxed(self, value, field):
        """A value in an anyType slot: data objects and moRefs as they are, the rest boxed."""
        if isinstance(value, TypedValue):
            value = value.value
        if field.array:
            if field.kind == "moref":
                type_name = "ArrayOfManagedObjectReference"
            elif field.kind == "xsd":
                type_name = "ArrayOf" + _XSD_JSON.get(field.type, "string").capitalize()
                type_name = type_name.replace("Datetime", "DateTime").replace("Anyuri", "AnyURI")
            else:
                type_name = "ArrayOf" + field.type
            return {"_typeName": type_name, "_value": self.value(value, field)}
        if field.kind in ("moref", "data"):
            return self.value(value, field)
        type_name = _XSD_JSON.get(field.type, field.type)
        return {"_typeName": type_name, "_value": self.value(value, field)}

    def data(self, value, context=None):
        if value.__class__ is Encoded:  # an item of a sliced answer
            return value
        dtype = REGISTRY.data.get(value._typeName)
        if dtype is None:
            raise faults.system_error("vimsim cannot encode type %s" % value._typeName)
        attrs = value.__dict__
        if dtype.name in ("ObjectContent", "ObjectUpdate"):
            context = attrs.get("obj")
        out = {"_typeName": dtype.name}
        for field in dtype.fields_for(self.version_ids):
            v = attrs.get(field.name)
            if v is None:
                continue
            if field.name == "val" and context is not None and dtype.name in (
                    "DynamicProperty", "PropertyChange"):
                out["val"] = self.boxed(v, REGISTRY.slot_field(context.type, attrs["name"], v))
            else:
                out[field.name] = self.value(v, field, context)
        return out

    def fault(self, fault):
        type_name = fault.type_name if fault.type_name in REGISTRY.data else "RuntimeFault"
        body = self.data(DataObject(type_name, **fault.fields))
        body["faultMessage"] = [{"_typeName": "LocalizableMessage",
                                 "key": fault_key(type_name), "message": fault.msg}]
        body["faultstring"] = fault.msg
        return body


def fault_key(type_name):
    """vCenter's message key for a fault type, e.g. vim.fault.InvalidPowerState.summary."""
    return "%s.summary" % typedata.FAULT_VMODL_NAMES.get(type_name, "vmodl." + type_name)


# -- decoding ------------------------------------------------------------------------------
# Checked against the schema as vCenter's request parser checks a SOAP request, in the same
# words (vimsim.soap.codec): nothing reaches the model that SOAP could not have carried.


def _bad(message):
    return faults.InvalidRequest(message)


def _type_name(value, name):
    type_name = value.get("_typeName")
    if not isinstance(type_name, str):
        raise _bad("%s must carry a _typeName" % name)
    return type_name


def decode(value, field):
    """The model value of a JSON parameter or field declared as ``field`` (an array field
    takes the whole list): InvalidRequest saying where for anything the declaration does not
    allow (InvalidType for a type that does not fit)."""
    try:
        return _decode(value, field)
    except faults.InvalidRequest as fault:
        raise fault.within(field.parse_context())


def _decode(value, field):
    if field.array:
        if not isinstance(value, list):
            raise _bad("Cannot parse a JSON %s as an array value"
                       % primitives.json_kind(value))
        item = Field(field.name, field.type if field.kind != "moref" else "moref:" + field.type,
                     False, None, True)
        return [_decode(v, item) for v in value]
    kind = field.kind
    if kind == "any":
        return decode_any(value, field.name)
    if kind == "moref":
        return _moref(value, field.name)
    if kind == "xsd":
        return decode_xsd(value, field.type)
    if kind == "enum":
        if not isinstance(value, str) or value not in REGISTRY.enums[field.type]:
            raise faults.InvalidArgument(invalidProperty=field.name)
        return value
    return decode_data(value, _data_type(value, field))


def _data_type(value, field):
    if not isinstance(value, dict):
        raise _bad("Cannot parse a JSON %s as a %s value"
                   % (primitives.json_kind(value), field.type))
    type_name = value.get("_typeName", field.type)
    if not isinstance(type_name, str):
        raise _bad("Cannot parse a JSON %s as the _typeName of a %s value"
                   % (primitives.json_kind(type_name), field.type))
    dtype = REGISTRY.data.get(type_name)
    if dtype is None:
        raise faults.InvalidType(argument=primitives.xml_safe(type_name))
    if not dtype.is_a(field.type):
        raise faults.InvalidType(argument="Type Mismatch: expected: %s, found: %s"
                                 % (field.type, type_name))
    return dtype


def _moref(value, name):
    if not (isinstance(value, dict) and isinstance(value.get("type"), str)
            and isinstance(value.get("value"), str)):
        raise _bad("%s must be a ManagedObjectReference with type and value" % name)
    return MoRef(decode_xsd(value["type"], "xsd:string"),
                 decode_xsd(value["value"], "xsd:string"))


def decode_data(value, dtype):
    try:
        return _data_object(dtype, {name: decode(item, sub)
                                    for name, item, sub in _fields_of(value, dtype)})
    except faults.InvalidRequest as fault:
        raise fault.within("serialized DataObject of type %s" % dtype.name)


def _fields_of(value, dtype):
    """(name, value, field) of each set field of a data object's JSON object."""
    for name, item in value.items():
        if name == "_typeName" or item is None:
            continue
        sub = dtype.by_name.get(name)
        if sub is None:
            raise _bad('Unexpected property "%s" seen' % primitives.xml_safe(name))
        yield name, item, sub


def _data_object(dtype, fields):
    for f in dtype.all_fields:
        if not f.optional and not f.array and f.name not in fields:
            raise _bad("Required property %s is missing from data object of type %s"
                       % (f.name, dtype.name))
    return DataObject(dtype.name, **fields)


def decode_in_steps(value, field):
    """decode() as a generator yielding None after each item of an array of data objects and
    each field of a data object, so that a huge argument (a CreateFilter's 20,000
    objectSets) does not hold the reactor. Returns the value. An array's items are let go
    from ``value`` as they are decoded: the parsed and the decoded objects, both alive, made
    the garbage collector's passes during the request twice as long."""
    if field.kind != "data":
        return decode(value, field)
    if field.array:
        if not isinstance(value, list):
            return decode(value, field)  # its fault
        item = Field(field.name, field.type, False, None, True)
        values = []
        for index in range(len(value)):
            v, value[index] = value[index], None
            values.append((yield from decode_in_steps(v, item)))
            yield None
        return values
    try:
        dtype = _data_type(value, field)
        fields = {}
        for name, item, sub in _fields_of(value, dtype):
            fields[name] = yield from decode_in_steps(item, sub)
            yield None
        return _data_object(dtype, fields)
    except faults.InvalidRequest as fault:
        raise fault.within(field.parse_context())


def decode_xsd(value, xsd_type):
    try:
        return primitives.from_json(value, xsd_type)
    except primitives.BadValue as bad:
        raise _bad(str(bad)).within("serialized value of type %s"
                                    % primitives.type_label(xsd_type))


def decode_any(value, name):
    """An anyType value: boxed ({"_typeName": "int", "_value": 5}) unless a data object or
    moRef, which carry their own _typeName."""
    if not isinstance(value, dict):
        raise _bad("%s must carry a _typeName" % name)
    type_name = _type_name(value, name)
    if type_name == "ManagedObjectReference":
        return _moref(value, name)
    if type_name.startswith("ArrayOf"):
        item = type_name[7:]
        xsd = _JSON_XSD.get(item[:1].lower() + item[1:])
        if xsd is not None:
            item_type = xsd
        elif item == "ManagedObjectReference":
            item_type = "moref:ManagedObject"
        elif item in REGISTRY.data or item in REGISTRY.enums:
            item_type = item
        elif item == "AnyType":
            item_type = "xsd:anyType"
        else:
            raise faults.InvalidType(argument=primitives.xml_safe(type_name))
        return _decode(value.get("_value"), Field(name, item_type, True, None, True))
    if type_name in _JSON_XSD:
        xsd = _JSON_XSD[type_name]
        decoded = decode_xsd(value.get("_value"), xsd)
        return decoded if type_name in ("string", "int", "boolean", "double", "dateTime") \
            else TypedValue(xsd, decoded)
    if type_name in REGISTRY.enums:
        enum_value = value.get("_value")
        if not isinstance(enum_value, str) or enum_value not in REGISTRY.enums[type_name]:
            raise faults.InvalidArgument(invalidProperty=name)
        return TypedValue(type_name, enum_value)
    return _decode(value, Field(name, "DynamicData", False, None, True))
