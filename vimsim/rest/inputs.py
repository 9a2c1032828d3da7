"""The Automation API's input structures as vCenter declares them, and the one check of a
request's JSON against them: a value of the wrong JSON type, a string XML cannot carry, a
number out of range or a value its enumeration lacks is refused with 400 INVALID_ARGUMENT
before the operation runs, as vAPI's bindings refuse it ("Bad cast: STRUCTURE -> String");
so is a missing required field, and a field a closed structure (a customization spec) does
not declare. A null is an unset field.

Elsewhere only what vimsim reads is declared; fields it does not read are not checked (vAPI
ignores fields a newer client sends)."""
import ipaddress

from vimsim.model import guest_config, vm_devices
from vimsim.rest import errors
from vimsim.vim25 import primitives


class Struct:
    """A vAPI structure: its fields (name -> declared type) and the rules vCenter applies to
    a value of it: ``required`` fields, ``closed`` (a field it does not declare is refused),
    ``one_of`` (exactly one of these fields is set), ``some_of`` (at least one is) and
    ``needs`` ((field, value) -> the fields that value makes required)."""

    def __init__(self, vapi_name, fields=None, required=(), closed=False, one_of=(), some_of=(),
                 needs=None, **named_fields):
        # fields as a dict, or (where no name clashes with the rules) as keywords
        self.name, self.fields, self.required = vapi_name, fields or named_fields, required
        self.closed, self.one_of, self.some_of = closed, one_of, some_of
        self.needs = needs or {}


class ListOf:
    def __init__(self, item, max_items=None):
        self.item, self.max_items = item, max_items


class Enum:
    def __init__(self, name, *values):
        self.name, self.values = name, values


class Text:
    """A string: characters XML 1.0 can carry, and what ``valid`` (a predicate) accepts,
    else "is <problem>"; at most ``max_length`` characters."""

    def __init__(self, name="String", valid=None, problem=None, max_length=None):
        self.name, self.valid, self.problem, self.max_length = name, valid, problem, max_length


class Long:
    def __init__(self, low, high):
        self.low, self.high = low, high


def _address(*versions):
    def valid(value):
        try:
            return ipaddress.ip_address(value).version in versions
        except ValueError:
            return False
    return valid


BOOLEAN = "Boolean"
STRING = Text()
LONG = Long(*primitives.INT_RANGES["xsd:long"])
IPV4 = Text("Ipv4Address", _address(4), "not an IPv4 address")
IPV6 = Text("Ipv6Address", _address(6), "not an IPv6 address")
IP = Text("IpAddress", _address(4, 6), "not an IPv4 or IPv6 address")
TEXT = Text(max_length=4096)  # what a customization spec's strings may hold
MAC = Text(valid=vm_devices.MAC.fullmatch, problem="not a MAC address")
INT32 = Long(0, 2 ** 31 - 1)

# com.vmware.vcenter.guest: the CustomizationSpec and its parts, as vCenter checks them.
_G = "com.vmware.vcenter.guest."
HOSTNAME = Struct(_G + "HostnameGenerator", dict(
    type=Enum(_G + "HostnameGenerator.Type", "FIXED", "PREFIX", "VIRTUAL_MACHINE",
              "USER_INPUT_REQUIRED"),
    fixed_name=Text(valid=guest_config.HOST_NAME.fullmatch,
                    problem="not a host name (letters, digits and '-', at most 63)"),
    prefix=Text(valid=guest_config.HOST_NAME.fullmatch,
                problem="not a host name prefix (letters, digits and '-', at most 63)")),
    required=("type",), closed=True,
    needs={("type", "FIXED"): ("fixed_name",), ("type", "PREFIX"): ("prefix",)})
LINUX_CONFIGURATION = Struct(_G + "LinuxConfiguration", dict(
    hostname=HOSTNAME, domain=TEXT, time_zone=TEXT, script_text=TEXT,
    compatible_customization_method=TEXT), required=("hostname", "domain"), closed=True)
SYSPREP = Struct(_G + "WindowsSysprep", dict(
    gui_run_once_commands=ListOf(TEXT, 64),
    user_data=Struct(_G + "UserData", dict(
        computer_name=HOSTNAME, full_name=TEXT, organization=TEXT, product_key=TEXT),
        required=("computer_name", "full_name", "organization", "product_key"), closed=True),
    domain=Struct(_G + "Domain", dict(
        type=Enum(_G + "Domain.Type", "WORKGROUP", "DOMAIN"), workgroup=TEXT, domain=TEXT,
        domain_username=TEXT, domain_password=TEXT, domain_OU=TEXT),
        required=("type",), closed=True),
    gui_unattended=Struct(_G + "GuiUnattended", dict(
        auto_logon=BOOLEAN, auto_logon_count=INT32, password=TEXT, time_zone=INT32),
        required=("auto_logon", "auto_logon_count", "time_zone"), closed=True)),
    required=("user_data", "gui_unattended"), closed=True)
