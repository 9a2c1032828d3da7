"""OptionManager (ServiceContent.setting, VpxSettings): vCenter's advanced settings.

The table is what a vCenter 8.0 U3 appliance lists under Advanced Settings, without its
secrets (license data, registry keys) and with a few of its 700-odd ``logger.*`` levels. An
option with a description has an OptionDef in ``supportedOption``, typed as its value is; the
``config.*`` options mirror vpxd.cfg, whose values are strings, and have none, as do the
loggers.

QueryOptions answers a name exactly, a subtree for a name ending with a dot, everything for no
name; an unknown name is InvalidName. UpdateOptions checks every value first and changes
nothing unless all are right (InvalidName for an unknown option, InvalidArgument for a value of
another type or out of its option's range); a key vCenter does not define is accepted only
under ``config.`` and only with a string value, as vpxd takes new vpxd.cfg entries.
"""
from vimsim.model import authorization, faults
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject, TypedValue

HOSTNAME = "localhost"  # the appliance's name: where vimsim answers by default
SETTINGS_PRIVILEGE = "Global.Settings"  # UpdateOptions on VpxSettings, on the root folder
NEW_KEY_PREFIX = "config."
INT_MAX = 2 ** 31 - 1
INTEGER_TYPES = ("xsd:int", "xsd:long", "xsd:short", "xsd:byte")

