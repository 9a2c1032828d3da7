"""Sessions as vCenter keeps them (idle expiry on the emulator's clock, a cap on sessions,
per-session caps on filters, views, collectors and unfinished retrievals) and authorization
as vCenter applies it (System.View and System.Read from the user's role: a NoAccess user
reads nothing; sessionList and the privilege queries need what VMware's reference names),
through pyVmomi and VI/JSON over real sockets."""
import http.client
import threading

import pytest
import requests
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

from conftest import find_vm
from test_jsonapi import Json, moref

PC = vmodl.query.PropertyCollector
TIMEOUT_KEY = "config.vmacore.soap.sessionTimeout"


def vm_names(si):
    """Every VM name the session reads, the way pyVmomi scripts list them: a container view
    and one RetrievePropertiesEx."""
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[PC.TraversalSpec(
            name="view", type=vim.view.ContainerView, path="view", skip=False)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name", "guest.ipAddress"])])
    result = content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
    names = [p.val for o in (result.objects if result else []) for p in o.propSet
             if p.name == "name"]
    return view, names


# -- idle sessions expire -------------------------------------------------------------------

def test_an_idle_session_expires_after_30_minutes_of_emulated_time(emulator, si):
    key = si.content.sessionManager.currentSession.key
    emulator.advance(29 * 60)
    assert si.content.sessionManager.currentSession.key == key  # a call: active again
    emulator.advance(29 * 60)
    assert si.CurrentTime()  # 58 minutes since login, never 30 idle: still alive
    emulator.advance(30 * 60 + 1)
    with pytest.raises(vim.fault.NotAuthenticated):
        si.CurrentTime()
    assert si.content.sessionManager.currentSession is None  # the expired cookie is no one's
    fresh = emulator.connect()
    assert [s.key for s in fresh.content.sessionManager.sessionList] == \
        [fresh.content.sessionManager.currentSession.key]


def test_the_timeout_is_vpxd_cfg_s_session_timeout_and_the_option_sets_it(make_emulator):
    emulator = make_emulator(clock="virtual", session_timeout=2)
    si = emulator.connect()
    setting = si.content.setting
    assert setting.QueryOptions(TIMEOUT_KEY)[0].value == "2"
    emulator.advance(2 * 60 + 1)
    with pytest.raises(vim.fault.NotAuthenticated):
        si.CurrentTime()
    si = emulator.connect()
    si.content.setting.UpdateOptions([vim.option.OptionValue(key=TIMEOUT_KEY, value="0")])
    emulator.advance(24 * 3600)
    assert si.content.sessionManager.currentSession.userName == "user"  # 0: never expires


def test_a_session_waiting_an_hour_for_updates_is_not_idle(make_emulator):
    """WaitForUpdatesEx blocked for an hour (as on a long task) ends in a live session; the
    same hour without a call ends it."""
    emulator = make_emulator(clock="virtual")
    si, idle = emulator.connect(), emulator.connect()
    pc = si.content.propertyCollector
    pc.CreateFilter(PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=find_vm(si, "DC0_H0_VM0"))],
                                  propSet=[PC.PropertySpec(type=vim.VirtualMachine,
                                                           pathSet=["name"])]), False)
    version = pc.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0)).version
    answer = {}
    waiting = threading.Thread(target=lambda: answer.setdefault("update", pc.WaitForUpdatesEx(
        version, PC.WaitOptions(maxWaitSeconds=3600))))
    waiting.start()
    for _ in range(500):  # bounded: until the wait is in the server
        if any(state.waiter is not None for state in list(emulator.vc.collectors)):
            break
        threading.Event().wait(0.01)
    emulator.advance(3600)
    waiting.join(10)
    assert "update" in answer and answer["update"] is None  # maxWait passed, nothing changed
    assert si.CurrentTime()  # the wait kept it active
    with pytest.raises(vim.fault.NotAuthenticated):
        idle.CurrentTime()


