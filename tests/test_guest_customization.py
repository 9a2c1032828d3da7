"""VirtualMachineGuestCustomizationManager and InstantClone through pyVmomi (seed 002)."""
import threading

import pytest
from pyVim.connect import Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from conftest import customize, find_vm
from vimsim.model import fixture as fixtures

ROOT = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
WRONG = vim.vm.guest.NamePasswordAuthentication(username="root", password="nope")
UNPRIVILEGED = vim.vm.guest.NamePasswordAuthentication(username="guest", password="guest")
METHODS = ("CustomizeGuest_Task", "AbortCustomization_Task", "StartGuestNetwork_Task")


def linux_spec(ip="10.1.2.3", host_name="web01", nics=1):
    C = vim.vm.customization
    return C.Specification(
        identity=C.LinuxPrep(hostName=C.FixedName(name=host_name), domain="example.com"),
        globalIPSettings=C.GlobalIPSettings(dnsServerList=["10.0.0.1"]),
        nicSettingMap=[C.AdapterMapping(adapter=C.IPSettings(
            ip=C.FixedIp(ipAddress=ip) if ip else C.DhcpIpGenerator(),
            subnetMask="255.255.255.0", gateway=["10.1.2.1"])) for _ in range(nics)])


def call(si, method, vm, auth=ROOT, spec=None):
    mgr = si.content.guestCustomizationManager
    if method == "CustomizeGuest_Task":
        return mgr.CustomizeGuest_Task(vm=vm, auth=auth, spec=spec or linux_spec())
    return getattr(mgr, method)(vm=vm, auth=auth)


def status(vm):
    return vm.guest.customizationInfo.customizationStatus


def test_service_content_names_the_manager(si):
    mgr = si.content.guestCustomizationManager
    assert isinstance(mgr, vim.vm.GuestCustomizationManager)
    assert mgr._moId == "GuestCustomizationManager"


def test_a_vm_never_customized_is_idle(si):
    info = find_vm(si, "DC0_H0_VM0").guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_IDLE"
    assert info.startTime is None and info.endTime is None and info.errorMsg is None


def test_customization_timeline_on_the_virtual_clock(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    task = call(si, "CustomizeGuest_Task", vm)
    t0 = task.info.queueTime
    info = task.info
    assert info.state == "running"
    assert info.name.info.wsdlName == "CustomizeGuest_Task"
    assert info.descriptionId == "VirtualMachineGuestCustomizationManager.customize"
    assert info.entity == vm and info.entityName == "DC0_H0_VM0"
    assert status(vm) == "TOOLSDEPLOYPKG_IDLE"
    emulator.advance(1)  # the task hands the customization to the guest
    assert task.info.state == "success" and task.info.result is None
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_PENDING"
    assert info.startTime is None and info.endTime is None and info.errorMsg is None
    emulator.advance(1)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
    assert (info.startTime - t0).total_seconds() == pytest.approx(2, abs=1e-3)
    assert info.endTime is None and info.errorMsg is None
    emulator.advance(2.9)
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    emulator.advance(0.1)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert (info.endTime - t0).total_seconds() == pytest.approx(5, abs=1e-3)
    assert info.errorMsg is None
    assert vm.guest.hostName == "web01"
    assert vm.guest.ipAddress == "10.1.2.3"


def test_instant_clone_then_customize_end_to_end(make_emulator):
    emulator = make_emulator(clock="auto")
    si = emulator.connect()
    src = find_vm(si, "DC0_C0_RP0_VM0")
    pool = src.resourcePool.resourcePool[0]  # DC0_C0_RP1
    task = src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(
        name="ic-1", location=vim.vm.RelocateSpec(pool=pool)))
    assert WaitForTask(task) == "success"
    clone = task.info.result
    assert isinstance(clone, vim.VirtualMachine) and clone.name == "ic-1"
    assert clone.runtime.powerState == "poweredOn"
    assert clone.guest.toolsRunningStatus == "guestToolsRunning"
    assert clone.resourcePool == pool and clone.parent == src.parent
    assert clone.config.guestId == src.config.guestId
    assert clone.config.uuid != src.config.uuid
    src_nics = [d for d in src.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    nics = [d for d in clone.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    assert [n.backing.deviceName for n in nics] == [n.backing.deviceName for n in src_nics]
    assert nics[0].macAddress != src_nics[0].macAddress
    assert clone.guest.ipAddress is None  # an instant clone's network waits for StartGuestNetwork
    assert clone in si.content.rootFolder.childEntity[0].vmFolder.childEntity
    mgr = si.content.guestCustomizationManager
    assert WaitForTask(mgr.CustomizeGuest_Task(vm=clone, auth=ROOT,
                                               spec=linux_spec("10.9.8.7", "ic-web"))) == "success"
    assert status(clone) in ("TOOLSDEPLOYPKG_PENDING", "TOOLSDEPLOYPKG_RUNNING",
                             "TOOLSDEPLOYPKG_SUCCEEDED")
    WaitForTask(mgr.StartGuestNetwork_Task(vm=clone, auth=ROOT))
    assert status(clone) == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert clone.guest.ipAddress == "10.9.8.7"
    assert clone.guest.hostName == "ic-web"
    assert [n.ipAddress for n in clone.guest.net] == [["10.9.8.7"]]
    assert WaitForTask(mgr.AbortCustomization_Task(vm=clone, auth=ROOT)) == "success"
    assert status(clone) == "TOOLSDEPLOYPKG_SUCCEEDED"  # nothing was running: nothing changes


def test_instant_clone_faults(emulator, si):
    src = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.DuplicateName) as err:
        src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(name="DC0_H0_VM1",
                                                           location=vim.vm.RelocateSpec()))
    assert err.value.name == "DC0_H0_VM1"
    assert err.value.object == src.parent
    WaitForTask  # noqa: B018  (tasks below complete on the virtual clock)
    src.PowerOffVM_Task()
    emulator.advance(1)
    with pytest.raises(vim.fault.InvalidPowerState) as err:
        src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(name="ic-2",
                                                           location=vim.vm.RelocateSpec()))
    assert (err.value.requestedState, err.value.existingState) == ("poweredOn", "poweredOff")


