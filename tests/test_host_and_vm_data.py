"""The data govc, Ansible and pyVmomi scripts read of hosts and VMs, consistent with itself."""
import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_guest_customization import ROOT, linux_spec

PC = vmodl.query.PropertyCollector


def test_host_hardware_config_and_managers(si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    host = vm.runtime.host
    hardware = host.hardware
    assert hardware.systemInfo.uuid == host.summary.hardware.uuid
    assert hardware.memorySize == host.summary.hardware.memorySize > 0
    assert hardware.cpuInfo.numCpuCores == host.summary.hardware.numCpuCores
    assert host.summary.hardware.cpuModel and hardware.biosInfo.releaseDate is not None
    assert host.summary.quickStats.overallCpuUsage >= 0
    config = host.config
    assert config.product.apiType == "HostAgent" and config.host == host
    [vnic] = config.network.vnic
    assert si.content.searchIndex.FindByIp(ip=vnic.spec.ip.ipAddress, vmSearch=False) == host
    names = {pg.spec.name for pg in config.network.portgroup}
    assert {"VM Network", "Management Network"} <= names
    [vswitch] = config.network.vswitch
    assert vswitch.pnic == [config.network.pnic[0].key]
    assert sorted(vswitch.portgroup) == sorted(pg.key for pg in config.network.portgroup)
    managers = host.configManager
    assert managers.networkSystem is not None and managers.datastoreSystem is not None
    assert managers.networkSystem._moId != find_vm(si, "DC0_H0_VM0").runtime.host \
        .configManager.networkSystem._moId
    status = managers.vsanSystem.QueryHostStatus()
    assert status.nodeState.state == "disabled"
    assert managers.vsanSystem.config.enabled is False
    assert managers.cpuScheduler.hyperthreadInfo is None  # unset: not modelled, never a fault
    rulesets = {r.key: r for r in managers.firewallSystem.firewallInfo.ruleset}
    assert rulesets["sshServer"].rule[0].port == 22 and rulesets["sshServer"].enabled
    config = managers.networkSystem.networkConfig
    assert [v.name for v in config.vswitch] == ["vSwitch0"]
    assert [n.device for n in config.pnic] == ["vmnic0"] and config.vnic[0].device == "vmk0"
    [hint] = managers.networkSystem.QueryNetworkHint(device=["vmnic0"])
    assert hint.device == "vmnic0" and hint.connectedSwitchPort is None
    assert managers.dateTimeSystem.dateTimeInfo.timeZone.key == "UTC"
    assert managers.dateTimeSystem.QueryDateTime() == si.CurrentTime()
    assert managers.networkSystem.networkInfo.vnic[0].device == "vmk0"
    services = {s.key: s for s in managers.serviceSystem.serviceInfo.service}
    assert services["TSM-SSH"].running is False and services["vpxa"].running is True
    [lun] = managers.storageSystem.storageDeviceInfo.scsiLun
    assert lun.canonicalName == "mpx.vmhba0:C0:T0:L0"
    # a path to each LUN, as ESXi reports it (Ansible's vmware_host_disk_info read it unset);
    # config.storageDevice is the same
    [unit] = managers.storageSystem.storageDeviceInfo.multipathInfo.lun
    assert unit.lun == lun.key and unit.path[0].isWorkingPath and \
        unit.path[0].adapter == managers.storageSystem.storageDeviceInfo.hostBusAdapter[0].key
    assert host.config.storageDevice.scsiLun[0].key == lun.key
    # the topology down to the LUN (Ansible's vmware_target_canonical_info walks it)
    [adapter] = host.config.storageDevice.scsiTopology.adapter
    assert adapter.target[0].lun[0].scsiLun == lun.key
    # power policies: Balanced until ConfigurePowerPolicy
    power = managers.powerSystem
    assert [p.shortName for p in power.capability.availablePolicy] == [
        "static", "dynamic", "low", "custom"]
    assert power.info.currentPolicy.shortName == "dynamic"
    assert host.config.powerSystemInfo.currentPolicy.key == 2
    power.ConfigurePowerPolicy(key=1)
    assert host.config.powerSystemInfo.currentPolicy.name == "High performance"
    with pytest.raises(vmodl.fault.InvalidArgument):
        power.ConfigurePowerPolicy(key=9)
    # no GPU: shared graphics (Ansible's vmware_host_graphics read the config unset)
    assert managers.graphicsManager.graphicsConfig.hostDefaultGraphicsType == "shared"
    # VM autostart: off, with ESXi's defaults, until ReconfigureAutostart
    autostart = managers.autoStartManager
    assert autostart.config.defaults.enabled is False and autostart.config.powerInfo == []
    A = vim.host.AutoStartManager
    autostart.ReconfigureAutostart(spec=A.Config(
        defaults=A.SystemDefaults(enabled=True, startDelay=30),
        powerInfo=[A.AutoPowerInfo(key=vm, startOrder=1, startAction="powerOn",
                                   startDelay=-1, stopDelay=-1, stopAction="systemDefault",
                                   waitForHeartbeat="systemDefault")]))
    config = autostart.config
    assert (config.defaults.enabled, config.defaults.startDelay, config.defaults.stopDelay) == \
        (True, 30, 120)
    assert [(p.key, p.startOrder, p.startAction) for p in config.powerInfo] == [
        (vm, 1, "powerOn")]
    assert host.config.autoStart.defaults.enabled  # (Ansible's vmware_host_auto_start reads it)
    with pytest.raises(vmodl.fault.InvalidArgument):  # a VM of another host
        autostart.ReconfigureAutostart(spec=A.Config(powerInfo=[A.AutoPowerInfo(
            key=find_vm(si, "DC0_H0_VM0"), startOrder=2, startAction="powerOn", startDelay=-1,
            stopDelay=-1, stopAction="systemDefault", waitForHeartbeat="systemDefault")]))
    [mount] = managers.storageSystem.fileSystemVolumeInfo.mountInfo
    assert mount.volume.name == "LocalDS_0"
    assert managers.datastoreSystem.datastore == host.datastore
    capability = host.capability
    assert capability.vmotionSupported is True and capability.maxSupportedVMs > 0


def test_vmkernel_nic_traffic_tcpip_stacks_and_authentication(si):
    host = find_vm(si, "DC0_H0_VM0").runtime.host
    [vnic] = host.config.network.vnic
    manager = host.configManager.virtualNicManager
    management = manager.QueryNetConfig("management")
    assert management.nicType == "management" and management.multiSelectAllowed
    [candidate] = management.candidateVnic
    assert candidate.key == "management." + vnic.key and candidate.device == "vmk0"
    assert candidate.spec.ip.ipAddress == vnic.spec.ip.ipAddress
    assert management.selectedVnic == [candidate.key]
    vmotion = manager.QueryNetConfig("vmotion")
    assert [c.device for c in vmotion.candidateVnic] == ["vmk0"] and vmotion.selectedVnic == []
    with pytest.raises(vmodl.fault.InvalidArgument) as found:
        manager.QueryNetConfig("storage")
    assert found.value.invalidProperty == "nicType"
    kinds = {c.nicType: c for c in manager.info.netConfig}
    assert {"management", "vmotion", "vsan", "faultToleranceLogging"} <= set(kinds)
    assert kinds["management"].selectedVnic == management.selectedVnic
    stacks = host.runtime.networkRuntimeInfo.netStackInstanceRuntimeInfo
    assert [s.netStackInstanceKey for s in stacks] == \
        ["defaultTcpipStack", "vmotion", "vSphereProvisioning"]
    assert stacks[0].vmknicKeys == ["vmk0"] and all(s.state == "active" for s in stacks)
    [default, *_] = host.config.network.netStackInstance
    assert default.key == "defaultTcpipStack"
    assert default.dnsConfig.hostName == host.config.network.dnsConfig.hostName
    assert default.ipRouteConfig.defaultGateway == host.config.network.ipRouteConfig.defaultGateway
    local, directory = host.config.authenticationManagerInfo.authConfig
    assert isinstance(local, vim.host.LocalAuthenticationInfo) and local.enabled
    assert isinstance(directory, vim.host.ActiveDirectoryInfo) and not directory.enabled


def test_vm_devices_files_and_storage(si):
    vm = find_vm(si, "DC0_H0_VM0")
    devices = {d.key: d for d in vm.config.hardware.device}
    disk = devices[2000]
    assert isinstance(disk, vim.vm.device.VirtualDisk)
    assert disk.controllerKey == 1000 and isinstance(devices[1000],
                                                      vim.vm.device.ParaVirtualSCSIController)
    assert devices[1000].device == [2000]
    assert disk.backing.fileName == "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmdk"
    assert disk.backing.datastore == vm.datastore[0]
    nic = devices[4000]
    assert isinstance(nic, vim.vm.device.VirtualEthernetCard) and nic.controllerKey == 100
    assert 4000 in devices[100].device
    assert isinstance(devices[3002], vim.vm.device.VirtualCdrom)
    assert isinstance(devices[500], vim.vm.device.VirtualVideoCard)
    assert vm.summary.config.numVirtualDisks == 1
    assert vm.config.tools.toolsVersion and vm.config.tools.lastInstallInfo.counter == 0
    extra = {o.key: o.value for o in vm.config.extraConfig}
    assert extra["nvram"] == "DC0_H0_VM0.nvram"
    files = {f.type: f for f in vm.layoutEx.file}
    assert files["config"].name == vm.config.files.vmPathName
    assert files["diskDescriptor"].name == disk.backing.fileName
    [disk_layout] = vm.layoutEx.disk
    assert disk_layout.key == 2000
    storage = vm.summary.storage
    [usage] = vm.storage.perDatastoreUsage
    assert usage.datastore == vm.datastore[0] and usage.committed == storage.committed > 0
    assert storage.uncommitted > 0
    assert vm.summary.quickStats.uptimeSeconds >= 0
    assert vm.resourceConfig.entity == vm
    [guest_disk] = vm.guest.disk
    assert guest_disk.capacity > guest_disk.freeSpace > 0
    [net] = vm.guest.net
    assert net.ipConfig.ipAddress[0].ipAddress == vm.guest.ipAddress
    assert vm.summary.guest.toolsVersionStatus2 == "guestToolsCurrent"


def test_instant_clone_config_lands_in_extra_config_and_a_reboot_brings_the_network_up(
        make_emulator):
    emulator = make_emulator(clock="auto")
    si = emulator.connect()
    src = find_vm(si, "DC0_C0_RP0_VM0")
    task = src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(
        name="ic-2", location=vim.vm.RelocateSpec(),
        config=[vim.option.OptionValue(key="guestinfo.ic.hostname", value="web02")]))
    assert WaitForTask(task) == "success"
    clone = task.info.result
    extra = {o.key: o.value for o in clone.config.extraConfig}
    assert extra["guestinfo.ic.hostname"] == "web02"
    mgr = si.content.guestCustomizationManager
    assert WaitForTask(mgr.CustomizeGuest_Task(vm=clone, auth=ROOT,
                                               spec=linux_spec("10.9.8.8", "web02"))) == "success"
    assert clone.guest.ipAddress is None  # not until the guest network starts, or a boot
    clone.RebootGuest()
    emulator.advance(10)
    assert clone.guest.toolsRunningStatus == "guestToolsRunning"
    assert clone.guest.ipAddress == "10.9.8.8" and clone.guest.hostName == "web02"


