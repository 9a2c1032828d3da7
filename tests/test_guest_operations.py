"""GuestOperationsManager through pyVmomi: guest credentials, programs and files in the guest,
and the file transfer URLs (driven with requests), with the faults vCenter answers."""
import signal
from datetime import timedelta

import pytest
import requests
from pyVim.connect import Disconnect
from pyVmomi import vim, vmodl

from conftest import customize, find_vm
from test_durability import Served, wait_for
from vimsim.model import fixture as fixtures
from vimsim.model import guest_files, guest_operations
from vimsim.model.guest_processes import ProgramBehaviour, ProgramOutcome

G = vim.vm.guest
ROOT = G.NamePasswordAuthentication(username="root", password="vmware")
GUEST = G.NamePasswordAuthentication(username="guest", password="guest")
WRONG = G.NamePasswordAuthentication(username="root", password="nope")
Spec = G.ProcessManager.ProgramSpec
Posix = G.FileManager.PosixFileAttributes


@pytest.fixture
def ops(si):
    return si.content.guestOperationsManager


@pytest.fixture
def vm(si):
    return find_vm(si, "DC0_H0_VM0")


def files(ops, vm, path, auth=ROOT, **kw):
    return [f.path for f in ops.fileManager.ListFilesInGuest(vm=vm, auth=auth, filePath=path,
                                                             **kw).files]


def upload(ops, vm, path, data, auth=ROOT, overwrite=False, size=None):
    url = ops.fileManager.InitiateFileTransferToGuest(
        vm=vm, auth=auth, guestFilePath=path, fileAttributes=G.FileManager.FileAttributes(),
        fileSize=len(data) if size is None else size, overwrite=overwrite)
    return requests.put(url.replace("*", "127.0.0.1"), data=data, timeout=10)


def download(ops, vm, path, auth=ROOT):
    info = ops.fileManager.InitiateFileTransferFromGuest(vm=vm, auth=auth, guestFilePath=path)
    return requests.get(info.url.replace("*", "127.0.0.1"), timeout=10)


def start(ops, vm, path="/bin/bash", arguments="", auth=ROOT, **kw):
    return ops.processManager.StartProgramInGuest(
        vm=vm, auth=auth, spec=Spec(programPath=path, arguments=arguments, **kw))


def process(ops, vm, pid, auth=ROOT):
    found = ops.processManager.ListProcessesInGuest(vm=vm, auth=auth, pids=[pid])
    return found[0] if found else None


# -- the managers and their common checks -------------------------------------------------

def test_service_content_names_the_managers(ops):
    assert ops._moId == "guestOperationsManager"
    assert ops.authManager._moId == "guestOperationsAuthManager"
    assert ops.fileManager._moId == "guestOperationsFileManager"
    assert ops.processManager._moId == "guestOperationsProcessManager"
    assert isinstance(ops.processManager, vim.vm.guest.ProcessManager)


def test_validate_credentials(ops, vm):
    ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=ROOT)
    ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=GUEST)
    for auth in (WRONG, G.NamePasswordAuthentication(username="nobody", password="x")):
        with pytest.raises(vim.fault.InvalidGuestLogin) as exc:
            ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=auth)
        assert "Failed to authenticate" in exc.value.msg


@pytest.mark.parametrize("call", [
    lambda ops, vm: ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=ROOT),
    lambda ops, vm: start(ops, vm),
    lambda ops, vm: ops.processManager.ListProcessesInGuest(vm=vm, auth=ROOT),
    lambda ops, vm: ops.fileManager.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/tmp"),
    lambda ops, vm: ops.fileManager.MakeDirectoryInGuest(
        vm=vm, auth=ROOT, directoryPath="/tmp/x", createParentDirectories=False),
])
def test_every_call_needs_a_running_guest_with_tools(si, ops, emulator, call):
    off = find_vm(si, "DC0_H0_VM1")
    run_task(off.PowerOffVM_Task(), emulator)
    with pytest.raises(vim.fault.InvalidPowerState) as exc:
        call(ops, off)
    assert exc.value.requestedState == "poweredOn" and exc.value.existingState == "poweredOff"
    with pytest.raises(vim.fault.GuestOperationsUnavailable) as exc:
        call(ops, find_vm(si, "DC0_C0_RP0_NoTools"))
    assert exc.value.msg == "The guest operations agent could not be contacted."


def run_task(task, emulator):
    """A power task run to its end on the virtual clock."""
    emulator.advance(5)
    assert task.info.state == "success"


