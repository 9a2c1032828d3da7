"""The Automation API's guest customization specs (com.vmware.vcenter.guest) as vim25
CustomizationSpecs and back: what vCenter translates between its REST API and the
CustomizationSpecManager and CustomizeVM_Task underneath. The REST form is checked at the
codec, against ``vimsim.rest.inputs.CUSTOMIZATION_SPEC``, before it is translated.
"""
import ipaddress
import json

from vimsim.model.customization_specs import item_to_xml
from vimsim.vim25.data import DataObject

HOSTNAME_TYPES = {"FIXED": "CustomizationFixedName", "PREFIX": "CustomizationPrefixName",
                  "VIRTUAL_MACHINE": "CustomizationVirtualMachineName",
                  "USER_INPUT_REQUIRED": "CustomizationUnknownName"}
IPV4_TYPES = {"DHCP": "CustomizationDhcpIpGenerator", "STATIC": "CustomizationFixedIp",
              "USER_INPUT_REQUIRED": "CustomizationUnknownIpGenerator"}
IPV6_TYPES = {"DHCP": "CustomizationDhcpIpV6Generator", "STATIC": "CustomizationFixedIpV6",
              "USER_INPUT_REQUIRED": "CustomizationUnknownIpV6Generator"}
REBOOT = {"REBOOT": "reboot", "NO_REBOOT": "noreboot", "SHUTDOWN": "shutdown"}
NETBIOS = {"USE_DHCP": "enableNetBIOSViaDhcp", "ENABLE": "enableNetBIOS",
           "DISABLE": "disableNetBIOS"}
OS_TYPES = {"Linux": "LINUX", "Windows": "WINDOWS"}


def _reverse(table):
    return {v: k for k, v in table.items()}


# -- REST -> vim25 --------------------------------------------------------------------------

def to_vim(spec):
    """The vim25 CustomizationSpec of a (checked) REST CustomizationSpec."""
    config = spec["configuration_spec"]
    dns = spec.get("global_DNS_settings") or {}
    return DataObject(
        "CustomizationSpec", identity=_identity(config), options=_options(config),
        globalIPSettings=DataObject("CustomizationGlobalIPSettings",
                                    dnsSuffixList=dns.get("dns_suffix_list"),
                                    dnsServerList=dns.get("dns_servers")),
        nicSettingMap=[_adapter_mapping(i) for i in spec.get("interfaces") or ()])


def _name(generator):
    kind = HOSTNAME_TYPES[generator["type"]]
    if generator["type"] == "FIXED":
        return DataObject(kind, name=generator.get("fixed_name"))
    if generator["type"] == "PREFIX":
        return DataObject(kind, base=generator.get("prefix"))
    return DataObject(kind)


def _password(value):
    return DataObject("CustomizationPassword", value=value, plainText=True) \
        if value is not None else None


def _identity(config):
    if config.get("linux_config"):
        linux = config["linux_config"]
        return DataObject("CustomizationLinuxPrep", hostName=_name(linux["hostname"]),
                          domain=linux["domain"], timeZone=linux.get("time_zone"),
                          scriptText=linux.get("script_text"),
                          compatibleCustomizationMethod=linux.get(
                              "compatible_customization_method"))
    if config.get("cloud_config"):
        cloudinit = config["cloud_config"].get("cloudinit") or {}
        return DataObject("CustomizationCloudinitPrep", metadata=cloudinit.get("metadata", ""),
                          userdata=cloudinit.get("userdata"))
    windows = config["windows_config"]
    if windows.get("sysprep_xml"):
        return DataObject("CustomizationSysprepText", value=windows["sysprep_xml"])
    sysprep = windows.get("sysprep") or {}
    gui, user = sysprep.get("gui_unattended") or {}, sysprep.get("user_data") or {}
    domain = sysprep.get("domain") or {"type": "WORKGROUP", "workgroup": "WORKGROUP"}
    identification = DataObject("CustomizationIdentification")
    if domain["type"] == "DOMAIN":
        identification.joinDomain = domain.get("domain")
        identification.domainAdmin = domain.get("domain_username")
        identification.domainAdminPassword = _password(domain.get("domain_password"))
        identification.domainOU = domain.get("domain_OU")
    else:
        identification.joinWorkgroup = domain.get("workgroup")
    commands = sysprep.get("gui_run_once_commands")
    return DataObject(
        "CustomizationSysprep",
        guiUnattended=DataObject("CustomizationGuiUnattended",
                                 autoLogon=gui.get("auto_logon", False),
                                 autoLogonCount=gui.get("auto_logon_count", 0),
                                 password=_password(gui.get("password")),
                                 timeZone=gui.get("time_zone", 85)),
        userData=DataObject("CustomizationUserData",
                            computerName=_name(user.get("computer_name") or
                                               {"type": "VIRTUAL_MACHINE"}),
                            fullName=user.get("full_name", ""),
                            orgName=user.get("organization", ""),
                            productId=user.get("product_key", "")),
        guiRunOnce=DataObject("CustomizationGuiRunOnce", commandList=commands)
        if commands else None,
        identification=identification)


