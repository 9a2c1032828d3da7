"""vimsim's benchmark: server CPU from /proc of the server process, as issue 9 defines it.

Starts `vimsim serve --http --clock auto --vms N` for each size, drives it with pyVmomi (and,
for the long task run and the blocking probe, raw HTTP) over a real socket, and prints a JSON
report and a table. With a vcsim binary (on PATH or --vcsim PATH) the same workloads run
against it, also over plain HTTP (-tls=false), and the ratios are printed. --tls runs both
over HTTPS instead (their default), each with its self-signed certificate. Every run (and
--defaults alone) also measures the PowerOff+PowerOn pair with each server as a user starts
it: `vimsim serve` (HTTPS, real clock) and vcsim (HTTPS), with vimsim's --http --clock auto
beside them, in interleaved rounds; and, as the floor, the same client against a server that
only replays `vimsim serve`'s recorded answers to it (--serve-replay).

--stalls (also at the end of a full run) measures the longest a second client's small call
(RetrieveServiceContent, looped) waits behind each big request of issue 14 from a first
client, against `vimsim serve --vms 10000 --http --clock virtual`, and prints a table.

Server CPU is the sum of /proc/PID/task/*/schedstat (nanoseconds; every thread, for vcsim's
goroutines), falling back to /proc/PID/stat's 10 ms ticks where schedstat is missing.
"""
import argparse
import glob
import http.client
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ENVELOPE = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi='
            '"http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>%s</soapenv:Body>'
            '</soapenv:Envelope>')


def cpu_seconds(pid):
    total, found = 0, False
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
            found = True
        except (OSError, ValueError, IndexError):
            pass
    if found:
        return total / 1e9
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def queued_seconds(pid):
    """How long the process's threads have waited for a CPU (run queue), from schedstat."""
    total = 0
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            with open(path) as f:
                total += int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def rss_mb(pid):
    with open("/proc/%d/statm" % pid) as f:
        return int(f.read().split()[1]) * PAGE / 2 ** 20


class Target:
    """A server process to measure: vimsim or vcsim, both on plain HTTP (or ``tls``), or, with
    ``args``, started with exactly those arguments besides the listening address."""

    def __init__(self, kind, vms, vcsim=None, tls=False, args=None, clock="auto"):
        self.kind = kind
        started = time.perf_counter()
        self.host, self.protocol = "127.0.0.1", "https" if tls else "http"
        if kind == "replay":  # args: the recording (see serve_replay)
            self.protocol = "https"
            self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                          "--serve-replay"] + args,
                                         stdout=subprocess.PIPE, text=True)
            self.port = int(self.proc.stdout.readline().split()[1])
        elif kind == "vimsim":
            if args is None:
                args = ["--clock", clock, "--vms", str(vms)] + ([] if tls else ["--http"])
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "vimsim", "serve", "--port", "0"] + args,
                stdout=subprocess.PIPE, text=True)
            url = self.proc.stdout.readline().strip().split("@", 1)[1]
            self.port = int(url.split("/")[0].rsplit(":", 1)[1])
        else:
            self.port = 18000 + (os.getpid() + len(_vcsim_ports)) % 1000
            _vcsim_ports.append(self.port)
            if args is None:
                # vcsim's -vm counts per standalone host and per cluster pool: two of them here
                args = ["-tls=%s" % ("true" if tls else "false"), "-vm", str(max(1, vms // 2))]
            self.proc = subprocess.Popen([vcsim, "-l", "127.0.0.1:%d" % self.port] + args,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         text=True)
            self._wait_listening()
        self.connect()
        self.startup = time.perf_counter() - started
        self.startup_rss = rss_mb(self.proc.pid)

    def _wait_listening(self):
        import socket
        for _ in range(1200):
            try:
                socket.create_connection((self.host, self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("%s did not start" % self.kind)

    def connect(self):
        from pyVim.connect import SmartConnect
        self.si = SmartConnect(host=self.host, port=self.port, user="user", pwd="pass",
                               protocol=self.protocol, disableSslCertValidation=True)

    @property
    def address(self):
        return self.host, self.port, self.protocol

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def rss(self):
        return rss_mb(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


_vcsim_ports = []


class RawClient:
    """SOAP over one keep-alive http.client connection, without pyVmomi's own cost."""

    def __init__(self, host, port, protocol):
        if protocol == "https":
            self.conn = http.client.HTTPSConnection(
                host, port, timeout=120, context=ssl._create_unverified_context())
        else:
            self.conn = http.client.HTTPConnection(host, port, timeout=120)
        self.headers = {"Content-Type": "text/xml; charset=utf-8",
                        "SOAPAction": '"urn:vim25/8.0.3.0"'}

    def call(self, body):
        self.conn.request("POST", "/sdk", (ENVELOPE % body).encode(), self.headers)
        response = self.conn.getresponse()
        return response.status, response.read(), response.getheader("Set-Cookie")

    def login(self):
        status, _, cookie = self.call(
            '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>'
            '<userName>user</userName><password>pass</password></Login>')
        assert status == 200, status
        self.headers["Cookie"] = cookie.split(";")[0]
        return self


RSC = ('<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance'
       '</_this></RetrieveServiceContent>')
PC_THIS = '<_this type="PropertyCollector">%s</_this>'


def retrieve_request(method, collector, view, options=""):
    return ('<%s xmlns="urn:vim25">%s<specSet><propSet><type>VirtualMachine</type>'
            '<pathSet>name</pathSet><pathSet>runtime.powerState</pathSet></propSet>'
            '<objectSet><obj type="ContainerView">%s</obj><skip>true</skip><selectSet '
            'xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type><path>view</path>'
            '<skip>false</skip></selectSet></objectSet></specSet>%s</%s>'
            % (method, PC_THIS % collector, view, options, method))


def raw_view(target, client):
    """A ContainerView of every VM in the raw client's own session (views are per session)."""
    content = target.si.content
    return raw_view_of(client, content.propertyCollector._moId, content.viewManager._moId,
                       content.rootFolder._moId)


def raw_view_of(client, collector, view_manager, root_folder):
    status, answer, _ = client.call(
        '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">%s</_this>'
        '<container type="Folder">%s</container><type>VirtualMachine</type>'
        '<recursive>true</recursive></CreateContainerView>' % (view_manager, root_folder))
    assert status == 200, answer[:300]
    return re.search(rb"<returnval[^>]*>([^<]+)</returnval>", answer).group(1).decode()


def per_call(target, fn, n):
    fn()
    before = target.cpu()
    for _ in range(n):
        fn()
    return (target.cpu() - before) / n * 1000


def view_of_vms(si):
    from pyVmomi import vim
    content = si.content
    return content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)


def retrieve_all(si):
    from pyVmomi import vim, vmodl
    PC = vmodl.query.PropertyCollector
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view_of_vms(si), skip=True, selectSet=[
            PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name",
                                                                   "runtime.powerState"])])
    pc = si.content.propertyCollector

    def run():
        result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=1000))
        n = len(result.objects)
        while result.token:
            result = pc.ContinueRetrievePropertiesEx(result.token)
            n += len(result.objects)
        return n
    return run


