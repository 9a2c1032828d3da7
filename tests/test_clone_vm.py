"""VirtualMachine.CloneVM_Task through pyVmomi: placement, config changes, customization at
the clone's first boot, templates, faults and events, on the virtual clock."""
import pytest
import yaml
from pyVmomi import vim, vmodl

from conftest import find_vm
from vimsim.model import fixture as fixtures

C = vim.vm.customization


def vm_folder(si):
    return si.content.rootFolder.childEntity[0].vmFolder


def linux_customization(host_name="clone01", address="10.0.7.7"):
    return C.Specification(
        identity=C.LinuxPrep(hostName=C.FixedName(name=host_name), domain="example.com"),
        globalIPSettings=C.GlobalIPSettings(),
        nicSettingMap=[C.AdapterMapping(adapter=C.IPSettings(
            ip=C.FixedIp(ipAddress=address), subnetMask="255.255.255.0"))])


def finished(emulator, task, seconds=3):
    emulator.advance(seconds)
    assert task.info.state in ("success", "error")
    return task


def test_clone_copies_the_source_with_a_new_identity(emulator, si):
    source = find_vm(si, "DC0_H0_VM0")
    task = source.CloneVM_Task(folder=vm_folder(si), name="web-clone",
                               spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec()))
    assert task.info.state in ("queued", "running")
    emulator.advance(2)
    assert task.info.state == "success"
    clone = task.info.result
    assert clone.name == "web-clone" and clone.runtime.powerState == "poweredOff"
    assert clone.config.uuid != source.config.uuid
    assert clone.config.instanceUuid != source.config.instanceUuid
    assert clone.config.guestId == source.config.guestId
    assert clone.config.hardware.numCPU == source.config.hardware.numCPU
    assert clone.resourcePool == source.resourcePool and clone.runtime.host == source.runtime.host
    assert clone.datastore == source.datastore and clone.network == source.network
    nic = lambda vm: next(d for d in vm.config.hardware.device  # noqa: E731
                          if isinstance(d, vim.vm.device.VirtualEthernetCard))
    assert nic(clone).macAddress != nic(source).macAddress
    assert find_vm(si, "web-clone") == clone
    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        eventTypeId=["VmBeingClonedEvent", "VmClonedEvent"]))
    being = [e for e in events if isinstance(e, vim.event.VmBeingClonedEvent)]
    cloned = [e for e in events if isinstance(e, vim.event.VmClonedEvent)]
    assert being[-1].destName == "web-clone" and being[-1].vm.vm == source
    assert cloned[-1].vm.vm == clone and cloned[-1].sourceVm.vm == source
    assert being[-1].chainId == cloned[-1].chainId


def test_clone_with_config_and_a_placement(emulator, si):
    source = find_vm(si, "DC0_C0_RP0_VM0")
    pools = si.content.viewManager.CreateContainerView(
        si.content.rootFolder, [vim.ResourcePool], True).view
    pool = next(p for p in pools if p.name == "DC0_C0_RP1")
    host = pool.owner.host[1]
    config = vim.vm.ConfigSpec(numCPUs=4, memoryMB=2048, annotation="made by a test",
                               extraConfig=[vim.option.OptionValue(key="guestinfo.role",
                                                                   value="db")])
    task = source.CloneVM_Task(folder=vm_folder(si), name="db-clone", spec=vim.vm.CloneSpec(
        location=vim.vm.RelocateSpec(pool=pool, host=host), config=config))
    clone = finished(emulator, task).info.result
    assert (clone.config.hardware.numCPU, clone.config.hardware.memoryMB) == (4, 2048)
    assert clone.config.annotation == "made by a test"
    assert {o.key: o.value for o in clone.config.extraConfig}["guestinfo.role"] == "db"
    assert clone.resourcePool == pool and clone.runtime.host == host