def _options(config):
    windows = config.get("windows_config")
    if windows and not windows.get("sysprep_xml"):
        return DataObject("CustomizationWinOptions", changeSID=True, deleteAccounts=False,
                          reboot=REBOOT[windows.get("reboot", "REBOOT")])
    return DataObject("CustomizationLinuxOptions") if config.get("linux_config") else None


def _mask(prefix):
    return str(ipaddress.IPv4Network("0.0.0.0/%d" % prefix).netmask)


def _adapter_mapping(interface):
    adapter = interface["adapter"]
    settings = DataObject("CustomizationIPSettings")
    ipv4 = adapter.get("ipv4")
    if ipv4:
        settings.ip = DataObject(IPV4_TYPES[ipv4["type"]])
        if ipv4["type"] == "STATIC":
            settings.ip.ipAddress = ipv4.get("ip_address")
            if ipv4.get("prefix") is not None:
                settings.subnetMask = _mask(ipv4["prefix"])
        settings.gateway = ipv4.get("gateways")
    else:
        settings.ip = DataObject("CustomizationDhcpIpGenerator")
    ipv6 = adapter.get("ipv6")
    if ipv6:
        kind = IPV6_TYPES[ipv6["type"]]
        generators = [DataObject(kind, ipAddress=a["ip_address"], subnetMask=a["prefix"])
                      for a in ipv6.get("ipv6") or ()] if ipv6["type"] == "STATIC" \
            else [DataObject(kind)]
        settings.ipV6Spec = DataObject("CustomizationIPSettingsIpV6AddressSpec",
                                       ip=generators, gateway=ipv6.get("gateways"))
    windows = adapter.get("windows") or {}
    wins = windows.get("wins_servers") or []
    settings.dnsServerList = windows.get("dns_servers")
    settings.dnsDomain = windows.get("dns_domain")
    settings.primaryWINS = wins[0] if wins else None
    settings.secondaryWINS = wins[1] if len(wins) > 1 else None
    settings.netBIOS = NETBIOS.get(windows.get("net_BIOS_mode"))
    return DataObject("CustomizationAdapterMapping", macAddress=interface.get("mac_address"),
                      adapter=settings)


# -- vim25 -> REST --------------------------------------------------------------------------
# As vCenter answers: passwords are never read back.

def from_vim(spec):
    """The REST CustomizationSpec of a vim25 one (what GET and export answer)."""
    ip_settings = spec.globalIPSettings
    out = {"configuration_spec": _configuration(spec), "global_DNS_settings": _drop_none({
        "dns_suffix_list": getattr(ip_settings, "dnsSuffixList", None) or None,
        "dns_servers": getattr(ip_settings, "dnsServerList", None) or None}),
        "interfaces": [_interface(m) for m in spec.nicSettingMap or ()]}
    return out


def _drop_none(d):
    return {k: v for k, v in d.items() if v is not None}


