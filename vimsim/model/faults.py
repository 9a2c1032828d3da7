"""vim25 faults as Python exceptions: the vSphere type name, its fields, and vCenter's message.

Every front-end maps a Fault to its own wire shape (SOAP detail, VI/JSON, REST error), so
the rule that raised it is written once, here in the model.
"""
import uuid

from vimsim.vim25 import typedata
from vimsim.vim25.data import DataObject, MoRef
from vimsim.vim25.primitives import xml_safe


class Fault(Exception):
    """A vim25 MethodFault. ``type_name`` is the vSphere name; ``fields`` its own fields."""

    type_name = "MethodFault"
    message = "A general fault occurred."

    def __init__(self, msg=None, **fields):
        self.fields = {k: v for k, v in fields.items() if v is not None}
        self.msg = xml_safe(msg or self.message.format_map(_Blank(self.fields)))
        super().__init__(self.msg)

    @classmethod
    def of(cls, type_name, msg=None, **fields):
        """A fault of any vim25 type, for rules and hooks that name it as a string."""
        known = FAULTS.get(type_name)
        if known is not None:
            fault = known.__new__(known)
            Fault.__init__(fault, msg, **fields)
            return fault
        fault = Fault(msg or type_name, **fields)
        fault.type_name = type_name
        return fault

    def within(self, context):
        """The fault, its message followed by where in a request it was found, as vCenter's
        request parser words it ("while parsing property "name" of static type string")."""
        self.msg = "%s\n\nwhile parsing %s" % (self.msg, xml_safe(context))
        self.args = (self.msg,)
        return self

    def to_data(self):
        """The fault as a data object (a TaskInfo.error's ``fault``, a faultCause)."""
        return DataObject(self.type_name, **self.fields)

    def localized(self):
        """The LocalizedMethodFault that carries this fault in a TaskInfo."""
        return DataObject("LocalizedMethodFault", fault=self.to_data(), localizedMessage=self.msg)

    def __repr__(self):
        return "%s(%r, %r)" % (self.type_name, self.msg, self.fields)


FAULTS = {}


class _Blank(dict):
    """Formats a message whose field is unset as an empty string."""

    def __missing__(self, key):
        return ""


def _fault(name, base, message=None):
    cls = type(name, (base,), {"type_name": name})
    if message is not None:
        cls.message = message
    FAULTS[name] = cls
    return cls


def _vmodl_ref_text(ref):
    """A moRef as vCenter names it in messages: ``vim.VirtualMachine:vm-42``."""
    if not isinstance(ref, MoRef):
        return str(ref)
    return "%s:%s" % (typedata.MANAGED_VMODL_NAMES.get(ref.type, "vim." + ref.type), ref.value)


def _ref_text(ref):
    return "%s:%s" % (ref.type, ref.value) if isinstance(ref, MoRef) else str(ref)


RuntimeFault = _fault("RuntimeFault", Fault, "A general runtime error occurred.")
VimFault = _fault("VimFault", Fault)
SystemError = _fault("SystemError", RuntimeFault, "A general system error occurred: {reason}")
InvalidRequest = _fault("InvalidRequest", RuntimeFault, "The request is invalid.")
MethodNotFound = _fault("MethodNotFound", InvalidRequest)
InvalidType = _fault("InvalidType", InvalidRequest,
                     "The request refers to an unexpected or unknown type.")
InvalidArgument = _fault("InvalidArgument", RuntimeFault,
                         "A specified parameter was not correct: {invalidProperty}")
NotSupported = _fault("NotSupported", RuntimeFault,
                      "The operation is not supported on the object.")
NotImplemented = _fault("NotImplemented", RuntimeFault)
RequestCanceled = _fault("RequestCanceled", RuntimeFault, "The task was canceled by a user.")
SecurityError = _fault("SecurityError", RuntimeFault)
NoPermission = _fault("NoPermission", SecurityError,
                      "Permission to perform this operation was denied.")
NotAuthenticated = _fault("NotAuthenticated", NoPermission, "The session is not authenticated.")
InvalidProperty = _fault("InvalidProperty", Fault, "")  # vCenter's faultstring is empty
InvalidCollectorVersion = _fault("InvalidCollectorVersion", Fault,
                                 "The collector version is invalid.")
InvalidLogin = _fault("InvalidLogin", VimFault,
                      "Cannot complete login due to an incorrect user name or password.")
InvalidLocale = _fault("InvalidLocale", VimFault, "The locale is invalid or unknown to the server.")
InvalidState = _fault("InvalidState", VimFault, "The operation is not allowed in the current state.")
InvalidPowerState = _fault("InvalidPowerState", InvalidState)
TaskInProgress = _fault("TaskInProgress", VimFault,
                        "The operation is not allowed in the current state.")
ToolsUnavailable = _fault("ToolsUnavailable", VimFault,
                          "Cannot complete operation because VMware Tools is not running in this "
                          "virtual machine.")
InvalidName = _fault("InvalidName", VimFault, "The name '{name}' is invalid.")
DuplicateName = _fault("DuplicateName", VimFault, "The name '{name}' already exists.")
NotFound = _fault("NotFound", VimFault, "The object or item referred to could not be found.")
AlreadyExists = _fault("AlreadyExists", VimFault,
                       "The specified key, name, or identifier '{name}' already exists.")
InsufficientResourcesFault = _fault("InsufficientResourcesFault", VimFault,
                                    "Insufficient resources to satisfy configuration "
                                    "requirements.")
InsufficientCpuResourcesFault = _fault("InsufficientCpuResourcesFault", InsufficientResourcesFault,
                                       "The available CPU resources in the parent resource pool "
                                       "are insufficient for the operation.")
