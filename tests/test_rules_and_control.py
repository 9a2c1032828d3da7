"""Fault rules, the control API and virtual time, each set through the user's own door and
observed through pyVmomi, REST and ZStack."""
import hashlib
import os
import subprocess
import sys
import textwrap

import pytest
import requests
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from conftest import customize, find_vm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Control:
    def __init__(self, emulator, auth=("user", "pass")):
        self.base = emulator.base + "/vimsim/v1"
        self.auth = auth

    def __call__(self, method, path, body=None):
        return requests.request(method, self.base + path, json=body, auth=self.auth, timeout=10)

    def rule(self, **rule):
        r = self("POST", "/rules", rule)
        assert r.status_code == 201, r.text
        return r.json()


def test_control_api_needs_an_administrator(emulator):
    assert requests.get(emulator.base + "/vimsim/v1/state", timeout=10).status_code == 401
    assert Control(emulator, ("user", "bad"))("GET", "/state").status_code == 401
    assert Control(emulator, ("readonly", "readonly"))("GET", "/state").status_code == 403
    state = Control(emulator)("GET", "/state").json()
    assert {v["name"] for v in state["vms"]} >= {"DC0_H0_VM0", "DC0_C0_RP0_NoTools"}
    assert state["clock"]["mode"] == "virtual"


def test_fault_rule_on_a_vm_reaches_pyvmomi_and_counts(emulator, si):
    control = Control(emulator)
    rule = control.rule(operation="CustomizeGuest_Task", target="DC0_H0_VM1", action="fault",
                        fault="SystemError", fields={"reason": "a communication error"},
                        message="A general system error occurred: a communication error")
    with pytest.raises(vmodl.fault.SystemError) as err:
        customize(si, find_vm(si, "DC0_H0_VM1"))
    assert err.value.reason == "a communication error"
    assert isinstance(err.value, vmodl.RuntimeFault)
    assert customize(si, find_vm(si, "DC0_H0_VM0")).info.state == "running"  # other VMs: fine
    assert control("GET", "/rules/" + rule["id"]).json()["hits"] == 1
    assert control("DELETE", "/rules/" + rule["id"]).status_code == 204
    assert customize(si, find_vm(si, "DC0_H0_VM1")).info.state == "running"
    assert control("GET", "/rules").json() == {"rules": []}


MATRIX = [
    ("InvalidPowerState", {"requestedState": "poweredOn", "existingState": "poweredOff"},
     vim.fault.InvalidPowerState),
    ("InvalidState", {}, vim.fault.InvalidState),
    ("TaskInProgress", {"task": {"type": "Task", "value": "task-1"}}, vim.fault.TaskInProgress),
    ("InvalidGuestLogin", {}, vim.fault.InvalidGuestLogin),
    ("GuestPermissionDenied", {}, vim.fault.GuestPermissionDenied),
    ("CustomizationFault", {}, vim.fault.CustomizationFault),
    ("NicSettingMismatch", {"numberOfNicsInSpec": 2, "numberOfNicsInVM": 1},
     vim.fault.NicSettingMismatch),
    ("UncustomizableGuest", {"uncustomizableGuestOS": "other"}, vim.fault.UncustomizableGuest),
    ("NoPermission", {"object": {"type": "VirtualMachine", "value": "vm-21"},
                      "privilegeId": "VirtualMachine.Provisioning.Customize"},
     vim.fault.NoPermission),
    ("ManagedObjectNotFound", {"obj": {"type": "VirtualMachine", "value": "vm-21"}},
     vmodl.fault.ManagedObjectNotFound),
    ("InvalidArgument", {"invalidProperty": "vm"}, vmodl.fault.InvalidArgument),
    ("RuntimeFault", {}, vmodl.RuntimeFault),
]