def test_expired_vi_json_and_rest_sessions_answer_not_authenticated(emulator):
    client = Json(emulator)
    client.login()
    assert client.get("SessionManager", "SessionManager", "currentSession").json()["userName"] \
        == "user"
    token = requests.post(emulator.base + "/api/session", auth=("user", "pass"),
                          timeout=10).json()
    rest = {"vmware-api-session-id": token}
    assert requests.get(emulator.base + "/api/session", headers=rest, timeout=10).ok
    emulator.advance(31 * 60)
    answer = client.post("ServiceInstance", "ServiceInstance", "CurrentTime")
    assert answer.status_code == 500 and answer.json()["_typeName"] == "NotAuthenticated"
    expired = requests.get(emulator.base + "/api/vcenter/vm", headers=rest, timeout=10)
    assert expired.status_code == 401 and expired.json()["error_type"] == "UNAUTHENTICATED"


# -- a cap on sessions ----------------------------------------------------------------------

def test_login_beyond_max_sessions_is_refused_as_vpxd_refuses_it(make_emulator):
    emulator = make_emulator(clock="virtual", max_sessions=3)
    held = [emulator.connect() for _ in range(3)]
    with pytest.raises(http.client.HTTPException) as exc:
        emulator.connect()
    assert "503" in str(exc.value)
    json_login = Json(emulator).post("SessionManager", "SessionManager", "Login",
                                     {"userName": "user", "password": "pass"})
    assert json_login.status_code == 503 and "Limited to 3" in json_login.text
    rest = requests.post(emulator.base + "/api/session", auth=("user", "pass"), timeout=10)
    assert rest.status_code == 503 and rest.json()["error_type"] == "SERVICE_UNAVAILABLE"
    # Sessions idle past the timeout are reclaimed first: a login then succeeds.
    emulator.advance(31 * 60)
    si = emulator.connect()
    assert si.content.sessionManager.currentSession.userName == "user"
    assert len(si.content.sessionManager.sessionList) == 1
    assert all(h.content.sessionManager.currentSession is None for h in held)


# -- per-session caps -----------------------------------------------------------------------

def test_history_collectors_stop_at_max_collector(si):
    events = si.content.eventManager
    assert events.maxCollector == 32 and si.content.taskManager.maxCollector == 32
    made = [events.CreateCollectorForEvents(vim.event.EventFilterSpec()) for _ in range(32)]
    with pytest.raises(vim.fault.InvalidState):
        events.CreateCollectorForEvents(vim.event.EventFilterSpec())
    made.pop().DestroyCollector()
    events.CreateCollectorForEvents(vim.event.EventFilterSpec())


def test_property_collectors_filters_and_views_per_session_are_capped(emulator, si):
    from vimsim.model import sessions
    pc, views = si.content.propertyCollector, si.content.viewManager
    collectors = [pc.CreatePropertyCollector() for _ in range(sessions.MAX_PROPERTY_COLLECTORS)]
    with pytest.raises(vim.fault.InvalidState):
        pc.CreatePropertyCollector()
    collectors.pop().DestroyPropertyCollector()
    pc.CreatePropertyCollector()
    vm = find_vm(si, "DC0_H0_VM0")
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)], propSet=[
        PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
    made = [pc.CreateFilter(spec, False) for _ in range(sessions.MAX_FILTERS)]
    with pytest.raises(vim.fault.InvalidState):
        pc.CreateFilter(spec, False)
    made.pop().DestroyPropertyFilter()
    pc.CreateFilter(spec, False)
    listed = [views.CreateListView([vm]) for _ in range(sessions.MAX_VIEWS)]
    with pytest.raises(vim.fault.InvalidState):
        views.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
    listed.pop().DestroyView()
    views.CreateInventoryView()
    other = emulator.connect()  # the caps are per session
    other.content.propertyCollector.CreateFilter(spec, False)


def test_unfinished_retrievals_are_bounded_per_session_and_in_all(make_emulator):
    from vimsim.model import property_collector
    emulator = make_emulator(clock="virtual", vms=40)
    sis = [emulator.connect() for _ in range(3)]

    def start(si):
        content = si.content
        view = content.viewManager.CreateContainerView(content.rootFolder,
                                                       [vim.VirtualMachine], True)
        spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
            PC.TraversalSpec(type=vim.view.ContainerView, path="view")])],
            propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
        return content.propertyCollector.RetrievePropertiesEx(
            [spec], PC.RetrieveOptions(maxObjects=1)).token

    first = [start(sis[0]) for _ in range(property_collector.MAX_OPEN_RETRIEVALS + 1)]
    pc = sis[0].content.propertyCollector
    with pytest.raises(vmodl.fault.InvalidArgument):  # the oldest was discarded
        pc.ContinueRetrievePropertiesEx(first[0])
    assert pc.ContinueRetrievePropertiesEx(first[-1]).objects
    kept = emulator.vc.property_collector.retrievals_kept
    assert len(kept) == property_collector.MAX_OPEN_RETRIEVALS
    sis[0].content.sessionManager.Logout()
    assert len(kept) == 0  # a session's unfinished results go with it
    start(sis[1])
    assert len(kept) == 1
    # Over all sessions: the oldest anyone left unfinished goes first.
    per_session = property_collector.MAX_OPEN_RETRIEVALS
    others = [emulator.connect() for _ in range(property_collector.MAX_RETRIEVALS_KEPT //
                                                per_session + 2)]
    oldest = start(others[0])  # within its session's cap: only the bound over all drops it
    for other in others[1:]:
        for _ in range(per_session):
            start(other)
    assert len(kept) == property_collector.MAX_RETRIEVALS_KEPT
    with pytest.raises(vmodl.fault.InvalidArgument):
        others[0].content.propertyCollector.ContinueRetrievePropertiesEx(oldest)
    assert others[-1].content.propertyCollector.ContinueRetrievePropertiesEx(
        list(emulator.vc.property_collector.retrievals_kept)[-1]).objects


