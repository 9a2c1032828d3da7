"""The whole vim25 schema is known: a property it defines is unset, not an error; specs,
traversals and views of any managed type are accepted and find what exists."""
import pytest
from lxml import etree
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_soap_wire import NS, XSI_TYPE, fault_of, login, post

PC = vmodl.query.PropertyCollector


def test_the_registry_holds_every_vim25_type():
    from vimsim.vim25.types import REGISTRY
    assert len(REGISTRY.data) > 2900 and len(REGISTRY.managed) > 130 and len(REGISTRY.enums) > 400
    assert "vAppConfig" in REGISTRY.managed["VirtualApp"].props
    assert REGISTRY.managed["StoragePod"].ancestors >= {"Folder", "ManagedEntity"}
    assert REGISTRY.data["VirtualDisk"].is_a("VirtualDevice")
    assert "VirtualMachine.Inventory.Create" in REGISTRY.privileges()
    assert REGISTRY.method("SearchIndex", "FindByUuid").result.kind == "moref"


def test_unmodelled_properties_are_unset_not_invalid(si):
    vm = find_vm(si, "DC0_H0_VM0")
    datastore = vm.datastore[0]
    assert vm.snapshot is None
    assert vm.rootSnapshot == []
    assert vm.parentVApp is None
    assert datastore.iormConfiguration is None
    # Through RetrievePropertiesEx: unset paths are left out of propSet, with no missingSet.
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)], propSet=[PC.PropertySpec(
        type=vim.VirtualMachine, pathSet=["name", "snapshot", "parentVApp", "config.vAppConfig"])])
    [content] = si.content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions()).objects
    assert [p.name for p in content.propSet] == ["name"]
    assert not content.missingSet


def test_fetch_of_an_unset_array_is_the_empty_typed_array(emulator):
    cookie = login(emulator).headers["Set-Cookie"]
    body = ('<Fetch xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this>'
            '<prop>rootSnapshot</prop></Fetch>')
    vm = emulator.call(lambda: next(o for o in emulator.vc.objects.values()
                                    if o.vim_type == "VirtualMachine").moid)
    response = post(emulator, body % vm, cookie=cookie)
    assert response.status_code == 200
    [returnval] = etree.fromstring(response.content).find(
        "soapenv:Body/vim:FetchResponse", NS)
    assert returnval.get(XSI_TYPE) == "ArrayOfManagedObjectReference" and len(returnval) == 0
    body = ('<Fetch xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this>'
            '<prop>snapshot</prop></Fetch>')
    response = post(emulator, body % vm, cookie=cookie)
    assert len(etree.fromstring(response.content).find("soapenv:Body/vim:FetchResponse", NS)) == 0


def test_undefined_paths_and_types_are_still_refused(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)], propSet=[PC.PropertySpec(
        type=vim.VirtualMachine, pathSet=["noSuchProperty"])])
    with pytest.raises(vmodl.query.InvalidProperty) as err:
        si.content.propertyCollector.RetrieveContents([spec])
    assert err.value.name == "noSuchProperty"
    # pyVmomi checks type names itself: the wire, for a type the schema does not have
    body = ('<RetrieveProperties xmlns="urn:vim25"><_this type="PropertyCollector">'
            'propertyCollector</_this><specSet><propSet><type>NoSuchType</type>'
            '<pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">%s</obj>'
            '</objectSet></specSet></RetrieveProperties>' % vm._moId)
    _, detail = fault_of(post(emulator, body, cookie=login(emulator).headers["Set-Cookie"]))
    assert detail.get(XSI_TYPE) == "InvalidType" and detail.findtext("vim:argument", namespaces=NS) == "NoSuchType"


