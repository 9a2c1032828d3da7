"""The vim25 type registry vimsim serves, built from the generated ``typedata``.

Field order is the XSD sequence (base type fields first); each field carries the API version
that introduced it, so answers to an older client leave out what it cannot parse.
"""
import re
from datetime import datetime

from vimsim.vim25 import typedata
from vimsim.vim25.data import DataObject, MoRef, TypedValue

NEWEST_VERSION = "8.0.3.0"


class Field:
    __slots__ = ("name", "type", "array", "version", "optional", "kind", "open", "close")

    def __init__(self, name, type, array, version, optional):
        self.name, self.type, self.array = name, type, array
        self.version, self.optional = version, optional
        self.open, self.close = "<%s>" % name, "</%s>" % name  # the XML encoder's tags
        if type is None:
            self.kind = "void"
        elif type.startswith("moref:") or type == "ManagedObjectReference":
            self.kind = "moref"
            self.type = type[6:] if type.startswith("moref:") else "ManagedObject"
        elif type == "xsd:anyType":
            self.kind = "any"
        elif type.startswith("xsd:"):
            self.kind = "xsd"
        elif type in typedata.ENUMS:
            self.kind = "enum"
        else:
            self.kind = "data"

    def static_type(self):
        """The declared type as vCenter's parse errors name it (``int``, ``ArrayOfString``,
        ``ManagedObjectReference``, ``CustomizationName``)."""
        if self.kind == "moref":
            name = "ManagedObjectReference"
        elif self.kind in ("xsd", "any"):
            name = self.type[4:]
        else:
            name = self.type
        return "ArrayOf" + name[:1].upper() + name[1:] if self.array else name

    def parse_context(self):
        """Where vCenter's parse errors say a value of this field was read: ``property
        "name" of static type string``."""
        return 'property "%s" of static type %s' % (self.name, self.static_type())

    def __repr__(self):
        return "Field(%s: %s%s)" % (self.name, self.type, "[]" if self.array else "")


class DataType:
    def __init__(self, name, base, version, fields):
        self.name, self.base, self.version = name, base, version
        self.own_fields = fields
        self.all_fields = ()
        self.by_name = {}
        self.ancestors = frozenset()
        self._for_version = {}

    def fields_for(self, version_ids):
        """The fields an answer to a client of that API version carries, in wire order."""
        fields = self._for_version.get(version_ids)
        if fields is None:
            fields = tuple(f for f in self.all_fields if f.version in version_ids)
            self._for_version[version_ids] = fields
        return fields

    def is_a(self, name):
        return name in self.ancestors

    @property
    def is_fault(self):
        return "MethodFault" in self.ancestors


class Method:
    def __init__(self, name, params, result, faults, privilege, version):
        self.name, self.params, self.result = name, params, result
        self.param_by_name = {p.name: p for p in params}
        self.faults, self.privilege, self.version = faults, privilege, version


class ManagedType:
    def __init__(self, name, base, props, methods):
        self.name, self.base = name, base
        self.own_props, self.own_methods = props, methods
        self.props, self.methods = {}, {}
        self.ancestors = frozenset()


# A path part that picks an array's item by its key: device[4000], extraConfig["nvram"]
_KEYED = re.compile(r'(\w+)\[(?:(-?[0-9]+)|"([^"\\]*)")\]\Z')


def keyed_part(part):
    """(field name, item key) of a property path part; (part, None) without a key."""
    if "[" not in part:
        return part, None
    found = _KEYED.match(part)
    if found is None:
        return part, None
    number, text = found.group(2), found.group(3)
    return found.group(1), int(number) if number is not None else text


def _field(text, name=None):
    """A Field from its packed form in ``typedata``: "name,type,flags,version"."""
    fname, ftype, flags, version = text.split(",")
    flags = int(flags)
    return Field(name or fname, None if ftype == "-" else ftype, bool(flags & 1),
                 _VERSION_IDS[int(version)], bool(flags & 2))


_VERSION_IDS = typedata.VERSION_IDS


class _Table(dict):
    """Name -> type, unpacked from ``typedata`` on first lookup: the whole schema is known
    without building the few thousand types no answer ever touches."""

    def __init__(self, packed, unpack):
        super().__init__()
        self.packed, self.unpack = packed, unpack

    def __missing__(self, name):
        packed = self.packed[name]  # KeyError for a name the schema does not have
        value = self[name] = self.unpack(name, packed)
        return value

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name):
        return name in self.packed

    def __iter__(self):
        return iter(self.packed)

    def __len__(self):
        return len(self.packed)

    def keys(self):
        return self.packed.keys()

    def values(self):
        return [self[name] for name in self.packed]

    def items(self):
        return [(name, self[name]) for name in self.packed]


