"""Files on a datastore besides the VMs' own: the folders FileManager.MakeDirectory makes and
the files /folder uploads (an ISO, a script), moved, copied and deleted by FileManager's
tasks; the datastore browser lists them beside the VM folders (vimsim/model/datastore.py).

A datastore keeps them in ``folders`` (relative path: when made) and ``files`` (relative
path: size, when written, the bytes in base64), both in --state. A VM's files are the VM's:
they are read (a .vmx comes out as the VM's configuration), not deleted or overwritten.
"""
import base64
import posixpath

from vimsim.model import authorization, faults, vm_hardware, vm_settings
from vimsim.model.datastore import parse_datastore_path
from vimsim.model.objects import ManagedObject
from vimsim.vim25.primitives import NOT_XML, xml_safe

FILE_PRIVILEGE = "Datastore.FileManagement"
BROWSE_PRIVILEGE = "Datastore.Browse"
# A FileManager task, queued to success (timings["datastore_file"] when the vCenter has it).
TASK_SECONDS = 0.1


def full_path(datastore, relative):
    return "[%s] %s" % (datastore.name, relative) if relative else "[%s]" % datastore.name


def _file_fault(type_name, message, datastore, relative):
    path = full_path(datastore, relative)
    return faults.Fault.of(type_name, message % path, file=path)


def already_exists(datastore, relative):
    return _file_fault("FileAlreadyExists", "Cannot complete the operation because the file "
                       "or folder %s already exists", datastore, relative)


def not_found(datastore, relative):
    return _file_fault("FileNotFound", "File %s was not found", datastore, relative)


def datastores_of(vc, datacenter):
    """The datastores a path may name: the datacenter's, or every one without a datacenter."""
    if datacenter is not None:
        return list(datacenter.datastores)
    return [o for o in vc.objects.values() if o.vim_type == "Datastore"]


def find_datastore(vc, name, candidates):
    """The datastore of that name among ``candidates``; InvalidDatastore as vCenter's."""
    found = next((d for d in candidates if d.name == name), None)
    if found is None:
        other = next((o for o in vc.objects.values()
                      if o.vim_type == "Datastore" and o.name == name), None)
        raise faults.Fault.of("InvalidDatastore", "Invalid datastore '%s'." % name, name=name,
                              datastore=other.ref if other else None)
    return found


def resolve(vc, path, datacenter=None):
    """(datastore, relative path) of a datastore path such as ``[LocalDS_0] iso/a.iso``;
    InvalidDatastorePath for one that climbs out of the datastore or holds a character XML
    cannot carry (a /folder URL may name anything)."""
    name, relative = parse_datastore_path(path)
    if relative == ".." or relative.startswith("../") or NOT_XML.search(path):
        raise faults.Fault.of("InvalidDatastorePath", "Invalid datastore path '%s'."
                              % xml_safe(path), datastorePath=xml_safe(path))
    return find_datastore(vc, name, datastores_of(vc, datacenter)), relative


def parent_of(relative):
    return posixpath.dirname(relative)


def vm_owning(datastore, relative):
    """The VM whose folder ``relative`` is or lies in, or None."""
    top = relative.split("/", 1)[0]
    return datastore.vm_folders().get(top) if relative else None


def vm_file(datastore, relative):
    """The VM file (a layoutEx name) at ``relative``, or None."""
    vm = vm_owning(datastore, relative)
    if vm is None:
        return None
    full = full_path(datastore, relative)
    return next((f for f in vm_hardware.files(vm) if f.name == full), None)


def is_folder(datastore, relative):
    return not relative or relative in datastore.folders or (
        "/" not in relative and relative in datastore.vm_folders())


def exists(datastore, relative):
    return is_folder(datastore, relative) or relative in datastore.files or \
        vm_file(datastore, relative) is not None


def below(relative, path):
    return path.startswith(relative + "/") if relative else True


def _require(vc, ctx, datastore, privilege):
    authorization.require(vc, ctx, datastore, privilege)


def _require_parent(datastore, relative):
    parent = parent_of(relative)
    if not is_folder(datastore, parent):
        raise not_found(datastore, parent)


def _require_users(datastore, relative):
    """CannotDeleteFile for a VM's files: they go with the VM (Destroy_Task)."""
    if vm_owning(datastore, relative) is not None and (
            "/" not in relative or vm_file(datastore, relative) is not None):
        raise _file_fault("CannotDeleteFile", "Cannot delete file %s", datastore, relative)


