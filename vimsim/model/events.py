"""EventManager and EventHistoryCollector: the events vCenter posts for tasks, power
changes, clones and guest customization, which tools such as govc and terraform wait on."""
import collections

from vimsim.model import authorization, faults, sessions
from vimsim.model.event_descriptions import EVENT_INFO, event_description, full_message
from vimsim.model.objects import ManagedObject, SessionObject, vim_property
from vimsim.vim25.data import DataObject
from vimsim.vim25.types import REGISTRY

# Every event type vimsim posts (the type tables include exactly these Event subtypes).
EVENT_TYPES = ("TaskEvent", "VmPoweredOnEvent", "VmPoweredOffEvent", "VmSuspendedEvent",
               "VmResettingEvent", "VmGuestShutdownEvent", "VmGuestRebootEvent",
               "VmClonedEvent", "UserLoginSessionEvent",
               "UserLogoutSessionEvent", "BadUsernameSessionEvent", "CustomizationStartedEvent",
               "CustomizationSucceeded", "CustomizationFailed",
               "CustomizationNetworkSetupFailed", "CustomizationLinuxIdentityFailed",
               "CustomizationSysprepFailed", "CustomizationUnknownFailure",
               "VmBeingCreatedEvent", "VmCreatedEvent", "VmReconfiguredEvent", "VmRemovedEvent",
               "VmRenamedEvent", "DatacenterRenamedEvent", "DatastoreRenamedEvent",
               "DatacenterCreatedEvent", "ClusterCreatedEvent", "ClusterDestroyedEvent",
               "ResourcePoolCreatedEvent", "ResourcePoolReconfiguredEvent",
               "ResourcePoolDestroyedEvent", "GeneralUserEvent", "VmRelocatedEvent")
CUSTOMIZATION_FAILURES = EVENT_TYPES[EVENT_TYPES.index("CustomizationFailed"):
                                     EVENT_TYPES.index("CustomizationUnknownFailure") + 1]
HISTORY_LIMIT = 10000
DEFAULT_PAGE = 10
MAX_PAGE = 1000


def entities_below(root, recursion):
    """The moIds an entity filter's recursion selects: ``root`` itself, its children
    ("children") or everything below it ("all")."""
    ids = {root.moid}
    if recursion in ("children", "all"):
        stack = list(root.inventory_children()) if hasattr(root, "inventory_children") else []
        while stack:
            obj = stack.pop()
            if obj is None or obj.moid in ids:
                continue
            ids.add(obj.moid)
            if recursion == "all":
                stack.extend(obj.inventory_children())
    return ids


