"""The per-host managers HostSystem.configManager names that clients read: network, storage,
datastores, date and time, services, and vSAN. Each answers for the host it belongs to (its
moId ends in the host's number, ``networkSystem-21`` for ``host-21``)."""
from vimsim.model import faults, lifecycle
from vimsim.model.objects import ExtensibleManagedObject, ManagedObject, vim_property
from vimsim.vim25.data import DataObject, MoRef
from vimsim.vim25.types import REGISTRY

# The services an ESXi 8.0 host lists, as (key, label, running, policy).
SERVICES = (
    ("DCUI", "Direct Console UI", True, "on"), ("TSM", "ESXi Shell", False, "off"),
    ("TSM-SSH", "SSH", False, "off"), ("attestd", "attestd", False, "off"),
    ("lbtd", "Load-Based Teaming Daemon", True, "on"), ("ntpd", "NTP Daemon", False, "off"),
    ("sfcbd-watchdog", "CIM Server", False, "on"), ("snmpd", "SNMP Server", False, "on"),
    ("vmsyslogd", "Syslog Server", True, "on"), ("vpxa", "VMware vCenter Agent", True, "on"),
    ("xorg", "X.Org Server", False, "on"))


# A standard switch's ports; vmk0's switch and port group, as on a freshly installed ESXi
PORTS, DEFAULT_SWITCH, MANAGEMENT = 128, "vSwitch0", "Management Network"


class HostManager:
    """What every per-host manager shares: the host it belongs to."""

    def host(self):
        return self.vc.objects["host-" + self.moid.rsplit("-", 1)[-1]]


