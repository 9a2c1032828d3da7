"""Datastore: a VMFS 6 volume, its capacity, the hosts that mount it, the VMs on it; and
HostDatastoreBrowser, which lists the VM folders and files on it as an ESXi host does.

The files of a VM are those its layoutEx names (vm_hardware.files): in the browser a disk is
its descriptor (``name.vmdk``) with the size of its extents, and the ``-flat.vmdk`` extents
are not listed, as on ESXi.
"""
import fnmatch
import hashlib
import posixpath

from vimsim.model import authorization, faults, vm_hardware
from vimsim.model.inventory import ManagedEntity
from vimsim.model.objects import ManagedObject, refs, vim_property
from vimsim.vim25.data import DataObject

KB, MB, TB = 1024, 1024 ** 2, 1024 ** 4
# What an ESXi 8.0 host reports for a VMFS 6 volume (VmfsDatastoreInfo, HostVmfsVolume).
MAX_FILE_SIZE = 64 * TB
MAX_DISK_CAPACITY = 62 * TB
VMFS_VERSION, VMFS_MAJOR_VERSION, VMFS_MAX_BLOCKS = "6.82", 6, 61 * MB
LOCAL_DISK = "mpx.vmhba0:C0:T0:L0"  # a host's one disk (HostStorageSystem's LUN)
FILE_OWNER = "root"
BROWSE_PRIVILEGE = "Datastore.Browse"
FOLDER_BYTES = 4096

# A datastore search, queued to success (timings["datastore_search"] when the vCenter has it).
SEARCH_SECONDS = 0.1


def vmfs_uuid(name):
    """A VMFS UUID (``5f5a1e4c-1d2b9c3e-8f2a-000c29a1b2c3``), stable for a datastore's name."""
    h = hashlib.sha1(("vmfs:%s" % name).encode()).hexdigest()
    return "%s-%s-%s-%s" % (h[:8], h[8:16], h[16:20], h[20:32])


