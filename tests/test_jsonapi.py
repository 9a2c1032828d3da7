"""VI/JSON (/sdk/vim25/{release}/...) with requests over real sockets, and its view of the
same model SOAP serves."""
import pytest
import requests
from pyVmomi import vim

from conftest import find_vm

RELEASE = "8.0.2.0"
SESSION = "vmware-api-session-id"


def moref(type_name, value):
    return {"_typeName": "ManagedObjectReference", "type": type_name, "value": value}


ROOT_AUTH = {"_typeName": "NamePasswordAuthentication", "interactiveSession": False,
             "username": "root", "password": "vmware"}


def linux_spec(ip=None, nics=0):
    spec = {"_typeName": "CustomizationSpec",
            "identity": {"_typeName": "CustomizationLinuxPrep",
                         "hostName": {"_typeName": "CustomizationFixedName", "name": "json01"},
                         "domain": "example.com"},
            "globalIPSettings": {"_typeName": "CustomizationGlobalIPSettings"}}
    if nics:
        spec["nicSettingMap"] = [{"_typeName": "CustomizationAdapterMapping", "adapter": {
            "_typeName": "CustomizationIPSettings",
            "ip": {"_typeName": "CustomizationFixedIp", "ipAddress": ip or "10.7.7.7"}}}] * nics
    return spec


class Json:
    def __init__(self, emulator, release=RELEASE):
        self.emulator = emulator
        self.base = "%s/sdk/vim25/%s" % (emulator.base, release)
        self.headers = {}

    def login(self, user="user", pwd="pass"):
        r = self.post("SessionManager", "SessionManager", "Login",
                      {"userName": user, "password": pwd})
        assert r.status_code == 200, r.text
        self.headers[SESSION] = r.headers[SESSION]
        return r

    def get(self, mo_type, mo_id, prop):
        return requests.get("%s/%s/%s/%s" % (self.base, mo_type, mo_id, prop),
                            headers=self.headers, timeout=10)

    def post(self, mo_type, mo_id, method, body=None, raw=None):
        url = "%s/%s/%s/%s" % (self.base, mo_type, mo_id, method)
        if raw is not None:
            return requests.post(url, data=raw, headers=dict(self.headers, **{
                "Content-Type": "application/json"}), timeout=10)
        return requests.post(url, json=body, headers=self.headers, timeout=10)

    def vm_id(self, name):
        return next(o.moid for o in self.emulator.vc.objects.values()
                    if o.vim_type == "VirtualMachine" and o.name == name)

    def customize(self, vm, method="CustomizeGuest_Task", auth=ROOT_AUTH, spec=None):
        body = {"vm": moref("VirtualMachine", vm), "auth": auth}
        if method == "CustomizeGuest_Task":
            body["spec"] = spec or linux_spec()
        return self.post("VirtualMachineGuestCustomizationManager", "GuestCustomizationManager",
                         method, body)

    def task_info(self, task_id):
        r = self.get("Task", task_id, "info")
        assert r.status_code == 200
        return r.json()


def fault(response, type_name):
    assert response.status_code == 500, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["_typeName"] == type_name, body
    assert body["faultMessage"][0]["message"] == body["faultstring"]
    assert "Traceback" not in response.text
    return body


@pytest.fixture
def js(emulator):
    client = Json(emulator)
    client.login()
    return client


def test_login_gives_the_session_header_and_user_session(emulator):
    client = Json(emulator)
    content = client.get("ServiceInstance", "ServiceInstance", "content")
    assert content.status_code == 200  # readable without a session
    assert content.json()["about"]["apiType"] == "VirtualCenter"
    r = client.login()
    assert r.headers["Content-Type"] == "application/json"
    assert len(r.headers[SESSION]) == 40
    session = r.json()
    assert session["_typeName"] == "UserSession" and session["userName"] == "user"
    assert session["loginTime"].endswith("Z")
    current = client.get("SessionManager", "SessionManager", "currentSession").json()
    assert current["key"] == session["key"]


