"""Datastores and their browser, resource pools, clusters and compute resources through pyVmomi:
the data govc (datastore.ls, datastore.info, pool.info, cluster.usage) and Ansible
(vmware_datastore_info, vmware_cluster_info) read, consistent with itself."""
import fnmatch

import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm

Browser = vim.host.DatastoreBrowser
VMS = ("DC0_C0_RP0_NoTools", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0", "DC0_H0_VM1")
MB = 1024 * 1024
ALL_DETAILS = Browser.FileInfo.Details(fileType=True, fileSize=True, modification=True,
                                       fileOwner=True)


def datastore(si):
    [ds] = si.content.rootFolder.childEntity[0].datastore
    return ds


def cluster_and_standalone(si):
    children = si.content.rootFolder.childEntity[0].hostFolder.childEntity
    [cluster] = [c for c in children if isinstance(c, vim.ClusterComputeResource)]
    [standalone] = [c for c in children if not isinstance(c, vim.ClusterComputeResource)]
    return cluster, standalone


def finished(emulator, task):
    """The TaskInfo of ``task`` once it has run on the clock."""
    emulator.advance(1)
    info = task.info
    assert info.state in ("success", "error")
    return info


def search(emulator, ds, path, spec=None, sub_folders=False):
    method = ds.browser.SearchDatastoreSubFolders_Task if sub_folders else \
        ds.browser.SearchDatastore_Task
    info = finished(emulator, method(datastorePath=path, searchSpec=spec))
    assert info.state == "success", info.error
    return info.result


def search_error(emulator, ds, path, spec=None):
    info = finished(emulator, ds.browser.SearchDatastore_Task(datastorePath=path,
                                                              searchSpec=spec))
    assert info.state == "error" and info.result is None
    return info.error


def by_path(result):
    return {f.path: f for f in result.file}


# -- Datastore --------------------------------------------------------------------------

def test_datastore_info_is_a_vmfs_6_volume(si):
    ds = datastore(si)
    info = ds.info
    assert isinstance(info, vim.host.VmfsDatastoreInfo)
    vmfs = info.vmfs
    assert info.name == vmfs.name == ds.name == "LocalDS_0"
    assert info.url == "ds:///vmfs/volumes/%s/" % vmfs.uuid
    assert fnmatch.fnmatch(vmfs.uuid, "????????-????????-????-????????????")
    assert info.freeSpace == 900 << 30 and vmfs.capacity == 1024 << 30
    assert info.maxFileSize == info.maxMemoryFileSize == info.maxPhysicalRDMFileSize == 64 << 40
    assert info.maxVirtualDiskCapacity == info.maxVirtualRDMFileSize == 62 << 40
    assert info.timestamp == si.CurrentTime()
    assert info.containerId.replace("-", "") == vmfs.uuid.replace("-", "")
    assert (vmfs.type, vmfs.majorVersion, vmfs.version) == ("VMFS", 6, "6.82")
    assert vmfs.blockSizeMb == 1 and vmfs.blockSize == 1024 and vmfs.maxBlocks > 0
    assert [(e.diskName, e.partition) for e in vmfs.extent] == [("mpx.vmhba0:C0:T0:L0", 8)]
    assert vmfs.vmfsUpgradable is False and vmfs.local is True


def test_datastore_summary_agrees_with_info_and_the_vms(si):
    ds = datastore(si)
    info, summary = ds.info, ds.summary
    assert summary.datastore == ds and summary.name == ds.name
    assert summary.url == info.url and summary.capacity == info.vmfs.capacity
    assert summary.freeSpace == info.freeSpace
    assert summary.type == "VMFS" and summary.accessible is True
    assert summary.maintenanceMode == "normal"
    assert summary.multipleHostAccess is True          # every host of DC0 mounts it
    # What the VMs' thin disks may still grow by, as each VM's storage says.
    assert summary.uncommitted == sum(find_vm(si, name).storage.perDatastoreUsage[0].uncommitted
                                      for name in VMS) > 0


def test_datastore_capability_hosts_and_vms(si):
    ds = datastore(si)
    capability = ds.capability
    assert capability.directoryHierarchySupported and capability.rawDiskMappingsSupported
    assert capability.perFileThinProvisioningSupported and capability.storageIORMSupported
    assert capability.nativeSnapshotSupported is False
    assert capability.topLevelDirectoryCreateSupported is True
    mounts = ds.host
    assert sorted(m.key.name for m in mounts) == ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2",
                                                   "DC0_H0"]
    for mount in mounts:
        assert mount.mountInfo.path == "/vmfs/volumes/" + ds.info.vmfs.uuid
        assert mount.mountInfo.accessMode == "readWrite"
        assert mount.mountInfo.mounted and mount.mountInfo.accessible
        assert ds in mount.key.datastore
    assert sorted(vm.name for vm in ds.vm) == sorted(VMS)
    assert ds.iormConfiguration is None


