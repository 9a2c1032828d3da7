"""PerformanceManager through pyVmomi: vCenter's counters and intervals, the metrics each kind
of entity has, and samples on the virtual clock in both formats, with vCenter's faults."""
from datetime import timedelta

import pytest
from pyVmomi import vim, vmodl

from conftest import find_vm
from vimsim.model import fixture as fixtures

PM = vim.PerformanceManager

# Counter keys of a vCenter PerfMgr, by the names govc and the pyVmomi samples use.
VCENTER_KEYS = {
    "cpu.usage.average": 2, "cpu.usagemhz.average": 6, "cpu.ready.summation": 12,
    "mem.usage.average": 24, "mem.granted.average": 29, "mem.active.average": 33,
    "mem.consumed.average": 98, "disk.usage.average": 125, "disk.read.average": 130,
    "disk.write.average": 131, "net.usage.average": 143, "net.received.average": 148,
    "net.transmitted.average": 149, "sys.uptime.latest": 155, "datastore.read.average": 180,
    "datastore.write.average": 181, "disk.used.latest": 281, "disk.capacity.latest": 283,
}


def find(si, vimtype, name):
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vimtype], True)
    try:
        return next(obj for obj in view.view if obj.name == name)
    finally:
        view.DestroyView()


def metric(counter, instance=""):
    return PM.MetricId(counterId=counter, instance=instance)


def query(si, entity, *metrics, **spec):
    return si.content.perfManager.QueryPerf(querySpec=[PM.QuerySpec(
        entity=entity, metricId=list(metrics) or None, **spec)])


def series(result):
    """{(counterId, instance): values} of a one-entity PerfEntityMetric answer."""
    [entity] = result
    return {(s.id.counterId, s.id.instance): list(s.value) for s in entity.value}


def epoch(dt):
    return int(dt.timestamp())


def nic_key(vm):
    return next(str(d.key) for d in vm.config.hardware.device
                if isinstance(d, vim.vm.device.VirtualEthernetCard))


# -- counters and intervals ----------------------------------------------------------------

def test_counters_have_vcenters_keys_units_and_levels(si):
    counters = {"%s.%s.%s" % (c.groupInfo.key, c.nameInfo.key, c.rollupType): c
                for c in si.content.perfManager.perfCounter}
    assert {name: counters[name].key for name in VCENTER_KEYS} == VCENTER_KEYS
    usage = counters["cpu.usage.average"]
    assert (usage.unitInfo.key, usage.statsType, usage.level, usage.perDeviceLevel) == \
        ("percent", "rate", 1, 3)
    assert usage.groupInfo.label == "CPU" and usage.unitInfo.label == "%"
    assert usage.nameInfo.label == "Usage" and usage.nameInfo.summary
    ready = counters["cpu.ready.summation"]
    assert (ready.unitInfo.key, ready.statsType, ready.level) == ("millisecond", "delta", 1)
    uptime = counters["sys.uptime.latest"]
    assert (uptime.unitInfo.key, uptime.statsType) == ("second", "absolute")
    assert counters["net.usage.average"].unitInfo.key == "kiloBytesPerSecond"
    assert counters["mem.consumed.average"].unitInfo.key == "kiloBytes"
    assert counters["cpu.usagemhz.average"].unitInfo.key == "megaHertz"
    assert len({c.key for c in counters.values()}) == len(counters)


def test_query_perf_counter_by_id_and_by_level(si):
    pm = si.content.perfManager
    infos = pm.QueryPerfCounter(counterId=[155, 2])
    assert [(c.key, c.nameInfo.key) for c in infos] == [(155, "uptime"), (2, "usage")]
    level1 = pm.QueryPerfCounterByLevel(level=1)
    keys = {c.key for c in level1}
    assert {2, 6, 12, 24, 98, 125, 143, 155} <= keys and 33 not in keys
    assert all(c.level == 1 for c in level1)
    assert len(pm.QueryPerfCounterByLevel(level=4)) == len(pm.perfCounter)


def test_unknown_counter_and_level_are_invalid_arguments(si):
    pm = si.content.perfManager
    with pytest.raises(vmodl.fault.InvalidArgument) as err:
        pm.QueryPerfCounter(counterId=[2, 99999])
    assert err.value.invalidProperty == "counterId"
    with pytest.raises(vmodl.fault.InvalidArgument) as err:
        pm.QueryPerfCounterByLevel(level=5)
    assert err.value.invalidProperty == "level"