def powered_on_vm(si):
    view = view_of_vms(si)
    return next(v for v in view.view if v.runtime.powerState == "poweredOn")


def finish_tasks(target, vm_id, count):
    """Power one VM off and on over raw HTTP until ``count`` tasks were accepted."""
    client = RawClient(*target.address).login()
    made = 0
    calls = ['<%s xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this></%s>'
             % (m, vm_id, m) for m in ("PowerOffVM_Task", "PowerOnVM_Task")]
    i = 0
    while made < count:
        status, _, _ = client.call(calls[i % 2])
        if status == 200:
            made += 1
            i += 1
        # a fault (the previous task not done yet): try the same call again
    return made


def _throughput_worker(args):
    host, port, protocol, seconds = args
    from pyVim.connect import SmartConnect
    si = SmartConnect(host=host, port=port, user="user", pwd="pass", protocol=protocol,
                      disableSslCertValidation=True)
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        si.RetrieveContent()
        n += 1
    return n


def throughput(target, clients, seconds):
    with multiprocessing.Pool(clients) as pool:
        counts = pool.map(_throughput_worker, [target.address + (seconds,)] * clients)
    return sum(counts) / seconds


def floor_ms(exchanges, n):
    """lxml parsing each request and building the same response element by element (replayed
    from the response vimsim sent), in-process: the least any Python server could spend."""
    from lxml import etree
    plans = []
    for request, response in exchanges:
        steps = []
        index = {}
        for i, el in enumerate(etree.fromstring(response).iter()):
            if not isinstance(el.tag, str):
                continue
            index[el] = i
            parent = el.getparent()
            steps.append((index.get(parent), el.tag, dict(el.attrib), el.text))
        plans.append((request, steps))
    started = time.process_time()
    for _ in range(n):
        for request, steps in plans:
            etree.fromstring(request)
            built = []
            for parent, tag, attrib, text in steps:
                el = etree.Element(tag, attrib) if parent is None else \
                    etree.SubElement(built[parent], tag, attrib)
                el.text = text
                built.append(el)
            etree.tostring(built[0])
    return (time.process_time() - started) / n * 1000


def floors(target):
    """The lxml floor for RetrieveServiceContent and for the paged read of every VM."""
    client = RawClient(*target.address).login()
    rsc = (ENVELOPE % RSC).encode()
    _, rsc_answer, _ = client.call(RSC)
    view = raw_view(target, client)
    collector = target.si.content.propertyCollector._moId
    pages = []
    body = retrieve_request("RetrievePropertiesEx", collector, view,
                            "<options><maxObjects>1000</maxObjects></options>")
    while body:
        status, answer, _ = client.call(body)
        assert status == 200, answer[:300]
        pages.append(((ENVELOPE % body).encode(), answer))
        token = re.search(rb"<token>([^<]+)</token>", answer)
        body = token and ('<ContinueRetrievePropertiesEx xmlns="urn:vim25">%s<token>%s</token>'
                          '</ContinueRetrievePropertiesEx>'
                          % (PC_THIS % collector, token.group(1).decode()))
    return floor_ms([(rsc, rsc_answer)], 2000), floor_ms(pages, 3)


# Each server as a user starts it, and vimsim on the fastest clock, measured side by side;
# --speed 1000 keeps HTTPS and the real clock but ends a power task before WaitForTask looks.
DEFAULTS = [("vimsim serve (HTTPS, real clock)", "vimsim", [], True),
            ("vimsim serve --http --clock auto", "vimsim", ["--http", "--clock", "auto"], False),
            ("vcsim (HTTPS)", "vcsim", [], True),
            ("vimsim serve --speed 1000", "vimsim", ["--speed", "1000"], True)]


