"""ServiceInstance: the root object and the ServiceContent that names every manager."""
from vimsim.model.objects import MANAGED_TYPES, ManagedObject, vim_property
from vimsim.vim25.data import DataObject

# ServiceContent's references as a vCenter 8.0 sends them: (property, type, moId). Each is a
# managed object; a type the model has no class for answers its properties as unset and
# its methods with MethodNotFound.
SERVICE_CONTENT = (
    ("propertyCollector", "PropertyCollector", "propertyCollector"),
    ("viewManager", "ViewManager", "ViewManager"),
    ("setting", "OptionManager", "VpxSettings"),
    ("userDirectory", "UserDirectory", "UserDirectory"),
    ("sessionManager", "SessionManager", "SessionManager"),
    ("authorizationManager", "AuthorizationManager", "AuthorizationManager"),
    ("serviceManager", "ServiceManager", "ServiceMgr"),
    ("perfManager", "PerformanceManager", "PerfMgr"),
    ("scheduledTaskManager", "ScheduledTaskManager", "ScheduledTaskManager"),
    ("alarmManager", "AlarmManager", "AlarmManager"),
    ("eventManager", "EventManager", "EventManager"),
    ("taskManager", "TaskManager", "TaskManager"),
    ("extensionManager", "ExtensionManager", "ExtensionManager"),
    ("customizationSpecManager", "CustomizationSpecManager", "CustomizationSpecManager"),
    ("guestCustomizationManager", "VirtualMachineGuestCustomizationManager",
     "GuestCustomizationManager"),
    ("customFieldsManager", "CustomFieldsManager", "CustomFieldsManager"),
    ("diagnosticManager", "DiagnosticManager", "DiagMgr"),
    ("licenseManager", "LicenseManager", "LicenseManager"),
    ("searchIndex", "SearchIndex", "SearchIndex"),
    ("fileManager", "FileManager", "FileManager"),
    ("datastoreNamespaceManager", "DatastoreNamespaceManager", "DatastoreNamespaceManager"),
    ("virtualDiskManager", "VirtualDiskManager", "virtualDiskManager"),
    ("snmpSystem", "HostSnmpSystem", "SnmpSystem"),
    ("vmProvisioningChecker", "VirtualMachineProvisioningChecker", "ProvChecker"),
    ("vmCompatibilityChecker", "VirtualMachineCompatibilityChecker", "CompatChecker"),
    ("ovfManager", "OvfManager", "OvfManager"),
    ("ipPoolManager", "IpPoolManager", "IpPoolManager"),
    ("dvSwitchManager", "DistributedVirtualSwitchManager", "DVSManager"),
    ("hostProfileManager", "HostProfileManager", "HostProfileManager"),
    ("clusterProfileManager", "ClusterProfileManager", "ClusterProfileManager"),
    ("complianceManager", "ProfileComplianceManager", "MoComplianceManager"),
    ("localizationManager", "LocalizationManager", "LocalizationManager"),
    ("storageResourceManager", "StorageResourceManager", "StorageResourceManager"),
    ("guestOperationsManager", "GuestOperationsManager", "guestOperationsManager"),
    ("overheadMemoryManager", "OverheadMemoryManager", "OverheadMemoryManager"),
    ("certificateManager", "CertificateManager", "certificateManager"),
    ("ioFilterManager", "IoFilterManager", "IoFilterManager"),
    ("vStorageObjectManager", "VcenterVStorageObjectManager", "VStorageObjectManager"),
    ("hostSpecManager", "HostSpecificationManager", "HostSpecificationManager"),
    ("cryptoManager", "CryptoManagerKmip", "CryptoManager"),
    ("healthUpdateManager", "HealthUpdateManager", "HealthUpdateManager"),
    ("failoverClusterConfigurator", "FailoverClusterConfigurator", "FailoverClusterConfigurator"),
    ("failoverClusterManager", "FailoverClusterManager", "FailoverClusterManager"),
    ("tenantManager", "TenantTenantManager", "TenantManager"),
    ("siteInfoManager", "SiteInfoManager", "SiteInfoManager"),
    ("storageQueryManager", "StorageQueryManager", "StorageQueryManager"),
)


def model_class(type_name):
    """The model's class for a managed type; for one it does not model, a class that answers
    the schema's properties as unset (made once, then registered like any other)."""
    cls = MANAGED_TYPES.get(type_name)
    if cls is None:
        cls = type(type_name, (ManagedObject,), {"vim_type": type_name, "__slots__": (),
                                                 "__doc__": "vim25 %s, not modelled." % type_name})
    return cls


class ServiceInstance(ManagedObject):
    vim_type = "ServiceInstance"

    def __init__(self, vc, moid="ServiceInstance"):
        super().__init__(vc, moid)

    def RetrieveServiceContent(self, ctx):
        return self.vc.service_content()

    def CurrentTime(self, ctx):
        return self.vc.clock.now()

    @vim_property
    def content(self, ctx):
        return self.vc.service_content()

    @vim_property
    def serverClock(self, ctx):
        return self.vc.clock.now()

    @vim_property
    def capability(self, ctx):
        return DataObject("Capability", provisioningSupported=True,
                          multiHostSupported=True, userShellAccessSupported=False,
                          supportedEVCMode=[], supportedEVCGraphicsMode=[],
                          networkBackupAndRestoreSupported=False)
