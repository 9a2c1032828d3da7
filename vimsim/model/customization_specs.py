"""CustomizationSpecManager: the named customization specifications a vCenter stores, and
their XML form (what the vSphere Client exports and imports).

One store for every surface: SOAP and VI/JSON call the vim25 methods here, REST's
customization specs and ``PUT .../guest/customization {"name": ...}`` read the same items,
and the fixture's ``customization_specs`` are created here at start. Each item keeps
vCenter's ``changeVersion`` (bumped by every change; a stale one fails an overwrite with
ConcurrentAccess) and ``lastUpdateTime``.
"""
import copy
import hashlib

from lxml import etree

from vimsim import compat
from vimsim.model import faults, guest_config
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25 import primitives, typedata
from vimsim.vim25.data import DataObject, MoRef, format_datetime
from vimsim.vim25.types import REGISTRY

# The guest families an identity customizes, as CustomizationSpecInfo.type names them.
SPEC_TYPES = {"CustomizationLinuxPrep": "Linux", "CustomizationCloudinitPrep": "Linux",
              "CustomizationSysprep": "Windows", "CustomizationSysprepText": "Windows"}
# Guests whose Sysprep tools vCenter 8.0 no longer carries (MissingWindowsCustResources).
NO_SYSPREP_GUESTS = ("win31Guest", "win95Guest", "win98Guest", "winMeGuest", "winNTGuest",
                     "win2000ProGuest", "win2000ServGuest", "win2000AdvServGuest")


class CustomizationSpecManager(ManagedObject):
    vim_type = "CustomizationSpecManager"
    persisted = ("items",)
    persisted_touched = True  # every change goes through store() or touches

    def __init__(self, vc, moid="CustomizationSpecManager"):
        super().__init__(vc, moid)
        self.items = {}  # name -> CustomizationSpecItem (the manager's own copies)

    # -- what other surfaces use ---------------------------------------------------------

    def spec(self, name):
        """The CustomizationSpec stored as ``name`` (a copy), or None."""
        item = self.items.get(name)
        return copy.deepcopy(item.spec) if item is not None else None

    def store(self, item):
        """Store ``item`` (a CustomizationSpecItem) under its name, as a new version."""
        item = copy.deepcopy(item)
        old = self.items.get(item.info.name)
        item.info.changeVersion = str(self._next_version(old))
        item.info.lastUpdateTime = self.vc.clock.now()
        self.items[item.info.name] = item
        self.vc.touch(self)

    def _next_version(self, old):
        # vCenter's changeVersion reads as the update's time in seconds; it only grows.
        now = int(self.vc.clock.time())
        return max(now, int(old.info.changeVersion) + 1) if old is not None else now

    # -- vim25 properties ----------------------------------------------------------------

    @vim_property
    def info(self, ctx):
        # the specs' names and descriptions are for those who may read the specs
        from vimsim.model import authorization  # which needs the managers' module first
        authorization.require(self.vc, ctx, None, REGISTRY.method(
            "CustomizationSpecManager", "GetCustomizationSpec").privilege)
        return [copy.copy(self.items[name].info) for name in sorted(self.items)]

    @vim_property
    def encryptionKey(self, ctx):
        # Stable per vCenter instance, as vCenter's key is; not a key that decrypts anything.
        digest = hashlib.sha256(self.vc.instance_uuid.encode()).digest() * 8
        return [b - 256 if b > 127 else b for b in digest]

    # -- vim25 methods -------------------------------------------------------------------

    def DoesCustomizationSpecExist(self, ctx, name):
        return name in self.items

    def GetCustomizationSpec(self, ctx, name):
        return copy.deepcopy(self._item(name))

    def CreateCustomizationSpec(self, ctx, item):
        self._check(item)
        if item.info.name in self.items:
            raise faults.AlreadyExists(name=item.info.name)
        self.store(item)

    def OverwriteCustomizationSpec(self, ctx, item):
        self._check(item)
        old = self._item(item.info.name)
        if item.info.changeVersion is not None and \
                item.info.changeVersion != old.info.changeVersion:
            raise faults.ConcurrentAccess()
        self.store(item)

    def DeleteCustomizationSpec(self, ctx, name):
        self._item(name)
        del self.items[name]
        self.vc.touch(self)

    def DuplicateCustomizationSpec(self, ctx, name, newName):
        item = copy.deepcopy(self._item(name))
        self._require_free(newName)
        item.info.name = newName
        self.store(item)

    def RenameCustomizationSpec(self, ctx, name, newName):
        item = self._item(name)
        self._require_free(newName)
        del self.items[name]
        item = copy.deepcopy(item)
        item.info.name = newName
        self.store(item)

    def CustomizationSpecItemToXml(self, ctx, item):
        return item_to_xml(item)

    def XmlToCustomizationSpecItem(self, ctx, specItemXml):
        return xml_to_item(specItemXml)

    def CheckCustomizationResources(self, ctx, guestOs):
        if guestOs not in REGISTRY.enums["VirtualMachineGuestOsIdentifier"]:
            raise faults.InvalidArgument(invalidProperty="guestOs")
        if not guest_config.customizable(guestOs):
            raise faults.UncustomizableGuest(uncustomizableGuestOS=guestOs)
        if guestOs in NO_SYSPREP_GUESTS:
            raise faults.MissingWindowsCustResources()

    # -- rules ---------------------------------------------------------------------------

    def _item(self, name):
        item = self.items.get(name)
        if item is None:
            raise faults.NotFound()
        return item

    def _require_free(self, name):
        if not name:
            raise faults.InvalidArgument(invalidProperty="newName")
        if name in self.items:
            raise faults.AlreadyExists(name=name)

    @staticmethod
    def _check(item):
        """What vCenter checks of an item it stores: a name, and a type that is the family
        of the spec's identity."""
        if not item.info.name:
            raise faults.InvalidArgument(invalidProperty="item.info.name")
        family = SPEC_TYPES.get(getattr(item.spec.identity, "_typeName", None))
        if item.info.type != family:
            raise faults.InvalidArgument(invalidProperty="item.info.type")


