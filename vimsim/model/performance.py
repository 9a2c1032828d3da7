"""PerformanceManager: vCenter's counters and intervals, and samples computed from the clock.

Nothing is recorded: a sample is a function of the entity, the counter, the instance and the
sample's timestamp. It varies (a slow wave and a jitter, both hashed from the moId, the
counter and the time) around what the model says the entity does now: a VM's or host's
quickStats, its vCPUs and memory, NICs, disks and datastores; clusters and pools add up
their hosts or VMs. Two queries of the same past agree, and new samples appear as the clock
moves.

- Realtime (20 s, the last hour) for hosts and powered-on VMs; the four historical intervals of
  a vCenter 8.0 (300 s for a day, 1800 s a week, 7200 s a month, 86400 s a year) for every
  entity with statistics. A sample's timestamp is the end of its interval, on a multiple of
  the interval since the epoch; samples exist after the entity started (the VM's last
  power-on, vCenter's start for the rest): a powered-off VM has none.
- Historical intervals collect at level 1: only counters of level 1 (and per-device
  instances whose per-device level is 1) have samples there, as on a vCenter left at its
  default statistics level.
"""
import math
import zlib
from datetime import datetime, timezone

from vimsim.model import authorization, faults, vm_hardware
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject, format_datetime

REALTIME = 20            # the refresh rate of hosts and VMs
REALTIME_LENGTH = 3600   # how long realtime samples are kept
# key, samplingPeriod, name, length: vCenter 8.0's historical intervals, all at level 1.
HISTORICAL = ((1, 300, "Past Day", 86400), (2, 1800, "Past Week", 604800),
              (3, 7200, "Past Month", 2592000), (4, 86400, "Past Year", 31536000))
HISTORICAL_LEVEL = 1
FORMATS = ("normal", "csv")

# The entity kinds with statistics, by vim25 type.
KINDS = {"VirtualMachine": "vm", "HostSystem": "host", "ResourcePool": "pool",
         "ClusterComputeResource": "cluster", "ComputeResource": "cluster",
         "Datacenter": "dc", "Datastore": "ds"}
REALTIME_KINDS = ("vm", "host")

