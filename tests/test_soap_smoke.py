from conftest import find_vm


def test_smoke(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    assert vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsRunning"
