"""What each customization identity and NIC setting does to the guest, through pyVmomi on the
virtual clock: host name generators, domain, DNS, gateways, IPv6, MAC-matched adapters,
Sysprep's restart, cloud-init's metadata, the faults of what vCenter cannot resolve, the
failure events with their fields, and a restart bringing the customized network up."""
import json

import pytest
import requests
from pyVmomi import vim

from conftest import find_vm
from test_durability import restored
from test_jsonapi import Json
from test_rest import Rest
from vimsim.model import fixture as fixtures
from vimsim.model.guest import GuestBehaviour, Outcome

C = vim.vm.customization
ROOT = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
WINDOWS = {"name": "DC0_H0_Win", "guest_id": "windows2019srv_64Guest",
           "guest_full_name": "Microsoft Windows Server 2019 (64-bit)",
           "guest_family": "windowsGuest", "power_state": "poweredOff"}


def linux(host_name=None, nics=None, domain="example.com", dns=(), suffixes=(), **identity):
    """A LinuxPrep spec; ``nics`` default one DHCP NIC (a deployed spec names every NIC)."""
    return C.Specification(
        identity=C.LinuxPrep(hostName=host_name or C.FixedName(name="web01"), domain=domain,
                             **identity),
        globalIPSettings=C.GlobalIPSettings(dnsServerList=list(dns),
                                            dnsSuffixList=list(suffixes)),
        nicSettingMap=list([dhcp()] if nics is None else nics))


def fixed(address, mask="255.255.255.0", gateways=(), mac=None, ipv6=None):
    return C.AdapterMapping(macAddress=mac, adapter=C.IPSettings(
        ip=C.FixedIp(ipAddress=address), subnetMask=mask, gateway=list(gateways),
        ipV6Spec=ipv6))


def dhcp():
    return C.AdapterMapping(adapter=C.IPSettings(ip=C.DhcpIpGenerator()))


def powered_off(emulator, vm):
    vm.PowerOffVM_Task()
    emulator.advance(1)
    assert vm.runtime.powerState == "poweredOff"
    return vm


def customize_at_boot(emulator, vm, spec, running=3):
    """CustomizeVM_Task on the powered-off ``vm``, power on, and let the guest finish."""
    task = vm.CustomizeVM_Task(spec=spec)
    emulator.advance(1)
    assert task.info.state == "success", task.info.error
    vm.PowerOnVM_Task()
    emulator.advance(0.3 + 3 + 1 + running)  # boot, Tools start, PENDING, RUNNING
    return vm.guest.customizationInfo


def status(vm):
    return vm.guest.customizationInfo.customizationStatus


def events_of(si, vm, *types):
    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self"),
        eventTypeId=list(types) or None))
    return sorted(events, key=lambda e: e.key)


def guest_config(emulator, vm):
    return emulator.call(lambda: emulator.vc.objects[vm._moId].guest_config)


def windows_emulator(make_emulator, **extra):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"].append(dict(WINDOWS, **extra))
    return make_emulator(clock="virtual", fixture=data)


# -- Linux identities ------------------------------------------------------------------------


