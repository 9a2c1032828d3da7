"""The vCenter Automation REST API (/api and /rest) and the vSphere Automation SDK for
Python, over the same model SOAP serves (seeds 000 and 001)."""
import re

import pytest
import requests

from conftest import customize, find_vm
from vimsim.model import fixture as fixtures

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SESSION = "vmware-api-session-id"


class Rest:
    def __init__(self, emulator, user="user", pwd="pass"):
        self.http = requests.Session()
        self.http.verify = False
        self.base = emulator.base
        r = self.http.post(self.base + "/api/session", auth=(user, pwd), timeout=10)
        assert r.status_code == 201, r.text
        self.token = r.json()
        self.headers = {SESSION: self.token}

    def get(self, path, **kw):
        return self.http.get(self.base + path, headers=self.headers, timeout=10, **kw)

    def put(self, path, body=None, **kw):
        return self.http.put(self.base + path, headers=self.headers, json=body, timeout=10, **kw)

    def status(self, vm, dialect="api"):
        r = self.get("/%s/vcenter/vm/%s/guest/customization" % (dialect, vm))
        assert r.status_code == 200, r.text
        return r.json()["value"] if dialect == "rest" else r.json()


def input_error(response, operation, field):
    """A body refused at the codec (vimsim/rest/inputs.py): 400 INVALID_ARGUMENT with vAPI's
    message stack, the operation's "Invalid input" first, then what is wrong at ``field``."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_type"] == "INVALID_ARGUMENT"
    first, *causes = body["messages"]
    assert first["default_message"] == "Invalid input for method: %s" % operation and causes
    assert all(m["id"] and m["default_message"] and isinstance(m["args"], list) for m in causes)
    assert any(field in m["default_message"] for m in causes), causes
    return causes


def api_error(response, status, error_type):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_type"] == error_type
    [message] = body["messages"]
    assert message["id"] and message["default_message"] and isinstance(message["args"], list)
    return message


def rest_error(response, status, name):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "com.vmware.vapi.std.errors." + name
    return body["value"]["messages"][0]


def test_api_session_lifecycle(emulator):
    rest = Rest(emulator)
    assert re.fullmatch(r"[0-9a-f]{40}", rest.token)
    info = rest.get("/api/session").json()
    assert info["user"] == "user" and TIME.match(info["created_time"])
    assert rest.http.delete(emulator.base + "/api/session", headers=rest.headers).status_code == 204
    api_error(rest.get("/api/session"), 401, "UNAUTHENTICATED")
    bad = requests.post(emulator.base + "/api/session", auth=("user", "wrong"), timeout=10)
    api_error(bad, 401, "UNAUTHENTICATED")
    api_error(requests.post(emulator.base + "/api/session", timeout=10), 401, "UNAUTHENTICATED")


def test_rest_session_lifecycle(emulator):
    r = requests.post(emulator.base + "/rest/com/vmware/cis/session", auth=("user", "pass"),
                      timeout=10)
    assert r.status_code == 200
    token = r.json()["value"]
    assert "vmware-api-session-id=%s" % token in r.headers["Set-Cookie"]
    headers = {SESSION: token}
    info = requests.post(emulator.base + "/rest/com/vmware/cis/session?~action=get",
                         headers=headers, timeout=10).json()["value"]
    assert info["user"] == "user"
    # The cookie works as well as the header on /rest.
    vms = requests.get(emulator.base + "/rest/vcenter/vm", cookies={SESSION: token}, timeout=10)
    assert vms.status_code == 200 and len(vms.json()["value"]) == 5
    assert requests.delete(emulator.base + "/rest/com/vmware/cis/session", headers=headers,
                           timeout=10).status_code == 200
    rest_error(requests.get(emulator.base + "/rest/vcenter/vm", headers=headers, timeout=10),
               401, "unauthenticated")


def test_vm_list_finds_the_ids_soap_uses(emulator, si):
    rest = Rest(emulator)
    everything = rest.get("/api/vcenter/vm").json()
    assert {v["name"] for v in everything} == {
        "DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_C0_RP0_NoTools"}
    [one] = rest.get("/api/vcenter/vm", params={"names": "DC0_H0_VM1"}).json()
    assert one == {"vm": find_vm(si, "DC0_H0_VM1")._moId, "name": "DC0_H0_VM1",
                   "power_state": "POWERED_ON", "cpu_count": 1, "memory_size_MiB": 32}
    two = rest.get("/api/vcenter/vm", params={"names": ["DC0_H0_VM0", "DC0_H0_VM1"]}).json()
    assert len(two) == 2
    assert rest.get("/rest/vcenter/vm", params={"filter.names": "DC0_H0_VM0"}).json()["value"][0][
        "name"] == "DC0_H0_VM0"
    api_error(rest.get("/api/vcenter/vm", params={"power_states": "ON"}), 400, "INVALID_ARGUMENT")


def test_never_customized_vm_is_idle(emulator):
    rest = Rest(emulator)
    vm = rest.get("/api/vcenter/vm", params={"names": "DC0_H0_VM0"}).json()[0]["vm"]
    assert rest.status(vm) == {"status": "IDLE"}
    assert rest.status(vm, "rest") == {"status": "IDLE"}


def test_timeline_started_over_soap_read_over_rest(emulator, si):
    rest = Rest(emulator)
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    customize(si, vm, "r1")
    emulator.advance(1)
    for dialect in ("api", "rest"):
        assert rest.status(vm._moId, dialect) == {"status": "PENDING"}
    emulator.advance(1)
    running = rest.status(vm._moId)
    assert set(running) == {"status", "start_time"} and running["status"] == "RUNNING"
    assert TIME.match(running["start_time"])
    assert rest.status(vm._moId, "rest") == running
    soap_start = vm.guest.customizationInfo.startTime
    assert running["start_time"] == soap_start.strftime("%Y-%m-%dT%H:%M:%S.") + \
        "%03dZ" % (soap_start.microsecond // 1000)
    emulator.advance(3)
    done = rest.status(vm._moId)
    assert set(done) == {"status", "start_time", "end_time"} and done["status"] == "SUCCEEDED"
    assert done["start_time"] == running["start_time"] and TIME.match(done["end_time"])


def test_failed_customization_carries_its_error(make_emulator):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][1]["customization"] = {"fail": "No space left"}
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    rest = Rest(emulator)
    vm = find_vm(si, "DC0_H0_VM1")
    customize(si, vm, "f")
    emulator.advance(5)
    failed = rest.status(vm._moId)
    assert failed["status"] == "FAILED" and failed["error"] == "No space left"
    assert set(failed) == {"status", "error", "start_time", "end_time"}
    assert rest.status(vm._moId, "rest") == failed


def test_customization_errors(make_emulator):
    data = fixtures.load("default")
    data["settings"] = {"unavailable_operations": ["com.vmware.vcenter.vm.guest.customization.get"]}
    unavailable = make_emulator(clock="virtual", fixture=data)
    rest = Rest(unavailable)
    api_error(rest.get("/api/vcenter/vm/vm-21/guest/customization"), 503, "SERVICE_UNAVAILABLE")
    rest_error(rest.get("/rest/vcenter/vm/vm-21/guest/customization"), 503,
               "service_unavailable")

    emulator = make_emulator(clock="virtual")
    rest = Rest(emulator)
    message = api_error(rest.get("/api/vcenter/vm/vm-4242/guest/customization"), 404, "NOT_FOUND")
    assert message["args"] == ["vm-4242"]
    rest_error(rest.get("/rest/vcenter/vm/vm-4242/guest/customization"), 404, "not_found")
    anonymous = requests.get(emulator.base + "/api/vcenter/vm/vm-21/guest/customization",
                             timeout=10)
    api_error(anonymous, 401, "UNAUTHENTICATED")
    stale = requests.get(emulator.base + "/rest/vcenter/vm/vm-21/guest/customization",
                         headers={SESSION: "f" * 40}, timeout=10)
    rest_error(stale, 401, "unauthenticated")
    noaccess = Rest(emulator, "noaccess", "noaccess")
    api_error(noaccess.get("/api/vcenter/vm/vm-21/guest/customization"), 403, "UNAUTHORIZED")
    rest_error(noaccess.get("/rest/vcenter/vm/vm-21/guest/customization"), 403, "unauthorized")
    readonly = Rest(emulator, "readonly", "readonly")
    assert readonly.status("vm-21") == {"status": "IDLE"}  # System.View is enough to read
    api_error(readonly.put("/api/vcenter/vm/vm-21/guest/customization", {"name": "linux-web"}),
              403, "UNAUTHORIZED")


def test_put_applies_a_spec_at_the_next_power_on(emulator, si):
    rest = Rest(emulator)
    vm = find_vm(si, "DC0_H0_VM0")
    url = "/api/vcenter/vm/%s/guest/customization" % vm._moId
    api_error(rest.put(url, {"name": "linux-web"}), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    api_error(rest.put(url, {"name": "no-such-spec"}), 404, "NOT_FOUND")
    input_error(rest.put(url, {"name": "linux-web", "spec": {}}), "set", "configuration_spec")
    input_error(rest.put(url, {"nonsense": 1}), "set", "spec.nonsense")
    bad = rest.http.put(emulator.base + url, headers=dict(rest.headers, **{
        "Content-Type": "application/json"}), data=b"{oops", timeout=10)
    api_error(bad, 400, "INVALID_ARGUMENT")
    r = rest.put(url, {"name": "linux-web"})
    assert r.status_code == 204 and r.content == b""
    # pending from now on, as after CustomizeVM_Task (one model method does both)
    assert rest.status(vm._moId) == {"status": "PENDING"}
    assert vm.config.tools.pendingCustomization
    vm.PowerOnVM_Task()
    emulator.advance(0.3 + 3)  # power on, then VMware Tools start and pick the spec up
    assert rest.status(vm._moId) == {"status": "PENDING"}
    assert vm.config.tools.pendingCustomization is None
    emulator.advance(1 + 3)
    assert rest.status(vm._moId)["status"] == "SUCCEEDED"
    assert vm.guest.hostName == "web" and vm.guest.ipAddress == "10.0.10.10"


def test_rest_dialect_put_with_an_inline_spec(emulator, si):
    rest = Rest(emulator)
    vm = find_vm(si, "DC0_H0_VM1")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    r = rest.put("/rest/vcenter/vm/%s/guest/customization" % vm._moId, {"spec": {"spec": {
        "configuration_spec": {"linux_config": {"hostname": {"type": "FIXED",
                                                             "fixed_name": "inline"},
                                                "domain": "example.com"}},
        "global_DNS_settings": {},
        "interfaces": [{"adapter": {"ipv4": {"type": "STATIC", "ip_address": "10.4.4.4",
                                             "prefix": 24}}}]}}})
    assert r.status_code == 200
    vm.PowerOnVM_Task()
    emulator.advance(10)
    assert rest.status(vm._moId, "rest")["status"] == "SUCCEEDED"
    assert vm.guest.hostName == "inline" and vm.guest.ipAddress == "10.4.4.4"


def test_put_of_a_spec_the_vm_cannot_take_is_invalid_argument(make_emulator):
    """The customization faults (a VM without Tools, NIC settings for NICs it lacks) are
    400 INVALID_ARGUMENT in vCenter's words over REST, and nothing is set."""
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"].append(
        {"name": "DC0_H0_Bare", "tools_installed": False, "power_state": "poweredOff"})
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    rest = Rest(emulator)
    notools, vm = find_vm(si, "DC0_H0_Bare"), find_vm(si, "DC0_H0_VM1")
    vm.PowerOffVM_Task()
    emulator.advance(1)
    body = api_error(rest.put("/api/vcenter/vm/%s/guest/customization" % notools._moId,
                              {"name": "linux-web"}), 400, "INVALID_ARGUMENT")
    assert "Tools is not installed in the GuestOS" in body["default_message"]
    adapter = {"adapter": {"ipv4": {"type": "DHCP"}}}
    body = api_error(rest.put("/api/vcenter/vm/%s/guest/customization" % vm._moId, {"spec": {
        "configuration_spec": {"linux_config": {"hostname": {"type": "FIXED",
                                                             "fixed_name": "two"},
                                                "domain": "example.com"}},
        "global_DNS_settings": {}, "interfaces": [adapter, adapter]}}), 400, "INVALID_ARGUMENT")
    assert "does not match the number of network adapters" in body["default_message"]
    for each in (notools, vm):
        assert rest.status(each._moId) == {"status": "IDLE"}
        assert each.config.tools.pendingCustomization is None


