"""--state durability (issue 14, item 2): what a snapshot keeps and re-arms, and the state file
of a real `vimsim serve` process: saved within an interval, atomically, loudly when it fails,
checked and locked at start, and surviving SIGKILL."""
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

import pytest
import requests
from pyVim.connect import SmartConnect
from pyVmomi import vim

from conftest import customize, find_vm, in_reactor
from test_rest import Rest
from vimsim.model import snapshot

C = vim.vm.customization
AUTH = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
INTERVAL = 0.2


def control(base, method, path, body=None):
    r = requests.request(method, base + "/vimsim/v1" + path, json=body, auth=("user", "pass"),
                         timeout=10)
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


def restored(make_emulator, first):
    """A second emulator loaded with ``first``'s snapshot (the document --state writes)."""
    snapshot = control(first.base, "GET", "/snapshot")
    second = make_emulator(clock="virtual")
    assert control(second.base, "PUT", "/snapshot", json.loads(json.dumps(snapshot))) == \
        {"loaded": True}
    return second


def nic_spec(host_name, address):
    return C.Specification(
        identity=C.LinuxPrep(hostName=C.FixedName(name=host_name), domain="example.com"),
        globalIPSettings=C.GlobalIPSettings(),
        nicSettingMap=[C.AdapterMapping(adapter=C.IPSettings(ip=C.FixedIp(ipAddress=address)))])


# -- what a snapshot keeps and re-arms ---------------------------------------------------

def test_tools_starting_at_the_save_start_after_the_restore(make_emulator):
    first = make_emulator(clock="virtual")
    vm = find_vm(first.connect(), "DC0_H0_VM0")
    vm.PowerOffVM_Task()
    first.advance(1)
    vm.PowerOnVM_Task()
    first.advance(1)  # powered on at 0.3 s; VMware Tools start 3 s later
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    second = restored(make_emulator, first)
    vm = find_vm(second.connect(), "DC0_H0_VM0")
    assert vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    second.advance(2.2)
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"  # at its own time
    second.advance(0.2)
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"


