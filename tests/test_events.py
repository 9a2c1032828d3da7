"""EventManager through pyVmomi: the events of tasks, power changes, clones and guest
customization, queried and paged with a collector."""
import pytest
from pyVmomi import vim, vmodl

from conftest import customize, find_vm
from vimsim.model import fixture as fixtures



def by_vm(vm, *types):
    spec = vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(
        entity=vm, recursion="self"))
    if types:
        spec.eventTypeId = list(types)
    return spec


def test_customization_events_as_govc_waits_for_them(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    task = customize(si, vm)
    emulator.advance(5)
    em = si.content.eventManager
    events = em.QueryEvents(by_vm(vm))
    names = [type(e).__name__.split(".")[-1] for e in reversed(events)]
    assert names == ["TaskEvent", "CustomizationStartedEvent", "CustomizationSucceeded"]
    task_event = events[-1]
    assert task_event.info.key == task._moId and task_event.userName == "user"
    assert task_event.chainId == task.info.eventChainId == task_event.key
    started = events[1]
    assert started.vm.vm == vm and started.vm.name == "DC0_H0_VM0"
    assert started.createdTime == vm.guest.customizationInfo.startTime
    assert started.host.name == "DC0_H0" and started.datacenter.name == "DC0"
    only = em.QueryEvents(by_vm(vm, "CustomizationSucceeded"))
    assert [type(e) for e in only] == [vim.event.CustomizationSucceeded]


def test_failure_events_carry_the_reason_and_subtype(make_emulator):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][1]["customization"] = {
        "fail": "network down", "event": "CustomizationNetworkSetupFailed"}
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_VM1")
    customize(si, vm)
    emulator.advance(5)
    [failed] = si.content.eventManager.QueryEvents(by_vm(vm, "CustomizationFailed"))
    assert isinstance(failed, vim.event.CustomizationNetworkSetupFailed)
    assert failed.reason is None  # no CustomizationFailedReasonCode for this failure
    assert vm.guest.customizationInfo.errorMsg == "network down"


def test_power_and_clone_events(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    vm.PowerOnVM_Task()
    emulator.advance(1)
    clone_task = vm.InstantClone_Task(spec=vim.vm.InstantCloneSpec(
        name="ev-clone", location=vim.vm.RelocateSpec()))
    emulator.advance(1)
    em = si.content.eventManager
    power = em.QueryEvents(by_vm(vm, "VmPoweredOffEvent", "VmPoweredOnEvent"))
    assert [type(e) for e in power] == [vim.event.VmPoweredOnEvent, vim.event.VmPoweredOffEvent]
    [cloned] = em.QueryEvents(by_vm(clone_task.info.result, "VmClonedEvent"))
    assert cloned.sourceVm.vm == vm and cloned.vm.name == "ev-clone"


def test_collector_pages_forward_and_back(emulator, si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    for _ in range(4):
        vm.ResetVM_Task()
        emulator.advance(1)
    em = si.content.eventManager
    collector = em.CreateCollectorForEvents(by_vm(vm, "VmResettingEvent"))
    collector.SetCollectorPageSize(3)
    latest = collector.latestPage
    assert len(latest) == 3 and latest[0].key > latest[-1].key  # newest first
    collector.RewindCollector()
    forward = collector.ReadNextEvents(2) + collector.ReadNextEvents(5)
    assert [e.key for e in forward] == sorted(e.key for e in forward) and len(forward) == 4
    assert collector.ReadNextEvents(5) == []
    back = collector.ReadPreviousEvents(10)
    assert [e.key for e in back] == sorted((e.key for e in forward), reverse=True)
    with pytest.raises(vmodl.fault.InvalidArgument):
        collector.ReadNextEvents(0)
    collector.DestroyCollector()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        collector.latestPage


def test_a_collectors_latest_page_is_pushed_to_property_filters(emulator, si):
    """What govc events -f waits on: a new event is an update of the collector's latestPage
    (the wait never returned)."""
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    collector = si.content.eventManager.CreateCollectorForEvents(by_vm(vm))
    PC = vmodl.query.PropertyCollector
    pc = si.content.propertyCollector
    pfilter = pc.CreateFilter(PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=collector)],
        propSet=[PC.PropertySpec(type=vim.event.EventHistoryCollector, pathSet=["latestPage"])]),
        partialUpdates=False)
    first = pc.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0))
    assert pc.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=0)) is None
    vm.PowerOffVM_Task()
    emulator.advance(1)
    update = pc.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=0))
    assert update is not None, "no update of latestPage after an event"
    [change] = update.filterSet[0].objectSet[0].changeSet
    assert change.name == "latestPage"
    assert any(isinstance(e, vim.event.VmPoweredOffEvent) for e in change.val)
    pfilter.DestroyPropertyFilter()
    collector.DestroyCollector()
    assert emulator.call(lambda: len(emulator.vc.event_manager.collectors)) == 0


