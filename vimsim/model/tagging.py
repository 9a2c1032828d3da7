"""vSphere's tagging service (com.vmware.cis.tagging, served by /api, /rest and the SDK's
JSON-RPC in vimsim/rest/tagging.py): categories, their tags, and the inventory objects each
tag is attached to, with vCenter's rules (unique names, cardinality, associable types) and
its privileges (InventoryService.Tagging.*). Its state is part of a snapshot
(vimsim/model/snapshot.py); an entity that leaves the inventory leaves its tags too.

A problem is a TaggingError naming vAPI's error type (NOT_FOUND, ALREADY_EXISTS,
INVALID_ARGUMENT, UNAUTHORIZED): the tagging service has no vim25 faults.
"""
import uuid

from vimsim.model import authorization

CATEGORY_ID = "urn:vmomi:InventoryServiceCategory:%s:GLOBAL"
TAG_ID = "urn:vmomi:InventoryServiceTag:%s:GLOBAL"
CARDINALITIES = ("SINGLE", "MULTIPLE")
MAX_NAME = 256
PRIVILEGE = "InventoryService.Tagging."


class TaggingError(Exception):
    def __init__(self, error_type, message, *args):
        super().__init__(message)
        self.error_type, self.message, self.args_ = error_type, message, args


def _not_found(kind, ident):
    return TaggingError("NOT_FOUND", "The %s with identifier %s was not found." % (kind, ident),
                        ident)


