"""Datacenters, clusters and resource pools made, changed and destroyed through pyVmomi, as
govc (datacenter.create, cluster.create, pool.create/change/destroy, object.destroy) and
Ansible (vmware_datacenter, vmware_cluster, vmware_resource_pool) make them; kept by a
snapshot."""
import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_datastore_and_pools import cluster_and_standalone, finished
from test_snapshot import control

MB = 1024 * 1024


def allocation(reservation=0, limit=-1, expandable=True, level="normal", shares=0):
    return vim.ResourceAllocationInfo(reservation=reservation, limit=limit,
                                      expandableReservation=expandable,
                                      shares=vim.SharesInfo(level=level, shares=shares))


def pool_spec(cpu=None, memory=None):
    return vim.ResourceConfigSpec(cpuAllocation=cpu or allocation(),
                                  memoryAllocation=memory or allocation())


def messages(si, count):
    """The newest ``count`` event messages, oldest first."""
    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec())
    return [e.fullFormattedMessage for e in sorted(events, key=lambda e: e.key)[-count:]]


def test_create_datacenter_makes_its_four_folders(si):
    root = si.content.rootFolder
    dc = root.CreateDatacenter(name="DC1")
    assert dc in root.childEntity and dc.parent == root and dc.name == "DC1"
    folders = (dc.vmFolder, dc.hostFolder, dc.datastoreFolder, dc.networkFolder)
    assert [f.name for f in folders] == ["vm", "host", "datastore", "network"]
    assert [f.parent for f in folders] == [dc] * 4
    assert [list(f.childType) for f in folders] == [
        ["Folder", "VirtualMachine", "VirtualApp"], ["Folder", "ComputeResource"],
        ["Folder", "Datastore", "StoragePod"], ["Folder", "Network", "DistributedVirtualSwitch"]]
    assert all(f.childEntity == [] for f in folders) and dc.datastore == dc.network == []
    assert si.content.searchIndex.FindByInventoryPath("DC1/host") == dc.hostFolder
    assert messages(si, 1) == ["Created datacenter DC1 in folder Datacenters"]
    with pytest.raises(vim.fault.DuplicateName) as found:
        root.CreateDatacenter(name="DC1")
    assert found.value.name == "DC1" and found.value.object == dc
    with pytest.raises(vim.fault.InvalidName):
        root.CreateDatacenter(name=" ")
    with pytest.raises(vmodl.fault.NotSupported):  # a VM folder holds no datacenter
        dc.vmFolder.CreateDatacenter(name="DC2")
    sub = root.CreateFolder("sub")
    assert sub.CreateDatacenter("DC2").parent == sub  # in a folder of datacenters too


def test_create_cluster_ex_takes_drs_and_ha_from_its_spec(si):
    dc = si.content.rootFolder.CreateDatacenter(name="DC1")
    plain = dc.hostFolder.CreateClusterEx(name="C1", spec=vim.cluster.ConfigSpecEx())
    assert plain.parent == dc.hostFolder and plain in dc.hostFolder.childEntity
    config = plain.configurationEx
    assert config.drsConfig.enabled is False and config.dasConfig.enabled is False
    assert plain.host == [] and plain.summary.numHosts == 0
    root = plain.resourcePool
    assert root.name == "Resources" and root.parent == plain and root.owner == plain
    assert root.config.cpuAllocation.reservation == 0  # no hosts, no capacity
    with pytest.raises(vmodl.fault.NotSupported):  # child pools need DRS
        root.CreateResourcePool(name="rp", spec=pool_spec())
    drs = dc.hostFolder.CreateClusterEx(name="C2", spec=vim.cluster.ConfigSpecEx(
        drsConfig=vim.cluster.DrsConfigInfo(enabled=True),
        dasConfig=vim.cluster.DasConfigInfo(enabled=True)))
    assert drs.configurationEx.drsConfig.enabled is True
    assert drs.configurationEx.dasConfig.enabled is True
    assert drs.environmentBrowser is not None
    assert messages(si, 2) == ["Created cluster C1 in DC1", "Created cluster C2 in DC1"]
    with pytest.raises(vim.fault.DuplicateName) as found:
        dc.hostFolder.CreateClusterEx(name="C1", spec=vim.cluster.ConfigSpecEx())
    assert found.value.object == plain
    with pytest.raises(vmodl.fault.NotSupported):
        dc.vmFolder.CreateClusterEx(name="C3", spec=vim.cluster.ConfigSpecEx())
    old_style = dc.hostFolder.CreateCluster(name="C3", spec=vim.cluster.ConfigSpec())
    assert isinstance(old_style, vim.ClusterComputeResource)


