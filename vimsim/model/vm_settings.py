"""What a VirtualMachineConfigSpec sets that the VM only keeps and answers: firmware, boot
options, nested virtualization, latency sensitivity, CPU and memory reservations, limits and
shares, Tools and flag settings, the hardware version a new VM is made with, ... (the fields
vm_clone.config_changes does not model otherwise).

A VM keeps them as ``config_settings``: {ConfigInfo field: value}, a data object's field as
{its field: value}, merged over what vCenter answers for a VM no one has set them on. Each
value is checked as vCenter checks it (InvalidArgument naming the spec's property)."""
import re

from vimsim.model import faults
from vimsim.vim25.data import DataObject
from vimsim.vim25.types import REGISTRY

# ConfigSpec fields kept as given, answered by the ConfigInfo field of that name (or, for
# HARDWARE_FIELDS, by config.hardware's).
SCALARS = ("alternateGuestName", "rebootPowerOff", "cpuHotRemoveEnabled", "swapPlacement",
           "vAssertsEnabled", "changeTrackingEnabled", "firmware", "maxMksConnections",
           "guestAutoLockEnabled", "memoryReservationLockedToMax", "nestedHVEnabled",
           "vPMCEnabled", "messageBusTunnelEnabled", "migrateEncryption", "ftEncryptionMode",
           "sevEnabled", "pmemFailoverEnabled", "vmxStatsCollectionEnabled",
           "vmOpNotificationToAppEnabled", "vmOpNotificationTimeout",
           "fixedPassthruHotPlugEnabled", "metroFtEnabled", "metroFtHostGroup", "tdxEnabled",
           "sevSnpEnabled", "npivTemporaryDisabled", "virtualICH7MPresent", "virtualSMCPresent",
           "motherboardLayout", "simultaneousThreads")
HARDWARE_FIELDS = frozenset(("virtualICH7MPresent", "virtualSMCPresent", "motherboardLayout",
                             "simultaneousThreads"))
# ConfigSpec data objects whose set fields are merged over the answer's: spec field -> the
# ConfigInfo field that answers it.
MERGED = {"tools": "tools", "flags": "flags", "consolePreferences": "consolePreferences",
          "powerOpInfo": "defaultPowerOps", "bootOptions": "bootOptions",
          "cpuAllocation": "cpuAllocation", "memoryAllocation": "memoryAllocation",
          "latencySensitivity": "latencySensitivity", "cpuAffinity": "cpuAffinity",
          "memoryAffinity": "memoryAffinity", "networkShaper": "networkShaper"}
# Tools fields a client cannot set (what the installed Tools are)
_TOOLS_STATE = frozenset(("toolsVersion", "toolsInstallType", "lastInstallInfo"))
_CHOICES = {"firmware": ("bios", "efi"), "swapPlacement": ("inherit", "vmDirectory", "hostLocal"),
            "migrateEncryption": ("disabled", "opportunistic", "required"),
            "ftEncryptionMode": ("ftEncryptionDisabled", "ftEncryptionOpportunistic",
                                 "ftEncryptionRequired"),
            "motherboardLayout": ("i440bxHostBridge", "acpiHostBridges"),
            "networkBootProtocol": ("ipv4", "ipv6"),
            # tools and powerOpInfo: their strings take these values only
            "toolsUpgradePolicy": ("manual", "upgradeAtPowerCycle"),
            "powerOffType": ("soft", "hard", "preset"), "suspendType": ("soft", "hard", "preset"),
            "resetType": ("soft", "hard", "preset"),
            "defaultPowerOffType": ("soft", "hard", "preset"),
            "defaultSuspendType": ("soft", "hard", "preset"),
            "defaultResetType": ("soft", "hard", "preset"),
            "standbyAction": ("checkpoint", "powerOnSuspend"),
            "monitorType": ("release", "debug", "stats"),
            "htSharing": ("any", "none", "internal")}
_LEAST = {"maxMksConnections": 0, "vmOpNotificationTimeout": -1, "simultaneousThreads": 1,
          "bootDelay": 0, "bootRetryDelay": 0}
# What only a powered-off VM changes (vCenter's InvalidPowerState otherwise)
COLD = frozenset(("firmware", "nestedHVEnabled", "vPMCEnabled", "cpuHotRemoveEnabled",
                  "virtualICH7MPresent", "virtualSMCPresent", "motherboardLayout",
                  "simultaneousThreads", "sevEnabled", "tdxEnabled", "sevSnpEnabled"))
# Shares by level, per vCPU and per MB, as vCenter gives them
SHARES = {"cpuAllocation": {"low": 500, "normal": 1000, "high": 2000},
          "memoryAllocation": {"low": 5, "normal": 10, "high": 20}}
VERSION = re.compile(r"vmx-([0-9]+)\Z")
OLDEST_VERSION, NEWEST_VERSION = 4, 21  # vmx-04 to vmx-21: what ESXi 8.0 U3 runs
DEFAULT_VERSION = "vmx-19"


