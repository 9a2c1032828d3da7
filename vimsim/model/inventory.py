"""The inventory tree: folders, datacenters, compute resources, hosts, pools, datastores, networks."""
import copy

from vimsim.model import faults, lifecycle
from vimsim.model.objects import ExtensibleManagedObject, refs, vim_property
from vimsim.model.environment_browser import EnvironmentBrowser
from vimsim.vim25.data import DataObject

MB = 1024 * 1024
# Shares at level normal, as vCenter gives a resource pool (the root pool and a new child).
POOL_CPU_SHARES, POOL_MEMORY_SHARES = 4000, 163840
# A pool's shares at each level, by kind (low is half of normal, high twice), as vCenter
# gives them.
POOL_SHARES = {kind: {"low": normal // 2, "normal": normal, "high": normal * 2}
               for kind, normal in (("cpu", POOL_CPU_SHARES), ("memory", POOL_MEMORY_SHARES))}
# What a new child pool gets: no reservation, expandable, unlimited, normal shares.
DEFAULT_ALLOCATION = {"reservation": 0, "expandable": True, "limit": -1, "level": "normal"}
# A datacenter's four folders: attribute, name, moId prefix, what each holds.
DATACENTER_FOLDERS = (
    ("vm_folder", "vm", "group-v", ("Folder", "VirtualMachine", "VirtualApp")),
    ("host_folder", "host", "group-h", ("Folder", "ComputeResource")),
    ("datastore_folder", "datastore", "group-s", ("Folder", "Datastore", "StoragePod")),
    ("network_folder", "network", "group-n", ("Folder", "Network", "DistributedVirtualSwitch")))
def new_datacenter(vc, folder, name, moid=None, folder_moids=None):
    """A datacenter in ``folder`` with its four folders (moIds given or new)."""
    folder_moids = folder_moids or {}
    dc = vc.add(Datacenter(vc, moid or vc.new_moid("datacenter-"), name, folder))
    folder.children.append(dc)
    for attr, kind, prefix, child_type in DATACENTER_FOLDERS:
        setattr(dc, attr, vc.add(Folder(vc, folder_moids.get(kind) or vc.new_moid(prefix), kind,
                                        dc, list(child_type))))
    return dc


def new_compute(vc, cls, folder, name, moid=None, pool_moid=None):
    """A cluster (or a standalone host's compute resource) in ``folder``, with its root
    resource pool, no hosts yet."""
    prefix = "domain-c" if cls is ClusterComputeResource else "domain-s"
    compute = vc.add(cls(vc, moid or vc.new_moid(prefix), name, folder))
    folder.children.append(compute)
    compute.resource_pool = vc.add(ResourcePool(vc, pool_moid or vc.new_moid("resgroup-"),
                                                "Resources", compute, compute))
    return compute
# The VM quick stats a resource pool's quick stats add up.
POOL_QUICK_STATS = ("overallCpuUsage", "overallCpuDemand", "guestMemoryUsage", "hostMemoryUsage",
                    "distributedCpuEntitlement", "distributedMemoryEntitlement",
                    "staticCpuEntitlement", "staticMemoryEntitlement", "privateMemory",
                    "sharedMemory", "swappedMemory", "balloonedMemory", "consumedOverheadMemory",
                    "compressedMemory")


class ManagedEntity(ExtensibleManagedObject):
    vim_type = "ManagedEntity"

    persisted = ("name",)  # Rename_Task's

    def __init__(self, vc, moid, name, parent=None):
        super().__init__(vc, moid)
        self.name = lifecycle.escaped_name(name)  # a fixture's names too
        self.parent = parent

    def inventory_children(self):
        """The objects a ContainerView finds directly under this one."""
        return ()

    @property
    def number(self):
        """The number in the moId (vm-42: 42), which MAC addresses and device ids derive from."""
        return int(self.moid.split("-")[-1])

    def datacenter(self):
        """The datacenter this entity is in, or None (the root folder, a datacenter's parent)."""
        entity = self
        while entity is not None and entity.vim_type != "Datacenter":
            entity = entity.parent
        return entity

    # -- vim25 methods (vimsim/model/lifecycle.py has their rules) -----------------------

    def Rename_Task(self, ctx, newName):
        lifecycle.require_privilege(ctx, self, lifecycle.RENAME_PRIVILEGES.get(
            self.vim_type, "System.Read"))
        return self.vc.task_manager.create(
            ctx, self, "Rename_Task", "%s.rename" % self.vim_type, self._rename_body,
            self.vc.timings["rename"], args=(newName, lifecycle.user_of(ctx))).ref

    def _rename_body(self, new_name, user):
        lifecycle.rename(self, new_name, user)

    def Destroy_Task(self, ctx):
        privilege = lifecycle.DESTROY_PRIVILEGES.get(self.vim_type)
        if privilege is None:
            raise faults.NotSupported()
        lifecycle.require_privilege(ctx, self, privilege)
        return self.vc.task_manager.create(
            ctx, self, "Destroy_Task", "%s.destroy" % self.vim_type, self._destroy_body,
            self.vc.timings["destroy"], args=(lifecycle.user_of(ctx), False)).ref

    def _destroy_body(self, user, unregister):
        lifecycle.destroy(self, user, unregister)

    @vim_property
    def name(self, ctx):
        return self.name

    @vim_property
    def parent(self, ctx):
        return self.parent.ref if self.parent is not None else None

    @vim_property
    def overallStatus(self, ctx):
        return "green"

    @vim_property
    def configStatus(self, ctx):
        return "green"

    @vim_property
    def configIssue(self, ctx):
        return []

    @vim_property
    def alarmActionsEnabled(self, ctx):
        return True

    @vim_property
    def declaredAlarmState(self, ctx):
        return []

    @vim_property
    def triggeredAlarmState(self, ctx):
        return []

    @vim_property
    def disabledMethod(self, ctx):
        return []

    @vim_property
    def permission(self, ctx):
        return self.vc.authorization_manager.permissions_on(self)

    @vim_property
    def tag(self, ctx):
        return []

    @vim_property
    def customValue(self, ctx):
        return self.vc.managers["customFieldsManager"].values_of(self)

    @vim_property
    def effectiveRole(self, ctx):
        if ctx.session is None:
            return []
        return sorted(self.vc.authorization_manager.roles_of(ctx.session.user, self))

    @vim_property
    def recentTask(self, ctx):
        return self.vc.task_manager.recent_tasks(self)


class Folder(ManagedEntity):
    vim_type = "Folder"

    persisted = ("name", "child_type")

    def __init__(self, vc, moid, name, parent, child_type):
        super().__init__(vc, moid, name, parent)
        self.child_type = child_type
        self.children = []

    def persisted_state(self):
        return dict(super().persisted_state(), parent=self.parent, children=self.children)

    def restore_persisted(self, state):
        super().restore_persisted(state)
        self.children = list(state["children"])
        for child in self.children:
            child.parent = self

    @classmethod
    def recreate(cls, vc, moid, state):
        """A folder CreateFolder made, in its parent."""
        folder = vc.add(cls(vc, moid, state["name"], state["parent"], state["child_type"]))
        state["parent"].children.append(folder)
        return folder

    # -- vim25 methods (vimsim/model/lifecycle.py has their rules) -----------------------

    def CreateFolder(self, ctx, name):
        return lifecycle.create_folder(self, name).ref

    def CreateDatacenter(self, ctx, name):
        if "Datacenter" not in self.child_type:
            raise faults.NotSupported()
        name = lifecycle.inventory_name(name)
        lifecycle.require_unique(self, name)
        dc = new_datacenter(self.vc, self, name)
        self.vc.touch(self, structural=True)
        lifecycle.post(self.vc, "DatacenterCreatedEvent", None, None, lifecycle.user_of(ctx),
                       datacenter=lifecycle.event_argument(dc),
                       parent=lifecycle.event_argument(self))
        return dc.ref

    def CreateClusterEx(self, ctx, name, spec):
        return self._create_cluster(ctx, name, spec.drsConfig, spec.dasConfig)

    def CreateCluster(self, ctx, name, spec):
        return self._create_cluster(ctx, name, spec.drsConfig, spec.dasConfig)

    def _create_cluster(self, ctx, name, drs, das):
        if "ComputeResource" not in self.child_type:
            raise faults.NotSupported()
        name = lifecycle.inventory_name(name)
        lifecycle.require_unique(self, name)
        cluster = new_compute(self.vc, ClusterComputeResource, self, name)
        # A new cluster has DRS and vSphere HA off unless the spec turns them on.
        cluster.drs_enabled = bool(drs is not None and drs.enabled)
        cluster.ha_enabled = bool(das is not None and das.enabled)
        self.vc.touch(self, structural=True)
        lifecycle.post(self.vc, "ClusterCreatedEvent", None, None, lifecycle.user_of(ctx),
                       **lifecycle.entity_arguments(cluster),
                       parent=lifecycle.event_argument(self))
        return cluster.ref

    def CreateVM_Task(self, ctx, config, pool, host=None):
        vc = self.vc
        if "VirtualMachine" not in self.child_type:
            raise faults.NotSupported()
        pool, host = vc.lookup(pool, ctx), vc.lookup(host, ctx) if host is not None else None
        lifecycle.require_privilege(ctx, pool, "Resource.AssignVMToPool")
        host = lifecycle.placement(vc, pool, host)
        return vc.task_manager.create(
            ctx, self, "CreateVM_Task", "Folder.createVm", self._create_vm_body,
            vc.timings["create_vm"], lock=False,
            args=(config, pool, host, lifecycle.user_of(ctx))).ref

    def _create_vm_body(self, config, pool, host, user):
        return lifecycle.create_vm(self, config, pool, host, user)

    def RegisterVM_Task(self, ctx, path, asTemplate, name=None, pool=None, host=None):
        vc = self.vc
        if "VirtualMachine" not in self.child_type:
            raise faults.NotSupported()
        pool, host = (vc.lookup(pool, ctx) if pool is not None else None,
                      vc.lookup(host, ctx) if host is not None else None)
        if pool is not None:
            lifecycle.require_privilege(ctx, pool, "Resource.AssignVMToPool")
        return vc.task_manager.create(
            ctx, self, "RegisterVM_Task", "Folder.registerVm", self._register_vm_body,
            vc.timings["create_vm"], lock=False,
            args=(path, name, asTemplate, pool, host, lifecycle.user_of(ctx))).ref

    def _register_vm_body(self, path, name, as_template, pool, host, user):
        return lifecycle.register_vm(self, path, name, as_template, pool, host, user)

    def MoveIntoFolder_Task(self, ctx, list):
        entities = [self.vc.lookup(ref, ctx) for ref in list]
        lifecycle.require_privilege(ctx, self, "Folder.Move" if any(
            e.vim_type == "Folder" for e in entities) else "VirtualMachine.Inventory.Move")
        return self.vc.task_manager.create(
            ctx, self, "MoveIntoFolder_Task", "Folder.moveInto", self._move_body,
            self.vc.timings["rename"], args=(entities,)).ref

    def _move_body(self, entities):
        lifecycle.move_into(self, entities)

    def UnregisterAndDestroy_Task(self, ctx):
        return self.vc.task_manager.create(
            ctx, self, "UnregisterAndDestroy_Task", "Folder.unregisterAndDestroy",
            self._destroy_body, self.vc.timings["destroy"],
            args=(lifecycle.user_of(ctx), True)).ref

    def add_child(self, entity):
        entity.parent = self
        self.children.append(entity)
        self.vc.touch(self, structural=True)

    def inventory_children(self):
        return self.children

    @vim_property
    def childEntity(self, ctx):
        return refs(self.children)

    @vim_property
    def childType(self, ctx):
        return list(self.child_type)


class Datacenter(ManagedEntity):
    vim_type = "Datacenter"

    def __init__(self, vc, moid, name, parent):
        super().__init__(vc, moid, name, parent)
        self.vm_folder = self.host_folder = self.datastore_folder = self.network_folder = None
        self.datastores, self.networks = [], []

    def persisted_state(self):
        return dict(super().persisted_state(), parent=self.parent, folders={
            kind: getattr(self, attr).moid for attr, kind, _, _ in DATACENTER_FOLDERS})

    @classmethod
    def recreate(cls, vc, moid, state):
        """A datacenter CreateDatacenter made, with its four folders."""
        return new_datacenter(vc, state["parent"], state["name"], moid, state["folders"])

    def inventory_children(self):
        return (self.vm_folder, self.host_folder, self.datastore_folder, self.network_folder)

    @vim_property
    def vmFolder(self, ctx):
        return self.vm_folder.ref

    @vim_property
    def hostFolder(self, ctx):
        return self.host_folder.ref

    @vim_property
    def datastoreFolder(self, ctx):
        return self.datastore_folder.ref

    @vim_property
    def networkFolder(self, ctx):
        return self.network_folder.ref

    @vim_property
    def datastore(self, ctx):
        return refs(self.datastores)

    @vim_property
    def network(self, ctx):
        return refs(self.networks)


class ComputeResource(ManagedEntity):
    vim_type = "ComputeResource"
    summary_type = "ComputeResourceSummary"

    def __init__(self, vc, moid, name, parent):
        super().__init__(vc, moid, name, parent)
        self.hosts, self.datastores, self.networks = [], [], []
        self.resource_pool = None
        # One per compute resource, numbered after it (domain-c7: envbrowser-7).
        number = "".join(c for c in moid.rsplit("-", 1)[-1] if c.isdigit())
        self.environment_browser = vc.add(EnvironmentBrowser(vc, "envbrowser-%s" % number, self))

    def inventory_children(self):
        return self.hosts + [self.resource_pool]

    def persisted_state(self):
        return dict(super().persisted_state(), parent=self.parent,
                    pool=self.resource_pool.moid)

    @classmethod
    def recreate(cls, vc, moid, state):
        """A cluster CreateClusterEx made, with its root resource pool."""
        return new_compute(vc, cls, state["parent"], state["name"], moid, state["pool"])

    # -- capacity and use: the hosts' hardware and quick stats, the datastores' space ----

    def cpu_capacity_mhz(self):
        return sum(h.cpu_mhz * h.cpu_cores for h in self.hosts)

    def memory_capacity_mb(self):
        return sum(h.memory_bytes for h in self.hosts) // MB

    def all_vms(self):
        return [vm for h in self.hosts for vm in h.vms]

    def resource_usage(self):
        stats = [h.quick_stats() for h in self.hosts]
        capacity = sum(d.capacity for d in self.datastores)
        free = sum(d.free for d in self.datastores)
        return DataObject(
            "ClusterResourceUsageSummary", cpuUsedMHz=sum(s.overallCpuUsage for s in stats),
            cpuCapacityMHz=self.cpu_capacity_mhz(),
            memUsedMB=sum(s.overallMemoryUsage for s in stats),
            memCapacityMB=self.memory_capacity_mb(), pMemAvailableMB=0, pMemCapacityMB=0,
            storageUsedMB=(capacity - free) // MB, storageCapacityMB=capacity // MB)

    # -- properties ----------------------------------------------------------------------

    @vim_property
    def host(self, ctx):
        return refs(self.hosts)

    @vim_property
    def resourcePool(self, ctx):
        return self.resource_pool.ref

    @vim_property
    def datastore(self, ctx):
        return refs(self.datastores)

    @vim_property
    def network(self, ctx):
        return refs(self.networks)

    @vim_property
    def environmentBrowser(self, ctx):
        return self.environment_browser.ref

    @vim_property
    def lifecycleManaged(self, ctx):
        return False

    @vim_property
    def configurationEx(self, ctx):
        return DataObject("ComputeResourceConfigInfo", vmSwapPlacement="vmDirectory")

    @vim_property
    def summary(self, ctx):
        cpu = self.cpu_capacity_mhz()
        cores = sum(h.cpu_cores for h in self.hosts)
        return DataObject(
            self.summary_type, totalCpu=cpu, totalMemory=sum(h.memory_bytes for h in self.hosts),
            numCpuCores=cores, numCpuThreads=cores, effectiveCpu=cpu,
            effectiveMemory=self.memory_capacity_mb(), numHosts=len(self.hosts),
            numEffectiveHosts=len(self.hosts), overallStatus="green", **self.summary_extra())

    def summary_extra(self):
        return {}


class ClusterComputeResource(ComputeResource):
    """A cluster as vCenter creates one with default settings, DRS on (the fixture's
    ``drs``; child resource pools need it) and vSphere HA off (``ha``)."""

    vim_type = "ClusterComputeResource"
    summary_type = "ClusterComputeResourceSummary"
    persisted = ("name", "drs_enabled", "ha_enabled", "drs_settings", "das_settings")
    drs_enabled = True
    ha_enabled = False
    # What ReconfigureComputeResource_Task changes besides enabled, with vCenter's defaults
    # for a new cluster, and the values each setting takes (None: a number in a range).
    DRS_DEFAULTS = {"defaultVmBehavior": "fullyAutomated", "vmotionRate": 3,
                    "enableVmBehaviorOverrides": True}
    # The data object settings: a spec's defaultVmSettings is merged field by field into the
    # one kept, its admissionControlPolicy replaces the one kept.
    DAS_DEFAULTS = {
        "hostMonitoring": "enabled", "vmMonitoring": "vmMonitoringDisabled",
        "admissionControlEnabled": True, "failoverLevel": 1, "vmComponentProtecting": "disabled",
        "admissionControlPolicy": DataObject(
            "ClusterFailoverResourcesAdmissionControlPolicy", cpuFailoverResourcesPercent=50,
            memoryFailoverResourcesPercent=50, failoverLevel=1, autoComputePercentages=True,
            resourceReductionToToleratePercent=100),
        "defaultVmSettings": DataObject(
            "ClusterDasVmSettings", restartPriority="medium", restartPriorityTimeout=600,
            isolationResponse="none",
            vmToolsMonitoringSettings=DataObject(
                "ClusterVmToolsMonitoringSettings", enabled=False,
                vmMonitoring="vmMonitoringDisabled", clusterSettings=True, failureInterval=30,
                minUpTime=120, maxFailures=3, maxFailureWindow=3600),
            vmComponentProtectionSettings=DataObject(
                "ClusterVmComponentProtectionSettings", vmStorageProtectionForAPD="disabled",
                enableAPDTimeoutForHosts=True, vmTerminateDelayForAPDSec=180,
                vmReactionOnAPDCleared="reset", vmStorageProtectionForPDL="disabled"))}
    CHOICES = {"defaultVmBehavior": ("manual", "partiallyAutomated", "fullyAutomated"),
               "vmotionRate": range(1, 6), "enableVmBehaviorOverrides": (True, False),
               "hostMonitoring": ("enabled", "disabled"),
               "vmMonitoring": ("vmMonitoringDisabled", "vmMonitoringOnly", "vmAndAppMonitoring"),
               "admissionControlEnabled": (True, False), "failoverLevel": range(1, 32),
               "vmComponentProtecting": ("enabled", "disabled"),
               "restartPriority": ("disabled", "lowest", "low", "medium", "high", "highest"),
               "isolationResponse": ("none", "powerOff", "shutdown", "clusterIsolationResponse")}

    def __init__(self, vc, moid, name, parent):
        super().__init__(vc, moid, name, parent)
        self.drs_settings, self.das_settings = dict(self.DRS_DEFAULTS), dict(self.DAS_DEFAULTS)

    def usage_summary(self):
        vms = self.all_vms()
        stats = [vm.quick_stats() for vm in vms]
        on = sum(1 for vm in vms if vm.power_state == "poweredOn")
        uptime = (self.vc.clock.now() - self.vc.boot_time).total_seconds()
        return DataObject(
            "ClusterUsageSummary", totalCpuCapacityMhz=self.cpu_capacity_mhz(),
            totalMemCapacityMB=self.memory_capacity_mb(), cpuReservationMhz=0,
            memReservationMB=0, poweredOffCpuReservationMhz=0, poweredOffMemReservationMB=0,
            cpuDemandMhz=sum(s.overallCpuDemand for s in stats),
            memDemandMB=sum(s.guestMemoryUsage for s in stats),
            statsGenNumber=int(uptime // 300),  # DRS collects every five minutes
            cpuEntitledMhz=sum(s.distributedCpuEntitlement for s in stats),
            memEntitledMB=sum(s.distributedMemoryEntitlement for s in stats),
            poweredOffVmCount=len(vms) - on, totalVmCount=len(vms))

    def summary_extra(self):
        extra = {"currentFailoverLevel": 0, "numVmotions": 0,
                 "usageSummary": self.usage_summary()}
        if self.drs_enabled:
            on = sum(1 for vm in self.all_vms() if vm.power_state == "poweredOn")
            # Buckets of VM DRS scores 0-20%, ..., 81-100%: idle VMs are all content.
            extra.update(drsScore=100, numVmsPerDrsScoreBucket=[0, 0, 0, 0, on])
        return extra

    def das_config(self):
        held = self.das_settings
        return DataObject(
            "ClusterDasConfigInfo", enabled=self.ha_enabled, vmMonitoring=held["vmMonitoring"],
            hostMonitoring=held["hostMonitoring"],
            vmComponentProtecting=held["vmComponentProtecting"],
            failoverLevel=held["failoverLevel"],
            admissionControlPolicy=copy.deepcopy(held["admissionControlPolicy"]),
            admissionControlEnabled=held["admissionControlEnabled"],
            defaultVmSettings=copy.deepcopy(held["defaultVmSettings"]),
            option=[], heartbeatDatastore=[],
            hBDatastoreCandidatePolicy="allFeasibleDsWithUserPreference")

    def drs_config(self):
        return DataObject("ClusterDrsConfigInfo", enabled=self.drs_enabled,
                          scaleDescendantsShares="disabled", option=[], **self.drs_settings)

    def GetResourceUsage(self, ctx):
        return self.resource_usage()

    def ReconfigureComputeResource_Task(self, ctx, spec, modify):
        return self._reconfigure_task(ctx, "ReconfigureComputeResource_Task", spec, modify)

    def ReconfigureCluster_Task(self, ctx, spec, modify):
        return self._reconfigure_task(ctx, "ReconfigureCluster_Task", spec, modify)

    def _reconfigure_task(self, ctx, method, spec, modify):
        return self.vc.task_manager.create(
            ctx, self, method, "ClusterComputeResource.reconfigureEx", self._reconfigure_body,
            self.vc.timings["rename"], args=(spec, modify)).ref

    def _reconfigure_body(self, spec, modify):
        """DRS and vSphere HA settings, checked, then kept: over the current ones with
        ``modify``, over a new cluster's defaults otherwise. DRS turned off removes the cluster's
        resource pools, their VMs moving to its root pool, as vCenter warns it does."""
        changes = []
        for config, prefix, enabled, defaults, held in (
                (spec.drsConfig, "drsConfig", "drs_enabled", self.DRS_DEFAULTS,
                 self.drs_settings),
                (spec.dasConfig, "dasConfig", "ha_enabled", self.DAS_DEFAULTS,
                 self.das_settings)):
            # (a part the spec leaves out stays as it is, ``modify`` or not)
            settings = dict(held if modify or config is None else defaults)
            on = getattr(self, enabled)
            if config is not None:
                on = on if config.enabled is None else config.enabled
                for name in defaults:
                    value = getattr(config, name)
                    where = "spec.%s.%s" % (prefix, name)
                    if value is None:
                        continue
                    if name == "defaultVmSettings":
                        value = _merged(settings[name], value, where, self.CHOICES)
                    elif name != "admissionControlPolicy" and (
                            isinstance(value, bool) != isinstance(defaults[name], bool) or
                            value not in self.CHOICES[name]):
                        raise faults.InvalidArgument(invalidProperty=where)
                    settings[name] = value
            changes.append((enabled, bool(on), settings))
        (_, drs_on, drs), (_, ha_on, das) = changes
        if not drs_on:
            while self.resource_pool.pools:
                lifecycle.remove(self.vc, self.resource_pool.pools[0])
        self.drs_enabled, self.ha_enabled = drs_on, ha_on
        self.drs_settings, self.das_settings = drs, das
        self.vc.touch(self)

    @vim_property
    def summaryEx(self, ctx):
        return self.summary(ctx)

    @vim_property
    def configurationEx(self, ctx):
        return DataObject(
            "ClusterConfigInfoEx", vmSwapPlacement="vmDirectory", dasConfig=self.das_config(),
            dasVmConfig=[], drsConfig=self.drs_config(), drsVmConfig=[], rule=[],
            orchestration=DataObject("ClusterOrchestrationInfo", defaultVmReadiness=DataObject(
                "ClusterVmReadiness", readyCondition="none", postReadyDelay=0)),
            vmOrchestration=[],
            dpmConfigInfo=DataObject("ClusterDpmConfigInfo", enabled=False,
                                     defaultDpmBehavior="automated", hostPowerActionRate=3,
                                     option=[]),
            dpmHostConfig=[],
            vsanConfigInfo=DataObject("VsanClusterConfigInfo", enabled=False,
                                      defaultConfig=DataObject(
                                          "VsanClusterConfigInfoHostDefaultInfo",
                                          autoClaimStorage=False)),
            vsanHostConfig=[], group=[],
            infraUpdateHaConfig=DataObject(
                "ClusterInfraUpdateHaConfigInfo", enabled=False, behavior="Manual",
                moderateRemediation="QuarantineMode", severeRemediation="QuarantineMode",
                providers=[]),
            proactiveDrsConfig=DataObject("ClusterProactiveDrsConfigInfo", enabled=False),
            cryptoConfig=DataObject("ClusterCryptoConfigInfo", cryptoMode="onDemand"))

    @vim_property
    def configuration(self, ctx):
        return DataObject("ClusterConfigInfo", dasConfig=self.das_config(), dasVmConfig=[],
                          drsConfig=self.drs_config(), drsVmConfig=[], rule=[])

    @vim_property
    def recommendation(self, ctx):
        return []

    @vim_property
    def drsRecommendation(self, ctx):
        return []

    @vim_property
    def migrationHistory(self, ctx):
        return []

    @vim_property
    def actionHistory(self, ctx):
        return []

    @vim_property
    def drsFault(self, ctx):
        return []


def _merged(held, given, where, choices):
    """``held`` with what ``given`` sets, field by field, data objects within merged too;
    InvalidArgument naming the field for a value outside ``choices``."""
    result = copy.deepcopy(held)
    for name, value in given.fields().items():
        if name == "dynamicProperty" or value == []:
            continue
        old = getattr(held, name)
        if isinstance(value, DataObject) and isinstance(old, DataObject):
            value = _merged(old, value, "%s.%s" % (where, name), choices)
        elif name in choices and value not in choices[name]:
            raise faults.InvalidArgument(invalidProperty="%s.%s" % (where, name))
        setattr(result, name, value)
    return result


class ResourcePool(ManagedEntity):
    """A resource pool. The root pool (``Resources``) holds its compute resource's whole
    capacity, fixed; a child pool has vCenter's defaults for a new one: no reservation,
    expandable, unlimited. Usage is that of the VMs below the pool."""

    vim_type = "ResourcePool"

    persisted = ("name", "allocations", "change_version", "last_modified")

    def __init__(self, vc, moid, name, parent, owner):
        super().__init__(vc, moid, name, parent)
        self.owner = owner
        self.pools, self.vms = [], []
        # A child pool's settings by kind ("cpu", "memory"): reservation, expandable,
        # limit, level, shares (custom only). The root pool's follow its compute resource.
        self.allocations = None if parent is owner else {
            "cpu": dict(DEFAULT_ALLOCATION), "memory": dict(DEFAULT_ALLOCATION)}
        self.change_version, self.last_modified = 1, None

    def inventory_children(self):
        return self.pools + self.vms

    def persisted_state(self):
        return dict(super().persisted_state(), parent=self.parent, owner=self.owner)

    def restore_persisted(self, state):
        super().restore_persisted(state)
        parent = state.get("parent")
        if parent is not None and parent is not self.parent and not self.is_root:
            self.parent.pools.remove(self)  # moved up when its parent was destroyed
            parent.pools.append(self)
            self.parent = parent

    @classmethod
    def recreate(cls, vc, moid, state):
        """A pool CreateResourcePool made, in its parent."""
        pool = vc.add(cls(vc, moid, state["name"], state["parent"], state["owner"]))
        state["parent"].pools.append(pool)
        return pool

    @property
    def is_root(self):
        return self.parent is self.owner

    def all_vms(self):
        """The VMs in this pool and in every pool below it."""
        return self.vms + [vm for pool in self.pools for vm in pool.all_vms()]

    # -- allocation (MHz, MB) and its use (MHz, bytes) -----------------------------------

    def allocation(self, kind):
        """``kind`` "cpu" (MHz) or "memory" (MB): the pool's ResourceAllocationInfo."""
        cpu = kind == "cpu"
        if self.is_root:
            capacity = self.owner.cpu_capacity_mhz() if cpu else self.owner.memory_capacity_mb()
            return DataObject("ResourceAllocationInfo", reservation=capacity,
                              expandableReservation=False, limit=capacity, shares=DataObject(
                                  "SharesInfo", shares=POOL_SHARES[kind]["normal"],
                                  level="normal"))
        held = self.allocations[kind]
        shares = held.get("shares") if held["level"] == "custom" else \
            POOL_SHARES[kind][held["level"]]
        return DataObject("ResourceAllocationInfo", reservation=held["reservation"],
                          expandableReservation=held["expandable"], limit=held["limit"],
                          shares=DataObject("SharesInfo", shares=shares, level=held["level"]))

    def resource_config(self):
        return DataObject("ResourceConfigSpec", entity=self.ref,
                          changeVersion=str(self.change_version),
                          lastModified=self.last_modified or self.vc.boot_time,
                          cpuAllocation=self.allocation("cpu"),
                          memoryAllocation=self.allocation("memory"))

    # -- vim25 methods -------------------------------------------------------------------

    def CreateResourcePool(self, ctx, name, spec):
        vc = self.vc
        if not getattr(self.owner, "drs_enabled", True):
            # a cluster without DRS has no pools below its root
            raise faults.NotSupported()
        name = lifecycle.inventory_name(name)
        lifecycle.require_unique(self, name)
        allocations = {kind: self._allocation_of(spec, kind, None) for kind in ("cpu", "memory")}
        for kind in allocations:
            self._require_room(kind, allocations[kind]["reservation"], None)
        pool = vc.add(ResourcePool(vc, vc.new_moid("resgroup-"), name, self, self.owner))
        pool.allocations, pool.last_modified = allocations, vc.clock.now()
        self.pools.append(pool)
        vc.touch(self, structural=True)
        lifecycle.post(vc, "ResourcePoolCreatedEvent", None, None, lifecycle.user_of(ctx),
                       **lifecycle.entity_arguments(pool),
                       parent=lifecycle.event_argument(self))
        return pool.ref

    def UpdateConfig(self, ctx, name=None, config=None):
        vc = self.vc
        if name is not None:
            name = lifecycle.inventory_name(name)
            if not self.is_root:
                lifecycle.require_unique(self.parent, name, self)
        allocations = None
        if config is not None:
            if self.is_root:  # its settings follow its compute resource's capacity
                raise faults.InvalidArgument(invalidProperty="config")
            if config.changeVersion is not None and \
                    config.changeVersion != str(self.change_version):
                raise faults.ConcurrentAccess()
            allocations = {kind: self._allocation_of(config, kind, self.allocations[kind])
                           for kind in ("cpu", "memory")}
            for kind in allocations:
                self._require_room(kind, allocations[kind]["reservation"],
                                   self.allocations[kind]["reservation"])
        old = self.resource_config()
        if name is not None and not self.is_root:
            self.name = name
        if allocations is not None:
            self.allocations = allocations
            self.change_version += 1
            self.last_modified = vc.clock.now()
        vc.touch(self)
        if self.parent is not None:
            vc.touch(self.parent)
        if allocations is not None:
            lifecycle.post(vc, "ResourcePoolReconfiguredEvent", None, None,
                           lifecycle.user_of(ctx), **lifecycle.entity_arguments(self),
                           configChangesOld=old, configChangesNew=self.resource_config())

    def DestroyChildren(self, ctx):
        for pool in list(self.pools):
            pool._destroy_body(lifecycle.user_of(ctx), False)

    def _destroy_body(self, user, unregister):
        if self.is_root:
            raise faults.InvalidArgument()  # the root pool goes with its compute resource
        arguments = lifecycle.entity_arguments(self)
        lifecycle.remove(self.vc, self)
        lifecycle.post(self.vc, "ResourcePoolDestroyedEvent", None, None, user, **arguments)

    def _allocation_of(self, spec, kind, held):
        """A spec's ResourceAllocationInfo for ``kind`` as a pool keeps it: every field given
        for a new pool (``held`` None), the given ones over ``held`` for UpdateConfig;
        InvalidArgument spec.<kind>Allocation otherwise, as vCenter answers."""
        where = "spec.%sAllocation" % kind
        info = getattr(spec, kind + "Allocation")
        if info is None:
            if held is None:
                raise faults.InvalidArgument(invalidProperty=where)
            return dict(held)
        given = {"reservation": info.reservation, "expandable": info.expandableReservation,
                 "limit": info.limit}
        shares = info.shares
        if held is None and (None in given.values() or shares is None):
            raise faults.InvalidArgument(invalidProperty=where)
        result = dict(held or {}, **{k: v for k, v in given.items() if v is not None})
        if shares is not None:
            result["level"] = shares.level
            result.pop("shares", None)
            if shares.level == "custom":
                result["shares"] = shares.shares
        if result["reservation"] < 0 or result["limit"] < -1 or info.overheadLimit is not None \
                or (result["limit"] != -1 and result["reservation"] > result["limit"]) \
                or result["level"] not in ("low", "normal", "high", "custom") \
                or (result["level"] == "custom" and not 0 <= (result.get("shares") or -1)):
            raise faults.InvalidArgument(invalidProperty=where)
        return result

    def _require_room(self, kind, reservation, held):
        """InsufficientResourcesFault when a child's new reservation (``held``: its old one)
        does not fit in what this pool, or an expandable chain above it, has unreserved."""
        extra = (reservation - (held or 0)) * self._scale(kind)
        room = self.unreserved(kind) if held is None else self.parent.unreserved(kind)
        if extra > 0 and extra > room:
            fault = faults.InsufficientCpuResourcesFault if kind == "cpu" else \
                faults.InsufficientMemoryResourcesFault
            scale = self._scale(kind)
            raise fault(unreserved=room // scale, requested=extra // scale)

    @staticmethod
    def _scale(kind):
        return 1 if kind == "cpu" else MB

    def max_usage(self, kind):
        limit = self.allocation(kind).limit
        if limit == -1:
            return self.parent.max_usage(kind)
        return limit * self._scale(kind)

    def reservation_used(self, kind):
        """What the child pools reserve (the VMs reserve nothing)."""
        return sum(p.allocation(kind).reservation for p in self.pools) * self._scale(kind)

    def unreserved(self, kind):
        allocation = self.allocation(kind)
        own = allocation.reservation * self._scale(kind) - self.reservation_used(kind)
        if allocation.expandableReservation and not self.is_root:
            own += self.parent.unreserved(kind)
        return own

    def _usage(self, kind, used):
        unreserved = self.unreserved(kind)
        return DataObject("ResourcePoolResourceUsage", reservationUsed=self.reservation_used(kind),
                          reservationUsedForVm=0, unreservedForPool=unreserved,
                          unreservedForVm=unreserved, overallUsage=used,
                          maxUsage=self.max_usage(kind))

    def runtime_info(self, stats):
        return DataObject(
            "ResourcePoolRuntimeInfo", overallStatus="green",
            cpu=self._usage("cpu", sum(s.overallCpuUsage for s in stats)),
            memory=self._usage("memory", sum(s.hostMemoryUsage for s in stats) * MB))

    def vm_stats(self):
        return [vm.quick_stats() for vm in self.all_vms()]

    # -- properties ----------------------------------------------------------------------

    @vim_property
    def owner(self, ctx):
        return self.owner.ref

    @vim_property
    def resourcePool(self, ctx):
        return refs(self.pools)

    @vim_property
    def vm(self, ctx):
        return refs(vm for vm in self.vms if not vm.template)  # a template is in no pool

    @vim_property
    def config(self, ctx):
        return self.resource_config()

    @vim_property
    def runtime(self, ctx):
        return self.runtime_info(self.vm_stats())

    @vim_property
    def summary(self, ctx):
        stats = self.vm_stats()
        return DataObject(
            "ResourcePoolSummary", name=self.name, config=self.resource_config(),
            runtime=self.runtime_info(stats),
            quickStats=DataObject("ResourcePoolQuickStats", overheadMemory=0, **{
                name: sum(getattr(s, name) or 0 for s in stats) for name in POOL_QUICK_STATS}),
            configuredMemoryMB=sum(vm.memory_mb for vm in self.all_vms()))

    @vim_property
    def childConfiguration(self, ctx):
        """The resource configuration of each child pool and VM, as vCenter lists them."""
        return [p.resource_config() for p in self.pools] + \
            [vm.get("resourceConfig", ctx) for vm in self.vms]


class Network(ManagedEntity):
    vim_type = "Network"

    def __init__(self, vc, moid, name, parent):
        super().__init__(vc, moid, name, parent)
        self.hosts, self.vms = [], []

    def persisted_state(self):
        return dict(super().persisted_state(), parent=self.parent)

    @classmethod
    def recreate(cls, vc, moid, state):
        """A standard network AddPortGroup made, in its folder (its hosts take it back)."""
        folder = state["parent"]
        network = vc.add(cls(vc, moid, state["name"], folder))
        folder.children.append(network)
        folder.datacenter().networks.append(network)
        return network

    def nic_backing(self):
        """The backing of a virtual NIC on this network."""
        return DataObject("VirtualEthernetCardNetworkBackingInfo", deviceName=self.name,
                          network=self.ref)

    @vim_property
    def summary(self, ctx):
        return DataObject("NetworkSummary", network=self.ref, name=self.name, accessible=True,
                          ipPoolName="")

    @vim_property
    def host(self, ctx):
        return refs(self.hosts)

    @vim_property
    def vm(self, ctx):
        return refs(self.vms)