def test_session_events_belong_to_the_root_folder(emulator):
    from pyVim.connect import Disconnect
    si = emulator.connect()
    manager = si.content.eventManager
    root = si.content.rootFolder
    on_root = manager.QueryEvents(vim.event.EventFilterSpec(
        entity=vim.event.EventFilterSpec.ByEntity(entity=root, recursion="all"),
        eventTypeId=["UserLoginSessionEvent"]))
    assert on_root and on_root[0].userName == "user" and on_root[0].ipAddress == "127.0.0.1"
    assert "logged in as" in on_root[0].fullFormattedMessage
    vm = find_vm(si, "DC0_H0_VM0")
    assert manager.QueryEvents(vim.event.EventFilterSpec(
        entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self"),
        eventTypeId=["UserLoginSessionEvent"])) == []
    other = emulator.connect()
    Disconnect(other)
    logouts = manager.QueryEvents(vim.event.EventFilterSpec(eventTypeId=["UserLogoutSessionEvent"]))
    assert logouts and "logged out" in logouts[0].fullFormattedMessage
    with pytest.raises(vim.fault.InvalidLogin):
        emulator.connect(pwd="wrong")
    [bad] = manager.QueryEvents(vim.event.EventFilterSpec(eventTypeId=["BadUsernameSessionEvent"]))
    assert bad.userName == "user"


def test_power_events_name_the_user_and_the_tasks_chain(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    task = vm.PowerOffVM_Task()
    emulator.advance(1)
    [event] = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        eventTypeId=["VmPoweredOffEvent"], userName=vim.event.EventFilterSpec.ByUsername(
            userList=["user"], systemUser=False)))
    assert event.userName == "user" and event.vm.vm == vm
    assert event.chainId == task.info.eventChainId