def test_unknown_routes(emulator):
    rest = Rest(emulator)
    api_error(rest.get("/api/vcenter/nothing"), 404, "OPERATION_NOT_FOUND")
    rest_error(rest.get("/rest/vcenter/nothing"), 404, "operation_not_found")
    hello = rest.http.post(emulator.base + "/api/vcenter/system?action=hello",
                           json={"api_releases": ["9.9.9.9", "8.0.2.0"]}, timeout=10)
    assert hello.json() == {"api_release": "8.0.2.0"}


# -- the vSphere Automation SDK for Python ----------------------------------------------


@pytest.fixture
def https(make_emulator, tmp_path):
    return make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))


_clients = []


def sdk_client(emulator, user="user", pwd="pass", session_id=None):
    from vmware.vapi.vsphere.client import create_vsphere_client
    http = requests.Session()
    http.verify = False
    if session_id:
        client = create_vsphere_client(server="127.0.0.1:%d" % emulator.port, session=http,
                                       session_id=session_id)
    else:
        client = create_vsphere_client(server="127.0.0.1:%d" % emulator.port, username=user,
                                       password=pwd, session=http)
    _clients.append(client)
    return client


@pytest.fixture(autouse=True)
def close_sdk_clients():
    """Log SDK clients out while the server runs: VsphereClient.__del__ would otherwise log
    out whenever the garbage collector runs, possibly on the server's own thread."""
    yield
    while _clients:
        client = _clients.pop()
        try:
            client.session_svc.delete()
        except Exception:  # a stale session answers Unauthenticated: nothing to end
            pass
        client.session_svc = None
        client.session.close()