class EventManager(ManagedObject):
    vim_type = "EventManager"

    persisted = ("next_key",)  # new events' keys follow the chain ids kept tasks carry

    def __init__(self, vc, moid="EventManager"):
        super().__init__(vc, moid)
        self.events = collections.deque(maxlen=HISTORY_LIMIT)
        self.next_key = 1
        self.collectors = set()  # the EventHistoryCollectors alive, by session

    def post(self, type_name, vm=None, /, text=None, chain_id=None, user="", **fields):
        """Record an event about ``vm`` (and its host and datacenter); its message is
        ``text``, or vCenter's for the type, filled in with the event's fields (among them
        a GeneralEvent's own ``message``)."""
        key = self.next_key
        self.next_key += 1
        if vm is not None:
            fields.setdefault("vm", DataObject("VmEventArgument", name=vm.name, vm=vm.ref))
            fields.setdefault("host", DataObject("HostEventArgument", name=vm.host.name,
                                                 host=vm.host.ref))
            dc = vm.datacenter()
            fields.setdefault("datacenter", DataObject("DatacenterEventArgument", name=dc.name,
                                                       datacenter=dc.ref))
            if "VmEvent" in self.event_bases(type_name):
                fields.setdefault("template", getattr(vm, "template", False))
        if text is None:
            text = full_message(type_name, fields)
        event = DataObject(type_name, key=key, chainId=chain_id or key,
                           createdTime=self.vc.clock.now(), userName=user or "",
                           fullFormattedMessage=text, **fields)
        self.events.append(event)
        self.vc.touch(self)
        for collector in self.collectors:  # their latestPage (govc events -f waits on it)
            self.vc.touch(collector)
        return event

    @staticmethod
    def event_bases(type_name):
        dtype = REGISTRY.data.get(type_name)
        return dtype.ancestors if dtype is not None else ()

    def matching(self, spec, ctx):
        """The events an EventFilterSpec selects, oldest first."""
        spec = spec or DataObject("EventFilterSpec")
        entity_ids = root = None
        if spec.entity is not None:
            root = self.vc.lookup(spec.entity.entity, ctx)
            entity_ids = entities_below(root, spec.entity.recursion)
        types = set(spec.type or ()) | set(spec.eventTypeId or ())
        users = set(spec.userName.userList or ()) if spec.userName is not None else None
        begin = spec.time.beginTime if spec.time is not None else None
        end = spec.time.endTime if spec.time is not None else None
        out = []
        for event in self.events:
            if types and not types & set(self.event_bases(event._typeName)):
                continue
            if spec.eventChainId is not None and event.chainId != spec.eventChainId:
                continue
            if users is not None and event.userName not in users:
                continue
            if begin is not None and event.createdTime < begin or \
                    end is not None and event.createdTime > end:
                continue
            about = [getattr(arg, kind).value for kind, arg in (
                ("vm", event.vm), ("host", event.host), ("datacenter", event.datacenter))
                if arg is not None]
            # An event about no entity (a login) is the vCenter's own: the root folder's.
            if entity_ids is not None and not (any(m in entity_ids for m in about) or
                                               (not about and root is self.vc.root_folder)):
                continue
            out.append(event)
        return self._readable(out, ctx)

    def _readable(self, events, ctx):
        """The events the caller may read: those about entities it may read (an event about
        none is the root folder's)."""
        keep = authorization.read_filter(self.vc, ctx)
        if keep is None:
            return events
        root = self.vc.root_folder
        return [e for e in events if keep(self._entity(e) or root)]

    def _entity(self, event):
        for kind in ("vm", "host", "datacenter"):
            arg = getattr(event, kind, None)
            if arg is not None:
                return self.vc.find(getattr(arg, kind))
        return None

    def QueryEvents(self, ctx, filter, eventViewSpec=None):
        events = self.matching(filter, ctx)
        if filter.maxCount:
            events = events[-filter.maxCount:]
        return list(reversed(events))  # newest first

    def CreateCollectorForEvents(self, ctx, filter):
        self.matching(filter, ctx)  # fails the call for a bad filter
        sessions.require_room(ctx.session, ("EventHistoryCollector",),
                              sessions.MAX_HISTORY_COLLECTORS, "event collectors")
        return EventHistoryCollector(self.vc, ctx, self, filter).ref

    def LogUserEvent(self, ctx, entity, msg):
        obj = self.vc.lookup(entity, ctx)
        authorization.require(self.vc, ctx, obj, "Global.LogEvent")
        fields = {"entity": DataObject("ManagedEntityEventArgument", name=obj.name,
                                       entity=obj.ref)}
        is_vm = obj.vim_type == "VirtualMachine"
        if not is_vm:
            fields.update(self._where(obj))
        self.post("GeneralUserEvent", obj if is_vm else None, user=ctx.user_name or "",
                  message=msg, **fields)

    def PostEvent(self, ctx, eventToPost, taskInfo=None):
        """The event a client made, with the key, chain, time and user the server gives it
        (the chain of ``taskInfo`` when given); InvalidEvent when it names an object that
        does not exist."""
        fields = {k: v for k, v in eventToPost.__dict__.items() if k != "_typeName"}
        for kind, field in (("vm", "vm"), ("host", "host"), ("datacenter", "datacenter"),
                            ("computeResource", "computeResource"), ("ds", "datastore"),
                            ("net", "network"), ("dvs", "dvs")):
            arg = fields.get(kind)
            ref = getattr(arg, field, None) if arg is not None else None
            if ref is not None and self.vc.find(ref, ctx) is None:
                raise faults.InvalidEvent()
        for name in ("key", "chainId", "createdTime", "userName"):
            fields.pop(name, None)
        chain = taskInfo.eventChainId if taskInfo is not None and taskInfo.eventChainId \
            else None
        text = fields.pop("fullFormattedMessage", None)
        if text is None and eventToPost._typeName in EVENT_INFO:
            text = full_message(eventToPost._typeName, fields)
        self.post(eventToPost._typeName, None, text or "", chain_id=chain,
                  user=ctx.user_name or "", **fields)

    def _where(self, obj):
        """The event arguments naming where a host or another entity is: its host, its
        datacenter."""
        fields = {}
        if obj.vim_type == "HostSystem":
            fields["host"] = DataObject("HostEventArgument", name=obj.name, host=obj.ref)
        dc = obj.datacenter() if hasattr(obj, "datacenter") else None
        if dc is not None:
            fields["datacenter"] = DataObject("DatacenterEventArgument", name=dc.name,
                                              datacenter=dc.ref)
        return fields

    @vim_property
    def latestEvent(self, ctx):
        latest = self._readable([self.events[-1]], ctx) if self.events else None
        return latest[0] if latest else None

    @vim_property
    def maxCollector(self, ctx):
        return sessions.MAX_HISTORY_COLLECTORS

    @vim_property
    def description(self, ctx):
        return event_description(EVENT_TYPES)