# The same client and requests against a server that only replays `vimsim serve`'s recorded
# answers (serve_replay): what any Python server on twisted and vimsim's TLS spends on them.
REPLAY = "floor: vimsim's answers replayed"


class RequestCount:
    """How many HTTP requests this process's clients send while it is open."""

    def __enter__(self):
        self.count, self._original = 0, http.client.HTTPConnection.request

        def request(conn, *args, **kw):
            self.count += 1
            return self._original(conn, *args, **kw)
        http.client.HTTPConnection.request = request
        return self

    def __exit__(self, *exc):
        http.client.HTTPConnection.request = self._original


class Recording:
    """Every exchange this process's clients have while it is open: the request's method, the
    answer's status, Set-Cookie and bytes, and how long the server took to answer."""

    def __enter__(self):
        self.exchanges = []
        self._request = http.client.HTTPConnection.request
        self._getresponse = http.client.HTTPConnection.getresponse
        recording = self

        def request(conn, method, url, body=None, headers={}, **kw):
            conn._recorded = (_call_of(method, url, body), time.perf_counter())
            return recording._request(conn, method, url, body, headers, **kw)

        def getresponse(conn):
            response = recording._getresponse(conn)
            answer = response.read()
            method, sent = conn._recorded
            recording.exchanges.append({
                "method": method, "status": response.status,
                "cookie": response.getheader("Set-Cookie"), "answer": answer.decode("utf-8"),
                "seconds": time.perf_counter() - sent})
            # what the client reads next is the answer again
            response.fp, response.length, response.chunked = io.BytesIO(answer), len(answer), False
            return response
        http.client.HTTPConnection.request = request
        http.client.HTTPConnection.getresponse = getresponse
        return self

    def __exit__(self, *exc):
        http.client.HTTPConnection.request = self._request
        http.client.HTTPConnection.getresponse = self._getresponse


