"""Tasks: the lifecycle (queued -> running -> success | error) on the clock, and entity locks."""
import collections
import logging

from vimsim import activity
from vimsim.model import authorization, events, faults, sessions
from vimsim.model.objects import ExtensibleManagedObject, ManagedObject, Pending, vim_property
from vimsim.vim25.data import DataObject, FrozenDataObject

log = logging.getLogger("vimsim")
lifecycle_log = logging.getLogger("vimsim.task")

# vCenter shows a finished task in recentTask for about ten minutes.
RECENT_SECONDS = 600
# Finished tasks kept readable; older ones answer ManagedObjectNotFound, as purged tasks do.
HISTORY_LIMIT = 2000
CANCEL_PRIVILEGE = "Global.CancelTask"


class Task(ExtensibleManagedObject):
    vim_type = "Task"

    # The body is a bound method of a managed object and its arguments data, so that a task
    # in flight is kept in a snapshot and runs when its time comes after a restore.
    persisted = ("info", "body", "args", "error", "forced_error")
    persisted_touched = True

    def __init__(self, vc, moid, info, body, cancelable, args=()):
        super().__init__(vc, moid)
        self.info = info
        self.body = body
        self.args = tuple(args)
        self.timer = None
        self.error = None  # the fault the task ended with
        self.forced_error = None  # a fault rule's: the task ends with it whatever the body does
        self.info.cancelable = cancelable
        self.completion = None  # a Pending resolved when the task ends (made on first ask)
        self._read = None  # (vc.changes, the frozen copy of info the getter gave then)

    def finished(self):
        """A Pending that resolves with the task's result, or fails with its fault, when the
        task ends (an API that answers only when the work is done waits on it)."""
        if self.completion is None:
            self.completion = Pending()
            if self.done:
                self._complete()
        return self.completion

    def _complete(self):
        if self.completion is not None:
            if self.info.state == "error":
                self.completion.fail(self.error)
            else:
                self.completion.resolve(self.info.result)

    def restore_persisted(self, state):
        super().restore_persisted(state)
        self.args = tuple(self.args)
        self._read = None

    @classmethod
    def recreate(cls, vc, moid, state):
        return vc.add(cls(vc, moid, DataObject("TaskInfo"), None, False))

    @vim_property
    def info(self, ctx):
        # WaitForTask reads it five times, mostly unchanged: one frozen copy (its encoding
        # kept, see FrozenDataObject) serves until anything is touched (persisted_touched).
        if self._read is None or self._read[0] != self.vc.changes:
            self._read = (self.vc.changes, FrozenDataObject(**self.info.__dict__))
        return self._read[1]

    @property
    def done(self):
        return self.info.state in ("success", "error")

    def CancelTask(self, ctx):
        # vim25 declares the privilege "dynamic": Global.CancelTask on the task's entity.
        authorization.require(self.vc, ctx, authorization.entity_of(self.vc, self),
                              CANCEL_PRIVILEGE, obj=None if self.info.entity else self)
        if self.done:
            raise faults.InvalidState()
        if not self.info.cancelable:
            raise faults.NotSupported()
        self.info.cancelled = True
        self.vc.task_manager.finish(self, error=faults.RequestCanceled())


def logged(task):
    """A task's state change, for ``-v`` (vimsim/activity.py)."""
    info = task.info
    fault = task.error.type_name if task.error is not None else None
    target = activity.ref_text(info.entity)
    user = getattr(info.reason, "userName", None) or None
    activity.event(lifecycle_log, "task", "task %s %s%s %s%s", info.key, info.name,
                   " " + target if target else "", info.state,
                   " fault=" + fault if fault else "", task=info.key, method=info.name,
                   target=target, state=info.state, user=user, fault=fault)


