"""A guest's file system, in memory: what GuestFileManager lists, creates, moves and
transfers. Paths are the guest's own (``/tmp/out.txt`` on Linux, ``C:\\Users\\guest`` on
Windows, where names are case-insensitive); every entry has an owner and POSIX permissions,
and an unprivileged guest account writes only where those allow (its home, the temporary
folders), as in a real guest. Faults are the file faults vCenter answers with."""
import base64
import re

from vimsim.model import faults
from vimsim.vim25.data import DataObject

DIRECTORY, FILE, SYMLINK = "directory", "file", "symlink"
ROOT_UID = 0
# What one guest's files may hold in all (NoDiskSpace beyond): the emulator keeps them in
# memory, and in the --state file.
CAPACITY_BYTES = 256 * 1024 * 1024

LINUX_PROGRAMS = ("/bin/bash", "/bin/sh", "/bin/cat", "/bin/echo", "/bin/ls", "/bin/cp",
                  "/bin/mv", "/bin/rm", "/bin/mkdir", "/bin/sleep", "/bin/true", "/bin/false",
                  "/bin/hostname", "/bin/touch", "/usr/bin/env", "/usr/bin/python3",
                  "/usr/bin/perl", "/usr/bin/sudo", "/usr/bin/tee", "/usr/bin/curl",
                  "/usr/bin/systemctl", "/usr/bin/vmware-toolbox-cmd", "/usr/bin/whoami",
                  "/usr/bin/id", "/usr/bin/uname", "/usr/bin/tail", "/usr/bin/head",
                  "/usr/bin/grep", "/usr/bin/sed", "/usr/bin/awk", "/usr/bin/ps",
                  "/usr/bin/kill", "/usr/bin/df", "/usr/bin/date", "/sbin/ip", "/sbin/shutdown",
                  "/sbin/reboot")
WINDOWS_PROGRAMS = ("C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\whoami.exe",
                    "C:\\Windows\\System32\\hostname.exe", "C:\\Windows\\System32\\ipconfig.exe",
                    "C:\\Windows\\System32\\shutdown.exe",
                    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                    "C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe")


class PosixPaths:
    """Absolute, ``/``-separated, case-sensitive paths."""
    windows = False

    @staticmethod
    def parts(path):
        """The names along an absolute path (``.`` and ``..`` resolved); None for a path that
        is not absolute."""
        if not path.startswith("/"):
            return None
        return _resolve(path.split("/"))

    @staticmethod
    def join(parts):
        return "/" + "/".join(parts)

    @staticmethod
    def key(name):
        return name


class WindowsPaths:
    """``C:\\a\\b`` (or ``C:/a/b``): the drive first; names compare case-insensitively."""
    windows = True
    _DRIVE = re.compile(r"^[A-Za-z]:$")

    @classmethod
    def parts(cls, path):
        names = path.replace("/", "\\").split("\\")
        if not cls._DRIVE.match(names[0]):
            return None
        rest = _resolve(names[1:])
        return None if rest is None else [names[0].upper()] + rest

    @staticmethod
    def join(parts):
        return parts[0] + "\\" + "\\".join(parts[1:]) if len(parts) > 1 else \
            (parts[0] + "\\" if parts else "")

    @staticmethod
    def key(name):
        return name.lower()


def _resolve(names):
    out = []
    for name in names:
        if name in ("", "."):
            continue
        if name == "..":
            if out:
                out.pop()
            continue
        if "\0" in name:
            return None
        out.append(name)
    return out


class Node:
    """A directory, file or symbolic link, with its attributes."""
    __slots__ = ("name", "kind", "data", "children", "owner", "group", "permissions", "mtime",
                 "atime", "ctime", "hidden", "read_only", "target")

    def __init__(self, name, kind, owner, now, permissions=None, data=b""):
        self.name, self.kind, self.owner, self.group = name, kind, owner, owner
        self.permissions = permissions if permissions is not None else \
            (0o755 if kind == DIRECTORY else 0o644)
        self.data = data
        self.children = {} if kind == DIRECTORY else None
        self.mtime = self.atime = self.ctime = now
        self.hidden = self.read_only = False
        self.target = None

    @property
    def size(self):
        return 4096 if self.kind == DIRECTORY else len(self.data)

    def persisted_state(self):
        state = {"name": self.name, "kind": self.kind, "owner": self.owner,
                 "group": self.group, "permissions": self.permissions, "mtime": self.mtime,
                 "atime": self.atime, "ctime": self.ctime, "hidden": self.hidden,
                 "read_only": self.read_only, "target": self.target}
        if self.kind == DIRECTORY:
            state["children"] = [c.persisted_state() for c in self.children.values()]
        else:
            state["data"] = base64.b64encode(self.data).decode("ascii")
        return state

    @classmethod
    def restored(cls, state, key):
        node = cls(state["name"], state["kind"], state["owner"], state["mtime"],
                   state["permissions"], base64.b64decode(state.get("data", "")))
        for name in ("group", "atime", "ctime", "hidden", "read_only", "target"):
            setattr(node, name, state[name])
        for child in state.get("children", ()):
            node.children[key(child["name"])] = cls.restored(child, key)
        return node


