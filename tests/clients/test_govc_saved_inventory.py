"""An inventory saved with `govc object.save` loaded into vimsim (`vimsim serve --load DIR`),
and one saved with `vimsim save DIR` loaded into vcsim (`vcsim -load DIR`): govc 0.24 sees the
same objects at the same paths in both, and the same VMs (identity, placement, hardware, power,
NICs). vimsim answers more of vCenter's properties than vcsim (config.flags, extraConfig's
defaults, a CD-ROM's device name...); those are not compared."""
import json
import os
import re
import subprocess
import sys

import pytest

from .conftest import VimsimProcess
from .test_govc import Govc
from .tools import anchor_binaries

# What a saved inventory carries about a VM, as `govc vm.info -json` prints it.
VM_FIELDS = ("Self", "Name", "Parent", "ResourcePool", "Datastore", "Network", "Runtime.Host",
             "Runtime.PowerState", "Config.Name", "Config.Uuid", "Config.InstanceUuid",
             "Config.GuestId", "Config.GuestFullName", "Config.Template", "Config.Annotation",
             "Config.Hardware.NumCPU", "Config.Hardware.MemoryMB", "Guest.ToolsStatus",
             "Guest.IpAddress", "Summary.Config.Name", "Summary.Config.Uuid",
             "Summary.Config.NumCpu", "Summary.Config.MemorySizeMB", "Summary.Runtime.PowerState",
             "Summary.Runtime.Host")
NIC_FIELDS = ("Key", "MacAddress", "Backing")


class VcsimProcess:
    """vcsim 0.24 on a free port, with its default inventory or one loaded from ``load``."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([anchor_binaries()[0], "-l", "127.0.0.1:0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        found = re.search(r"GOVC_URL=https://([^:]+):([^@]+)@([^:/]+):(\d+)/sdk", line)
        if not found:
            self.proc.kill()
            raise RuntimeError("vcsim did not start: %r %s" % (line, self.proc.stderr.read()))
        self.user, self.password, self.host = found.group(1, 2, 3)
        self.port = int(found.group(4))
        self.url = "https://%s:%s@%s:%d/sdk" % (self.user, self.password, self.host, self.port)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def field(value, path):
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def vm_view(govc):
    """Each VM's saved fields and NICs by name, as govc vm.info -json prints them."""
    info = json.loads(govc.out("vm.info", "-json", "/DC0/vm/*"))
    view = {}
    for vm in info["VirtualMachines"]:
        nics = [{k: d.get(k) for k in NIC_FIELDS}
                for d in vm["Config"]["Hardware"]["Device"] if d.get("MacAddress")]
        view[vm["Name"]] = dict({f: field(vm, f) for f in VM_FIELDS}, nics=nics)
    return view


def listing(govc):
    return sorted(govc.out("find", "-l", "/").splitlines())


@pytest.fixture(scope="module")
def vcsim_saved(tmp_path_factory):
    """vcsim's default inventory, saved by govc object.save; and the running vcsim."""
    vcsim = VcsimProcess()
    directory = tmp_path_factory.mktemp("vcsim-saved")
    govc = Govc(vcsim, tmp_path_factory.mktemp("govc-home"))
    govc("object.save", "-d", str(directory / "inv"))
    yield vcsim, govc, directory / "inv"
    vcsim.stop()


def test_a_govc_saved_inventory_loads_into_vimsim(vcsim_saved, tmp_path):
    vcsim, vcsim_govc, saved = vcsim_saved
    assert len(os.listdir(saved)) > 50
    server = VimsimProcess(tmp_path, "--load", str(saved))
    try:
        govc = Govc(server, tmp_path / "home")
        assert listing(govc) == listing(vcsim_govc)
        for path in ("/DC0", "/DC0/vm", "/DC0/host/DC0_C0", "/DC0/network", "/DC0/datastore"):
            assert govc.out("ls", "-l", path) == vcsim_govc.out("ls", "-l", path), path
        ours, theirs = vm_view(govc), vm_view(vcsim_govc)
        assert sorted(ours) == sorted(theirs) == ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1",
                                                  "DC0_H0_VM0", "DC0_H0_VM1"]
        for name in theirs:
            assert ours[name] == theirs[name], name
        # vcsim's VMs sit on its distributed port group: a NIC's backing names the switch
        assert theirs["DC0_H0_VM0"]["nics"][0]["Backing"]["Port"]["PortgroupKey"] == \
            "dvportgroup-13"
    finally:
        server.stop()
    assert "Traceback" not in server.log()


def test_vimsim_save_loads_into_vcsim_and_back_into_vimsim(tmp_path):
    server = VimsimProcess(tmp_path)
    saved = tmp_path / "saved"
    try:
        env = {k: v for k, v in os.environ.items() if k != "VIMSIM_URL"}
        done = subprocess.run(
            [sys.executable, "-m", "vimsim", "save", str(saved), "--url",
             "https://%s:%s@%s:%d/sdk" % (server.user, server.password, server.host,
                                          server.port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert re.match(r"saved \d+ objects in ", done.stdout)
        original = Govc(server, tmp_path / "home0")
        expected_listing, expected_vms = listing(original), vm_view(original)
    finally:
        server.stop()
    vcsim = VcsimProcess("-load", str(saved))
    try:
        govc = Govc(vcsim, tmp_path / "home1")
        assert listing(govc) == expected_listing
        assert sorted(vm_view(govc)) == sorted(expected_vms)
    finally:
        vcsim.stop()
    (tmp_path / "again").mkdir()
    again = VimsimProcess(tmp_path / "again", "--load", str(saved))
    try:
        govc = Govc(again, tmp_path / "home2")
        assert listing(govc) == expected_listing
        assert vm_view(govc) == expected_vms
    finally:
        again.stop()
