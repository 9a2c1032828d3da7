"""zeep, driven by the WSDL vimsim serves, against vimsim over real sockets (vimsim/wsdl/)."""
import copy
import os

import pytest
import requests
import zeep
from lxml import etree
from zeep.plugins import Plugin
from zeep.transports import Transport

from vimsim.soap.wsdl import WSDL_DIR as WSDL

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
SOAP_BODY = "{http://schemas.xmlsoap.org/soap/envelope/}Body"
SCHEMA = etree.XMLSchema(etree.XML(
    ('<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:vim25">'
     '<include schemaLocation="file://%s/vim-types.xsd"/>'
     '<include schemaLocation="file://%s/vim-messagetypes.xsd"/></schema>'
     % (WSDL, WSDL)).encode()))


class Recorder(Plugin):
    """Keeps every envelope vimsim sends, to validate against the schema afterwards."""

    def __init__(self):
        self.envelopes = []

    def ingress(self, envelope, http_headers, operation):
        self.envelopes.append(copy.deepcopy(envelope))
        return envelope, http_headers


def answers(envelope):
    """The elements a schema declares: a method's response, or a fault's detail."""
    body = envelope.find(SOAP_BODY)
    for child in body:
        if etree.QName(child).localname == "Fault":
            detail = child.find("detail")
            yield from (list(detail) if detail is not None else [])
        else:
            yield child


class ZeepClient:
    def __init__(self, emulator, recorder):
        session = requests.Session()
        session.verify = False
        self.client = zeep.Client(emulator.base + "/sdk/vimService.wsdl",
                                  transport=Transport(session=session), plugins=[recorder])
        self.svc = self.client.service
        self.sc = self.svc.RetrieveServiceContent(
            _this={"_value_1": "ServiceInstance", "type": "ServiceInstance"})

    def type(self, type_name, **fields):
        return self.client.get_type("ns0:" + type_name)(**fields)

    def login(self, user="user", pwd="pass"):
        return self.svc.Login(_this=self.sc.sessionManager, userName=user, password=pwd)

    def vm(self, name):
        view = self.svc.CreateContainerView(_this=self.sc.viewManager, container=self.sc.rootFolder,
                                            type=["VirtualMachine"], recursive=True)
        result = self.svc.RetrievePropertiesEx(_this=self.sc.propertyCollector, specSet=[{
            "propSet": [{"type": "VirtualMachine", "pathSet": ["name"]}],
            "objectSet": [{"obj": view, "skip": True, "selectSet": [self.type(
                "TraversalSpec", name="v", type="ContainerView", path="view", skip=False)]}]}],
            options={})
        self.svc.DestroyView(_this=view)
        return next(o.obj for o in result.objects if o.propSet[0].val == name)

    def prop(self, obj, path):
        result = self.svc.RetrievePropertiesEx(_this=self.sc.propertyCollector, specSet=[{
            "propSet": [{"type": obj.type, "pathSet": [path]}], "objectSet": [{"obj": obj}]}],
            options={})
        return result.objects[0].propSet[0].val if result and result.objects[0].propSet else None

    def auth(self, username="root", password="vmware"):
        return self.type("NamePasswordAuthentication", interactiveSession=False,
                         username=username, password=password)

    def spec(self, nics=0):
        t = self.type
        return t("CustomizationSpec",
                 identity=t("CustomizationLinuxPrep", hostName=t("CustomizationFixedName",
                                                                 name="zeep01"),
                            domain="example.com"),
                 globalIPSettings=t("CustomizationGlobalIPSettings"),
                 nicSettingMap=[t("CustomizationAdapterMapping", adapter=t(
                     "CustomizationIPSettings", ip=t("CustomizationFixedIp",
                                                     ipAddress="10.3.3.3")))
                                for _ in range(nics)])

    def call(self, method, vm, auth=None, spec=None):
        args = {"_this": self.sc.guestCustomizationManager, "vm": vm,
                "auth": auth or self.auth()}
        if method == "CustomizeGuest_Task":
            args["spec"] = spec or self.spec()
        return getattr(self.svc, method)(**args)


def standalone(element):
    """A copy of ``element`` as its own document, keeping the namespace prefixes in scope
    (xsi:type values such as "xsd:string" name a prefix the envelope declares)."""
    copied = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    copied.text = element.text
    copied.extend(copy.deepcopy(child) for child in element)
    return copied


@pytest.fixture
def recorder():
    rec = Recorder()
    yield rec
    # What vimsim sent in the test matches what its WSDL declares.
    checked = 0
    for envelope in rec.envelopes:
        for element in answers(envelope):
            SCHEMA.assertValid(etree.ElementTree(standalone(element)))
            checked += 1
    assert checked == sum(1 for e in rec.envelopes for _ in answers(e))


