"""GuestOperationsManager and the managers it names: guest credentials (GuestAuthManager),
programs (GuestProcessManager) and files (GuestFileManager) inside a running guest.

Each VM's guest is a GuestSystem: its files in memory (vimsim/model/guest_files.py), the
programs StartProgramInGuest started (what they do: vimsim/model/guest_processes.py), the
tickets AcquireCredentialsInGuest handed out. The GuestOperationsManager holds them all and
keeps them in the --state file. Every method checks, in vCenter's order: its privilege on the
VM, the VM powered on, VMware Tools running (GuestOperationsUnavailable), no task holding the
VM, then the guest login (InvalidGuestLogin); the guest itself then answers with file faults,
GuestPermissionDenied or GuestProcessNotFound.

Files move through URLs this server serves itself (vimsim/guestfile.py): ESXi's
``https://*:<port>/guestFile?id=..&token=..``, where the client puts the host it called in
place of ``*``; each URL works once and expires after TRANSFER_SECONDS.
"""
import hashlib
import logging
import re
import secrets
import string
from datetime import timedelta

from vimsim.model import authorization, faults, guest_files, guest_processes
from vimsim.model.guest_files import DIRECTORY, FILE, ROOT_UID
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.model.service import model_class
from vimsim.model.vm import POWERED_ON
from vimsim.vim25.data import DataObject

log = logging.getLogger("vimsim")

QUERY = "VirtualMachine.GuestOperations.Query"
MODIFY = "VirtualMachine.GuestOperations.Modify"
EXECUTE = "VirtualMachine.GuestOperations.Execute"
KEEP_ENDED_SECONDS = 300  # an ended program's exit code and end time stay listed this long
TRANSFER_SECONDS = 300    # a file transfer URL's life
MAX_TRANSFER_BYTES = 16 * 1024 * 1024  # the largest file one transfer moves (FileTooLarge)
MAX_TICKETS = 32          # AcquireCredentialsInGuest's tickets alive at once per guest
FIRST_PID = 2000
DEFAULT_MAX_RESULTS = 50  # ListFilesInGuest's page without maxResults

# GuestOperationsManager's references: (property, type, moId as vCenter names them).
MANAGERS = (("authManager", "GuestAuthManager", "guestOperationsAuthManager"),
            ("fileManager", "GuestFileManager", "guestOperationsFileManager"),
            ("processManager", "GuestProcessManager", "guestOperationsProcessManager"),
            ("guestWindowsRegistryManager", "GuestWindowsRegistryManager",
             "guestOperationsGuestWindowsRegistryManager"),
            ("aliasManager", "GuestAliasManager", "guestOperationsAliasManager"))

# The guest's own processes, listed beside the programs started through the API:
# (pid, name, owner, command line).
LINUX_PROCESSES = ((1, "systemd", "root", "/sbin/init"),
                   (612, "vmtoolsd", "root", "/usr/bin/vmtoolsd"),
                   (845, "sshd", "root", "sshd: /usr/sbin/sshd -D"))
WINDOWS_PROCESSES = ((4, "System", "SYSTEM", ""),
                     (1020, "vmtoolsd.exe", "SYSTEM",
                      '"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe"'))


def is_windows(vm):
    return vm.guest_family == "windowsGuest" or vm.guest_id.lower().startswith("win")


class GuestProcess:
    """A program StartProgramInGuest started: what ListProcessesInGuest reports, where its
    output goes (``redirects``: [stream, path]) and what it writes there when it ends
    (``outputs``: [path, text])."""
    __slots__ = ("pid", "name", "owner", "cmd_line", "start_time", "end_time", "exit_code",
                 "redirects", "outputs", "run")

    def __init__(self, pid, name, owner, cmd_line, start_time):
        self.pid, self.name, self.owner, self.cmd_line = pid, name, owner, cmd_line
        self.start_time, self.end_time, self.exit_code = start_time, None, None
        self.redirects, self.outputs = [], []
        self.run = 0  # bumps when a rule replans the run; a stale end checks it

    def info(self):
        return DataObject("GuestProcessInfo", name=self.name, pid=self.pid, owner=self.owner,
                          cmdLine=self.cmd_line, startTime=self.start_time,
                          endTime=self.end_time, exitCode=self.exit_code)

    def persisted_state(self):
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def restored(cls, state):
        process = cls.__new__(cls)
        for name in cls.__slots__:
            setattr(process, name, state[name])
        return process


