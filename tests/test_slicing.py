"""One big request does not make everyone wait (issue 14, item 4): big work is done a slice at a
time (vimsim/frontend.py), RetrievePropertiesEx pages and WaitForUpdatesEx answers are bounded
in bytes as well as in objects, and what the sliced paths answer is exactly what building the
answer in one go gives.

The interleaving tests hold a big request at its first step of work until another client has
its answer, and check the big one still had its work ahead of it: order, not timing, so they
cannot flake on a slow machine. Timings are scripts/bench's (`scripts/bench --stalls`)."""
import json
import re
import threading

import pytest
import requests
from lxml import etree
from pyVmomi import vim, vmodl

from conftest import in_reactor
from test_http import LOGIN, RSC, is_service_content, post_head, raw, read_response, tls_socket
from vimsim import compat, frontend
from vimsim.model import dispatch, views
from vimsim.model.objects import Streamed, complete
from vimsim.model.sessions import CallContext
from vimsim.soap import envelope
from vimsim.soap.resource import SoapResource
from vimsim.jsonapi import codec as jsoncodec
from vimsim.jsonapi.codec import Encoder as JsonEncoder
from vimsim.vim25.data import MoRef
from vimsim.vim25.types import REGISTRY

PC = vmodl.query.PropertyCollector
RELEASE = "8.0.3.0"
SOAP_ENV = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi='
            '"http://www.w3.org/2001/XMLSchema-instance">%s<soapenv:Body>%s</soapenv:Body>'
            '</soapenv:Envelope>')
PC_THIS = '<_this type="PropertyCollector">propertyCollector</_this>'
# Every VM from the root folder, through datacenters and folders (no view: views are a
# session's own, and these requests are sent over raw sockets).
ALL_VMS = ('<objectSet><obj type="Folder">group-d1</obj><skip>true</skip><selectSet '
           'xsi:type="TraversalSpec"><name>all</name><type>Folder</type><path>childEntity</path>'
           '<skip>false</skip><selectSet><name>all</name></selectSet><selectSet '
           'xsi:type="TraversalSpec"><name>dc</name><type>Datacenter</type><path>vmFolder</path>'
           '<skip>false</skip><selectSet><name>all</name></selectSet></selectSet></selectSet>'
           '</objectSet>')
ALL_PROPERTIES = "<propSet><type>VirtualMachine</type><all>true</all></propSet>"
NAMES = "<propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>"


def soap(call, header=""):
    return (SOAP_ENV % (header, call)).encode()


def retrieve_properties(prop_set=ALL_PROPERTIES):
    return soap('<RetrieveProperties xmlns="urn:vim25">%s<specSet>%s%s</specSet>'
                '</RetrieveProperties>' % (PC_THIS, prop_set, ALL_VMS))


def retrieve_properties_ex(max_objects, prop_set=ALL_PROPERTIES):
    return soap('<RetrievePropertiesEx xmlns="urn:vim25">%s<specSet>%s%s</specSet><options>'
                '<maxObjects>%d</maxObjects></options></RetrievePropertiesEx>'
                % (PC_THIS, prop_set, ALL_VMS, max_objects))


def continue_retrieve(token):
    return soap('<ContinueRetrievePropertiesEx xmlns="urn:vim25">%s<token>%s</token>'
                '</ContinueRetrievePropertiesEx>' % (PC_THIS, token))


def create_filter(object_sets=ALL_VMS, prop_set=ALL_PROPERTIES):
    return soap('<CreateFilter xmlns="urn:vim25">%s<spec>%s%s</spec><partialUpdates>false'
                '</partialUpdates></CreateFilter>' % (PC_THIS, prop_set, object_sets))


def wait_for_updates_ex(version="", max_updates=None):
    options = "<maxWaitSeconds>0</maxWaitSeconds>" + (
        "<maxObjectUpdates>%d</maxObjectUpdates>" % max_updates if max_updates else "")
    return soap('<WaitForUpdatesEx xmlns="urn:vim25">%s<version>%s</version><options>%s'
                '</options></WaitForUpdatesEx>' % (PC_THIS, version, options))


