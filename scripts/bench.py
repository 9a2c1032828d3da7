"""vimsim's benchmark: server CPU from /proc of the server process, as issue 9 defines it.

Starts `vimsim serve --http --clock auto --vms N` for each size, drives it with pyVmomi over a
real socket, and prints a JSON report and a short table. With a vcsim binary (on PATH or
--vcsim PATH) the same workloads run against it and the ratios are printed.
"""
import argparse
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid):
    with open("/proc/%d/statm" % pid) as f:
        return int(f.read().split()[1]) * PAGE / 2 ** 20


class Target:
    """A server process to measure: vimsim or vcsim."""

    def __init__(self, kind, vms, vcsim=None):
        self.kind = kind
        started = time.perf_counter()
        if kind == "vimsim":
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "vimsim", "serve", "--http", "--port", "0", "--clock",
                 "auto", "--vms", str(vms)], stdout=subprocess.PIPE, text=True)
            url = self.proc.stdout.readline().strip().split("@", 1)[1]
            self.host, port = url.split("/")[0].rsplit(":", 1)
            self.port, self.protocol = int(port), "http"
        else:
            port = 18000 + os.getpid() % 1000
            # vcsim's -vm counts per standalone host and per cluster pool: two of them here
            per = max(1, vms // 2)
            self.proc = subprocess.Popen([vcsim, "-l", "127.0.0.1:%d" % port, "-vm", str(per)],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         text=True)
            self.host, self.port, self.protocol = "127.0.0.1", port, "https"
            self._wait_listening()
        self.startup = time.perf_counter() - started
        self.connect()
        self.startup_rss = rss_mb(self.proc.pid)

    def _wait_listening(self):
        import socket
        for _ in range(600):
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

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def per_call(target, fn, n):
    fn()
    before = target.cpu()
    for _ in range(n):
        fn()
    return (target.cpu() - before) / n * 1000


def retrieve_all(si):
    from pyVmomi import vim, vmodl
    PC = vmodl.query.PropertyCollector
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
            PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name",
                                                                   "runtime.powerState"])])
    pc = content.propertyCollector

    def run():
        result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=1000))
        n = len(result.objects)
        while result.token:
            result = pc.ContinueRetrievePropertiesEx(result.token)
            n += len(result.objects)
        return n
    return run


def first_vm(si):
    from pyVmomi import vim
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    return next(v for v in view.view if v.runtime.powerState == "poweredOn")


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
        counts = pool.map(_throughput_worker, [(target.host, target.port, target.protocol,
                                                seconds)] * clients)
    return sum(counts) / seconds


def floor_ms(n=2000):
    """lxml parsing a RetrieveServiceContent request and building the response in-process."""
    from lxml import etree
    request = (b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
               b'"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
               b'<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">'
               b'ServiceInstance</_this></RetrieveServiceContent></soapenv:Body>'
               b'</soapenv:Envelope>')
    started = time.process_time()
    for _ in range(n):
        etree.fromstring(request)
        env = etree.Element("{http://schemas.xmlsoap.org/soap/envelope/}Envelope")
        body = etree.SubElement(env, "{http://schemas.xmlsoap.org/soap/envelope/}Body")
        resp = etree.SubElement(body, "{urn:vim25}RetrieveServiceContentResponse")
        rv = etree.SubElement(resp, "{urn:vim25}returnval")
        for name in ("rootFolder", "propertyCollector", "viewManager", "sessionManager",
                     "taskManager", "eventManager", "authorizationManager"):
            e = etree.SubElement(rv, "{urn:vim25}" + name, type=name)
            e.text = name
        about = etree.SubElement(rv, "{urn:vim25}about")
        for name in ("name", "fullName", "vendor", "version", "build", "osType",
                     "productLineId", "apiType", "apiVersion", "instanceUuid"):
            etree.SubElement(about, "{urn:vim25}" + name).text = "x" * 12
        etree.tostring(env)
    return (time.process_time() - started) / n * 1000


def measure(kind, sizes, quick, vcsim=None):
    report = {}
    iterations = 50 if quick else 300
    for size in sizes:
        target = Target(kind, size, vcsim)
        try:
            si = target.si
            row = {"startup_s": round(target.startup, 3), "rss_mb": round(target.startup_rss, 1)}
            row["retrieve_service_content_ms"] = per_call(target, si.RetrieveContent, iterations)
            read = retrieve_all(si)
            row["vms_read"] = read()
            row["read_all_ms"] = per_call(target, read, 3 if size > 1000 else 20)
            if size == sizes[0]:
                from pyVim.task import WaitForTask
                vm = first_vm(si)

                def power_pair():
                    WaitForTask(vm.PowerOffVM_Task())
                    WaitForTask(vm.PowerOnVM_Task())
                row["power_pair_ms"] = per_call(target, power_pair, 10 if quick else 50)
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
                        WaitForTask(mgr.AbortCustomization_Task(vm=vm, auth=auth))
                    row["customize_workflow_ms"] = per_call(target, customize,
                                                            10 if quick else 50)
                seconds = 2 if quick else 5
                row["throughput_1_rps"] = throughput(target, 1, seconds)
                row["throughput_8_rps"] = throughput(target, 8, seconds)
                row["rss_after_tasks_mb"] = round(rss_mb(target.proc.pid), 1)
            report[size] = {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}
        finally:
            target.stop()
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="sizes 4 and 2,000, fewer "
                        "iterations (under a minute)")
    parser.add_argument("--vcsim", default=shutil.which("vcsim"), help="vcsim binary")
    parser.add_argument("--json", metavar="FILE", help="also write the report to FILE")
    args = parser.parse_args()
    sizes = [4, 2000] if args.quick else [4, 2000, 10000]
    report = {"floor_lxml_ms": round(floor_ms(), 4),
              "vimsim": measure("vimsim", sizes, args.quick)}
    if args.vcsim:
        report["vcsim"] = measure("vcsim", sizes, args.quick, args.vcsim)
    print(json.dumps(report, indent=2))
    print("\n%-28s %12s %12s %8s" % ("metric (size)", "vimsim", "vcsim", "ratio"))
    for size, row in report["vimsim"].items():
        for key, value in row.items():
            other = report.get("vcsim", {}).get(size, {}).get(key)
            ratio = "%.2f" % (value / other) if other else ""
            print("%-28s %12s %12s %8s" % ("%s (%s)" % (key, size), value,
                                           other if other is not None else "", ratio))
    print("%-28s %12s" % ("lxml floor per request (ms)", report["floor_lxml_ms"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
