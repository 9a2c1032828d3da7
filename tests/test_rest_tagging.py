"""The tagging service (com.vmware.cis.tagging) over /api, /rest and the vSphere Automation
SDK for Python: categories, tags and their associations, with vCenter's rules and errors;
a destroyed VM's tags go with it; a snapshot keeps them."""
import pytest

from conftest import find_vm
from test_rest import Rest, api_error, https, sdk_client, close_sdk_clients  # noqa: F401
from test_rest_vcenter import vm_id
from test_snapshot import control
from test_datastore_and_pools import finished

API, REST = "/api/cis/tagging/", "/rest/com/vmware/cis/tagging/"


def post(rest, path, body=None):
    return rest.http.post(rest.base + path, headers=rest.headers, json=body, timeout=10)


def category(rest, name="env", cardinality="SINGLE", types=("VirtualMachine",)):
    r = post(rest, API + "category", {"name": name, "description": "where it runs",
                                      "cardinality": cardinality,
                                      "associable_types": list(types)})
    assert r.status_code == 201, r.text
    return r.json()


def tag(rest, category_id, name):
    r = post(rest, API + "tag", {"name": name, "category_id": category_id, "description": ""})
    assert r.status_code == 201, r.text
    return r.json()


def test_categories_tags_and_associations_over_api(emulator):
    rest = Rest(emulator)
    env = category(rest)
    assert env.startswith("urn:vmomi:InventoryServiceCategory:") and env.endswith(":GLOBAL")
    assert rest.get(API + "category").json() == [env]
    model = rest.get(API + "category/" + env).json()
    assert model == {"id": env, "name": "env", "description": "where it runs",
                     "cardinality": "SINGLE", "associable_types": ["VirtualMachine"],
                     "used_by": []}
    api_error(post(rest, API + "category", {"name": "ENV", "cardinality": "SINGLE",
                                            "associable_types": []}), 400, "ALREADY_EXISTS")
    prod, dev = tag(rest, env, "prod"), tag(rest, env, "dev")
    assert sorted(rest.get(API + "tag").json()) == sorted([prod, dev])
    assert rest.get(API + "tag/" + prod).json()["category_id"] == env
    listed = post(rest, API + "tag?action=list-tags-for-category", {"category_id": env})
    assert sorted(listed.json()) == sorted([prod, dev])
    api_error(post(rest, API + "tag", {"name": "prod", "category_id": env}), 400,
              "ALREADY_EXISTS")
    api_error(post(rest, API + "tag", {"name": "x", "category_id": "urn:nothing"}), 404,
              "NOT_FOUND")
    vm = {"type": "VirtualMachine", "id": vm_id(emulator, "DC0_H0_VM0")}
    assert post(rest, API + "tag-association/%s?action=attach" % prod,
                {"object_id": vm}).status_code == 204
    assert post(rest, API + "tag-association?action=list-attached-tags",
                {"object_id": vm}).json() == [prod]
    assert post(rest, API + "tag-association/%s?action=list-attached-objects" % prod).json() \
        == [vm]
    # SINGLE: a second tag of the category on the same VM is refused
    api_error(post(rest, API + "tag-association/%s?action=attach" % dev, {"object_id": vm}),
              400, "INVALID_ARGUMENT")
    host = {"type": "HostSystem", "id": "host-20"}   # the category takes VMs only
    api_error(post(rest, API + "tag-association/%s?action=attach" % prod,
                   {"object_id": host}), 400, "INVALID_ARGUMENT")
    api_error(post(rest, API + "tag-association/%s?action=attach" % prod,
                   {"object_id": {"type": "VirtualMachine", "id": "vm-9999"}}), 404,
              "NOT_FOUND")
    on = post(rest, API + "tag-association?action=list-attached-tags-on-objects",
              {"object_ids": [vm]}).json()
    assert on == [{"object_id": vm, "tag_ids": [prod]}]
    assert rest.http.patch(rest.base + API + "category/" + env, headers=rest.headers,
                           json={"cardinality": "MULTIPLE"}, timeout=10).status_code == 204
    assert post(rest, API + "tag-association/%s?action=attach" % dev,
                {"object_id": vm}).status_code == 204
    assert post(rest, API + "tag-association/%s?action=detach" % prod,
                {"object_id": vm}).status_code == 204
    assert post(rest, API + "tag-association?action=list-attached-tags",
                {"object_id": vm}).json() == [dev]
    assert rest.http.delete(rest.base + API + "category/" + env, headers=rest.headers,
                            timeout=10).status_code == 204
    assert rest.get(API + "tag").json() == []   # its tags went with it
    api_error(rest.get(API + "tag/" + dev), 404, "NOT_FOUND")