def vm_ids(emulator):
    return in_reactor(lambda: sorted(o.moid for o in emulator.vc.objects.values()
                                     if o.vim_type == "VirtualMachine"))


def vm_object_sets(ids):
    return "".join('<objectSet><obj type="VirtualMachine">%s</obj></objectSet>' % i for i in ids)


class Soap:
    """A logged-in SOAP client over one raw keep-alive socket."""

    def __init__(self, emulator, sock=None):
        self.sock = sock or raw(emulator, timeout=60)
        self.cookie = b""
        self.rest = b""
        status, headers, _ = self.call(LOGIN)
        assert status == 200
        self.cookie = headers[b"set-cookie"].split(b";")[0]

    def send(self, body):
        self.sock.sendall(post_head(len(body), b"Cookie: " + self.cookie + b"\r\n"
                                    if self.cookie else b"") + body)

    def receive(self):
        status, headers, body, self.rest = read_response(self.sock, self.rest)
        return status, headers, body

    def call(self, body):
        self.send(body)
        return self.receive()


def children_xml(parent):
    return [b"".join(etree.tostring(c) for c in el) for el in parent]


def parsed(body):
    return etree.fromstring(body)[0][0]  # the ...Response element


# -- interleaving: a small call is answered while a big one is still being worked ---------------

HOLD_VIEW_STEP = 10


@pytest.fixture
def hold(monkeypatch):
    """Once armed, the next request worked in slices waits at its first step of work (its
    answer unfinished) until released; one slice is one step, so that its work is spread over
    many turns."""
    monkeypatch.setattr(frontend, "SLICE", 0.0, raising=False)
    monkeypatch.setattr(views, "VIEW_STEP", HOLD_VIEW_STEP, raising=False)
    state = {"armed": False, "holding": threading.Event(), "released": threading.Event(),
             "after": 0}
    run = getattr(frontend, "run_in_slices", None)
    if run is None:  # a server that does not work requests in slices: nothing to hold
        return state

    def held(steps):
        first = True
        for step in steps:
            if step is None and first and state["armed"]:
                first = state["armed"] = False
                state["holding"].set()
                while not state["released"].is_set():
                    yield None
            elif step is None and not first:
                state["after"] += 1
            yield step

    monkeypatch.setattr(frontend, "run_in_slices",
                        lambda reactor, request, steps, failed:
                        run(reactor, request, held(steps), failed))
    return state


def _retrieve_through_a_new_view(client, emulator):
    """A view lists its objects when first read (and after the inventory's structure
    changes): over 10,000 VMs that was 25 ms in one go, now VIEW_STEP objects a step."""
    status, _, body = client.call(soap(
        '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this>'
        '<container type="Folder">group-d1</container><type>VirtualMachine</type>'
        '<recursive>true</recursive></CreateContainerView>'))
    assert status == 200, body[:300]
    view = re.search(rb"<returnval[^>]*>([^<]+)</returnval>", body).group(1).decode()
    return soap('<RetrieveProperties xmlns="urn:vim25">%s<specSet>%s<objectSet><obj type='
                '"ContainerView">%s</obj><skip>true</skip><selectSet xsi:type="TraversalSpec">'
                '<name>v</name><type>ContainerView</type><path>view</path><skip>false</skip>'
                '</selectSet></objectSet></specSet></RetrieveProperties>'
                % (PC_THIS, NAMES, view))


def _setup_fill(client, emulator):
    status, _, body = client.call(create_filter())
    assert status == 200, body[:300]
    return wait_for_updates_ex()


