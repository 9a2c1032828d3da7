"""A host's standard switches and port groups through HostNetworkSystem, as govc's
host.vswitch.* / host.portgroup.* and Ansible's vmware_vswitch / vmware_portgroup change them:
the network info answers them, a port group is a network of the datacenter, the faults are
ESXi's, and a snapshot keeps them. Also its services and NTP servers (govc host.service and
host.date.change, Ansible's vmware_host_service_manager and vmware_host_ntp)."""
import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_snapshot import control

Spec = vim.host.VirtualSwitch.Specification


def host_of(si, name="DC0_H0"):
    return si.content.searchIndex.FindByInventoryPath("DC0/host/%s/%s" % (name, name))


def portgroup(name, vswitch, vlan=0, policy=None):
    return vim.host.PortGroup.Specification(name=name, vswitchName=vswitch, vlanId=vlan,
                                            policy=policy or vim.host.NetworkPolicy())


def info(host):
    network = host.config.network
    return ({s.name: s for s in network.vswitch},
            {p.spec.name: p for p in network.portgroup})


def test_switches_and_port_groups_are_added_changed_and_removed(si):
    host = host_of(si)
    system = host.configManager.networkSystem
    system.AddVirtualSwitch(vswitchName="vSwitch1", spec=Spec(numPorts=256, mtu=9000))
    security = vim.host.NetworkPolicy.SecurityPolicy(allowPromiscuous=False)
    system.AddPortGroup(portgrp=portgroup("Storage", "vSwitch1", 42,
                                          vim.host.NetworkPolicy(security=security)))
    switches, groups = info(host)
    assert (switches["vSwitch1"].mtu, switches["vSwitch1"].numPorts) == (9000, 256)
    assert switches["vSwitch1"].portgroup == ["key-vim.host.PortGroup-Storage"]
    assert groups["Storage"].spec.vlanId == 42
    assert groups["Storage"].spec.policy.security.allowPromiscuous is False
    assert groups["Storage"].vswitch == "key-vim.host.VirtualSwitch-vSwitch1"
    # a port group is a network of the datacenter, on the host
    dc = si.content.rootFolder.childEntity[0]
    [storage] = [n for n in dc.network if n.name == "Storage"]
    assert storage in host.network and storage.host == [host]
    assert storage.parent == dc.networkFolder
    system.UpdatePortGroup(pgName="Storage", portgrp=portgroup("Storage", "vSwitch1", 7))
    assert info(host)[1]["Storage"].spec.vlanId == 7
    system.UpdateVirtualSwitch(vswitchName="vSwitch1", spec=Spec(numPorts=512, mtu=1500))
    assert info(host)[0]["vSwitch1"].numPorts == 512
    system.RemovePortGroup(pgName="Storage")
    assert "Storage" not in info(host)[1] and "Storage" not in [n.name for n in dc.network]
    system.RemoveVirtualSwitch(vswitchName="vSwitch1")
    assert set(info(host)[0]) == {"vSwitch0"}