class GuestFileSystem:
    """One guest's files. Methods take an account (vimsim/model/guest.py's GuestAccount)
    and its uid, and raise the file faults (and GuestPermissionDenied) a guest answers."""

    def __init__(self, windows, accounts, now, uids):
        self.paths = WindowsPaths if windows else PosixPaths
        self.root = Node("", DIRECTORY, ROOT_UID, now)
        self.used = 0
        self._layout(accounts, now, uids)

    # -- the guest's first files ---------------------------------------------------------

    def _layout(self, accounts, now, uids):
        if self.paths.windows:
            temp = "C:\\Windows\\Temp"
            dirs = ["C:\\Windows\\System32", "C:\\Program Files", "C:\\Users"]
            programs = WINDOWS_PROGRAMS
        else:
            temp = "/tmp"
            dirs = ["/etc", "/root", "/home", "/var/tmp", "/usr/bin", "/sbin"]
            programs = LINUX_PROGRAMS
        for path in dirs:
            self.force_directory(path, ROOT_UID, now)
        self.force_directory(temp, ROOT_UID, now).permissions = 0o1777
        if not self.paths.windows:
            self.find("/var/tmp").permissions = 0o1777
            self.find("/root").permissions = 0o700
        for path in programs:
            self.force_file(path, b"", ROOT_UID, now).permissions = 0o755
        for account in accounts.values():
            home = self.home(account)
            if self.find(home) is None:
                self.force_directory(home, uids[account.username], now)
            if self.paths.windows:
                self.force_directory(self.temp_directory(account), uids[account.username], now)

    def home(self, account):
        if self.paths.windows:
            return "C:\\Users\\%s" % account.username
        return "/root" if account.privileged and account.username == "root" else \
            "/home/%s" % account.username

    def temp_directory(self, account):
        if self.paths.windows:
            return self.home(account) + "\\AppData\\Local\\Temp"
        return "/tmp"

    def force_directory(self, path, owner, now):
        """The directory at ``path``, made with its parents if need be (no checks: the
        fixture's and the guest's own files)."""
        node = self.root
        for name in self.paths.parts(path):
            child = node.children.get(self.paths.key(name))
            if child is None:
                child = node.children[self.paths.key(name)] = Node(name, DIRECTORY, owner, now)
            node = child
        return node

    def force_file(self, path, data, owner, now):
        parts = self.paths.parts(path)
        parent = self.force_directory(self.paths.join(parts[:-1]), ROOT_UID, now) \
            if len(parts) > 1 else self.root
        old = parent.children.get(self.paths.key(parts[-1]))
        self.used += len(data) - (old.size if old is not None and old.kind == FILE else 0)
        node = parent.children[self.paths.key(parts[-1])] = Node(parts[-1], FILE, owner, now,
                                                                 data=data)
        return node

    # -- lookup --------------------------------------------------------------------------

    def parts(self, path, argument):
        """The names along ``path``; InvalidArgument naming the parameter when the path is
        not one the guest takes (empty, relative)."""
        parts = self.paths.parts(path) if isinstance(path, str) and path else None
        if parts is None:
            raise faults.InvalidArgument(invalidProperty=argument)
        return parts

    def find(self, path):
        """The node at ``path``, or None."""
        parts = self.paths.parts(path) if path else None
        return self._walk(parts) if parts is not None else None

    def _walk(self, parts):
        node = self.root
        for name in parts:
            if node.kind != DIRECTORY:
                return None
            node = node.children.get(self.paths.key(name))
            if node is None:
                return None
        return node

    def lookup(self, path, argument, account, uid):
        """The node at ``path``; FileNotFound, or GuestPermissionDenied where a folder on
        the way may not be entered."""
        parts = self.parts(path, argument)
        node = self.root
        for name in parts:
            if node.kind != DIRECTORY:
                raise faults.FileNotFound(file=path)
            if not self.may(node, account, uid, 0o1):
                raise faults.GuestPermissionDenied()
            node = node.children.get(self.paths.key(name))
            if node is None:
                raise faults.FileNotFound(file=path)
        return node

    def parent_of(self, path, argument, account, uid):
        """(the directory that holds ``path``, the entry's name); FileNotFound when that
        directory does not exist."""
        parts = self.parts(path, argument)
        if not parts or (self.paths.windows and len(parts) == 1):
            raise faults.InvalidArgument(invalidProperty=argument)
        parent_path = self.paths.join(parts[:-1]) if len(parts) > 1 else "/"
        parent = self.lookup(parent_path, argument, account, uid)
        if parent.kind != DIRECTORY:
            raise faults.NotADirectory(file=parent_path)
        return parent, parts[-1]

    @staticmethod
    def may(node, account, uid, bit):
        """Whether the account may read (4), write (2) or enter (1) ``node``."""
        if account.privileged:
            return True
        shift = 6 if node.owner == uid else 0
        return bool(node.permissions & (bit << shift))

    def require(self, node, account, uid, bit):
        if not self.may(node, account, uid, bit):
            raise faults.GuestPermissionDenied()

    def path_of(self, parent_path, name):
        parts = self.paths.parts(parent_path) or []
        return self.paths.join(parts + [name])

    # -- changes -------------------------------------------------------------------------

    def make_directory(self, path, parents, account, uid, now):
        parts = self.parts(path, "directoryPath")
        if self._walk(parts) is not None:
            raise faults.FileAlreadyExists(file=path)
        node = self.root
        for i, name in enumerate(parts):
            child = node.children.get(self.paths.key(name))
            if child is None:
                if not parents and i < len(parts) - 1:
                    raise faults.FileNotFound(file=self.paths.join(parts[:i + 1]))
                self.require(node, account, uid, 0o2)
                child = node.children[self.paths.key(name)] = Node(name, DIRECTORY, uid, now)
                node.mtime = now
            elif child.kind != DIRECTORY:
                raise faults.NotADirectory(file=self.paths.join(parts[:i + 1]))
            else:
                self.require(child, account, uid, 0o1)
            node = child

    def delete_file(self, path, account, uid):
        node = self.lookup(path, "filePath", account, uid)
        if node.kind == DIRECTORY:
            raise faults.NotAFile(file=path)
        parent, name = self.parent_of(path, "filePath", account, uid)
        self._unlink(parent, name, account, uid)

    def delete_directory(self, path, recursive, account, uid):
        node = self.lookup(path, "directoryPath", account, uid)
        if node.kind != DIRECTORY:
            raise faults.NotADirectory(file=path)
        if node is self.root or (self.paths.windows and len(self.parts(path, "")) == 1):
            raise faults.CannotDeleteFile(file=path)
        if node.children and not recursive:
            raise faults.DirectoryNotEmpty(file=path)
        if recursive and not account.privileged:
            self._require_tree(node, account, uid)
        parent, name = self.parent_of(path, "directoryPath", account, uid)
        self._unlink(parent, name, account, uid)

    def _require_tree(self, node, account, uid):
        for child in node.children.values():
            if child.kind == DIRECTORY:
                self.require(child, account, uid, 0o3)
                self._require_tree(child, account, uid)

    def _unlink(self, parent, name, account, uid):
        self.require(parent, account, uid, 0o2)
        node = parent.children.pop(self.paths.key(name))
        self.used -= _bytes(node)

    def move(self, src, dst, directory, overwrite, account, uid, now):
        """MoveDirectoryInGuest (``directory``) or MoveFileInGuest."""
        src_arg, dst_arg = ("srcDirectoryPath", "dstDirectoryPath") if directory else \
            ("srcFilePath", "dstFilePath")
        node = self.lookup(src, src_arg, account, uid)
        if directory and node.kind != DIRECTORY:
            raise faults.NotADirectory(file=src)
        if not directory and node.kind == DIRECTORY:
            raise faults.NotAFile(file=src)
        src_parts, dst_parts = self.parts(src, src_arg), self.parts(dst, dst_arg)
        keys = [self.paths.key(n) for n in dst_parts]
        if directory and keys[:len(src_parts)] == [self.paths.key(n) for n in src_parts]:
            raise faults.InvalidArgument(invalidProperty=dst_arg)
        target_parent, target_name = self.parent_of(dst, dst_arg, account, uid)
        existing = target_parent.children.get(self.paths.key(target_name))
        if existing is not None and existing is not node:
            if directory or not overwrite:
                raise faults.FileAlreadyExists(file=dst)
            if existing.kind == DIRECTORY:
                raise faults.NotAFile(file=dst)
        src_parent, src_name = self.parent_of(src, src_arg, account, uid)
        self.require(src_parent, account, uid, 0o2)
        self.require(target_parent, account, uid, 0o2)
        if existing is not None and existing is not node:
            self.used -= _bytes(existing)
        del src_parent.children[self.paths.key(src_name)]
        node.name = target_name
        target_parent.children[self.paths.key(target_name)] = node
        src_parent.mtime = target_parent.mtime = now

    def create(self, parent, name, kind, account, uid, now):
        """A new empty file or directory ``name`` in ``parent`` (which the caller checked)."""
        self.require(parent, account, uid, 0o2)
        node = parent.children[self.paths.key(name)] = Node(name, kind, uid, now)
        parent.mtime = now
        return node

    def write(self, path, data, attributes, overwrite, account, uid, now):
        """A file's whole content, as an upload leaves it (its attributes applied)."""
        parent, name = self.parent_of(path, "guestFilePath", account, uid)
        old = parent.children.get(self.paths.key(name))
        if old is not None:
            if old.kind == DIRECTORY:
                raise faults.NotAFile(file=path)
            if not overwrite:
                raise faults.FileAlreadyExists(file=path)
            self.require(old, account, uid, 0o2)
        else:
            self.require(parent, account, uid, 0o2)
        self.require_space(path, len(data) - (old.size if old is not None else 0))
        node = Node(name, FILE, uid, now, data=bytes(data))
        if old is not None:
            self.used -= old.size
        parent.children[self.paths.key(name)] = node
        self.used += len(data)
        parent.mtime = now
        if attributes is not None:
            self.set_attributes(node, attributes, account, uid)
        return node

    def require_space(self, path, more):
        if self.used + more > CAPACITY_BYTES:
            raise faults.NoDiskSpace(file=path, datastore="")

    def set_attributes(self, node, attributes, account, uid):
        """ChangeFileAttributesInGuest's GuestPosixFileAttributes or
        GuestWindowsFileAttributes, each on the guest it belongs to."""
        posix = attributes._typeName == "GuestPosixFileAttributes"
        windows = attributes._typeName == "GuestWindowsFileAttributes"
        if (posix and self.paths.windows) or (windows and not self.paths.windows):
            raise faults.InvalidArgument(invalidProperty="fileAttributes")
        if not account.privileged and node.owner != uid:
            raise faults.GuestPermissionDenied()
        if posix:
            for name in ("ownerId", "groupId"):
                value = getattr(attributes, name)
                if value is not None and value < 0:
                    raise faults.InvalidArgument(invalidProperty=name)
            if (attributes.ownerId not in (None, node.owner) or
                    attributes.groupId not in (None, node.group)) and not account.privileged:
                raise faults.GuestPermissionDenied()
            if attributes.permissions is not None:
                if not 0 <= attributes.permissions <= 0o7777:
                    raise faults.InvalidArgument(invalidProperty="permissions")
                node.permissions = attributes.permissions
            node.owner = attributes.ownerId if attributes.ownerId is not None else node.owner
            node.group = attributes.groupId if attributes.groupId is not None else node.group
        if windows:
            node.hidden = attributes.hidden if attributes.hidden is not None else node.hidden
            if attributes.readOnly is not None:
                node.read_only = attributes.readOnly
            node.ctime = attributes.createTime or node.ctime
        node.mtime = attributes.modificationTime or node.mtime
        node.atime = attributes.accessTime or node.atime

    # -- what the guest reports ----------------------------------------------------------

    def attributes(self, node):
        if self.paths.windows:
            return DataObject("GuestWindowsFileAttributes", modificationTime=node.mtime,
                              accessTime=node.atime, symlinkTarget=node.target,
                              hidden=node.hidden, readOnly=node.read_only,
                              createTime=node.ctime)
        return DataObject("GuestPosixFileAttributes", modificationTime=node.mtime,
                          accessTime=node.atime, symlinkTarget=node.target,
                          ownerId=node.owner, groupId=node.group,
                          permissions=node.permissions)

    def persisted_state(self):
        return {"windows": self.paths.windows, "root": self.root.persisted_state(),
                "used": self.used}

    @classmethod
    def restored(cls, state):
        fs = cls.__new__(cls)
        fs.paths = WindowsPaths if state["windows"] else PosixPaths
        fs.root = Node.restored(state["root"], fs.paths.key)
        fs.used = state["used"]
        return fs


def _bytes(node):
    if node.kind != DIRECTORY:
        return node.size
    return sum(_bytes(c) for c in node.children.values())
