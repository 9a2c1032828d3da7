"""CustomizationSpecManager through pyVmomi (and zeep): the named specs every surface shares,
their versions, their faults and their XML form."""
import json

import pytest
import requests
import zeep
from pyVmomi import vim, vmodl

C = vim.vm.customization


def linux_item(name, host_name="web", description="", address=None):
    ip = C.FixedIp(ipAddress=address) if address else C.DhcpIpGenerator()
    return vim.CustomizationSpecItem(
        info=vim.CustomizationSpecInfo(name=name, description=description, type="Linux"),
        spec=C.Specification(
            identity=C.LinuxPrep(hostName=C.FixedName(name=host_name), domain="example.com",
                                 timeZone="Europe/Paris", hwClockUTC=True),
            globalIPSettings=C.GlobalIPSettings(dnsServerList=["10.0.0.2", "10.0.0.3"]),
            nicSettingMap=[C.AdapterMapping(adapter=C.IPSettings(
                ip=ip, subnetMask="255.255.255.0", gateway=["10.0.0.1"]))]))


@pytest.fixture
def specs(si):
    return si.content.customizationSpecManager


def test_the_fixture_specs_are_listed_and_read(specs):
    assert [i.name for i in specs.info] == ["linux-dhcp", "linux-web"]
    assert all(i.type == "Linux" and i.changeVersion and i.lastUpdateTime for i in specs.info)
    assert specs.DoesCustomizationSpecExist("linux-web") is True
    assert specs.DoesCustomizationSpecExist("nope") is False
    item = specs.GetCustomizationSpec("linux-web")
    assert item.info.name == "linux-web"
    assert item.spec.identity.hostName.name == "web"
    assert item.spec.nicSettingMap[0].adapter.ip.ipAddress == "10.0.10.10"
    with pytest.raises(vim.fault.NotFound):
        specs.GetCustomizationSpec("nope")
    assert len(specs.encryptionKey) > 0 and all(-128 <= b <= 127 for b in specs.encryptionKey)


def test_create_overwrite_and_versions(emulator, specs):
    specs.CreateCustomizationSpec(linux_item("db", "db01", "the database"))
    with pytest.raises(vim.fault.AlreadyExists) as dup:
        specs.CreateCustomizationSpec(linux_item("db"))
    assert dup.value.name == "db"
    item = specs.GetCustomizationSpec("db")
    assert (item.info.description, item.spec.identity.hostName.name) == ("the database", "db01")
    assert item.spec.globalIPSettings.dnsServerList == ["10.0.0.2", "10.0.0.3"]
    first_version, first_time = item.info.changeVersion, item.info.lastUpdateTime

    emulator.advance(60)
    item.spec.identity.hostName.name = "db02"
    specs.OverwriteCustomizationSpec(item)  # with the changeVersion it read
    again = specs.GetCustomizationSpec("db")
    assert again.spec.identity.hostName.name == "db02"
    assert int(again.info.changeVersion) > int(first_version)
    assert (again.info.lastUpdateTime - first_time).total_seconds() == pytest.approx(60, abs=1)

    item.spec.identity.hostName.name = "db03"  # item still carries the old changeVersion
    with pytest.raises(vim.fault.ConcurrentAccess):
        specs.OverwriteCustomizationSpec(item)
    assert specs.GetCustomizationSpec("db").spec.identity.hostName.name == "db02"
    item.info.changeVersion = None  # no version: overwrite whatever is there
    specs.OverwriteCustomizationSpec(item)
    assert specs.GetCustomizationSpec("db").spec.identity.hostName.name == "db03"
    with pytest.raises(vim.fault.NotFound):
        specs.OverwriteCustomizationSpec(linux_item("nope"))


