"""OptionManager (vCenter's advanced settings), LicenseManager with its
LicenseAssignmentManager, and DiagnosticManager through pyVmomi: each method and property, the
faults with their fields, and property filters that see the settings change."""
import gc
import logging
import uuid

import pytest
from pyVmomi import VmomiSupport, vim, vmodl

from test_zeep import recorder, zc  # noqa: F401  (fixtures)
from vimsim.model import fixture as fixtures
from vimsim.model.clock import Clock

PC = vmodl.query.PropertyCollector
NOW = PC.WaitOptions(maxWaitSeconds=0)
EVAL_KEY = "00000-00000-00000-00000-00000"
VALID_KEY = "4J2TK-3G15N-J8F88-0U1A2-1KJ5N"
HOUR = 3600


def options(values):
    return {o.key: o.value for o in values}


def option(key, value):
    return vim.option.OptionValue(key=key, value=value)


def hosts(si):
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.HostSystem],
                                                      True)
    try:
        return list(view.view)
    finally:
        view.DestroyView()


def props(values):
    return {p.key: p.value for p in values}


# -- OptionManager ------------------------------------------------------------------------


def test_setting_holds_vcenter_options_typed_as_vcenter_types_them(si):
    om = si.content.setting
    assert om._moId == "VpxSettings"
    setting = options(om.setting)
    assert setting["event.maxAge"] == 30 and type(setting["event.maxAge"]) is int
    assert setting["task.maxAge"] == 30 and setting["VirtualCenter.MaxDBConnection"] == 50
    assert setting["event.maxAgeEnabled"] is True and setting["snmp.receiver.2.enabled"] is False
    assert setting["VirtualCenter.InstanceName"] == setting["VirtualCenter.FQDN"] == "localhost"
    assert setting["VirtualCenter.VimApiUrl"] == "https://localhost:443/sdk"
    assert setting["VirtualCenter.AutoManagedIPV4"] == "127.0.0.1"
    assert setting["config.vpxd.hostnameUrl"] == "localhost"
    assert setting["config.vpxd.sso.sts.uri"] == "https://localhost/sts/STSService/vsphere.local"
    instance_uuid = si.content.about.instanceUuid
    assert setting["config.vpxd.sso.solutionUser.name"] == "vpxd-%s@vsphere.local" % instance_uuid
    assert setting["log.level"] == "info" and setting["client.timeout.normal"] == 30
    assert setting["snmp.receiver.1.port"] == 162 and setting["WebService.Ports.https"] == 443
    assert setting["config.log.maxFileNum"] == "30"  # vpxd.cfg's values are strings
    assert setting["etc.issue"] == "VMware vCenter Server Appliance 8.0.3.00000"
    assert not any(isinstance(v, VmomiSupport.long) for v in setting.values())  # xsd:int
    keys = [o.key for o in om.setting]
    assert keys == sorted(keys, key=str.lower)


def test_supported_option_defines_the_described_options(si):
    defs = {d.key: d for d in si.content.setting.supportedOption}
    max_age = defs["event.maxAge"]
    assert max_age.label == max_age.summary == "Maximum event age"
    assert isinstance(max_age.optionType, vim.option.IntOption)
    assert (max_age.optionType.defaultValue, max_age.optionType.min,
            max_age.optionType.max) == (30, 0, 2 ** 31 - 1)
    assert max_age.optionType.valueIsReadonly is False
    assert (defs["instance.id"].optionType.min, defs["instance.id"].optionType.max) == (0, 63)
    assert defs["alarms.version"].optionType.min == -1
    enabled = defs["event.maxAgeEnabled"].optionType
    assert isinstance(enabled, vim.option.BoolOption)
    assert enabled.defaultValue is True and enabled.supported is True
    level = defs["log.level"].optionType
    assert isinstance(level, vim.option.StringOption) and level.defaultValue == "info"
    assert defs["VirtualCenter.InstanceName"].optionType.defaultValue == "localhost"
    assert "config.log.level" not in defs and "logger.Default" not in defs