def test_create_resource_pool_keeps_its_spec(si):
    cluster, _ = cluster_and_standalone(si)
    root = cluster.resourcePool
    pool = root.CreateResourcePool(name="rp", spec=pool_spec(
        cpu=allocation(reservation=100, limit=2000, expandable=False, level="high"),
        memory=allocation(reservation=64, level="custom", shares=777)))
    assert pool in root.resourcePool and pool.parent == root and pool.owner == cluster
    cpu, memory = pool.config.cpuAllocation, pool.config.memoryAllocation
    assert (cpu.reservation, cpu.limit, cpu.expandableReservation) == (100, 2000, False)
    assert (cpu.shares.level, cpu.shares.shares) == ("high", 8000)
    assert (memory.reservation, memory.limit, memory.expandableReservation) == (64, -1, True)
    assert (memory.shares.level, memory.shares.shares) == ("custom", 777)
    assert pool.config.changeVersion == "1" and pool.config.entity == pool
    assert root.runtime.cpu.reservationUsed == 100
    assert root.runtime.memory.reservationUsed == 64 * MB
    assert pool.runtime.cpu.unreservedForPool == 100  # not expandable: its own only
    assert messages(si, 1) == ["Created resource pool rp in compute-resource DC0_C0 in DC0"]
    sub = pool.CreateResourcePool(name="sub", spec=pool_spec())
    assert sub.parent == pool and pool.resourcePool == [sub]


@pytest.mark.parametrize("cpu, where", [
    (vim.ResourceAllocationInfo(reservation=0), "spec.cpuAllocation"),     # fields missing
    (allocation(reservation=-1), "spec.cpuAllocation"),
    (allocation(limit=-2), "spec.cpuAllocation"),
    (allocation(reservation=20, limit=10), "spec.cpuAllocation"),
    (allocation(level="custom", shares=-5), "spec.cpuAllocation")])
def test_a_resource_pool_spec_vcenter_refuses(si, cpu, where):
    cluster, _ = cluster_and_standalone(si)
    with pytest.raises(vmodl.fault.InvalidArgument) as found:
        cluster.resourcePool.CreateResourcePool(name="rp", spec=pool_spec(cpu=cpu))
    assert found.value.invalidProperty == where
    assert [p.name for p in cluster.resourcePool.resourcePool] == ["DC0_C0_RP1"]


def test_reservations_beyond_the_parents_are_insufficient_resources(si):
    cluster, _ = cluster_and_standalone(si)
    root = cluster.resourcePool
    capacity = root.config.cpuAllocation.reservation
    with pytest.raises(vim.fault.InsufficientCpuResourcesFault) as found:
        root.CreateResourcePool(name="big", spec=pool_spec(cpu=allocation(capacity + 1)))
    assert (found.value.unreserved, found.value.requested) == (capacity, capacity + 1)
    assert "insufficient" in found.value.msg
    memory = root.config.memoryAllocation.reservation
    with pytest.raises(vim.fault.InsufficientMemoryResourcesFault):
        root.CreateResourcePool(name="big", spec=pool_spec(memory=allocation(memory + 1)))
    fixed = root.CreateResourcePool(name="fixed", spec=pool_spec(
        cpu=allocation(reservation=50, expandable=False)))
    with pytest.raises(vim.fault.InsufficientCpuResourcesFault):  # not expandable
        fixed.CreateResourcePool(name="child", spec=pool_spec(cpu=allocation(51)))
    grow = root.CreateResourcePool(name="grow", spec=pool_spec(cpu=allocation(50)))
    grow.CreateResourcePool(name="child", spec=pool_spec(cpu=allocation(51)))  # borrows


