"""The dashboard's server side over real sockets: the page and its assets, the login (cookie
and change token), and the event stream pushed from the model's changes. (The page itself in
headless Chromium: tests/clients/test_dashboard_browser.py.)"""
import http.client
import json
import urllib.parse

import pytest
import requests

from tests.conftest import find_vm


class Stream:
    """A server-sent event stream read message by message, each read bounded in time (with
    http.client, which hands over each line as it arrives)."""

    def __init__(self, base, cookie):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        self.conn.request("GET", "/vimsim/v1/stream", headers={"Cookie": cookie})
        self.response = self.conn.getresponse()
        self.lines = self._lines()

    def _lines(self):
        while True:
            line = self.response.readline()
            if not line:  # the server ended the stream
                return
            yield line.decode().rstrip("\r\n")

    def close(self):
        self.conn.close()

    def next(self):
        kind, data = None, []
        for line in self.lines:
            if line.startswith(":") or line.startswith("retry:"):
                continue
            if not line:
                if kind is not None:
                    return kind, json.loads("\n".join(data))
                continue
            field, _, value = line.partition(": ")
            if field == "event":
                kind = value
            elif field == "data":
                data.append(value)
        raise EOFError("the stream ended")

    def until(self, predicate, kinds=("update",)):
        for _ in range(50):
            kind, body = self.next()
            if kind in kinds and predicate(body):
                return body
        raise AssertionError("no message matched")


@pytest.fixture
def web(emulator):
    session = requests.Session()
    session.base = emulator.base
    return session


def log_in(web, user="user", password="pass"):
    response = web.post(web.base + "/vimsim/v1/login",
                        json={"username": user, "password": password})
    return response


def test_the_page_and_its_assets_come_from_vimsim(web):
    page = web.get(web.base + "/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'src="/vimsim/ui/dashboard.js"' in page.text and "http" not in page.text
    for asset, kind in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        answer = web.get(web.base + "/vimsim/ui/" + asset)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(kind)
    assert web.get(web.base + "/vimsim/ui/../control.py").status_code == 404
    assert web.get(web.base + "/vimsim/ui/index.html").status_code == 404
    assert web.get(web.base + "/nothing").status_code == 404


def test_login_gives_a_cookie_and_a_token_that_changes_need(web):
    assert web.get(web.base + "/vimsim/v1/stream").status_code == 401
    refused = log_in(web, password="wrong")
    assert refused.status_code == 401 and "incorrect user name or password" in \
        refused.json()["error"]
    assert log_in(web, "readonly", "readonly").status_code == 403
    assert log_in(web, "user", 5).status_code == 400
    answer = log_in(web)
    assert answer.status_code == 200
    token = answer.json()["token"]
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/vimsim" in cookie
    assert web.get(web.base + "/vimsim/v1/state").status_code == 200
    # a change by cookie alone (what another site's form could send) is refused
    forged = web.post(web.base + "/vimsim/v1/clock/advance", json={"seconds": 5})
    assert forged.status_code == 403 and "X-Vimsim-Token" in forged.json()["error"]
    assert "WWW-Authenticate" not in web.get(web.base + "/vimsim/v1/state",
                                             headers={"X-Vimsim-Token": "x"},
                                             cookies={"vimsim_dashboard": "stale"}).headers
    advanced = web.post(web.base + "/vimsim/v1/clock/advance", json={"seconds": 5},
                        headers={"X-Vimsim-Token": token})
    assert advanced.status_code == 200
    assert web.delete(web.base + "/vimsim/v1/login").status_code == 204
    web.cookies.set("vimsim_dashboard", token, path="/vimsim")  # a logged-out token is dead
    assert web.get(web.base + "/vimsim/v1/state").status_code == 401


def test_the_stream_pushes_what_changes(emulator, web, si):
    log_in(web)
    stream = Stream(web.base, "vimsim_dashboard=" + web.cookies["vimsim_dashboard"])
    assert stream.response.getheader("Content-Type").startswith("text/event-stream")
    kind, view = stream.next()
    assert kind == "view"
    vms = {vm["name"]: vm for vm in view["vms"]}
    assert vms["DC0_H0_VM0"]["power_state"] == "poweredOn"
    assert view["tree"]["name"] == "Datacenters" and view["clock"]["mode"] == "virtual"

    vm = find_vm(si, "DC0_H0_VM0")
    task = vm.PowerOffVM_Task()
    queued = stream.until(lambda b: any(t["moid"] == task._moId for t in b["tasks"]))
    assert [t["state"] for t in queued["tasks"] if t["moid"] == task._moId] in \
        (["queued"], ["running"])
    emulator.advance(5)
    done = stream.until(lambda b: any(v["name"] == "DC0_H0_VM0" and
                                      v["power_state"] == "poweredOff" for v in b["vms"]))
    assert "VmPoweredOffEvent" in [e["type"] for e in done["events"]] or \
        stream.until(lambda b: "VmPoweredOffEvent" in [e["type"] for e in b["events"]])
    # the sessions part names pyVmomi's session, without its key
    assert any(s["user"] == "user" for s in done["sessions"]["shown"])
    assert "key" not in json.dumps(done["sessions"])

    token = log_in(web).json()["token"]
    web.post(web.base + "/vimsim/v1/rules", headers={"X-Vimsim-Token": token},
             json={"operation": "PowerOnVM_Task", "action": "fault", "fault": "SystemError"})
    ruled = stream.until(lambda b: b["rules"])
    assert ruled["rules"][0]["operation"] == "PowerOnVM_Task"
    web.post(web.base + "/vimsim/v1/reset", headers={"X-Vimsim-Token": token})
    fresh = stream.until(lambda b: True, kinds=("view",))
    assert {v["name"]: v["power_state"] for v in fresh["vms"]}["DC0_H0_VM0"] == "poweredOn"
    assert fresh["rules"] == []
    stream.close()


def test_a_page_opening_takes_nothing_from_one_already_open(emulator, web, si):
    """A change pushed to the open page is not lost when another opens before the push (the
    push gathers changes over 0.1 s)."""
    log_in(web)
    cookie = "vimsim_dashboard=" + web.cookies["vimsim_dashboard"]
    first = Stream(web.base, cookie)
    assert first.next()[0] == "view"
    vm = find_vm(si, "DC0_H0_VM0")
    vm.PowerOffVM_Task()
    emulator.advance(5)
    second = Stream(web.base, cookie)  # within the 0.1 s the first one's update waits
    assert second.next()[0] == "view"
    off = first.until(lambda b: any(v["name"] == "DC0_H0_VM0" for v in b["vms"]))
    assert [v["power_state"] for v in off["vms"] if v["name"] == "DC0_H0_VM0"] == ["poweredOff"]
    first.close()
    second.close()
