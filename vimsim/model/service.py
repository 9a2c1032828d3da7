"""ServiceInstance: the root object and the ServiceContent that names every manager."""
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject


class ServiceInstance(ManagedObject):
    vim_type = "ServiceInstance"

    def __init__(self, vc):
        super().__init__(vc, "ServiceInstance")

    def RetrieveServiceContent(self, ctx):
        return self.vc.service_content()

    def CurrentTime(self, ctx):
        return self.vc.clock.now()

    @vim_property
    def content(self, ctx):
        return self.vc.service_content()

    @vim_property
    def serverClock(self, ctx):
        return self.vc.clock.now()

    @vim_property
    def capability(self, ctx):
        return DataObject("Capability", provisioningSupported=True,
                          multiHostSupported=True, userShellAccessSupported=False,
                          supportedEVCMode=[], supportedEVCGraphicsMode=[],
                          networkBackupAndRestoreSupported=False)
