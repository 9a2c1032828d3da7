"""govc 0.24's VM lifecycle commands against `vimsim serve` (a server of their own, so the VMs
they make and destroy do not change what the other govc tests list): vm.create, vm.change,
object.rename, vm.destroy, folder.create with object.mv, and a datacenter, cluster and
resource pools made, changed and destroyed, vm.migrate, datastore files (datastore.mkdir,
upload, download, cp, mv, rm), tags (tags.category.create, tags.create, tags.attach), and a
host's standard switches and port groups (host.vswitch.*, host.portgroup.*), services
(host.service) and NTP servers (host.date.change)."""
import json
import re

import pytest

from .test_govc import govc_of_own_server

POOL = "/DC0/host/DC0_H0/Resources"


@pytest.fixture(scope="module")
def govc(tmp_path_factory):
    yield from govc_of_own_server(tmp_path_factory.mktemp("vimsim-lifecycle"))


def collect(govc, path, *props):
    return govc.out("object.collect", "-s", path, *props).split("\n")[:len(props)]


def vm_info(govc, name):
    return json.loads(govc.out("vm.info", "-json", "-r", name))["VirtualMachines"][0]


def devices(govc, name):
    return json.loads(govc.out("device.ls", "-json", "-vm", name))["Devices"]


def free_space(govc):
    return int(collect(govc, "/DC0/datastore/LocalDS_0", "summary.freeSpace")[0])


def test_create_change_rename_destroy(govc):
    free = free_space(govc)
    govc("vm.create", "-ds", "LocalDS_0", "-pool", POOL, "-net", "VM Network", "-c", "2",
         "-m", "2048", "-g", "ubuntu64Guest", "-disk", "4G", "-on=false", "made01")
    info = vm_info(govc, "made01")
    assert info["Config"]["Hardware"]["NumCPU"] == 2
    assert info["Config"]["Hardware"]["MemoryMB"] == 2048
    assert info["Config"]["GuestId"] == "ubuntu64Guest"
    assert info["Config"]["Files"]["VmPathName"] == "[LocalDS_0] made01/made01.vmx"
    assert info["Runtime"]["PowerState"] == "poweredOff"
    kinds = {d["Type"] for d in devices(govc, "made01")}
    assert {"VirtualLsiLogicController", "VirtualDisk", "VirtualE1000"} <= kinds
    assert "disk-1000-0" in {d["Name"] for d in devices(govc, "made01")}
    disk = next(d for d in info["Config"]["Hardware"]["Device"] if "CapacityInKB" in d)
    assert disk["CapacityInKB"] == 4 * 1024 * 1024
    assert disk["Backing"]["FileName"] == "[LocalDS_0] made01/made01.vmdk"
    assert 0 < free - free_space(govc) < 1024 * 1024  # a thin disk, empty so far
    # govc looks for the .vmx first: a second create of the name is refused
    again = govc("vm.create", "-ds", "LocalDS_0", "-pool", POOL, "-on=false", "made01", ok=False)
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr

    govc("vm.change", "-vm", "made01", "-c", "4", "-m", "4096", "-e", "guestinfo.role=web",
         "-annotation", "made by govc")
    info = vm_info(govc, "made01")
    assert info["Config"]["Hardware"]["NumCPU"] == 4
    assert info["Config"]["Hardware"]["MemoryMB"] == 4096
    assert info["Config"]["Annotation"] == "made by govc"
    extra = {o["Key"]: o["Value"] for o in info["Config"]["ExtraConfig"]}
    assert extra["guestinfo.role"] == "web"

    govc("vm.power", "-on", "made01")
    refused = govc("vm.change", "-vm", "made01", "-c", "8", ok=False)
    assert refused.returncode == 1 and "current state" in refused.stderr, refused.stderr

    govc("object.rename", "/DC0/vm/made01", "made02")
    assert collect(govc, "vm/made02", "name") == ["made02"]
    duplicate = govc("object.rename", "/DC0/vm/made02", "DC0_H0_VM0", ok=False)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr, duplicate.stderr

    govc("vm.destroy", "made02")  # powers it off first
    assert govc.out("find", "/DC0/vm", "-name", "made02").strip() == ""
    assert free_space(govc) == free