# The counters, with the keys, units, stats types and levels a vCenter's PerfMgr answers
# (keys are assigned per installation; these are the ones vCenter's perfCounter carries for
# these counters). The last column says where each counter has samples: `vm` the aggregate
# (instance ""); `vm+cpu` the aggregate and each device; `vm=ds` each device only. Devices:
# cpu (vCPU or core index), nic (a VM's NIC device key, a host's vmnic), ds (datastore moId),
# disk (a VM's virtual disk, scsi0:0), lun (a host's disk), hba (a host's storage adapter),
# file (a datastore's file kinds). A counter without a column is described, never sampled.
COUNTER_TABLE = """
1   cpu.usage.none                        percent             rate      4 4
2   cpu.usage.average                     percent             rate      1 3 vm host+cpu cluster
3   cpu.usage.minimum                     percent             rate      4 4 cluster
4   cpu.usage.maximum                     percent             rate      4 4 cluster
5   cpu.usagemhz.none                     megaHertz           rate      4 4
6   cpu.usagemhz.average                  megaHertz           rate      1 3 vm+cpu host pool cluster
7   cpu.usagemhz.minimum                  megaHertz           rate      4 4 pool cluster
8   cpu.usagemhz.maximum                  megaHertz           rate      4 4 pool cluster
9   cpu.reservedCapacity.average          megaHertz           absolute  2 3 host cluster
10  cpu.system.summation                  millisecond         delta     3 3 vm
11  cpu.wait.summation                    millisecond         delta     3 3 vm+cpu host
12  cpu.ready.summation                   millisecond         delta     1 3 vm+cpu host
13  cpu.idle.summation                    millisecond         delta     2 3 vm+cpu host+cpu
14  cpu.used.summation                    millisecond         delta     3 3 vm+cpu host+cpu
15  cpu.capacity.provisioned.average      megaHertz           absolute  4 4 cluster
16  cpu.capacity.entitlement.average      megaHertz           absolute  4 4 pool
17  cpu.capacity.usage.average            megaHertz           rate      4 4 pool cluster
18  cpu.capacity.demand.average           megaHertz           absolute  4 4 pool cluster
19  cpu.capacity.contention.average       percent             rate      4 4 pool cluster
20  cpu.corecount.provisioned.average     number              absolute  4 4 pool cluster
21  cpu.corecount.usage.average           number              absolute  4 4 cluster
22  cpu.corecount.contention.average      percent             rate      4 4 pool cluster
23  mem.usage.none                        percent             absolute  4 4
24  mem.usage.average                     percent             absolute  1 3 vm host cluster
25  mem.usage.minimum                     percent             absolute  4 4 cluster
26  mem.usage.maximum                     percent             absolute  4 4 cluster
27  mem.reservedCapacity.average          megaBytes           absolute  2 3 host cluster
28  mem.granted.none                      kiloBytes           absolute  4 4
29  mem.granted.average                   kiloBytes           absolute  2 3 vm host pool cluster
30  mem.granted.minimum                   kiloBytes           absolute  4 4 pool cluster
31  mem.granted.maximum                   kiloBytes           absolute  4 4 pool cluster
32  mem.active.none                       kiloBytes           absolute  4 4
33  mem.active.average                    kiloBytes           absolute  2 3 vm host pool cluster
34  mem.active.minimum                    kiloBytes           absolute  4 4 pool cluster
35  mem.active.maximum                    kiloBytes           absolute  4 4 pool cluster
37  mem.shared.average                    kiloBytes           absolute  2 3 vm host pool cluster
41  mem.zero.average                      kiloBytes           absolute  2 3 vm host pool cluster
45  mem.unreserved.average                kiloBytes           absolute  2 3 host
49  mem.swapused.average                  kiloBytes           absolute  2 3 host cluster
57  mem.sharedcommon.average              kiloBytes           absolute  2 3 host
68  mem.state.latest                      number              absolute  2 3 host
70  mem.swapped.average                   kiloBytes           absolute  2 3 vm pool
74  mem.swaptarget.average                kiloBytes           absolute  2 3 vm
85  mem.swapinRate.average                kiloBytesPerSecond  rate      1 3 vm host
86  mem.swapoutRate.average               kiloBytesPerSecond  rate      1 3 vm host
90  mem.vmmemctl.average                  kiloBytes           absolute  1 3 vm host pool cluster
94  mem.vmmemctltarget.average            kiloBytes           absolute  2 3 vm
97  mem.consumed.none                     kiloBytes           absolute  4 4
98  mem.consumed.average                  kiloBytes           absolute  1 3 vm host pool cluster
99  mem.consumed.minimum                  kiloBytes           absolute  4 4 pool cluster
100 mem.consumed.maximum                  kiloBytes           absolute  4 4 pool cluster
102 mem.overhead.average                  kiloBytes           absolute  1 1 vm host pool cluster
105 mem.compressed.average                kiloBytes           absolute  2 3 vm host pool cluster
106 mem.compressionRate.average           kiloBytesPerSecond  rate      2 3 vm host pool cluster
107 mem.decompressionRate.average         kiloBytesPerSecond  rate      2 3 vm host pool cluster
108 mem.capacity.provisioned.average      kiloBytes           absolute  4 4 pool cluster
109 mem.capacity.entitlement.average      kiloBytes           absolute  4 4 pool cluster
110 mem.capacity.usable.average           kiloBytes           absolute  4 4 cluster
111 mem.capacity.usage.average            kiloBytes           absolute  4 4 pool cluster
112 mem.capacity.contention.average       percent             rate      4 4 pool cluster
124 disk.usage.none                       kiloBytesPerSecond  rate      4 4
125 disk.usage.average                    kiloBytesPerSecond  rate      1 3 vm host
128 disk.numberRead.summation             number              delta     3 3 host=lun
129 disk.numberWrite.summation            number              delta     3 3 host=lun
130 disk.read.average                     kiloBytesPerSecond  rate      2 3 vm host+lun
131 disk.write.average                    kiloBytesPerSecond  rate      2 3 vm host+lun
132 disk.totalLatency.average             millisecond         absolute  3 3 host=lun
133 disk.maxTotalLatency.latest           millisecond         absolute  1 3 vm host
134 disk.commandsAborted.summation        number              delta     2 3 host=lun
135 disk.busResets.summation              number              delta     2 3 host=lun
136 disk.numberReadAveraged.average       number              rate      1 3 host=lun
137 disk.numberWriteAveraged.average      number              rate      1 3 host=lun
138 disk.throughput.usage.average         kiloBytesPerSecond  rate      4 4 pool cluster
139 disk.throughput.contention.average    millisecond         absolute  4 4 pool cluster
142 net.usage.none                        kiloBytesPerSecond  rate      4 4
143 net.usage.average                     kiloBytesPerSecond  rate      1 3 vm+nic host+nic
146 net.packetsRx.summation               number              delta     2 3 vm+nic host+nic
147 net.packetsTx.summation               number              delta     2 3 vm+nic host+nic
148 net.received.average                  kiloBytesPerSecond  rate      2 3 vm+nic host+nic
149 net.transmitted.average               kiloBytesPerSecond  rate      2 3 vm+nic host+nic
150 net.throughput.provisioned.average    kiloBytesPerSecond  absolute  4 4 cluster
151 net.throughput.usable.average         kiloBytesPerSecond  absolute  4 4 cluster
152 net.throughput.usage.average          kiloBytesPerSecond  rate      4 4 pool cluster
153 net.throughput.contention.summation   number              delta     4 4 pool cluster
155 sys.uptime.latest                     second              absolute  1 3 vm host
156 sys.heartbeat.summation               number              delta     1 3 vm
157 power.power.average                   watt                rate      2 3 vm host pool cluster
158 power.powerCap.average                watt                absolute  3 3 host cluster
159 power.energy.summation                joule               delta     3 3 vm host pool cluster
161 storageAdapter.commandsAveraged.average number            rate      2 2 host=hba
164 storageAdapter.read.average           kiloBytesPerSecond  rate      2 2 host=hba
165 storageAdapter.write.average          kiloBytesPerSecond  rate      2 2 host=hba
166 storageAdapter.totalReadLatency.average millisecond       absolute  2 2 host=hba
167 storageAdapter.totalWriteLatency.average millisecond      absolute  2 2 host=hba
171 virtualDisk.numberReadAveraged.average number             rate      1 3 vm=disk
172 virtualDisk.numberWriteAveraged.average number            rate      1 3 vm=disk
173 virtualDisk.read.average              kiloBytesPerSecond  rate      2 2 vm=disk
174 virtualDisk.write.average             kiloBytesPerSecond  rate      2 2 vm=disk
175 virtualDisk.totalReadLatency.average  millisecond         absolute  1 3 vm=disk
176 virtualDisk.totalWriteLatency.average millisecond         absolute  1 3 vm=disk
178 datastore.numberReadAveraged.average  number              rate      1 3 vm=ds host=ds ds
179 datastore.numberWriteAveraged.average number              rate      1 3 vm=ds host=ds ds
180 datastore.read.average                kiloBytesPerSecond  rate      2 2 vm=ds host=ds ds
181 datastore.write.average               kiloBytesPerSecond  rate      2 2 vm=ds host=ds ds
182 datastore.totalReadLatency.average    millisecond         absolute  1 3 vm=ds host=ds
183 datastore.totalWriteLatency.average   millisecond         absolute  1 3 vm=ds host=ds
184 datastore.maxTotalLatency.latest      millisecond         absolute  3 3 vm host
185 datastore.datastoreIops.average       number              absolute  1 3 host=ds
186 datastore.sizeNormalizedDatastoreLatency.average microsecond absolute 1 3 host=ds
187 datastore.throughput.usage.average    kiloBytesPerSecond  absolute  4 4 ds
188 datastore.throughput.contention.average millisecond       absolute  4 4 ds
213 cpu.cpuentitlement.latest             megaHertz           absolute  2 3 pool
214 mem.mementitlement.latest             megaBytes           absolute  2 3 pool
256 vmop.numPoweron.latest                number              absolute  1 3 dc cluster
257 vmop.numPoweroff.latest               number              absolute  1 3 dc cluster
258 vmop.numSuspend.latest                number              absolute  1 3 dc cluster
259 vmop.numReset.latest                  number              absolute  1 3 dc cluster
260 vmop.numRebootGuest.latest            number              absolute  1 3 dc cluster
262 vmop.numShutdownGuest.latest          number              absolute  1 3 dc cluster
263 vmop.numCreate.latest                 number              absolute  1 3 dc cluster
264 vmop.numDestroy.latest                number              absolute  1 3 dc cluster
267 vmop.numReconfigure.latest            number              absolute  1 3 dc cluster
268 vmop.numClone.latest                  number              absolute  1 3 dc cluster
273 vmop.numVMotion.latest                number              absolute  1 3 dc cluster
274 vmop.numSVMotion.latest               number              absolute  1 3 dc cluster
276 clusterServices.effectivecpu.average  megaHertz           rate      1 3 cluster
277 clusterServices.effectivemem.average  megaBytes           absolute  1 3 cluster
278 cpu.totalmhz.average                  megaHertz           rate      1 3 cluster
279 mem.totalmb.average                   megaBytes           absolute  1 3 cluster
280 clusterServices.failover.latest       number              absolute  1 3 cluster
281 disk.used.latest                      kiloBytes           absolute  1 1 ds+file
282 disk.provisioned.latest               kiloBytes           absolute  1 1 ds+file
283 disk.capacity.latest                  kiloBytes           absolute  1 3 ds
284 disk.unshared.latest                  kiloBytes           absolute  1 1 ds+file
286 disk.capacity.provisioned.average     kiloBytes           absolute  4 4 ds
287 disk.capacity.usage.average           kiloBytes           absolute  4 4 ds+file
288 disk.capacity.contention.average      percent             absolute  4 4 ds
386 cpu.swapwait.summation                millisecond         delta     3 3 vm+cpu host
388 cpu.utilization.average               percent             rate      2 3 host+cpu
392 cpu.coreUtilization.average           percent             rate      2 3 host+cpu
395 cpu.totalCapacity.average             megaHertz           absolute  2 3 host
396 cpu.latency.average                   percent             rate      2 3 vm host
397 cpu.entitlement.latest                megaHertz           absolute  2 3 vm
398 cpu.demand.average                    megaHertz           absolute  2 3 vm host
399 cpu.costop.summation                  millisecond         delta     2 3 vm+cpu host
400 cpu.maxlimited.summation              millisecond         delta     2 3 vm+cpu
401 cpu.overlap.summation                 millisecond         delta     3 3 vm+cpu
402 cpu.run.summation                     millisecond         delta     2 3 vm+cpu
404 cpu.readiness.average                 percent             rate      4 4 vm+cpu host
406 mem.swapin.average                    kiloBytes           absolute  2 3 vm host
410 mem.swapout.average                   kiloBytes           absolute  2 3 vm host
414 mem.sysUsage.average                  kiloBytes           absolute  2 3 host
419 mem.totalCapacity.average             megaBytes           absolute  2 3 host
422 mem.latency.average                   percent             absolute  2 3 vm host
423 mem.entitlement.average               kiloBytes           absolute  2 3 vm
449 disk.totalReadLatency.average         millisecond         absolute  2 3 host=lun
453 disk.totalWriteLatency.average        millisecond         absolute  2 3 host=lun
455 disk.deviceLatency.average            millisecond         absolute  1 3 host=lun
460 net.droppedRx.summation               number              delta     2 3 vm+nic host+nic
461 net.droppedTx.summation               number              delta     2 3 vm+nic host+nic
462 net.bytesRx.average                   kiloBytesPerSecond  rate      2 3 vm+nic host+nic
463 net.bytesTx.average                   kiloBytesPerSecond  rate      2 3 vm+nic host+nic
464 net.broadcastRx.summation             number              delta     2 3 vm+nic host+nic
465 net.broadcastTx.summation             number              delta     2 3 vm+nic host+nic
466 net.multicastRx.summation             number              delta     2 3 vm+nic host+nic
467 net.multicastTx.summation             number              delta     2 3 vm+nic host+nic
468 net.errorsRx.summation                number              delta     2 3 host+nic
469 net.errorsTx.summation                number              delta     2 3 host+nic
470 net.unknownProtos.summation           number              delta     2 3 host+nic
498 sys.osUptime.latest                   second              absolute  4 4 vm
"""