class Tagging:
    def __init__(self, vc):
        self.vc = vc
        self.categories, self.tags = {}, {}   # id -> dict (the vAPI model's fields)
        self.attached = {}                    # tag id -> [moId, ...], in attach order
        self.counter = 0                      # the ids derive from it: deterministic runs

    # -- the state a snapshot keeps ------------------------------------------------------

    def state(self):
        return {"categories": self.categories, "tags": self.tags, "attached": self.attached,
                "counter": self.counter}

    def restore(self, state):
        self.categories = {k: dict(v) for k, v in state["categories"].items()}
        self.tags = {k: dict(v) for k, v in state["tags"].items()}
        self.attached = {k: [m for m in v if m in self.vc.objects]
                         for k, v in state["attached"].items()}
        self.counter = state["counter"]

    def _new_id(self, template):
        self.counter += 1
        return template % uuid.uuid5(uuid.NAMESPACE_URL, "vimsim:tagging:%d" % self.counter)

    def _require(self, session, privilege, moid=None):
        name = PRIVILEGE + privilege
        entity = self.vc.objects.get(moid) if moid else None
        if not authorization.holds(self.vc, session.user, entity, name):
            raise TaggingError("UNAUTHORIZED", "Unable to authorize user: missing privilege "
                               "%s." % name, name)

    @staticmethod
    def _name(value, where):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
            raise TaggingError("INVALID_ARGUMENT", "Invalid %s name: it must hold 1 to %d "
                               "characters." % (where, MAX_NAME), where)
        return value

    # -- categories ----------------------------------------------------------------------

    def category(self, ident):
        found = self.categories.get(ident)
        if found is None:
            raise _not_found("category", ident)
        return found

    def create_category(self, session, spec):
        self._require(session, "CreateCategory")
        name = self._name(spec.get("name"), "category")
        if any(c["name"].lower() == name.lower() for c in self.categories.values()):
            raise TaggingError("ALREADY_EXISTS", "A category with the name %s already "
                               "exists." % name, name)
        cardinality = spec.get("cardinality")
        if cardinality not in CARDINALITIES:
            raise TaggingError("INVALID_ARGUMENT", "Invalid cardinality %s." % cardinality,
                               str(cardinality))
        ident = spec.get("category_id") or self._new_id(CATEGORY_ID)
        if ident in self.categories:
            raise TaggingError("ALREADY_EXISTS", "A category with the identifier %s already "
                               "exists." % ident, ident)
        self.categories[ident] = {
            "id": ident, "name": name, "description": spec.get("description") or "",
            "cardinality": cardinality,
            "associable_types": sorted(set(spec.get("associable_types") or ())),
            "used_by": []}
        return ident

    def update_category(self, session, ident, spec):
        category = self.category(ident)
        self._require(session, "EditCategory")
        changed = dict(category)
        if spec.get("name") is not None:
            name = self._name(spec["name"], "category")
            if any(c["name"].lower() == name.lower() and c["id"] != ident
                   for c in self.categories.values()):
                raise TaggingError("ALREADY_EXISTS", "A category with the name %s already "
                                   "exists." % name, name)
            changed["name"] = name
        if spec.get("description") is not None:
            changed["description"] = spec["description"]
        if spec.get("cardinality") is not None:
            wanted = spec["cardinality"]
            # vCenter widens a category (SINGLE to MULTIPLE), never narrows one
            if wanted not in CARDINALITIES or (wanted == "SINGLE" and
                                              category["cardinality"] == "MULTIPLE"):
                raise TaggingError("INVALID_ARGUMENT", "The cardinality of category %s cannot "
                                   "be changed to %s." % (category["name"], wanted), wanted)
            changed["cardinality"] = wanted
        if spec.get("associable_types") is not None:
            wanted = set(spec["associable_types"])
            held = set(category["associable_types"])
            if held and not held <= wanted or not held and wanted:
                raise TaggingError("INVALID_ARGUMENT", "The associable types of category %s "
                                   "can only be added to." % category["name"],
                                   category["name"])
            changed["associable_types"] = sorted(wanted)
        self.categories[ident] = changed

    def delete_category(self, session, ident):
        self.category(ident)
        self._require(session, "DeleteCategory")
        for tag in [t for t in self.tags.values() if t["category_id"] == ident]:
            self._drop_tag(tag["id"])
        del self.categories[ident]

    # -- tags ----------------------------------------------------------------------------

    def tag(self, ident):
        found = self.tags.get(ident)
        if found is None:
            raise _not_found("tag", ident)
        return found

    def create_tag(self, session, spec):
        category = self.category(spec.get("category_id"))
        self._require(session, "CreateTag")
        name = self._name(spec.get("name"), "tag")
        if any(t["name"].lower() == name.lower() and t["category_id"] == category["id"]
               for t in self.tags.values()):
            raise TaggingError("ALREADY_EXISTS", "A tag with the name %s already exists in "
                               "category %s." % (name, category["name"]), name)
        ident = spec.get("tag_id") or self._new_id(TAG_ID)
        if ident in self.tags:
            raise TaggingError("ALREADY_EXISTS", "A tag with the identifier %s already "
                               "exists." % ident, ident)
        self.tags[ident] = {"id": ident, "category_id": category["id"], "name": name,
                            "description": spec.get("description") or "", "used_by": []}
        self.attached[ident] = []
        return ident

    def update_tag(self, session, ident, spec):
        tag = self.tag(ident)
        self._require(session, "EditTag")
        changed = dict(tag)
        if spec.get("name") is not None:
            name = self._name(spec["name"], "tag")
            if any(t["name"].lower() == name.lower() and t["category_id"] == tag["category_id"]
                   and t["id"] != ident for t in self.tags.values()):
                raise TaggingError("ALREADY_EXISTS", "A tag with the name %s already exists."
                                   % name, name)
            changed["name"] = name
        if spec.get("description") is not None:
            changed["description"] = spec["description"]
        self.tags[ident] = changed

    def delete_tag(self, session, ident):
        self.tag(ident)
        self._require(session, "DeleteTag")
        self._drop_tag(ident)

    def _drop_tag(self, ident):
        del self.tags[ident]
        self.attached.pop(ident, None)

    def tags_for_category(self, ident):
        self.category(ident)
        return [t["id"] for t in self.tags.values() if t["category_id"] == ident]

    # -- associations --------------------------------------------------------------------

    def _object(self, object_id):
        """The moId a DynamicID ({type, id}) names; NOT_FOUND for none."""
        moid = object_id.get("id") if isinstance(object_id, dict) else None
        obj = self.vc.objects.get(moid) if isinstance(moid, str) else None
        if obj is None or "ManagedEntity" not in obj.type_names() or \
                obj.vim_type != object_id.get("type"):
            raise TaggingError("NOT_FOUND", "The object %s was not found." % moid, str(moid))
        return obj

    def attach(self, session, tag_id, object_id):
        tag = self.tag(tag_id)
        obj = self._object(object_id)
        self._require(session, "AttachTag", obj.moid)
        self._require(session, "ObjectAttachable", obj.moid)
        category = self.categories[tag["category_id"]]
        types = category["associable_types"]
        if types and not set(types) & set(obj.type_names()):
            raise TaggingError("INVALID_ARGUMENT", "Tag %s cannot be attached to %s: its "
                               "category allows %s only." % (tag["name"], obj.vim_type,
                                                             ", ".join(types)), tag["name"])
        held = self.attached.setdefault(tag_id, [])
        if obj.moid in held:
            return
        if category["cardinality"] == "SINGLE":
            for other in self.tags.values():
                if other["category_id"] == category["id"] and other["id"] != tag_id and \
                        obj.moid in self.attached.get(other["id"], ()):
                    raise TaggingError("INVALID_ARGUMENT", "The object %s already carries tag "
                                       "%s of the single-cardinality category %s." % (
                                           obj.moid, other["name"], category["name"]),
                                       obj.moid)
        held.append(obj.moid)

    def detach(self, session, tag_id, object_id):
        self.tag(tag_id)
        obj = self._object(object_id)
        self._require(session, "AttachTag", obj.moid)
        held = self.attached.get(tag_id, [])
        if obj.moid in held:
            held.remove(obj.moid)

    def object_ref(self, moid):
        return {"type": self.vc.objects[moid].vim_type, "id": moid}

    def attached_objects(self, tag_id):
        self.tag(tag_id)
        return [self.object_ref(m) for m in self.attached.get(tag_id, ())
                if m in self.vc.objects]

    def attached_tags(self, object_id):
        obj = self._object(object_id)
        return [t for t, held in self.attached.items() if obj.moid in held]

    def forget(self, moid):
        """An entity left the inventory: no tag is attached to it any more."""
        for held in self.attached.values():
            if moid in held:
                held.remove(moid)
