"""Snapshots: the whole durable state of a Vcenter as JSON, and back.

Kept: every VM (power, VMware Tools, guest network and accounts, addresses, host name, the
customization state, placement and moId, instant clones included), fault rules with their
counts, the moId counter and virtual time. Not kept, as a restarted vCenter does not keep
them: sessions, views, property filters, tasks in flight (a customization PENDING or RUNNING
resumes from where it was).
"""
import json
import os

from vimsim.model import fixture as fixtures
from vimsim.model import guest
from vimsim.vim25.data import format_datetime, parse_datetime

FORMAT = 1


def _time(value):
    return format_datetime(value) if value is not None else None


def _vm(vm):
    c = vm.customization
    return {
        "moid": vm.moid, "name": vm.name, "folder": vm.parent.moid, "pool": vm.pool.moid,
        "host": vm.host.moid, "networks": [n.moid for n in vm.networks],
        "datastores": [d.moid for d in vm.datastores], "guest_id": vm.guest_id,
        "guest_full_name": vm.guest_full_name, "guest_family": vm.guest_family,
        "cpus": vm.num_cpu, "memory_mb": vm.memory_mb, "uuid": vm.uuid,
        "instance_uuid": vm.instance_uuid, "tools_installed": vm.tools_installed,
        "tools_autostart": vm.tools_autostart, "power_state": vm.power_state,
        "tools_running": vm.tools_running, "hostname": vm.host_name,
        "nic_addresses": vm.nic_addresses, "guest_network_up": vm.guest_network_up,
        "guest_accounts": [{"username": a.username, "password": a.password,
                            "privileged": a.privileged} for a in vm.guest_accounts.values()],
        "customization": vm.customization_plan, "hypervisor_version": vm.hypervisor_version,
        "boot_time": _time(vm.boot_time),
        "customization_state": {"status": c.status, "start_time": _time(c.start_time),
                                "end_time": _time(c.end_time), "error": c.error},
    }


def save(vc, fixture_data):
    """The snapshot of ``vc`` (built from ``fixture_data``) as a JSON-able dict."""
    rules = [dict(r.describe()) for r in vc.rules.rules]
    return {"format": FORMAT, "fixture": fixture_data, "time": vc.clock.time(),
            "next_id": vc.peek_moid_number(),
            "vms": [_vm(o) for o in vc.objects.values() if o.vim_type == "VirtualMachine"],
            "rules": rules}


def restore(snapshot, clock):
    """A Vcenter in the state a snapshot recorded."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise fixtures.FixtureError("not a vimsim snapshot (format %s)" % FORMAT)
    data = dict(snapshot["fixture"])
    data.pop("rules", None)
    data["scenarios"] = []
    if clock.mode != "real":
        clock._virtual = snapshot["time"]
    vc = fixtures.build(data, clock)
    for state in snapshot["vms"]:
        vm = vc.objects.get(state["moid"])
        if vm is None:  # an instant clone: placed where it was, with its moId
            spec = dict(state, networks=[vc.objects[m] for m in state["networks"]],
                        datastores=[vc.objects[m] for m in state["datastores"]])
            vm = vc.add_vm(spec, vc.objects[state["folder"]], vc.objects[state["pool"]],
                           vc.objects[state["host"]], moid=state["moid"])
        vm.power_state = state["power_state"]
        vm.tools_running = state["tools_running"]
        vm.tools_autostart = state["tools_autostart"]
        vm.host_name = state["hostname"]
        vm.nic_addresses = list(state["nic_addresses"])
        vm.guest_network_up = state["guest_network_up"]
        vm.boot_time = parse_datetime(state["boot_time"]) if state["boot_time"] else None
        vm.guest_accounts = guest.accounts(state["guest_accounts"])
        c, saved = vm.customization, state["customization_state"]
        c.status, c.error = saved["status"], saved["error"]
        c.start_time = parse_datetime(saved["start_time"]) if saved["start_time"] else None
        c.end_time = parse_datetime(saved["end_time"]) if saved["end_time"] else None
        if c.in_progress:
            c.spec = guest.simple_spec(vm.host_name)
            vc.guest_customization_manager.resume(vm)
    vc.set_moid_number(snapshot["next_id"])
    for rule in snapshot["rules"]:
        counts = {k: rule.pop(k) for k in ("id", "hits", "calls")}
        added = vc.rules.add(**rule)
        added.hits, added.calls = counts["hits"], counts["calls"]
    return vc


def write(path, snapshot):
    """Write atomically: a reader never sees half a snapshot, a crash never loses the old."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(snapshot, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read(path):
    with open(path) as f:
        return json.load(f)