def test_switch_and_port_group_faults(si):
    host = host_of(si)
    system = host.configManager.networkSystem
    with pytest.raises(vim.fault.AlreadyExists) as found:
        system.AddVirtualSwitch(vswitchName="vSwitch0", spec=Spec(numPorts=128))
    assert found.value.name == "vSwitch0"
    with pytest.raises(vim.fault.NotFound):
        system.AddPortGroup(portgrp=portgroup("X", "nosuch"))
    with pytest.raises(vim.fault.AlreadyExists):
        system.AddPortGroup(portgrp=portgroup("VM Network", "vSwitch0"))
    with pytest.raises(vim.fault.ResourceInUse) as found:  # vmk0 is on it
        system.RemovePortGroup(pgName="Management Network")
    assert found.value.name == "Management Network"
    with pytest.raises(vim.fault.ResourceInUse):  # the host's VMs are on it
        system.RemovePortGroup(pgName="VM Network")
    with pytest.raises(vim.fault.ResourceInUse):  # its port groups are on it
        system.RemoveVirtualSwitch(vswitchName="vSwitch0")
    with pytest.raises(vim.fault.NotFound):
        system.RemovePortGroup(pgName="nothing")
    with pytest.raises(vim.fault.ResourceInUse):  # vmnic0 is vSwitch0's
        system.AddVirtualSwitch(vswitchName="vSwitch1", spec=Spec(
            numPorts=128, bridge=vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic0"])))
    assert set(info(host)[0]) == {"vSwitch0"}
    assert find_vm(si, "DC0_H0_VM0").network[0].name == "VM Network"


def test_a_port_group_on_two_hosts_is_one_network(si):
    dc = si.content.rootFolder.childEntity[0]
    cluster = next(c for c in dc.hostFolder.childEntity if isinstance(
        c, vim.ClusterComputeResource))
    first, second = cluster.host[:2]
    for host in (first, second):
        host.configManager.networkSystem.AddPortGroup(portgrp=portgroup("vMotion", "vSwitch0"))
    [network] = [n for n in dc.network if n.name == "vMotion"]
    assert sorted(h.name for h in network.host) == sorted([first.name, second.name])
    assert network in cluster.network
    first.configManager.networkSystem.RemovePortGroup(pgName="vMotion")
    assert network.host == [second]  # still the second host's
    second.configManager.networkSystem.RemovePortGroup(pgName="vMotion")
    assert "vMotion" not in [n.name for n in dc.network]


def test_switches_and_port_groups_are_kept_by_a_snapshot(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    system = host_of(si).configManager.networkSystem
    system.AddVirtualSwitch(vswitchName="vSwitch1", spec=Spec(numPorts=64, mtu=9000))
    system.AddPortGroup(portgrp=portgroup("Storage", "vSwitch1", 42))
    snapshot = control(first.base, "GET", "/snapshot")
    second = make_emulator(clock="virtual")
    assert control(second.base, "PUT", "/snapshot", snapshot) == {"loaded": True}
    si = second.connect()
    host = host_of(si)
    switches, groups = info(host)
    assert switches["vSwitch1"].mtu == 9000 and groups["Storage"].spec.vlanId == 42
    assert "Storage" in [n.name for n in host.network]
    dc = si.content.rootFolder.childEntity[0]
    assert [n for n in dc.network if n.name == "Storage"][0].host == [host]


def test_host_services_and_ntp(emulator, si):
    host = host_of(si)
    services = host.configManager.serviceSystem
    services.StartService(id="TSM-SSH")
    services.UpdateServicePolicy(id="TSM-SSH", policy="on")
    ssh = {s.key: s for s in services.serviceInfo.service}["TSM-SSH"]
    assert (ssh.running, ssh.policy) == (True, "on")
    services.StopService(id="TSM-SSH")
    assert not {s.key: s for s in services.serviceInfo.service}["TSM-SSH"].running
    with pytest.raises(vim.fault.NotFound):
        services.StartService(id="nosuch")
    with pytest.raises(vmodl.fault.InvalidArgument):
        services.UpdateServicePolicy(id="TSM-SSH", policy="sometimes")
    clock = host.configManager.dateTimeSystem
    clock.UpdateDateTimeConfig(config=vim.host.DateTimeConfig(
        ntpConfig=vim.host.NtpConfig(server=["0.pool.ntp.org", "1.pool.ntp.org"]),
        enabled=True))
    info = host.config.dateTimeInfo
    assert info.ntpConfig.server == ["0.pool.ntp.org", "1.pool.ntp.org"] and info.enabled
    assert clock.dateTimeInfo.timeZone.key == "UTC"
    assert [z.key for z in clock.QueryAvailableTimeZones()] == ["UTC"]
    with pytest.raises(vmodl.fault.InvalidArgument):
        clock.UpdateDateTimeConfig(config=vim.host.DateTimeConfig(timeZone="Europe/Paris"))
    ro = emulator.connect(user="readonly", pwd="readonly")
    with pytest.raises(vim.fault.NoPermission) as found:
        host_of(ro).configManager.serviceSystem.StartService(id="TSM")
    assert found.value.privilegeId == "Host.Config.NetService"
    # what others were not changed
    other = si.content.searchIndex.FindByInventoryPath("DC0/host/DC0_C0/DC0_C0_H0")
    assert {s.key: s for s in other.configManager.serviceSystem.serviceInfo.service}[
        "TSM-SSH"].running is False


def test_host_services_and_ntp_are_kept_by_a_snapshot(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    host = host_of(si)
    host.configManager.serviceSystem.StartService(id="TSM-SSH")
    host.configManager.dateTimeSystem.UpdateDateTimeConfig(config=vim.host.DateTimeConfig(
        ntpConfig=vim.host.NtpConfig(server=["ntp.example.com"])))
    snapshot = control(first.base, "GET", "/snapshot")
    second = make_emulator(clock="virtual")
    assert control(second.base, "PUT", "/snapshot", snapshot) == {"loaded": True}
    host = host_of(second.connect())
    assert {s.key: s for s in host.configManager.serviceSystem.serviceInfo.service}[
        "TSM-SSH"].running
    assert host.config.dateTimeInfo.ntpConfig.server == ["ntp.example.com"]
