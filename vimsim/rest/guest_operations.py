"""The Automation API's guest operations (/api/vcenter/vm/{vm}/guest/processes and
.../guest/filesystem): each operation is the vim25 method of GuestOperationsManager's
managers (vimsim/model/guest_operations.py), called through the model's one call path with
the credentials of the request body, and its faults answered as vAPI errors."""
from vimsim.model import dispatch, faults, rules
from vimsim.model.sessions import CallContext
from vimsim.rest import errors, inputs
from vimsim.rest.inputs import BOOLEAN, LONG, STRING, Enum, Struct
from vimsim.rest.services import rest_time as _rest_time
from vimsim.vim25.data import DataObject, parse_datetime

_V = "com.vmware.vcenter.vm.guest."
CREDENTIALS = Struct(_V + "Credentials", interactive_session=BOOLEAN, type=Enum(
    _V + "Credentials.Type", "USERNAME_PASSWORD", "SAML_BEARER_TOKEN"), user_name=STRING,
    password=STRING, saml_token=STRING)
POSIX = Struct(_V + "filesystem.FileAttributesPosix", owner_id=LONG, group_id=LONG,
               permissions=STRING)
WINDOWS = Struct(_V + "filesystem.FileAttributesWindows", hidden=BOOLEAN, read_only=BOOLEAN)
BODIES = {
    "processes.create": Struct(_V + "Processes.create", credentials=CREDENTIALS, spec=Struct(
        _V + "Processes.CreateSpec", path=STRING, arguments=STRING, working_directory=STRING,
        start_minimized=BOOLEAN)),
    "processes": Struct(_V + "Processes", credentials=CREDENTIALS),
    "transfers.create": Struct(_V + "filesystem.Transfers.create", credentials=CREDENTIALS,
                               spec=Struct(_V + "filesystem.Transfers.CreateSpec", path=STRING,
                                           attributes=Struct(
                                               _V + "filesystem.FileCreationAttributes",
                                               overwrite=BOOLEAN, size=LONG, posix=POSIX,
                                               windows=WINDOWS))),
    "directories": Struct(_V + "filesystem.Directories", credentials=CREDENTIALS, path=STRING,
                          new_path=STRING, create_parents=BOOLEAN, recursive=BOOLEAN,
                          prefix=STRING, suffix=STRING, parent_path=STRING),
    "files": Struct(_V + "filesystem.Files", credentials=CREDENTIALS, path=STRING,
                    new_path=STRING, overwrite=BOOLEAN, prefix=STRING, suffix=STRING,
                    parent_path=STRING,
                    iteration=Struct(_V + "filesystem.Files.IterationSpec", size=LONG,
                                     index=LONG),
                    filter=Struct(_V + "filesystem.Files.FilterSpec", match_pattern=STRING),
                    file_attributes=Struct(_V + "filesystem.FileAttributesUpdateSpec",
                                           last_modified=STRING, last_accessed=STRING,
                                           posix=POSIX, windows=WINDOWS)),
}
# (path part, action) -> (operation, body, manager, handler, HTTP status of success)
OPERATIONS = {
    ("processes", "create"): ("Processes.create", "processes.create", "processManager",
                              "start_program", 201),
    ("processes", "list"): ("Processes.list", "processes", "processManager",
                            "list_processes", 200),
    ("process", "get"): ("Processes.get", "processes", "processManager", "get_process", 200),
    ("process", "delete"): ("Processes.delete", "processes", "processManager",
                            "terminate_process", 204),
    ("filesystem", "create"): ("filesystem.Transfers.create", "transfers.create",
                               "fileManager", "create_transfer", 201),
    ("directories", "create"): ("filesystem.Directories.create", "directories", "fileManager",
                                "make_directory", 204),
    ("directories", "delete"): ("filesystem.Directories.delete", "directories", "fileManager",
                                "delete_directory", 204),
    ("directories", "move"): ("filesystem.Directories.move", "directories", "fileManager",
                              "move_directory", 204),
    ("directories", "createTemporary"): ("filesystem.Directories.create_temporary",
                                         "directories", "fileManager",
                                         "temporary_directory", 201),
    ("files", "list"): ("filesystem.Files.list", "files", "fileManager", "list_files", 200),
    ("files", "get"): ("filesystem.Files.get", "files", "fileManager", "get_file", 200),
    ("files", "delete"): ("filesystem.Files.delete", "files", "fileManager", "delete_file",
                          204),
    ("files", "move"): ("filesystem.Files.move", "files", "fileManager", "move_file", 204),
    ("files", "update"): ("filesystem.Files.update", "files", "fileManager", "update_file",
                          204),
    ("files", "createTemporary"): ("filesystem.Files.create_temporary", "files",
                                   "fileManager", "temporary_file", 201),
}
rules.register_operations([_V + o[0] for o in OPERATIONS.values()], errors.ERROR_TYPES)


