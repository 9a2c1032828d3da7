"""AuthorizationManager's privileges, roles and permission table, UserDirectory's users and
groups, and EventManager.description, through pyVmomi."""
import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm
from vimsim.model.events import EVENT_TYPES
from vimsim.vim25.types import REGISTRY

Permission = vim.AuthorizationManager.Permission
ROOT_ADMINS = [("VSPHERE.LOCAL\\Administrators", True, -1), ("noaccess", False, -5),
               ("readonly", False, -2), ("user", False, -1)]


def summary(permissions):
    return sorted((p.principal, p.group, p.roleId) for p in permissions)


def test_privilege_list_is_vcenter_8s(si):
    privileges = {p.privId: p for p in si.content.authorizationManager.privilegeList}
    assert len(privileges) >= 480
    assert REGISTRY.privileges() <= set(privileges)
    power_on = privileges["VirtualMachine.Interact.PowerOn"]
    assert (power_on.privGroupName, power_on.name, power_on.onParent) == \
        ("VirtualMachine.Interact", "PowerOn", False)
    for well_known in ("System.Anonymous", "System.View", "System.Read", "Global.Settings",
                       "Folder.Create", "Datacenter.Create", "Sessions.TerminateSession",
                       "Host.Config.Network", "ContentLibrary.AddLibraryItem"):
        assert well_known in privileges
    assert (privileges["System.View"].privGroupName, privileges["System.View"].name) == \
        ("System", "View")
    assert privileges["Folder.Delete"].onParent and privileges["Authorization.ModifyPermissions"]\
        .onParent and privileges["VirtualMachine.Inventory.Delete"].onParent
    extension = privileges["VcIntegrity.Baseline.com.vmware.vcIntegrity.AssignBaselines"]
    assert (extension.privGroupName, extension.name) == \
        ("VcIntegrity.Baseline", "com.vmware.vcIntegrity.AssignBaselines")


def test_system_roles(si):
    auth = si.content.authorizationManager
    roles = {r.name: r for r in auth.roleList}
    assert [(r.roleId, r.name) for r in auth.roleList] == [
        (-8, "NoTrustedAdmin"), (-7, "TrustedAdmin"), (-6, "NoCryptoAdmin"), (-5, "NoAccess"),
        (-4, "Anonymous"), (-3, "View"), (-2, "ReadOnly"), (-1, "Admin")]
    every = {p.privId for p in auth.privilegeList}
    assert set(roles["Admin"].privilege) == every and roles["Admin"].system
    assert roles["Admin"].info.label == "Administrator"
    assert roles["ReadOnly"].privilege == ["System.Anonymous", "System.Read", "System.View"]
    assert roles["NoAccess"].privilege == []
    assert "Cryptographer.Encrypt" not in roles["NoCryptoAdmin"].privilege
    assert "VirtualMachine.Interact.PowerOn" in roles["NoCryptoAdmin"].privilege
    assert not any(p.startswith("TrustedAdmin.") for p in roles["NoTrustedAdmin"].privilege)


def test_fixture_users_hold_their_roles_on_the_root_folder(si):
    auth, root = si.content.authorizationManager, si.content.rootFolder
    everything = auth.RetrieveAllPermissions()
    assert summary(everything) == ROOT_ADMINS
    assert all(p.entity == root and p.propagate for p in everything)
    assert summary(auth.RetrieveEntityPermissions(root, False)) == ROOT_ADMINS
    vm = find_vm(si, "DC0_H0_VM0")
    assert auth.RetrieveEntityPermissions(vm, False) == []
    assert summary(auth.RetrieveEntityPermissions(vm, True)) == ROOT_ADMINS
    assert summary(auth.RetrieveRolePermissions(-2)) == [("readonly", False, -2)]
    assert auth.RetrieveRolePermissions(-6) == []


def test_set_update_and_remove_entity_permissions(si):
    auth = si.content.authorizationManager
    vm = find_vm(si, "DC0_H0_VM0")
    auth.SetEntityPermissions(vm, [
        Permission(principal="readonly", group=False, roleId=-1, propagate=False),
        Permission(principal="VSPHERE.LOCAL\\SolutionUsers", group=True, roleId=-2,
                   propagate=True)])
    on_vm = auth.RetrieveEntityPermissions(vm, False)
    assert summary(on_vm) == [("VSPHERE.LOCAL\\SolutionUsers", True, -2), ("readonly", False, -1)]
    assert all(p.entity == vm for p in on_vm)
    assert ("readonly", False, -1) in summary(auth.RetrieveRolePermissions(-1))
    # One permission per user or group on an entity: setting it again replaces it.
    auth.SetEntityPermissions(vm, [Permission(principal="READONLY", group=False, roleId=-2,
                                              propagate=True)])
    assert summary(auth.RetrieveEntityPermissions(vm, False)) == [
        ("READONLY", False, -2), ("VSPHERE.LOCAL\\SolutionUsers", True, -2)]
    inherited = auth.RetrieveEntityPermissions(vm, True)
    assert len(inherited) == 2 + len(ROOT_ADMINS)
    auth.RemoveEntityPermission(vm, "readonly", False)
    assert summary(auth.RetrieveEntityPermissions(vm, False)) == [
        ("VSPHERE.LOCAL\\SolutionUsers", True, -2)]
    with pytest.raises(vim.fault.NotFound):
        auth.RemoveEntityPermission(vm, "readonly", False)
    with pytest.raises(vim.fault.NotFound):
        auth.RemoveEntityPermission(vm, "VSPHERE.LOCAL\\SolutionUsers", False)  # it is a group's
    auth.ResetEntityPermissions(vm, [Permission(principal="noaccess", group=False, roleId=-5,
                                                propagate=True)])
    assert summary(auth.RetrieveEntityPermissions(vm, False)) == [("noaccess", False, -5)]


