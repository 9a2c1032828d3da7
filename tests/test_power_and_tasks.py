"""Power operations and tasks through pyVmomi, on the emulator's clock (no test sleeps)."""
import threading

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from conftest import find_vm


def test_power_off_task_lifecycle_on_the_virtual_clock(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    task = vm.PowerOffVM_Task()
    info = task.info
    # Queued, then started as soon as the call is answered: nothing else holds the VM.
    assert info.state == "running"
    assert info.queueTime == info.startTime
    assert info.name.info.wsdlName == "PowerOffVM_Task"  # pyVmomi maps it to the method
    assert info.descriptionId == "VirtualMachine.powerOff"
    assert info.entity == vm and info.entityName == "DC0_H0_VM0"
    assert info.reason.userName == "user"
    assert info.key == task._moId
    assert vm.runtime.powerState == "poweredOn"
    emulator.advance(0.3)
    info = task.info
    assert info.state == "success"
    assert info.result is None and info.error is None
    assert (info.completeTime - info.startTime).total_seconds() == pytest.approx(0.3, abs=1e-3)
    assert vm.runtime.powerState == "poweredOff"
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    assert vm.guest.toolsStatus == "toolsNotRunning"
    assert vm.guest.guestState == "notRunning"
    assert task in si.content.taskManager.recentTask
    assert task in vm.recentTask


def test_tools_come_back_a_few_clock_seconds_after_power_on(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    task = vm.PowerOnVM_Task()
    emulator.advance(0.3)
    assert task.info.state == "success"
    assert vm.runtime.powerState == "poweredOn"
    assert vm.runtime.bootTime is not None
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    emulator.advance(2.9)
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    emulator.advance(0.1)
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    assert vm.guest.toolsStatus == "toolsOk"
    assert vm.guest.guestState == "running"


def test_no_tools_vm_stays_without_tools_across_power_cycles(emulator, si):
    vm = find_vm(si, "DC0_C0_RP0_NoTools")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    vm.PowerOnVM_Task()
    emulator.advance(60)
    assert vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"


def test_wait_for_task_with_the_auto_clock(make_emulator):
    emulator = make_emulator(clock="auto")
    si = emulator.connect()
    vm = find_vm(si, "DC0_C0_RP0_VM1")
    assert WaitForTask(vm.PowerOffVM_Task()) == "success"
    assert vm.runtime.powerState == "poweredOff"
    assert WaitForTask(vm.PowerOnVM_Task()) == "success"
    assert vm.runtime.powerState == "poweredOn"
    assert WaitForTask(vm.ResetVM_Task()) == "success"
    assert vm.runtime.powerState == "poweredOn"


def test_wait_for_task_with_the_real_clock(make_emulator):
    emulator = make_emulator(clock="real", speed=50)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    assert WaitForTask(vm.PowerOffVM_Task()) == "success"
    assert vm.runtime.powerState == "poweredOff"


def count_timer_wakeups(emulator):
    """Each time the reactor's timer runs the server's clock (a wake-up of the process), from
    now on: how many events it found due."""
    server, fired = emulator.server, []

    def counted():  # Server._fire, counting what it runs
        server._timer = None
        fired.append(server.clock.run_due())
        server._rearm()
    emulator.call(setattr, server, "_fire", counted)
    return fired


def test_on_the_real_clock_a_power_pair_wakes_the_server_once_per_task_end(make_emulator):
    # A task's start and a waiting WaitForUpdates' wake-up are due at once: the request that
    # made them due runs them, and no reactor timer is left armed for them. (A task's end
    # is the timer's, unless a slow machine has a request come in after it was due, which
    # runs it: so at most one wake-up per task end, and none that finds nothing to run.)
    emulator = make_emulator(clock="real", speed=10)  # power_op: 0.3 clock s, 0.03 s here
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    fired = count_timer_wakeups(emulator)
    assert WaitForTask(vm.PowerOffVM_Task()) == "success"
    assert WaitForTask(vm.PowerOnVM_Task()) == "success"
    assert len(fired) <= 2 and all(ran >= 1 for ran in fired), fired


def test_a_power_change_cancels_what_the_last_power_on_scheduled(make_emulator):
    # Tools would start 3 clock seconds after the power-on; the power-off before then
    # cancels that, so nothing is left to wake the server (it used to, seconds later).
    emulator = make_emulator(clock="real", speed=10)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    assert WaitForTask(vm.PowerOffVM_Task()) == "success"
    assert WaitForTask(vm.PowerOnVM_Task()) == "success"
    assert WaitForTask(vm.PowerOffVM_Task()) == "success"
    server = emulator.server
    assert emulator.call(server.clock.next_event_time) is None
    assert emulator.call(lambda: server._timer is not None and server._timer.active()) is False


def test_tools_start_for_the_last_power_on_only(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    for task in (vm.PowerOffVM_Task, vm.PowerOnVM_Task, vm.PowerOffVM_Task):
        task()
        emulator.advance(1)
    emulator.advance(2)  # the first power-on's Tools would be up by now
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    vm.PowerOnVM_Task()
    emulator.advance(3.2)
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"  # 3 s after the task's end
    emulator.advance(0.2)
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"


def failed_task_fault(emulator, task):
    """The fault a task ended with (vCenter fails a power task, not its call, for a VM
    already in that state)."""
    emulator.advance(1)
    assert task.info.state == "error"
    with pytest.raises(vim.fault.InvalidPowerState) as err:
        WaitForTask(task)
    return err.value


def test_power_on_a_powered_on_vm_is_invalid_power_state(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    fault = failed_task_fault(emulator, vm.PowerOnVM_Task())
    assert fault.requestedState == "poweredOn"
    assert fault.existingState == "poweredOn"
    assert "Powered on" in fault.msg


def test_power_off_a_powered_off_vm_and_reset_it(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    fault = failed_task_fault(emulator, vm.PowerOffVM_Task())
    assert (fault.requestedState, fault.existingState) == ("poweredOff", "poweredOff")
    fault = failed_task_fault(emulator, vm.ResetVM_Task())
    assert (fault.requestedState, fault.existingState) == ("poweredOn", "poweredOff")
    assert vm.runtime.powerState == "poweredOff"


def test_busy_vm_is_task_in_progress(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    first = vm.PowerOffVM_Task()
    with pytest.raises(vim.fault.TaskInProgress) as err:
        vm.ResetVM_Task()
    assert err.value.task == first
    emulator.advance(1)
    assert first.info.state == "success"


def test_shutdown_and_reboot_guest(emulator, si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    assert vm.RebootGuest() is None
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    emulator.advance(2 + 3)
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
    assert vm.runtime.powerState == "poweredOn"
    vm.ShutdownGuest()
    emulator.advance(1.9)
    assert vm.runtime.powerState == "poweredOn"
    emulator.advance(0.1)
    assert vm.runtime.powerState == "poweredOff"
    with pytest.raises(vim.fault.InvalidPowerState):
        vm.ShutdownGuest()


def test_shutdown_needs_tools(si):
    vm = find_vm(si, "DC0_C0_RP0_NoTools")
    with pytest.raises(vim.fault.ToolsUnavailable):
        vm.ShutdownGuest()


def _task_filter(si, task):
    PC = vmodl.query.PropertyCollector
    return si.content.propertyCollector.CreateFilter(PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=task)],
        propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info.state"])]), partialUpdates=True)


def test_wait_for_updates_ex_reports_changes_and_times_out(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    task = vm.PowerOffVM_Task()
    pc = si.content.propertyCollector
    pfilter = _task_filter(si, task)
    first = pc.WaitForUpdatesEx("", vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0))
    [update] = first.filterSet[0].objectSet
    assert update.kind == "enter"
    assert [(c.name, c.val) for c in update.changeSet] == [("info.state", "running")]
    nothing = pc.WaitForUpdatesEx(first.version,
                                  vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0))
    assert nothing is None
    emulator.advance(0.3)
    done = pc.WaitForUpdatesEx(first.version,
                               vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0))
    [update] = done.filterSet[0].objectSet
    assert update.kind == "modify" and update.changeSet[0].val == "success"
    assert int(done.version) > int(first.version)
    # a version is the digits the collector gave: not other scripts' digits int() takes
    for version in ("\u0661", "\uff11", "-1", " 1", "x"):
        with pytest.raises(vmodl.query.InvalidCollectorVersion):
            pc.WaitForUpdatesEx(version, vmodl.query.PropertyCollector.WaitOptions(
                maxWaitSeconds=0))
    pfilter.DestroyPropertyFilter()


def _blocked_until_advanced(emulator, seconds, call, *args):
    """Run a blocking call in a thread, check it still blocks, advance the clock, return its
    answer. The 0.3 s join is the client's patience, not the emulator's time."""
    got = {}
    waiter = threading.Thread(target=lambda: got.update(answer=call(*args)))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive(), "answered although nothing changed"
    emulator.advance(seconds)
    waiter.join(10)
    assert not waiter.is_alive()
    return got["answer"]


def test_wait_for_updates_blocks_until_something_changes(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    task = vm.PowerOffVM_Task()
    emulator.advance(0)
    pc = si.content.propertyCollector
    _task_filter(si, task)
    version = pc.WaitForUpdates().version
    update = _blocked_until_advanced(emulator, 0.3, pc.WaitForUpdates, version)
    [update] = update.filterSet[0].objectSet
    assert update.changeSet[0].val == "success"


def test_wait_for_updates_ex_max_wait_on_the_clock(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    task = vm.PowerOffVM_Task()
    emulator.advance(1)
    pc = si.content.propertyCollector
    _task_filter(si, task)
    version = pc.WaitForUpdatesEx("").version
    options = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=30)
    assert _blocked_until_advanced(emulator, 30, pc.WaitForUpdatesEx, version, options) is None


def test_cancel_task_is_not_supported_for_power_tasks(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    task = vm.PowerOffVM_Task()
    with pytest.raises(vmodl.fault.NotSupported):
        task.CancelTask()
    emulator.advance(1)
    with pytest.raises(vim.fault.InvalidState):
        task.CancelTask()


def test_a_user_without_global_cancel_task_cannot_cancel_anothers_task(emulator, si):
    task = find_vm(si, "DC0_H0_VM1").PowerOffVM_Task()
    readonly = emulator.connect("readonly", "readonly")
    foreign = vim.Task(task._moId, readonly._stub)
    with pytest.raises(vim.fault.NoPermission) as raised:
        foreign.CancelTask()
    assert raised.value.privilegeId == "Global.CancelTask"
    assert raised.value.object._moId == find_vm(si, "DC0_H0_VM1")._moId
    assert foreign.info.state == "running"  # reading it is allowed; the task goes on
    with pytest.raises(vmodl.fault.NotSupported):  # its owner may ask (power tasks refuse)
        task.CancelTask()


def test_a_read_only_user_watches_a_task_with_a_filter_of_its_own(emulator, si):
    task = find_vm(si, "DC0_H0_VM1").PowerOffVM_Task()
    readonly = emulator.connect("readonly", "readonly")
    PC = vmodl.query.PropertyCollector
    pc = readonly.content.propertyCollector
    watched = pc.CreateFilter(PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vim.Task(task._moId, readonly._stub))],
        propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info.state"])]), True)
    update = pc.WaitForUpdates()
    assert update.filterSet[0].objectSet[0].changeSet[0].val == "running"
    watched.DestroyPropertyFilter()  # no privilege beyond the session's own
    assert pc.filter == []


def test_task_info_change_between_waits_is_reported(emulator, si):
    """The whole TaskInfo as WaitForTask watches it: a change made while no client waits is
    still reported by the next WaitForUpdates."""
    PC = vmodl.query.PropertyCollector
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    task = vm.PowerOffVM_Task()
    pc = si.content.propertyCollector
    pc.CreateFilter(PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=task)],
                                  propSet=[PC.PropertySpec(type=vim.Task, all=True)]), True)
    first = pc.WaitForUpdates()
    [enter] = first.filterSet[0].objectSet
    assert {c.name: c.val for c in enter.changeSet}["info"].state == "running"
    emulator.advance(0.3)
    second = pc.WaitForUpdates(first.version)
    [modify] = second.filterSet[0].objectSet
    assert modify.kind == "modify"
    [change] = modify.changeSet
    assert change.name == "info" and change.val.state == "success"
