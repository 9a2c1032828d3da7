"""The Automation API's guest processes and guest file system (/api/vcenter/vm/{vm}/guest/
processes, .../guest/filesystem), driven with requests over the model pyVmomi sees."""
import pytest
import requests

from conftest import find_vm
from test_rest import TIME, Rest, api_error

ROOT = {"type": "USERNAME_PASSWORD", "user_name": "root", "password": "vmware",
        "interactive_session": False}
GUEST = dict(ROOT, user_name="guest", password="guest")


class Guest(Rest):
    """POSTs of one VM's guest operations."""

    def __init__(self, emulator, vm, **kw):
        super().__init__(emulator, **kw)
        self.vm = vm

    def __call__(self, where, action, /, credentials=ROOT, **body):
        return self.http.post("%s/api/vcenter/vm/%s/guest/%s?action=%s" % (
            self.base, self.vm, where, action), headers=self.headers, timeout=10,
            json=dict(body, credentials=credentials))


@pytest.fixture
def guest(emulator):
    vm = next(o.moid for o in emulator.vc.objects.values()
              if getattr(o, "name", None) == "DC0_H0_VM0")
    return Guest(emulator, vm)


def test_processes_create_list_get_delete(guest, emulator):
    r = guest("processes", "create", spec={"path": "/bin/sleep", "arguments": "10",
                                           "environment_variables": {"A": "1"}})
    assert r.status_code == 201, r.text
    pid = r.json()
    listed = guest("processes", "list").json()
    [mine] = [p for p in listed if p["pid"] == pid]
    assert mine["name"] == "sleep" and mine["owner"] == "root"
    assert mine["command"] == '"/bin/sleep" 10' and TIME.match(mine["started"])
    info = guest("processes/%d" % pid, "get").json()
    assert "finished" not in info and "exit_code" not in info
    emulator.advance(10)
    info = guest("processes/%d" % pid, "get").json()
    assert info["exit_code"] == 0 and TIME.match(info["finished"])
    running = guest("processes", "create", spec={"path": "/bin/sleep", "arguments": "99"}).json()
    assert guest("processes/%d" % running, "delete").status_code == 204
    assert guest("processes/%d" % running, "get").json()["exit_code"] == 143
    api_error(guest("processes/%d" % running, "delete"), 404, "NOT_FOUND")
    api_error(guest("processes/99999", "get"), 404, "NOT_FOUND")
    # a pid is ASCII digits ("\u0661" is a digit to int(), not to vCenter)
    bad = guest("processes/%s" % "\u0661", "get")
    assert bad.status_code == 400 and bad.json()["error_type"] == "INVALID_ARGUMENT", bad.text


def test_process_errors(guest, emulator):
    api_error(guest("processes", "list", credentials=dict(ROOT, password="x")), 401,
              "UNAUTHENTICATED")
    api_error(guest("processes", "create", spec={"path": "/nope"}), 404, "NOT_FOUND")
    bad = guest("processes", "create", spec={"path": 5})
    assert bad.status_code == 400 and bad.json()["error_type"] == "INVALID_ARGUMENT"
    assert "Bad cast: INTEGER -> String" in bad.text
    api_error(guest("processes", "list", credentials=None), 400, "INVALID_ARGUMENT")
    api_error(guest("processes", "stop"), 404, "OPERATION_NOT_FOUND")
    api_error(guest("processes/1", "delete", credentials=GUEST), 403, "UNAUTHORIZED")
    notools = next(o.moid for o in emulator.vc.objects.values()
                   if getattr(o, "name", None) == "DC0_C0_RP0_NoTools")
    api_error(Guest(emulator, notools)("processes", "list"), 503, "SERVICE_UNAVAILABLE")
    api_error(Guest(emulator, "vm-999999")("processes", "list"), 404, "NOT_FOUND")
    readonly = Guest(emulator, guest.vm, user="readonly", pwd="readonly")
    message = api_error(readonly("processes", "create", spec={"path": "/bin/true"}), 403,
                        "UNAUTHORIZED")
    assert "VirtualMachine.GuestOperations.Execute" in message["default_message"]


