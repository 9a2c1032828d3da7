"""What a guest customization makes of the guest, and what VMware Tools reports of it.

A CustomizationSpec's identity (CustomizationLinuxPrep, CustomizationSysprep,
CustomizationSysprepText, CustomizationCloudinitPrep) gives the guest its host name and domain;
its NIC settings (``nicSettingMap``, ``globalIPSettings``) its addresses, gateways and DNS. vCenter
resolves the name and address generators when it deploys the spec: what it cannot resolve is a
fault then (``deploy_fault``). The guest applies the rest when the customization succeeds
(``apply``); a VM keeps the outcome as plain data (``vm.guest_config``), which the views of
``guest.net`` and ``guest.ipStack`` read.
"""
import ipaddress
import json
import re

import yaml

from vimsim.model import faults, guest
from vimsim.vim25.data import DataObject

# Where the guest's customization log is: CustomizationEvent.logLocation.
LINUX_LOG = "/var/log/vmware-imc/toolsDeployPkg.log"
WINDOWS_LOG = r"C:\Windows\TEMP\vmware-imc\guestcust.log"
CLOUDINIT_LOG = "/var/log/cloud-init.log"

UNKNOWN_MESSAGE = ("The customization specification leaves %s to be given at deploy time "
                   "(%s); vCenter cannot deploy it without that value.")
GENERATOR_MESSAGE = ("An error occurred while running the IP/hostname generator application: "
                     "no generator is configured (vpxd.cfg's vpxd/name-ip-generator) for %s.")
MAC_MISMATCH_MESSAGE = ("MAC address mismatch: the customization specification names the "
                        "network adapter %s, which the virtual machine does not have.")
SCRIPT_DISABLED_MESSAGE = ("User defined script is disabled in the guest: the customization "
                           "was not run.")
WINDOWS_NAME_LIMIT, LINUX_NAME_LIMIT = 15, 63
# A fixed host or computer name: letters, digits and "-" (no "_", space or dot), at most 63
HOST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}")


# Guest OS identifiers of the Linux distributions vCenter's Linux customization knows.
LINUX_GUESTS = ("almalinux", "amazonlinux", "asianux", "centos", "coreos", "debian", "fedora",
                "flatcar", "fusionos", "genericLinux", "kylinlinux", "mandrake", "mandriva",
                "miraclelinux", "nld", "oes", "opensuse", "oracleLinux", "pardus", "prolinux",
                "redhat", "rhel", "rockylinux", "sles", "suse", "turboLinux", "ubuntu",
                "vmwarePhoton")


def is_windows(vm):
    return vm.guest_family == "windowsGuest" or "win" in vm.guest_id.lower()


def customizable(guest_id):
    """Whether vCenter customizes a guest of ``guest_id`` at all: Windows and Linux guests,
    not macOS, FreeBSD, Solaris, NetWare, DOS, OS/2, ESXi or "other" guests."""
    return guest_id.startswith("win") or guest_id.startswith(LINUX_GUESTS) or \
        (guest_id.startswith("other") and "Linux" in guest_id)


def sysprep_versions(vm):
    """CustomizationSysprepFailed's sysprepVersion and systemVersion for ``vm``'s guest."""
    return {"sysprepVersion": "3.14", "systemVersion": vm.guest_full_name}


def log_location(vm, identity):
    if identity is not None and identity._typeName == "CustomizationCloudinitPrep":
        return CLOUDINIT_LOG
    return WINDOWS_LOG if is_windows(vm) else LINUX_LOG


# -- what vCenter resolves when it deploys a spec --------------------------------------------


def _name_generator(identity):
    """(property path, CustomizationName) of the identity's host name generator, or None."""
    if identity is None:
        return None
    if identity._typeName == "CustomizationLinuxPrep":
        return "spec.identity.hostName", identity.hostName
    if identity._typeName == "CustomizationSysprep" and identity.userData is not None:
        return "spec.identity.userData.computerName", identity.userData.computerName
    return None