# (key, type of the value, default, description: "" for an option without an OptionDef).
# "{host}", "{uuid}", "{bios_uuid}", "{vrdma_uuid}" and "{version}" are filled in per Vcenter.
OPTIONS = (
    ("ads.maxFetch", int, 5000, "Maximum users to retrieve"),
    ("ads.maxFetchEnabled", bool, True, "Enable user retrieve limits"),
    ("ads.timeout", int, 60, "User retrieve timeout"),
    ("alarms.version", int, -1, "Default alarm upgrade version"),
    ("alarms.versionEx", str, "111.0.60", "Default alarm extended version"),
    ("client.timeout.long", int, 120, "Long operation client timeout"),
    ("client.timeout.normal", int, 30, "Client timeout"),
    ("client.VerifySSLCertificates", bool, True, "Verify SSL certificates"),
    ("config.alarms.vim.version", str, "vim.version.v8_0_3_0", ""),
    ("config.drs.kvstore.local", bool, False, ""),
    ("config.license.client.lsNotificationsSyncSeconds", str, "30", ""),
    ("config.license.client.oldServerLsNotificationsSyncSeconds", str, "600", ""),
    ("config.log.compressOnRoll", str, "true", ""),
    ("config.log.level", str, "info", ""),
    ("config.log.maxFileNum", str, "30", ""),
    ("config.log.maxFileSize", str, "52428800", ""),
    ("config.log.outputToConsole", str, "false", ""),
    ("config.log.outputToFiles", str, "true", ""),
    ("config.task.minCompletedLifetime", str, "60", ""),
    ("config.vdt.severity", str, "info", "Verbosity level of distributed tracing"),
    ("config.vmacore.cacheProperties", str, "true", ""),
    ("config.vmacore.ssl", str, "", ""),
    ("config.vmacore.threadPool.TaskMax", str, "90", ""),
    ("config.vmacore.threadPool.threadNamePrefix", str, "vpxd", ""),
    ("config.vmomi.validation", str, "", ""),
    ("config.vpxd.cert.prefix.solutionUser", str, "vcsoluser", ""),
    ("config.vpxd.cert.prefix.ssl", str, "rui", ""),
    ("config.vpxd.enableDebugBrowse", bool, True, "Debug Managed Object Browser enabled"),
    ("config.vpxd.filterOverheadLimitIssues", str, "true", ""),
    ("config.vpxd.heartbeat.udp-port", str, "902", ""),
    ("config.vpxd.hgw.UseHttp2", str, "false", "Enable HTTP/2 for ESXi connections"),
    ("config.vpxd.hostGateway.enabled", str, "true", ""),
    ("config.vpxd.hostGateway.gatewaySource", str, "ComponentManager", ""),
    ("config.vpxd.hostnameUrl", str, "{host}", ""),
    ("config.vpxd.hostProfiles.disableSecureManager", str, "false", ""),
    ("config.vpxd.hostProfiles.drsReservedCapacity", str, "100", ""),
    ("config.vpxd.hostProfiles.enterMMTimeout", str, "3600", ""),
    ("config.vpxd.hostProfiles.metadataCacheEnabled", str, "true", ""),
    ("config.vpxd.hostProfiles.rebootTimeout", str, "3600", ""),
    ("config.vpxd.hostProfiles.statefulCollectHostSpec", str, "false", ""),
    ("config.vpxd.licenseEdition", str, "vc", ""),
    ("config.vpxd.memChecker.memStopInMB", str, "1024", ""),
    ("config.vpxd.network.rollback", str, "true", ""),
    ("config.vpxd.odbc.dbtype", str, "embedded", ""),
    ("config.vpxd.odbc.dsn", str, "VMware VirtualCenter", ""),
    ("config.vpxd.rhttpproxy.httpport", str, "80", ""),
    ("config.vpxd.rhttpproxy.httpsport", str, "443", ""),
    ("config.vpxd.secureSoapPort", str, "8089", ""),
    ("config.vpxd.soapPort", str, "8085", ""),
    ("config.vpxd.ssl.CAPath", str, "/etc/ssl/certs", ""),
    ("config.vpxd.sso.admin.uri", str, "https://{host}/sso-adminserver/sdk/vsphere.local", ""),
    ("config.vpxd.sso.default.admin", str, "Administrator@vsphere.local", ""),
    ("config.vpxd.sso.default.isGroup", str, "false", ""),
    ("config.vpxd.sso.groupcheck.uri", str, "https://{host}/sso-adminserver/sdk/vsphere.local",
     ""),
    ("config.vpxd.sso.solutionUser.certificate", str, "/etc/vmware-vpx/ssl/vcsoluser.crt", ""),
    ("config.vpxd.sso.solutionUser.name", str, "vpxd-{uuid}@vsphere.local", ""),
    ("config.vpxd.sso.solutionUser.privateKey", str, "/etc/vmware-vpx/ssl/vcsoluser.key", ""),
    ("config.vpxd.sso.sts.uri", str, "https://{host}/sts/STSService/vsphere.local", ""),
    ("config.vpxd.support.scriptDirectory", str, "/usr/lib/vmware-vpx", ""),
    ("config.vpxd.vcha.drsAntiAffinity", str, "true", ""),
    ("config.vpxd.vecs.storeName", str, "vpxd", ""),
    ("config.vpxd.vsan.dynmgr.enable", str, "true", ""),
    ("config.vpxd.vsan.hostaffinity.enable", str, "false", ""),
    ("config.workflow.port", str, "WORKFLOW_PORT", ""),
    ("DBProc.Log.Buffer", int, 5000, "DB procedures log buffer"),
    ("DBProc.Log.Debug.Info", str, "ON", ""),
    ("DBProc.Log.Event.Purge", int, 10, ""),
    ("DBProc.Log.Stats.Purge", int, 10, ""),
    ("DBProc.Log.Topn.Purge", int, 5000, ""),
    ("etc.issue", str, "VMware vCenter Server Appliance {version}.00000", "/etc/issue"),
    ("etc.motd", str, "", "/etc/motd"),
    ("event.batchsize", int, 2000, "Batch size in cleanup events procedure"),
    ("event.maxAge", int, 30, "Maximum event age"),
    ("event.maxAgeEnabled", bool, True, "Enable event cleanup"),
    ("instance.id", int, 0, "Instance ID"),
    ("LicenseServer.matchHostToVirtualCenter", bool, True, "Match host license server to vCenter"),
    ("log.level", str, "info", "Logging level"),
    ("logger.Default", str, "info", ""),
    ("logger.LicenseManager", str, "info", ""),
    ("logger.MoDiagnosticMgr", str, "info", ""),
    ("logger.MoLicenseMgr", str, "info", ""),
    ("logger.MoOptionMgr", str, "info", ""),
    ("logger.MoSessionMgr", str, "info", ""),
    ("logger.MoTask", str, "info", ""),
    ("logger.PropertyCollector", str, "info", ""),
    ("logger.SoapAdapter", str, "info", ""),
    ("logger.Vmomi", str, "info", ""),
    ("logger.vpxLro", str, "info", ""),
    ("logger.Vsan", str, "info", ""),
    ("mail.sender", str, "", "Mail sender"),
    ("mail.smtp.password", str, "", "SMTP server password"),
    ("mail.smtp.port", int, 25, "SMTP server port"),
    ("mail.smtp.server", str, "", "SMTP server"),
    ("mail.smtp.username", str, "", "SMTP server username"),
    ("Misc.vCenterServerUpdateLevel", int, 0, "The update level of vCenter Server"),
    ("Perf.Stats.MaxCollectionThreads", int, 2, "Maximum statistics collection threads"),
    ("schema.version.major", int, 1, "Major database version"),
    ("schema.version.minor", int, 0, "Minor database version"),
    ("snmp.receiver.1.community", str, "public", "First SNMP receiver community"),
    ("snmp.receiver.1.enabled", bool, True, "Enable first SNMP receiver"),
    ("snmp.receiver.1.name", str, "localhost", "First SNMP receiver name"),
    ("snmp.receiver.1.port", int, 162, "First SNMP receiver port"),
    ("snmp.receiver.2.community", str, "", "Second SNMP receiver community"),
    ("snmp.receiver.2.enabled", bool, False, "Enable second SNMP receiver"),
    ("snmp.receiver.2.name", str, "", "Second SNMP receiver name"),
    ("snmp.receiver.2.port", int, 162, "Second SNMP receiver port"),
    ("snmp.receiver.3.community", str, "", "Third SNMP receiver community"),
    ("snmp.receiver.3.enabled", bool, False, "Enable third SNMP receiver"),
    ("snmp.receiver.3.name", str, "", "Third SNMP receiver name"),
    ("snmp.receiver.3.port", int, 162, "Third SNMP receiver port"),
    ("snmp.receiver.4.community", str, "", "Fourth SNMP receiver community"),
    ("snmp.receiver.4.enabled", bool, False, "Enable fourth SNMP receiver"),
    ("snmp.receiver.4.name", str, "", "Fourth SNMP receiver name"),
    ("snmp.receiver.4.port", int, 162, "Fourth SNMP receiver port"),
    ("SSL.Version", str, "all", "SSL version"),
    ("task.batchsize", int, 2000, "Batch size in cleanup tasks procedure"),
    ("task.maxAge", int, 30, "Maximum task age"),
    ("task.maxAgeEnabled", bool, True, "Enable event cleanup"),
    ("vgpu.hotmigrate.enabled", bool, True, "vGPU hot migration"),
    ("VirtualCenter.AutoManagedIPV4", str, "127.0.0.1",
     "Automatically discovered vCenter management IPv4 address"),
    ("VirtualCenter.AutoManagedIPV6", str, "",
     "Automatically discovered vCenter management IPv6 address"),
    ("VirtualCenter.DataCollector.ConsentData", str, "null",
     "Configuration of the Customer Experience Improvement Program"),
    ("VirtualCenter.DataCollector.Enabled", bool, False,
     "Deprecated. See: VirtualCenter.DataCollector.ConsentData"),
    ("VirtualCenter.DataCollector.Schedule", str, "",
     "Customer experience improvement program data collection schedule"),
    ("VirtualCenter.FQDN", str, "{host}", "vCenter FQDN"),
    ("VirtualCenter.HostBiosUuid", str, "{bios_uuid}", "VirtualCenter Host Bios Uuid"),
    ("VirtualCenter.InstanceName", str, "{host}", "Instance name"),
    ("VirtualCenter.ManagedIP", str, "", "vCenter management IP address"),
    ("VirtualCenter.MaxDBConnection", int, 50, "Maximum database connections"),
    ("VirtualCenter.VimApiUrl", str, "https://{host}:443/sdk", "VIM API URL"),
    ("VirtualCenter.VimPasswordExpirationInDays", int, 30, "Password expiration"),
    ("vpxd.cert.threshold", int, 30, "Certificate Management Threshold (in days)"),
    ("vpxd.certmgmt.certs.cn.country", str, "US", "Country Name for the ESXi Host Certificates"),
    ("vpxd.certmgmt.certs.cn.email", str, "vmca@vmware.com",
     "Email address for the ESXi Host Certificates"),
    ("vpxd.certmgmt.certs.cn.localityName", str, "Palo Alto",
     "Locality Name for ESXi Host Certificates"),
    ("vpxd.certmgmt.certs.cn.organizationalUnitName", str, "VMware Engineering",
     "Organizational Unit Name for ESXi Host Certificates"),
    ("vpxd.certmgmt.certs.cn.organizationName", str, "VMware",
     "Organization Name for ESXi Host Certificates"),
    ("vpxd.certmgmt.certs.cn.state", str, "California", "State Name for ESXi Host Certificates"),
    ("vpxd.certmgmt.certs.daysValid", int, 1825, "ESXi Certificate Validity Period (in days)"),
    ("vpxd.certmgmt.certs.hardThreshold", int, 30,
     "ESXi Certificate Management Hard Threshold (in days)"),
    ("vpxd.certmgmt.certs.minutesBefore", int, 1440, ""),
    ("vpxd.certmgmt.certs.pollIntervalDays", int, 5,
     "ESXi Certificate Validity Check Interval (in days)"),
    ("vpxd.certmgmt.certs.softThreshold", int, 240,
     "ESXi Certificate Management Soft Threshold (in days)"),
    ("vpxd.certmgmt.mode", str, "vmca", "ESXi Certificate Management Mode"),
    ("vpxd.clone.tpmProvisionPolicy", str, "copy", "Default TPM provision policy"),
    ("vpxd.cluster.roboMMEnabled", bool, True,
     "Enable DRS MM evacuations with appropriate ROBO license"),
    ("vpxd.CryptoManager.skpAllowedRoles", str, "",
     "Roles are allowed to create Standard Key Provider"),
    ("vpxd.dvx.locale.cleanupInterval", int, 720, "DVX locale files cleanup interval"),
    ("vpxd.event.burstFilter.compressToDb", bool, True, "Enable burst filter on the database"),
    ("vpxd.event.burstFilter.compressToSyslog", bool, False,
     "Enable burst filter on the syslog stream"),
    ("vpxd.event.syslog.enabled", bool, True, "Enable syslog streaming"),
    ("vpxd.hostkey.newIfMissing", bool, True,
     "Generate a new host key if the host key is not available"),
    ("vpxd.httpClientIdleTimeout", int, 900, "Http Client Pool Idle Timeout"),
    ("vpxd.KMS.backupCheckInterval", int, 24, "Key provider backup check interval (in hours)"),
    ("vpxd.KMS.compatCheckInterval", int, 5,
     "Key provider compatibility cache update interval (in minutes)"),
    ("vpxd.KMS.exportTokenExpiry", int, 5, "Key provider export token expiry (in minutes)"),
    ("vpxd.KMS.remediationInterval", int, 5, "Key provider remediation interval (in minutes)"),
    ("vpxd.KMS.status", int, 5, "Key provider status check interval (in minutes)"),
    ("vpxd.kmscert.threshold", int, 30, "KMS Certificate Management Threshold (in days)"),
    ("vpxd.license.ForceDownloadDLF", bool, False, "Force Download DLF"),
    ("vpxd.locale", str, "", "Server locale"),
    ("vpxd.motd", str, "", "Global message"),
    ("vpxd.npivWwnGeneration.portWwnNumber", int, 4, "Generation port WWN number"),
    ("vpxd.npivWwnGeneration.singleNodeWwn", bool, True, "Generation single node WWN"),
    ("vpxd.ticketing.thumbprintTypes", str, "sha1", ""),
    ("vpxd.usageStats.duration", int, 1209600, "Usage statistics duration"),
    ("vpxd.usageStats.level", int, 0, "Usage statistics level"),
    ("vpxd.usageStats.persist", bool, True, "Save usage statistics to the database"),
    ("vpxd.vdb.space.errorPercent", int, 95,
     "The used database space that triggers an error event"),
    ("vpxd.vdb.space.warningPercent", int, 80,
     "The used database space that triggers a warning event"),
    ("vpxd.vod.persist", bool, True, "Save usage statistics to a file"),
    ("vpxd.webscriptLauncher.enabled", bool, True, "Enable webscript launcher page"),
    ("vrdma.uuid", str, "{vrdma_uuid}", ""),
    ("WebService.Ports.http", int, 80, "HTTP port number"),
    ("WebService.Ports.https", int, 443, "HTTPS port number"),
    ("wwn.instance.id", int, 0, "WWN instance"),
)