@pytest.mark.parametrize("fault, fields, cls", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_fault_of_the_matrix_is_reachable_by_a_rule(emulator, si, fault, fields, cls):
    Control(emulator).rule(operation="CustomizeGuest_Task", target="VirtualMachine",
                           action="fault", fault=fault, fields=fields,
                           message="injected %s" % fault)
    with pytest.raises(cls) as err:
        customize(si, find_vm(si, "DC0_C0_RP0_VM1"))
    assert err.value.msg == "injected %s" % fault
    for name, value in fields.items():
        got = getattr(err.value, name)
        assert (got._moId if isinstance(value, dict) else got) == \
            (value["value"] if isinstance(value, dict) else value)


def test_task_fault_and_task_delay(emulator, si):
    control = Control(emulator)
    control.rule(operation="PowerOffVM_Task", first=1, action="task_fault",
                 fault="InvalidState", message="Host busy")
    control.rule(operation="PowerOnVM_Task", action="task_delay", seconds=10)
    vm = find_vm(si, "DC0_H0_VM0")
    task = vm.PowerOffVM_Task()
    emulator.advance(1)
    assert task.info.state == "error" and task.info.error.msg == "Host busy"
    assert vm.runtime.powerState == "poweredOn"  # the rule failed the task, not the VM
    vm.PowerOffVM_Task()  # "first": only the first call was hit
    emulator.advance(1)
    assert vm.runtime.powerState == "poweredOff"
    task = vm.PowerOnVM_Task()
    emulator.advance(10)
    assert task.info.state == "running"
    emulator.advance(0.3)
    assert task.info.state == "success"


def test_guest_fail_and_hang(emulator, si):
    control = Control(emulator)
    control.rule(operation="CustomizeGuest_Task", target="DC0_H0_VM0", action="guest_fail",
                 seconds=4, message="Unable to join the domain")
    control.rule(operation="CustomizeGuest_Task", target="DC0_H0_VM1", action="guest_hang")
    failing, hanging = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")
    customize(si, failing)
    customize(si, hanging)
    emulator.advance(2 + 4)
    info = failing.guest.customizationInfo
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert info.errorMsg == "Unable to join the domain"
    emulator.advance(600)
    assert hanging.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"


def test_delayed_answer_waits_for_the_clock(emulator, si):
    import threading
    Control(emulator).rule(operation="PowerOffVM_Task", action="delay", seconds=5)
    vm = find_vm(si, "DC0_H0_VM0")
    got = {}
    caller = threading.Thread(target=lambda: got.update(task=vm.PowerOffVM_Task()))
    caller.start()
    caller.join(0.3)
    assert caller.is_alive()  # the answer waits for 5 clock seconds
    emulator.advance(5)
    caller.join(10)
    assert isinstance(got["task"], vim.Task)


def test_schedules_nth_probability_and_after(emulator, si):
    control = Control(emulator)
    control.rule(operation="ResetVM_Task", nth=2, action="fault", fault="InvalidState")
    vm = find_vm(si, "DC0_H0_VM0")
    vm.ResetVM_Task()
    emulator.advance(5)
    with pytest.raises(vim.fault.InvalidState):
        vm.ResetVM_Task()
    vm.ResetVM_Task()
    emulator.advance(5)
    control("DELETE", "/rules")
    control.rule(operation="CurrentTime", probability=0.5, seed=7, action="fault",
                 fault="SystemError", fields={"reason": "coin"})
    outcomes = []
    for _ in range(20):
        try:
            si.CurrentTime()
            outcomes.append(0)
        except vmodl.fault.SystemError:
            outcomes.append(1)
    import random
    rng = random.Random(7)
    assert outcomes == [1 if rng.random() < 0.5 else 0 for _ in range(20)]  # seeded
    control("DELETE", "/rules")
    control.rule(operation="CurrentTime", after=100, action="fault", fault="SystemError")
    si.CurrentTime()
    emulator.advance(100)
    with pytest.raises(vmodl.fault.SystemError):
        si.CurrentTime()


def test_rules_reach_rest_and_zstack(emulator):
    control = Control(emulator)
    control.rule(operation="com.vmware.vcenter.vm.guest.customization.get", first=1,
                 action="http_error", error_type="SERVICE_UNAVAILABLE")
    control.rule(operation="GetVirtualizerInfo", action="http_error", status=503,
                 error_type="SYS.1006", message="host agent unreachable")
    token = requests.post(emulator.base + "/api/session", auth=("user", "pass"), timeout=10).json()
    url = emulator.base + "/api/vcenter/vm/vm-21/guest/customization"
    first = requests.get(url, headers={"vmware-api-session-id": token}, timeout=10)
    assert first.status_code == 503 and first.json()["error_type"] == "SERVICE_UNAVAILABLE"
    assert requests.get(url, headers={"vmware-api-session-id": token}, timeout=10).json() == \
        {"status": "IDLE"}
    login = requests.put(emulator.base + "/zstack/v1/accounts/login", json={"logInByAccount": {
        "accountName": "admin", "password": hashlib.sha512(b"password").hexdigest()}},
        timeout=10).json()
    r = requests.get(emulator.base + "/zstack/v1/vm-instances/virtualizer-info",
                     params={"uuids": "x"}, timeout=10,
                     headers={"Authorization": "OAuth " + login["inventory"]["uuid"]})
    assert r.status_code == 503 and r.json()["error"]["code"] == "SYS.1006"


def test_bad_rules_are_refused(emulator):
    control = Control(emulator)
    for rule in ({"action": "explode"}, {"action": "fault"},
                 {"action": "fault", "fault": "NoSuchFault"}, {"colour": "red"},
                 {"action": "fault", "fault": "SystemError", "probability": 3}):
        r = control("POST", "/rules", rule)
        assert r.status_code == 400 and r.json()["error"], rule


def test_rules_are_checked_against_the_rule_schema(emulator, si):
    """Each of these was accepted (201) and then broke every Login, a REST answer or the
    state file; each is now refused with where it is wrong, and nothing is stored."""
    control = Control(emulator)
    for rule, said in (
            ({"action": "delay", "after": "10s"}, "rule.after: '10s' is not of type 'number'"),
            ({"action": "delay", "seconds": -5}, "rule.seconds"),
            ({"action": "delay", "seconds": 1e12}, "rule.seconds"),
            ({"fault": "SystemError", "nth": 0}, "rule.nth"),
            ({"fault": "SystemError", "message": "bell\x07"}, "XML 1.0 cannot carry"),
            ({"fault": "SystemError", "operation": "NoSuchMethod_Task"}, "rule.operation"),
            ({"fault": "SystemError", "fields": {"reason": ["a", "list"]}},
             "rule.fields.reason"),
            ({"fault": "SystemError", "fields": {"colour": "red"}}, "has no field colour"),
            # a fault field's text went into the SOAP fault as it was: not well-formed XML
            ({"fault": "SystemError", "fields": {"reason": "bell\x07"}},
             "rule.fields.reason holds U+0007, a character XML 1.0 cannot carry"),
            ({"fault": "InvalidPowerState", "fields": {"existingState": 3}},
             "rule.fields.existingState"),
            ({"action": "http_error"}, "needs error_type (REST) or status (ZStack)"),
            ({"action": "http_error", "operation": "com.vmware.vcenter.VM.list",
              "error_type": "TEAPOT"}, "rule.error_type: TEAPOT is not one of"),
            ({"action": "http_error", "status": 200}, "rule.status"),
            # a moRef of a type no client knows broke pyVmomi's decoding of the fault
            ({"fault": "ManagedObjectNotFound", "fields": {"obj": {"type": "NoSuchType",
                                                                   "value": "x"}}},
             "rule.fields.obj"),
            ({"fault": "InvalidPowerState", "fields": {"existingState": "sideways"}},
             "rule.fields.existingState"),
            ({"fault": "NotEnoughLicenses", "fields": {"faultMessage": [1]}},
             "rule.fields.faultMessage"),
            ({"fault": "SystemError", "operation": 5},
             "rule.operation: 5 is not of type 'string'"),
            ({"fault": "SystemError", "message": "x" * 100000}, "rule.message: 'xxx")):
        r = control("POST", "/rules", rule)
        assert r.status_code == 400 and said in r.json()["error"], (rule, r.text)
    deep = "[" * 10000 + "]" * 10000
    for body in ("[1, 2]", '{"fault": "SystemError", "seconds": NaN}', deep):
        r = requests.post(control.base + "/rules", data=body, auth=control.auth, timeout=10)
        assert r.status_code == 400 and "not valid JSON" in r.text or body == "[1, 2]", \
            (body[:40], r.text)
    assert control("GET", "/rules").json()["rules"] == []
    assert find_vm(si, "DC0_H0_VM0").name == "DC0_H0_VM0"  # calls still answered
    # what the schema allows is stored, for every surface's operations
    for operation in ("PowerOnVM_Task", "com.vmware.vcenter.VM.list", "QueryVmInstance"):
        assert control.rule(operation=operation, action="delay", seconds=0)["id"]


def test_control_refuses_vm_changes_that_would_poison_the_state(emulator, si):
    control = Control(emulator)
    vm = find_vm(si, "DC0_H0_VM0")
    before = control("GET", "/vms/DC0_H0_VM0").json()
    for change in ({"ip_address": {"a": 1}}, {"ip_address": 7}, {"ip_address": "10.0.0.300"},
                   {"host_name": "web\x01"}, {"host_name": 42}, {"host_name": "a..b"},
                   {"host_name": "web."}, {"host_name": "web-"}, {"host_name": "a" * 64},
                   {"tools_running": "yes"},
                   {"power_state": False}, {"guest_accounts": [{"username": "root"}]},
                   {"guest_accounts": "root"},
                   {"power_state": "poweredOff", "tools_running": True}):
        r = control("PATCH", "/vms/DC0_H0_VM0", change)
        assert r.status_code in (400, 409) and r.json()["error"], (change, r.text)
    assert control("GET", "/vms/DC0_H0_VM0").json() == before  # nothing changed
    assert vm.guest.ipAddress == before["ip_address"] and vm.runtime.powerState == "poweredOn"
    r = control("PATCH", "/vms/DC0_H0_VM0", {"ip_address": "fd00::5", "host_name": "web-1"})
    assert r.status_code == 200, r.text
    assert (vm.guest.ipAddress, vm.guest.hostName) == ("fd00::5", "web-1")


def test_control_changes_vm_state_seen_by_pyvmomi(emulator, si):
    control = Control(emulator)
    r = control("PATCH", "/vms/DC0_H0_VM0", {"tools_running": False})
    assert r.status_code == 200 and r.json()["tools_running"] is False
    vm = find_vm(si, "DC0_H0_VM0")
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    with pytest.raises(vim.fault.InvalidState):
        customize(si, vm)
    control("PATCH", "/vms/" + vm._moId, {
        "tools_running": True,
        "guest_accounts": [{"username": "admin", "password": "s3cret", "privileged": True}]})
    task = customize(si, vm)  # root/vmware no longer works
    emulator.advance(1)
    assert isinstance(task.info.error, vim.fault.InvalidGuestLogin)
    assert control("PATCH", "/vms/DC0_H0_VM0", {"wings": 2}).status_code == 400
    assert control("GET", "/vms/nope").status_code == 404
    control("PATCH", "/vms/DC0_H0_VM0", {"power_state": "poweredOff"})
    assert vm.runtime.powerState == "poweredOff"


def test_control_moves_and_switches_the_clock(emulator, si):
    control = Control(emulator)
    vm = find_vm(si, "DC0_H0_VM0")
    task = vm.PowerOffVM_Task()
    before = control("GET", "/clock").json()
    assert before["next_event"] is not None
    after = control("POST", "/clock/advance", {"seconds": 1}).json()
    assert after["now"] > before["now"]
    assert task.info.state == "success"
    assert control("POST", "/clock/advance", {"seconds": -1}).status_code == 400
    def raw(method, path, text):  # NaN and Infinity, which Python's JSON reader accepts
        return requests.request(method, control.base + path, data=text, auth=control.auth,
                                headers={"Content-Type": "application/json"}, timeout=10)
    for bad, said in (("3e11", "seconds must be"), ("NaN", "not valid JSON"),
                      ("Infinity", "not valid JSON")):  # each made every later Login fail
        refused = raw("POST", "/clock/advance", '{"seconds": %s}' % bad)
        assert refused.status_code == 400 and said in refused.json()["error"]
    assert control("GET", "/clock").json()["now"] == after["now"]  # nothing moved
    for speed in ("NaN", "Infinity", "0", "-2", "true", "5e-324", "1e-300"):
        assert raw("PATCH", "/clock", '{"mode": "real", "speed": %s}' % speed).status_code == 400
    assert control("PATCH", "/clock", {"mode": "auto"}).json()["mode"] == "auto"
    assert WaitForTask(vm.PowerOnVM_Task()) == "success"  # auto: no advance needed
    assert control("PATCH", "/clock", {"mode": "sideways"}).status_code == 400


def test_advances_stop_before_the_clock_runs_out_of_dates(emulator, si):
    """Each advance is bounded, and so is where they add up to: short of year 9000, whatever
    is scheduled from there still has a date; Login and the control API keep working."""
    control = Control(emulator)
    for _ in range(800):
        answer = control("POST", "/clock/advance", {"seconds": 10 * 366 * 86400})
        if answer.status_code != 200:
            break
    assert answer.status_code == 400 and "before 9000-01-01" in answer.json()["error"], \
        answer.text
    now = control("GET", "/clock").json()["now"]
    assert now.startswith("89")
    assert control("POST", "/clock/advance", {"seconds": 10 * 366 * 86400}).status_code == 400
    assert control("GET", "/clock").json()["now"] == now  # nothing moved
    again = emulator.connect()  # a new session, dated in the 8990s
    assert again.CurrentTime().year >= 8990
    with pytest.raises(Exception, match="9000-01-01"):
        emulator.advance(10 * 366 * 86400)


def test_the_real_clock_goes_on_from_where_virtual_time_stood(emulator, si):
    """Switched from virtual to real, the clock keeps its time and runs on at wall time's
    pace: no jump back to wall time, which would go back in time here (or, behind it, run
    every event and end every idle session at once)."""
    control = Control(emulator)
    control("POST", "/clock/advance", {"seconds": 600})
    before = si.CurrentTime()
    assert control("PATCH", "/clock", {"mode": "real"}).json()["mode"] == "real"
    now = si.CurrentTime()
    assert 0 <= (now - before).total_seconds() < 5
    vm = find_vm(si, "DC0_H0_VM0")  # the session still works, and tasks end on the real clock
    assert WaitForTask(vm.PowerOffVM_Task()) == "success"
    assert vm.runtime.powerState == "poweredOff"
    assert (si.CurrentTime() - now).total_seconds() < 5
    assert control("PATCH", "/clock", {"mode": "virtual"}).json()["mode"] == "virtual"
    assert 0 <= (si.CurrentTime() - now).total_seconds() < 5


def test_reset_restores_the_loaded_fixture(emulator, si):
    control = Control(emulator)
    vm = find_vm(si, "DC0_H0_VM0")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    control.rule(operation="CurrentTime", action="fault", fault="SystemError")
    assert control("POST", "/reset").json() == {"reset": True}
    fresh = emulator.connect()  # sessions are gone with the old state
    assert find_vm(fresh, "DC0_H0_VM0").runtime.powerState == "poweredOn"
    fresh.CurrentTime()
    assert control("GET", "/rules").json() == {"rules": []}


def test_scenario_files_load_rules(make_emulator):
    emulator = make_emulator(clock="virtual", scenarios=["flaky-customization"])
    rules = Control(emulator)("GET", "/rules").json()["rules"]
    assert [r["action"] for r in rules] == ["fault", "guest_fail", "http_error"]
    si = emulator.connect()
    vm = find_vm(si, "DC0_H0_VM0")
    for _ in range(2):
        customize(si, vm)
        emulator.advance(10)
    with pytest.raises(vmodl.fault.SystemError):
        customize(si, vm)


# -- the embedding API -----------------------------------------------------------------------


def test_simulator_from_a_plain_script(tmp_path):
    script = tmp_path / "embed.py"
    script.write_text(textwrap.dedent("""
        import vimsim
        from pyVim.connect import SmartConnect
        from pyVmomi import vmodl

        changes = []
        with vimsim.Simulator(fixture="default", clock="virtual") as sim:
            sim.start()
            assert sim.url.startswith("http://user:pass@127.0.0.1:")
            sim.subscribe(lambda obj: changes.append(obj.moid))
            states = []
            sim.subscribe(lambda obj, value: states.append(value), path="info.state",
                          type="Task")
            si = SmartConnect(host=sim.host, port=sim.port, user="user", pwd="pass",
                              protocol="http")
            vm = sim.vm("DC0_H0_VM0")
            vm.tools_running = False
            assert vm.tools_running is False and vm.moid in changes
            vm.tools_running = True
            from pyVmomi import vim as v
            view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                              [v.VirtualMachine], True)
            target = next(x for x in view.view if x.name == "DC0_H0_VM1")
            target.PowerOffVM_Task()
            sim.advance(1)
            assert states == ["queued", "running", "success"], states
            sim.faults.add(operation="CurrentTime", action="fault", fault="SystemError",
                           fields={"reason": "embedded"})
            try:
                si.CurrentTime()
                raise SystemExit("no fault")
            except vmodl.fault.SystemError as fault:
                assert fault.reason == "embedded"
            assert sim.faults.list()[0]["hits"] == 1
            before = sim.now()
            sim.advance(30)
            assert (sim.now() - before).total_seconds() == 30
            other = vimsim.Simulator(clock="virtual").start()
            assert other.port != sim.port and other.vm("DC0_H0_VM0").tools_running is True
            other.stop()
        print("embedded ok")
    """))
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "embedded ok" in proc.stdout


@pytest.mark.parametrize("http", ["twisted.web", "vimsim"])
def test_simulator_mounted_in_a_twisted_app(emulator, http):
    """A host program's own reactor serving the simulator: its resource in a twisted.web
    site, or vimsim's own HTTP factory."""
    from pyVim.connect import SmartConnect
    from twisted.internet import reactor
    from twisted.web import server

    from vimsim import Simulator
    from vimsim.simulator import in_reactor

    sim = Simulator(clock="virtual")
    site = server.Site(sim.resource) if http == "twisted.web" else sim.server.site
    port = in_reactor(reactor.listenTCP, 0, site, interface="127.0.0.1")
    try:
        si = SmartConnect(host="127.0.0.1", port=port.getHost().port, user="user", pwd="pass",
                          protocol="http")
        assert find_vm(si, "DC0_H0_VM1").runtime.powerState == "poweredOn"
        sim.vm("DC0_H0_VM1").power_state = "poweredOff"
        assert find_vm(si, "DC0_H0_VM1").runtime.powerState == "poweredOff"
    finally:
        in_reactor(port.stopListening)