def _generator_fault(path, generator):
    kind = getattr(generator, "_typeName", "")
    if kind in ("CustomizationUnknownName", "CustomizationUnknownIpGenerator",
                "CustomizationUnknownIpV6Generator"):
        return faults.CustomizationFault(UNKNOWN_MESSAGE % (path, kind))
    if kind in ("CustomizationCustomName", "CustomizationCustomIpGenerator",
                "CustomizationCustomIpV6Generator"):
        return faults.IpHostnameGeneratorError(GENERATOR_MESSAGE % path)
    return None


def deploy_fault(spec):
    """The fault vCenter meets resolving ``spec``'s generators (a name or address the user was
    to give, or one an external generator makes, which vimsim's vCenter has none of), or one
    of its cloud-init data that is neither JSON nor YAML; None."""
    named = _name_generator(spec.identity)
    if named is not None:
        fault = _generator_fault(*named)
        if fault is not None:
            return fault
        path, generator = named
        if getattr(generator, "_typeName", "") == "CustomizationFixedName" and \
                not HOST_NAME.fullmatch(generator.name or ""):
            # vCenter's "A specified parameter was not correct: spec.identity.hostName"
            return faults.InvalidArgument(invalidProperty=path)
    for i, mapping in enumerate(spec.nicSettingMap or ()):
        adapter = mapping.adapter
        if adapter is None:
            continue
        fault = _generator_fault("spec.nicSettingMap[%d].adapter.ip" % i, adapter.ip)
        if fault is not None:
            return fault
        v6 = adapter.ipV6Spec
        for j, generator in enumerate(v6.ip or () if v6 is not None else ()):
            fault = _generator_fault("spec.nicSettingMap[%d].adapter.ipV6Spec.ip[%d]" % (i, j),
                                     generator)
            if fault is not None:
                return fault
    identity = spec.identity
    if identity is not None and identity._typeName == "CustomizationCloudinitPrep":
        for field in ("metadata", "userdata"):
            try:
                _parsed(getattr(identity, field))
            except ValueError:
                return faults.CustomizationFault(
                    "The cloud-init %s of the customization specification is neither JSON "
                    "nor YAML." % field)
    return None


def _parsed(text):
    """Cloud-init data (JSON or YAML) as a mapping ({} for none)."""
    if not text or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            raise ValueError("not JSON or YAML")
    if value is None or isinstance(value, str):  # a bare string: a cloud-config script
        return {}
    if not isinstance(value, dict):
        raise ValueError("not a mapping")
    return value


# -- what the guest makes of it --------------------------------------------------------------


class GuestFailure(Exception):
    """The guest cannot apply the spec: the customization fails with ``event``."""

    def __init__(self, message, event, reason=None):
        super().__init__(message)
        self.message, self.event, self.reason = message, event, reason


def _valid_host_name(name, windows):
    name = re.sub(r"[^A-Za-z0-9-]", "", name.replace("_", "-").replace(" ", "-"))
    return name[:WINDOWS_NAME_LIMIT if windows else LINUX_NAME_LIMIT].strip("-") or "localhost"


def _taken_names(vc, vm):
    names = {o.host_name.lower() for o in vc.objects.values()
             if o.vim_type == "VirtualMachine" and o is not vm and o.host_name}
    names.update(o.name.split(".")[0].lower() for o in vc.objects.values()
                 if o.vim_type == "HostSystem")
    return names


def _unique(vc, vm, base, always_number):
    """``base``, or ``base`` with the lowest number that no other guest or host is named."""
    taken = _taken_names(vc, vm)
    if not always_number and base.lower() not in taken:
        return base
    n = 1
    while ("%s%d" % (base, n)).lower() in taken:
        n += 1
    return "%s%d" % (base, n)


def host_name(vc, vm, generator):
    """The host name a CustomizationName gives the guest (None: it keeps its own)."""
    kind = getattr(generator, "_typeName", None)
    windows = is_windows(vm)
    if kind == "CustomizationFixedName":
        return generator.name
    if kind == "CustomizationVirtualMachineName":
        return _unique(vc, vm, _valid_host_name(vm.name, windows), False)
    if kind == "CustomizationPrefixName":
        return _unique(vc, vm, _valid_host_name(generator.base or "", windows), True)
    return None