# case: (the request, what its answer counts, the count expected (None: a page bounded in
# bytes), the fewest steps its work still had when the other client was answered: an object
# each (and the objects of a view's rebuild and listing, HOLD_VIEW_STEP a step), or a field of
# each objectSet decoded as well as each objectSet walked, or 64 KB parsed)
BIG = {
    "RetrieveProperties, all properties": (
        lambda client, emulator: retrieve_properties(),
        lambda body: body.count(b"<returnval>"), 300, 299),
    "RetrievePropertiesEx page, all properties": (
        lambda client, emulator: retrieve_properties_ex(2000),
        lambda body: body.count(b"<objects>"), None, 100),
    "WaitForUpdatesEx first fill": (
        _setup_fill, lambda body: body.count(b"<kind>enter</kind>"), None, 100),
    "CreateFilter with 3,000 objectSets": (
        lambda client, emulator: create_filter(vm_object_sets(vm_ids(emulator) * 10), NAMES),
        lambda body: body.count(b'<returnval type="PropertyFilter">'), 1, 2 * 3000),
    "RetrieveProperties through a ContainerView read for the first time": (
        _retrieve_through_a_new_view, lambda body: body.count(b'<obj type="VirtualMachine">'),
        300, 300 + 2 * 300 // HOLD_VIEW_STEP),
    "50,000 SOAP header elements": (
        lambda client, emulator: soap(RSC.split(b"<soapenv:Body>")[1].split(
            b"</soapenv:Body>")[0].decode(), "<soapenv:Header>%s</soapenv:Header>"
            % ("<h/>" * 50000)), lambda body: int(is_service_content(body)), 1, 2),
}


@pytest.mark.parametrize("case", sorted(BIG))
def test_a_small_call_is_answered_while_a_big_request_is_worked(make_emulator, hold, case):
    emulator = make_emulator(clock="virtual", vms=300)
    make, count, expected, steps = BIG[case]
    big = Soap(emulator)
    request = make(big, emulator)
    hold["armed"] = True
    big.send(request)
    assert hold["holding"].wait(10), "the big request was never worked in slices"
    small = raw(emulator)
    small.sendall(post_head(len(RSC)) + RSC)
    status, _, body, _ = read_response(small)
    assert status == 200 and is_service_content(body)
    hold["released"].set()
    status, _, body = big.receive()
    assert status == 200, body[:500]
    if expected is not None:
        assert count(body) == expected
    else:  # bounded in bytes: a page of fewer than every VM, each with all its properties
        assert 0 < count(body) < 300 and len(body) >= frontend.PAGE_BYTES
    assert hold["after"] >= steps  # its work went on, in steps, after the small answer


def json_create_filter(emulator):
    return "CreateFilter", {"partialUpdates": False, "spec": {
        "_typeName": "PropertyFilterSpec",
        "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine",
                     "pathSet": ["name"]}],
        "objectSet": [{"_typeName": "ObjectSpec", "obj": {
            "_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": moid}}
            for moid in vm_ids(emulator) * 10]}}


JSON_BIG = {
    "RetrieveProperties, all properties": (
        lambda emulator: ("RetrieveProperties", {"specSet": [JSON_ALL_VMS]}),
        lambda answer: len(answer) == 300, 299),
    "CreateFilter with 3,000 objectSets": (
        json_create_filter, lambda answer: answer["type"] == "PropertyFilter", 2 * 3000),
}


def json_collector(emulator):
    """The VI/JSON URL of the PropertyCollector's methods, and a logged-in session's header."""
    base = "%s/sdk/vim25/%s" % (emulator.base, RELEASE)
    login = requests.post(base + "/SessionManager/SessionManager/Login",
                          json={"userName": "user", "password": "pass"}, timeout=10)
    return (base + "/PropertyCollector/propertyCollector/",
            {"vmware-api-session-id": login.headers["vmware-api-session-id"]})


def worked_beside_a_small_call(emulator, hold, post, unsliced):
    """The answer to ``post()``, sent from a thread and held at its first step of work while
    another client's small call is answered (``unsliced``: what the hold not coming means)."""
    done = {}
    reader = threading.Thread(target=lambda: done.update(big=post()))
    hold["armed"] = True
    reader.start()
    assert hold["holding"].wait(10), unsliced
    small = raw(emulator)
    small.sendall(post_head(len(RSC)) + RSC)
    status, _, _, _ = read_response(small)
    assert status == 200 and "big" not in done
    hold["released"].set()
    reader.join(60)
    return done["big"]