GROUPS = {"cpu": "CPU", "mem": "Memory", "net": "Network", "disk": "Disk", "sys": "System",
          "power": "Power", "datastore": "Datastore", "virtualDisk": "Virtual disk",
          "storageAdapter": "Storage adapter", "clusterServices": "Cluster services",
          "vmop": "Virtual machine operations"}
UNITS = {"percent": ("%", "Percentage"), "megaHertz": ("MHz", "Megahertz"),
         "kiloBytes": ("KB", "Kilobytes"), "megaBytes": ("MB", "Megabytes"),
         "kiloBytesPerSecond": ("KBps", "Kilobytes per second"),
         "millisecond": ("ms", "Millisecond"), "microsecond": ("\u00b5s", "Microsecond"),
         "second": ("s", "Second"), "number": ("num", "Number"), "watt": ("W", "Watt"),
         "joule": ("J", "Joule")}
ROLLUPS = ("average", "maximum", "minimum", "latest", "summation", "none")
STATS_TYPES = ("absolute", "delta", "rate")
FILE_KINDS = ("DISKFILE", "DELTAFILE", "SWAPFILE", "OTHERFILE")
FILE_SHARE = {"DISKFILE": 0.82, "DELTAFILE": 0.04, "SWAPFILE": 0.06, "OTHERFILE": 0.08}


class Counter:
    __slots__ = ("key", "group", "name", "rollup", "unit", "stats", "level", "device_level",
                 "where")

    def __init__(self, line):
        key, full, self.unit, self.stats, level, device_level, *where = line.split()
        self.key, self.level, self.device_level = int(key), int(level), int(device_level)
        self.group, rest = full.split(".", 1)
        self.name, self.rollup = rest.rsplit(".", 1)
        # kind -> (aggregate sampled, device kind or None)
        self.where = {}
        for token in where:
            kind, _, device = token.replace("=", "+").partition("+")
            self.where[kind] = ("=" not in token, device or None)

    @property
    def reading(self):
        return "%s.%s" % (self.group, self.name)

    def info(self):
        label, summary = LABELS.get(self.reading, (self.name, self.name))
        unit_label, unit_summary = UNITS[self.unit]
        group = GROUPS[self.group]
        return DataObject(
            "PerfCounterInfo", key=self.key,
            nameInfo=DataObject("ElementDescription", label=label, summary=summary,
                                key=self.name),
            groupInfo=DataObject("ElementDescription", label=group, summary=group,
                                 key=self.group),
            unitInfo=DataObject("ElementDescription", label=unit_label, summary=unit_summary,
                                key=self.unit),
            rollupType=self.rollup, statsType=self.stats, level=self.level,
            perDeviceLevel=self.device_level)