def guest_error(fault):
    """The vAPI error of a guest operation's fault."""
    def error(error_type, message_id):
        return errors.RestError(error_type, "com.vmware.api.vcenter.vm.guest." + message_id,
                                fault.msg)
    if isinstance(fault, faults.InvalidGuestLogin):
        return error("UNAUTHENTICATED", "invalid_login")
    if isinstance(fault, faults.GuestPermissionDenied):
        return error("UNAUTHORIZED", "permission_denied")
    if isinstance(fault, faults.GuestOperationsUnavailable):
        return error("SERVICE_UNAVAILABLE", "tools_not_running")
    if isinstance(fault, (faults.FileNotFound, faults.GuestProcessNotFound)):
        return error("NOT_FOUND", "not_found")
    if isinstance(fault, faults.FileAlreadyExists):
        return error("ALREADY_EXISTS", "already_exists")
    if isinstance(fault, faults.DirectoryNotEmpty):
        return error("RESOURCE_IN_USE", "directory_not_empty")
    if isinstance(fault, (faults.NotAFile, faults.NotADirectory, faults.FileTooLarge,
                          faults.OperationNotSupportedByGuest, faults.CannotDeleteFile,
                          faults.TooManyGuestLogons)):
        return errors.invalid_argument(fault.msg)
    if isinstance(fault, (faults.InvalidState, faults.TaskInProgress)):
        return error("NOT_ALLOWED_IN_CURRENT_STATE", "invalid_state")
    return errors.from_fault(fault)


def authentication(credentials):
    """A GuestAuthentication from the vAPI credentials."""
    if not credentials or not credentials.get("type"):
        raise errors.invalid_argument("The credentials of the guest are missing.")
    interactive = bool(credentials.get("interactive_session"))
    if credentials["type"] == "SAML_BEARER_TOKEN":
        return DataObject("SAMLTokenAuthentication", token=credentials.get("saml_token") or "",
                          username=credentials.get("user_name"), interactiveSession=interactive)
    return DataObject("NamePasswordAuthentication", username=credentials.get("user_name") or "",
                      password=credentials.get("password") or "",
                      interactiveSession=interactive)


def _time(value, field):
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise errors.invalid_argument("The value of field %s is not a date and time." % field)


def _posix_permissions(value):
    try:
        return int(value, 8)
    except (TypeError, ValueError):
        raise errors.invalid_argument("The value of field posix.permissions is not an octal "
                                      "number.")


def file_attributes(spec, windows):
    """GuestPosixFileAttributes or GuestWindowsFileAttributes from a vAPI attributes spec."""
    spec = spec or {}
    times = dict(modificationTime=_time(spec.get("last_modified"), "last_modified"),
                 accessTime=_time(spec.get("last_accessed"), "last_accessed"))
    if spec.get("windows") is not None or (windows and spec.get("posix") is None):
        given = spec.get("windows") or {}
        return DataObject("GuestWindowsFileAttributes", hidden=given.get("hidden"),
                          readOnly=given.get("read_only"), **times)
    given = spec.get("posix") or {}
    return DataObject("GuestPosixFileAttributes", ownerId=given.get("owner_id"),
                      groupId=given.get("group_id"),
                      permissions=_posix_permissions(given["permissions"])
                      if given.get("permissions") is not None else None, **times)


