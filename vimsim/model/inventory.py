"""The inventory tree: folders, datacenters, compute resources, hosts, pools, datastores, networks."""
from vimsim.model import faults, lifecycle
from vimsim.model.objects import ExtensibleManagedObject, refs, vim_property
from vimsim.model.environment_browser import EnvironmentBrowser
from vimsim.vim25.data import DataObject

MB = 1024 * 1024
# Shares at level normal, as vCenter gives a resource pool (the root pool and a new child).
POOL_CPU_SHARES, POOL_MEMORY_SHARES = 4000, 163840
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
    drs_enabled = True
    ha_enabled = False

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
        return DataObject(
            "ClusterDasConfigInfo", enabled=self.ha_enabled, vmMonitoring="vmMonitoringDisabled",
            hostMonitoring="enabled", vmComponentProtecting="disabled", failoverLevel=1,
            admissionControlPolicy=DataObject(
                "ClusterFailoverResourcesAdmissionControlPolicy", cpuFailoverResourcesPercent=50,
                memoryFailoverResourcesPercent=50, failoverLevel=1, autoComputePercentages=True,
                resourceReductionToToleratePercent=100),
            admissionControlEnabled=True,
            defaultVmSettings=DataObject(
                "ClusterDasVmSettings", restartPriority="medium", restartPriorityTimeout=600,
                isolationResponse="none",
                vmToolsMonitoringSettings=DataObject(
                    "ClusterVmToolsMonitoringSettings", enabled=False,
                    vmMonitoring="vmMonitoringDisabled", clusterSettings=True, failureInterval=30,
                    minUpTime=120, maxFailures=3, maxFailureWindow=3600),
                vmComponentProtectionSettings=DataObject(
                    "ClusterVmComponentProtectionSettings", vmStorageProtectionForAPD="disabled",
                    enableAPDTimeoutForHosts=True, vmTerminateDelayForAPDSec=180,
                    vmReactionOnAPDCleared="reset", vmStorageProtectionForPDL="disabled")),
            option=[], heartbeatDatastore=[],
            hBDatastoreCandidatePolicy="allFeasibleDsWithUserPreference")

    def drs_config(self):
        return DataObject("ClusterDrsConfigInfo", enabled=self.drs_enabled,
                          enableVmBehaviorOverrides=True, defaultVmBehavior="fullyAutomated",
                          vmotionRate=3, scaleDescendantsShares="disabled", option=[])

    def GetResourceUsage(self, ctx):
        return self.resource_usage()

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


class ResourcePool(ManagedEntity):
    """A resource pool. The root pool (``Resources``) holds its compute resource's whole
    capacity, fixed; a child pool has vCenter's defaults for a new one: no reservation,
    expandable, unlimited. Usage is that of the VMs below the pool."""

    vim_type = "ResourcePool"

    def __init__(self, vc, moid, name, parent, owner):
        super().__init__(vc, moid, name, parent)
        self.owner = owner
        self.pools, self.vms = [], []

    def inventory_children(self):
        return self.pools + self.vms

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
        shares = DataObject("SharesInfo", shares=POOL_CPU_SHARES if cpu else POOL_MEMORY_SHARES,
                            level="normal")
        if self.is_root:
            capacity = self.owner.cpu_capacity_mhz() if cpu else self.owner.memory_capacity_mb()
            return DataObject("ResourceAllocationInfo", reservation=capacity,
                              expandableReservation=False, limit=capacity, shares=shares)
        return DataObject("ResourceAllocationInfo", reservation=0, expandableReservation=True,
                          limit=-1, shares=shares)

    def resource_config(self):
        return DataObject("ResourceConfigSpec", entity=self.ref, changeVersion="1",
                          lastModified=self.vc.boot_time, cpuAllocation=self.allocation("cpu"),
                          memoryAllocation=self.allocation("memory"))

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