def test_start_guest_network_gives_dhcp_addresses_without_fixed_ip(emulator, si):
    src = find_vm(si, "DC0_H0_VM1")
    task = src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(name="ic-dhcp",
                                                             location=vim.vm.RelocateSpec()))
    emulator.advance(1)
    clone = task.info.result
    assert clone.guest.net == []
    call(si, "StartGuestNetwork_Task", clone)
    emulator.advance(1)
    [nic] = clone.guest.net
    assert nic.connected and nic.deviceConfigId == 4000
    assert nic.ipAddress[0].startswith("10.") and clone.guest.ipAddress == nic.ipAddress[0]


def test_abort_during_running_fails_the_customization(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    call(si, "CustomizeGuest_Task", vm)
    emulator.advance(2.5)
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    started = vm.guest.customizationInfo.startTime
    abort = call(si, "AbortCustomization_Task", vm)
    emulator.advance(0.5)
    assert abort.info.state == "success"
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert info.errorMsg == "The guest customization was aborted."
    assert info.startTime == started and info.endTime == abort.info.completeTime
    emulator.advance(10)  # the guest's own ending never comes
    assert status(vm) == "TOOLSDEPLOYPKG_FAILED"
    # The guest lock is released: a new customization runs.
    assert call(si, "CustomizeGuest_Task", vm).info.state == "running"


def test_abort_while_the_customize_task_is_still_running(emulator, si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    customize = call(si, "CustomizeGuest_Task", vm)
    abort = call(si, "AbortCustomization_Task", vm)
    emulator.advance(0.5)
    assert abort.info.state == "success"
    assert customize.info.state == "error"
    assert isinstance(customize.info.error, vim.fault.CustomizationFault)
    assert status(vm) == "TOOLSDEPLOYPKG_IDLE"


def test_customization_failure_from_the_fixture(make_emulator):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][0]["customization"] = {
        "fail": "Unable to set the host name", "duration": 7}
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    call(si, "CustomizeGuest_Task", vm)
    emulator.advance(2 + 6.9)
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    emulator.advance(0.1)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert info.errorMsg == "Unable to set the host name"
    assert (info.endTime - info.startTime).total_seconds() == pytest.approx(7, abs=1e-3)


def test_guest_behaviour_is_pluggable_from_python(emulator, si):
    from vimsim.model.guest import GuestBehaviour, Outcome

    class Slow(GuestBehaviour):
        def customization(self, vm, spec, config_params):
            assert config_params[0].key == "tool.option"
            return Outcome(60, error=None if vm.name != "DC0_H0_VM1" else "custom failure")

    emulator.vc.guest_behaviour = Slow(emulator.vc.timings)
    vm = find_vm(si, "DC0_H0_VM1")
    si.content.guestCustomizationManager.CustomizeGuest_Task(
        vm=vm, auth=ROOT, spec=linux_spec(),
        configParams=[vim.option.OptionValue(key="tool.option", value="on")])
    emulator.advance(2 + 59)
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    emulator.advance(1)
    assert vm.guest.customizationInfo.errorMsg == "custom failure"
    kept = emulator.vc.objects[vm._moId].customization.config_params
    assert kept[0].key == "tool.option" and kept[0].value == "on"


def test_a_broken_guest_behaviour_is_a_system_error_not_a_traceback(emulator, si, caplog):
    from vimsim.model.guest import GuestBehaviour

    class Broken(GuestBehaviour):
        def pending_seconds(self, vm):
            raise RuntimeError("boom")

    emulator.vc.guest_behaviour = Broken(emulator.vc.timings)
    vm = find_vm(si, "DC0_H0_VM0")
    task = call(si, "CustomizeGuest_Task", vm)
    emulator.advance(1)
    assert task.info.state == "error"
    assert isinstance(task.info.error, vmodl.fault.SystemError)
    reason = task.info.error.reason
    assert "boom" not in reason  # Python's words stay in the log, under the id on the wire
    [logged] = [r for r in caplog.records if r.levelname == "ERROR"]
    error_id = logged.getMessage().split()[2]
    assert error_id in reason and "boom" in logged.exc_text


# -- the fault matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("power", ["poweredOff", "suspended"])
def test_vm_not_powered_on_is_invalid_power_state(emulator, si, method, power):
    vm = find_vm(si, "DC0_H0_VM0")
    vm.PowerOffVM_Task() if power == "poweredOff" else vm.SuspendVM_Task()
    emulator.advance(1)
    with pytest.raises(vim.fault.InvalidPowerState) as err:
        call(si, method, vm)
    assert (err.value.requestedState, err.value.existingState) == ("poweredOn", power)


@pytest.mark.parametrize("method", METHODS)
def test_tools_not_running_is_invalid_state(si, method):
    vm = find_vm(si, "DC0_C0_RP0_NoTools")
    with pytest.raises(vim.fault.InvalidState) as err:
        call(si, method, vm)
    assert type(err.value) is vim.fault.InvalidState
    assert "VMware Tools is not running" in err.value.msg


@pytest.mark.parametrize("method", METHODS)
def test_power_operation_in_flight_is_task_in_progress(si, method):
    vm = find_vm(si, "DC0_H0_VM0")
    reset = vm.ResetVM_Task()
    with pytest.raises(vim.fault.TaskInProgress) as err:
        call(si, method, vm)
    assert err.value.task == reset


@pytest.mark.parametrize("method", ["CustomizeGuest_Task", "StartGuestNetwork_Task"])
def test_customization_in_progress_is_task_in_progress(emulator, si, method):
    vm = find_vm(si, "DC0_H0_VM0")
    customize = call(si, "CustomizeGuest_Task", vm)
    for seconds in (0, 1, 1):  # the task in flight, then PENDING, then RUNNING in the guest
        emulator.advance(seconds)
        with pytest.raises(vim.fault.TaskInProgress) as err:
            call(si, method, vm)
        assert err.value.task == customize


def test_abort_in_flight_is_task_in_progress_for_another_abort(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    call(si, "CustomizeGuest_Task", vm)
    emulator.advance(2)
    first = call(si, "AbortCustomization_Task", vm)
    with pytest.raises(vim.fault.TaskInProgress) as err:
        call(si, "AbortCustomization_Task", vm)
    assert err.value.task == first
    with pytest.raises(vim.fault.TaskInProgress):
        call(si, "StartGuestNetwork_Task", vm)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("auth, fault", [(WRONG, vim.fault.InvalidGuestLogin),
                                         (UNPRIVILEGED, vim.fault.GuestPermissionDenied)],
                         ids=["wrong-password", "unprivileged"])
def test_guest_credentials_fail_the_task(emulator, si, method, auth, fault):
    vm = find_vm(si, "DC0_H0_VM1")
    task = call(si, method, vm, auth=auth)
    emulator.advance(1)
    assert task.info.state == "error"
    assert type(task.info.error) is fault
    with pytest.raises(fault):
        WaitForTask(task)
    assert status(vm) == "TOOLSDEPLOYPKG_IDLE"


@pytest.mark.parametrize("method", METHODS)
def test_unknown_guest_account_is_invalid_guest_login(emulator, si, method):
    vm = find_vm(si, "DC0_H0_VM1")
    auth = vim.vm.guest.NamePasswordAuthentication(username="nobody", password="x")
    task = call(si, method, vm, auth=auth)
    emulator.advance(1)
    assert isinstance(task.info.error, vim.fault.InvalidGuestLogin)
    assert task.info.error.msg.startswith("Failed to authenticate")


@pytest.mark.parametrize("method", METHODS)
def test_user_without_the_customize_privilege_is_no_permission(emulator, method):
    si = emulator.connect(user="readonly", pwd="readonly")
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.NoPermission) as err:
        call(si, method, vm)
    assert err.value.object == vm
    assert err.value.privilegeId == "VirtualMachine.Provisioning.Customize"
    [missing] = err.value.missingPrivileges
    assert missing.entity == vm
    assert missing.privilegeIds == ["VirtualMachine.Provisioning.Customize"]


@pytest.mark.parametrize("method", METHODS)
def test_unknown_vm_is_managed_object_not_found(si, method):
    ghost = vim.VirtualMachine("vm-4242", si._stub)
    with pytest.raises(vmodl.fault.ManagedObjectNotFound) as err:
        call(si, method, ghost)
    assert err.value.obj._moId == "vm-4242"


@pytest.mark.parametrize("method", METHODS)
def test_moref_of_the_wrong_type_is_invalid_argument(emulator, method):
    from test_soap_wire import XSI_TYPE, fault_of, login, post
    cookie = login(emulator).headers["Set-Cookie"]
    body = ('<%s xmlns="urn:vim25"><_this type="VirtualMachineGuestCustomizationManager">'
            'GuestCustomizationManager</_this><vm type="HostSystem">%s</vm>'
            '<auth xsi:type="NamePasswordAuthentication"><interactiveSession>false'
            '</interactiveSession><username>root</username><password>vmware</password></auth>'
            % (method, next(o.moid for o in emulator.vc.objects.values()
                            if o.vim_type == "HostSystem")))
    if method == "CustomizeGuest_Task":
        body += ('<spec><identity xsi:type="CustomizationLinuxPrep"><hostName '
                 'xsi:type="CustomizationFixedName"><name>x</name></hostName><domain>d</domain>'
                 '</identity><globalIPSettings/></spec>')
    _, element = fault_of(post(emulator, body + "</%s>" % method, cookie=cookie))
    assert element.get(XSI_TYPE) == "InvalidArgument"
    assert element.findtext("{urn:vim25}invalidProperty") == "vm"


def test_spec_with_more_nic_settings_than_nics_is_nic_setting_mismatch(si):
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.NicSettingMismatch) as err:
        call(si, "CustomizeGuest_Task", vm, spec=linux_spec(nics=2))
    assert (err.value.numberOfNicsInSpec, err.value.numberOfNicsInVM) == (2, 1)
    assert isinstance(err.value, vim.fault.CustomizationFault)