def test_specs_are_kept_by_a_snapshot(emulator, specs):
    specs.CreateCustomizationSpec(linux_item("kept", "kept01"))
    version = specs.GetCustomizationSpec("kept").info.changeVersion
    specs.DeleteCustomizationSpec("linux-dhcp")
    control = emulator.base + "/vimsim/v1/snapshot"
    saved = requests.get(control, auth=("user", "pass"), timeout=10).json()
    specs.DeleteCustomizationSpec("kept")
    assert requests.put(control, json=saved, auth=("user", "pass"),
                        timeout=10).status_code == 200
    si = emulator.connect()
    specs = si.content.customizationSpecManager
    assert [i.name for i in specs.info] == ["kept", "linux-web"]
    item = specs.GetCustomizationSpec("kept")
    assert item.info.changeVersion == version and item.spec.identity.hostName.name == "kept01"


def test_a_spec_must_name_its_guest_family(specs):
    bad = linux_item("windows-ish")
    bad.info.type = "Windows"
    with pytest.raises(vmodl.fault.InvalidArgument) as refused:
        specs.CreateCustomizationSpec(bad)
    assert refused.value.invalidProperty == "item.info.type"
    assert not specs.DoesCustomizationSpecExist("windows-ish")


def test_duplicate_rename_delete(specs):
    specs.DuplicateCustomizationSpec("linux-web", "linux-web-2")
    copy = specs.GetCustomizationSpec("linux-web-2")
    assert copy.info.name == "linux-web-2" and copy.spec.identity.hostName.name == "web"
    with pytest.raises(vim.fault.AlreadyExists):
        specs.DuplicateCustomizationSpec("linux-web", "linux-dhcp")
    with pytest.raises(vim.fault.NotFound):
        specs.DuplicateCustomizationSpec("nope", "other")
    specs.RenameCustomizationSpec("linux-web-2", "linux-app")
    assert not specs.DoesCustomizationSpecExist("linux-web-2")
    assert specs.GetCustomizationSpec("linux-app").spec.identity.hostName.name == "web"
    with pytest.raises(vim.fault.AlreadyExists):
        specs.RenameCustomizationSpec("linux-app", "linux-web")
    with pytest.raises(vim.fault.NotFound):
        specs.RenameCustomizationSpec("nope", "other")
    specs.DeleteCustomizationSpec("linux-app")
    with pytest.raises(vim.fault.NotFound):
        specs.DeleteCustomizationSpec("linux-app")
    assert [i.name for i in specs.info] == ["linux-dhcp", "linux-web"]


def test_xml_round_trip(specs):
    item = specs.GetCustomizationSpec("linux-web")
    xml = specs.CustomizationSpecItemToXml(item)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<ConfigRoot>')
    assert "<_type>vim.vm.customization.Specification</_type>" in xml
    assert "<_type>vim.vm.customization.AdapterMapping[]</_type>" in xml
    assert '<e id="0">' in xml
    back = specs.XmlToCustomizationSpecItem(xml)
    assert back.info.name == "linux-web" and back.info.changeVersion == item.info.changeVersion
    assert back.spec.identity.hostName.name == "web"
    assert back.spec.nicSettingMap[0].adapter.ip.ipAddress == "10.0.10.10"
    rich = linux_item("rich", address="10.1.2.3")
    back = specs.XmlToCustomizationSpecItem(specs.CustomizationSpecItemToXml(rich))
    assert back.spec.identity.hwClockUTC is True
    assert back.spec.identity.timeZone == "Europe/Paris"
    assert back.spec.globalIPSettings.dnsServerList == ["10.0.0.2", "10.0.0.3"]
    assert back.spec.nicSettingMap[0].adapter.gateway == ["10.0.0.1"]
    # an imported item can be stored as it is
    specs.CreateCustomizationSpec(back)
    assert specs.GetCustomizationSpec("rich").spec.nicSettingMap[0].adapter.ip.ipAddress == \
        "10.1.2.3"
    for bad in ("<ConfigRoot>", "<Other/>", "<ConfigRoot><_type>vim.CustomizationSpecItem"
                "</_type><colour>red</colour></ConfigRoot>",
                xml.replace("vim.vm.customization.FixedName", "vim.vm.customization.IPSettings"),
                xml.replace("<name>linux-web</name>", ""),
                '<!DOCTYPE r [<!ENTITY e "x">]><ConfigRoot>&e;</ConfigRoot>'):
        with pytest.raises(vim.fault.CustomizationFault) as refused:
            specs.XmlToCustomizationSpecItem(bad)
        assert "not valid" in refused.value.msg