WINDOWS_CONFIGURATION = Struct(_G + "WindowsConfiguration", dict(
    reboot=Enum(_G + "WindowsConfiguration.RebootOption", "REBOOT", "NO_REBOOT", "SHUTDOWN"),
    sysprep=SYSPREP, sysprep_xml=TEXT), closed=True, some_of=("reboot", "sysprep",
                                                               "sysprep_xml"))
CLOUD_CONFIGURATION = Struct(_G + "CloudConfiguration", dict(
    type=Enum(_G + "CloudConfiguration.Type", "CLOUDINIT"),
    cloudinit=Struct(_G + "CloudinitConfiguration", dict(metadata=TEXT, userdata=TEXT),
                     required=("metadata",), closed=True)), required=("type",), closed=True)
IP_TYPE = Enum(_G + "Ipv4.Type", "DHCP", "STATIC", "USER_INPUT_REQUIRED")
IPV4_SETTINGS = Struct(_G + "Ipv4", dict(
    type=IP_TYPE, ip_address=IPV4, prefix=Long(0, 32), gateways=ListOf(IPV4, 16)),
    required=("type",), closed=True, needs={("type", "STATIC"): ("ip_address", "prefix")})
IPV6_SETTINGS = Struct(_G + "Ipv6", dict(
    type=Enum(_G + "Ipv6.Type", *IP_TYPE.values),
    ipv6=ListOf(Struct(_G + "Ipv6Address", dict(ip_address=IPV6, prefix=Long(0, 128)),
                       required=("ip_address", "prefix"), closed=True), 16),
    gateways=ListOf(IPV6, 16)), required=("type",), closed=True)
WINDOWS_IP_SETTINGS = Struct(_G + "WindowsNetworkAdapterSettings", dict(
    dns_servers=ListOf(IP, 16), dns_domain=TEXT, wins_servers=ListOf(IP, 2),
    net_BIOS_mode=Enum(_G + "WindowsNetworkAdapterSettings.NetBIOSMode", "USE_DHCP", "ENABLE",
                       "DISABLE")), closed=True)
ADAPTER_MAPPING = Struct(_G + "AdapterMapping", dict(
    mac_address=MAC, adapter=Struct(_G + "IPSettings", dict(
        ipv4=IPV4_SETTINGS, ipv6=IPV6_SETTINGS, windows=WINDOWS_IP_SETTINGS), closed=True)),
    required=("adapter",), closed=True)
CUSTOMIZATION_SPEC = Struct(_G + "CustomizationSpec", dict(
    configuration_spec=Struct(_G + "ConfigurationSpec", dict(
        windows_config=WINDOWS_CONFIGURATION, linux_config=LINUX_CONFIGURATION,
        cloud_config=CLOUD_CONFIGURATION), closed=True,
        one_of=("windows_config", "linux_config", "cloud_config")),
    global_DNS_settings=Struct(_G + "GlobalDNSSettings", dict(
        dns_suffix_list=ListOf(TEXT, 64), dns_servers=ListOf(IP, 64)), closed=True),
    interfaces=ListOf(ADAPTER_MAPPING, 64)),
    required=("configuration_spec", "interfaces"), closed=True)
SET_SPEC = Struct("com.vmware.vcenter.vm.guest.CustomizationSetSpec",
                  dict(name=STRING, spec=CUSTOMIZATION_SPEC), closed=True)
# A named spec as the customization-specs service takes it (CreateSpec, Spec on set).
NAMED_SPEC = Struct(_G + "CustomizationSpecs.CreateSpec", dict(
    name=STRING, description=STRING, fingerprint=STRING, spec=CUSTOMIZATION_SPEC),
    required=("spec",), closed=True)
SPECS_FILTER = Struct(_G + "CustomizationSpecs.FilterSpec",
                      dict(names=ListOf(STRING), OS_type=Enum("OsType", "WINDOWS", "LINUX")))