def test_windows_spec_on_a_linux_guest_is_uncustomizable_guest(si):
    C = vim.vm.customization
    spec = C.Specification(identity=C.SysprepText(value="<unattend/>"),
                           globalIPSettings=C.GlobalIPSettings())
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.UncustomizableGuest) as err:
        call(si, "CustomizeGuest_Task", vm, spec=spec)
    assert err.value.uncustomizableGuestOS == "otherLinux64Guest"


def test_fault_delivery_is_a_setting(make_emulator):
    data = fixtures.load("default")
    data["settings"] = {"fault_delivery": {"InvalidGuestLogin": "call",
                                           "InvalidPowerState": "task"}}
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.InvalidGuestLogin):
        call(si, "CustomizeGuest_Task", vm, auth=WRONG)
    vm.PowerOffVM_Task()
    emulator.advance(1)
    task = call(si, "CustomizeGuest_Task", vm)
    emulator.advance(1)
    assert isinstance(task.info.error, vim.fault.InvalidPowerState)
    assert task.info.error.existingState == "poweredOff"


def test_concurrent_customizations_of_one_vm_exactly_one_runs(emulator):
    clients = [emulator.connect() for _ in range(8)]
    vms = [find_vm(si, "DC0_C0_RP0_VM1") for si in clients]
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def run(i):
        barrier.wait()
        try:
            results[i] = call(clients[i], "CustomizeGuest_Task", vms[i])
        except vim.fault.TaskInProgress as fault:
            results[i] = fault
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    tasks = [r for r in results if isinstance(r, vim.Task)]
    assert len(tasks) == 1
    assert all(isinstance(r, vim.fault.TaskInProgress) and r.task._moId == tasks[0]._moId
               for r in results if r is not tasks[0])
    emulator.advance(5)
    assert status(vms[0]) == "TOOLSDEPLOYPKG_SUCCEEDED"
    for si in clients:
        Disconnect(si)