def test_historical_intervals_and_description(si):
    pm = si.content.perfManager
    intervals = [(i.key, i.samplingPeriod, i.name, i.length, i.level, i.enabled)
                 for i in pm.historicalInterval]
    assert intervals == [(1, 300, "Past Day", 86400, 1, True),
                         (2, 1800, "Past Week", 604800, 1, True),
                         (3, 7200, "Past Month", 2592000, 1, True),
                         (4, 86400, "Past Year", 31536000, 1, True)]
    description = pm.description
    assert [d.key for d in description.statsType] == ["absolute", "delta", "rate"]
    assert {"average", "summation", "latest"} <= {d.key for d in description.counterType}


# -- providers and available metrics -------------------------------------------------------

def test_provider_summary_by_kind_of_entity(si):
    pm = si.content.perfManager
    vm = find_vm(si, "DC0_H0_VM0")
    for entity in (vm, vm.runtime.host):
        summary = pm.QueryPerfProviderSummary(entity=entity)
        assert summary.entity == entity
        assert (summary.currentSupported, summary.summarySupported, summary.refreshRate) == \
            (True, True, 20)
    for vimtype, name in ((vim.ClusterComputeResource, "DC0_C0"),
                          (vim.Datastore, "LocalDS_0"), (vim.ResourcePool, "DC0_C0_RP1"),
                          (vim.Datacenter, "DC0")):
        summary = pm.QueryPerfProviderSummary(entity=find(si, vimtype, name))
        assert (summary.currentSupported, summary.summarySupported, summary.refreshRate) == \
            (False, True, -1)


def test_entities_without_statistics_are_invalid_arguments(si):
    pm = si.content.perfManager
    for entity in (si.content.rootFolder, find(si, vim.Network, "VM Network")):
        with pytest.raises(vmodl.fault.InvalidArgument) as err:
            pm.QueryPerfProviderSummary(entity=entity)
        assert err.value.invalidProperty == "entity"
        with pytest.raises(vmodl.fault.InvalidArgument) as err:
            pm.QueryAvailablePerfMetric(entity=entity)
        assert err.value.invalidProperty == "entity"


def test_available_metrics_of_a_vm_per_vcpu_nic_and_datastore(make_emulator):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"][0]["cpus"] = 2
    si = make_emulator(clock="virtual", fixture=data).connect()
    pm = si.content.perfManager
    vm = find_vm(si, "DC0_H0_VM0")
    ds = vm.datastore[0]._moId
    nic = nic_key(vm)
    realtime = {(m.counterId, m.instance) for m in pm.QueryAvailablePerfMetric(
        entity=vm, intervalId=20)}
    assert {(2, ""), (6, ""), (6, "0"), (6, "1"), (24, ""), (98, ""), (143, ""), (143, nic),
            (155, ""), (180, ds), (181, ds), (125, ""), (173, "scsi0:0"), (174, "scsi0:0")} \
        <= realtime
    assert (2, "0") not in realtime and (180, "") not in realtime  # as vCenter lists them
    assert nic == "4000"
    assert realtime == {(m.counterId, m.instance) for m in pm.QueryAvailablePerfMetric(
        entity=vm)}
    # The historical intervals collect at level 1: level-1 aggregates only.
    day = {(m.counterId, m.instance) for m in pm.QueryAvailablePerfMetric(
        entity=vm, intervalId=300)}
    assert {(2, ""), (6, ""), (24, ""), (98, ""), (143, ""), (155, ""), (125, "")} <= day
    assert not {(33, ""), (6, "0"), (143, nic), (180, ds)} & day


def test_available_metrics_of_hosts_clusters_datastores_and_pools(si):
    pm = si.content.perfManager
    host = find(si, vim.HostSystem, "DC0_C0_H0")
    metrics = {(m.counterId, m.instance) for m in pm.QueryAvailablePerfMetric(entity=host)}
    assert {(2, ""), (2, "0"), (2, "1"), (143, "vmnic0"), (155, "")} <= metrics
    assert (180, host.datastore[0]._moId) in metrics
    cluster = find(si, vim.ClusterComputeResource, "DC0_C0")
    metrics = {(m.counterId, m.instance) for m in pm.QueryAvailablePerfMetric(
        entity=cluster, intervalId=300)}
    assert {(2, ""), (6, ""), (24, ""), (98, ""), (276, ""), (278, "")} <= metrics
    ds = find(si, vim.Datastore, "LocalDS_0")
    metrics = {(m.counterId, m.instance) for m in pm.QueryAvailablePerfMetric(entity=ds)}
    assert {(281, ""), (281, "DISKFILE"), (283, "")} <= metrics
    pool = find(si, vim.ResourcePool, "DC0_C0_RP1")
    assert {(6, ""), (98, "")} <= {(m.counterId, m.instance)
                                   for m in pm.QueryAvailablePerfMetric(entity=pool)}


def test_available_metrics_at_an_interval_the_entity_lacks_are_invalid(si):
    pm = si.content.perfManager
    cluster = find(si, vim.ClusterComputeResource, "DC0_C0")
    for interval in (20, 60):
        with pytest.raises(vmodl.fault.InvalidArgument) as err:
            pm.QueryAvailablePerfMetric(entity=cluster, intervalId=interval)
        assert err.value.invalidProperty == "interval"