# Labels and one-line summaries of the counter names (group.name).
LABELS = {
    "cpu.usage": ("Usage", "CPU in use, as a percentage of the capacity, over the interval"),
    "cpu.usagemhz": ("Usage in MHz", "CPU in use over the interval, in megahertz"),
    "cpu.reservedCapacity": ("Reserved capacity", "CPU reserved by virtual machines"),
    "cpu.system": ("System", "Time spent on system processes"),
    "cpu.wait": ("Wait", "Time spent waiting, idle time included"),
    "cpu.ready": ("Ready", "Time ready to run but not scheduled"),
    "cpu.idle": ("Idle", "Time spent idle"),
    "cpu.used": ("Used", "Time accounted to the entity"),
    "cpu.capacity.provisioned": ("Capacity provisioned", "CPU capacity provisioned"),
    "cpu.capacity.entitlement": ("Capacity entitlement", "CPU entitled by the scheduler"),
    "cpu.capacity.usage": ("Capacity usage", "CPU capacity in use"),
    "cpu.capacity.demand": ("Capacity demand", "CPU the entity would use without contention"),
    "cpu.capacity.contention": ("Capacity contention", "Time unable to run for contention"),
    "cpu.corecount.provisioned": ("Core count provisioned", "Virtual CPUs provisioned"),
    "cpu.corecount.usage": ("Core count usage", "Virtual CPUs in use"),
    "cpu.corecount.contention": ("Core count contention", "Time lost to co-scheduling"),
    "cpu.cpuentitlement": ("Worst case allocation", "CPU allocation under contention"),
    "cpu.totalmhz": ("Total", "Total CPU capacity of the cluster"),
    "cpu.swapwait": ("Swap wait", "Time waiting for swap-in"),
    "cpu.utilization": ("Utilization", "CPU utilization as a percentage"),
    "cpu.coreUtilization": ("Core utilization", "Core utilization as a percentage"),
    "cpu.totalCapacity": ("Total capacity", "CPU capacity reserved for virtual machines"),
    "cpu.latency": ("Latency", "Time unable to run because of contention, as a percentage"),
    "cpu.entitlement": ("Entitlement", "CPU the entity is entitled to"),
    "cpu.demand": ("Demand", "CPU the entity would use without contention or limit"),
    "cpu.costop": ("Co-stop", "Time ready but stopped by co-scheduling"),
    "cpu.maxlimited": ("Max limited", "Time ready but held back by a limit"),
    "cpu.overlap": ("Overlap", "Time interrupted to serve other work"),
    "cpu.run": ("Run", "Time scheduled to run"),
    "cpu.readiness": ("Readiness", "Time ready but not scheduled, as a percentage"),
    "mem.usage": ("Usage", "Memory in use, as a percentage of the available memory"),
    "mem.reservedCapacity": ("Reserved capacity", "Memory reserved by virtual machines"),
    "mem.granted": ("Granted", "Memory backed by machine memory"),
    "mem.active": ("Active", "Memory recently touched"),
    "mem.shared": ("Shared", "Memory shared by transparent page sharing"),
    "mem.zero": ("Zero pages", "Memory holding zeros"),
    "mem.unreserved": ("Reservation available", "Memory left for reservations"),
    "mem.swapused": ("Swap used", "Swap space in use"),
    "mem.sharedcommon": ("Shared common", "Machine memory backing shared pages"),
    "mem.state": ("State", "Free memory state: 0 high, 1 soft, 2 hard, 3 low"),
    "mem.swapped": ("Swapped", "Memory swapped out"),
    "mem.swaptarget": ("Swap target", "Memory to be swapped"),
    "mem.swapinRate": ("Swap in rate", "Rate memory is swapped in"),
    "mem.swapoutRate": ("Swap out rate", "Rate memory is swapped out"),
    "mem.vmmemctl": ("Balloon", "Memory reclaimed by the balloon driver"),
    "mem.vmmemctltarget": ("Balloon target", "Memory the balloon driver should reclaim"),
    "mem.consumed": ("Consumed", "Machine memory used"),
    "mem.overhead": ("Overhead", "Memory used for virtualization"),
    "mem.compressed": ("Compressed", "Memory held compressed"),
    "mem.compressionRate": ("Compression rate", "Rate memory is compressed"),
    "mem.decompressionRate": ("Decompression rate", "Rate memory is decompressed"),
    "mem.capacity.provisioned": ("Capacity provisioned", "Memory provisioned"),
    "mem.capacity.entitlement": ("Capacity entitlement", "Memory entitled by the scheduler"),
    "mem.capacity.usable": ("Capacity usable", "Memory usable by virtual machines"),
    "mem.capacity.usage": ("Capacity usage", "Memory in use"),
    "mem.capacity.contention": ("Capacity contention", "Time lost to memory contention"),
    "mem.mementitlement": ("Worst case allocation", "Memory allocation under contention"),
    "mem.totalmb": ("Total", "Total memory of the cluster"),
    "mem.swapin": ("Swap in", "Memory swapped in"),
    "mem.swapout": ("Swap out", "Memory swapped out"),
    "mem.sysUsage": ("VMkernel consumed", "Memory used by the VMkernel"),
    "mem.totalCapacity": ("Total capacity", "Memory reserved for virtual machines"),
    "mem.latency": ("Page-fault latency", "Time waiting on swapped or compressed memory"),
    "mem.entitlement": ("Entitlement", "Memory the virtual machine is entitled to"),
    "disk.usage": ("Usage", "Disk traffic, read and write, over the interval"),
    "disk.numberRead": ("Read requests", "Disk reads over the interval"),
    "disk.numberWrite": ("Write requests", "Disk writes over the interval"),
    "disk.read": ("Read rate", "Data read over the interval"),
    "disk.write": ("Write rate", "Data written over the interval"),
    "disk.totalLatency": ("Command latency", "Time a command takes, on average"),
    "disk.maxTotalLatency": ("Highest latency", "Highest latency of the disks"),
    "disk.commandsAborted": ("Commands aborted", "Commands aborted over the interval"),
    "disk.busResets": ("Bus resets", "Bus resets over the interval"),
    "disk.numberReadAveraged": ("Average read requests per second", "Read commands per second"),
    "disk.numberWriteAveraged": ("Average write requests per second",
                                 "Write commands per second"),
    "disk.throughput.usage": ("Throughput usage", "Disk traffic"),
    "disk.throughput.contention": ("Throughput contention", "Latency of disk traffic"),
    "disk.totalReadLatency": ("Read latency", "Time a read takes, on average"),
    "disk.totalWriteLatency": ("Write latency", "Time a write takes, on average"),
    "disk.deviceLatency": ("Physical device command latency", "Time the device takes"),
    "disk.used": ("Space actually used", "Space used on the datastore"),
    "disk.provisioned": ("Space potentially used", "Space provisioned on the datastore"),
    "disk.capacity": ("Capacity", "Configured size of the datastore"),
    "disk.unshared": ("Space not shared", "Space used by this entity alone"),
    "disk.capacity.provisioned": ("Capacity provisioned", "Storage provisioned"),
    "disk.capacity.usage": ("Capacity usage", "Storage used"),
    "disk.capacity.contention": ("Capacity contention", "Storage overcommitment"),
    "net.usage": ("Usage", "Network traffic, received and transmitted, over the interval"),
    "net.packetsRx": ("Packets received", "Packets received over the interval"),
    "net.packetsTx": ("Packets transmitted", "Packets transmitted over the interval"),
    "net.received": ("Data receive rate", "Data received over the interval"),
    "net.transmitted": ("Data transmit rate", "Data transmitted over the interval"),
    "net.throughput.provisioned": ("Throughput provisioned", "Network bandwidth provisioned"),
    "net.throughput.usable": ("Throughput usable", "Network bandwidth usable"),
    "net.throughput.usage": ("Throughput usage", "Network traffic"),
    "net.throughput.contention": ("Throughput contention", "Packets dropped"),
    "net.droppedRx": ("Receive packets dropped", "Received packets dropped"),
    "net.droppedTx": ("Transmit packets dropped", "Transmitted packets dropped"),
    "net.bytesRx": ("Data receive rate", "Data received per second"),
    "net.bytesTx": ("Data transmit rate", "Data transmitted per second"),
    "net.broadcastRx": ("Broadcast receives", "Broadcast packets received"),
    "net.broadcastTx": ("Broadcast transmits", "Broadcast packets transmitted"),
    "net.multicastRx": ("Multicast receives", "Multicast packets received"),
    "net.multicastTx": ("Multicast transmits", "Multicast packets transmitted"),
    "net.errorsRx": ("Packet receive errors", "Packets received with errors"),
    "net.errorsTx": ("Packet transmit errors", "Packets transmitted with errors"),
    "net.unknownProtos": ("Unknown protocol frames", "Frames of unknown protocols"),
    "sys.uptime": ("Uptime", "Seconds since the last start"),
    "sys.heartbeat": ("Heartbeat", "VMware Tools heartbeats over the interval"),
    "sys.osUptime": ("OS uptime", "Seconds since the guest operating system booted"),
    "power.power": ("Usage", "Power in use"),
    "power.powerCap": ("Cap", "Power cap"),
    "power.energy": ("Energy usage", "Energy used over the interval"),
    "storageAdapter.commandsAveraged": ("Average commands issued per second",
                                        "Commands issued per second"),
    "storageAdapter.read": ("Read rate", "Data read through the adapter"),
    "storageAdapter.write": ("Write rate", "Data written through the adapter"),
    "storageAdapter.totalReadLatency": ("Read latency", "Time a read takes"),
    "storageAdapter.totalWriteLatency": ("Write latency", "Time a write takes"),
    "virtualDisk.numberReadAveraged": ("Average read requests per second", "Reads per second"),
    "virtualDisk.numberWriteAveraged": ("Average write requests per second",
                                        "Writes per second"),
    "virtualDisk.read": ("Read rate", "Data read from the virtual disk"),
    "virtualDisk.write": ("Write rate", "Data written to the virtual disk"),
    "virtualDisk.totalReadLatency": ("Read latency", "Time a read takes"),
    "virtualDisk.totalWriteLatency": ("Write latency", "Time a write takes"),
    "datastore.numberReadAveraged": ("Average read requests per second", "Reads per second"),
    "datastore.numberWriteAveraged": ("Average write requests per second",
                                      "Writes per second"),
    "datastore.read": ("Read rate", "Data read from the datastore"),
    "datastore.write": ("Write rate", "Data written to the datastore"),
    "datastore.totalReadLatency": ("Read latency", "Time a read takes"),
    "datastore.totalWriteLatency": ("Write latency", "Time a write takes"),
    "datastore.maxTotalLatency": ("Highest latency", "Highest latency of the datastores"),
    "datastore.datastoreIops": ("Storage I/O Control aggregated IOPS", "I/O per second"),
    "datastore.sizeNormalizedDatastoreLatency": ("Storage I/O Control normalized latency",
                                                 "Latency normalized by I/O size"),
    "datastore.throughput.usage": ("Throughput usage", "Datastore traffic"),
    "datastore.throughput.contention": ("Throughput contention", "Datastore latency"),
    "clusterServices.effectivecpu": ("Effective CPU resources", "CPU available to VMs"),
    "clusterServices.effectivemem": ("Effective memory resources", "Memory available to VMs"),
    "clusterServices.failover": ("Current failover level", "Host failures tolerated"),
}
for _op in ("Poweron", "Poweroff", "Suspend", "Reset", "RebootGuest", "ShutdownGuest",
            "Create", "Destroy", "Reconfigure", "Clone", "VMotion", "SVMotion"):
    LABELS["vmop.num" + _op] = ("%s operations" % _op, "Virtual machine %s operations" % _op)