class TaskManager(ManagedObject):
    vim_type = "TaskManager"

    persisted = ("recent", "finished", "locks", "readers")
    scheduled_work = ("_start", "_run")

    def __init__(self, vc, moid="TaskManager"):
        super().__init__(vc, moid)
        self.recent = {}  # moId -> task, in creation order; purged tasks leave it at once
        self.finished = collections.deque()
        self.locks = {}  # entity moId -> Task holding it
        self.readers = {}  # entity moId -> [Task] reading it, oldest first (clones)
        self.running = None  # the task whose body runs now
        self.collectors = set()  # the TaskHistoryCollectors alive, by session

    def restore_persisted(self, state):
        """Also finds each task in flight its timer again, among the clock's restored events
        (vimsim/model/snapshot.py restores those first)."""
        super().restore_persisted(state)
        self.finished = collections.deque(self.finished)
        for timer in self.vc.clock.pending():
            if getattr(timer.fn, "__func__", None) is TaskManager._run:
                timer.args[0].timer = timer
        self.readers = {moid: list(tasks) for moid, tasks in self.readers.items()}

    def lock_holder(self, entity):
        return self.locks.get(entity.moid)

    def require_unlocked(self, entity, reading=False):
        """TaskInProgress naming the task that holds ``entity`` (or, unless ``reading``, one
        that reads it)."""
        holder = self.locks.get(entity.moid)
        if holder is None and not reading:
            holder = next(iter(self.readers.get(entity.moid, ())), None)
        if holder is not None:
            raise faults.TaskInProgress("Another task is already in progress.", task=holder.ref)

    def create(self, ctx, entity, method, description_id, body, duration,
               lock=True, cancelable=False, args=()):
        """Queue a task on ``entity`` whose ``body(*args)`` runs after ``duration`` clock
        seconds: a bound method of a managed object, and data (what a snapshot can keep).

        ``body`` returns the task's result or raises a Fault, which becomes ``info.error``.
        With ``lock`` the entity is busy (TaskInProgress for others) until the task ends;
        ``lock="shared"`` reads it: other readers may run beside it, no task that locks it.
        """
        if lock:
            self.require_unlocked(entity, reading=lock == "shared")
        vc = self.vc
        moid = vc.new_moid("task-")
        now = vc.clock.now()
        chain = vc.event_manager.next_key  # the TaskEvent posted below starts the chain
        info = DataObject(
            "TaskInfo", key=moid, task=None, name=method, descriptionId=description_id,
            entity=entity.ref if entity else None, entityName=entity.name if entity else None,
            state="queued", cancelled=False, cancelable=cancelable,
            reason=DataObject("TaskReasonUser", userName=ctx.user_name or ""),
            queueTime=now, eventChainId=chain)
        task = Task(vc, moid, info, body, cancelable, args)
        info.task = task.ref
        info.locked = [entity.ref] if lock and entity else None
        vc.add(task)
        vc.event_manager.post("TaskEvent", entity if entity.vim_type == "VirtualMachine" else None,
                              "Task: %s" % description_id, chain, ctx.user_name or "",
                              info=info.copy())
        self.recent[moid] = task
        if lock == "shared" and entity:
            self.readers.setdefault(entity.moid, []).append(task)
        elif lock and entity:
            self.locks[entity.moid] = task
        vc.clock.call_later(0, self._start, task)
        task.timer = vc.clock.call_later(duration, self._run, task)
        self._changed(task)
        vc.touch(self)
        logged(task)
        return task

    def _start(self, task):
        if task.info.state != "queued":
            return
        task.info.state = "running"
        task.info.startTime = self.vc.clock.now()
        task.info.progress = 0
        self._changed(task)
        logged(task)

    def _run(self, task):
        if task.done:
            return
        if task.info.state == "queued":
            self._start(task)
        if task.forced_error is not None:
            self.finish(task, error=task.forced_error)
            return
        self.running = task
        try:
            result = task.body(*task.args)
        except faults.Fault as fault:
            self.finish(task, error=fault)
        except Exception:  # an emulator bug must not leave a task running forever
            self.finish(task, error=faults.internal_error(log, "in task " + task.info.name))
        else:
            self.finish(task, result=result)
        finally:
            self.running = None

    def delay(self, task, seconds):
        """Let a running task take ``seconds`` longer."""
        if task.done or task.timer is None:
            return
        remaining = max(0.0, task.timer.when - self.vc.clock.time())
        task.timer.cancel()
        task.timer = self.vc.clock.call_later(remaining + seconds, self._run, task)

    def finish(self, task, result=None, error=None):
        if task.timer is not None:
            task.timer.cancel()
        info = task.info
        now = self.vc.clock.now()
        if info.startTime is None:
            info.startTime = now
        info.completeTime = now
        info.progress = None
        task.error = error
        if error is not None:
            info.state = "error"
            info.error = error.localized()
        else:
            info.state = "success"
            info.result = result
        info.locked = None
        task.body, task.args = None, ()  # done with: a snapshot keeps no work of a done task
        if info.entity is not None and self.locks.get(info.entity.value) is task:
            del self.locks[info.entity.value]
        readers = self.readers.get(info.entity.value) if info.entity is not None else None
        if readers and task in readers:
            readers.remove(task)
            if not readers:
                del self.readers[info.entity.value]
        self.finished.append(task)
        while len(self.finished) > HISTORY_LIMIT:
            purged = self.finished.popleft()
            self.recent.pop(purged.moid, None)
            self.vc.remove(purged)
        self._changed(task)
        self.vc.touch(self)
        logged(task)
        task._complete()

    def _changed(self, task):
        """A task's info changed: its filters, and each collector's latestPage, see it."""
        self.vc.touch(task)
        for collector in self.collectors:
            self.vc.touch(collector)

    def matching(self, spec, ctx):
        """The tasks a TaskFilterSpec selects, oldest first, among those still kept (the
        running ones and the last HISTORY_LIMIT finished), as the caller may read them."""
        spec = spec or DataObject("TaskFilterSpec")
        vc = self.vc
        ids = events.entities_below(vc.lookup(spec.entity.entity, ctx), spec.entity.recursion) \
            if spec.entity is not None else None
        when = spec.time
        if when is not None and when.timeType not in ("queuedTime", "startedTime",
                                                      "completedTime"):
            raise faults.InvalidArgument(invalidProperty="filter.time.timeType")
        users = spec.userName
        keep = authorization.read_filter(vc, ctx)
        found = []
        for task in [o for o in vc.objects.values() if o.vim_type == "Task"]:
            info = task.info
            if ids is not None and (info.entity is None or info.entity.value not in ids):
                continue
            if spec.state and info.state not in spec.state:
                continue
            if spec.eventChainId and info.eventChainId not in spec.eventChainId:
                continue
            # every task here has a user's reason (TaskReasonUser), none the system's
            if users is not None and getattr(info.reason, "userName", None) not in (
                    users.userList or ()):
                continue
            if when is not None:
                stamp = getattr(info, when.timeType)
                if stamp is None or (when.beginTime is not None and stamp < when.beginTime) or \
                        (when.endTime is not None and stamp > when.endTime):
                    continue
            if spec.alarm is not None or spec.scheduledTask is not None or spec.tag or \
                    spec.activationId or spec.parentTaskKey or spec.rootTaskKey:
                continue  # no task here has an alarm, a schedule, tags or a parent
            if keep is None or keep(task):
                found.append(task)
        return found

    def CreateCollectorForTasks(self, ctx, filter):
        self.matching(filter, ctx)  # fails the call for a bad filter
        sessions.require_room(ctx.session, ("TaskHistoryCollector",),
                              sessions.MAX_HISTORY_COLLECTORS, "task collectors")
        return TaskHistoryCollector(self.vc, ctx, self, filter).ref

    def recent_tasks(self, entity=None):
        horizon = self.vc.clock.time() - RECENT_SECONDS
        expired = [moid for moid, t in self.recent.items()
                   if t.done and t.info.completeTime.timestamp() < horizon]
        for moid in expired:
            del self.recent[moid]
        return [t.ref for t in self.recent.values() if entity is None or (
            t.info.entity is not None and t.info.entity.value == entity.moid)]

    @vim_property
    def recentTask(self, ctx):
        recent = self.recent_tasks()
        keep = authorization.read_filter(self.vc, ctx)  # only the tasks the caller may read
        return recent if keep is None else [r for r in recent if keep(self.recent[r.value])]

    @vim_property
    def maxCollector(self, ctx):
        return sessions.MAX_HISTORY_COLLECTORS


class TaskHistoryCollector(events.HistoryCollector):
    """The tasks a TaskFilterSpec selects, a page at a time (their TaskInfo)."""

    vim_type = "TaskHistoryCollector"

    @vim_property
    def latestPage(self, ctx):
        return self._latest_page()

    def _items(self):
        return [task.get("info", self.ctx) for task in self.manager.matching(self.spec,
                                                                              self.ctx)]

    def ReadNextTasks(self, ctx, maxCount):
        return self._read_next(maxCount)

    def ReadPreviousTasks(self, ctx, maxCount):
        return self._read_previous(maxCount)