def test_missing_stale_and_logged_out_sessions_are_not_authenticated(emulator, js):
    anonymous = Json(emulator)
    body = fault(anonymous.get("Folder", "group-d1", "childEntity"), "NotAuthenticated")
    assert body["object"] == moref("Folder", "group-d1")
    assert body["privilegeId"] == "System.View"
    stale = Json(emulator)
    stale.headers[SESSION] = "0" * 40
    fault(stale.get("Folder", "group-d1", "childEntity"), "NotAuthenticated")
    assert js.get("Folder", "group-d1", "childEntity").status_code == 200
    assert js.post("SessionManager", "SessionManager", "Logout").status_code == 204
    fault(js.get("Folder", "group-d1", "childEntity"), "NotAuthenticated")


def test_wrong_password_is_invalid_login(emulator):
    r = Json(emulator).post("SessionManager", "SessionManager", "Login",
                            {"userName": "user", "password": "no"})
    body = fault(r, "InvalidLogin")
    assert body["faultstring"].startswith("Cannot complete login")
    assert body["faultMessage"][0]["key"] == "vim.fault.InvalidLogin.summary"


def test_property_reads_encode_as_vi_json(js):
    vm = js.vm_id("DC0_H0_VM0")
    assert js.get("VirtualMachine", vm, "name").json() == "DC0_H0_VM0"
    runtime = js.get("VirtualMachine", vm, "runtime").json()
    assert runtime["_typeName"] == "VirtualMachineRuntimeInfo"
    assert runtime["powerState"] == "poweredOn"
    assert runtime["host"]["_typeName"] == "ManagedObjectReference"
    assert "paused" in runtime and "question" not in runtime  # unset fields are absent
    children = js.get("Folder", "group-d1", "childEntity").json()
    assert children == [moref("Datacenter", "datacenter-2")]
    guest = js.get("VirtualMachine", vm, "guest").json()
    assert guest["customizationInfo"] == {"_typeName": "GuestInfoCustomizationInfo",
                                          "customizationStatus": "TOOLSDEPLOYPKG_IDLE"}
    # Fetch as a method, as over SOAP (it answered SystemError)
    fetched = js.post("VirtualMachine", vm, "Fetch", {"prop": "name"})
    assert fetched.status_code == 200 and fetched.json() == "DC0_H0_VM0", fetched.text
    bad = js.post("VirtualMachine", vm, "Fetch", {"prop": "config.__class__"})
    assert bad.status_code == 500 and bad.json()["_typeName"] == "InvalidProperty", bad.text


def test_retrieve_properties_boxes_any_type_values(js):
    vm = js.vm_id("DC0_H0_VM1")
    r = js.post("PropertyCollector", "propertyCollector", "RetrievePropertiesEx", {
        "specSet": [{"_typeName": "PropertyFilterSpec",
                     "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine",
                                  "pathSet": ["name", "runtime.powerState", "datastore",
                                              "summary.config.numCpu"]}],
                     "objectSet": [{"_typeName": "ObjectSpec",
                                    "obj": moref("VirtualMachine", vm)}]}],
        "options": {"_typeName": "RetrieveOptions"}})
    assert r.status_code == 200
    [content] = r.json()["objects"]
    props = {p["name"]: p["val"] for p in content["propSet"]}
    assert props["name"] == {"_typeName": "string", "_value": "DC0_H0_VM1"}
    assert props["runtime.powerState"] == {"_typeName": "VirtualMachinePowerState",
                                           "_value": "poweredOn"}
    assert props["datastore"]["_typeName"] == "ArrayOfManagedObjectReference"
    assert props["datastore"]["_value"][0]["type"] == "Datastore"
    assert props["summary.config.numCpu"] == {"_typeName": "int", "_value": 1}


def test_retrieve_properties_answers_whole_or_with_the_traversal_fault(js):
    def retrieve(obj):
        return js.post("PropertyCollector", "propertyCollector", "RetrieveProperties", {
            "specSet": [{"_typeName": "PropertyFilterSpec",
                         "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine",
                                      "pathSet": ["name"]}],
                         "objectSet": [{"_typeName": "ObjectSpec", "obj": obj}]}]})
    r = retrieve(moref("VirtualMachine", js.vm_id("DC0_H0_VM1")))
    assert r.status_code == 200
    assert [c["propSet"][0]["val"]["_value"] for c in r.json()] == ["DC0_H0_VM1"]
    missing = retrieve(moref("VirtualMachine", "vm-99999"))
    assert missing.status_code == 500
    assert missing.json()["_typeName"] == "ManagedObjectNotFound"