def test_query_options_by_name_by_subtree_and_all(si):
    om = si.content.setting
    [one] = om.QueryOptions("event.maxAge")
    assert (one.key, one.value) == ("event.maxAge", 30)
    assert list(options(om.QueryOptions("event."))) == [
        "event.batchsize", "event.maxAge", "event.maxAgeEnabled"]
    sso = options(om.QueryOptions("config.vpxd.sso."))
    assert "config.vpxd.sso.admin.uri" in sso and all(k.startswith("config.vpxd.sso.")
                                                      for k in sso)
    assert options(om.QueryOptions()) == options(om.setting)


@pytest.mark.parametrize("name", ["nope", "event", "event.max", "nope.", "Event.maxAge"])
def test_query_options_of_an_unknown_name_is_invalid_name(si, name):
    with pytest.raises(vim.fault.InvalidName) as exc:
        si.content.setting.QueryOptions(name)
    assert exc.value.name == name and exc.value.entity is None


def test_update_options_changes_values_as_ansible_sets_them(si):
    om = si.content.setting
    om.UpdateOptions(changedValue=[option("task.maxAge", 180), option("task.maxAgeEnabled", False),
                                   option("mail.smtp.server", "mail.example.com"),
                                   option("log.level", "verbose")])
    setting = options(om.setting)
    assert setting["task.maxAge"] == 180 and setting["task.maxAgeEnabled"] is False
    assert setting["mail.smtp.server"] == "mail.example.com" and setting["log.level"] == "verbose"
    assert options(om.QueryOptions("task.maxAge")) == {"task.maxAge": 180}


def test_update_options_takes_an_int_option_as_xsd_long(si):
    om = si.content.setting
    om.UpdateOptions(changedValue=[option("event.maxAge", VmomiSupport.long(90))])
    [value] = om.QueryOptions("event.maxAge")
    assert value.value == 90 and not isinstance(value.value, VmomiSupport.long)


def test_a_new_key_is_accepted_under_config_with_a_string_value(si):
    # govc option.set: QueryOptions answers InvalidName, so it sets the key as a string.
    om = si.content.setting
    with pytest.raises(vim.fault.InvalidName):
        om.QueryOptions("config.vcls.clusters.domain-c8.enabled")
    om.UpdateOptions(changedValue=[option("config.vcls.clusters.domain-c8.enabled", "false")])
    [added] = om.QueryOptions("config.vcls.clusters.domain-c8.enabled")
    assert added.value == "false"
    assert "config.vcls.clusters.domain-c8.enabled" in options(om.setting)
    assert "config.vcls.clusters.domain-c8.enabled" not in {
        d.key for d in om.supportedOption}
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        om.UpdateOptions(changedValue=[option("config.vpxd.new.number", 5)])
    assert exc.value.invalidProperty == "config.vpxd.new.number"


@pytest.mark.parametrize("key", ["vimsim.nope", "Config.vpxd.x", "config.", "event"])
def test_a_new_key_outside_config_is_invalid_name(si, key):
    with pytest.raises(vim.fault.InvalidName) as exc:
        si.content.setting.UpdateOptions(changedValue=[option(key, "x")])
    assert exc.value.name == key and exc.value.entity is None


@pytest.mark.parametrize("key,value", [
    ("event.maxAge", "45"),           # a string for an int option
    ("event.maxAge", True),           # a boolean for an int option
    ("event.maxAgeEnabled", 1),       # an int for a boolean option
    ("log.level", 3),                 # an int for a string option
    ("config.log.level", False),      # a boolean for a vpxd.cfg (string) option
    ("instance.id", 64),              # out of the option's range
    ("snmp.receiver.1.port", 0),
    ("event.maxAge", None),           # no value
])
def test_a_value_of_the_wrong_type_is_invalid_argument(si, key, value):
    om = si.content.setting
    before = options(om.setting)
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        om.UpdateOptions(changedValue=[option("task.maxAge", 7), option(key, value)])
    assert exc.value.invalidProperty == key
    assert options(om.setting) == before  # nothing changed, not even the valid first value


def test_update_options_needs_global_settings(emulator, si):
    readonly = emulator.connect("readonly", "readonly")
    om = readonly.content.setting
    assert options(om.QueryOptions("event."))["event.maxAge"] == 30  # reading is allowed
    with pytest.raises(vim.fault.NoPermission) as exc:
        om.UpdateOptions(changedValue=[option("event.maxAge", 5)])
    assert exc.value.privilegeId == "Global.Settings"
    assert exc.value.object == si.content.rootFolder
    assert options(si.content.setting.QueryOptions("event.maxAge")) == {"event.maxAge": 30}


