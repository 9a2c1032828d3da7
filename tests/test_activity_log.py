"""`vimsim serve -v`: a line per request on every surface, and the task and guest lifecycle,
as text or (``--log-format json``) one JSON object a line; quiet without -v."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

import requests
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

from tests.conftest import find_vm

ROOT = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
NO_CA = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}


class Served:
    """`vimsim serve --http --clock virtual ARGS` with its stderr in a file, read after a stop."""

    def __init__(self, *args):
        self.log_path = os.path.join(tempfile.mkdtemp(prefix="vimsim-log-"), "stderr.log")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "vimsim", "serve", "--port", "0", "--http",
                 "--clock", "virtual", *args], stdout=subprocess.PIPE, stderr=log, text=True,
                env=dict(NO_CA, PYTHONUNBUFFERED="1"))
        line = self.proc.stdout.readline().strip()
        assert line.startswith("VIMSIM_URL="), self.log()
        self.port = int(re.search(r":(\d+)/sdk$", line).group(1))
        self.base = "http://127.0.0.1:%d" % self.port
        self.http = requests.Session()
        self.http.trust_env = False

    def advance(self, seconds):
        answer = self.http.post(self.base + "/vimsim/v1/clock/advance", auth=("user", "pass"),
                                json={"seconds": seconds})
        assert answer.status_code == 200, answer.text

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=20) == 0
        return self.log()

    def log(self):
        with open(self.log_path) as f:
            return f.read()


def customization_session(served):
    """Instant clone, customize, abort while RUNNING, start the network, a fault and a rule."""
    si = SmartConnect(host="127.0.0.1", port=served.port, user="user", pwd="pass",
                      protocol="http")
    try:
        src = find_vm(si, "DC0_H0_VM0")
        clone_task = src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(
            name="ic-log", location=vim.vm.RelocateSpec()))
        served.advance(1)
        assert clone_task.info.state == "success"
        clone = clone_task.info.result
        mgr = si.content.guestCustomizationManager
        C = vim.vm.customization
        customize = mgr.CustomizeGuest_Task(vm=clone, auth=ROOT, spec=C.Specification(
            identity=C.LinuxPrep(hostName=C.FixedName(name="ic-web"), domain="example.com"),
            globalIPSettings=C.GlobalIPSettings()))
        served.advance(2)  # the task hands it over (PENDING), then the guest runs it (RUNNING)
        abort = mgr.AbortCustomization_Task(vm=clone, auth=ROOT)
        served.advance(0.5)
        assert abort.info.state == "success"
        assert clone.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
        network = mgr.StartGuestNetwork_Task(vm=clone, auth=ROOT)
        served.advance(1)
        assert network.info.state == "success"
        mgr.CustomizeGuest_Task(vm=clone, auth=ROOT, spec=C.Specification(
            identity=C.LinuxPrep(hostName=C.FixedName(name="ic-web"), domain="example.com"),
            globalIPSettings=C.GlobalIPSettings()))
        served.advance(5)
        assert clone.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
        cycled = find_vm(si, "DC0_C0_RP0_VM1")
        cycled.PowerOffVM_Task()
        served.advance(1)
        cycled.PowerOnVM_Task()
        served.advance(4)  # the power-on's task, then VMware Tools start in the guest
        assert cycled.guest.toolsRunningStatus == "guestToolsRunning"
        power_on = src.PowerOnVM_Task()  # on a powered-on VM: the task fails
        served.advance(1)
        assert isinstance(power_on.info.error, vim.fault.InvalidPowerState)
        try:  # Tools not running: the call fails
            mgr.CustomizeGuest_Task(vm=find_vm(si, "DC0_C0_RP0_NoTools"), auth=ROOT,
                                    spec=C.Specification(identity=C.LinuxPrep(
                                        hostName=C.FixedName(name="x"), domain="example.com"),
                                        globalIPSettings=C.GlobalIPSettings()))
            raise AssertionError("a VM without Tools was customized")
        except vim.fault.InvalidState:
            pass
        rule = served.http.post(served.base + "/vimsim/v1/rules", auth=("user", "pass"), json={
            "operation": "PowerOffVM_Task", "target": "DC0_H0_VM1", "action": "fault",
            "fault": "SystemError", "fields": {"reason": "a communication error"}}).json()
        try:
            find_vm(si, "DC0_H0_VM1").PowerOffVM_Task()
            raise AssertionError("the rule did not fire")
        except vmodl.fault.SystemError:
            pass
        return {"clone": clone._moId, "src": src._moId, "customize": customize._moId,
                "abort": abort._moId, "network": network._moId, "rule": rule["id"],
                "power_on": power_on._moId, "cycled": cycled._moId}
    finally:
        Disconnect(si)


def test_verbose_logs_requests_and_the_customization_lifecycle():
    served = Served("-v")
    try:
        ids = customization_session(served)
    finally:
        log = served.stop()
    clone, src = "VirtualMachine:%s" % ids["clone"], "VirtualMachine:%s" % ids["src"]
    lines = log.splitlines()

    def one(pattern):
        found = [line for line in lines if re.search(pattern, line)]
        assert found, "no line matching %r in:\n%s" % (pattern, log)
        return found[0]

    # requests: surface, method, target, user, status or fault, duration
    one(r"vimsim\.request INFO soap Login target=SessionManager:SessionManager user=user "
        r"status=200 [\d.]+ ms$")
    one(r"INFO soap InstantClone_Task target=%s user=user status=200 [\d.]+ ms$" % src)
    one(r"INFO soap PowerOnVM_Task target=%s user=user status=200 [\d.]+ ms$" % src)
    one(r"vimsim\.task INFO task %s PowerOnVM_Task %s error fault=InvalidPowerState$"
        % (ids["power_on"], src))
    one(r"INFO soap CustomizeGuest_Task target=VirtualMachineGuestCustomizationManager:"
        r"GuestCustomizationManager user=user status=500 fault=InvalidState [\d.]+ ms$")
    one(r"INFO soap PowerOffVM_Task target=VirtualMachine:\S+ user=user status=500 "
        r"fault=SystemError")
    one(r"INFO control POST /vimsim/v1/clock/advance user=user status=200 [\d.]+ ms$")
    # tasks, queued to their end
    for task, method in ((ids["customize"], "CustomizeGuest_Task"),
                         (ids["abort"], "AbortCustomization_Task"),
                         (ids["network"], "StartGuestNetwork_Task")):
        for state in ("queued", "running", "success"):
            one(r"vimsim\.task INFO task %s %s %s %s$" % (task, method, clone, state))
    one(r"vimsim\.task INFO task \S+ InstantClone_Task %s success$" % src)
    # the customization's states in the guest, the abort, Tools and the guest network
    one(r"vimsim\.guest INFO customization %s ic-log PENDING$" % clone)
    one(r"vimsim\.guest INFO customization %s ic-log RUNNING$" % clone)
    one(r"vimsim\.guest INFO customization %s ic-log FAILED: The guest customization was "
        r"aborted\.$" % clone)
    one(r"vimsim\.guest INFO customization %s ic-log SUCCEEDED$" % clone)
    one(r"vimsim\.guest INFO guest network %s ic-log up " % clone)
    cycled = "VirtualMachine:%s DC0_C0_RP0_VM1" % ids["cycled"]
    assert lines.index(one("tools %s notRunning$" % cycled)) < \
        lines.index(one("tools %s running$" % cycled))
    one(r"vimsim\.rules INFO rule %s fired on PowerOffVM_Task: fault SystemError \(hit 1\)$"
        % ids["rule"])
    order = [lines.index(one(p)) for p in (
        "customization %s ic-log PENDING" % clone, "customization %s ic-log RUNNING" % clone,
        "customization %s ic-log FAILED" % clone)]
    assert order == sorted(order)
    assert "Traceback" not in log


def test_json_format_gives_the_same_fields_one_object_a_line():
    served = Served("-v", "--log-format", "json")
    try:
        ids = customization_session(served)
        session = served.http.post(served.base + "/api/session", auth=("user", "pass")).json()
        served.http.get(served.base + "/api/vcenter/vm/vm-nosuch",
                        headers={"vmware-api-session-id": session})
        served.http.post(served.base + "/sdk/vim25/8.0.1.0/SessionManager/SessionManager/Login",
                         json={"userName": "user", "password": "pass"})
        served.http.post(served.base + "/api", json={
            "jsonrpc": "2.0", "method": "invoke", "id": 1, "params": {
                "serviceId": "com.vmware.cis.session", "operationId": "create", "input": {},
                "ctx": {"securityCtx": {"schemeId": "com.vmware.vapi.std.security.user_pass",
                                        "userName": "user", "password": "pass"}}}})
        served.http.get(served.base + "/rest/vcenter/vm")
        served.http.get(served.base + "/zstack/v1/hosts")
        served.http.get(served.base + "/guestFile?id=1&token=nosuch")
        served.http.get(served.base + "/")
    finally:
        log = served.stop()
    records = [json.loads(line) for line in log.splitlines()]  # every line is one object
    requests_ = [r for r in records if r["logger"] == "vimsim.request"]
    assert {r["surface"] for r in requests_} >= {
        "soap", "vijson", "api", "rest", "jsonrpc", "zstack", "control", "guestfile",
        "dashboard"}
    for r in requests_:
        assert set(r) >= {"time", "level", "surface", "method", "target", "user", "status",
                          "fault", "ms"} and r["level"] == "INFO" and r["ms"] >= 0
    clone = "VirtualMachine:%s" % ids["clone"]
    refused = next(r for r in requests_ if r["method"] == "CustomizeGuest_Task"
                   and r["fault"])
    assert (refused["surface"], refused["target"], refused["user"], refused["status"],
            refused["fault"]) == ("soap", "VirtualMachineGuestCustomizationManager:"
                                  "GuestCustomizationManager", "user", 500, "InvalidState")
    failed = next(r for r in records if r.get("task") == ids["power_on"]
                  and r["state"] == "error")
    assert (failed["method"], failed["fault"], failed["user"]) == (
        "PowerOnVM_Task", "InvalidPowerState", "user")
    missing = next(r for r in requests_ if r["method"] == "GET /api/vcenter/vm/vm-nosuch")
    assert (missing["surface"], missing["target"], missing["user"], missing["status"],
            missing["fault"]) == ("api", "vm-nosuch", "user", 404, "NOT_FOUND")
    rpc = next(r for r in requests_ if r["surface"] == "jsonrpc")
    assert (rpc["method"], rpc["user"], rpc["status"]) == (
        "com.vmware.cis.session.create", "user", 200)
    vijson = next(r for r in requests_ if r["surface"] == "vijson")
    assert (vijson["method"], vijson["target"], vijson["user"]) == (
        "Login", "SessionManager:SessionManager", "user")
    assert next(r for r in requests_ if r["surface"] == "rest")["status"] == 401
    assert next(r for r in requests_ if r["surface"] == "guestfile")["status"] == 404
    states = [(r["task"], r["state"]) for r in records if r.get("event") == "task"
              and r["method"] == "AbortCustomization_Task"]
    assert states == [(ids["abort"], "queued"), (ids["abort"], "running"),
                      (ids["abort"], "success")]
    guest = [r["state"] for r in records if r.get("event") == "customization"
             and r["target"] == clone]
    assert guest == ["PENDING", "RUNNING", "FAILED", "PENDING", "RUNNING", "SUCCEEDED"]
    assert any(r.get("event") == "guest_network" and r["target"] == clone for r in records)
    fired = [r for r in records if r.get("event") == "rule"]
    assert [(r["rule"], r["operation"], r["action"], r["fault"]) for r in fired] == [
        (ids["rule"], "PowerOffVM_Task", "fault", "SystemError")]


def test_without_verbose_the_server_is_quiet():
    served = Served()
    try:
        customization_session(served)
    finally:
        log = served.stop()
    assert log == ""
