"""What ``vimsim serve -v`` logs at INFO: one line per request (its surface, vim25 method or
route, target object, user, status or fault, duration), and the lifecycle of tasks, guest
customizations, VMware Tools, guest networks and fault rules. ``--log-format json`` writes the
same as one JSON object per line.

A front-end notes what it learns of a request (``note``); the HTTP server (httpserver.Request)
writes the line when the answer is sent. Lifecycle lines come from the model (``event``). When
INFO is off (no ``-v``) nothing is gathered or formatted.
"""
import json
import logging
import time

REQUESTS = logging.getLogger("vimsim.request")
# The fields of a request line, in the order the text line gives them.
REQUEST_FIELDS = ("surface", "method", "target", "user", "status", "fault", "ms")

# First path segment -> the surface it serves (surface_of: sdk/vim25 is VI/JSON; the REST
# resource notes POST /api, the SDK's JSON-RPC, as jsonrpc).
_SURFACES = {b"sdk": "soap", b"api": "api", b"rest": "rest", b"zstack": "zstack",
             b"guestFile": "guestfile", b"vimsim": "control", b"": "dashboard"}


def note(request, **fields):
    """Record what a front-end learnt of ``request`` (method, target, user, fault), for its
    line; a later note of a field replaces an earlier one."""
    if not REQUESTS.isEnabledFor(logging.INFO):
        return
    noted = getattr(request, "activity", None)
    if noted is None:
        noted = request.activity = {}
    noted.update((k, v) for k, v in fields.items() if v is not None)


def ref_text(ref):
    """A moRef as govc writes it: ``VirtualMachine:vm-42``."""
    return "%s:%s" % (ref.type, ref.value) if ref is not None else None


def surface_of(path):
    parts = path.lstrip(b"/").split(b"/", 2)
    head = parts[0]
    if head == b"sdk" and len(parts) > 1 and parts[1] == b"vim25":
        return "vijson"
    if head == b"vimsim" and len(parts) > 1 and parts[1] == b"ui":
        return "dashboard"
    return _SURFACES.get(head, "http")


def request_done(request, lost=False):
    """Log one line for a request answered, or ``lost`` (its client went away first)."""
    if not REQUESTS.isEnabledFor(logging.INFO):
        return
    noted = getattr(request, "activity", None) or {}
    path = request.uri.partition(b"?")[0]
    fields = {"surface": noted.get("surface") or surface_of(path),
              "method": noted.get("method") or "%s %s" % (
                  request.method.decode("latin-1"), path.decode("latin-1")),
              "target": noted.get("target"), "user": noted.get("user"),
              "status": None if lost else request.code,
              "fault": "ConnectionLost" if lost else noted.get("fault"),
              "ms": round((time.perf_counter() - request.started) * 1000, 3)}
    REQUESTS.info(" ".join(_request_words(fields)), extra={"activity": fields})


def refused(status, reason):
    """A request the HTTP server would not read (too large, too slow, malformed)."""
    if REQUESTS.isEnabledFor(logging.INFO):
        fields = dict.fromkeys(REQUEST_FIELDS)
        fields.update(surface="http", method="-", status=status, fault=reason, ms=0.0)
        REQUESTS.info("http refused status=%d (%s)", status, reason, extra={"activity": fields})


def _request_words(fields):
    yield fields["surface"]
    yield fields["method"]
    for key in ("target", "user", "status", "fault"):
        if fields[key] is not None:
            yield "%s=%s" % (key, fields[key])
    yield "%.1f ms" % fields["ms"]


def event(logger, kind, message, *args, **fields):
    """A lifecycle line at INFO on ``logger``: ``message % args`` for people, ``fields`` (with
    ``event: kind``) for machines."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(message, *args, extra={"activity": dict(event=kind, **fields)})


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and a record's activity fields."""

    def format(self, record):
        out = {"time": self.formatTime(record), "level": record.levelname,
               "logger": record.name, "message": record.getMessage()}
        out.update(getattr(record, "activity", None) or {})
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)

    def formatTime(self, record, datefmt=None):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + \
            ".%03dZ" % record.msecs


TEXT_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def configure(verbose, log_format="text"):
    """The process's logging for ``vimsim serve``: WARNING and ERROR always, INFO (requests and
    lifecycle) with ``verbose``, on stderr, as text lines or JSON objects."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