# -- what FileManager and /folder do -------------------------------------------------------

def make_directory(vc, ctx, path, datacenter, parents):
    datastore, relative = resolve(vc, path, datacenter)
    _require(vc, ctx, datastore, FILE_PRIVILEGE)
    if not relative or exists(datastore, relative):
        raise already_exists(datastore, relative)
    missing = []
    folder = parent_of(relative)
    while folder and not is_folder(datastore, folder):
        if folder in datastore.files:
            raise already_exists(datastore, folder)
        missing.append(folder)
        folder = parent_of(folder)
    if missing and not parents:
        raise not_found(datastore, missing[0])
    now = vc.clock.now()
    for made in reversed([relative] + missing):
        datastore.folders[made] = now
    vc.touch(datastore)


def delete(vc, ctx, datastore, relative):
    """DeleteDatastoreFile_Task's work (and /folder's DELETE): a file, or a folder with
    everything in it; the space they took is free again."""
    if not exists(datastore, relative):
        raise not_found(datastore, relative)
    if not relative:  # the datastore itself
        raise _file_fault("CannotDeleteFile", "Cannot delete file %s", datastore, relative)
    _require_users(datastore, relative)
    freed = 0
    for path in [p for p in datastore.files if p == relative or below(relative, p)]:
        freed += datastore.files.pop(path)["size"]
    for path in [p for p in datastore.folders if p == relative or below(relative, p)]:
        del datastore.folders[path]
    datastore.allocate(-freed)
    vc.touch(datastore)


def transfer(vc, source, source_rel, target, target_rel, force, keep_source):
    """CopyDatastoreFile_Task's and MoveDatastoreFile_Task's work: a file or a user folder
    with what it holds to ``target_rel`` (whose parent must exist); an existing target is
    FileAlreadyExists unless ``force``; the space follows."""
    if not exists(source, source_rel) or not source_rel:
        raise not_found(source, source_rel)
    if not keep_source:
        _require_users(source, source_rel)
    elif vm_owning(source, source_rel) is not None and "/" not in source_rel:
        raise _file_fault("FileFault", "Cannot copy or move the folder %s of a virtual "
                          "machine", source, source_rel)
    if source is target and (target_rel == source_rel or below(source_rel, target_rel)):
        raise already_exists(target, target_rel)
    _require_parent(target, target_rel)
    if exists(target, target_rel):
        if not force or is_folder(target, target_rel) or \
                vm_owning(target, target_rel) is not None:
            raise already_exists(target, target_rel)
        target.allocate(-target.files.pop(target_rel)["size"])
    now = vc.clock.now()
    if source_rel in source.folders:
        moved_folders = {p: t for p, t in source.folders.items()
                         if p == source_rel or below(source_rel, p)}
        moved_files = {p: r for p, r in source.files.items() if below(source_rel, p)}
    else:
        moved_folders, moved_files = {}, {source_rel: file_record(source, source_rel, now)}
    size = 0
    for path, when in moved_folders.items():
        target.folders[target_rel + path[len(source_rel):]] = when if not keep_source else now
    for path, record in moved_files.items():
        target.files[target_rel + path[len(source_rel):]] = dict(record)
        size += record["size"]
    if not keep_source:
        for path in moved_files:
            source.files.pop(path, None)
        for path in moved_folders:
            del source.folders[path]
        source.allocate(-size)
    target.allocate(size)
    for ds in {source, target}:
        vc.touch(ds)


def file_record(datastore, relative, now):
    """The record of a file at ``relative``: an uploaded one's, or a VM file's as read."""
    record = datastore.files.get(relative)
    if record is not None:
        return record
    data = read(datastore, relative)
    return {"size": len(data), "modified": now, "data": base64.b64encode(data).decode("ascii")}


def read(datastore, relative):
    """A file's bytes: an uploaded file's; a VM's .vmx as the VM's configuration; another
    VM file empty (vimsim keeps no disk contents). FileNotFound for anything else."""
    record = datastore.files.get(relative)
    if record is not None:
        return base64.b64decode(record["data"])
    found = vm_file(datastore, relative)
    if found is None:
        raise not_found(datastore, relative)
    if found.type == "config":
        return vmx_text(vm_owning(datastore, relative)).encode("utf-8")
    return b""


