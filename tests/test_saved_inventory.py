"""`vimsim save DIR` and `vimsim serve --load DIR`: a running server's inventory written in the
format `govc object.save` writes (one ObjectContent file per object) and read back into a new
server, through real processes and pyVmomi. (govc and vcsim with the same directories: see
tests/clients/test_govc_saved_inventory.py.)"""
import subprocess
import sys

from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim

from tests.test_cli import refused, start, stop


def connect(url):
    return SmartConnect(host=url.hostname, port=url.port, user=url.username, pwd=url.password,
                        protocol="http")


def save(url, directory, *args):
    return subprocess.run([sys.executable, "-m", "vimsim", "save", str(directory), "--url",
                           url.geturl(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60)


def path_of(entity):
    names = []
    while entity is not None:
        names.append(entity.name)
        entity = entity.parent
    return "/".join(reversed(names))


def inventory(si):
    """Every entity by moId: (type, path); every VM: what a saved inventory keeps of it."""
    content = si.content
    entities = content.viewManager.CreateContainerView(content.rootFolder, [], True).view
    tree = {e._moId: (type(e).__name__, path_of(e)) for e in entities}
    vms = {}
    for vm in (e for e in entities if isinstance(e, vim.VirtualMachine)):
        config = vm.config
        vms[vm._moId] = dict(
            uuid=config.uuid, instance_uuid=config.instanceUuid, guest_id=config.guestId,
            cpus=config.hardware.numCPU, cores=config.hardware.numCoresPerSocket,
            memory=config.hardware.memoryMB,
            power=vm.runtime.powerState, host=vm.runtime.host.name, pool=vm.resourcePool.name,
            tools=vm.guest.toolsStatus, ip=vm.guest.ipAddress, host_name=vm.guest.hostName,
            macs=[d.macAddress for d in config.hardware.device
                  if isinstance(d, vim.vm.device.VirtualEthernetCard)],
            networks=[n.name for n in vm.network], datastores=[d.name for d in vm.datastore],
            extra={o.key: o.value for o in config.extraConfig})
    return tree, vms


def test_a_saved_inventory_loads_into_a_new_server_unchanged(tmp_path):
    proc, url = start("--http", "--vms", "12")
    try:
        si = connect(url)
        vm = next(e for e in si.content.viewManager.CreateContainerView(
            si.content.rootFolder, [vim.VirtualMachine], True).view if e.name == "DC0_H0_VM1")
        WaitForTask(vm.PowerOffVM_Task())  # a state of its own, which the save keeps
        WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=4, numCoresPerSocket=2)))
        done = save(url, tmp_path / "saved")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("saved ") and str(tmp_path / "saved") in done.stdout
        expected = inventory(si)
        Disconnect(si)
    finally:
        stop(proc)
    files = sorted(p.name for p in (tmp_path / "saved").iterdir())
    assert files[0] == "0000-ServiceInstance-ServiceInstance.xml"
    assert any(f.endswith("-VirtualMachine-%s.xml" % moid) for f in files for moid in expected[1])
    proc, url = start("--http", "--load", str(tmp_path / "saved"))
    try:
        si = connect(url)
        tree, vms = inventory(si)
        assert tree == expected[0]
        assert vms == expected[1]
        assert sum(1 for v in vms.values() if v["power"] == "poweredOff") == 1
        Disconnect(si)
    finally:
        stop(proc)


def saved(tmp_path, arrange):
    """What ``arrange(si)`` left on a new server (inventory's view), saved into tmp_path/saved."""
    proc, url = start("--http", "--clock", "auto")
    try:
        si = connect(url)
        arrange(si)
        expected = inventory(si)
        Disconnect(si)
        done = save(url, tmp_path / "saved")
        assert done.returncode == 0, done.stderr
    finally:
        stop(proc)
    return expected