@pytest.mark.parametrize("method,privilege", [
    ("ValidateCredentialsInGuest", guest_operations.QUERY),
    ("StartProgramInGuest", guest_operations.EXECUTE),
    ("MakeDirectoryInGuest", guest_operations.MODIFY),
])
def test_guest_operations_privileges(emulator, method, privilege):
    si = emulator.connect("readonly", "readonly")
    try:
        vm = find_vm(si, "DC0_H0_VM0")
        ops = si.content.guestOperationsManager
        calls = {"ValidateCredentialsInGuest": lambda: ops.authManager.ValidateCredentialsInGuest(
                     vm=vm, auth=ROOT),
                 "StartProgramInGuest": lambda: start(ops, vm),
                 "MakeDirectoryInGuest": lambda: ops.fileManager.MakeDirectoryInGuest(
                     vm=vm, auth=ROOT, directoryPath="/tmp/x", createParentDirectories=False)}
        with pytest.raises(vim.fault.NoPermission) as exc:
            calls[method]()
        assert exc.value.privilegeId == privilege and exc.value.object == vm
    finally:
        Disconnect(si)


def test_a_vm_busy_with_a_task_is_task_in_progress(si, ops, vm, emulator):
    task = customize(si, vm)
    with pytest.raises(vim.fault.TaskInProgress) as exc:
        ops.fileManager.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/")
    assert exc.value.task == task


# -- credentials --------------------------------------------------------------------------

def test_acquired_ticket_works_until_released(ops, vm):
    ticket = ops.authManager.AcquireCredentialsInGuest(vm=vm, requestedAuth=GUEST)
    assert isinstance(ticket, G.TicketedSessionAuthentication) and ticket.ticket
    assert ticket.interactiveSession is False
    ops.fileManager.MakeDirectoryInGuest(vm=vm, auth=ticket, directoryPath="/tmp/t",
                                         createParentDirectories=False)
    [info] = ops.fileManager.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/tmp",
                                              matchPattern="^t$").files
    assert info.attributes.ownerId == 1001  # the guest account's uid
    ops.authManager.ReleaseCredentialsInGuest(vm=vm, auth=ticket)
    with pytest.raises(vim.fault.InvalidGuestLogin):
        ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=ticket)
    with pytest.raises(vim.fault.InvalidGuestLogin):
        ops.authManager.ReleaseCredentialsInGuest(vm=vm, auth=ticket)
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        ops.authManager.ReleaseCredentialsInGuest(vm=vm, auth=ROOT)
    assert exc.value.invalidProperty == "auth"
    with pytest.raises(vim.fault.InvalidGuestLogin):
        ops.authManager.AcquireCredentialsInGuest(vm=vm, requestedAuth=WRONG)


def test_tickets_are_limited_and_end_with_the_power_cycle(ops, vm, emulator):
    tickets = [ops.authManager.AcquireCredentialsInGuest(vm=vm, requestedAuth=ROOT)
               for _ in range(guest_operations.MAX_TICKETS)]
    with pytest.raises(vim.fault.TooManyGuestLogons):
        ops.authManager.AcquireCredentialsInGuest(vm=vm, requestedAuth=ROOT)
    run_task(vm.ResetVM_Task(), emulator)
    with pytest.raises(vim.fault.InvalidGuestLogin):
        ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=tickets[0])


def test_interactive_sessions_are_unavailable(ops, vm):
    auth = G.NamePasswordAuthentication(username="root", password="vmware",
                                        interactiveSession=True)
    with pytest.raises(vim.fault.GuestOperationsUnavailable):
        ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=auth)


# -- programs -----------------------------------------------------------------------------

def test_a_program_exits_zero_at_once_by_default(ops, vm, emulator):
    now = emulator.call(emulator.vc.clock.now)
    pid = start(ops, vm, "/usr/bin/systemctl", "restart sshd")
    info = process(ops, vm, pid)
    assert info.pid == pid and info.name == "systemctl" and info.owner == "root"
    assert info.cmdLine == '"/usr/bin/systemctl" restart sshd'
    assert info.exitCode == 0 and info.startTime == info.endTime == now
    listed = ops.processManager.ListProcessesInGuest(vm=vm, auth=ROOT)
    assert [p.pid for p in listed][:1] == [1] and pid in [p.pid for p in listed]
    assert start(ops, vm, "/bin/true") == pid + 1


