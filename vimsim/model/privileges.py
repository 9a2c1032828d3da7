"""vCenter 8.0's privileges: every one its Admin role holds, by the privilege group that
AuthorizationManager.privilegeList names (``privGroupName``); a privilege's ``name`` is its id
after the group. An extension's privileges keep their own dotted names within their group
(VcIntegrity.Baseline's ``com.vmware.vcIntegrity.AssignBaselines``).
"""
from vimsim.vim25.types import REGISTRY

# privGroupName -> the names of its privileges, space-separated.
PRIVILEGE_GROUPS = {
    "Alarm": "Acknowledge Create Delete DisableActions Edit SetStatus ToggleEnableOnEntity",
    "Authorization": (
        "ModifyPermissions ModifyPrivileges ModifyRoles ModifyVTContainerMappings "
        "ModifyVTContainers ReassignRolePermissions"),
    "AutoDeploy.Host": "AssociateMachine",
    "AutoDeploy.Profile": "Create Edit",
    "AutoDeploy.Rule": "Create Delete Edit",
    "AutoDeploy.RuleSet": "Activate Edit",
    "Certificate": "Manage",
    "CertificateAuthority": "Administer Manage",
    "CertificateManagement": "Administer Manage",
    "CertificateManagementSubscriptions": "Create Delete Update",
    "Cns": "Searchable",
    "ComputePolicy": "Manage",
    "ContentLibrary": (
        "AddCertToTrustStore AddLibraryItem AddSubscription CheckInTemplate CheckOutTemplate "
        "CreateLocalLibrary CreateSubscribedLibrary DeleteCertFromTrustStore DeleteLibraryItem "
        "DeleteLocalLibrary DeleteSubscribedLibrary DeleteSubscription DownloadSession "
        "EvictLibraryItem EvictSubscribedLibrary GetConfiguration ImportStorage "
        "ManageClusterRegistryResource ManageRegistry ManageRegistryProject MigrateLibrary "
        "ProbeSubscription PublishLibrary PublishLibraryItem ReadStorage SyncLibrary "
        "SyncLibraryItem TypeIntrospection UpdateConfiguration UpdateLibrary UpdateLibraryItem "
        "UpdateLocalLibrary UpdateSession UpdateSubscribedLibrary UpdateSubscription"),
    "Cryptographer": (
        "Access AddDisk Clone Decrypt Encrypt EncryptNew ManageEncryptionPolicy ManageKeyServers "
        "ManageKeys Migrate ReadKeyServersInfo Recrypt RegisterHost RegisterVM"),
    "DVPortgroup": "Create Delete Modify PolicyOp ScopeOp",
    "DVSwitch": (
        "Create Delete HostOp Modify Move PolicyOp PortConfig PortSetting ResourceManagement "
        "Vspan"),
    "Datacenter": (
        "Create Delete IpPoolConfig IpPoolQueryAllocations IpPoolReleaseIp Move Reconfigure "
        "Rename UpdateCarbonInfo"),
    "Datastore": (
        "AllocateSpace Browse Config ConfigIOManagement Delete DeleteFile FileManagement Move "
        "Rename UpdateVirtualMachineFiles UpdateVirtualMachineMetadata"),
    "DirectPathProfileManager": "Manage",
    "DrProxy.Host": "Configure ManageService View",
    "DrProxy.License": "Update View",
    "DrProxy.Progress": "Control",
    "DrProxy.Vm": "Configure",
    "EAM": "Config Modify View",
    "Extension": "Register Unregister Update",
    "ExternalStatsProvider": "Register Unregister Update",
    "Folder": "Create Delete ExternalFolderManagement Move Rename",
    "FoundationLoadBalancers": "Manage",
    "Global": (
        "CancelTask CapacityPlanning Diagnostics DisableMethods EnableMethods GlobalTag Health "
        "Licenses LogEvent ManageCustomFields Proxy ScriptAction ServiceManagers SetCustomField "
        "Settings SystemTag VCServer"),
    "GuestDataPublisher": "GetData",
    "HLM": "Create Manage",
    "HealthUpdateProvider": "Register Unregister Update",
    "Host.Cim": "CimInteraction",
    "Host.Config": (
        "AdvancedConfig AuthenticationStore AutoStart Connection DateTime Firmware GuestStore "
        "HyperThreading Image Maintenance Memory NetService Network Nvdimm Patch PciPassthru "
        "Power ProductLocker Quarantine Resources Settings Snmp Storage SystemFirewallRuleSet "
        "SystemManagement"),
    "Host.Entropy": "Read Write",
    "Host.Hbr": "HbrDaemonManagement HbrManagement",
    "Host.Inventory": (
        "AddHostToCluster AddStandaloneHost CreateCluster DeleteCluster EditCluster "
        "ManageClusterLifecyle MoveCluster MoveHost RemoveHostFromCluster RenameCluster"),
    "Host.Local": "CreateVM DeleteVM InstallAgent ManageUserGroups ReconfigVM",
    "Host.Sgx": "Register",
    "Host.Stats": "Query",
    "Host.Tpm": "Read Unseal",
    "Infraprofile": "Read Write",
    "IntercomNamespace": "Read Write",
    "InventoryService.Tagging": (
        "AttachTag CreateCategory CreateTag DeleteCategory DeleteTag EditCategory EditTag "
        "ModifyUsedByForCategory ModifyUsedByForTag ObjectAttachable"),
    "Namespaces": (
        "Backup Configure ListAccess Manage ManageCapabilities ManageDisks SelfServiceManage "
        "Upgrade"),
    "Network": "Assign Config Delete Move",
    "Nsx": "Manage ModifyAll Read",
    "Observability": "Admin",
    "Observability.StatsProvider": "Manage",
    "OvfManager": "OvfConsumerAccess",
    "PartnerRestDaemon": "Read Write",
    "Performance": "ModifyIntervals",
    "Plugin": "Management",
    "Profile": "Clear Create Delete Edit Export View",
    "ReplicationService": "Administer",
    "Resource": (
        "ApplyRecommendation AssignVAppToPool AssignVMToPool ColdMigrate CreatePool DeletePool "
        "EditPool HotMigrate MovePool QueryVMotion RenamePool"),
    "ScheduledTask": "Create Delete Edit Run",
    "ServiceAccount": "Administer ManageAccount ManagePassword",
    "Sessions": (
        "CollectPrivilegeChecks GlobalMessage ImpersonateUser TerminateSession ValidateSession"),
    "SettingsStore": "Manage",
    "StoragePod": "Config",
    "StorageProfile": "Apply Update View",
    "StorageViews": "ConfigureService View",
    "SupervisorServices": "Install Manage",
    "System": "Anonymous Read View",
    "Task": "Create Update",
    "Task.Update": "Task.Update",
    "TenantManager": "Query Update",
    "TokenService": "PersistableTokenExchange",
    "TransferService": "Manage Monitor",
    "Trust": "Administer Manage",
    "TrustedAdmin": (
        "ConfigureHostCertificates ConfigureHostMetadata ConfigureTokenConversionPolicy "
        "ManageAttestingSSO ManageKMSTrust ManageTrustedHosts ReadAttestingSSO ReadKMSTrust "
        "ReadStsInfo ReadTrustedHosts RetrieveHostMetadata RetrieveTPMHostCertificates"),
    "VApp": (
        "ApplicationConfig AssignResourcePool AssignVApp AssignVM Clone Create Delete Export "
        "ExtractOvfEnvironment Import InstanceConfig ManagedByConfig Move PowerOff PowerOn "
        "PullFromUrls Rename ResourceConfig Suspend Unregister"),
    "VcIdentityProviders": "Create Manage Read",
    "VcIntegrity.Baseline": (
        "com.vmware.vcIntegrity.AssignBaselines com.vmware.vcIntegrity.ManageBaselines"),
    "VcIntegrity.ClusterConfiguration": "Export Modify Remediate View",
    "VcIntegrity.FileUpload": "com.vmware.vcIntegrity.ImportFile",
    "VcIntegrity.General": "com.vmware.vcIntegrity.Configure",
    "VcIntegrity.HardwareCompatibility": "Read Write",
    "VcIntegrity.Updates": (
        "com.vmware.vcIntegrity.Remediate com.vmware.vcIntegrity.Scan "
        "com.vmware.vcIntegrity.Stage com.vmware.vcIntegrity.ViewStatus"),
    "VcIntegrity.lifecycleDepots": "Delete",
    "VcIntegrity.lifecycleGeneral": "Read Write",
    "VcIntegrity.lifecycleHealth": "Read Write",
    "VcIntegrity.lifecycleSettings": "Read Write",
    "VcIntegrity.lifecycleSoftwareRemediation": "Read Write",
    "VcIntegrity.lifecycleSoftwareSpecification": "Read Write",
    "VcIntegrity.systemVM": "Read Write",
    "VcLifecycle": "Upgrade View",
    "VirtualMachine.Config": (
        "AddExistingDisk AddNewDisk AddRemoveDevice AdvancedConfig Annotation CPUCount "
        "ChangeTracking DiskExtend DiskLease EditDevice HostUSBDevice ManagedBy Memory "
        "MksControl QueryFTCompatibility QueryUnownedFiles RawDevice ReloadFromPath RemoveDisk "
        "Rename ResetGuestInfo Resource Settings SwapPlacement ToggleForkParent "
        "UpgradeVirtualHardware"),
    "VirtualMachine.DataSets": (
        "DataSetCreate DataSetDelete DataSetEntryDelete DataSetEntryGet DataSetEntryList "
        "DataSetEntrySet DataSetGet DataSetList DataSetUpdate Export"),
    "VirtualMachine.GuestOperations": "Execute Modify ModifyAliases Query QueryAliases",
    "VirtualMachine.Hbr": "ConfigureReplication MonitorReplication ReplicaManagement",
    "VirtualMachine.Interact": (
        "AnswerQuestion Backup ConsoleInteract CreateScreenshot CreateSecondary "
        "DefragmentAllDisks DeviceConnection DisableSecondary DnD EnableSecondary GuestControl "
        "MakePrimary Pause PowerOff PowerOn PutUsbScanCodes Record Replay Reset "
        "SESparseMaintenance SetCDMedia SetFloppyMedia Suspend SuspendToMemory "
        "TerminateFaultTolerantVM ToolsInstall TurnOffFaultTolerance"),
    "VirtualMachine.Inventory": "Create CreateFromExisting Delete Move Register Unregister",
    "VirtualMachine.Namespace": "Event EventNotify Management ModifyContent Query ReadContent",
    "VirtualMachine.Provisioning": (
        "Clone CloneTemplate CreateTemplateFromVM Customize DeployTemplate DiskRandomAccess "
        "DiskRandomRead FileRandomAccess GetVmFiles MarkAsTemplate MarkAsVM ModifyCustSpecs "
        "PromoteDisks PutVmFiles ReadCustSpecs"),
    "VirtualMachine.State": "CreateSnapshot RemoveSnapshot RenameSnapshot RevertToSnapshot",
    "VirtualMachineClasses": "Manage",
    "VmCam": "Administer",
    "VmResourceProfiles": "Manage",
    "Vsan.Cluster": "ShallowRekey",
    "Vsan.Xvc": "UpdateClientInfo",
    "Zone": "Manage ObjectAttachable",
    "vSANStats": "Access",
    "vService": "CreateDependency DestroyDependency ReconfigureDependency UpdateDependency",
    "vSphereClient": "UtilizeVerificationCode",
    "vSphereDataProtection": "Protection Recovery",
    "vStats": "CollectAny QueryAny Settings",
}

# The privileges vCenter checks on the entity's parent (AuthorizationPrivilege.onParent):
# removing, unregistering or re-permissioning an object.
ON_PARENT = frozenset((
    "Authorization.ModifyPermissions", "Datacenter.Delete", "Datastore.Delete",
    "DVPortgroup.Delete", "DVSwitch.Delete", "Folder.Delete", "Host.Inventory.DeleteCluster",
    "Host.Inventory.RemoveHostFromCluster", "Network.Delete", "Resource.DeletePool",
    "VApp.Delete", "VApp.ResourceConfig", "VApp.Unregister", "VirtualMachine.Inventory.Delete",
    "VirtualMachine.Inventory.Unregister"))


def _table():
    groups = {}
    for group, names in PRIVILEGE_GROUPS.items():
        for name in names.split():
            groups["%s.%s" % (group, name)] = (group, name)
    # A privilege a schema method requires and the table lacks: grouped by its last dot.
    for privilege in REGISTRY.privileges():
        if privilege not in groups:
            groups[privilege] = tuple(privilege.rsplit(".", 1))
    return groups


# privId -> (privGroupName, name), every privilege vCenter defines.
PRIVILEGES = _table()
ALL = tuple(sorted(PRIVILEGES))
