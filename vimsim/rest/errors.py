"""The vAPI standard errors (com.vmware.vapi.std.errors) and how model faults map to them."""
from vimsim.model import faults
from vimsim.vim25.types import REGISTRY

# error_type -> (HTTP status, the /rest type suffix)
ERROR_TYPES = {
    "UNAUTHENTICATED": (401, "unauthenticated"),
    "UNAUTHORIZED": (403, "unauthorized"),
    "NOT_FOUND": (404, "not_found"),
    "OPERATION_NOT_FOUND": (404, "operation_not_found"),
    "SERVICE_UNAVAILABLE": (503, "service_unavailable"),
    "INVALID_ARGUMENT": (400, "invalid_argument"),
    "INVALID_REQUEST": (400, "invalid_request"),
    "NOT_ALLOWED_IN_CURRENT_STATE": (400, "not_allowed_in_current_state"),
    "ALREADY_EXISTS": (400, "already_exists"),
    "ALREADY_IN_DESIRED_STATE": (400, "already_in_desired_state"),
    "CONCURRENT_CHANGE": (400, "concurrent_change"),
    "RESOURCE_IN_USE": (400, "resource_in_use"),
    "INTERNAL_SERVER_ERROR": (500, "internal_server_error"),
}


class RestError(Exception):
    """A vAPI standard error: its type, and one localizable message."""

    def __init__(self, error_type, message_id, message, args=(), causes=()):
        super().__init__(message)
        self.error_type, self.message_id, self.message = error_type, message_id, message
        self.args_ = [str(a) for a in args]
        self.causes = causes  # (id, message, args) of the messages that explain this one

    @property
    def status(self):
        return ERROR_TYPES[self.error_type][0]

    @property
    def std_name(self):
        return "com.vmware.vapi.std.errors." + ERROR_TYPES[self.error_type][1]

    def messages(self):
        return [{"id": self.message_id, "default_message": self.message, "args": self.args_}] + [
            {"id": i, "default_message": m, "args": [str(a) for a in args]}
            for i, m, args in self.causes]


def unauthenticated():
    return RestError("UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required",
                     "Authentication required.")


def unauthorized(privilege):
    return RestError("UNAUTHORIZED", "vapi.method.authz.unauthorized",
                     "Unable to authorize user: missing privilege %s." % privilege, [privilege])


def vm_not_found(vm):
    return RestError("NOT_FOUND", "com.vmware.api.vcenter.vm.not_found",
                     "Virtual machine with identifier '%s' does not exist." % vm, [vm])


def service_unavailable(operation):
    return RestError("SERVICE_UNAVAILABLE", "com.vmware.vapi.std.errors.service_unavailable",
                     "The service that %s needs is not available." % operation, [operation])


def invalid_argument(message, *args):
    return RestError("INVALID_ARGUMENT", "com.vmware.vapi.std.errors.invalid_argument",
                     message, args)


def invalid_input(operation, causes):
    """A request whose input does not fit the operation's declared types (vimsim.rest.inputs):
    vAPI's message for the operation, then the ones saying what and where."""
    return RestError("INVALID_ARGUMENT", "vapi.invoke.invalid.input",
                     "Invalid input for method: %s" % operation, [operation], causes)


def internal_error(fault):
    """The vAPI error for an unexpected exception, answered with the id of
    faults.internal_error's SystemError (its log entry), never Python's words."""
    return RestError("INTERNAL_SERVER_ERROR", "com.vmware.vapi.std.errors.internal_server_error",
                     fault.fields["reason"], [fault.error_id])


def operation_not_found(operation):
    return RestError("OPERATION_NOT_FOUND", "vapi.method.input.invalid.interface",
                     "Unable to find the operation %s." % operation, [operation])


def from_fault(fault):
    """The vAPI error a vim25 fault from the model becomes."""
    if isinstance(fault, faults.NotAuthenticated):
        return unauthenticated()
    if isinstance(fault, faults.NoPermission):
        return unauthorized(fault.fields.get("privilegeId", ""))
    if isinstance(fault, faults.ManagedObjectNotFound):
        return vm_not_found(fault.fields["obj"].value)
    if isinstance(fault, faults.InvalidLogin):
        return RestError("UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required",
                         fault.msg)
    kinds = set(REGISTRY.data[fault.type_name].ancestors) if fault.type_name in REGISTRY.data \
        else {fault.type_name}
    if kinds & {"DuplicateName", "FileAlreadyExists"}:
        return RestError("ALREADY_EXISTS", "com.vmware.vapi.std.errors.already_exists",
                         fault.msg, [fault.fields.get("name") or fault.fields.get("file", "")])
    if kinds & {"InvalidName", "InvalidDeviceSpec", "InvalidDatastore", "NotSupported"}:
        return invalid_argument(fault.msg)
    if isinstance(fault, (faults.InvalidState, faults.TaskInProgress)):
        return RestError("NOT_ALLOWED_IN_CURRENT_STATE",
                         "com.vmware.api.vcenter.vm.guest.customization.invalid_state", fault.msg)
    if isinstance(fault, (faults.InvalidArgument, faults.InvalidRequest)) or \
            "CustomizationFault" in kinds:  # a spec the VM cannot take, as vCenter words it
        return invalid_argument(fault.msg)
    if isinstance(fault, faults.NotFound):
        return RestError("NOT_FOUND", "com.vmware.vapi.std.errors.not_found", fault.msg)
    if isinstance(fault, faults.AlreadyExists):
        return RestError("ALREADY_EXISTS", "com.vmware.vapi.std.errors.already_exists",
                         fault.msg, [fault.fields.get("name", "")])
    if isinstance(fault, faults.ConcurrentAccess):
        return RestError("CONCURRENT_CHANGE", "com.vmware.vapi.std.errors.concurrent_change",
                         fault.msg)
    return RestError("INTERNAL_SERVER_ERROR", "com.vmware.vapi.std.errors.internal_server_error",
                     fault.msg)