def test_customization_workflow_with_task_polling(emulator, js):
    vm = js.vm_id("DC0_C0_RP0_VM0")
    r = js.customize(vm)
    assert r.status_code == 200
    task = r.json()
    assert task["_typeName"] == "ManagedObjectReference" and task["type"] == "Task"
    states = []
    for _ in range(10):
        info = js.task_info(task["value"])
        states.append(info["state"])
        if info["state"] in ("success", "error"):
            break
        emulator.advance(0.25)
    assert states[0] == "running" and states[-1] == "success"
    assert info["name"] == "CustomizeGuest_Task"
    assert info["entity"] == moref("VirtualMachine", vm)
    assert info["queueTime"].endswith("Z") and "result" not in info
    emulator.advance(1)
    custom = js.get("VirtualMachine", vm, "guest").json()["customizationInfo"]
    assert custom["customizationStatus"] == "TOOLSDEPLOYPKG_RUNNING" and "startTime" in custom
    abort = js.customize(vm, "AbortCustomization_Task").json()
    emulator.advance(1)
    assert js.task_info(abort["value"])["state"] == "success"
    custom = js.get("VirtualMachine", vm, "guest").json()["customizationInfo"]
    assert custom["customizationStatus"] == "TOOLSDEPLOYPKG_FAILED"
    assert custom["errorMsg"] == "The guest customization was aborted."
    net = js.customize(vm, "StartGuestNetwork_Task").json()
    emulator.advance(1)
    assert js.task_info(net["value"])["state"] == "success"


def test_instant_clone_over_json(emulator, js):
    src = js.vm_id("DC0_H0_VM0")
    r = js.post("VirtualMachine", src, "InstantClone_Task", {"spec": {
        "_typeName": "VirtualMachineInstantCloneSpec", "name": "json-clone",
        "location": {"_typeName": "VirtualMachineRelocateSpec"}}})
    assert r.status_code == 200, r.text
    emulator.advance(1)
    info = js.task_info(r.json()["value"])
    assert info["state"] == "success"
    clone = info["result"]
    assert clone["_typeName"] == "ManagedObjectReference" and clone["type"] == "VirtualMachine"
    assert js.get("VirtualMachine", clone["value"], "name").json() == "json-clone"
    body = fault(js.post("VirtualMachine", src, "InstantClone_Task", {"spec": {
        "_typeName": "VirtualMachineInstantCloneSpec", "name": "json-clone",
        "location": {"_typeName": "VirtualMachineRelocateSpec"}}}), "DuplicateName")
    assert body["name"] == "json-clone"


def test_host_side_fault_matrix_over_json(emulator, js):
    vm = js.vm_id("DC0_H0_VM1")
    for method in ("CustomizeGuest_Task", "AbortCustomization_Task", "StartGuestNetwork_Task"):
        fault(js.customize(js.vm_id("DC0_C0_RP0_NoTools"), method), "InvalidState")
        reset = js.post("VirtualMachine", vm, "ResetVM_Task").json()
        body = fault(js.customize(vm, method), "TaskInProgress")
        assert body["task"] == reset
        emulator.advance(4)  # the reset ends and Tools come back
        body = fault(js.customize("vm-9999", method), "ManagedObjectNotFound")
        assert body["obj"] == moref("VirtualMachine", "vm-9999")
        r = js.post("VirtualMachineGuestCustomizationManager", "GuestCustomizationManager",
                    method, {"vm": moref("HostSystem", "host-20"), "auth": ROOT_AUTH,
                             **({"spec": linux_spec()} if method == "CustomizeGuest_Task" else {})})
        assert fault(r, "InvalidArgument")["invalidProperty"] == "vm"
    js.post("VirtualMachine", vm, "PowerOffVM_Task")
    emulator.advance(1)
    for method in ("CustomizeGuest_Task", "AbortCustomization_Task", "StartGuestNetwork_Task"):
        body = fault(js.customize(vm, method), "InvalidPowerState")
        assert (body["requestedState"], body["existingState"]) == ("poweredOn", "poweredOff")