def test_check_customization_resources(specs):
    specs.CheckCustomizationResources("otherLinux64Guest")
    specs.CheckCustomizationResources("windows2019srv_64Guest")
    with pytest.raises(vim.fault.MissingWindowsCustResources):
        specs.CheckCustomizationResources("win2000ProGuest")
    with pytest.raises(vmodl.fault.InvalidArgument):
        specs.CheckCustomizationResources("beOSGuest-nope")
    specs.CheckCustomizationResources("rhel9_64Guest")
    specs.CheckCustomizationResources("other5xLinux64Guest")
    for guest_os in ("darwin19_64Guest", "freebsd13_64Guest", "otherGuest64", "dosGuest"):
        with pytest.raises(vim.fault.UncustomizableGuest) as refused:
            specs.CheckCustomizationResources(guest_os)
        assert refused.value.uncustomizableGuestOS == guest_os


def test_specs_need_the_provisioning_privileges(emulator, specs):
    ro = emulator.connect("readonly", "readonly").content.customizationSpecManager
    with pytest.raises(vim.fault.NoPermission) as refused:
        ro.CreateCustomizationSpec(linux_item("ro"))
    assert refused.value.privilegeId == "VirtualMachine.Provisioning.ModifyCustSpecs"
    with pytest.raises(vim.fault.NoPermission) as refused:
        ro.GetCustomizationSpec("linux-web")
    assert refused.value.privilegeId == "VirtualMachine.Provisioning.ReadCustSpecs"
    assert not specs.DoesCustomizationSpecExist("ro")


def test_a_spec_created_over_soap_is_what_rest_applies(emulator, si, specs):
    specs.CreateCustomizationSpec(linux_item("from-soap", "soap01"))
    vm = next(v for v in si.content.viewManager.CreateContainerView(
        si.content.rootFolder, [vim.VirtualMachine], True).view if v.name == "DC0_H0_VM0")
    from pyVim.task import WaitForTask
    task = vm.PowerOffVM_Task()
    emulator.advance(5)
    assert WaitForTask(task) == "success"
    s = requests.Session()
    token = s.post(emulator.base + "/api/session", auth=("user", "pass"), timeout=10).json()
    s.headers["vmware-api-session-id"] = token
    r = s.put(emulator.base + "/api/vcenter/vm/%s/guest/customization" % vm._moId,
              json={"name": "from-soap"}, timeout=10)
    assert r.status_code == 204, r.text
    vm.PowerOnVM_Task()
    emulator.advance(0.3 + 3 + 1 + 3)  # power on, Tools start, PENDING, RUNNING
    assert vm.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert vm.guest.hostName == "soap01"
    task = vm.PowerOffVM_Task()
    emulator.advance(5)
    assert WaitForTask(task) == "success"
    r = s.put(emulator.base + "/api/vcenter/vm/%s/guest/customization" % vm._moId,
              json={"name": "nope"}, timeout=10)
    assert r.status_code == 404


import test_zeep  # noqa: E402
from test_zeep import fault_of  # noqa: E402

recorder, zc = test_zeep.recorder, test_zeep.zc  # the zeep client's fixtures


