"""LicenseManager and LicenseAssignmentManager: the license inventory of a vCenter in its
evaluation period, and which license each entity (the vCenter itself, each host) uses.

As vCenter answers: the evaluation license is always listed (``used`` unset, which is how
clients tell it from a real one) and cannot be removed; a key that does not decode is not
refused but answered with a ``diagnostic`` property and left out of the inventory. vimsim
cannot decode real keys: any well-formed key (five groups of five letters or digits) decodes
as a vCenter Server 8 Standard license, except the test keys 00000-00000-00000-00000-xxxxx,
which real servers refuse too (the evaluation key aside). Removing a license that an
entity uses leaves it in place, as removing the evaluation license does; clients find out by
listing ``licenses`` again.
"""
import re
from datetime import timedelta

from vimsim.model import faults
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject

EVAL_KEY = "00000-00000-00000-00000-00000"
EVAL_PERIOD = timedelta(days=60)
KEY_FORMAT = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$", re.IGNORECASE)
TEST_KEY_PREFIX = "00000-00000-00000-00000-"  # never a valid product key
NOT_VALID = "License is not valid for this product"
EXPIRED = "Evaluation period has expired, please install license."
# The evaluation license's features, "key[:level]" -> name.
EVAL_FEATURES = (("serialuri:2", "Remote virtual Serial Port Concentrator"),
                 ("dvs", "vSphere Distributed Switch"))
# What a well-formed key decodes as.
STANDARD = {"editionKey": "vc.standard.instance", "name": "VMware vCenter Server 8 Standard",
            "costUnit": "server", "total": 1}


def _kv(key, value):
    return DataObject("KeyAnyValue", key=key, value=value)


def _labels(labels):
    return [DataObject("KeyValue", key=k, value=v) for k, v in labels.items()]


