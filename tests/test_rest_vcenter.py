"""The Automation API's vcenter inventory over /api and /rest: VM info, power through the
model's one call path, guest identity, and the inventory lists with their filters."""
import pytest

from test_rest import Rest, api_error, close_sdk_clients, rest_error  # noqa: F401 (autouse)


@pytest.fixture
def auto(make_emulator):
    """A server whose clock runs ahead whenever every client waits (power answers at once)."""
    return make_emulator(clock="auto")


def vm_id(emulator, name):
    return emulator.call(lambda: next(o.moid for o in emulator.vc.objects.values()
                                      if o.vim_type == "VirtualMachine" and o.name == name))


def test_vm_info_in_both_dialects(auto):
    rest = Rest(auto)
    vm = vm_id(auto, "DC0_H0_VM0")
    r = rest.get("/api/vcenter/vm/" + vm)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    info = r.json()
    assert info["name"] == "DC0_H0_VM0" and info["power_state"] == "POWERED_ON"
    assert info["guest_OS"] == "OTHER_LINUX_64"
    assert info["cpu"]["count"] == 1 and info["memory"]["size_MiB"] == 32
    assert info["disks"]["2000"]["backing"]["vmdk_file"] == "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmdk"
    assert info["nics"]["4000"]["backing"]["network_name"] == "VM Network"
    assert info["identity"]["bios_uuid"] and info["scsi_adapters"]["1000"]["type"] == "PVSCSI"
    old = rest.get("/rest/vcenter/vm/" + vm).json()["value"]
    assert old["name"] == "DC0_H0_VM0"
    assert old["disks"] == [{"key": "2000", "value": info["disks"]["2000"]}]
    api_error(rest.get("/api/vcenter/vm/vm-99999"), 404, "NOT_FOUND")
    rest_error(rest.get("/rest/vcenter/vm/vm-99999"), 404, "not_found")


def test_power_runs_the_vim25_task_and_answers_when_done(auto):
    rest = Rest(auto)
    vm = vm_id(auto, "DC0_H0_VM1")
    assert rest.get("/api/vcenter/vm/%s/power" % vm).json() == {"state": "POWERED_ON"}
    r = rest.http.post(auto.base + "/api/vcenter/vm/%s/power?action=stop" % vm,
                       headers=rest.headers, timeout=10)
    assert r.status_code == 204 and r.content == b"" and "Content-Type" not in r.headers
    assert rest.get("/api/vcenter/vm/%s/power" % vm).json() == {
        "state": "POWERED_OFF", "clean_power_off": True}
    assert auto.call(lambda: auto.vc.objects[vm].power_state) == "poweredOff"
    again = rest.http.post(auto.base + "/api/vcenter/vm/%s/power?action=stop" % vm,
                           headers=rest.headers, timeout=10)
    api_error(again, 400, "ALREADY_IN_DESIRED_STATE")
    api_error(rest.http.post(auto.base + "/api/vcenter/vm/%s/power?action=suspend" % vm,
                             headers=rest.headers, timeout=10), 400,
              "NOT_ALLOWED_IN_CURRENT_STATE")
    r = rest.http.post(auto.base + "/rest/vcenter/vm/%s/power/start" % vm,
                       headers=rest.headers, timeout=10)
    assert r.status_code == 200
    assert rest.get("/rest/vcenter/vm/%s/power" % vm).json() == {"value": {"state": "POWERED_ON"}}
    # The task is the vim25 one: it is in the VM's recent tasks, as PowerOnVM_Task.
    names = auto.call(lambda: [t.info.name for t in auto.vc.task_manager.recent.values()
                               if t.info.entity.value == vm])
    assert names == ["PowerOffVM_Task", "SuspendVM_Task", "PowerOnVM_Task"]


