"""Building a Vcenter from a fixture: a YAML inventory (see README, "Fixtures")."""
import collections.abc
import copy
import os
import uuid

import yaml

from vimsim.model import dvs, guest, inventory, lifecycle, rules, schemas, vm_clone
from vimsim.model.datastore import Datastore
from vimsim.model.host import HostSystem
from vimsim.model.inventory import (ClusterComputeResource, ComputeResource, Folder, Network,
                                     ResourcePool, new_datacenter)
from vimsim.model.sessions import User
from vimsim.model.vcenter import Vcenter
from vimsim.zstack.models import ZStackBackend
from vimsim.vim25.data import DataObject

# Package data (setup.cfg, MANIFEST.in): found beside the code wherever vimsim is installed.
FIXTURES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "fixtures")


class FixtureError(ValueError):
    pass


def _shipped(folder):
    """The names of the YAML files in ``folder``, for an error message."""
    return ", ".join(sorted(name[:-5] for name in os.listdir(folder) if name.endswith(".yaml")))


def load(fixture):
    """A fixture as a dict, from a dict, a path, or a name of one vimsim ships (FIXTURES_DIR),
    checked (check())."""
    if isinstance(fixture, dict):
        data = copy.deepcopy(fixture)
        check(data, "the fixture")
        return data
    path = fixture
    if not os.path.exists(path):
        path = os.path.join(FIXTURES_DIR, "%s.yaml" % fixture)
    if not os.path.exists(path):
        raise FixtureError("no fixture named or at %r: give a YAML file's path or one of those "
                           "vimsim ships (%s)" % (fixture, _shipped(FIXTURES_DIR)))
    data = _read_yaml(path, "fixture")
    if not isinstance(data, dict):
        raise FixtureError("fixture %s is not a YAML mapping" % path)
    check(data, "fixture %s" % path)
    return data


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last
    silently: a second ``power_state`` would win unseen)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode) and not any(
                key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, collections.abc.Hashable) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark,
                        "found the key %r twice" % (key,), key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


def _read_yaml(path, what):
    try:
        with open(path) as f:
            return yaml.load(f, Loader=_Loader)
    except yaml.YAMLError as exc:  # where in the file, as the parser says it
        raise FixtureError("%s %s is not valid YAML: %s" % (what, path, " ".join(
            str(exc).split())))


def check(data, source):
    """Refuse a fixture the JSON Schema (``$defs/fixture`` of vimsim/schemas/vimsim.json)
    does not allow, or whose rules could not fire (rules.check), with FixtureError naming
    ``source``, the place in it and what was expected."""
    try:
        schemas.validate("fixture", data)
    except schemas.SchemaError as exc:
        raise FixtureError("%s: %s" % (source, exc))
    for i, rule in enumerate(data.get("rules") or ()):
        _check_rule(rule, "%s: rules[%d]" % (source, i))
    for i, scenario in enumerate(data.get("scenarios") or ()):
        for j, rule in enumerate(scenario.get("rules") if isinstance(scenario, dict) else ()):
            _check_rule(rule, "%s: scenarios[%d].rules[%d]" % (source, i, j))


def _check_rule(rule, where):
    try:
        rules.check(rule, where)
    except rules.RuleError as exc:
        raise FixtureError(str(exc))


def load_scenario(scenario):
    """A scenario's fault rules and what to call it in messages, from a dict, a path, or a
    name of one vimsim ships (FIXTURES_DIR/scenarios), checked against ``$defs/scenario`` of
    the schema."""
    if isinstance(scenario, dict):
        data, source = scenario, "scenario (inline)"
    else:
        path = scenario if os.path.exists(scenario) else os.path.join(
            FIXTURES_DIR, "scenarios", "%s.yaml" % scenario)
        if not os.path.exists(path):
            raise FixtureError("no scenario named or at %r: give a YAML file's path or one of "
                               "those vimsim ships (%s)" % (
                                   scenario, _shipped(os.path.join(FIXTURES_DIR, "scenarios"))))
        data, source = _read_yaml(path, "scenario"), "scenario %s" % path
    if not isinstance(data, dict):
        raise FixtureError("%s: a scenario is a mapping with a list of rules" % source)
    try:
        schemas.validate("scenario", data)
    except schemas.SchemaError as exc:
        raise FixtureError("%s: %s" % (source, exc))
    return data["rules"], source


def add_rules(vc, rules, source="the fixture"):
    for i, rule in enumerate(rules):
        try:
            vc.rules.add_spec(rule, "%s: rules[%d]" % (source, i))
        except ValueError as exc:
            raise FixtureError(str(exc))