@pytest.mark.parametrize("case", sorted(JSON_BIG))
def test_a_small_call_is_answered_while_a_big_vi_json_request_is_worked(make_emulator, hold,
                                                                         case):
    emulator = make_emulator(clock="virtual", vms=300)
    make, check, steps = JSON_BIG[case]
    collector, headers = json_collector(emulator)
    method, payload = make(emulator)
    big = worked_beside_a_small_call(
        emulator, hold, lambda: requests.post(collector + method, json=payload,
                                              headers=headers, timeout=60),
        "the big request was never worked in slices")
    assert big.status_code == 200, big.text[:300]
    assert check(big.json()) and hold["after"] >= steps


def json_body(emulator):
    return json.dumps(json_create_filter(emulator)[1]).encode()


# case: a big VI/JSON body whose reading is the work (its decode never starts), and the
# _typeName of the fault it ends in
JSON_BIG_BODIES = {
    "3,000 objectSets cut short": (lambda emulator: json_body(emulator)[:-20],
                                   "InvalidRequest"),
    "3,000 objectSets with a NaN at the end": (
        lambda emulator: json_body(emulator)[:-2] + b', "x": NaN}}', "InvalidRequest"),
    "nested 200,000 deep": (lambda emulator: b'{"spec": ' + b"[" * 200000 + b"]" * 200000 +
                            b"}", "InvalidRequest"),
}


