"""The Automation API's vcenter inventory: VM info, power and guest identity, and the lists of
hosts, datastores, networks, datacenters, clusters, folders and resource pools with their
filters. Values are in the /api form (maps as JSON objects); /rest reshapes them.

Power operations run the VM's vim25 methods through the model's one call path (privilege,
fault rules, preconditions) and answer when the task is done, as vCenter's REST API does.
"""
from vimsim.model import dispatch, faults, vm_hardware
from vimsim.model.sessions import CallContext
from vimsim.rest import errors
from vimsim.vim25.data import MoRef

POWER_STATES = {"poweredOn": "POWERED_ON", "poweredOff": "POWERED_OFF", "suspended": "SUSPENDED"}
# action -> (vim25 method, the states it leaves as they are)
POWER_ACTIONS = {"start": ("PowerOnVM_Task", "POWERED_ON"), "stop": ("PowerOffVM_Task",
                                                                      "POWERED_OFF"),
                 "suspend": ("SuspendVM_Task", "SUSPENDED"), "reset": ("ResetVM_Task", None)}
GUEST_OS = {"otherLinux64Guest": "OTHER_LINUX_64", "otherLinuxGuest": "OTHER_LINUX",
            "ubuntu64Guest": "UBUNTU_64", "centos64Guest": "CENTOS_64",
            "rhel8_64Guest": "RHEL_8_64", "rhel9_64Guest": "RHEL_9_64",
            "debian11_64Guest": "DEBIAN_11_64", "windows2019srv_64Guest": "WINDOWS_2019",
            "windows9_64Guest": "WINDOWS_9_64"}
FAMILIES = {"linuxGuest": "LINUX", "windowsGuest": "WINDOWS", "solarisGuest": "SOLARIS",
            "netwareGuest": "NETWARE", "darwinGuestFamily": "DARWIN", "otherGuestFamily": "OTHER"}
FOLDER_TYPES = {"VirtualMachine": "VIRTUAL_MACHINE", "ComputeResource": "HOST",
                "Datacenter": "DATACENTER", "Datastore": "DATASTORE", "Network": "NETWORK"}


def guest_os(vm):
    return GUEST_OS.get(vm.guest_id, vm.guest_id.upper().replace("GUEST", ""))


