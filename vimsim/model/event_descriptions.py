"""EventManager.description: the event categories and, for every event type vimsim posts,
vCenter's category, short description and message formats.

A format names event arguments in braces (``{vm.name}``); a context format leaves out what its
context already names (on a host's page, the host).
"""
from vimsim.vim25.data import DataObject

CATEGORIES = (("info", "Information"), ("warning", "Warning"), ("error", "Error"),
              ("user", "User"))

_ON = "{vm.name} on {host.name} in {datacenter.name}"


def _vm_state(description, state):
    """A VM power event's texts: "{vm.name} on {host.name} in {datacenter.name} is <state>"."""
    return dict(description=description, category="info",
                formatOnDatacenter="{vm.name} on {host.name} is %s" % state,
                formatOnComputeResource="{vm.name} on {host.name} is %s" % state,
                formatOnHost="{vm.name} is %s" % state,
                formatOnVm="Virtual machine on {host.name} is %s" % state,
                fullFormat="%s is %s" % (_ON, state))


def _same(description, category, text, on_vm=None):
    """Texts that read the same in every context (but on the VM's own page, ``on_vm``)."""
    return dict(description=description, category=category, formatOnDatacenter=text,
                formatOnComputeResource=text, formatOnHost=text, formatOnVm=on_vm or text,
                fullFormat=text)


# Event type -> its EventDescriptionEventDetail fields (key aside).
EVENT_INFO = {
    "TaskEvent": _same("Task event", "info", "Task: {info.descriptionId}"),
    "VmPoweredOnEvent": _vm_state("VM powered on", "powered on"),
    "VmPoweredOffEvent": _vm_state("VM powered off", "powered off"),
    "VmSuspendedEvent": _vm_state("VM suspended", "suspended"),
    "VmResettingEvent": _vm_state("VM resetting", "reset"),
    "VmGuestShutdownEvent": _same("Guest OS shut down", "info",
                                  "Guest OS shut down for {vm.name} on {host.name} in "
                                  "{datacenter.name}", "Guest OS shut down"),
    "VmGuestRebootEvent": _same("Guest reboot", "info",
                                "Guest OS reboot for {vm.name} on {host.name} in "
                                "{datacenter.name}", "Guest OS reboot"),
    "VmClonedEvent": _same("VM cloned", "info", "Clone of {sourceVm.name} completed"),
    "UserLoginSessionEvent": _same("User login", "info",
                                   "User {userName}@{ipAddress} logged in as {userAgent}"),
    "UserLogoutSessionEvent": _same(
        "User logout", "info", "User {userName}@{ipAddress} logged out (login time: "
        "{loginTime}, number of API invocations: {callCount}, user agent: {userAgent})"),
    "BadUsernameSessionEvent": _same("Invalid user name", "error",
                                     "Cannot login {userName}@{ipAddress}"),
    "CustomizationStartedEvent": _same(
        "Started customization", "info", "Started customization of VM {vm.name}",
        "Started customization"),
    "CustomizationSucceeded": _same(
        "Customization succeeded", "info", "Customization of VM {vm.name} succeeded",
        "Customization succeeded"),
    "CustomizationFailed": _same(
        "An error occurred during customization", "info",
        "An error occurred during customization on VM {vm.name}",
        "An error occurred during customization"),
    "CustomizationNetworkSetupFailed": _same(
        "Cannot complete customization network setup", "error",
        "An error occurred while setting up network properties of the guest OS"),
    "CustomizationLinuxIdentityFailed": _same(
        "Customization Linux Identity Failed", "error",
        "An error occurred while setting up Linux identity. See log file '{logLocation}' on "
        "guest OS for details."),
    "CustomizationSysprepFailed": _same(
        "Cannot complete customization Sysprep", "error",
        "The version of Sysprep {sysprepVersion} provided for customizing VM {vm.name} does "
        "not match the version of guest OS {systemVersion}. See the log file {logLocation} in "
        "the guest OS for more information."),
    "CustomizationUnknownFailure": _same(
        "Unknown customization error", "error",
        "An error occurred while customizing VM {vm.name}. For details reference the log file "
        "{logLocation} in the guest OS."),
    "VmBeingCreatedEvent": _same("Creating VM", "info",
                                 "Creating {vm.name} on {host.name}, in {datacenter.name}",
                                 "Creating VM on {host.name}, in {datacenter.name}"),
    "VmCreatedEvent": _same("VM created", "info",
                            "Created virtual machine {vm.name} on {host.name} in "
                            "{datacenter.name}", "Virtual machine created"),
    "VmReconfiguredEvent": _same("VM reconfigured", "info",
                                 "Reconfigured {vm.name} on {host.name} in {datacenter.name}",
                                 "Reconfigured virtual machine"),
    "VmRemovedEvent": _same("VM removed", "info",
                            "Removed {vm.name} on {host.name} from {datacenter.name}",
                            "Removed virtual machine"),
    "VmRenamedEvent": _same("VM renamed", "warning",
                            "Renamed {vm.name} from {oldName} to {newName} in "
                            "{datacenter.name}", "Renamed from {oldName} to {newName}"),
    "DatacenterRenamedEvent": _same("Datacenter renamed", "info",
                                    "Renamed datacenter from {oldName} to {newName}"),
    "DatastoreRenamedEvent": _same("Datastore renamed", "info",
                                   "Renamed datastore from {oldName} to {newName}"),
    "DatacenterCreatedEvent": _same("Datacenter created", "info",
                                    "Created datacenter {datacenter.name} in folder "
                                    "{parent.name}"),
    "ClusterCreatedEvent": _same("Cluster created", "info",
                                 "Created cluster {computeResource.name} in "
                                 "{datacenter.name}"),
    "ClusterDestroyedEvent": _same("Cluster deleted", "info",
                                   "Removed cluster {computeResource.name} in datacenter "
                                   "{datacenter.name}"),
    "ResourcePoolCreatedEvent": _same("New resource pool", "info",
                                      "Created resource pool {resourcePool.name} in "
                                      "compute-resource {computeResource.name} in "
                                      "{datacenter.name}"),
    "ResourcePoolReconfiguredEvent": _same("Resource pool reconfigured", "info",
                                           "Updated configuration for {resourcePool.name} in "
                                           "compute-resource {computeResource.name} in "
                                           "{datacenter.name}"),
    "VmRelocatedEvent": _same(
        "VM relocated", "info", "Completed the relocation of the virtual machine {vm.name} from "
        "{sourceHost.name}, {sourceDatastore.name} in {sourceDatacenter.name} to {host.name}, "
        "{ds.name} in {datacenter.name}", "Completed the relocation of the virtual machine"),
    "GeneralUserEvent": _same("User event", "user", "User logged event: {message}"),
    "ResourcePoolDestroyedEvent": _same("Resource pool deleted", "info",
                                        "Removed resource pool {resourcePool.name} on "
                                        "{computeResource.name} in {datacenter.name}"),
}


class _Unset(dict):
    """An event argument the event leaves unset formats as an empty string."""

    def __missing__(self, key):
        return ""


def full_message(type_name, fields):
    """``type_name``'s fullFormattedMessage: vCenter's fullFormat with the event's ``fields``."""
    return EVENT_INFO[type_name]["fullFormat"].format_map(_Unset(fields))


def event_description(event_types):
    """The EventDescription of ``event_types`` (each must have its texts here)."""
    return DataObject(
        "EventDescription",
        category=[DataObject("ElementDescription", key=key, label=label, summary=label)
                  for key, label in CATEGORIES],
        eventInfo=[DataObject("EventDescriptionEventDetail", key=name, **EVENT_INFO[name])
                   for name in event_types])