class GuestSystem:
    """One VM's guest as guest operations see it."""

    def __init__(self, vm, plan, now):
        self.windows = is_windows(vm)
        self.plan = plan or {}
        self.fs = guest_files.GuestFileSystem(self.windows, vm.guest_accounts, now,
                                              self.uids(vm))
        for path, content in (self.plan.get("guest_files") or {}).items():
            self.fs.force_file(path, str(content).encode("utf-8"), ROOT_UID, now)
        self.processes = {}  # pid -> GuestProcess
        self.next_pid = FIRST_PID
        self.tickets = {}  # AcquireCredentialsInGuest's ticket -> user name
        self.cycle = vm.power_cycle  # the power cycle the processes and tickets belong to
        self.temp_names = 0

    @staticmethod
    def uids(vm):
        """Each guest account's uid: root's 0, the others' from 1000 in the fixture's order."""
        return {name: 0 if name == "root" else 1000 + i
                for i, name in enumerate(vm.guest_accounts)}

    def uid(self, vm, account):
        return self.uids(vm)[account.username]

    def booted(self, vm):
        """A new power cycle: programs and logins of the last one are gone; files stay."""
        if self.cycle != vm.power_cycle:
            self.processes, self.tickets, self.cycle = {}, {}, vm.power_cycle

    def login(self, vm, auth):
        """The guest account ``auth`` names; InvalidGuestLogin when it names none."""
        kind = getattr(auth, "_typeName", None)
        account = None
        if auth is not None and auth.interactiveSession:
            raise faults.GuestOperationsUnavailable(
                "No interactive session is available in the guest.")
        if kind == "NamePasswordAuthentication":
            account = vm.guest_accounts.get(auth.username)
            if account is not None and account.password != auth.password:
                account = None
        elif kind == "TicketedSessionAuthentication":
            name = self.tickets.get(auth.ticket)
            account = vm.guest_accounts.get(name) if name is not None else None
        elif kind == "SSPIAuthentication" and not self.windows:
            raise faults.OperationNotSupportedByGuest()
        if account is None:
            raise faults.InvalidGuestLogin()
        return account

    def read_file(self, path):
        node = self.fs.find(path)
        return node.data if node is not None and node.kind == FILE else None

    def absolute(self, path, cwd):
        """A program's path argument, relative ones taken from its working directory."""
        if self.fs.paths.parts(path) is not None:
            return path
        return cwd.rstrip("/\\") + ("\\" if self.windows else "/") + path

    def environment(self, vm, account):
        home = self.fs.home(account)
        if self.windows:
            env = {"COMPUTERNAME": vm.host_name.upper(), "USERNAME": account.username,
                   "USERPROFILE": home, "TEMP": self.fs.temp_directory(account),
                   "TMP": self.fs.temp_directory(account), "SystemRoot": "C:\\Windows",
                   "PATH": "C:\\Windows\\system32;C:\\Windows"}
        else:
            env = {"HOME": home, "USER": account.username, "LOGNAME": account.username,
                   "SHELL": "/bin/bash", "LANG": "en_US.UTF-8", "HOSTNAME": vm.host_name,
                   "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
        env.update({str(k): str(v) for k, v in (self.plan.get("guest_environment") or
                                                {}).items()})
        return env

    def system_processes(self, vm):
        started = vm.boot_time or vm.vc.boot_time
        return [GuestProcess(pid, name, owner, cmd, started) for pid, name, owner, cmd in
                (WINDOWS_PROCESSES if self.windows else LINUX_PROCESSES)]

    def persisted_state(self):
        return {"windows": self.windows, "fs": self.fs.persisted_state(),
                "processes": [p.persisted_state() for p in self.processes.values()],
                "next_pid": self.next_pid, "tickets": dict(self.tickets),
                "cycle": self.cycle, "temp_names": self.temp_names}

    @classmethod
    def restored(cls, state, plan):
        guest = cls.__new__(cls)
        guest.windows, guest.plan = state["windows"], plan or {}
        guest.fs = guest_files.GuestFileSystem.restored(state["fs"])
        guest.processes = {p["pid"]: GuestProcess.restored(p) for p in state["processes"]}
        guest.next_pid, guest.tickets = state["next_pid"], dict(state["tickets"])
        guest.cycle, guest.temp_names = state["cycle"], state["temp_names"]
        return guest


class Transfer:
    """A file transfer URL's promise: upload (``to_guest``) or download of one guest path."""
    __slots__ = ("transfer_id", "vm", "path", "to_guest", "attributes", "size", "overwrite",
                 "username", "expires", "cycle")

    def __init__(self, transfer_id, vm, path, to_guest, attributes, size, overwrite, username,
                 expires):
        self.transfer_id, self.vm, self.path, self.to_guest = transfer_id, vm, path, to_guest
        self.attributes, self.size, self.overwrite = attributes, size, overwrite
        self.username, self.expires, self.cycle = username, expires, vm.power_cycle


class GuestOperationsManager(ManagedObject):
    vim_type = "GuestOperationsManager"
    persisted = ("guests",)
    persisted_touched = True  # every change to a guest touches this manager

    def __init__(self, vc, moid="guestOperationsManager"):
        super().__init__(vc, moid)
        self.managers = {prop: vc.add(model_class(type_name)(vc, manager_moid))
                         for prop, type_name, manager_moid in MANAGERS}
        self.guests = {}  # VM moId -> GuestSystem, made when first used
        self.plans = {}   # VM moId -> its fixture entry's guest_files, guest_programs, ...
        self.transfers = {}  # token -> Transfer (not kept: a restart ends them, as ESXi's)
        self._transfer_ids = 0
        self.program_behaviour = guest_processes.ProgramBehaviour()

    def plan(self, vm, spec):
        """The fixture entry of ``vm``: its first files, programs and environment."""
        entry = {k: spec[k] for k in ("guest_files", "guest_programs", "guest_environment")
                 if spec.get(k)}
        if entry:
            self.plans[vm.moid] = entry

    def guest(self, vm):
        guest = self.guests.get(vm.moid)
        if guest is None:
            guest = self.guests[vm.moid] = GuestSystem(vm, self.plans.get(vm.moid),
                                                       self.vc.clock.now())
        guest.booted(vm)
        return guest

    def changed(self):
        self.vc.touch(self)

    def persisted_state(self):
        return {"guests": {moid: g.persisted_state() for moid, g in self.guests.items()
                           if moid in self.vc.objects}}

    def restore_persisted(self, state):
        self.guests = {moid: GuestSystem.restored(g, self.plans.get(moid))
                       for moid, g in state.get("guests", {}).items()}

    # -- file transfer URLs --------------------------------------------------------------

    def new_transfer(self, vm, path, to_guest, account, attributes=None, size=0,
                     overwrite=False):
        now = self.vc.clock.time()
        for token in [t for t, x in self.transfers.items() if x.expires <= now]:
            del self.transfers[token]
        self._transfer_ids += 1
        while "443" in str(self._transfer_ids):  # Ansible rewrites "443" in the URL
            self._transfer_ids += 1
        # letters only: no "443" either
        token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(32))
        self.transfers[token] = Transfer(self._transfer_ids, vm, path, to_guest, attributes,
                                         size, overwrite, account.username,
                                         now + TRANSFER_SECONDS)
        scheme, port = self.vc.endpoint
        return "%s://*:%d/guestFile?id=%d&token=%s" % (scheme, port, self._transfer_ids, token)

    def take_transfer(self, transfer_id, token, to_guest):
        """The live transfer a URL names, used up; None for one unknown, expired, used, of
        the other direction, or whose VM changed power state since."""
        transfer = self.transfers.get(token)
        if transfer is None or str(transfer.transfer_id) != transfer_id or \
                transfer.to_guest != to_guest:
            return None
        del self.transfers[token]
        vm = transfer.vm
        if transfer.expires <= self.vc.clock.time() or self.vc.objects.get(vm.moid) is not vm \
                or vm.power_cycle != transfer.cycle or vm.power_state != POWERED_ON:
            return None
        return transfer

    def download(self, transfer):
        """The bytes a download URL gives; FileNotFound if the file went since."""
        guest = self.guest(transfer.vm)
        node = guest.fs.find(transfer.path)
        if node is None or node.kind != FILE:
            raise faults.FileNotFound(file=transfer.path)
        node.atime = self.vc.clock.now()
        self.changed()
        return node.data

    def upload(self, transfer, data):
        """An upload URL's body, written to the guest as its account."""
        if len(data) > transfer.size:
            raise faults.FileTooLarge(file=transfer.path, datastore="", fileSize=len(data),
                                      maxFileSize=transfer.size)
        vm = transfer.vm
        guest = self.guest(vm)
        account = vm.guest_accounts.get(transfer.username)
        if account is None:
            raise faults.InvalidGuestLogin()
        guest.fs.write(transfer.path, data, transfer.attributes, transfer.overwrite, account,
                       guest.uid(vm, account), self.vc.clock.now())
        self.changed()

    # -- references ----------------------------------------------------------------------

    @vim_property
    def authManager(self, ctx):
        return self.managers["authManager"].ref

    @vim_property
    def fileManager(self, ctx):
        return self.managers["fileManager"].ref

    @vim_property
    def processManager(self, ctx):
        return self.managers["processManager"].ref

    @vim_property
    def guestWindowsRegistryManager(self, ctx):
        return self.managers["guestWindowsRegistryManager"].ref

    @vim_property
    def aliasManager(self, ctx):
        return self.managers["aliasManager"].ref


