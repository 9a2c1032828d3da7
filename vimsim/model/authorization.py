"""AuthorizationManager: vCenter's privileges and system roles, privilege queries, and the
permission table (who holds which role on which entity, and whether it propagates).

Access decisions do not read the permission table yet: a user holds its fixture role on
every object, whatever permissions are set (per-entity authorization comes later).
"""
from vimsim.model import faults, privileges
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.model.sessions import ROLES, ROLES_BY_ID
from vimsim.model.user_directory import SSO_DOMAIN
from vimsim.vim25.data import DataObject

MODIFY_PERMISSIONS = "Authorization.ModifyPermissions"
ADMIN_ROLE = ROLES["Admin"].role_id
UNGRANTABLE_ROLES = (ROLES["View"].role_id, ROLES["Anonymous"].role_id)
# The group vCenter gives the Administrator role on the root folder when it is installed.
ADMINISTRATORS = ("%s\\Administrators" % SSO_DOMAIN.upper(), True)


def min_admin_permission():
    return faults.Fault.of(
        "AuthMinimumAdminPermission", "The operation would leave no user or group with the "
        "Administrator role on the root folder, or grant further permissions to one that has it.")


def role_not_found(role_id):
    return faults.NotFound("The role %s could not be found." % role_id)


def user_not_found(principal):
    return faults.Fault.of("UserNotFound", "The user or group '%s' could not be found."
                           % principal, principal=principal, unresolved=False)