class VcenterInventory:
    def __init__(self, vc):
        self.vc = vc

    def entities(self, vim_type, keep=None):
        """The objects of a type, those ``keep`` accepts (authorization.read_filter's)."""
        return [o for o in self.vc.objects.values()
                if o.vim_type == vim_type and (keep is None or keep(o))]

    def vm(self, vm_id):
        obj = self.vc.objects.get(vm_id)
        if obj is None or obj.vim_type != "VirtualMachine":
            raise errors.vm_not_found(vm_id)
        return obj

    # -- lists ---------------------------------------------------------------------------

    @staticmethod
    def _matches(obj, filters, ids_key):
        """Every filter given (a list) holds: ids, names, and places by moId."""
        if filters.get(ids_key) and obj.moid not in filters[ids_key]:
            return False
        if filters.get("names") and obj.name not in filters["names"]:
            return False
        # a host is in the folder its compute resource is in (list_hosts checks that)
        if filters.get("folders") and obj.vim_type != "HostSystem" and \
                obj.parent.moid not in filters["folders"]:
            return False
        if filters.get("parent_folders") and obj.parent.moid not in filters["parent_folders"]:
            return False
        datacenter = obj.datacenter()
        if filters.get("datacenters") and (datacenter is None or
                                           datacenter.moid not in filters["datacenters"]):
            return False
        return True

    def list_vms(self, filters, keep=None):
        result = []
        for vm in self.entities("VirtualMachine", keep):
            if not self._matches(vm, filters, "vms"):
                continue
            state = POWER_STATES[vm.power_state]
            if filters.get("power_states") and state not in filters["power_states"]:
                continue
            if filters.get("hosts") and vm.host.moid not in filters["hosts"]:
                continue
            if filters.get("clusters") and vm.pool.owner.moid not in filters["clusters"]:
                continue
            if filters.get("resource_pools") and vm.pool.moid not in filters["resource_pools"]:
                continue
            result.append({"vm": vm.moid, "name": vm.name, "power_state": state,
                           "cpu_count": vm.num_cpu, "memory_size_MiB": vm.memory_mb})
        return result

    def list_hosts(self, filters, keep=None):
        result = []
        for host in self.entities("HostSystem", keep):
            if not self._matches(host, filters, "hosts"):
                continue
            owner = host.parent
            standalone = owner.vim_type == "ComputeResource"
            if "standalone" in filters and filters["standalone"] != standalone:
                continue
            if filters.get("clusters") and (standalone or owner.moid not in filters["clusters"]):
                continue
            if filters.get("folders") and owner.parent.moid not in filters["folders"]:
                continue
            if filters.get("connection_states") and \
                    "CONNECTED" not in filters["connection_states"]:
                continue
            result.append({"host": host.moid, "name": host.name, "connection_state": "CONNECTED",
                           "power_state": "POWERED_ON"})
        return result

    def list_datastores(self, filters, keep=None):
        result = []
        for ds in self.entities("Datastore", keep):
            if not self._matches(ds, filters, "datastores"):
                continue
            if filters.get("types") and "VMFS" not in filters["types"]:
                continue
            result.append({"datastore": ds.moid, "name": ds.name, "type": "VMFS",
                           "free_space": ds.free, "capacity": ds.capacity})
        return result

    def list_networks(self, filters, keep=None):
        result = []
        for net in self.entities("Network", keep):
            if not self._matches(net, filters, "networks"):
                continue
            if filters.get("types") and "STANDARD_PORTGROUP" not in filters["types"]:
                continue
            result.append({"network": net.moid, "name": net.name, "type": "STANDARD_PORTGROUP"})
        return result

    def list_datacenters(self, filters, keep=None):
        return [{"datacenter": dc.moid, "name": dc.name}
                for dc in self.entities("Datacenter", keep)
                if self._matches(dc, filters, "datacenters")]

    def list_clusters(self, filters, keep=None):
        return [{"cluster": c.moid, "name": c.name, "ha_enabled": c.ha_enabled,
                 "drs_enabled": c.drs_enabled}
                for c in self.entities("ClusterComputeResource", keep)
                if self._matches(c, filters, "clusters")]

    def list_folders(self, filters, keep=None):
        result = []
        for folder in self.entities("Folder", keep):
            if folder is self.vc.root_folder and not filters.get("folders"):
                kind = "DATACENTER"
            else:
                kind = next((FOLDER_TYPES[t] for t in folder.child_type if t in FOLDER_TYPES),
                            "DATACENTER")
            if not self._matches(folder, dict(filters, parent_folders=None), "folders"):
                continue
            if filters.get("parent_folders") and (folder.parent is None or folder.parent.moid
                                                  not in filters["parent_folders"]):
                continue
            if filters.get("type") and kind != filters["type"]:
                continue
            result.append({"folder": folder.moid, "name": folder.name, "type": kind})
        return result

    def list_resource_pools(self, filters, keep=None):
        result = []
        for pool in self.entities("ResourcePool", keep):
            if not self._matches(pool, filters, "resource_pools"):
                continue
            parent = pool.parent if pool.parent.vim_type == "ResourcePool" else None
            if filters.get("parent_resource_pools") and (
                    parent is None or parent.moid not in filters["parent_resource_pools"]):
                continue
            if filters.get("hosts") and not any(h.moid in filters["hosts"]
                                                for h in pool.owner.hosts):
                continue
            if filters.get("clusters") and pool.owner.moid not in filters["clusters"]:
                continue
            result.append({"resource_pool": pool.moid, "name": pool.name})
        return result

    # -- one VM --------------------------------------------------------------------------

    def vm_info(self, vm_id):
        vm = self.vm(vm_id)
        disks = {}
        nics, cdroms, scsi = {}, {}, {}
        config = vm.config(None)
        boot = config.bootOptions
        for device in config.hardware.device:
            kind, key = device._typeName, str(device.key)
            if kind == "VirtualDisk":
                disks[key] = {"label": device.deviceInfo.label, "type": "SCSI",
                              "scsi": {"bus": 0, "unit": device.unitNumber},
                              "backing": {"type": "VMDK_FILE",
                                          "vmdk_file": device.backing.fileName},
                              "capacity": device.capacityInBytes}
            elif kind in ("VirtualVmxnet3", "VirtualE1000", "VirtualE1000e"):
                nics[key] = {
                    "label": device.deviceInfo.label, "type": kind[7:].upper(),
                    "mac_type": (device.addressType or "assigned").upper(),
                    "mac_address": device.macAddress,
                    "pci_slot_number": 160 + device.unitNumber,
                    "wake_on_lan_enabled": device.wakeOnLanEnabled,
                    "backing": {"type": "STANDARD_PORTGROUP", "network": device.backing.network.value,
                                "network_name": device.backing.deviceName},
                    "state": "CONNECTED" if device.connectable.connected else "NOT_CONNECTED",
                    "start_connected": device.connectable.startConnected,
                    "allow_guest_control": device.connectable.allowGuestControl,
                    "upt_compatibility_enabled": False}
            elif kind == "VirtualCdrom":
                cdroms[key] = {"label": device.deviceInfo.label, "type": "IDE",
                               "ide": {"primary": False, "master": True},
                               "backing": {"type": "CLIENT_DEVICE",
                                           "device_access_type": "PASSTHRU"},
                               "state": "NOT_CONNECTED", "start_connected": False,
                               "allow_guest_control": True}
            elif kind == "ParaVirtualSCSIController":
                scsi[key] = {"label": device.deviceInfo.label, "type": "PVSCSI",
                             "scsi": {"bus": device.busNumber, "unit": 7}, "sharing": "NONE"}
        return {
            "name": vm.name, "guest_OS": guest_os(vm), "power_state": POWER_STATES[vm.power_state],
            "identity": {"name": vm.name, "bios_uuid": vm.uuid, "instance_uuid": vm.instance_uuid},
            "instant_clone_frozen": False,
            "hardware": {"version": config.version.upper().replace("-", "_"),
                         "upgrade_policy": "NEVER", "upgrade_status": "NONE"},
            "boot": dict({"type": config.firmware.upper(), "delay": boot.bootDelay,
                          "retry": boot.bootRetryEnabled, "retry_delay": boot.bootRetryDelay,
                          "enter_setup_mode": boot.enterBIOSSetup}, **({
                              "efi_legacy_boot": False,
                              "network_protocol": boot.networkBootProtocol.upper()}
                              if config.firmware == "efi" else {})),
            "boot_devices": [],
            "cpu": {"count": vm.num_cpu, "cores_per_socket": vm.cores_per_socket,
                    "hot_add_enabled": vm.cpu_hot_add, "hot_remove_enabled": False},
            "memory": {"size_MiB": vm.memory_mb, "hot_add_enabled": vm.memory_hot_add},
            "disks": disks, "nics": nics, "cdroms": cdroms, "floppies": {},
            "parallel_ports": {}, "serial_ports": {}, "sata_adapters": {},
            "scsi_adapters": scsi, "nvme_adapters": {}}

    def power_state(self, vm_id):
        vm = self.vm(vm_id)
        state = {"state": POWER_STATES[vm.power_state]}
        if vm.power_state == "poweredOff":
            state["clean_power_off"] = True
        return state

    def power(self, session, vm_id, action):
        """Start, stop, suspend or reset through the VM's vim25 method; a Pending that
        resolves when its task is done. ALREADY_IN_DESIRED_STATE where nothing would change."""
        if action not in POWER_ACTIONS:
            raise errors.invalid_argument("Invalid power action %s." % action, action)
        vm = self.vm(vm_id)
        method, desired = POWER_ACTIONS[action]
        if desired is not None and POWER_STATES[vm.power_state] == desired:
            raise errors.RestError("ALREADY_IN_DESIRED_STATE",
                                   "com.vmware.api.vcenter.vm.power.already_in_desired_state",
                                   "Virtual machine is already %s." % desired.lower().replace(
                                       "_", " "), [vm_id])
        ctx = CallContext(session=session)
        try:
            task = dispatch.invoke(self.vc, ctx, vm.ref, method, {})
        except faults.InvalidPowerState as fault:
            raise errors.RestError("NOT_ALLOWED_IN_CURRENT_STATE",
                                   "com.vmware.api.vcenter.vm.power.invalid_state", fault.msg,
                                   [vm_id])
        if isinstance(task, MoRef):
            return self.vc.objects[task.value].finished()
        return task

    def _running_guest(self, vm_id, service):
        """The VM, whose guest ``service`` (identity, networking) needs VMware Tools."""
        vm = self.vm(vm_id)
        if not vm.tools_running:
            raise errors.RestError("SERVICE_UNAVAILABLE",
                                   "com.vmware.api.vcenter.vm.guest.%s.tools_not_running"
                                   % service,
                                   "VMware Tools is not running in the guest of '%s'." % vm_id,
                                   [vm_id])
        return vm

    def guest_identity(self, vm_id):
        vm = self._running_guest(vm_id, "identity")
        identity = {"name": guest_os(vm), "family": FAMILIES.get(vm.guest_family, "OTHER"),
                    "full_name": {"id": "vmsg.guestos.%s.label" % vm.guest_id,
                                  "default_message": vm.guest_full_name, "args": []},
                    "host_name": vm.host_name}
        if vm.ip_address:
            identity["ip_address"] = vm.ip_address
        return identity

    # -- parts of a VM, and single inventory objects --------------------------------------

    # vcenter/vm/{vm}/<part>: (the VM info's key, the list's id field, or None for one value)
    VM_PARTS = {"hardware": ("hardware", None), "hardware/cpu": ("cpu", None),
                "hardware/memory": ("memory", None), "hardware/boot": ("boot", None),
                "hardware/disk": ("disks", "disk"), "hardware/ethernet": ("nics", "nic"),
                "hardware/cdrom": ("cdroms", "cdrom"), "hardware/floppy": ("floppies", "floppy"),
                "hardware/serial": ("serial_ports", "port"),
                "hardware/parallel": ("parallel_ports", "port"),
                "hardware/adapter/scsi": ("scsi_adapters", "adapter"),
                "hardware/adapter/sata": ("sata_adapters", "adapter"),
                "hardware/adapter/nvme": ("nvme_adapters", "adapter")}

    def vm_part(self, vm_id, part, item=None):
        """A part of the VM's info: the whole part, the list of a device kind (its ids), or
        one device; NOT_FOUND for a device the VM does not have."""
        key, id_field = self.VM_PARTS[part]
        value = self.vm_info(vm_id)[key]
        if id_field is None:
            return value
        if item is None:
            return [{id_field: k} for k in value]
        if item not in value:
            raise errors.RestError("NOT_FOUND", "com.vmware.api.vcenter.vm.hardware.not_found",
                                   "The device '%s' of virtual machine '%s' does not exist."
                                   % (item, vm_id), [item, vm_id])
        return value[item]

    def guest_interfaces(self, vm_id):
        vm = self.vm(vm_id)
        return [{"mac_address": nic.macAddress, "nic": str(nic.deviceConfigId),
                 "ip": {"ip_addresses": [{"ip_address": a.ipAddress,
                                          "prefix_length": a.prefixLength,
                                          "state": "PREFERRED"}
                                         for a in nic.ipConfig.ipAddress]}}
                for nic in vm.guest_nics()]

    def _guest_stack(self, vm_id):
        stacks = self._running_guest(vm_id, "networking").guest_ip_stack()
        return stacks[0] if stacks else None

    def guest_networking(self, vm_id):
        """Vm.Guest.Networking.Info: the guest's DNS, from the same guest.ipStack."""
        stack = self._guest_stack(vm_id)
        dns = stack.dnsConfig if stack is not None else None
        if dns is None:
            return {}
        return {"dns_values": {"domain_name": dns.domainName or "",
                               "search_domains": list(dns.searchDomain or ())},
                "dns": {"mode": "DHCP" if dns.dhcp else "STATIC",
                        "ip_addresses": list(dns.ipAddress or ())}}

    def guest_routes(self, vm_id):
        """Vm.Guest.Networking.Routes.Info list: guest.ipStack's routes."""
        stack = self._guest_stack(vm_id)
        if stack is None:
            return []
        out = []
        for route in stack.ipRouteConfig.ipRoute:
            info = {"network": route.network, "prefix_length": route.prefixLength,
                    "interface_index": int(route.gateway.device)}
            if route.gateway.ipAddress:
                info["gateway_address"] = route.gateway.ipAddress
            out.append(info)
        return out

    def guest_local_filesystem(self, vm_id):
        vm = self.vm(vm_id)
        return {d.diskPath: {"capacity": d.capacity, "free_space": d.freeSpace,
                             "filesystem": d.filesystemType}
                for d in vm_hardware.guest_disks(vm)} if vm.tools_running else {}

    def guest_operations(self, vm_id):
        """Vm.Guest.Operations.Info: whether the guest takes guest operations now (VMware
        Tools running, as guest.guestOperationsReady says); interactive ones never, as
        vimsim's guests have no desktop session."""
        vm = self.vm(vm_id)
        return {"guest_operations_ready": vm.tools_running,
                "interactive_guest_operations_ready": False}

    def tools(self, vm_id):
        vm = self.vm(vm_id)
        return {"version_status": "CURRENT" if vm.tools_installed else "NOT_INSTALLED",
                "run_state": "RUNNING" if vm.tools_running else "NOT_RUNNING",
                "install_type": "OPEN_VM_TOOLS" if vm.tools_installed else "NONE",
                "upgrade_policy": "MANUAL", "auto_update_supported": False,
                "version_number": 12352 if vm.tools_installed else 0,
                "version": "12352" if vm.tools_installed else "0"}

    def entity(self, vim_type, moid, kind):
        obj = self.vc.objects.get(moid)
        if obj is None or obj.vim_type not in vim_type:
            raise errors.RestError("NOT_FOUND", "com.vmware.api.vcenter.%s.not_found" % kind,
                                   "The %s '%s' does not exist." % (kind.replace("_", " "),
                                                                    moid), [moid])
        return obj

    def datastore_info(self, moid):
        ds = self.entity(("Datastore",), moid, "datastore")
        return {"name": ds.name, "type": "VMFS", "accessible": True, "free_space": ds.free,
                "capacity": ds.capacity, "multiple_host_access": len(ds.hosts) > 1,
                "thin_provisioning_supported": True}

    def datacenter_info(self, moid):
        dc = self.entity(("Datacenter",), moid, "datacenter")
        return {"name": dc.name, "vm_folder": dc.vm_folder.moid,
                "host_folder": dc.host_folder.moid, "datastore_folder": dc.datastore_folder.moid,
                "network_folder": dc.network_folder.moid}

    def cluster_info(self, moid):
        cluster = self.entity(("ClusterComputeResource",), moid, "cluster")
        return {"name": cluster.name, "resource_pool": cluster.resource_pool.moid}

    def resource_pool_info(self, moid):
        pool = self.entity(("ResourcePool",), moid, "resource_pool")
        return {"name": pool.name, "resource_pools": [p.moid for p in pool.pools]}