def test_authorization_manager_answers_privilege_questions(emulator, si):
    auth_mgr = si.content.authorizationManager
    assert {r.name for r in auth_mgr.roleList} >= {"Admin", "ReadOnly", "NoAccess"}
    readonly = next(r for r in auth_mgr.roleList if r.name == "ReadOnly")
    assert "VirtualMachine.Provisioning.Customize" not in readonly.privilege
    assert "VirtualMachine.Provisioning.Customize" in [p.privId for p in auth_mgr.privilegeList]
    ro = emulator.connect(user="readonly", pwd="readonly")
    vm = find_vm(si, "DC0_H0_VM0")
    key = ro.content.sessionManager.currentSession.key
    [answer] = auth_mgr.HasPrivilegeOnEntities(
        [vm], key, ["System.Read", "VirtualMachine.Provisioning.Customize"])
    assert answer.entity == vm
    assert [(a.privId, a.isGranted) for a in answer.privAvailability] == [
        ("System.Read", True), ("VirtualMachine.Provisioning.Customize", False)]
    admin_key = si.content.sessionManager.currentSession.key
    assert auth_mgr.HasPrivilegeOnEntity(vm, admin_key,
                                         ["VirtualMachine.Provisioning.Customize"]) == [True]


def test_power_off_during_customization_fails_it(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    call(si, "CustomizeGuest_Task", vm)
    emulator.advance(2)
    vm.PowerOffVM_Task()
    emulator.advance(1)
    info = vm.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert "powered off" in info.errorMsg


def test_an_abort_ends_only_the_customization_current_when_it_was_called(emulator, si):
    """An abort called while customization #1's task was in flight, and held back by a rule
    until customization #2 runs, ends nothing of #2's: what an abort ends is decided when it
    is called, not when its task runs."""
    vm = find_vm(si, "DC0_H0_VM0")
    mgr = si.content.guestCustomizationManager
    emulator.call(emulator.vc.rules.add, operation="AbortCustomization_Task",
                  action="task_delay", seconds=8)
    first = customize(si, vm, "first")
    stale = mgr.AbortCustomization_Task(vm=vm, auth=ROOT)  # #1's task in flight: allowed
    emulator.advance(1)
    assert first.info.state == "success"  # #1 reached the guest before the abort ran
    emulator.advance(4)
    assert status(vm) == "TOOLSDEPLOYPKG_SUCCEEDED"
    second = customize(si, vm, "second")
    emulator.advance(2)
    assert second.info.state == "success" and status(vm) in (
        "TOOLSDEPLOYPKG_PENDING", "TOOLSDEPLOYPKG_RUNNING")
    emulator.advance(2)
    assert stale.info.state == "success"  # it ran while #2 was running
    assert status(vm) == "TOOLSDEPLOYPKG_RUNNING"
    emulator.advance(5)
    assert status(vm) == "TOOLSDEPLOYPKG_SUCCEEDED" and vm.guest.hostName == "second"