def _sysprep_text(xml, element):
    found = re.search(r"<%s>\s*([^<]*?)\s*</%s>" % (element, element), xml or "")
    return found.group(1) if found else None


def _prefix(mask):
    try:
        return ipaddress.IPv4Network("0.0.0.0/%s" % mask).prefixlen
    except ValueError:
        raise GuestFailure("Invalid subnet mask %s." % mask, "CustomizationNetworkSetupFailed")


def _address(text, version):
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if address is None or address.version != version:
        raise GuestFailure("Invalid IPv%d address %s." % (version, text),
                           "CustomizationNetworkSetupFailed")
    return str(address)


def dhcp_address(vm, index):
    """The address a DHCP server hands this NIC: stable for a VM and NIC."""
    n = int(vm.moid.split("-")[-1])
    return "10.%d.%d.%d" % (index & 0xFF, (n >> 8) & 0xFF, (n & 0xFF) or 1)


def _nic(vm, index, adapter):
    """One NIC's settings from CustomizationIPSettings: address (None: from DHCP at boot)."""
    ip = adapter.ip if adapter is not None else None
    nic = {"ipv4": None, "dhcp": True, "prefix": 24, "gateways": [], "ipv6": [],
           "ipv6_gateways": [], "dns_servers": [], "dns_domain": ""}
    if adapter is None:
        return nic
    if ip is not None and ip._typeName == "CustomizationFixedIp":
        nic["ipv4"], nic["dhcp"] = _address(ip.ipAddress, 4), False
        if adapter.subnetMask:
            nic["prefix"] = _prefix(adapter.subnetMask)
    nic["gateways"] = [_address(g, 4) for g in adapter.gateway or ()]
    nic["dns_servers"] = list(adapter.dnsServerList or ())
    nic["dns_domain"] = adapter.dnsDomain or ""
    v6 = adapter.ipV6Spec
    if v6 is not None:
        for generator in v6.ip or ():
            if generator._typeName == "CustomizationFixedIpV6":
                nic["ipv6"].append([_address(generator.ipAddress, 6),
                                    generator.subnetMask or 64, "manual"])
            # DHCPv6, auto and stateless: vimsim's networks have no DHCPv6 server nor router
            # advertisements, so the NIC gets no IPv6 address (Ansible asks DHCPv6 by default)
        nic["ipv6_gateways"] = [_address(g, 6) for g in v6.gateway or ()]
    return nic


def _current_nic(vm, i):
    """The settings of a NIC no customization configured: the address it has, or DHCP."""
    nic = _nic(vm, i, None)
    if vm.nic_addresses[i]:
        nic["ipv4"], nic["dhcp"] = vm.nic_addresses[i], False
    return nic


def _mapped(vm, spec):
    """Per NIC index, its CustomizationIPSettings: the mappings naming a MAC address go to that
    adapter, the others to the remaining adapters in PCI slot order."""
    macs = [vm.mac_address(i).lower() for i in range(len(vm.networks))]
    by_index, rest = {}, []
    for mapping in spec.nicSettingMap or ():
        if mapping.macAddress:
            mac = mapping.macAddress.lower()
            if mac not in macs:
                raise GuestFailure(MAC_MISMATCH_MESSAGE % mapping.macAddress,
                                   "CustomizationNetworkSetupFailed")
            by_index[macs.index(mac)] = mapping.adapter
        else:
            rest.append(mapping.adapter)
    free = [i for i in range(len(macs)) if i not in by_index]
    by_index.update(zip(free, rest))
    return by_index