@pytest.fixture
def zc(emulator, recorder):
    client = ZeepClient(emulator, recorder)
    client.login()
    return client


def fault_of(excinfo):
    fault = excinfo.value
    assert fault.code == "ServerFaultCode"
    [element] = list(fault.detail)
    return element, {etree.QName(c).localname: c for c in element}


def test_wsdl_is_served_with_the_callers_location(emulator):
    body = requests.get(emulator.base + "/sdk/vimService.wsdl", timeout=10).text
    assert 'location="http://127.0.0.1:%d/sdk"' % emulator.port in body
    assert '<service name="VimService">' in body and 'name="VimPort"' in body
    for name in ("vim.wsdl", "vim-types.xsd", "vim-messagetypes.xsd"):
        response = requests.get(emulator.base + "/sdk/" + name, timeout=10)
        assert response.status_code == 200
        with open(os.path.join(WSDL, name), "rb") as f:
            assert response.content == f.read()
    alias = requests.get(emulator.base + "/sdk/vimService?wsdl", timeout=10)
    assert alias.status_code == 200 and "VimService" in alias.text


def test_login_and_service_content(emulator, recorder):
    client = ZeepClient(emulator, recorder)
    sc = client.sc
    assert sc.about.apiType == "VirtualCenter"
    assert sc.guestCustomizationManager._value_1 == "GuestCustomizationManager"
    assert sc.guestCustomizationManager.type == "VirtualMachineGuestCustomizationManager"
    session = client.login()
    assert session.userName == "user"
    with pytest.raises(zeep.exceptions.Fault) as err:
        client.login(pwd="wrong")
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "InvalidLogin"
    assert err.value.message == ("Cannot complete login due to an incorrect user name or "
                                 "password.")


def _wait_for_task(client, emulator, task):
    """Watch a task to its end through a PropertyCollector filter and WaitForUpdatesEx."""
    pc = client.sc.propertyCollector
    pfilter = client.svc.CreateFilter(_this=pc, spec={
        "propSet": [{"type": "Task", "pathSet": ["info.state", "info.error"]}],
        "objectSet": [{"obj": task}]}, partialUpdates=False)
    version, state, error = "", None, None
    for _ in range(20):
        update = client.svc.WaitForUpdatesEx(_this=pc, version=version,
                                             options={"maxWaitSeconds": 0})
        if update is not None:
            version = update.version
            for change in update.filterSet[0].objectSet[0].changeSet:
                if change.name == "info.state":
                    state = change.val
                elif change.name == "info.error":
                    error = change.val
        if state in ("success", "error"):
            break
        emulator.advance(0.5)
    client.svc.DestroyPropertyFilter(_this=pfilter)
    return state, error


def test_customization_workflow_end_to_end(emulator, zc):
    vm = zc.vm("DC0_C0_RP0_VM0")
    task = zc.call("CustomizeGuest_Task", vm)
    assert task.type == "Task"
    assert _wait_for_task(zc, emulator, task) == ("success", None)
    assert zc.prop(vm, "guest.customizationInfo").customizationStatus == "TOOLSDEPLOYPKG_PENDING"
    emulator.advance(1)
    info = zc.prop(vm, "guest.customizationInfo")
    assert info.customizationStatus == "TOOLSDEPLOYPKG_RUNNING" and info.startTime is not None
    abort = zc.call("AbortCustomization_Task", vm)
    assert _wait_for_task(zc, emulator, abort)[0] == "success"
    info = zc.prop(vm, "guest.customizationInfo")
    assert info.customizationStatus == "TOOLSDEPLOYPKG_FAILED"
    assert info.errorMsg == "The guest customization was aborted."
    zc.call("CustomizeGuest_Task", vm, spec=zc.spec(nics=1))
    emulator.advance(6)
    assert zc.prop(vm, "guest.customizationInfo").customizationStatus == \
        "TOOLSDEPLOYPKG_SUCCEEDED"
    network = zc.call("StartGuestNetwork_Task", vm)
    assert _wait_for_task(zc, emulator, network)[0] == "success"
    assert zc.prop(vm, "guest.ipAddress") == "10.3.3.3"
    assert zc.prop(vm, "guest").hostName == "zeep01"


def test_guest_side_faults_arrive_in_task_info(emulator, zc):
    vm = zc.vm("DC0_H0_VM0")
    for auth, fault in ((zc.auth("root", "bad"), "InvalidGuestLogin"),
                        (zc.auth("guest", "guest"), "GuestPermissionDenied")):
        task = zc.call("StartGuestNetwork_Task", vm, auth=auth)
        state, error = _wait_for_task(zc, emulator, task)
        assert state == "error"
        assert type(error.fault).__name__ == fault
        assert error.localizedMessage


