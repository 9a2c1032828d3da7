"""CustomFieldsManager through pyVmomi: custom attribute definitions, their values on
entities (customValue, value, availableField), their faults, and property filters that see
them change."""
import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm


def host(si, name="DC0_H0"):
    return si.content.searchIndex.FindByInventoryPath("DC0/host/%s/%s" % (name, name))


def values(entity):
    return {v.key: v.value for v in entity.customValue}


def test_definitions_are_numbered_from_101_and_listed_by_name(si):
    cfm = si.content.customFieldsManager
    assert cfm.field == []
    zeta = cfm.AddCustomFieldDef(name="zeta", moType=vim.VirtualMachine)
    alpha = cfm.AddCustomFieldDef(name="alpha")
    assert (zeta.key, alpha.key) == (101, 102)
    assert [(f.name, f.key) for f in cfm.field] == [("alpha", 102), ("zeta", 101)]
    assert zeta.managedObjectType is vim.VirtualMachine and zeta.type is str
    assert alpha.managedObjectType is None
    assert zeta.fieldDefPrivileges.createPrivilege == "Global.ManageCustomFields"
    assert zeta.fieldDefPrivileges.readPrivilege == "System.View"
    assert zeta.fieldInstancePrivileges.updatePrivilege == "Global.SetCustomField"
    policy = vim.PrivilegePolicyDef(createPrivilege="System.View", readPrivilege="System.View",
                                    updatePrivilege="System.View", deletePrivilege="System.View")
    own = cfm.AddCustomFieldDef(name="own", moType=vim.HostSystem, fieldPolicy=policy)
    assert own.key == 103 and own.fieldInstancePrivileges.updatePrivilege == "System.View"


def test_duplicate_names_for_one_type_or_a_global_field(si):
    cfm = si.content.customFieldsManager
    cfm.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
    cfm.AddCustomFieldDef(name="owner", moType=vim.HostSystem)  # another type: fine
    with pytest.raises(vim.fault.DuplicateName) as exc:
        cfm.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
    assert exc.value.name == "owner" and exc.value.object == cfm
    with pytest.raises(vim.fault.DuplicateName):
        cfm.AddCustomFieldDef(name="owner")  # a global one would clash with both
    cfm.AddCustomFieldDef(name="team")
    with pytest.raises(vim.fault.DuplicateName):
        cfm.AddCustomFieldDef(name="team", moType=vim.Datastore)
    assert len(cfm.field) == 3


def test_bad_arguments_and_undefined_privileges(si):
    cfm = si.content.customFieldsManager
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        cfm.AddCustomFieldDef(name="x", moType=vim.vm.ConfigInfo)  # a data type
    assert exc.value.invalidProperty == "moType"
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        cfm.AddCustomFieldDef(name="")
    assert exc.value.invalidProperty == "name"
    with pytest.raises(vim.fault.InvalidPrivilege) as exc:
        cfm.AddCustomFieldDef(name="x", fieldDefPolicy=vim.PrivilegePolicyDef(
            createPrivilege="Global.NoSuchThing", readPrivilege="System.View",
            updatePrivilege="System.View", deletePrivilege="System.View"))
    assert exc.value.privilege == "Global.NoSuchThing"
    assert cfm.field == []


def test_set_field_shows_on_the_entity(si):
    cfm = si.content.customFieldsManager
    vm, h = find_vm(si, "DC0_H0_VM0"), host(si)
    owner = cfm.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
    team = cfm.AddCustomFieldDef(name="team")
    cfm.SetField(entity=vm, key=owner.key, value="alice")
    cfm.SetField(entity=vm, key=team.key, value="blue")
    cfm.SetField(entity=h, key=team.key, value="red")
    assert values(vm) == {owner.key: "alice", team.key: "blue"}
    assert all(isinstance(v, vim.CustomFieldStringValue) for v in vm.customValue)
    assert {v.key: v.value for v in vm.value} == values(vm)
    # the VM's summary carries them too (Ansible's vmware_guest reads them there)
    assert {v.key: v.value for v in vm.summary.customValue} == values(vm)
    assert [f.name for f in vm.availableField] == ["owner", "team"]
    assert [f.name for f in h.availableField] == ["team"] and values(h) == {team.key: "red"}
    cfm.SetField(entity=vm, key=owner.key, value="bob")  # a second value replaces the first
    assert values(vm)[owner.key] == "bob"
    assert values(find_vm(si, "DC0_H0_VM1")) == {}


