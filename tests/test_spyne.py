"""vimsim's managers served by spyne (vimsim/spyne_services.py), driven over real sockets by
zeep from spyne's own WSDL and by pyVmomi, answering as /sdk does; and the spyne behaviour
each adjustment in that module exists for, so that a spyne upgrade that changes it fails here.

spyne 2.14 imports only before Python 3.12: .ci/run deselects this file on its newer Python.
"""
import importlib
import logging
import re
import threading
import warnings
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
import spyne
import zeep
from lxml import etree
from zeep.transports import Transport

import vimsim
from vimsim.model import fixture as fixtures
from vimsim.spyne_services import Vim25Services
from test_zeep import ZeepClient, fault_of

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
WITH_TOOLS, NO_TOOLS = "DC0_H0_VM0", "DC0_C0_RP0_NoTools"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a blocked WaitForUpdates must not hold the others


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve_wsgi(wsgi):
    httpd = make_server("127.0.0.1", 0, wsgi, server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


class Lab:
    """A Simulator serving /sdk itself, and its managers through spyne beside it."""

    def __init__(self, fixture="default", clock="virtual"):
        self.sim = vimsim.Simulator(fixture=fixture, clock=clock).start()
        self.vim = Vim25Services(self.sim)
        self.httpd = serve_wsgi(self.vim.wsgi(self.vim.application()))
        self.port = self.httpd.server_port
        self.url = "http://127.0.0.1:%d/sdk" % self.port

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.sim.stop()


@pytest.fixture
def make_lab():
    made = []

    def make(**kw):
        made.append(Lab(**kw))
        return made[-1]
    yield make
    for lab in made:
        lab.close()


@pytest.fixture
def lab(make_lab):
    return make_lab()


class Zeep(ZeepClient):
    """zeep from spyne's WSDL, logged in (test_zeep.py's client, at the spyne endpoint)."""

    def __init__(self, lab, user="user", pwd="pass"):
        self.lab = lab
        self.http = requests.Session()
        self.client = zeep.Client(lab.url + "?wsdl", transport=Transport(session=self.http))
        self.svc = self.client.service
        self.sc = self.svc.RetrieveServiceContent(
            _this={"_value_1": "ServiceInstance", "type": "ServiceInstance"})
        self.session = self.login(user, pwd)

    def vm(self, name):
        return {"_value_1": self.lab.sim.vm(name).moid, "type": "VirtualMachine"}

    def customize(self, vm_name, auth=None, spec=None):
        return self.svc.CustomizeGuest_Task(_this=self.sc.guestCustomizationManager,
                                            vm=self.vm(vm_name), auth=auth or self.auth(),
                                            spec=spec or self.spec())

    def follow(self, task):
        """Watch a task to its end with a PropertyCollector filter and WaitForUpdatesEx,
        moving the virtual clock on between waits: (state, error)."""
        pc = self.sc.propertyCollector
        pfilter = self.svc.CreateFilter(_this=pc, spec={
            "propSet": [{"type": "Task", "pathSet": ["info"]}],
            "objectSet": [{"obj": task}]}, partialUpdates=False)
        version, info = "", None
        for _ in range(20):
            update = self.svc.WaitForUpdatesEx(_this=pc, version=version,
                                               options={"maxWaitSeconds": 0})
            if update is not None:
                version = update.version
                info = update.filterSet[0].objectSet[0].changeSet[0].val
            if info is not None and info.state in ("success", "error"):
                break
            self.lab.sim.advance(0.5)
        self.svc.DestroyPropertyFilter(_this=pfilter)
        return info.state, info.error

    def prop(self, obj, path):
        result = self.svc.RetrievePropertiesEx(_this=self.sc.propertyCollector, specSet=[{
            "propSet": [{"type": obj["type"], "pathSet": [path]}], "objectSet": [{"obj": obj}]}],
            options={})
        return result.objects[0].propSet[0].val


def test_zeep_logs_in_customizes_and_follows_the_task(lab):
    zc = Zeep(lab)
    assert zc.session.userName == "user"
    assert zc.sc.about.apiType == "VirtualCenter"
    task = zc.customize(WITH_TOOLS)
    assert task.type == "Task" and task._value_1.startswith("task-")
    assert zc.follow(task) == ("success", None)
    vm = zc.vm(WITH_TOOLS)
    assert zc.prop(vm, "guest.customizationInfo").customizationStatus == \
        "TOOLSDEPLOYPKG_PENDING"
    lab.sim.advance(5)
    assert zc.prop(vm, "guest.customizationInfo").customizationStatus == \
        "TOOLSDEPLOYPKG_SUCCEEDED"
    assert lab.sim.vm(WITH_TOOLS).host_name == "zeep01"
    network = zc.svc.StartGuestNetwork_Task(_this=zc.sc.guestCustomizationManager, vm=vm,
                                            auth=zc.auth())
    assert zc.follow(network)[0] == "success"


def test_spynes_wsdl_declares_the_vim25_methods_and_types(lab):
    wsdl = etree.fromstring(requests.get(lab.url + "?wsdl", timeout=10).content)
    names = {op.get("name") for op in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}
    assert {"CustomizeGuest_Task", "AbortCustomization_Task", "StartGuestNetwork_Task",
            "Login", "RetrieveServiceContent", "CreateFilter", "WaitForUpdatesEx",
            "RetrievePropertiesEx", "CancelTask", "DestroyPropertyFilter"} <= names
    xs = "{http://www.w3.org/2001/XMLSchema}"
    request = next(t for t in wsdl.iter(xs + "complexType") if t.get("name") ==
                   "CustomizeGuest_Task")  # vim25's argument names and order (adjustment 7)
    assert [e.get("name") for e in request.iter(xs + "element")] == \
        ["_this", "vm", "auth", "spec", "configParams"]
    zc = Zeep(lab)
    for name in ("NamePasswordAuthentication", "CustomizationCloudinitPrep", "TaskInfo",
                 "InvalidPowerState", "NicSettingMismatch", "TraversalSpec"):
        zc.type(name)  # zeep knows each, so it can send and read them


def _not_on(lab, vm_name):
    lab.sim.vm(vm_name).power_state = "poweredOff"


def _busy(lab, zc, vm_name):
    return zc.customize(vm_name)


# Seed 002's seven faults: how each is brought about, where /sdk delivers it by default,
# and the fields it carries.
SEED_FAULTS = {
    "InvalidPowerState": ("call", {"requestedState": "poweredOn", "existingState": "poweredOff"}),
    "InvalidState": ("call", {}),
    "TaskInProgress": ("call", {"task": None}),
    "InvalidGuestLogin": ("task", {}),
    "GuestPermissionDenied": ("task", {}),
    "CustomizationFault": ("call", {}),
    "RuntimeFault": ("call", {}),
}


def _provoke(lab, zc, fault):
    """Bring ``fault`` about for the next CustomizeGuest_Task: (vm name, auth, expected
    fields)."""
    vm_name, auth, fields = WITH_TOOLS, None, dict(SEED_FAULTS[fault][1])
    if fault == "InvalidPowerState":
        _not_on(lab, vm_name)
    elif fault == "InvalidState":
        vm_name = NO_TOOLS
    elif fault == "TaskInProgress":
        fields["task"] = _busy(lab, zc, vm_name)._value_1
    elif fault == "InvalidGuestLogin":
        auth = zc.auth("root", "wrong")
    elif fault == "GuestPermissionDenied":
        auth = zc.auth("guest", "guest")
    else:  # what vimsim's model never raises by itself: a fault rule, as on /sdk
        lab.sim.faults.add(operation="CustomizeGuest_Task", action="fault", fault=fault,
                           message="injected %s" % fault)
    return vm_name, auth, fields


@pytest.mark.parametrize("fault", sorted(SEED_FAULTS))
def test_each_seed_fault_arrives_typed_where_sdk_delivers_it(lab, fault):
    zc = Zeep(lab)
    vm_name, auth, fields = _provoke(lab, zc, fault)
    if SEED_FAULTS[fault][0] == "call":
        with pytest.raises(zeep.exceptions.Fault) as err:
            zc.customize(vm_name, auth=auth)
        element, got = fault_of(err)
        assert element.tag == "{urn:vim25}%sFault" % fault
        assert element.get(XSI_TYPE) == fault
        assert {name: (got[name].text if name in got else None) for name in fields} == fields
        if fault == "TaskInProgress":
            assert got["task"].get("type") == "Task"
        assert err.value.message
    else:
        state, error = zc.follow(zc.customize(vm_name, auth=auth))
        assert state == "error"
        assert type(error.fault).__name__ == fault
        assert error.localizedMessage.startswith("Failed to authenticate") or \
            error.localizedMessage.startswith("Insufficient permissions")


def _raw_call(url, body, cookie=None):
    envelope = ('<soapenv:Envelope xmlns:soapenv="%s" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>%s'
                '</soapenv:Body></soapenv:Envelope>' % (SOAPENV, body))
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"urn:vim25/8.0.3.0"'}
    if cookie:
        headers["Cookie"] = cookie
    return requests.post(url, data=envelope.encode(), headers=headers, timeout=30)


def _login(url):
    answer = _raw_call(url, '<Login xmlns="urn:vim25"><_this type="SessionManager">'
                            'SessionManager</_this><userName>user</userName>'
                            '<password>pass</password></Login>')
    assert answer.status_code == 200
    return answer.headers["Set-Cookie"]


CUSTOMIZE = ('<CustomizeGuest_Task xmlns="urn:vim25"><_this type="VirtualMachineGuestCustom'
             'izationManager">GuestCustomizationManager</_this><vm type="VirtualMachine">%s'
             '</vm><auth xsi:type="NamePasswordAuthentication"><interactiveSession>false'
             '</interactiveSession><username>root</username><password>vmware</password>'
             '</auth><spec><identity xsi:type="CustomizationLinuxPrep"><hostName xsi:type='
             '"CustomizationFixedName"><name>raw01</name></hostName><domain>example.com'
             '</domain></identity><globalIPSettings/>%s</spec></CustomizeGuest_Task>')


@pytest.mark.parametrize("case", ["powered-off", "no-tools", "nic-mismatch", "unknown-vm",
                                  "no-session", "bad-xml", "doctype", "not-served"])
def test_faults_are_byte_for_byte_those_of_sdk(lab, case):
    """The same request, to /sdk and to the spyne endpoint, gets the same answer."""
    sdk = "http://127.0.0.1:%d/sdk" % lab.sim.port
    vm, nics = lab.sim.vm(WITH_TOOLS).moid, ""
    if case == "powered-off":
        _not_on(lab, WITH_TOOLS)
    elif case == "no-tools":
        vm = lab.sim.vm(NO_TOOLS).moid
    elif case == "nic-mismatch":
        nics = "<nicSettingMap><adapter><ip xsi:type=\"CustomizationDhcpIpGenerator\"/>" \
               "</adapter></nicSettingMap>" * 3
    elif case == "unknown-vm":
        vm = "vm-4040"
    body = CUSTOMIZE % (vm, nics)
    answers = []
    for url in (sdk, lab.url):
        cookie = None if case == "no-session" else _login(url)
        if case == "bad-xml":
            answer = requests.post(url, data=b"<soapenv:Envelope><Login>", timeout=30,
                                   headers={"Content-Type": "text/xml", "Cookie": cookie})
        elif case == "doctype":
            answer = requests.post(url, data=b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a '
                                   b'"b">]><e>&a;</e>', timeout=30,
                                   headers={"Content-Type": "text/xml", "Cookie": cookie})
        elif case == "not-served":  # a vim25 method the spyne Application does not serve
            answer = _raw_call(url, '<PowerOffVM_Task xmlns="urn:vim25"><_this type="Virtual'
                                    'Machine">%s</_this></PowerOffVM_Task>' % vm, cookie)
        else:
            answer = _raw_call(url, body, cookie)
        answers.append(answer)
    sdk_answer, spyne_answer = answers
    if case == "not-served":  # /sdk serves it; this Application answers MethodNotFound
        assert sdk_answer.status_code == 200 and spyne_answer.status_code == 500
        assert b'xsi:type="MethodNotFound"' in spyne_answer.content
        assert b"<method>PowerOffVM_Task</method>" in spyne_answer.content
        return
    assert sdk_answer.status_code == 500
    assert b"<faultcode>ServerFaultCode</faultcode>" in sdk_answer.content
    assert (spyne_answer.status_code, spyne_answer.content) == \
        (sdk_answer.status_code, sdk_answer.content)
    assert spyne_answer.headers["Content-Type"] == "text/xml; charset=utf-8"


def test_fault_delivery_is_the_simulators_setting(make_lab):
    data = fixtures.load("default")
    data["settings"] = {"fault_delivery": {"InvalidGuestLogin": "call",
                                           "InvalidPowerState": "task"}}
    lab = make_lab(fixture=data)
    zc = Zeep(lab)
    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.customize(WITH_TOOLS, auth=zc.auth("root", "wrong"))
    assert fault_of(err)[0].get(XSI_TYPE) == "InvalidGuestLogin"
    _not_on(lab, WITH_TOOLS)
    state, error = zc.follow(zc.customize(WITH_TOOLS))
    assert state == "error" and type(error.fault).__name__ == "InvalidPowerState"
    assert error.fault.existingState == "poweredOff"


# -- pyVmomi, pointed at the spyne endpoint -----------------------------------------------


def _pyvmomi(lab):
    from pyVim.connect import SmartConnect
    return SmartConnect(host="127.0.0.1", port=lab.port, user="user", pwd="pass",
                        protocol="http", disableSslCertValidation=True)


def _pyvmomi_customize(si, lab, vm_name, auth=None):
    from pyVmomi import vim
    C = vim.vm.customization
    return si.content.guestCustomizationManager.CustomizeGuest_Task(
        vm=vim.VirtualMachine(lab.sim.vm(vm_name).moid, si._stub),
        auth=auth or vim.vm.guest.NamePasswordAuthentication(username="root",
                                                             password="vmware"),
        spec=C.Specification(identity=C.LinuxPrep(hostName=C.FixedName(name="py01"),
                                                  domain="example.com"),
                             globalIPSettings=C.GlobalIPSettings()))


def test_pyvmomi_negotiates_and_waits_for_the_task(make_lab):
    """SmartConnect reads vimServiceVersions.xml (served beside spyne), then WaitForTask
    follows the task with CreateFilter, WaitForUpdates (blocking in spyne's WSGI thread
    until the auto clock moves) and Fetch."""
    from pyVim.task import WaitForTask
    lab = make_lab(clock="auto")
    si = _pyvmomi(lab)
    assert si.content.about.apiType == "VirtualCenter"
    task = _pyvmomi_customize(si, lab, WITH_TOOLS)
    assert task._moId.startswith("task-")
    assert WaitForTask(task) == "success"
    assert task.info.entity._moId == lab.sim.vm(WITH_TOOLS).moid


@pytest.mark.parametrize("fault", sorted(SEED_FAULTS))
def test_pyvmomi_gets_each_seed_fault(lab, fault):
    from pyVmomi import vim, vmodl
    si = _pyvmomi(lab)
    zc = Zeep(lab)  # brings the fault about as the zeep test does
    vm_name, auth, fields = _provoke(lab, zc, fault)
    if auth is not None:
        auth = vim.vm.guest.NamePasswordAuthentication(username=auth.username,
                                                       password=auth.password)
    cls = vmodl.RuntimeFault if fault == "RuntimeFault" else getattr(vim.fault, fault)
    if SEED_FAULTS[fault][0] == "call":
        with pytest.raises(cls) as err:
            _pyvmomi_customize(si, lab, vm_name, auth)
        raised = err.value
    else:
        task = _pyvmomi_customize(si, lab, vm_name, auth)
        lab.sim.advance(1)
        assert task.info.state == "error"
        raised = task.info.error
    assert type(raised) is cls
    for name, value in fields.items():
        got = getattr(raised, name)
        assert (got._moId if name == "task" else got) == value


# -- the spyne behaviour each adjustment of vimsim/spyne_services.py is for ---------------
# Plain spyne, called in-process: if one of these fails, spyne changed, and the adjustment
# its comment names may be needed no more (or need changing).


def _plain_app():
    from spyne import AnyXml, Application, ComplexModel, Fault, Integer, ServiceBase, \
        Unicode, rpc
    from spyne.protocol.soap import Soap11
    from spyne.server.wsgi import WsgiApplication

    class Pair(ComplexModel):
        __namespace__ = "urn:plain"
        name = Unicode
        count = Integer(min_occurs=1)

    class Plain(ServiceBase):
        @rpc(Unicode, _returns=Pair)
        def half(ctx, name):
            return Pair(name=name)

        @rpc(Unicode)
        def fail(ctx, why):
            raise Fault("Server", why)

        @rpc(AnyXml, _returns=Unicode)
        def first(ctx, doc):
            return doc.tag

    return WsgiApplication(Application([Plain], "urn:plain", in_protocol=Soap11(),
                                       out_protocol=Soap11()))


def _plain_post(body):
    import io
    app = _plain_app()
    if isinstance(body, str):
        body = ('<e:Envelope xmlns:e="%s" xmlns:p="urn:plain"><e:Body>%s</e:Body>'
                '</e:Envelope>' % (SOAPENV, body)).encode()
    env = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "text/xml", "PATH_INFO": "/",
           "QUERY_STRING": "", "SERVER_NAME": "lab", "SERVER_PORT": "80",
           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
           "CONTENT_LENGTH": str(len(body))}
    status = []
    data = b"".join(app(env, lambda s, headers: status.append(s)))
    return status[0], etree.fromstring(data)