class AuthorizationManager(ManagedObject):
    vim_type = "AuthorizationManager"

    persisted = ("_permissions",)

    def __init__(self, vc, moid="AuthorizationManager"):
        super().__init__(vc, moid)
        self.privileges = privileges.ALL
        # moId -> {(principal lowercased, group): Permission}; filled on first use, when the
        # fixture's users are all known.
        self._permissions = None

    # -- privilege queries ---------------------------------------------------------------

    def _granted(self, user, entity, privilege_ids):
        self.vc.lookup(entity)
        return [user.has_privilege(p) for p in privilege_ids]

    def _session_user(self, session_key):
        for session in self.vc.session_manager.sessions.values():
            if session.key == session_key:
                return session.user
        raise faults.InvalidArgument(invalidProperty="sessionId")

    def _entity_privileges(self, user, entities, privilege_ids):
        return [DataObject("EntityPrivilege", entity=entity, privAvailability=[
            DataObject("PrivilegeAvailability", privId=p, isGranted=g)
            for p, g in zip(privilege_ids, self._granted(user, entity, privilege_ids))])
            for entity in entities]

    def HasPrivilegeOnEntity(self, ctx, entity, sessionId, privId=None):
        return self._granted(self._session_user(sessionId), entity, privId or [])

    def HasPrivilegeOnEntities(self, ctx, entity, sessionId, privId=None):
        return self._entity_privileges(self._session_user(sessionId), entity, privId or [])

    def HasUserPrivilegeOnEntities(self, ctx, entities, userName, privId=None):
        user = self.vc.users.get(userName)
        if user is None:
            raise faults.InvalidArgument(invalidProperty="userName")
        return self._entity_privileges(user, entities, privId or [])

    def FetchUserPrivilegeOnEntities(self, ctx, entities, userName):
        user = self.vc.users.get(userName)
        if user is None:
            raise faults.InvalidArgument(invalidProperty="userName")
        granted = [p for p in self.privileges if user.has_privilege(p)]
        return [DataObject("UserPrivilegeResult", entity=e, privileges=granted) for e in entities]

    # -- the permission table ------------------------------------------------------------

    def table(self):
        """The permissions by entity moId. At first use: each fixture user holds its role on
        the root folder, propagating, and so does vsphere.local's Administrators group."""
        if self._permissions is None:
            root = self.vc.root_folder
            self._permissions = {root.moid: {}}
            for principal, group in [(u.name, False) for u in self.vc.users.values()] + \
                    [ADMINISTRATORS]:
                role = ROLES[self.vc.users[principal].role].role_id if not group else ADMIN_ROLE
                self._store(root, principal, group, role, True)
        return self._permissions

    def _store(self, entity, principal, group, role_id, propagate):
        self._permissions.setdefault(entity.moid, {})[(principal.lower(), bool(group))] = \
            DataObject("Permission", entity=entity.ref, principal=principal, group=bool(group),
                       roleId=role_id, propagate=bool(propagate))

    def permissions_on(self, entity):
        """The permissions defined on ``entity`` itself (copies)."""
        return [p.copy() for p in self.table().get(entity.moid, {}).values()]

    def _ancestors(self, entity):
        """The entities ``entity`` inherits from: its parents and, for a VM, its resource
        pool's, nearest first."""
        found, chains = [], [entity.parent]
        if getattr(entity, "pool", None) is not None:
            chains.append(entity.pool)
        for start in chains:
            node = start
            while node is not None:
                if node not in found:
                    found.append(node)
                node = node.parent
        return found

    def _require_may_modify(self, ctx, entity):
        if ctx.session is not None and not ctx.session.user.has_privilege(MODIFY_PERMISSIONS):
            raise faults.no_permission(entity.ref, MODIFY_PERMISSIONS)
        if self._inherits_only(entity):
            raise faults.InvalidArgument(invalidProperty="entity")

    @staticmethod
    def _inherits_only(entity):
        """vCenter's objects that always have their parent's permissions: a datacenter's own
        folders, a compute resource's root pool, a standalone host."""
        parent = entity.parent
        if parent is None:
            return False
        if parent.vim_type == "Datacenter" and entity.vim_type == "Folder":
            return True
        if entity.vim_type == "ResourcePool" and getattr(parent, "resource_pool", None) is entity:
            return True
        return entity.vim_type == "HostSystem" and parent.vim_type == "ComputeResource"

    def _root_admins(self):
        return {key for key, p in self.table().get(self.vc.root_folder.moid, {}).items()
                if p.roleId == ADMIN_ROLE}

    def _apply(self, entity, permission):
        """Add or replace one permission on ``entity``, with vCenter's checks."""
        role_id = permission.roleId
        if role_id not in ROLES_BY_ID:
            raise role_not_found(role_id)
        if role_id in UNGRANTABLE_ROLES:
            raise faults.InvalidArgument(invalidProperty="roleId")
        principal, group = permission.principal or "", bool(permission.group)
        if not self.vc.managers["userDirectory"].knows(principal, group):
            raise user_not_found(principal)
        key = (principal.lower(), group)
        # vCenter's rule: the root folder keeps an Administrator, and one who is Administrator
        # there is granted nothing more anywhere.
        root = self.vc.root_folder
        admins = self._root_admins()
        if entity is root:
            if role_id != ADMIN_ROLE and admins == {key}:
                raise min_admin_permission()
        elif key in admins:
            raise min_admin_permission()
        self._store(entity, principal, group, role_id, permission.propagate)

    def _remove(self, entity, key):
        if entity is self.vc.root_folder and self._root_admins() == {key}:
            raise min_admin_permission()
        del self.table()[entity.moid][key]

    # -- vim25 permission methods --------------------------------------------------------

    def RetrieveEntityPermissions(self, ctx, entity, inherited):
        obj = self.vc.lookup(entity, ctx)
        found = self.permissions_on(obj)
        if inherited:
            for ancestor in self._ancestors(obj):
                found += [p for p in self.permissions_on(ancestor) if p.propagate]
        return found

    def RetrieveAllPermissions(self, ctx):
        # Only on the entities the caller sees: with the fixture's one role everywhere, all
        # of them or (a NoAccess user) none.
        if ctx.session is not None and not ctx.session.user.has_privilege("System.View"):
            return []
        return [p.copy() for on_entity in self.table().values() for p in on_entity.values()]

    def RetrieveRolePermissions(self, ctx, roleId):
        if roleId not in ROLES_BY_ID:
            raise role_not_found(roleId)
        return [p for p in self.RetrieveAllPermissions(ctx) if p.roleId == roleId]

    def SetEntityPermissions(self, ctx, entity, permission=None):
        obj = self.vc.lookup(entity, ctx)
        self._require_may_modify(ctx, obj)
        for each in permission or ():  # one at a time: a fault leaves the earlier ones set
            self._apply(obj, each)
        self.vc.touch(obj)

    def ResetEntityPermissions(self, ctx, entity, permission=None):
        obj = self.vc.lookup(entity, ctx)
        self._require_may_modify(ctx, obj)
        kept = set()
        for each in permission or ():
            self._apply(obj, each)
            kept.add(((each.principal or "").lower(), bool(each.group)))
        for key in [k for k in self.table().get(obj.moid, {}) if k not in kept]:
            self._remove(obj, key)
        self.vc.touch(obj)

    def RemoveEntityPermission(self, ctx, entity, user, isGroup):
        obj = self.vc.lookup(entity, ctx)
        self._require_may_modify(ctx, obj)
        key = (user.lower(), bool(isGroup))
        if key not in self.table().get(obj.moid, {}):
            raise faults.NotFound("No permission for %s '%s' is defined on %s."
                                  % ("group" if isGroup else "user", user, obj.moid))
        self._remove(obj, key)
        self.vc.touch(obj)

    # -- properties ----------------------------------------------------------------------

    @vim_property
    def privilegeList(self, ctx):
        return [DataObject("AuthorizationPrivilege", privId=p, onParent=p in privileges.ON_PARENT,
                           name=privileges.PRIVILEGES[p][1],
                           privGroupName=privileges.PRIVILEGES[p][0])
                for p in self.privileges]

    @vim_property
    def roleList(self, ctx):
        return [DataObject("AuthorizationRole", roleId=role.role_id, system=True, name=role.name,
                           info=DataObject("Description", label=role.label, summary=role.summary),
                           privilege=sorted(role.privileges))
                for role in ROLES.values()]

    @vim_property
    def description(self, ctx):
        groups = sorted({privileges.PRIVILEGES[p][0] for p in self.privileges})
        return DataObject(
            "AuthorizationDescription",
            privilege=[DataObject("ElementDescription", key=p, label=p, summary=p)
                       for p in self.privileges],
            privilegeGroup=[DataObject("ElementDescription", key=g, label=g, summary=g)
                            for g in groups])