class Datastore(ManagedEntity):
    vim_type = "Datastore"

    # free space follows the disks made, grown and destroyed; ``unregistered``: the VMs
    # UnregisterVM left here, by .vmx path, as RegisterVM_Task takes them back
    # ``folders`` and ``files``: what FileManager and /folder made beside the VMs' files
    # (vimsim/model/datastore_files.py)
    persisted = ("name", "free", "unregistered", "folders", "files")

    def __init__(self, vc, moid, name, parent, capacity, free, uuid=None):
        super().__init__(vc, moid, name, parent)
        self.capacity, self.free = capacity, free
        self.hosts, self.vms = [], []
        self.unregistered = {}
        self.folders, self.files = {}, {}
        self.uuid = uuid or vmfs_uuid(name)
        self.browser = vc.add(HostDatastoreBrowser(vc, "datastoreBrowser-" + moid, self,
                                                   lambda: [self]))

    @property
    def url(self):
        return "ds:///vmfs/volumes/%s/" % self.uuid

    @property
    def mount_path(self):
        return "/vmfs/volumes/%s" % self.uuid

    @property
    def shared(self):
        """Mounted by more than one host (summary.multipleHostAccess)."""
        return len(self.hosts) > 1

    def vmfs_volume(self):
        """The HostVmfsVolume behind the datastore (its info.vmfs, a host's mount volume): the
        datastore partition (8) of the hosts' local disk, as ESXi 8.0 lays out its boot disk."""
        return DataObject(
            "HostVmfsVolume", type="VMFS", name=self.name, capacity=self.capacity,
            blockSizeMb=1, blockSize=KB, unmapGranularity=KB, unmapPriority="low",
            maxBlocks=VMFS_MAX_BLOCKS, majorVersion=VMFS_MAJOR_VERSION, version=VMFS_VERSION,
            uuid=self.uuid, extent=[DataObject("HostScsiDiskPartition", diskName=LOCAL_DISK,
                                               partition=8)],
            vmfsUpgradable=False, ssd=True, local=True)

    def vm_folders(self):
        """The VMs whose folder (and so whose files) is on this datastore, by folder name."""
        folders = {}
        for vm in self.vms:
            if vm.datastores and vm.datastores[0] is self:
                folders.setdefault(vm_hardware.vm_folder(vm).split("] ", 1)[-1][:-1], vm)
        return folders

    def allocate(self, delta):
        """``delta`` bytes more in use on the datastore (fewer when negative)."""
        if delta:
            self.free = max(0, min(self.capacity, self.free - delta))
            self.vc.touch(self)

    def user_entries(self, relative):
        """The folders and files FileManager and /folder made directly in ``relative`` (""
        for the datastore's top), as the browser lists them."""
        entries = [FileEntry(path.rsplit("/", 1)[-1], FOLDER_BYTES, when, folder=True)
                   for path, when in self.folders.items()
                   if posixpath.dirname(path) == relative]
        entries += [FileEntry(path.rsplit("/", 1)[-1], record["size"], record["modified"])
                    for path, record in self.files.items()
                    if posixpath.dirname(path) == relative]
        return entries

    def uncommitted(self):
        """What the VMs' thin disks may still grow by (VirtualMachineStorageInfo's)."""
        return sum(vm_hardware.uncommitted_on(vm, self) for vm in self.vms)

    # -- properties ----------------------------------------------------------------------

    @vim_property
    def info(self, ctx):
        # containerId: the VMFS UUID's digits as a UUID (vCenter's value was not verified).
        digits = self.uuid.replace("-", "")
        return DataObject(
            "VmfsDatastoreInfo", name=self.name, url=self.url, freeSpace=self.free,
            maxFileSize=MAX_FILE_SIZE, maxVirtualDiskCapacity=MAX_DISK_CAPACITY,
            maxMemoryFileSize=MAX_FILE_SIZE, timestamp=self.vc.clock.now(),
            containerId="%s-%s-%s-%s-%s" % (digits[:8], digits[8:12], digits[12:16],
                                            digits[16:20], digits[20:32]),
            maxPhysicalRDMFileSize=MAX_FILE_SIZE, maxVirtualRDMFileSize=MAX_DISK_CAPACITY,
            vmfs=self.vmfs_volume())

    @vim_property
    def summary(self, ctx):
        return DataObject("DatastoreSummary", datastore=self.ref, name=self.name, url=self.url,
                          capacity=self.capacity, freeSpace=self.free,
                          uncommitted=self.uncommitted(), accessible=True,
                          multipleHostAccess=self.shared, type="VMFS", maintenanceMode="normal")

    @vim_property
    def capability(self, ctx):
        return DataObject("DatastoreCapability", directoryHierarchySupported=True,
                          rawDiskMappingsSupported=True, perFileThinProvisioningSupported=True,
                          storageIORMSupported=True, nativeSnapshotSupported=False,
                          topLevelDirectoryCreateSupported=True, seSparseSupported=True,
                          vmfsSparseSupported=False, vsanSparseSupported=False,
                          upitSupported=False, vmdkExpandSupported=True,
                          clusteredVmdkSupported=False)

    @vim_property
    def browser(self, ctx):
        return self.browser.ref

    @vim_property
    def host(self, ctx):
        return [DataObject("DatastoreHostMount", key=h.ref,
                           mountInfo=DataObject("HostMountInfo", path=self.mount_path,
                                                accessMode="readWrite", mounted=True,
                                                accessible=True))
                for h in self.hosts]

    @vim_property
    def vm(self, ctx):
        return refs(self.vms)


# -- the datastore browser ---------------------------------------------------------------

