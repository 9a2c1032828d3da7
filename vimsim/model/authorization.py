"""AuthorizationManager: vCenter's privileges and system roles, privilege queries, and the
permission table (who holds which role on which entity, and whether it propagates); and the
one access check every surface uses (``holds``, ``require``, ``read_filter``,
``require_read``).

Access is decided as vCenter decides it, from the permission table: on an entity, the
permissions defined on it that apply to the user (its own, or a group's it is a member of);
where there are none, those its parents propagate, the nearest defining one winning. Where
one entity defines several, the user's own permission overrides its groups', whose roles
add up. A VM inherits from its folder and its resource pool at once: what the two give adds
up. The fixture's users hold their roles on the root folder, propagating, so that by default
a user holds its role everywhere. System.View and System.Read come from that rule like any
other privilege: a NoAccess user sees no entity, task or event.
"""
import functools

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


ANONYMOUS = "System.Anonymous"
VIEW = "System.View"
READ = "System.Read"


def holds(vc, user, entity, privilege):
    """Whether ``user`` holds ``privilege`` on ``entity`` (None: on the root folder)."""
    return privilege in vc.authorization_manager.privileges_of(user, entity)


def checked_on(entity, privilege):
    """Where an operation on ``entity`` needs ``privilege``: on its parent for a privilege
    vCenter lists as onParent (so one may change the permissions of, or delete, an entity
    it cannot itself use), on the entity itself otherwise."""
    if privilege in privileges.ON_PARENT and entity is not None and entity.parent is not None:
        return entity.parent
    return entity


def require(vc, ctx, entity, privilege, obj=None):
    """NoPermission (naming ``obj``, else where it is missing) unless the caller holds
    ``privilege`` for an operation on ``entity`` (None: on the root folder)."""
    target = checked_on(entity, privilege)
    if ctx.session is not None and not holds(vc, ctx.session.user, target, privilege):
        raise faults.no_permission((obj or target or vc.root_folder).ref, privilege)


def entity_of(vc, obj):
    """The entity whose permissions decide who sees ``obj``: itself for a managed entity, a
    task's entity (the root folder for a task of none), None for the managers and a session's
    own objects (views, filters, collectors), which every session may use."""
    if "ManagedEntity" in obj.type_names():
        return obj
    if obj.vim_type == "VirtualMachineSnapshot":  # subordinate to its VM, as vim25 says
        return obj.vm
    if obj.vim_type == "Task":
        entity = obj.info.entity
        return (vc.find(entity) if entity is not None else None) or vc.root_folder
    return None


def read_filter(vc, ctx, privilege=READ):
    """None when the caller may read every object (nothing to filter: the common case costs
    nothing); otherwise a predicate telling whether it may read one."""
    session = ctx.session if ctx is not None else None
    if session is None or privilege in vc.authorization_manager.everywhere(session.user):
        return None
    user = session.user

    def readable(obj):
        entity = entity_of(vc, obj)
        return entity is None or holds(vc, user, entity, privilege)
    return readable


def require_read(vc, ctx, obj, privilege=READ):
    """NoPermission (with its object and privilegeId) unless the caller may read ``obj``."""
    readable = read_filter(vc, ctx, privilege)
    if readable is not None and not readable(obj):
        raise faults.no_permission(obj.ref, privilege)


def require_on_call(vc, ctx, obj, privilege):
    """A method's static privilege, on the entity it acts on. System.View and System.Read on
    a manager or a session's own object are every session's: what such a call reads is
    filtered by ``read_filter`` instead."""
    if ctx.session is None or privilege is None or privilege == ANONYMOUS:
        return True
    entity = entity_of(vc, obj)
    if entity is None and privilege in (VIEW, READ):
        return True
    return holds(vc, ctx.session.user, checked_on(entity, privilege), privilege)


def min_admin_permission():
    return faults.Fault.of(
        "AuthMinimumAdminPermission", "The operation would leave no user or group with the "
        "Administrator role on the root folder, or grant further permissions to one that has it.")


def role_not_found(role_id):
    return faults.NotFound("The role %s could not be found." % role_id)


def user_not_found(principal):
    return faults.Fault.of("UserNotFound", "The user or group '%s' could not be found."
                           % principal, principal=principal, unresolved=False)


@functools.lru_cache(maxsize=None)
def _privileges(role_ids):
    """The privileges a set of roles grants (vCenter's fixed system roles: kept per set)."""
    return frozenset().union(*[ROLES_BY_ID[r].privileges for r in role_ids])


