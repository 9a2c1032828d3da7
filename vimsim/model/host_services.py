"""The per-host managers HostSystem.configManager names that clients read: network, storage,
datastores, date and time, services, and vSAN. Each answers for the host it belongs to (its
moId ends in the host's number, ``networkSystem-21`` for ``host-21``)."""
from vimsim.model.objects import ExtensibleManagedObject, ManagedObject, vim_property
from vimsim.vim25.data import DataObject

# The services an ESXi 8.0 host lists, as (key, label, running, policy).
SERVICES = (
    ("DCUI", "Direct Console UI", True, "on"), ("TSM", "ESXi Shell", False, "off"),
    ("TSM-SSH", "SSH", False, "off"), ("attestd", "attestd", False, "off"),
    ("lbtd", "Load-Based Teaming Daemon", True, "on"), ("ntpd", "NTP Daemon", False, "off"),
    ("sfcbd-watchdog", "CIM Server", False, "on"), ("snmpd", "SNMP Server", False, "on"),
    ("vmsyslogd", "Syslog Server", True, "on"), ("vpxa", "VMware vCenter Agent", True, "on"),
    ("xorg", "X.Org Server", False, "on"))


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

    @vim_property
    def capabilities(self, ctx):
        return DataObject("HostNetCapabilities", canSetPhysicalNicLinkSpeed=True,
                          supportsNicTeaming=True, nicTeamingPolicy=["loadbalance_srcid"],
                          supportsVlan=True, usesServiceConsoleNic=False,
                          supportsNetworkHints=True, vswitchConfigSupported=True,
                          vnicConfigSupported=True, ipRouteConfigSupported=True,
                          dnsConfigSupported=True, dhcpOnVnicSupported=True,
                          ipV6Supported=True)


class HostDateTimeSystem(HostManager, ManagedObject):
    vim_type = "HostDateTimeSystem"

    def QueryDateTime(self, ctx):
        return self.vc.clock.now()

    @vim_property
    def dateTimeInfo(self, ctx):
        return DataObject(
            "HostDateTimeInfo", timeZone=DataObject(
                "HostDateTimeSystemTimeZone", key="UTC", name="UTC", description="UTC",
                gmtOffset=0),
            systemClockProtocol="ntp", ntpConfig=DataObject("HostNtpConfig", server=[]),
            enabled=False)


class HostServiceSystem(HostManager, ExtensibleManagedObject):
    vim_type = "HostServiceSystem"

    @vim_property
    def serviceInfo(self, ctx):
        return DataObject("HostServiceInfo", service=[
            DataObject("HostService", key=key, label=label, required=False,
                       uninstallable=False, running=running, policy=policy, ruleset=[])
            for key, label, running, policy in SERVICES])


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
        return DataObject(
            "HostStorageDeviceInfo", softwareInternetScsiEnabled=False,
            hostBusAdapter=[DataObject(
                "HostParallelScsiHba", key="key-vim.host.ParallelScsiHba-vmhba0",
                device="vmhba0", bus=0, status="unknown", model="PVSCSI SCSI Controller",
                driver="pvscsi", pci="0000:03:00.0")],
            scsiLun=[self.lun()])

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


class HostVsanSystem(HostManager, ManagedObject):
    """A host's vSAN service: the host is in no vSAN cluster, as on a vCenter without vSAN."""
    vim_type = "HostVsanSystem"

    def QueryHostStatus(self, ctx):
        return DataObject("VsanHostClusterStatus", health="unknown",
                          nodeState=DataObject("VsanHostClusterStatusState", state="disabled"))

    @vim_property
    def config(self, ctx):
        return DataObject("VsanHostConfigInfo", enabled=False, hostSystem=self.host().ref)
