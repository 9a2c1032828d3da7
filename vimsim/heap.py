"""The garbage collector in a process that serves one model (`vimsim serve`): full passes
kept short.

A full pass of CPython's collector walks every tracked object, and holds every client while
it does: over 10,000 VMs and two filters of 20,000 objectSets, one pass took 40-70 ms
(issue 14). So what has lived through a full pass is moved out of the collector's sight
(gc.freeze): the next full passes walk only what is newer. Frozen objects are still freed
when their last reference goes; only one that ends in a reference cycle stays, until the
frozen heap has doubled since the last pass over everything, when that pass runs again, once
no request has come or gone for IDLE seconds and no sliced work is pending (or, past
FORCE_GROWTH, at once: memory is bounded either way). A request that comes in during that
pass waits for it (about 80 ms over 10,000 VMs), once per doubling of the heap.
"""
import gc
import time

from twisted.internet.task import LoopingCall

IDLE = 10.0         # seconds without a request before a pass over everything may run
GROWTH = 2          # ... once the frozen heap is this many times what the last one left
FORCE_GROWTH = 8    # ... and at this many times, whether idle or not


class FrozenHeap:
    """Keeps long-lived objects frozen while a server runs; ``busy_at()`` is the
    perf_counter time of the last request begun or finished."""

    def __init__(self, reactor, busy_at):
        self.reactor = reactor
        self.busy_at = busy_at
        self.baseline = self.frozen = 0  # frozen: an upper bound of gc.get_freeze_count()
        self._reclaiming = False
        self.passes = 0  # passes over everything since start (the tests read it)
        self._loop = None

    def start(self):
        if self._collected not in gc.callbacks:
            gc.callbacks.append(self._collected)
        self._loop = LoopingCall(self.check)
        self._loop.clock = self.reactor
        self._loop.start(1.0, now=False)

    def stop(self):
        if self._collected in gc.callbacks:
            gc.callbacks.remove(self._collected)
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._loop = None

    def reclaim(self):
        """A pass over everything, frozen included, then all that is left frozen again: at
        start, when the model is replaced, and when the frozen heap has grown enough."""
        self._reclaiming = True
        try:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        finally:
            self._reclaiming = False
        self.baseline = self.frozen = gc.get_freeze_count()
        self.passes += 1

    def _collected(self, phase, info):
        # What a full pass leaves is long-lived: out of the next passes' way. gc's own count
        # of the frozen walks them all (milliseconds over 10,000 VMs): what is frozen is
        # added up instead, an upper bound (frozen objects freed since are not taken off).
        if phase == "stop" and info.get("generation") == 2 and not self._reclaiming:
            self.frozen += len(gc.get_objects(generation=2))
            gc.freeze()

    def check(self):
        if self.frozen <= GROWTH * self.baseline:
            return
        self.frozen = gc.get_freeze_count()  # the bound passed: the true count, once
        if self.frozen <= GROWTH * self.baseline:
            return
        if self.frozen > FORCE_GROWTH * self.baseline or self.idle():
            self.reclaim()

    def idle(self):
        if time.perf_counter() - self.busy_at() < IDLE:
            return False
        now = self.reactor.seconds()  # sliced work waits in calls due now
        return not any(call.getTime() <= now for call in self.reactor.getDelayedCalls())
