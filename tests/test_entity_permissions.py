"""Per-entity authorization as vCenter decides it, through pyVmomi, VI/JSON and REST over
real sockets: the permissions on an entity and those its parents propagate, the nearest
defining one winning, a user's own permission over its groups', a VM inheriting from its
folder and its resource pool at once; and every read (PropertyCollector, views, SearchIndex,
tasks, events, the privilege queries, REST's lists) following the same rule."""
import pytest
from pyVmomi import vim

from conftest import find_vm
from test_jsonapi import Json
from test_rest import Rest, api_error, close_sdk_clients  # noqa: F401 (autouse)
from test_sessions_and_authorization import vi_json_vms, vm_names

Permission = vim.AuthorizationManager.Permission
POWER_OFF = "VirtualMachine.Interact.PowerOff"


def grant(si, entity, principal, role, propagate=True, group=False):
    si.content.authorizationManager.SetEntityPermissions(entity, [Permission(
        principal=principal, group=group, roleId=role, propagate=propagate)])


def theirs(si, obj):
    """``obj`` as another connection's stub names it."""
    return type(obj)(obj._moId, si._stub)


def power_off(emulator, vm):
    task = vm.PowerOffVM_Task()
    emulator.advance(1)
    return task.info.state


@pytest.fixture
def one_vm(emulator, si):
    """readonly holds Administrator on DC0_H0_VM0 alone (its permission on the root folder
    removed): the admin's session, readonly's, and the VM."""
    vm = find_vm(si, "DC0_H0_VM0")
    si.content.authorizationManager.RemoveEntityPermission(si.content.rootFolder, "readonly",
                                                           False)
    grant(si, vm, "readonly", -1, propagate=False)
    return si, emulator.connect(user="readonly", pwd="readonly"), vm


def test_a_role_on_one_vm_only_shows_and_allows_that_vm_over_soap(emulator, one_vm):
    si, ro, vm = one_vm
    other = find_vm(si, "DC0_H0_VM1")
    view, names = vm_names(ro)
    assert names == ["DC0_H0_VM0"] and view.view == [theirs(ro, vm)]
    assert power_off(emulator, theirs(ro, vm)) == "success"
    with pytest.raises(vim.fault.NoPermission) as exc:
        theirs(ro, other).PowerOffVM_Task()
    assert exc.value.privilegeId == POWER_OFF and exc.value.object == theirs(ro, other)
    with pytest.raises(vim.fault.NoPermission) as exc:
        theirs(ro, other).name
    assert exc.value.privilegeId == "System.Read"
    with pytest.raises(vim.fault.NoPermission):
        ro.content.rootFolder.childEntity
    assert theirs(ro, vm).effectiveRole == [-1]
    index = ro.content.searchIndex
    assert index.FindByInventoryPath("DC0/vm/DC0_H0_VM0") == theirs(ro, vm)
    assert index.FindByInventoryPath("DC0/vm/DC0_H0_VM1") is None
    assert index.FindByUuid(None, other.config.uuid, True) is None
    # Tasks and events: those of the VM it sees, not the admin's on the other VM.
    admin_task = other.PowerOffVM_Task()
    emulator.advance(1)
    recent = ro.content.taskManager.recentTask
    assert recent and admin_task not in [theirs(si, t) for t in recent]
    assert {t.info.entity._moId for t in recent} == {vm._moId}
    events = ro.content.eventManager.QueryEvents(vim.event.EventFilterSpec())
    assert events and {e.vm.vm._moId for e in events if e.vm} == {vm._moId}
    assert all(e.vm for e in events)  # logins are the root folder's: not readonly's to see
    # The permissions it sees: the one on its VM (the root folder's are not its to see).
    auth = ro.content.authorizationManager
    assert [(p.principal, p.roleId, p.entity) for p in auth.RetrieveAllPermissions()] == [
        ("readonly", -1, theirs(ro, vm))]
    assert [p.principal for p in vm.permission] == ["readonly"]


def test_privilege_queries_answer_from_the_same_rule(one_vm):
    si, ro, vm = one_vm
    other = find_vm(si, "DC0_H0_VM1")
    auth = si.content.authorizationManager
    [on_vm, on_other] = auth.HasUserPrivilegeOnEntities([vm, other], "readonly", [POWER_OFF])
    assert on_vm.privAvailability[0].isGranted and not on_other.privAvailability[0].isGranted
    key = ro.content.sessionManager.currentSession.key
    assert auth.HasPrivilegeOnEntity(vm, key, [POWER_OFF, "System.Read"]) == [True, True]
    assert auth.HasPrivilegeOnEntity(other, key, [POWER_OFF, "System.Read"]) == [False, False]
    [both] = auth.HasPrivilegeOnEntities([si.content.rootFolder], key, ["System.View"])
    assert both.privAvailability[0].isGranted is False
    fetched = auth.FetchUserPrivilegeOnEntities([vm, other], "readonly")
    assert POWER_OFF in fetched[0].privileges and fetched[1].privileges == []
    # The VM is all it may ask about: another entity is NoPermission (System.View).
    with pytest.raises(vim.fault.NoPermission) as exc:
        ro.content.authorizationManager.HasUserPrivilegeOnEntities(
            [theirs(ro, other)], "readonly", [POWER_OFF])
    assert exc.value.privilegeId == "System.View"
    assert ro.content.authorizationManager.HasUserPrivilegeOnEntities(
        [theirs(ro, vm)], "user", [POWER_OFF])[0].privAvailability[0].isGranted