def test_datastore_browser_object(emulator, si):
    ds = datastore(si)
    browser = ds.browser
    assert isinstance(browser, vim.host.DatastoreBrowser)
    assert browser._moId == "datastoreBrowser-" + ds._moId
    assert browser._moId in emulator.vc.objects
    assert browser.datastore == [ds]
    kinds = {type(q) for q in browser.supportedType}
    assert {Browser.FolderQuery, Browser.VmConfigQuery, Browser.VmDiskQuery, Browser.VmLogQuery,
            Browser.VmNvramQuery, Browser.VmSnapshotQuery, Browser.IsoImageQuery} <= kinds


# -- HostDatastoreBrowser: searches -------------------------------------------------------

def test_search_of_the_datastore_lists_a_folder_per_vm(emulator, si):
    ds = datastore(si)
    task = ds.browser.SearchDatastore_Task(datastorePath="[LocalDS_0]")
    info = finished(emulator, task)
    assert info.state == "success"
    assert info.entity == ds and info.entityName == "LocalDS_0"
    assert info.descriptionId == "host.DatastoreBrowser.search"
    result = info.result
    assert isinstance(result, Browser.SearchResults)
    assert result.datastore == ds and result.folderPath == "[LocalDS_0]"
    assert [f.path for f in result.file] == sorted(VMS)
    assert all(isinstance(f, Browser.FolderInfo) for f in result.file)
    assert all(f.fileSize is None and f.modification is None for f in result.file)
    # The root as govc names it: "[LocalDS_0] " (a space, no path), "[LocalDS_0] ." (the
    # folder of a file at the root).
    for path in ("[LocalDS_0] ", "[LocalDS_0] .", "[LocalDS_0] /"):
        assert [f.path for f in search(emulator, ds, path).file] == sorted(VMS)


def test_search_of_a_vm_folder_lists_its_files_with_the_details_asked(emulator, si):
    ds = datastore(si)
    vm = find_vm(si, "DC0_H0_VM0")
    result = search(emulator, ds, "[LocalDS_0] DC0_H0_VM0",
                    Browser.SearchSpec(matchPattern=["*"], details=ALL_DETAILS))
    assert result.folderPath == "[LocalDS_0] DC0_H0_VM0/"
    files = by_path(result)
    swap = [n for n in files if n.endswith(".vswp")]
    assert sorted(files) == sorted(["DC0_H0_VM0.vmx", "DC0_H0_VM0.vmdk", "DC0_H0_VM0.nvram",
                                    "DC0_H0_VM0.vmsd", "vmware.log"] + swap) and len(swap) == 1
    assert [f.path for f in result.file] == sorted(files)          # alphabetical
    assert isinstance(files["DC0_H0_VM0.vmx"], Browser.VmConfigInfo)
    assert isinstance(files["DC0_H0_VM0.vmdk"], Browser.VmDiskInfo)
    assert isinstance(files["DC0_H0_VM0.nvram"], Browser.VmNvramInfo)
    assert isinstance(files["vmware.log"], Browser.VmLogInfo)
    assert type(files["DC0_H0_VM0.vmsd"]) is Browser.FileInfo
    # Sizes are the VM's layoutEx sizes; a disk is its descriptor plus its (hidden) extent.
    layout = {f.name.split("/")[-1]: f.size for f in vm.layoutEx.file}
    assert "DC0_H0_VM0-flat.vmdk" in layout and "DC0_H0_VM0-flat.vmdk" not in files
    assert files["DC0_H0_VM0.vmdk"].fileSize == layout["DC0_H0_VM0.vmdk"] + \
        layout["DC0_H0_VM0-flat.vmdk"]
    for name in ("DC0_H0_VM0.vmx", "DC0_H0_VM0.nvram", "vmware.log", swap[0]):
        assert files[name].fileSize == layout[name] > 0
    for f in result.file:
        assert f.owner == "root"
        assert f.modification is not None and f.modification <= si.CurrentTime()


