"""The bytes on the wire, checked with a plain HTTP client: faults, cookies, bad input."""
import re

import pytest
import requests
from lxml import etree

NS = {"soapenv": "http://schemas.xmlsoap.org/soap/envelope/", "vim": "urn:vim25",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
ENVELOPE = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>%s</soapenv:Body>'
            '</soapenv:Envelope>')
LOGIN = ('<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>'
         '<userName>%s</userName><password>%s</password></Login>')


def post(emulator, body, cookie=None, raw=False):
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"urn:vim25/8.0.3.0"'}
    if cookie:
        headers["Cookie"] = cookie
    data = body if raw else (ENVELOPE % body).encode()
    return requests.post(emulator.base + "/sdk", data=data, headers=headers, timeout=10)


def fault_of(response):
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    fault = root.find("soapenv:Body/soapenv:Fault", NS)
    assert fault.find("faultcode").text == "ServerFaultCode"
    detail = fault.find("detail")
    [element] = list(detail)
    assert "Traceback" not in response.text
    return fault.find("faultstring").text, element


def login(emulator, user="user", pwd="pass"):
    response = post(emulator, LOGIN % (user, pwd))
    assert response.status_code == 200
    return response


def test_versions_document_for_smartconnect(emulator):
    response = requests.get(emulator.base + "/sdk/vimServiceVersions.xml", timeout=10)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == "namespaces" and root.get("version") == "1.0"
    assert root.findtext("namespace/name") == "urn:vim25"
    assert root.findtext("namespace/version") == "8.0.3.0"
    assert "7.0.3.0" in [v.text for v in root.findall("namespace/priorVersions/version")]


def test_login_sets_the_vcenter_session_cookie(emulator):
    response = login(emulator)
    cookie = response.headers["Set-Cookie"]
    assert re.fullmatch(r'vmware_soap_session="[0-9a-f]{40}"; Path=/; HttpOnly; ', cookie)
    root = etree.fromstring(response.content)
    returnval = root.find("soapenv:Body/vim:LoginResponse/vim:returnval", NS)
    assert returnval.findtext("vim:userName", namespaces=NS) == "user"
    # pyVmomi echoes the whole Set-Cookie value back; that must still identify the session.
    echoed = post(emulator, '<Fetch xmlns="urn:vim25"><_this type="SessionManager">'
                  'SessionManager</_this><prop>currentSession</prop></Fetch>', cookie=cookie)
    assert echoed.status_code == 200
    value = etree.fromstring(echoed.content).find("soapenv:Body/vim:FetchResponse/vim:returnval", NS)
    assert value.get(XSI_TYPE) == "UserSession"


def test_https_cookie_is_secure(make_emulator, tmp_path):
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))
    response = requests.post(emulator.base + "/sdk", data=(ENVELOPE % (LOGIN % ("user", "pass"))),
                             headers={"SOAPAction": "urn:vim25/8.0.3.0"}, verify=False,
                             timeout=10)
    assert response.status_code == 200
    assert response.headers["Set-Cookie"].endswith("HttpOnly; Secure; ")


def test_fault_shape_is_vcenters(emulator):
    faultstring, element = fault_of(post(emulator, LOGIN % ("user", "nope")))
    assert faultstring == "Cannot complete login due to an incorrect user name or password."
    assert element.tag == "{urn:vim25}InvalidLoginFault"
    assert element.get(XSI_TYPE) == "InvalidLogin"
    assert element.find("{urn:vim25}msg") is None