class HistoryCollector(SessionObject):
    """What an event and a task collector share: a page over the items their filter
    selects (``_items``, oldest first), read forward and back from the latest page."""

    vim_type = "HistoryCollector"

    def __init__(self, vc, ctx, manager, spec):
        super().__init__(vc, ctx.session)
        self.ctx, self.manager, self.spec = ctx, manager, spec
        self.page_size = DEFAULT_PAGE
        self.position = None  # index into the matching items; None: before the latest page
        manager.collectors.add(self)

    def destroy(self):
        self.manager.collectors.discard(self)
        super().destroy()

    def _items(self):
        raise NotImplementedError

    def _positioned(self):
        items = self._items()
        if self.position is None:
            self.position = max(0, len(items) - self.page_size)
        return items

    @staticmethod
    def _count(max_count):
        if max_count is None or max_count <= 0:
            raise faults.InvalidArgument(invalidProperty="maxCount")
        return min(max_count, MAX_PAGE)

    def _read_next(self, max_count):
        count = self._count(max_count)
        items = self._positioned()
        page = items[self.position:self.position + count]
        self.position += len(page)
        return page

    def _read_previous(self, max_count):
        count = self._count(max_count)
        items = self._positioned()
        start = max(0, self.position - count)
        page = items[start:self.position]
        self.position = start
        return list(reversed(page))

    def SetCollectorPageSize(self, ctx, maxCount):
        if maxCount < 0:
            raise faults.InvalidArgument(invalidProperty="maxCount")
        self.page_size = min(maxCount, MAX_PAGE)
        self.vc.touch(self)

    def RewindCollector(self, ctx):
        self.position = 0

    def ResetCollector(self, ctx):
        self.position = None

    def DestroyCollector(self, ctx):
        self.destroy()

    def _latest_page(self):
        # newest first, as vcsim gives it: govc's events -f takes the first as the newest
        return list(reversed(self._positioned()[-self.page_size:])) if self.page_size else []

    @vim_property
    def filter(self, ctx):
        return self.spec


class EventHistoryCollector(HistoryCollector):
    vim_type = "EventHistoryCollector"

    @vim_property
    def latestPage(self, ctx):
        return self._latest_page()

    def _items(self):
        return self.manager.matching(self.spec, self.ctx)

    def ReadNextEvents(self, ctx, maxCount):
        return self._read_next(maxCount)

    def ReadPreviousEvents(self, ctx, maxCount):
        return self._read_previous(maxCount)
