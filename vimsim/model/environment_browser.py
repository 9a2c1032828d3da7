"""EnvironmentBrowser: what VMs a compute resource can run (ComputeResource.environmentBrowser
and VirtualMachine.environmentBrowser): the hardware version and the guest operating systems
it supports (govc vm.option.info, the create-VM paths of Ansible and terraform)."""
from vimsim.model import vm_hardware
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject

HARDWARE_VERSION = "vmx-19"
# Guests offered: (id, family, full name, recommended memory MB, disk controller, firmware)
GUESTS = (
    ("otherLinux64Guest", "linuxGuest", "Other Linux (64-bit)", 1024, "pvscsi", "bios"),
    ("otherLinuxGuest", "linuxGuest", "Other Linux (32-bit)", 512, "lsilogic", "bios"),
    ("ubuntu64Guest", "linuxGuest", "Ubuntu Linux (64-bit)", 2048, "pvscsi", "efi"),
    ("centos8_64Guest", "linuxGuest", "CentOS 8 (64-bit)", 2048, "pvscsi", "efi"),
    ("rhel8_64Guest", "linuxGuest", "Red Hat Enterprise Linux 8 (64-bit)", 2048, "pvscsi",
     "efi"),
    ("rhel9_64Guest", "linuxGuest", "Red Hat Enterprise Linux 9 (64-bit)", 2048, "pvscsi",
     "efi"),
    ("debian11_64Guest", "linuxGuest", "Debian GNU/Linux 11 (64-bit)", 2048, "pvscsi", "efi"),
    ("sles15_64Guest", "linuxGuest", "SUSE Linux Enterprise 15 (64-bit)", 2048, "pvscsi",
     "efi"),
    ("windows2019srv_64Guest", "windowsGuest", "Microsoft Windows Server 2019 (64-bit)", 4096,
     "lsilogicsas", "efi"),
    ("windows2019srvNext_64Guest", "windowsGuest", "Microsoft Windows Server 2022 (64-bit)",
     4096, "lsilogicsas", "efi"),
    ("windows9_64Guest", "windowsGuest", "Microsoft Windows 10 (64-bit)", 4096, "lsilogicsas",
     "efi"),
    ("otherGuest64", "otherGuestFamily", "Other (64-bit)", 512, "lsilogic", "bios"),
)


# The disk controllers guests take, by the short name GUESTS uses (the wire has type names).
CONTROLLERS = {"pvscsi": "ParaVirtualSCSIController", "lsilogic": "VirtualLsiLogicController",
               "lsilogicsas": "VirtualLsiLogicSASController"}


def _int(low, high, default):
    return DataObject("IntOption", min=low, max=high, defaultValue=default)


def guest_descriptor(guest_id, family, full_name, memory_mb, controller, firmware):
    return DataObject(
        "GuestOsDescriptor", id=guest_id, family=family, fullName=full_name,
        supportedMaxCPUs=768, numSupportedPhysicalSockets=128, numSupportedCoresPerSocket=768,
        supportedMinMemMB=4 if family != "windowsGuest" else 512,
        supportedMaxMemMB=25165824, recommendedMemMB=memory_mb, recommendedColorDepth=32,
        supportedDiskControllerList=list(CONTROLLERS.values()) + ["VirtualIDEController"],
        recommendedSCSIController=CONTROLLERS[controller],
        recommendedDiskController=CONTROLLERS[controller], supportedNumDisks=252,
        recommendedDiskSizeMB=16384, recommendedCdromController="VirtualIDEController",
        supportedEthernetCard=["VirtualE1000", "VirtualE1000e", "VirtualVmxnet3"],
        recommendedEthernetCard="VirtualVmxnet3", smcRequired=False, supportsWakeOnLan=True,
        supportsVMI=False, supportsMemoryHotAdd=True, supportsCpuHotAdd=True,
        supportsCpuHotRemove=family != "windowsGuest", supportedFirmware=["bios", "efi"],
        recommendedFirmware=firmware, supportsSlaveDisk=True, supports3D=True,
        recommended3D=False, smcRecommended=False, ich7mRecommended=False,
        usbRecommended=family == "windowsGuest", supportLevel="supported",
        supportedForCreate=True, vRAMSizeInKB=_int(4096, 262144, 4096),
        numSupportedFloppyDevices=2, supportsPvscsiControllerForBoot=True,
        diskUuidEnabled=False, supportsHotPlugPCI=True)


