"""Snapshots of the whole state: through the control API, and across a real restart."""
import json
import os
import signal
import subprocess
import sys
from urllib.parse import urlparse

import requests
from pyVim.connect import SmartConnect
from pyVmomi import vim

from conftest import find_vm

AUTH = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")


def control(base, method, path, body=None):
    r = requests.request(method, base + "/vimsim/v1" + path, json=body, auth=("user", "pass"),
                         timeout=10)
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


def make_changes(emulator_advance, si, base):
    """Power a VM off, instant-clone another and customize the clone, add a rule."""
    vm = find_vm(si, "DC0_H0_VM0")
    vm.PowerOffVM_Task()
    src = find_vm(si, "DC0_H0_VM1")
    task = src.InstantClone_Task(spec=vim.vm.InstantCloneSpec(name="kept-clone",
                                                              location=vim.vm.RelocateSpec()))
    emulator_advance(1)
    clone = task.info.result
    C = vim.vm.customization
    si.content.guestCustomizationManager.CustomizeGuest_Task(
        vm=clone, auth=AUTH, spec=C.Specification(
            identity=C.LinuxPrep(hostName=C.FixedName(name="kept"), domain="d"),
            globalIPSettings=C.GlobalIPSettings()))
    emulator_advance(5)
    control(base, "POST", "/rules", {"operation": "CurrentTime", "action": "fault",
                                     "fault": "SystemError", "nth": 5})
    return clone._moId


def check_kept(si, base, clone_id):
    assert find_vm(si, "DC0_H0_VM0").runtime.powerState == "poweredOff"
    clone = find_vm(si, "kept-clone")
    assert clone._moId == clone_id
    assert clone.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert clone.guest.hostName == "kept"
    [rule] = control(base, "GET", "/rules")["rules"]
    assert rule["operation"] == "CurrentTime" and rule["nth"] == 5
    # New objects do not reuse the moIds of kept ones.
    task = clone.ResetVM_Task()
    assert int(task._moId.split("-")[1]) > int(clone_id.split("-")[1])


def test_snapshot_through_the_control_api(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    clone_id = make_changes(first.advance, si, first.base)
    snapshot = control(first.base, "GET", "/snapshot")
    json.dumps(snapshot)  # plain JSON
    second = make_emulator(clock="virtual")
    assert control(second.base, "PUT", "/snapshot", snapshot) == {"loaded": True}
    check_kept(second.connect(), second.base, clone_id)
    bad = requests.put(second.base + "/vimsim/v1/snapshot", json={"format": 99},
                       auth=("user", "pass"), timeout=10)
    assert bad.status_code == 400


def _edited(snapshot, edit):
    copy = json.loads(json.dumps(snapshot))
    edit(copy, next(o for o in copy["objects"] if o["type"] == "VirtualMachine" and
                    o["state"]["name"] == "DC0_H0_VM0")["state"])
    return copy


def _set(key, value):
    def edit(snapshot, vm_state):
        vm_state[key] = value
    return edit


def _top(key, value):
    def edit(snapshot, vm_state):
        snapshot[key] = value
    return edit


def test_a_snapshot_edited_into_what_vcenter_cannot_answer_is_refused(emulator, si):
    """PUT /snapshot checks what it would restore: every property the objects would answer
    is of its vim25 type, the snapshot's parts are of their kinds; a refusal says where in
    vimsim's words, and changes nothing (scheduled work goes on)."""
    snapshot = control(emulator.base, "GET", "/snapshot")
    vm = find_vm(si, "DC0_H0_VM1")
    task = vm.PowerOffVM_Task()  # running: its end is scheduled work a refusal must keep
    for edit, said in (
            (_set("name", {"a": 1}), "name: Cannot parse a JSON object as a string value"),
            (_set("num_cpu", "many"), ": "),  # the first object it breaks: a pool's runtime
            (_set("power_state", "on"), 'runtime.powerState: "on" is not a VirtualMachinePowerState'),
            (_set("host_name", 5), "guest.hostName: Cannot parse a JSON number as a string"),
            (_set("nic_addresses", [{"a": 1}]), "Cannot parse a JSON object as a string value"),
            (_set("num_cpu", 2 ** 80), "Cannot parse \"5546551660391918"),
            (_top("objects", {}), "the snapshot's objects must be a list"),
            (_top("time", "x"), "the snapshot's time must be a number"),
            (_top("time", 1e300), "the snapshot's time must be a number"),
            (_top("next_id", -5), "next_id must be a whole number"),
            (_top("removed", [{}]), "not of the kind vimsim writes there")):
        refused = requests.put(emulator.base + "/vimsim/v1/snapshot", auth=("user", "pass"),
                               json=_edited(snapshot, edit), timeout=30)
        assert refused.status_code == 400 and said in refused.json()["error"], \
            (said, refused.text)
        assert "Traceback" not in refused.text and "unhashable" not in refused.text
    poisoned_fixture = json.loads(json.dumps(snapshot))
    poisoned_fixture["fixture"]["timings"] = {"power_op": -5}
    refused = requests.put(emulator.base + "/vimsim/v1/snapshot", auth=("user", "pass"),
                           json=poisoned_fixture, timeout=30)
    assert refused.status_code == 400 and "timings.power_op: -5 is less than the minimum" in \
        refused.json()["error"]
    assert [v.name for v in [find_vm(si, "DC0_H0_VM0")]] == ["DC0_H0_VM0"]  # nothing changed
    emulator.advance(1)
    assert task.info.state == "success" and vm.runtime.powerState == "poweredOff"


def test_state_survives_a_real_restart(tmp_path):
    state = str(tmp_path / "state.json")
    args = [sys.executable, "-m", "vimsim", "serve", "--http", "--port", "0", "--clock",
            "virtual", "--state", state]

    def start():
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        url = urlparse(proc.stdout.readline().strip().split("=", 1)[1])
        base = "http://%s:%d" % (url.hostname, url.port)
        si = SmartConnect(host=url.hostname, port=url.port, user="user", pwd="pass",
                          protocol="http")
        return proc, base, si

    def stop(proc):
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert "Traceback" not in proc.stderr.read()

    proc, base, si = start()
    try:
        clone_id = make_changes(
            lambda s: control(base, "POST", "/clock/advance", {"seconds": s}), si, base)
    finally:
        stop(proc)
    assert os.path.exists(state) and not any(p.endswith(".tmp") for p in os.listdir(tmp_path))
    proc, base, si = start()
    try:
        check_kept(si, base, clone_id)
    finally:
        stop(proc)
