"""HostSystem: an ESXi host, its hardware, configuration and the managers it names."""
import copy
import uuid as uuid_module

from vimsim.model.inventory import ManagedEntity
from vimsim.model import host_services  # (and the classes of its managers)
from vimsim.model.objects import refs, vim_property
from vimsim.model.options import HostOptionManager
from vimsim.model.service import model_class
from vimsim.vim25.data import DataObject
from vimsim.vim25.types import REGISTRY

# HostConfigManager's references: (property, type). Each host has one object of each; a type
# the model has no class for answers its properties as unset. advancedOption is the host's own
# OptionManager; licenseManager, userDirectory and accountManager, vCenter's types with other
# meanings on a host, are left unset.
CONFIG_MANAGERS = (
    ("cpuScheduler", "HostCpuSchedulerSystem"), ("datastoreSystem", "HostDatastoreSystem"),
    ("memoryManager", "HostMemorySystem"), ("storageSystem", "HostStorageSystem"),
    ("networkSystem", "HostNetworkSystem"), ("vmotionSystem", "HostVMotionSystem"),
    ("virtualNicManager", "HostVirtualNicManager"), ("serviceSystem", "HostServiceSystem"),
    ("firewallSystem", "HostFirewallSystem"), ("diagnosticSystem", "HostDiagnosticSystem"),
    ("autoStartManager", "HostAutoStartManager"), ("snmpSystem", "HostSnmpSystem"),
    ("dateTimeSystem", "HostDateTimeSystem"), ("patchManager", "HostPatchManager"),
    ("imageConfigManager", "HostImageConfigManager"), ("bootDeviceSystem", "HostBootDeviceSystem"),
    ("firmwareSystem", "HostFirmwareSystem"), ("healthStatusSystem", "HostHealthStatusSystem"),
    ("pciPassthruSystem", "HostPciPassthruSystem"),
    ("kernelModuleSystem", "HostKernelModuleSystem"),
    ("authenticationManager", "HostAuthenticationManager"), ("powerSystem", "HostPowerSystem"),
    ("cacheConfigurationManager", "HostCacheConfigurationManager"),
    ("esxAgentHostManager", "HostEsxAgentHostManager"), ("iscsiManager", "IscsiManager"),
    ("vFlashManager", "HostVFlashManager"), ("vsanSystem", "HostVsanSystem"),
    ("messageBusProxy", "MessageBusProxy"), ("hostAccessManager", "HostAccessManager"),
    ("graphicsManager", "HostGraphicsManager"), ("vsanInternalSystem", "HostVsanInternalSystem"),
    ("certificateManager", "HostCertificateManager"), ("cryptoManager", "CryptoManager"),
    ("nvdimmSystem", "HostNvdimmSystem"),
    ("assignableHardwareManager", "HostAssignableHardwareManager"),
)
CPU_MODEL = "Intel(R) Xeon(R) CPU E5-2650 v4 @ 2.20GHz"
VENDOR, MODEL = "Dell Inc.", "PowerEdge R630"
PORTS, DEFAULT_SWITCH, MANAGEMENT = host_services.PORTS, host_services.DEFAULT_SWITCH, \
    host_services.MANAGEMENT
# ESXi's TCP/IP stacks, the default one (vmk0's) first, and their connection limit
NET_STACKS = ("defaultTcpipStack", "vmotion", "vSphereProvisioning")
DEFAULT_STACK, MAX_CONNECTIONS = NET_STACKS[0], 11000


def network_policy(given):
    """The policy a port group or switch was given (HostNetworkSystem keeps it), each part
    an empty one (nothing overridden) where it gave none, as ESXi answers it."""
    policy = copy.deepcopy(given) if given is not None else DataObject("HostNetworkPolicy")
    for name, part in (("security", "HostNetworkSecurityPolicy"),
                       ("nicTeaming", "HostNicTeamingPolicy"),
                       ("offloadPolicy", "HostNetOffloadCapabilities"),
                       ("shapingPolicy", "HostNetworkTrafficShapingPolicy")):
        if getattr(policy, name) is None:
            setattr(policy, name, DataObject(part))
    if policy.nicTeaming.failureCriteria is None:
        policy.nicTeaming.failureCriteria = DataObject("HostNicFailureCriteria")
    return policy