@pytest.mark.parametrize("case", sorted(JSON_BIG_BODIES))
def test_a_small_call_is_answered_while_a_big_vi_json_body_is_read(make_emulator, hold, case):
    """A body json.loads would read in one go is read in steps: the other client is answered
    before the big body's fault, which is the one a small body gets."""
    emulator = make_emulator(clock="virtual", vms=300)
    make, type_name = JSON_BIG_BODIES[case]
    collector, headers = json_collector(emulator)
    headers["Content-Type"] = "application/json"
    body = make(emulator)
    assert len(body) > 64 * 1024
    big = worked_beside_a_small_call(
        emulator, hold, lambda: requests.post(collector + "CreateFilter", data=body,
                                              headers=headers, timeout=60),
        "the big body was read in one go")
    answer = big.json()
    assert big.status_code == 500 and answer["_typeName"] == type_name
    assert hold["after"] >= 1
    small_body = requests.post(collector + "CreateFilter",
                               data=b'{"spec": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                               headers=headers, timeout=60)
    assert small_body.status_code == 500 and small_body.json() == answer


JSON_TEXTS = [
    '{}', '[]', ' [ ] ', '{"a": [1, 2.5, -3e2, "x\\u00e9", true, false, null, {}, []]}', '-0',
    '[-0.0]', '[1E400]', '{"a":1,"a":2}', '{"x":[1,{"y":2}] , "z" : "w" }', '"\\ud800"',
    '[' * 500 + ']' * 500, '1' * 5000, '\ufeff[]', '[1,]', '{"a":1,}', '{"a" 1}', '[1 2]', '01',
    '-', '1.', '1e', '"abc', '"\\x"', '"a\tb"', 'NaN', '[Infinity]', '[-Infinity]', '[1] x', '',
    ' ', '{"a":1}{', '[tru]', '[' * 5000 + ']' * 5000, '[' * 50, '{1:2}', '[,1]', '[1,,2]',
    '[' + ', '.join(['{"a": [%d, "%s"]}' % (i, "x" * (i % 700)) for i in range(3000)]) + ']',
    '[' + ', '.join(['{"a": [%d, "%s"]}' % (i, "x" * (i % 700)) for i in range(3000)]) + ',]',
    '[{"a": "%s"}]' % ("y" * 40000), '[{"a": ["%s", NaN]}]' % ("y" * 40000),
]


@pytest.mark.parametrize("text", JSON_TEXTS, ids=range(len(JSON_TEXTS)))
def test_json_read_in_steps_is_what_parse_json_reads(text):
    for body in (text, text.encode("utf-8", "surrogatepass"),
                 text.encode("utf-16", "surrogatepass")):
        try:
            expected = ("value", compat.parse_json(body))
        except ValueError:
            expected = ("refused",)
        try:
            got = ("value", complete(compat.parse_json_in_steps(body)))
        except ValueError:
            got = ("refused",)
        assert repr(got) == repr(expected)


@pytest.mark.parametrize("reader", [compat.parse_json,
                                    lambda body: complete(compat.parse_json_in_steps(body))])
def test_json_nesting_is_bounded_alike_on_every_python(reader):
    """256 containers deep is read and 257 refused, whatever the interpreter's own bound is
    (3.13's json reads 5,000 deep), whether the deepest part is small or megabytes long."""
    depth = compat.JSON_MAX_DEPTH
    filler = '"%s"' % ("x" * (70 * 1024))
    for inner in ("1", filler):
        assert reader('{"a": ' + "[" * (depth - 1) + inner + "]" * (depth - 1) + "}")
        with pytest.raises(ValueError):
            reader('{"a": ' + "[" * depth + inner + "]" * depth + "}")
        with pytest.raises(ValueError):
            reader("[" * 5000 + inner + "]" * 5000)


# -- what the sliced paths answer ---------------------------------------------------------------

def one_go(emulator, cookie, request, method):
    """The SOAP body of ``request`` as the encoder writes a whole answer in one go (the way
    every answer was built before it was sliced), from the same model call."""
    def build():
        vc = emulator.vc
        ctx = CallContext(version=RELEASE)
        ctx.session = vc.session_manager.session_for_cookie(
            re.search(rb'"([^"]+)"', cookie).group(1).decode())
        _, _, el, _ = SoapResource._parse(etree.fromstring(request))
        obj, minfo = dispatch.resolve(vc, ctx, MoRef("PropertyCollector", "propertyCollector"),
                                      method)
        result = dispatch.call(vc, ctx, obj, minfo, SoapResource.arguments(el, minfo))
        items = [item for item in result if item is not None]
        return envelope.response(method, minfo, items, REGISTRY.version_ids(RELEASE))
    return in_reactor(build)


def test_sliced_retrieve_properties_is_byte_for_byte_the_one_go_answer(make_emulator):
    emulator = make_emulator(clock="virtual", vms=120)
    client = Soap(emulator)
    status, headers, body = client.call(retrieve_properties())
    assert status == 200
    assert int(headers[b"content-length"]) > 1024 * 1024  # written to the socket in parts
    assert body == one_go(emulator, client.cookie, retrieve_properties(), "RetrieveProperties")
    assert body.count(b"<returnval>") == 120


def test_pages_bounded_in_bytes_hold_every_object_as_retrieve_properties_does(make_emulator,
                                                                             monkeypatch):
    monkeypatch.setattr(frontend, "PAGE_BYTES", 100000)
    emulator = make_emulator(clock="virtual", vms=120)
    client = Soap(emulator)
    _, _, whole = client.call(retrieve_properties())
    expected = children_xml(parsed(whole))
    objects, pages = [], 0
    status, _, body = client.call(retrieve_properties_ex(1000))
    while True:
        assert status == 200, body[:300]
        pages += 1
        result = parsed(body)[0]
        page = [el for el in result if etree.QName(el).localname == "objects"]
        assert sum(len(etree.tostring(el)) for el in page[:-1]) < 100000  # the bound, and
        objects += children_xml(page)                                     # one more at most
        token = result.findtext("{urn:vim25}token")
        if not token:
            break
        status, _, body = client.call(continue_retrieve(token))
    assert pages > 5 and objects == expected


def test_pages_bounded_in_bytes_through_pyvmomi_and_vi_json(make_emulator, monkeypatch):
    monkeypatch.setattr(frontend, "PAGE_BYTES", 50000)
    emulator = make_emulator(clock="virtual", vms=60)
    content = emulator.connect().content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine],
                                                   True)
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
        PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, all=True)])
    pc = content.propertyCollector
    whole = {o.obj._moId: sorted(p.name for p in o.propSet) for o in pc.RetrieveProperties([spec])}
    result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=100))
    assert result.token and len(result.objects) < len(whole)
    paged = {}
    while True:
        for o in result.objects:
            assert o.obj._moId not in paged
            paged[o.obj._moId] = sorted(p.name for p in o.propSet)
        if not result.token:
            break
        result = pc.ContinueRetrievePropertiesEx(result.token)
    assert paged == whole and len(whole) == len(view.view)

    base = "%s/sdk/vim25/%s/PropertyCollector/propertyCollector/" % (emulator.base, RELEASE)
    login = requests.post("%s/sdk/vim25/%s/SessionManager/SessionManager/Login"
                          % (emulator.base, RELEASE),
                          json={"userName": "user", "password": "pass"}, timeout=10)
    headers = {"vmware-api-session-id": login.headers["vmware-api-session-id"]}
    everything = requests.post(base + "RetrieveProperties", json={"specSet": [JSON_ALL_VMS]},
                               headers=headers, timeout=30).json()
    r = requests.post(base + "RetrievePropertiesEx", json={
        "specSet": [JSON_ALL_VMS], "options": {"_typeName": "RetrieveOptions"}},
        headers=headers, timeout=30).json()
    pages = []
    while True:
        pages.append(r["objects"])
        if "token" not in r:
            break
        r = requests.post(base + "ContinueRetrievePropertiesEx", json={"token": r["token"]},
                          headers=headers, timeout=30).json()
    assert len(pages) > 5 and [o for page in pages for o in page] == everything