def test_a_role_on_one_vm_only_over_vi_json_and_rest(emulator, one_vm):
    si, _, vm = one_vm
    client = Json(emulator)
    client.login("readonly", "readonly")
    answer = vi_json_vms(client)
    assert [o["obj"]["value"] for o in answer.json()] == [vm._moId]
    other = find_vm(si, "DC0_H0_VM1")._moId
    refused = client.get("VirtualMachine", other, "name")
    assert refused.status_code == 500 and refused.json()["_typeName"] == "NoPermission"
    assert client.get("VirtualMachine", vm._moId, "name").json() == "DC0_H0_VM0"
    rest = Rest(emulator, "readonly", "readonly")
    assert [v["vm"] for v in rest.get("/api/vcenter/vm").json()] == [vm._moId]
    assert [v["vm"] for v in rest.get("/rest/vcenter/vm").json()["value"]] == [vm._moId]
    assert rest.get("/api/vcenter/host").json() == []
    assert rest.get("/api/vcenter/vm/" + vm._moId).json()["name"] == "DC0_H0_VM0"
    api_error(rest.get("/api/vcenter/vm/" + other), 403, "UNAUTHORIZED")
    api_error(rest.get("/api/vcenter/vm/%s/power" % other), 403, "UNAUTHORIZED")
    assert len(Rest(emulator).get("/api/vcenter/vm").json()) > 1  # the admin: all of them


def test_noaccess_under_a_propagating_administrator(emulator, si):
    """The Users group is Administrator on the root folder; readonly (its own permission
    there removed) has NoAccess on the cluster, then on the datacenter."""
    auth, root = si.content.authorizationManager, si.content.rootFolder
    auth.RemoveEntityPermission(root, "readonly", False)
    grant(si, root, "VSPHERE.LOCAL\\Users", -1, group=True)
    ro = emulator.connect(user="readonly", pwd="readonly")
    everything = sorted(vm_names(si)[1])
    assert sorted(vm_names(ro)[1]) == everything
    datacenter = root.childEntity[0]
    cluster = next(c for c in datacenter.hostFolder.childEntity
                   if isinstance(c, vim.ClusterComputeResource))
    grant(si, cluster, "readonly", -5)
    # The cluster's hosts are hidden; its VMs are not: a VM inherits from its folder too,
    # and what the folder gives and what the pool gives add up.
    hosts = ro.content.viewManager.CreateContainerView(ro.content.rootFolder, [vim.HostSystem],
                                                       True)
    assert [h.name for h in hosts.view] == ["DC0_H0"]
    assert sorted(vm_names(ro)[1]) == everything
    assert power_off(emulator, theirs(ro, find_vm(si, "DC0_C0_RP0_VM0"))) == "success"
    # NoAccess on the datacenter: everything in it is hidden; the root folder is not.
    grant(si, datacenter, "readonly", -5)
    assert vm_names(ro)[1] == [] and hosts.view == []
    assert ro.content.rootFolder.name == "Datacenters"
    with pytest.raises(vim.fault.NoPermission):
        theirs(ro, datacenter).name
    # noaccess's own NoAccess on the root folder propagates, and overrides the group's.
    assert vm_names(emulator.connect(user="noaccess", pwd="noaccess"))[1] == []
    # The user's own Administrator role on the root folder is untouched.
    assert sorted(vm_names(si)[1]) == everything


def test_the_nearest_definition_wins_and_a_user_overrides_its_groups(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    auth = si.content.authorizationManager
    auth.SetEntityPermissions(vm, [
        Permission(principal="VSPHERE.LOCAL\\Users", group=True, roleId=-2, propagate=False),
        Permission(principal="readonly", group=False, roleId=-1, propagate=False)])
    # Users (every user) is ReadOnly on the VM, nearer than anyone's role on the root folder:
    # noaccess now sees it, and even the administrator may only read it.
    assert vm_names(emulator.connect(user="noaccess", pwd="noaccess"))[1] == ["DC0_H0_VM1"]
    assert vm.effectiveRole == [-2]
    with pytest.raises(vim.fault.NoPermission):
        vm.PowerOffVM_Task()
    # readonly's own permission on the VM overrides its group's.
    ro = emulator.connect(user="readonly", pwd="readonly")
    assert theirs(ro, vm).effectiveRole == [-1]
    assert power_off(emulator, theirs(ro, vm)) == "success"
    # Removing the group's permission gives the administrator its inherited role back.
    auth.RemoveEntityPermission(vm, "VSPHERE.LOCAL\\Users", True)
    assert vm.effectiveRole == [-1]
    assert find_vm(si, "DC0_H0_VM0").effectiveRole == [-1]
