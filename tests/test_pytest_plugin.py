"""The pytest plugin, exercised by a test project run with pytester."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROJECT = '''
import pytest
from pyVmomi import vim, vmodl


def find(si, name):
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    return next(v for v in view.view if v.name == name)


def test_state_changes_are_visible(vimsim, vimsim_si):
    vimsim.vm("DC0_H0_VM0").power_state = "poweredOff"
    assert find(vimsim_si, "DC0_H0_VM0").runtime.powerState == "poweredOff"


def test_state_was_reset_for_the_next_test(vimsim, vimsim_si):
    assert find(vimsim_si, "DC0_H0_VM0").runtime.powerState == "poweredOn"
    assert vimsim.faults.list() == []


@pytest.mark.vimsim(scenarios=["flaky-customization"])
def test_marker_picks_a_scenario(vimsim):
    assert [r["action"] for r in vimsim.faults.list()] == ["fault", "guest_fail", "http_error"]


@pytest.mark.vimsim(fixture={"datacenters": [{"name": "Tiny", "hosts": [
    {"name": "h1", "vms": [{"name": "only-vm"}]}]}]})
def test_marker_picks_a_fixture(vimsim_si):
    assert find(vimsim_si, "only-vm").name == "only-vm"


def test_zeep_client(vimsim_zeep, vimsim_url):
    assert vimsim_url.startswith("http://")
    assert vimsim_zeep.sc.about.apiType == "VirtualCenter"
'''


def test_plugin_in_a_test_project(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", ROOT)
    pytester.makepyfile(test_project=PROJECT)
    # The plugin explicitly, whether or not its entry point is installed here.
    result = pytester.runpytest_subprocess("-p", "no:vimsim", "-p", "vimsim.pytest_plugin",
                                           "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_plugin_under_xdist(pytester, monkeypatch):
    """Each xdist worker gets its own simulator: the same tests pass spread over two."""
    monkeypatch.setenv("PYTHONPATH", ROOT)
    pytester.makepyfile(test_project=PROJECT)
    result = pytester.runpytest_subprocess("-p", "no:vimsim", "-p", "vimsim.pytest_plugin",
                                           "-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=5)