def test_set_field_faults(emulator, si):
    cfm = si.content.customFieldsManager
    vm, h = find_vm(si, "DC0_H0_VM0"), host(si)
    owner = cfm.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        cfm.SetField(entity=vm, key=999, value="x")
    assert exc.value.invalidProperty == "key"
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        cfm.SetField(entity=h, key=owner.key, value="x")  # a VM field on a host
    assert exc.value.invalidProperty == "entity"
    ro = emulator.connect(user="readonly", pwd="readonly")
    ro_cfm = ro.content.customFieldsManager
    with pytest.raises(vim.fault.NoPermission) as exc:
        ro_cfm.SetField(entity=find_vm(ro, "DC0_H0_VM0"), key=owner.key, value="x")
    assert exc.value.privilegeId == "Global.SetCustomField"
    with pytest.raises(vim.fault.NoPermission) as exc:
        ro_cfm.AddCustomFieldDef(name="mine")
    assert exc.value.privilegeId == "Global.ManageCustomFields"
    assert [f.name for f in ro_cfm.field] == ["owner"]  # reading needs System.View only
    assert values(vm) == {}


def test_set_custom_value_on_the_entity_names_the_field(emulator, si):
    cfm = si.content.customFieldsManager
    vm, h = find_vm(si, "DC0_H0_VM0"), host(si)
    owner = cfm.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
    team = cfm.AddCustomFieldDef(name="team")
    vm.setCustomValue(key="owner", value="alice")
    h.setCustomValue(key="team", value="red")
    assert values(vm) == {owner.key: "alice"} and values(h) == {team.key: "red"}
    vm.setCustomValue(key="owner", value="bob")
    assert values(vm) == {owner.key: "bob"}
    for entity, name in ((vm, "nobody"), (h, "owner")):  # unknown; a VM field on a host
        with pytest.raises(vmodl.fault.InvalidArgument) as exc:
            entity.setCustomValue(key=name, value="x")
        assert exc.value.invalidProperty == "key"
    ro = emulator.connect(user="readonly", pwd="readonly")
    with pytest.raises(vim.fault.NoPermission) as exc:
        find_vm(ro, "DC0_H0_VM0").setCustomValue(key="owner", value="x")
    assert exc.value.privilegeId == "Global.SetCustomField"
    assert values(vm) == {owner.key: "bob"}


def test_rename_and_remove(si):
    cfm = si.content.customFieldsManager
    vm = find_vm(si, "DC0_H0_VM0")
    owner = cfm.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
    team = cfm.AddCustomFieldDef(name="team", moType=vim.VirtualMachine)
    cfm.SetField(entity=vm, key=owner.key, value="alice")
    cfm.SetField(entity=vm, key=team.key, value="blue")
    cfm.RenameCustomFieldDef(key=owner.key, name="custodian")
    assert [f.name for f in vm.availableField] == ["custodian", "team"]
    with pytest.raises(vim.fault.DuplicateName) as exc:
        cfm.RenameCustomFieldDef(key=owner.key, name="team")
    assert exc.value.name == "team"
    cfm.RenameCustomFieldDef(key=owner.key, name="custodian")  # its own name: no clash
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        cfm.RenameCustomFieldDef(key=999, name="x")
    assert exc.value.invalidProperty == "key"
    cfm.RemoveCustomFieldDef(key=owner.key)
    assert values(vm) == {team.key: "blue"}
    assert [f.name for f in cfm.field] == [f.name for f in vm.availableField] == ["team"]
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        cfm.RemoveCustomFieldDef(key=owner.key)
    assert exc.value.invalidProperty == "key"
    assert cfm.AddCustomFieldDef(name="owner").key == 103  # keys are not reused


def test_wait_for_updates_sees_set_field_and_new_definitions(si):
    cfm = si.content.customFieldsManager
    vm = find_vm(si, "DC0_H0_VM0")
    pc = si.content.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=vm)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(
            type=vim.VirtualMachine, pathSet=["customValue", "availableField"])])
    pfilter = pc.CreateFilter(spec, partialUpdates=False)
    try:
        now = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0)
        first = pc.WaitForUpdatesEx("", now)
        [update] = first.filterSet[0].objectSet
        assert update.kind == "enter" and update.obj == vm
        assert pc.WaitForUpdatesEx(first.version, now) is None
        owner = cfm.AddCustomFieldDef(name="owner", moType=vim.VirtualMachine)
        second = pc.WaitForUpdatesEx(first.version, now)
        [change] = second.filterSet[0].objectSet[0].changeSet
        assert change.name == "availableField" and [f.name for f in change.val] == ["owner"]
        cfm.SetField(entity=vm, key=owner.key, value="alice")
        third = pc.WaitForUpdatesEx(second.version, now)
        [update] = third.filterSet[0].objectSet
        assert update.kind == "modify" and update.obj == vm
        [change] = update.changeSet
        assert change.name == "customValue"
        assert [(v.key, v.value) for v in change.val] == [(owner.key, "alice")]
    finally:
        pfilter.DestroyPropertyFilter()


def test_state_belongs_to_one_vcenter(make_emulator):
    one, other = make_emulator(clock="virtual"), make_emulator(clock="virtual")
    si_one, si_other = one.connect(), other.connect()
    si_one.content.customFieldsManager.AddCustomFieldDef(name="owner")
    assert si_other.content.customFieldsManager.field == []
    assert si_other.content.customFieldsManager.AddCustomFieldDef(name="owner").key == 101