def test_zeep_drives_every_method_of_the_spec_manager(emulator, zc):
    """Each CustomizationSpecManager method and property through zeep, from the WSDL vimsim
    serves; the recorder checks every answer and fault against the schema."""
    svc, mgr, t = zc.svc, zc.sc.customizationSpecManager, zc.type
    assert [i.name for i in zc.prop(mgr, "info").CustomizationSpecInfo] == [
        "linux-dhcp", "linux-web"]
    assert len(zc.prop(mgr, "encryptionKey").byte) == 256
    assert svc.DoesCustomizationSpecExist(_this=mgr, name="linux-web") is True
    assert svc.DoesCustomizationSpecExist(_this=mgr, name="zeep") is False
    spec = zc.spec(nics=1)
    # (zeep reads an empty element as None, which its own checks then refuse to send back)
    spec.globalIPSettings = t("CustomizationGlobalIPSettings", dnsServerList=["10.3.3.1"])
    item = t("CustomizationSpecItem",
             info=t("CustomizationSpecInfo", name="zeep", description="from zeep", type="Linux"),
             spec=spec)
    svc.CreateCustomizationSpec(_this=mgr, item=item)
    with pytest.raises(zeep.exceptions.Fault) as refused:
        svc.CreateCustomizationSpec(_this=mgr, item=item)
    element, fields = fault_of(refused)
    assert element.tag == "{urn:vim25}AlreadyExistsFault" and fields["name"].text == "zeep"

    got = svc.GetCustomizationSpec(_this=mgr, name="zeep")
    assert got.info.description == "from zeep" and got.info.changeVersion
    assert got.spec.identity.hostName.name == "zeep01"
    assert got.spec.nicSettingMap[0].adapter.ip.ipAddress == "10.3.3.3"
    version = got.info.changeVersion
    emulator.advance(2)
    got.spec.identity.hostName.name = "zeep02"
    svc.OverwriteCustomizationSpec(_this=mgr, item=got)
    newer = svc.GetCustomizationSpec(_this=mgr, name="zeep")
    assert int(newer.info.changeVersion) > int(version)
    assert newer.spec.identity.hostName.name == "zeep02"
    with pytest.raises(zeep.exceptions.Fault) as refused:  # got's version is stale now
        svc.OverwriteCustomizationSpec(_this=mgr, item=got)
    assert fault_of(refused)[0].tag == "{urn:vim25}ConcurrentAccessFault"

    svc.DuplicateCustomizationSpec(_this=mgr, name="zeep", newName="zeep-copy")
    svc.RenameCustomizationSpec(_this=mgr, name="zeep-copy", newName="zeep-renamed")
    assert svc.DoesCustomizationSpecExist(_this=mgr, name="zeep-copy") is False
    xml = svc.CustomizationSpecItemToXml(_this=mgr, item=newer)
    assert xml.lstrip().startswith("<?xml") and "<ConfigRoot>" in xml
    back = svc.XmlToCustomizationSpecItem(_this=mgr, specItemXml=xml)
    assert back.info.name == "zeep" and back.spec.identity.hostName.name == "zeep02"
    with pytest.raises(zeep.exceptions.Fault) as refused:
        svc.XmlToCustomizationSpecItem(_this=mgr, specItemXml="<nope/>")
    assert fault_of(refused)[0].tag == "{urn:vim25}CustomizationFaultFault"
    svc.CheckCustomizationResources(_this=mgr, guestOs="ubuntu64Guest")
    with pytest.raises(zeep.exceptions.Fault) as refused:
        svc.CheckCustomizationResources(_this=mgr, guestOs="winNTGuest")
    assert fault_of(refused)[0].tag == "{urn:vim25}MissingWindowsCustResourcesFault"

    for name in ("zeep", "zeep-renamed"):
        svc.DeleteCustomizationSpec(_this=mgr, name=name)
    with pytest.raises(zeep.exceptions.Fault) as refused:
        svc.DeleteCustomizationSpec(_this=mgr, name="zeep")
    assert fault_of(refused)[0].tag == "{urn:vim25}NotFoundFault"
    assert [i.name for i in zc.prop(mgr, "info").CustomizationSpecInfo] == [
        "linux-dhcp", "linux-web"]