def test_folders_moves_and_folder_destroy(govc):
    govc("folder.create", "/DC0/vm/project")
    govc("vm.create", "-ds", "LocalDS_0", "-pool", POOL, "-folder", "/DC0/vm/project",
         "-on=false", "p01")
    assert govc.out("find", "/DC0/vm/project", "-type", "m").split() == ["/DC0/vm/project/p01"]
    govc("object.mv", "/DC0/vm/project/p01", "/DC0/vm")
    assert govc.out("find", "/DC0/vm/project", "-type", "m").strip() == ""
    govc("object.mv", "/DC0/vm/p01", "/DC0/vm/project")
    govc("object.destroy", "/DC0/vm/project")
    assert govc.out("find", "/DC0/vm", "-name", "p01").strip() == ""
    assert govc.out("find", "/DC0/vm", "-name", "project").strip() == ""


def test_datacenter_cluster_and_pools(govc):
    govc("datacenter.create", "DCg")
    govc("cluster.create", "-dc", "DCg", "Cg")
    assert govc.out("ls", "/DCg/host").split() == ["/DCg/host/Cg"]
    assert collect(govc, "/DCg/host/Cg", "configuration.drsConfig.enabled") == ["false"]
    # a new cluster has DRS off, and pools need it
    refused = govc("pool.create", "/DCg/host/Cg/Resources/p1", ok=False)
    assert refused.returncode == 1 and "not supported" in refused.stderr, refused.stderr
    govc("cluster.change", "-drs-enabled", "-drs-mode", "manual", "-ha-enabled", "/DCg/host/Cg")
    assert collect(govc, "/DCg/host/Cg", "configuration.drsConfig.enabled",
                   "configuration.drsConfig.defaultVmBehavior",
                   "configuration.dasConfig.enabled") == ["true", "manual", "true"]
    govc("pool.create", "-cpu.shares", "high", "-mem.limit", "1024",
         "/DCg/host/Cg/Resources/p1")
    info = json.loads(govc.out("pool.info", "-json", "/DCg/host/Cg/Resources/p1"))
    [pool] = info["ResourcePools"]
    assert pool["Config"]["CpuAllocation"]["Shares"] == {"Shares": 8000, "Level": "high"}
    assert pool["Config"]["MemoryAllocation"]["Limit"] == 1024
    again = govc("pool.create", "/DCg/host/Cg/Resources/p1", ok=False)
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    govc("pool.change", "-name", "p2", "-cpu.limit", "500", "/DCg/host/Cg/Resources/p1")
    info = json.loads(govc.out("pool.info", "-json", "/DCg/host/Cg/Resources/p2"))
    assert info["ResourcePools"][0]["Config"]["CpuAllocation"]["Limit"] == 500
    govc("pool.destroy", "/DCg/host/Cg/Resources/p2")
    assert govc.out("find", "/DCg/host/Cg/Resources", "-type", "p").split() == [
        "/DCg/host/Cg/Resources"]
    govc("object.destroy", "/DCg/host/Cg")
    assert govc.out("ls", "/DCg/host").strip() == ""
    govc("object.destroy", "/DCg")
    assert govc.out("ls", "/").split() == ["/DC0"]


def test_vm_migrate_to_another_host_and_pool(govc):
    govc("vm.create", "-ds", "LocalDS_0", "-pool", POOL, "-on=false", "mig01")
    govc("vm.migrate", "-pool", "/DC0/host/DC0_C0/Resources", "-host",
         "/DC0/host/DC0_C0/DC0_C0_H1", "mig01")
    runtime = vm_info(govc, "mig01")["Runtime"]
    host = collect(govc, "/DC0/host/DC0_C0/DC0_C0_H1", "summary.host")[0]
    assert host.endswith(runtime["Host"]["Value"])
    assert govc.out("find", "/DC0/host/DC0_C0/Resources", "-type", "m", "-name",
                    "mig01").strip().endswith("mig01")
    events = govc.out("events", "/DC0/vm/mig01")
    assert "Completed the relocation of the virtual machine mig01" in events, events
    govc("vm.destroy", "mig01")


def test_datastore_files(govc, tmp_path):
    local = tmp_path / "hello.txt"
    local.write_text("hello from govc\n")
    govc("datastore.mkdir", "-p", "iso/linux")
    govc("datastore.upload", str(local), "iso/linux/hello.txt")
    assert govc.out("datastore.ls", "iso/linux").split() == ["hello.txt"]
    back = tmp_path / "back.txt"
    govc("datastore.download", "iso/linux/hello.txt", str(back))
    assert back.read_text() == "hello from govc\n"
    govc("datastore.cp", "iso/linux/hello.txt", "iso/copy.txt")
    govc("datastore.mv", "iso/copy.txt", "moved.txt")
    assert "moved.txt" in govc.out("datastore.ls").split()
    vmx = govc.out("datastore.download", "DC0_H0_VM0/DC0_H0_VM0.vmx", "-")
    assert 'displayName = "DC0_H0_VM0"' in vmx
    govc("datastore.rm", "moved.txt")
    govc("datastore.rm", "iso")
    listed = govc.out("datastore.ls").split()
    assert "iso" not in listed and "moved.txt" not in listed and "DC0_H0_VM0" in listed
    missing = govc("datastore.rm", "iso", ok=False)
    assert missing.returncode == 1 and "was not found" in missing.stderr, missing.stderr


