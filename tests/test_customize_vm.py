"""VirtualMachine.CustomizeVM_Task and CheckCustomizationSpec through pyVmomi: the
customization vCenter deploys for a powered-off VM's next boot, its faults and its timeline
on the virtual clock."""
import pytest
import yaml
from pyVmomi import vim

from conftest import find_vm
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
    with pytest.raises(vim.fault.NoPermission) as refused:
        find_vm(readonly, "DC0_H0_VM0").CustomizeVM_Task(spec=linux_spec())
    assert refused.value.privilegeId == "VirtualMachine.Provisioning.Customize"
    assert refused.value.object._moId == vm._moId


def test_check_customization_spec_raises_what_customize_vm_would(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")  # powered on: the check does not look at power
    vm.CheckCustomizationSpec(spec=linux_spec())
    with pytest.raises(vim.fault.NicSettingMismatch) as refused:
        vm.CheckCustomizationSpec(spec=linux_spec(addresses=("a", "b", "c")))
    assert refused.value.numberOfNicsInSpec == 3
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_IDLE"
    assert vm.config.tools.pendingCustomization is None


def test_a_vm_without_tools_cannot_be_customized(make_emulator, tmp_path):
    data = fixtures.load("default")
    host = data["datacenters"][0]["hosts"][0]
    host["vms"].append({"name": "DC0_H0_Bare", "tools_installed": False,
                        "power_state": "poweredOff"})
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump(data))
    emulator = make_emulator(fixture=str(path), clock="virtual")
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_Bare")
    with pytest.raises(vim.fault.CustomizationFault) as refused:
        vm.CheckCustomizationSpec(spec=linux_spec())
    assert "VMware Tools is not installed" in refused.value.msg
    error = task_error(emulator, vm.CustomizeVM_Task(spec=linux_spec()))
    assert type(error) is vim.fault.CustomizationFault


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
