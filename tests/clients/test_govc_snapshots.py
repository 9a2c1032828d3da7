"""govc 0.24's snapshot commands against `vimsim serve` (a server of their own, so the
snapshots they take and revert to do not change what the other govc tests see):
snapshot.create, snapshot.tree with its flags, snapshot.revert and snapshot.remove by name,
tree path, moId and ``*``, and vm.clone -snapshot."""
import json
from datetime import datetime

import pytest

from .test_govc import govc_of_own_server

VM = "DC0_H0_VM0"  # powered on, VMware Tools running
PATH = "/DC0/vm/" + VM


@pytest.fixture(scope="module")
def govc(tmp_path_factory):
    yield from govc_of_own_server(tmp_path_factory.mktemp("vimsim-snapshots"))


def tree(govc, *flags):
    return govc.out("snapshot.tree", "-vm", VM, *flags).splitlines()


def collected(govc, prop):
    """A property of the VM as govc's object.collect -json decodes it."""
    found, = json.loads(govc.out("object.collect", "-json", PATH, prop))
    return found["Val"]


def power_state(govc):
    return govc.out("object.collect", "-s", PATH, "runtime.powerState").strip()


def test_no_snapshot_no_tree(govc):
    assert govc.out("snapshot.tree", "-vm", VM) == ""
    missing = govc("snapshot.revert", "-vm", VM, "nothing", ok=False)
    assert missing.returncode == 1 and "no snapshots for this VM" in missing.stderr


def test_create_tree_revert_remove(govc):
    govc("snapshot.create", "-vm", VM, "-d", "the first", "first")  # -m: with memory
    govc("snapshot.create", "-vm", VM, "-m=false", "-q", "second")
    govc("snapshot.create", "-vm", VM, "-m=false", "third")
    assert tree(govc) == ["first", "  second", "    third", "    ."]
    assert tree(govc, "-C") == ["third"]
    assert tree(govc, "-f", "-c=false") == ["first", "  first/second", "    first/second/third"]

    info = collected(govc, "snapshot")
    root, = info["RootSnapshotList"]
    second, = root["ChildSnapshotList"]
    third, = second["ChildSnapshotList"]
    assert info["CurrentSnapshot"]["Value"] == third["Snapshot"]["Value"]
    assert (root["Name"], root["Description"], root["Id"], root["State"]) == (
        "first", "the first", 1, "poweredOn")
    assert (second["State"], second["Quiesced"], third["State"]) == (
        "poweredOff", True, "poweredOff")
    when = datetime.strptime(root["CreateTime"][:19], "%Y-%m-%dT%H:%M:%S")
    ids = [n["Snapshot"]["Value"] for n in (root, second, third)]
    detailed = tree(govc, "-D", "-i", "-d")
    assert detailed[0] == "[%s %s %d %s]  first - the first" % (
        ids[0], when.strftime("%b"), when.day, when.strftime("%H:%M"))
    assert detailed[1].startswith("  [%s " % ids[1]) and detailed[1].endswith("second -     ")
    assert detailed[3].startswith("    [%s " % ids[2]) and " . - " in detailed[3]

    govc("snapshot.revert", "-vm", VM, "first")  # a memory snapshot: running again
    assert power_state(govc) == "poweredOn"
    assert tree(govc, "-C") == ["first"]
    govc("snapshot.revert", "-vm", VM, "first/second")  # by tree path: disk only
    assert power_state(govc) == "poweredOff"
    govc("snapshot.revert", "-vm", VM, "-s", "first")  # memory, its power-on suppressed
    assert power_state(govc) == "suspended"
    govc("snapshot.revert", "-vm", VM)  # the current one
    assert power_state(govc) == "poweredOn"

    govc("snapshot.remove", "-vm", VM, ids[1])  # by moId: its child moves up
    assert tree(govc) == ["first", ".", "  third"]
    missing = govc("snapshot.remove", "-vm", VM, "second", ok=False)
    assert missing.returncode == 1 and 'snapshot "second" not found' in missing.stderr
    govc("snapshot.create", "-vm", VM, "-m=false", "fourth")
    govc("snapshot.remove", "-vm", VM, "-r", "first")  # with its children
    assert govc.out("snapshot.tree", "-vm", VM) == ""
    assert collected(govc, "rootSnapshot") == {"ManagedObjectReference": None}  # empty


def test_remove_all_and_the_files(govc):
    govc("snapshot.create", "-vm", VM, "one")
    govc("snapshot.create", "-vm", VM, "-m=false", "two")
    listed = govc.out("datastore.ls", "-ds", "LocalDS_0", VM + "/").split()
    assert sum(name.endswith(".vmsn") for name in listed) == 2
    assert sum(name.endswith(".vmem") for name in listed) == 1
    assert sum(name.startswith(VM + "-0000") for name in listed) == 2  # two deltas
    govc("snapshot.remove", "-vm", VM, "*")
    assert govc.out("snapshot.tree", "-vm", VM) == ""
    listed = govc.out("datastore.ls", "-ds", "LocalDS_0", VM + "/").split()
    assert not [name for name in listed if name.endswith((".vmsn", ".vmem"))
                or name.startswith(VM + "-0000")]


def test_clone_from_a_snapshot(govc):
    other = "DC0_H0_VM1"

    def cpus(name):
        return json.loads(govc.out("vm.info", "-json", name))["VirtualMachines"][0][
            "Config"]["Hardware"]["NumCPU"]
    before = cpus(other)
    govc("vm.power", "-off", other)
    govc("snapshot.create", "-vm", other, "-m=false", "base")
    govc("vm.change", "-vm", other, "-c", str(before + 2))
    assert cpus(other) == before + 2
    govc("vm.clone", "-vm", other, "-pool", "/DC0/host/DC0_H0/Resources", "-snapshot", "base",
         "-on=false", "from-base")
    assert cpus("from-base") == before  # as the snapshot kept it
    missing = govc("vm.clone", "-vm", other, "-pool", "/DC0/host/DC0_H0/Resources",
                   "-snapshot", "nope", "-on=false", "from-nothing", ok=False)
    assert missing.returncode == 1 and 'snapshot "nope" not found' in missing.stderr