def test_specs_of_types_without_objects_match_nothing(si):
    """govc's finder: PropertySpecs for VirtualApp and DistributedVirtualSwitch, and a
    traversal through VirtualMachine.parentVApp."""
    content = si.content
    folder_children = PC.TraversalSpec(name="folder", type=vim.Folder, path="childEntity",
                                       selectSet=[PC.SelectionSpec(name="folder"),
                                                  PC.SelectionSpec(name="dc")])
    datacenter_vms = PC.TraversalSpec(name="dc", type=vim.Datacenter, path="vmFolder",
                                      selectSet=[PC.SelectionSpec(name="folder")])
    vapp = PC.TraversalSpec(type=vim.VirtualMachine, path="parentVApp")
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=content.rootFolder,
                                 selectSet=[folder_children, datacenter_vms, vapp])],
        propSet=[PC.PropertySpec(type=t, pathSet=["name"]) for t in (
            vim.VirtualMachine, vim.VirtualApp, vim.DistributedVirtualSwitch,
            vim.dvs.DistributedVirtualPortgroup, vim.StoragePod)])
    found = content.propertyCollector.RetrieveContents([spec])
    names = {o.propSet[0].val for o in found}
    assert {"DC0_H0_VM0", "DC0_C0_RP0_VM0"} <= names
    assert {o.obj._wsdlName for o in found} == {"VirtualMachine"}


def test_container_views_of_any_managed_type(si):
    view_manager = si.content.viewManager
    for kind in (vim.StoragePod, vim.VirtualApp, vim.DistributedVirtualSwitch,
                 vim.OpaqueNetwork):
        view = view_manager.CreateContainerView(si.content.rootFolder, [kind], True)
        assert view.view == []
        view.DestroyView()
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vmodl.fault.InvalidArgument) as err:
        view_manager.CreateContainerView(vm, [vim.VirtualMachine], True)
    assert err.value.invalidProperty == "container"


def test_updates_enter_only_objects_a_property_spec_matches(si):
    """A filter that traverses folders to reach VMs reports the VMs, each with its values,
    and never the folders it passed through."""
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=content.rootFolder, selectSet=[PC.TraversalSpec(
            name="folder", type=vim.Folder, path="childEntity",
            selectSet=[PC.SelectionSpec(name="folder"), PC.TraversalSpec(
                type=vim.Datacenter, path="vmFolder",
                selectSet=[PC.SelectionSpec(name="folder")])])])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
    collector = content.propertyCollector
    pfilter = collector.CreateFilter(spec, partialUpdates=False)
    update = collector.WaitForUpdatesEx("", vmodl.query.PropertyCollector.WaitOptions())
    objects = update.filterSet[0].objectSet
    assert {o.obj._wsdlName for o in objects} == {"VirtualMachine"}
    assert len(objects) == len(view.view)
    assert all(o.kind == "enter" and o.changeSet for o in objects)
    pfilter.Destroy()