def test_linux_prep_sets_host_name_domain_dns_and_gateways(emulator, si):
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    spec = linux(nics=[fixed("10.20.0.5", "255.255.0.0", ["10.20.0.1"], ipv6=C.IPSettings.IpV6AddressSpec(
        ip=[C.FixedIpV6(ipAddress="2001:db8::5", subnetMask=64)], gateway=["2001:db8::1"]))],
        dns=["10.20.0.2", "10.20.0.3"], suffixes=["example.com", "lab.example.com"],
        timeZone="Europe/Paris", hwClockUTC=True, scriptText="#!/bin/sh\necho hi")
    info = customize_at_boot(emulator, vm, spec)
    assert info.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    guest = vm.guest
    assert guest.hostName == "web01" and guest.ipAddress == "10.20.0.5"
    assert (vm.summary.guest.hostName, vm.summary.guest.ipAddress) == ("web01", "10.20.0.5")
    [nic] = guest.net
    assert nic.ipAddress == ["10.20.0.5", "2001:db8::5"]
    assert [(a.ipAddress, a.prefixLength, a.origin, a.state) for a in nic.ipConfig.ipAddress] \
        == [("10.20.0.5", 16, "manual", "preferred"), ("2001:db8::5", 64, "manual", "preferred")]
    assert nic.ipConfig.dhcp.ipv4.enable is False
    assert nic.dnsConfig.ipAddress == ["10.20.0.2", "10.20.0.3"]
    assert nic.dnsConfig.domainName == "example.com" and nic.dnsConfig.dhcp is False
    [stack] = guest.ipStack
    dns = stack.dnsConfig
    assert (dns.hostName, dns.domainName, dns.dhcp) == ("web01", "example.com", False)
    assert dns.ipAddress == ["10.20.0.2", "10.20.0.3"]
    assert dns.searchDomain == ["example.com", "lab.example.com"]
    routes = [(r.network, r.prefixLength, r.gateway.ipAddress, r.gateway.device)
              for r in stack.ipRouteConfig.ipRoute]
    assert ("0.0.0.0", 0, "10.20.0.1", "0") in routes  # the default gateway
    assert ("10.20.0.0", 16, None, "0") in routes  # the NIC's own subnet
    assert ("::", 0, "2001:db8::1", "0") in routes
    kept = guest_config(emulator, vm)  # what the guest applied that Tools does not report
    assert (kept["time_zone"], kept["hw_clock_utc"], kept["script"]) == \
        ("Europe/Paris", True, True)


def test_virtual_machine_name_is_the_vm_name_made_unique(emulator, si):
    src = find_vm(si, "DC0_H0_VM0")
    # a VM whose name is the host name DC0_H0_VM1's guest already has
    task = src.CloneVM_Task(folder=src.parent, name="dc0-h0-vm1", spec=vim.vm.CloneSpec(
        location=vim.vm.RelocateSpec(), powerOn=True,
        customization=linux(C.VirtualMachineNameGenerator(), nics=[fixed("10.30.0.5")])))
    emulator.advance(10)
    clone = task.info.result
    assert status(clone) == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert clone.guest.hostName == "dc0-h0-vm11"  # "a number is appended, if necessary"
    vm = powered_off(emulator, find_vm(si, "DC0_C0_RP0_VM0"))
    customize_at_boot(emulator, vm, linux(C.VirtualMachineNameGenerator()))
    assert vm.guest.hostName == "DC0-C0-RP0-VM0"  # underscores are not in host names


def test_prefix_name_appends_the_lowest_free_number(emulator, si):
    first = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    second = powered_off(emulator, find_vm(si, "DC0_H0_VM1"))
    customize_at_boot(emulator, first, linux(C.PrefixNameGenerator(base="web")))
    assert first.guest.hostName == "web1"
    customize_at_boot(emulator, second, linux(C.PrefixNameGenerator(base="web")))
    assert second.guest.hostName == "web2"