def _identity(vc, vm, identity):
    """(host name or None, domain, what else the identity set in the guest)."""
    kind = identity._typeName if identity is not None else None
    extra = {"identity": kind}
    if kind == "CustomizationLinuxPrep":
        extra.update(time_zone=identity.timeZone, hw_clock_utc=identity.hwClockUTC,
                     script=bool(identity.scriptText))
        return host_name(vc, vm, identity.hostName), identity.domain or "", extra
    if kind == "CustomizationSysprep":
        data, ident = identity.userData, identity.identification
        gui = identity.guiUnattended
        extra.update(full_name=data.fullName if data else None,
                     org_name=data.orgName if data else None,
                     time_zone=gui.timeZone if gui else None,
                     workgroup=ident.joinWorkgroup if ident else None,
                     joined_domain=ident.joinDomain if ident else None,
                     run_once=list(identity.guiRunOnce.commandList or ())
                     if identity.guiRunOnce else [])
        name = host_name(vc, vm, data.computerName) if data else None
        return name, (ident.joinDomain or "") if ident else "", extra
    if kind == "CustomizationSysprepText":
        name = _sysprep_text(identity.value, "ComputerName")
        domain = _sysprep_text(identity.value, "JoinDomain") or ""
        extra.update(workgroup=_sysprep_text(identity.value, "JoinWorkgroup"),
                     joined_domain=domain or None)
        if name == "*":  # Windows makes up a name
            name = "WIN-%s" % vm.uuid.replace("-", "")[:11].upper()
        return (_valid_host_name(name, True) if name else None), domain, extra
    return None, "", extra


def _map(value):
    return value if isinstance(value, dict) else {}


def _items(value):
    """A YAML list's items as strings (a lone value as a list of one)."""
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v is not None]


def _cloudinit(vm, identity, nics):
    """Apply cloud-init metadata (and a #cloud-config userdata's host name) to ``nics``;
    (host name or None, DNS servers, search domains, the NICs it configured)."""
    metadata, userdata = _parsed(identity.metadata), _parsed(identity.userdata)
    name = userdata.get("fqdn") or userdata.get("hostname") or \
        metadata.get("local-hostname") or metadata.get("hostname")
    name = str(name).split(".")[0] if name else None
    network = _map(metadata.get("network"))
    if "network" in network:
        network = _map(network["network"])
    servers, search, touched = [], [], set()
    macs = [vm.mac_address(i).lower() for i in range(len(vm.networks))]

    def nic_at(index, mac):
        i = macs.index(mac.lower()) if mac.lower() in macs else index
        if i < len(nics):
            touched.add(i)
            return i
        return None

    def dns(addresses, domains):
        servers.extend(a for a in _items(addresses) if a not in servers)
        search.extend(d for d in _items(domains) if d not in search)

    ethernets = _map(network.get("ethernets"))
    if ethernets:  # network config version 2
        for index, key in enumerate(sorted(ethernets, key=str)):
            eth = _map(ethernets[key])
            i = nic_at(index, str(_map(eth.get("match")).get("macaddress") or ""))
            if i is None:
                continue
            routes = eth.get("routes") if isinstance(eth.get("routes"), list) else []
            defaults = [_map(r).get("via") for r in routes
                        if str(_map(r).get("to")) in ("default", "0.0.0.0/0")]
            _cloudinit_nic(vm, i, nics, _items(eth.get("addresses")),
                           _items(eth.get("gateway4")) + _items(defaults),
                           _items(eth.get("gateway6")))
            nameservers = _map(eth.get("nameservers"))
            dns(nameservers.get("addresses"), nameservers.get("search"))
    elif isinstance(network.get("config"), list):  # network config version 1
        physical = 0
        for item in map(_map, network["config"]):
            if item.get("type") == "nameserver":
                dns(item.get("address"), item.get("search"))
            if item.get("type") != "physical":
                continue
            physical += 1
            i = nic_at(physical - 1, str(item.get("mac_address") or ""))
            if i is None:
                continue
            subnets = [_map(s) for s in item.get("subnets") or ()] \
                if isinstance(item.get("subnets"), list) else []
            addresses = [_v1_address(s) for s in subnets
                         if s.get("type") in ("static", "static6") and s.get("address")]
            _cloudinit_nic(vm, i, nics, addresses,
                           _items([s.get("gateway") for s in subnets]), [])
            for subnet in subnets:
                dns(subnet.get("dns_nameservers"), subnet.get("dns_search"))
    return name, servers, search, touched