def test_a_program_runs_on_the_clock_and_writes_its_redirected_output(ops, vm, emulator):
    pid = start(ops, vm, "/bin/bash", "-c 'sleep 5; echo done' > /tmp/out.txt 2> /tmp/err.txt")
    info = process(ops, vm, pid)
    assert info.endTime is None and info.exitCode is None
    assert download(ops, vm, "/tmp/out.txt").content == b""  # the shell opened it
    emulator.advance(5)
    info = process(ops, vm, pid)
    assert info.exitCode == 0 and info.endTime - info.startTime == timedelta(seconds=5)
    assert download(ops, vm, "/tmp/out.txt").content == b"done\n"
    start(ops, vm, "/bin/echo", "hello guest > /tmp/out.txt")
    pid = start(ops, vm, "/bin/echo", "again >>/tmp/out.txt")
    assert download(ops, vm, "/tmp/out.txt").content == b"hello guest\nagain\n"
    start(ops, vm, "/bin/bash", "-c 'cat /tmp/out.txt /nope' 1> /tmp/cat 2> /tmp/cat.err")
    assert download(ops, vm, "/tmp/cat").content == b"hello guest\nagain\n"
    assert b"No such file" in download(ops, vm, "/tmp/cat.err").content
    assert process(ops, vm, pid).exitCode == 0


def test_relative_redirections_land_in_the_working_directory(ops, vm):
    start(ops, vm, "/bin/hostname", "> name.txt", workingDirectory="/tmp")
    assert download(ops, vm, "/tmp/name.txt").content == b"dc0-h0-vm0\n"
    start(ops, vm, "/usr/bin/whoami", "> me", auth=GUEST)
    assert download(ops, vm, "/home/guest/me").content == b"guest\n"


def test_shell_exit_codes(ops, vm):
    assert process(ops, vm, start(ops, vm, "/bin/sh", "-c 'exit 3'")).exitCode == 3
    assert process(ops, vm, start(ops, vm, "/bin/false")).exitCode == 1
    pid = start(ops, vm, "/bin/bash", "-c 'false && echo no || echo yes' > /tmp/o")
    assert process(ops, vm, pid).exitCode == 0
    assert download(ops, vm, "/tmp/o").content == b"yes\n"


def test_ended_programs_are_listed_for_five_minutes(ops, vm, emulator):
    pid = start(ops, vm)
    emulator.advance(guest_operations.KEEP_ENDED_SECONDS)
    assert process(ops, vm, pid).exitCode == 0
    emulator.advance(1)
    assert process(ops, vm, pid) is None


def test_programs_from_the_fixture(make_emulator):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][0].update(
        guest_programs=[{"path": "/usr/bin/python3", "arguments": "deploy",
                         "exit_code": 2, "seconds": 30, "stdout": "deploying\n"},
                        {"path": "curl", "stderr": "no network\n", "exit_code": 7}],
        guest_files={"/etc/app.conf": "port=80\n"},
        guest_environment={"APP_ENV": "test"})
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    try:
        ops, vm = si.content.guestOperationsManager, find_vm(si, "DC0_H0_VM0")
        pid = start(ops, vm, "/usr/bin/python3", "deploy.py > /tmp/log")
        assert process(ops, vm, pid).endTime is None
        emulator.advance(30)
        assert process(ops, vm, pid).exitCode == 2
        assert download(ops, vm, "/tmp/log").content == b"deploying\n"
        assert process(ops, vm, start(ops, vm, "/usr/bin/python3", "other")).exitCode == 0
        pid = start(ops, vm, "/usr/bin/curl", "http://x 2>/tmp/e")
        assert process(ops, vm, pid).exitCode == 7
        assert download(ops, vm, "/tmp/e").content == b"no network\n"
        assert download(ops, vm, "/etc/app.conf").content == b"port=80\n"
        assert ops.processManager.ReadEnvironmentVariableInGuest(
            vm=vm, auth=ROOT, names=["APP_ENV"]) == ["APP_ENV=test"]
    finally:
        Disconnect(si)


class Deployer(ProgramBehaviour):
    def program(self, vm, spec, command, account, guest):
        if "deploy" in command.argv():
            return ProgramOutcome(exit_code=4, seconds=2, stdout="from the hook\n")
        return super().program(vm, spec, command, account, guest)


def test_a_python_hook_decides_what_programs_do(ops, vm, emulator):
    from vimsim.simulator import Simulator
    sim = Simulator.__new__(Simulator)
    sim.server = emulator.server
    sim.set_program_behaviour(Deployer())
    pid = start(ops, vm, "/bin/sh", "-c 'deploy' > /tmp/d")
    emulator.advance(2)
    assert process(ops, vm, pid).exitCode == 4
    assert download(ops, vm, "/tmp/d").content == b"from the hook\n"
    assert process(ops, vm, start(ops, vm, "/bin/true")).exitCode == 0