def test_permission_faults(emulator, si):
    auth, root = si.content.authorizationManager, si.content.rootFolder
    vm = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.UserNotFound) as exc:
        auth.SetEntityPermissions(vm, [Permission(principal="nobody", group=False,
                                                  roleId=-2, propagate=True)])
    assert exc.value.principal == "nobody" and exc.value.unresolved is False
    with pytest.raises(vim.fault.UserNotFound):
        auth.SetEntityPermissions(vm, [Permission(principal="readonly", group=True,
                                                  roleId=-2, propagate=True)])
    with pytest.raises(vim.fault.NotFound):
        auth.SetEntityPermissions(vm, [Permission(principal="readonly", group=False,
                                                  roleId=42, propagate=True)])
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        auth.SetEntityPermissions(vm, [Permission(principal="readonly", group=False,
                                                  roleId=-3, propagate=True)])  # View
    assert exc.value.invalidProperty == "roleId"
    vm_folder = si.content.rootFolder.childEntity[0].vmFolder
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        auth.SetEntityPermissions(vm_folder, [Permission(principal="readonly", group=False,
                                                         roleId=-2, propagate=True)])
    assert exc.value.invalidProperty == "entity"
    with pytest.raises(vim.fault.NotFound):
        auth.RetrieveRolePermissions(42)
    # "user" is an Administrator on the root folder: nothing more can be granted to it.
    with pytest.raises(vim.fault.AuthMinimumAdminPermission):
        auth.SetEntityPermissions(vm, [Permission(principal="user", group=False, roleId=-2,
                                                  propagate=True)])
    auth.RemoveEntityPermission(root, "user", False)
    with pytest.raises(vim.fault.AuthMinimumAdminPermission):  # the last Administrator
        auth.RemoveEntityPermission(root, "VSPHERE.LOCAL\\Administrators", True)
    with pytest.raises(vim.fault.AuthMinimumAdminPermission):
        auth.SetEntityPermissions(root, [Permission(principal="VSPHERE.LOCAL\\Administrators",
                                                    group=True, roleId=-2, propagate=True)])
    assert ("VSPHERE.LOCAL\\Administrators", True, -1) in summary(auth.RetrieveAllPermissions())
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        auth.RetrieveEntityPermissions(vim.VirtualMachine("vm-9999", si._stub), True)
    ro = emulator.connect(user="readonly", pwd="readonly")
    with pytest.raises(vim.fault.NoPermission) as exc:
        ro.content.authorizationManager.SetEntityPermissions(find_vm(ro, "DC0_H0_VM0"), [
            Permission(principal="readonly", group=False, roleId=-1, propagate=True)])
    assert exc.value.privilegeId == "Authorization.ModifyPermissions"
    assert len(ro.content.authorizationManager.RetrieveAllPermissions()) == 3
    no_access = emulator.connect(user="noaccess", pwd="noaccess")
    assert no_access.content.authorizationManager.RetrieveAllPermissions() == []  # sees nothing


def test_user_directory(emulator, si):
    ud = si.content.userDirectory
    assert ud.domainList == ["VSPHERE.LOCAL", "LOCALOS"]

    def search(text="", exact=False, users=True, groups=True, **kw):
        return sorted((r.principal, r.group) for r in ud.RetrieveUserGroups(
            searchStr=text, exactMatch=exact, findUsers=users, findGroups=groups, **kw))
    users = search(groups=False)
    assert users == [("noaccess", False), ("readonly", False), ("user", False)]
    assert ("Administrators", True) in search(users=False)
    assert search("READ", users=True, groups=False) == [("readonly", False)]
    assert search("user", exact=True) == [("user", False)]
    admins = search("admin", users=False)  # names and descriptions
    assert ("Administrators", True) in admins and ("DCAdmins", True) in admins
    assert ("Users", True) not in admins
    assert search(belongsToGroup="Administrators") == [("user", False)]
    assert search(belongsToUser="readonly") == [("Users", True)]
    assert search(domain="vsphere.local", groups=False) == users
    assert search(domain="localos") == []
    [found] = ud.RetrieveUserGroups(searchStr="user", exactMatch=True, findUsers=True,
                                    findGroups=False)
    assert isinstance(found, vim.UserSearchResult) and found.fullName == "user"
    with pytest.raises(vim.fault.NotFound):
        search(domain="example.com")
    ro = emulator.connect(user="readonly", pwd="readonly")
    with pytest.raises(vim.fault.NoPermission) as exc:
        ro.content.userDirectory.RetrieveUserGroups(searchStr="", exactMatch=False,
                                                    findUsers=True, findGroups=True)
    assert exc.value.privilegeId == "Authorization.ModifyPermissions"


def test_event_description(si):
    description = si.content.eventManager.description
    assert [c.key for c in description.category] == ["info", "warning", "error", "user"]
    details = {d.key._wsdlName: d for d in description.eventInfo}  # pyVmomi: a type
    assert set(details) == set(EVENT_TYPES)
    on = details["VmPoweredOnEvent"]
    assert (on.description, on.category) == ("VM powered on", "info")
    assert on.fullFormat == "{vm.name} on {host.name} in {datacenter.name} is powered on"
    assert on.formatOnHost == "{vm.name} is powered on"
    assert on.formatOnComputeResource == "{vm.name} on {host.name} is powered on"
    assert on.formatOnVm == "Virtual machine on {host.name} is powered on"
    assert details["CustomizationSucceeded"].fullFormat == \
        "Customization of VM {vm.name} succeeded"
    assert details["CustomizationNetworkSetupFailed"].category == "error"
    assert all(d.fullFormat and d.formatOnVm and d.description for d in details.values())