JSON_ALL_VMS = {
    "_typeName": "PropertyFilterSpec",
    "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine", "all": True}],
    "objectSet": [{"_typeName": "ObjectSpec", "skip": True,
                   "obj": {"_typeName": "ManagedObjectReference", "type": "Folder",
                           "value": "group-d1"},
                   "selectSet": [
                       {"_typeName": "TraversalSpec", "name": "all", "type": "Folder",
                        "path": "childEntity", "skip": False,
                        "selectSet": [{"_typeName": "SelectionSpec", "name": "all"},
                                      {"_typeName": "TraversalSpec", "name": "dc",
                                       "type": "Datacenter", "path": "vmFolder", "skip": False,
                                       "selectSet": [{"_typeName": "SelectionSpec",
                                                      "name": "all"}]}]}]}]}


def test_sliced_vi_json_retrieve_properties_is_the_one_go_answer(make_emulator):
    emulator = make_emulator(clock="virtual", vms=120)
    base = "%s/sdk/vim25/%s" % (emulator.base, RELEASE)
    login = requests.post(base + "/SessionManager/SessionManager/Login",
                          json={"userName": "user", "password": "pass"}, timeout=10)
    session = login.headers["vmware-api-session-id"]
    r = requests.post(base + "/PropertyCollector/propertyCollector/RetrieveProperties",
                      json={"specSet": [JSON_ALL_VMS]},
                      headers={"vmware-api-session-id": session}, timeout=30)
    assert r.status_code == 200 and int(r.headers["content-length"]) > 1024 * 1024

    def build():
        vc = emulator.vc
        ctx = CallContext(version=RELEASE)
        ctx.session = vc.session_manager.session_for_cookie(session)
        obj, minfo = dispatch.resolve(vc, ctx, MoRef("PropertyCollector", "propertyCollector"),
                                      "RetrieveProperties")
        from vimsim.jsonapi.codec import decode
        args = {"specSet": decode([JSON_ALL_VMS], minfo.param_by_name["specSet"])}
        items = [i for i in dispatch.call(vc, ctx, obj, minfo, args) if i is not None]
        return json.dumps(JsonEncoder(REGISTRY.version_ids(RELEASE)).value(items, minfo.result))
    assert r.content == in_reactor(build).encode()