@pytest.mark.parametrize("generator, fault, where", [
    (lambda: linux(C.UnknownNameGenerator()), vim.fault.CustomizationFault, "spec.identity.hostName"),
    (lambda: linux(C.CustomNameGenerator(argument="x")), vim.fault.IpHostnameGeneratorError,
     "spec.identity.hostName"),
    (lambda: linux(nics=[C.AdapterMapping(adapter=C.IPSettings(
        ip=C.UnknownIpGenerator()))]), vim.fault.CustomizationFault,
     "spec.nicSettingMap[0].adapter.ip"),
    (lambda: linux(nics=[C.AdapterMapping(adapter=C.IPSettings(
        ip=C.CustomIpGenerator(argument="web")))]), vim.fault.IpHostnameGeneratorError,
     "spec.nicSettingMap[0].adapter.ip"),
    (lambda: linux(nics=[C.AdapterMapping(adapter=C.IPSettings(
        ip=C.DhcpIpGenerator(), ipV6Spec=C.IPSettings.IpV6AddressSpec(
            ip=[C.UnknownIpV6Generator()])))]), vim.fault.CustomizationFault,
     "spec.nicSettingMap[0].adapter.ipV6Spec.ip[0]"),
], ids=["unknown-name", "custom-name", "unknown-ip", "custom-ip", "unknown-ipv6"])
def test_generators_vcenter_cannot_resolve_are_faults_at_deploy(emulator, si, generator,
                                                                fault, where):
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(fault) as refused:
        vm.CheckCustomizationSpec(spec=generator())
    assert type(refused.value) is fault and where in refused.value.msg
    powered_off(emulator, vm)
    task = vm.CustomizeVM_Task(spec=generator())
    emulator.advance(1)
    assert type(task.info.error) is fault
    assert vm.config.tools.pendingCustomization is None and status(vm) == "TOOLSDEPLOYPKG_IDLE"
    mgr = si.content.guestCustomizationManager
    running = find_vm(si, "DC0_H0_VM1")
    with pytest.raises(fault):
        mgr.CustomizeGuest_Task(vm=running, auth=ROOT, spec=generator())


def test_dhcp_nics_lease_an_address(emulator, si):
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    customize_at_boot(emulator, vm, linux(nics=[dhcp()]))
    [nic] = vm.guest.net
    [entry] = nic.ipConfig.ipAddress
    assert entry.origin == "dhcp" and entry.ipAddress == vm.guest.ipAddress
    assert nic.ipConfig.dhcp.ipv4.enable is True
    [stack] = vm.guest.ipStack
    assert stack.dnsConfig.dhcp is True  # no DNS servers in the spec: from the lease


# -- adapters matched by MAC address ---------------------------------------------------------


