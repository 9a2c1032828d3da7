"""The garbage collector in `vimsim serve` (vimsim/heap.py, issue 14 item 4): what lives
through a full pass is frozen, so later full passes walk only newer objects; frozen cyclic
garbage is reclaimed once the frozen heap has doubled, when idle (or at once past
FORCE_GROWTH). Each case runs in a Python of its own: it freezes that process's heap."""
import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import gc, sys, time, weakref
from twisted.internet.task import Clock
from vimsim import heap

class Cycle:
    def __init__(self):
        self.me = self

reactor = Clock()
busy = [time.perf_counter()]
h = heap.FrozenHeap(reactor, lambda: busy[0])
h.reclaim()
h.start()
"""

CASES = {
    "survivors of a full pass are frozen": """
        kept = [[i] for i in range(50000)]
        before = gc.get_freeze_count()
        gc.collect()  # a full pass, as the collector's own would be
        assert gc.get_freeze_count() >= before + 50000, (before, gc.get_freeze_count())
        assert not any(o is kept for o in gc.get_objects())  # out of the next passes' way
        gc.collect(1)  # a younger pass freezes nothing
        assert gc.get_freeze_count() >= before + 50000
    """,
    "frozen cycles are reclaimed once the heap doubled and the server is idle": """
        cycles = [Cycle() for _ in range(h.baseline * heap.GROWTH // 2 + 1000)]
        probe = weakref.ref(cycles[0])
        gc.collect()  # frozen now
        del cycles    # garbage in cycles, which only a pass over the frozen heap finds
        extra = [[i] for i in range(h.baseline * heap.GROWTH)]
        gc.collect()
        assert gc.get_freeze_count() > heap.GROWTH * h.baseline
        reactor.advance(1)  # the check a second on: a request a moment ago, not idle
        assert h.passes == 1 and probe() is not None
        busy[0] = time.perf_counter() - heap.IDLE - 1
        reactor.callLater(0, lambda: None)  # sliced work pending: not idle
        h.check()
        assert h.passes == 1 and probe() is not None
        reactor.advance(0)  # the slice ran
        reactor.advance(1)
        assert h.passes == 2 and probe() is None, (h.passes, probe())
        h.check()  # the new baseline is what that pass left: no second pass
        assert h.passes == 2
    """,
    "past FORCE_GROWTH the pass runs even when busy": """
        cycles = [Cycle() for _ in range(1000)]
        probe = weakref.ref(cycles[0])
        gc.collect()
        del cycles
        extra = [[i] for i in range(h.baseline * heap.FORCE_GROWTH)]
        gc.collect()
        busy[0] = time.perf_counter() + 3600  # busy throughout
        reactor.advance(1)
        assert h.passes == 2 and probe() is None
    """,
    "stopped, it freezes nothing more": """
        h.stop()
        kept = [[i] for i in range(20000)]
        before = gc.get_freeze_count()
        gc.collect()
        assert gc.get_freeze_count() == before and h._collected not in gc.callbacks
    """,
    "vimsim serve's server keeps its model frozen and reclaims on reset": """
        h.stop()
        from twisted.internet import reactor as real_reactor
        from vimsim.server import Server
        server = Server(clock="virtual", freeze_model=True, reactor=real_reactor)
        assert server.heap.passes == 1 and server.heap.baseline > 0
        server.listen(0, secure=False)
        assert server.heap._collected in gc.callbacks
        server.reset()
        assert server.heap.passes == 2
        server.stop()
        assert server.heap._collected not in gc.callbacks
        assert Server(clock="virtual", reactor=real_reactor).heap is None  # embedded: left alone
    """,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_frozen_heap(case):
    script = PRELUDE + textwrap.dedent(CASES[case]) + "\nprint('ok')\n"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-3000:]