def test_fault_rules_fail_or_hang_a_program(ops, vm, emulator):
    emulator.call(emulator.vc.rules.add, operation="StartProgramInGuest", action="guest_fail",
                  message="disk full", seconds=3, nth=1)
    pid = start(ops, vm, "/bin/echo", "hi > /tmp/o 2> /tmp/e")
    assert process(ops, vm, pid).endTime is None
    emulator.advance(3)
    assert process(ops, vm, pid).exitCode == 1
    assert download(ops, vm, "/tmp/e").content == b"disk full\n"
    emulator.call(emulator.vc.rules.add, operation="StartProgramInGuest", action="guest_hang")
    pid = start(ops, vm, "/bin/true")
    emulator.advance(600)
    assert process(ops, vm, pid).endTime is None
    ops.processManager.TerminateProcessInGuest(vm=vm, auth=ROOT, pid=pid)
    assert process(ops, vm, pid).exitCode == 143
    with pytest.raises(vim.fault.GuestProcessNotFound) as exc:
        ops.processManager.TerminateProcessInGuest(vm=vm, auth=ROOT, pid=pid)
    assert exc.value.pid == pid
    emulator.call(emulator.vc.rules.add, operation="StartProgramInGuest", fault="FileNotFound",
                  fields={"file": "/bin/true"})
    with pytest.raises(vim.fault.FileNotFound) as exc:
        start(ops, vm, "/bin/true")
    assert exc.value.file == "/bin/true"


def test_terminate_needs_the_owner_or_a_privileged_account(ops, vm):
    pid = start(ops, vm, "/bin/sleep", "60")
    with pytest.raises(vim.fault.GuestPermissionDenied):
        ops.processManager.TerminateProcessInGuest(vm=vm, auth=GUEST, pid=pid)
    with pytest.raises(vim.fault.GuestPermissionDenied):
        ops.processManager.TerminateProcessInGuest(vm=vm, auth=ROOT, pid=1)
    with pytest.raises(vim.fault.GuestProcessNotFound):
        ops.processManager.TerminateProcessInGuest(vm=vm, auth=ROOT, pid=99999)
    mine = start(ops, vm, "/bin/sleep", "60", auth=GUEST)
    ops.processManager.TerminateProcessInGuest(vm=vm, auth=GUEST, pid=mine)
    assert process(ops, vm, mine).exitCode == 143


def test_a_power_cycle_ends_the_programs(ops, vm, emulator):
    pid = start(ops, vm, "/bin/sleep", "600")
    run_task(vm.ResetVM_Task(), emulator)
    assert process(ops, vm, pid) is None


def test_start_program_faults(ops, vm):
    with pytest.raises(vim.fault.FileNotFound) as exc:
        start(ops, vm, "/usr/bin/nothere")
    assert exc.value.file == "/usr/bin/nothere"
    with pytest.raises(vim.fault.NotAFile):
        start(ops, vm, "/tmp")
    with pytest.raises(vim.fault.FileNotFound):
        start(ops, vm, workingDirectory="/nowhere")
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        start(ops, vm, "bash")
    assert exc.value.invalidProperty == "programPath"
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        start(ops, vm, envVariables=["NOEQUALS"])
    assert exc.value.invalidProperty == "envVariables"
    with pytest.raises(vim.fault.GuestPermissionDenied):
        start(ops, vm, auth=GUEST, workingDirectory="/root")


def test_read_environment_variables(ops, vm):
    pm = ops.processManager
    assert pm.ReadEnvironmentVariableInGuest(vm=vm, auth=ROOT, names=["HOME", "NOPE"]) == \
        ["HOME=/root"]
    everything = pm.ReadEnvironmentVariableInGuest(vm=vm, auth=GUEST)
    assert "USER=guest" in everything and "HOME=/home/guest" in everything


# -- files --------------------------------------------------------------------------------

def test_make_list_and_delete_directories(ops, vm):
    fm = ops.fileManager
    fm.MakeDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/a/b/c",
                            createParentDirectories=True)
    assert files(ops, vm, "/tmp/a/b") == ["c"]
    with pytest.raises(vim.fault.FileAlreadyExists) as exc:
        fm.MakeDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/a",
                                createParentDirectories=False)
    assert exc.value.file == "/tmp/a"
    with pytest.raises(vim.fault.FileNotFound):
        fm.MakeDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/x/y",
                                createParentDirectories=False)
    with pytest.raises(vim.fault.GuestPermissionDenied):
        fm.MakeDirectoryInGuest(vm=vm, auth=GUEST, directoryPath="/etc/x",
                                createParentDirectories=False)
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        fm.MakeDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="relative",
                                createParentDirectories=False)
    assert exc.value.invalidProperty == "directoryPath"
    with pytest.raises(vim.fault.DirectoryNotEmpty):
        fm.DeleteDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/a", recursive=False)
    upload(ops, vm, "/tmp/a/file", b"x")
    with pytest.raises(vim.fault.NotADirectory):
        fm.DeleteDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/a/file",
                                  recursive=False)
    fm.DeleteDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/a", recursive=True)
    assert "a" not in files(ops, vm, "/tmp")
    with pytest.raises(vim.fault.FileNotFound):
        fm.DeleteDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/a", recursive=True)