def test_a_change_visits_only_the_filters_that_cover_it(emulator, si):
    """20,000 filters on other objects made every change walk them all: the model now keeps
    which filters cover which object, and a change is reported by those only."""
    pc = si.content.propertyCollector
    vm0, vm1 = find_vm(si, "DC0_H0_VM0"), find_vm(si, "DC0_H0_VM1")

    def watch(vm):
        return pc.CreateFilter(PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)], propSet=[
            PC.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])]), False)
    others = [watch(vm1) for _ in range(5)]
    mine = watch(vm0)
    version = pc.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0)).version
    covering = emulator.vc.collectors.covering
    assert len(covering[vm1._moId]) == 5 and len(covering[vm0._moId]) == 1
    task = vm0.PowerOffVM_Task()
    emulator.advance(60)  # the virtual clock: the task ends when told
    assert task.info.state == "success"
    update = pc.WaitForUpdatesEx(version, PC.WaitOptions(maxWaitSeconds=0))
    assert {f.filter for f in update.filterSet} == {mine}
    for pfilter in others:
        pfilter.DestroyPropertyFilter()
    assert vm1._moId not in covering  # a destroyed filter leaves the index


# -- authorization as on vCenter ------------------------------------------------------------

@pytest.fixture
def noaccess(emulator):
    return emulator.connect(user="noaccess", pwd="noaccess")


@pytest.fixture
def readonly(emulator):
    return emulator.connect(user="readonly", pwd="readonly")


def test_noaccess_reads_no_inventory_over_soap(si, noaccess, readonly):
    assert len(vm_names(si)[1]) > 0
    assert sorted(vm_names(readonly)[1]) == sorted(vm_names(si)[1])
    view, names = vm_names(noaccess)
    assert names == [] and view.view == []  # the view lists only what it may read
    with pytest.raises(vim.fault.NoPermission) as exc:
        noaccess.content.rootFolder.childEntity
    assert exc.value.privilegeId == "System.Read" and \
        exc.value.object == noaccess.content.rootFolder
    vm = vim.VirtualMachine(find_vm(si, "DC0_H0_VM0")._moId, noaccess._stub)
    with pytest.raises(vim.fault.NoPermission) as exc:
        vm.guest
    assert exc.value.privilegeId == "System.Read" and exc.value.object == vm
    admin_vm = find_vm(si, "DC0_H0_VM0")
    for index, found in ((si.content.searchIndex, admin_vm),
                         (readonly.content.searchIndex, admin_vm),
                         (noaccess.content.searchIndex, None)):  # finds only what it may read
        assert index.FindByInventoryPath("DC0/vm/DC0_H0_VM0") == found
        assert index.FindByIp(None, admin_vm.guest.ipAddress, True) == found
        assert index.FindAllByDnsName(None, admin_vm.guest.hostName, True) == \
            ([found] if found else [])
        assert index.FindByUuid(None, admin_vm.config.uuid, True) == found
    with pytest.raises(vim.fault.NoPermission):
        noaccess.content.authorizationManager.RetrieveEntityPermissions(vm, True)
    assert readonly.content.authorizationManager.RetrieveEntityPermissions(
        vim.VirtualMachine(vm._moId, readonly._stub), True)
    with pytest.raises(vim.fault.NoPermission):  # named in an objectSet: vCenter's fault
        noaccess.content.propertyCollector.RetrieveContents([PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=vm)],
            propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])])


