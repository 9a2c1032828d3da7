"""DiagnosticManager: the server's logs, listed by QueryDescriptions and read a window of lines
at a time by BrowseDiagnosticLog (what ``govc logs`` and ``govc logs.ls`` use).

``vpxd:vpxd.log`` is vimsim's own log: how it started (its version, the managers it serves),
then what the "vimsim" loggers write while this Vcenter exists, in vpxd's line format, stamped
with the emulator's clock; the last LOG_LINES lines are kept. (The loggers are the process's:
two Vcenters in one process both see what either writes. What reaches them depends on the
loggers' level, WARNING unless ``vimsim serve -v``.) A host's logs hold the line each of its
agents writes when it starts. Lines are numbered from 1 for the first line ever written; those
that fell out of the ring are gone, as rotated logs are.
"""
import collections
import logging
import os
import weakref

from vimsim.model import faults
from vimsim.model.objects import ManagedObject
from vimsim.model.service import SERVICE_CONTENT
from vimsim.vim25.data import DataObject
from vimsim.vim25.typedata import MANAGED_VMODL_NAMES

LOG_LINES = 5000          # lines of vpxd.log kept
VPXD_MAX_LINES = 500      # lines one BrowseDiagnosticLog answers at most, on vCenter's logs
HOST_MAX_LINES = 1000     # ... and on a host's
ORIGINATOR = "Originator@6876"
LEVELS = {logging.DEBUG: "verbose", logging.INFO: "info", logging.WARNING: "warning",
          logging.ERROR: "error", logging.CRITICAL: "error"}
# (key, file, what it holds) of vCenter's own logs; of a host's, also the product and process
# id that the log's first line names (each host log's creator is its key).
VPXD_LOGS = (
    ("vpxd:vpxd.log", "/var/log/vmware/vpxd/vpxd.log", "vCenter Server log"),
    ("vpxd:vpxd-alert.log", "/var/log/vmware/vpxd/vpxd-alert.log", "vCenter Server alert log"),
    ("vpxd:vpxd-profiler.log", "/var/log/vmware/vpxd/vpxd-profiler.log",
     "vCenter Server profiler log"),
)
HOST_LOGS = (
    ("hostd", "/var/log/hostd.log", "Server log", "VMware ESX", 2099),
    ("vmkernel", "/var/log/vmkernel.log", "VMkernel log", "VMkernel", 0),
    ("vpxa", "/var/log/vpxa.log", "vCenter agent log", "vCenter Agent", 2267),
)