def test_rest_dialect_wraps_specs_and_values(emulator):
    rest = Rest(emulator)
    made = post(rest, REST + "category", {"create_spec": {
        "name": "team", "cardinality": "MULTIPLE", "associable_types": [],
        "description": ""}})
    assert made.status_code == 200, made.text
    team = made.json()["value"]
    assert rest.get(REST + "category").json() == {"value": [team]}
    assert rest.get(REST + "category/id:" + team).json()["value"]["name"] == "team"
    blue = post(rest, REST + "tag", {"create_spec": {"name": "blue", "category_id": team,
                                                     "description": ""}}).json()["value"]
    listed = post(rest, REST + "tag/id:%s?~action=list-tags-for-category" % team).json()
    assert listed == {"value": [blue]}
    host = {"type": "HostSystem", "id": "host-20"}  # no associable types: any entity
    assert post(rest, REST + "tag-association/id:%s?~action=attach" % blue,
                {"object_id": host}).status_code == 200
    attached = post(rest, REST + "tag-association?~action=list-attached-tags",
                    {"object_id": host}).json()
    assert attached == {"value": [blue]}


def test_privileges_and_a_destroyed_vms_tags(emulator, si):
    rest = Rest(emulator)
    env = category(rest, cardinality="MULTIPLE")
    prod = tag(rest, env, "prod")
    readonly = Rest(emulator, "readonly", "readonly")
    api_error(post(readonly, API + "category", {"name": "mine", "cardinality": "SINGLE",
                                                "associable_types": []}), 403, "UNAUTHORIZED")
    vm = find_vm(si, "DC0_H0_VM0")
    object_id = {"type": "VirtualMachine", "id": vm._moId}
    api_error(post(readonly, API + "tag-association/%s?action=attach" % prod,
                   {"object_id": object_id}), 403, "UNAUTHORIZED")
    assert post(rest, API + "tag-association/%s?action=attach" % prod,
                {"object_id": object_id}).status_code == 204
    vm.PowerOffVM_Task()
    emulator.advance(1)
    assert finished(emulator, vm.Destroy_Task()).state == "success"
    assert post(rest, API + "tag-association/%s?action=list-attached-objects" % prod).json() \
        == []


def test_sdk_tagging(https):
    from com.vmware.cis.tagging_client import Category, CategoryModel, Tag
    from com.vmware.vapi.std_client import DynamicID
    client = sdk_client(https)
    cid = client.tagging.Category.create(Category.CreateSpec(
        name="os", description="", cardinality=CategoryModel.Cardinality.SINGLE,
        associable_types={"VirtualMachine"}))
    model = client.tagging.Category.get(cid)
    assert (model.name, model.cardinality, model.associable_types) == (
        "os", CategoryModel.Cardinality.SINGLE, {"VirtualMachine"})
    tid = client.tagging.Tag.create(Tag.CreateSpec(name="linux", description="",
                                                   category_id=cid))
    assert client.tagging.Tag.get(tid).category_id == cid
    assert client.tagging.Tag.list_tags_for_category(cid) == [tid]
    [vm] = client.vcenter.VM.list(client.vcenter.VM.FilterSpec(names={"DC0_H0_VM0"}))
    target = DynamicID(type="VirtualMachine", id=vm.vm)
    client.tagging.TagAssociation.attach(tid, target)
    assert client.tagging.TagAssociation.list_attached_tags(target) == [tid]
    [found] = client.tagging.TagAssociation.list_attached_objects(tid)
    assert (found.type, found.id) == ("VirtualMachine", vm.vm)
    [pair] = client.tagging.TagAssociation.list_attached_tags_on_objects([target])
    assert pair.tag_ids == [tid]
    from com.vmware.vapi.std.errors_client import AlreadyExists
    with pytest.raises(AlreadyExists):
        client.tagging.Tag.create(Tag.CreateSpec(name="linux", description="",
                                                 category_id=cid))
    client.tagging.TagAssociation.detach(tid, target)
    client.tagging.Tag.delete(tid)
    client.tagging.Category.delete(cid)
    assert client.tagging.Category.list() == []


def test_tags_are_kept_by_a_snapshot(make_emulator):
    first = make_emulator(clock="virtual")
    rest = Rest(first)
    env = category(rest)
    prod = tag(rest, env, "prod")
    vm = {"type": "VirtualMachine", "id": vm_id(first, "DC0_H0_VM0")}
    post(rest, API + "tag-association/%s?action=attach" % prod, {"object_id": vm})
    snapshot = control(first.base, "GET", "/snapshot")
    second = make_emulator(clock="virtual")
    assert control(second.base, "PUT", "/snapshot", snapshot) == {"loaded": True}
    rest = Rest(second)
    assert rest.get(API + "category").json() == [env]
    assert post(rest, API + "tag-association?action=list-attached-tags",
                {"object_id": vm}).json() == [prod]
    # ids made later do not repeat kept ones
    assert tag(rest, env, "dev") != prod
