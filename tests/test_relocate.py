"""RelocateVM_Task through pyVmomi, as govc vm.migrate and Ansible's vmware_vmotion call it:
vMotion to another host or pool, storage vMotion to another datastore (the VM's folder, its
disks and their snapshot deltas, the datastores' space), its faults and its event."""
import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_datastore_and_pools import by_path, cluster_and_standalone, finished, search
from vimsim.model import fixture

GB = 1024 ** 3


@pytest.fixture
def two_datastores(make_emulator):
    data = fixture.load("default")
    data["datacenters"][0]["datastores"].append({"name": "SharedDS_1", "capacity_gb": 100,
                                                 "free_gb": 100})
    return make_emulator(clock="virtual", fixture=data)


def relocate(emulator, vm, **spec):
    task = vm.RelocateVM_Task(spec=vim.vm.RelocateSpec(**spec))
    emulator.advance(2)  # the relocate_vm timing
    return finished(emulator, task)


def test_vmotion_to_another_host_of_the_cluster(emulator, si):
    cluster, _ = cluster_and_standalone(si)
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    source = vm.runtime.host
    target = next(h for h in cluster.host if h != source)
    assert vm.runtime.powerState == "poweredOn"
    info = relocate(emulator, vm, host=target)
    assert info.state == "success", info.error
    assert vm.runtime.host == target and vm in target.vm and vm not in source.vm
    assert vm.resourcePool == cluster.resourcePool
    assert vm.runtime.powerState == "poweredOn"
    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        type=[vim.event.VmRelocatedEvent]))
    [event] = events
    assert event.vm.vm == vm and event.host.host == target
    assert event.sourceHost.host == source and event.sourceDatastore.name == "LocalDS_0"
    assert event.chainId == info.eventChainId
    assert event.fullFormattedMessage == (
        "Completed the relocation of the virtual machine DC0_C0_RP0_VM0 from %s, LocalDS_0 in "
        "DC0 to %s, LocalDS_0 in DC0" % (source.name, target.name))


def test_vmotion_to_another_compute_resource_needs_its_pool(emulator, si):
    cluster, standalone = cluster_and_standalone(si)
    vm = find_vm(si, "DC0_H0_VM0")
    [target] = [h for h in cluster.host[:1]]
    with pytest.raises(vmodl.fault.InvalidArgument) as found:  # the VM's pool is elsewhere
        vm.RelocateVM_Task(spec=vim.vm.RelocateSpec(host=target))
    assert found.value.invalidProperty == "spec.host"
    info = relocate(emulator, vm, pool=cluster.resourcePool, host=target)
    assert info.state == "success", info.error
    assert (vm.resourcePool, vm.runtime.host) == (cluster.resourcePool, target)
    assert vm not in standalone.resourcePool.vm and vm in cluster.resourcePool.vm
    # with the pool alone, the VM stays on its host if the pool has it
    [child] = cluster.resourcePool.resourcePool
    assert relocate(emulator, vm, pool=child).state == "success"
    assert (vm.resourcePool, vm.runtime.host) == (child, target)


def test_relocate_faults(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    folder = si.content.rootFolder.childEntity[0].hostFolder
    with pytest.raises(vmodl.fault.InvalidArgument) as found:
        vm.RelocateVM_Task(spec=vim.vm.RelocateSpec(folder=folder))
    assert found.value.invalidProperty == "spec.folder"
    ro = emulator.connect(user="readonly", pwd="readonly")
    with pytest.raises(vim.fault.NoPermission) as found:  # vim25's privilege for the call
        find_vm(ro, "DC0_C0_RP0_VM0").RelocateVM_Task(spec=vim.vm.RelocateSpec())
    assert found.value.privilegeId == "Resource.ColdMigrate"


def test_storage_vmotion_moves_the_folder_disks_and_deltas(two_datastores):
    emulator, si = two_datastores, two_datastores.connect()
    vm = find_vm(si, "DC0_H0_VM1")
    ds0, ds1 = si.content.rootFolder.childEntity[0].datastore
    assert finished(emulator, vm.CreateSnapshot_Task(
        name="s1", memory=False, quiesce=False)).state == "success"
    free0, free1 = ds0.summary.freeSpace, ds1.summary.freeSpace
    info = relocate(emulator, vm, datastore=ds1)
    assert info.state == "success", info.error
    assert vm.config.files.vmPathName == "[SharedDS_1] DC0_H0_VM1/DC0_H0_VM1.vmx"
    assert vm.datastore == [ds1] and vm not in ds0.vm and vm in ds1.vm
    disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    assert disks and all(d.backing.fileName.startswith("[SharedDS_1] DC0_H0_VM1/")
                         and d.backing.datastore == ds1 for d in disks)
    assert disks[0].backing.parent.fileName.startswith("[SharedDS_1] DC0_H0_VM1/")
    moved = free0 - ds0.summary.freeSpace
    assert moved < 0 and ds1.summary.freeSpace - free1 == moved  # the space moved with it
    assert all(f.name.startswith("[SharedDS_1]") for f in vm.layoutEx.file)
    listed = by_path(search(emulator, ds1, "[SharedDS_1] DC0_H0_VM1/"))
    assert "DC0_H0_VM1.vmx" in listed
    assert "DC0_H0_VM1" not in by_path(search(emulator, ds0, "[LocalDS_0]"))
    # the snapshot still reverts and is removed on the new datastore
    [snapshot] = vm.snapshot.rootSnapshotList
    assert finished(emulator, snapshot.snapshot.RevertToSnapshot_Task()).state == "success"
    assert finished(emulator, vm.RemoveAllSnapshots_Task()).state == "success"
    disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    assert disks[0].backing.fileName == "[SharedDS_1] DC0_H0_VM1/DC0_H0_VM1.vmdk"