def test_vi_json_shares_the_spec_store(emulator, specs):
    """VI/JSON's CustomizationSpecManager is the same store: what it creates pyVmomi reads,
    and its faults come in VI/JSON's shape."""
    from test_jsonapi import Json, fault, linux_spec

    js = Json(emulator)
    js.login()
    mgr = ("CustomizationSpecManager", "CustomizationSpecManager")
    names = [i["name"] for i in js.get(*mgr, "info").json()]
    assert names == ["linux-dhcp", "linux-web"]
    item = {"_typeName": "CustomizationSpecItem",
            "info": {"_typeName": "CustomizationSpecInfo", "name": "from-json", "type": "Linux",
                     "description": "made over VI/JSON"},
            "spec": linux_spec("10.6.6.6", nics=1)}
    r = js.post(*mgr, "CreateCustomizationSpec", {"item": item})
    assert r.status_code == 204, r.text
    got = specs.GetCustomizationSpec("from-json")  # pyVmomi, over SOAP
    assert got.info.description == "made over VI/JSON"
    assert got.spec.nicSettingMap[0].adapter.ip.ipAddress == "10.6.6.6"
    back = js.post(*mgr, "GetCustomizationSpec", {"name": "from-json"}).json()
    assert back["_typeName"] == "CustomizationSpecItem"
    assert back["info"]["changeVersion"] == got.info.changeVersion
    assert js.post(*mgr, "DoesCustomizationSpecExist", {"name": "from-json"}).json() is True
    body = fault(js.post(*mgr, "CreateCustomizationSpec", {"item": item}), "AlreadyExists")
    assert body["name"] == "from-json"
    fault(js.post(*mgr, "GetCustomizationSpec", {"name": "nope"}), "NotFound")
    assert js.post(*mgr, "DeleteCustomizationSpec", {"name": "from-json"}).status_code == 204
    assert specs.DoesCustomizationSpecExist("from-json") is False


# -- the Automation API's customization specs, over the same store ---------------------------

from tests.test_rest import Rest, api_error, input_error, rest_error  # noqa: E402

LINUX_SPEC = {
    "configuration_spec": {"linux_config": {
        "hostname": {"type": "FIXED", "fixed_name": "app01"}, "domain": "example.com",
        "time_zone": "Europe/Paris"}},
    "global_DNS_settings": {"dns_servers": ["10.0.0.2"], "dns_suffix_list": ["example.com"]},
    "interfaces": [{"adapter": {"ipv4": {"type": "STATIC", "ip_address": "10.0.0.50",
                                         "prefix": 24, "gateways": ["10.0.0.1"]}}}]}