def test_update_config_renames_and_changes_a_pool(si):
    cluster, _ = cluster_and_standalone(si)
    root = cluster.resourcePool
    pool = root.CreateResourcePool(name="rp", spec=pool_spec())
    pool.UpdateConfig(name="renamed", config=vim.ResourceConfigSpec(
        cpuAllocation=vim.ResourceAllocationInfo(limit=500,
                                                 shares=vim.SharesInfo(level="low", shares=0)),
        memoryAllocation=vim.ResourceAllocationInfo()))
    cpu = pool.config.cpuAllocation
    assert pool.name == "renamed" and cpu.limit == 500 and cpu.reservation == 0
    assert (cpu.shares.level, cpu.shares.shares) == ("low", 2000)
    assert pool.config.changeVersion == "2"
    assert messages(si, 1) == ["Updated configuration for renamed in compute-resource DC0_C0 "
                               "in DC0"]
    with pytest.raises(vim.fault.ConcurrentAccess):  # a spec read before the change
        pool.UpdateConfig(config=vim.ResourceConfigSpec(
            changeVersion="1", cpuAllocation=vim.ResourceAllocationInfo(limit=600),
            memoryAllocation=vim.ResourceAllocationInfo()))
    with pytest.raises(vim.fault.DuplicateName):
        pool.UpdateConfig(name="DC0_C0_RP1")
    with pytest.raises(vmodl.fault.InvalidArgument):  # the root follows its cluster
        root.UpdateConfig(config=pool_spec())
    assert pool.name == "renamed" and pool.config.cpuAllocation.limit == 500


def test_destroying_a_pool_moves_its_pools_and_vms_to_its_parent(emulator, si):
    cluster, _ = cluster_and_standalone(si)
    root = cluster.resourcePool
    pool = root.CreateResourcePool(name="rp", spec=pool_spec())
    sub = pool.CreateResourcePool(name="sub", spec=pool_spec())
    dc = si.content.rootFolder.childEntity[0]
    task = dc.vmFolder.CreateVM_Task(config=vim.vm.ConfigSpec(
        name="in-pool", numCPUs=1, memoryMB=256, guestId="otherLinux64Guest",
        files=vim.vm.FileInfo(vmPathName="[LocalDS_0]")), pool=pool)
    vm = finished(emulator, task).result
    assert vm.resourcePool == pool and pool.vm == [vm]
    assert finished(emulator, pool.Destroy_Task()).state == "success"
    assert vm.resourcePool == root and vm in root.vm
    assert sub.parent == root and sub in root.resourcePool
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        pool.config
    assert messages(si, 1)[0] == "Removed resource pool rp on DC0_C0 in DC0"
    info = finished(emulator, root.Destroy_Task())
    assert info.state == "error" and isinstance(info.error, vmodl.fault.InvalidArgument)
    assert root.name == "Resources"


def test_destroying_a_cluster_or_datacenter_takes_what_it_holds(emulator, si):
    dc = si.content.rootFolder.CreateDatacenter(name="DC1")
    cluster = dc.hostFolder.CreateClusterEx(name="C1", spec=vim.cluster.ConfigSpecEx(
        drsConfig=vim.cluster.DrsConfigInfo(enabled=True)))
    pool = cluster.resourcePool.CreateResourcePool(name="rp", spec=pool_spec())
    assert finished(emulator, cluster.Destroy_Task()).state == "success"
    assert dc.hostFolder.childEntity == []
    for gone in (cluster, pool):
        with pytest.raises(vmodl.fault.ManagedObjectNotFound):
            gone.name
    assert messages(si, 1)[0] == "Removed cluster C1 in datacenter DC1"
    assert finished(emulator, dc.Destroy_Task()).state == "success"
    assert [e.name for e in si.content.rootFolder.childEntity] == ["DC0"]
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        dc.vmFolder
    # The fixture's own datacenter, VMs and hosts and all, powered on or not.
    dc0 = si.content.rootFolder.childEntity[0]
    vm = find_vm(si, "DC0_H0_VM0")
    assert vm.runtime.powerState == "poweredOn"
    assert finished(emulator, dc0.Destroy_Task()).state == "success"
    assert si.content.rootFolder.childEntity == []
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.ManagedEntity], True)
    assert view.view == []
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vm.name


def test_creating_needs_vcenters_privileges(emulator):
    ro = emulator.connect(user="readonly", pwd="readonly")
    with pytest.raises(vim.fault.NoPermission) as found:
        ro.content.rootFolder.CreateDatacenter(name="DC1")
    assert found.value.privilegeId == "Datacenter.Create"
    cluster, _ = cluster_and_standalone(ro)
    with pytest.raises(vim.fault.NoPermission) as found:
        cluster.resourcePool.CreateResourcePool(name="rp", spec=pool_spec())
    assert found.value.privilegeId == "Resource.CreatePool"