class GuestCalls:
    """What every guest operation does first (the managers below share it)."""

    def privilege_target(self, args):
        """NoPermission names the VM, whose privilege is missing, not the manager."""
        return args.get("vm")

    @property
    def operations(self):
        return self.vc.managers["guestOperationsManager"]

    def enter(self, ctx, vm, auth, privilege):
        """(the VM, its GuestSystem, the guest account) once every check passed."""
        vm = self.vc.lookup(vm, ctx)
        authorization.require(self.vc, ctx, vm, privilege)
        if vm.power_state != POWERED_ON:
            raise faults.invalid_power_state(POWERED_ON, vm.power_state)
        if not vm.tools_running:
            raise faults.GuestOperationsUnavailable()
        holder = self.vc.task_manager.lock_holder(vm)
        if holder is not None:
            raise faults.TaskInProgress("Another task is already in progress.", task=holder.ref)
        guest = self.operations.guest(vm)
        return vm, guest, guest.login(vm, auth)


class GuestAuthManager(GuestCalls, ManagedObject):
    vim_type = "GuestAuthManager"

    def ValidateCredentialsInGuest(self, ctx, vm, auth):
        self.enter(ctx, vm, auth, QUERY)

    def AcquireCredentialsInGuest(self, ctx, vm, requestedAuth, sessionID=None):
        if requestedAuth._typeName != "NamePasswordAuthentication":
            # a ticket is acquired with a password; SAML tokens need a challenge vimsim lacks
            if requestedAuth._typeName == "TicketedSessionAuthentication":
                raise faults.InvalidArgument(invalidProperty="requestedAuth")
        vm, guest, account = self.enter(ctx, vm, requestedAuth, QUERY)
        if len(guest.tickets) >= MAX_TICKETS:
            raise faults.TooManyGuestLogons()
        ticket = secrets.token_hex(20)
        guest.tickets[ticket] = account.username
        self.operations.changed()
        return DataObject("TicketedSessionAuthentication", ticket=ticket,
                          interactiveSession=bool(requestedAuth.interactiveSession))

    def ReleaseCredentialsInGuest(self, ctx, vm, auth):
        if auth._typeName != "TicketedSessionAuthentication":
            raise faults.InvalidArgument(invalidProperty="auth")
        vm, guest, account = self.enter(ctx, vm, auth, QUERY)
        del guest.tickets[auth.ticket]
        self.operations.changed()