# The FileQuery types an ESXi host supports (supportedType), each with the FileInfo type of
# the files it selects.
QUERY_INFO_TYPES = {
    "FolderFileQuery": "FolderFileInfo", "VmConfigFileQuery": "VmConfigFileInfo",
    "TemplateConfigFileQuery": "TemplateConfigFileInfo", "VmDiskFileQuery": "VmDiskFileInfo",
    "VmSnapshotFileQuery": "VmSnapshotFileInfo", "VmNvramFileQuery": "VmNvramFileInfo",
    "VmLogFileQuery": "VmLogFileInfo", "FloppyImageFileQuery": "FloppyImageFileInfo",
    "IsoImageFileQuery": "IsoImageFileInfo",
}
EXTENSION_INFO_TYPES = (
    (".vmx", "VmConfigFileInfo"), (".vmtx", "TemplateConfigFileInfo"),
    (".vmdk", "VmDiskFileInfo"), (".vmsn", "VmSnapshotFileInfo"),
    (".nvram", "VmNvramFileInfo"), (".log", "VmLogFileInfo"), (".flp", "FloppyImageFileInfo"),
    (".img", "FloppyImageFileInfo"), (".iso", "IsoImageFileInfo"),
)
DISK_TYPE = "VirtualDiskFlatVer2BackingInfo"   # the VM's disk backing (vm_hardware.devices)
DISK_CONTROLLER = "ParaVirtualSCSIController"
DISK_HARDWARE_VERSION = 19                     # the VM's virtual hardware, vmx-19
CONFIG_VERSION = 8                             # config.version in a .vmx


class FileEntry:
    """A file or folder on a datastore as the browser sees it."""

    def __init__(self, name, size, modified, vm=None, folder=False, extents=()):
        self.name, self.size, self.modified, self.vm = name, size, modified, vm
        self.folder, self.extents = folder, list(extents)

    def info_type(self, case_insensitive=False):
        if self.folder:
            return "FolderFileInfo"
        name = self.name.lower() if case_insensitive else self.name
        return next((t for ext, t in EXTENSION_INFO_TYPES if name.endswith(ext)), "FileInfo")


def vm_files(vm, folder_path):
    """The entries of a VM's folder: its layoutEx files, each disk one entry."""
    boot = vm.vc.boot_time
    running = vm.boot_time or boot
    modified = {"config": boot, "nvram": boot, "snapshotList": boot, "diskDescriptor": running,
                "log": running, "swap": running}
    listed = [f for f in vm_hardware.files(vm) if f.name.startswith(folder_path)]
    extents = {f.name: f for f in listed if f.type == "diskExtent"}
    extent_of = {descriptor: extent for d in vm.disk_records()
                 for descriptor, extent, _ in vm_hardware.disk_chain(d)}
    taken = {}  # a snapshot's files were written when it was taken
    for snapshot in vm.all_snapshots():
        stem = vm_hardware.snapshot_stem(vm, snapshot)
        taken[stem + ".vmsn"] = taken[stem + ".vmem"] = snapshot.create_time
    entries = []
    for f in listed:
        if f.type == "diskExtent":
            continue
        name = f.name[len(folder_path):]
        if f.type == "diskDescriptor":
            extent = extents[extent_of[f.name]]
            entries.append(FileEntry(name, f.size + extent.size, modified[f.type], vm,
                                     extents=[extent.name]))
        else:
            entries.append(FileEntry(name, f.size, taken.get(f.name) or
                                     modified.get(f.type, boot), vm))
    return entries


def _disk_details(entry, flags):
    vm = entry.vm
    disk = next(d for d in vm.disk_records() if any(
        extent in entry.extents for _, extent, _ in vm_hardware.disk_chain(d)))
    values = {"diskType": DISK_TYPE, "capacityKb": disk["capacity_kb"],
              "hardwareVersion": DISK_HARDWARE_VERSION, "controllerType": DISK_CONTROLLER,
              "diskExtents": entry.extents, "thin": disk["thin"], "sectorFormat": "native_512"}
    return {k: v for k, v in values.items() if getattr(flags, k)}


def _disk_filter_passes(query):
    f = query.filter
    if f is None:
        return True
    return ((not f.diskType or DISK_TYPE in f.diskType)
            and (not f.matchHardwareVersion or DISK_HARDWARE_VERSION in f.matchHardwareVersion)
            and (not f.controllerType or DISK_CONTROLLER in f.controllerType)
            and f.thin in (None, True) and not f.encrypted)


