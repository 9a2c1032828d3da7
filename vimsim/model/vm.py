"""VirtualMachine: power state, VMware Tools, the guest, and the power operations."""
from vimsim.model import faults
from vimsim.model.inventory import ManagedEntity
from vimsim.model.objects import refs, vim_property
from vimsim.vim25.data import DataObject

POWERED_ON, POWERED_OFF, SUSPENDED = "poweredOn", "poweredOff", "suspended"


class VirtualMachine(ManagedEntity):
    vim_type = "VirtualMachine"

    def __init__(self, vc, moid, name, folder, pool, host, spec):
        super().__init__(vc, moid, name, folder)
        self.pool, self.host = pool, host
        self.datastores = list(spec.get("datastores", ()))
        self.networks = list(spec.get("networks", ()))
        self.guest_id = spec.get("guest_id", "otherLinux64Guest")
        self.guest_full_name = spec.get("guest_full_name", "Other Linux (64-bit)")
        self.guest_family = spec.get("guest_family", "linuxGuest")
        self.num_cpu = spec.get("cpus", 1)
        self.memory_mb = spec.get("memory_mb", 32)
        self.uuid = spec["uuid"]
        self.instance_uuid = spec["instance_uuid"]
        self.tools_installed = spec.get("tools_installed", True)
        # Whether the guest starts VMware Tools when it boots (False: tools stay down).
        self.tools_autostart = spec.get("tools_autostart", True)
        self.power_state = spec.get("power_state", POWERED_ON)
        self.tools_running = (self.power_state == POWERED_ON and self.tools_installed
                              and spec.get("tools_running", self.tools_autostart))
        self.host_name = spec.get("hostname", name.lower().replace("_", "-"))
        self.ip_address = spec.get("ip")
        self.boot_time = vc.boot_time if self.power_state == POWERED_ON else None
        self.power_cycle = 0  # bumps on every power change; stale tools timers check it

    # -- state changes -------------------------------------------------------------------

    def set_power(self, state):
        self.power_state = state
        self.power_cycle += 1
        if state == POWERED_ON:
            self.boot_time = self.vc.clock.now()
        else:
            self.boot_time = None if state == POWERED_OFF else self.boot_time
        self.set_tools_running(False)
        if state == POWERED_ON:
            self.schedule_tools_start()
        self.vc.touch(self)

    def schedule_tools_start(self):
        if self.tools_installed and self.tools_autostart:
            self.vc.clock.call_later(self.vc.timings["tools_start"], self._tools_started,
                                     self.power_cycle)

    def _tools_started(self, cycle):
        if cycle == self.power_cycle and self.power_state == POWERED_ON:
            self.set_tools_running(True)

    def set_tools_running(self, running):
        if self.tools_running != running:
            self.tools_running = running
            self.vc.touch(self)

    # -- preconditions -------------------------------------------------------------------

    def require_power(self, requested, allowed):
        if self.power_state not in allowed:
            raise faults.invalid_power_state(requested, self.power_state)

    def require_tools_running(self):
        if not self.tools_running:
            raise faults.ToolsUnavailable()

    # -- vim25 methods -------------------------------------------------------------------

    def _power_task(self, ctx, method, description_id, new_state):
        timings = self.vc.timings
        return self.vc.task_manager.create(
            ctx, self, method, description_id, lambda: self.set_power(new_state),
            timings["power_op"]).ref

    def PowerOnVM_Task(self, ctx, host=None):
        self.require_power(POWERED_ON, (POWERED_OFF, SUSPENDED))
        return self._power_task(ctx, "PowerOnVM_Task", "VirtualMachine.powerOn", POWERED_ON)

    def PowerOffVM_Task(self, ctx):
        self.require_power(POWERED_OFF, (POWERED_ON, SUSPENDED))
        return self._power_task(ctx, "PowerOffVM_Task", "VirtualMachine.powerOff", POWERED_OFF)

    def SuspendVM_Task(self, ctx):
        self.require_power(SUSPENDED, (POWERED_ON,))
        return self._power_task(ctx, "SuspendVM_Task", "VirtualMachine.suspend", SUSPENDED)

    def ResetVM_Task(self, ctx):
        self.require_power(POWERED_ON, (POWERED_ON,))
        return self._power_task(ctx, "ResetVM_Task", "VirtualMachine.reset", POWERED_ON)

    def ShutdownGuest(self, ctx):
        self.require_power(POWERED_OFF, (POWERED_ON,))
        self.require_tools_running()
        self.vc.task_manager.require_unlocked(self)
        self.vc.clock.call_later(self.vc.timings["guest_shutdown"], self._guest_powered_off,
                                 self.power_cycle)

    def _guest_powered_off(self, cycle):
        if cycle == self.power_cycle:
            self.set_power(POWERED_OFF)

    def RebootGuest(self, ctx):
        self.require_power(POWERED_ON, (POWERED_ON,))
        self.require_tools_running()
        self.vc.task_manager.require_unlocked(self)
        self.power_cycle += 1
        self.set_tools_running(False)
        self.vc.clock.call_later(self.vc.timings["guest_reboot"], self._guest_rebooted,
                                 self.power_cycle)

    def _guest_rebooted(self, cycle):
        if cycle == self.power_cycle:
            self.boot_time = self.vc.clock.now()
            self.schedule_tools_start()
            self.vc.touch(self)

    # -- properties ----------------------------------------------------------------------

    @property
    def tools_status(self):
        if not self.tools_installed:
            return "toolsNotInstalled"
        return "toolsOk" if self.tools_running else "toolsNotRunning"

    @property
    def tools_running_status(self):
        return "guestToolsRunning" if self.tools_running else "guestToolsNotRunning"

    @vim_property("runtime.powerState")
    def runtime_power_state(self, ctx):
        return self.power_state

    @vim_property
    def runtime(self, ctx):
        return DataObject(
            "VirtualMachineRuntimeInfo", device=[], host=self.host.ref, connectionState="connected",
            powerState=self.power_state, faultToleranceState="notConfigured",
            toolsInstallerMounted=False, bootTime=self.boot_time, suspendInterval=0,
            maxCpuUsage=self.num_cpu * self.host.cpu_mhz, maxMemoryUsage=self.memory_mb,
            numMksConnections=0, recordReplayState="inactive", onlineStandby=False,
            consolidationNeeded=False, paused=False, snapshotInBackground=False,
            instantCloneFrozen=False)

    def guest_nics(self):
        if not self.tools_running or not self.ip_address:
            return []
        return [DataObject("GuestNicInfo", network=self.networks[0].name if self.networks else None,
                           ipAddress=[self.ip_address], macAddress=self.mac_address(0),
                           connected=True, deviceConfigId=4000)]

    def mac_address(self, index):
        n = int(self.moid.split("-")[-1])
        return "00:50:56:%02x:%02x:%02x" % ((n >> 8) & 0xFF, n & 0xFF, index & 0xFF)

    @vim_property("guest.toolsRunningStatus")
    def guest_tools_running_status(self, ctx):
        return self.tools_running_status

    @vim_property("guest.toolsStatus")
    def guest_tools_status(self, ctx):
        return self.tools_status

    @vim_property
    def guest(self, ctx):
        running = self.tools_running
        return DataObject(
            "GuestInfo", toolsStatus=self.tools_status,
            toolsVersionStatus="guestToolsCurrent" if self.tools_installed else "guestToolsNotInstalled",
            toolsVersionStatus2="guestToolsCurrent" if self.tools_installed else "guestToolsNotInstalled",
            toolsRunningStatus=self.tools_running_status,
            toolsVersion="12352" if self.tools_installed else "0",
            toolsInstallType="guestToolsTypeOpenVMTools" if self.tools_installed else None,
            guestId=self.guest_id if running else None,
            guestFamily=self.guest_family if running else None,
            guestFullName=self.guest_full_name if running else None,
            hostName=self.host_name if running else None,
            ipAddress=self.ip_address if running else None,
            net=self.guest_nics(), guestState="running" if running else "notRunning",
            guestOperationsReady=running, interactiveGuestOperationsReady=False,
            guestStateChangeSupported=running)

    @vim_property
    def config(self, ctx):
        return DataObject(
            "VirtualMachineConfigInfo", changeVersion="1", modified=self.vc.boot_time,
            name=self.name, guestFullName=self.guest_full_name, version="vmx-19", uuid=self.uuid,
            instanceUuid=self.instance_uuid, npivTemporaryDisabled=True, template=False,
            guestId=self.guest_id, alternateGuestName="",
            files=DataObject("VirtualMachineFileInfo", vmPathName=self.vm_path_name()),
            flags=DataObject("VirtualMachineFlagInfo"),
            defaultPowerOps=DataObject("VirtualMachineDefaultPowerOpInfo"),
            hardware=DataObject("VirtualHardware", numCPU=self.num_cpu, numCoresPerSocket=1,
                                memoryMB=self.memory_mb, device=[]),
            cpuHotAddEnabled=False, memoryHotAddEnabled=False)

    def vm_path_name(self):
        ds = self.datastores[0].name if self.datastores else "LocalDS_0"
        return "[%s] %s/%s.vmx" % (ds, self.name, self.name)

    @vim_property
    def summary(self, ctx):
        running = self.tools_running
        return DataObject(
            "VirtualMachineSummary", vm=self.ref, runtime=self.runtime(ctx),
            guest=DataObject(
                "VirtualMachineGuestSummary", guestId=self.guest_id if running else None,
                guestFullName=self.guest_full_name if running else None,
                toolsStatus=self.tools_status, toolsRunningStatus=self.tools_running_status,
                hostName=self.host_name if running else None,
                ipAddress=self.ip_address if running else None),
            config=DataObject(
                "VirtualMachineConfigSummary", name=self.name, template=False,
                vmPathName=self.vm_path_name(), memorySizeMB=self.memory_mb,
                numCpu=self.num_cpu, numEthernetCards=len(self.networks), numVirtualDisks=0,
                uuid=self.uuid, instanceUuid=self.instance_uuid, guestId=self.guest_id,
                guestFullName=self.guest_full_name),
            quickStats=DataObject("VirtualMachineQuickStats", uptimeSeconds=0),
            overallStatus="green")

    @vim_property
    def resourcePool(self, ctx):
        return self.pool.ref

    @vim_property
    def datastore(self, ctx):
        return refs(self.datastores)

    @vim_property
    def network(self, ctx):
        return refs(self.networks)

    @vim_property
    def capability(self, ctx):
        return DataObject("VirtualMachineCapability", snapshotOperationsSupported=True,
                          multipleSnapshotsSupported=True, snapshotConfigSupported=True,
                          poweredOffSnapshotsSupported=True, memorySnapshotsSupported=True,
                          revertToSnapshotSupported=True, quiescedSnapshotsSupported=True,
                          disableSnapshotsSupported=False, lockSnapshotsSupported=True,
                          consolePreferencesSupported=False, cpuFeatureMaskSupported=True,
                          s1AcpiManagementSupported=True, settingScreenResolutionSupported=True,
                          toolsAutoUpdateSupported=False, vmNpivWwnSupported=True,
                          npivWwnOnNonRdmVmSupported=True, swapPlacementSupported=True,
                          toolsSyncTimeSupported=True, virtualMmuUsageSupported=True,
                          diskSharesSupported=True, bootOptionsSupported=True,
                          settingVideoRamSizeSupported=True)