def test_rest_customization_specs_lifecycle(emulator, specs):
    rest = Rest(emulator)
    url = emulator.base + "/api/vcenter/guest/customization-specs"
    listed = rest.get("/api/vcenter/guest/customization-specs").json()
    assert [(s["name"], s["OS_type"]) for s in listed] == [("linux-dhcp", "LINUX"),
                                                           ("linux-web", "LINUX")]
    r = rest.http.post(url, headers=rest.headers, timeout=10, json={
        "name": "app", "description": "the app tier", "spec": LINUX_SPEC})
    assert r.status_code == 201 and r.json() == "app", r.text
    api_error(rest.http.post(url, headers=rest.headers, timeout=10, json={
        "name": "app", "description": "", "spec": LINUX_SPEC}), 400, "ALREADY_EXISTS")
    # SOAP sees what REST created, translated to vim25
    item = specs.GetCustomizationSpec("app")
    assert item.info.description == "the app tier" and item.info.type == "Linux"
    assert item.spec.identity.hostName.name == "app01"
    assert item.spec.identity.timeZone == "Europe/Paris"
    adapter = item.spec.nicSettingMap[0].adapter
    assert (adapter.ip.ipAddress, adapter.subnetMask, adapter.gateway) == (
        "10.0.0.50", "255.255.255.0", ["10.0.0.1"])
    assert item.spec.globalIPSettings.dnsServerList == ["10.0.0.2"]

    info = rest.get("/api/vcenter/guest/customization-specs/app").json()
    assert info["spec"]["name"] == "app" and info["spec"]["fingerprint"] == item.info.changeVersion
    assert info["spec"]["spec"] == LINUX_SPEC  # the round trip through vim25 is exact
    api_error(rest.get("/api/vcenter/guest/customization-specs/nope"), 404, "NOT_FOUND")

    emulator.advance(5)
    changed = dict(LINUX_SPEC, interfaces=[{"adapter": {"ipv4": {"type": "DHCP"}}}])
    r = rest.put("/api/vcenter/guest/customization-specs/app", {
        "name": "app", "description": "now DHCP", "fingerprint": info["spec"]["fingerprint"],
        "spec": changed})
    assert r.status_code == 204, r.text
    assert specs.GetCustomizationSpec("app").spec.nicSettingMap[0].adapter.ip.__class__ \
        is C.DhcpIpGenerator
    api_error(rest.put("/api/vcenter/guest/customization-specs/app", {  # stale fingerprint
        "name": "app", "description": "", "fingerprint": info["spec"]["fingerprint"],
        "spec": LINUX_SPEC}), 400, "CONCURRENT_CHANGE")

    r = rest.http.post(url + "/app?action=export", headers=rest.headers, timeout=10,
                       json={"format": "XML"})
    assert r.status_code == 200 and r.json().startswith('<?xml version="1.0"'), r.text
    exported_json = rest.http.post(url + "/app?action=export", headers=rest.headers,
                                   timeout=10, json={"format": "JSON"}).json()
    for document in (r.json(), exported_json):
        imported = rest.http.post(url + "?action=import", headers=rest.headers, timeout=10,
                                  json={"customization_spec": document})
        assert imported.status_code == 200, imported.text
        assert imported.json()["name"] == "app" and imported.json()["spec"] == changed
    api_error(rest.http.post(url + "?action=import", headers=rest.headers, timeout=10,
                             json={"customization_spec": "<ConfigRoot>"}), 400,
              "INVALID_ARGUMENT")

    assert rest.http.delete(url + "/app", headers=rest.headers, timeout=10).status_code == 204
    assert not specs.DoesCustomizationSpecExist("app")
    api_error(rest.http.delete(url + "/app", headers=rest.headers, timeout=10), 404,
              "NOT_FOUND")


def test_rest_refuses_specs_that_are_not_the_schema(emulator, specs):
    rest = Rest(emulator)
    url = emulator.base + "/api/vcenter/guest/customization-specs"
    ipv4 = "spec.spec.interfaces[0].adapter.ipv4"
    for bad, field in (
            ({"configuration_spec": {}, "interfaces": []}, "spec.spec.configuration_spec"),
            (dict(LINUX_SPEC, interfaces=[{"adapter": {"ipv4": {
                "type": "STATIC", "ip_address": {"a": 1}, "prefix": 24}}}]), ipv4),
            (dict(LINUX_SPEC, interfaces=[{"adapter": {"ipv4": {
                "type": "STATIC", "ip_address": 7, "prefix": 24}}}]), ipv4),
            (dict(LINUX_SPEC, interfaces=[{"adapter": {"ipv4": {"type": "STATIC"}}}]),
             "ip_address"),
            (dict(LINUX_SPEC, configuration_spec={"linux_config": {
                "hostname": {"type": "FIXED", "fixed_name": "bad\u0001name"},
                "domain": "x"}}), "fixed_name"),
            (dict(LINUX_SPEC, colour="red"), "spec.spec.colour")):
        r = rest.http.post(url, headers=rest.headers, timeout=10,
                           json={"name": "bad", "description": "", "spec": bad})
        causes = input_error(r, "create", field)
        assert not any("Traceback" in m["default_message"] for m in causes)
    assert not specs.DoesCustomizationSpecExist("bad")
    readonly = Rest(emulator, "readonly", "readonly")
    api_error(readonly.get("/api/vcenter/guest/customization-specs"), 403, "UNAUTHORIZED")