def test_noaccess_sees_no_tasks_or_events(si, noaccess, readonly):
    vm = find_vm(si, "DC0_H0_VM0")
    task = vm.PowerOffVM_Task()
    assert task in si.content.taskManager.recentTask
    assert task in readonly.content.taskManager.recentTask
    assert noaccess.content.taskManager.recentTask == []
    with pytest.raises(vim.fault.NoPermission):
        vim.Task(task._moId, noaccess._stub).info
    events = noaccess.content.eventManager
    assert si.content.eventManager.QueryEvents(vim.event.EventFilterSpec())
    assert events.QueryEvents(vim.event.EventFilterSpec()) == []
    assert events.latestEvent is None
    collector = events.CreateCollectorForEvents(vim.event.EventFilterSpec())
    assert collector.ReadNextEvents(100) == []
    assert readonly.content.eventManager.QueryEvents(vim.event.EventFilterSpec())


def test_session_list_needs_terminate_session(si, noaccess, readonly):
    assert len(si.content.sessionManager.sessionList) == 3
    for limited in (noaccess, readonly):
        with pytest.raises(vim.fault.NoPermission) as exc:
            limited.content.sessionManager.sessionList
        assert exc.value.privilegeId == "Sessions.TerminateSession"
        assert limited.content.sessionManager.currentSession.userName in ("noaccess", "readonly")
    # Through the PropertyCollector: the property is missing, with its fault.
    content = readonly.content.propertyCollector.RetrieveContents([PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=readonly.content.sessionManager)],
        propSet=[PC.PropertySpec(type=vim.SessionManager,
                                 pathSet=["sessionList", "currentSession"])])])[0]
    assert [p.name for p in content.propSet] == ["currentSession"]
    assert [m.path for m in content.missingSet] == ["sessionList"]
    assert isinstance(content.missingSet[0].fault, vim.fault.NoPermission)


def test_terminate_session_logs_others_off(si, noaccess, readonly):
    manager = si.content.sessionManager
    victim = readonly.content.sessionManager.currentSession.key
    with pytest.raises(vim.fault.NoPermission) as exc:  # Sessions.TerminateSession
        noaccess.content.sessionManager.TerminateSession([victim])
    assert exc.value.privilegeId == "Sessions.TerminateSession"
    with pytest.raises(vim.fault.NotFound):
        manager.TerminateSession([victim, "no-such-session"])
    assert victim in [s.key for s in manager.sessionList]  # nothing ended by a refused call
    with pytest.raises(vmodl.fault.InvalidArgument):
        manager.TerminateSession([manager.currentSession.key])
    manager.TerminateSession([victim])
    assert victim not in [s.key for s in manager.sessionList]
    with pytest.raises(vim.fault.NotAuthenticated):
        readonly.content.rootFolder.childEntity
    event = si.content.eventManager.QueryEvents(vim.event.EventFilterSpec(
        eventTypeId=["UserLogoutSessionEvent"]))[0]
    assert event.sessionId == victim


def test_user_privilege_queries_need_system_view_on_the_entities(si, noaccess, readonly):
    vm = find_vm(si, "DC0_H0_VM0")
    auth = noaccess.content.authorizationManager
    theirs = vim.VirtualMachine(vm._moId, noaccess._stub)
    for query in (lambda user: auth.HasUserPrivilegeOnEntities([theirs], user, ["System.View"]),
                  lambda user: auth.FetchUserPrivilegeOnEntities([theirs], user)):
        for user in ("user", "nobody"):  # a user that exists and one that does not: alike
            with pytest.raises(vim.fault.NoPermission) as exc:
                query(user)
            assert exc.value.privilegeId == "System.View" and exc.value.object == theirs
    granted = readonly.content.authorizationManager.HasUserPrivilegeOnEntities(
        [vim.VirtualMachine(vm._moId, readonly._stub)], "user", ["VirtualMachine.Interact.PowerOn"])
    assert granted[0].privAvailability[0].isGranted is True