class GuestProcessManager(GuestCalls, ManagedObject):
    vim_type = "GuestProcessManager"
    scheduled_work = ("_ended",)  # a program's end (snapshot.py keeps it)

    def StartProgramInGuest(self, ctx, vm, auth, spec):
        vm, guest, account = self.enter(ctx, vm, auth, EXECUTE)
        fs, uid = guest.fs, guest.uid(vm, account)
        program = fs.lookup(spec.programPath, "programPath", account, uid)
        if program.kind == DIRECTORY:
            raise faults.NotAFile(file=spec.programPath)
        cwd = spec.workingDirectory or fs.home(account)
        if spec.workingDirectory:
            folder = fs.lookup(cwd, "workingDirectory", account, uid)
            if folder.kind != DIRECTORY:
                raise faults.NotADirectory(file=cwd)
            fs.require(folder, account, uid, 0o1)
        for variable in spec.envVariables or ():
            if "=" not in variable or variable.startswith("="):
                raise faults.InvalidArgument(invalidProperty="envVariables")
        command = guest_processes.Command(spec.programPath, spec.arguments, guest.windows)
        try:
            outcome = self.operations.program_behaviour.program(vm, spec, command, account,
                                                                guest)
        except Exception:  # a broken program behaviour hook fails the program, not the call
            fault = faults.internal_error(log, "in the program behaviour of " + vm.moid)
            outcome = guest_processes.ProgramOutcome(
                1, stderr="internal error %s\n" % fault.error_id)
        now = self.vc.clock.now()
        pid = guest.next_pid
        guest.next_pid += 1
        process = guest.processes[pid] = GuestProcess(
            pid, command.name, account.username,
            '"%s" %s' % (spec.programPath, spec.arguments or ""), now)
        exit_code = self._open_outputs(vm, guest, account, process, command, cwd, outcome)
        self._plan_end(vm, process, exit_code if exit_code is not None else outcome.exit_code,
                       outcome.seconds, outcome.hang)
        self.operations.changed()
        return pid

    def _open_outputs(self, vm, guest, account, process, command, cwd, outcome):
        """Truncate (or create) the files the command's output goes to, as its shell opens
        them; the outputs it writes when it ends. An exit code when the shell cannot open
        one (the program does not run), else None."""
        fs, uid, now = guest.fs, guest.uid(vm, account), self.vc.clock.now()
        for stream, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
            for path, append in command.redirected(stream):
                path = guest.absolute(path, cwd)
                try:
                    node = fs.find(path)
                    if node is None or not append:
                        fs.write(path, b"", None, True, account, uid, now)
                except faults.Fault:
                    return 1
                process.redirects.append([stream, path])
                process.outputs.append([path, text])
        return None

    def _plan_end(self, vm, process, exit_code, seconds, hang):
        process.run += 1
        process.end_time = process.exit_code = None
        if hang:
            return
        if seconds <= 0:
            self._end(vm, process, exit_code)
        else:
            self.vc.clock.call_later(seconds, self._ended, vm, process.pid, process.run,
                                     exit_code)

    def _ended(self, vm, pid, run, exit_code):
        if self.vc.objects.get(vm.moid) is not vm:
            return
        guest = self.operations.guest(vm)
        process = guest.processes.get(pid)
        if process is not None and process.run == run and process.end_time is None:
            self._end(vm, process, exit_code)
            self.operations.changed()

    def _end(self, vm, process, exit_code):
        guest = self.operations.guest(vm)
        account = vm.guest_accounts.get(process.owner)
        now = self.vc.clock.now()
        process.end_time, process.exit_code = now, exit_code
        if account is not None:
            uid = guest.uid(vm, account)
            for path, text in process.outputs:
                data = text.encode("utf-8")
                node = guest.fs.find(path)
                old = node.data if node is not None and node.kind == FILE else b""
                try:
                    guest.fs.write(path, old + data, None, True, account, uid, now)
                except faults.Fault:
                    pass  # the file went, or its folder: the output is lost, as in a guest
        process.outputs = []

    def apply_guest_rule(self, vm, rule, pid):
        """A fault rule's ``guest_fail`` (exit 1, its message on stderr, after its seconds)
        or ``guest_hang`` (runs until terminated) for the program this call started."""
        guest = self.operations.guest(vm) if vm is not None else None
        process = guest.processes.get(pid) if guest is not None else None
        if process is None:
            return
        # the program's own output is not written: a failing one says the rule's message
        account = vm.guest_accounts.get(process.owner)
        for stream, path in process.redirects:
            if stream == "stdout" and account is not None and process.end_time is not None:
                try:
                    guest.fs.write(path, b"", None, True, account, guest.uid(vm, account),
                                   self.vc.clock.now())
                except faults.Fault:
                    pass
        process.outputs = [[path, rule.message + "\n"] for stream, path in process.redirects
                           if stream == "stderr" and rule.action == "guest_fail" and
                           rule.message]
        self._plan_end(vm, process, 1, rule.seconds, rule.action == "guest_hang")
        self.operations.changed()

    def ListProcessesInGuest(self, ctx, vm, auth, pids=None):
        vm, guest, account = self.enter(ctx, vm, auth, QUERY)
        now = self.vc.clock.now()
        keep = timedelta(seconds=KEEP_ENDED_SECONDS)
        gone = [p.pid for p in guest.processes.values()
                if p.end_time is not None and now - p.end_time > keep]
        for pid in gone:
            del guest.processes[pid]
        if gone:
            self.operations.changed()
        listed = guest.system_processes(vm) + list(guest.processes.values())
        wanted = set(pids) if pids else None
        return [p.info() for p in listed if wanted is None or p.pid in wanted]

    def TerminateProcessInGuest(self, ctx, vm, auth, pid):
        vm, guest, account = self.enter(ctx, vm, auth, EXECUTE)
        process = guest.processes.get(pid)
        if any(pid == system[0] for system in
               (WINDOWS_PROCESSES if guest.windows else LINUX_PROCESSES)):
            raise faults.GuestPermissionDenied()
        if process is None or process.end_time is not None:
            raise faults.GuestProcessNotFound(pid=pid)
        if not account.privileged and process.owner != account.username:
            raise faults.GuestPermissionDenied()
        process.run += 1
        self._end(vm, process, 1 if guest.windows else guest_processes.TERMINATED_EXIT_CODE)
        self.operations.changed()

    def ReadEnvironmentVariableInGuest(self, ctx, vm, auth, names=None):
        vm, guest, account = self.enter(ctx, vm, auth, QUERY)
        env = guest.environment(vm, account)
        if guest.windows:  # Windows' variable names ignore case
            lower = {k.lower(): k for k in env}
            chosen = [lower[n.lower()] for n in names or () if n.lower() in lower]
        else:
            chosen = [n for n in names or () if n in env]
        return ["%s=%s" % (k, env[k]) for k in (chosen if names else env)]


