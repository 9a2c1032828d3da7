"""The emulated vCenter: every managed object by moId, the clock, users, and change notification.

Nothing here is global: two Vcenter objects in one process share no state.
"""
import itertools
import uuid

from vimsim.model import faults
# Every module holding a manager's class, so that the managers are built from them.
from vimsim.model import (authorization, custom_fields, customization,  # noqa: F401
                          customization_specs, datastore_files, diagnostics, events,
                          guest_operations, licenses,
                          options, performance, property_collector, search_index, sessions,
                          tasks, user_directory, views)
from vimsim.model.guest import GuestBehaviour
from vimsim.model.rules import RuleBook
from vimsim.model.tagging import Tagging
from vimsim.model.service import SERVICE_CONTENT, ServiceInstance, model_class
from vimsim.model.vm import VirtualMachine
from vimsim.vim25.data import DataObject, FrozenDataObject, MoRef
from vimsim.vim25.types import REGISTRY


# Clock seconds each guest or host action takes unless the fixture says otherwise.
DEFAULT_TIMINGS = {
    "power_op": 0.3,        # a power operation's task, queued to success
    "tools_start": 3.0,     # VMware Tools running again after power-on or a guest reboot
    "guest_shutdown": 2.0,  # ShutdownGuest until the VM is powered off
    "guest_reboot": 2.0,    # RebootGuest until the guest boots again
    "instant_clone": 1.0,   # InstantClone_Task, queued to success
    "clone_vm": 2.0,        # CloneVM_Task, queued to success
    "relocate_vm": 2.0,     # RelocateVM_Task (vMotion, storage vMotion), queued to success
    "customize_task": 1.0,  # CustomizeGuest_Task: until the guest has the customization
    "customization_pending": 1.0,  # PENDING until the guest starts customizing (RUNNING)
    "customization_running": 3.0,  # RUNNING until SUCCEEDED (or FAILED)
    "abort_task": 0.5,      # AbortCustomization_Task
    "network_task": 1.0,    # StartGuestNetwork_Task: until the guest network is up
    "create_vm": 1.0,       # CreateVM_Task, queued to success
    "reconfig_vm": 0.5,     # ReconfigVM_Task
    "destroy": 0.5,         # Destroy_Task of a VM or a folder, UnregisterAndDestroy_Task
    "rename": 0.2,          # Rename_Task, MoveIntoFolder_Task
    "snapshot": 1.0,        # a snapshot's creation, revert or removal
}

# Where a fault of each type is delivered: "call" fails the method call itself, "task" fails
# the task the call returns. Host-side checks fail the call, guest-side ones the task.
DEFAULT_FAULT_DELIVERY = {"InvalidGuestLogin": "task", "GuestPermissionDenied": "task"}

API_VERSION = "8.0.3.0"
# Every version a vCenter 8.0 lists in vimServiceVersions.xml.
PRIOR_API_VERSIONS = ("8.0.2.0", "8.0.1.0", "8.0.0.2", "8.0.0.1", "8.0.0.0", "7.0.3.2", "7.0.3.1",
                      "7.0.3.0", "7.0.2.1", "7.0.2.0", "7.0.1.1", "7.0.1.0", "7.0.0.2", "7.0.0.0",
                      "6.9.1", "6.8.7", "6.7.3", "6.7.2", "6.7.1", "6.7", "6.5", "6.0", "5.5",
                      "5.1", "5.0", "4.1", "4.0")


