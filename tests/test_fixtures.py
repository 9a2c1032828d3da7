"""Fixtures: the README's example loads, scaling spreads VMs and hosts, errors are clear."""
import os
import re

import pytest
import yaml

from vimsim.model import fixture as fixtures
from vimsim.model.clock import Clock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_readme_fixture_example_builds():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    block = re.search(r"Format \(every key.*?```yaml\n(.*?)```", readme, re.S).group(1)
    vc = fixtures.build(yaml.safe_load(block), Clock("virtual"))
    vms = {o.name: o for o in vc.objects.values() if o.vim_type == "VirtualMachine"}
    assert set(vms) == {"web01", "db01", "appliance", "bare", "flaky", "win01", "DC0_H0_VM0"}
    assert vms["web01"].pool.name == "DC0_C0_RP1" and vms["web01"].ip_address == "10.0.0.5"
    assert vms["db01"].power_state == "poweredOff"
    assert not vms["appliance"].tools_running and not vms["bare"].tools_installed
    assert vms["win01"].guest_family == "windowsGuest"
    assert [vms["web01"].parent.name, vms["web01"].parent.parent.name] == ["web", "prod"]
    assert vms["web01"].parent.parent.parent is vms["db01"].parent
    assert vc.timings["customization_running"] == 3
    assert vc.users["user"].role == "Admin"


def test_scaling_spreads_vms_over_every_pool_and_host():
    data = fixtures.scale(fixtures.load("default"), vms=23, hosts=7)
    vc = fixtures.build(data, Clock("virtual"))
    vms = [o for o in vc.objects.values() if o.vim_type == "VirtualMachine"]
    hosts = [o for o in vc.objects.values() if o.vim_type == "HostSystem"]
    assert len(vms) == 23 and len({v.name for v in vms}) == 23
    assert len(hosts) == 7
    pools = {v.pool.name for v in vms}
    assert pools == {"Resources", "DC0_C0_RP1"}
    assert {v.host.name for v in vms} == {h.name for h in hosts}
    trimmed = fixtures.scale(fixtures.load("default"), vms=2)
    assert sum(len(h.get("vms", ())) for dc in trimmed["datacenters"]
               for h in dc.get("hosts", []) + dc.get("clusters", [])) == 2


@pytest.mark.parametrize("data, message", [
    ({"timings": {"power_op": 1, "warp": 2}}, "unknown timings: warp"),
    ({"users": [{"name": "x", "password": "y", "role": "God"}]}, "unknown role"),
    ({"settings": {"fault_delivery": {"InvalidLogin": "later"}}}, "'call' or 'task'"),
])
def test_bad_fixtures_say_what_is_wrong(data, message):
    with pytest.raises(ValueError, match=message):
        fixtures.build(data, Clock("virtual"))


def test_vms_of_one_name_in_different_folders_are_different_vms():
    """A name is unique in its folder (vCenter's DuplicateName), not in the datacenter: each
    VM of the name has its own UUIDs and, as vCenter names a new VM's folder, its own files."""
    vc = fixtures.build({"datacenters": [{
        "name": "DC0", "vm_folders": ["prod", {"path": "prod/web", "moid": "group-v77"}],
        "clusters": [{"name": "C0", "hosts": ["H0"], "vms": [
            {"name": "web01", "folder": "prod/web"}, {"name": "web01"},
            {"name": "db01", "folder": "staging/db"}]}]}]}, Clock("virtual"))
    vms = [o for o in vc.objects.values() if o.vim_type == "VirtualMachine"]
    web = [vm for vm in vms if vm.name == "web01"]
    assert [vm.parent.name for vm in web] == ["web", "vm"]
    assert web[0].parent.moid == "group-v77" and web[0].parent.parent.name == "prod"
    assert len({vm.uuid for vm in web}) == len({vm.instance_uuid for vm in web}) == 2
    assert [vm.vmx_path for vm in web] == ["[LocalDS_0] web01/web01.vmx",
                                           "[LocalDS_0] web01_1/web01.vmx"]
    assert web[1].disks[0]["file"].startswith("[LocalDS_0] web01_1/")
    db = next(vm for vm in vms if vm.name == "db01")
    assert [db.parent.name, db.parent.parent.name, db.parent.parent.parent.name] == \
        ["db", "staging", "vm"]


def test_clusters_hosts_datastores_and_networks_go_in_folders_of_their_kind():
    vc = fixtures.build({"datacenters": [{
        "name": "DC0", "host_folders": [{"path": "prod", "moid": "group-h90"}],
        "datastore_folders": ["fast"], "network_folders": ["nets"],
        "datastores": [{"name": "ssd", "folder": "fast"}, {"name": "hdd"}],
        "networks": [{"name": "VM Network", "folder": "nets/vlan"}],
        "switches": [{"name": "DSwitch", "folder": "nets", "portgroups": [{"name": "pg"}]}],
        "clusters": [{"name": "C0", "folder": "prod/edge", "hosts": ["H0"],
                      "vms": [{"name": "web01"}]}],
        "hosts": [{"name": "H1", "folder": "prod"}]}]}, Clock("virtual"))

    def path(name):
        obj = next(o for o in vc.objects.values() if getattr(o, "name", None) == name)
        names = []
        while obj is not None and obj.vim_type != "Datacenter":
            names.append(obj.name)
            obj = obj.parent
        return "/".join(reversed(names))
    assert path("C0") == "host/prod/edge/C0" and path("H1") == "host/prod/H1"
    assert path("ssd") == "datastore/fast/ssd" and path("hdd") == "datastore/hdd"
    assert path("VM Network") == "network/nets/vlan/VM Network"
    assert path("DSwitch") == path("pg").replace("pg", "DSwitch") == "network/nets/DSwitch"
    prod = vc.objects["group-h90"]
    assert prod.name == "prod" and prod.child_type == ["Folder", "ComputeResource"]
    edge = next(o for o in prod.children if o.name == "edge")
    assert edge.moid.startswith("group-h")
    vm = next(o for o in vc.objects.values() if getattr(o, "name", None) == "web01")
    assert vm.datacenter().name == "DC0" and vm.host.name == "H0"