def _generator(name):
    kind = _reverse(HOSTNAME_TYPES).get(getattr(name, "_typeName", None), "USER_INPUT_REQUIRED")
    out = {"type": kind}
    if kind == "FIXED":
        out["fixed_name"] = name.name
    elif kind == "PREFIX":
        out["prefix"] = name.base
    return out


def _configuration(spec):
    identity = spec.identity
    kind = identity._typeName
    if kind == "CustomizationLinuxPrep":
        return {"linux_config": _drop_none({
            "hostname": _generator(identity.hostName), "domain": identity.domain or "",
            "time_zone": identity.timeZone, "script_text": identity.scriptText,
            "compatible_customization_method": identity.compatibleCustomizationMethod})}
    if kind == "CustomizationCloudinitPrep":
        return {"cloud_config": {"type": "CLOUDINIT", "cloudinit": _drop_none({
            "metadata": identity.metadata, "userdata": identity.userdata})}}
    if kind == "CustomizationSysprepText":
        return {"windows_config": {"sysprep_xml": identity.value}}
    gui, user, ident = identity.guiUnattended, identity.userData, identity.identification
    domain = {"type": "DOMAIN", "domain": ident.joinDomain,
              "domain_username": ident.domainAdmin, "domain_OU": ident.domainOU} \
        if ident is not None and ident.joinDomain else \
        {"type": "WORKGROUP", "workgroup": getattr(ident, "joinWorkgroup", None)}
    reboot = _reverse(REBOOT).get(getattr(spec.options, "reboot", None), "REBOOT")
    return {"windows_config": {"reboot": reboot, "sysprep": _drop_none({
        "gui_run_once_commands": getattr(identity.guiRunOnce, "commandList", None),
        "user_data": {"computer_name": _generator(user.computerName),
                      "full_name": user.fullName or "", "organization": user.orgName or "",
                      "product_key": user.productId or ""},
        "domain": _drop_none(domain),
        "gui_unattended": {"auto_logon": bool(gui.autoLogon),
                           "auto_logon_count": gui.autoLogonCount or 0,
                           "time_zone": gui.timeZone or 0}})}}


def _prefix(mask):
    try:
        return ipaddress.IPv4Network("0.0.0.0/%s" % mask).prefixlen
    except ValueError:
        return None


def _interface(mapping):
    settings = mapping.adapter
    ip = settings.ip
    ipv4 = {"type": _reverse(IPV4_TYPES).get(getattr(ip, "_typeName", None), "DHCP")}
    if ipv4["type"] == "STATIC":
        ipv4["ip_address"] = ip.ipAddress
        if settings.subnetMask:
            ipv4["prefix"] = _prefix(settings.subnetMask)
    if settings.gateway:
        ipv4["gateways"] = list(settings.gateway)
    adapter = {"ipv4": ipv4}
    v6 = settings.ipV6Spec
    if v6 is not None and v6.ip:
        kind = _reverse(IPV6_TYPES).get(v6.ip[0]._typeName, "DHCP")
        adapter["ipv6"] = _drop_none({
            "type": kind, "gateways": list(v6.gateway) if v6.gateway else None,
            "ipv6": [{"ip_address": g.ipAddress, "prefix": g.subnetMask} for g in v6.ip]
            if kind == "STATIC" else None})
    wins = [w for w in (settings.primaryWINS, settings.secondaryWINS) if w]
    windows = _drop_none({"dns_servers": list(settings.dnsServerList)
                          if settings.dnsServerList else None,
                          "dns_domain": settings.dnsDomain, "wins_servers": wins or None,
                          "net_BIOS_mode": _reverse(NETBIOS).get(settings.netBIOS)})
    if windows:
        adapter["windows"] = windows
    return _drop_none({"mac_address": mapping.macAddress, "adapter": adapter})


def os_type(item):
    return OS_TYPES.get(item.info.type, "LINUX")


def export(item, fmt):
    """The spec item as the export operation writes it: vCenter's XML, or the JSON of the
    REST Spec."""
    if fmt == "XML":
        return item_to_xml(item)
    return json.dumps({"name": item.info.name, "description": item.info.description or "",
                       "spec": from_vim(item.spec)}, sort_keys=True)