def _vm_slots(data):
    """Every place VMs live (cluster pools, standalone hosts), each with its name prefix."""
    slots = []
    for dc in data.get("datacenters", ()):
        for cluster in dc.get("clusters", ()):
            slots.append((cluster.setdefault("vms", []), "%s_RP0" % cluster["name"], None))
            for i, pool in enumerate(cluster.get("pools", ())):
                pool = pool if isinstance(pool, dict) else {"name": pool}
                slots.append((cluster["vms"], "%s_RP%d" % (cluster["name"], i + 1), pool["name"]))
        for host in dc.get("hosts", ()):
            slots.append((host.setdefault("vms", []), host["name"], None))
    return slots


def scale(data, vms=None, hosts=None):
    """Grow (or trim) the fixture to ``vms`` VMs and ``hosts`` hosts in total."""
    if hosts is not None:
        clusters = [c for dc in data.get("datacenters", ()) for c in dc.get("clusters", ())]
        standalone = [h for dc in data.get("datacenters", ()) for h in dc.get("hosts", ())]
        groups = [c.setdefault("hosts", []) for c in clusters]
        total = sum(len(g) for g in groups) + len(standalone)
        if hosts < len(standalone) + len(groups):
            raise FixtureError("--hosts must be at least %d for this fixture"
                               % (len(standalone) + len(groups)))
        i = 0
        while total < hosts:
            group, cluster = groups[i % len(groups)], clusters[i % len(groups)]
            group.append("%s_H%d" % (cluster["name"], len(group)))
            total += 1
            i += 1
        while total > hosts:
            longest = max(groups, key=len)
            longest.pop()
            total -= 1
    if vms is not None:
        slots = _vm_slots(data)
        if not slots:
            raise FixtureError("the fixture has no cluster or host to place VMs on")
        total = sum(len(s[0]) for s in {id(s[0]): s for s in slots}.values())
        counters = {}
        i = 0
        while total < vms:
            vm_list, prefix, pool = slots[i % len(slots)]
            if prefix not in counters:
                counters[prefix] = sum(1 for v in vm_list
                                       if str(v.get("name", "")).startswith(prefix + "_VM"))
            n = counters[prefix]
            counters[prefix] = n + 1
            spec = {"name": "%s_VM%d" % (prefix, n)}
            if pool:
                spec["pool"] = pool
            vm_list.append(spec)
            total += 1
            i += 1
        while total > vms:
            vm_list = max((s[0] for s in slots), key=len)
            vm_list.pop()
            total -= 1
    return data


def build(data, clock):
    """A Vcenter holding the fixture's inventory, users and timings."""
    settings = data.get("settings") or {}
    try:
        vc = Vcenter(clock, timings=data.get("timings"), about=data.get("about"),
                     fault_delivery=settings.get("fault_delivery"))
    except ValueError as exc:
        raise FixtureError(str(exc))
    for spec in data.get("customization_specs", ()):
        vc.customization_spec_manager.store(DataObject(
            "CustomizationSpecItem",
            info=DataObject("CustomizationSpecInfo", name=spec["name"], type="Linux",
                            description=spec.get("description", "")),
            spec=guest.simple_spec(spec.get("hostname"), spec.get("ips", ()))))
    vc.unavailable_operations.update(settings.get("unavailable_operations", ()))
    for user in data.get("users") or [{"name": "user", "password": "pass", "role": "Admin"}]:
        vc.users[user["name"]] = User(user["name"], str(user["password"]),
                                      user.get("role", "Admin"), user.get("full_name"))
    defaults = data.get("vm_defaults", {})
    numbers = [_moid_number(m) for m in _moids(data.get("datacenters", ()))]
    if numbers:  # moIds given (an inventory loaded with --load): new ones come after them
        vc.set_moid_number(max(numbers) + 1)
    root = vc.root_folder = vc.add(Folder(vc, "group-d1", "Datacenters", None,
                                          ["Folder", "Datacenter"]))
    for dc_spec in data.get("datacenters", ()):
        _build_datacenter(vc, root, dc_spec, defaults)
    vc.zstack = ZStackBackend(vc, data.get("zstack"))
    add_rules(vc, data.get("rules", ()))
    for scenario in data.get("scenarios", ()):
        add_rules(vc, *load_scenario(scenario))
    return vc


def _moids(value):
    """Every ``moid`` a part of the fixture gives."""
    if isinstance(value, dict):
        if isinstance(value.get("moid"), str):
            yield value["moid"]
        for item in value.values():
            yield from _moids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _moids(item)