def test_search_without_details_names_the_files_only(emulator, si):
    result = search(emulator, datastore(si), "[LocalDS_0] DC0_H0_VM0/")
    assert result.folderPath == "[LocalDS_0] DC0_H0_VM0/"
    for f in result.file:
        assert type(f) is Browser.FileInfo
        assert f.fileSize is None and f.modification is None and f.owner is None
    assert "DC0_H0_VM0.vmx" in by_path(result)


def test_match_pattern_filters_every_folder_searched(emulator, si):
    ds = datastore(si)
    spec = Browser.SearchSpec(matchPattern=["*.vmx", "*.nvram"])
    results = search(emulator, ds, "[LocalDS_0]", spec, sub_folders=True)
    assert results[0].folderPath == "[LocalDS_0]" and results[0].file == []
    assert [r.folderPath for r in results[1:]] == ["[LocalDS_0] %s/" % n for n in sorted(VMS)]
    for name, result in zip(sorted(VMS), results[1:]):
        assert [f.path for f in result.file] == [name + ".nvram", name + ".vmx"]
    spec = Browser.SearchSpec(matchPattern=["DC0_H0_*"])
    assert [f.path for f in search(emulator, ds, "[LocalDS_0]", spec).file] == \
        ["DC0_H0_VM0", "DC0_H0_VM1"]


def test_sub_folder_search_lists_every_vm_folder_and_file(emulator, si):
    ds = datastore(si)
    info = finished(emulator, ds.browser.SearchDatastoreSubFolders_Task(
        datastorePath="[LocalDS_0]", searchSpec=Browser.SearchSpec(details=ALL_DETAILS,
                                                                   sortFoldersFirst=True)))
    assert info.descriptionId == "host.DatastoreBrowser.searchSubFolders"
    results = info.result
    assert len(results) == 1 + len(VMS)
    assert [f.path for f in results[0].file] == sorted(VMS)
    for result in results[1:]:
        name = result.folderPath[len("[LocalDS_0] "):-1]
        assert result.datastore == ds
        assert {name + ".vmx", name + ".vmdk", name + ".nvram", "vmware.log"} <= \
            set(by_path(result))
        assert not any(f.path.endswith("-flat.vmdk") for f in result.file)
    # A VM's folder alone, searched with its sub folders: a list of one.
    [one] = search(emulator, ds, "[LocalDS_0] DC0_H0_VM1", sub_folders=True)
    assert one.folderPath == "[LocalDS_0] DC0_H0_VM1/"


def test_queries_choose_the_file_kinds_and_their_details(emulator, si):
    ds = datastore(si)
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    [disk] = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    disk_query = Browser.VmDiskQuery(details=Browser.VmDiskQuery.Details(
        diskType=True, capacityKb=True, hardwareVersion=True, controllerType=True,
        diskExtents=True, thin=True))
    config_query = Browser.VmConfigQuery(details=Browser.VmConfigQuery.Details(
        configVersion=True))
    result = search(emulator, ds, "[LocalDS_0] DC0_C0_RP0_VM0",
                    Browser.SearchSpec(query=[disk_query, config_query]))
    files = by_path(result)
    assert sorted(files) == ["DC0_C0_RP0_VM0.vmdk", "DC0_C0_RP0_VM0.vmx"]
    found = files["DC0_C0_RP0_VM0.vmdk"]
    assert isinstance(found, Browser.VmDiskInfo)
    assert found.capacityKb == disk.capacityInKB
    # diskType and controllerType are type names, which pyVmomi answers as the types.
    assert found.diskType is type(disk.backing) is vim.vm.device.VirtualDisk.FlatVer2BackingInfo
    assert found.thin is disk.backing.thinProvisioned is True
    controllers = {d.key: d for d in vm.config.hardware.device}
    assert found.controllerType is type(controllers[disk.controllerKey])
    assert found.hardwareVersion == int(vm.config.version.split("-")[1])
    assert found.diskExtents == ["[LocalDS_0] DC0_C0_RP0_VM0/DC0_C0_RP0_VM0-flat.vmdk"]
    assert found.fileSize is None                      # no file-level details asked
    assert files["DC0_C0_RP0_VM0.vmx"].configVersion == 8
    # A query without details: the kind, with the path only.
    result = search(emulator, ds, "[LocalDS_0] DC0_C0_RP0_VM0",
                    Browser.SearchSpec(query=[Browser.VmLogQuery(), Browser.VmNvramQuery()]))
    assert [(type(f), f.path) for f in result.file] == [
        (Browser.VmNvramInfo, "DC0_C0_RP0_VM0.nvram"), (Browser.VmLogInfo, "vmware.log")]
    # Filters: a thick disk, or another hardware version, matches nothing.
    for flt in (Browser.VmDiskQuery.Filter(thin=False),
                Browser.VmDiskQuery.Filter(matchHardwareVersion=[4])):
        result = search(emulator, ds, "[LocalDS_0] DC0_C0_RP0_VM0",
                        Browser.SearchSpec(query=[Browser.VmDiskQuery(filter=flt)]))
        assert result.file == []
    # The base query matches everything; folders at the root only with FolderQuery.
    assert len(search(emulator, ds, "[LocalDS_0] DC0_C0_RP0_VM0",
                      Browser.SearchSpec(query=[Browser.Query()])).file) >= 5
    assert search(emulator, ds, "[LocalDS_0]",
                  Browser.SearchSpec(query=[Browser.VmDiskQuery()])).file == []
    folders = search(emulator, ds, "[LocalDS_0]", Browser.SearchSpec(query=[Browser.FolderQuery()]))
    assert [f.path for f in folders.file] == sorted(VMS)