InsufficientMemoryResourcesFault = _fault("InsufficientMemoryResourcesFault",
                                          InsufficientResourcesFault,
                                          "The available Memory resources in the parent resource "
                                          "pool are insufficient for the operation.")
InvalidEvent = _fault("InvalidEvent", VimFault, "The event is not valid.")
ResourceInUse = _fault("ResourceInUse", VimFault, "The resource '{name}' is in use.")
ConcurrentAccess = _fault("ConcurrentAccess", VimFault, "Cannot complete operation due to "
                          "concurrent modification by another operation.")


class ManagedObjectNotFound(RuntimeFault):
    type_name = "ManagedObjectNotFound"

    def __init__(self, obj, msg=None):
        super().__init__(msg or "The object '%s' has already been deleted or has not been "
                         "completely created" % _vmodl_ref_text(obj), obj=obj)


FAULTS["ManagedObjectNotFound"] = ManagedObjectNotFound

_POWER_STATE_TEXT = {"poweredOn": "Powered on", "poweredOff": "Powered off", "suspended": "Suspended"}


def invalid_power_state(requested, existing):
    """InvalidPowerState with vCenter's message for the VM's current state."""
    return InvalidPowerState(
        "The attempted operation cannot be performed in the current state (%s)."
        % _POWER_STATE_TEXT.get(existing, existing),
        requestedState=requested, existingState=existing)


def method_not_found(receiver, method):
    return MethodNotFound("Method %s is not supported by this server" % method,
                          receiver=receiver, method=method)


def not_authenticated(obj, privilege="System.View"):
    return NotAuthenticated(object=obj, privilegeId=privilege)


def no_permission(obj, privilege):
    return NoPermission(object=obj, privilegeId=privilege, missingPrivileges=[
        DataObject("NoPermissionEntityPrivileges", entity=obj, privilegeIds=[privilege])])


def system_error(reason):
    return SystemError(reason=reason)


def internal_error(logger, doing, exc=None):
    """The SystemError answering an unexpected exception (a vimsim bug; ``exc``, or the one
    being handled) while ``doing`` something: the traceback goes to ``logger`` at ERROR under
    a fresh id, and only that id goes on the wire (``error_id`` for surfaces that answer in
    their own shape)."""
    error_id = uuid.uuid4().hex[:12]
    logger.error("internal error %s %s", error_id, doing,
                 exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else True)
    fault = SystemError(reason="Internal error %s: the vimsim log has its details" % error_id)
    fault.error_id = error_id
    return fault


GuestOperationsFault = _fault("GuestOperationsFault", VimFault)
InvalidGuestLogin = _fault("InvalidGuestLogin", GuestOperationsFault,
                           "Failed to authenticate with the guest operating system using the "
                           "supplied credentials.")
GuestPermissionDenied = _fault("GuestPermissionDenied", GuestOperationsFault,
                               "Insufficient permissions in guest operating system.")
CustomizationFault = _fault("CustomizationFault", VimFault,
                            "A customization error occurred.")
NicSettingMismatch = _fault(
    "NicSettingMismatch", CustomizationFault,
    "The number of network adapter settings in the customization specification: "
    "{numberOfNicsInSpec} does not match the number of network adapters present in the "
    "virtual machine: {numberOfNicsInVM}.")
UncustomizableGuest = _fault(
    "UncustomizableGuest", CustomizationFault,
    "Customization of the guest operating system '{uncustomizableGuestOS}' is not supported "
    "in this configuration.")
CustomizationPending = _fault("CustomizationPending", CustomizationFault,
                              "A customization is already pending for this virtual machine.")
MissingWindowsCustResources = _fault("MissingWindowsCustResources", CustomizationFault,
                                     "Windows customization resources were not found on this "
                                     "server")
IpHostnameGeneratorError = _fault("IpHostnameGeneratorError", CustomizationFault,
                                  "An error occurred while running the IP/hostname generator "
                                  "application.")

# Guest operations (vimsim/model/guest_operations.py): the guest agent's faults, and the
# file faults a guest's file system answers with.
GuestOperationsUnavailable = _fault("GuestOperationsUnavailable", GuestOperationsFault,
                                    "The guest operations agent could not be contacted.")
GuestProcessNotFound = _fault("GuestProcessNotFound", GuestOperationsFault,
                              "The guest process {pid} was not found.")
OperationNotSupportedByGuest = _fault("OperationNotSupportedByGuest", GuestOperationsFault,
                                      "The operation is not supported by the guest "
                                      "operating system.")
TooManyGuestLogons = _fault("TooManyGuestLogons", GuestOperationsFault,
                            "Too many guest logons are active for the virtual machine.")
FileFault = _fault("FileFault", VimFault, "Error caused by file {file}")
FileNotFound = _fault("FileNotFound", FileFault, "File {file} was not found")
FileAlreadyExists = _fault("FileAlreadyExists", FileFault,
                           "Cannot complete the operation because the file or folder {file} "
                           "already exists")
NotAFile = _fault("NotAFile", FileFault, "{file} is not a file")
NotADirectory = _fault("NotADirectory", FileFault, "{file} is not a directory")
DirectoryNotEmpty = _fault("DirectoryNotEmpty", FileFault, "The directory {file} is not empty")
CannotDeleteFile = _fault("CannotDeleteFile", FileFault, "Cannot delete file {file}")
FileTooLarge = _fault("FileTooLarge", FileFault,
                      "The file or folder {file} exceeds the maximum size limit of "
                      "{maxFileSize} bytes")
NoDiskSpace = _fault("NoDiskSpace", FileFault,
                     "There is not enough space on the file system for the selected "
                     "operation: {file}")