# IntOption bounds, where they are not from 0 (or -1, when that is the default) to 2^31-1.
INT_RANGES = {
    "instance.id": (0, 63),  # the vCenter unique ID
    "mail.smtp.port": (1, 65535),
    "snmp.receiver.1.port": (1, 65535), "snmp.receiver.2.port": (1, 65535),
    "snmp.receiver.3.port": (1, 65535), "snmp.receiver.4.port": (1, 65535),
    "WebService.Ports.http": (1, 65535), "WebService.Ports.https": (1, 65535),
    "vpxd.vdb.space.errorPercent": (0, 100), "vpxd.vdb.space.warningPercent": (0, 100),
}


def _int_range(key, default):
    return INT_RANGES.get(key, (min(default, 0), INT_MAX))


def _option_type(key, kind, default):
    if kind is bool:
        return DataObject("BoolOption", valueIsReadonly=False, supported=True,
                          defaultValue=default)
    if kind is int:
        low, high = _int_range(key, default)
        return DataObject("IntOption", valueIsReadonly=False, min=low, max=high,
                          defaultValue=default)
    return DataObject("StringOption", valueIsReadonly=False, defaultValue=default)


def _bios_uuid(instance_uuid):
    """The appliance VM's BIOS uuid, stable for an instance (VMware's 42xxxxxx-... form)."""
    return "42" + instance_uuid[2:]