def test_search_faults_are_the_tasks_as_on_vcenter(emulator, si):
    ds = datastore(si)
    error = search_error(emulator, ds, "[LocalDS_0] nosuch")
    assert isinstance(error, vim.fault.FileNotFound)
    assert error.file == "[LocalDS_0] nosuch"
    assert error.msg == "File [LocalDS_0] nosuch was not found"
    # A file is not a folder to search (govc then searches the folder for its name).
    error = search_error(emulator, ds, "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmx")
    assert isinstance(error, vim.fault.FileNotFound)
    for path in ("LocalDS_0", "ds:///vmfs/volumes/x/", "[]", "", "[LocalDS_0"):
        error = search_error(emulator, ds, path)
        assert isinstance(error, vim.fault.InvalidDatastorePath), path
        assert error.datastorePath == path
        assert error.msg == "Invalid datastore path '%s'." % path
    error = search_error(emulator, ds, "[OtherDS] DC0_H0_VM0")
    assert type(error) is vim.fault.InvalidDatastore
    assert error.name == "OtherDS" and error.datastore is None
    error = search_error(emulator, ds, "[LocalDS_0]", Browser.SearchSpec(
        query=[Browser.VmDiskQuery(), Browser.VmDiskQuery()]))
    assert isinstance(error, vmodl.fault.InvalidArgument)
    assert error.invalidProperty == "searchSpec.query"


def test_browsing_needs_datastore_browse(emulator):
    si = emulator.connect("readonly", "readonly")
    ds = datastore(si)
    assert ds.browser.datastore == [ds]                      # reading is allowed
    for method in (ds.browser.SearchDatastore_Task, ds.browser.SearchDatastoreSubFolders_Task):
        with pytest.raises(vim.fault.NoPermission) as raised:
            method(datastorePath="[LocalDS_0]")
        assert raised.value.privilegeId == "Datastore.Browse"
        assert raised.value.object == ds


def test_another_datastores_name_is_an_invalid_datastore(make_emulator):
    from vimsim.model import fixture
    data = fixture.load("default")
    data["datacenters"][0]["datastores"].append({"name": "SharedDS_1", "capacity_gb": 10,
                                                 "free_gb": 10})
    emulator = make_emulator(clock="virtual", fixture=data)
    si = emulator.connect()
    ds, other = si.content.rootFolder.childEntity[0].datastore
    assert other.name == "SharedDS_1" and other.browser != ds.browser
    assert other.info.url != ds.info.url
    error = search_error(emulator, ds, "[SharedDS_1]")
    assert type(error) is vim.fault.InvalidDatastore
    assert error.name == "SharedDS_1" and error.datastore == other
    assert search(emulator, other, "[SharedDS_1]").file == []   # no VM lives there