def _v1_address(subnet):
    """A network config v1 static subnet's address in CIDR form."""
    address = str(subnet["address"])
    if "/" in address:
        return address
    if subnet.get("netmask"):
        return "%s/%d" % (address, _prefix(subnet["netmask"]))
    return "%s/%s" % (address, subnet.get("prefix", 64 if ":" in address else 24))


def _cloudinit_nic(vm, i, nics, addresses, gateways, gateways6):
    """NIC ``i`` as cloud-init configures it: its addresses (CIDR), else DHCP."""
    nic = nics[i] = _nic(vm, i, None)
    for cidr in addresses:
        try:
            interface = ipaddress.ip_interface(str(cidr))
        except ValueError:
            raise GuestFailure("Invalid address %s in the cloud-init network." % cidr,
                               "CustomizationNetworkSetupFailed")
        if interface.version == 4 and nic["ipv4"] is None:
            nic["ipv4"], nic["prefix"], nic["dhcp"] = \
                str(interface.ip), interface.network.prefixlen, False
        elif interface.version == 6:
            nic["ipv6"].append([str(interface.ip), interface.network.prefixlen, "manual"])
    nic["gateways"] = [_address(str(g), 4) for g in gateways if g]
    nic["ipv6_gateways"] = [_address(str(g), 6) for g in gateways6 if g]


def apply(vc, vm, spec):
    """The guest applies ``spec``: host name, domain, NIC settings and DNS. GuestFailure (and
    nothing changed) when it cannot."""
    identity = spec.identity
    if identity is not None and getattr(identity, "scriptText", None) and \
            not vm.custom_scripts:
        raise GuestFailure(SCRIPT_DISABLED_MESSAGE, "CustomizationFailed",
                           reason="userDefinedScriptDisabled")
    old = (vm.guest_config or {}).get("nics") or []
    nics = [dict(old[i]) if i < len(old) else _current_nic(vm, i)
            for i in range(len(vm.networks))]
    addresses = list(vm.nic_addresses)
    name, domain, extra = _identity(vc, vm, identity)
    mapped = _mapped(vm, spec)
    for i, adapter in mapped.items():
        nics[i] = _nic(vm, i, adapter)
    glob = spec.globalIPSettings
    servers = list(glob.dnsServerList or ()) if glob is not None else []
    search = list(glob.dnsSuffixList or ()) if glob is not None else []
    if identity is not None and identity._typeName == "CustomizationCloudinitPrep":
        cloud_name, cloud_servers, cloud_search, touched = _cloudinit(vm, identity, nics)
        name = cloud_name or name
        servers, search = cloud_servers or servers, cloud_search or search
        extra.update(metadata=bool(identity.metadata), userdata=bool(identity.userdata))
        mapped = {**mapped, **{i: None for i in touched}}
    for i in mapped:
        addresses[i] = nics[i]["ipv4"] or dhcp_address(vm, i)
    vm.host_name = name or vm.host_name
    vm.nic_addresses = addresses
    vm.guest_config = dict(extra, domain=domain, dns_servers=servers, dns_suffixes=search,
                           nics=nics)


def bring_up(vm, every_nic=False):
    """The guest's network comes up (a boot, StartGuestNetwork_Task): NICs its customization
    set to DHCP, or ``every_nic`` without an address, lease one."""
    config = (vm.guest_config or {}).get("nics") or ()
    addresses = list(vm.nic_addresses)
    for i, address in enumerate(addresses):
        dhcp = i < len(config) and config[i]["dhcp"]
        if address is None and (every_nic or dhcp):
            addresses[i] = dhcp_address(vm, i)
    vm.nic_addresses = addresses
    vm.guest_network_up = True
    guest.network_logged(vm)


# -- what VMware Tools reports ---------------------------------------------------------------


def _nic_settings(vm, i):
    config = (vm.guest_config or {}).get("nics") or ()
    return config[i] if i < len(config) else None