# -- the XML form --------------------------------------------------------------------------
# vCenter writes a spec item as a <ConfigRoot> document: each data object's vmodl type in
# <_type>, its set fields in name order, arrays as <_length>, <_type>T[]</_type> and
# <e id="i"> elements, plain values as text.

ROOT_TYPE = "CustomizationSpecItem"
_XSD_VMODL = {"xsd:string": "string", "xsd:boolean": "boolean", "xsd:int": "int",
              "xsd:long": "long", "xsd:short": "short", "xsd:byte": "byte",
              "xsd:double": "double", "xsd:float": "float", "xsd:dateTime": "vmodl.DateTime",
              "xsd:anyURI": "vmodl.URI", "xsd:base64Binary": "vmodl.Binary"}
_VMODL_DATA = None  # vmodl name -> vim25 data type name, built on first use


def vmodl_name(type_name):
    return typedata.DATA_VMODL_NAMES.get(type_name) or typedata.FAULT_VMODL_NAMES.get(
        type_name, type_name)


def data_type_of_vmodl(name):
    global _VMODL_DATA
    if _VMODL_DATA is None:
        _VMODL_DATA = {v: k for table in (typedata.DATA_VMODL_NAMES, typedata.FAULT_VMODL_NAMES)
                       for k, v in table.items()}
    return _VMODL_DATA.get(name)


def item_to_xml(item):
    root = etree.Element("ConfigRoot")
    _write_data(root, item)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        root, encoding="unicode", pretty_print=True)


def _text(value, field):
    if field.kind == "moref":
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if field.type == "xsd:dateTime":
        return format_datetime(value)
    return str(value)


def _write_data(el, obj):
    etree.SubElement(el, "_type").text = vmodl_name(obj._typeName)
    dtype = REGISTRY.data[obj._typeName]
    for field in sorted(dtype.all_fields, key=lambda f: f.name):
        value = getattr(obj, field.name, None)
        if value is None or (field.array and not value):
            continue
        child = etree.SubElement(el, field.name)
        if field.array:
            etree.SubElement(child, "_length").text = str(len(value))
            etree.SubElement(child, "_type").text = "%s[]" % (
                _XSD_VMODL.get(field.type) or vmodl_name(field.type))
            for i, item in enumerate(value):
                e = etree.SubElement(child, "e", id=str(i))
                _write_value(e, item, field)
        else:
            _write_value(child, value, field)


def _write_value(el, value, field):
    if isinstance(value, DataObject):
        _write_data(el, value)
    else:
        el.text = _text(value, field)


def _malformed(why):
    return faults.Fault.of("CustomizationFault", "The customization specification XML is not "
                           "valid: %s" % why)


def xml_to_item(text):
    try:  # as a request body is parsed: no DTD, no entities
        root = compat.parse_xml(text.encode("utf-8", "surrogatepass"))
    except compat.XmlRejected as exc:
        raise _malformed("it is not well-formed XML (%s)" % exc)
    if root.tag != "ConfigRoot":
        raise _malformed("the root element is %s, not ConfigRoot" % root.tag)
    item = _read_data(root, REGISTRY.data[ROOT_TYPE], "ConfigRoot")
    if not isinstance(item.info, DataObject) or not isinstance(item.spec, DataObject):
        raise _malformed("ConfigRoot needs an info and a spec")
    return item


def _read_data(el, declared, where):
    children = [c for c in el if isinstance(c.tag, str)]
    type_el = children[0] if children and children[0].tag == "_type" else None
    dtype = declared
    if type_el is not None:
        name = data_type_of_vmodl((type_el.text or "").strip())
        dtype = REGISTRY.data.get(name) if name else None
        if dtype is None or not dtype.is_a(declared.name):
            raise _malformed("%s: %s is not a %s" % (where, type_el.text,
                                                     vmodl_name(declared.name)))
        children = children[1:]
    fields = {}
    for child in children:
        field = dtype.by_name.get(child.tag)
        if field is None:
            raise _malformed("%s: %s has no field %s" % (where, vmodl_name(dtype.name),
                                                         child.tag))
        path = "%s.%s" % (where, child.tag)
        if field.array:
            items = [e for e in child if isinstance(e.tag, str) and e.tag == "e"]
            fields[child.tag] = [_read_value(e, field, "%s[%d]" % (path, i))
                                 for i, e in enumerate(items)]
        else:
            fields[child.tag] = _read_value(child, field, path)
    for field in dtype.all_fields:
        if not field.optional and field.name not in fields:
            raise _malformed("%s: %s needs %s" % (where, vmodl_name(dtype.name), field.name))
    return DataObject.of(dtype.name, fields)


def _read_value(el, field, where):
    if field.kind == "data":
        return _read_data(el, REGISTRY.data[field.type], where)
    text = el.text or ""
    if field.kind == "moref":
        return MoRef(field.type, text.strip())
    if field.kind == "enum":
        if text.strip() not in REGISTRY.enums[field.type]:
            raise _malformed("%s: %r is not a %s" % (where, text, field.type))
        return text.strip()
    try:  # as a SOAP request's values are read: ranges, XML Schema's forms, no NaN
        return primitives.from_text(text, field.type)
    except primitives.BadValue as exc:
        raise _malformed("%s: %s" % (where, exc))