def vi_json_vms(client):
    """The VMs a VI/JSON client reads (name and IP address) through a container view on the
    root folder and one RetrieveProperties: the HTTP answer."""
    view = client.post("ViewManager", "ViewManager", "CreateContainerView", {
        "container": moref("Folder", "group-d1"), "type": ["VirtualMachine"],
        "recursive": True}).json()
    return client.post("PropertyCollector", "propertyCollector", "RetrieveProperties", {
        "specSet": [{"_typeName": "PropertyFilterSpec", "objectSet": [{
            "_typeName": "ObjectSpec", "obj": view, "skip": True, "selectSet": [{
                "_typeName": "TraversalSpec", "type": "ContainerView", "path": "view"}]}],
            "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine",
                         "pathSet": ["name", "guest.ipAddress"]}]}]})


def test_noaccess_reads_nothing_over_vi_json(emulator):
    client = Json(emulator)
    client.login("noaccess", "noaccess")
    answer = vi_json_vms(client)
    assert answer.status_code == 200 and answer.json() == []
    sessions = client.get("SessionManager", "SessionManager", "sessionList")
    assert sessions.status_code == 500 and sessions.json()["_typeName"] == "NoPermission"
    assert sessions.json()["privilegeId"] == "Sessions.TerminateSession"
    tasks = client.get("TaskManager", "TaskManager", "recentTask")
    assert tasks.status_code == 200 and tasks.json() == []
    events = client.post("EventManager", "EventManager", "QueryEvents",
                         {"filter": {"_typeName": "EventFilterSpec"}})
    assert events.status_code == 200 and events.json() == []
    folder = client.get("Folder", "group-d1", "childEntity")
    assert folder.status_code == 500 and folder.json()["_typeName"] == "NoPermission"


# -- a login flood against a real process ---------------------------------------------------

LOGIN = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
         '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:vim25"><soapenv:Body>'
         '<urn:Login><urn:_this type="SessionManager">SessionManager</urn:_this>'
         '<urn:userName>readonly</urn:userName><urn:password>readonly</urn:password>'
         '</urn:Login></soapenv:Body></soapenv:Envelope>').encode()


ADMIN = ("user", "pass")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_rss_stays_flat_under_a_login_flood():
    """Logins never logged out (read-only credentials suffice): at most --max-sessions are
    held, idle ones are reclaimed as the emulated clock passes their timeout, and the
    process's memory stays flat."""
    from test_cli import start, stop
    proc, url = start("--http", "--clock", "virtual", "--max-sessions", "200",
                      "--session-timeout", "1")
    try:
        sdk = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        control = "http://%s:%d/vimsim/v1" % (url.hostname, url.port)

        def flood(count):
            statuses = set()
            for i in range(count):
                if i % 150 == 0:  # a minute of emulated time: the earlier sessions idle out
                    assert requests.post(control + "/clock/advance", json={"seconds": 61},
                                         auth=ADMIN, timeout=10).status_code == 200
                sdk.request("POST", "/sdk", LOGIN, {"Content-Type": "text/xml",
                                                   "SOAPAction": "urn:vim25/8.0.3.0"})
                answer = sdk.getresponse()
                answer.read()
                statuses.add(answer.status)
            return statuses

        assert flood(1000) == {200}
        before = rss_kib(proc.pid)
        assert flood(5000) == {200}
        grown = rss_kib(proc.pid) - before
        assert grown < 30 * 1024, "RSS grew %d KiB over 5,000 logins" % grown
        held = requests.get(control + "/state", auth=ADMIN, timeout=10).json()["sessions"]
        assert 0 < held <= 200
        admin = SmartConnect(host=url.hostname, port=url.port, user="user", pwd="pass",
                             protocol="http")
        assert len(admin.content.sessionManager.sessionList) <= 200
        Disconnect(admin)
        # Without the clock moving, the cap holds: the next logins are refused with 503.
        refused = set()
        for _ in range(201):
            sdk.request("POST", "/sdk", LOGIN, {"Content-Type": "text/xml"})
            answer = sdk.getresponse()
            answer.read()
            refused.add(answer.status)
        assert 503 in refused
        # A minute later every one of them has idled out: the control API counts none.
        requests.post(control + "/clock/advance", json={"seconds": 61}, auth=ADMIN, timeout=10)
        assert requests.get(control + "/state", auth=ADMIN, timeout=10).json()["sessions"] == 0
    finally:
        stop(proc)
