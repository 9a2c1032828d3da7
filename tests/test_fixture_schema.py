"""Fixtures and scenarios are checked against the JSON Schema shipped in the package
(``$defs/fixture`` and ``$defs/scenario`` of vimsim/schemas/vimsim.json) when they are loaded:
a mistake is refused at start, naming the file, the place in it and what was expected."""
import glob
import os
import re
import subprocess
import sys

import pytest

from vimsim.model import fixture as fixtures
from vimsim.model import schemas
from vimsim.model.sessions import ROLES
from vimsim.model.vcenter import DEFAULT_TIMINGS
from vimsim.vim25.types import REGISTRY

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFS = schemas.document()["$defs"]

ONE_VM = """
datacenters:
  - name: DC0
    clusters:
      - name: C0
        hosts: [H0]
        vms:
          - {name: web, %s}
"""


def test_every_shipped_fixture_and_scenario_validates():
    found = glob.glob(os.path.join(fixtures.FIXTURES_DIR, "*.yaml"))
    scenarios = glob.glob(os.path.join(fixtures.FIXTURES_DIR, "scenarios", "*.yaml"))
    assert found and scenarios
    for path in found:
        fixtures.load(path)
    for path in scenarios:
        rules, source = fixtures.load_scenario(path)
        assert rules and source == "scenario %s" % path


def test_the_schema_agrees_with_the_model_and_vim25():
    vm = DEFS["vm_fields"]["properties"]
    assert set(DEFS["fixture"]["properties"]["timings"]["properties"]) == set(DEFAULT_TIMINGS)
    assert set(vm["power_state"]["enum"]) == REGISTRY.enums["VirtualMachinePowerState"]
    assert set(vm["guest_family"]["enum"]) == REGISTRY.enums["VirtualMachineGuestOsFamily"]
    assert set(vm["customization"]["properties"]["reason"]["enum"]) == \
        REGISTRY.enums["CustomizationFailedReasonCode"]
    users = DEFS["fixture"]["properties"]["users"]["items"]["properties"]
    assert set(users["role"]["enum"]) == set(ROLES)


def test_the_readme_documents_every_vm_key():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    section = readme[readme.index("## Fixtures"):readme.index("### Your own inventory")]
    missing = [k for k in DEFS["vm_fields"]["properties"] if "`%s`" % k not in section]
    assert not missing


@pytest.mark.parametrize("text, where, expected", [
    (ONE_VM % "power_state: off", "datacenters[0].clusters[0].vms[0].power_state",
     "False is not one of poweredOn, poweredOff, suspended (YAML reads an unquoted on, off, "
     "yes or no as a boolean: quote it)"),
    (ONE_VM % "powerstate: poweredOff", "datacenters[0].clusters[0].vms[0]",
     "unknown key 'powerstate' (did you mean 'power_state'?)"),
    ("datacenterz: [{name: DC0}]\n", None, "unknown key 'datacenterz' (did you mean "
     "'datacenters'?)"),
    (ONE_VM % "cpus: two", "datacenters[0].clusters[0].vms[0].cpus",
     "'two' is not of type 'integer'"),
    (ONE_VM % "guest_family: linux", "datacenters[0].clusters[0].vms[0].guest_family",
     "'linux' is not one of linuxGuest, windowsGuest"),
    (ONE_VM % "ip: 10.0.0.256", "datacenters[0].clusters[0].vms[0].ip",
     "'10.0.0.256' is not an IPv4 or IPv6 address"),
    (ONE_VM % "customization: {fail: oops, duration: -5}",
     "datacenters[0].clusters[0].vms[0].customization.duration",
     "-5 is less than the minimum of 0"),
    (ONE_VM % "customization: {fail: oops, reason: hostnamectl failed}",
     "datacenters[0].clusters[0].vms[0].customization.reason",
     "'hostnamectl failed' is not one of userDefinedScriptDisabled, customizationDisabled"),
    ("timings: {power_op: -1}\n", "timings.power_op", "-1 is less than the minimum of 0"),
    ("timings: {warp: 2}\n", "timings", "unknown key 'warp' (expected one of: abort_task, "),
    ("datacenters:\n  - name: DC0\n    clusters: [{name: C0, hosts: [H0], vms: [{name: web}]}]\n"
     "    hosts: [{name: H1, vms: [{name: db}, {name: web}]}]\n",
     "datacenters[0].hosts[0].vms[1].name",
     "'web' is the name of another VM in this folder (at clusters[0].vms[0].name)"),
    ("datacenters:\n  - name: DC0\n    clusters: [{name: C0, hosts: [H0], vms: [{name: web, "
     "folder: prod}, {name: web}, {name: web, folder: prod}]}]\n",
     "datacenters[0].clusters[0].vms[2].name",
     "'web' is the name of another VM in this folder (at clusters[0].vms[0].name)"),
    (ONE_VM % "folder: prod//web", "datacenters[0].clusters[0].vms[0].folder",
     "'prod//web' is not a folder path (folder names joined by single slashes: prod/web)"),
    ("datacenters: [{name: DC0, vm_folders: [{path: /prod}]}]\n",
     "datacenters[0].vm_folders[0].path", "'/prod' is not a folder path"),
    ("users: [{name: user, password: a}, {name: user, password: b}]\n", "users[1].name",
     "'user' is the name of another user in this fixture (at users[0].name)"),
    ("users: [{name: user, password: a, role: God}]\n", "users[0].role",
     "'God' is not one of Admin, ReadOnly"),
    ("rules: [{operation: PowerOnVMTask, fault: SystemError}]\n", "rules[0].operation",
     "'PowerOnVMTask' is not a vim25 method, nor an Automation API or ZStack operation "
     "vimsim serves"),
    ("rules: [{operation: PowerOnVM_Task, fault: NoSuchFault}]\n", "rules[0].fault",
     "'NoSuchFault' is not a vim25 fault type"),
    ("scenarios: [{rules: [{operation: PowerOnVM_Task, fault: SystemError, "
     "fields: {reason: 7}}]}]\n", "scenarios[0].rules[0].fields.reason",
     "7 is not of type xsd:string"),
    ("settings: {fault_delivery: {NoSuchFault: call}}\n", "settings.fault_delivery",
     "'NoSuchFault' is not a vim25 fault type"),
    ("settings: {fault_delivery: {InvalidGuestLogin: later}}\n",
     "settings.fault_delivery.InvalidGuestLogin", "'later' is not one of call, task"),
])
def test_a_fixture_mistake_is_refused_naming_the_file_the_place_and_what_was_expected(
        tmp_path, text, where, expected):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(fixtures.FixtureError) as refused:
        fixtures.load(str(path))
    said = str(refused.value)
    assert said.startswith("fixture %s: %s" % (path, where + ": " if where else "")), said
    assert expected in said