class Registry:
    def __init__(self):
        self.data = _Table(typedata.DATA, self._data_type)
        self.enums = _Table(typedata.ENUMS, lambda name, values: frozenset(values.split()))
        self.managed = _Table(typedata.MANAGED, self._managed_type)
        self._subtypes = self._method_names = None
        self._property_fields = {}
        self.versions = {wire: frozenset(ids) for wire, ids in typedata.WIRE_VERSIONS.items()}
        self.newest = self.versions[NEWEST_VERSION]

    def _data_type(self, name, packed):
        head, *fields = packed.split(" ")
        base, version = head, fields.pop(0)
        base = None if base == "-" else base
        dtype = DataType(name, base, _VERSION_IDS[int(version)], [_field(f) for f in fields])
        parent = self.data[base] if base else None
        dtype.ancestors = frozenset((name,)) | (parent.ancestors if parent else frozenset())
        inherited = parent.all_fields if parent else ()
        dtype.all_fields = inherited + tuple(
            f for f in dtype.own_fields if f.name not in ("dynamicType", "dynamicProperty"))
        dtype.by_name = {f.name: f for f in dtype.all_fields}
        return dtype

    def _managed_type(self, name, packed):
        base, props, methods = packed
        mtype = ManagedType(name, base, {}, {})
        for text in props.split(" ") if props else ():
            prop = _field(text)
            mtype.own_props[prop.name] = prop
        for line in methods.split("\n") if methods else ():
            mname, version, privilege, result, fault_names, params = line.split(" ")
            rtype, rflags = result.split(",")
            rflags = int(rflags)
            mtype.own_methods[mname] = Method(
                mname, [_field(p) for p in params.split(";")] if params != "-" else [],
                Field("returnval", None if rtype == "-" else rtype, bool(rflags & 1), None,
                      bool(rflags & 2)),
                fault_names.split(",") if fault_names != "-" else [],
                None if privilege == "-" else privilege, _VERSION_IDS[int(version)])
        parent = self.managed[base] if base else None
        if parent is not None:
            mtype.props.update(parent.props)
            mtype.methods.update(parent.methods)
        mtype.props.update(mtype.own_props)
        mtype.methods.update(mtype.own_methods)
        mtype.ancestors = frozenset((name,)) | (parent.ancestors if parent else frozenset())
        return mtype

    def subtypes(self, name):
        """The data types whose base is ``name`` (not their subtypes in turn)."""
        if self._subtypes is None:
            found = {}
            for sub, packed in typedata.DATA.items():
                found.setdefault(packed.split(" ", 1)[0], []).append(sub)
            self._subtypes = found
        return self._subtypes.get(name, [])

    def is_method_name(self, name):
        """Whether any managed type of the schema has a method of that name."""
        if self._method_names is None:
            self._method_names = frozenset(
                line.split(" ", 1)[0] for _, _, methods in typedata.MANAGED.values()
                for line in (methods.split("\n") if methods else ()))
        return name in self._method_names

    def privileges(self):
        """Every privilege a vim25 method requires, read without unpacking the types."""
        found = set()
        for _, _, methods in typedata.MANAGED.values():
            for line in methods.split("\n") if methods else ():
                privilege = line.split(" ", 3)[2]
                if privilege != "-":
                    found.add(privilege)
        return found

    def version_ids(self, wire_version):
        """The version ids an API version includes; the newest served for an unknown one."""
        return self.versions.get(wire_version, self.newest)

    def method(self, managed_type, name):
        mtype = self.managed.get(managed_type)
        return mtype.methods.get(name) if mtype else None

    def is_managed_subtype(self, name, base):
        mtype = self.managed.get(name)
        return mtype is not None and base in mtype.ancestors

    def property_field(self, managed_type, path):
        """The declared Field of a property path on a managed type, or None."""
        key = (managed_type, path)
        field = self._property_fields.get(key)
        if field is None:
            field = self._property_field(managed_type, path)
            # only the schema's paths, without an item's key: what clients make up is not kept
            if field is not None and "[" not in path:
                self._property_fields[key] = field
        return field

    def _property_field(self, managed_type, path):
        mtype = self.managed.get(managed_type)
        if mtype is None:
            return None
        head, *rest = path.split(".")
        field = self._item_field(mtype.props.get(keyed_part(head)[0]), head)
        for part in rest:  # ("name." and "config..hardware" have an empty part: none)
            if field is None or field.kind != "data" or field.array:
                return None
            field = self._item_field(self.data[field.type].by_name.get(keyed_part(part)[0]),
                                     part)
        return field

    def _item_field(self, field, part):
        """``field``, or for ``name[key]`` the one item of its array that has that key."""
        if field is None or "[" not in part:
            return field
        if keyed_part(part)[1] is None or not field.array or field.kind != "data" or \
                "key" not in self.data[field.type].by_name:
            return None
        return Field(field.name, field.type, False, field.version, True)

    def slot_field(self, managed_type, path, value):
        """How a property value travels in an anyType slot (DynamicProperty.val, Fetch):
        as its declaration says, or as inferred from the value where none is known."""
        return self.property_field(managed_type, path) or infer_field(value)


def _infer_xsd(value):
    if isinstance(value, bool):
        return "xsd:boolean"
    if isinstance(value, int):
        return "xsd:int" if -2 ** 31 <= value < 2 ** 31 else "xsd:long"
    if isinstance(value, float):
        return "xsd:double"
    if isinstance(value, datetime):
        return "xsd:dateTime"
    return "xsd:string"


def infer_field(value):
    """The declared type an untyped anyType value travels as."""
    if isinstance(value, TypedValue):
        return Field("val", value.type, False, None, True)
    if isinstance(value, list):
        item = infer_field(value[0]) if value else Field("val", "xsd:string", False, None, True)
        item.array = True
        return item
    if isinstance(value, MoRef):
        return Field("val", "moref:" + value.type, False, None, True)
    if isinstance(value, DataObject):
        return Field("val", value._typeName, False, None, True)
    return Field("val", _infer_xsd(value), False, None, True)


REGISTRY = Registry()