def _prefix_of(vm, i, address):
    nic = _nic_settings(vm, i)
    if nic is not None and nic["ipv4"] == address:
        return nic["prefix"]
    return 64 if ":" in address else 24


def _gateways(vm, i, address, network):
    nic = _nic_settings(vm, i)
    if nic is not None and nic["gateways"] and ":" not in address:
        return nic["gateways"]
    return [str(network.network_address + 1)]  # the network's router, as a DHCP lease says


def guest_nics(vm):
    """guest.net: per NIC its addresses, MAC and (for a customized guest) DNS settings."""
    out = []
    config = vm.guest_config or {}
    for i, (net, address) in enumerate(zip(vm.networks, vm.nic_addresses)):
        nic = _nic_settings(vm, i)
        entries = []
        if address:
            entries.append(DataObject(
                "NetIpConfigInfoIpAddress", ipAddress=address,
                prefixLength=_prefix_of(vm, i, address),
                origin=("dhcp" if nic["dhcp"] else "manual") if nic else None,
                state="preferred"))
        for v6, prefix, origin in (nic["ipv6"] if nic else ()):
            entries.append(DataObject("NetIpConfigInfoIpAddress", ipAddress=v6,
                                      prefixLength=prefix, origin=origin, state="preferred"))
        dns = None
        if nic is not None:
            dns = DataObject(
                "NetDnsConfigInfo", dhcp=not (nic["dns_servers"] or config.get("dns_servers")),
                hostName=vm.host_name, domainName=nic["dns_domain"] or config.get("domain", ""),
                ipAddress=nic["dns_servers"] or config.get("dns_servers") or [],
                searchDomain=config.get("dns_suffixes") or [])
        out.append(DataObject(
            "GuestNicInfo", network=net.name, ipAddress=[e.ipAddress for e in entries],
            macAddress=vm.mac_address(i), connected=vm.nic_connected(i),
            deviceConfigId=4000 + i,
            dnsConfig=dns,
            ipConfig=DataObject("NetIpConfigInfo", ipAddress=entries,
                                dhcp=DataObject("NetDhcpConfigInfo", ipv4=DataObject(
                                    "NetDhcpConfigInfoDhcpOptions", enable=nic["dhcp"]))
                                if nic is not None else None)))
    return out


def ip_stack(vm):
    """guest.ipStack: the guest's DNS (host name, domain, servers, search domains) and its
    routes: each NIC's subnet, and the default routes through its gateways."""
    config = vm.guest_config or {}
    routes, first_gateway = [], None
    for i, address in enumerate(vm.nic_addresses):
        if not address:
            continue
        nic = _nic_settings(vm, i)
        prefix = _prefix_of(vm, i, address)
        try:
            network = ipaddress.ip_network("%s/%d" % (address, prefix), strict=False)
        except ValueError:  # a fixture's address that is none: no route through it
            continue
        gateways = _gateways(vm, i, address, network)
        first_gateway = first_gateway or gateways[0]
        for gateway in gateways:
            routes.append(_route("::" if network.version == 6 else "0.0.0.0", 0, gateway, i))
        routes.append(_route(str(network.network_address), prefix, None, i))
        for gateway in (nic["ipv6_gateways"] if nic else ()):
            routes.append(_route("::", 0, gateway, i))
    if not routes:
        return []
    servers = config.get("dns_servers") or next(
        (n["dns_servers"] for n in config.get("nics") or () if n["dns_servers"]), None)
    return [DataObject(
        "GuestStackInfo",
        dnsConfig=DataObject("NetDnsConfigInfo", dhcp=not servers, hostName=vm.host_name,
                             domainName=config.get("domain", ""),
                             ipAddress=servers or [first_gateway],
                             searchDomain=config.get("dns_suffixes") or []),
        ipRouteConfig=DataObject("NetIpRouteConfigInfo", ipRoute=routes))]


def _route(network, prefix, gateway, device):
    return DataObject("NetIpRouteConfigInfoIpRoute", network=network, prefixLength=prefix,
                      gateway=DataObject("NetIpRouteConfigInfoGateway", ipAddress=gateway,
                                         device=str(device)))