def _allocation(shares_default):
    return DataObject("ResourceAllocationOption", sharesOption=DataObject(
        "SharesOption", sharesOption=_int(0, 1000000, shares_default), defaultLevel="normal"))


def config_option(guest_ids=None):
    """The VirtualMachineConfigOption of vmx-19, for the guests asked (all when None)."""
    guests = [g for g in GUESTS if guest_ids is None or g[0] in guest_ids]
    return DataObject(
        "VirtualMachineConfigOption", version=HARDWARE_VERSION,
        description="ESXi 7.0 U2 virtual machine",
        guestOSDescriptor=[guest_descriptor(*g) for g in guests], guestOSDefaultIndex=0,
        hardwareOptions=DataObject(
            "VirtualHardwareOption", hwVersion=19, deviceListReadonly=False,
            numCPU=[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768],
            numCoresPerSocket=_int(1, 768, 1), numCpuReadonly=False,
            memoryMB=DataObject("LongOption", min=4, max=25165824, defaultValue=1024),
            numPCIControllers=_int(1, 1, 1), numIDEControllers=_int(2, 2, 2),
            numUSBControllers=_int(0, 1, 0), numUSBXHCIControllers=_int(0, 1, 0),
            numSIOControllers=_int(1, 1, 1), numPS2Controllers=_int(1, 1, 1),
            resourceConfigOption=DataObject(
                "ResourceConfigOption", cpuAllocationOption=_allocation(1000),
                memoryAllocationOption=_allocation(10240))),
        capabilities=vm_hardware.capability(), datastore=DataObject("DatastoreOption"),
        supportedMonitorType=["release", "debug", "stats"],
        supportedOvfEnvironmentTransport=["com.vmware.guestInfo", "iso"],
        supportedOvfInstallTransport=["com.vmware.guestInfo"])


class EnvironmentBrowser(ManagedObject):
    vim_type = "EnvironmentBrowser"

    def __init__(self, vc, moid, owner):
        super().__init__(vc, moid)
        self.owner = owner  # the compute resource whose hosts it describes

    def QueryConfigOptionDescriptor(self, ctx):
        hosts = [h.ref for h in self.owner.hosts]
        return [DataObject("VirtualMachineConfigOptionDescriptor", key=HARDWARE_VERSION,
                           description="ESXi 7.0 U2 virtual machine", host=hosts,
                           createSupported=True, defaultConfigOption=True, runSupported=True,
                           upgradeSupported=True)]

    def QueryConfigOption(self, ctx, key=None, host=None):
        if key is not None and key != HARDWARE_VERSION:
            return None  # vCenter answers nothing for a version its hosts do not run
        return config_option()

    def QueryConfigOptionEx(self, ctx, spec=None):
        if spec is not None and spec.key is not None and spec.key != HARDWARE_VERSION:
            return None
        return config_option(set(spec.guestId) if spec is not None and spec.guestId else None)

    def QueryConfigTarget(self, ctx, host=None):
        """What a VM placed here can use: the hosts' CPUs, the datastores and networks, and
        no passthrough devices or raw disks (govc device.pci.ls, vm.rdm.ls)."""
        hosts = [self.vc.lookup(host, ctx)] if host is not None else self.owner.hosts
        cores = sum(h.cpu_cores for h in hosts)
        return DataObject(
            "ConfigTarget", numCpus=cores, numCpuCores=cores, numNumaNodes=len(hosts),
            maxCpusPerHost=max((h.cpu_cores for h in hosts), default=0), smcPresent=False,
            maxMemMBOptimalPerf=min((h.memory_bytes for h in hosts), default=0) // (1024 ** 2),
            supportedMaxMemMB=25165824,
            datastore=[DataObject("VirtualMachineDatastoreInfo", name=ds.name,
                                  datastore=ds.summary(ctx), capability=ds.capability(ctx),
                                  maxFileSize=62 * 1024 ** 4, mode="readWrite")
                       for ds in self.owner.datastores],
            network=[DataObject("VirtualMachineNetworkInfo", name=net.name,
                                network=net.summary(ctx)) for net in self.owner.networks],
            pciPassthrough=[], scsiDisk=[], scsiPassthrough=[], ideDisk=[], cdRom=[],
            serial=[], parallel=[], sound=[], usb=[], floppy=[], sriov=[])

    @vim_property
    def datastoreBrowser(self, ctx):
        datastores = self.owner.datastores
        return datastores[0].browser.ref if datastores else None