def test_a_powered_off_vm_has_no_swap_file(emulator, si):
    ds = datastore(si)
    vm = find_vm(si, "DC0_H0_VM1")
    def swap_files():
        return [f.path for f in search(emulator, ds, "[LocalDS_0] DC0_H0_VM1").file
                if f.path.endswith(".vswp")]
    assert len(swap_files()) == 1
    vm.PowerOffVM_Task()
    emulator.advance(1)
    assert swap_files() == []


# -- ResourcePool -------------------------------------------------------------------------

def test_root_pool_holds_the_clusters_capacity(si):
    cluster, _ = cluster_and_standalone(si)
    pool = cluster.resourcePool
    assert pool.name == "Resources" and pool.owner == cluster and pool.parent == cluster
    config = pool.config
    assert config.entity == pool
    summary = cluster.summary
    cpu, memory = config.cpuAllocation, config.memoryAllocation
    assert cpu.reservation == cpu.limit == summary.effectiveCpu > 0
    assert memory.reservation == memory.limit == summary.effectiveMemory > 0
    assert cpu.expandableReservation is False and memory.expandableReservation is False
    assert (cpu.shares.level, cpu.shares.shares) == ("normal", 4000)
    assert (memory.shares.level, memory.shares.shares) == ("normal", 163840)
    runtime = pool.runtime
    assert runtime.overallStatus == "green"
    assert runtime.cpu.maxUsage == cpu.limit and runtime.memory.maxUsage == memory.limit * MB
    assert runtime.cpu.reservationUsed == runtime.memory.reservationUsed == 0
    assert runtime.cpu.reservationUsedForVm == 0
    assert runtime.cpu.unreservedForPool == runtime.cpu.unreservedForVm == cpu.reservation
    assert runtime.memory.unreservedForPool == memory.reservation * MB
    vms = [find_vm(si, n) for n in ("DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_C0_RP0_NoTools")]
    assert runtime.cpu.overallUsage == sum(vm.summary.quickStats.overallCpuUsage for vm in vms)
    assert runtime.memory.overallUsage == \
        sum(vm.summary.quickStats.hostMemoryUsage for vm in vms) * MB > 0


def test_child_pool_has_vcenters_defaults_for_a_new_pool(si):
    cluster, _ = cluster_and_standalone(si)
    root = cluster.resourcePool
    [child] = root.resourcePool
    assert child.name == "DC0_C0_RP1" and child.parent == root and child.owner == cluster
    for allocation in (child.config.cpuAllocation, child.config.memoryAllocation):
        assert allocation.reservation == 0 and allocation.limit == -1
        assert allocation.expandableReservation is True
        assert allocation.shares.level == "normal"
    runtime, parent = child.runtime, root.runtime
    assert runtime.cpu.maxUsage == parent.cpu.maxUsage
    assert runtime.memory.maxUsage == parent.memory.maxUsage
    assert runtime.cpu.unreservedForPool == parent.cpu.unreservedForPool   # expandable
    assert runtime.cpu.overallUsage == runtime.memory.overallUsage == 0    # no VM in it
    assert child.vm == [] and child.resourcePool == [] and child.childConfiguration == []


def test_pool_summary_and_child_configuration(si):
    cluster, _ = cluster_and_standalone(si)
    pool = cluster.resourcePool
    summary = pool.summary
    assert summary.name == "Resources"
    assert summary.config.cpuAllocation.reservation == pool.config.cpuAllocation.reservation
    assert summary.runtime.cpu.overallUsage == pool.runtime.cpu.overallUsage
    stats = [vm.summary.quickStats for vm in pool.vm]
    assert summary.quickStats.overallCpuUsage == sum(s.overallCpuUsage for s in stats)
    assert summary.quickStats.hostMemoryUsage == sum(s.hostMemoryUsage for s in stats)
    assert summary.quickStats.guestMemoryUsage == sum(s.guestMemoryUsage for s in stats)
    assert summary.configuredMemoryMB == sum(vm.config.hardware.memoryMB for vm in pool.vm)
    children = pool.childConfiguration
    assert [c.entity for c in children] == list(pool.resourcePool) + list(pool.vm)
    for spec in children[1:]:
        assert spec.cpuAllocation.shares.shares == spec.entity.resourceConfig \
            .cpuAllocation.shares.shares
    assert sorted(vm.name for vm in pool.vm) == ["DC0_C0_RP0_NoTools", "DC0_C0_RP0_VM0",
                                                 "DC0_C0_RP0_VM1"]