def test_guest_side_faults_fail_the_task_over_json(emulator, js):
    vm = js.vm_id("DC0_H0_VM0")
    for auth, type_name in (({**ROOT_AUTH, "password": "bad"}, "InvalidGuestLogin"),
                            ({**ROOT_AUTH, "username": "guest", "password": "guest"},
                             "GuestPermissionDenied")):
        task = js.customize(vm, auth=auth).json()
        emulator.advance(1)
        info = js.task_info(task["value"])
        assert info["state"] == "error"
        assert info["error"]["_typeName"] == "LocalizedMethodFault"
        assert info["error"]["fault"]["_typeName"] == type_name
        assert info["error"]["localizedMessage"]


def test_spec_and_privilege_faults_over_json(emulator, js):
    vm = js.vm_id("DC0_H0_VM0")
    body = fault(js.customize(vm, spec=linux_spec(nics=2)), "NicSettingMismatch")
    assert (body["numberOfNicsInSpec"], body["numberOfNicsInVM"]) == (2, 1)
    windows = linux_spec()
    windows["identity"] = {"_typeName": "CustomizationSysprepText", "value": "<unattend/>"}
    body = fault(js.customize(vm, spec=windows), "UncustomizableGuest")
    assert body["uncustomizableGuestOS"] == "otherLinux64Guest"
    readonly = Json(emulator)
    readonly.login("readonly", "readonly")
    body = fault(readonly.customize(vm), "NoPermission")
    assert body["object"] == moref("VirtualMachine", vm)
    assert body["privilegeId"] == "VirtualMachine.Provisioning.Customize"
    assert body["missingPrivileges"][0]["privilegeIds"] == ["VirtualMachine.Provisioning.Customize"]


@pytest.mark.parametrize("raw, type_name", [
    (b"{not json", "InvalidRequest"),
    (b"[1, 2]", "InvalidRequest"),
    (b'{"vm": "vm-1"}', "InvalidRequest"),
    (b'{"vm": {"type": "VirtualMachine", "value": "vm-21"}, "auth": {"_typeName": '
     b'"NoSuchAuthentication"}}', "InvalidType"),
    (b'{"vm": {"type": "VirtualMachine", "value": "vm-21"}, "auth": {"_typeName": '
     b'"CustomizationSpec"}}', "InvalidType"),
    (b'{"vm": {"type": "VirtualMachine", "value": "vm-21"}}', "InvalidRequest"),
    (b'{"vm": {"type": "VirtualMachine", "value": "vm-21"}, "auth": {"_typeName": '
     b'"NamePasswordAuthentication", "interactiveSession": "no", "username": "root", '
     b'"password": "vmware"}}', "InvalidRequest"),
    (b'{"vm": {"type": "VirtualMachine", "value": "vm-21"}, "bogus": 1}', "InvalidRequest"),
    (b'{"vm": {"type": "VirtualMachine", "value": "vm-21"}, "auth": {"_typeName": '
     b'{"a": [1]}}}', "InvalidRequest"),
], ids=["bad-json", "not-an-object", "moref-as-string", "unknown-type", "wrong-type",
        "missing-required", "wrong-value-type", "unknown-parameter", "type-name-not-a-string"])
def test_bad_input_is_a_json_fault(js, raw, type_name):
    r = js.post("VirtualMachineGuestCustomizationManager", "GuestCustomizationManager",
                "StartGuestNetwork_Task", raw=raw)
    body = fault(r, type_name)
    assert "{'a'" not in r.text and "[1]" not in r.text, body  # no Python text of the value