def test_clone_with_customization_and_power_on(emulator, si):
    source = find_vm(si, "DC0_H0_VM0")
    task = source.CloneVM_Task(folder=vm_folder(si), name="custom-clone", spec=vim.vm.CloneSpec(
        location=vim.vm.RelocateSpec(), powerOn=True, customization=linux_customization()))
    emulator.advance(2)
    assert task.info.state == "success"  # the task ends with the clone booting
    clone = task.info.result
    assert clone.runtime.powerState == "poweredOn"
    assert clone.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_PENDING"
    emulator.advance(3 + 1)  # Tools start, then the guest starts customizing
    assert clone.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
    emulator.advance(3)
    assert clone.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert clone.guest.hostName == "clone01" and clone.guest.ipAddress == "10.0.7.7"
    assert source.guest.hostName != "clone01"


def test_the_timeline_of_a_clone_powered_on_with_a_customization(emulator, si):
    """CloneVM_Task with powerOn and a customization on the virtual clock: the task (2 s) ends
    with the clone booting and the customization PENDING; Tools start 3 s later, RUNNING 1 s
    after, SUCCEEDED 3 s after that; each event at its time, in one chain for the clone."""
    source = find_vm(si, "DC0_H0_VM0")
    task = source.CloneVM_Task(folder=vm_folder(si), name="timed-clone", spec=vim.vm.CloneSpec(
        location=vim.vm.RelocateSpec(), powerOn=True, customization=linux_customization()))
    t0 = task.info.queueTime

    def at(when):
        return round((when - t0).total_seconds(), 3)

    emulator.advance(1.999)
    assert task.info.state == "running"
    with pytest.raises(LookupError):  # no clone until the task ends
        find_vm(si, "timed-clone")
    emulator.advance(0.001)
    info = task.info
    assert info.state == "success" and at(info.completeTime) == 2
    clone = info.result
    assert clone.runtime.powerState == "poweredOn" and at(clone.runtime.bootTime) == 2
    assert clone.config.tools.pendingCustomization
    custom = clone.guest.customizationInfo
    assert (custom.customizationStatus, custom.startTime, custom.endTime) == (
        "TOOLSDEPLOYPKG_PENDING", None, None)
    emulator.advance(3)
    assert clone.guest.toolsRunningStatus == "guestToolsRunning"
    assert clone.config.tools.pendingCustomization is None
    assert clone.guest.customizationInfo.customizationStatus == "TOOLSDEPLOYPKG_PENDING"
    emulator.advance(1)
    custom = clone.guest.customizationInfo
    assert custom.customizationStatus == "TOOLSDEPLOYPKG_RUNNING"
    assert at(custom.startTime) == 6 and custom.endTime is None
    assert clone.guest.hostName != "clone01"  # applied when it succeeds
    emulator.advance(3)
    custom = clone.guest.customizationInfo
    assert custom.customizationStatus == "TOOLSDEPLOYPKG_SUCCEEDED"
    assert (at(custom.startTime), at(custom.endTime)) == (6, 9)
    assert clone.guest.hostName == "clone01" and clone.guest.ipAddress == "10.0.7.7"

    events = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        time=vim.event.EventFilterSpec.ByTime(beginTime=t0)))
    timeline = [(type(e).__name__.split(".")[-1], e.vm.name, at(e.createdTime))
                for e in sorted(events, key=lambda e: e.key) if isinstance(e, vim.event.VmEvent)]
    assert timeline == [
        ("VmBeingClonedEvent", "DC0_H0_VM0", 0), ("VmClonedEvent", "timed-clone", 2),
        ("VmPoweredOnEvent", "timed-clone", 2), ("CustomizationStartedEvent", "timed-clone", 6),
        ("CustomizationSucceeded", "timed-clone", 9)]
    chain = {e.chainId for e in events if isinstance(e, vim.event.VmEvent) and
             not isinstance(e, vim.event.CustomizationEvent)}
    assert chain == {task.info.eventChainId}