def test_pool_usage_follows_its_vms_power(emulator, si):
    cluster, _ = cluster_and_standalone(si)
    pool = cluster.resourcePool
    before = pool.runtime
    vm = find_vm(si, "DC0_C0_RP0_VM1")
    stats = vm.summary.quickStats
    vm.PowerOffVM_Task()
    emulator.advance(1)
    after = pool.runtime
    assert after.cpu.overallUsage == before.cpu.overallUsage - stats.overallCpuUsage
    assert after.memory.overallUsage == before.memory.overallUsage - stats.hostMemoryUsage * MB


def test_standalone_hosts_root_pool(si):
    _, standalone = cluster_and_standalone(si)
    pool = standalone.resourcePool
    assert pool.owner == standalone and pool.parent == standalone
    assert pool.config.cpuAllocation.reservation == standalone.summary.effectiveCpu
    assert sorted(vm.name for vm in pool.vm) == ["DC0_H0_VM0", "DC0_H0_VM1"]


# -- ComputeResource / ClusterComputeResource -------------------------------------------

def test_cluster_summary_adds_up_its_hosts_and_vms(si):
    cluster, _ = cluster_and_standalone(si)
    summary = cluster.summary
    assert isinstance(summary, vim.ClusterComputeResource.Summary)
    hosts = cluster.host
    assert summary.numHosts == summary.numEffectiveHosts == len(hosts) == 3
    assert summary.totalCpu == sum(h.summary.hardware.cpuMhz * h.summary.hardware.numCpuCores
                                   for h in hosts)
    assert summary.totalMemory == sum(h.summary.hardware.memorySize for h in hosts)
    assert summary.numCpuCores == sum(h.summary.hardware.numCpuCores for h in hosts)
    assert summary.effectiveMemory == summary.totalMemory // MB
    assert summary.currentFailoverLevel == 0 and summary.numVmotions == 0
    usage = summary.usageSummary
    vms = [vm for h in hosts for vm in h.vm]
    assert usage.totalCpuCapacityMhz == summary.totalCpu
    assert usage.totalMemCapacityMB == summary.effectiveMemory
    assert usage.totalVmCount == len(vms) == 3 and usage.poweredOffVmCount == 0
    assert usage.cpuDemandMhz == sum(vm.summary.quickStats.overallCpuDemand for vm in vms)
    assert usage.cpuReservationMhz == usage.memReservationMB == 0
    assert summary.drsScore == 100 and sum(summary.numVmsPerDrsScoreBucket) == 3
    assert cluster.summaryEx.usageSummary.totalVmCount == 3


def test_cluster_configuration_as_a_new_cluster_with_drs(si):
    cluster, standalone = cluster_and_standalone(si)
    config = cluster.configurationEx
    assert isinstance(config, vim.cluster.ConfigInfoEx)
    assert config.vmSwapPlacement == "vmDirectory"
    das = config.dasConfig
    assert das.enabled is False and das.hostMonitoring == "enabled"
    assert das.vmMonitoring == "vmMonitoringDisabled" and das.admissionControlEnabled is True
    assert das.admissionControlPolicy.failoverLevel == 1
    tools = das.defaultVmSettings.vmToolsMonitoringSettings
    assert tools.vmMonitoring == "vmMonitoringDisabled" and tools.minUpTime == 120
    drs = config.drsConfig
    assert drs.enabled is True and drs.defaultVmBehavior == "fullyAutomated"
    assert drs.vmotionRate == 3 and drs.enableVmBehaviorOverrides is True
    assert config.rule == config.group == config.dasVmConfig == config.drsVmConfig == []
    assert config.dpmConfigInfo.enabled is False and config.vsanConfigInfo.enabled is False
    assert cluster.configuration.drsConfig.enabled is True
    assert cluster.recommendation == [] and cluster.drsFault == []
    standalone_config = standalone.configurationEx
    assert type(standalone_config) is vim.ComputeResource.ConfigInfo
    assert standalone_config.vmSwapPlacement == "vmDirectory"
    assert type(standalone.summary) is vim.ComputeResource.Summary
    assert cluster.lifecycleManaged is False


def test_fixture_turns_drs_off_and_ha_on(make_emulator):
    from vimsim.model import fixture
    data = fixture.load("default")
    data["datacenters"][0]["clusters"][0].update(drs=False, ha=True)
    si = make_emulator(clock="virtual", fixture=data).connect()
    cluster, _ = cluster_and_standalone(si)
    assert cluster.configurationEx.drsConfig.enabled is False
    assert cluster.configurationEx.dasConfig.enabled is True
    assert cluster.summary.drsScore is None