def test_list_files_pages_and_filters(ops, vm):
    for i in range(5):
        upload(ops, vm, "/tmp/f%d.log" % i, b"12345"[:i])
    upload(ops, vm, "/tmp/keep.txt", b"")
    fm = ops.fileManager
    page = fm.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/tmp", matchPattern=r"\.log$",
                               index=1, maxResults=2)
    assert [(f.path, f.type, f.size) for f in page.files] == [("f1.log", "file", 1),
                                                              ("f2.log", "file", 2)]
    assert page.remaining == 2
    attributes = page.files[0].attributes
    assert isinstance(attributes, Posix) and attributes.permissions == 0o644
    assert attributes.modificationTime is not None
    assert files(ops, vm, "/tmp/f3.log") == ["f3.log"]
    for _ in range(60):
        fm.CreateTemporaryFileInGuest(vm=vm, auth=ROOT, prefix="t", suffix="")
    page = fm.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/tmp")
    assert len(page.files) == 50 and page.remaining == 16
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        fm.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/tmp", matchPattern="(")
    assert exc.value.invalidProperty == "matchPattern"
    with pytest.raises(vim.fault.FileNotFound):
        fm.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/nothing")
    with pytest.raises(vim.fault.GuestPermissionDenied):
        fm.ListFilesInGuest(vm=vm, auth=GUEST, filePath="/root")


def test_delete_and_move_files(ops, vm):
    fm = ops.fileManager
    upload(ops, vm, "/tmp/one", b"1")
    upload(ops, vm, "/tmp/two", b"2")
    with pytest.raises(vim.fault.FileAlreadyExists):
        fm.MoveFileInGuest(vm=vm, auth=ROOT, srcFilePath="/tmp/one", dstFilePath="/tmp/two",
                           overwrite=False)
    fm.MoveFileInGuest(vm=vm, auth=ROOT, srcFilePath="/tmp/one", dstFilePath="/tmp/two",
                       overwrite=True)
    assert download(ops, vm, "/tmp/two").content == b"1"
    with pytest.raises(vim.fault.FileNotFound):
        fm.MoveFileInGuest(vm=vm, auth=ROOT, srcFilePath="/tmp/one", dstFilePath="/tmp/3",
                           overwrite=False)
    with pytest.raises(vim.fault.NotAFile):
        fm.MoveFileInGuest(vm=vm, auth=ROOT, srcFilePath="/tmp", dstFilePath="/tmp2",
                           overwrite=False)
    with pytest.raises(vim.fault.NotAFile):
        fm.DeleteFileInGuest(vm=vm, auth=ROOT, filePath="/tmp")
    with pytest.raises(vim.fault.GuestPermissionDenied):
        fm.DeleteFileInGuest(vm=vm, auth=GUEST, filePath="/bin/bash")
    fm.DeleteFileInGuest(vm=vm, auth=ROOT, filePath="/tmp/two")
    with pytest.raises(vim.fault.FileNotFound):
        fm.DeleteFileInGuest(vm=vm, auth=ROOT, filePath="/tmp/two")


def test_move_directories(ops, vm):
    fm = ops.fileManager
    fm.MakeDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/tmp/d/e",
                            createParentDirectories=True)
    fm.MoveDirectoryInGuest(vm=vm, auth=ROOT, srcDirectoryPath="/tmp/d",
                            dstDirectoryPath="/var/tmp/moved")
    assert files(ops, vm, "/var/tmp/moved") == ["e"]
    for fault, src, dst in ((vmodl.fault.InvalidArgument, "/var/tmp/moved",
                             "/var/tmp/moved/e/inside"),
                            (vim.fault.FileAlreadyExists, "/var/tmp/moved", "/tmp"),
                            (vim.fault.NotADirectory, "/bin/bash", "/tmp/bash"),
                            (vim.fault.FileNotFound, "/nope", "/tmp/x")):
        with pytest.raises(fault):
            fm.MoveDirectoryInGuest(vm=vm, auth=ROOT, srcDirectoryPath=src,
                                    dstDirectoryPath=dst)
    assert files(ops, vm, "/var/tmp/moved") == ["e"]