def test_a_clone_of_the_same_name_in_another_folder_gets_a_folder_of_its_own(emulator, si):
    """vCenter keeps one name to a folder, and gives a new VM's files a datastore folder no
    other VM has: ``name_1/`` when ``name/`` is taken."""
    source = find_vm(si, "DC0_H0_VM0")
    other = vm_folder(si).CreateFolder("other")
    empty = vim.vm.CloneSpec(location=vim.vm.RelocateSpec())
    task = finished(emulator, source.CloneVM_Task(folder=other, name=source.name, spec=empty))
    clone = task.info.result
    assert clone.parent == other and clone.name == source.name
    assert source.config.files.vmPathName == "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmx"
    assert clone.config.files.vmPathName == "[LocalDS_0] DC0_H0_VM0_1/DC0_H0_VM0.vmx"
    disks = [d for d in clone.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    assert disks and all(d.backing.fileName.startswith("[LocalDS_0] DC0_H0_VM0_1/")
                         for d in disks)
    again = finished(emulator, source.CloneVM_Task(folder=other, name=source.name, spec=empty))
    assert again.info.state == "error" and isinstance(again.info.error, vim.fault.DuplicateName)


def test_clone_faults(emulator, si):
    source = find_vm(si, "DC0_H0_VM0")
    folder = vm_folder(si)
    empty = vim.vm.CloneSpec(location=vim.vm.RelocateSpec())
    error = finished(emulator, source.CloneVM_Task(folder=folder, name="DC0_H0_VM1",
                                                   spec=empty)).info.error
    assert isinstance(error, vim.fault.DuplicateName) and error.name == "DC0_H0_VM1"
    error = finished(emulator, source.CloneVM_Task(folder=folder, name="", spec=empty)).info.error
    assert isinstance(error, vmodl.fault.InvalidArgument) and error.invalidProperty == "name"
    two_nics = linux_customization()
    two_nics.nicSettingMap = two_nics.nicSettingMap * 2
    error = finished(emulator, source.CloneVM_Task(folder=folder, name="nic-clone",
                                                   spec=vim.vm.CloneSpec(
                                                       location=vim.vm.RelocateSpec(),
                                                       customization=two_nics))).info.error
    assert isinstance(error, vim.fault.NicSettingMismatch)
    with pytest.raises(vmodl.fault.InvalidArgument) as bad:
        source.CloneVM_Task(folder=folder, name="x", spec=vim.vm.CloneSpec(
            location=vim.vm.RelocateSpec(pool=find_vm(si, "DC0_H0_VM1").resourcePool,
                                         host=si.content.searchIndex.FindByDnsName(
                                             dnsName="DC0_C0_H0", vmSearch=False))))
    assert bad.value.invalidProperty == "spec.location.host"
    failed = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        eventTypeId=["VmCloneFailedEvent"]))
    assert {e.destName for e in failed} >= {"DC0_H0_VM1", "nic-clone"}
    assert all(isinstance(e.reason, vmodl.MethodFault) for e in failed)
    names = {vm.name for vm in si.content.viewManager.CreateContainerView(
        si.content.rootFolder, [vim.VirtualMachine], True).view}
    assert "nic-clone" not in names  # a failed clone leaves nothing behind
    readonly = emulator.connect("readonly", "readonly")
    with pytest.raises(vim.fault.NoPermission) as refused:
        find_vm(readonly, "DC0_H0_VM0").CloneVM_Task(folder=folder, name="ro", spec=empty)
    assert refused.value.privilegeId == "VirtualMachine.Provisioning.Clone"


