"""The Automation API's VM lifecycle over /api and /rest: VM create, delete, and the CPU and
memory updates, each the vim25 task vCenter runs (CreateVM_Task, Destroy_Task,
ReconfigVM_Task) through the model's one call path, with their errors."""
import pytest

from test_rest import Rest, api_error, close_sdk_clients, rest_error  # noqa: F401 (autouse)
from test_rest_vcenter import vm_id


@pytest.fixture
def auto(make_emulator):
    """A server whose clock runs ahead whenever every client waits (tasks answer at once)."""
    return make_emulator(clock="auto")


def moid(emulator, vim_type, name):
    return emulator.call(lambda: next(o.moid for o in emulator.vc.objects.values()
                                      if o.vim_type == vim_type and o.name == name))


def placement(auto):
    vm_folder = auto.call(lambda: auto.vc.root_folder.children[0].vm_folder.moid)
    return {"folder": vm_folder, "host": moid(auto, "HostSystem", "DC0_H0"),
            "datastore": moid(auto, "Datastore", "LocalDS_0")}


def create_spec(auto, name="rest01"):
    return {"name": name, "guest_OS": "UBUNTU_64", "placement": placement(auto),
            "cpu": {"count": 2, "hot_add_enabled": True}, "memory": {"size_MiB": 2048},
            "disks": [{"new_vmdk": {"capacity": 4 * 1024 ** 3}}],
            "nics": [{"type": "VMXNET3", "backing": {
                "type": "STANDARD_PORTGROUP", "network": moid(auto, "Network", "VM Network")}}]}


def post(rest, path, body):
    return rest.http.post(rest.base + path, headers=rest.headers, json=body, timeout=10)


def patch(rest, path, body):
    return rest.http.patch(rest.base + path, headers=rest.headers, json=body, timeout=10)


def delete(rest, path):
    return rest.http.delete(rest.base + path, headers=rest.headers, timeout=10)


def test_create_get_update_delete(auto):
    rest = Rest(auto)
    r = post(rest, "/api/vcenter/vm", create_spec(auto))
    assert r.status_code == 201, r.text
    vm = r.json()
    assert vm == vm_id(auto, "rest01")
    info = rest.get("/api/vcenter/vm/" + vm).json()
    assert info["name"] == "rest01" and info["guest_OS"] == "UBUNTU_64"
    assert info["power_state"] == "POWERED_OFF"
    assert info["cpu"] == {"count": 2, "cores_per_socket": 1, "hot_add_enabled": True,
                           "hot_remove_enabled": False}
    assert info["memory"]["size_MiB"] == 2048
    [disk] = info["disks"].values()
    assert disk["capacity"] == 4 * 1024 ** 3
    assert disk["backing"]["vmdk_file"] == "[LocalDS_0] rest01/rest01.vmdk"
    [nic] = info["nics"].values()
    assert nic["type"] == "VMXNET3" and nic["backing"]["network_name"] == "VM Network"
    # the vim25 task ran: the VM's events are vCenter's
    events = auto.call(lambda: [e._typeName for e in auto.vc.event_manager.events])
    assert "VmCreatedEvent" in events

    r = patch(rest, "/api/vcenter/vm/%s/hardware/cpu" % vm, {"count": 4})
    assert r.status_code == 204, r.text
    r = patch(rest, "/api/vcenter/vm/%s/hardware/memory" % vm, {"size_MiB": 4096})
    assert r.status_code == 204, r.text
    assert rest.get("/api/vcenter/vm/%s/hardware/cpu" % vm).json()["count"] == 4
    assert rest.get("/api/vcenter/vm/%s/hardware/memory" % vm).json()["size_MiB"] == 4096
    r = patch(rest, "/rest/vcenter/vm/%s/hardware/cpu" % vm, {"spec": {"count": 3}})
    assert r.status_code == 200, r.text
    assert rest.get("/api/vcenter/vm/%s/hardware/cpu" % vm).json()["count"] == 3

    r = delete(rest, "/api/vcenter/vm/" + vm)
    assert r.status_code == 204, r.text
    api_error(rest.get("/api/vcenter/vm/" + vm), 404, "NOT_FOUND")
    api_error(delete(rest, "/api/vcenter/vm/" + vm), 404, "NOT_FOUND")