def test_rest_dialect_customization_specs(emulator):
    r = requests.post(emulator.base + "/rest/com/vmware/cis/session", auth=("user", "pass"),
                      timeout=10)
    headers = {"vmware-api-session-id": r.json()["value"]}
    url = emulator.base + "/rest/vcenter/guest/customization-specs"
    r = requests.post(url, headers=headers, timeout=10, json={"spec": {
        "name": "r1", "description": "", "spec": LINUX_SPEC}})
    assert r.status_code == 200 and r.json() == {"value": "r1"}, r.text
    listed = requests.get(url, headers=headers, timeout=10,
                          params={"filter.OS_type": "LINUX", "filter.names": "r1"}).json()
    assert [s["name"] for s in listed["value"]] == ["r1"]
    got = requests.get(url + "/r1", headers=headers, timeout=10).json()["value"]
    assert got["spec"]["spec"]["configuration_spec"]["linux_config"]["hostname"] == {
        "type": "FIXED", "fixed_name": "app01"}
    rest_error(requests.get(url + "/nope", headers=headers, timeout=10), 404, "not_found")
    assert requests.delete(url + "/r1", headers=headers, timeout=10).status_code == 200


def test_sdk_customization_specs(make_emulator, tmp_path):
    from com.vmware.vapi.std.errors_client import AlreadyExists, ConcurrentChange, \
        InvalidArgument, NotFound
    from com.vmware.vcenter import guest_client as g
    from tests.test_rest import sdk_client
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))
    specs = sdk_client(emulator).vcenter.guest.CustomizationSpecs
    assert [s.name for s in specs.list()] == ["linux-dhcp", "linux-web"]
    assert [s.name for s in specs.list(specs.FilterSpec(names={"linux-web"}))] == ["linux-web"]
    assert specs.list(specs.FilterSpec(os_type=specs.OsType.WINDOWS)) == []
    spec = g.CustomizationSpec(
        configuration_spec=g.ConfigurationSpec(linux_config=g.LinuxConfiguration(
            hostname=g.HostnameGenerator(type=g.HostnameGenerator.Type.PREFIX, prefix="web"),
            domain="example.com")),
        global_dns_settings=g.GlobalDNSSettings(dns_servers=["10.0.0.2"]),
        interfaces=[g.AdapterMapping(adapter=g.IPSettings(ipv4=g.Ipv4(
            type=g.Ipv4.Type.STATIC, ip_address="10.0.0.9", prefix=16)))])
    assert specs.create(specs.CreateSpec(name="sdk", description="from the SDK",
                                         spec=spec)) == "sdk"
    with pytest.raises(AlreadyExists):
        specs.create(specs.CreateSpec(name="sdk", description="", spec=spec))
    info = specs.get("sdk")
    assert info.spec.name == "sdk" and info.spec.description == "from the SDK"
    got = info.spec.spec
    assert got.configuration_spec.linux_config.hostname.prefix == "web"
    assert got.interfaces[0].adapter.ipv4.ip_address == "10.0.0.9"
    assert got.interfaces[0].adapter.ipv4.prefix == 16
    assert emulator.vc.customization_spec_manager.spec("sdk").nicSettingMap[0] \
        .adapter.subnetMask == "255.255.0.0"
    specs.set("sdk", specs.Spec(name="sdk", description="changed",
                                fingerprint=info.spec.fingerprint, spec=spec))
    assert specs.get("sdk").spec.description == "changed"
    with pytest.raises(ConcurrentChange):  # info's fingerprint is stale now
        specs.set("sdk", specs.Spec(name="sdk", description="again",
                                    fingerprint=info.spec.fingerprint, spec=spec))
    as_json = json.loads(specs.export("sdk", specs.Format.JSON))
    assert as_json["spec"]["interfaces"][0]["adapter"]["ipv4"]["ip_address"] == "10.0.0.9"
    xml = specs.export("sdk", specs.Format.XML)
    assert "<ConfigRoot>" in xml
    imported = specs.import_specification(xml)
    assert imported.name == "sdk" and imported.spec.interfaces[0].adapter.ipv4.prefix == 16
    with pytest.raises(InvalidArgument):
        specs.import_specification("<nope/>")
    specs.delete("sdk")
    with pytest.raises(NotFound):
        specs.get("sdk")