def _call_of(method, url, body):
    """What a request asks: the method a SOAP request calls (the first element in its Body),
    or else its HTTP method and path (pyVmomi's GET of vimServiceVersions.xml)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    found = re.search(rb"<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)", body or b"")
    return found.group(1).decode() if found else "%s %s" % (method, url)


def record_power_pair(path):
    """Record, into ``path``, `vimsim serve`'s answers to what a REPLAY target's client does:
    connect, find a powered-on VM, then PowerOff+PowerOn pairs (the last one recorded is the
    cycle the replay repeats)."""
    from pyVim.task import WaitForTask
    target = None
    try:
        with Recording() as recorded:
            target = Target("vimsim", None, args=[], tls=True)
            vm = powered_on_vm(target.si)
            WaitForTask(vm.PowerOffVM_Task())
            WaitForTask(vm.PowerOnVM_Task())
            start = len(recorded.exchanges)
            WaitForTask(vm.PowerOffVM_Task())
            WaitForTask(vm.PowerOnVM_Task())
    finally:
        if target is not None:
            target.stop()
    setup, pair = recorded.exchanges[:start], recorded.exchanges[start:]
    with open(path, "w") as f:
        json.dump({"setup": setup, "cycle": pair}, f)


def serve_replay(path):
    """A server that does nothing but answer each request with the recorded answer next in
    line (setup once, then the cycle over and over), as late as the recorded server answered
    a held call: the least a Python server on twisted, with vimsim's own TLS, spends on the
    same requests at the same pace. Prints ``ready PORT``."""
    from twisted.internet import protocol, reactor
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from vimsim import tls

    with open(path) as f:
        recorded = json.load(f)
    for exchange in recorded["setup"] + recorded["cycle"]:
        answer = exchange["answer"].encode("utf-8")
        head = "HTTP/1.1 %d %s\r\nContent-Type: text/xml; charset=utf-8\r\n" % (
            exchange["status"], "OK" if exchange["status"] == 200 else "Internal Server Error")
        if exchange["cookie"]:
            head += "Set-Cookie: %s\r\n" % exchange["cookie"]
        exchange["bytes"] = (head + "Content-Length: %d\r\n\r\n" % len(answer)).encode() + answer
        # only a call the server held (WaitForUpdates until the task ended) waits here too
        exchange["delay"] = exchange["seconds"] if exchange["seconds"] > 0.05 else 0
    position = [0]

    def next_exchange():
        i, setup, cycle = position[0], recorded["setup"], recorded["cycle"]
        position[0] += 1
        return setup[i] if i < len(setup) else cycle[(i - len(setup)) % len(cycle)]

    class Replay(protocol.Protocol):
        received = b""

        def dataReceived(self, data):
            self.received += data
            while True:
                end = self.received.find(b"\r\n\r\n")
                if end < 0:
                    return
                length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", self.received[:end + 2])
                size = end + 4 + (int(length.group(1)) if length else 0)
                if len(self.received) < size:
                    return
                head, body = self.received[:end].decode("latin-1"), self.received[end + 4:size]
                self.received = self.received[size:]
                method, url = head.split(" ", 2)[:2]
                call, exchange = _call_of(method, url, body), next_exchange()
                if call != exchange["method"]:  # the client went its own way
                    text = ("replay: %s where the recording has %s\n"
                            % (call, exchange["method"])).encode()
                    self.transport.write(b"HTTP/1.1 500 Internal Server Error\r\nConnection: "
                                         b"close\r\nContent-Length: %d\r\n\r\n%s"
                                         % (len(text), text))
                    self.transport.loseConnection()
                    return
                if exchange["delay"]:
                    reactor.callLater(exchange["delay"], self.transport.write, exchange["bytes"])
                else:
                    self.transport.write(exchange["bytes"])

    factory = protocol.ServerFactory()
    factory.protocol = Replay
    port = reactor.listenTCP(0, tls.TLSFactory(factory, tls.server_context()),
                             interface="127.0.0.1")
    print("ready %d" % port.getHost().port, flush=True)
    reactor.run()


def default_configurations(vcsim, quick):
    """Server CPU per PowerOff+PowerOn pair with WaitForTask, each server with its defaults
    (and vimsim with --http --clock auto): all started at once and measured in interleaved
    rounds, so that what else the machine runs weighs on each alike; the median and the
    spread over the rounds, and the requests a pair sends."""
    from pyVim.task import WaitForTask
    rounds, pairs = (5, 10) if quick else (9, 20)
    targets = []
    recording = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
    recording.close()
    try:
        record_power_pair(recording.name)
        for name, kind, args, tls in DEFAULTS + [(REPLAY, "replay", [recording.name], True)]:
            if kind == "vcsim" and not vcsim:
                continue
            target = Target(kind, None, vcsim, tls, args)
            targets.append((name, target, powered_on_vm(target.si), []))
        for name, target, vm, _ in targets:
            WaitForTask(vm.PowerOffVM_Task())
            WaitForTask(vm.PowerOnVM_Task())
        requests = {}
        for _ in range(rounds):
            for name, target, vm, figures in targets:
                before = target.cpu()
                with RequestCount() as sent:
                    for _ in range(pairs):
                        WaitForTask(vm.PowerOffVM_Task())
                        WaitForTask(vm.PowerOnVM_Task())
                figures.append((target.cpu() - before) / pairs * 1000)
                requests[name] = sent.count / pairs
    finally:
        for _, target, _, _ in targets:
            target.stop()
        os.unlink(recording.name)
    report = {}
    for name, _, _, figures in targets:
        median = sorted(figures)[len(figures) // 2]
        report[name] = {"power_pair_ms": round(median, 3),
                        "min_ms": round(min(figures), 3), "max_ms": round(max(figures), 3),
                        "requests_per_pair": requests[name],
                        "ms_per_request": round(median / requests[name], 3),
                        "rounds_ms": [round(f, 3) for f in figures]}
    return report


def print_defaults(defaults):
    print("\nPowerOff+PowerOn with WaitForTask, each server with its defaults (server CPU "
          "per pair, median of the rounds and their range):")
    for name, row in defaults.items():
        print("  %-34s %6.2f ms (%.2f-%.2f), %g requests a pair, %.3f ms a request" % (
            name, row["power_pair_ms"], row["min_ms"], row["max_ms"], row["requests_per_pair"],
            row["ms_per_request"]))
    mine, theirs = defaults.get(DEFAULTS[0][0]), defaults.get(DEFAULTS[2][0])
    if mine and theirs:
        # The pair's ratio is the requests' ratio (a running task's polling, as on vCenter)
        # times the ratio of CPU a request.
        print("  vimsim's default / vcsim's: %.2f (target 1) = %.2f in requests x %.2f in CPU "
              "a request" % (mine["power_pair_ms"] / theirs["power_pair_ms"],
                             mine["requests_per_pair"] / theirs["requests_per_pair"],
                             mine["ms_per_request"] / theirs["ms_per_request"]))
    floor = defaults.get(REPLAY)
    if mine and theirs and floor:
        print("  the floor / vcsim's: %.2f; vimsim serve spends %.2f ms a pair above the floor"
              % (floor["power_pair_ms"] / theirs["power_pair_ms"],
                 mine["power_pair_ms"] - floor["power_pair_ms"]))


def measure(kind, sizes, quick, vcsim=None, tls=False):
    report = {}
    for size in sizes:
        target = Target(kind, size, vcsim, tls)
        try:
            si = target.si
            row = {"startup_s": target.startup, "rss_mb": target.startup_rss}
            row["retrieve_service_content_ms"] = per_call(target, si.RetrieveContent,
                                                          2000 if quick else 5000)
            read = retrieve_all(si)
            row["vms_read"] = read()
            row["read_all_ms"] = per_call(target, read, 3 if size > 1000 else 20)
            if size > 1000:
                row["longest_stall_ms"] = stall(target, NAMES_CASE)["worst_ms"]
            if kind == "vimsim":
                row["floor_rsc_ms"], row["floor_read_all_ms"] = floors(target)
            if size == sizes[0]:
                from pyVim.task import WaitForTask
                vm = powered_on_vm(si)

                def power_pair():
                    WaitForTask(vm.PowerOffVM_Task())
                    WaitForTask(vm.PowerOnVM_Task())
                row["power_pair_ms"] = per_call(target, power_pair, 50 if quick else 200)
                if kind == "vimsim":
                    from pyVmomi import vim
                    C = vim.vm.customization
                    spec = C.Specification(identity=C.LinuxPrep(
                        hostName=C.FixedName(name="b"), domain="d"),
                        globalIPSettings=C.GlobalIPSettings())
                    auth = vim.vm.guest.NamePasswordAuthentication(username="root",
                                                                    password="vmware")
                    mgr = si.content.guestCustomizationManager

                    def customize():
                        WaitForTask(mgr.CustomizeGuest_Task(vm=vm, auth=auth, spec=spec))
                    row["customize_ms"] = per_call(target, customize, 50 if quick else 200)
                seconds = 2 if quick else 5
                row["throughput_1_rps"] = throughput(target, 1, seconds)
                row["throughput_8_rps"] = throughput(target, 8, seconds)
                first, last = (10000, 30000) if quick else (10000, 100000)
                finish_tasks(target, vm._moId, first)
                row["rss_after_%dk_tasks_mb" % (first // 1000)] = target.rss()
                finish_tasks(target, vm._moId, last - first)
                row["rss_after_%dk_tasks_mb" % (last // 1000)] = target.rss()
            report[size] = {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}
        finally:
            target.stop()
    return report


# -- stalls: how long one client's small call waits behind another's big request ----------

JSON_RELEASE = "8.0.3.0"
ALL_VMS_OBJECT_SET = ('<objectSet><obj type="ContainerView">%s</obj><skip>true</skip><selectSet '
                      'xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type>'
                      '<path>view</path><skip>false</skip></selectSet></objectSet>')
ALL_PROPERTIES = "<propSet><type>VirtualMachine</type><all>true</all></propSet>"


class JsonClient:
    """VI/JSON over one keep-alive http.client connection."""

    def __init__(self, host, port, protocol):
        self.conn = RawClient(host, port, protocol).conn
        self.headers = {"Content-Type": "application/json"}

    def post(self, mo_type, mo_id, method, body):
        self.conn.request("POST", "/sdk/vim25/%s/%s/%s/%s" % (JSON_RELEASE, mo_type, mo_id,
                                                              method),
                          json.dumps(body).encode(), self.headers)
        response = self.conn.getresponse()
        return response.status, response.read(), response.getheader("vmware-api-session-id")

    def login(self):
        status, _, session = self.post("SessionManager", "SessionManager", "Login",
                                       {"userName": "user", "password": "pass"})
        assert status == 200, status
        self.headers["vmware-api-session-id"] = session
        return self


def _json_all_vms(client, content, view_manager, root_folder):
    status, body, _ = client.post("ViewManager", view_manager, "CreateContainerView", {
        "container": {"_typeName": "ManagedObjectReference", "type": "Folder",
                      "value": root_folder},
        "type": ["VirtualMachine"], "recursive": True})
    assert status == 200, body[:300]
    view = json.loads(body)["value"]
    return [{"_typeName": "PropertyFilterSpec",
             "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine", "all": True}],
             "objectSet": [{"_typeName": "ObjectSpec", "skip": True,
                            "obj": {"_typeName": "ManagedObjectReference",
                                    "type": "ContainerView", "value": view},
                            "selectSet": [{"_typeName": "TraversalSpec", "name": "v",
                                           "type": "ContainerView", "path": "view",
                                           "skip": False}]}]}]


def stall_json_retrieve(address, ids):
    client = JsonClient(*address).login()
    spec = _json_all_vms(client, *ids)
    yield
    status, body, _ = client.post("PropertyCollector", ids[0], "RetrieveProperties",
                                  {"specSet": spec})
    assert status == 200, body[:300]
    return body.count(b'{"_typeName": "ObjectContent"')  # 200 MB: counted, not parsed


def stall_json_retrieve_ex(address, ids):
    client = JsonClient(*address).login()
    spec = _json_all_vms(client, *ids)
    yield
    status, body, _ = client.post("PropertyCollector", ids[0], "RetrievePropertiesEx", {
        "specSet": spec, "options": {"_typeName": "RetrieveOptions", "maxObjects": 2000}})
    n = 0
    while True:  # pages of megabytes: searched, not parsed (the server's time is measured)
        assert status == 200, body[:300]
        n += body.count(b'{"_typeName": "ObjectContent"')
        token = re.match(rb'{"_typeName": "RetrieveResult", "token": "([^"]+)"', body)
        if not token:
            return n
        status, body, _ = client.post("PropertyCollector", ids[0],
                                      "ContinueRetrievePropertiesEx",
                                      {"token": token.group(1).decode()})


def _soap_all_vms(address, ids):
    client = RawClient(*address).login()
    return client, ALL_VMS_OBJECT_SET % raw_view_of(client, *ids)


def stall_soap_retrieve(address, ids, prop_set=ALL_PROPERTIES):
    client, object_set = _soap_all_vms(address, ids)
    yield
    status, body, _ = client.call(
        '<RetrieveProperties xmlns="urn:vim25">%s<specSet>%s%s</specSet></RetrieveProperties>'
        % (PC_THIS % ids[0], prop_set, object_set))
    assert status == 200, body[:300]
    return body.count(b"<returnval>")


def stall_soap_retrieve_names(address, ids):
    return stall_soap_retrieve(address, ids, '<propSet><type>VirtualMachine</type><pathSet>name'
                               '</pathSet><pathSet>runtime.powerState</pathSet></propSet>')


def stall_soap_retrieve_ex(address, ids):
    client, object_set = _soap_all_vms(address, ids)
    yield
    body = ('<RetrievePropertiesEx xmlns="urn:vim25">%s<specSet>%s%s</specSet><options>'
            '<maxObjects>2000</maxObjects></options></RetrievePropertiesEx>'
            % (PC_THIS % ids[0], ALL_PROPERTIES, object_set))
    n = 0
    while body:
        status, answer, _ = client.call(body)
        assert status == 200, answer[:300]
        n += answer.count(b"<objects>")
        token = re.search(rb"<token>([^<]+)</token>", answer)
        body = token and ('<ContinueRetrievePropertiesEx xmlns="urn:vim25">%s<token>%s</token>'
                          '</ContinueRetrievePropertiesEx>' % (PC_THIS % ids[0],
                                                               token.group(1).decode()))
    return n


def stall_first_fill(address, ids):
    client, object_set = _soap_all_vms(address, ids)
    status, answer, _ = client.call(
        '<CreateFilter xmlns="urn:vim25">%s<spec>%s%s</spec><partialUpdates>false'
        '</partialUpdates></CreateFilter>' % (PC_THIS % ids[0], ALL_PROPERTIES, object_set))
    assert status == 200, answer[:300]
    yield
    version, n = "", 0
    while True:
        status, answer, _ = client.call(
            '<WaitForUpdatesEx xmlns="urn:vim25">%s<version>%s</version><options>'
            '<maxWaitSeconds>0</maxWaitSeconds></options></WaitForUpdatesEx>'
            % (PC_THIS % ids[0], version))
        assert status == 200, answer[:300]
        n += answer.count(b"<kind>enter</kind>")
        version = re.search(rb"<version>([^<]+)</version>", answer).group(1).decode()
        if b"<truncated>true</truncated>" not in answer:
            return n


def _vm_moids(address, ids):
    """A SOAP client and the moIds of every VM, as RetrieveProperties lists them."""
    client, object_set = _soap_all_vms(address, ids)
    status, answer, _ = client.call(
        '<RetrieveProperties xmlns="urn:vim25">%s<specSet><propSet><type>VirtualMachine</type>'
        '</propSet>%s</specSet></RetrieveProperties>' % (PC_THIS % ids[0], object_set))
    assert status == 200, answer[:300]
    return client, re.findall(rb'<obj type="VirtualMachine">([^<]+)</obj>', answer)


def stall_create_filter(address, ids):
    client, vms = _vm_moids(address, ids)
    sets = "".join('<objectSet><obj type="VirtualMachine">%s</obj></objectSet>' % vm.decode()
                   for vm in (vms * 2)[:20000])
    request = ('<CreateFilter xmlns="urn:vim25">%s<spec><propSet><type>VirtualMachine</type>'
               '<pathSet>name</pathSet></propSet>%s</spec><partialUpdates>false</partialUpdates>'
               '</CreateFilter>' % (PC_THIS % ids[0], sets))
    yield
    status, answer, _ = client.call(request)
    assert status == 200, answer[:300]
    return 20000


def stall_json_create_filter(address, ids):
    _, vms = _vm_moids(address, ids)
    json_client = JsonClient(*address).login()
    spec = {"_typeName": "PropertyFilterSpec",
            "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine",
                         "pathSet": ["name"]}],
            "objectSet": [{"_typeName": "ObjectSpec", "obj": {
                "_typeName": "ManagedObjectReference", "type": "VirtualMachine",
                "value": vm.decode()}} for vm in (vms * 2)[:20000]]}
    yield
    status, answer, _ = json_client.post("PropertyCollector", ids[0], "CreateFilter",
                                         {"spec": spec, "partialUpdates": False})
    assert status == 200, answer[:300]
    return 20000


def stall_headers(address, ids):
    client = RawClient(*address).login()
    body = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            '"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header>%s</soapenv:Header>'
            '<soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' % ("<h/>" * 500000, RSC))
    yield
    client.conn.request("POST", "/sdk", body.encode(), client.headers)
    response = client.conn.getresponse()
    response.read()
    return response.status


STALL_CASES = [
    ("RetrieveProperties, VI/JSON, every VM, all properties", stall_json_retrieve),
    ("RetrieveProperties, SOAP, every VM, all properties", stall_soap_retrieve),
    ("RetrievePropertiesEx pages of 2,000, VI/JSON, all properties", stall_json_retrieve_ex),
    ("RetrievePropertiesEx pages of 2,000, SOAP, all properties", stall_soap_retrieve_ex),
    ("WaitForUpdatesEx first fill, every VM, all properties", stall_first_fill),
    ("CreateFilter with 20,000 objectSets, SOAP", stall_create_filter),
    ("CreateFilter with 20,000 objectSets, VI/JSON", stall_json_create_filter),
    ("500,000 SOAP header elements", stall_headers),
]
# The main run's longest_stall_ms (issue 9): every VM's name and power state in one answer.
NAMES_CASE = "RetrieveProperties, SOAP, every VM, name and power state"
CASES = dict(STALL_CASES, **{NAMES_CASE: stall_soap_retrieve_names})


def _big_request(args):
    case, address, ids, ready, done, result = args
    steps = CASES[case](address, ids)
    next(steps)  # everything but the big request itself
    ready.set()
    try:
        next(steps)
    except StopIteration as stop:
        result.value = stop.value or 0
    done.set()


def stall(target, case):
    """The longest a second client's RetrieveServiceContent waits while ``case`` runs, and
    how long that took. The big client is another process, so that building its request
    and reading its answer do not hold up the small one's timing."""
    content = target.si.content
    ids = (content.propertyCollector._moId, content.viewManager._moId, content.rootFolder._moId)
    small = RawClient(*target.address)
    small.call(RSC)
    ready, done = multiprocessing.Event(), multiprocessing.Event()
    result = multiprocessing.Value("q", -1)
    big = multiprocessing.Process(target=_big_request, args=(
        (case, target.address, ids, ready, done, result),))
    big.start()
    assert ready.wait(600), case
    began = time.perf_counter()
    waits, held = [], []
    server, me = target.proc.pid, os.getpid()
    while not done.is_set() and big.is_alive():
        queued = queued_seconds(server) + queued_seconds(me)
        start = time.perf_counter()
        small.call(RSC)
        wait = time.perf_counter() - start
        waits.append(wait)
        # less the time the server and this client sat in the run queue (other processes
        # on the machine had the CPUs): what is left is the server busy with other work
        held.append(max(0.0, wait - (queued_seconds(server) + queued_seconds(me) - queued)))
    took = time.perf_counter() - began
    big.join(60)
    assert big.exitcode == 0 and result.value > 0, (case, big.exitcode)
    waits.sort()
    return {"worst_ms": round(waits[-1] * 1000, 1),
            "p99_ms": round(waits[int(len(waits) * 0.99)] * 1000, 1),
            "worst_unqueued_ms": round(max(held) * 1000, 1),
            "big_s": round(took, 2), "calls": len(waits), "result": result.value}