def test_power_obeys_the_vim25_privilege_and_fault_rules(auto):
    vm = vm_id(auto, "DC0_H0_VM0")
    readonly = Rest(auto, "readonly", "readonly")
    api_error(readonly.http.post(auto.base + "/api/vcenter/vm/%s/power?action=stop" % vm,
                                 headers=readonly.headers, timeout=10), 403, "UNAUTHORIZED")
    rule = auto.call(auto.vc.rules.add, operation="PowerOffVM_Task", fault="TaskInProgress")
    rest = Rest(auto)
    api_error(rest.http.post(auto.base + "/api/vcenter/vm/%s/power?action=stop" % vm,
                             headers=rest.headers, timeout=10), 400,
              "NOT_ALLOWED_IN_CURRENT_STATE")
    assert rule.hits == 1


def test_the_tagging_service_is_there_and_empty(auto):
    rest = Rest(auto)
    for path in ("/api/cis/tagging/category", "/api/cis/tagging/tag"):
        assert rest.get(path).json() == []
    for path in ("/rest/com/vmware/cis/tagging/category", "/rest/com/vmware/cis/tagging/tag"):
        assert rest.get(path).json() == {"value": []}
    attached = rest.http.post(auto.base + "/rest/com/vmware/cis/tagging/tag-association"
                              "?~action=list-attached-tags-on-objects", headers=rest.headers,
                              json={"object_ids": []}, timeout=10)
    assert attached.json() == {"value": []}


def test_guest_identity(auto):
    rest = Rest(auto)
    identity = rest.get("/api/vcenter/vm/%s/guest/identity" % vm_id(auto, "DC0_H0_VM0")).json()
    assert identity["family"] == "LINUX" and identity["host_name"] == "dc0-h0-vm0"
    assert identity["name"] == "OTHER_LINUX_64" and identity["ip_address"].startswith("10.0.")
    assert identity["full_name"]["default_message"] == "Other Linux (64-bit)"
    api_error(rest.get("/api/vcenter/vm/%s/guest/identity" % vm_id(auto, "DC0_C0_RP0_NoTools")),
              503, "SERVICE_UNAVAILABLE")


def test_guest_operations_readiness(auto):
    """Vm.Guest.Operations.get (/api only, since 7.0.2): ready while VMware Tools run, as
    guest.guestOperationsReady; never for interactive operations."""
    rest = Rest(auto)
    vm = vm_id(auto, "DC0_H0_VM0")
    assert rest.get("/api/vcenter/vm/%s/guest/operations" % vm).json() == {
        "guest_operations_ready": True, "interactive_guest_operations_ready": False}
    no_tools = vm_id(auto, "DC0_C0_RP0_NoTools")
    assert rest.get("/api/vcenter/vm/%s/guest/operations" % no_tools).json()[
        "guest_operations_ready"] is False
    assert rest.http.post(auto.base + "/api/vcenter/vm/%s/power?action=stop" % vm,
                          headers=rest.headers, timeout=10).status_code == 204
    assert rest.get("/api/vcenter/vm/%s/guest/operations" % vm).json()[
        "guest_operations_ready"] is False
    api_error(rest.get("/api/vcenter/vm/vm-999/guest/operations"), 404, "NOT_FOUND")
    assert rest.get("/rest/vcenter/vm/%s/guest/operations" % vm).status_code == 404


