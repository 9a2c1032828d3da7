"""The floor row of `scripts/bench --defaults`: the same pyVmomi client against a server that
only replays `vimsim serve`'s recorded answers. The floor means something only if that client
really does its pairs against the replay, with every call answered as vimsim answered it, and
if a client that sends something else is told so instead of being answered out of turn."""
import http.client
import json
import os
import ssl
import sys

import pytest
from pyVim.task import WaitForTask

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "scripts"))
import bench  # noqa: E402  (scripts/bench.py, not a package)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("floor") / "pair.json")
    bench.record_power_pair(path)
    with open(path) as f:
        return path, json.load(f)


def test_the_recording_is_one_pair_of_a_running_task(recording):
    _, recorded = recording
    methods = [e["method"] for e in recorded["cycle"]]
    # vCenter's running task as pyVmomi's WaitForTask polls it (WIRE.md section 4)
    wait = ["Fetch", "CreateFilter", "WaitForUpdates", "Fetch", "Fetch", "Fetch",
            "WaitForUpdates", "Fetch", "Fetch", "DestroyPropertyFilter", "Fetch"]
    assert methods == ["PowerOffVM_Task"] + wait + ["PowerOnVM_Task"] + wait
    assert [e["method"] for e in recorded["setup"]][:3] == [
        "GET /sdk/vimServiceVersions.xml", "RetrieveServiceContent", "Login"]
    held = [e for e in recorded["cycle"] if e["seconds"] > 0.05]
    assert [e["method"] for e in held] == ["WaitForUpdates", "WaitForUpdates"]


def test_pyvmomi_does_its_pairs_against_the_replay(recording):
    path, recorded = recording
    target = bench.Target("replay", None, args=[path])
    try:
        vm = bench.powered_on_vm(target.si)
        with bench.RequestCount() as sent:
            for _ in range(3):
                assert WaitForTask(vm.PowerOffVM_Task()) == "success"
                assert WaitForTask(vm.PowerOnVM_Task()) == "success"
        assert sent.count == 3 * len(recorded["cycle"])
    finally:
        target.stop()


def test_a_request_out_of_turn_is_refused(recording):
    path, _ = recording
    target = bench.Target("replay", None, args=[path])  # connected: the setup's first two
    try:
        conn = http.client.HTTPSConnection("127.0.0.1", target.port, timeout=10,
                                           context=ssl._create_unverified_context())
        conn.request("POST", "/sdk", (bench.ENVELOPE % bench.RSC).encode(),
                     {"Content-Type": "text/xml"})
        answer = conn.getresponse()
        assert answer.status == 500
        assert b"RetrieveServiceContent where the recording has" in answer.read()
    finally:
        target.stop()