def two_nic_clone(emulator, si, name="two-nics"):
    src = find_vm(si, "DC0_H0_VM0")
    net = src.network[0]
    nic = vim.vm.device.VirtualDeviceSpec(operation="add", device=vim.vm.device.VirtualVmxnet3(
        backing=vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(network=net,
                                                                     deviceName=net.name)))
    task = src.CloneVM_Task(folder=src.parent, name=name, spec=vim.vm.CloneSpec(
        location=vim.vm.RelocateSpec(), config=vim.vm.ConfigSpec(deviceChange=[nic])))
    emulator.advance(5)
    clone = task.info.result
    macs = [d.macAddress for d in clone.config.hardware.device
            if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    assert len(macs) == 2
    return clone, macs


def test_nic_settings_go_to_the_adapter_with_their_mac_address(emulator, si):
    clone, macs = two_nic_clone(emulator, si)
    spec = linux(nics=[fixed("10.40.0.2", mac=macs[1].upper()), fixed("10.40.0.1")])
    customize_at_boot(emulator, clone, spec)
    assert status(clone) == "TOOLSDEPLOYPKG_SUCCEEDED"
    by_mac = {n.macAddress: n.ipAddress for n in clone.guest.net}
    assert by_mac == {macs[0]: ["10.40.0.1"], macs[1]: ["10.40.0.2"]}


def test_a_mac_address_the_vm_does_not_have_fails_the_network_setup(emulator, si):
    clone, macs = two_nic_clone(emulator, si)
    spec = linux(nics=[fixed("10.40.0.2", mac="00:50:56:ff:ff:ff"), fixed("10.40.0.1")])
    info = customize_at_boot(emulator, clone, spec)
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert "MAC address mismatch" in info.errorMsg
    [failed] = events_of(si, clone, "CustomizationNetworkSetupFailed")
    assert failed.reason is None  # a CustomizationFailedReasonCode: none for this failure
    assert failed.fullFormattedMessage == ("An error occurred while setting up network "
                                           "properties of the guest OS")
    assert failed.logLocation == "/var/log/vmware-imc/toolsDeployPkg.log"
    assert failed.createdTime == info.endTime
    assert clone.guest.hostName != "web01"  # nothing of the spec was applied


# -- Windows ---------------------------------------------------------------------------------


def sysprep(computer_name, workgroup=None, domain=None):
    return C.Specification(
        identity=C.Sysprep(
            guiUnattended=C.GuiUnattended(autoLogon=False, autoLogonCount=0, timeZone=85),
            userData=C.UserData(fullName="Ops", orgName="Example", productId="",
                                computerName=computer_name),
            identification=C.Identification(
                joinWorkgroup=workgroup, joinDomain=domain,
                domainAdmin="admin" if domain else None,
                domainAdminPassword=C.Password(value="secret", plainText=True)
                if domain else None)),
        globalIPSettings=C.GlobalIPSettings(),
        nicSettingMap=[C.AdapterMapping(adapter=C.IPSettings(
            ip=C.FixedIp(ipAddress="10.50.0.5"), subnetMask="255.255.255.0",
            gateway=["10.50.0.1"], dnsServerList=["10.50.0.2"], dnsDomain="corp.example.com"))])


def test_sysprep_restarts_the_guest_while_it_runs(make_emulator):
    emulator = windows_emulator(make_emulator)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_Win")
    emulator.call(emulator.vc.timings.update, customization_running=9)
    task = vm.CustomizeVM_Task(spec=sysprep(C.FixedName(name="WIN-WEB01"), domain="corp"))
    emulator.advance(1)
    assert task.info.state == "success"
    vm.PowerOnVM_Task()
    emulator.advance(0.3 + 3 + 1)  # Tools start, PENDING 1 s: RUNNING
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    emulator.advance(3)  # a third of the way: Windows restarts
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    assert vm.guest.guestState == "notRunning" and vm.guest.net == []
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    emulator.advance(2)  # the guest's reboot time: Tools are back
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    assert vm.guest.guestState == "running"
    emulator.advance(4)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert vm.guest.hostName == "WIN-WEB01" and vm.guest.ipAddress == "10.50.0.5"
    [nic] = vm.guest.net
    assert nic.dnsConfig.ipAddress == ["10.50.0.2"]
    assert nic.dnsConfig.domainName == "corp.example.com"
    assert vm.guest.ipStack[0].dnsConfig.domainName == "corp"  # the domain it joined
    kept = guest_config(emulator, vm)
    assert kept["joined_domain"] == "corp" and kept["workgroup"] is None
    [succeeded] = events_of(si, vm, "CustomizationSucceeded")
    assert succeeded.logLocation == r"C:\Windows\TEMP\vmware-imc\guestcust.log"


@pytest.mark.parametrize("reboot", ["shutdown", "noreboot"])
def test_sysprep_options_say_whether_windows_shuts_down_after(make_emulator, reboot):
    """CustomizationWinOptions.reboot: ``shutdown`` powers the guest off once Sysprep has
    succeeded (after the guest's shutdown time); ``noreboot`` (and ``reboot``) leave it on."""
    emulator = windows_emulator(make_emulator)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_Win")
    spec = sysprep(C.FixedName(name="WIN-OPT"), workgroup="WG")
    spec.options = C.WinOptions(changeSID=True, deleteAccounts=False, reboot=reboot)
    info = customize_at_boot(emulator, vm, spec)
    assert info.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert vm.runtime.powerState == "poweredOn"
    emulator.advance(2)
    if reboot == "noreboot":
        assert vm.runtime.powerState == "poweredOn"
        return
    assert vm.runtime.powerState == "poweredOff"
    [off] = events_of(si, vm, "VmPoweredOffEvent")
    assert (off.createdTime - info.endTime).total_seconds() == pytest.approx(2)
    vm.PowerOnVM_Task()  # what it applied stays, and nothing runs again
    emulator.advance(0.3 + 3 + 5)
    assert vm.guest.hostName == "WIN-OPT" and status(vm) == "TOOLSDEPLOYPKG_SUCCEEDED"


def test_sysprep_virtual_machine_name_is_a_netbios_name(make_emulator):
    emulator = windows_emulator(make_emulator, name="DC0_H0_Windows_Server_Web")
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_Windows_Server_Web")
    customize_at_boot(emulator, vm, sysprep(C.VirtualMachineNameGenerator(), workgroup="WORKGROUP"))
    assert vm.guest.hostName == "DC0-H0-Windows"  # 15 characters at most
    assert guest_config(emulator, vm)["workgroup"] == "WORKGROUP"


def test_sysprep_text_takes_the_computer_name_from_its_answer_file(make_emulator):
    emulator = windows_emulator(make_emulator)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_Win")
    xml = ("<unattend><settings pass=\"specialize\"><component><ComputerName>APP7"
           "</ComputerName></component><component><Identification><JoinWorkgroup>LAB"
           "</JoinWorkgroup></Identification></component></settings></unattend>")
    customize_at_boot(emulator, vm, C.Specification(
        identity=C.SysprepText(value=xml), globalIPSettings=C.GlobalIPSettings(),
        nicSettingMap=[dhcp()]))
    assert status(vm) == "TOOLSDEPLOYPKG_SUCCEEDED" and vm.guest.hostName == "APP7"
    assert guest_config(emulator, vm)["workgroup"] == "LAB"


# -- cloud-init ------------------------------------------------------------------------------

METADATA = """\
instance-id: web-7
local-hostname: web-7.example.com
network:
  version: 2
  ethernets:
    nic0:
      match: {macaddress: "%s"}
      addresses: [10.60.0.7/22, "2001:db8:60::7/64"]
      gateway4: 10.60.0.1
      nameservers:
        addresses: [10.60.0.2]
        search: [example.com]
"""


def cloudinit(metadata, userdata=None):
    return C.Specification(identity=C.CloudinitPrep(metadata=metadata, userdata=userdata),
                           globalIPSettings=C.GlobalIPSettings())


def test_cloudinit_metadata_reaches_the_guest(emulator, si):
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    [mac] = [d.macAddress for d in vm.config.hardware.device
             if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    info = customize_at_boot(emulator, vm, cloudinit(METADATA % mac, "#cloud-config\n"))
    assert info.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert vm.guest.hostName == "web-7" and vm.guest.ipAddress == "10.60.0.7"
    [nic] = vm.guest.net
    assert nic.ipAddress == ["10.60.0.7", "2001:db8:60::7"]
    assert nic.ipConfig.ipAddress[0].prefixLength == 22
    [stack] = vm.guest.ipStack
    assert stack.dnsConfig.ipAddress == ["10.60.0.2"]
    assert stack.dnsConfig.searchDomain == ["example.com"]
    assert ("0.0.0.0", "10.60.0.1") in [(r.network, r.gateway.ipAddress)
                                        for r in stack.ipRouteConfig.ipRoute]
    [started] = events_of(si, vm, "CustomizationStartedEvent")
    assert started.logLocation == "/var/log/cloud-init.log"


def test_cloudinit_userdata_host_name_and_v1_network(emulator, si):
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    metadata = json.dumps({"local-hostname": "meta", "network": {"version": 1, "config": [
        {"type": "physical", "name": "eth0", "subnets": [
            {"type": "static", "address": "10.61.0.9", "netmask": "255.255.255.0",
             "gateway": "10.61.0.1", "dns_nameservers": ["10.61.0.2"]}]}]}})
    customize_at_boot(emulator, vm, cloudinit(metadata, "#cloud-config\nhostname: from-user\n"))
    assert vm.guest.hostName == "from-user"  # cloud-config's hostname over the metadata's
    assert vm.guest.ipAddress == "10.61.0.9"
    assert vm.guest.ipStack[0].dnsConfig.ipAddress == ["10.61.0.2"]


@pytest.mark.parametrize("metadata", [
    "network: [1, 2]",
    "network: {version: 2, ethernets: {1: [a], b: {addresses: 5, routes: {x: 1}, "
    "nameservers: [1], match: 7}}}",
    "network: {version: 1, config: [1, {type: physical, subnets: {a: 1}}, "
    "{type: nameserver, address: 10.0.0.2}]}",
    "local-hostname: 2026-01-01\nnetwork: {ethernets: {eth0: {addresses: [not-an-ip]}}}",
], ids=["list", "v2-odd", "v1-odd", "bad-address"])
def test_cloudinit_metadata_of_any_shape_ends_cleanly(emulator, si, metadata):
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    info = customize_at_boot(emulator, vm, cloudinit(metadata))
    assert info.customizationStatus in ("TOOLSDEPLOYPKG_SUCCEEDED", "TOOLSDEPLOYPKG_FAILED")
    assert "internal error" not in (info.errorMsg or "")
    if info.customizationStatus == "TOOLSDEPLOYPKG_FAILED":
        assert events_of(si, vm, "CustomizationNetworkSetupFailed")
        assert "not-an-ip" in info.errorMsg


def test_cloudinit_data_that_is_not_json_or_yaml_is_a_fault(si):
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.CustomizationFault) as refused:
        vm.CheckCustomizationSpec(spec=cloudinit("key: [unclosed"))
    assert "metadata" in refused.value.msg


def test_cloudinit_prep_is_unknown_to_older_api_versions(emulator):
    """(VI/JSON serves releases from 8.0.1.0, which all have it.)"""
    from test_soap_wire import ENVELOPE, fault_of, login
    cookie = login(emulator).headers["Set-Cookie"]
    vm = next(o.moid for o in emulator.vc.objects.values()
              if getattr(o, "name", None) == "DC0_H0_VM0")
    body = ('<CheckCustomizationSpec xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this>'
            '<spec><identity xsi:type="CustomizationCloudinitPrep"><metadata>a: b</metadata>'
            '</identity><globalIPSettings/></spec></CheckCustomizationSpec>' % vm)

    def check(version):
        return requests.post(emulator.base + "/sdk", data=(ENVELOPE % body).encode(), headers={
            "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"urn:vim25/%s"' % version,
            "Cookie": cookie}, timeout=10)
    assert check("7.0.3.0").status_code == 200  # the version that added it
    _, element = fault_of(check("7.0.2.0"))
    assert element.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "InvalidType"
    assert element.findtext("{urn:vim25}argument") == "CustomizationCloudinitPrep"


# -- failure events, chosen by the guest behaviour hooks --------------------------------------


def test_a_fixture_chooses_the_failure_event_and_reason(make_emulator):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][0]["customization"] = {
        "fail": "Unable to set the host name", "event": "CustomizationLinuxIdentityFailed",
        "reason": "customizationDisabled", "duration": 2}
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    info = customize_at_boot(emulator, vm, linux(), running=2)
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert info.errorMsg == "Unable to set the host name"
    [failed] = events_of(si, vm, "CustomizationLinuxIdentityFailed")
    assert type(failed) is vim.event.CustomizationLinuxIdentityFailed
    assert failed.reason == "customizationDisabled"
    assert failed.logLocation == "/var/log/vmware-imc/toolsDeployPkg.log"
    assert failed.vm.vm == vm and failed.vm.name == "DC0_H0_VM0"
    assert failed.createdTime == info.endTime and failed.template is False
    assert (failed.host.name, failed.datacenter.name) == ("DC0_H0", "DC0")
    # vCenter's words (EventManager.description's fullFormat), the guest's error aside
    assert failed.fullFormattedMessage == (
        "An error occurred while setting up Linux identity. See log file "
        "'/var/log/vmware-imc/toolsDeployPkg.log' on guest OS for details.")
    [started] = events_of(si, vm, "CustomizationStartedEvent")
    assert started.fullFormattedMessage == "Started customization of VM DC0_H0_VM0"
    assert started.logLocation == failed.logLocation and started.template is False