def test_many_clones_of_one_source_at_once(emulator, si):
    """Deploying several VMs from one source at once works, as on vCenter (Terraform's
    ``count``, Ansible's loops); a source another task is changing is TaskInProgress."""
    source = find_vm(si, "DC0_H0_VM0")
    tasks = [source.CloneVM_Task(folder=vm_folder(si), name=name, spec=vim.vm.CloneSpec(
        location=vim.vm.RelocateSpec(), customization=linux_customization(name, address)))
        for name, address in (("par1", "10.0.8.1"), ("par2", "10.0.8.2"), ("par1", "10.0.8.3"))]
    with pytest.raises(vim.fault.TaskInProgress) as busy:  # nor is the source changed meanwhile
        source.PowerOffVM_Task()
    assert busy.value.task == tasks[0]
    assert tasks[1].info.locked == [source]
    emulator.advance(2)
    assert [t.info.state for t in tasks] == ["success", "success", "error"]
    assert isinstance(tasks[2].info.error, vim.fault.DuplicateName)
    clones = [t.info.result for t in tasks[:2]]
    assert [c.name for c in clones] == ["par1", "par2"]
    assert len({c.config.uuid for c in clones} | {source.config.uuid}) == 3
    power = source.PowerOffVM_Task()
    with pytest.raises(vim.fault.TaskInProgress) as busy:
        source.CloneVM_Task(folder=vm_folder(si), name="par3", spec=vim.vm.CloneSpec(
            location=vim.vm.RelocateSpec()))
    assert busy.value.task == power
    emulator.advance(1)
    for clone in clones:
        clone.PowerOnVM_Task()
    emulator.advance(0.3 + 3 + 1 + 3)
    assert [(c.guest.hostName, c.guest.ipAddress) for c in clones] == [
        ("par1", "10.0.8.1"), ("par2", "10.0.8.2")]


def test_clone_from_a_template(make_emulator, tmp_path):
    data = fixtures.load("default")
    data["datacenters"][0]["hosts"][0]["vms"].append(
        {"name": "linux-template", "template": True, "power_state": "poweredOff"})
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump(data))
    emulator = make_emulator(fixture=str(path), clock="virtual")
    si = emulator.connect()
    template = find_vm(si, "linux-template")
    assert template.config.template is True and template.summary.config.template is True
    with pytest.raises(vim.fault.InvalidState):
        template.PowerOnVM_Task()
    pool = find_vm(si, "DC0_H0_VM0").resourcePool
    with pytest.raises(vmodl.fault.InvalidArgument) as refused:  # a template has no pool
        template.CloneVM_Task(folder=vm_folder(si), name="t1", spec=vim.vm.CloneSpec(
            location=vim.vm.RelocateSpec()))
    assert refused.value.invalidProperty == "spec.location.pool"
    task = template.CloneVM_Task(folder=vm_folder(si), name="from-template", spec=(
        vim.vm.CloneSpec(location=vim.vm.RelocateSpec(pool=pool), powerOn=True,
                         customization=linux_customization("fromtpl"))))
    clone = finished(emulator, task).info.result
    assert clone.config.template is False and clone.runtime.powerState == "poweredOn"
    emulator.advance(3 + 1 + 3)
    assert clone.guest.hostName == "fromtpl"


def test_clones_in_flight_are_kept_by_a_snapshot_with_their_hold_on_the_source(make_emulator):
    from test_durability import restored

    first = make_emulator(clock="virtual")
    si = first.connect()
    source = find_vm(si, "DC0_H0_VM0")
    for name in ("kept1", "kept2"):
        source.CloneVM_Task(folder=vm_folder(si), name=name, spec=vim.vm.CloneSpec(
            location=vim.vm.RelocateSpec()))
    first.advance(1)
    second = restored(make_emulator, first)
    si = second.connect()
    source = find_vm(si, "DC0_H0_VM0")
    with pytest.raises(vim.fault.TaskInProgress):
        source.PowerOffVM_Task()
    second.advance(1)
    assert {find_vm(si, n).name for n in ("kept1", "kept2")} == {"kept1", "kept2"}
    task = source.PowerOffVM_Task()  # the clones done, the source is free
    second.advance(1)
    assert task.info.state == "success"