def test_nested_vm_folders_and_vms_of_one_name_in_them_load_back(tmp_path):
    """VM folders at any depth, an empty one included, and VMs that share a name in different
    folders (as vCenter allows) come back where they were, with their moIds and UUIDs."""
    def arrange(si):
        content = si.content
        vm_folder = content.rootFolder.childEntity[0].vmFolder
        web = vm_folder.CreateFolder("prod").CreateFolder("web")
        vm_folder.CreateFolder("empty")
        source = next(e for e in content.viewManager.CreateContainerView(
            content.rootFolder, [vim.VirtualMachine], True).view if e.name == "DC0_H0_VM0")
        WaitForTask(source.CloneVM_Task(folder=web, name=source.name,
                                        spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec())))
    expected = saved(tmp_path, arrange)
    paths = sorted(path for kind, path in expected[0].values() if "DC0/vm/" in path)
    assert "Datacenters/DC0/vm/prod/web/DC0_H0_VM0" in paths and \
        "Datacenters/DC0/vm/DC0_H0_VM0" in paths and "Datacenters/DC0/vm/empty" in paths
    proc, url = start("--http", "--load", str(tmp_path / "saved"))
    try:
        si = connect(url)
        assert inventory(si) == expected
        found = si.content.searchIndex.FindByInventoryPath("DC0/vm/prod/web/DC0_H0_VM0")
        assert found is not None and found.parent.name == "web"
        Disconnect(si)
    finally:
        stop(proc)


def test_host_datastore_and_network_folders_load_back(tmp_path):
    """A cluster, a standalone host, a datastore and the networks moved into folders below
    their datacenter folders come back there (--load used to put them all at the top)."""
    def arrange(si):
        content = si.content
        dc = content.rootFolder.childEntity[0]
        view = content.viewManager.CreateContainerView(content.rootFolder, [], True).view

        def named(kind, name):
            return next(e for e in view if isinstance(e, kind) and e.name == name)
        prod = dc.hostFolder.CreateFolder("prod")
        WaitForTask(prod.CreateFolder("edge").MoveIntoFolder_Task([
            named(vim.ClusterComputeResource, "DC0_C0")]))
        WaitForTask(prod.MoveIntoFolder_Task([named(vim.ComputeResource, "DC0_H0")]))
        WaitForTask(dc.datastoreFolder.CreateFolder("fast").MoveIntoFolder_Task([
            named(vim.Datastore, "LocalDS_0")]))
        nets = dc.networkFolder.CreateFolder("nets")
        WaitForTask(nets.MoveIntoFolder_Task([e for e in dc.networkFolder.childEntity
                                              if e != nets]))
        dc.datastoreFolder.CreateFolder("empty")
    expected = saved(tmp_path, arrange)
    paths = {path for kind, path in expected[0].values()}
    assert {"Datacenters/DC0/host/prod/edge/DC0_C0", "Datacenters/DC0/host/prod/DC0_H0",
            "Datacenters/DC0/datastore/fast/LocalDS_0", "Datacenters/DC0/network/nets/VM Network",
            "Datacenters/DC0/datastore/empty"} <= paths
    proc, url = start("--http", "--load", str(tmp_path / "saved"))
    try:
        si = connect(url)
        assert inventory(si) == expected
        found = si.content.searchIndex.FindByInventoryPath("DC0/host/prod/edge/DC0_C0")
        assert isinstance(found, vim.ClusterComputeResource)
        Disconnect(si)
    finally:
        stop(proc)


def test_load_refuses_what_is_not_a_saved_inventory(tmp_path):
    assert "not a directory" in refused("--load", str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    assert "no saved objects" in refused("--load", str(tmp_path / "empty"))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "0000-Folder-group-d1.xml").write_text("<ObjectContent><obj>")
    message = refused("--load", str(bad))
    assert str(bad / "0000-Folder-group-d1.xml") in message and "not a saved object" in message
    (bad / "0000-Folder-group-d1.xml").write_text("<Other/>")
    assert "an ObjectContent with obj" in refused("--load", str(bad))


def test_load_checks_what_it_read_as_any_fixture(tmp_path):
    """What a saved inventory gives is checked against the fixture schema: a datacenter
    without a name is refused, naming the directory and the place."""
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "0001-Datacenter-datacenter-2.xml").write_text(
        '<ObjectContent xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<obj type="Datacenter">datacenter-2</obj><propSet><name>vmFolder</name>'
        '<val type="Folder" xsi:type="ManagedObjectReference">group-v3</val></propSet>'
        '</ObjectContent>')
    assert refused("--load", str(saved)) == (
        "vimsim: --load %s: datacenters[0].name: '' should be non-empty\n" % saved)


def test_save_says_why_it_cannot(tmp_path):
    proc, url = start("--http")
    try:
        wrong = url._replace(netloc="user:wrong@%s:%d" % (url.hostname, url.port))
        done = save(wrong, tmp_path / "saved")
        assert done.returncode == 1
        assert done.stderr.startswith("vimsim save: Login: ") and "Traceback" not in done.stderr
    finally:
        stop(proc)
    done = subprocess.run([sys.executable, "-m", "vimsim", "save", str(tmp_path / "x")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 2 and "--url" in done.stderr
