"""Long runs stay bounded: finished tasks and events are purged as vCenter purges them, so a
server that has run 100,000 tasks holds no more than one that has run 10,000."""
import copy
import gc
import tracemalloc

import pytest

from vimsim.model import dispatch, events, faults, fixture, tasks
from vimsim.model.clock import Clock
from vimsim.model.sessions import CallContext
from vimsim.vim25.data import MoRef


@pytest.fixture
def model():
    vc = fixture.build(copy.deepcopy(fixture.load("default")), Clock("virtual"))
    ctx = CallContext(version="8.0.3.0")
    ctx.session = vc.session_manager.login("user", "pass")
    vm = next(o for o in vc.objects.values()
              if o.vim_type == "VirtualMachine" and o.power_state == "poweredOn")
    return vc, ctx, vm


def power_cycles(vc, ctx, vm, count):
    """Power the VM off and on ``count`` times through the dispatch every front-end uses."""
    refs = []
    for _ in range(count):
        for method in ("PowerOffVM_Task", "PowerOnVM_Task"):
            obj, minfo = dispatch.resolve(vc, ctx, vm.ref, method)
            task = dispatch.call(vc, ctx, obj, minfo, {})
            vc.clock.advance(5)
            refs.append(task)
    return refs


def live_tasks(vc):
    return sum(1 for o in vc.objects.values() if o.vim_type == "Task")


def test_finished_tasks_and_events_are_purged_beyond_the_history(model):
    vc, ctx, vm = model
    first = power_cycles(vc, ctx, vm, 1)[0]
    power_cycles(vc, ctx, vm, 3000)  # 6,000 more tasks, 12,000 more events
    assert live_tasks(vc) == tasks.HISTORY_LIMIT
    assert len(vc.task_manager.finished) == tasks.HISTORY_LIMIT
    assert len(vc.task_manager.recent) <= tasks.HISTORY_LIMIT
    assert len(vc.event_manager.events) == events.HISTORY_LIMIT
    # A purged task answers as vCenter answers for one: the object is gone.
    with pytest.raises(faults.ManagedObjectNotFound):
        dispatch.resolve(vc, ctx, MoRef("Task", first.value), "CancelTask")
    # The newest are still there, and recentTask lists only tasks that still exist.
    assert all(vc.find(ref) is not None for ref in vc.task_manager.recent_tasks())


def test_memory_is_flat_once_the_histories_are_full(model):
    vc, ctx, vm = model
    gc.collect()
    tracemalloc.start()  # before the first task, so that what is purged later counts as freed
    try:
        power_cycles(vc, ctx, vm, 3000)  # 6,000 tasks, 12,000 events: both histories full
        gc.collect()
        full = tracemalloc.get_traced_memory()[0]
        power_cycles(vc, ctx, vm, 5000)  # 16,000 tasks
        gc.collect()
        later = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert live_tasks(vc) == tasks.HISTORY_LIMIT
    # What is left over is a few counters' worth, not memory per task.
    assert later - full < 64 * 1024, later - full
