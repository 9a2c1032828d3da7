"""ViewManager and ContainerView: the objects under a container, by type, kept current."""
from vimsim.model import authorization, faults, sessions
from vimsim.model.objects import ManagedObject, SessionObject, complete, refs, vim_property
from vimsim.vim25.types import REGISTRY



def readable(vc, ctx, objects):
    """The objects of a view the caller may read: a view lists only those, as vCenter's do."""
    keep = authorization.read_filter(vc, ctx)
    return objects if keep is None else [o for o in objects if keep(o)]


# Objects a ContainerView's view works through between two steps of a traversal (about a
# millisecond): a view of 10,000 VMs, rebuilt and listed in one go, held everyone 25 ms.
VIEW_STEP = 500


VIEW_TYPES = ("ContainerView", "ListView", "InventoryView")


def require_room(ctx):
    sessions.require_room(ctx.session, VIEW_TYPES, sessions.MAX_VIEWS, "views")


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
        require_room(ctx)
        return ContainerView(self.vc, ctx.session, obj, list(type or ()), bool(recursive)).ref

    def CreateListView(self, ctx, obj=None):
        require_room(ctx)
        view = ListView(self.vc, ctx.session)
        view.reset(ctx, obj or ())
        return view.ref

    def CreateListViewFromView(self, ctx, view):
        source = self.vc.lookup(view, ctx)
        require_room(ctx)
        listed = ListView(self.vc, ctx.session)
        listed.reset(ctx, source.view(ctx))
        return listed.ref

    def CreateInventoryView(self, ctx):
        require_room(ctx)
        return InventoryView(self.vc, ctx.session).ref

    @vim_property
    def viewList(self, ctx):
        return [o.ref for o in ctx.session.objects.values() if isinstance(o, View)] \
            if ctx.session else []


class View(SessionObject):
    vim_type = "View"

    def DestroyView(self, ctx):
        self.destroy()


class ListView(View):
    """A view of the objects a client names, kept until it changes them."""
    vim_type = "ListView"
    unresolved_arguments = ("obj", "add", "remove")

    def __init__(self, vc, session):
        super().__init__(vc, session)
        self.refs = []

    def _add(self, ctx, refs):
        """Adds what exists; answers the moRefs that name nothing (``unresolved``)."""
        unresolved = []
        for ref in refs:
            if self.vc.find(ref, ctx) is None:
                unresolved.append(ref)
            elif ref not in self.refs:
                self.refs.append(ref)
        self.vc.touch(self, structural=True)  # filters that traverse the view see it change
        return unresolved

    def reset(self, ctx, refs):
        self.refs = []
        return self._add(ctx, refs)

    def ModifyListView(self, ctx, add=None, remove=None):
        unresolved = self._add(ctx, add or ())
        gone = set(remove or ())
        self.refs = [r for r in self.refs if r not in gone]
        return unresolved

    def ResetListView(self, ctx, obj=None):
        return self.reset(ctx, obj or ())

    def ResetListViewFromView(self, ctx, view):
        self.reset(ctx, self.vc.lookup(view, ctx).view(ctx))

    @vim_property
    def view(self, ctx):
        found = [self.vc.find(r, ctx) for r in self.refs]
        return refs(readable(self.vc, ctx, [o for o in found if o is not None]))


class InventoryView(View):
    """The root folder, and the children of each entity a client opened."""
    vim_type = "InventoryView"
    unresolved_arguments = ("entity",)

    def __init__(self, vc, session):
        super().__init__(vc, session)
        self.opened = []

    def OpenInventoryViewFolder(self, ctx, entity):
        unresolved = []
        for ref in entity:
            found = self.vc.find(ref, ctx)
            if found is None:
                unresolved.append(ref)
            elif found not in self.opened:
                self.opened.append(found)
        self.vc.touch(self, structural=True)  # filters that traverse the view see it change
        return unresolved

    def CloseInventoryViewFolder(self, ctx, entity):
        unresolved, closing = [], set()
        for ref in entity:
            found = self.vc.find(ref, ctx)
            if found is None:
                unresolved.append(ref)
            closing.add(ref.value)
        self.opened = [o for o in self.opened if o.moid not in closing]
        self.vc.touch(self, structural=True)  # filters that traverse the view see it change
        return unresolved

    @vim_property
    def view(self, ctx):
        listed = [self.vc.root_folder]
        for entity in self.opened:
            for child in entity.inventory_children():
                if child is not None and child not in listed:
                    listed.append(child)
        return refs(readable(self.vc, ctx, listed))


class ContainerView(View):
    vim_type = "ContainerView"

    def __init__(self, vc, session, container, types, recursive):
        super().__init__(vc, session)
        self.container, self.types, self.recursive = container, types, recursive
        self._cache = (None, ())

    def objects(self):
        return complete(self._objects_in_steps())

    def _objects_in_steps(self):
        """The objects in view, rebuilt after a change of the inventory's structure, yielding
        None every VIEW_STEP objects met. Other calls may change the structure between
        two steps: the rebuild is then kept under the version it started from (and redone)."""
        version, objects = self._cache
        if version != self.vc.structure_version:
            version = self.vc.structure_version
            objects = yield from self._collect()
            self._cache = (version, objects)
        return objects

    def _collect(self):
        wanted = set(self.types)
        found, seen = [], {self.container.moid}
        stack = list(reversed(list(self.container.inventory_children())))
        visited = 0
        while stack:
            visited += 1  # seen ones too: a pool's 10,000 VMs, met again, are a step's work
            if visited % VIEW_STEP == 0:
                yield None
            obj = stack.pop()
            if obj is None or obj.moid in seen:
                continue
            seen.add(obj.moid)
            if not wanted or wanted & obj.type_names():
                found.append(obj)
            if self.recursive:
                stack.extend(reversed(list(obj.inventory_children())))
        return found

    @vim_property
    def view(self, ctx):
        return complete(self.get_in_steps("view", ctx))

    def get_in_steps(self, path, ctx):
        if path != "view":
            return (yield from super().get_in_steps(path, ctx))
        objects = yield from self._objects_in_steps()
        keep = authorization.read_filter(self.vc, ctx)
        listed = []
        for start in range(0, len(objects), VIEW_STEP):
            listed.extend(o.ref for o in objects[start:start + VIEW_STEP]
                          if keep is None or keep(o))
            yield None
        return listed

    @vim_property
    def container(self, ctx):
        return self.container.ref

    @vim_property
    def type(self, ctx):
        return list(self.types)

    @vim_property
    def recursive(self, ctx):
        return self.recursive