def test_temporary_files_and_directories(ops, vm):
    fm = ops.fileManager
    path = fm.CreateTemporaryFileInGuest(vm=vm, auth=ROOT, prefix="vmware", suffix=".tmp")
    assert path.startswith("/tmp/vmware") and path.endswith(".tmp") and len(path) == 21
    folder = fm.CreateTemporaryDirectoryInGuest(vm=vm, auth=GUEST, prefix="d", suffix="",
                                                directoryPath="/home/guest")
    assert folder.startswith("/home/guest/d")
    [entry] = fm.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/home/guest",
                                  matchPattern="^" + folder.rsplit("/", 1)[1]).files
    assert entry.type == "directory" and entry.attributes.ownerId == 1001
    with pytest.raises(vim.fault.FileNotFound):
        fm.CreateTemporaryFileInGuest(vm=vm, auth=ROOT, prefix="a", suffix="",
                                      directoryPath="/nowhere")
    with pytest.raises(vim.fault.GuestPermissionDenied):
        fm.CreateTemporaryFileInGuest(vm=vm, auth=GUEST, prefix="a", suffix="",
                                      directoryPath="/etc")


def test_change_file_attributes(ops, vm):
    fm = ops.fileManager
    upload(ops, vm, "/tmp/script.sh", b"#!/bin/sh\n")
    fm.ChangeFileAttributesInGuest(vm=vm, auth=ROOT, guestFilePath="/tmp/script.sh",
                                   fileAttributes=Posix(permissions=0o755, ownerId=1001))
    [info] = fm.ListFilesInGuest(vm=vm, auth=ROOT, filePath="/tmp/script.sh").files
    assert info.attributes.permissions == 0o755 and info.attributes.ownerId == 1001
    with pytest.raises(vim.fault.GuestPermissionDenied):
        fm.ChangeFileAttributesInGuest(vm=vm, auth=GUEST, guestFilePath="/tmp/script.sh",
                                       fileAttributes=Posix(ownerId=0))
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        fm.ChangeFileAttributesInGuest(
            vm=vm, auth=ROOT, guestFilePath="/tmp/script.sh",
            fileAttributes=G.FileManager.WindowsFileAttributes(hidden=True))
    assert exc.value.invalidProperty == "fileAttributes"
    with pytest.raises(vim.fault.FileNotFound):
        fm.ChangeFileAttributesInGuest(vm=vm, auth=ROOT, guestFilePath="/tmp/none",
                                       fileAttributes=Posix(permissions=0o600))


# -- file transfers -----------------------------------------------------------------------

def test_transfer_urls_are_esxis_and_work_once(ops, vm, emulator):
    url = ops.fileManager.InitiateFileTransferToGuest(
        vm=vm, auth=ROOT, guestFilePath="/tmp/up.bin", fileAttributes=Posix(permissions=0o600),
        fileSize=3, overwrite=False)
    assert url.startswith("http://*:%d/guestFile?id=" % emulator.port) and "&token=" in url
    target = url.replace("*", "127.0.0.1")
    assert requests.get(target, timeout=10).status_code == 404  # an upload URL
    assert requests.put(target, data=b"abc", timeout=10).status_code == 200
    assert requests.put(target, data=b"abc", timeout=10).status_code == 404
    info = ops.fileManager.InitiateFileTransferFromGuest(vm=vm, auth=ROOT,
                                                         guestFilePath="/tmp/up.bin")
    assert info.size == 3 and info.attributes.permissions == 0o600
    target = info.url.replace("*", "127.0.0.1")
    assert requests.put(target, data=b"x", timeout=10).status_code == 404
    r = requests.get(target, timeout=10)
    assert r.status_code == 200 and r.content == b"abc"
    assert requests.get(target, timeout=10).status_code == 404


def test_transfer_urls_expire_and_end_with_the_power_cycle(ops, vm, emulator):
    upload(ops, vm, "/tmp/f", b"data")
    info = ops.fileManager.InitiateFileTransferFromGuest(vm=vm, auth=ROOT, guestFilePath="/tmp/f")
    emulator.advance(guest_operations.TRANSFER_SECONDS)
    assert requests.get(info.url.replace("*", "127.0.0.1"), timeout=10).status_code == 404
    info = ops.fileManager.InitiateFileTransferFromGuest(vm=vm, auth=ROOT, guestFilePath="/tmp/f")
    run_task(vm.ResetVM_Task(), emulator)
    assert requests.get(info.url.replace("*", "127.0.0.1"), timeout=10).status_code == 404
    assert download(ops, vm, "/tmp/f").content == b"data"  # files outlive a reboot