def test_tags(govc):
    govc("tags.category.create", "-t", "VirtualMachine", "-m=false", "tier")
    govc("tags.create", "-c", "tier", "gold")
    govc("tags.create", "-c", "tier", "silver")
    listed = {line.split()[0] for line in govc.out("tags.ls", "-c", "tier").splitlines()}
    assert listed == {"gold", "silver"}
    govc("tags.attach", "gold", "/DC0/vm/DC0_H0_VM0")
    assert govc.out("tags.attached.ls", "-r", "/DC0/vm/DC0_H0_VM0").split() == ["gold"]
    assert govc.out("tags.attached.ls", "gold").split() == ["VirtualMachine:" + collect(
        govc, "/DC0/vm/DC0_H0_VM0", "summary.vm")[0].split(":")[-1]]
    # the category is single-cardinality: a second of its tags on the VM is refused
    refused = govc("tags.attach", "silver", "/DC0/vm/DC0_H0_VM0", ok=False)
    assert refused.returncode == 1 and "single-cardinality" in refused.stderr, refused.stderr
    info = govc.out("tags.category.info", "tier")
    assert "SINGLE" in info and "VirtualMachine" in info
    govc("tags.detach", "gold", "/DC0/vm/DC0_H0_VM0")
    assert govc.out("tags.attached.ls", "gold").strip() == ""
    govc("tags.rm", "gold")
    govc("tags.rm", "silver")
    govc("tags.category.rm", "tier")
    assert govc.out("tags.category.ls").strip() == ""


def test_host_switches_and_port_groups(govc):
    host = "/DC0/host/DC0_H0/DC0_H0"
    govc("host.vswitch.add", "-host", host, "-mtu", "9000", "vSwitch1")
    govc("host.portgroup.add", "-host", host, "-vswitch", "vSwitch1", "-vlan", "42", "Storage")
    switches = govc.out("host.vswitch.info", "-host", host)
    assert "vSwitch1" in switches and "9000" in switches
    groups = govc.out("host.portgroup.info", "-host", host)
    assert "Storage" in groups and "42" in groups
    assert "/DC0/network/Storage" in govc.out("ls", "/DC0/network").split("\n")
    govc("host.portgroup.change", "-host", host, "-vlan-id", "7", "Storage")
    assert re.search(r"Name:\s+Storage\nVirtual switch:\s+vSwitch1\nVLAN ID:\s+7\n",
                     govc.out("host.portgroup.info", "-host", host))
    in_use = govc("host.vswitch.remove", "-host", host, "vSwitch1", ok=False)
    assert in_use.returncode == 1 and "in use" in in_use.stderr, in_use.stderr
    govc("host.portgroup.remove", "-host", host, "Storage")
    govc("host.vswitch.remove", "-host", host, "vSwitch1")
    assert "vSwitch1" not in govc.out("host.vswitch.info", "-host", host)
    assert "/DC0/network/Storage" not in govc.out("ls", "/DC0/network").split("\n")


def test_host_services_and_ntp(govc):
    host = "/DC0/host/DC0_H0/DC0_H0"

    def ssh():
        return next(line.split() for line in govc.out("host.service.ls", "-host", host)
                    .splitlines() if line.startswith("TSM-SSH"))
    assert ssh()[1:3] == ["off", "Stopped"]
    govc("host.service", "-host", host, "start", "TSM-SSH")
    govc("host.service", "-host", host, "enable", "TSM-SSH")
    assert ssh()[1:3] == ["on", "Running"]
    govc("host.service", "-host", host, "stop", "TSM-SSH")
    govc("host.service", "-host", host, "disable", "TSM-SSH")
    assert ssh()[1:3] == ["off", "Stopped"]
    govc("host.date.change", "-host", host, "-server", "ntp.example.com")
    assert re.search(r"NTP servers:\s+ntp.example.com", govc.out("host.date.info", "-host", host))