def changes(settings, config, prefix, creating=False):
    """``settings`` with what ``config`` sets (checked), or None when it sets none of it.
    ``version`` counts only when ``creating`` (ReconfigVM_Task ignores it, as vCenter does:
    UpgradeVM_Task changes it)."""
    given = {}
    for name in SCALARS:
        value = getattr(config, name)
        if value is not None:
            given[name] = _checked(name, value, prefix + name)
    for name in MERGED:
        value = getattr(config, name)
        if value is not None:
            fields = {k: v for k, v in value.fields().items() if v != [] and not (
                name == "tools" and k in _TOOLS_STATE)}
            for key, item in fields.items():
                _checked(key, item, "%s%s.%s" % (prefix, name, key))
            if name in SHARES:
                _check_allocation(dict(settings.get(name) or {}, **fields), prefix + name)
            given[name] = dict(settings.get(name) or {}, **fields)
    if creating and config.version is not None:
        given["version"] = checked_version(config.version, prefix + "version")
    return dict(settings, **given) if given else None


def cold_changes(settings, config):
    """Whether ``config`` changes what only a powered-off VM changes."""
    changed = [n for n in COLD if getattr(config, n) is not None and
               getattr(config, n) != settings.get(n, _default(n))]
    boot = config.bootOptions
    if boot is not None and boot.efiSecureBootEnabled is not None and \
            boot.efiSecureBootEnabled != (settings.get("bootOptions") or {}).get(
                "efiSecureBootEnabled", False):
        changed.append("bootOptions.efiSecureBootEnabled")
    return changed


def checked_version(version, prop):
    """``vmx-NN`` of a hardware version ESXi runs, else InvalidArgument naming ``prop``."""
    found = VERSION.match(version or "")
    if found is None or not OLDEST_VERSION <= int(found.group(1)) <= NEWEST_VERSION:
        raise faults.InvalidArgument(invalidProperty=prop)
    return "vmx-%02d" % int(found.group(1))


# What a VM no one has set them on answers (vm.VirtualMachine.config's), where not False
DEFAULTS = {"firmware": "bios", "motherboardLayout": "i440bxHostBridge", "simultaneousThreads": 1}


def _default(name):
    return DEFAULTS.get(name, False)


def _checked(name, value, prop):
    choices, least = _CHOICES.get(name), _LEAST.get(name)
    if (choices is not None and value not in choices) or (
            least is not None and isinstance(value, int) and value < least):
        raise faults.InvalidArgument(invalidProperty=prop)
    return value


def _check_allocation(fields, prop):
    """A reservation of 0 or more, a limit of -1 (none) or at least the reservation, shares of
    0 or more at level custom."""
    reservation, limit = fields.get("reservation"), fields.get("limit")
    if reservation is not None and reservation < 0:
        raise faults.InvalidArgument(invalidProperty=prop + ".reservation")
    if limit is not None and (limit < -1 or (limit != -1 and reservation is not None and
                                             limit < reservation)):
        raise faults.InvalidArgument(invalidProperty=prop + ".limit")
    shares = fields.get("shares")
    if shares is not None and (shares.level == "custom" and (shares.shares or 0) < 0):
        raise faults.InvalidArgument(invalidProperty=prop + ".shares.shares")


def allocation(vm, name):
    """config.cpuAllocation or config.memoryAllocation (``name``): vCenter's defaults (no
    reservation or limit, normal shares) under what was set; shares of a level other than
    custom follow the VM's vCPUs or memory."""
    amount = vm.num_cpu if name == "cpuAllocation" else vm.memory_mb
    fields = dict(reservation=0, expandableReservation=False, limit=-1,
                  shares=DataObject("SharesInfo", shares=SHARES[name]["normal"] * amount,
                                    level="normal"))
    fields.update(vm.config_settings.get(name) or {})
    shares = fields["shares"]
    if shares.level in SHARES[name]:
        fields["shares"] = DataObject("SharesInfo", level=shares.level,
                                      shares=SHARES[name][shares.level] * amount)
    return DataObject("ResourceAllocationInfo", **fields)


def apply(info, vm):
    """The VM's settings over ``info``, its VirtualMachineConfigInfo (changed in place)."""
    settings = vm.config_settings
    for name in SCALARS:
        if name in settings:
            setattr(info.hardware if name in HARDWARE_FIELDS else info, name, settings[name])
    for name, answered in MERGED.items():
        if name in SHARES:
            setattr(info, answered, allocation(vm, name))
        elif name in settings:
            current = getattr(info, answered)
            kind = REGISTRY.data["VirtualMachineConfigInfo"].by_name[answered].type
            setattr(info, answered, DataObject(
                current._typeName if current is not None else kind,
                **dict(current.fields() if current is not None else {}, **settings[name])))
    info.version = version(vm)
    return info


def version(vm):
    """The VM's virtual hardware version, vmx-NN (config.version)."""
    return vm.config_settings.get("version", DEFAULT_VERSION)
