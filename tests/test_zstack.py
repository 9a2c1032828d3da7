"""The ZStack Cloud API surface (seed 004) over vimsim's inventory, with requests."""
import hashlib

import pytest
import requests

from vimsim.model import fixture as fixtures


def sha512(text):
    return hashlib.sha512(text.encode()).hexdigest()


class ZStack:
    def __init__(self, emulator, account="admin", password="password"):
        self.base = emulator.base + "/zstack/v1"
        r = requests.put(self.base + "/accounts/login", json={"logInByAccount": {
            "accountName": account, "password": sha512(password)}}, timeout=10)
        assert r.status_code == 200, r.text
        self.inventory = r.json()["inventory"]
        self.headers = {"Authorization": "OAuth " + self.inventory["uuid"]}

    def get(self, path, **params):
        return requests.get(self.base + path, headers=self.headers, params=params, timeout=10)

    def uuid_of(self, kind, name):
        [inv] = self.get("/" + kind, q="name=" + name).json()["inventories"]
        return inv["uuid"]


def error(response, code):
    assert response.status_code == 503, response.text
    body = response.json()["error"]
    assert body["code"] == code and body["description"] and body["details"]
    return body


@pytest.fixture
def zs(emulator):
    return ZStack(emulator)


def test_login_gives_a_session(emulator, zs):
    assert len(zs.inventory["uuid"]) == 32
    assert zs.inventory["expiredDate"] > zs.inventory["createDate"]
    r = requests.put(zs.base + "/accounts/login", json={"logInByAccount": {
        "accountName": "admin", "password": sha512("nope")}}, timeout=10)
    error(r, "ID.1000")
    r = requests.put(zs.base + "/accounts/login", json={"logIn": {}}, timeout=10)
    error(r, "SYS.1007")
    for body in ("[" * 10000 + "]" * 10000, '{"logInByAccount": NaN}'):  # SYS.1000 was one
        error(requests.put(zs.base + "/accounts/login", data=body, timeout=10), "SYS.1007")


def test_queries_find_hosts_and_vms(zs):
    hosts = zs.get("/hosts").json()["inventories"]
    assert {h["name"] for h in hosts} == {"DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2", "DC0_H0"}
    assert all(len(h["uuid"]) == 32 and int(h["uuid"], 16) >= 0 for h in hosts)
    [vm] = zs.get("/vm-instances", q="name=DC0_H0_VM0").json()["inventories"]
    assert vm["state"] == "Running" and vm["hostUuid"] == zs.uuid_of("hosts", "DC0_H0")
    assert zs.get("/vm-instances/" + vm["uuid"]).json()["inventories"] == [vm]
    assert zs.get("/vm-instances", q="name=nothing").json() == {"inventories": []}
    error(zs.get("/vm-instances", q="color=blue"), "SYS.1007")


def test_virtualizer_info_for_hosts_and_vms(zs):
    host = zs.uuid_of("hosts", "DC0_C0_H1")
    vm = zs.uuid_of("vm-instances", "DC0_C0_RP0_VM0")
    r = zs.get("/vm-instances/virtualizer-info", uuids=[host, vm], systemTags="a::b",
               userTags="mine")
    assert r.status_code == 200
    inventories = r.json()["inventories"]
    assert [(i["uuid"], i["resourceType"]) for i in inventories] == [(host, "HostVO"),
                                                                     (vm, "VmInstanceVO")]
    for inventory in inventories:
        [info] = inventory["infoList"]
        assert info == {"hypervisor": "qemu-kvm", "currentVersion": "4.2.0-632.g6a6222b.el7",
                        "expectVersion": "4.2.0-632.g6a6222b.el7", "matchState": "Matched"}


