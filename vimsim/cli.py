"""The ``vimsim`` command."""
import argparse
import os
import sys

from vimsim import compat

compat.without_twisted_tls()  # before anything imports the reactor

from vimsim import activity, saved_inventory  # noqa: E402
from vimsim.model import fixture as fixtures  # noqa: E402
from vimsim.model.fixture import FixtureError  # noqa: E402
from vimsim.httpserver import (HANDSHAKE_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS,  # noqa: E402
                               MAX_UNAUTHENTICATED_BODY, REQUEST_TIMEOUT)
from vimsim.server import DEFAULT_MAX_BODY, DEFAULT_STATE_INTERVAL, Server  # noqa: E402


def _positive_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_count(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _non_negative_float(text):
    value = float(text)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError("must be a finite number, 0 or more")
    return value


def parser():
    p = argparse.ArgumentParser(prog="vimsim", description="An offline emulator of vCenter's "
                                "APIs around guest customization.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the emulated vCenter until Ctrl-C or SIGTERM")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    s.add_argument("--port", type=_positive_int, default=8989,
                   help="port to listen on (8989; 0 picks a free port)")
    s.add_argument("--http", action="store_true",
                   help="plain HTTP instead of HTTPS with a self-signed certificate")
    s.add_argument("--cert-dir", help="where the self-signed certificate is kept "
                   "(default ~/.cache/vimsim)")
    s.add_argument("--fixture", default="default",
                   help="fixture name under fixtures/ or a YAML path (default)")
    s.add_argument("--load", metavar="DIR",
                   help="start from an inventory saved by `govc object.save -d DIR` or "
                   "`vimsim save DIR` (users, timings and settings from --fixture)")
    s.add_argument("--scenario", action="append", default=[], metavar="NAME|PATH",
                   help="load fault rules from fixtures/scenarios/NAME.yaml or a YAML file "
                   "(repeatable)")
    s.add_argument("--state", metavar="FILE",
                   help="restore the whole state from FILE on start (if it exists), save it "
                   "there within --state-interval of every change and on a clean stop")
    s.add_argument("--state-interval", type=_positive_float, default=DEFAULT_STATE_INTERVAL,
                   metavar="SECONDS", help="--state: seconds a change may wait to be saved "
                   "(1; nothing is written while nothing changes)")
    s.add_argument("--username", default="user", help="an Administrator user to add (user)")
    s.add_argument("--password", default="pass", help="that user's password (pass)")
    s.add_argument("--vms", type=_positive_int, help="total number of VMs to grow the "
                   "inventory to, spread over the clusters, pools and hosts")
    s.add_argument("--hosts", type=_positive_int, help="total number of hosts")
    s.add_argument("--max-body", type=_positive_int, default=DEFAULT_MAX_BODY,
                   help="largest request body accepted, in bytes (16 MiB)")
    s.add_argument("--max-unauthenticated-body", type=_positive_int,
                   default=MAX_UNAUTHENTICATED_BODY,
                   help="largest request body accepted from a client without a session, in "
                   "bytes, refused from the request head (64 KiB)")
    s.add_argument("--request-timeout", type=_positive_float, default=REQUEST_TIMEOUT,
                   help="seconds a request may take to arrive once it starts; slower ones "
                   "are answered 408 and the connection closed (60)")
    s.add_argument("--idle-timeout", type=_positive_float, default=IDLE_TIMEOUT,
                   help="seconds an idle keep-alive connection is kept (1800: pyVmomi reuses "
                   "pooled connections for up to 900 s)")
    s.add_argument("--handshake-timeout", type=_positive_float, default=HANDSHAKE_TIMEOUT,
                   help="seconds a new connection has to finish its TLS handshake and start "
                   "its first request (5)")
    s.add_argument("--max-connections", type=_positive_count,
                   help="open connections served at once; more are closed as they come "
                   "(%d, or the open-file limit less 64 if lower)" % MAX_CONNECTIONS)
    s.add_argument("--session-timeout", type=_non_negative_float, default=None,
                   metavar="MINUTES", help="idle minutes after which a session ends, on the "
                   "emulator's clock (30, as vCenter; 0: never)")
    s.add_argument("--max-sessions", type=_positive_int, default=None,
                   help="most sessions at once; Login beyond it answers HTTP 503 (3000, as "
                   "vCenter 8.0 U3)")
    s.add_argument("--clock", choices=("real", "virtual", "auto"), default="real",
                   help="real: wall time; virtual: moves only when told; auto: jumps to the "
                   "next event whenever no request is being served")
    s.add_argument("--speed", type=float, default=1.0,
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
    v = sub.add_parser("save", help="save a running server's inventory into a directory, as "
                       "`govc object.save -d DIR` does (what `serve --load DIR` reads)")
    v.add_argument("dir", metavar="DIR", help="the directory to write (made if missing)")
    v.add_argument("--url", default=os.environ.get("VIMSIM_URL"),
                   help="the server's URL with credentials ($VIMSIM_URL)")
    v.add_argument("--username", help="user name, if not in the URL")
    v.add_argument("--password", help="password, if not in the URL")
    return p


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
    reactor.callWhenRunning(lambda: print("VIMSIM_URL=%s" % server.url, flush=True))
    reactor.run()
    if server.save_failed:
        print("vimsim: the state was not saved to %s (see the errors above)" % args.state,
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
