"""The ``vimsim`` command."""
import argparse
import os
import shlex
import sys
import urllib.parse

from vimsim import __version__, compat

compat.without_twisted_tls()  # before anything imports the reactor

from vimsim import activity, saved_inventory  # noqa: E402
from vimsim.model import clock  # noqa: E402
from vimsim.model import fixture as fixtures  # noqa: E402
from vimsim.model.fixture import FixtureError  # noqa: E402
from vimsim.httpserver import (HANDSHAKE_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS,  # noqa: E402
                               MAX_UNAUTHENTICATED_BODY, REQUEST_TIMEOUT)
from vimsim.server import DEFAULT_MAX_BODY, DEFAULT_STATE_INTERVAL, Server  # noqa: E402
from vimsim.vim25.types import NEWEST_VERSION  # noqa: E402


def _number(convert, accept, expected):
    """An option's value as a number, or argparse's error in plain words:
    "argument --port: expected a port number from 0 to 65535, got 'abc'"."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError("expected %s, got %r" % (expected, text))
        return value
    return parse


_INF = float("inf")
_port = _number(int, lambda v: 0 <= v <= 65535, "a port number from 0 to 65535")
_count = _number(int, lambda v: v >= 0, "a whole number, 0 or more")
_positive_count = _number(int, lambda v: v >= 1, "a whole number, 1 or more")
_seconds = _number(float, lambda v: 0 < v < _INF, "a number of seconds more than 0")
_minutes = _number(float, lambda v: 0 <= v < _INF, "a number of minutes, 0 or more")
_factor = _number(float, lambda v: clock.MIN_SPEED <= v <= clock.MAX_SPEED,
                  "a number from %g to %d" % (clock.MIN_SPEED, clock.MAX_SPEED))


DEFAULT_HOST, DEFAULT_PORT, DEFAULT_USER, DEFAULT_PASSWORD = "127.0.0.1", 8989, "user", "pass"
DEFAULT_URL = "https://%s:%s@%s:%d/sdk" % (DEFAULT_USER, DEFAULT_PASSWORD, DEFAULT_HOST,
                                           DEFAULT_PORT)  # `vimsim serve` with no options


def parser():
    p = argparse.ArgumentParser(prog="vimsim", description="An offline emulator of vCenter's "
                                "APIs around guest customization.")
    p.add_argument("--version", action="version", version="vimsim %s" % __version__)
    sub = p.add_subparsers(dest="command", required=True, metavar="{serve,save,env}")
    s = sub.add_parser("serve", help="serve the emulated vCenter until Ctrl-C or SIGTERM")
    s.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (%s)" % DEFAULT_HOST)
    s.add_argument("--port", type=_port, default=DEFAULT_PORT,
                   help="port to listen on (%d; 0 picks a free port)" % DEFAULT_PORT)
    s.add_argument("--http", action="store_true",
                   help="plain HTTP instead of HTTPS with a self-signed certificate")
    s.add_argument("--cert-dir", metavar="DIR", help="where the self-signed certificate is kept "
                   "(default ~/.cache/vimsim)")
    s.add_argument("--fixture", default="default", metavar="NAME|PATH",
                   help="a fixture shipped with vimsim (default) or a YAML file's path")
    s.add_argument("--load", metavar="DIR",
                   help="start from an inventory saved by `govc object.save -d DIR` or "
                   "`vimsim save DIR` (users, timings and settings from --fixture)")
    s.add_argument("--scenario", action="append", default=[], metavar="NAME|PATH",
                   help="load fault rules: a scenario shipped with vimsim "
                   "(flaky-customization) or a YAML file's path (repeatable)")
    s.add_argument("--state", metavar="FILE",
                   help="restore the whole state from FILE on start (if it exists), save it "
                   "there within --state-interval of every change and on a clean stop")
    s.add_argument("--state-interval", type=_seconds, default=DEFAULT_STATE_INTERVAL,
                   metavar="SECONDS", help="--state: seconds a change may wait to be saved "
                   "(1; nothing is written while nothing changes)")
    s.add_argument("--username", default=DEFAULT_USER,
                   help="an Administrator user to add (%s)" % DEFAULT_USER)
    s.add_argument("--password", default=DEFAULT_PASSWORD,
                   help="that user's password (%s)" % DEFAULT_PASSWORD)
    s.add_argument("--vms", type=_count, metavar="N", help="total number of VMs to grow the "
                   "inventory to, spread over the clusters, pools and hosts")
    s.add_argument("--hosts", type=_count, metavar="N", help="total number of hosts")
    s.add_argument("--max-body", type=_count, default=DEFAULT_MAX_BODY, metavar="BYTES",
                   help="largest request body accepted, in bytes (16 MiB)")
    s.add_argument("--max-unauthenticated-body", type=_count,
                   default=MAX_UNAUTHENTICATED_BODY, metavar="BYTES",
                   help="largest request body accepted from a client without a session, in "
                   "bytes, refused from the request head (64 KiB)")
    s.add_argument("--request-timeout", type=_seconds, default=REQUEST_TIMEOUT,
                   metavar="SECONDS",
                   help="seconds a request may take to arrive once it starts; slower ones "
                   "are answered 408 and the connection closed (60)")
    s.add_argument("--idle-timeout", type=_seconds, default=IDLE_TIMEOUT, metavar="SECONDS",
                   help="seconds an idle keep-alive connection is kept (1800: pyVmomi reuses "
                   "pooled connections for up to 900 s)")
    s.add_argument("--handshake-timeout", type=_seconds, default=HANDSHAKE_TIMEOUT,
                   metavar="SECONDS",
                   help="seconds a new connection has to finish its TLS handshake and start "
                   "its first request (5)")
    s.add_argument("--max-connections", type=_positive_count, metavar="N",
                   help="open connections served at once; more are closed as they come "
                   "(%d, or the open-file limit less 64 if lower)" % MAX_CONNECTIONS)
    s.add_argument("--session-timeout", type=_minutes, default=None,
                   metavar="MINUTES", help="idle minutes after which a session ends, on the "
                   "emulator's clock (30, as vCenter; 0: never)")
    s.add_argument("--max-sessions", type=_count, default=None, metavar="N",
                   help="most sessions at once; Login beyond it answers HTTP 503 (3000, as "
                   "vCenter 8.0 U3)")
    s.add_argument("--clock", choices=("real", "virtual", "auto"), default="real",
                   help="real: wall time; virtual: moves only when told; auto: jumps to the "
                   "next event whenever no request is being served")
    s.add_argument("--speed", type=_factor, default=1.0, metavar="FACTOR",
                   help="real clock only: divide every duration by this factor")
    s.add_argument("--fault-delivery", action="append", default=[], metavar="TYPE=call|task",
                   help="deliver faults of TYPE on the method call or on its task "
                   "(repeatable; e.g. InvalidGuestLogin=call)")
    s.add_argument("-v", "--verbose", action="store_true",
                   help="log each request (surface, method, object, user, status or fault, "
                   "duration) and the lifecycle of tasks, customizations, Tools and fault "
                   "rules, on stderr")
    s.add_argument("--log-format", choices=("text", "json"), default="text",
                   help="log lines as text, or as one JSON object each (text)")
    s.add_argument("-E", "--exports", action="store_true",
                   help="after the ready line, print shell exports for govc and the other "
                   "clients, as `vcsim -E` does (the whole output can be eval'ed)")
    v = sub.add_parser("save", help="save a running server's inventory into a directory, as "
                       "`govc object.save -d DIR` does (what `serve --load DIR` reads)")
    v.add_argument("dir", metavar="DIR", help="the directory to write (made if missing)")
    v.add_argument("--url", default=os.environ.get("VIMSIM_URL"),
                   help="the server's URL with credentials ($VIMSIM_URL)")
    v.add_argument("--username", help="user name, if not in the URL")
    v.add_argument("--password", help="password, if not in the URL")
    e = sub.add_parser("env", help="print shell exports for govc and the other clients of a "
                       "running vimsim: eval \"$(vimsim env)\"")
    e.add_argument("--url", default=os.environ.get("VIMSIM_URL") or DEFAULT_URL,
                   help="the server's URL with credentials, as its ready line says "
                   "($VIMSIM_URL, or the default server's: %s)" % DEFAULT_URL)
    return p


def endpoints(base):
    """What `vimsim serve` prints after its ready line: where each API is."""
    rows = [("vim25 SOAP", "/sdk", "pyVmomi, govc"),
            ("WSDL", "/sdk/vimService.wsdl", "zeep"),
            ("VI/JSON", "/sdk/vim25/%s/" % NEWEST_VERSION, ""),
            ("REST", "/api/ and /rest/", "vSphere Automation SDK, Ansible vmware_rest"),
            ("ZStack", "/zstack/v1/", ""),
            ("control API", "/vimsim/v1/", ""),
            ("dashboard", "/", "a browser")]
    return ["  %-12s %s%s%s" % (name, base, path, "  (%s)" % who if who else "")
            for name, path, who in rows]


def exports(url):
    """Shell exports for a server at ``url`` (ValueError if it is not one): VIMSIM_URL, govc's
    GOVC_* (as `vcsim -E`) and the VMWARE_* variables Ansible's community.vmware reads."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise ValueError("expected the server's URL, such as %s, got %r" % (DEFAULT_URL, url))
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    where = urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2],
                                     parts.path or "/sdk", "", ""))
    variables = [("VIMSIM_URL", url),
                 ("GOVC_URL", where), ("GOVC_USERNAME", user), ("GOVC_PASSWORD", password),
                 ("GOVC_INSECURE", "1"),
                 ("VMWARE_HOST", parts.hostname), ("VMWARE_PORT", str(port)),
                 ("VMWARE_USER", user), ("VMWARE_PASSWORD", password),
                 ("VMWARE_VALIDATE_CERTS", "false")]
    return ["export %s=%s" % (name, shlex.quote(value)) for name, value in variables]