def test_update_options_shows_in_wait_for_updates_ex(si):
    om = si.content.setting
    pc = si.content.propertyCollector
    pfilter = pc.CreateFilter(PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=om)],
        propSet=[PC.PropertySpec(type=vim.option.OptionManager, pathSet=["setting"])]),
        partialUpdates=False)
    try:
        first = pc.WaitForUpdatesEx("", NOW)
        [enter] = first.filterSet[0].objectSet
        assert enter.kind == "enter" and enter.obj == om
        assert options(enter.changeSet[0].val)["event.maxAge"] == 30
        assert pc.WaitForUpdatesEx(first.version, NOW) is None
        om.UpdateOptions(changedValue=[option("event.maxAge", 12)])
        second = pc.WaitForUpdatesEx(first.version, NOW)
        [update] = second.filterSet[0].objectSet
        assert update.kind == "modify" and update.obj == om
        [change] = update.changeSet
        assert change.name == "setting" and change.op == "assign"
        assert options(change.val)["event.maxAge"] == 12
        assert pc.WaitForUpdatesEx(second.version, NOW) is None
    finally:
        pfilter.DestroyPropertyFilter()


def test_settings_belong_to_one_vcenter(make_emulator):
    first, second = make_emulator(clock="virtual"), make_emulator(clock="virtual")
    one, other = first.connect(), second.connect()
    one.content.setting.UpdateOptions(changedValue=[option("event.maxAge", 3)])
    assert options(one.content.setting.QueryOptions("event.maxAge")) == {"event.maxAge": 3}
    assert options(other.content.setting.QueryOptions("event.maxAge")) == {"event.maxAge": 30}


# -- LicenseManager -----------------------------------------------------------------------


def test_licenses_list_the_evaluation_license(si):
    lm = si.content.licenseManager
    assert lm._moId == "LicenseManager"
    [evaluation] = lm.licenses
    assert evaluation.licenseKey == EVAL_KEY and evaluation.editionKey == "eval"
    assert evaluation.name == "Product Evaluation"
    assert evaluation.total == 0 and evaluation.used is None and evaluation.costUnit == ""
    properties = evaluation.properties
    about = si.content.about
    assert props(properties)["ProductName"] == about.licenseProductName
    assert props(properties)["ProductVersion"] == about.licenseProductVersion
    features = {p.value.key: p.value.value for p in properties if p.key == "feature"}
    assert features["dvs"] == "vSphere Distributed Switch"
    assert evaluation.labels == []
    assert lm.sourceAvailable is True and lm.featureInfo == [] and lm.licensedEdition == ""
    assert lm.diagnostics is None


def test_the_evaluation_counts_down_on_the_clock(emulator, si):
    # Days pass between two calls: a session that never expires (vpxd.cfg's 0) lives through them.
    si.content.setting.UpdateOptions([vim.option.OptionValue(
        key="config.vmacore.soap.sessionTimeout", value="0")])
    lm = si.content.licenseManager
    evaluation = props(lm.evaluation.properties)
    assert (evaluation["expirationHours"], evaluation["expirationMinutes"]) == (60 * 24, 0)
    assert "diagnostic" not in evaluation
    assert isinstance(lm.source, vim.EvaluationLicenseSource)
    assert lm.source.remainingHours == 60 * 24
    emulator.advance(HOUR + 30 * 60)
    evaluation = props(lm.evaluation.properties)
    assert (evaluation["expirationHours"], evaluation["expirationMinutes"]) == (60 * 24 - 2, 30)
    assert lm.source.remainingHours == 60 * 24 - 2
    emulator.advance(61 * 24 * HOUR)
    evaluation = props(lm.evaluation.properties)
    assert (evaluation["expirationHours"], evaluation["expirationMinutes"]) == (0, 0)
    assert evaluation["diagnostic"] == "Evaluation period has expired, please install license."
    assert evaluation["expirationDate"] < si.CurrentTime()


