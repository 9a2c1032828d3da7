"""Input is validated once, at the codec (issue 14, items 2, 5 and 8): values the schema does
not allow are refused in vCenter's words before they reach the model, so that the state file
can always store it and SOAP can always write it."""
import json
import os
import signal
import subprocess
import sys

import requests
from pyVmomi import vim, vmodl

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


def test_property_paths_are_the_schemas_never_python_attributes(emulator, si):
    """A path is checked against the schema to its last part: ``config.__class__`` (which
    answered XML that was not well-formed), ``config.__dict__`` (the model's internals) and
    made-up or empty parts are InvalidProperty, through Fetch, RetrievePropertiesEx and
    CreateFilter alike; and no made-up path is kept by the server."""
    from vimsim.vim25.types import REGISTRY
    vm = find_vm(si, "DC0_H0_VM0")
    pc = si.content.propertyCollector
    cached = len(REGISTRY._property_fields)
    for path in ("config.__class__", "config.__dict__", "runtime.__init__",
                 "config.hardware.__len__", "config.nosuch", "name.", "config..hardware",
                 "capability.__module__"):
        spec = vim.PropertyFilterSpec(objectSet=[vim.ObjectSpec(obj=vm)], propSet=[
            vim.PropertySpec(type=vim.VirtualMachine, pathSet=[path])])
        for call in (lambda: pc.RetrievePropertiesEx([spec], vim.RetrieveOptions()),
                     lambda: pc.CreateFilter(spec, partialUpdates=False)):
            try:
                call()
                raise AssertionError("%s was taken" % path)
            except vmodl.query.InvalidProperty as fault:
                assert fault.name == path
        fetched = soap(emulator.base, '<Fetch xmlns="urn:vim25"><_this type="VirtualMachine">'
                       '%s</_this><prop>%s</prop></Fetch>' % (vm._moId, path),
                       cookies={"vmware_soap_session": si._stub.cookie.split('"')[1]})
        assert fetched.status_code == 500 and b"InvalidPropertyFault" in fetched.content
        etree_root = __import__("lxml.etree").etree.fromstring(fetched.content)  # well-formed
        assert etree_root is not None
    assert len(REGISTRY._property_fields) == cached
    assert vm.config.hardware.numCPU == 1  # what the schema has is still answered


def test_extra_config_holds_text_only(emulator, si):
    """An option value that is a data object or an array is refused (it was kept as Python's
    text: VirtualMachineConfigSpec(numCPUs=1)); numbers are kept as the text they are."""
    vm = find_vm(si, "DC0_H0_VM0")
    from pyVmomi import VmomiSupport
    for value in (vim.vm.ConfigSpec(numCPUs=1), VmomiSupport.GetVmodlType("string[]")(["a"])):
        spec = vim.vm.ConfigSpec(extraConfig=[vim.option.OptionValue(key="bad", value=value)])
        try:
            task = vm.ReconfigVM_Task(spec)
            emulator.advance(5)
            assert task.info.state == "error", value
            fault = task.info.error
        except vim.fault.InvalidArgument as raised:
            fault = raised
        assert isinstance(fault, vmodl.fault.InvalidArgument) and \
            fault.invalidProperty == "spec.extraConfig"
    assert "bad" not in {o.key for o in vm.config.extraConfig}
    task = vm.ReconfigVM_Task(vim.vm.ConfigSpec(extraConfig=[
        vim.option.OptionValue(key="count", value=3),
        vim.option.OptionValue(key="enabled", value=True),
        vim.option.OptionValue(key="ratio", value=100.0),
        vim.option.OptionValue(key="share", value=0.25),
        vim.option.OptionValue(key="size", value=VmomiSupport.long(2 ** 40))]))
    emulator.advance(5)
    assert task.info.state == "success", task.info.error
    extra = {o.key: o.value for o in vm.config.extraConfig}
    # as XML Schema writes them, not as Python does ("True", "100.0")
    assert (extra["count"], extra["enabled"], extra["ratio"], extra["share"], extra["size"]) == \
        ("3", "true", "100", "0.25", str(2 ** 40))


def test_noaccess_reads_no_performance_data_specs_or_licensed_entities(emulator, si):
    noaccess = emulator.connect("noaccess", "noaccess")
    content = noaccess.content
    vm = vim.VirtualMachine(find_vm(si, "DC0_H0_VM0")._moId, noaccess._stub)
    perf = content.perfManager
    for call in (lambda: perf.QueryPerfProviderSummary(vm),
                 lambda: perf.QueryAvailablePerfMetric(vm),
                 lambda: perf.QueryPerf([vim.PerformanceManager.QuerySpec(entity=vm)])):
        try:
            call()
            raise AssertionError("answered")
        except vim.fault.NoPermission as fault:
            assert fault.privilegeId == "System.Read" and fault.object._moId == vm._moId
    try:
        content.customizationSpecManager.info
        raise AssertionError("answered")
    except vim.fault.NoPermission as fault:
        assert fault.privilegeId == "VirtualMachine.Provisioning.ReadCustSpecs"
    licenses = content.licenseManager.licenseAssignmentManager
    assert [a.entityId for a in licenses.QueryAssignedLicenses()
            if a.entityId.startswith("host-")] == []
    assert si.content.perfManager.QueryPerfProviderSummary(find_vm(si, "DC0_H0_VM0"))
    assert any(a.entityId.startswith("host-") for a in
               si.content.licenseManager.licenseAssignmentManager.QueryAssignedLicenses())


def test_a_spec_document_holds_the_values_soap_would_take(emulator, si):
    """XmlToCustomizationSpecItem reads numbers as a SOAP request's are read (in range, in
    XML Schema's form: not Python's 1_0) and takes no DTD."""
    C = vim.vm.customization
    specs = si.content.customizationSpecManager
    item = vim.CustomizationSpecItem(
        info=vim.CustomizationSpecInfo(name="win", description="", type="Windows"),
        spec=C.Specification(identity=C.Sysprep(
            guiUnattended=C.GuiUnattended(timeZone=85, autoLogon=False, autoLogonCount=1),
            userData=C.UserData(fullName="a", orgName="b", computerName=C.FixedName(name="w"),
                                productId=""),
            identification=C.Identification()), globalIPSettings=C.GlobalIPSettings()))
    xml = specs.CustomizationSpecItemToXml(item)
    assert "<timeZone>85</timeZone>" in xml
    assert specs.XmlToCustomizationSpecItem(xml).spec.identity.guiUnattended.timeZone == 85
    for bad in (xml.replace("<timeZone>85<", "<timeZone>99999999999999999999999<"),
                xml.replace("<timeZone>85<", "<timeZone>8_5<"),
                xml.replace("<timeZone>85<", "<timeZone>\u0668\u0665<"),  # Arabic-Indic digits
                xml.replace("<ConfigRoot>", '<!DOCTYPE ConfigRoot [<!ENTITY e "x">]><ConfigRoot>',
                            1)):
        assert bad != xml
        try:
            specs.XmlToCustomizationSpecItem(bad)
            raise AssertionError("taken: %s" % bad[:80])
        except vim.fault.CustomizationFault:
            pass