@pytest.mark.parametrize("method", ["CustomizeGuest_Task", "AbortCustomization_Task",
                                    "StartGuestNetwork_Task"])
def test_host_side_faults_arrive_as_zeep_faults(emulator, zc, method):
    vm = zc.vm("DC0_H0_VM1")
    notools = zc.vm("DC0_C0_RP0_NoTools")
    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.call(method, notools)
    element, _ = fault_of(err)
    assert element.tag == "{urn:vim25}InvalidStateFault" and element.get(XSI_TYPE) == "InvalidState"

    reset = zc.svc.ResetVM_Task(_this=vm)
    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.call(method, vm)
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "TaskInProgress"
    assert fields["task"].text == reset._value_1 and fields["task"].get("type") == "Task"
    emulator.advance(1)

    zc.svc.PowerOffVM_Task(_this=vm)
    emulator.advance(1)
    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.call(method, vm)
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "InvalidPowerState"
    assert (fields["requestedState"].text, fields["existingState"].text) == ("poweredOn",
                                                                              "poweredOff")

    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.call(method, {"_value_1": "vm-4040", "type": "VirtualMachine"})
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "ManagedObjectNotFound"
    assert fields["obj"].text == "vm-4040"

    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.call(method, zc.sc.rootFolder)
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "InvalidArgument"
    assert fields["invalidProperty"].text == "vm"


def test_no_permission_for_the_readonly_user(emulator, recorder):
    client = ZeepClient(emulator, recorder)
    client.login("readonly", "readonly")
    vm = client.vm("DC0_H0_VM0")
    with pytest.raises(zeep.exceptions.Fault) as err:
        client.call("CustomizeGuest_Task", vm)
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "NoPermission"
    assert fields["object"].text == vm._value_1
    assert fields["privilegeId"].text == "VirtualMachine.Provisioning.Customize"


def test_spec_faults(emulator, zc):
    vm = zc.vm("DC0_H0_VM0")
    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.call("CustomizeGuest_Task", vm, spec=zc.spec(nics=3))
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "NicSettingMismatch"
    assert (fields["numberOfNicsInSpec"].text, fields["numberOfNicsInVM"].text) == ("3", "1")
    spec = zc.type("CustomizationSpec", identity=zc.type("CustomizationSysprepText",
                                                         value="<unattend/>"),
                   globalIPSettings=zc.type("CustomizationGlobalIPSettings"))
    with pytest.raises(zeep.exceptions.Fault) as err:
        zc.call("CustomizeGuest_Task", vm, spec=spec)
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "UncustomizableGuest"
    assert fields["uncustomizableGuestOS"].text == "otherLinux64Guest"


def test_no_session_is_not_authenticated(emulator, recorder):
    client = ZeepClient(emulator, recorder)
    with pytest.raises(zeep.exceptions.Fault) as err:
        client.svc.CreateContainerView(_this=client.sc.viewManager, container=client.sc.rootFolder,
                                       type=["VirtualMachine"], recursive=True)
    element, fields = fault_of(err)
    assert element.get(XSI_TYPE) == "NotAuthenticated"
    assert fields["privilegeId"].text == "System.View"


def test_reads_of_every_served_property_validate(emulator, zc):
    """Every property of every object kind, read with all=True, parses in zeep and matches
    the schema (the recorder checks the bytes)."""
    kinds = {}
    for obj in emulator.vc.objects.values():
        kinds.setdefault(obj.vim_type, obj)
    for vim_type, obj in kinds.items():
        result = zc.svc.RetrievePropertiesEx(_this=zc.sc.propertyCollector, specSet=[{
            "propSet": [{"type": vim_type, "all": True}],
            "objectSet": [{"obj": {"_value_1": obj.moid, "type": vim_type}}]}], options={})
        assert result.objects[0].obj._value_1 == obj.moid


def test_a_failed_tasks_info_validates(emulator, zc):
    """TaskInfo.error is a LocalizedMethodFault in vCenter's WSDL (pyVmomi types it as the
    fault itself): a failed power task's info parses in zeep and matches the schema."""
    vm = zc.vm("DC0_H0_VM0")
    task = zc.svc.PowerOnVM_Task(_this=vm)  # already on: the task fails
    emulator.advance(1)
    result = zc.svc.RetrievePropertiesEx(_this=zc.sc.propertyCollector, specSet=[{
        "propSet": [{"type": "Task", "pathSet": ["info"]}],
        "objectSet": [{"obj": task}]}], options={})
    info = result.objects[0].propSet[0].val
    assert info.state == "error"
    assert type(info.error.fault).__name__ == "InvalidPowerState"
    assert info.error.localizedMessage.startswith("The attempted operation cannot be performed")
