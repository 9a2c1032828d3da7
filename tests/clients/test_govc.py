"""govc 0.24 against `vimsim serve`, one test per command family.

The assertions are what a vCenter holding the default fixture (vimsim/fixtures/default.yaml) shows:
datacenter DC0; cluster DC0_C0 (hosts DC0_C0_H0..H2, pools Resources and DC0_C0_RP1) with VMs
DC0_C0_RP0_VM0, DC0_C0_RP0_VM1, DC0_C0_RP0_NoTools; standalone host DC0_H0 with DC0_H0_VM0 and
DC0_H0_VM1; datastore LocalDS_0 (1024 GB, 900 GB free); network "VM Network". They were
written after running each command against vcsim 0.24 for the shape of the output, not its
values (moIds, versions and counters differ). A govc panic always fails the test.

The power tests change only DC0_C0_RP0_VM1 and DC0_H0_VM1; the other tests read the rest.
"""
import json
import os
import re
import subprocess
import textwrap
import threading
from urllib.parse import quote

import pytest

from tests.test_durability import wait_for as wait_until

from .conftest import VimsimProcess
from .tools import govc_binary

VMS = ("DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_C0_RP0_NoTools", "DC0_H0_VM0", "DC0_H0_VM1")
CLUSTER_HOSTS = ("DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2")
HOST_PATHS = ["/DC0/host/DC0_H0/DC0_H0"] + ["/DC0/host/DC0_C0/" + h for h in CLUSTER_HOSTS]
VM = "DC0_C0_RP0_VM0"            # read-only subject
POWER_VM = "DC0_C0_RP0_VM1"      # power cycled by the power tests
GUEST_VM = "DC0_H0_VM1"          # rebooted, reset and suspended by the power tests
PANIC = re.compile(r"^panic: |^goroutine \d+ \[", re.M)