def test_unknown_release_type_object_method_and_property(emulator, js):
    fault(Json(emulator, "7.0.3.0").get("ServiceInstance", "ServiceInstance", "content"),
          "InvalidRequest")
    fault(Json(emulator, "nonsense").get("ServiceInstance", "ServiceInstance", "content"),
          "InvalidRequest")
    fault(js.get("NoSuchType", "x-1", "name"), "ManagedObjectNotFound")
    fault(js.get("VirtualMachine", "vm-9999", "name"), "ManagedObjectNotFound")
    fault(js.post("Folder", "group-d1", "Frobnicate", {}), "InvalidRequest")
    body = fault(js.post("Folder", "group-d1", "PowerOnVM_Task", {}), "MethodNotFound")
    assert body["method"] == "PowerOnVM_Task"
    assert fault(js.get("Folder", "group-d1", "nosuch"), "InvalidProperty")["name"] == "nosuch"
    r = requests.get(emulator.base + "/sdk/vim25/8.0.2.0/Folder", headers=js.headers, timeout=10)
    fault(r, "InvalidRequest")


def test_release_8_0_1_and_later_are_served(emulator):
    for release in ("8.0.1.0", "8.0.2.0", "8.0.3.0"):
        r = Json(emulator, release).get("ServiceInstance", "ServiceInstance", "content")
        assert r.status_code == 200


def test_any_type_parameters_are_unboxed(emulator, js):
    vm = js.vm_id("DC0_H0_VM0")
    r = js.post("VirtualMachineGuestCustomizationManager", "GuestCustomizationManager",
                "CustomizeGuest_Task", {
                    "vm": moref("VirtualMachine", vm), "auth": ROOT_AUTH, "spec": linux_spec(),
                    "configParams": [{"_typeName": "OptionValue", "key": "retries",
                                      "value": {"_typeName": "int", "_value": 3}},
                                     {"_typeName": "OptionValue", "key": "mode",
                                      "value": {"_typeName": "string", "_value": "fast"}}]})
    assert r.status_code == 200, r.text
    emulator.advance(1)
    kept = emulator.vc.objects[vm].customization.config_params
    assert [(o.key, o.value) for o in kept] == [("retries", 3), ("mode", "fast")]


def test_started_over_json_seen_over_soap_and_the_reverse(emulator, js, si):
    vm = js.vm_id("DC0_C0_RP0_VM1")
    js.customize(vm)
    emulator.advance(1)
    pv_vm = find_vm(si, "DC0_C0_RP0_VM1")
    assert pv_vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_PENDING"
    [task] = [t for t in pv_vm.recentTask if t.info.name.info.wsdlName == "CustomizeGuest_Task"]
    assert task.info.state == "success"
    other = find_vm(si, "DC0_H0_VM1")
    auth = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
    soap_task = si.content.guestCustomizationManager.StartGuestNetwork_Task(vm=other, auth=auth)
    info = js.task_info(soap_task._moId)
    assert info["state"] == "running" and info["entity"]["value"] == other._moId
    emulator.advance(1)
    assert js.task_info(soap_task._moId)["state"] == "success"


def test_wait_for_updates_ex_over_json(emulator, js):
    vm = js.vm_id("DC0_H0_VM0")
    task = js.post("VirtualMachine", vm, "PowerOffVM_Task").json()
    pc = ("PropertyCollector", "propertyCollector")
    r = js.post(*pc, "CreateFilter", {"spec": {
        "_typeName": "PropertyFilterSpec",
        "propSet": [{"_typeName": "PropertySpec", "type": "Task", "pathSet": ["info.state"]}],
        "objectSet": [{"_typeName": "ObjectSpec", "obj": task}]}, "partialUpdates": False})
    assert r.json()["type"] == "PropertyFilter"
    first = js.post(*pc, "WaitForUpdatesEx", {"options": {"_typeName": "WaitOptions",
                                                          "maxWaitSeconds": 0}}).json()
    change = first["filterSet"][0]["objectSet"][0]["changeSet"][0]
    assert change["val"] == {"_typeName": "TaskInfoState", "_value": "running"}
    none = js.post(*pc, "WaitForUpdatesEx", {"version": first["version"], "options": {
        "_typeName": "WaitOptions", "maxWaitSeconds": 0}})
    assert none.status_code == 204
    emulator.advance(1)
    later = js.post(*pc, "WaitForUpdatesEx", {"version": first["version"], "options": {
        "_typeName": "WaitOptions", "maxWaitSeconds": 0}}).json()
    assert later["filterSet"][0]["objectSet"][0]["changeSet"][0]["val"]["_value"] == "success"