def test_each_compute_resource_has_its_environment_browser(emulator, si):
    cluster, standalone = cluster_and_standalone(si)
    browsers = [cluster.environmentBrowser, standalone.environmentBrowser]
    assert all(isinstance(b, vim.EnvironmentBrowser) for b in browsers)
    assert [b._moId for b in browsers] == [
        "envbrowser-" + c._moId.split("-")[-1][1:] for c in (cluster, standalone)]
    assert all(b._moId in emulator.vc.objects for b in browsers)


def test_get_resource_usage_agrees_with_hosts_and_datastores(si):
    cluster, _ = cluster_and_standalone(si)
    usage = cluster.GetResourceUsage()
    assert isinstance(usage, vim.cluster.ResourceUsageSummary)
    hosts = cluster.host
    assert usage.cpuCapacityMHz == cluster.summary.totalCpu
    assert usage.cpuUsedMHz == sum(h.summary.quickStats.overallCpuUsage for h in hosts) > 0
    assert usage.memCapacityMB == sum(h.summary.hardware.memorySize for h in hosts) // MB
    assert usage.memUsedMB == sum(h.summary.quickStats.overallMemoryUsage for h in hosts)
    [ds] = cluster.datastore
    assert usage.storageCapacityMB == ds.summary.capacity // MB == 1024 * 1024
    assert usage.storageUsedMB == (ds.summary.capacity - ds.summary.freeSpace) // MB
    assert cluster.network[0].name == "VM Network"
    assert sorted(h.name for h in hosts) == ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"]


# -- every ManagedEntity ----------------------------------------------------------------

@pytest.mark.parametrize("kind", [vim.Folder, vim.Datacenter, vim.ClusterComputeResource,
                                  vim.ComputeResource, vim.ResourcePool, vim.HostSystem,
                                  vim.Datastore, vim.Network, vim.VirtualMachine])
def test_every_entity_has_no_alarms_issues_or_tags(si, kind):
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [kind], True)
    try:
        entities = list(view.view)
    finally:
        view.DestroyView()
    assert entities
    for entity in entities:
        assert entity.configIssue == [] and entity.tag == []
        assert entity.declaredAlarmState == [] and entity.triggeredAlarmState == []
        assert entity.alarmActionsEnabled is True


# -- the wire ---------------------------------------------------------------------------

from test_zeep import recorder, zc  # noqa: E402,F401  (zeep, validating every answer)


def test_search_results_match_the_wsdl(emulator, zc):
    [ds] = [o for o in emulator.vc.objects.values() if o.vim_type == "Datastore"]
    browser = {"_value_1": ds.browser.moid, "type": "HostDatastoreBrowser"}
    t = zc.type
    spec = t("HostDatastoreBrowserSearchSpec", query=[
        t("FolderFileQuery"), t("VmConfigFileQuery", details=t("VmConfigFileQueryFlags",
                                                                configVersion=True)),
        t("VmDiskFileQuery", details=t("VmDiskFileQueryFlags", diskType=True, capacityKb=True,
                                       hardwareVersion=True, controllerType=True,
                                       diskExtents=True, thin=True)),
        t("FileQuery")], details=t("FileQueryFlags", fileType=True, fileSize=True,
                                   modification=True, fileOwner=True), matchPattern=["*"])
    tasks = [zc.svc.SearchDatastoreSubFolders_Task(_this=browser, datastorePath="[LocalDS_0]",
                                                   searchSpec=spec),
             zc.svc.SearchDatastore_Task(_this=browser, datastorePath="[LocalDS_0] DC0_H0_VM0",
                                         searchSpec=spec)]
    emulator.advance(1)
    every, one = [zc.prop(task, "info") for task in tasks]
    assert every.state == "success" and len(every.result.HostDatastoreBrowserSearchResults) == 6
    assert one.state == "success" and one.result.folderPath == "[LocalDS_0] DC0_H0_VM0/"
    cluster = next(o for o in emulator.vc.objects.values()
                   if o.vim_type == "ClusterComputeResource")
    usage = zc.svc.GetResourceUsage(_this={"_value_1": cluster.moid,
                                           "type": "ClusterComputeResource"})
    assert usage.storageCapacityMB == 1024 * 1024