COUNTERS = {}
for _line in COUNTER_TABLE.strip().splitlines():
    _counter = Counter(_line)
    COUNTERS[_counter.key] = _counter


# -- samples ---------------------------------------------------------------------------------

def _unit(*parts):
    """A number in [0, 1) that depends on nothing but ``parts``."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 4294967296.0


class Sample:
    """One entity at one sample timestamp ``t`` (epoch seconds) covering ``interval`` seconds.
    Readings vary around what the model says the entity does now (a VM's or host's
    quickStats), by a slow wave and a jitter of their own; a cluster or pool adds up its
    hosts or VMs. ``memo`` is shared by the samples of one answer (device lists)."""

    def __init__(self, vc, entity, kind, t, interval, memo=None):
        self.vc, self.entity, self.kind, self.t, self.interval = vc, entity, kind, t, interval
        self.memo = {} if memo is None else memo
        self._stats = None

    def vary(self, salt, center, spread, instance=""):
        """``center`` moved by up to ``spread`` of itself; the same for the same arguments."""
        moid = self.entity.moid
        salt = "%s/%s" % (salt, instance)
        wave = math.sin(2 * math.pi * (self.t / 3600.0 + _unit(salt, moid)))
        jitter = 2 * _unit(moid, salt, self.t) - 1
        return max(0.0, center * (1 + spread * (0.6 * wave + 0.4 * jitter)))

    @property
    def ms(self):
        return self.interval * 1000

    def at(self, entity):
        """The same timestamp for another entity (a cluster's hosts, a pool's VMs)."""
        return Sample(self.vc, entity, KINDS[entity.vim_type], self.t, self.interval, self.memo)

    @property
    def stats(self):
        """The quickStats of a VM or host."""
        if self._stats is None:
            self._stats = self.entity.quick_stats()
        return self._stats

    def hosts(self):
        e = self.entity
        if self.kind == "host":
            return [e]
        if self.kind == "cluster":
            return e.hosts
        return e.owner.hosts if self.kind == "pool" else []

    def vms(self):
        """The powered-on VMs of a host, cluster, pool or datastore."""
        e = self.entity
        if self.kind in ("pool", "ds"):
            vms = e.vms
        else:
            vms = [vm for host in self.hosts() for vm in host.vms]
        return [vm for vm in vms if vm.power_state == "poweredOn"]

    def parts(self):
        """The samples a cluster (its hosts) or a pool (its VMs) adds up."""
        if self.kind == "cluster":
            return [self.at(h) for h in self.hosts()]
        return [self.at(vm) for vm in self.vms()]

    def cpus(self):
        e = self.entity
        return [str(i) for i in range(e.num_cpu if self.kind == "vm" else e.cpu_cores)]

    def cpu_mhz(self):
        """CPU capacity in MHz."""
        if self.kind == "vm":
            return self.entity.num_cpu * self.entity.host.cpu_mhz
        return sum(h.cpu_mhz * h.cpu_cores for h in self.hosts())

    def memory_kb(self):
        """Memory capacity (configured memory for a VM) in KB."""
        if self.kind == "vm":
            return self.entity.memory_mb * 1024
        return sum(h.memory_bytes // 1024 for h in self.hosts())

    def uptime(self):
        return max(0, self.t - int(alive_since(self.vc, self.entity)))

    def virtual_disks(self):
        """{instance: datastore moId} of a VM's virtual disks."""
        key = ("disks", self.entity.moid)
        if key not in self.memo:
            self.memo[key] = dict(virtual_disks(self.entity))
        return self.memo[key]


def _each(instance, devices, fn):
    """``fn`` of one device, or summed over every device for the aggregate."""
    return fn(instance) if instance else sum(fn(d) for d in devices)


def _mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# CPU: a VM or host's vCPUs or cores are each busy around the share its quickStats give.

def _busy(s, cpu=""):
    """The busy share of one vCPU or core, or the mean over all of them."""
    if s.kind not in REALTIME_KINDS:
        capacity = s.cpu_mhz()
        return _usage_mhz(s) / capacity if capacity else 0.0
    if not cpu:
        return _mean(_busy(s, c) for c in s.cpus())
    share = max((s.stats.overallCpuUsage or 0) / s.cpu_mhz(), 0.005)
    return min(1.0, s.vary("cpu", share, 0.5, cpu))


def _ready(s, cpu=""):
    if s.kind in REALTIME_KINDS and not cpu:
        return _mean(_ready(s, c) for c in s.cpus())
    return s.vary("ready", 0.004, 0.5, cpu)


def _cpu_ms(s, cpu, share):
    """Milliseconds of the interval a share of each vCPU or core amounts to."""
    if not cpu:
        return sum(share(s, c) for c in s.cpus()) * s.ms
    return share(s, cpu) * s.ms


def _usage_mhz(s, cpu=""):
    if s.kind not in REALTIME_KINDS:
        return sum(_usage_mhz(p) for p in s.parts())
    cpus = s.cpus()
    per_cpu = s.cpu_mhz() / len(cpus)
    return _each(cpu, cpus, lambda c: _busy(s, c) * per_cpu)


# Memory (KB): around a VM's granted, host-used and guest-active memory, a host's used memory.

def _granted(s):
    if s.kind == "vm":
        return (s.stats.grantedMemory or 0) * 1024
    return sum(_granted(p) for p in (s.parts() if s.kind != "host"
                                     else [s.at(vm) for vm in s.vms()]))


def _consumed(s):
    if s.kind == "vm":
        return min(_granted(s), s.vary("consumed", (s.stats.hostMemoryUsage or 0) * 1024, 0.03))
    if s.kind == "host":
        used = (s.stats.overallMemoryUsage or 0) * 1024
        return min(s.memory_kb(), s.vary("consumed", used, 0.03))
    return sum(_consumed(p) for p in s.parts())


def _active(s):
    if s.kind == "vm":
        return min(_granted(s), s.vary("active", (s.stats.guestMemoryUsage or 0) * 1024, 0.3))
    if s.kind == "host":
        return sum(_active(s.at(vm)) for vm in s.vms()) + s.vary("active", 200 * 1024, 0.2)
    return sum(_active(p) for p in s.parts())


def _overhead(s):
    if s.kind == "vm":
        return (s.stats.consumedOverheadMemory or 0) * 1024
    return sum(_overhead(s.at(vm)) for vm in s.vms())


def _sys_usage(s):
    return s.vary("sys", 700 * 1024, 0.05)


def _mem_usage(s):
    """A VM's active memory, or a host's or cluster's used memory, in hundredths of a
    percent of what it has."""
    used = _active(s) if s.kind == "vm" else _consumed(s)
    capacity = s.memory_kb()
    return used / capacity * 10000 if capacity else 0


# Network (KBps), per VM NIC or host vmnic.

def _rx(s, nic):
    if s.kind == "vm":
        return s.vary("rx", 40, 0.6, nic)
    return s.vary("rx", 30 + 40 * sum(len(vm.networks) for vm in s.vms()), 0.4, nic)


def _tx(s, nic):
    if s.kind == "vm":
        return s.vary("tx", 20, 0.6, nic)
    return s.vary("tx", 15 + 20 * sum(len(vm.networks) for vm in s.vms()), 0.4, nic)


def _net(fn):
    return lambda s, i: _each(i, devices(s.entity, s.kind, "nic"), lambda n: fn(s, n))