class Govc:
    """govc with GOVC_URL pointing at a vimsim process; sessions persist in a home of its own."""

    def __init__(self, server, home, user=None, password=None):
        self.binary = govc_binary()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("GOVC_") and k not in ("REQUESTS_CA_BUNDLE",
                                                                 "CURL_CA_BUNDLE")}
        self.env.update(
            GOVC_URL="https://%s:%s@%s:%d/sdk" % (quote(user or server.user, safe=""),
                                                  quote(password or server.password, safe=""),
                                                  server.host, server.port),
            GOVC_INSECURE="1", GOVMOMI_HOME=str(home))

    def __call__(self, *args, ok=True, timeout=60):
        try:
            done = subprocess.run([self.binary, *args], env=self.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            pytest.fail("govc %s: still running after %d s\n--- stdout\n%s" % (
                " ".join(args), timeout, exc.stdout or ""), pytrace=False)
        what = "govc %s: exit %d\n--- stdout\n%s\n--- stderr\n%s" % (
            " ".join(args), done.returncode, done.stdout[-4000:], done.stderr[-4000:])
        if PANIC.search(done.stderr):
            pytest.fail("govc panicked: " + what, pytrace=False)
        if ok and done.returncode != 0:
            pytest.fail(what, pytrace=False)
        return done

    def out(self, *args, **kw):
        return self(*args, **kw).stdout


def govc_of_own_server(tmp, *args):
    """govc on a `vimsim serve` of its own started with ``args`` (for fixtures to ``yield
    from``, so that what its tests change is not seen by the others); its log must hold no
    traceback at the end."""
    server = VimsimProcess(tmp, *args)
    yield Govc(server, tmp / "home")
    server.stop()
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture(scope="module")
def govc(vimsim_process, tmp_path_factory):
    return Govc(vimsim_process, tmp_path_factory.mktemp("govmomi-home"))


def lines(text):
    return [line for line in text.splitlines() if line.strip()]


def field(text, label):
    """The value of ``label:`` in govc's tabular key/value output (first occurrence)."""
    found = re.search(r"^\s*%s:[ \t]*(.*?)\s*$" % re.escape(label), text, re.M)
    assert found, "no %r in:\n%s" % (label, text)
    return found.group(1)


# -- service --------------------------------------------------------------------------------

def test_about(govc):
    out = govc.out("about")
    assert field(out, "Name") == "VMware vCenter Server"
    assert field(out, "Vendor") == "VMware, Inc."
    assert field(out, "API type") == "VirtualCenter"
    assert field(out, "Product ID") == "vpx"
    assert re.match(r"\d+\.\d+", field(out, "API version"))
    about = json.loads(govc.out("about", "-json"))["About"]
    assert about["ApiType"] == "VirtualCenter" and about["InstanceUuid"]


def test_about_cert(govc):
    out = govc.out("about.cert", "-k")
    assert field(out, "SHA-256 Thumbprint").count(":") == 31


def test_session_ls(govc):
    out = govc.out("session.ls")
    assert re.search(r"\buser\b.*\b127\.0\.0\.1\b.*govc/0\.24", out), out
    sessions = json.loads(govc.out("session.ls", "-json"))
    assert sessions["CurrentSession"]["UserName"] == "user"
    assert sessions["CurrentSession"]["Key"] in [s["Key"] for s in sessions["SessionList"]]


def test_persisted_session_is_reused(govc):
    """govc keeps its session cookie in GOVMOMI_HOME: a second command logs in no more."""
    first = json.loads(govc.out("session.ls", "-json"))["CurrentSession"]["Key"]
    assert json.loads(govc.out("session.ls", "-json"))["CurrentSession"]["Key"] == first


def test_expired_persisted_session_logs_in_again(vimsim_process, tmp_path_factory):
    """A saved session the server no longer knows (expired, or vCenter restarted): govc reads
    SessionManager.currentSession with its cookie, finds it unset, and logs in again."""
    home = tmp_path_factory.mktemp("govmomi-stale")
    stale = Govc(vimsim_process, home)
    stale.out("ls", "/")
    saved_files = list((home / "sessions").iterdir())
    assert saved_files
    for path in saved_files:
        saved = json.loads(path.read_text())
        for cookie in saved["SoapClient"]["Cookies"]:
            cookie["Value"] = "52a0b1c2-d3e4-4f56-8789-0abcdef01234"
        path.write_text(json.dumps(saved))
    assert lines(stale.out("ls", "/")) == ["/DC0"]


# -- inventory ------------------------------------------------------------------------------

def test_ls_root(govc):
    assert lines(govc.out("ls", "/")) == ["/DC0"]


def test_ls_datacenter(govc):
    assert sorted(lines(govc.out("ls", "/DC0"))) == [
        "/DC0/datastore", "/DC0/host", "/DC0/network", "/DC0/vm"]
    assert sorted(lines(govc.out("ls", "-l", "/DC0"))) == [
        "/DC0/datastore/", "/DC0/host/", "/DC0/network/", "/DC0/vm/"]


def test_ls_vm_folder(govc):
    expected = sorted("/DC0/vm/" + vm for vm in VMS)
    assert sorted(lines(govc.out("ls", "/DC0/vm"))) == expected
    assert sorted(lines(govc.out("ls", "vm"))) == expected          # relative to the datacenter
    assert sorted(lines(govc.out("ls", "-t", "VirtualMachine", "/DC0/vm"))) == expected
    assert sorted(lines(govc.out("ls", "-l", "/DC0/vm"))) == [
        p + " (VirtualMachine)" for p in expected]
    refs = lines(govc.out("ls", "-i", "/DC0/vm"))
    assert len(refs) == len(VMS) and all(re.match(r"VirtualMachine:vm-\d+$", r) for r in refs)


def test_ls_host_folder(govc):
    assert sorted(lines(govc.out("ls", "/DC0/host"))) == ["/DC0/host/DC0_C0", "/DC0/host/DC0_H0"]
    assert sorted(lines(govc.out("ls", "-t", "HostSystem", "/DC0/host/DC0_C0"))) == [
        "/DC0/host/DC0_C0/" + h for h in CLUSTER_HOSTS]
    assert "/DC0/host/DC0_C0/Resources (ResourcePool)" in lines(
        govc.out("ls", "-l", "/DC0/host/DC0_C0"))


def test_ls_datastore_and_network_folders(govc):
    assert lines(govc.out("ls", "/DC0/datastore")) == ["/DC0/datastore/LocalDS_0"]
    assert "/DC0/network/VM Network (Network)" in lines(govc.out("ls", "-l", "/DC0/network"))


def test_ls_missing_path_prints_nothing(govc):
    assert govc.out("ls", "/DC0/vm/no-such-vm") == ""


@pytest.mark.parametrize("args, expected", [
    (("-type", "m"), ["/DC0/vm/" + vm for vm in VMS]),
    (("-type", "h"), HOST_PATHS),
    (("-type", "s"), ["/DC0/datastore/LocalDS_0"]),
    (("-type", "c"), ["/DC0/host/DC0_C0"]),
    (("-type", "d"), ["/DC0"]),
    (("-type", "p"), ["/DC0/host/DC0_C0/Resources", "/DC0/host/DC0_C0/Resources/DC0_C0_RP1",
                      "/DC0/host/DC0_H0/Resources"]),
    (("-type", "f"), ["/", "/DC0/datastore", "/DC0/host", "/DC0/network", "/DC0/vm"]),
    (("-name", VM), ["/DC0/vm/" + VM]),
    (("-type", "m", "-name", "DC0_H0_*"), ["/DC0/vm/DC0_H0_VM0", "/DC0/vm/DC0_H0_VM1"]),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_find(govc, args, expected):
    assert sorted(lines(govc.out("find", "/", *args))) == sorted(expected)


def test_find_relative_and_networks(govc):
    assert sorted(lines(govc.out("find", ".", "-type", "m"))) == sorted(
        "/DC0/vm/" + vm for vm in VMS)
    assert "/DC0/network/VM Network" in lines(govc.out("find", "/DC0", "-type", "n"))


def test_find_by_property(govc):
    names = lines(govc.out("find", "/DC0/vm", "-type", "m", "-runtime.powerState", "poweredOn"))
    assert "/DC0/vm/" + VM in names
    refs = lines(govc.out("find", "-i", "/DC0/vm", "-type", "m", "-name", VM))
    assert len(refs) == 1 and re.match(r"VirtualMachine:vm-\d+$", refs[0])


def test_datacenter_info(govc):
    out = govc.out("datacenter.info", "DC0")
    assert field(out, "Name") == "DC0"
    assert field(out, "Path") == "/DC0"
    assert field(out, "Hosts") == "4"
    assert field(out, "Clusters") == "1"
    assert field(out, "Virtual Machines") == str(len(VMS))
    assert field(out, "Networks") == "1"
    assert field(out, "Datastores") == "1"
    assert govc.out("datacenter.info") == out    # the only datacenter is the default one
    dc = json.loads(govc.out("datacenter.info", "-json", "DC0"))["Datacenters"][0]
    assert dc["Name"] == "DC0" and dc["VmFolder"]["Type"] == "Folder"


def test_folder_info(govc):
    out = govc.out("folder.info", "/DC0/vm")
    assert field(out, "Name") == "vm"
    assert field(out, "Path") == "/DC0/vm"
    assert {"Folder", "VirtualMachine"} <= set(field(out, "Types").split(","))
    assert field(out, "Children") == str(len(VMS))


# -- virtual machines -----------------------------------------------------------------------

def test_vm_info(govc):
    out = govc.out("vm.info", VM)
    assert field(out, "Name") == VM
    assert field(out, "Path") == "/DC0/vm/" + VM
    assert re.match(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", field(out, "UUID"))
    assert field(out, "Guest name") == "Other Linux (64-bit)"
    assert field(out, "Memory") == "32MB"
    assert field(out, "CPU") == "1 vCPU(s)"
    assert field(out, "Power state") == "poweredOn"
    assert field(out, "Host") in CLUSTER_HOSTS
    out = govc.out("vm.info", "/DC0/vm/DC0_H0_VM0")
    assert field(out, "Host") == "DC0_H0"


def test_vm_info_several_and_wildcard(govc):
    out = govc.out("vm.info", "DC0_H0_*")
    assert re.findall(r"^Name:\s+(\S+)", out, re.M) == ["DC0_H0_VM0", "DC0_H0_VM1"]


def test_vm_info_json(govc):
    vms = json.loads(govc.out("vm.info", "-json", VM))["VirtualMachines"]
    assert len(vms) == 1
    vm = vms[0]
    assert vm["Self"]["Type"] == "VirtualMachine" and vm["Name"] == VM
    assert vm["Runtime"]["PowerState"] == "poweredOn"
    assert vm["Config"]["Hardware"]["NumCPU"] == 1
    assert vm["Config"]["Hardware"]["MemoryMB"] == 32
    assert vm["Config"]["GuestId"] == "otherLinux64Guest"
    assert vm["Guest"]["ToolsRunningStatus"] == "guestToolsRunning"
    assert vm["Summary"]["Config"]["Name"] == VM


def test_vm_info_resources(govc):
    out = govc.out("vm.info", "-r", VM)
    assert field(out, "Storage") == "LocalDS_0"
    assert field(out, "Network") == "VM Network"
    assert "CPU usage" in out and "Host memory usage" in out


def test_vm_info_extra_config_and_no_guest(govc):
    out = govc.out("vm.info", "-e", VM)
    assert field(out, "Name") == VM and field(out, "Power state") == "poweredOn"
    assert re.search(r"^  ExtraConfig:\n    \S+:", out, re.M), out   # a VM always has some
    assert lines(govc.out("vm.info", "-g=false", VM)) == ["Name:  " + VM]


def test_vm_info_tools(govc):
    out = govc.out("vm.info", "-t", VM)
    assert field(out, "Name") == VM
    assert int(field(out, "ToolsVersion")) > 0      # config.tools of a VM with Tools


def test_vm_info_missing_vm(govc):
    done = govc("vm.info", "no-such-vm", ok=False)
    assert done.returncode == 0 and done.stdout == ""      # govc 0.24 prints nothing
    done = govc("vm.power", "-on", "no-such-vm", ok=False)
    assert done.returncode == 1 and "vm 'no-such-vm' not found" in done.stderr


def test_vm_ip(govc):
    """vm.ip prints the guest's address (guest.ipAddress) once VMware Tools report one; a guest
    without Tools has none, and vm.ip waits out -wait and prints nothing."""
    address = govc.out("vm.ip", "-wait", "30s", VM).strip()
    assert re.match(r"\d+\.\d+\.\d+\.\d+$", address), address
    assert govc.out("object.collect", "-s", "vm/" + VM, "guest.ipAddress").strip() == address
    assert govc.out("vm.ip", "-a", "-wait", "30s", VM).strip() == address
    assert field(govc.out("vm.info", VM), "IP address") == address
    assert govc.out("vm.ip", "-wait", "3s", "DC0_C0_RP0_NoTools") == ""


def test_vm_option_info(govc):
    out = govc.out("vm.option.info", "-vm", VM)
    assert "otherLinux64Guest" in out.split()


def test_device_ls(govc):
    out = govc.out("device.ls", "-vm", VM)
    nic = next((l for l in lines(out) if l.startswith("ethernet-0")), None)
    assert nic and "VM Network" in nic, out
    out = govc.out("device.info", "-vm", VM, "ethernet-0")
    assert field(out, "Name") == "ethernet-0"
    assert re.match(r"([0-9a-f]{2}:){5}[0-9a-f]{2}$", field(out, "MAC Address"))


def test_snapshot_tree_empty(govc):
    assert govc.out("snapshot.tree", "-vm", VM) == ""


def power_state(govc, vm):
    return govc.out("object.collect", "-s", "vm/" + vm, "runtime.powerState").strip()


def test_vm_power_off_on(govc):
    out = govc.out("vm.power", "-off", POWER_VM)
    assert re.match(r"Powering off VirtualMachine:vm-\d+\.\.\. OK$", out.strip()), out
    assert power_state(govc, POWER_VM) == "poweredOff"
    done = govc("vm.power", "-off", POWER_VM, ok=False)
    assert done.returncode == 1
    assert "The attempted operation cannot be performed in the current state" in done.stderr
    out = govc.out("vm.power", "-on", POWER_VM)
    assert re.match(r"Powering on VirtualMachine:vm-\d+\.\.\. OK$", out.strip()), out
    assert power_state(govc, POWER_VM) == "poweredOn"


def ensure_on(govc, vm):
    if power_state(govc, vm) != "poweredOn":
        govc.out("vm.power", "-on", vm)
    assert power_state(govc, vm) == "poweredOn"


def test_vm_power_force_ignores_state_error(govc):
    """vCenter fails the power task (not the call) when the VM is already in that state, so
    govc's -force, which ignores the task's error, succeeds."""
    ensure_on(govc, POWER_VM)
    out = govc.out("vm.power", "-on", "-force", POWER_VM)
    assert re.match(r"Powering on VirtualMachine:vm-\d+\.\.\. Error: .*current state", out), out
    assert power_state(govc, POWER_VM) == "poweredOn"


def test_vm_power_shutdown_guest(govc):
    """After the power-on above, Tools come up; -s then shuts the guest down."""
    ensure_on(govc, POWER_VM)
    wait_for(govc, POWER_VM, "guest.toolsRunningStatus", "guestToolsRunning")
    out = govc.out("vm.power", "-s", POWER_VM)
    assert re.match(r"Shutdown guest VirtualMachine:vm-\d+\.\.\. OK$", out.strip()), out
    wait_for(govc, POWER_VM, "runtime.powerState", "poweredOff")
    govc.out("vm.power", "-on", POWER_VM)


def test_vm_power_reboot_reset_suspend(govc):
    out = govc.out("vm.power", "-r", GUEST_VM)
    assert re.match(r"Reboot guest VirtualMachine:vm-\d+\.\.\. OK$", out.strip()), out
    assert power_state(govc, GUEST_VM) == "poweredOn"
    out = govc.out("vm.power", "-reset", GUEST_VM)
    assert re.match(r"Reset VirtualMachine:vm-\d+\.\.\. OK$", out.strip()), out
    assert power_state(govc, GUEST_VM) == "poweredOn"
    out = govc.out("vm.power", "-suspend", GUEST_VM)
    assert re.match(r"Suspend VirtualMachine:vm-\d+\.\.\. OK$", out.strip()), out
    assert power_state(govc, GUEST_VM) == "suspended"
    govc.out("vm.power", "-on", GUEST_VM)
    assert power_state(govc, GUEST_VM) == "poweredOn"


def test_vm_power_reboot_without_tools(govc):
    done = govc("vm.power", "-r", "DC0_C0_RP0_NoTools", ok=False)
    assert done.returncode == 1 and "VMware Tools is not running" in done.stderr, done.stderr


def wait_for(govc, vm, path, value, tries=200):
    """Reads ``path`` of ``vm`` with object.collect until it is ``value``. The server runs the
    auto clock: while govc starts again the server is idle, so its clock moves on to the next
    event (Tools starting, a guest shutting down); no wall-clock wait is needed."""
    for _ in range(tries):
        out = govc.out("object.collect", "-s", "vm/" + vm, path).strip()
        if out == value:
            return
    raise AssertionError("%s of %s stayed %r, never %r" % (path, vm, out, value))


def test_vm_power_denied_to_readonly_user(govc, vimsim_process, tmp_path_factory):
    readonly = Govc(vimsim_process, tmp_path_factory.mktemp("govmomi-readonly"),
                    user="readonly", password="readonly")
    assert sorted(lines(readonly.out("ls", "/DC0/vm"))) == sorted("/DC0/vm/" + vm for vm in VMS)
    try:
        done = readonly("vm.power", "-off", POWER_VM, ok=False)
        assert done.returncode == 1
        assert "Permission to perform this operation was denied" in done.stderr, done.stderr
    finally:
        ensure_on(govc, POWER_VM)


# -- hosts, clusters, pools, datastores -----------------------------------------------------

def test_host_info(govc):
    out = govc.out("host.info", "-host", "DC0_H0")
    assert field(out, "Name") == "DC0_H0"
    assert field(out, "Path") == "/DC0/host/DC0_H0/DC0_H0"
    assert field(out, "State") == "connected"
    cpus = re.match(r"(\d+) CPUs @ (\d+)MHz$", field(out, "Logical CPUs"))
    assert cpus and int(cpus.group(1)) > 0 and int(cpus.group(2)) > 0
    assert int(field(out, "Memory").rstrip("MB")) > 0
    out = govc.out("host.info", "-host", "/DC0/host/DC0_C0/DC0_C0_H0")
    assert field(out, "Path") == "/DC0/host/DC0_C0/DC0_C0_H0"
    host = json.loads(govc.out("host.info", "-json", "-host", "DC0_H0"))["HostSystems"][0]
    assert host["Name"] == "DC0_H0" and host["Runtime"]["ConnectionState"] == "connected"


def test_host_info_needs_a_host_when_there_are_several(govc):
    done = govc("host.info", ok=False)
    assert done.returncode == 1
    assert "default host resolves to multiple instances" in done.stderr


@pytest.mark.parametrize("command, expected", [
    ("host.vswitch.info", "vSwitch0"),
    ("host.portgroup.info", "VM Network"),
    ("host.vnic.info", "vmk0"),
    ("host.storage.info", "/vmfs/devices/"),
    ("host.date.info", "Current date and time:"),
    ("host.option.ls", "Config.HostAgent.log.level:"),
    ("host.service.ls", "TSM-SSH"),
])
def test_host_configuration(govc, command, expected):
    """What an ESXi host's configuration managers (HostSystem.configManager) show."""
    out = govc.out(command, "-host", "DC0_H0")
    assert expected in out, out


def test_cluster_usage(govc):
    out = govc.out("cluster.usage", "DC0_C0")
    for label in ("CPU usage", "CPU capacity", "Memory capacity", "Storage capacity"):
        field(out, label)
    assert field(out, "Storage capacity") == "1.0TB"


@pytest.mark.parametrize("command", ["cluster.rule.ls", "cluster.group.ls",
                                     "cluster.override.info"])
def test_cluster_rules_groups_overrides_empty(govc, command):
    assert govc.out(command, "-cluster", "DC0_C0").strip() == ""


def test_pool_info(govc):
    out = govc.out("pool.info", "/DC0/host/DC0_C0/Resources")
    assert field(out, "Name") == "Resources"
    assert field(out, "Path") == "/DC0/host/DC0_C0/Resources"
    for label in ("CPU Usage", "CPU Shares", "CPU Reservation", "Mem Limit"):
        field(out, label)
    out = govc.out("pool.info", "/DC0/host/DC0_C0/Resources/DC0_C0_RP1")
    assert field(out, "Name") == "DC0_C0_RP1"
    pools = json.loads(govc.out("pool.info", "-json", "/DC0/host/DC0_C0/Resources"))
    assert pools["ResourcePools"][0]["Name"] == "Resources"


def test_datastore_info(govc):
    out = govc.out("datastore.info", "LocalDS_0")
    assert field(out, "Name") == "LocalDS_0"
    assert field(out, "Path") == "/DC0/datastore/LocalDS_0"
    assert field(out, "Capacity") == "1024.0 GB"
    assert field(out, "Free") == "900.0 GB"
    assert govc.out("datastore.info") == out     # the only datastore is the default one
    ds = json.loads(govc.out("datastore.info", "-json", "LocalDS_0"))["Datastores"][0]
    assert ds["Name"] == "LocalDS_0" and ds["Summary"]["Capacity"] == 1024 << 30
    assert ds["Summary"]["FreeSpace"] == 900 << 30 and ds["Summary"]["Accessible"]


def test_datastore_ls(govc):
    """Each VM's files are in a folder named after it (config.files.vmPathName)."""
    names = lines(govc.out("datastore.ls", "-ds", "LocalDS_0"))
    assert set(VMS) <= set(names), names
    out = govc.out("datastore.ls", "-ds", "LocalDS_0", VM)
    assert VM + ".vmx" in lines(out)


# -- properties -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (("-s", "vm/" + VM, "runtime.powerState"), "poweredOn"),
    (("-s", "vm/" + VM, "name"), VM),
    (("-s", "/DC0/vm/" + VM, "config.hardware.numCPU"), "1"),
    (("-s", "/DC0/vm/" + VM, "summary.config.memorySizeMB"), "32"),
    (("-s", "-", "content.about.apiType"), "VirtualCenter"),
    (("-s", "host/DC0_C0", "summary.numHosts"), "3"),
    (("-s", "datastore/LocalDS_0", "summary.capacity"), str(1024 << 30)),
    (("-s", "/DC0/host/DC0_H0/DC0_H0", "runtime.connectionState"), "connected"),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_object_collect_value(govc, args, expected):
    assert govc.out("object.collect", *args).strip() == expected


def test_object_collect_table(govc):
    assert re.match(r"name\s+string\s+DC0$", govc.out("object.collect", "/DC0", "name").strip())
    out = govc.out("object.collect", "-type", "m", "/", "name")
    found = dict(re.match(r"(VirtualMachine:vm-\d+)\s+name\s+string\s+(\S+)$", l).groups()[::-1]
                 for l in lines(out))
    assert sorted(found) == sorted(VMS)


def test_object_collect_json(govc):
    changes = json.loads(govc.out("object.collect", "-json", "vm/" + VM, "summary.runtime"))
    assert changes[0]["Name"] == "summary.runtime"
    assert changes[0]["Val"]["PowerState"] == "poweredOn"
    assert changes[0]["Val"]["Host"]["Type"] == "HostSystem"


def test_object_collect_all_properties(govc):
    out = govc.out("object.collect", "/DC0/vm/" + VM)
    names = {l.split()[0] for l in lines(out)}
    assert {"name", "runtime", "config", "guest", "summary", "parent"} <= names


def test_object_collect_service_content(govc):
    out = govc.out("object.collect", "-s", "-", "content.searchIndex")
    assert out.strip().startswith("SearchIndex:")


def test_object_collect_invalid_property(govc):
    done = govc("object.collect", "-s", "vm/" + VM, "no.such.property", ok=False)
    assert done.returncode == 1
    assert "InvalidProperty" in done.stderr or "no.such.property" in done.stderr, done.stderr


# -- events, tasks --------------------------------------------------------------------------

def test_events(vimsim_process, tmp_path_factory):
    fresh = Govc(vimsim_process, tmp_path_factory.mktemp("govmomi-events"))   # logs in anew
    out = fresh.out("events", "-n", "10")
    assert re.search(r"^\[.*\] \[info\] User \S*user@127\.0\.0\.1 logged in as govc/0\.24",
                     out, re.M), out
    assert "[UserLoginSessionEvent]" in fresh.out("events", "-l", "-n", "10")


def test_events_of_a_vm_after_power_off(govc):
    govc.out("vm.power", "-off", POWER_VM)
    govc.out("vm.power", "-on", POWER_VM)
    out = govc.out("events", "-n", "50", "vm/" + POWER_VM)
    assert re.search(r"\[info\] %s on \S+ in DC0 is powered off" % POWER_VM, out), out
    assert re.search(r"\[info\] %s on \S+ in DC0 is powered on" % POWER_VM, out), out
    assert GUEST_VM not in out and VM not in out      # only the events of that VM


def test_events_follow_shows_new_events_as_they_happen(govc):
    """govc events -f waits on the collector's latestPage and prints what is newer than the
    first entry it saw (it waited forever, then printed nothing new)."""
    govc.out("vm.power", "-off", POWER_VM)
    govc.out("vm.power", "-on", POWER_VM)   # the page the follower starts from
    follower = subprocess.Popen([govc.binary, "events", "-f", "vm/" + POWER_VM], env=govc.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    printed = []
    reader = threading.Thread(target=lambda: printed.extend(follower.stdout), daemon=True)
    reader.start()

    def count(what):  # lines govc has printed so far that say ``what``
        return sum(1 for line in list(printed) if re.search(what % POWER_VM, line))
    off, on = r"%s on \S+ in DC0 is powered off", r"%s on \S+ in DC0 is powered on"
    try:
        # a real client on the wall clock: waited for, bounded
        wait_until(lambda: count(on) >= 1, "govc to print its first page")
        seen_off = count(off)
        govc.out("vm.power", "-off", POWER_VM)
        govc.out("vm.power", "-on", POWER_VM)
        wait_until(lambda: count(off) >= seen_off + 1 and count(on) >= 2,
                   "govc to print the new events")
        assert count(off) == seen_off + 1, printed
    finally:
        follower.terminate()
        err = follower.communicate(timeout=10)[1]
    assert not PANIC.search(err), err


def test_tasks(govc):
    govc.out("vm.power", "-off", POWER_VM)
    govc.out("vm.power", "-on", POWER_VM)
    out = govc.out("tasks", "-n", "50", timeout=30)
    assert lines(out)[0].split() == ["Task", "Target", "Initiator", "Queued", "Started",
                                     "Completed", "Result"]
    assert re.search(r"^PowerOnVM\s+%s\s+user\s.*success" % POWER_VM, out, re.M), out
    out = govc.out("tasks", "vm/" + POWER_VM, timeout=30)
    assert re.search(r"^PowerOffVM\s+%s\s" % POWER_VM, out, re.M), out


# -- performance ----------------------------------------------------------------------------

def test_metric_ls(govc):
    assert "cpu.usage.average" in lines(govc.out("metric.ls", "vm/" + VM))
    assert "cpu.usage.average" in lines(govc.out("metric.ls", "host/DC0_H0/DC0_H0"))


def test_metric_info(govc):
    out = govc.out("metric.info", "-", "cpu.usage.average")
    assert field(out, "Name") == "cpu.usage.average"
    assert field(out, "Unit") == "%"
    assert field(out, "Rollup type") == "average"


def test_metric_sample(govc):
    for entity, name in (("vm/" + VM, VM), ("host/DC0_H0/DC0_H0", "DC0_H0")):
        out = govc.out("metric.sample", entity, "cpu.usage.average")
        # a line per instance ("*" or "-": the aggregate), the samples comma-separated
        assert re.search(r"^%s\s+\S+\s+cpu\.usage\.average\s+[\d.]+(,[\d.]+)*\s+%%$" % name,
                         out, re.M), out


def test_metric_interval_info(govc):
    out = govc.out("metric.interval.info")
    assert re.findall(r"^ID:\s+(\d+)", out, re.M) == ["300", "1800", "7200", "86400"]
    assert field(out, "Name").lower() == "past day"


# -- settings, licensing, logs, authorization, custom fields --------------------------------

def test_option_ls(govc):
    out = govc.out("option.ls")
    assert field(out, "VirtualCenter.InstanceName")
    assert field(out, "event.maxAge")
    options = json.loads(govc.out("option.ls", "-json", "event.maxAge"))
    assert {o["Key"] for o in options} >= {"event.maxAge"}


def test_license_ls(govc):
    out = govc.out("license.ls")
    assert "00000-00000-00000-00000-00000" in out
    licenses = json.loads(govc.out("license.ls", "-json"))
    assert any(l["EditionKey"] == "eval" for l in licenses)
    govc.out("license.assigned.ls")


def test_logs(govc):
    assert "vpxd:vpxd.log" in govc.out("logs.ls").split()
    # The end of vpxd.log: govc starts at lineEnd - 5, and lineEnd is the last line (1-based,
    # inclusive, as the reference documents), so it prints 5 or 6 lines, all different.
    tail = lines(govc.out("logs", "-n", "5"))
    assert len(tail) in (5, 6) and len(set(tail)) == len(tail), tail


def test_role_ls(govc):
    roles = {l.split()[0] for l in lines(govc.out("role.ls"))}
    assert {"Admin", "ReadOnly", "View", "Anonymous", "NoAccess"} <= roles
    privileges = lines(govc.out("role.ls", "Admin"))
    assert {"System.Read", "VirtualMachine.Interact.PowerOn"} <= set(privileges)
    assert {"System.Anonymous", "System.Read", "System.View"} == set(
        lines(govc.out("role.ls", "ReadOnly")))


def test_permissions_ls(govc):
    out = govc.out("permissions.ls", "/")
    assert lines(out)[0].split() == ["Role", "Entity", "Principal", "Propagate"]
    assert re.search(r"^Admin\s+/\s+\S*user\s+Yes$", out, re.M), out
    out = govc.out("permissions.ls", "/DC0")
    assert re.search(r"^Admin\s+/\s+\S*user\s+Yes$", out, re.M), out   # inherited from /
    assert "Admin" in govc.out("role.usage", "Admin")


def test_fields(govc):
    key = govc.out("fields.add", "vimsim-test-field").strip()
    assert key.isdigit()
    assert re.search(r"^%s\s+vimsim-test-field\b" % key, govc.out("fields.ls"), re.M)
    govc.out("fields.set", "vimsim-test-field", "hello", "vm/" + VM)
    out = govc.out("fields.info", "vm/" + VM)
    assert re.search(r"/DC0/vm/%s\s+vimsim-test-field\s+hello$" % VM, out, re.M), out
    govc.out("fields.rm", "vimsim-test-field")
    assert "vimsim-test-field" not in govc.out("fields.ls")


def test_extension_info(govc):
    govc.out("extension.info")


def test_tags_empty(govc):
    """The tagging service of the REST API (/rest/com/vmware/cis/tagging)."""
    assert govc.out("tags.category.ls") == ""
    assert govc.out("tags.ls") == ""


# -- a fixture with guest addresses ---------------------------------------------------------

FIXTURE_WITH_IPS = textwrap.dedent("""\
    datacenters:
      - name: DC0
        clusters:
          - name: DC0_C0
            hosts: [DC0_C0_H0]
            vms:
              - {name: web01, ip: 10.0.0.5, hostname: web01}
              - {name: nonet, guest_network_up: false}
    """)


@pytest.fixture(scope="module")
def govc_ips(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("vimsim-ips")
    (tmp / "ips.yaml").write_text(FIXTURE_WITH_IPS)
    server = VimsimProcess(tmp, "--fixture", str(tmp / "ips.yaml"))
    yield Govc(server, tmp / "home")
    server.stop()
    assert "Traceback" not in server.log(), server.log()


def test_vm_ip_fixture_address(govc_ips):
    assert govc_ips.out("vm.ip", "-wait", "30s", "web01").strip() == "10.0.0.5"
    assert govc_ips.out("vm.ip", "-a", "-wait", "30s", "web01").strip() == "10.0.0.5"
    assert govc_ips.out("vm.ip", "-v4", "-wait", "3s", "nonet") == ""
    out = govc_ips.out("vm.info", "web01")
    assert field(out, "IP address") == "10.0.0.5"


def test_passthrough_devices_and_raw_disks_none(govc):
    """EnvironmentBrowser.QueryConfigTarget: a host with no PCI passthrough or raw disks."""
    assert lines(govc.out("device.pci.ls", "-vm", VM)) == ["System ID  Address  Device Name"]
    assert govc.out("vm.rdm.ls", "-vm", VM).strip() == ""


# -- many VMs: pages bounded in bytes and truncated WaitForUpdatesEx (issue 14) ---------------

def json_stream(text):
    """The JSON values govc -json prints one after another."""
    decoder, values, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return values
        value, i = decoder.raw_decode(text, i)
        values.append(value)


def test_object_collect_reads_every_property_of_many_vms(tmp_path_factory):
    """2,000 VMs with every property are some 44 MB of SOAP: govc's object.collect fills a
    filter through WaitForUpdatesEx answers truncated at vimsim's bound in bytes, and reads
    them all; its find reads a container view's pages through their tokens."""
    tmp = tmp_path_factory.mktemp("vimsim-many")
    server = VimsimProcess(tmp, "--vms", "2000")
    try:
        many = Govc(server, tmp / "home")
        updates = json_stream(many.out("object.collect", "-json", "-type", "m", "/",
                                       timeout=300))
        assert {u["Kind"] for u in updates} == {"enter"}
        assert len({u["Obj"]["Value"] for u in updates}) == len(updates) == 2000
        assert all(any(c["Name"] == "config" for c in u["ChangeSet"]) for u in updates)
        assert len(lines(many.out("find", "/", "-type", "m"))) == 2000
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()