def rest_time(value):
    return _rest_time(value) if value is not None else None


class GuestOperations:
    def __init__(self, api):
        self.api = api

    @property
    def vc(self):
        return self.api.vc

    def call(self, session, vm_id, part, action, body, pid=None):
        """One guest operation (see OPERATIONS): its value in the /api form, and status."""
        found = OPERATIONS.get((part, action))
        if found is None:
            raise errors.operation_not_found("POST vcenter/vm/%s/guest/%s?action=%s"
                                             % (vm_id, part, action))
        operation, body_kind, manager, handler, status = found
        self.api.require_available(_V + operation, session, vm_id)
        body = inputs.check(operation, body, BODIES[body_kind], "body") or {}
        vm = self.api.vm(vm_id)
        auth = authentication(body.get("credentials"))
        ctx = CallContext(session=session)
        manager = self.vc.managers["guestOperationsManager"].managers[manager].ref

        def invoke(method, **args):
            return dispatch.invoke(self.vc, ctx, manager, method,
                                   dict(vm=vm.ref, auth=auth, **args))
        try:
            value = getattr(self, handler)(body, pid, vm.guest_family == "windowsGuest",
                                           invoke)
        except faults.Fault as fault:
            raise guest_error(fault)
        return status, value

    # -- processes -----------------------------------------------------------------------

    def start_program(self, body, pid, windows, invoke):
        spec = body.get("spec") or {}
        if not spec.get("path"):
            raise errors.invalid_argument("The program path is missing.")
        env = body.get("spec", {}).get("environment_variables") or {}
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise errors.invalid_argument("The value of field spec.environment_variables is "
                                          "not a map of strings.")
        return invoke("StartProgramInGuest", spec=DataObject(
            "GuestWindowsProgramSpec" if spec.get("start_minimized") is not None and windows
            else "GuestProgramSpec", programPath=spec["path"],
            arguments=spec.get("arguments") or "", workingDirectory=spec.get(
                "working_directory"), envVariables=["%s=%s" % kv for kv in env.items()] or None,
            startMinimized=spec.get("start_minimized") if windows else None))

    def list_processes(self, body, pid, windows, invoke):
        return [{"name": p.name, "pid": p.pid, "owner": p.owner, "command": p.cmdLine,
                 "started": rest_time(p.startTime)} for p in invoke("ListProcessesInGuest")]

    def get_process(self, body, pid, windows, invoke):
        found = invoke("ListProcessesInGuest", pids=[self._pid(pid)])
        if not found:
            raise guest_error(faults.GuestProcessNotFound(pid=self._pid(pid)))
        p = found[0]
        info = {"name": p.name, "owner": p.owner, "command": p.cmdLine,
                "started": rest_time(p.startTime)}
        if p.endTime is not None:
            info.update(finished=rest_time(p.endTime), exit_code=p.exitCode)
        return info

    def terminate_process(self, body, pid, windows, invoke):
        invoke("TerminateProcessInGuest", pid=self._pid(pid))

    @staticmethod
    def _pid(pid):
        if pid is None or not (pid.isascii() and pid.isdigit()):
            raise errors.invalid_argument("The process id %s is not a number." % pid, pid)
        return int(pid)

    # -- file transfers ------------------------------------------------------------------

    def create_transfer(self, body, pid, windows, invoke):
        spec = body.get("spec") or {}
        if not spec.get("path"):
            raise errors.invalid_argument("The guest path is missing.")
        attributes = spec.get("attributes")
        if attributes is None:  # no attributes: a transfer from the guest
            return invoke("InitiateFileTransferFromGuest", guestFilePath=spec["path"]).url
        if attributes.get("size") is None:
            raise errors.invalid_argument("The value of field spec.attributes.size is missing.")
        return invoke("InitiateFileTransferToGuest", guestFilePath=spec["path"],
                      fileAttributes=file_attributes(attributes, windows),
                      fileSize=attributes["size"], overwrite=bool(attributes.get("overwrite")))

    # -- directories ---------------------------------------------------------------------

    @staticmethod
    def _path(body, field="path"):
        if not body.get(field):
            raise errors.invalid_argument("The value of field %s is missing." % field, field)
        return body[field]

    def make_directory(self, body, pid, windows, invoke):
        invoke("MakeDirectoryInGuest", directoryPath=self._path(body),
               createParentDirectories=bool(body.get("create_parents")))

    def delete_directory(self, body, pid, windows, invoke):
        invoke("DeleteDirectoryInGuest", directoryPath=self._path(body),
               recursive=bool(body.get("recursive")))

    def move_directory(self, body, pid, windows, invoke):
        invoke("MoveDirectoryInGuest", srcDirectoryPath=self._path(body),
               dstDirectoryPath=self._path(body, "new_path"))

    def temporary_directory(self, body, pid, windows, invoke):
        return invoke("CreateTemporaryDirectoryInGuest", prefix=body.get("prefix") or "",
                      suffix=body.get("suffix") or "", directoryPath=body.get("parent_path"))

    # -- files ---------------------------------------------------------------------------

    def list_files(self, body, pid, windows, invoke):
        iteration = body.get("iteration") or {}
        index = iteration.get("index") or 0
        page = invoke("ListFilesInGuest", filePath=self._path(body), index=index,
                      maxResults=iteration.get("size"),
                      matchPattern=(body.get("filter") or {}).get("match_pattern"))
        found = [{"filename": f.path, "type": f.type.upper(), "size": f.size}
                 for f in page.files or ()]
        result = {"files": found, "total": index + len(found) + page.remaining}
        if found:
            result.update(start_index=index, end_index=index + len(found) - 1)
        return result

    def get_file(self, body, pid, windows, invoke):
        path = self._path(body)
        listed = invoke("ListFilesInGuest", filePath=path)
        files = listed.files or []
        name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        match = [f for f in files if f.path == name] if len(files) == 1 else []
        if not match:  # a directory: what it is, not what it holds
            return {"type": "DIRECTORY", "size": 4096}
        f = match[0]
        info = {"type": f.type.upper(), "size": f.size,
                "last_modified": rest_time(f.attributes.modificationTime),
                "last_accessed": rest_time(f.attributes.accessTime)}
        a = f.attributes
        if a._typeName == "GuestPosixFileAttributes":
            info["posix"] = {"owner_id": a.ownerId, "group_id": a.groupId,
                             "permissions": "%o" % a.permissions}
        else:
            info["windows"] = {"hidden": a.hidden, "read_only": a.readOnly,
                               "created": rest_time(a.createTime)}
        return info

    def delete_file(self, body, pid, windows, invoke):
        invoke("DeleteFileInGuest", filePath=self._path(body))

    def move_file(self, body, pid, windows, invoke):
        invoke("MoveFileInGuest", srcFilePath=self._path(body),
               dstFilePath=self._path(body, "new_path"), overwrite=bool(body.get("overwrite")))

    def update_file(self, body, pid, windows, invoke):
        invoke("ChangeFileAttributesInGuest", guestFilePath=self._path(body),
               fileAttributes=file_attributes(body.get("file_attributes"), windows))

    def temporary_file(self, body, pid, windows, invoke):
        return invoke("CreateTemporaryFileInGuest", prefix=body.get("prefix") or "",
                      suffix=body.get("suffix") or "", directoryPath=body.get("parent_path"))