def test_a_vi_json_page_is_made_bytes_in_steps_as_dumps_makes_it(make_emulator):
    """A page's answer (megabytes over 2,000 VMs) is joined and encoded a JOIN_STEP at a
    time, into what dumps() gives in one go; through the server, the page reads as the same
    objects RetrieveProperties gives."""
    items = [frontend.Encoded(json.dumps({"i": i, "name": "vm-%d" % i, "x": "\u00e9" * 900}))
             for i in range(1200)]
    answer = {"_typeName": "RetrieveResult", "objects": items, "token": "7"}
    steps = jsoncodec.dumps_in_steps(answer)
    yields = 0
    while True:
        try:
            assert next(steps) is None
            yields += 1
        except StopIteration as done:
            chunks = done.value
            break
    text = jsoncodec.dumps(answer)
    assert b"".join(chunks) == text.encode() and len(chunks) == yields + 1
    assert yields >= len(text) // frontend.JOIN_STEP - 1 and yields > 3
    assert json.loads(text)["objects"][1199] == {"i": 1199, "name": "vm-1199",
                                                 "x": "\u00e9" * 900}
    assert jsoncodec.dumps({"a": [1, {"b": None}], "c": "d"}) == json.dumps(
        {"a": [1, {"b": None}], "c": "d"})

    emulator = make_emulator(clock="virtual", vms=60)
    collector, headers = json_collector(emulator)
    everything = requests.post(collector + "RetrieveProperties", json={"specSet": [JSON_ALL_VMS]},
                               headers=headers, timeout=30).json()
    page = requests.post(collector + "RetrievePropertiesEx", json={
        "specSet": [JSON_ALL_VMS], "options": {"_typeName": "RetrieveOptions"}},
        headers=headers, timeout=30)
    assert page.status_code == 200 and len(page.content) > frontend.JOIN_STEP
    assert page.json()["_typeName"] == "RetrieveResult" and page.json()["objects"] == everything


@pytest.mark.parametrize("separator", ["", ", "])
def test_a_long_array_is_taken_into_few_parts(separator):
    """An unpaged answer's items go into parts of about JOIN_STEP characters: 10,000 parts
    written in one go held the reactor 8 ms at 10,000 VMs."""
    texts = ["<returnval>%05d%s</returnval>" % (i, "\u00e9" * 1000) for i in range(2000)]
    taken = ["["]
    steps = frontend.take(Streamed(iter(texts)), lambda text: text, taken, separator)
    assert sum(1 for step in steps if step is None) == 2000
    parts = complete(frontend.utf8_in_steps(taken))
    assert 1 + len(separator.join(texts)) // frontend.JOIN_STEP <= len(parts) <= 12
    assert b"".join(parts) == b"[" + separator.join(texts).encode("utf-8")


# -- WaitForUpdatesEx: truncated by maxObjectUpdates and by bytes; the others never ----------

def vm_filter(si, paths=("name",)):
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine],
                                                   True)
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
        PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=list(paths))])
    return content.propertyCollector.CreateFilter(spec, partialUpdates=False), view


def drain(pc, options):
    """WaitForUpdatesEx until an answer is not truncated: (answers, {moId: [kinds]})."""
    version, answers, seen = "", [], {}
    while True:
        update = pc.WaitForUpdatesEx(version, options)
        assert update is not None
        answers.append(update)
        for fs in update.filterSet:
            for o in fs.objectSet:
                seen.setdefault(o.obj._moId, []).append(o.kind)
        version = update.version
        if not update.truncated:
            return answers, seen


def test_wait_for_updates_ex_is_truncated_at_max_object_updates_and_resumes(make_emulator):
    emulator = make_emulator(clock="virtual", vms=130)
    si = emulator.connect()
    pc = si.content.propertyCollector
    _, view = vm_filter(si, ("name", "runtime.powerState"))
    vms = {vm._moId for vm in view.view}
    answers, seen = drain(pc, PC.WaitOptions(maxWaitSeconds=0, maxObjectUpdates=40))
    assert [sum(len(fs.objectSet) for fs in a.filterSet) for a in answers] == [40, 40, 40, 10]
    assert [bool(a.truncated) for a in answers] == [True, True, True, False]
    assert seen == {moid: ["enter"] for moid in vms}
    vm = view.view[0]
    vm.PowerOffVM_Task() if vm.runtime.powerState == "poweredOn" else vm.PowerOnVM_Task()
    emulator.advance(60)
    update = pc.WaitForUpdatesEx(answers[-1].version, PC.WaitOptions(maxWaitSeconds=0))
    changed = [o for fs in update.filterSet for o in fs.objectSet
               if o.obj._moId == vm._moId and o.kind == "modify"]
    assert [c.name for c in changed[0].changeSet] == ["runtime.powerState"]
    with pytest.raises(vmodl.fault.InvalidArgument):
        pc.WaitForUpdatesEx("", PC.WaitOptions(maxObjectUpdates=0))