def test_guest_shutdown_and_reboot_post_their_events(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    vm.RebootGuest()
    emulator.advance(10)
    vm.ShutdownGuest()
    emulator.advance(10)
    manager = si.content.eventManager
    [reboot] = manager.QueryEvents(vim.event.EventFilterSpec(eventTypeId=["VmGuestRebootEvent"]))
    [shutdown] = manager.QueryEvents(vim.event.EventFilterSpec(
        eventTypeId=["VmGuestShutdownEvent"]))
    assert reboot.vm.vm == vm and reboot.userName == "user"
    assert shutdown.fullFormattedMessage.startswith("Guest OS shut down for DC0_H0_VM0 on ")
    assert vm.runtime.powerState == "poweredOff"


def test_log_user_event_and_post_event(emulator, si):
    vm, em = find_vm(si, "DC0_H0_VM0"), si.content.eventManager
    em.LogUserEvent(entity=vm, msg="backup started")
    host = vm.runtime.host
    em.LogUserEvent(entity=host, msg="host note")
    [on_host, on_vm] = em.QueryEvents(vim.event.EventFilterSpec(
        type=[vim.event.GeneralUserEvent]))[:2]
    assert isinstance(on_vm, vim.event.GeneralUserEvent) and on_vm.message == "backup started"
    assert on_vm.fullFormattedMessage == "User logged event: backup started"
    assert on_vm.vm.vm == vm and on_vm.entity.entity == vm and on_vm.userName == "user"
    assert on_host.host.host == host and on_host.datacenter.name == "DC0"
    # the VM's own events include it
    mine = em.QueryEvents(vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(
        entity=vm, recursion="self")))
    assert on_vm.key in [e.key for e in mine]
    task = vm.PowerOffVM_Task()
    assert em.PostEvent(eventToPost=vim.event.GeneralUserEvent(
        key=0, chainId=0, createdTime=si.CurrentTime(), userName="someone else",
        message="posted", fullFormattedMessage="posted by a tool",
        vm=vim.event.VmEventArgument(vm=vm, name=vm.name)), taskInfo=task.info) is None
    posted = em.latestEvent
    assert (posted.userName, posted.message) == ("user", "posted")
    assert posted.key > on_vm.key and posted.chainId == task.info.eventChainId
    assert posted.fullFormattedMessage == "posted by a tool" and posted.vm.vm == vm
    gone = vim.VirtualMachine("vm-9999", si._stub)
    with pytest.raises(vim.fault.InvalidEvent):
        em.PostEvent(eventToPost=vim.event.GeneralUserEvent(
            key=0, chainId=0, createdTime=si.CurrentTime(), userName="", message="x",
            vm=vim.event.VmEventArgument(vm=gone, name="gone")))
    ro = emulator.connect(user="readonly", pwd="readonly")
    with pytest.raises(vim.fault.NoPermission) as exc:
        ro.content.eventManager.LogUserEvent(entity=find_vm(ro, "DC0_H0_VM0"), msg="x")
    assert exc.value.privilegeId == "Global.LogEvent"


def test_task_history_collector(emulator, si):
    vm, other = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")
    tm = si.content.taskManager
    first = vm.PowerOffVM_Task()
    emulator.advance(1)
    other.PowerOffVM_Task()
    emulator.advance(1)
    second = vm.PowerOnVM_Task()
    emulator.advance(1)
    spec = vim.TaskFilterSpec(entity=vim.TaskFilterSpec.ByEntity(entity=vm, recursion="self"))
    collector = tm.CreateCollectorForTasks(spec)
    latest = collector.latestPage
    assert [t.key for t in latest] == [second._moId, first._moId]  # newest first
    assert all(isinstance(t, vim.TaskInfo) and t.entity == vm for t in latest)
    collector.RewindCollector()
    assert [t.key for t in collector.ReadNextTasks(1)] == [first._moId]
    assert [t.key for t in collector.ReadNextTasks(10)] == [second._moId]
    assert collector.ReadNextTasks(10) == []
    assert [t.key for t in collector.ReadPreviousTasks(1)] == [second._moId]
    with pytest.raises(vmodl.fault.InvalidArgument):
        collector.ReadNextTasks(0)
    # by state and user; a new task shows on the latest page
    running = tm.CreateCollectorForTasks(vim.TaskFilterSpec(
        state=["queued", "running"], userName=vim.TaskFilterSpec.ByUsername(
            systemUser=False, userList=["user"])))
    assert running.latestPage == []
    third = vm.PowerOffVM_Task()
    assert [t.key for t in running.latestPage] == [third._moId]
    emulator.advance(1)
    assert running.latestPage == []
    assert [t.key for t in collector.latestPage][0] == third._moId
    nobody = tm.CreateCollectorForTasks(vim.TaskFilterSpec(
        userName=vim.TaskFilterSpec.ByUsername(systemUser=False, userList=["someone"])))
    assert nobody.latestPage == []
    collector.DestroyCollector()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        collector.latestPage