# vCenter 8.0's ServiceContent references (recorded), as property -> (type, moId).
VCENTER_SERVICE_CONTENT = {
    "rootFolder": ("Folder", "group-d1"),
    "propertyCollector": ("PropertyCollector", "propertyCollector"),
    "viewManager": ("ViewManager", "ViewManager"), "setting": ("OptionManager", "VpxSettings"),
    "userDirectory": ("UserDirectory", "UserDirectory"),
    "sessionManager": ("SessionManager", "SessionManager"),
    "authorizationManager": ("AuthorizationManager", "AuthorizationManager"),
    "serviceManager": ("ServiceManager", "ServiceMgr"),
    "perfManager": ("PerformanceManager", "PerfMgr"),
    "scheduledTaskManager": ("ScheduledTaskManager", "ScheduledTaskManager"),
    "alarmManager": ("AlarmManager", "AlarmManager"),
    "eventManager": ("EventManager", "EventManager"), "taskManager": ("TaskManager", "TaskManager"),
    "extensionManager": ("ExtensionManager", "ExtensionManager"),
    "customizationSpecManager": ("CustomizationSpecManager", "CustomizationSpecManager"),
    "guestCustomizationManager": ("VirtualMachineGuestCustomizationManager",
                                  "GuestCustomizationManager"),
    "customFieldsManager": ("CustomFieldsManager", "CustomFieldsManager"),
    "diagnosticManager": ("DiagnosticManager", "DiagMgr"),
    "licenseManager": ("LicenseManager", "LicenseManager"),
    "searchIndex": ("SearchIndex", "SearchIndex"), "fileManager": ("FileManager", "FileManager"),
    "datastoreNamespaceManager": ("DatastoreNamespaceManager", "DatastoreNamespaceManager"),
    "virtualDiskManager": ("VirtualDiskManager", "virtualDiskManager"),
    "snmpSystem": ("HostSnmpSystem", "SnmpSystem"),
    "vmProvisioningChecker": ("VirtualMachineProvisioningChecker", "ProvChecker"),
    "vmCompatibilityChecker": ("VirtualMachineCompatibilityChecker", "CompatChecker"),
    "ovfManager": ("OvfManager", "OvfManager"), "ipPoolManager": ("IpPoolManager", "IpPoolManager"),
    "dvSwitchManager": ("DistributedVirtualSwitchManager", "DVSManager"),
    "hostProfileManager": ("HostProfileManager", "HostProfileManager"),
    "clusterProfileManager": ("ClusterProfileManager", "ClusterProfileManager"),
    "complianceManager": ("ProfileComplianceManager", "MoComplianceManager"),
    "localizationManager": ("LocalizationManager", "LocalizationManager"),
    "storageResourceManager": ("StorageResourceManager", "StorageResourceManager"),
    "guestOperationsManager": ("GuestOperationsManager", "guestOperationsManager"),
    "overheadMemoryManager": ("OverheadMemoryManager", "OverheadMemoryManager"),
    "certificateManager": ("CertificateManager", "certificateManager"),
    "ioFilterManager": ("IoFilterManager", "IoFilterManager"),
    "vStorageObjectManager": ("VcenterVStorageObjectManager", "VStorageObjectManager"),
    "hostSpecManager": ("HostSpecificationManager", "HostSpecificationManager"),
    "cryptoManager": ("CryptoManagerKmip", "CryptoManager"),
    "healthUpdateManager": ("HealthUpdateManager", "HealthUpdateManager"),
    "failoverClusterConfigurator": ("FailoverClusterConfigurator", "FailoverClusterConfigurator"),
    "failoverClusterManager": ("FailoverClusterManager", "FailoverClusterManager"),
    "tenantManager": ("TenantTenantManager", "TenantManager"),
    "siteInfoManager": ("SiteInfoManager", "SiteInfoManager"),
    "storageQueryManager": ("StorageQueryManager", "StorageQueryManager"),
}


def test_service_content_names_every_vcenter_manager(si):
    content = si.RetrieveContent()
    found = {}
    for prop in VCENTER_SERVICE_CONTENT:
        ref = getattr(content, prop)
        assert ref is not None, prop
        found[prop] = (ref._wsdlName, ref._moId)
    assert found == VCENTER_SERVICE_CONTENT
    assert content.about.patchLevel == "00000"
    # Each is a managed object that answers its properties (unset where not modelled).
    PCs = vmodl.query.PropertyCollector
    for prop in ("ovfManager", "hostProfileManager", "alarmManager", "extensionManager"):
        obj = getattr(content, prop)
        spec = PCs.FilterSpec(objectSet=[PCs.ObjectSpec(obj=obj)],
                              propSet=[PCs.PropertySpec(type=type(obj), all=True)])
        [answer] = content.propertyCollector.RetrieveContents([spec])
        assert answer.obj._moId == obj._moId
    assert content.alarmManager.defaultExpression == []


def test_a_schema_method_vimsim_does_not_implement_is_method_not_found(si):
    with pytest.raises(vmodl.fault.MethodNotFound) as err:
        si.content.alarmManager.GetAlarm()
    assert err.value.method == "GetAlarm"
    assert err.value.receiver._moId == "AlarmManager"


def test_versions_document_lists_what_vcenter_8_lists():
    from vimsim.soap.resource import VERSIONS_XML
    root = etree.fromstring(VERSIONS_XML)
    prior = [v.text for v in root.findall("namespace/priorVersions/version")]
    assert prior[:5] == ["8.0.2.0", "8.0.1.0", "8.0.0.2", "8.0.0.1", "8.0.0.0"]
    assert prior[-6:] == ["6.0", "5.5", "5.1", "5.0", "4.1", "4.0"] and len(prior) == 27