class AuthorizationManager(ManagedObject):
    vim_type = "AuthorizationManager"

    persisted = ("_permissions",)

    def __init__(self, vc, moid="AuthorizationManager"):
        super().__init__(vc, moid)
        self.privileges = privileges.ALL
        # moId -> {(principal lowercased, group): Permission}; filled on first use, when the
        # fixture's users are all known.
        self._permissions = None
        # What the rule decided, by (user name, moId): kept until a permission changes or
        # the inventory's shape does (vc.structure_version), so that a check costs a lookup.
        self._decided_for = None
        self._effective, self._inherited, self._applies, self._uniform = {}, {}, {}, {}
        self._version = 0

    def restore_persisted(self, state):
        super().restore_persisted(state)
        self._changed()

    def _changed(self):
        self._version += 1

    # -- access decisions ----------------------------------------------------------------

    def _fresh(self):
        key = (self._version, self.vc.structure_version)
        if key != self._decided_for:
            self._decided_for = key
            for cache in (self._effective, self._inherited, self._applies, self._uniform):
                cache.clear()

    def roles_of(self, user, entity):
        """The roles that give ``user`` its privileges on ``entity`` (None: the root folder):
        those the permissions on the entity give it, else what its parents propagate."""
        self._fresh()
        return self._roles(user, entity or self.vc.root_folder, False)

    def privileges_of(self, user, entity):
        return _privileges(self.roles_of(user, entity))

    def _roles(self, user, entity, propagating):
        """The roles ``entity`` gives ``user`` (``propagating``: passes on to its children)."""
        cache = self._inherited if propagating else self._effective
        key = (user.name, entity.moid)
        roles = cache.get(key)
        if roles is None:
            roles = self._decide(user, entity, propagating)
            if roles is None:
                roles = frozenset().union(*[self._roles(user, parent, True)
                                            for parent in self._parents(entity)])
            cache[key] = roles
        return roles

    @staticmethod
    def _parents(entity):
        """A VM's folder and resource pool; any other entity's parent."""
        parents = [entity.parent] if entity.parent is not None else []
        pool = getattr(entity, "pool", None)
        if pool is not None:
            parents.append(pool)
        return parents

    def _decide(self, user, entity, propagating):
        """The roles the permissions defined on ``entity`` give ``user`` (only those that
        propagate, with ``propagating``), or None where none applies to it: its own
        permission, else the union of its groups'."""
        defined = self.table().get(entity.moid)
        if not defined:
            return None
        own, groups = None, []
        for key, permission in defined.items():
            if (propagating and not permission.propagate) or not self._applies_to(user, key):
                continue
            if key[1]:
                groups.append(permission.roleId)
            else:
                own = permission.roleId
        if own is not None:
            return frozenset((own,))
        return frozenset(groups) if groups else None

    def _applies_to(self, user, key):
        """Whether a permission's principal (lowercased name, group) is ``user`` or a group
        it is a member of."""
        cached = self._applies.get((user.name, key))
        if cached is None:
            directory = self.vc.managers["userDirectory"]
            principal, group = key
            if group:
                found = directory.find_group(principal)
                cached = found is not None and user in directory.members(found)
            else:
                cached = directory.find_user(principal) is user
            self._applies[(user.name, key)] = cached
        return cached

    def everywhere(self, user):
        """The privileges ``user`` holds on every entity, whatever the inventory: what every
        permission that applies to it grants, provided the root folder propagates one (a
        read by a user with its role everywhere, the common case, then filters nothing)."""
        self._fresh()
        held = self._uniform.get(user.name)
        if held is None:
            root = self.vc.root_folder
            held = frozenset()
            if root is not None and self._decide(user, root, True) is not None:
                roles = {p.roleId for defined in self.table().values()
                         for key, p in defined.items() if self._applies_to(user, key)}
                held = frozenset.intersection(*[ROLES_BY_ID[r].privileges for r in roles])
            self._uniform[user.name] = held
        return held

    # -- privilege queries ---------------------------------------------------------------

    def _granted(self, user, entity, privilege_ids):
        obj = self.vc.lookup(entity)
        held = self.privileges_of(user, entity_of(self.vc, obj))
        return [p in held for p in privilege_ids]

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

    def _require_view(self, ctx, entities):
        """VMware's reference: the caller needs System.View on each entity asked about (on
        the root folder for an object that is not an entity), before anything is answered."""
        for ref in entities:
            obj = self.vc.lookup(ref, ctx)
            target = entity_of(self.vc, obj) or self.vc.root_folder
            require_read(self.vc, ctx, target, VIEW)

    def HasPrivilegeOnEntity(self, ctx, entity, sessionId, privId=None):
        self._require_view(ctx, [entity])
        return self._granted(self._session_user(sessionId), entity, privId or [])

    def HasPrivilegeOnEntities(self, ctx, entity, sessionId, privId=None):
        self._require_view(ctx, entity)
        return self._entity_privileges(self._session_user(sessionId), entity, privId or [])

    def HasUserPrivilegeOnEntities(self, ctx, entities, userName, privId=None):
        self._require_view(ctx, entities)
        user = self.vc.users.get(userName)
        if user is None:
            raise faults.InvalidArgument(invalidProperty="userName")
        return self._entity_privileges(user, entities, privId or [])

    def FetchUserPrivilegeOnEntities(self, ctx, entities, userName):
        self._require_view(ctx, entities)
        user = self.vc.users.get(userName)
        if user is None:
            raise faults.InvalidArgument(invalidProperty="userName")
        found = []
        for ref in entities:
            held = self.privileges_of(user, entity_of(self.vc, self.vc.lookup(ref, ctx)))
            found.append(DataObject("UserPrivilegeResult", entity=ref,
                                    privileges=[p for p in self.privileges if p in held]))
        return found

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
        self._changed()

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
        require(self.vc, ctx, entity, MODIFY_PERMISSIONS)
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
        self._changed()

    # -- vim25 permission methods --------------------------------------------------------

    def RetrieveEntityPermissions(self, ctx, entity, inherited):
        obj = self.vc.lookup(entity, ctx)
        require_read(self.vc, ctx, obj)  # VMware's reference: System.Read on the entity
        found = self.permissions_on(obj)
        if inherited:
            for ancestor in self._ancestors(obj):
                found += [p for p in self.permissions_on(ancestor) if p.propagate]
        return found

    def RetrieveAllPermissions(self, ctx):
        # Only those on the entities the caller sees.
        visible = read_filter(self.vc, ctx, VIEW)
        found = []
        for moid, on_entity in self.table().items():
            entity = self.vc.objects.get(moid)
            if entity is not None and (visible is None or visible(entity)):
                found += [p.copy() for p in on_entity.values()]
        return found

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