# Storage (KBps, ms), per datastore; a host's disks (LUNs) back its datastores in order.

def _ds_of(s, device):
    """The datastore moId behind a device instance (a datastore, LUN or virtual disk)."""
    if device.startswith("mpx."):
        return s.entity.datastores[int(device.split(":T")[1].split(":")[0])].moid
    if s.kind == "vm":
        return s.virtual_disks().get(device, device)
    return device


def _vms_on(s, ds):
    return sum(1 for vm in s.vms() if any(d.moid == ds for d in vm.datastores))


def _ds_read(s, device=""):
    if s.kind == "ds":
        return s.vary("dsr", 100 + 60 * len(s.vms()), 0.5)
    ds = _ds_of(s, device)
    if s.kind == "vm":
        return s.vary("dsr", 60, 0.7, ds)
    return s.vary("dsr", 100 + 60 * _vms_on(s, ds), 0.5, ds)


def _ds_write(s, device=""):
    if s.kind == "ds":
        return s.vary("dsw", 80 + 40 * len(s.vms()), 0.5)
    ds = _ds_of(s, device)
    if s.kind == "vm":
        return s.vary("dsw", 40, 0.7, ds)
    return s.vary("dsw", 80 + 40 * _vms_on(s, ds), 0.5, ds)


def _read_latency(s, device=""):
    return s.vary("rlat", 2, 0.5, _ds_of(s, device))


def _write_latency(s, device=""):
    return s.vary("wlat", 3, 0.5, _ds_of(s, device))


def _disk(fn, device="ds"):
    return lambda s, i: _each(i, devices(s.entity, s.kind, device), lambda d: fn(s, d))


def _max_latency(s, i=""):
    return max([max(_read_latency(s, d), _write_latency(s, d))
                for d in devices(s.entity, s.kind, "ds")] or [0])


def _ds_used(s, i=""):
    e = s.entity
    used = (e.capacity - e.free) // 1024
    return used * FILE_SHARE[i] if i else used


def _power(s, i=""):
    if s.kind == "vm":
        return 3 + _busy(s) * s.entity.num_cpu * 15
    if s.kind == "host":
        return 90 + _busy(s) * 150
    return sum(_power(p) for p in s.parts())


def _tools(s):
    return s.kind == "vm" and s.entity.tools_running


def _zero(s, i=""):
    return 0


# What each counter name reads: (sample, instance) -> a number in the counter's unit.
READINGS = {
    "cpu.usage": lambda s, i: _busy(s, i) * 10000,
    "cpu.usagemhz": _usage_mhz,
    "cpu.reservedCapacity": _zero,
    "cpu.system": lambda s, i: _cpu_ms(s, i, _busy) * 0.04,
    "cpu.wait": lambda s, i: _cpu_ms(s, i, lambda s, c: 1.001 - _busy(s, c) - _ready(s, c)),
    "cpu.ready": lambda s, i: _cpu_ms(s, i, _ready),
    "cpu.idle": lambda s, i: _cpu_ms(s, i, lambda s, c: 1 - _busy(s, c) - _ready(s, c)),
    "cpu.used": lambda s, i: _cpu_ms(s, i, _busy),
    "cpu.capacity.provisioned": lambda s, i: s.cpu_mhz(),
    "cpu.capacity.entitlement": lambda s, i: s.cpu_mhz(),
    "cpu.capacity.usage": _usage_mhz,
    "cpu.capacity.demand": lambda s, i: _usage_mhz(s) * 1.04,
    "cpu.capacity.contention": lambda s, i: _ready(s) * 10000,
    "cpu.corecount.provisioned": lambda s, i: sum(vm.num_cpu for vm in s.vms()),
    "cpu.corecount.usage": lambda s, i: sum(vm.num_cpu for vm in s.vms()),
    "cpu.corecount.contention": _zero,
    "cpu.cpuentitlement": lambda s, i: s.cpu_mhz(),
    "cpu.totalmhz": lambda s, i: s.cpu_mhz(),
    "cpu.swapwait": _zero,
    "cpu.utilization": lambda s, i: _busy(s, i) * 10000,
    "cpu.coreUtilization": lambda s, i: _busy(s, i) * 10000,
    "cpu.totalCapacity": lambda s, i: s.cpu_mhz(),
    "cpu.latency": lambda s, i: _ready(s) * 11500,
    "cpu.entitlement": lambda s, i: s.cpu_mhz(),
    "cpu.demand": lambda s, i: _usage_mhz(s) * 1.04,
    "cpu.costop": _zero,
    "cpu.maxlimited": _zero,
    "cpu.overlap": lambda s, i: _cpu_ms(s, i, _busy) * 0.003,
    "cpu.run": lambda s, i: _cpu_ms(s, i, _busy) * 1.03,
    "cpu.readiness": lambda s, i: _ready(s, i) * 10000,
    "mem.usage": lambda s, i: _mem_usage(s),
    "mem.reservedCapacity": _zero,
    "mem.granted": lambda s, i: _granted(s),
    "mem.active": lambda s, i: _active(s),
    "mem.shared": lambda s, i: _granted(s) * 0.02,
    "mem.zero": lambda s, i: _granted(s) * 0.01,
    "mem.unreserved": lambda s, i: s.memory_kb(),
    "mem.swapused": _zero,
    "mem.sharedcommon": lambda s, i: _granted(s) * 0.01,
    "mem.state": _zero,
    "mem.swapped": _zero,
    "mem.swaptarget": _zero,
    "mem.swapinRate": _zero,
    "mem.swapoutRate": _zero,
    "mem.vmmemctl": _zero,
    "mem.vmmemctltarget": _zero,
    "mem.consumed": lambda s, i: _consumed(s),
    "mem.overhead": lambda s, i: _overhead(s),
    "mem.compressed": _zero,
    "mem.compressionRate": _zero,
    "mem.decompressionRate": _zero,
    "mem.capacity.provisioned": lambda s, i: s.memory_kb(),
    "mem.capacity.entitlement": lambda s, i: s.memory_kb(),
    "mem.capacity.usable": lambda s, i: s.memory_kb(),
    "mem.capacity.usage": lambda s, i: _consumed(s),
    "mem.capacity.contention": _zero,
    "mem.mementitlement": lambda s, i: s.memory_kb() // 1024,
    "mem.totalmb": lambda s, i: s.memory_kb() // 1024,
    "mem.swapin": _zero,
    "mem.swapout": _zero,
    "mem.sysUsage": lambda s, i: _sys_usage(s),
    "mem.totalCapacity": lambda s, i: (s.memory_kb() - _sys_usage(s)) // 1024,
    "mem.latency": _zero,
    "mem.entitlement": lambda s, i: _granted(s),
    "disk.usage": _disk(lambda s, d: _ds_read(s, d) + _ds_write(s, d)),
    "disk.numberRead": _disk(lambda s, d: _ds_read(s, d) / 16 * s.interval, "lun"),
    "disk.numberWrite": _disk(lambda s, d: _ds_write(s, d) / 16 * s.interval, "lun"),
    "disk.read": _disk(_ds_read),
    "disk.write": _disk(_ds_write),
    "disk.totalLatency": lambda s, i: (_read_latency(s, i) + _write_latency(s, i)) / 2,
    "disk.maxTotalLatency": _max_latency,
    "disk.commandsAborted": _zero,
    "disk.busResets": _zero,
    "disk.numberReadAveraged": lambda s, i: _ds_read(s, i) / 16,
    "disk.numberWriteAveraged": lambda s, i: _ds_write(s, i) / 16,
    "disk.throughput.usage": lambda s, i: sum(_ds_read(p) + _ds_write(p) for p in s.parts()),
    "disk.throughput.contention": lambda s, i: s.vary("rlat", 2, 0.5),
    "disk.totalReadLatency": _read_latency,
    "disk.totalWriteLatency": _write_latency,
    "disk.deviceLatency": lambda s, i: (_read_latency(s, i) + _write_latency(s, i)) * 0.45,
    "disk.used": _ds_used,
    "disk.provisioned": lambda s, i: _ds_used(s, i) * 1.3,
    "disk.capacity": lambda s, i: s.entity.capacity // 1024,
    "disk.unshared": _ds_used,
    "disk.capacity.provisioned": lambda s, i: _ds_used(s, i) * 1.3,
    "disk.capacity.usage": _ds_used,
    "disk.capacity.contention": _zero,
    "net.usage": _net(lambda s, n: _rx(s, n) + _tx(s, n)),
    "net.packetsRx": _net(lambda s, n: _rx(s, n) * 1024 / 900 * s.interval),
    "net.packetsTx": _net(lambda s, n: _tx(s, n) * 1024 / 700 * s.interval),
    "net.received": _net(_rx),
    "net.transmitted": _net(_tx),
    "net.throughput.provisioned": lambda s, i: 1250000 * len(s.hosts()),
    "net.throughput.usable": lambda s, i: 1250000 * len(s.hosts()),
    "net.throughput.usage": lambda s, i: sum(
        _rx(p, n) + _tx(p, n) for p in s.parts() for n in devices(p.entity, p.kind, "nic")),
    "net.throughput.contention": _zero,
    "net.droppedRx": _zero,
    "net.droppedTx": _zero,
    "net.bytesRx": _net(_rx),
    "net.bytesTx": _net(_tx),
    "net.broadcastRx": _net(lambda s, n: s.vary("bcast", 0.1, 0.8, n) * s.interval),
    "net.broadcastTx": _net(lambda s, n: s.vary("bcast-tx", 0.02, 0.8, n) * s.interval),
    "net.multicastRx": _net(lambda s, n: s.vary("mcast", 0.05, 0.8, n) * s.interval),
    "net.multicastTx": _net(lambda s, n: s.vary("mcast-tx", 0.01, 0.8, n) * s.interval),
    "net.errorsRx": _zero,
    "net.errorsTx": _zero,
    "net.unknownProtos": _zero,
    "sys.uptime": lambda s, i: s.uptime(),
    "sys.heartbeat": lambda s, i: s.interval if _tools(s) else 0,
    "sys.osUptime": lambda s, i: s.uptime() if _tools(s) else 0,
    "power.power": _power,
    "power.powerCap": _zero,
    "power.energy": lambda s, i: _power(s) * s.interval,
    "storageAdapter.commandsAveraged": lambda s, i: sum(
        _ds_read(s, d) + _ds_write(s, d) for d in devices(s.entity, s.kind, "ds")) / 16,
    "storageAdapter.read": _disk(_ds_read, "ds"),
    "storageAdapter.write": _disk(_ds_write, "ds"),
    "storageAdapter.totalReadLatency": lambda s, i: _mean(
        _read_latency(s, d) for d in devices(s.entity, s.kind, "ds")),
    "storageAdapter.totalWriteLatency": lambda s, i: _mean(
        _write_latency(s, d) for d in devices(s.entity, s.kind, "ds")),
    "virtualDisk.numberReadAveraged": lambda s, i: _ds_read(s, i) / 16,
    "virtualDisk.numberWriteAveraged": lambda s, i: _ds_write(s, i) / 16,
    "virtualDisk.read": _ds_read,
    "virtualDisk.write": _ds_write,
    "virtualDisk.totalReadLatency": _read_latency,
    "virtualDisk.totalWriteLatency": _write_latency,
    "datastore.numberReadAveraged": lambda s, i: _ds_read(s, i) / 16,
    "datastore.numberWriteAveraged": lambda s, i: _ds_write(s, i) / 16,
    "datastore.read": _ds_read,
    "datastore.write": _ds_write,
    "datastore.totalReadLatency": _read_latency,
    "datastore.totalWriteLatency": _write_latency,
    "datastore.maxTotalLatency": _max_latency,
    "datastore.datastoreIops": lambda s, i: (_ds_read(s, i) + _ds_write(s, i)) / 16,
    "datastore.sizeNormalizedDatastoreLatency": lambda s, i: _read_latency(s, i) * 1000,
    "datastore.throughput.usage": lambda s, i: _ds_read(s) + _ds_write(s),
    "datastore.throughput.contention": lambda s, i: _read_latency(s),
    "clusterServices.effectivecpu": lambda s, i: s.cpu_mhz() * 0.95,
    "clusterServices.effectivemem": lambda s, i: s.memory_kb() // 1024 * 0.92,
    "clusterServices.failover": _zero,  # no HA, as the cluster's summary says
}


