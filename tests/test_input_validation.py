"""Input is validated once, at the codec (issue 14, items 2, 5 and 8): values the schema does
not allow are refused in vCenter's words before they reach the model, so that the state file
can always store it and SOAP can always write it."""
import json
import os
import signal
import subprocess
import sys

import requests
from pyVmomi import vim

from conftest import find_vm
from test_jsonapi import Json, moref
from test_rest import Rest

LOGIN = ('<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>'
         '<userName>user</userName><password>pass</password></Login>')
ENVELOPE = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>%s'
            '</soapenv:Body></soapenv:Envelope>')


def soap(base, body, cookies=None):
    return requests.post(base + "/sdk", data=(ENVELOPE % body).encode("utf-8"),
                         headers={"Content-Type": "text/xml", "SOAPAction": "urn:vim25/8.0.2.0"},
                         cookies=cookies, timeout=30)


def customize_with_a_data_object_as_host_name(vm_moid):
    return ('<CustomizeGuest_Task xmlns="urn:vim25"><_this type="VirtualMachineGuestCustomization'
            'Manager">GuestCustomizationManager</_this><vm type="VirtualMachine">%s</vm><auth '
            'xsi:type="NamePasswordAuthentication"><interactiveSession>false</interactiveSession>'
            '<username>root</username><password>vmware</password></auth><spec><identity '
            'xsi:type="CustomizationLinuxPrep"><hostName xsi:type="CustomizationFixedName">'
            '<name xsi:type="DynamicData"/></hostName><domain>example.com</domain></identity>'
            '<globalIPSettings/></spec></CustomizeGuest_Task>' % vm_moid)


def test_a_type_that_does_not_fit_its_slot_never_reaches_the_state_file(tmp_path):
    """A DataObject in a string slot was accepted, became the VM's host name, and made the
    save at SIGTERM fail (exit 0, no state written, a .tmp left)."""
    state = tmp_path / "state.json"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    args = [sys.executable, "-m", "vimsim", "serve", "--port", "0", "--http", "--clock",
            "auto", "--state", str(state)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        url = proc.stdout.readline().strip().split("=", 1)[1]
        base = "http://" + url.split("@", 1)[1].rsplit("/sdk", 1)[0]
        login = soap(base, LOGIN)
        assert login.status_code == 200
        vms = requests.get(base + "/vimsim/v1/state", auth=("user", "pass"), timeout=10).json()
        vm = next(v for v in vms["vms"] if v["name"] == "DC0_H0_VM0")
        r = soap(base, customize_with_a_data_object_as_host_name(vm["moid"]), login.cookies)
        assert r.status_code == 500
        assert 'xsi:type="InvalidType"' in r.text and "Type Mismatch" in r.text, r.text
        assert "Traceback" not in r.text and "DataObject object" not in r.text
        after = requests.get(base + "/vimsim/v1/vms/DC0_H0_VM0", auth=("user", "pass"),
                             timeout=10).json()
        assert after["host_name"] == vm["host_name"]
        assert after["customization"]["status"] == "IDLE"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, proc.stderr.read()
    assert "Traceback" not in proc.stderr.read()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    saved = json.loads(state.read_text())
    assert saved["format"] >= 2
    again = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
    try:
        assert again.stdout.readline().startswith("VIMSIM_URL=")
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=30) == 0


def test_vi_json_refuses_what_xml_cannot_carry(emulator, si):
    js = Json(emulator)
    js.login()
    vm = js.vm_id("DC0_H0_VM0")
    for name in ("ic\u0001one", "ic\ud800two", "ic\uffffthree"):
        raw = json.dumps({"spec": {"_typeName": "VirtualMachineInstantCloneSpec", "name": name,
                                   "location": {"_typeName": "VirtualMachineRelocateSpec"}}})
        r = js.post("VirtualMachine", vm, "InstantClone_Task", raw=raw.encode())
        assert r.status_code == 500, r.text
        fault = r.json()
        assert fault["_typeName"] in ("InvalidRequest", "InvalidArgument"), fault
        assert "codec" not in r.text and "surrogate" not in r.text and "Traceback" not in r.text
    for bad in (b'{"spec": NaN}', b'{"spec": {"_typeName": 7}}'):
        r = js.post("VirtualMachine", vm, "InstantClone_Task", raw=bad)
        assert r.status_code == 500, r.text
        assert r.json()["_typeName"] in ("InvalidRequest", "InvalidType"), r.text
    # nothing was cloned, and pyVmomi still lists the inventory (its XML parser would fail
    # on a control character in a name)
    names = {v.name for v in si.content.viewManager.CreateContainerView(
        si.content.rootFolder, [vim.VirtualMachine], True).view}
    assert not any(n.startswith("ic") for n in names)
    assert find_vm(si, "DC0_H0_VM0").name == "DC0_H0_VM0"
    r = js.post("VirtualMachine", vm, "InstantClone_Task", {"spec": {
        "_typeName": "VirtualMachineInstantCloneSpec", "name": {"_typeName": "DynamicData"},
        "location": {"_typeName": "VirtualMachineRelocateSpec"}}})
    assert r.status_code == 500 and r.json()["_typeName"] in ("InvalidRequest", "InvalidType")
    assert moref  # the helper the other VI/JSON tests share


def test_rest_refuses_a_dict_or_a_number_as_an_ip_address(emulator, si):
    rest = Rest(emulator)
    vm = find_vm(si, "DC0_H0_VM0")
    task = vm.PowerOffVM_Task()
    emulator.advance(1)
    assert task.info.state == "success"
    url = "/api/vcenter/vm/%s/guest/customization" % vm._moId
    for address in ({"a": 1}, 7, "10.0.0.300", "10.0.0.1\u0001"):
        spec = {"configuration_spec": {"linux_config": {
            "hostname": {"type": "FIXED", "fixed_name": "web"}, "domain": "example.com"}},
            "interfaces": [{"adapter": {"ipv4": {"type": "STATIC", "ip_address": address,
                                                 "prefix": 24}}}]}
        r = rest.put(url, {"spec": spec})
        assert r.status_code == 400 and r.json()["error_type"] == "INVALID_ARGUMENT", r.text
        assert all(m["default_message"] for m in r.json()["messages"])
        assert "Traceback" not in r.text and "object has no" not in r.text
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_IDLE"


def test_lxml_words_do_not_reach_the_wire(emulator, si):
    base = emulator.base
    login = soap(base, LOGIN)
    big = "x" * (11 * 1024 * 1024)  # one text node over lxml's 10 MB default
    r = soap(base, '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">'
                   '%s</_this></RetrieveServiceContent>' % big, login.cookies)
    assert r.status_code == 500 and "InvalidRequest" in r.text
    assert "XML_PARSE_HUGE" not in r.text and "lxml" not in r.text
    requests.get(base + "/sdk/vimServiceVersions.xml", timeout=10).raise_for_status()
