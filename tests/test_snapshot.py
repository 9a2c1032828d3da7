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