def read(sample, counter, instance):
    """The value ``counter`` has for one instance at one sample, as vCenter sends it."""
    value = READINGS.get(counter.reading, _zero)(sample, instance)
    if counter.rollup == "minimum":
        value *= 0.85
    elif counter.rollup == "maximum":
        value *= 1.15
    value = max(0, int(round(value)))
    return min(value, 10000) if counter.unit == "percent" else value


def alive_since(vc, entity):
    """Epoch seconds since which the entity has samples, or None: a VM's last power-on,
    vCenter's start for the rest."""
    if entity.vim_type == "VirtualMachine":
        if entity.power_state != "poweredOn" or entity.boot_time is None:
            return None
        return entity.boot_time.timestamp()
    return vc.boot_time.timestamp()


BUS_KINDS = (("IDE", "ide"), ("AHCI", "sata"), ("NVME", "nvme"))


def virtual_disks(vm):
    """(instance, datastore moId) of each virtual disk, named as vCenter names virtualDisk
    instances: ``scsi0:0`` is unit 0 of the SCSI controller on bus 0."""
    hardware = vm_hardware.devices(vm)
    controllers = {d.key: d for d in hardware if d.busNumber is not None}
    out = []
    for disk in hardware:
        controller = controllers.get(disk.controllerKey)
        if disk._typeName != "VirtualDisk" or controller is None:
            continue
        bus = next((kind for mark, kind in BUS_KINDS if mark in controller._typeName.upper()),
                   "scsi")
        datastore = disk.backing.datastore if disk.backing is not None else None
        out.append(("%s%d:%d" % (bus, controller.busNumber, disk.unitNumber),
                    datastore.value if datastore is not None else ""))
    return out


def devices(entity, kind, device):
    """The instances of a device kind on an entity."""
    if device == "cpu":
        return [str(i) for i in range(entity.num_cpu if kind == "vm" else entity.cpu_cores)]
    if device == "nic":
        if kind == "vm":
            return [str(nic.key) for nic in entity.nic_devices()]
        return [pnic.device for pnic in entity.network_info().pnic]
    if device == "ds":
        return [d.moid for d in entity.datastores]
    if device == "disk":
        return [name for name, _ in virtual_disks(entity)]
    if device == "lun":
        return ["mpx.vmhba0:C0:T%d:L0" % i for i in range(len(entity.datastores))]
    if device == "hba":
        return ["vmhba0"]
    if device == "file":
        return list(FILE_KINDS)
    return []


def available(entity, kind, level=None):
    """(counter, instance) pairs the entity has samples of; ``level`` filters as a historical
    interval collecting at that level does (None: realtime, every counter)."""
    out = []
    found = {}
    for counter in COUNTERS.values():
        where = counter.where.get(kind)
        if where is None:
            continue
        aggregate, device = where
        if device and device not in found:
            found[device] = devices(entity, kind, device)
        if device == "nic" and not found[device]:
            continue  # no network, no network counters
        if aggregate and (level is None or counter.level <= level):
            out.append((counter, ""))
        if device and (level is None or counter.device_level <= level):
            out.extend((counter, i) for i in found[device])
    return out


