"""ViewManager and ContainerView: the objects under a container, by type, kept current."""
from vimsim.model import faults
from vimsim.model.objects import ManagedObject, SessionObject, refs, vim_property
from vimsim.vim25.types import REGISTRY

# What a ContainerView may be created on (vCenter's "container" argument).
CONTAINERS = frozenset(("Folder", "Datacenter", "ComputeResource", "ResourcePool", "HostSystem"))


class ViewManager(ManagedObject):
    vim_type = "ViewManager"

    def __init__(self, vc, moid="ViewManager"):
        super().__init__(vc, moid)

    def CreateContainerView(self, ctx, container, type=None, recursive=False):
        obj = self.vc.lookup(container, ctx)
        if not obj.type_names() & CONTAINERS:
            raise faults.InvalidArgument(invalidProperty="container")
        for name in type or ():
            # Any managed type of the schema: one vimsim holds no objects of (VirtualApp,
            # StoragePod) finds nothing, as on a vCenter that has none.
            if name not in REGISTRY.managed:
                raise faults.InvalidArgument(invalidProperty="type")
        return ContainerView(self.vc, ctx.session, obj, list(type or ()), bool(recursive)).ref

    @vim_property
    def viewList(self, ctx):
        return [o.ref for o in ctx.session.objects.values() if isinstance(o, ContainerView)] \
            if ctx.session else []


class ContainerView(SessionObject):
    vim_type = "ContainerView"

    def __init__(self, vc, session, container, types, recursive):
        super().__init__(vc, session)
        self.container, self.types, self.recursive = container, types, recursive
        self._cache = (None, ())

    def objects(self):
        version, objects = self._cache
        if version != self.vc.structure_version:
            objects = self._collect()
            self._cache = (self.vc.structure_version, objects)
        return objects

    def _collect(self):
        wanted = set(self.types)
        found, seen = [], {self.container.moid}
        stack = list(reversed(list(self.container.inventory_children())))
        while stack:
            obj = stack.pop()
            if obj is None or obj.moid in seen:
                continue
            seen.add(obj.moid)
            if not wanted or wanted & obj.type_names():
                found.append(obj)
            if self.recursive:
                stack.extend(reversed(list(obj.inventory_children())))
        return found

    def DestroyView(self, ctx):
        self.destroy()

    @vim_property
    def view(self, ctx):
        return refs(self.objects())

    @vim_property
    def container(self, ctx):
        return self.container.ref

    @vim_property
    def type(self, ctx):
        return list(self.types)

    @vim_property
    def recursive(self, ctx):
        return self.recursive