def test_a_fault_rule_chooses_the_sysprep_failure(make_emulator):
    emulator = windows_emulator(make_emulator)
    si = emulator.connect()
    emulator.call(emulator.vc.rules.add, operation="CustomizeVM_Task", action="guest_fail",
                  message="Sysprep failed", event="CustomizationSysprepFailed", seconds=3)
    vm = find_vm(si, "DC0_H0_Win")
    info = customize_at_boot(emulator, vm, sysprep(C.FixedName(name="W1"), workgroup="WG"))
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    [failed] = events_of(si, vm, "CustomizationSysprepFailed")
    assert failed.reason is None and info.errorMsg == "Sysprep failed"
    assert failed.systemVersion == WINDOWS["guest_full_name"] and failed.sysprepVersion
    assert failed.logLocation == r"C:\Windows\TEMP\vmware-imc\guestcust.log"
    assert failed.fullFormattedMessage == (
        "The version of Sysprep %s provided for customizing VM DC0_H0_Win does not match the "
        "version of guest OS %s. See the log file %s in the guest OS for more information."
        % (failed.sysprepVersion, failed.systemVersion, failed.logLocation))


def test_an_unknown_failure_event_from_python(emulator, si):
    class Failing(GuestBehaviour):
        def customization(self, vm, spec, config_params):
            return Outcome(2, error="guest agent crashed", event="CustomizationUnknownFailure",
                           reason="rawDataIsNotSupported")

    emulator.vc.guest_behaviour = Failing(emulator.vc.timings)
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    customize_at_boot(emulator, vm, linux(), running=2)
    [failed] = events_of(si, vm, "CustomizationUnknownFailure")
    assert failed.reason == "rawDataIsNotSupported"
    assert failed.fullFormattedMessage == (
        "An error occurred while customizing VM DC0_H0_VM0. For details reference the log file "
        "/var/log/vmware-imc/toolsDeployPkg.log in the guest OS.")
    assert vm.guest.customizationInfo.errorMsg == "guest agent crashed"