class GuestFileManager(GuestCalls, ManagedObject):
    vim_type = "GuestFileManager"

    def _modify(self, ctx, vm, auth):
        vm, guest, account = self.enter(ctx, vm, auth, MODIFY)
        return vm, guest, account, guest.uid(vm, account)

    def MakeDirectoryInGuest(self, ctx, vm, auth, directoryPath, createParentDirectories):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        guest.fs.make_directory(directoryPath, createParentDirectories, account, uid,
                                self.vc.clock.now())
        self.operations.changed()

    def DeleteFileInGuest(self, ctx, vm, auth, filePath):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        guest.fs.delete_file(filePath, account, uid)
        self.operations.changed()

    def DeleteDirectoryInGuest(self, ctx, vm, auth, directoryPath, recursive):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        guest.fs.delete_directory(directoryPath, recursive, account, uid)
        self.operations.changed()

    def MoveDirectoryInGuest(self, ctx, vm, auth, srcDirectoryPath, dstDirectoryPath):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        guest.fs.move(srcDirectoryPath, dstDirectoryPath, True, False, account, uid,
                      self.vc.clock.now())
        self.operations.changed()

    def MoveFileInGuest(self, ctx, vm, auth, srcFilePath, dstFilePath, overwrite):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        guest.fs.move(srcFilePath, dstFilePath, False, overwrite, account, uid,
                      self.vc.clock.now())
        self.operations.changed()

    def _temporary(self, ctx, vm, auth, prefix, suffix, directoryPath, kind):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        fs = guest.fs
        where = directoryPath or fs.temp_directory(account)
        parent = fs.lookup(where, "directoryPath", account, uid)
        if parent.kind != DIRECTORY:
            raise faults.NotADirectory(file=where)
        for name in (prefix or "", suffix or ""):
            if re.search(r"[\\/]", name):
                raise faults.InvalidArgument(invalidProperty="prefix" if name == prefix
                                             else "suffix")
        while True:  # mkstemp's six characters, reproducible for a VM
            guest.temp_names += 1
            digest = hashlib.sha256(("%s/%d" % (vm.moid, guest.temp_names)).encode()).digest()
            middle = "".join(string.ascii_letters[b % 52] for b in digest[:6])
            name = "%s%s%s" % (prefix or "", middle, suffix or "")
            if fs.paths.key(name) not in parent.children:
                break
        fs.create(parent, name, kind, account, uid, self.vc.clock.now())
        self.operations.changed()
        return fs.path_of(where, name)

    def CreateTemporaryFileInGuest(self, ctx, vm, auth, prefix, suffix, directoryPath=None):
        return self._temporary(ctx, vm, auth, prefix, suffix, directoryPath, FILE)

    def CreateTemporaryDirectoryInGuest(self, ctx, vm, auth, prefix, suffix,
                                        directoryPath=None):
        return self._temporary(ctx, vm, auth, prefix, suffix, directoryPath, DIRECTORY)

    def ListFilesInGuest(self, ctx, vm, auth, filePath, index=None, maxResults=None,
                         matchPattern=None):
        vm, guest, account = self.enter(ctx, vm, auth, QUERY)
        fs, uid = guest.fs, guest.uid(vm, account)
        if (index is not None and index < 0) or (maxResults is not None and maxResults < 0):
            raise faults.InvalidArgument(invalidProperty="index" if index is not None and
                                         index < 0 else "maxResults")
        try:
            pattern = re.compile(matchPattern) if matchPattern else None
        except re.error:
            raise faults.InvalidArgument(invalidProperty="matchPattern")
        node = fs.lookup(filePath, "filePath", account, uid)
        if node.kind == DIRECTORY:
            fs.require(node, account, uid, 0o4)
            entries = sorted(node.children.values(), key=lambda n: n.name)
        else:
            entries = [node]
        if pattern is not None:
            entries = [n for n in entries if pattern.search(n.name)]
        start = index or 0
        page = entries[start:start + (maxResults or DEFAULT_MAX_RESULTS)]
        return DataObject("GuestListFileInfo", files=[
            DataObject("GuestFileInfo", path=n.name, type=n.kind, size=n.size,
                       attributes=fs.attributes(n)) for n in page],
            remaining=max(0, len(entries) - start - len(page)))

    def ChangeFileAttributesInGuest(self, ctx, vm, auth, guestFilePath, fileAttributes):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        node = guest.fs.lookup(guestFilePath, "guestFilePath", account, uid)
        guest.fs.set_attributes(node, fileAttributes, account, uid)
        self.operations.changed()

    def InitiateFileTransferFromGuest(self, ctx, vm, auth, guestFilePath):
        vm, guest, account = self.enter(ctx, vm, auth, QUERY)
        fs, uid = guest.fs, guest.uid(vm, account)
        node = fs.lookup(guestFilePath, "guestFilePath", account, uid)
        if node.kind != FILE:
            raise faults.NotAFile(file=guestFilePath)
        fs.require(node, account, uid, 0o4)
        return DataObject("FileTransferInformation", attributes=fs.attributes(node),
                          size=node.size, url=self.operations.new_transfer(
                              vm, guestFilePath, False, account))

    def InitiateFileTransferToGuest(self, ctx, vm, auth, guestFilePath, fileAttributes,
                                    fileSize, overwrite):
        vm, guest, account, uid = self._modify(ctx, vm, auth)
        fs = guest.fs
        if fileSize < 0:
            raise faults.InvalidArgument(invalidProperty="fileSize")
        if fileSize > MAX_TRANSFER_BYTES:
            raise faults.FileTooLarge(file=guestFilePath, datastore="", fileSize=fileSize,
                                      maxFileSize=MAX_TRANSFER_BYTES)
        parent, name = fs.parent_of(guestFilePath, "guestFilePath", account, uid)
        old = parent.children.get(fs.paths.key(name))
        if old is not None and old.kind == DIRECTORY:
            raise faults.NotAFile(file=guestFilePath)
        if old is not None and not overwrite:
            raise faults.FileAlreadyExists(file=guestFilePath)
        fs.require(old if old is not None else parent, account, uid, 0o2)
        fs.require_space(guestFilePath, fileSize - (old.size if old is not None else 0))
        if fileAttributes is not None and fileAttributes._typeName != "GuestFileAttributes":
            posix = fileAttributes._typeName == "GuestPosixFileAttributes"
            if posix == guest.windows:
                raise faults.InvalidArgument(invalidProperty="fileAttributes")
        return self.operations.new_transfer(vm, guestFilePath, True, account, fileAttributes,
                                            fileSize, overwrite)