def test_invalid_power_state_fault_fields(emulator):
    cookie = login(emulator).headers["Set-Cookie"]
    vm = next(v for v in emulator.vc.objects.values() if getattr(v, "name", "") == "DC0_H0_VM0")
    emulator.call(vm.set_power, "poweredOff")
    faultstring, element = fault_of(post(
        emulator, '<ShutdownGuest xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this>'
        '</ShutdownGuest>' % vm.moid, cookie=cookie))
    assert faultstring == ("The attempted operation cannot be performed in the current state "
                           "(Powered off).")
    assert element.tag == "{urn:vim25}InvalidPowerStateFault"
    assert element.get(XSI_TYPE) == "InvalidPowerState"
    assert [(c.tag, c.text) for c in element] == [("{urn:vim25}requestedState", "poweredOff"),
                                                   ("{urn:vim25}existingState", "poweredOff")]


def test_no_session_is_not_authenticated(emulator):
    faultstring, element = fault_of(post(
        emulator, '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">'
        'propertyCollector</_this></RetrievePropertiesEx>'))
    assert element.get(XSI_TYPE) == "NotAuthenticated"
    assert faultstring == "The session is not authenticated."
    assert element.findtext("{urn:vim25}privilegeId") == "System.View"
    assert element.find("{urn:vim25}object").get("type") == "PropertyCollector"


def logged_in_fault(emulator, body):
    """The fault a logged-in client gets for ``body``."""
    return fault_of(post(emulator, body, cookie=login(emulator).headers["Set-Cookie"]))


def test_missing_required_argument_is_invalid_request(emulator):
    _, element = logged_in_fault(
        emulator, '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">'
        'propertyCollector</_this></RetrievePropertiesEx>')
    assert element.get(XSI_TYPE) == "InvalidRequest"


def test_a_nil_argument_is_one_not_given_and_this_is_named_once(emulator):
    cookie = login(emulator).headers["Set-Cookie"]
    folder = '<_this type="Folder">group-d1</_this>'
    # a required argument sent nil is missing (it reached the model as "")
    said, element = fault_of(post(emulator, '<CreateFolder xmlns="urn:vim25">%s<name '
                                  'xsi:nil="true"/></CreateFolder>' % folder, cookie=cookie))
    assert element.get(XSI_TYPE) == "InvalidRequest" and "name" in said
    said, element = fault_of(post(emulator, '<CreateFolder xmlns="urn:vim25">%s%s<name>x'
                                  '</name></CreateFolder>' % (folder, folder), cookie=cookie))
    assert element.get(XSI_TYPE) == "InvalidRequest"
    # an optional one, or a data object's optional field, sent nil is unset
    answer = post(emulator, '<RetrieveServiceContent xmlns="urn:vim25"><_this type='
                  '"ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>')
    assert answer.status_code == 200
    spec = ('<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">'
            'propertyCollector</_this><specSet><propSet><type>Folder</type><all xsi:nil="true"/>'
            '<pathSet>name</pathSet></propSet><objectSet><obj type="Folder">group-d1</obj>'
            '<skip xsi:nil="true"/></objectSet></specSet><options><maxObjects xsi:nil="true"/>'
            '</options></RetrievePropertiesEx>')
    answer = post(emulator, spec, cookie=cookie)
    assert answer.status_code == 200 and b"<val xsi:type=\"xsd:string\">Datacenters</val>" \
        in answer.content, answer.text


def test_unknown_type_name_is_invalid_argument(emulator):
    _, element = logged_in_fault(
        emulator, '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager'
        '</_this><container type="Folder">group-d1</container><type>NoSuchType</type>'
        '<recursive>true</recursive></CreateContainerView>')
    assert element.get(XSI_TYPE) == "InvalidArgument"
    assert element.findtext("{urn:vim25}invalidProperty") == "type"


def test_a_method_of_another_type_is_method_not_found(emulator):
    _, element = logged_in_fault(
        emulator, '<PowerOnVM_Task xmlns="urn:vim25"><_this type="Folder">group-d1</_this>'
        '</PowerOnVM_Task>')
    assert element.get(XSI_TYPE) == "MethodNotFound"
    assert element.findtext("{urn:vim25}method") == "PowerOnVM_Task"


