"""AuthorizationManager: the system roles, the privileges vimsim checks, privilege queries.

A user holds one role everywhere (vimsim has no per-entity permissions yet).
"""
from vimsim.model import faults
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.model.sessions import ROLES
from vimsim.model.tasks import CANCEL_PRIVILEGE
from vimsim.vim25.data import DataObject
from vimsim.vim25.types import REGISTRY

ROLE_LABELS = {"Admin": "Administrator", "ReadOnly": "Read-only", "View": "View",
               "Anonymous": "Anonymous", "NoAccess": "No access"}


def all_privileges():
    """Every privilege a vim25 method requires, plus the System ones, sorted."""
    return sorted(REGISTRY.privileges() | {"System.Anonymous", "System.View", "System.Read",
                                           CANCEL_PRIVILEGE})


class AuthorizationManager(ManagedObject):
    vim_type = "AuthorizationManager"

    def __init__(self, vc, moid="AuthorizationManager"):
        super().__init__(vc, moid)
        self.privileges = all_privileges()

    def _granted(self, user, entity, privileges):
        self.vc.lookup(entity)
        return [user.has_privilege(p) for p in privileges]

    def _session_user(self, session_key):
        for session in self.vc.session_manager.sessions.values():
            if session.key == session_key:
                return session.user
        raise faults.InvalidArgument(invalidProperty="sessionId")

    def _entity_privileges(self, user, entities, privileges):
        return [DataObject("EntityPrivilege", entity=entity, privAvailability=[
            DataObject("PrivilegeAvailability", privId=p, isGranted=g)
            for p, g in zip(privileges, self._granted(user, entity, privileges))])
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

    @vim_property
    def privilegeList(self, ctx):
        return [DataObject("AuthorizationPrivilege", privId=p, onParent=False,
                           name=p.rsplit(".", 1)[-1], privGroupName=p.rsplit(".", 1)[0])
                for p in self.privileges]

    @vim_property
    def roleList(self, ctx):
        return [DataObject("AuthorizationRole", roleId=role_id, system=True, name=name,
                           info=DataObject("Description", label=ROLE_LABELS[name],
                                           summary=ROLE_LABELS[name]),
                           privilege=list(self.privileges if granted is None else sorted(granted)))
                for name, (role_id, granted) in ROLES.items()]

    @vim_property
    def description(self, ctx):
        groups = sorted({p.rsplit(".", 1)[0] for p in self.privileges})
        return DataObject(
            "AuthorizationDescription",
            privilege=[DataObject("ElementDescription", key=p, label=p, summary=p)
                       for p in self.privileges],
            privilegeGroup=[DataObject("ElementDescription", key=g, label=g, summary=g)
                            for g in groups])
