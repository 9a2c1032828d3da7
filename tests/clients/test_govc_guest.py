"""govc 0.24's guest commands (GuestOperationsManager) against `vimsim serve`: files
(guest.mkdir, guest.ls, guest.upload, guest.download, guest.rm, guest.rmdir), programs
(guest.start, guest.ps, guest.kill, guest.run with its output and exit code) and the guest
login, over the transfer URLs the server hands out."""
import pytest
import yaml

from vimsim.model import fixture as fixtures

from .conftest import VimsimProcess
from .test_govc import Govc, lines

VM = ("-vm", "DC0_H0_VM0")
ROOT = ("-l", "root:vmware")


@pytest.fixture(scope="module")
def govc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("vimsim-guest")
    # `tail -f` runs until killed: the auto clock would end a `sleep` as soon as govc waits
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][0]["guest_programs"] = [
        {"path": "tail", "arguments": "-f", "hang": True}]
    (tmp / "fixture.yaml").write_text(yaml.safe_dump(data))
    server = VimsimProcess(tmp, "--fixture", str(tmp / "fixture.yaml"))
    yield Govc(server, tmp / "home")
    server.stop()
    assert "Traceback" not in server.log(), server.log()


def guest(govc, command, *args, ok=True):
    return govc("guest." + command, *VM, *ROOT, *args, ok=ok)


def test_mkdir_ls_upload_download_rm(govc, tmp_path):
    guest(govc, "mkdir", "-p", "/tmp/govc/sub")
    local = tmp_path / "app.conf"
    local.write_bytes(b"listen 8080\n" * 1000)
    guest(govc, "upload", str(local), "/tmp/govc/app.conf")
    again = guest(govc, "upload", str(local), "/tmp/govc/app.conf", ok=False)
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    guest(govc, "upload", "-f", str(local), "/tmp/govc/app.conf")
    listing = lines(guest(govc, "ls", "/tmp/govc").stdout)
    assert [line.split()[-1] for line in listing] == ["app.conf", "sub"]
    assert listing[0].startswith("-rw-r--r--") and listing[1].startswith("drwxr-xr-x")
    assert lines(guest(govc, "ls", "-s", "/tmp/govc").stdout) == ["app.conf", "sub"]
    back = tmp_path / "back.conf"
    guest(govc, "download", "/tmp/govc/app.conf", str(back))
    assert back.read_bytes() == local.read_bytes()
    assert guest(govc, "download", "/tmp/govc/app.conf", "-").stdout.startswith("listen 8080")
    guest(govc, "rm", "/tmp/govc/app.conf")
    missing = guest(govc, "download", "/tmp/govc/app.conf", str(tmp_path / "x"), ok=False)
    assert missing.returncode == 1 and "was not found" in missing.stderr, missing.stderr
    guest(govc, "rmdir", "/tmp/govc/sub")
    assert lines(guest(govc, "ls", "-s", "/tmp/govc").stdout) == []


def test_run_shows_the_output_and_passes_the_exit_code(govc):
    assert guest(govc, "run", "hostname").stdout == "dc0-h0-vm0\n"
    assert guest(govc, "run", "echo", "hello", "guest").stdout == "hello guest\n"
    assert guest(govc, "run", "-d", "from stdin", "cat").stdout == "from stdin"
    assert guest(govc, "run", "false", ok=False).returncode == 1
    assert guest(govc, "run", "/bin/sh", "-c", "exit 3", ok=False).returncode == 3
    failed = guest(govc, "run", "cat", "/nope", ok=False)
    assert failed.returncode == 1 and "No such file or directory" in failed.stderr


def test_start_ps_and_kill(govc):
    pid = guest(govc, "start", "/usr/bin/tail", "-f", "/var/log/messages").stdout.strip()
    assert pid.isdigit()
    ps = lines(guest(govc, "ps", "-x", "-p", pid).stdout)
    assert ps[0].split() == ["UID", "PID", "STIME", "XTIME", "XCODE", "CMD"]
    assert ps[1].split()[:2] == ["root", pid] and ps[1].split()[3:5] == ["-", "-"]
    assert ps[1].endswith('"/usr/bin/tail" -f /var/log/messages')
    guest(govc, "kill", "-p", pid)
    assert lines(guest(govc, "ps", "-x", "-p", pid).stdout)[1].split()[4] == "143"
    quick = guest(govc, "start", "/bin/sleep", "2").stdout.strip()
    # -X waits (the auto clock runs the two seconds) for the exit code
    assert lines(guest(govc, "ps", "-X", "-x", "-p", quick).stdout)[1].split()[4] == "0"
    everything = lines(guest(govc, "ps", "-e").stdout)
    assert any(line.split()[1] == "1" for line in everything[1:])
    gone = guest(govc, "kill", "-p", quick, ok=False)
    assert gone.returncode == 1 and "not found" in gone.stderr, gone.stderr


def test_a_wrong_login_and_a_guest_without_tools(govc):
    wrong = govc("guest.ls", *VM, "-l", "root:nope", "/tmp", ok=False)
    assert wrong.returncode == 1 and "Failed to authenticate" in wrong.stderr, wrong.stderr
    down = govc("guest.ls", "-vm", "DC0_C0_RP0_NoTools", *ROOT, "/tmp", ok=False)
    assert down.returncode == 1 and "guest operations agent" in down.stderr, down.stderr