def test_create_takes_boot_firmware_and_hardware_version(auto):
    rest = Rest(auto)
    spec = dict(create_spec(auto, "efi01"), hardware_version="VMX_21",
                boot={"type": "EFI", "delay": 3000, "network_protocol": "IPV6"})
    r = post(rest, "/api/vcenter/vm", spec)
    assert r.status_code == 201, r.text
    info = rest.get("/api/vcenter/vm/" + r.json()).json()
    assert info["hardware"]["version"] == "VMX_21"
    assert info["boot"] == {"type": "EFI", "delay": 3000, "retry": False, "retry_delay": 10000,
                            "enter_setup_mode": False, "efi_legacy_boot": False,
                            "network_protocol": "IPV6"}
    # (they were dropped: the VM was BIOS and vmx-19, with a 201)
    assert rest.get("/api/vcenter/vm/%s/hardware/boot" % r.json()).json()["type"] == "EFI"
    default = rest.get("/api/vcenter/vm/" + vm_id(auto, "DC0_H0_VM0")).json()
    assert default["boot"]["type"] == "BIOS" and default["hardware"]["version"] == "VMX_19"
    bad = post(rest, "/api/vcenter/vm", dict(create_spec(auto, "efi02"), hardware_version="VMX_99"))
    assert bad.status_code == 400 and bad.json()["error_type"] == "INVALID_ARGUMENT"


def test_create_over_rest_wraps_spec_and_value(auto):
    rest = Rest(auto)
    r = post(rest, "/rest/vcenter/vm", {"spec": create_spec(auto, "old-style")})
    assert r.status_code == 200, r.text
    assert r.json() == {"value": vm_id(auto, "old-style")}
    r = delete(rest, "/rest/vcenter/vm/" + vm_id(auto, "old-style"))
    assert r.status_code == 200, r.text