def test_spyne_still_reads_an_anyxml_argument_as_its_first_child():  # adjustment 1
    _, answer = _plain_post("<p:first><p:doc><a/><b/></p:doc></p:first>")
    assert answer.findtext(".//{urn:plain}firstResult") == "a"


def test_spyne_still_writes_xsi_nil_for_an_unset_required_field():  # adjustment 2
    _, answer = _plain_post("<p:half><p:name>n</p:name></p:half>")
    count = answer.find(".//{urn:plain}count")
    assert count.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"


def test_spyne_still_prefixes_its_faultcode_and_logs_faults_at_error(caplog):  # 3 and 4
    with caplog.at_level(logging.ERROR):
        status, answer = _plain_post("<p:fail><p:why>no</p:why></p:fail>")
    assert status.startswith("500")
    assert answer.findtext(".//faultcode") == "soap11env:Server"
    assert answer.find(".//detail") is None
    assert any(r.name == "spyne.application" and r.levelno == logging.ERROR
               for r in caplog.records)


def test_vim25_faults_through_spyne_are_not_logged_as_errors(lab, caplog):  # adjustment 4
    zc = Zeep(lab)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(zeep.exceptions.Fault):
            zc.customize(NO_TOOLS)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.name == "vimsim.spyne" and "InvalidState" in r.getMessage()
               for r in caplog.records)