class HostNetworkSystem(HostManager, ExtensibleManagedObject):
    vim_type = "HostNetworkSystem"

    @vim_property
    def networkInfo(self, ctx):
        return self.host().network_info()

    @vim_property
    def dnsConfig(self, ctx):
        return self.host().network_info().dnsConfig

    @vim_property
    def ipRouteConfig(self, ctx):
        return self.host().network_info().ipRouteConfig

    # -- standard switches and port groups (govc host.vswitch.* and host.portgroup.*,
    # Ansible's vmware_vswitch and vmware_portgroup) -------------------------------------

    def AddVirtualSwitch(self, ctx, vswitchName, spec=None):
        host = self.host()
        if vswitchName in host.vswitches:
            raise faults.AlreadyExists(name=vswitchName)
        nics = self._bridge_nics(host, spec, vswitchName)
        host.vswitches[vswitchName] = {"ports": self._ports(spec), "mtu": self._mtu(spec),
                                       "nics": nics, "policy": spec.policy if spec else None}
        self._changed(host)

    def UpdateVirtualSwitch(self, ctx, vswitchName, spec):
        host = self.host()
        switch = self._switch(host, vswitchName)
        nics = self._bridge_nics(host, spec, vswitchName) if spec.bridge is not None \
            else switch["nics"]
        host.vswitches[vswitchName] = {"ports": self._ports(spec, switch["ports"]),
                                       "mtu": self._mtu(spec, switch["mtu"]), "nics": nics,
                                       "policy": spec.policy or switch.get("policy")}
        self._changed(host)

    def RemoveVirtualSwitch(self, ctx, vswitchName):
        host = self.host()
        self._switch(host, vswitchName)
        if any(host.portgroup_setting(n)["vswitch"] == vswitchName
               for n in host.portgroup_names()):
            raise faults.ResourceInUse(type="HostVirtualSwitch", name=vswitchName)
        del host.vswitches[vswitchName]
        self._changed(host)

    def AddPortGroup(self, ctx, portgrp):
        host = self.host()
        name = portgrp.name
        if not name or name in host.portgroup_names():
            raise faults.AlreadyExists(name=name or "")
        self._switch(host, portgrp.vswitchName)
        self._vlan(portgrp)
        network = lifecycle.host_network(host, lifecycle.inventory_name(name))
        host.portgroup_settings[network.name] = {"vswitch": portgrp.vswitchName,
                                                 "vlan": portgrp.vlanId or 0,
                                                 "policy": portgrp.policy}
        self._changed(host)

    def UpdatePortGroup(self, ctx, pgName, portgrp):
        host = self.host()
        if pgName not in host.portgroup_names():
            raise faults.NotFound("The port group %s was not found." % pgName)
        if portgrp.name and portgrp.name != pgName:  # renaming would rename the network
            if portgrp.name in host.portgroup_names():
                raise faults.AlreadyExists(name=portgrp.name)
            raise faults.NotSupported()
        setting = dict(host.portgroup_setting(pgName))
        if portgrp.vswitchName:
            self._switch(host, portgrp.vswitchName)
            setting["vswitch"] = portgrp.vswitchName
        if portgrp.vlanId is not None:
            setting["vlan"] = self._vlan(portgrp)
        if portgrp.policy is not None:
            setting["policy"] = portgrp.policy
        host.portgroup_settings[pgName] = setting
        self._changed(host)

    def RemovePortGroup(self, ctx, pgName):
        host = self.host()
        network = next((n for n in host.networks if n.name == pgName), None)
        if network is None:
            if pgName == MANAGEMENT:  # vmk0's
                raise faults.ResourceInUse(type="HostPortGroup", name=pgName)
            raise faults.NotFound("The port group %s was not found." % pgName)
        if any(vm in network.vms for vm in host.vms):
            raise faults.ResourceInUse(type="HostPortGroup", name=pgName)
        lifecycle.drop_host_network(host, network)
        host.portgroup_settings.pop(pgName, None)
        self._changed(host)

    @staticmethod
    def _switch(host, name):
        switch = host.vswitches.get(name)
        if switch is None:
            raise faults.NotFound("The virtual switch %s was not found." % name)
        return switch

    @staticmethod
    def _ports(spec, held=None):
        ports = spec.numPorts if spec is not None and spec.numPorts is not None else \
            (held or PORTS)
        if not 8 <= ports <= 4096:
            raise faults.InvalidArgument(invalidProperty="spec.numPorts")
        return ports

    @staticmethod
    def _mtu(spec, held=1500):
        mtu = spec.mtu if spec is not None and spec.mtu is not None else held
        if not 1280 <= mtu <= 9000:
            raise faults.InvalidArgument(invalidProperty="spec.mtu")
        return mtu

    @staticmethod
    def _vlan(portgrp):
        vlan = portgrp.vlanId or 0
        if not 0 <= vlan <= 4095:
            raise faults.InvalidArgument(invalidProperty="portgrp.vlanId")
        return vlan

    @staticmethod
    def _bridge_nics(host, spec, switch_name):
        """The physical NICs a switch spec's bridge names: each one the host has, and on no
        other switch (ResourceInUse)."""
        bridge = spec.bridge if spec is not None else None
        nics = list(getattr(bridge, "nicDevice", None) or ())
        known = {n.device for n in host.network_info().pnic}
        for nic in nics:
            if nic not in known:
                raise faults.NotFound("The physical NIC %s was not found." % nic)
            if any(nic in s["nics"] for name, s in host.vswitches.items()
                   if name != switch_name):
                raise faults.ResourceInUse(type="PhysicalNic", name=nic)
        return nics

    def _changed(self, host):
        self.vc.touch(self)
        self.vc.touch(host)

    def QueryNetworkHint(self, ctx, device=None):
        """What each physical NIC sees of its network: nothing (no CDP or LLDP neighbour)."""
        nics = [n.device for n in self.host().network_info().pnic]
        return [DataObject("PhysicalNicHintInfo", device=name, subnet=[], network=[])
                for name in nics if not device or name in device]

    @vim_property
    def networkConfig(self, ctx):
        """The configuration the network info shows, in the form UpdateNetworkConfig takes."""
        info = self.host().network_info()
        return DataObject(
            "HostNetworkConfig",
            vswitch=[DataObject("HostVirtualSwitchConfig", changeOperation="edit", name=v.name,
                                spec=v.spec) for v in info.vswitch],
            portgroup=[DataObject("HostPortGroupConfig", changeOperation="edit", spec=p.spec)
                       for p in info.portgroup],
            pnic=[DataObject("PhysicalNicConfig", device=n.device, spec=n.spec)
                  for n in info.pnic],
            vnic=[DataObject("HostVirtualNicConfig", changeOperation="edit", device=n.device,
                             portgroup=n.portgroup, spec=n.spec) for n in info.vnic],
            dnsConfig=info.dnsConfig, ipRouteConfig=info.ipRouteConfig)

    @vim_property
    def capabilities(self, ctx):
        return DataObject("HostNetCapabilities", canSetPhysicalNicLinkSpeed=True,
                          supportsNicTeaming=True, nicTeamingPolicy=["loadbalance_srcid"],
                          supportsVlan=True, usesServiceConsoleNic=False,
                          supportsNetworkHints=True, vswitchConfigSupported=True,
                          vnicConfigSupported=True, ipRouteConfigSupported=True,
                          dnsConfigSupported=True, dhcpOnVnicSupported=True,
                          ipV6Supported=True)