def test_wait_for_updates_ex_is_truncated_in_bytes_the_others_never(make_emulator, monkeypatch):
    monkeypatch.setattr(frontend, "PAGE_BYTES", 60000)
    emulator = make_emulator(clock="virtual", vms=60)
    si = emulator.connect()
    pc = si.content.propertyCollector
    _, view = vm_filter(si, ("name", "config", "runtime"))
    vms = {vm._moId for vm in view.view}
    answers, seen = drain(pc, PC.WaitOptions(maxWaitSeconds=0))
    assert len(answers) > 3 and seen == {moid: ["enter"] for moid in vms}
    first = pc.CheckForUpdates("")  # never truncated: everything in one answer
    assert not first.truncated
    assert sorted(o.obj._moId for fs in first.filterSet for o in fs.objectSet) == sorted(vms)
    pc2 = si.content.propertyCollector.CreatePropertyCollector()
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
        PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name", "config"])])
    pc2.CreateFilter(spec, partialUpdates=False)
    whole = pc2.WaitForUpdates("")
    assert not whole.truncated and len(whole.filterSet[0].objectSet) == len(vms)


def test_create_filter_with_many_object_sets_covers_each_object_once(make_emulator):
    emulator = make_emulator(clock="virtual", vms=300)
    si = emulator.connect()
    vms = vm_ids(emulator)
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vim.VirtualMachine(moid))
                                    for moid in vms * 10],
                         propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
    pc = si.content.propertyCollector
    pfilter = pc.CreateFilter(spec, partialUpdates=False)
    assert len(pfilter.spec.objectSet) == 3000
    update = pc.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0))
    assert sorted(o.obj._moId for o in update.filterSet[0].objectSet) == vms
    bad = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vim.VirtualMachine(m))
                                   for m in vms * 5 + ["vm-999999"]],
                        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        pc.CreateFilter(bad, partialUpdates=False)
    assert len(pc.filter) == 1  # the failed one left nothing behind


# -- big request bodies: parsed and decoded in steps, with the same answers and faults -------

def test_big_bodies_are_parsed_in_steps_with_the_same_answers_and_faults(emulator):
    client = Soap(emulator)
    headers = "<soapenv:Header>%s</soapenv:Header>" % ("<h>x</h>" * 100000)
    rsc = RSC.split(b"<soapenv:Body>")[1].split(b"</soapenv:Body>")[0].decode()
    status, _, body = client.call(soap(rsc, headers))
    assert status == 200 and is_service_content(body)
    status, _, body = client.call(soap(rsc, headers)[:-30])  # cut short: malformed
    assert status == 500 and b"<faultstring>Error returned by expat parser" in body
    assert b"InvalidRequestFault" in body
    body = soap(rsc, headers)
    start = body.index(b"?>") + 2
    status, _, body = client.call(body[:start] + b'<!DOCTYPE x [<!ENTITY a "b">]>' +
                                  body[start:])
    assert status == 500 and b"DOCTYPE and entity declarations are not allowed" in body
    status, _, body = client.call(soap(rsc.replace("</RetrieveServiceContent>",
                                                   "<bogus/></RetrieveServiceContent>"),
                                       headers))
    assert status == 500 and b'Unexpected element tag "bogus" seen' in body


# -- long answers go to the socket in parts, keep-alive and pipelining intact ----------------

@pytest.mark.parametrize("secure", [False, True])
def test_long_answers_are_written_in_parts_and_the_connection_goes_on(make_emulator, tmp_path,
                                                                      secure):
    emulator = make_emulator(clock="virtual", vms=100, secure=secure, cert_dir=str(tmp_path))
    sock = tls_socket(emulator, 60) if secure else raw(emulator, 60)
    client = Soap(emulator, sock)
    big = retrieve_properties()
    # pipelined: the RetrieveServiceContent waits behind the long answer on one connection
    client.sock.sendall(post_head(len(big), b"Cookie: " + client.cookie + b"\r\n") + big +
                        post_head(len(RSC)) + RSC)
    status, headers, body = client.receive()
    assert status == 200 and int(headers[b"content-length"]) > 2 * 1024 * 1024
    assert body.count(b"<returnval>") == 100 and body.endswith(b"</soapenv:Envelope>")
    status, _, body = client.receive()
    assert status == 200 and is_service_content(body)