class LicenseManager(ManagedObject):
    vim_type = "LicenseManager"

    persisted = ("licenses",)

    def __init__(self, vc, moid="LicenseManager"):
        super().__init__(vc, moid)
        self.licenses = {EVAL_KEY: {}}  # license key -> its labels {key: value}, in order
        self.assignment_manager = vc.add(LicenseAssignmentManager(vc, self))

    # -- decoding and the evaluation period ----------------------------------------------

    def _product(self):
        about = self.vc.about()
        return [_kv("ProductName", about.licenseProductName),
                _kv("ProductVersion", about.licenseProductVersion)]

    def info(self, key, name=None):
        """The LicenseManagerLicenseInfo of a key: the evaluation license, one that decodes
        (with ``used`` and labels if the inventory holds it), or one with a diagnostic."""
        if key == EVAL_KEY:
            features = [_kv("feature", DataObject("KeyValue", key=k, value=v))
                        for k, v in EVAL_FEATURES]
            return DataObject("LicenseManagerLicenseInfo", licenseKey=key, editionKey="eval",
                              name=name or "Product Evaluation", total=0, costUnit="",
                              properties=features + self._product(),
                              labels=_labels(self.licenses[EVAL_KEY]))
        if not self.decodes(key):
            return DataObject("LicenseManagerLicenseInfo", licenseKey=key, editionKey="",
                              name="", total=0, costUnit="",
                              properties=[_kv("diagnostic", NOT_VALID)])
        held = self.licenses.get(key)
        used = self.assignment_manager.count(key) if held is not None else None
        return DataObject("LicenseManagerLicenseInfo", licenseKey=key, used=used,
                          properties=self._product(), labels=_labels(held or {}), **STANDARD)

    @staticmethod
    def decodes(key):
        return bool(KEY_FORMAT.match(key)) and not key.startswith(TEST_KEY_PREFIX)

    def evaluation_left(self):
        """What remains of the evaluation period, counted from the start (never negative)."""
        left = self.vc.boot_time + EVAL_PERIOD - self.vc.clock.now()
        return max(left, timedelta(0))

    def evaluation_info(self):
        left = self.evaluation_left()
        minutes = int(left.total_seconds()) // 60
        props = [_kv("expirationHours", minutes // 60), _kv("expirationMinutes", minutes % 60),
                 _kv("expirationDate", self.vc.boot_time + EVAL_PERIOD)]
        if not left:
            props.append(_kv("diagnostic", EXPIRED))
        return DataObject("LicenseManagerEvaluationInfo", properties=props)

    def _known(self, key):
        if key not in self.licenses:
            raise faults.InvalidArgument(invalidProperty="licenseKey")
        return self.licenses[key]

    # -- vim25 methods -------------------------------------------------------------------

    def DecodeLicense(self, ctx, licenseKey):
        return self.info(licenseKey)

    def AddLicense(self, ctx, licenseKey, labels=None):
        if licenseKey != EVAL_KEY and self.decodes(licenseKey):
            held = self.licenses.setdefault(licenseKey, {})
            held.update((label.key, label.value) for label in labels or ())
            self.vc.touch(self)
        return self.info(licenseKey)

    def RemoveLicense(self, ctx, licenseKey):
        if licenseKey in self.licenses and licenseKey != EVAL_KEY \
                and not self.assignment_manager.count(licenseKey):
            del self.licenses[licenseKey]
            self.vc.touch(self)

    def UpdateLicenseLabel(self, ctx, licenseKey, labelKey, labelValue):
        labels = self._known(licenseKey)
        if labelValue:
            labels[labelKey] = labelValue
        else:  # an empty value removes the label
            labels.pop(labelKey, None)
        self.vc.touch(self)

    def RemoveLicenseLabel(self, ctx, licenseKey, labelKey):
        self._known(licenseKey).pop(labelKey, None)
        self.vc.touch(self)

    # -- properties ----------------------------------------------------------------------

    @vim_property
    def licenses(self, ctx):
        return [self.info(key) for key in self.licenses]

    @vim_property
    def evaluation(self, ctx):
        return self.evaluation_info()

    @vim_property
    def licenseAssignmentManager(self, ctx):
        return self.assignment_manager.ref

    @vim_property
    def source(self, ctx):
        key = self.assignment_manager.key_of(self.vc.instance_uuid)
        if key == EVAL_KEY:
            return DataObject("EvaluationLicenseSource",
                              remainingHours=int(self.evaluation_left().total_seconds()) // 3600)
        return DataObject("LocalLicenseSource", licenseKeys=key)

    @vim_property
    def sourceAvailable(self, ctx):
        return True

    @vim_property
    def featureInfo(self, ctx):
        return []

    @vim_property
    def licensedEdition(self, ctx):
        return ""


class LicenseAssignmentManager(ManagedObject):
    """Which license each entity uses: the vCenter (by its instance uuid), each host and any
    cluster given one (by moId). An entity not assigned one uses the evaluation license."""

    vim_type = "LicenseAssignmentManager"
    ENTITY_TYPES = ("HostSystem", "ClusterComputeResource")

    persisted = ("assigned",)

    def __init__(self, vc, license_manager, moid="LicenseAssignmentManager"):
        super().__init__(vc, moid)
        self.license_manager = license_manager
        self.assigned = {}  # entity id -> (license key, display name or None)

    def _entity(self, entity_id):
        """The managed entity an id names (None for the vCenter itself); LicenseEntityNotFound."""
        if entity_id == self.vc.instance_uuid:
            return None
        obj = self.vc.objects.get(entity_id)
        if obj is None or obj.vim_type not in self.ENTITY_TYPES:
            raise faults.Fault.of("LicenseEntityNotFound",
                                  "The entity %s has no license assignment." % entity_id,
                                  entityId=entity_id)
        return obj

    def key_of(self, entity_id):
        return self.assigned.get(entity_id, (EVAL_KEY, None))[0]

    def count(self, key):
        return sum(1 for assigned_key, _ in self.assigned.values() if assigned_key == key)

    def _assignment(self, entity_id, obj):
        key, display_name = self.assigned.get(entity_id, (EVAL_KEY, None))
        if obj is None:
            name = self.vc.managers["setting"].value("VirtualCenter.InstanceName")
        else:
            name = obj.name
        fields = {"scope": self.vc.instance_uuid} if obj is not None else {}
        if key == EVAL_KEY:
            fields["properties"] = [_kv("Evaluation", self.license_manager.evaluation_info())]
        return DataObject("LicenseAssignmentManagerLicenseAssignment", entityId=entity_id,
                          entityDisplayName=display_name or name,
                          assignedLicense=self.license_manager.info(key, "Evaluation Mode"),
                          **fields)

    def _entities(self):
        """(id, entity) of everything that holds a license: the vCenter, its hosts, and the
        clusters given one."""
        found = [(self.vc.instance_uuid, None)]
        for obj in self.vc.objects.values():
            if obj.vim_type == "HostSystem" or obj.moid in self.assigned:
                found.append((obj.moid, obj))
        return found

    def QueryAssignedLicenses(self, ctx, entityId=None):
        from vimsim.model import authorization  # which needs the managers' module first
        readable = authorization.read_filter(self.vc, ctx)  # an entity one may not read: out
        if not entityId:
            return [self._assignment(i, obj) for i, obj in self._entities()
                    if readable is None or readable(obj if obj is not None else
                                                    self.vc.root_folder)]
        try:
            obj = self._entity(entityId)
        except faults.Fault:
            return []
        if readable is not None and not readable(obj if obj is not None else
                                                 self.vc.root_folder):
            return []
        return [self._assignment(entityId, obj)]

    def UpdateAssignedLicense(self, ctx, entity, licenseKey, entityDisplayName=None):
        self._entity(entity)
        if licenseKey not in self.license_manager.licenses:
            raise faults.InvalidArgument(invalidProperty="licenseKey")
        self.assigned[entity] = (licenseKey, entityDisplayName or None)
        self.vc.touch(self.license_manager)
        return self.license_manager.info(licenseKey)

    def RemoveAssignedLicense(self, ctx, entityId):
        self._entity(entityId)
        if self.assigned.pop(entityId, None) is not None:
            self.vc.touch(self.license_manager)
