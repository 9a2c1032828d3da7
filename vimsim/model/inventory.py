"""The inventory tree: folders, datacenters, compute resources, hosts, pools, datastores, networks."""
from vimsim.model.objects import ExtensibleManagedObject, refs, vim_property
from vimsim.vim25.data import DataObject


class ManagedEntity(ExtensibleManagedObject):
    vim_type = "ManagedEntity"

    def __init__(self, vc, moid, name, parent=None):
        super().__init__(vc, moid)
        self.name = name
        self.parent = parent

    def inventory_children(self):
        """The objects a ContainerView finds directly under this one."""
        return ()

    def datacenter(self):
        """The datacenter this entity is in, or None (the root folder, a datacenter's parent)."""
        entity = self
        while entity is not None and entity.vim_type != "Datacenter":
            entity = entity.parent
        return entity

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
        return []

    @vim_property
    def tag(self, ctx):
        return []

    @vim_property
    def customValue(self, ctx):
        return self.vc.managers["customFieldsManager"].values_of(self)

    @vim_property
    def effectiveRole(self, ctx):
        return [-1] if ctx.session and ctx.session.user.role == "Admin" else [-2]

    @vim_property
    def recentTask(self, ctx):
        return self.vc.task_manager.recent_tasks(self)


class Folder(ManagedEntity):
    vim_type = "Folder"

    def __init__(self, vc, moid, name, parent, child_type):
        super().__init__(vc, moid, name, parent)
        self.child_type = child_type
        self.children = []

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

    def __init__(self, vc, moid, name, parent):
        super().__init__(vc, moid, name, parent)
        self.hosts, self.datastores, self.networks = [], [], []
        self.resource_pool = None

    def inventory_children(self):
        return self.hosts + [self.resource_pool]

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
    def summary(self, ctx):
        cpu = sum(h.cpu_mhz * h.cpu_cores for h in self.hosts)
        memory = sum(h.memory_bytes for h in self.hosts)
        return DataObject(
            self.summary_type, totalCpu=cpu, totalMemory=memory,
            numCpuCores=sum(h.cpu_cores for h in self.hosts),
            numCpuThreads=sum(h.cpu_cores for h in self.hosts), effectiveCpu=cpu,
            effectiveMemory=memory // (1024 * 1024), numHosts=len(self.hosts),
            numEffectiveHosts=len(self.hosts), overallStatus="green",
            **self.summary_extra())

    summary_type = "ComputeResourceSummary"

    def summary_extra(self):
        return {}


class ClusterComputeResource(ComputeResource):
    vim_type = "ClusterComputeResource"
    summary_type = "ClusterComputeResourceSummary"

    def summary_extra(self):
        return {"currentFailoverLevel": 0, "numVmotions": 0}


class ResourcePool(ManagedEntity):
    vim_type = "ResourcePool"

    def __init__(self, vc, moid, name, parent, owner):
        super().__init__(vc, moid, name, parent)
        self.owner = owner
        self.pools, self.vms = [], []

    def inventory_children(self):
        return self.pools + self.vms

    @vim_property
    def owner(self, ctx):
        return self.owner.ref

    @vim_property
    def resourcePool(self, ctx):
        return refs(self.pools)

    @vim_property
    def vm(self, ctx):
        return refs(self.vms)


class Network(ManagedEntity):
    vim_type = "Network"

    def __init__(self, vc, moid, name, parent):
        super().__init__(vc, moid, name, parent)
        self.hosts, self.vms = [], []

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
