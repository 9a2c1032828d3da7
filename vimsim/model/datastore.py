"""Datastore: capacity, the hosts that mount it, the VMs on it."""
from vimsim.model.inventory import ManagedEntity
from vimsim.model.objects import refs, vim_property
from vimsim.vim25.data import DataObject


class Datastore(ManagedEntity):
    vim_type = "Datastore"

    def __init__(self, vc, moid, name, parent, capacity, free):
        super().__init__(vc, moid, name, parent)
        self.capacity, self.free = capacity, free
        self.hosts, self.vms = [], []

    @vim_property
    def summary(self, ctx):
        return DataObject("DatastoreSummary", datastore=self.ref, name=self.name,
                          url="ds:///vmfs/volumes/%s/" % self.moid, capacity=self.capacity,
                          freeSpace=self.free, accessible=True, multipleHostAccess=False,
                          type="OTHER", maintenanceMode="normal")

    @vim_property
    def host(self, ctx):
        return [DataObject("DatastoreHostMount", key=h.ref,
                           mountInfo=DataObject("HostMountInfo", accessMode="readWrite",
                                                mounted=True, accessible=True))
                for h in self.hosts]

    @vim_property
    def vm(self, ctx):
        return refs(self.vms)