def test_add_license_holds_a_key_that_decodes(si):
    lm = si.content.licenseManager
    added = lm.AddLicense(licenseKey=VALID_KEY,
                          labels=[vim.KeyValue(key="source", value="ansible")])
    assert added.licenseKey == VALID_KEY and added.editionKey == "vc.standard.instance"
    assert added.name == "VMware vCenter Server 8 Standard"
    assert (added.total, added.used, added.costUnit) == (1, 0, "server")
    assert [(l.key, l.value) for l in added.labels] == [("source", "ansible")]
    assert [l.licenseKey for l in lm.licenses] == [EVAL_KEY, VALID_KEY]
    again = lm.AddLicense(licenseKey=VALID_KEY)  # adding it again changes nothing
    assert [(l.key, l.value) for l in again.labels] == [("source", "ansible")]
    assert len(lm.licenses) == 2
    assert lm.AddLicense(licenseKey=EVAL_KEY).editionKey == "eval"
    assert len(lm.licenses) == 2


@pytest.mark.parametrize("key", ["00000-00000-00000-00000-00001", "not-a-key",
                                 "4J2TK-3G15N-J8F88-0U1A2"])
def test_a_key_that_does_not_decode_answers_a_diagnostic_and_is_not_added(si, key):
    lm = si.content.licenseManager
    for info in (lm.AddLicense(licenseKey=key), lm.DecodeLicense(licenseKey=key)):
        assert info.licenseKey == key and info.editionKey == "" and info.total == 0
        assert props(info.properties) == {"diagnostic": "License is not valid for this product"}
    assert [l.licenseKey for l in lm.licenses] == [EVAL_KEY]


def test_decode_license(si):
    lm = si.content.licenseManager
    decoded = lm.DecodeLicense(licenseKey=VALID_KEY)
    assert decoded.editionKey == "vc.standard.instance" and decoded.used is None
    assert [l.licenseKey for l in lm.licenses] == [EVAL_KEY]  # decoding adds nothing
    assert lm.DecodeLicense(licenseKey=EVAL_KEY).editionKey == "eval"


def test_remove_license(si):
    lm = si.content.licenseManager
    lm.AddLicense(licenseKey=VALID_KEY)
    lm.RemoveLicense(licenseKey=VALID_KEY)
    assert [l.licenseKey for l in lm.licenses] == [EVAL_KEY]
    lm.RemoveLicense(licenseKey=VALID_KEY)  # a key not held: nothing to do
    lm.RemoveLicense(licenseKey=EVAL_KEY)   # the evaluation license stays
    assert [l.licenseKey for l in lm.licenses] == [EVAL_KEY]


def test_license_labels(si):
    lm = si.content.licenseManager
    lm.AddLicense(licenseKey=VALID_KEY)

    def labels():
        [info] = [l for l in lm.licenses if l.licenseKey == VALID_KEY]
        return [(l.key, l.value) for l in info.labels]
    lm.UpdateLicenseLabel(licenseKey=VALID_KEY, labelKey="team", labelValue="cnx")
    lm.UpdateLicenseLabel(licenseKey=VALID_KEY, labelKey="site", labelValue="lab")
    lm.UpdateLicenseLabel(licenseKey=VALID_KEY, labelKey="team", labelValue="ops")
    assert labels() == [("team", "ops"), ("site", "lab")]
    lm.UpdateLicenseLabel(licenseKey=VALID_KEY, labelKey="team", labelValue="")  # removes it
    assert labels() == [("site", "lab")]
    lm.RemoveLicenseLabel(licenseKey=VALID_KEY, labelKey="site")
    assert labels() == []
    lm.UpdateLicenseLabel(licenseKey=EVAL_KEY, labelKey="team", labelValue="cnx")
    assert [(l.key, l.value) for l in lm.licenses[0].labels] == [("team", "cnx")]
    for call in (lambda: lm.UpdateLicenseLabel(licenseKey="ABCDE-ABCDE-ABCDE-ABCDE-ABCDE",
                                               labelKey="a", labelValue="b"),
                 lambda: lm.RemoveLicenseLabel(licenseKey="ABCDE-ABCDE-ABCDE-ABCDE-ABCDE",
                                               labelKey="a")):
        with pytest.raises(vmodl.fault.InvalidArgument) as exc:
            call()
        assert exc.value.invalidProperty == "licenseKey"