def test_transfer_faults_and_size_limits(ops, vm):
    fm = ops.fileManager
    assert upload(ops, vm, "/tmp/big", b"123456", size=3).status_code == 413
    assert upload(ops, vm, "/tmp/x", b"12").status_code == 200
    with pytest.raises(vim.fault.FileAlreadyExists):
        upload(ops, vm, "/tmp/x", b"1")
    assert upload(ops, vm, "/tmp/x", b"1", overwrite=True).status_code == 200
    with pytest.raises(vim.fault.FileTooLarge) as exc:
        upload(ops, vm, "/tmp/huge", b"", size=guest_operations.MAX_TRANSFER_BYTES + 1)
    assert exc.value.maxFileSize == guest_operations.MAX_TRANSFER_BYTES
    with pytest.raises(vim.fault.NotAFile):
        upload(ops, vm, "/tmp", b"1", overwrite=True)
    with pytest.raises(vim.fault.FileNotFound):
        upload(ops, vm, "/nowhere/file", b"1")
    with pytest.raises(vim.fault.GuestPermissionDenied):
        upload(ops, vm, "/etc/passwd", b"1", auth=GUEST)
    with pytest.raises(vim.fault.NotAFile):
        fm.InitiateFileTransferFromGuest(vm=vm, auth=ROOT, guestFilePath="/tmp")
    with pytest.raises(vim.fault.FileNotFound):
        fm.InitiateFileTransferFromGuest(vm=vm, auth=ROOT, guestFilePath="/tmp/none")
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        upload(ops, vm, "/tmp/neg", b"", size=-1)
    assert exc.value.invalidProperty == "fileSize"


def test_an_upload_bigger_than_the_unauthenticated_cap(ops, vm):
    data = bytes(range(256)) * 1024  # 256 KiB: beyond what a request without a session sends
    assert upload(ops, vm, "/tmp/blob", data).status_code == 200
    assert download(ops, vm, "/tmp/blob").content == data


def test_the_guest_root_cannot_be_deleted(ops, vm):
    with pytest.raises(vim.fault.CannotDeleteFile) as exc:
        ops.fileManager.DeleteDirectoryInGuest(vm=vm, auth=ROOT, directoryPath="/",
                                               recursive=True)
    assert exc.value.file == "/"
    assert "tmp" in files(ops, vm, "/")


def test_a_full_guest_disk_is_no_disk_space(ops, vm, monkeypatch):
    monkeypatch.setattr(guest_files, "CAPACITY_BYTES", 100)
    assert upload(ops, vm, "/tmp/first", b"x" * 60).status_code == 200
    with pytest.raises(vim.fault.NoDiskSpace) as exc:
        upload(ops, vm, "/tmp/second", b"y" * 60)
    assert exc.value.file == "/tmp/second" and exc.value.datastore == ""
    # replacing a file needs room only for what it grows by
    assert upload(ops, vm, "/tmp/first", b"z" * 60, overwrite=True).status_code == 200
    ops.fileManager.DeleteFileInGuest(vm=vm, auth=ROOT, filePath="/tmp/first")
    assert upload(ops, vm, "/tmp/second", b"y" * 60).status_code == 200


def test_sspi_on_a_linux_guest_is_not_supported(ops, vm):
    with pytest.raises(vim.fault.OperationNotSupportedByGuest):
        ops.authManager.ValidateCredentialsInGuest(
            vm=vm, auth=G.SSPIAuthentication(sspiToken="TlRMTVNTUAABAAAA"))


# -- a Windows guest ----------------------------------------------------------------------