def test_inventory_lists_and_filters(auto):
    rest = Rest(auto)
    hosts = rest.get("/api/vcenter/host").json()
    assert {h["name"] for h in hosts} == {"DC0_H0", "DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"}
    assert all(h["connection_state"] == "CONNECTED" for h in hosts)
    assert [h["name"] for h in rest.get("/api/vcenter/host?standalone=true").json()] == ["DC0_H0"]
    api_error(rest.get("/api/vcenter/host?standalone=maybe"), 400, "INVALID_ARGUMENT")
    head = rest.http.head(auto.base + "/api/vcenter/host", headers=rest.headers, timeout=10)
    assert head.status_code == 200 and head.content == b"" and \
        int(head.headers["Content-Length"]) == len(rest.get("/api/vcenter/host").content)
    vm = hosts and rest.get("/api/vcenter/vm").json()[0]["vm"]
    api_error(rest.get("/api/vcenter/vm/%s%%2Fpower" % vm), 404, "NOT_FOUND")
    [dc] = rest.get("/api/vcenter/datacenter").json()
    host_folder = rest.get("/api/vcenter/datacenter/" + dc["datacenter"]).json()["host_folder"]
    in_folder = rest.get("/api/vcenter/host", params={"folders": host_folder}).json()
    assert {h["name"] for h in in_folder} == {h["name"] for h in hosts}  # all, by their compute
    [cluster] = rest.get("/api/vcenter/cluster").json()
    assert cluster["name"] == "DC0_C0"
    clustered = rest.get("/api/vcenter/host", params={"clusters": cluster["cluster"]}).json()
    assert len(clustered) == 3
    [ds] = rest.get("/api/vcenter/datastore").json()
    assert ds["name"] == "LocalDS_0" and ds["capacity"] > ds["free_space"] > 0
    assert [n["name"] for n in rest.get("/api/vcenter/network").json()] == ["VM Network"]
    [dc] = rest.get("/api/vcenter/datacenter").json()
    assert dc["name"] == "DC0"
    folders = rest.get("/api/vcenter/folder", params={"type": "VIRTUAL_MACHINE"}).json()
    assert [f["name"] for f in folders] == ["vm"]
    pools = rest.get("/api/vcenter/resource-pool", params={"clusters": cluster["cluster"]}).json()
    assert sorted(p["name"] for p in pools) == ["DC0_C0_RP1", "Resources"]
    vms = rest.get("/api/vcenter/vm", params={"hosts": hosts[0]["host"]}).json()
    assert vms and all(v["vm"] for v in vms)
    in_dc = rest.get("/api/vcenter/vm", params={"datacenters": dc["datacenter"],
                                                "names": ["DC0_H0_VM0", "DC0_H0_VM1"]}).json()
    assert sorted(v["name"] for v in in_dc) == ["DC0_H0_VM0", "DC0_H0_VM1"]
    old = rest.get("/rest/vcenter/host", params={"filter.standalone": "true"}).json()
    assert [h["name"] for h in old["value"]] == ["DC0_H0"]
    noaccess = Rest(auto, "noaccess", "noaccess")
    assert noaccess.get("/api/vcenter/host").json() == []


def test_sdk_inventory_lists_and_guest_identity(make_emulator, tmp_path):
    from test_rest import sdk_client
    from test_durability import wait_for
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))
    client = sdk_client(emulator)
    vcenter = client.vcenter
    [dc] = vcenter.Datacenter.list()
    assert dc.name == "DC0"
    hosts = vcenter.Host.list(vcenter.Host.FilterSpec(datacenters={dc.datacenter}))
    assert len(hosts) == 4 and {h.connection_state for h in hosts} == {"CONNECTED"}
    [cluster] = vcenter.Cluster.list()
    assert cluster.name == "DC0_C0"
    pools = vcenter.ResourcePool.list(vcenter.ResourcePool.FilterSpec(clusters={cluster.cluster}))
    assert sorted(p.name for p in pools) == ["DC0_C0_RP1", "Resources"]
    [ds] = vcenter.Datastore.list()
    assert ds.name == "LocalDS_0" and ds.capacity > ds.free_space
    [net] = vcenter.Network.list()
    assert net.name == "VM Network"
    folders = vcenter.Folder.list(vcenter.Folder.FilterSpec(type="VIRTUAL_MACHINE"))
    assert [f.name for f in folders] == ["vm"]
    [vm] = vcenter.VM.list(vcenter.VM.FilterSpec(names={"DC0_H0_VM0"}))
    assert client.tagging.Category.list() == [] and client.tagging.Tag.list() == []
    assert client.tagging.TagAssociation.list_attached_tags(
        {"type": "VirtualMachine", "id": vm.vm}) == []
    identity = vcenter.vm.guest.Identity.get(vm.vm)
    assert identity.family == "LINUX" and identity.name == "OTHER_LINUX_64"
    assert identity.host_name == "dc0-h0-vm0" and identity.ip_address.startswith("10.0.")
    assert identity.full_name.default_message == "Other Linux (64-bit)"


