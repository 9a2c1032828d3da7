"""The ZStack Cloud view of vimsim's inventory: accounts, sessions, UUIDs and the
hypervisor versions GetVirtualizerInfo reports (seed 004)."""
import collections
import hashlib
import secrets
import uuid
from datetime import timedelta

DEFAULT_VERSION = "4.2.0-632.g6a6222b.el7"
SESSION_HOURS = 2


class ZStackError(Exception):
    """A ZStack error code (SYS.1007, ID.1001, ...) with its description and details."""

    def __init__(self, code, description, details):
        super().__init__(details)
        self.code, self.description, self.details = code, description, details

    def body(self):
        return {"error": {"code": self.code, "description": self.description,
                          "details": self.details, "elaboration": None, "opaque": None,
                          "cause": None}}


def zstack_uuid(kind, name):
    """A ZStack-style 32-hex UUID, the same for the same fixture across restarts."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "vimsim:zstack:%s:%s" % (kind, name)).hex


class ZStackBackend:
    def __init__(self, vc, settings):
        self.vc = vc
        settings = settings or {}
        self.accounts = {a["name"]: str(a["password"])
                         for a in settings.get("accounts") or [{"name": "admin",
                                                                "password": "password"}]}
        self.expected_host_version = settings.get("expected_host_version", DEFAULT_VERSION)
        # session uuid -> (account name, expiry), soonest expiry first (all last as long)
        self.sessions = collections.OrderedDict()

    # -- accounts and sessions -----------------------------------------------------------

    def login(self, account, password_sha512):
        stored = self.accounts.get(account)
        if stored is None or not isinstance(password_sha512, str) or \
                hashlib.sha512(stored.encode()).hexdigest() != password_sha512.lower():
            raise ZStackError("ID.1000", "Authentication failed",
                              "wrong account name or password")
        now = self.vc.clock.now()
        while self.sessions and next(iter(self.sessions.values()))[1] < now:
            self.sessions.popitem(last=False)  # expired ones go: a login flood stays bounded
        session = secrets.token_hex(16)
        expiry = now + timedelta(hours=SESSION_HOURS)
        self.sessions[session] = (account, expiry)
        return {"uuid": session, "accountUuid": zstack_uuid("account", account),
                "userUuid": zstack_uuid("account", account), "expiredDate": expiry,
                "createDate": now}

    def check_session(self, session):
        entry = self.sessions.get(session)
        if entry is None or entry[1] < self.vc.clock.now():
            self.sessions.pop(session, None)
            raise ZStackError("ID.1001", "Session expired",
                              "Session expired or does not exist")
        return entry[0]

    def logout(self, session):
        self.sessions.pop(session, None)

    # -- inventory -------------------------------------------------------------------------

    def hosts(self):
        return [o for o in self.vc.objects.values() if o.vim_type == "HostSystem"]

    def vms(self):
        return [o for o in self.vc.objects.values() if o.vim_type == "VirtualMachine"]

    @staticmethod
    def host_uuid(host):
        return zstack_uuid("host", host.name)

    @staticmethod
    def vm_uuid(vm):
        return zstack_uuid("vm", vm.name)

    def host_inventory(self, host):
        return {"uuid": self.host_uuid(host), "name": host.name, "managementIp": host.ip_address,
                "hypervisorType": "KVM", "state": "Enabled", "status": "Connected",
                "clusterUuid": zstack_uuid("cluster", host.parent.name),
                "zoneUuid": zstack_uuid("zone", "default")}

    def vm_inventory(self, vm):
        state = {"poweredOn": "Running", "poweredOff": "Stopped", "suspended": "Paused"}
        return {"uuid": self.vm_uuid(vm), "name": vm.name, "type": "UserVm",
                "hypervisorType": "KVM", "state": state[vm.power_state],
                "hostUuid": self.host_uuid(vm.host), "cpuNum": vm.num_cpu,
                "memorySize": vm.memory_mb * 1024 * 1024}

    def virtualizer_info(self, uuids):
        """GetVirtualizerInfo: for each host or VM, hypervisor versions and whether they match.
        A host is checked against the recommended version, a VM against its host."""
        hosts = {self.host_uuid(h): h for h in self.hosts()}
        vms = {self.vm_uuid(v): v for v in self.vms()}
        unknown = [u for u in uuids if u not in hosts and u not in vms]
        if unknown or not uuids:
            raise ZStackError("SYS.1007", "One or more API argument is invalid",
                              "invalid value %s of field[uuids]: no host or VM instance has it"
                              % (unknown or ["[]"])[0])
        inventories = []
        for item in uuids:
            if item in hosts:
                current = hosts[item].hypervisor_version
                expected, kind = self.expected_host_version, "HostVO"
            else:
                vm = vms[item]
                current = vm.hypervisor_version or vm.host.hypervisor_version
                expected, kind = vm.host.hypervisor_version, "VmInstanceVO"
            inventories.append({"uuid": item, "resourceType": kind, "infoList": [{
                "hypervisor": "qemu-kvm", "currentVersion": current, "expectVersion": expected,
                "matchState": match_state(current, expected)}]})
        return inventories


def match_state(current, expected):
    if not current or not expected:
        return "Unknown"
    return "Matched" if current == expected else "Unmatched"