def stalls(vms, clock="virtual"):
    target = Target("vimsim", vms, clock=clock)
    try:
        report = {case: stall(target, case) for case, _ in STALL_CASES}
    finally:
        target.stop()
    print("\nworst wait of a RetrieveServiceContent behind another client's request "
          "(%d VMs, --clock %s; target 20 ms):" % (vms, clock))
    print("(unqueued: each wait less the time the server and the small client waited for a "
          "CPU, which other processes on the machine had)")
    print("%-60s %8s %8s %9s %7s %7s" % ("big request", "worst ms", "p99 ms", "unqueued",
                                         "took s", "answer"))
    for case, row in report.items():
        print("%-60s %8.1f %8.1f %9.1f %7.2f %7d" % (
            case, row["worst_ms"], row["p99_ms"], row["worst_unqueued_ms"], row["big_s"],
            row["result"]))
    print("%-60s %8.1f %8s %9.1f" % ("worst of all", max(r["worst_ms"] for r in report.values()),
                                     "", max(r["worst_unqueued_ms"] for r in report.values())))
    return report


CUSTOMIZE = ('<CustomizeGuest_Task xmlns="urn:vim25"><_this type="VirtualMachineGuestCustomi'
             'zationManager">GuestCustomizationManager</_this><vm type="VirtualMachine">%s</vm>'
             '<auth xsi:type="NamePasswordAuthentication"><interactiveSession>false'
             '</interactiveSession><username>root</username><password>vmware</password></auth>'
             '<spec><identity xsi:type="CustomizationLinuxPrep"><hostName xsi:type="Customizati'
             'onFixedName"><name>bench01</name></hostName><domain>example.com</domain>'
             '</identity><globalIPSettings/></spec></CustomizeGuest_Task>')