def _config_filter_passes(query):
    f = query.filter
    return f is None or ((not f.matchConfigVersion or CONFIG_VERSION in f.matchConfigVersion)
                         and not f.encrypted)


class Search:
    """One SearchDatastore(SubFolders)_Task: its spec applied to the folders it walks."""

    def __init__(self, spec):
        spec = spec or DataObject("HostDatastoreBrowserSearchSpec")
        self.details = spec.details
        patterns = spec.matchPattern
        self.patterns = [patterns] if isinstance(patterns, str) else list(patterns or ())
        self.queries = list(spec.query or ())
        self.case_insensitive = bool(spec.searchCaseInsensitive)
        self.folders_first = bool(spec.sortFoldersFirst)
        kinds = [q._typeName for q in self.queries]
        if len(set(kinds)) != len(kinds):
            raise faults.InvalidArgument(invalidProperty="searchSpec.query")

    def matching_query(self, entry):
        """The type-specific query that selects the entry; True when it is selected without
        one (no query, or the base FileQuery); None when it is left out."""
        if not self.queries:
            return True
        info_type = entry.info_type(self.case_insensitive)
        selected = None
        for query in self.queries:
            kind = query._typeName
            if kind == "FileQuery":
                selected = selected or True
            elif QUERY_INFO_TYPES.get(kind) == info_type and self._filter_passes(query):
                return query
        return selected

    @staticmethod
    def _filter_passes(query):
        if query._typeName == "VmDiskFileQuery":
            return _disk_filter_passes(query)
        if query._typeName == "VmConfigFileQuery":
            return _config_filter_passes(query)
        return True

    def matches_pattern(self, entry):
        return not self.patterns or any(fnmatch.fnmatchcase(entry.name, p)
                                        for p in self.patterns)

    def file_info(self, entry, query):
        details = self.details
        fields = {"path": entry.name}
        if details is not None:
            if details.fileSize:
                fields["fileSize"] = entry.size
            if details.modification:
                fields["modification"] = entry.modified
            if details.fileOwner:
                fields["owner"] = FILE_OWNER
        specific = query is not True
        if entry.folder or specific or (details is not None and details.fileType):
            info_type = entry.info_type(self.case_insensitive)
        else:
            info_type = "FileInfo"
        if specific and query.details is not None:
            if query._typeName == "VmDiskFileQuery" and entry.vm is not None:
                fields.update(_disk_details(entry, query.details))
            elif query._typeName == "VmConfigFileQuery" and query.details.configVersion:
                fields["configVersion"] = CONFIG_VERSION
        return DataObject(info_type, **fields)

    def results(self, datastore, folder_path, entries):
        """The HostDatastoreBrowserSearchResults of one folder."""
        listed = []
        for entry in sorted(entries, key=lambda e: (self.folders_first and not e.folder,
                                                    e.name)):
            query = self.matching_query(entry)
            if query is not None and self.matches_pattern(entry):
                listed.append(self.file_info(entry, query))
        return DataObject("HostDatastoreBrowserSearchResults", datastore=datastore.ref,
                          folderPath=folder_path, file=listed)


def parse_datastore_path(path):
    """``[name] relative/path`` -> (name, relative path without surrounding slashes)."""
    text = (path or "").strip()
    end = text.find("]")
    if not text.startswith("[") or end < 2:
        raise faults.Fault.of("InvalidDatastorePath", "Invalid datastore path '%s'." % path,
                              datastorePath=path)
    relative = posixpath.normpath(text[end + 1:].strip() or ".").strip("/")
    return text[1:end], "" if relative == "." else relative