# -- the manager -----------------------------------------------------------------------------

class PerformanceManager(ManagedObject):
    vim_type = "PerformanceManager"

    def __init__(self, vc, moid="PerfMgr"):
        super().__init__(vc, moid)
        self.counter_infos = {key: c.info() for key, c in COUNTERS.items()}

    # -- properties ----------------------------------------------------------------------

    @vim_property
    def description(self, ctx):
        def described(keys):
            return [DataObject("ElementDescription", label=k.capitalize(), summary=k.capitalize(),
                               key=k) for k in keys]
        return DataObject("PerformanceDescription", counterType=described(ROLLUPS),
                          statsType=described(STATS_TYPES))

    @vim_property
    def historicalInterval(self, ctx):
        return [DataObject("PerfInterval", key=key, samplingPeriod=period, name=name,
                           length=length, level=HISTORICAL_LEVEL, enabled=True)
                for key, period, name, length in HISTORICAL]

    @vim_property
    def perfCounter(self, ctx):
        return list(self.counter_infos.values())

    # -- vim25 methods -------------------------------------------------------------------

    def QueryPerfCounter(self, ctx, counterId):
        unknown = [key for key in counterId if key not in self.counter_infos]
        if unknown:
            raise faults.InvalidArgument(invalidProperty="counterId")
        return [self.counter_infos[key] for key in counterId]

    def QueryPerfCounterByLevel(self, ctx, level):
        if not 1 <= level <= 4:
            raise faults.InvalidArgument(invalidProperty="level")
        return [self.counter_infos[c.key] for c in COUNTERS.values() if c.level <= level]

    def QueryPerfProviderSummary(self, ctx, entity):
        kind = self._kind(self._readable(ctx, entity))
        realtime = kind in REALTIME_KINDS
        return DataObject("PerfProviderSummary", entity=entity, currentSupported=realtime,
                          summarySupported=True, refreshRate=REALTIME if realtime else -1)

    def QueryAvailablePerfMetric(self, ctx, entity, beginTime=None, endTime=None,
                                 intervalId=None):
        obj = self._readable(ctx, entity)
        kind = self._kind(obj)
        period = self._period(kind, intervalId, "interval")
        if period == REALTIME and alive_since(self.vc, obj) is None:
            return []
        level = None if period == REALTIME else HISTORICAL_LEVEL
        return [DataObject("PerfMetricId", counterId=c.key, instance=i)
                for c, i in available(obj, kind, level)]

    def QueryPerf(self, ctx, querySpec):
        out = []
        for spec in querySpec:
            metric = self._entity_metric(ctx, spec)
            if metric is not None:
                out.append(metric)
        return out

    # -- helpers -------------------------------------------------------------------------

    def _readable(self, ctx, entity):
        """The entity a moRef names, if the caller may read it (NoPermission, System.Read,
        as a Fetch of it answers)."""
        obj = self.vc.lookup(entity, ctx)
        authorization.require_read(self.vc, ctx, obj)
        return obj

    @staticmethod
    def _kind(obj):
        kind = KINDS.get(obj.vim_type)
        if kind is None:
            raise faults.InvalidArgument(invalidProperty="entity")
        return kind

    @staticmethod
    def _period(kind, interval_id, prop, start=None, now=None):
        """The sampling period a query reads: the one asked for, or without one the entity's
        own (realtime for hosts and VMs), or the shortest that still holds ``start``."""
        realtime = kind in REALTIME_KINDS
        if interval_id is None:
            if realtime and (start is None or start >= now - REALTIME_LENGTH):
                return REALTIME
            for _, period, _, length in HISTORICAL:
                if start is None or start >= now - length:
                    return period
            return HISTORICAL[-1][1]
        if interval_id == REALTIME and realtime:
            return REALTIME
        if any(interval_id == period for _, period, _, _ in HISTORICAL):
            return interval_id
        raise faults.InvalidArgument(invalidProperty=prop)

    def _timestamps(self, entity, period, spec):
        """Sample timestamps (epoch seconds) in (startTime, endTime], oldest first."""
        since = alive_since(self.vc, entity)
        if since is None:
            return []
        now = self.vc.clock.time()
        length = REALTIME_LENGTH if period == REALTIME else \
            next(length for _, p, _, length in HISTORICAL if p == period)
        low = max(since, now - length)
        if spec.startTime is not None:
            low = max(low, spec.startTime.timestamp())
        high = min(now, spec.endTime.timestamp()) if spec.endTime is not None else now
        first = int(low // period + 1) * period
        times = list(range(first, int(high // period) * period + 1, period))
        if period == REALTIME and spec.maxSample:
            times = times[-spec.maxSample:]
        return times

    def _entity_metric(self, ctx, spec):
        """One spec's PerfEntityMetric(CSV), or None when there is nothing to answer (an
        entity that cannot be resolved or is no performance provider, no samples, no
        metrics): such specs are left out of the answer, as on vCenter."""
        if spec.format is not None and spec.format not in FORMATS:
            raise faults.InvalidArgument(invalidProperty="querySpec.format")
        if spec.startTime is not None and spec.endTime is not None \
                and spec.startTime > spec.endTime:
            raise faults.InvalidArgument(invalidProperty="querySpec.startTime, querySpec.endTime")
        if spec.maxSample is not None and spec.maxSample < 0:
            raise faults.InvalidArgument(invalidProperty="querySpec.maxSample")
        entity = self.vc.find(spec.entity, ctx) if spec.entity is not None else None
        if entity is not None:
            authorization.require_read(self.vc, ctx, entity)
        kind = KINDS.get(entity.vim_type) if entity is not None else None
        if kind is None:
            return None
        start = spec.startTime.timestamp() if spec.startTime is not None else None
        period = self._period(kind, spec.intervalId, "querySpec.interval", start,
                              self.vc.clock.time())
        times = self._timestamps(entity, period, spec)
        metrics = self._metrics(entity, kind, period, spec.metricId)
        if not times or not metrics:
            return None
        memo = {}
        samples = [Sample(self.vc, entity, kind, t, period, memo) for t in times]
        series = [(DataObject("PerfMetricId", counterId=c.key, instance=i),
                   [read(sample, c, i) for sample in samples])
                  for c, i in metrics]
        if spec.format == "csv":
            return DataObject(
                "PerfEntityMetricCSV", entity=entity.ref,
                sampleInfoCSV=",".join("%d,%s" % (period, _timestamp(t)) for t in times),
                value=[DataObject("PerfMetricSeriesCSV", id=mid,
                                  value=",".join(str(v) for v in values))
                       for mid, values in series])
        return DataObject(
            "PerfEntityMetric", entity=entity.ref,
            sampleInfo=[DataObject("PerfSampleInfo", timestamp=_datetime(t), interval=period)
                        for t in times],
            value=[DataObject("PerfMetricIntSeries", id=mid, value=values)
                   for mid, values in series])

    @staticmethod
    def _metrics(entity, kind, period, metric_ids):
        """The (counter, instance) pairs a spec asks for that the entity has: every one when
        it names none; ``*`` for every instance of a counter (the aggregate included)."""
        have = available(entity, kind, None if period == REALTIME else HISTORICAL_LEVEL)
        if not metric_ids:
            return have
        out = []
        for mid in metric_ids:
            instance = mid.instance if mid.instance is not None else ""
            for counter, i in have:
                if counter.key == mid.counterId and instance in ("*", i) \
                        and (counter, i) not in out:
                    out.append((counter, i))
        return out


def _datetime(t):
    return datetime.fromtimestamp(t, timezone.utc)


def _timestamp(t):
    return format_datetime(_datetime(t))
