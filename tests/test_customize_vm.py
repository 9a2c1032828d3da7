"""VirtualMachine.CustomizeVM_Task and CheckCustomizationSpec through pyVmomi: the
customization vCenter deploys for a powered-off VM's next boot, its faults and its timeline
on the virtual clock."""
import signal

import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_durability import Served, wait_for
from vimsim.model import fixture as fixtures

C = vim.vm.customization


def linux_spec(host_name="web01", addresses=("10.0.5.5",)):
    return C.Specification(
        identity=C.LinuxPrep(hostName=C.FixedName(name=host_name), domain="example.com"),
        globalIPSettings=C.GlobalIPSettings(),
        nicSettingMap=[C.AdapterMapping(adapter=C.IPSettings(ip=C.FixedIp(ipAddress=a)))
                       for a in addresses])


def task_error(emulator, task):
    emulator.advance(5)
    assert task.info.state == "error"
    return task.info.error


def powered_off(emulator, si, name="DC0_H0_VM0"):
    vm = find_vm(si, name)
    task = vm.PowerOffVM_Task()
    emulator.advance(1)
    assert task.info.state == "success"
    return vm


def test_customize_vm_runs_at_the_next_boot(emulator, si):
    vm = powered_off(emulator, si)
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_IDLE"
    task = vm.CustomizeVM_Task(spec=linux_spec())
    emulator.advance(1)
    assert task.info.state == "success"
    assert vm.config.tools.pendingCustomization  # the package waiting for the boot
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_PENDING"
    assert info.startTime is None and info.endTime is None
    emulator.advance(60)  # nothing happens while the VM is off
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_PENDING"

    vm.PowerOnVM_Task()
    emulator.advance(0.3 + 3)  # powered on, then VMware Tools start and take the package
    assert vm.config.tools.pendingCustomization is None
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_PENDING"
    emulator.advance(1)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_RUNNING" and info.startTime
    assert info.endTime is None
    emulator.advance(3)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert (info.endTime - info.startTime).total_seconds() == pytest.approx(3)
    assert vm.guest.hostName == "web01" and vm.guest.ipAddress == "10.0.5.5"
    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self")))
    kinds = [type(e).__name__ for e in sorted(events, key=lambda e: e.key)]
    assert kinds.index("vim.event.CustomizationStartedEvent") < \
        kinds.index("vim.event.CustomizationSucceeded")