def test_a_delay_rule_holds_a_rest_answer_on_the_clock(make_emulator, tmp_path):
    """Fault rules act alike on every surface: a delay on an Automation API operation holds
    its answer for the rule's clock seconds, over /api and the SDK's JSON-RPC alike."""
    import threading
    from test_rest import sdk_client
    from test_durability import wait_for
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))
    rule = emulator.call(emulator.vc.rules.add, operation="com.vmware.vcenter.VM.list",
                         action="delay", seconds=5)
    rest, client = Rest(emulator), sdk_client(emulator)
    got = {}
    callers = [threading.Thread(target=lambda: got.update(api=rest.get("/api/vcenter/vm"))),
               threading.Thread(target=lambda: got.update(sdk=client.vcenter.VM.list()))]
    for count, caller in enumerate(callers, 1):
        caller.start()
        # The rule counts the call as it arrives; advancing before then would leave it waiting.
        wait_for(lambda: rule.hits == count, "the delay rule's hit %d" % count)
        assert caller.is_alive()  # the answer waits for the clock
    emulator.advance(5)
    for caller in callers:
        caller.join(10)
    assert got["api"].status_code == 200 and len(got["api"].json()) == 5
    assert len(got["sdk"]) == 5
    assert rule.hits == 2


def test_cluster_list_shows_drs_and_ha_as_configured(auto):
    [cluster] = Rest(auto).get("/api/vcenter/cluster").json()
    assert cluster["drs_enabled"] is True and cluster["ha_enabled"] is False


def test_parts_of_a_vm_and_single_objects(auto):
    rest = Rest(auto)
    vm = vm_id(auto, "DC0_H0_VM0")
    info = rest.get("/api/vcenter/vm/" + vm).json()
    assert rest.get("/api/vcenter/vm/%s/hardware" % vm).json()["version"] == "VMX_19"
    assert rest.get("/api/vcenter/vm/%s/hardware/cpu" % vm).json() == info["cpu"]
    assert rest.get("/api/vcenter/vm/%s/hardware/memory" % vm).json()["size_MiB"] == 32
    assert rest.get("/api/vcenter/vm/%s/hardware/disk" % vm).json() == [{"disk": "2000"}]
    assert rest.get("/api/vcenter/vm/%s/hardware/disk/2000" % vm).json() == info["disks"]["2000"]
    assert rest.get("/api/vcenter/vm/%s/hardware/ethernet" % vm).json() == [{"nic": "4000"}]
    api_error(rest.get("/api/vcenter/vm/%s/hardware/disk/2999" % vm), 404, "NOT_FOUND")
    assert rest.get("/rest/vcenter/vm/%s/hardware/ethernet/4000" % vm).json()["value"][
        "mac_address"] == info["nics"]["4000"]["mac_address"]
    [nic] = rest.get("/api/vcenter/vm/%s/guest/networking/interfaces" % vm).json()
    assert nic["mac_address"] == info["nics"]["4000"]["mac_address"]
    assert nic["ip"]["ip_addresses"][0]["ip_address"].startswith("10.0.")
    assert rest.get("/api/vcenter/vm/%s/guest/local-filesystem" % vm).json()["/"]["capacity"] > 0
    assert rest.get("/api/vcenter/vm/%s/tools" % vm).json()["run_state"] == "RUNNING"
    [ds] = rest.get("/api/vcenter/datastore").json()
    assert rest.get("/api/vcenter/datastore/" + ds["datastore"]).json()["name"] == "LocalDS_0"
    [dc] = rest.get("/api/vcenter/datacenter").json()
    assert rest.get("/api/vcenter/datacenter/" + dc["datacenter"]).json()["vm_folder"]
    [cluster] = rest.get("/api/vcenter/cluster").json()
    pool = rest.get("/api/vcenter/cluster/" + cluster["cluster"]).json()["resource_pool"]
    assert rest.get("/api/vcenter/resource-pool/" + pool).json()["name"] == "Resources"
    api_error(rest.get("/api/vcenter/datastore/datastore-999"), 404, "NOT_FOUND")