def test_rest_refuses_a_missing_spec_and_gives_back_what_it_can_take_again(emulator, specs):
    """A null body, or a null spec, is a missing required structure (400, not a 500); what GET
    answers for the fixture's spec (its static address with a prefix) can be PUT back."""
    rest = Rest(emulator)
    url = emulator.base + "/api/vcenter/guest/customization-specs"
    vm = rest.get("/api/vcenter/vm", params={"names": "DC0_H0_VM0"}).json()[0]["vm"]
    null = {"data": "null", "headers": dict(rest.headers, **{"Content-Type": "application/json"}),
            "timeout": 10}
    input_error(rest.http.put(emulator.base + "/api/vcenter/vm/%s/guest/customization" % vm,
                              **null), "set", "spec")
    input_error(rest.http.post(url, **null), "create", "spec")
    input_error(rest.http.put(url + "/linux-web", **null), "set", "spec")
    input_error(rest.http.post(url + "?action=import", headers=rest.headers, timeout=10,
                               json={"customization_spec": "null"}), "import_specification",
                "spec")
    legacy = requests.post(emulator.base + "/rest/com/vmware/cis/session", auth=("user", "pass"),
                           timeout=10).json()["value"]
    for path in ("/rest/vcenter/vm/%s/guest/customization" % vm,
                 "/rest/vcenter/guest/customization-specs/linux-web"):
        rest_error(requests.put(emulator.base + path, timeout=10, json={"spec": None},
                                headers={"vmware-api-session-id": legacy}), 400,
                   "invalid_argument")
    got = rest.get("/api/vcenter/guest/customization-specs/linux-web").json()["spec"]
    assert got["spec"]["interfaces"][0]["adapter"]["ipv4"] == {
        "type": "STATIC", "ip_address": "10.0.10.10", "prefix": 24}
    assert rest.put("/api/vcenter/guest/customization-specs/linux-web", got).status_code == 204
    assert specs.GetCustomizationSpec("linux-web").spec.nicSettingMap[0].adapter.subnetMask == \
        "255.255.255.0"


def test_json_rpc_specs_refuse_values_of_the_wrong_type(emulator):
    """The SDK's endpoint checks the customization-specs service's inputs as the others:
    invalid_argument, never internal_server_error."""
    def rpc(operation, given, security):
        return requests.post(emulator.base + "/api", timeout=10, json={
            "jsonrpc": "2.0", "method": "invoke", "id": "1", "params": {
                "serviceId": "com.vmware.vcenter.guest.customization_specs"
                if security.get("sessionId") else "com.vmware.cis.session",
                "operationId": operation, "ctx": {"appCtx": {}, "securityCtx": security},
                "input": {"STRUCTURE": {"operation-input": given}}}}).json()["result"]
    session = rpc("create", {}, {"schemeId": "com.vmware.vapi.std.security.user_pass",
                                 "userName": "user", "password": "pass"})["output"]["SECRET"]
    security = {"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": session}
    for operation, given in (("list", {"filter": 5}), ("list", {"filter": {"names": 5}}),
                             ("list", {"filter": {"names": [{}]}}), ("get", {"name": {}}),
                             ("get", {}), ("delete", {"name": [1]}), ("create", {}),
                             ("import_specification", {"customization_spec": "null"})):
        error = rpc(operation, given, security)["error"]["ERROR"]
        assert list(error) == ["com.vmware.vapi.std.errors.invalid_argument"], (given, error)
    listed = rpc("list", {"filter": {"names": ["linux-web"]}}, security)["output"]
    assert len(listed) == 1