HELLO = Struct("com.vmware.vcenter.system.HelloSpec", dict(api_releases=ListOf(STRING)))
# The list filters vimsim reads, for every inventory kind (com.vmware.vcenter.VM.FilterSpec,
# ...Host.FilterSpec and the rest).
LIST_FILTER = Struct("com.vmware.vcenter.FilterSpec", dict(standalone=BOOLEAN, type=STRING, **{
    name: ListOf(STRING) for name in (
        "vms", "hosts", "datastores", "networks", "datacenters", "clusters", "folders",
        "resource_pools", "parent_folders", "parent_resource_pools", "names", "power_states",
        "connection_states", "types")}))

# vAPI's names for a JSON value's type in "Bad cast: <found> -> <declared>".
_VAPI_KIND = {dict: "STRUCTURE", list: "LIST", str: "STRING", bool: "BOOLEAN", int: "INTEGER",
              float: "DOUBLE"}


def check(operation, value, declared, path, required=False):
    """``value`` if it is what ``declared`` allows (None: an unset optional field, unless
    ``required``), else the INVALID_ARGUMENT vCenter answers for ``operation`` naming the
    field at ``path``."""
    if value is None and required:
        raise errors.invalid_input(operation, [(
            "vapi.data.structure.field.missing", "Field %s missing from structure %s"
            % (path, operation), [path, operation])])
    causes = _problem(value, declared, path)
    if causes is not None:
        raise errors.invalid_input(operation, causes)
    return value


def _problem(value, declared, path):
    if value is None:
        return None
    cls = value.__class__
    if isinstance(declared, Struct):
        return _cast(value, declared.name, path) if cls is not dict else \
            _struct_problem(value, declared, path)
    if isinstance(declared, ListOf):
        if cls is not list:
            return _cast(value, "List", path)
        if declared.max_items is not None and len(value) > declared.max_items:
            return _invalid(path, "has more than %d items" % declared.max_items)
        for i, item in enumerate(value):
            found = _problem(item, declared.item, "%s[%d]" % (path, i))
            if found is not None:
                return found
        return None
    if isinstance(declared, Long):
        if cls is not int:
            return _cast(value, "Long", path)
        return None if declared.low <= value <= declared.high else \
            _invalid(path, "is out of range (%d to %d)" % (declared.low, declared.high))
    if declared == BOOLEAN:
        return None if cls is bool else _cast(value, BOOLEAN, path)
    if cls is not str:  # text and enumerations
        return _cast(value, declared.name, path)
    bad = primitives.NOT_XML.search(value)
    if bad is not None:
        return _invalid(path, "holds U+%04X, a character XML 1.0 cannot carry"
                        % ord(bad.group()))
    if isinstance(declared, Enum):
        return None if value in declared.values else \
            _invalid(path, "is not one of %s" % ", ".join(declared.values))
    if declared.max_length is not None and len(value) > declared.max_length:
        return _invalid(path, "is longer than %d characters" % declared.max_length)
    if declared.valid is not None and not declared.valid(value):
        return _invalid(path, "is " + declared.problem)
    return None


def _struct_problem(value, declared, path):
    if declared.closed:
        unknown = sorted(k for k in value if k not in declared.fields)
        if unknown:
            return _invalid("%s.%s" % (path, unknown[0]), "is not a field of %s"
                            % declared.name)
    required = list(declared.required)
    for (field, given), needed in declared.needs.items():
        if value.get(field) == given:
            required += needed
    for name in required:
        if value.get(name) is None:
            return [("vapi.data.structure.field.missing", "Field %s missing from structure %s"
                     % (name, declared.name), [name, declared.name])]
    if declared.one_of and sum(value.get(k) is not None for k in declared.one_of) != 1:
        return _invalid(path, "needs exactly one of %s" % ", ".join(declared.one_of))
    if declared.some_of and all(value.get(k) is None for k in declared.some_of):
        return _invalid(path, "needs one of %s" % ", ".join(declared.some_of))
    for name, sub in declared.fields.items():
        found = _problem(value.get(name), sub, "%s.%s" % (path, name))
        if found is not None:
            return found
    return None


def _cast(value, declared, path):
    found = _VAPI_KIND.get(value.__class__, "OPTIONAL")
    return [("vapi.data.bad.cast2", "Bad cast: %s -> %s" % (found, declared), [found, declared]),
            ("com.vmware.vapi.std.errors.invalid_argument",
             "Invalid value for field %s." % primitives.xml_safe(path), [path])]


def _invalid(path, problem):
    return [("com.vmware.vapi.std.errors.invalid_argument",
             "The value of field %s %s." % (primitives.xml_safe(path), problem), [path])]
