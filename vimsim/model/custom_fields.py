"""CustomFieldsManager: custom attribute definitions and their values on managed objects.

A definition applies to every object of its ``managedObjectType`` (and its subtypes), or to
every object when it names none (a global one). Each object then lists the definitions that
apply to it in ``availableField`` and its values in ``value`` (and, for an entity, in
``customValue``); both are read from here, so the state is this Vcenter's alone.
"""
from vimsim.model import authorization, faults, privileges
from vimsim.model.objects import ExtensibleManagedObject, ManagedObject, vim_property
from vimsim.vim25.data import DataObject
from vimsim.vim25.types import REGISTRY

FIRST_KEY = 101  # vCenter numbers the first custom field 101, then up by one
SET_PRIVILEGE = "Global.SetCustomField"  # on the entity, for SetField
MANAGE_PRIVILEGE = "Global.ManageCustomFields"


def _policy(manage):
    """The privilege policy vCenter gives a definition (or its values) when none is asked."""
    return DataObject("PrivilegePolicyDef", createPrivilege=manage, readPrivilege="System.View",
                      updatePrivilege=manage, deletePrivilege=manage)


class CustomFieldsManager(ManagedObject):
    vim_type = "CustomFieldsManager"

    persisted = ("defs", "values", "next_key")

    def __init__(self, vc, moid="CustomFieldsManager"):
        super().__init__(vc, moid)
        self.defs = {}    # key -> CustomFieldDef
        self.values = {}  # moId -> {key: value}
        self.next_key = FIRST_KEY

    # -- what objects read ---------------------------------------------------------------

    @staticmethod
    def applies(field, obj):
        return field.managedObjectType is None or field.managedObjectType in obj.type_names()

    def available_for(self, obj):
        """The definitions that apply to ``obj``, sorted by name (copies)."""
        if not self.defs:
            return []
        return sorted((f.copy() for f in self.defs.values() if self.applies(f, obj)),
                      key=lambda f: (f.name, f.key))

    def values_of(self, obj):
        """``obj``'s values as CustomFieldStringValue, by key."""
        values = self.values.get(obj.moid)
        if not values:
            return []
        return [DataObject("CustomFieldStringValue", key=key, value=values[key])
                for key in sorted(values)]

    # -- vim25 methods -------------------------------------------------------------------

    def AddCustomFieldDef(self, ctx, name, moType=None, fieldDefPolicy=None, fieldPolicy=None):
        if not name:
            raise faults.InvalidArgument(invalidProperty="name")
        if moType is not None and moType not in REGISTRY.managed:
            raise faults.InvalidArgument(invalidProperty="moType")
        self._require_unique(name, moType)
        for policy in (fieldDefPolicy, fieldPolicy):
            self._require_known_privileges(policy)
        field = DataObject(
            "CustomFieldDef", key=self.next_key, name=name, type="string",
            managedObjectType=moType,
            fieldDefPrivileges=fieldDefPolicy or _policy(MANAGE_PRIVILEGE),
            fieldInstancePrivileges=fieldPolicy or _policy(SET_PRIVILEGE))
        self.next_key += 1
        self.defs[field.key] = field
        self._touch_where(field)
        return field.copy()

    def RemoveCustomFieldDef(self, ctx, key):
        field = self._field(key)
        del self.defs[key]
        for values in self.values.values():
            values.pop(key, None)
        self._touch_where(field)

    def RenameCustomFieldDef(self, ctx, key, name):
        field = self._field(key)
        if not name:
            raise faults.InvalidArgument(invalidProperty="name")
        self._require_unique(name, field.managedObjectType, key)
        field.name = name
        self._touch_where(field)

    def SetField(self, ctx, entity, key, value):
        obj = self.vc.lookup(entity, ctx)
        authorization.require(self.vc, ctx, obj, SET_PRIVILEGE)
        field = self._field(key)
        if not self.applies(field, obj):
            raise faults.InvalidArgument(invalidProperty="entity")
        self.values.setdefault(obj.moid, {})[key] = value or ""
        self.vc.touch(obj)

    def set_by_name(self, ctx, obj, name, value):
        """ExtensibleManagedObject.setCustomValue: the value of the field named ``name`` that
        applies to ``obj`` (InvalidArgument ``key`` when none does), with the privilege its
        definition asks for its values."""
        field = next((f for f in self.defs.values() if f.name == name and self.applies(f, obj)),
                     None)
        if field is None:
            raise faults.InvalidArgument(invalidProperty="key")
        policy = field.fieldInstancePrivileges
        authorization.require(self.vc, ctx, obj, policy.updatePrivilege or SET_PRIVILEGE)
        self.values.setdefault(obj.moid, {})[field.key] = value or ""
        self.vc.touch(obj)

    @vim_property
    def field(self, ctx):
        return sorted((f.copy() for f in self.defs.values()), key=lambda f: (f.name, f.key))

    # -- rules ---------------------------------------------------------------------------

    def _field(self, key):
        field = self.defs.get(key)
        if field is None:
            raise faults.InvalidArgument(invalidProperty="key")
        return field

    def _require_unique(self, name, mo_type, own_key=None):
        """DuplicateName when ``name`` is taken by a definition for the same type, or when one
        of the two is global (it would show twice in some object's availableField)."""
        for field in self.defs.values():
            if field.key != own_key and field.name == name and (
                    field.managedObjectType is None or mo_type is None
                    or field.managedObjectType == mo_type):
                raise faults.DuplicateName(name=name, object=self.ref)

    @staticmethod
    def _require_known_privileges(policy):
        for name in ("createPrivilege", "readPrivilege", "updatePrivilege", "deletePrivilege"):
            privilege = getattr(policy, name) if policy is not None else None
            if privilege and privilege not in privileges.PRIVILEGES:
                raise faults.Fault.of("InvalidPrivilege", "The privilege '%s' is not defined."
                                      % privilege, privilege=privilege)

    def _touch_where(self, field):
        """Tell property filters of the manager and of every object ``field`` applies to."""
        self.vc.touch(self)
        for obj in list(self.vc.objects.values()):
            if isinstance(obj, ExtensibleManagedObject) and self.applies(field, obj):
                self.vc.touch(obj)