def test_customize_vm_faults(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    error = task_error(emulator, vm.CustomizeVM_Task(spec=linux_spec()))  # powered on
    assert isinstance(error, vim.fault.InvalidPowerState)
    assert (error.requestedState, error.existingState) == ("poweredOff", "poweredOn")
    vm = powered_off(emulator, si)
    error = task_error(emulator, vm.CustomizeVM_Task(spec=linux_spec(addresses=("a", "b"))))
    assert isinstance(error, vim.fault.NicSettingMismatch)
    assert (error.numberOfNicsInSpec, error.numberOfNicsInVM) == (2, 1)
    windows = C.Specification(identity=C.Sysprep(
        guiUnattended=C.GuiUnattended(autoLogon=False, autoLogonCount=0, timeZone=85),
        userData=C.UserData(fullName="a", orgName="b", productId="",
                            computerName=C.FixedName(name="win01")),
        identification=C.Identification(joinWorkgroup="WORKGROUP")),
        globalIPSettings=C.GlobalIPSettings())
    error = task_error(emulator, vm.CustomizeVM_Task(spec=windows))
    assert isinstance(error, vim.fault.UncustomizableGuest)
    assert error.uncustomizableGuestOS == "otherLinux64Guest"
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_IDLE"
    assert vm.config.tools.pendingCustomization is None  # a failed task changed nothing

    task = vm.CustomizeVM_Task(spec=linux_spec())
    emulator.advance(1)
    assert task.info.state == "success"
    error = task_error(emulator, vm.CustomizeVM_Task(spec=linux_spec("other")))
    assert isinstance(error, vim.fault.CustomizationPending)

    readonly = emulator.connect("readonly", "readonly")
    for method in ("CustomizeVM_Task", "CheckCustomizationSpec"):
        with pytest.raises(vim.fault.NoPermission) as refused:
            getattr(find_vm(readonly, "DC0_H0_VM0"), method)(spec=linux_spec())
        assert refused.value.privilegeId == "VirtualMachine.Provisioning.Customize"
        assert refused.value.object._moId == vm._moId


def test_check_customization_spec_raises_what_customize_vm_would(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")  # powered on: the check does not look at power
    vm.CheckCustomizationSpec(spec=linux_spec())
    with pytest.raises(vim.fault.NicSettingMismatch) as refused:
        vm.CheckCustomizationSpec(spec=linux_spec(addresses=("a", "b", "c")))
    assert refused.value.numberOfNicsInSpec == 3
    # none for a VM's one NIC is refused too (vCenter: "...specification: 0 does not match
    # the number of network adapters present in the virtual machine: 1.")
    with pytest.raises(vim.fault.NicSettingMismatch) as refused:
        vm.CheckCustomizationSpec(spec=linux_spec(addresses=()))
    assert (refused.value.numberOfNicsInSpec, refused.value.numberOfNicsInVM) == (0, 1)
    assert refused.value.msg.startswith("The number of network adapter settings in the "
                                        "customization specification: 0 does not match")
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_IDLE"
    assert vm.config.tools.pendingCustomization is None


def test_a_fixed_host_name_must_be_a_host_name(emulator, si):
    """vCenter: "A specified parameter was not correct: spec.identity.hostName" for a name
    with "_", a space, a dot or more than 63 characters (issue trackers of terraform's and
    chef's vSphere providers record it); CheckCustomizationSpec raises what the deploy would."""
    vm = find_vm(si, "DC0_H0_VM0")
    for bad in ("bad host!", "web_01", "web.example.com", "-web", "w" * 64):
        with pytest.raises(vmodl.fault.InvalidArgument) as refused:
            vm.CheckCustomizationSpec(spec=linux_spec(bad))
        assert refused.value.invalidProperty == "spec.identity.hostName", bad
    vm.CheckCustomizationSpec(spec=linux_spec("web-01"))


def test_a_fixed_computer_name_must_be_a_host_name(make_emulator):
    emulator, si, vm = with_a_vm(make_emulator, name="DC0_H0_Win",
                                 guest_id="windows2019srv_64Guest")

    def sysprep(name):
        return C.Specification(identity=C.Sysprep(
            guiUnattended=C.GuiUnattended(autoLogon=False, autoLogonCount=0, timeZone=85),
            userData=C.UserData(fullName="a", orgName="b", productId="",
                                computerName=C.FixedName(name=name)),
            identification=C.Identification(joinWorkgroup="WORKGROUP")),
            globalIPSettings=C.GlobalIPSettings(),
            nicSettingMap=[C.AdapterMapping(adapter=C.IPSettings(ip=C.DhcpIpGenerator()))])
    with pytest.raises(vmodl.fault.InvalidArgument) as refused:
        vm.CheckCustomizationSpec(spec=sysprep("win 01"))
    assert refused.value.invalidProperty == "spec.identity.userData.computerName"
    vm.CheckCustomizationSpec(spec=sysprep("win01"))


def with_a_vm(make_emulator, **entry):
    """(emulator, si, vm): the default fixture and a powered-off VM of fixture ``entry``."""
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"].append(dict(entry, power_state="poweredOff"))
    emulator = make_emulator(fixture=data, clock="virtual")
    si = emulator.connect()
    return emulator, si, find_vm(si, entry["name"])


def test_a_vm_without_tools_cannot_be_customized(make_emulator):
    emulator, si, vm = with_a_vm(make_emulator, name="DC0_H0_Bare", tools_installed=False)
    # vCenter 8.0: "... not supported due to the given reason: Tools is not installed ..."
    with pytest.raises(vim.fault.UncustomizableGuest) as refused:
        vm.CheckCustomizationSpec(spec=linux_spec())
    assert refused.value.msg.startswith("Customization of the guest operating system is not "
                                        "supported due to the given reason: Tools is not "
                                        "installed in the GuestOS.")
    assert refused.value.uncustomizableGuestOS == "otherLinux64Guest"
    error = task_error(emulator, vm.CustomizeVM_Task(spec=linux_spec()))
    assert type(error) is vim.fault.UncustomizableGuest and error.msg == refused.value.msg
    assert vm.config.tools.pendingCustomization is None
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_IDLE"


def test_a_guest_failure_rule_fails_the_customization_at_boot(emulator, si):
    emulator.call(emulator.vc.rules.add, operation="CustomizeVM_Task", action="guest_fail",
                  message="Unable to set the host name", seconds=2)
    vm = powered_off(emulator, si)
    vm.CustomizeVM_Task(spec=linux_spec())
    emulator.advance(1)
    vm.PowerOnVM_Task()
    emulator.advance(0.3 + 3 + 1 + 2)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert info.errorMsg == "Unable to set the host name"
    assert vm.guest.hostName != "web01"


def test_the_timeline_of_a_customization_at_the_next_boot(emulator, si):
    """Each state, time and event of CustomizeVM_Task, then a power-on, on the virtual clock:
    the task (1 s), PENDING with no times however long the VM stays off, then at the boot
    (0.3 s) Tools start (3 s), the guest takes the package, RUNNING 1 s later and SUCCEEDED
    after 3 s more."""
    vm = powered_off(emulator, si)
    task = vm.CustomizeVM_Task(spec=linux_spec())
    t0 = task.info.queueTime

    def at(when):
        return (when - t0).total_seconds()

    assert at(si.CurrentTime()) == pytest.approx(0)
    emulator.advance(1)
    info = task.info
    assert info.state == "success" and info.descriptionId == "VirtualMachine.customize"
    assert (at(info.startTime), at(info.completeTime)) == (pytest.approx(0), pytest.approx(1))
    pending = vm.config.tools.pendingCustomization
    assert pending.startswith("[LocalDS_0] DC0_H0_VM0/imcf-")
    emulator.advance(10)  # off for a while: nothing moves
    info = vm.guest.customizationInfo
    assert (info.customizationStatus, info.startTime, info.endTime, info.errorMsg) == (
        "TOOLSDEPLOYPKG_PENDING", None, None, None)
    assert vm.config.tools.pendingCustomization == pending

    power = vm.PowerOnVM_Task()
    assert at(power.info.queueTime) == pytest.approx(11)
    emulator.advance(0.3)
    assert power.info.state == "success" and at(vm.runtime.bootTime) == pytest.approx(11.3)
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    assert status_of(vm) == "TOOLSDEPLOYPKG_PENDING" and vm.config.tools.pendingCustomization
    emulator.advance(3)  # Tools run and take the package: it is no longer pending
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    assert vm.config.tools.pendingCustomization is None
    info = vm.guest.customizationInfo
    assert (info.customizationStatus, info.startTime) == ("TOOLSDEPLOYPKG_PENDING", None)
    emulator.advance(0.999)
    assert status_of(vm) == "TOOLSDEPLOYPKG_PENDING"
    emulator.advance(0.001)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
    assert at(info.startTime) == pytest.approx(15.3) and info.endTime is None
    emulator.advance(2.999)
    assert status_of(vm) == "TOOLSDEPLOYPKG_RUNNING"
    emulator.advance(0.001)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED" and info.errorMsg is None
    assert at(info.startTime) == pytest.approx(15.3) and at(info.endTime) == pytest.approx(18.3)

    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self"),
        time=vim.event.EventFilterSpec.ByTime(beginTime=t0)))
    timeline = [(type(e).__name__.split(".")[-1], round(at(e.createdTime), 3))
                for e in sorted(events, key=lambda e: e.key)
                if not isinstance(e, vim.event.TaskEvent)]
    assert timeline == [("VmPoweredOnEvent", 11.3), ("CustomizationStartedEvent", 15.3),
                        ("CustomizationSucceeded", 18.3)]