def test_a_windows_guest(make_emulator):
    data = fixtures.load("default")
    entry = data["datacenters"][0]["hosts"][0]["vms"][1]
    entry.update(guest_id="windows2019srv_64Guest", guest_family="windowsGuest",
                 guest_full_name="Microsoft Windows Server 2019 (64-bit)")
    data["vm_defaults"].pop("guest_accounts")
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    try:
        ops, vm = si.content.guestOperationsManager, find_vm(si, "DC0_H0_VM1")
        admin = G.NamePasswordAuthentication(username="Administrator", password="vmware")
        with pytest.raises(vim.fault.InvalidGuestLogin):
            ops.authManager.ValidateCredentialsInGuest(vm=vm, auth=ROOT)
        ops.fileManager.MakeDirectoryInGuest(vm=vm, auth=admin, directoryPath="C:\\Deploy",
                                             createParentDirectories=False)
        assert upload(ops, vm, "c:/deploy/setup.ps1", b"Write-Host hi", auth=admin) \
            .status_code == 200
        [info] = ops.fileManager.ListFilesInGuest(vm=vm, auth=admin,
                                                  filePath="C:\\DEPLOY").files
        assert info.path == "setup.ps1"
        assert isinstance(info.attributes, G.FileManager.WindowsFileAttributes)
        temp = ops.fileManager.CreateTemporaryFileInGuest(vm=vm, auth=admin, prefix="x",
                                                          suffix=".txt")
        assert temp.startswith("C:\\Users\\Administrator\\AppData\\Local\\Temp\\x")
        pid = start(ops, vm, "C:\\Windows\\System32\\cmd.exe", "/c echo hi > C:\\out.txt",
                    auth=admin)
        assert process(ops, vm, pid, auth=admin).name == "cmd.exe"
        assert download(ops, vm, "C:\\out.txt", auth=admin).content == b"hi\n"
        assert ops.processManager.ReadEnvironmentVariableInGuest(
            vm=vm, auth=admin, names=["userprofile"]) == ["USERPROFILE=C:\\Users\\Administrator"]
    finally:
        Disconnect(si)


# -- --state ------------------------------------------------------------------------------

def test_the_guest_survives_a_restart_with_state(make_emulator, tmp_path):
    state = str(tmp_path / "state.json")
    emulator = make_emulator(clock="virtual", state_file=state)
    si = emulator.connect()
    ops, vm = si.content.guestOperationsManager, find_vm(si, "DC0_H0_VM0")
    assert upload(ops, vm, "/tmp/kept", b"still here").status_code == 200
    done = start(ops, vm, "/bin/echo", "x")
    running = start(ops, vm, "/bin/sleep", "10")
    ticket = ops.authManager.AcquireCredentialsInGuest(vm=vm, requestedAuth=ROOT)
    Disconnect(si)
    emulator.stop()
    emulator = make_emulator(clock="virtual", state_file=state)
    si = emulator.connect()
    try:
        ops, vm = si.content.guestOperationsManager, find_vm(si, "DC0_H0_VM0")
        assert download(ops, vm, "/tmp/kept", auth=ticket).content == b"still here"
        assert process(ops, vm, done).exitCode == 0
        assert process(ops, vm, running).endTime is None
        emulator.advance(10)
        assert process(ops, vm, running).exitCode == 0
        assert start(ops, vm) == running + 1
    finally:
        Disconnect(si)


def test_other_sessions_see_the_same_guest(emulator, ops, vm):
    upload(ops, vm, "/tmp/shared", b"1")
    other = emulator.connect()
    try:
        assert "shared" in files(other.content.guestOperationsManager,
                                 find_vm(other, "DC0_H0_VM0"), "/tmp")
    finally:
        Disconnect(other)


def test_the_guest_survives_a_sigkill_of_the_server(tmp_path):
    """The guest's files (an upload through /guestFile), a running program and a ticket reach
    the --state file within its interval, and a killed `vimsim serve` comes back with them."""
    state = tmp_path / "state.json"
    served = Served(state)
    try:
        ops, vm = served.si.content.guestOperationsManager, find_vm(served.si, "DC0_H0_VM0")
        url = ops.fileManager.InitiateFileTransferToGuest(
            vm=vm, auth=ROOT, guestFilePath="/tmp/kept", fileSize=16, overwrite=False,
            fileAttributes=G.FileManager.FileAttributes())
        assert requests.put(url.replace("*", served.host), data=b"before the kill",
                            timeout=10).status_code == 200
        running = start(ops, vm, "/bin/sleep", "10")
        ticket = ops.authManager.AcquireCredentialsInGuest(vm=vm, requestedAuth=ROOT)
        wait_for(lambda: state.exists() and ticket.ticket in state.read_text(),
                 "the guest in the state file")
    finally:
        status, _ = served.stop(signal.SIGKILL)
    assert status == -signal.SIGKILL
    served = Served(state)
    try:
        ops, vm = served.si.content.guestOperationsManager, find_vm(served.si, "DC0_H0_VM0")
        info = ops.fileManager.InitiateFileTransferFromGuest(vm=vm, auth=ticket,
                                                             guestFilePath="/tmp/kept")
        assert requests.get(info.url.replace("*", served.host), timeout=10).content == \
            b"before the kill"
        assert process(ops, vm, running).endTime is None
        served.advance(10)
        assert process(ops, vm, running).exitCode == 0
    finally:
        status, errors = served.stop()
    assert status == 0 and "Traceback" not in errors, errors