def _vrdma_uuid(text):
    """A uuid as VMware writes a VMX-style one: ``52 32 80 00 fc ba 1b 7c-0f 4c ...``."""
    digits = text.replace("-", "")
    pairs = [digits[i:i + 2] for i in range(0, 32, 2)]
    return " ".join(pairs[:8]) + "-" + " ".join(pairs[8:])


def _coerce(kind, value):
    """``value`` as an option of ``kind`` holds it, or None if it is of another type. Any
    xsd integer type fits an int option (pyVmomi sends a Python int as xsd:int, others long)."""
    if isinstance(value, TypedValue):
        if kind is int and value.type in INTEGER_TYPES and isinstance(value.value, int):
            return value.value
        return None
    return value if type(value) is kind else None


class OptionManager(ManagedObject):
    vim_type = "OptionManager"
    options = OPTIONS  # (key, type, default, description), the defaults filled in at start
    new_key_prefix = NEW_KEY_PREFIX  # what a new key must start with (None: no new keys)
    update_privilege = SETTINGS_PRIVILEGE
    persisted = ("values",)

    def __init__(self, vc, moid="VpxSettings"):
        super().__init__(vc, moid)
        fill = {"host": HOSTNAME, "uuid": vc.instance_uuid,
                "bios_uuid": _bios_uuid(vc.instance_uuid),
                "vrdma_uuid": _vrdma_uuid(vc.instance_uuid),
                "version": vc.about().version}
        self.values = {}  # key -> value: an int, a bool or a str
        self.defs = {}    # key -> OptionDef, for the options that have one
        for key, kind, default, description in self.options:
            if kind is str:
                default = default.format_map(fill)
            self.values[key] = default
            if description:
                self.defs[key] = DataObject(
                    "OptionDef", label=description, summary=description, key=key,
                    optionType=_option_type(key, kind, default))

    def value(self, key):
        """The current value of an option (None for one that does not exist)."""
        return self.values.get(key)

    def _options(self, keys):
        return [DataObject("OptionValue", key=k, value=self.values[k])
                for k in sorted(keys, key=str.lower)]

    def _checked(self, option):
        """The value UpdateOptions would store for one OptionValue, or the fault it answers."""
        key, value = option.key, option.value
        current = self.values.get(key)
        if current is None:
            prefix = self.new_key_prefix
            if prefix is None or not key.startswith(prefix) or len(key) == len(prefix):
                raise faults.InvalidName(name=key)
            kind = str
        else:
            kind = type(current)
        stored = _coerce(kind, value)
        if stored is None:
            raise faults.InvalidArgument(invalidProperty=key)
        definition = self.defs.get(key)
        if kind is int and definition is not None:
            bounds = definition.optionType
            if not bounds.min <= stored <= bounds.max:
                raise faults.InvalidArgument(invalidProperty=key)
        return stored

    def QueryOptions(self, ctx, name=None):
        if not name:
            return self._options(self.values)
        if name.endswith("."):
            found = [k for k in self.values if k.startswith(name)]
        else:
            found = [name] if name in self.values else []
        if not found:
            raise faults.InvalidName(name=name)
        return self._options(found)

    def UpdateOptions(self, ctx, changedValue):
        privilege = self.update_privilege
        authorization.require(self.vc, ctx, None, privilege)
        changes = [(option.key, self._checked(option)) for option in changedValue]
        for key, value in changes:
            self.values[key] = value
        if changes:
            self.vc.touch(self)

    @vim_property
    def setting(self, ctx):
        return self._options(self.values)

    @vim_property
    def supportedOption(self, ctx):
        return [self.defs[k] for k in sorted(self.defs, key=str.lower)]  # never changed


class HostOptionManager(OptionManager):
    """A host's advanced settings (HostConfigManager.advancedOption): ESXi's, no new keys."""
    options = (
        ("Config.HostAgent.log.level", str, "info", "Logging level of hostd"),
        ("Config.HostAgent.plugins.solo.enableMob", bool, False,
         "Enable the managed object browser"),
        ("DCUI.Access", str, "root", "Users who may use the DCUI in lockdown mode"),
        ("Mem.ShareForceSalting", int, 2, "Page sharing salting"),
        ("NFS.MaxVolumes", int, 8, "Maximum number of NFS volumes"),
        ("Net.TcpipHeapSize", int, 0, "Initial TCP/IP heap size in MB"),
        ("Security.AccountLockFailures", int, 5, "Failed logins before an account locks"),
        ("Syslog.global.logHost", str, "", "Remote syslog hosts"),
        ("UserVars.SuppressShellWarning", int, 0, "Do not warn that the ESXi shell is on"),
        ("VMkernel.Boot.hyperthreading", bool, True, "Use hyperthreading"),
    )
    new_key_prefix = None
    update_privilege = "Host.Config.AdvancedConfig"