def test_create_errors(auto):
    rest = Rest(auto)
    message = api_error(post(rest, "/api/vcenter/vm", create_spec(auto, "DC0_H0_VM0")), 400,
                        "ALREADY_EXISTS")
    assert "DC0_H0_VM0" in message["default_message"]
    spec = create_spec(auto)
    spec["guest_OS"] = "NO_SUCH_OS"
    api_error(post(rest, "/api/vcenter/vm", spec), 400, "INVALID_ARGUMENT")
    spec = create_spec(auto)
    spec["placement"]["folder"] = "group-v99999"
    api_error(post(rest, "/api/vcenter/vm", spec), 400, "INVALID_ARGUMENT")
    spec["placement"] = {}
    message = api_error(post(rest, "/api/vcenter/vm", spec), 400, "INVALID_ARGUMENT")
    assert message["default_message"] == "The placement names no folder."
    spec = create_spec(auto)
    spec["cpu"]["count"] = "two"
    r = post(rest, "/api/vcenter/vm", spec)
    assert r.status_code == 400 and r.json()["error_type"] == "INVALID_ARGUMENT"
    assert "Invalid value for field spec.cpu.count." in [
        m["default_message"] for m in r.json()["messages"]]
    spec = create_spec(auto)
    spec["nics"][0]["backing"]["network"] = "network-99999"
    api_error(post(rest, "/api/vcenter/vm", spec), 400, "INVALID_ARGUMENT")
    spec = create_spec(auto)  # a CD-ROM on SATA was made on IDE, with a 201
    spec["cdroms"] = [{"type": "SATA", "sata": {"bus": 0, "unit": 0},
                       "backing": {"type": "CLIENT_DEVICE"}}]
    message = api_error(post(rest, "/api/vcenter/vm", spec), 400, "INVALID_ARGUMENT")
    assert message["default_message"] == "CD-ROM 0 needs an IDE adapter."
    rest_error(post(rest, "/rest/vcenter/vm", {"spec": create_spec(auto, "DC0_H0_VM0")}), 400,
               "already_exists")
    assert auto.call(lambda: sorted(o.name for o in auto.vc.objects.values()
                                    if o.vim_type == "VirtualMachine")) == [
        "DC0_C0_RP0_NoTools", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0", "DC0_H0_VM1"]


def test_delete_and_update_errors(auto):
    rest = Rest(auto)
    running = vm_id(auto, "DC0_H0_VM1")
    api_error(delete(rest, "/api/vcenter/vm/" + running), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    # powered on, without hot add: CPUs and memory stay
    api_error(patch(rest, "/api/vcenter/vm/%s/hardware/cpu" % running, {"count": 2}), 400,
              "NOT_ALLOWED_IN_CURRENT_STATE")
    api_error(patch(rest, "/api/vcenter/vm/%s/hardware/memory" % running, {"size_MiB": 64}),
              400, "NOT_ALLOWED_IN_CURRENT_STATE")
    api_error(patch(rest, "/api/vcenter/vm/%s/hardware/cpu" % running, {"count": 0}), 400,
              "INVALID_ARGUMENT")
    api_error(patch(rest, "/api/vcenter/vm/%s/hardware/memory" % running, {"size_MiB": 30}),
              400, "INVALID_ARGUMENT")
    # beyond 24 TB, the most a VM takes (config.hardware.memoryMB is an xsd:int)
    stopped = vm_id(auto, "DC0_C0_RP0_VM1")
    assert rest.http.post(auto.base + "/api/vcenter/vm/%s/power?action=stop" % stopped,
                          headers=rest.headers, timeout=10).status_code == 204
    for size in (2 ** 62, 24 * 1024 * 1024 + 4):
        api_error(patch(rest, "/api/vcenter/vm/%s/hardware/memory" % stopped,
                        {"size_MiB": size}), 400, "INVALID_ARGUMENT")
    assert rest.get("/api/vcenter/vm/%s/hardware/memory" % stopped).json()["size_MiB"] == 32
    # privileges before the state: a user who may not delete a VM does not learn it is on
    for user in ("readonly", "noaccess"):
        api_error(delete(Rest(auto, user, user), "/api/vcenter/vm/" + running), 403,
                  "UNAUTHORIZED")
    r = patch(rest, "/api/vcenter/vm/%s/hardware/cpu" % running, {"count": True})
    assert r.status_code == 400 and r.json()["error_type"] == "INVALID_ARGUMENT"
    api_error(patch(rest, "/api/vcenter/vm/vm-99999/hardware/cpu", {"count": 2}), 404,
              "NOT_FOUND")
    assert rest.get("/api/vcenter/vm/%s/hardware/cpu" % running).json()["count"] == 1
    assert auto.call(lambda: auto.vc.objects[running].name) == "DC0_H0_VM1"


def test_the_sdk_creates_updates_and_deletes(make_emulator, tmp_path):
    from test_rest import sdk_client
    from com.vmware.vcenter.vm.hardware_client import Cpu, Memory
    from com.vmware.vcenter_client import VM
    from com.vmware.vapi.std.errors_client import AlreadyExists, NotAllowedInCurrentState

    emulator = make_emulator(clock="auto", secure=True, cert_dir=str(tmp_path))
    client = sdk_client(emulator)
    where = placement(emulator)
    spec = VM.CreateSpec(name="sdk01", guest_os="UBUNTU_64", placement=VM.PlacementSpec(
        folder=where["folder"], host=where["host"], datastore=where["datastore"]),
        cpu=Cpu.UpdateSpec(count=2), memory=Memory.UpdateSpec(size_mib=1024))
    vm = client.vcenter.VM.create(spec)
    assert vm == vm_id(emulator, "sdk01")
    [summary] = client.vcenter.VM.list(VM.FilterSpec(names={"sdk01"}))
    assert summary.vm == vm and summary.power_state == "POWERED_OFF"
    assert client.vcenter.vm.hardware.Cpu.get(vm).count == 2
    assert client.vcenter.vm.hardware.Memory.get(vm).size_mib == 1024
    client.vcenter.vm.hardware.Cpu.update(vm, Cpu.UpdateSpec(count=4))
    client.vcenter.vm.hardware.Memory.update(vm, Memory.UpdateSpec(size_mib=2048))
    assert client.vcenter.vm.hardware.Cpu.get(vm).count == 4
    assert client.vcenter.vm.hardware.Memory.get(vm).size_mib == 2048
    with pytest.raises(AlreadyExists):
        client.vcenter.VM.create(spec)
    with pytest.raises(NotAllowedInCurrentState):
        client.vcenter.VM.delete(vm_id(emulator, "DC0_H0_VM1"))
    client.vcenter.VM.delete(vm)
    assert client.vcenter.VM.list(VM.FilterSpec(names={"sdk01"})) == []
