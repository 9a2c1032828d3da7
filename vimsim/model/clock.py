"""The one clock every timestamp and every scheduled event comes from.

Modes: ``real`` runs at wall time's pace (durations divided by ``speed``), from wall time at
start and from wherever the clock stands when switched to it; ``virtual`` moves only on
``advance(seconds)``; ``auto`` is virtual time that the server moves to the next scheduled
event whenever no request is being served (``idle()``).
"""
import heapq
import itertools
import logging
import time
from datetime import datetime, timezone

MAX_SPEED = 1000000  # emulated seconds per real second, at most
MIN_SPEED = 1.0 / MAX_SPEED  # and at least: slower, a task's end is past any date
# The latest the clock may stand, or an event be due: dates up to year 9999 stay writable
# however far events are scheduled beyond it (datetime ends there).
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()
MODES = ("real", "virtual", "auto")
log = logging.getLogger("vimsim")


class Timer:
    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when, fn, args):
        self.when, self.fn, self.args, self.cancelled = when, fn, args, False

    def cancel(self):
        self.cancelled = True


def _check_speed(speed):
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) \
            or not MIN_SPEED <= speed <= MAX_SPEED:  # NaN fails both
        raise ValueError("clock speed must be a number from %g to %d" % (MIN_SPEED, MAX_SPEED))


class Clock:
    def __init__(self, mode="real", speed=1.0, start=None):
        if mode not in MODES:
            raise ValueError("clock mode must be one of %s" % ", ".join(MODES))
        _check_speed(speed)
        self.mode = mode
        self.speed = float(speed)
        wall = time.time()
        self._virtual = (start.timestamp() if isinstance(start, datetime) else start) or wall
        self._wall_origin = wall
        self._real_offset = 0.0  # real mode: clock time less wall time (0 unless switched to)
        self._events = []
        self._seq = itertools.count()
        # Set by the server: called with the earliest event time whenever it changes.
        self.on_schedule = None

    def set_mode(self, mode, speed=None):
        """Switch modes at run time; virtual time starts from wherever the clock stands."""
        if mode not in MODES:
            raise ValueError("clock mode must be one of %s" % ", ".join(MODES))
        if speed is not None:
            _check_speed(speed)
        now = self.time()
        if mode == "real" and self.mode != "real":
            # time goes on from where it stands: a jump to wall time would run hours of events
            # at once, or go back in time, and end every session idle in between
            self._real_offset = now - time.time()
        self.mode = mode
        if mode != "real":
            self._virtual = now
        if speed is not None:
            self.speed = float(speed)
        if self.on_schedule is not None and self._events:
            self.on_schedule(self._events[0][0])

    def clear(self):
        """Forget every scheduled event (the model they belonged to is gone)."""
        self._events = []

    def save_point(self):
        """What back_to() needs to undo a clear() and what followed it (a model replaced,
        then refused): the time and the events."""
        return self._virtual, list(self._events)

    def back_to(self, point):
        self._virtual, self._events = point[0], list(point[1])
        heapq.heapify(self._events)
        if self.on_schedule is not None and self._events:
            self.on_schedule(self._events[0][0])

    def time(self):
        """Seconds since the epoch on this clock."""
        if self.mode == "real":
            return time.time() + self._real_offset
        return self._virtual

    def now(self):
        return datetime.fromtimestamp(self.time(), timezone.utc)

    def call_later(self, delay, fn, *args):
        """Run ``fn(*args)`` after ``delay`` clock seconds (scaled by speed in real mode)."""
        delay = max(0.0, float(delay))
        if self.mode == "real":
            delay /= self.speed
        return self.call_at(self.time() + delay, fn, *args)

    def call_at(self, when, fn, *args):
        """Run ``fn(*args)`` at clock time ``when`` (at once if it has passed)."""
        timer = Timer(min(when, LATEST), fn, args)  # later than that: never, in effect
        first = not self._events or timer.when < self._events[0][0]
        heapq.heappush(self._events, (timer.when, next(self._seq), timer))
        if first and self.on_schedule is not None:
            self.on_schedule(timer.when)
        return timer

    def pending(self):
        """The events still to run, in time order."""
        return [timer for _, _, timer in sorted(self._events) if not timer.cancelled]

    def next_event_time(self):
        while self._events and self._events[0][2].cancelled:
            heapq.heappop(self._events)
        return self._events[0][0] if self._events else None

    def run_due(self):
        """Run every event whose time has come, in time order. Returns how many ran."""
        ran = 0
        while True:
            when = self.next_event_time()
            if when is None or when > self.time():
                return ran
            _, _, timer = heapq.heappop(self._events)
            try:
                timer.fn(*timer.args)
            except Exception:  # one broken event must not stop time for the others
                log.exception("internal error in a scheduled event")
            ran += 1

    def advance(self, seconds):
        """Move virtual time forward, running each event at its own time."""
        if self.mode == "real":
            raise ValueError("advance() needs the virtual or auto clock")
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        target = self._virtual + seconds
        if not target <= LATEST:  # NaN too
            raise ValueError("seconds must keep the clock before %s" % datetime.fromtimestamp(
                LATEST, timezone.utc).strftime("%Y-%m-%d"))
        while True:
            when = self.next_event_time()
            if when is None or when > target:
                break
            self._virtual = max(self._virtual, when)
            self.run_due()
        self._virtual = target
        self.run_due()

    def idle(self):
        """In auto mode, jump to the next scheduled event and run it. True if time moved."""
        if self.mode != "auto":
            return False
        when = self.next_event_time()
        if when is None:
            return False
        self._virtual = max(self._virtual, when)
        self.run_due()
        return True