def env(args):
    try:
        print("\n".join(exports(args.url)))
    except ValueError as exc:
        print("vimsim env: --url: %s" % exc, file=sys.stderr)
        return 2
    return 0


def ready_lines(server, with_exports):
    """The ready line first (tests and scripts read it), then where things are; with -E the
    endpoints become comments and the exports follow, so that all of it can be eval'ed."""
    lines = ["VIMSIM_URL=%s" % server.url]
    where = endpoints(server.base_url)
    if with_exports:
        return lines + ["#" + line for line in where] + exports(server.url)
    return lines + where


def save(args):
    if not args.url:
        print("vimsim save: give the server's URL with --url or $VIMSIM_URL", file=sys.stderr)
        return 2
    try:
        count = saved_inventory.save(args.dir, args.url, args.username, args.password)
    except (saved_inventory.SavedInventoryError, OSError) as exc:  # ssl.SSLError included
        print("vimsim save: %s" % exc, file=sys.stderr)
        return 1
    print("saved %d objects in %s" % (count, args.dir))
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "save":
        return save(args)
    if args.command == "env":
        return env(args)
    activity.configure(args.verbose, args.log_format)
    from twisted.internet import reactor
    try:
        fixture = args.fixture
        if args.load:
            fixture = saved_inventory.fixture_from(args.load, fixtures.load(args.fixture))
        server = Server(fixture=fixture, clock=args.clock, speed=args.speed,
                        vms=args.vms, hosts=args.hosts, username=args.username,
                        password=args.password, max_body=args.max_body,
                        scenarios=args.scenario, state_file=args.state,
                        request_timeout=args.request_timeout, idle_timeout=args.idle_timeout,
                        handshake_timeout=args.handshake_timeout,
                        max_connections=args.max_connections,
                        max_unauthenticated_body=args.max_unauthenticated_body,
                        state_interval=args.state_interval,
                        session_timeout=args.session_timeout, max_sessions=args.max_sessions,
                        freeze_model=True)
        for rule in args.fault_delivery:
            type_name, _, where = rule.partition("=")
            server.vc.set_fault_delivery(type_name, where)
        server.listen(args.port, args.host, secure=not args.http, cert_dir=args.cert_dir)
    except (FixtureError, saved_inventory.SavedInventoryError, ValueError, OSError) as exc:
        print("vimsim: %s" % exc, file=sys.stderr)
        return 2
    except Exception as exc:  # e.g. twisted's CannotListenError
        print("vimsim: %s" % exc, file=sys.stderr)
        return 2
    reactor.addSystemEventTrigger("before", "shutdown", server.close_state)
    # Once the reactor runs, so its SIGTERM handler is in place when a client reads the line
    reactor.callWhenRunning(announce, ready_lines(server, args.exports))
    reactor.run()
    if server.save_failed:
        print("vimsim: the state was not saved to %s (see the errors above)" % args.state,
              file=sys.stderr)
        return 1
    return 0


def announce(lines):
    """Print the ready lines; a reader that has gone (``vimsim serve | head -1``) does not
    stop the server: what it would print later goes nowhere."""
    try:
        print("\n".join(lines), flush=True)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")


if __name__ == "__main__":
    sys.exit(main())