def test_a_script_in_a_guest_with_custom_scripts_disabled_fails(make_emulator):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][0]["custom_scripts"] = False
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    info = customize_at_boot(emulator, vm, linux(scriptText="#!/bin/sh\ntrue"))
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    [failed] = events_of(si, vm, "CustomizationFailed")
    assert type(failed) is vim.event.CustomizationFailed
    assert failed.reason == "userDefinedScriptDisabled"  # CustomizationFailedReasonCode
    assert failed.fullFormattedMessage == \
        "An error occurred during customization on VM DC0_H0_VM0"
    assert vm.guest.hostName != "web01"


# -- a restart brings the customized network up ----------------------------------------------


@pytest.mark.parametrize("restart", ["RebootGuest", "ResetVM_Task", "power cycle"])
def test_a_restart_after_a_customization_brings_its_network_up(emulator, si, restart):
    src = find_vm(si, "DC0_H0_VM1")
    task = src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(
        name="ic-" + restart.split()[0], location=vim.vm.RelocateSpec(),
        config=[vim.option.OptionValue(key="guestinfo.ic.hostname", value="ic-web")]))
    emulator.advance(1)
    clone = task.info.result
    assert {o.key: o.value for o in clone.config.extraConfig}["guestinfo.ic.hostname"] == \
        "ic-web"
    mgr = si.content.guestCustomizationManager
    mgr.CustomizeGuest_Task(vm=clone, auth=ROOT, spec=linux(
        C.FixedName(name="ic-web"), nics=[dhcp()], dns=["10.0.0.53"]))
    emulator.advance(5)
    assert status(clone) == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert clone.guest.ipAddress is None  # an instant clone's network waits
    if restart == "RebootGuest":
        clone.RebootGuest()
    elif restart == "ResetVM_Task":
        clone.ResetVM_Task()
    else:
        clone.PowerOffVM_Task()
        emulator.advance(1)
        clone.PowerOnVM_Task()
    emulator.advance(0.3 + 2 + 3)
    assert clone.guest.toolsRunningStatus == "guestToolsRunning"
    assert clone.guest.hostName == "ic-web"
    [nic] = clone.guest.net
    assert nic.ipConfig.ipAddress[0].origin == "dhcp"
    assert clone.guest.ipAddress == nic.ipAddress[0]
    assert clone.guest.ipStack[0].dnsConfig.ipAddress == ["10.0.0.53"]