def test_spyne_still_takes_a_doctype_and_drops_its_entities():  # adjustment 5
    body = ('<?xml version="1.0"?><!DOCTYPE e:Envelope [<!ENTITY w "word">]><e:Envelope '
            'xmlns:e="%s" xmlns:p="urn:plain"><e:Body><p:half><p:name>&w;</p:name></p:half>'
            '</e:Body></e:Envelope>' % SOAPENV).encode()
    status, answer = _plain_post(body)
    assert status.startswith("200")
    assert not answer.findtext(".//{urn:plain}name")


def test_spyne_still_answers_an_unknown_method_with_resource_not_found():  # adjustment 6
    status, answer = _plain_post('<v:PowerOnVM_Task xmlns:v="urn:vim25"/>')
    assert answer.findtext(".//faultcode") == "soap11env:Client.ResourceNotFound"


def test_spynes_twisted_server_still_does_not_import():  # adjustment 8
    with pytest.raises(ImportError, match="twisted.python.constants"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # twisted.web.static's own
        importlib.import_module("spyne.server.twisted")


def test_spyne_still_needs_base_and_attributes_said_outright():  # adjustment 9
    from spyne import ComplexModel, Unicode
    base = type("Base", (ComplexModel,), {"__namespace__": "urn:plain", "_type_info": []})
    sub = type("Sub", (base,), {"__namespace__": "urn:plain", "_type_info": []})
    assert sub.__extends__ is None  # a base without fields yet is taken for none
    slot = base.customize(min_occurs=0)
    sub.append_field("only_sub", Unicode)
    assert "only_sub" in slot._type_info  # the field reached the base's customized copy


def test_vimsim_and_its_server_never_import_spyne():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", "import sys, vimsim, vimsim.cli, vimsim.server, "
                           "vimsim.simulator, vimsim.pytest_plugin; vimsim.Simulator; "
                           "print(sorted(m for m in sys.modules if m.split('.')[0] == 'spyne'))"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert spyne.__version__  # where the suite runs spyne's tests, spyne is installed


def test_spyne_still_keys_methods_by_the_target_namespace():  # adjustment 10
    from spyne import Application, ServiceBase, rpc
    from spyne.protocol.soap import Soap11

    class Other(ServiceBase):
        @rpc(_in_message_name="{urn:vim25}Ping")
        def ping(ctx):
            pass
    app = Application([Other], "urn:plain", in_protocol=Soap11(), out_protocol=Soap11())
    assert list(app.interface.service_method_map) == ["{urn:plain}Ping"]


# -- examples/spyne_lab.py -------------------------------------------------------------------


@pytest.mark.parametrize("server", ["wsgi", "twisted"])
def test_the_lab_example_serves_its_own_service_beside_the_manager(server):
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, os.path.join(root, "examples", "spyne_lab.py"),
                           server, "--check"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"DC0_H0_VM0: task-\d+ success, host name lab01", done.stdout.strip())


def test_the_readmes_spyne_example_runs_as_written(tmp_path):
    """README.md's spyne block (left out of the README test, which also runs on a Python
    spyne does not import on) runs here as its reader runs it: a program of its own."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "README.md")) as f:
        readme = f.read()
    section = readme[readme.index("\n## spyne\n"):]
    block = section[section.index("```python\n") + 10:]
    block = block[:block.index("\n```\n") + 1]
    program = tmp_path / "spyne_readme.py"
    program.write_text(block)
    done = subprocess.run([sys.executable, str(program)], capture_output=True, text=True,
                          timeout=180, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"task-\d+", done.stdout.strip())