class Vcenter:
    def __init__(self, clock, timings=None, about=None, fault_delivery=None):
        self.clock = clock
        unknown = set(timings or ()) - set(DEFAULT_TIMINGS)
        if unknown:
            raise ValueError("unknown timings: %s" % ", ".join(sorted(unknown)))
        self.timings = dict(DEFAULT_TIMINGS, **(timings or {}))
        self.fault_delivery = dict(DEFAULT_FAULT_DELIVERY)
        for type_name, where in (fault_delivery or {}).items():
            self.set_fault_delivery(type_name, where)
        self.guest_behaviour = GuestBehaviour(self.timings)
        # REST/JSON-RPC operations answering service_unavailable ("*": all of them).
        self.unavailable_operations = set()
        self.rules = RuleBook(clock)
        self.listeners = []  # callables told of every changed object (the embedding API's)
        self.boot_time = clock.now()
        self.objects = {}
        self.users = {}
        self.collectors = property_collector.Collectors()
        self.structure_version = 0
        self.changes = 0  # counts touch(): the --state file is written when it moved
        self.removed = []  # moIds of the entities destroyed (a snapshot loses them too)
        self.tagging = Tagging(self)  # com.vmware.cis.tagging (vimsim/rest/tagging.py)
        self._ids = itertools.count(2)  # 1 is the root folder, group-d1, as on vCenter
        self._tokens = itertools.count(1)
        self.instance_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, "vimsim:%s" % (about or {})))
        self._about = dict(about or {})
        self._service_content = None
        self.service_instance = self.add(ServiceInstance(self))
        self.managers = {prop: self.add(model_class(type_name)(self, moid))
                         for prop, type_name, moid in SERVICE_CONTENT}
        managers = self.managers
        self.session_manager = managers["sessionManager"]
        self.property_collector = managers["propertyCollector"]
        self.view_manager = managers["viewManager"]
        self.task_manager = managers["taskManager"]
        self.guest_customization_manager = managers["guestCustomizationManager"]
        self.authorization_manager = managers["authorizationManager"]
        self.event_manager = managers["eventManager"]
        self.customization_spec_manager = managers["customizationSpecManager"]
        self.root_folder = None
        # Where clients reach this vCenter, (scheme, port): the server that serves it says,
        # for the URLs the model hands out (guest file transfers).
        self.endpoint = ("https", 443)

    def set_fault_delivery(self, type_name, where):
        """Deliver faults of ``type_name`` on the method call ("call") or its task ("task")."""
        fault_type = REGISTRY.data.get(type_name)
        if fault_type is None or not fault_type.is_fault:
            raise ValueError("fault delivery: %s is not a vim25 fault type" % type_name)
        if where not in ("call", "task"):
            raise ValueError("fault delivery for %s must be 'call' or 'task'" % type_name)
        self.fault_delivery[type_name] = where

    def delivery_of(self, fault):
        return self.fault_delivery.get(fault.type_name, "call")

    def add_vm(self, spec, folder, pool, host, moid=None):
        """A new VM from a fixture-style spec, placed in the inventory."""
        vm = self.add(VirtualMachine(self, moid or self.new_moid("vm-"), spec["name"], folder,
                                     pool, host, spec))
        folder.children.append(vm)
        pool.vms.append(vm)
        host.vms.append(vm)
        for d in vm.datastores + vm.networks:
            d.vms.append(vm)
        for obj in (folder, pool, host):
            self.touch(obj, structural=True)
        return vm

    # -- identity and lookup -------------------------------------------------------------

    def new_moid(self, prefix):
        """The next moId with vCenter's prefix: ``vm-`` gives vm-42, ``group-v`` group-v3."""
        return "%s%d" % (prefix, next(self._ids))

    def peek_moid_number(self):
        number = next(self._ids)
        self._ids = itertools.count(number)
        return number

    def set_moid_number(self, number):
        self._ids = itertools.count(number)

    def new_token(self):
        return "52%014x" % next(self._tokens)

    def add(self, obj):
        self.objects[obj.moid] = obj
        return obj

    def remove(self, obj):
        self.objects.pop(obj.moid, None)

    def find(self, ref, ctx=None):
        """The object a moRef names, or None. Session objects are visible to their session only."""
        value = ref.value if isinstance(ref, MoRef) else ref
        obj = self.objects.get(value)
        if obj is None and ctx is not None and ctx.session is not None:
            obj = ctx.session.objects.get(value)
        if obj is None or (isinstance(ref, MoRef) and ref.type != obj.vim_type):
            return None
        return obj

    def lookup(self, ref, ctx=None):
        obj = self.find(ref, ctx)
        if obj is None:
            raise faults.ManagedObjectNotFound(ref)
        return obj

    def ref_of(self, moid):
        obj = self.objects.get(moid)
        return obj.ref if obj is not None else MoRef("ManagedObject", moid)

    # -- change notification -------------------------------------------------------------

    def touch(self, obj, structural=False):
        """Record that ``obj``'s properties (or, if structural, the inventory tree) changed."""
        self.changes += 1
        if structural:
            self.structure_version += 1
        for listener in self.listeners:
            listener(obj)
        self.collectors.touched(obj, structural, self.clock)

    # -- content -------------------------------------------------------------------------

    def about(self):
        a = self._about
        version = a.get("version", "8.0.3")
        build = str(a.get("build", "24322831"))
        return DataObject(
            "AboutInfo", name="VMware vCenter Server",
            fullName="VMware vCenter Server %s build-%s" % (version, build),
            vendor="VMware, Inc.", version=version, patchLevel=str(a.get("patch_level", "00000")),
            build=build, localeVersion="INTL",
            localeBuild="000", osType="linux-x64", productLineId="vpx",
            apiType="VirtualCenter", apiVersion=API_VERSION, instanceUuid=self.instance_uuid,
            licenseProductName="VMware VirtualCenter Server", licenseProductVersion="8.0")

    def host_about(self):
        return DataObject(
            "AboutInfo", name="VMware ESXi", fullName="VMware ESXi 8.0.3 build-24280767",
            vendor="VMware, Inc.", version="8.0.3", build="24280767", osType="vmnix-x86",
            productLineId="embeddedEsx", apiType="HostAgent", apiVersion=API_VERSION)

    def service_content(self):
        if self._service_content is None:
            self._service_content = self._build_service_content()
        return self._service_content

    def _build_service_content(self):
        refs = {prop: manager.ref for prop, manager in self.managers.items()}
        return FrozenDataObject("ServiceContent", rootFolder=self.root_folder.ref,
                                about=self.about(), **refs)