# -- pending customizations, every view, and --state ------------------------------------------


def test_check_customization_spec_does_not_look_at_a_pending_one(emulator, si):
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    vm.CustomizeVM_Task(spec=linux())
    emulator.advance(1)
    assert status(vm) == "TOOLSDEPLOYPKG_PENDING"
    vm.CheckCustomizationSpec(spec=linux())  # checks the spec against the VM only
    task = vm.CustomizeVM_Task(spec=linux())
    emulator.advance(1)
    assert type(task.info.error) is vim.fault.CustomizationPending


def test_the_customized_network_is_the_same_over_vi_json_and_rest(emulator, si):
    vm = powered_off(emulator, find_vm(si, "DC0_H0_VM0"))
    customize_at_boot(emulator, vm, linux(nics=[fixed("10.70.0.5", "255.255.255.128",
                                                       ["10.70.0.1"])],
                                          dns=["10.70.0.2"], suffixes=["example.com"]))
    rest = Rest(emulator)
    base = "/api/vcenter/vm/%s/guest" % vm._moId
    [interface] = rest.get(base + "/networking/interfaces").json()
    assert interface["ip"]["ip_addresses"] == [
        {"ip_address": "10.70.0.5", "prefix_length": 25, "state": "PREFERRED"}]
    assert rest.get(base + "/networking").json() == {
        "dns_values": {"domain_name": "example.com", "search_domains": ["example.com"]},
        "dns": {"mode": "STATIC", "ip_addresses": ["10.70.0.2"]}}
    routes = rest.get(base + "/networking/routes").json()
    assert {"network": "0.0.0.0", "prefix_length": 0, "gateway_address": "10.70.0.1",
            "interface_index": 0} in routes
    notools = find_vm(si, "DC0_C0_RP0_NoTools")._moId
    r = rest.get("/api/vcenter/vm/%s/guest/networking" % notools)
    assert r.status_code == 503 and r.json()["error_type"] == "SERVICE_UNAVAILABLE"
    identity = rest.get(base + "/identity").json()
    assert (identity["host_name"], identity["ip_address"]) == ("web01", "10.70.0.5")
    vi_json = Json(emulator)
    vi_json.login()
    stack = vi_json.get("VirtualMachine", vm._moId, "guest").json()
    assert stack["hostName"] == "web01" and stack["ipAddress"] == "10.70.0.5"
    assert stack["ipStack"][0]["dnsConfig"]["ipAddress"] == ["10.70.0.2"]
    assert stack["net"][0]["ipConfig"]["ipAddress"][0]["prefixLength"] == 25