def status_of(vm):
    return vm.guest.customizationInfo.customizationStatus


def test_state_keeps_specs_pending_and_running_customizations_through_a_kill(tmp_path):
    """A real ``vimsim serve --state`` process killed with SIGKILL: its named spec (with its
    version), a customization pending for a VM's next boot, one RUNNING in a guest and a
    clone's pending one all come back whole, and each then runs to its end."""
    state = tmp_path / "state.json"
    served = Served(state)
    try:
        si = served.si
        specs = si.content.customizationSpecManager
        specs.CreateCustomizationSpec(vim.CustomizationSpecItem(
            info=vim.CustomizationSpecInfo(name="kept-spec", type="Linux", description="kept"),
            spec=linux_spec("kept01", ("10.9.0.1",))))
        kept = specs.GetCustomizationSpec("kept-spec").info
        pending, running = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")
        for vm in (pending, running):
            vm.PowerOffVM_Task()
        served.advance(1)
        pending.CustomizeVM_Task(spec=linux_spec("pending01", ("10.9.0.2",)))
        running.CustomizeVM_Task(spec=linux_spec("running01", ("10.9.0.3",)))
        served.advance(1)
        clone_task = pending.CloneVM_Task(
            folder=si.content.rootFolder.childEntity[0].vmFolder, name="kept-clone",
            spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(),
                                  customization=linux_spec("clone01", ("10.9.0.4",))))
        served.advance(2)
        assert clone_task.info.state == "success", clone_task.info.error
        running.PowerOnVM_Task()
        served.advance(0.3 + 3 + 1 + 1)  # booted, Tools up, RUNNING for 1 s of its 3
        started = running.guest.customizationInfo.startTime
        assert running.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
        file_name = pending.config.tools.pendingCustomization
        specs.CreateCustomizationSpec(vim.CustomizationSpecItem(  # the last change
            info=vim.CustomizationSpecInfo(name="marker", type="Linux"), spec=linux_spec()))
        wait_for(lambda: state.exists() and '"marker"' in state.read_text(),
                 "the last change in the state file")
    finally:
        served.stop(signal.SIGKILL)

    served = Served(state)
    try:
        si = served.si
        specs = si.content.customizationSpecManager
        item = specs.GetCustomizationSpec("kept-spec")
        assert (item.info.changeVersion, item.info.lastUpdateTime, item.info.description) == (
            kept.changeVersion, kept.lastUpdateTime, "kept")
        assert item.spec.identity.hostName.name == "kept01"
        pending, running = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")
        clone = find_vm(si, "kept-clone")
        assert pending.config.tools.pendingCustomization == file_name
        for vm in (pending, clone):
            info = vm.guest.customizationInfo
            assert (info.customizationStatus, info.startTime) == ("TOOLSDEPLOYPKG_PENDING", None)
        info = running.guest.customizationInfo
        assert info.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
        assert info.startTime == started
        served.advance(2)  # the rest of its RUNNING
        assert running.guest.customizationInfo.customizationStatus == \
            "TOOLSDEPLOYPKG_SUCCEEDED"
        assert (running.guest.hostName, running.guest.ipAddress) == ("running01", "10.9.0.3")
        for vm in (pending, clone):
            vm.PowerOnVM_Task()
        served.advance(0.3 + 3 + 1 + 3)
        assert (pending.guest.hostName, pending.guest.ipAddress) == ("pending01", "10.9.0.2")
        assert (clone.guest.hostName, clone.guest.ipAddress) == ("clone01", "10.9.0.4")
    finally:
        status, log = served.stop()
    assert status == 0 and "Traceback" not in log, log


def test_a_guest_vcenter_does_not_customize_is_uncustomizable_guest(make_emulator):
    """macOS, FreeBSD, Solaris, "other" guests...: no identity customizes them."""
    emulator, si, vm = with_a_vm(make_emulator, name="DC0_H0_BSD", guest_id="freebsd13_64Guest",
                                 guest_family="otherGuestFamily",
                                 guest_full_name="FreeBSD 13 (64-bit)")
    with pytest.raises(vim.fault.UncustomizableGuest) as refused:
        vm.CheckCustomizationSpec(spec=linux_spec())
    assert refused.value.uncustomizableGuestOS == "freebsd13_64Guest"
    error = task_error(emulator, vm.CustomizeVM_Task(spec=linux_spec()))
    assert type(error) is vim.fault.UncustomizableGuest
    assert error.uncustomizableGuestOS == "freebsd13_64Guest"
    assert vm.config.tools.pendingCustomization is None
