"""CustomizationSpecManager through pyVmomi (and zeep): the named specs every surface shares,
their versions, their faults and their XML form."""
import pytest
import requests
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


def test_zeep_reads_the_spec_manager(emulator):
    import zeep
    from zeep.transports import Transport
    client = zeep.Client(emulator.base + "/sdk/vimService.wsdl",
                         transport=Transport(session=requests.Session()))
    svc = client.service
    sc = svc.RetrieveServiceContent(_this={"_value_1": "ServiceInstance",
                                           "type": "ServiceInstance"})
    svc.Login(_this=sc.sessionManager, userName="user", password="pass")
    assert svc.DoesCustomizationSpecExist(_this=sc.customizationSpecManager,
                                          name="linux-web") is True
    item = svc.GetCustomizationSpec(_this=sc.customizationSpecManager, name="linux-web")
    assert item.info.name == "linux-web" and item.spec.identity.hostName.name == "web"
    with pytest.raises(zeep.exceptions.Fault) as refused:
        svc.GetCustomizationSpec(_this=sc.customizationSpecManager, name="nope")
    assert refused.value.detail[0].tag == "{urn:vim25}NotFoundFault"