def test_a_method_the_schema_lacks_is_invalid_request(emulator):
    message, element = logged_in_fault(
        emulator, '<Frobnicate xmlns="urn:vim25"><_this type="Folder">group-d1</_this>'
        '</Frobnicate>')
    assert element.get(XSI_TYPE) == "InvalidRequest"
    assert message == "Unable to resolve WSDL method name Frobnicate for namespace name urn:vim25"


def test_wrong_value_type_is_invalid_request(emulator):
    _, element = logged_in_fault(
        emulator, '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager'
        '</_this><container type="Folder">group-d1</container><type>VirtualMachine</type>'
        '<recursive>perhaps</recursive></CreateContainerView>')
    assert element.get(XSI_TYPE) == "InvalidRequest"


@pytest.mark.parametrize("body", [
    b"<not xml",
    b"",
    b'<?xml version="1.0"?><Envelope><Body/></Envelope>',
    (ENVELOPE % "").encode(),
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b'<soapenv:Body><Login xmlns="urn:vim25"><userName>&lol2;</userName></Login>'
    b'</soapenv:Body></soapenv:Envelope>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
], ids=["malformed", "empty", "not-soap", "empty-body", "entities", "external-entity"])
def test_bad_xml_gets_a_fault_and_the_server_keeps_serving(emulator, body):
    faultstring, element = fault_of(post(emulator, body, raw=True))
    assert element.get(XSI_TYPE) == "InvalidRequest"
    assert "root:" not in faultstring
    login(emulator)


def test_body_over_the_cap_is_413(make_emulator):
    emulator = make_emulator(clock="virtual", max_body=4096)
    response = post(emulator, LOGIN % ("user", "x" * 5000))
    assert response.status_code == 413
    assert "Traceback" not in response.text
    login(emulator)


def test_get_on_sdk_is_not_a_traceback(emulator):
    response = requests.get(emulator.base + "/sdk", timeout=10)
    assert response.status_code == 405
    assert requests.get(emulator.base + "/nowhere", timeout=10).status_code == 404


def test_moref_argument_of_the_wrong_type_is_invalid_argument(emulator):
    cookie = login(emulator).headers["Set-Cookie"]
    vm = next(v for v in emulator.vc.objects.values() if getattr(v, "name", "") == "DC0_H0_VM1")
    emulator.call(emulator.vc.lookup(vm.ref).set_power, "poweredOff")
    _, element = fault_of(post(
        emulator, '<PowerOnVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this>'
        '<host type="Folder">group-d1</host></PowerOnVM_Task>' % vm.moid, cookie=cookie))
    assert element.get(XSI_TYPE) == "InvalidArgument"
    assert element.findtext("{urn:vim25}invalidProperty") == "host"


def test_answers_leave_out_fields_newer_than_the_clients_version(emulator):
    cookie = login(emulator).headers["Set-Cookie"]
    vm = next(v for v in emulator.vc.objects.values() if getattr(v, "name", "") == "DC0_H0_VM0")
    fetch = ('<Fetch xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this>'
             '<prop>runtime</prop></Fetch>' % vm.moid)

    def runtime_fields(version):
        response = requests.post(emulator.base + "/sdk", data=ENVELOPE % fetch, timeout=10,
                                 headers={"SOAPAction": "urn:vim25/%s" % version,
                                          "Cookie": cookie})
        assert response.status_code == 200
        value = etree.fromstring(response.content).find(
            "soapenv:Body/vim:FetchResponse/vim:returnval", NS)
        assert value.get(XSI_TYPE) == "VirtualMachineRuntimeInfo"
        return [etree.QName(c).localname for c in value]

    newest = runtime_fields("8.0.3.0")
    assert "instantCloneFrozen" in newest  # vSphere 6.7
    assert newest.index("host") < newest.index("powerState") < newest.index("paused")
    old = runtime_fields("6.5")
    assert "instantCloneFrozen" not in old and "powerState" in old