def _moid_number(moid):
    tail = moid.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _moid(vc, spec, prefix):
    """The moId a fixture entry gives, or the next one with vCenter's prefix."""
    return (spec.get("moid") if isinstance(spec, dict) else None) or vc.new_moid(prefix)


def _uuid(kind, name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, "%s.%s.vimsim" % (name, kind)))


def _build_datacenter(vc, root, spec, defaults):
    dc = new_datacenter(vc, root, spec["name"], spec.get("moid"), spec.get("folder_moids"))
    # Folders below each of the four, by kind and path ("prod/web"); "" is the top one.
    folders = {kind: {"": top} for kind, top in (
        ("vm", dc.vm_folder), ("host", dc.host_folder), ("datastore", dc.datastore_folder),
        ("network", dc.network_folder))}

    def folder_at(kind, path, moid=None):
        """The folder at ``path`` below the datacenter's ``kind`` folder, made with its
        parents if missing (``moid``: the last one's)."""
        known = folders[kind]
        if path not in known:
            parent_path, _, name = path.rpartition("/")
            parent = folder_at(kind, parent_path)
            prefix = next(p for held, p in lifecycle.FOLDER_PREFIXES if held in parent.child_type)
            folder = vc.add(Folder(vc, moid or vc.new_moid(prefix), name, parent,
                                   list(parent.child_type)))
            parent.children.append(folder)
            known[path] = folder
        return known[path]

    for kind in folders:
        for entry in spec.get(kind + "_folders", ()):
            entry = {"path": entry} if isinstance(entry, str) else entry
            folder_at(kind, entry["path"], entry.get("moid"))
    built = set()  # VM names so far: a second VM of one name gets its files in name_1/

    def build_vm(pool, host, vspec):
        vspec = dict(defaults, **vspec)
        vm = _build_vm(vc, dc, folder_at("vm", vspec.get("folder") or ""), pool, host, vspec,
                       vspec["name"] in built)
        built.add(vm.name)
    gib = 1024 ** 3
    for ds in spec.get("datastores", ()) or [{"name": "LocalDS_0"}]:
        parent = folder_at("datastore", ds.get("folder") or "")
        obj = vc.add(Datastore(vc, _moid(vc, ds, "datastore-"), ds["name"], parent,
                               int(float(ds.get("capacity_gb", 1024)) * gib),
                               int(float(ds.get("free_gb", 900)) * gib), uuid=ds.get("uuid")))
        parent.children.append(obj)
        dc.datastores.append(obj)
    for net in spec.get("networks", ()) or [{"name": "VM Network"}]:
        parent = folder_at("network", net.get("folder") or "")
        obj = vc.add(Network(vc, _moid(vc, net, "network-"), net["name"], parent))
        parent.children.append(obj)
        dc.networks.append(obj)
    switches = []
    for sw in spec.get("switches", ()):
        cls = dvs.VmwareDistributedVirtualSwitch if sw.get("type", "VmwareDistributedVirtualSwitch") \
            == "VmwareDistributedVirtualSwitch" else dvs.DistributedVirtualSwitch
        parent = folder_at("network", sw.get("folder") or "")
        switch = vc.add(cls(vc, _moid(vc, sw, "dvs-"), sw["name"], parent,
                            sw.get("uuid") or _uuid("dvs", sw["name"])))
        parent.children.append(switch)
        switches.append(switch)
        for pg in sw.get("portgroups", ()):  # in the switch's folder, as on vCenter
            obj = vc.add(dvs.DistributedVirtualPortgroup(
                vc, _moid(vc, pg, "dvportgroup-"), pg["name"], parent, switch,
                pg.get("key"), int(pg.get("ports", 8))))
            switch.portgroups.append(obj)
            parent.children.append(obj)
            dc.networks.append(obj)

    def new_host(spec, parent, compute):
        spec = {"name": spec} if isinstance(spec, str) else spec
        host = vc.add(HostSystem(vc, _moid(vc, spec, "host-"), spec["name"], parent,
                                 uuid=spec.get("uuid")))
        number = int(host.moid.split("-")[-1])
        host.ip_address = spec.get("ip") or "10.%d.%d.%d" % (200 + (number >> 16) % 50,
                                                              (number >> 8) & 0xFF, number & 0xFF)
        if spec.get("hypervisor_version"):
            host.hypervisor_version = spec["hypervisor_version"]
        host.datastores, host.networks = list(dc.datastores), list(dc.networks)
        for d in dc.datastores + dc.networks + switches:
            d.hosts.append(host)
        compute.hosts.append(host)
        return host

    def new_compute(cls, name, moid=None, pool_moid=None, folder=None):
        compute = inventory.new_compute(vc, cls, folder_at("host", folder or ""), name, moid,
                                        pool_moid)
        compute.datastores, compute.networks = list(dc.datastores), list(dc.networks)
        return compute

    for cspec in spec.get("clusters", ()):
        cluster = new_compute(ClusterComputeResource, cspec["name"],
                              cspec.get("moid"), cspec.get("pool_moid"), cspec.get("folder"))
        cluster.drs_enabled = bool(cspec.get("drs", True))
        cluster.ha_enabled = bool(cspec.get("ha", False))
        for hspec in cspec.get("hosts", ()):
            new_host(hspec, cluster, cluster)
        pools = {}
        for pspec in cspec.get("pools", ()):
            pname = pspec if isinstance(pspec, str) else pspec["name"]
            pool = vc.add(ResourcePool(vc, _moid(vc, pspec, "resgroup-"), pname,
                                       cluster.resource_pool, cluster))
            cluster.resource_pool.pools.append(pool)
            pools[pname] = pool
        for i, vspec in enumerate(cspec.get("vms", ())):
            pool = pools.get(vspec.get("pool"), cluster.resource_pool) if vspec.get("pool") \
                else cluster.resource_pool
            if vspec.get("pool") and vspec["pool"] not in pools:
                raise FixtureError("VM %s names unknown pool %s" % (vspec["name"], vspec["pool"]))
            if not cluster.hosts:
                raise FixtureError("cluster %s has VMs but no hosts" % cspec["name"])
            host = cluster.hosts[i % len(cluster.hosts)]
            if vspec.get("host"):  # placed on a named host of the cluster
                host = next((h for h in cluster.hosts if h.name == vspec["host"]), None)
                if host is None:
                    raise FixtureError("VM %s names host %s, not in cluster %s"
                                       % (vspec["name"], vspec["host"], cspec["name"]))
            build_vm(pool, host, vspec)
    for hspec in spec.get("hosts", ()):
        compute = new_compute(ComputeResource, hspec["name"],
                              hspec.get("compute_moid"), hspec.get("pool_moid"),
                              hspec.get("folder"))
        host = new_host(hspec, compute, compute)
        for vspec in hspec.get("vms", ()):
            build_vm(compute.resource_pool, host, vspec)
    order = {moid: i for i, moid in enumerate(spec.get("entity_order", ()))}
    if order:  # folders list their children in the order given
        for folder in (f for known in folders.values() for f in known.values()):
            folder.children.sort(key=lambda child: order.get(child.moid, len(order)))


