"""Distributed switches and their port groups, as an inventory loaded with ``--load`` holds
them (vcsim's default has one: DVS0, with DC0_DVPG0 and the uplink port group). A port group
is a Network a NIC can be backed on; a switch answers its identity, members and port groups.
Reconfiguring them is not emulated."""
from vimsim.model.inventory import ManagedEntity, Network
from vimsim.model.objects import refs, vim_property
from vimsim.vim25.data import DataObject


class DistributedVirtualSwitch(ManagedEntity):
    vim_type = "DistributedVirtualSwitch"

    def __init__(self, vc, moid, name, parent, uuid):
        super().__init__(vc, moid, name, parent)
        self.uuid = uuid
        self.portgroups, self.hosts = [], []

    @vim_property
    def uuid(self, ctx):
        return self.uuid

    @vim_property
    def portgroup(self, ctx):
        return refs(self.portgroups)

    @vim_property
    def summary(self, ctx):
        return DataObject("DVSSummary", name=self.name, uuid=self.uuid,
                          numPorts=sum(p.num_ports for p in self.portgroups),
                          hostMember=refs(self.hosts),
                          portgroupName=[p.name for p in self.portgroups])


class VmwareDistributedVirtualSwitch(DistributedVirtualSwitch):
    vim_type = "VmwareDistributedVirtualSwitch"


class DistributedVirtualPortgroup(Network):
    vim_type = "DistributedVirtualPortgroup"

    def __init__(self, vc, moid, name, parent, switch, key=None, num_ports=0):
        super().__init__(vc, moid, name, parent)
        self.switch = switch
        self.key = key or moid
        self.num_ports = num_ports

    def nic_backing(self):
        """The backing of a virtual NIC on this port group."""
        return DataObject("VirtualEthernetCardDistributedVirtualPortBackingInfo",
                          port=DataObject("DistributedVirtualSwitchPortConnection",
                                          switchUuid=self.switch.uuid, portgroupKey=self.key))

    @vim_property
    def key(self, ctx):
        return self.key

    @vim_property
    def config(self, ctx):
        return DataObject("DVPortgroupConfigInfo", key=self.key, name=self.name,
                          numPorts=self.num_ports, distributedVirtualSwitch=self.switch.ref,
                          type="earlyBinding")
