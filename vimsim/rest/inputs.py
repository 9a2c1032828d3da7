"""The Automation API's input structures as vCenter declares them, and the one check of a
request's JSON against them: a value of the wrong JSON type, a string XML cannot carry, a
number out of range or a value its enumeration lacks is refused with 400 INVALID_ARGUMENT
before the operation runs, as vAPI's bindings refuse it ("Bad cast: STRUCTURE -> String").

Only what vimsim reads is declared; fields it does not read are not checked (vAPI ignores
fields a newer client sends)."""
import ipaddress

from vimsim.rest import errors
from vimsim.vim25 import primitives


class Struct:
    def __init__(self, vapi_name, /, **fields):  # positional: a field may be called "name"
        self.name, self.fields = vapi_name, fields


class ListOf:
    def __init__(self, item):
        self.item = item


class Enum:
    def __init__(self, name, *values):
        self.name, self.values = name, values


STRING, LONG, BOOLEAN, IPV4 = "String", "Long", "Boolean", "Ipv4Address"

_G = "com.vmware.vcenter.guest."
HOSTNAME = Struct(_G + "HostnameGenerator", type=Enum(
    _G + "HostnameGenerator.Type", "FIXED", "PREFIX", "VIRTUAL_MACHINE", "USER_INPUT_REQUIRED"),
    fixed_name=STRING, prefix=STRING)
GUEST_CONFIGURATION = Struct(_G + "LinuxConfiguration", hostname=HOSTNAME, domain=STRING)
IPV4_SETTINGS = Struct(
    _G + "Ipv4", type=Enum(_G + "Ipv4.Type", "DHCP", "STATIC", "USER_INPUT_REQUIRED"),
    ip_address=IPV4, prefix=LONG, gateways=ListOf(IPV4))
ADAPTER_MAPPING = Struct(_G + "AdapterMapping", mac_address=STRING,
                         adapter=Struct(_G + "IPSettings", ipv4=IPV4_SETTINGS))
CUSTOMIZATION_SPEC = Struct(
    _G + "CustomizationSpec",
    configuration_spec=Struct(_G + "ConfigurationSpec", linux_config=GUEST_CONFIGURATION,
                              windows_config=GUEST_CONFIGURATION),
    global_DNS_settings=Struct(_G + "GlobalDNSSettings", dns_suffix_list=ListOf(STRING),
                               dns_servers=ListOf(STRING)),
    interfaces=ListOf(ADAPTER_MAPPING))
SET_SPEC = Struct("com.vmware.vcenter.vm.guest.CustomizationSetSpec", name=STRING,
                  spec=CUSTOMIZATION_SPEC)
HELLO = Struct("com.vmware.vcenter.system.HelloSpec", api_releases=ListOf(STRING))
# The list filters vimsim reads, for every inventory kind (com.vmware.vcenter.VM.FilterSpec,
# ...Host.FilterSpec and the rest).
LIST_FILTER = Struct("com.vmware.vcenter.FilterSpec", standalone=BOOLEAN, type=STRING, **{
    name: ListOf(STRING) for name in (
        "vms", "hosts", "datastores", "networks", "datacenters", "clusters", "folders",
        "resource_pools", "parent_folders", "parent_resource_pools", "names", "power_states",
        "connection_states", "types")})

# vAPI's names for a JSON value's type in "Bad cast: <found> -> <declared>".
_VAPI_KIND = {dict: "STRUCTURE", list: "LIST", str: "STRING", bool: "BOOLEAN", int: "INTEGER",
              float: "DOUBLE"}


def check(operation, value, declared, path):
    """``value`` if it is what ``declared`` allows (None: an unset optional field), else the
    INVALID_ARGUMENT vCenter answers for ``operation`` naming the field at ``path``."""
    causes = _problem(value, declared, path)
    if causes is not None:
        raise errors.invalid_input(operation, causes)
    return value


def _problem(value, declared, path):
    if value is None:
        return None
    cls = value.__class__
    if isinstance(declared, Struct):
        if cls is not dict:
            return _cast(value, declared.name, path)
        for name, sub in declared.fields.items():
            found = _problem(value.get(name), sub, "%s.%s" % (path, name))
            if found is not None:
                return found
        return None
    if isinstance(declared, ListOf):
        if cls is not list:
            return _cast(value, "List", path)
        for i, item in enumerate(value):
            found = _problem(item, declared.item, "%s[%d]" % (path, i))
            if found is not None:
                return found
        return None
    if declared == LONG:
        if cls is not int:
            return _cast(value, LONG, path)
        low, high = primitives.INT_RANGES["xsd:long"]
        return None if low <= value <= high else _invalid(path, "is out of range")
    if declared == BOOLEAN:
        return None if cls is bool else _cast(value, BOOLEAN, path)
    if cls is not str:  # STRING, IPV4 and enumerations
        return _cast(value, declared.name if isinstance(declared, Enum) else STRING, path)
    bad = primitives.NOT_XML.search(value)
    if bad is not None:
        return _invalid(path, "holds U+%04X, a character XML 1.0 cannot carry"
                        % ord(bad.group()))
    if isinstance(declared, Enum) and value not in declared.values:
        return _invalid(path, "is not one of %s" % ", ".join(declared.values))
    if declared == IPV4:
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            return _invalid(path, "is not an IPv4 address")
    return None


def _cast(value, declared, path):
    found = _VAPI_KIND.get(value.__class__, "OPTIONAL")
    return [("vapi.data.bad.cast2", "Bad cast: %s -> %s" % (found, declared), [found, declared]),
            ("com.vmware.vapi.std.errors.invalid_argument",
             "Invalid value for field %s." % primitives.xml_safe(path), [path])]


def _invalid(path, problem):
    return [("com.vmware.vapi.std.errors.invalid_argument",
             "The value of field %s %s." % (primitives.xml_safe(path), problem), [path])]