class HostSystem(ManagedEntity):
    vim_type = "HostSystem"
    cpu_mhz = 2294
    cpu_cores = 2
    memory_bytes = 4294430720
    ip_address = None
    hypervisor_version = "4.2.0-632.g6a6222b.el7"  # what a ZStack view reports

    # the standard switches and port group settings HostNetworkSystem changes; ``networks``
    # (a port group each, beside vmk0's) as AddPortGroup and RemovePortGroup leave them
    persisted = ("name", "vswitches", "portgroup_settings")

    def __init__(self, vc, moid, name, parent, uuid=None):
        super().__init__(vc, moid, name, parent)
        self.vms, self.datastores, self.networks = [], [], []
        self.vswitches = {DEFAULT_SWITCH: {"ports": PORTS, "mtu": 1500, "nics": ["vmnic0"]}}
        self.portgroup_settings = {}  # port group name: {"vswitch", "vlan"} unless vSwitch0, 0
        # The BIOS UUID (hardware.systemInfo.uuid), stable for a host's name.
        self.uuid = uuid or str(uuid_module.uuid5(uuid_module.NAMESPACE_DNS,
                                                  "%s.host.vimsim" % name))
        number = moid.split("-")[-1]
        self.config_managers = {
            prop: vc.add(model_class(type_name)(vc, "%s-%s" % (prop, number)))
            for prop, type_name in CONFIG_MANAGERS}
        self.config_managers["advancedOption"] = vc.add(
            HostOptionManager(vc, "advancedOption-%s" % number))

    def inventory_children(self):
        return self.vms

    @vim_property
    def vm(self, ctx):
        return refs(self.vms)

    @vim_property
    def datastore(self, ctx):
        return refs(self.datastores)

    @vim_property
    def network(self, ctx):
        return refs(self.networks)

    def mac_address(self):
        n = self.number
        return "00:50:56:%02x:%02x:%02x" % (0x40 | ((n >> 16) & 0x3F), (n >> 8) & 0xFF, n & 0xFF)

    def hardware_summary(self):
        return DataObject(
            "HostHardwareSummary", vendor=VENDOR, model=MODEL, uuid=self.uuid,
            memorySize=self.memory_bytes, cpuModel=CPU_MODEL, cpuMhz=self.cpu_mhz,
            numCpuPkgs=1, numCpuCores=self.cpu_cores, numCpuThreads=self.cpu_cores,
            numNics=1, numHBAs=1,
            otherIdentifyingInfo=[DataObject(
                "HostSystemIdentificationInfo", identifierValue="CN%07d" % self.number,
                identifierType=DataObject("ElementDescription", label="Service tag",
                                          summary="Service tag", key="ServiceTag"))])

    def quick_stats(self):
        vms = [vm for vm in self.vms if vm.power_state == "poweredOn"]
        return DataObject("HostListSummaryQuickStats",
                          overallCpuUsage=sum(vm.cpu_usage_mhz() for vm in vms),
                          overallMemoryUsage=sum(vm.memory_mb for vm in vms) + 1024,
                          distributedCpuFairness=10000, distributedMemoryFairness=10000,
                          availablePMemCapacity=0, uptime=self.uptime())

    def uptime(self):
        return int((self.vc.clock.now() - self.vc.boot_time).total_seconds())

    @vim_property
    def hardware(self, ctx):
        hz = self.cpu_mhz * 1000 * 1000
        return DataObject(
            "HostHardwareInfo",
            systemInfo=DataObject("HostSystemInfo", vendor=VENDOR, model=MODEL, uuid=self.uuid,
                                  serialNumber="CN%07d" % self.number),
            cpuInfo=DataObject("HostCpuInfo", numCpuPackages=1, numCpuCores=self.cpu_cores,
                               numCpuThreads=self.cpu_cores, hz=hz),
            cpuPkg=[DataObject("HostCpuPackage", index=0, vendor="intel", hz=hz,
                               busHz=100000000, description=CPU_MODEL,
                               threadId=list(range(self.cpu_cores)))],
            memorySize=self.memory_bytes, smcPresent=False,
            numaInfo=DataObject("HostNumaInfo", type="NUMA", numNodes=1),
            biosInfo=DataObject("HostBIOSInfo", biosVersion="2.17.0", vendor=VENDOR,
                                releaseDate=self.vc.boot_time.replace(
                                    month=1, day=1, hour=0, minute=0, second=0, microsecond=0),
                                firmwareType="UEFI"))

    def persisted_state(self):
        return dict(super().persisted_state(), networks=self.networks)

    def restore_persisted(self, state):
        super().restore_persisted(state)
        networks = state.get("networks")
        if networks is not None:
            for net in set(self.networks) | set(networks):
                if (net in networks) != (self in net.hosts):
                    (net.hosts.append if net in networks else net.hosts.remove)(self)
            self.networks = list(networks)
            compute = self.parent
            for net in networks:  # a port group AddPortGroup made: its compute resource's too
                if net not in compute.networks:
                    compute.networks.append(net)

    def portgroup_names(self):
        return [MANAGEMENT] + [net.name for net in self.networks]

    def portgroup_setting(self, name):
        return self.portgroup_settings.get(name) or {"vswitch": DEFAULT_SWITCH, "vlan": 0}

    def network_info(self):
        portgroups = []
        for name in self.portgroup_names():
            setting = self.portgroup_setting(name)
            own = network_policy(setting.get("policy"))
            portgroups.append(DataObject(
                "HostPortGroup", key="key-vim.host.PortGroup-%s" % name,
                vswitch="key-vim.host.VirtualSwitch-%s" % setting["vswitch"],
                computedPolicy=copy.deepcopy(own), spec=DataObject(
                    "HostPortGroupSpec", name=name, vlanId=setting["vlan"],
                    vswitchName=setting["vswitch"], policy=own)))
        pnic = DataObject(
            "PhysicalNic", key="key-vim.host.PhysicalNic-vmnic0", device="vmnic0",
            pci="0000:01:00.0", driver="ixgben", driverVersion="1.15.1.0",
            linkSpeed=DataObject("PhysicalNicLinkInfo", speedMb=10000, duplex=True),
            spec=DataObject("PhysicalNicSpec", linkSpeed=DataObject(
                "PhysicalNicLinkInfo", speedMb=10000, duplex=True)),
            wakeOnLanSupported=False, mac=self.mac_address(), autoNegotiateSupported=True)
        vnic = DataObject(
            "HostVirtualNic", device="vmk0", key="key-vim.host.VirtualNic-vmk0",
            portgroup="Management Network",
            spec=DataObject("HostVirtualNicSpec", mac=self.mac_address(), mtu=1500,
                            portgroup="Management Network", ip=DataObject(
                                "HostIpConfig", dhcp=False, ipAddress=self.ip_address,
                                subnetMask="255.255.255.0")))
        vswitches = []
        for name, switch in self.vswitches.items():
            used = 1 + len(self.vms) if name == DEFAULT_SWITCH else 0  # vmk0 and the VMs
            nics = ["key-vim.host.PhysicalNic-%s" % n for n in switch["nics"]]
            vswitches.append(DataObject(
                "HostVirtualSwitch", name=name, key="key-vim.host.VirtualSwitch-%s" % name,
                numPorts=switch["ports"], numPortsAvailable=max(0, switch["ports"] - used),
                mtu=switch["mtu"], pnic=nics,
                portgroup=[pg.key for pg in portgroups if pg.spec.vswitchName == name],
                spec=DataObject("HostVirtualSwitchSpec", numPorts=switch["ports"],
                                mtu=switch["mtu"], policy=network_policy(switch.get("policy")),
                                bridge=DataObject(
                                    "HostVirtualSwitchBondBridge", nicDevice=switch["nics"])
                                if switch["nics"] else None)))
        gateway = self.ip_address.rsplit(".", 1)[0] + ".1" if self.ip_address else None

        def dns():
            return DataObject("HostDnsConfig", dhcp=False, hostName=self.name.lower(),
                              domainName="vsphere.local", address=[gateway] if gateway else [],
                              searchDomain=["vsphere.local"])

        def routes(default):
            return DataObject("HostIpRouteConfig", defaultGateway=gateway if default else None)
        stacks = [DataObject("HostNetStackInstance", key=key, name=key, dnsConfig=dns(),
                             ipRouteConfig=routes(key == DEFAULT_STACK),
                             requestedMaxNumberOfConnections=MAX_CONNECTIONS,
                             congestionControlAlgorithm="newreno", ipV6Enabled=False)
                  for key in NET_STACKS]
        return DataObject(
            "HostNetworkInfo", vswitch=vswitches, portgroup=portgroups, pnic=[pnic],
            vnic=[vnic], ipV6Enabled=False, atBootIpV6Enabled=False, dnsConfig=dns(),
            ipRouteConfig=routes(True), netStackInstance=stacks)

    @vim_property
    def config(self, ctx):
        return DataObject(
            "HostConfigInfo", host=self.ref, product=self.vc.host_about(),
            network=self.network_info(), adminDisabled=False, lockdownMode="lockdownDisabled",
            hyperThread=DataObject("HostHyperThreadScheduleInfo", available=False, active=False,
                                   config=False),
            dateTimeInfo=self.config_managers["dateTimeSystem"].dateTimeInfo(ctx),
            storageDevice=self.config_managers["storageSystem"].storageDeviceInfo(ctx),
            powerSystemInfo=self.config_managers["powerSystem"].info(ctx),
            autoStart=self.config_managers["autoStartManager"].config(ctx),
            authenticationManagerInfo=DataObject("HostAuthenticationManagerInfo", authConfig=[
                DataObject("HostLocalAuthenticationInfo", enabled=True),
                DataObject("HostActiveDirectoryInfo", enabled=False)]),
            datastorePrincipal="root", wakeOnLanCapable=False)

    @vim_property
    def configManager(self, ctx):
        return DataObject("HostConfigManager",
                          **{prop: obj.ref for prop, obj in self.config_managers.items()})

    @vim_property
    def capability(self, ctx):
        required = [f.name for f in REGISTRY.data["HostCapability"].all_fields
                    if not f.optional and not f.array and f.type == "xsd:boolean"]
        unsupported = {"standbySupported", "recordReplaySupported", "ftSupported",
                       "smpFtSupported", "backgroundSnapshotsSupported", "accel3dSupported"}
        values = {name: name not in unsupported for name in required}
        return DataObject("HostCapability", maxSupportedVMs=1024, maxRunningVMs=1024,
                          maxSupportedVcpus=4096, maxRegisteredVMs=1024,
                          maxHostRunningVms=1024, maxHostSupportedVcpus=4096,
                          supportedVmfsMajorVersion=[6], **values)

    def runtime_info(self):
        return DataObject("HostRuntimeInfo", connectionState="connected", powerState="poweredOn",
                          inMaintenanceMode=False, inQuarantineMode=False,
                          bootTime=self.vc.boot_time, networkRuntimeInfo=DataObject(
                              "HostRuntimeInfoNetworkRuntimeInfo", netStackInstanceRuntimeInfo=[
                                  DataObject("HostRuntimeInfoNetStackInstanceRuntimeInfo",
                                             netStackInstanceKey=key, state="active",
                                             vmknicKeys=["vmk0"] if key == DEFAULT_STACK else [],
                                             maxNumberOfConnections=MAX_CONNECTIONS,
                                             currentIpV6Enabled=False)
                                  for key in NET_STACKS]))

    @vim_property
    def runtime(self, ctx):
        return self.runtime_info()

    @vim_property
    def summary(self, ctx):
        return DataObject(
            "HostListSummary", host=self.ref, runtime=self.runtime_info(),
            hardware=self.hardware_summary(),
            config=DataObject("HostConfigSummary", name=self.name, port=443,
                              product=self.vc.host_about(), vmotionEnabled=False,
                              faultToleranceEnabled=False),
            quickStats=self.quick_stats(), overallStatus="green", rebootRequired=False,
            managementServerIp="127.0.0.1")