def timestamp(when):
    """A log line's time as VMware's agents write it: ``2024-05-01T12:34:56.789Z``."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (when.microsecond // 1000)


def log_lines(when, level, agent, pid, sub, text):
    """The lines of one log entry: a header line, then ``-->`` for each further line."""
    first, *rest = text.splitlines() or [""]
    return ["%s %s %s[%d] [%s sub=%s] %s" % (timestamp(when), level, agent, pid, ORIGINATOR, sub,
                                              first)] + ["--> " + line for line in rest]


def _descriptor(key, file_name, creator, what):
    label = "%s in 'plain' format" % what
    return DataObject("DiagnosticManagerLogDescriptor", key=key, fileName=file_name,
                      creator=creator, format="plain", mimeType="text/plain",
                      info=DataObject("Description", label=label, summary=label))


class LogRing(logging.Handler):
    """The newest lines of a log, numbered by how many were ever written."""

    def __init__(self, clock, size=LOG_LINES):
        super().__init__(logging.DEBUG)
        # The logger holds this handler: a strong reference to the clock (which reaches its
        # server) would keep a stopped Vcenter alive, and with it this handler.
        self.clock = weakref.ref(clock)
        self.lines = collections.deque(maxlen=size)
        self.written = 0  # the number of the newest line
        self.pid = os.getpid()

    def _lines(self, level, sub, text):
        clock = self.clock()
        if clock is None:
            return []
        return log_lines(clock.now(), level, "vpxd", self.pid, sub, text)

    def add(self, level, sub, text):
        lines = self._lines(level, sub, text)
        self.acquire()
        try:
            self.lines.extend(lines)
            self.written += len(lines)
        finally:
            self.release()

    def emit(self, record):
        try:
            lines = self._lines(LEVELS.get(record.levelno, "info"), record.name,
                                self.format(record))
        except Exception:
            self.handleError(record)
            return
        self.lines.extend(lines)  # handle() holds the lock
        self.written += len(lines)

    def window(self):
        """(number of the oldest line kept, the lines kept), as one consistent copy."""
        self.acquire()
        try:
            return self.written - len(self.lines) + 1, list(self.lines)
        finally:
            self.release()


class DiagnosticManager(ManagedObject):
    vim_type = "DiagnosticManager"

    def __init__(self, vc, moid="DiagMgr"):
        super().__init__(vc, moid)
        self.vpxd_log = LogRing(vc.clock)
        self._start_log(vc)
        logger = logging.getLogger("vimsim")
        logger.addHandler(self.vpxd_log)
        # Only this Vcenter's handler goes, and only when this Vcenter is gone.
        weakref.finalize(self, logger.removeHandler, self.vpxd_log)

    def _start_log(self, vc):
        """What vpxd.log holds when vimsim starts: the banner, then the managers it serves
        (enough lines for ``govc logs``, whose default is the last 25)."""
        about = vc.about()
        log = self.vpxd_log
        log.add("info", "Default", "Log for VMware vCenter Server, pid=%d, version=%s, build=%s, "
                "option=Release" % (log.pid, about.version, about.build))
        log.add("info", "Default", "Instance uuid %s, API version %s"
                % (vc.instance_uuid, about.apiVersion))
        for prop, type_name, moid in SERVICE_CONTENT:
            log.add("info", "ServiceInstance", "ServiceContent.%s: %s:%s" % (
                prop, MANAGED_VMODL_NAMES.get(type_name, "vim." + type_name), moid))

    def _host_lines(self, key):
        """A host log: the line its agent writes when it starts, at the hosts' boot time."""
        product, pid = next((p, pid) for k, _, _, p, pid in HOST_LOGS if k == key)
        about = self.vc.host_about()
        return log_lines(self.vc.boot_time, "info", key, pid, "Default",
                         "Log for %s, pid=%d, version=%s, build=%s, option=Release"
                         % (product, pid, about.version, about.build))

    def _log(self, ctx, host, key):
        """(number of the first line, the lines, most lines one call answers) of a log."""
        if host is None:
            if key == "vpxd:vpxd.log":
                first, lines = self.vpxd_log.window()
                return first, lines, VPXD_MAX_LINES
            if any(key == k for k, _, _ in VPXD_LOGS):
                return 1, [], VPXD_MAX_LINES
        elif any(key == k for k, _, _, _, _ in HOST_LOGS):
            self.vc.lookup(host, ctx)
            return 1, self._host_lines(key), HOST_MAX_LINES
        raise faults.InvalidArgument(invalidProperty="key")

    def QueryDescriptions(self, ctx, host=None):
        if host is None:
            return [_descriptor(key, file_name, "vpxd", what)
                    for key, file_name, what in VPXD_LOGS]
        self.vc.lookup(host, ctx)
        return [_descriptor(key, file_name, key, what)
                for key, file_name, what, _, _ in HOST_LOGS]

    def BrowseDiagnosticLog(self, ctx, key, host=None, start=None, lines=None):
        first, text, most = self._log(ctx, host, key)
        last = first + len(text) - 1
        start = max(first, 1 if start is None else start)
        count = most if lines is None else max(0, min(lines, most))
        segment = text[start - first:start - first + count] if start <= last else []
        return DataObject("DiagnosticManagerLogHeader", lineStart=start,
                          lineEnd=min(start + count - 1, last), lineText=segment)