def test_made_and_destroyed_inventory_is_kept_by_a_snapshot(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    dc = si.content.rootFolder.CreateDatacenter(name="DC1")
    cluster = dc.hostFolder.CreateClusterEx(name="C1", spec=vim.cluster.ConfigSpecEx(
        drsConfig=vim.cluster.DrsConfigInfo(enabled=True)))
    made = cluster.resourcePool.CreateResourcePool(name="made", spec=pool_spec(
        cpu=allocation(level="high")))
    fixture_cluster, _ = cluster_and_standalone(si)
    [fixture_pool] = fixture_cluster.resourcePool.resourcePool
    inner = fixture_pool.CreateResourcePool(name="inner", spec=pool_spec(cpu=allocation(7)))
    assert finished(first, fixture_pool.Destroy_Task()).state == "success"
    snapshot = control(first.base, "GET", "/snapshot")
    second = make_emulator(clock="virtual")
    assert control(second.base, "PUT", "/snapshot", snapshot) == {"loaded": True}
    si = second.connect()
    [dc0, dc1] = si.content.rootFolder.childEntity
    assert (dc1._moId, dc1.name) == (dc._moId, "DC1")
    assert dc1.vmFolder._moId == dc.vmFolder._moId and dc1.vmFolder.parent == dc1
    [c1] = dc1.hostFolder.childEntity
    assert (c1._moId, c1.configurationEx.drsConfig.enabled) == (cluster._moId, True)
    assert c1.configurationEx.dasConfig.enabled is False
    [kept] = c1.resourcePool.resourcePool
    assert kept._moId == made._moId and kept.config.cpuAllocation.shares.level == "high"
    cluster0, _ = cluster_and_standalone(si)
    [moved] = cluster0.resourcePool.resourcePool  # the fixture's pool stays destroyed
    assert moved._moId == inner._moId and moved.parent == cluster0.resourcePool
    assert moved.config.cpuAllocation.reservation == 7
    # New objects do not reuse kept moIds.
    again = c1.resourcePool.CreateResourcePool(name="again", spec=pool_spec())
    assert int(again._moId.split("-")[1]) > int(made._moId.split("-")[1])


def test_reconfigure_cluster_keeps_drs_and_ha_settings(emulator, si):
    cluster, _ = cluster_and_standalone(si)
    Spec = vim.cluster.ConfigSpecEx
    task = cluster.ReconfigureComputeResource_Task(spec=Spec(
        drsConfig=vim.cluster.DrsConfigInfo(defaultVmBehavior="manual", vmotionRate=5),
        dasConfig=vim.cluster.DasConfigInfo(enabled=True, hostMonitoring="disabled",
                                            failoverLevel=2)), modify=True)
    assert finished(emulator, task).state == "success"
    config = cluster.configurationEx
    assert (config.drsConfig.enabled, config.drsConfig.defaultVmBehavior,
            config.drsConfig.vmotionRate) == (True, "manual", 5)
    assert (config.dasConfig.enabled, config.dasConfig.hostMonitoring,
            config.dasConfig.failoverLevel) == (True, "disabled", 2)
    assert cluster.configuration.drsConfig.defaultVmBehavior == "manual"
    # modify=False: what a part names over a new cluster's defaults; a part left out stays
    task = cluster.ReconfigureComputeResource_Task(spec=Spec(
        dasConfig=vim.cluster.DasConfigInfo(failoverLevel=3)), modify=False)
    assert finished(emulator, task).state == "success"
    config = cluster.configurationEx
    assert (config.dasConfig.failoverLevel, config.dasConfig.hostMonitoring) == (3, "enabled")
    assert config.drsConfig.defaultVmBehavior == "manual"
    bad = finished(emulator, cluster.ReconfigureComputeResource_Task(spec=Spec(
        drsConfig=vim.cluster.DrsConfigInfo(vmotionRate=9)), modify=True))
    assert isinstance(bad.error, vmodl.fault.InvalidArgument)
    assert bad.error.invalidProperty == "spec.drsConfig.vmotionRate"
    assert cluster.configurationEx.drsConfig.vmotionRate == 5


def test_turning_drs_off_removes_the_clusters_pools(emulator, si):
    cluster, _ = cluster_and_standalone(si)
    root = cluster.resourcePool
    [fixture_pool] = root.resourcePool
    made = fixture_pool.CreateResourcePool(name="made", spec=pool_spec())
    vms = list(root.vm)
    task = cluster.ReconfigureComputeResource_Task(spec=vim.cluster.ConfigSpecEx(
        drsConfig=vim.cluster.DrsConfigInfo(enabled=False)), modify=True)
    assert finished(emulator, task).state == "success"
    assert cluster.configurationEx.drsConfig.enabled is False
    assert root.resourcePool == [] and sorted(root.vm, key=str) == sorted(vms, key=str)
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        made.name
    with pytest.raises(vmodl.fault.NotSupported):
        root.CreateResourcePool(name="rp", spec=pool_spec())