def _build_vm(vc, dc, folder, pool, host, spec, name_taken):
    """A fixture VM (``spec`` with the defaults applied) in ``folder``; ``name_taken``: another
    VM of the datacenter has its name (in another folder)."""
    name = spec["name"]
    if spec.get("cpus", 1) % spec.get("cores_per_socket", 1):
        raise FixtureError("VM %s: cpus (%d) is not a multiple of cores_per_socket (%d)"
                           % (name, spec.get("cpus", 1), spec["cores_per_socket"]))
    identity = "%s/%s" % (spec["folder"], name) if spec.get("folder") else name
    spec.setdefault("uuid", _uuid("bios", identity))
    spec.setdefault("instance_uuid", _uuid("instance", identity))
    for key, known in (("datastores", dc.datastores), ("networks", dc.networks)):
        if key not in spec:
            spec[key] = known[:1]
            continue
        by_name = {obj.name: obj for obj in known}
        missing = [n for n in spec[key] if n not in by_name]
        if missing:
            raise FixtureError("VM %s names %s %s, not in datacenter %s"
                               % (name, key[:-1], ", ".join(missing), dc.name))
        spec[key] = [by_name[n] for n in spec[key]]
    if "ip" not in spec:  # a guest on a network has an address; `ip: null` for one without
        number = vc.peek_moid_number()
        spec["ip"] = "10.0.%d.%d" % ((number // 250) % 250, number % 250 + 2)
    if name_taken and spec["datastores"]:  # as vCenter names a new VM's folder: name_1/
        datastore = spec["datastores"][0]
        spec["vmx_path"] = vm_clone.vmx_path(datastore, vm_clone.free_folder(datastore, name),
                                             name)
    vm = vc.add_vm(spec, folder, pool, host, moid=spec.get("moid"))
    vc.managers["guestOperationsManager"].plan(vm, spec)
    return vm