def test_query_assigned_licenses_gives_the_vcenter_and_each_host_the_evaluation(si):
    lam = si.content.licenseManager.licenseAssignmentManager
    assert lam._moId == "LicenseAssignmentManager"
    instance_uuid = si.content.about.instanceUuid
    every = lam.QueryAssignedLicenses()
    all_hosts = hosts(si)
    assert [a.entityId for a in every] == [instance_uuid] + [h._moId for h in all_hosts]
    [vcenter] = lam.QueryAssignedLicenses(entityId=instance_uuid)
    assert vcenter.entityDisplayName == "localhost" and vcenter.scope is None
    assert vcenter.assignedLicense.licenseKey == EVAL_KEY
    assert vcenter.assignedLicense.name == "Evaluation Mode"
    evaluation = props(vcenter.properties)["Evaluation"]
    assert isinstance(evaluation, vim.LicenseManager.EvaluationInfo)
    assert props(evaluation.properties)["expirationHours"] == 60 * 24
    [host] = lam.QueryAssignedLicenses(entityId=all_hosts[0]._moId)
    assert host.entityDisplayName == all_hosts[0].name and host.scope == instance_uuid
    assert host.assignedLicense.editionKey == "eval"
    assert lam.QueryAssignedLicenses(entityId="host-99999") == []


def test_assign_a_license_and_remove_the_assignment(si):
    lm = si.content.licenseManager
    lam = lm.licenseAssignmentManager
    host = hosts(si)[0]
    lm.AddLicense(licenseKey=VALID_KEY)
    assigned = lam.UpdateAssignedLicense(entity=host._moId, licenseKey=VALID_KEY,
                                         entityDisplayName="esx-01")
    assert assigned.licenseKey == VALID_KEY and assigned.used == 1
    [now] = lam.QueryAssignedLicenses(entityId=host._moId)
    assert now.assignedLicense.licenseKey == VALID_KEY and now.entityDisplayName == "esx-01"
    assert now.properties == []
    lm.RemoveLicense(licenseKey=VALID_KEY)  # in use: it stays
    assert [(l.licenseKey, l.used) for l in lm.licenses] == [(EVAL_KEY, None), (VALID_KEY, 1)]
    lam.RemoveAssignedLicense(entityId=host._moId)
    [back] = lam.QueryAssignedLicenses(entityId=host._moId)
    assert back.assignedLicense.licenseKey == EVAL_KEY and back.entityDisplayName == host.name
    assert lm.licenses[1].used == 0
    instance_uuid = si.content.about.instanceUuid
    lam.UpdateAssignedLicense(entity=instance_uuid, licenseKey=VALID_KEY)
    assert isinstance(lm.source, vim.LocalLicenseSource)
    assert lm.source.licenseKeys == VALID_KEY


def test_assignment_faults(si):
    lm = si.content.licenseManager
    lam = lm.licenseAssignmentManager
    lm.AddLicense(licenseKey=VALID_KEY)
    for call in (lambda: lam.UpdateAssignedLicense(entity="host-99999", licenseKey=VALID_KEY),
                 lambda: lam.RemoveAssignedLicense(entityId="vm-21"),
                 lambda: lam.UpdateAssignedLicense(entity=str(uuid.uuid4()),
                                                   licenseKey=VALID_KEY)):
        with pytest.raises(vim.fault.LicenseEntityNotFound) as exc:
            call()
        assert exc.value.entityId in ("host-99999", "vm-21") or len(exc.value.entityId) == 36
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        lam.UpdateAssignedLicense(entity=hosts(si)[0]._moId,
                                  licenseKey="ABCDE-ABCDE-ABCDE-ABCDE-ABCDE")
    assert exc.value.invalidProperty == "licenseKey"


def test_license_changes_need_global_licenses(emulator):
    readonly = emulator.connect("readonly", "readonly")
    lm = readonly.content.licenseManager
    assert [l.licenseKey for l in lm.licenses] == [EVAL_KEY]
    assert len(lm.licenseAssignmentManager.QueryAssignedLicenses()) >= 2  # System.View
    with pytest.raises(vim.fault.NoPermission) as exc:
        lm.AddLicense(licenseKey=VALID_KEY)
    assert exc.value.privilegeId == "Global.Licenses"
    assert exc.value.object._moId == "LicenseManager"