class HostVirtualNicManager(HostManager, ExtensibleManagedObject):
    """Which VMkernel NICs carry which traffic: the host's one, vmk0, carries management
    (what Ansible's host inventory plugins read as the host's address) and is a candidate
    for every other kind, as on a freshly installed ESXi."""

    vim_type = "HostVirtualNicManager"
    NIC_TYPES = tuple(REGISTRY.enums["HostVirtualNicManagerNicType"])
    SELECTED = ("management",)

    def net_config(self, nic_type):
        host = self.host()
        candidates = []
        for vnic in host.network_info().vnic:
            candidate = vnic.copy()  # keys named after the traffic they are candidates for
            candidate.key = "%s.%s" % (nic_type, vnic.key)
            candidates.append(candidate)
        return DataObject("VirtualNicManagerNetConfig", nicType=nic_type,
                          multiSelectAllowed=True, candidateVnic=candidates,
                          selectedVnic=[c.key for c in candidates if nic_type in self.SELECTED])

    def QueryNetConfig(self, ctx, nicType):
        if nicType not in self.NIC_TYPES:
            raise faults.InvalidArgument(invalidProperty="nicType")
        return self.net_config(nicType)

    @vim_property
    def info(self, ctx):
        return DataObject("HostVirtualNicManagerInfo",
                          netConfig=[self.net_config(t) for t in self.NIC_TYPES])


def _time_zone():
    """ESXi keeps its clock in UTC, its one time zone."""
    return DataObject("HostDateTimeSystemTimeZone", key="UTC", name="UTC", description="UTC",
                      gmtOffset=0)


class HostDateTimeSystem(HostManager, ManagedObject):
    vim_type = "HostDateTimeSystem"

    persisted = ("ntp_servers", "ntp_enabled", "protocol")  # UpdateDateTimeConfig's

    def __init__(self, vc, moid):
        super().__init__(vc, moid)
        self.ntp_servers, self.ntp_enabled, self.protocol = [], False, "ntp"

    def QueryDateTime(self, ctx):
        return self.vc.clock.now()

    def QueryAvailableTimeZones(self, ctx):
        return [_time_zone()]

    def RefreshDateTimeSystem(self, ctx):
        pass  # nothing cached to read again

    def UpdateDateTimeConfig(self, ctx, config):
        """The NTP servers, whether the time service runs and its protocol; a time zone
        other than UTC is refused (ESXi has no other)."""
        if config.timeZone not in (None, "UTC"):
            raise faults.InvalidArgument(invalidProperty="config.timeZone")
        if config.protocol not in (None, "ntp", "ptp"):
            raise faults.InvalidArgument(invalidProperty="config.protocol")
        servers = None
        if config.ntpConfig is not None and config.ntpConfig.server is not None:
            servers = list(config.ntpConfig.server)
            if any(not s.strip() or len(s) > 255 for s in servers):
                raise faults.InvalidArgument(invalidProperty="config.ntpConfig.server")
        if servers is not None:
            self.ntp_servers = servers
        if config.enabled is not None:
            self.ntp_enabled = config.enabled
        if config.protocol is not None:
            self.protocol = config.protocol
        self.vc.touch(self)
        self.vc.touch(self.host())

    @vim_property
    def dateTimeInfo(self, ctx):
        return DataObject(
            "HostDateTimeInfo", timeZone=_time_zone(), systemClockProtocol=self.protocol,
            ntpConfig=DataObject("HostNtpConfig", server=list(self.ntp_servers)),
            enabled=self.ntp_enabled)