def test_transfers_both_ways(guest):
    r = guest("filesystem", "create", spec={"path": "/tmp/rest.txt", "attributes": {
        "overwrite": False, "size": 5, "posix": {"permissions": "600"}}})
    assert r.status_code == 201, r.text
    url = r.json()
    assert url.startswith("http://*:") and "/guestFile?id=" in url
    assert requests.put(url.replace("*", "127.0.0.1"), data=b"hello",
                        timeout=10).status_code == 200
    url = guest("filesystem", "create", spec={"path": "/tmp/rest.txt"}).json()
    assert requests.get(url.replace("*", "127.0.0.1"), timeout=10).content == b"hello"
    info = guest("filesystem/files", "get", path="/tmp/rest.txt").json()
    assert info["type"] == "FILE" and info["size"] == 5
    assert info["posix"]["permissions"] == "600" and TIME.match(info["last_modified"])
    api_error(guest("filesystem", "create", spec={"path": "/tmp/rest.txt", "attributes": {
        "overwrite": False, "size": 1}}), 400, "ALREADY_EXISTS")
    api_error(guest("filesystem", "create", spec={"path": "/tmp"}), 400, "INVALID_ARGUMENT")
    api_error(guest("filesystem", "create", spec={"path": "/tmp/none"}), 404, "NOT_FOUND")


def test_directories_and_files(guest):
    assert guest("filesystem/directories", "create", path="/tmp/r/s",
                 create_parents=True).status_code == 204
    api_error(guest("filesystem/directories", "create", path="/tmp/r"), 400, "ALREADY_EXISTS")
    temp = guest("filesystem/files", "createTemporary", prefix="t", suffix=".log",
                 parent_path="/tmp/r")
    assert temp.status_code == 201 and temp.json().startswith("/tmp/r/t")
    listed = guest("filesystem/files", "list", path="/tmp/r").json()
    assert [f["filename"] for f in listed["files"]] == ["s", temp.json().rsplit("/", 1)[1]]
    assert [f["type"] for f in listed["files"]] == ["DIRECTORY", "FILE"]
    assert listed["total"] == 2 and listed["start_index"] == 0 and listed["end_index"] == 1
    page = guest("filesystem/files", "list", path="/tmp/r", iteration={"size": 1, "index": 1},
                 filter={"match_pattern": ""}).json()
    assert len(page["files"]) == 1 and page["total"] == 2 and page["start_index"] == 1
    assert guest("filesystem/files", "move", path=temp.json(), new_path="/tmp/r/moved.log") \
        .status_code == 204
    assert guest("filesystem/files", "update", path="/tmp/r/moved.log",
                 file_attributes={"posix": {"permissions": "640"}}).status_code == 204
    assert guest("filesystem/files", "get", path="/tmp/r/moved.log").json()["posix"][
        "permissions"] == "640"
    api_error(guest("filesystem/files", "update", path="/tmp/r/moved.log",
                    file_attributes={"posix": {"permissions": "rw"}}), 400, "INVALID_ARGUMENT")
    api_error(guest("filesystem/directories", "delete", path="/tmp/r"), 400, "RESOURCE_IN_USE")
    assert guest("filesystem/directories", "move", path="/tmp/r",
                 new_path="/tmp/q").status_code == 204
    assert guest("filesystem/files", "delete", path="/tmp/q/moved.log").status_code == 204
    api_error(guest("filesystem/files", "delete", path="/tmp/q/moved.log"), 404, "NOT_FOUND")
    api_error(guest("filesystem/files", "delete", path="/tmp/q"), 400, "INVALID_ARGUMENT")
    assert guest("filesystem/directories", "delete", path="/tmp/q",
                 recursive=True).status_code == 204
    assert guest("filesystem/files", "list", path="/tmp", filter={
        "match_pattern": "^q$"}).json() == {"files": [], "total": 0}
    api_error(guest("filesystem/directories", "create", path="/etc/x", credentials=GUEST),
              403, "UNAUTHORIZED")


def test_soap_and_rest_see_one_guest(guest, si):
    guest("filesystem/directories", "create", path="/tmp/both")
    from pyVmomi import vim
    auth = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
    listed = si.content.guestOperationsManager.fileManager.ListFilesInGuest(
        vm=find_vm(si, "DC0_H0_VM0"), auth=auth, filePath="/tmp", matchPattern="both")
    assert [f.path for f in listed.files] == ["both"]


def test_a_fault_rule_on_a_guest_operation(guest, emulator):
    emulator.call(emulator.vc.rules.add, operation="com.vmware.vcenter.vm.guest.Processes.list",
                  action="http_error", error_type="SERVICE_UNAVAILABLE", message="down")
    assert api_error(guest("processes", "list"), 503, "SERVICE_UNAVAILABLE")[
        "default_message"] == "down"
    emulator.call(emulator.vc.rules.add, operation="ListProcessesInGuest",
                  fault="GuestOperationsUnavailable")
    api_error(guest("processes/1", "get"), 503, "SERVICE_UNAVAILABLE")