# -- QueryPerf -----------------------------------------------------------------------------

def test_realtime_samples_every_20_seconds_on_the_virtual_clock(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    assert query(si, vm, metric(2), intervalId=20) == []  # nothing sampled yet
    emulator.advance(100)
    now = epoch(si.CurrentTime())
    [entity] = query(si, vm, metric(2), metric(155), intervalId=20, maxSample=3)
    assert entity.entity == vm and isinstance(entity, PM.EntityMetric)
    stamps = [epoch(s.timestamp) for s in entity.sampleInfo]
    assert [s.interval for s in entity.sampleInfo] == [20, 20, 20]
    assert stamps[0] % 20 == 0 and stamps == [stamps[0], stamps[0] + 20, stamps[0] + 40]
    assert now - 20 < stamps[-1] <= now
    values = series([entity])
    boot = epoch(vm.runtime.bootTime)
    assert values[(155, "")] == [t - boot for t in stamps]
    assert all(0 < v <= 10000 for v in values[(2, "")])

    emulator.advance(20)
    [later] = query(si, vm, metric(2), metric(155), maxSample=3)  # intervalId unset: realtime
    assert [epoch(s.timestamp) for s in later.sampleInfo] == stamps[1:] + [stamps[-1] + 20]
    assert series([later])[(2, "")][:2] == values[(2, "")][1:]  # the past does not change
    # sys.uptime is the VM's uptime at each sample (the newest is under 20 s old).
    assert 0 <= vm.summary.quickStats.uptimeSeconds - series([later])[(155, "")][-1] < 20


def test_values_are_plausible_for_their_units(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    host = vm.runtime.host
    emulator.advance(200)
    values = series(query(si, vm, maxSample=5))
    assert all(0 < v <= vm.runtime.maxCpuUsage for v in values[(6, "")])  # MHz
    quick = vm.summary.quickStats                                 # samples vary around it
    assert 0.5 < sum(values[(6, "")]) / 5 / quick.overallCpuUsage < 1.5
    assert all(abs(c - quick.hostMemoryUsage * 1024) <= quick.hostMemoryUsage * 1024 * 0.05
               for c in values[(98, "")])
    assert all(0 < v <= 10000 for v in values[(24, "")])
    memory_kb = vm.config.hardware.memoryMB * 1024
    assert values[(29, "")] == [memory_kb] * 5                     # granted: all of it
    assert all(a <= memory_kb and c <= memory_kb for a, c in zip(values[(33, "")],
                                                                values[(98, "")]))
    assert all(0 <= r < 20000 for r in values[(12, "")])          # ms of a 20 s interval
    nic = nic_key(vm)
    assert all(abs(u - r - t) <= 1 for u, r, t in zip(values[(143, nic)], values[(148, nic)],
                                                     values[(149, nic)]))  # usage = rx + tx
    assert values[(143, "")] == values[(143, nic)]                # one NIC: the aggregate
    host_values = series(query(si, host, metric(2, "*"), metric(155), maxSample=1))
    assert set(host_values) == {(2, ""), (2, "0"), (2, "1"), (155, "")}
    assert host_values[(2, "")][0] == pytest.approx(
        (host_values[(2, "0")][0] + host_values[(2, "1")][0]) / 2, abs=1)


def test_start_time_is_exclusive_end_time_inclusive_and_realtime_keeps_an_hour(emulator, si):
    vm = find_vm(si, "DC0_C0_RP0_VM0")
    for _ in range(4):  # the client calls now and then: its session never idles 30 minutes
        emulator.advance(1000)
        si.CurrentTime()
    [entity] = query(si, vm, metric(24))                          # everything there is
    stamps = [s.timestamp for s in entity.sampleInfo]
    assert len(stamps) == 180 and stamps[-1] - stamps[0] == timedelta(seconds=3580)
    [entity] = query(si, vm, metric(24), startTime=stamps[10], endTime=stamps[13])
    assert [s.timestamp for s in entity.sampleInfo] == stamps[11:14]
    old = si.CurrentTime() - timedelta(hours=10)
    [entity] = query(si, vm, metric(24), intervalId=20, startTime=old)
    assert len(entity.sampleInfo) == 180                          # realtime is an hour
    [entity] = query(si, vm, metric(24), startTime=old)           # no interval: what holds it
    marks = int(si.CurrentTime().timestamp() // 300) - int(vm.runtime.bootTime.timestamp() // 300)
    assert {s.interval for s in entity.sampleInfo} == {300} and len(entity.sampleInfo) == marks


def test_historical_samples_roll_up_on_their_period(emulator, si):
    cluster = find(si, vim.ClusterComputeResource, "DC0_C0")
    vm = find_vm(si, "DC0_C0_RP0_VM1")
    emulator.advance(900)
    [entity] = query(si, cluster, metric(6), metric(24), intervalId=300, maxSample=1)
    # maxSample is for realtime only; (boot, boot + 900] holds three 5-minute marks.
    assert [s.interval for s in entity.sampleInfo] == [300, 300, 300]
    assert all(epoch(s.timestamp) % 300 == 0 for s in entity.sampleInfo)
    total_mhz = cluster.summary.totalCpu
    assert all(0 < v <= total_mhz for v in series([entity])[(6, "")])
    [entity] = query(si, cluster, metric(6))                      # its own interval: 300
    assert {s.interval for s in entity.sampleInfo} == {300}
    day = series(query(si, vm, metric(2), metric(33), intervalId=300))
    assert set(day) == {(2, "")}                                 # mem.active is level 2
    ds = find(si, vim.Datastore, "LocalDS_0")
    used = series(query(si, ds, metric(281, "*"), metric(283), intervalId=300))
    summary = ds.summary
    assert used[(283, "")][-1] == summary.capacity // 1024
    assert used[(281, "")][-1] == (summary.capacity - summary.freeSpace) // 1024
    assert sum(used[(281, kind)][-1] for kind in ("DISKFILE", "DELTAFILE", "SWAPFILE",
                                                   "OTHERFILE")) == \
        pytest.approx(used[(281, "")][-1], abs=4)


def test_csv_format_carries_the_same_samples(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    emulator.advance(60)
    metrics = (metric(2), metric(143, "*"), metric(155))
    normal = query(si, vm, *metrics, maxSample=3)
    [csv] = query(si, vm, *metrics, maxSample=3, format="csv")
    assert isinstance(csv, PM.EntityMetricCSV) and csv.entity == vm
    fields = csv.sampleInfoCSV.split(",")
    assert fields[0::2] == ["20"] * 3
    assert fields[1::2] == [s.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
                            for s in normal[0].sampleInfo]
    assert {(s.id.counterId, s.id.instance): [int(v) for v in s.value.split(",")]
            for s in csv.value} == series(normal)


def test_powered_off_vms_have_no_realtime_samples(emulator, si):
    vm = find_vm(si, "DC0_H0_VM1")
    pm = si.content.perfManager
    emulator.advance(60)
    assert query(si, vm, metric(2), maxSample=1)
    task = vm.PowerOffVM_Task()
    emulator.advance(60)
    assert task.info.state == "success"
    assert query(si, vm, metric(2), intervalId=20) == []
    assert pm.QueryAvailablePerfMetric(entity=vm, intervalId=20) == []
    task = vm.PowerOnVM_Task()
    emulator.advance(45)
    assert task.info.state == "success"
    [entity] = query(si, vm, metric(155), intervalId=20)
    boot = epoch(vm.runtime.bootTime)
    assert all(epoch(s.timestamp) > boot for s in entity.sampleInfo)
    assert series([entity])[(155, "")] == [epoch(s.timestamp) - boot for s in entity.sampleInfo]


def test_specs_without_a_performance_provider_are_left_out(emulator, si):
    vm = find_vm(si, "DC0_H0_VM0")
    emulator.advance(40)
    pm = si.content.perfManager
    result = pm.QueryPerf(querySpec=[
        PM.QuerySpec(entity=si.content.rootFolder, metricId=[metric(2)]),
        PM.QuerySpec(entity=vm, metricId=[metric(2), metric(99999)], maxSample=1)])
    assert [e.entity for e in result] == [vm]
    assert set(series(result)) == {(2, "")}                     # unknown counters: no series


def test_query_perf_faults(emulator, si):
    pm = si.content.perfManager
    cluster = find(si, vim.ClusterComputeResource, "DC0_C0")
    vm = find_vm(si, "DC0_H0_VM0")
    now = si.CurrentTime()
    cases = [
        (PM.QuerySpec(entity=cluster, metricId=[metric(6)], intervalId=20), "querySpec.interval"),
        (PM.QuerySpec(entity=vm, metricId=[metric(2)], intervalId=60), "querySpec.interval"),
        (PM.QuerySpec(entity=vm, startTime=now, endTime=now - timedelta(minutes=5)),
         "querySpec.startTime, querySpec.endTime"),
        (PM.QuerySpec(entity=vm, format="xml"), "querySpec.format"),
    ]
    for spec, prop in cases:
        with pytest.raises(vmodl.fault.InvalidArgument) as err:
            pm.QueryPerf(querySpec=[spec])
        assert err.value.invalidProperty == prop
        assert err.value.msg == "A specified parameter was not correct: " + prop
