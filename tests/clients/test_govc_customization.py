"""govc 0.24's guest customization commands against `vimsim serve` (a server of their own,
so the clones they make do not change what the other govc tests list): vm.clone (with a
named customization spec and -on) and vm.customize (with flags, and with a spec name)."""
import pytest

from .test_govc import govc_of_own_server

POOL = "/DC0/host/DC0_H0/Resources"


@pytest.fixture(scope="module")
def govc(tmp_path_factory):
    yield from govc_of_own_server(tmp_path_factory.mktemp("vimsim-customization"))


def guest(govc, vm, *paths):
    return govc.out("object.collect", "-s", "vm/" + vm, *paths).split("\n")[:len(paths)]


def test_clone_then_customize_with_flags(govc):
    out = govc("vm.clone", "-vm", "DC0_H0_VM0", "-pool", POOL, "-on=false", "c-flags")
    assert "Cloning /DC0/vm/DC0_H0_VM0 to c-flags...OK" in out.stdout + out.stderr
    assert guest(govc, "c-flags", "runtime.powerState") == ["poweredOff"]
    govc("vm.customize", "-vm", "c-flags", "-name", "flags01", "-ip", "10.0.9.9",
         "-netmask", "255.255.255.0", "-gateway", "10.0.9.1", "-dns-server", "10.0.9.2")
    assert guest(govc, "c-flags", "guest.customizationInfo.customizationStatus") == [
        "TOOLSDEPLOYPKG_PENDING"]
    again = govc("vm.customize", "-vm", "c-flags", "-name", "other", ok=False)
    assert again.returncode == 1 and "pending" in again.stderr.lower(), again.stderr
    govc("vm.power", "-on", "c-flags")
    # the auto clock runs Tools start-up and the customization while govc waits for the IP
    assert govc.out("vm.ip", "-wait", "60s", "c-flags").strip() == "10.0.9.9"
    status, host_name = guest(govc, "c-flags", "guest.customizationInfo.customizationStatus",
                              "guest.hostName")
    assert (status, host_name) == ("TOOLSDEPLOYPKG_SUCCEEDED", "flags01")


def test_customize_with_a_spec_name_and_its_faults(govc):
    done = govc("vm.customize", "-vm", "DC0_H0_VM1", "linux-web", ok=False)
    assert done.returncode == 1 and "current state (Powered on)" in done.stderr, done.stderr
    done = govc("vm.customize", "-vm", "DC0_H0_VM1", "no-such-spec", ok=False)
    assert done.returncode == 1 and 'specification "no-such-spec" does not exist' in done.stderr
    govc("vm.power", "-off", "DC0_H0_VM1")
    govc("vm.customize", "-vm", "DC0_H0_VM1", "linux-web")
    govc("vm.power", "-on", "DC0_H0_VM1")
    assert govc.out("vm.ip", "-wait", "60s", "DC0_H0_VM1").strip() == "10.0.10.10"
    assert guest(govc, "DC0_H0_VM1", "guest.hostName") == ["web"]


def test_clone_with_a_customization_spec_and_power_on(govc):
    govc("vm.clone", "-vm", "DC0_H0_VM0", "-pool", POOL, "-customization", "linux-web",
         "-on", "c-spec")
    assert govc.out("vm.ip", "-wait", "60s", "c-spec").strip() == "10.0.10.10"
    assert guest(govc, "c-spec", "guest.hostName", "runtime.powerState") == ["web", "poweredOn"]
    done = govc("vm.clone", "-vm", "DC0_H0_VM0", "-pool", POOL, "-on=false", "c-spec", ok=False)
    assert done.returncode == 1 and "already exists" in done.stderr, done.stderr
