"""Type-confused arguments for every served vim25 method, from the schema, over SOAP and
VI/JSON (issue 14, "Tests"): each answer is a well-formed vim25 fault (or an answer), never
Python's words, and afterwards the state is sound: every VM lists and a snapshot stores."""
import json
from xml.sax.saxutils import escape

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from vimsim.model.objects import MANAGED_TYPES
from vimsim.vim25.types import REGISTRY

# Methods that wait for the clock or end the session: they would block or log the fuzzer out.
SKIPPED = {"WaitForUpdates", "WaitForUpdatesEx", "Logout", "TerminateSession",
           "WaitForUpdates_Task", "CancelWaitForUpdates"}
PYTHON_WORDS = ("Traceback", "object has no attribute", "unhashable type", "has no len()",
                "NoneType", "XML_PARSE_HUGE", "codec can't", "not JSON serializable")


def served():
    """(managed type, method, param) of every served method's parameters, sorted."""
    found = []
    for type_name, cls in sorted(MANAGED_TYPES.items()):
        for name, method in sorted(REGISTRY.managed[type_name].methods.items()):
            if callable(getattr(cls, name, None)) and name not in SKIPPED:
                for param in method.params or [None]:
                    found.append((type_name, name, param.name if param else None))
    return found


SERVED = served()
# Wrong values for any slot: a DataObject where a primitive goes, primitives where a data
# object goes, arrays for scalars, numbers out of range, text XML cannot carry.
SOAP_VALUES = ['<%s xsi:type="DynamicData"/>', '<%s xsi:type="xsd:int">99999999999999999999</%s>',
               '<%s>not-a-number</%s>', '<%s xsi:type="ManagedObjectReference" type="Folder">'
               'group-d1</%s>', '<%s><%s>nested</%s></%s>', '<%s>NaN</%s>',
               '<%s xsi:type="NoSuchType"/>', '<%s xsi:type="xsd:dateTime">yesterday</%s>']
JSON_VALUES = [{"_typeName": "DynamicData"}, 10 ** 30, "not-a-number", [1, [2]], {"a": 1},
               "bell\u0007", {"_typeName": "ManagedObjectReference", "type": "Folder",
                              "value": "group-d1"}, True, {"_typeName": 7}]
FUZZ = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
ENVELOPE = ('<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/'
            'soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>%s</soapenv:Body>'
            '</soapenv:Envelope>')


def this_of(vc, type_name):
    obj = next((o for o in vc.objects.values() if o.vim_type == type_name), None)
    return obj.moid if obj is not None else "no-such-object"


def sound(emulator, si):
    from pyVmomi import vim
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    assert all(vm.name for vm in view.view)
    json.dumps(emulator.call(emulator.server.snapshot))


@FUZZ
@given(call=st.sampled_from(SERVED), value=st.sampled_from(SOAP_VALUES))
def test_type_confused_soap_arguments(emulator, si, call, value):
    type_name, method, param = call
    cookie = si._stub.cookie
    moid = this_of(emulator.vc, type_name)
    inner = value.replace("%s", param) if param else ""
    body = ENVELOPE % ('<%s xmlns="urn:vim25"><_this type="%s">%s</_this>%s</%s>'
                       % (method, type_name, escape(moid), inner, method))
    response = requests.post(emulator.base + "/sdk", data=body.encode(), timeout=30,
                             headers={"Cookie": cookie, "Content-Type": "text/xml"})
    assert response.status_code in (200, 500), response.text
    root = etree.fromstring(response.content)  # well-formed XML, always
    if response.status_code == 500:
        detail = root.find(".//detail")
        assert detail is not None and len(detail), response.text
        assert root.find(".//faultcode").text == "ServerFaultCode"
    assert not any(w in response.text for w in PYTHON_WORDS), response.text
    sound(emulator, si)


@FUZZ
@given(call=st.sampled_from(SERVED), value=st.sampled_from(JSON_VALUES))
def test_type_confused_vi_json_arguments(emulator, si, call, value):
    type_name, method, param = call
    login = requests.post(emulator.base + "/sdk/vim25/8.0.2.0/SessionManager/SessionManager/"
                          "Login", json={"userName": "user", "password": "pass"}, timeout=10)
    token = login.headers["vmware-api-session-id"]
    url = "%s/sdk/vim25/8.0.2.0/%s/%s/%s" % (emulator.base, type_name,
                                              this_of(emulator.vc, type_name), method)
    response = requests.post(url, json={param: value} if param else {}, timeout=30,
                             headers={"vmware-api-session-id": token})
    assert response.status_code in (200, 204, 500), response.text
    if response.status_code == 500:
        assert isinstance(response.json().get("_typeName"), str), response.text
        assert response.json()["_typeName"] in REGISTRY.data
    assert not any(w in response.text for w in PYTHON_WORDS), response.text
    sound(emulator, si)