def test_license_changes_show_in_wait_for_updates_ex(si):
    lm = si.content.licenseManager
    pc = si.content.propertyCollector
    pfilter = pc.CreateFilter(PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=lm)],
        propSet=[PC.PropertySpec(type=vim.LicenseManager, pathSet=["licenses"])]),
        partialUpdates=False)
    try:
        first = pc.WaitForUpdatesEx("", NOW)
        lm.AddLicense(licenseKey=VALID_KEY)
        [change] = pc.WaitForUpdatesEx(first.version, NOW).filterSet[0].objectSet[0].changeSet
        assert [l.licenseKey for l in change.val] == [EVAL_KEY, VALID_KEY]
    finally:
        pfilter.DestroyPropertyFilter()


# -- DiagnosticManager --------------------------------------------------------------------


def test_query_descriptions_of_vcenter_and_of_a_host(si):
    dm = si.content.diagnosticManager
    assert dm._moId == "DiagMgr"
    vpxd = dm.QueryDescriptions()
    assert [d.key for d in vpxd] == ["vpxd:vpxd.log", "vpxd:vpxd-alert.log",
                                     "vpxd:vpxd-profiler.log"]
    log = vpxd[0]
    assert log.fileName == "/var/log/vmware/vpxd/vpxd.log" and log.creator == "vpxd"
    assert (log.format, log.mimeType) == ("plain", "text/plain")
    assert log.info.label == log.info.summary == "vCenter Server log in 'plain' format"
    host = dm.QueryDescriptions(host=hosts(si)[0])
    assert [(d.key, d.fileName) for d in host] == [
        ("hostd", "/var/log/hostd.log"), ("vmkernel", "/var/log/vmkernel.log"),
        ("vpxa", "/var/log/vpxa.log")]


def test_vpxd_log_holds_what_vimsim_logs(si):
    dm = si.content.diagnosticManager
    [banner] = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=1, lines=1).lineText
    assert "info vpxd[" in banner and "Log for VMware vCenter Server" in banner
    assert "version=8.0.3" in banner
    start = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=1, lines=100).lineText
    assert any(line.endswith("[Originator@6876 sub=ServiceInstance] "
                             "ServiceContent.setting: vim.option.OptionManager:VpxSettings")
               for line in start)
    marker = "marker-%s" % uuid.uuid4()
    logging.getLogger("vimsim.soap").warning("first line %s\nsecond line", marker)
    header = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log")
    assert header.lineStart == 1 and header.lineEnd == len(header.lineText)
    [mine] = [i for i, line in enumerate(header.lineText) if marker in line]
    assert " warning vpxd[" in header.lineText[mine]
    assert "[Originator@6876 sub=vimsim.soap] first line %s" % marker in header.lineText[mine]
    assert header.lineText[mine + 1] == "--> second line"
    stamp = header.lineText[mine].split(" ", 1)[0]
    assert stamp.startswith(si.CurrentTime().strftime("%Y-%m-%dT")) and stamp.endswith("Z")


def test_browse_a_window_of_lines_as_govc_does(si):
    dm = si.content.diagnosticManager
    for n in range(30):
        logging.getLogger("vimsim").error("line %d", n)
    # govc logs -n N: the end of the log first, then from N lines before it.
    end = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=2 ** 31 - 1, lines=0)
    assert end.lineText == [] and end.lineEnd >= 31
    tail = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=end.lineEnd - 4, lines=500)
    assert (tail.lineStart, tail.lineEnd) == (end.lineEnd - 4, end.lineEnd)
    assert len(tail.lineText) == 5 and tail.lineText[-1].endswith("line 29")
    window = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=end.lineEnd - 9, lines=3)
    assert (window.lineStart, window.lineEnd) == (end.lineEnd - 9, end.lineEnd - 7)
    assert window.lineText[0].endswith("line 20")
    past = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=end.lineEnd + 1, lines=10)
    assert past.lineText == [] and past.lineEnd == end.lineEnd


def test_vpxd_log_is_a_bounded_ring_of_numbered_lines(si):
    dm = si.content.diagnosticManager
    log = logging.getLogger("vimsim")
    for n in range(5010):
        log.error("ring %d", n)
    end = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=2 ** 31 - 1, lines=0).lineEnd
    assert end >= 5011
    oldest = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log", start=1, lines=2)
    assert oldest.lineStart == end - 5000 + 1 and len(oldest.lineText) == 2
    everything = dm.BrowseDiagnosticLog(key="vpxd:vpxd.log")
    assert len(everything.lineText) == 500  # at most 500 lines an answer, as vCenter
    assert everything.lineEnd == everything.lineStart + 499


