"""SearchIndex: finding entities by inventory path, name, UUID, DNS name, IP and datastore path.

Each Find* answers the first match (unset when there is none) and FindAll* every match, as
vCenter does; a ``datacenter`` argument limits the search to that datacenter's inventory.
"""
import re

from vimsim.model import authorization, faults
from vimsim.model.objects import ManagedObject

_DATASTORE_PATH = re.compile(r"^\[([^\]]+)\] ?(.*)$")


def children(entity):
    """The children FindChild and inventory paths walk: a folder's entities, a datacenter's
    four folders, a compute resource's hosts and root pool, a pool's child pools and VMs."""
    vim_type = entity.vim_type
    if vim_type == "Datacenter":
        return [entity.vm_folder, entity.host_folder, entity.datastore_folder,
                entity.network_folder]
    if vim_type in ("ComputeResource", "ClusterComputeResource"):
        return list(entity.hosts) + [entity.resource_pool]
    if vim_type == "ResourcePool":
        return list(entity.pools) + list(entity.vms)
    return list(getattr(entity, "children", ()))


def _path_names(path):
    """The names of an inventory path: a slash inside a name is %2f there, as in the name
    itself (vimsim/model/lifecycle.py, escaped_name)."""
    return [part for part in path.strip("/").split("/") if part]


def entity_at(vc, path):
    """The entity at an inventory path ("DC0/vm/web01"), or None."""
    entity = vc.root_folder
    for name in _path_names(path):
        entity = next((c for c in children(entity) if c is not None and c.name == name), None)
        if entity is None:
            return None
    return entity


class SearchIndex(ManagedObject):
    vim_type = "SearchIndex"

    def __init__(self, vc, moid="SearchIndex"):
        super().__init__(vc, moid)

    # -- by place ------------------------------------------------------------------------

    def FindByInventoryPath(self, ctx, inventoryPath):
        entity = entity_at(self.vc, inventoryPath)
        return self._seen(ctx, entity.ref) if entity is not None else None

    def FindChild(self, ctx, entity, name):
        child = self._child(self.vc.lookup(entity, ctx), name)
        return self._seen(ctx, child.ref if child is not None else None)

    @staticmethod
    def _child(entity, name):
        return next((c for c in children(entity) if c is not None and c.name == name), None)

    def FindByDatastorePath(self, ctx, datacenter, path):
        dc = self.vc.lookup(datacenter, ctx)
        match = _DATASTORE_PATH.match(path)
        if match is None:
            raise faults.Fault.of("InvalidDatastorePath", datastorePath=path,
                                  msg="Invalid datastore path '%s'." % path)
        name = match.group(1)
        if not any(ds.name == name for ds in dc.datastores):
            raise faults.Fault.of("InvalidDatastore", name=name, datastore=None,
                                  msg="Invalid datastore: %s" % name)
        wanted = "[%s] %s" % (name, match.group(2).lstrip("/"))
        vm = next((vm for vm in self._vms(dc) if vm.vm_path_name() == wanted), None)
        return self._seen(ctx, vm.ref if vm is not None else None)

    # -- by identity ---------------------------------------------------------------------

    def FindByUuid(self, ctx, uuid, vmSearch, datacenter=None, instanceUuid=None):
        found = self.FindAllByUuid(ctx, uuid, vmSearch, datacenter, instanceUuid)
        return found[0] if found else None

    def FindAllByUuid(self, ctx, uuid, vmSearch, datacenter=None, instanceUuid=None):
        return self._seen(ctx, self._by_uuid(ctx, datacenter, uuid, vmSearch, instanceUuid))

    def _by_uuid(self, ctx, datacenter, uuid, vm_search, instance_uuid):
        wanted = uuid.lower()
        if vm_search:
            attr = "instance_uuid" if instance_uuid else "uuid"
            return [vm.ref for vm in self._vms(self._datacenter(ctx, datacenter))
                    if getattr(vm, attr).lower() == wanted]
        return [h.ref for h in self._hosts(self._datacenter(ctx, datacenter))
                if h.uuid.lower() == wanted]

    def FindByDnsName(self, ctx, dnsName, vmSearch, datacenter=None):
        found = self.FindAllByDnsName(ctx, dnsName, vmSearch, datacenter)
        return found[0] if found else None

    def FindAllByDnsName(self, ctx, dnsName, vmSearch, datacenter=None):
        return self._seen(ctx, self._by_dns_name(ctx, datacenter, dnsName, vmSearch))

    def _by_dns_name(self, ctx, datacenter, dns_name, vm_search):
        wanted = dns_name.lower().rstrip(".")
        dc = self._datacenter(ctx, datacenter)
        if vm_search:  # the name the guest reports through VMware Tools
            return [vm.ref for vm in self._vms(dc) if vm.tools_running and
                    vm.host_name.lower() == wanted]
        return [h.ref for h in self._hosts(dc) if h.name.lower() == wanted]

    def FindByIp(self, ctx, ip, vmSearch, datacenter=None):
        found = self.FindAllByIp(ctx, ip, vmSearch, datacenter)
        return found[0] if found else None

    def FindAllByIp(self, ctx, ip, vmSearch, datacenter=None):
        return self._seen(ctx, self._by_ip(ctx, datacenter, ip, vmSearch))

    def _by_ip(self, ctx, datacenter, ip, vm_search):
        dc = self._datacenter(ctx, datacenter)
        if vm_search:  # any address a NIC of the guest reports
            return [vm.ref for vm in self._vms(dc)
                    if any(ip in nic.ipAddress for nic in vm.guest_nics())]
        return [h.ref for h in self._hosts(dc) if h.ip_address == ip]

    # -- scope ---------------------------------------------------------------------------

    def _seen(self, ctx, found):
        """What the caller may see of an answer (a moRef, a list of them, or None): only
        the entities it may read, as every read (authorization.read_filter)."""
        readable = authorization.read_filter(self.vc, ctx)
        if readable is None or found is None:
            return found
        if isinstance(found, list):
            return [ref for ref in found if readable(self.vc.objects[ref.value])]
        return found if readable(self.vc.objects[found.value]) else None

    def _datacenter(self, ctx, ref):
        return self.vc.lookup(ref, ctx) if ref is not None else None

    def _entities(self, dc, vim_type):
        objects = self.vc.objects.values()
        return [o for o in objects if o.vim_type == vim_type and
                (dc is None or o.datacenter() is dc)]

    def _vms(self, dc):
        return self._entities(dc, "VirtualMachine")

    def _hosts(self, dc):
        return self._entities(dc, "HostSystem")
