"""GuestOperationsManager: the entry to a guest's processes, files and credentials. It names
its managers, as vCenter's does; their methods answer MethodNotFound until guest operations
are emulated (a client gets a clean fault, not a missing manager)."""
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.model.service import model_class

# GuestOperationsManager's references: (property, type, moId as vCenter names them).
MANAGERS = (("authManager", "GuestAuthManager", "guestOperationsAuthManager"),
            ("fileManager", "GuestFileManager", "guestOperationsFileManager"),
            ("processManager", "GuestProcessManager", "guestOperationsProcessManager"),
            ("guestWindowsRegistryManager", "GuestWindowsRegistryManager",
             "guestOperationsGuestWindowsRegistryManager"),
            ("aliasManager", "GuestAliasManager", "guestOperationsAliasManager"))


class GuestOperationsManager(ManagedObject):
    vim_type = "GuestOperationsManager"

    def __init__(self, vc, moid="guestOperationsManager"):
        super().__init__(vc, moid)
        self.managers = {prop: vc.add(model_class(type_name)(vc, manager_moid))
                         for prop, type_name, manager_moid in MANAGERS}

    @vim_property
    def authManager(self, ctx):
        return self.managers["authManager"].ref

    @vim_property
    def fileManager(self, ctx):
        return self.managers["fileManager"].ref

    @vim_property
    def processManager(self, ctx):
        return self.managers["processManager"].ref

    @vim_property
    def guestWindowsRegistryManager(self, ctx):
        return self.managers["guestWindowsRegistryManager"].ref

    @vim_property
    def aliasManager(self, ctx):
        return self.managers["aliasManager"].ref