def test_a_hosts_logs(si):
    dm = si.content.diagnosticManager
    host = hosts(si)[0]
    hostd = dm.BrowseDiagnosticLog(host=host, key="hostd")
    assert (hostd.lineStart, hostd.lineEnd) == (1, 1)
    assert "info hostd[" in hostd.lineText[0]
    assert "Log for VMware ESX, pid=" in hostd.lineText[0]
    assert "version=8.0.3" in hostd.lineText[0]
    empty = dm.BrowseDiagnosticLog(key="vpxd:vpxd-alert.log")
    assert empty.lineText == [] and empty.lineEnd == 0


@pytest.mark.parametrize("key,on_host", [("nope", False), ("hostd", False),
                                         ("vpxd:vpxd.log", True), ("nope", True)])
def test_browsing_a_log_that_does_not_exist_is_invalid_argument(si, key, on_host):
    host = hosts(si)[0] if on_host else None
    with pytest.raises(vmodl.fault.InvalidArgument) as exc:
        si.content.diagnosticManager.BrowseDiagnosticLog(host=host, key=key)
    assert exc.value.invalidProperty == "key"


def test_diagnostics_need_global_diagnostics(emulator):
    readonly = emulator.connect("readonly", "readonly")
    with pytest.raises(vim.fault.NoPermission) as exc:
        readonly.content.diagnosticManager.QueryDescriptions()
    assert exc.value.privilegeId == "Global.Diagnostics"


def test_a_gone_vcenter_takes_only_its_own_log_handler():
    logger = logging.getLogger("vimsim")
    kept = fixtures.build(fixtures.load("default"), Clock("virtual"))
    gone = fixtures.build(fixtures.load("default"), Clock("virtual"))
    rings = [vc.managers["diagnosticManager"].vpxd_log for vc in (kept, gone)]
    assert all(ring in logger.handlers for ring in rings)
    del gone
    gc.collect()
    assert rings[0] in logger.handlers and rings[1] not in logger.handlers
    logger.error("after one is gone")
    assert rings[0].window()[1][-1].endswith("after one is gone")


# -- the answers match the served WSDL ----------------------------------------------------


def test_answers_and_faults_validate_against_the_wsdl(zc):
    """zeep parses every answer and the recorder checks each against the schema."""
    from zeep.exceptions import Fault
    svc, sc = zc.svc, zc.sc
    assert [o.key for o in svc.QueryOptions(_this=sc.setting, name="event.")] == [
        "event.batchsize", "event.maxAge", "event.maxAgeEnabled"]
    svc.UpdateOptions(_this=sc.setting, changedValue=[zc.type(
        "OptionValue", key="config.vpxd.zeep", value=zeep_string("yes"))])
    with pytest.raises(Fault):
        svc.QueryOptions(_this=sc.setting, name="nope")
    info = svc.AddLicense(_this=sc.licenseManager, licenseKey=VALID_KEY)
    assert info.editionKey == "vc.standard.instance"
    bad = svc.DecodeLicense(_this=sc.licenseManager, licenseKey="bad")
    assert bad.properties[0].key == "diagnostic"
    lam = zc.prop(sc.licenseManager, "licenseAssignmentManager")
    assert svc.QueryAssignedLicenses(_this=lam)[0].assignedLicense.editionKey == "eval"
    with pytest.raises(Fault):
        svc.UpdateAssignedLicense(_this=lam, entity="host-99999", licenseKey=VALID_KEY)
    assert svc.QueryDescriptions(_this=sc.diagnosticManager)[0].key == "vpxd:vpxd.log"
    header = svc.BrowseDiagnosticLog(_this=sc.diagnosticManager, key="vpxd:vpxd.log")
    assert header.lineStart == 1 and header.lineText
    with pytest.raises(Fault):
        svc.BrowseDiagnosticLog(_this=sc.diagnosticManager, key="nope")


def zeep_string(text):
    from zeep import xsd
    return xsd.AnyObject(xsd.String(), text)