def test_sdk_lists_vms_and_reads_the_customization_timeline(https):
    from com.vmware.vcenter.vm.guest_client import Customization
    client = sdk_client(https)
    [summary] = client.vcenter.VM.list(client.vcenter.VM.FilterSpec(names={"DC0_C0_RP0_VM1"}))
    assert summary.name == "DC0_C0_RP0_VM1" and summary.power_state == "POWERED_ON"
    assert len(client.vcenter.VM.list()) == 5
    vm = summary.vm
    info = client.vcenter.vm.guest.Customization.get(vm)
    assert info.status == Customization.Info.Status.IDLE
    si = https.connect()
    pv = find_vm(si, "DC0_C0_RP0_VM1")
    customize(si, pv, "s")
    https.advance(1)
    info = client.vcenter.vm.guest.Customization.get(vm)
    assert info.status == "PENDING" and info.start_time is None
    https.advance(1)
    info = client.vcenter.vm.guest.Customization.get(vm)
    assert info.status == "RUNNING" and info.start_time is not None and info.end_time is None
    https.advance(3)
    info = client.vcenter.vm.guest.Customization.get(vm)
    assert info.status == "SUCCEEDED" and info.end_time > info.start_time
    assert info.error is None


def test_sdk_errors(make_emulator, tmp_path):
    from com.vmware.vapi.std.errors_client import (NotFound, ServiceUnavailable,
                                                   Unauthenticated, Unauthorized)
    data = fixtures.load("default")
    data["settings"] = {"unavailable_operations": ["com.vmware.vcenter.VM.list"]}
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path), fixture=data)
    client = sdk_client(emulator)
    with pytest.raises(NotFound) as err:
        client.vcenter.vm.guest.Customization.get("vm-4242")
    assert err.value.messages[0].args == ["vm-4242"]
    with pytest.raises(ServiceUnavailable):
        client.vcenter.VM.list()
    noaccess = sdk_client(emulator, "noaccess", "noaccess")
    with pytest.raises(Unauthorized):
        noaccess.vcenter.vm.guest.Customization.get("vm-21")
    with pytest.raises(Unauthenticated):
        sdk_client(emulator, "user", "wrong")
    stale = sdk_client(emulator, session_id="e" * 40)
    with pytest.raises(Unauthenticated):
        stale.vcenter.vm.guest.Customization.get("vm-21")


def test_sdk_set_applies_a_named_spec(https):
    from com.vmware.vapi.std.errors_client import NotAllowedInCurrentState
    from com.vmware.vcenter.vm.guest_client import Customization
    client = sdk_client(https)
    [summary] = client.vcenter.VM.list(client.vcenter.VM.FilterSpec(names={"DC0_H0_VM1"}))
    with pytest.raises(NotAllowedInCurrentState):
        client.vcenter.vm.guest.Customization.set(summary.vm, Customization.SetSpec(
            name="linux-dhcp"))
    https.call(https.vc.objects[summary.vm].set_power, "poweredOff")
    client.vcenter.vm.guest.Customization.set(summary.vm, Customization.SetSpec(name="linux-dhcp"))
    assert https.vc.objects[summary.vm].pending_customization is not None