class HostServiceSystem(HostManager, ExtensibleManagedObject):
    """The host's services (SERVICES), started, stopped and given a start-up policy."""

    vim_type = "HostServiceSystem"

    persisted = ("services",)
    POLICIES = ("on", "off", "automatic")

    def __init__(self, vc, moid):
        super().__init__(vc, moid)
        self.services = {key: {"running": running, "policy": policy}
                         for key, _, running, policy in SERVICES}

    def _service(self, key):
        service = self.services.get(key)
        if service is None:
            raise faults.NotFound("The service %s was not found." % key)
        return service

    def _set(self, key, **changes):
        self.services = dict(self.services, **{key: dict(self._service(key), **changes)})
        self.vc.touch(self)
        self.vc.touch(self.host())

    def StartService(self, ctx, id):
        self._set(id, running=True)

    def StopService(self, ctx, id):
        self._set(id, running=False)

    def RestartService(self, ctx, id):
        self._set(id, running=True)

    def UpdateServicePolicy(self, ctx, id, policy):
        self._service(id)
        if policy not in self.POLICIES:
            raise faults.InvalidArgument(invalidProperty="policy")
        self._set(id, policy=policy)

    def RefreshServices(self, ctx):
        pass  # nothing cached to read again

    @vim_property
    def serviceInfo(self, ctx):
        return DataObject("HostServiceInfo", service=[
            DataObject("HostService", key=key, label=label, required=False,
                       uninstallable=False, running=self.services[key]["running"],
                       policy=self.services[key]["policy"], ruleset=[])
            for key, label, _, _ in SERVICES])


# The firewall rulesets of an ESXi 8.0 host: (key, label, enabled, required, [(port, protocol,
# direction)]).
RULESETS = (
    ("sshServer", "SSH Server", True, True, [(22, "tcp", "inbound")]),
    ("sshClient", "SSH Client", False, False, [(22, "tcp", "outbound")]),
    ("vSphereClient", "vSphere Web Client", True, True, [(902, "tcp", "inbound"),
                                                          (443, "tcp", "inbound")]),
    ("vpxHeartbeats", "VMware vCenter Agent", True, True, [(902, "udp", "outbound")]),
    ("ntpClient", "NTP Client", False, False, [(123, "udp", "outbound")]),
    ("dhcp", "DHCP Client", True, False, [(68, "udp", "inbound"), (68, "udp", "outbound")]),
    ("dns", "DNS Client", True, False, [(53, "udp", "inbound"), (53, "udp", "outbound"),
                                        (53, "tcp", "outbound")]),
    ("syslog", "syslog", False, False, [(514, "udp", "outbound"), (514, "tcp", "outbound")]),
    ("webAccess", "vSphere Web Access", True, False, [(80, "tcp", "inbound")]),
)


class HostFirewallSystem(HostManager, ExtensibleManagedObject):
    vim_type = "HostFirewallSystem"

    @vim_property
    def firewallInfo(self, ctx):
        return DataObject(
            "HostFirewallInfo",
            defaultPolicy=DataObject("HostFirewallDefaultPolicy", incomingBlocked=True,
                                     outgoingBlocked=True),
            ruleset=[DataObject(
                "HostFirewallRuleset", key=key, label=label, required=required,
                enabled=enabled, service=None,
                allowedHosts=DataObject("HostFirewallRulesetIpList", allIp=True),
                rule=[DataObject("HostFirewallRule", port=port, direction=direction,
                                 portType="dst", protocol=protocol)
                      for port, protocol, direction in rules])
                for key, label, enabled, required, rules in RULESETS])


class HostDatastoreSystem(HostManager, ManagedObject):
    vim_type = "HostDatastoreSystem"

    @vim_property
    def datastore(self, ctx):
        return [ds.ref for ds in self.host().datastores]

    @vim_property
    def capabilities(self, ctx):
        return DataObject("HostDatastoreSystemCapabilities", nfsMountCreationRequired=True,
                          nfsMountCreationSupported=True, localDatastoreSupported=False,
                          vmfsExtentExpansionSupported=True)