@pytest.mark.parametrize("version", ["5.5", "7.0.3.1", "8.0.0.1", "6.7.3"])
def test_smartconnect_negotiates_older_versions(emulator, version):
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import VmomiSupport
    wanted = VmomiSupport.GetVersionFromVersionUri("vim25/" + version)
    si = SmartConnect(host="127.0.0.1", port=emulator.port, user="user", pwd="pass",
                      protocol="http", preferredApiVersions=[wanted])
    assert si.content.about.apiType == "VirtualCenter"
    assert si._stub.versionId.strip('"') == "urn:vim25/" + version
    Disconnect(si)


def test_every_datetime_vimsim_writes_reads_back_on_every_python():
    """vCenter's dateTime drops trailing zeros of the fraction (1 to 6 digits are written);
    Python before 3.11 reads only 3 or 6 of them, and an xsd:dateTime may carry more."""
    from vimsim.vim25.data import format_datetime, parse_datetime
    from datetime import datetime, timezone
    for micro in (0, 100000, 120000, 123000, 123400, 123450, 123456):
        value = datetime(2026, 12, 2, 16, 20, 23, micro, tzinfo=timezone.utc)
        assert parse_datetime(format_datetime(value)) == value
    assert parse_datetime("2026-12-02T16:20:23.123456789-05:00") == \
        datetime(2026, 12, 2, 21, 20, 23, 123456, tzinfo=timezone.utc)


def test_wire_details_vcenter_writes(emulator):
    from vimsim.vim25.data import format_datetime
    from datetime import datetime, timezone
    assert format_datetime(datetime(1970, 1, 1, tzinfo=timezone.utc)) == "1970-01-01T00:00:00Z"
    assert format_datetime(datetime(2023, 12, 14, 6, 58, 11, 284040, tzinfo=timezone.utc)) == \
        "2023-12-14T06:58:11.28404Z"
    cookie = login(emulator).headers["Set-Cookie"]
    response = post(emulator, '<Fetch xmlns="urn:vim25"><_this type="VirtualMachine">vm-999'
                    '</_this><prop>name</prop></Fetch>', cookie=cookie)
    assert response.headers["Cache-Control"] == "no-cache"
    message, detail = fault_of(response)
    assert detail.get(XSI_TYPE) == "ManagedObjectNotFound"
    assert message == ("The object 'vim.VirtualMachine:vm-999' has already been deleted or "
                       "has not been completely created")


def test_each_item_of_an_array_in_an_any_type_slot_carries_its_type(emulator):
    """As a recorded vCenter writes a Fetch of an array property: <returnval
    xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore"
    xsi:type="ManagedObjectReference">...; strings as <string xsi:type="xsd:string">."""
    cookie = login(emulator).headers["Set-Cookie"]
    vm = emulator.call(lambda: next(o for o in emulator.vc.objects.values()
                                    if o.vim_type == "VirtualMachine").moid)
    fetch = '<Fetch xmlns="urn:vim25"><_this type="%s">%s</_this><prop>%s</prop></Fetch>'
    response = post(emulator, fetch % ("VirtualMachine", vm, "datastore"), cookie=cookie)
    [returnval] = etree.fromstring(response.content).find("soapenv:Body/vim:FetchResponse", NS)
    assert returnval.get(XSI_TYPE) == "ArrayOfManagedObjectReference"
    [item] = returnval
    assert item.get(XSI_TYPE) == "ManagedObjectReference" and item.get("type") == "Datastore"
    response = post(emulator, fetch % ("Folder", "group-d1", "childType"), cookie=cookie)
    [returnval] = etree.fromstring(response.content).find("soapenv:Body/vim:FetchResponse", NS)
    assert returnval.get(XSI_TYPE) == "ArrayOfString"
    assert [i.get(XSI_TYPE) for i in returnval] == ["xsd:string"] * len(returnval) != []