def test_match_states_come_from_the_fixture_versions(make_emulator):
    data = fixtures.load("default")
    data["zstack"]["expected_host_version"] = "4.8.0"
    dc = data["datacenters"][0]
    dc["hosts"][0]["hypervisor_version"] = "4.8.0"
    dc["hosts"][0]["vms"][0]["hypervisor_version"] = "4.2.0"
    dc["hosts"][0]["vms"][1]["hypervisor_version"] = ""
    emulator = make_emulator(clock="virtual", fixture=data)
    zs = ZStack(emulator)
    wanted = [zs.uuid_of("hosts", "DC0_H0"), zs.uuid_of("hosts", "DC0_C0_H0"),
              zs.uuid_of("vm-instances", "DC0_H0_VM0"), zs.uuid_of("vm-instances", "DC0_H0_VM1")]
    inventories = zs.get("/vm-instances/virtualizer-info", uuids=wanted).json()["inventories"]
    states = [(i["infoList"][0]["currentVersion"], i["infoList"][0]["expectVersion"],
               i["infoList"][0]["matchState"]) for i in inventories]
    assert states == [("4.8.0", "4.8.0", "Matched"),
                      ("4.2.0-632.g6a6222b.el7", "4.8.0", "Unmatched"),
                      ("4.2.0", "4.8.0", "Unmatched"),
                      ("4.8.0", "4.8.0", "Matched")]


def test_unknown_uuid_fails_the_call(zs):
    host = zs.uuid_of("hosts", "DC0_H0")
    body = error(zs.get("/vm-instances/virtualizer-info", uuids=[host, "f" * 32]), "SYS.1007")
    assert body["description"] == "One or more API argument is invalid"
    error(zs.get("/vm-instances/virtualizer-info"), "SYS.1007")


def test_sessions_are_checked(emulator, zs):
    host = zs.uuid_of("hosts", "DC0_H0")
    url = zs.base + "/vm-instances/virtualizer-info"
    missing = requests.get(url, params={"uuids": host}, timeout=10)
    assert missing.status_code == 400 and missing.text == "missing header 'Authorization'"
    basic = requests.get(url, params={"uuids": host}, headers={"Authorization": "Basic eDp5"},
                         timeout=10)
    assert basic.status_code == 400
    stale = requests.get(url, params={"uuids": host},
                         headers={"Authorization": "OAuth " + "0" * 32}, timeout=10)
    assert error(stale, "ID.1001")["description"] == "Session expired"
    session = zs.inventory["uuid"]
    # Knowing a session's uuid is not enough to end it: it takes the session's own token.
    anonymous = requests.delete(zs.base + "/accounts/sessions/" + session, timeout=10)
    assert anonymous.status_code == 400 and anonymous.text == "missing header 'Authorization'"
    other = requests.delete(zs.base + "/accounts/sessions/" + session,
                            headers={"Authorization": "OAuth " + "0" * 32}, timeout=10)
    assert error(other, "ID.1001")
    assert zs.get("/vm-instances/virtualizer-info", uuids=host).status_code == 200
    assert requests.delete(zs.base + "/accounts/sessions/" + session,
                           headers={"Authorization": "OAuth " + session},
                           timeout=10).status_code == 200
    error(zs.get("/vm-instances/virtualizer-info", uuids=host), "ID.1001")


def test_sessions_expire_on_the_clock(emulator, zs):
    emulator.advance(2 * 3600 + 1)
    error(zs.get("/hosts"), "ID.1001")


def test_expired_sessions_are_not_kept(emulator, zs):
    """Logins never logged out are dropped once expired: a flood holds at most 2 hours'."""
    for _ in range(20):
        ZStack(emulator)
    emulator.advance(2 * 3600 + 1)
    fresh = ZStack(emulator)
    assert fresh.get("/hosts").status_code == 200
    assert list(emulator.vc.zstack.sessions) == [fresh.inventory["uuid"]]


def test_uuids_are_stable_across_restarts(make_emulator):
    first = ZStack(make_emulator(clock="virtual"))
    second = ZStack(make_emulator(clock="virtual"))
    assert first.get("/hosts").json() == second.get("/hosts").json()
    assert first.uuid_of("vm-instances", "DC0_H0_VM0") == second.uuid_of("vm-instances",
                                                                         "DC0_H0_VM0")


def test_unknown_paths_are_404(emulator, zs):
    assert requests.get(emulator.base + "/zstack/v2/hosts", timeout=10).status_code == 404
    assert zs.get("/images").status_code == 404