def test_guest_shutdowns_and_reboots_under_way_end_after_the_restore(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    find_vm(si, "DC0_H0_VM0").ShutdownGuest()
    find_vm(si, "DC0_H0_VM1").RebootGuest()
    first.advance(1)  # both take 2 s; Tools start 3 s after the reboot
    second = restored(make_emulator, first)
    si = second.connect()
    down, rebooted = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")
    assert down.runtime.powerState == "poweredOn"
    assert rebooted.guest.toolsRunningStatus == "guestToolsNotRunning"
    second.advance(1.5)
    assert down.runtime.powerState == "poweredOff"
    second.advance(3)
    assert rebooted.guest.toolsRunningStatus == "guestToolsRunning"


def test_a_running_customization_resumes_with_its_nic_addresses(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    vm = find_vm(si, "DC0_H0_VM1")
    si.content.guestCustomizationManager.CustomizeGuest_Task(
        vm=vm, auth=AUTH, spec=nic_spec("resumed", "192.168.7.7"))
    first.advance(2.5)  # the task hands it over (1 s), PENDING for 1 s, then RUNNING
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
    second = restored(make_emulator, first)
    vm = find_vm(second.connect(), "DC0_H0_VM1")
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
    second.advance(3)
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert vm.guest.hostName == "resumed" and vm.guest.ipAddress == "192.168.7.7"


def test_a_spec_set_over_rest_for_the_next_power_on_is_kept(make_emulator):
    first = make_emulator(clock="virtual")
    vm = find_vm(first.connect(), "DC0_H0_VM0")
    vm.PowerOffVM_Task()
    first.advance(1)
    r = Rest(first).put("/api/vcenter/vm/%s/guest/customization" % vm._moId, {"spec": {
        "configuration_spec": {"linux_config": {"hostname": {"type": "FIXED",
                                                             "fixed_name": "next-boot"},
                                                "domain": "example.com"}},
        "global_DNS_settings": {},
        "interfaces": [{"adapter": {"ipv4": {"type": "STATIC", "ip_address": "10.4.4.4",
                                             "prefix": 24}}}]}})
    assert r.status_code == 204, r.text
    second = restored(make_emulator, first)
    vm = find_vm(second.connect(), "DC0_H0_VM0")
    vm.PowerOnVM_Task()
    second.advance(10)
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert vm.guest.hostName == "next-boot" and vm.guest.ipAddress == "10.4.4.4"


def test_tasks_in_flight_are_kept_and_run_at_their_time(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    power = find_vm(si, "DC0_H0_VM0").PowerOffVM_Task()
    clone = find_vm(si, "DC0_H0_VM1").InstantClone_Task(spec=vim.vm.InstantCloneSpec(
        name="clone-in-flight", location=vim.vm.RelocateSpec()))
    first.advance(0.1)
    second = restored(make_emulator, first)
    si = second.connect()
    power = vim.Task(power._moId, si._stub)
    clone = vim.Task(clone._moId, si._stub)
    assert power.info.state == "running" and power.info.descriptionId == "VirtualMachine.powerOff"
    with pytest.raises(vim.fault.TaskInProgress):  # the task still holds its VM
        find_vm(si, "DC0_H0_VM0").PowerOnVM_Task()
    second.advance(1)
    assert power.info.state == "success" and clone.info.state == "success"
    assert find_vm(si, "DC0_H0_VM0").runtime.powerState == "poweredOff"
    assert clone.info.result.name == "clone-in-flight"
    assert clone.info.result._moId == find_vm(si, "clone-in-flight")._moId


def test_the_managers_settings_are_kept(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    content = si.content
    vm = find_vm(si, "DC0_H0_VM0")
    field = content.customFieldsManager.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
    content.customFieldsManager.SetField(entity=vm, key=field.key, value="alice")
    content.setting.UpdateOptions(changedValue=[
        vim.option.OptionValue(key="config.kept", value="yes"),
        vim.option.OptionValue(key="client.timeout.normal", value=45)])
    key = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY"
    content.licenseManager.AddLicense(licenseKey=key, labels=[
        vim.KeyValue(key="team", value="ops")])
    host = vm.runtime.host
    content.licenseManager.licenseAssignmentManager.UpdateAssignedLicense(
        entity=host._moId, licenseKey=key, entityDisplayName="kept host")
    host.configManager.advancedOption.UpdateOptions(changedValue=[
        vim.option.OptionValue(key="Config.HostAgent.log.level", value="verbose")])
    content.authorizationManager.SetEntityPermissions(vm, [vim.AuthorizationManager.Permission(
        principal="readonly", group=False, roleId=-1, propagate=False)])

    si = restored(make_emulator, first).connect()
    content = si.content
    vm = find_vm(si, "DC0_H0_VM0")
    [kept] = [f for f in content.customFieldsManager.field if f.name == "owner"]
    assert kept.key == field.key and kept.managedObjectType == vim.VirtualMachine
    assert [(v.key, v.value) for v in vm.customValue] == [(field.key, "alice")]
    assert content.setting.QueryOptions("config.kept")[0].value == "yes"
    assert content.setting.QueryOptions("client.timeout.normal")[0].value == 45
    [lic] = [x for x in content.licenseManager.licenses if x.licenseKey == key]
    assert [(label.key, label.value) for label in lic.labels] == [("team", "ops")]
    [assigned] = content.licenseManager.licenseAssignmentManager.QueryAssignedLicenses(
        entityId=vm.runtime.host._moId)
    assert assigned.assignedLicense.licenseKey == key
    assert assigned.entityDisplayName == "kept host"
    assert vm.runtime.host.configManager.advancedOption.QueryOptions(
        "Config.HostAgent.log.level")[0].value == "verbose"
    assert [(p.principal, p.roleId) for p in
            content.authorizationManager.RetrieveEntityPermissions(vm, False)] == [
        ("readonly", -1)]
    # New definitions do not reuse kept keys.
    assert content.customFieldsManager.AddCustomFieldDef(name="next").key == field.key + 1


def test_a_snapshot_of_another_format_is_refused_clearly(emulator):
    r = requests.put(emulator.base + "/vimsim/v1/snapshot", auth=("user", "pass"), timeout=10,
                     json={"format": 1, "fixture": {}, "vms": [], "rules": []})
    assert r.status_code == 400
    assert "format 1" in r.json()["error"]


def test_a_save_that_fails_is_loud_and_leaves_no_temporary_file(make_emulator, tmp_path,
                                                                  caplog):
    state = tmp_path / "state.json"
    emulator = make_emulator(clock="virtual", state_file=str(state), state_interval=60)
    server = emulator.server
    assert in_reactor(server.save_state) and not server.save_failed
    good = state.read_text()
    vm = next(o for o in emulator.vc.objects.values() if o.vim_type == "VirtualMachine")
    saved_name = vm.host_name

    def set_host_name(value):  # as the model changes a VM: set, then touch
        vm.host_name = value
        emulator.vc.touch(vm)
    in_reactor(set_host_name, object())  # what no snapshot can hold
    with caplog.at_level(logging.ERROR, logger="vimsim"):
        assert not in_reactor(server.save_state)
    assert server.save_failed
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert str(state) in record.getMessage()
    assert "host_name" in record.getMessage() and vm.moid in record.getMessage()
    assert state.read_text() == good
    r = requests.get(emulator.base + "/vimsim/v1/snapshot", auth=("user", "pass"), timeout=10)
    assert r.status_code == 409 and "host_name" in r.json()["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]
    in_reactor(set_host_name, saved_name)
    in_reactor(server.save_if_changed, wait=True)  # what the next interval does
    assert not server.save_failed
    assert json.loads(state.read_text()) == json.loads(json.dumps(in_reactor(server.snapshot)))


# -- a real `vimsim serve` process ---------------------------------------------------------

def serve_args(state, *extra):
    return [sys.executable, "-m", "vimsim", "serve", "--http", "--port", "0", "--clock",
            "virtual", "--state", str(state), "--state-interval", str(INTERVAL)] + list(extra)


def wait_for(condition, what, timeout=20):
    """Until ``condition()`` holds, as a real process gets there; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.02)


class Served:
    def __init__(self, state, *extra):
        # The log goes to a file of its own (outside the state's folder) to be read as it grows.
        self.log_path = os.path.join(tempfile.mkdtemp(prefix="vimsim-log-"), "stderr.log")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(serve_args(state, *extra), stdout=subprocess.PIPE,
                                         stderr=log, text=True)
        line = self.proc.stdout.readline().strip()
        assert line.startswith("VIMSIM_URL="), self.log()
        url = urlparse(line.split("=", 1)[1])
        self.host, self.port = url.hostname, url.port
        self.base = "http://%s:%d" % (url.hostname, url.port)
        self.si = SmartConnect(host=url.hostname, port=url.port, user="user", pwd="pass",
                               protocol="http")

    def advance(self, seconds):
        control(self.base, "POST", "/clock/advance", {"seconds": seconds})

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        status = self.proc.wait(timeout=20)
        return status, self.log()


def refused(args):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    return proc.stderr


def test_sigkill_loses_at_most_the_last_interval(tmp_path):
    state = tmp_path / "state.json"
    served = Served(state)
    try:
        si = served.si
        vm0, vm1 = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")
        vm0.PowerOffVM_Task()
        field = si.content.customFieldsManager.AddCustomFieldDef(name="owner")
        si.content.customFieldsManager.SetField(entity=vm1, key=field.key, value="bob")
        si.content.guestCustomizationManager.CustomizeGuest_Task(
            vm=vm1, auth=AUTH, spec=nic_spec("after-kill", "192.168.9.9"))
        served.advance(2.5)  # vm0 off; vm1's customization RUNNING
        clone = find_vm(si, "DC0_C0_RP0_VM0").InstantClone_Task(spec=vim.vm.InstantCloneSpec(
            name="killed-clone", location=vim.vm.RelocateSpec()))
        served.advance(0.1)  # the clone's task in flight
        # the last change (the clone's task, in flight) reaches the file within an interval
        wait_for(lambda: state.exists() and "killed-clone" in state.read_text(),
                 "the clone's task in the state file")
    finally:
        status, _ = served.stop(signal.SIGKILL)
    assert status == -signal.SIGKILL
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    (tmp_path / "state.json.99999.tmp").write_text("{")  # as a kill in mid-write leaves it

    served = Served(state)
    assert sorted(os.listdir(tmp_path)) == ["state.json", "state.json.lock"]
    try:
        si = served.si
        vm0, vm1 = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")
        assert vm0.runtime.powerState == "poweredOff"
        assert [(v.key, v.value) for v in vm1.customValue] == [(field.key, "bob")]
        assert vm1.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
        served.advance(3)
        assert vm1.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
        assert vm1.guest.hostName == "after-kill" and vm1.guest.ipAddress == "192.168.9.9"
        clone = vim.Task(clone._moId, si._stub)
        assert clone.info.state == "success" and clone.info.result.name == "killed-clone"
    finally:
        status, errors = served.stop()
    assert status == 0, errors
    assert "ERROR" not in errors and "Traceback" not in errors


def test_an_idle_server_writes_nothing(tmp_path):
    """The save loop runs every interval but writes only what changed; driven here on a
    reactor clock of its own (twisted's task.Clock), so that twenty intervals pass at once."""
    from twisted.internet import task

    from vimsim.server import Server
    state = tmp_path / "state.json"
    reactor = task.Clock()
    server = Server(clock="virtual", state_file=str(state), state_interval=INTERVAL,
                    reactor=reactor)
    try:
        server.start_saving()
        written = os.stat(state)
        for _ in range(20):
            reactor.advance(INTERVAL)
            assert reactor.getDelayedCalls()  # the loop is still armed for the next one
        assert (os.stat(state).st_ino, os.stat(state).st_mtime_ns) == (
            written.st_ino, written.st_mtime_ns)
        server.advance(1)  # a change: the clean stop saves it
    finally:
        server.close_state()
    assert os.stat(state).st_mtime_ns != written.st_mtime_ns and not server.save_failed


def test_a_second_server_on_the_same_state_file_refuses_to_start(tmp_path):
    state = tmp_path / "state.json"
    served = Served(state)
    try:
        message = refused(serve_args(state))
        assert "in use by another vimsim" in message and str(state) in message
        assert served.proc.poll() is None
    finally:
        status, errors = served.stop()
    assert status == 0, errors


def test_a_state_path_that_cannot_be_used_fails_at_start(tmp_path):
    missing = tmp_path / "no-such-folder" / "state.json"
    message = refused(serve_args(missing))
    assert str(missing) in message and "does not exist" in message
    message = refused(serve_args(tmp_path))
    assert str(tmp_path) in message and "is a folder" in message
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": 2, "fixture": ')
    message = refused(serve_args(corrupt))
    assert message.count(str(corrupt)) == 1 and "cannot be read" in message
    corrupt.write_text('{"format": %d}' % snapshot.FORMAT)  # JSON, but no snapshot
    message = refused(serve_args(corrupt))
    assert "state file %s: not a whole vimsim snapshot: 'fixture' is missing" % corrupt in message
    corrupt.write_text('{"format": 2, "fixture": ')
    assert corrupt.read_text() == '{"format": 2, "fixture": '  # left for its owner to see
    dated = tmp_path / "dated.yaml"  # YAML reads the note as a date, which JSON cannot hold:
    # the fixture's schema refuses it before a state is made of it
    dated.write_text("notes: 2024-01-01\ndatacenters: [{name: DC0, hosts: [{name: H0}]}]\n")
    message = refused(serve_args(tmp_path / "new.json", "--fixture", str(dated)))
    assert "fixture %s: notes: a date is not a JSON value" % dated in message
    assert not (tmp_path / "new.json").exists()
    old = tmp_path / "old.json"
    old.write_text('{"format": 1, "fixture": {}, "vms": [], "rules": []}')
    message = refused(serve_args(old))
    assert str(old) in message and "format 1" in message


def test_a_failing_save_logs_error_retries_and_exits_non_zero(tmp_path):
    state = tmp_path / "state.json"
    served = Served(state)
    try:
        wait_for(state.exists, "the first save")
        os.unlink(state)
        os.mkdir(state)  # the rename onto it now fails
        find_vm(served.si, "DC0_H0_VM0").PowerOffVM_Task()
        wait_for(lambda: served.log().count(" ERROR ") >= 2, "a failed save and its retry")
    finally:
        status, errors = served.stop()
    assert status == 1
    failures = [line for line in errors.splitlines() if " ERROR " in line]
    assert len(failures) >= 2, errors  # retried at the next intervals
    assert all("cannot save the state to %s" % state in line for line in failures)
    assert "the state was not saved" in errors and "Traceback" not in errors
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