def test_environment_browser_offers_vmx_19_and_the_guests(si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    browser = vm.environmentBrowser
    assert browser == vm.resourcePool.owner.environmentBrowser
    [descriptor] = browser.QueryConfigOptionDescriptor()
    assert descriptor.key == "vmx-19" and descriptor.defaultConfigOption
    assert set(descriptor.host) == set(vm.resourcePool.owner.host)
    option = browser.QueryConfigOptionEx(vim.EnvironmentBrowser.ConfigOptionQuerySpec())
    ids = [g.id for g in option.guestOSDescriptor]
    assert "otherLinux64Guest" in ids and "windows2019srv_64Guest" in ids
    [linux] = browser.QueryConfigOptionEx(vim.EnvironmentBrowser.ConfigOptionQuerySpec(
        guestId=["otherLinux64Guest"])).guestOSDescriptor
    assert linux.family == "linuxGuest"
    assert linux.recommendedEthernetCard is vim.vm.device.VirtualVmxnet3
    assert browser.QueryConfigOption(key="vmx-07") is None
    assert option.hardwareOptions.hwVersion == 19
    assert browser.datastoreBrowser == vm.datastore[0].browser


def test_a_hosts_advanced_options(si):
    host = find_vm(si, "DC0_H0_VM0").runtime.host
    options = host.configManager.advancedOption
    assert options != si.content.setting
    [level] = options.QueryOptions("Config.HostAgent.log.level")
    assert level.value == "info"
    assert {o.key for o in options.QueryOptions("Config.HostAgent.")} == {
        "Config.HostAgent.log.level", "Config.HostAgent.plugins.solo.enableMob"}
    options.UpdateOptions([vim.option.OptionValue(key="Config.HostAgent.log.level",
                                                  value="verbose")])
    assert options.QueryOptions("Config.HostAgent.log.level")[0].value == "verbose"
    assert si.content.setting.QueryOptions("VirtualCenter.InstanceName")  # vCenter's apart
    with pytest.raises(vim.fault.InvalidName) as err:  # a host takes no new keys
        options.UpdateOptions([vim.option.OptionValue(key="config.new", value="x")])
    assert err.value.name == "config.new"


def test_guest_operations_manager_names_its_managers(si):
    """govc's guest.* commands and Ansible's vm_shell read these references first: they are
    there; the alias manager, not emulated, answers a clean MethodNotFound."""
    manager = si.content.guestOperationsManager
    assert manager.processManager._moId == "guestOperationsProcessManager"
    assert manager.fileManager._wsdlName == "GuestFileManager"
    assert manager.authManager and manager.aliasManager and manager.guestWindowsRegistryManager
    vm = find_vm(si, "DC0_H0_VM0")
    auth = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
    with pytest.raises(vmodl.fault.MethodNotFound):
        manager.aliasManager.ListGuestAliases(vm=vm, auth=auth, username="root")


def test_vm_datastore_urls(si):
    vm = find_vm(si, "DC0_H0_VM0")
    [pair] = vm.config.datastoreUrl
    assert pair.name == "LocalDS_0"
    assert vm.datastore[0].info.url.rstrip("/").endswith(pair.url.rsplit("/", 1)[-1])


def test_config_target_lists_the_datastores_and_networks(si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    target = vm.environmentBrowser.QueryConfigTarget()
    assert target.numCpus == sum(h.hardware.cpuInfo.numCpuCores
                                 for h in vm.resourcePool.owner.host)
    assert [d.name for d in target.datastore] == ["LocalDS_0"]
    assert target.datastore[0].datastore.capacity == vm.datastore[0].summary.capacity
    assert [n.name for n in target.network] == ["VM Network"]
    assert target.pciPassthrough == [] and target.scsiDisk == []
    one = vm.environmentBrowser.QueryConfigTarget(host=vm.runtime.host)
    assert one.numNumaNodes == 1