def test_a_fixture_given_as_a_dict_is_checked_too():
    with pytest.raises(fixtures.FixtureError, match=re.escape(
            "the fixture: datacenters[0]: 'name' is a required property")):
        fixtures.load({"datacenters": [{"clusters": []}]})


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("datacenters:\n  - name: DC0\n    name: DC1\n")
    with pytest.raises(fixtures.FixtureError, match=re.escape(
            "fixture %s is not valid YAML" % path) + ".*found the key 'name' twice.*line 3"):
        fixtures.load(str(path))


@pytest.mark.parametrize("text, expected", [
    ("rules: [{operation: CustomizeGuest_Task, fault: NoSuchFault}]\n",
     "rules[0].fault: 'NoSuchFault' is not a vim25 fault type"),
    ("rules: [{operation: CustomizeGuestTask, fault: SystemError}]\n",
     "rules[0].operation: 'CustomizeGuestTask' is not a vim25 method"),
    ("rules: [{operation: CustomizeGuest_Task, fault: SystemError, nth: 0}]\n",
     "rules[0].nth: 0 is less than the minimum of 1"),
    ("rule: [{operation: CustomizeGuest_Task, fault: SystemError}]\n",
     "unknown key 'rule' (did you mean 'rules'?)"),
    ("- {operation: CustomizeGuest_Task}\n", "a scenario is a mapping with a list of rules"),
])
def test_a_scenario_mistake_is_refused_naming_the_file(tmp_path, text, expected):
    path = tmp_path / "flaky.yaml"
    path.write_text(text)
    with pytest.raises(fixtures.FixtureError) as refused:
        fixtures.load_scenario(str(path))
    assert str(refused.value).startswith("scenario %s: %s" % (path, expected)), refused.value


def refused(*args):
    """What `vimsim serve ARGS` says on stderr as it refuses to start (exit status 2)."""
    proc = subprocess.run([sys.executable, "-m", "vimsim", "serve", "--port", "0", *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_serve_refuses_a_bad_fixture_with_one_clear_line(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(ONE_VM % "power_state: off")
    said = refused("--fixture", str(path))
    assert said == ("vimsim: fixture %s: datacenters[0].clusters[0].vms[0].power_state: False "
                    "is not one of poweredOn, poweredOff, suspended (YAML reads an unquoted "
                    "on, off, yes or no as a boolean: quote it)\n" % path)


def test_serve_refuses_cpus_that_are_not_whole_sockets(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(ONE_VM % "cpus: 3, cores_per_socket: 2")
    assert refused("--fixture", str(path)) == (
        "vimsim: VM web: cpus (3) is not a multiple of cores_per_socket (2)\n")


def test_serve_refuses_a_scenario_rule_of_an_unknown_operation_or_fault(tmp_path):
    path = tmp_path / "flaky.yaml"
    path.write_text("rules:\n  - {operation: CustomizeGuest_Task, action: fault, "
                    "fault: SystemError}\n  - {operation: PowerOnVMTask, fault: SystemError}\n")
    assert refused("--scenario", str(path)) == (
        "vimsim: scenario %s: rules[1].operation: 'PowerOnVMTask' is not a vim25 method, nor "
        "an Automation API or ZStack operation vimsim serves\n" % path)
    path.write_text("rules:\n  - {operation: CustomizeGuest_Task, fault: NoSuchFault}\n")
    assert refused("--scenario", str(path)) == (
        "vimsim: scenario %s: rules[0].fault: 'NoSuchFault' is not a vim25 fault type\n" % path)