class HostStorageSystem(HostManager, ExtensibleManagedObject):
    vim_type = "HostStorageSystem"

    def lun(self):
        number = self.host().number
        return DataObject(
            "HostScsiDisk", deviceName="/vmfs/devices/disks/mpx.vmhba0:C0:T0:L0",
            deviceType="disk", key="key-vim.host.ScsiDisk-0000000000766d686261303a303a30",
            uuid="0000000000766d686261303a303a30%04d" % (number % 10000),
            canonicalName="mpx.vmhba0:C0:T0:L0", displayName="Local VMware Disk "
            "(mpx.vmhba0:C0:T0:L0)", lunType="disk", vendor="VMware  ", model="Virtual disk    ",
            revision="2.0 ", scsiLevel=6, serialNumber="unavailable",
            operationalState=["ok"], capacity=DataObject(
                "HostDiskDimensionsLba", blockSize=512, block=2 * 1024 ** 4 // 512),
            devicePath="/vmfs/devices/disks/mpx.vmhba0:C0:T0:L0", ssd=True, localDisk=True)

    @vim_property
    def storageDeviceInfo(self, ctx):
        lun, hba = self.lun(), "key-vim.host.ParallelScsiHba-vmhba0"
        unit = "key-vim.host.MultipathInfo.LogicalUnit-" + lun.uuid
        return DataObject(
            "HostStorageDeviceInfo", softwareInternetScsiEnabled=False,
            hostBusAdapter=[DataObject(
                "HostParallelScsiHba", key=hba,
                device="vmhba0", bus=0, status="unknown", model="PVSCSI SCSI Controller",
                driver="pvscsi", pci="0000:03:00.0")],
            scsiLun=[lun],
            scsiTopology=DataObject("HostScsiTopology", adapter=[DataObject(
                "HostScsiTopologyInterface", key="key-vim.host.ScsiTopology.Interface-vmhba0",
                adapter=hba, target=[DataObject(
                    "HostScsiTopologyTarget", key="key-vim.host.ScsiTopology.Target-vmhba0:0:0",
                    target=0, lun=[DataObject(
                        "HostScsiTopologyLun", key="key-vim.host.ScsiTopology.Lun-" + lun.uuid,
                        lun=0, scsiLun=lun.key)],
                    transport=DataObject("HostParallelScsiTargetTransport"))])]),
            # one path to the local disk, as an ESXi host reports it (Ansible's host disk
            # modules read the LUNs here)
            multipathInfo=DataObject("HostMultipathInfo", lun=[DataObject(
                "HostMultipathInfoLogicalUnit", key=unit, id=lun.uuid, lun=lun.key,
                path=[DataObject(
                    "HostMultipathInfoPath", key="key-vim.host.MultipathInfo.Path-vmhba0:C0:T0:L0",
                    name="vmhba0:C0:T0:L0", pathState="active", state="active",
                    isWorkingPath=True, adapter=hba, lun=unit)],
                policy=DataObject("HostMultipathInfoFixedLogicalUnitPolicy",
                                  policy="VMW_PSP_FIXED", prefer="vmhba0:C0:T0:L0"),
                storageArrayTypePolicy=DataObject(
                    "HostMultipathInfoLogicalUnitStorageArrayTypePolicy",
                    policy="VMW_SATP_LOCAL"))]))

    @vim_property
    def fileSystemVolumeInfo(self, ctx):
        return DataObject("HostFileSystemVolumeInfo", volumeTypeList=["VMFS", "NFS", "vsan"],
                          mountInfo=[DataObject(
                              "HostFileSystemMountInfo",
                              mountInfo=DataObject("HostMountInfo", path=ds.mount_path,
                                                   accessMode="readWrite", mounted=True,
                                                   accessible=True),
                              volume=ds.vmfs_volume())
                              for ds in self.host().datastores])


# ESXi's power policies: (key, shortName, name, description); Balanced is its default
POWER_POLICIES = (
    (1, "static", "High performance", "The host does not use any power management features."),
    (2, "dynamic", "Balanced", "The host reduces energy consumption while maintaining "
     "performance."),
    (3, "low", "Low power", "The host reduces energy consumption, at the risk of lower "
     "performance."),
    (4, "custom", "Custom", "The host uses a user-defined power management policy."))


class HostPowerSystem(HostManager, ManagedObject):
    vim_type = "HostPowerSystem"

    persisted = ("policy_key",)  # ConfigurePowerPolicy's

    def __init__(self, vc, moid):
        super().__init__(vc, moid)
        self.policy_key = 2

    @staticmethod
    def policy(key):
        key, short_name, name, description = next(p for p in POWER_POLICIES if p[0] == key)
        return DataObject("HostPowerPolicy", key=key, name=name, shortName=short_name,
                          description=description)

    @vim_property
    def capability(self, ctx):
        return DataObject("PowerSystemCapability",
                          availablePolicy=[self.policy(p[0]) for p in POWER_POLICIES])

    @vim_property
    def info(self, ctx):
        return DataObject("PowerSystemInfo", currentPolicy=self.policy(self.policy_key))

    def ConfigurePowerPolicy(self, ctx, key):
        if key not in (p[0] for p in POWER_POLICIES):
            raise faults.InvalidArgument(invalidProperty="key")
        self.policy_key = key
        self.vc.touch(self)
        self.vc.touch(self.host())  # its config.powerSystemInfo


# A host's VM start and stop defaults as ESXi ships them (autostart off)
AUTOSTART_DEFAULTS = {"enabled": False, "startDelay": 120, "stopDelay": 120,
                      "waitForHeartbeat": False, "stopAction": "PowerOff"}
# What a VM's entry takes from the defaults (-1, systemDefault) where a spec sets nothing
POWER_INFO_DEFAULTS = {"startOrder": -1, "startDelay": -1, "waitForHeartbeat": "systemDefault",
                       "startAction": "systemDefault", "stopDelay": -1,
                       "stopAction": "systemDefault"}
_AUTOSTART_ACTIONS = ("none", "systemDefault", "powerOn", "powerOff", "guestShutdown",
                      "suspend")


class HostAutoStartManager(HostManager, ManagedObject):
    """Which of the host's VMs start with it, and in what order (ReconfigureAutostart)."""
    vim_type = "HostAutoStartManager"

    persisted = ("defaults", "power_info")

    def __init__(self, vc, moid):
        super().__init__(vc, moid)
        self.defaults = dict(AUTOSTART_DEFAULTS)
        self.power_info = {}  # a VM's moId -> its AutoStartPowerInfo fields but key

    @vim_property
    def config(self, ctx):
        host = self.host()
        kept = [(moid, info) for moid, info in self.power_info.items()
                if any(vm.moid == moid for vm in host.vms)]  # a VM gone or moved: not listed
        return DataObject(
            "HostAutoStartManagerConfig", defaults=DataObject("AutoStartDefaults", **self.defaults),
            powerInfo=[DataObject("AutoStartPowerInfo", key=MoRef("VirtualMachine", moid), **info)
                       for moid, info in sorted(kept, key=lambda item: item[1]["startOrder"])])

    def ReconfigureAutostart(self, ctx, spec):
        host = self.host()
        defaults = dict(self.defaults, **(spec.defaults.fields() if spec.defaults else {}))
        power_info = dict(self.power_info)
        for i, info in enumerate(spec.powerInfo or ()):
            if not any(vm.moid == info.key.value for vm in host.vms):
                raise faults.InvalidArgument(invalidProperty="spec.powerInfo[%d].key" % i)
            fields = dict(POWER_INFO_DEFAULTS, **{k: v for k, v in info.fields().items()
                                                  if k != "key"})
            for action in ("startAction", "stopAction"):
                if fields[action] not in _AUTOSTART_ACTIONS:
                    raise faults.InvalidArgument(
                        invalidProperty="spec.powerInfo[%d].%s" % (i, action))
            if fields["startOrder"] < 0 and fields["startAction"] == "none":
                power_info.pop(info.key.value, None)  # out of the start order
            else:
                power_info[info.key.value] = fields
        self.defaults, self.power_info = defaults, power_info
        self.vc.touch(self)


class HostGraphicsManager(HostManager, ExtensibleManagedObject):
    """A host without GPUs: shared graphics, nothing to pass through."""
    vim_type = "HostGraphicsManager"

    @vim_property
    def graphicsConfig(self, ctx):
        return DataObject("HostGraphicsConfig", hostDefaultGraphicsType="shared",
                          sharedPassthruAssignmentPolicy="performance", deviceType=[])

    @vim_property
    def graphicsInfo(self, ctx):
        return []

    @vim_property
    def sharedPassthruGpuTypes(self, ctx):
        return []


class HostVsanSystem(HostManager, ManagedObject):
    """A host's vSAN service: the host is in no vSAN cluster, as on a vCenter without vSAN."""
    vim_type = "HostVsanSystem"

    def QueryHostStatus(self, ctx):
        return DataObject("VsanHostClusterStatus", health="unknown",
                          nodeState=DataObject("VsanHostClusterStatusState", state="disabled"))

    @vim_property
    def config(self, ctx):
        return DataObject("VsanHostConfigInfo", enabled=False, hostSystem=self.host().ref)