def test_state_keeps_what_the_guest_applied(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    vm = powered_off(first, find_vm(si, "DC0_H0_VM0"))
    customize_at_boot(first, vm, linux(nics=[fixed("10.80.0.5", "255.255.0.0", ["10.80.0.1"])],
                                       dns=["10.80.0.2"]))
    second = restored(make_emulator, first)
    vm = find_vm(second.connect(), "DC0_H0_VM0")
    assert vm.guest.ipAddress == "10.80.0.5"
    assert vm.guest.net[0].ipConfig.ipAddress[0].prefixLength == 16
    assert vm.guest.ipStack[0].dnsConfig.ipAddress == ["10.80.0.2"]


def test_state_keeps_a_windows_restart_in_flight(make_emulator):
    first = windows_emulator(make_emulator)
    si = first.connect()
    vm = find_vm(si, "DC0_H0_Win")
    vm.CustomizeVM_Task(spec=sysprep(C.FixedName(name="KEPT")))
    first.advance(1)
    vm.PowerOnVM_Task()
    first.advance(0.3 + 3 + 1 + 1.5)  # RUNNING, the restart begun (Tools down)
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    second = restored(make_emulator, first)
    vm = find_vm(second.connect(), "DC0_H0_Win")
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    second.advance(2)
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    second.advance(2)
    assert status(vm) == "TOOLSDEPLOYPKG_SUCCEEDED" and vm.guest.hostName == "KEPT"