class HostDatastoreBrowser(ManagedObject):
    """The browser of some datastores (``datastores()``); tasks it runs name ``entity``."""

    vim_type = "HostDatastoreBrowser"
    # What the tasks' info carries that no signature names (scripts/gen-wsdl declares them).
    sent_types = ("HostDatastoreBrowserSearchResults", "FileNotFound", "InvalidDatastorePath")

    def __init__(self, vc, moid, entity, datastores):
        super().__init__(vc, moid)
        self.entity = entity
        self.datastores = datastores

    @vim_property
    def datastore(self, ctx):
        return refs(self.datastores())

    @vim_property
    def supportedType(self, ctx):
        return [DataObject(kind) for kind in QUERY_INFO_TYPES]

    def SearchDatastore_Task(self, ctx, datastorePath, searchSpec=None):
        return self._search_task(ctx, "SearchDatastore_Task", "host.DatastoreBrowser.search",
                                 datastorePath, searchSpec, recurse=False)

    def SearchDatastoreSubFolders_Task(self, ctx, datastorePath, searchSpec=None):
        return self._search_task(ctx, "SearchDatastoreSubFolders_Task",
                                 "host.DatastoreBrowser.searchSubFolders", datastorePath,
                                 searchSpec, recurse=True)

    def _require_browse(self, ctx, path):
        """vim25's "dynamic" privilege: Datastore.Browse on the datastore the path names."""
        if ctx.session is None:
            return
        try:
            target = self.resolve(path)[0]
        except faults.Fault:
            target = self.entity
        authorization.require(self.vc, ctx, target, BROWSE_PRIVILEGE)

    def _search_task(self, ctx, method, description_id, path, spec, recurse):
        self._require_browse(ctx, path)
        seconds = self.vc.timings.get("datastore_search", SEARCH_SECONDS)
        return self.vc.task_manager.create(
            ctx, self.entity, method, description_id, self.search, seconds, lock=False,
            args=(path, spec, recurse)).ref

    def resolve(self, path):
        """(datastore, relative folder) a datastore path names; faults as vCenter's."""
        name, relative = parse_datastore_path(path)
        datastore = next((d for d in self.datastores() if d.name == name), None)
        if datastore is None:
            other = next((o for o in self.vc.objects.values()
                          if o.vim_type == "Datastore" and o.name == name), None)
            raise faults.Fault.of("InvalidDatastore", "Invalid datastore '%s'." % name,
                                  name=name, datastore=other.ref if other else None)
        return datastore, relative

    def search(self, path, spec, recurse):
        """The search's result: a HostDatastoreBrowserSearchResults, or for ``recurse`` the
        list of them (the folder first, then each subfolder)."""
        datastore, relative = self.resolve(path)
        search = Search(spec)
        root = "[%s]" % datastore.name
        folders = datastore.vm_folders()
        made = sorted(datastore.folders)  # FileManager's, beside the VM folders
        if not relative:
            entries = [FileEntry(name, FOLDER_BYTES, vm.boot_time or self.vc.boot_time, vm,
                                 folder=True) for name, vm in folders.items()]
            found = [search.results(datastore, root, entries + datastore.user_entries(""))]
            if recurse:
                found += [self._folder_results(search, datastore, name, vm)
                          for name, vm in sorted(folders.items())]
                found += [self._folder_results(search, datastore, name, None) for name in made]
            return found if recurse else found[0]
        vm = folders.get(relative)
        if vm is None and relative not in datastore.folders:
            full = "%s %s" % (root, relative)
            raise faults.Fault.of("FileNotFound", "File %s was not found" % full, file=full)
        found = [self._folder_results(search, datastore, relative, vm)]
        if recurse:
            found += [self._folder_results(search, datastore, name, None) for name in made
                      if name.startswith(relative + "/")]
        return found if recurse else found[0]

    @staticmethod
    def _folder_results(search, datastore, name, vm):
        """A folder's results: a VM's files (``vm``), and what was made in it."""
        folder_path = "[%s] %s/" % (datastore.name, name)
        entries = vm_files(vm, folder_path) if vm is not None else []
        return search.results(datastore, folder_path, entries + datastore.user_entries(name))