LOGIN = ('<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>'
         '<userName>user</userName><password>pass</password></Login>')


def _wsgi_post(wsgi, body, cookie=None):
    """One SOAP call to a WSGI callable in this process: (status, headers)."""
    import io
    body = (ENVELOPE % body).encode()
    env = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "text/xml; charset=utf-8",
           "PATH_INFO": "/", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
           "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
           "CONTENT_LENGTH": str(len(body)), "HTTP_SOAPACTION": '"urn:vim25/8.0.3.0"'}
    if cookie:
        env["HTTP_COOKIE"] = cookie
    answer = {}
    b"".join(wsgi(env, lambda status, headers: answer.update(status=status,
                                                             headers=dict(headers))))
    return answer["status"], answer["headers"]


def _customize_client(port, path, moids, out):
    """(In a process of its own, so that only the server's CPU is counted) CustomizeGuest_Task
    on each VM once, over one connection; the statuses go to ``out``."""
    client = RawClient("127.0.0.1", port, "http")
    client.conn.connect()
    if path != "/sdk":
        original = client.conn.request
        client.conn.request = lambda method, _, *a, **kw: original(method, path, *a, **kw)
    client.login()
    out.put([client.call(CUSTOMIZE % moid)[0] for moid in moids])


def spyne_cpu(calls):
    """Server CPU per CustomizeGuest_Task through vimsim.spyne_services (spyne's
    WsgiApplication on wsgiref, a thread per connection) and through /sdk, in one process
    serving both, each driven by a client process over one connection (its Login counted
    as one more call); and through spyne's WSGI callable alone, called in this process."""
    import resource
    import threading
    import vimsim
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
    from vimsim.spyne_services import Vim25Services

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass
    warm = 20  # calls first made on each path and not counted (tables unpacked, caches)
    sim = vimsim.Simulator(fixture="default", clock="virtual",
                           vms=3 * (calls + warm) + 10).start()
    vim = Vim25Services(sim)
    httpd = make_server("127.0.0.1", 0, vim.wsgi(vim.application()), server_class=Server,
                        handler_class=Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    moids = sorted((vm.moid for vm in sim.vc.objects.values()
                    if vm.vim_type == "VirtualMachine" and vm.tools_running),
                   key=lambda m: int(m.split("-")[1]))
    # getrusage, not /proc/PID/task: wsgiref's thread per connection is gone by the time
    # /proc would be read, and so would be its CPU
    def process_cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    spawn = multiprocessing.get_context("spawn")  # no fork of a process running threads
    report = {}
    paths = (("sdk", sim.port, "/sdk"), ("spyne", httpd.server_port, "/"))
    rounds = [(path, warm, False) for path in paths] + [(path, calls, True) for path in paths]
    for (name, port, path), count, counted in rounds:
        chosen, moids = moids[:count], moids[count:]
        out = spawn.Queue()
        before = process_cpu()
        client = spawn.Process(target=_customize_client, args=(port, path, chosen, out))
        client.start()
        statuses = out.get()
        client.join()
        used = process_cpu() - before
        assert statuses == [200] * len(chosen), sorted(set(statuses))
        if counted:
            report[name + "_customize_cpu_ms"] = round(used / (count + 1) * 1000, 3)
    # spyne's path alone: the WSGI callable called here, no HTTP server and no socket
    wsgi = vim.wsgi(vim.application())
    cookie = _wsgi_post(wsgi, LOGIN)[1]["Set-Cookie"].split(";")[0]
    for counted, count in ((False, warm), (True, calls)):
        chosen, moids = moids[:count], moids[count:]
        before = process_cpu()
        statuses = [_wsgi_post(wsgi, CUSTOMIZE % moid, cookie)[0] for moid in chosen]
        used = process_cpu() - before
        assert statuses == ["200 OK"] * count, sorted(set(statuses))
        if counted:
            report["spyne_wsgi_in_process_cpu_ms"] = round(used / count * 1000, 3)
    httpd.shutdown()
    sim.stop()
    report["spyne_over_sdk"] = round(report["spyne_customize_cpu_ms"]
                                     / report["sdk_customize_cpu_ms"], 2)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes 4 and 2,000, fewer "
                        "iterations (about a minute)")
    parser.add_argument("--vcsim", default=shutil.which("vcsim"), help="vcsim binary")
    parser.add_argument("--json", metavar="FILE", help="also write the report to FILE")
    parser.add_argument("--tls", action="store_true", help="both servers over HTTPS")
    parser.add_argument("--defaults", action="store_true", help="only the power pair of "
                        "each server with its defaults, side by side (a few minutes)")
    parser.add_argument("--stalls", action="store_true", help="only the stall table: the "
                        "longest a small call waits behind each big request (10,000 VMs)")
    parser.add_argument("--spyne", action="store_true", help="only server CPU per "
                        "CustomizeGuest_Task through vimsim.spyne_services and through /sdk, "
                        "in one process serving both (needs Python < 3.12)")
    parser.add_argument("--serve-replay", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_replay:  # the replay target's process (see serve_replay)
        serve_replay(args.serve_replay)
        return
    if args.spyne:
        report = {"spyne": spyne_cpu(100 if args.quick else 400)}
        print(json.dumps(report, indent=2))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=2)
        return
    if args.defaults or args.stalls:
        if args.defaults:
            report = {"defaults": default_configurations(args.vcsim, args.quick)}
            print(json.dumps(report, indent=2))
            print_defaults(report["defaults"])
        else:
            report = stalls(10000)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=2)
        return
    sizes = [4, 2000] if args.quick else [4, 2000, 10000]
    report = {"vimsim": measure("vimsim", sizes, args.quick, tls=args.tls)}
    if args.vcsim:
        report["vcsim"] = measure("vcsim", sizes, args.quick, args.vcsim, args.tls)
    report["defaults"] = default_configurations(args.vcsim, args.quick)
    print(json.dumps(report, indent=2))
    print("\n%-34s %12s %12s %8s" % ("metric (VMs)", "vimsim", "vcsim", "ratio"))
    for size, row in report["vimsim"].items():
        for key, value in row.items():
            other = report.get("vcsim", {}).get(size, {}).get(key)
            ratio = "%.2f" % (value / other) if other else ""
            print("%-34s %12s %12s %8s" % ("%s (%s)" % (key, size), value,
                                           other if other is not None else "", ratio))
    print("\nissue 9 targets:")
    small = report["vimsim"][sizes[0]]
    print("  RetrieveServiceContent / lxml floor: %.1fx (target 3x)"
          % (small["retrieve_service_content_ms"] / small["floor_rsc_ms"]))
    for size in sizes[1:]:
        row = report["vimsim"][size]
        print("  read of %d VMs / lxml floor: %.1fx (target 3x); longest stall %.0f ms "
              "(target 50)" % (size, row["read_all_ms"] / row["floor_read_all_ms"],
                               row["longest_stall_ms"]))
    if "vcsim" in report:
        theirs = report["vcsim"]
        pair = theirs[sizes[0]]["power_pair_ms"]
        print("  power pair / vcsim's: %.2f (target 0.5)" % (small["power_pair_ms"] / pair))
        print("  CustomizeGuest_Task / vcsim's power pair: %.2f (target 0.5)"
              % (small["customize_ms"] / pair))
        big = sizes[-1]
        print("  read of %d VMs / vcsim's: %.2f (target 0.5)"
              % (big, report["vimsim"][big]["read_all_ms"] / theirs[big]["read_all_ms"]))
    print_defaults(report["defaults"])
    tasks = [k for k in small if k.startswith("rss_after_")]
    print("  RSS %s -> %s: %+.1f%% (target within 10%%)" % (
        tasks[0], tasks[1], (small[tasks[1]] / small[tasks[0]] - 1) * 100))
    print("  %d VMs: %.1f MB RSS (target 80), ready in %.2f s (target 2)"
          % (sizes[-1], report["vimsim"][sizes[-1]]["rss_mb"],
             report["vimsim"][sizes[-1]]["startup_s"]))
    if not args.quick:
        report["stalls"] = stalls(10000)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