def write(vc, datastore, relative, data):
    """/folder's PUT: the file made or replaced (True when made), with the folders it is in
    (Ansible's vsphere_file makes a folder so); a VM's own files are not replaced."""
    if not relative or is_folder(datastore, relative):
        raise already_exists(datastore, relative)
    if vm_file(datastore, relative) is not None:
        raise _file_fault("FileLocked", "Unable to access file %s since it is locked",
                          datastore, relative)
    old = datastore.files.get(relative)
    if len(data) - (old["size"] if old else 0) > datastore.free:
        raise faults.Fault.of("NoDiskSpace", "There is not enough space on the file system "
                              "for the selected operation.", datastore=datastore.name)
    now = vc.clock.now()
    folder = parent_of(relative)
    while folder and not is_folder(datastore, folder):
        if folder in datastore.files:
            raise not_found(datastore, folder)
        datastore.folders[folder] = now
        folder = parent_of(folder)
    datastore.files[relative] = {"size": len(data), "modified": now,
                                 "data": base64.b64encode(data).decode("ascii")}
    datastore.allocate(len(data) - (old["size"] if old else 0))
    vc.touch(datastore)
    return old is None


def vmx_text(vm):
    """A VM's .vmx as ESXi writes the keys clients read (displayName, guestOS, uuids, ...)."""
    lines = [(".encoding", "UTF-8"), ("config.version", "8"),
             ("virtualHW.version", vm_settings.version(vm).split("-", 1)[1]),
             ("displayName", vm.name), ("guestOS", vm.guest_id),
             ("memSize", str(vm.memory_mb)), ("numvcpus", str(vm.num_cpu)),
             ("uuid.bios", vm.uuid), ("vc.uuid", vm.instance_uuid),
             ("annotation", vm.annotation or "")]
    lines += sorted(vm.extra_config.items())
    return "".join('%s = "%s"\n' % (k, str(v).replace('"', '|22')) for k, v in lines)


class FileManager(ManagedObject):
    """vim25's FileManager: datastore folders and files by datastore path. vim25 leaves the
    privileges to the methods; vCenter asks Datastore.FileManagement on the datastores."""

    vim_type = "FileManager"

    def _resolve(self, ctx, path, datacenter):
        dc = self.vc.lookup(datacenter, ctx) if datacenter is not None else None
        datastore, relative = resolve(self.vc, path, dc)
        _require(self.vc, ctx, datastore, FILE_PRIVILEGE)
        return datastore, relative

    def _task(self, ctx, method, description_id, entity, body, args):
        seconds = self.vc.timings.get("datastore_file", TASK_SECONDS)
        return self.vc.task_manager.create(ctx, entity, method, description_id, body, seconds,
                                           lock=False, args=args).ref

    def MakeDirectory(self, ctx, name, datacenter=None, createParentDirectories=None):
        dc = self.vc.lookup(datacenter, ctx) if datacenter is not None else None
        make_directory(self.vc, ctx, name, dc, bool(createParentDirectories))

    def DeleteDatastoreFile_Task(self, ctx, name, datacenter=None):
        datastore, relative = self._resolve(ctx, name, datacenter)
        return self._task(ctx, "DeleteDatastoreFile_Task", "FileManager.deleteFile", datastore,
                          self._delete_body, (datastore, relative))

    def _delete_body(self, datastore, relative):
        delete(self.vc, None, datastore, relative)

    def MoveDatastoreFile_Task(self, ctx, sourceName, destinationName, sourceDatacenter=None,
                               destinationDatacenter=None, force=None):
        return self._transfer_task(ctx, "MoveDatastoreFile_Task", "FileManager.moveFile",
                                   sourceName, sourceDatacenter, destinationName,
                                   destinationDatacenter or sourceDatacenter, force, False)

    def CopyDatastoreFile_Task(self, ctx, sourceName, destinationName, sourceDatacenter=None,
                               destinationDatacenter=None, force=None):
        return self._transfer_task(ctx, "CopyDatastoreFile_Task", "FileManager.copyFile",
                                   sourceName, sourceDatacenter, destinationName,
                                   destinationDatacenter or sourceDatacenter, force, True)

    def _transfer_task(self, ctx, method, description_id, source_path, source_dc, target_path,
                       target_dc, force, keep_source):
        source, source_rel = self._resolve(ctx, source_path, source_dc)
        target, target_rel = self._resolve(ctx, target_path, target_dc)
        return self._task(ctx, method, description_id, source, self._transfer_body,
                          (source, source_rel, target, target_rel, bool(force), keep_source))

    def _transfer_body(self, source, source_rel, target, target_rel, force, keep_source):
        transfer(self.vc, source, source_rel, target, target_rel, force, keep_source)
