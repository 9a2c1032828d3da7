"""Abuse: fuzzed requests on every surface, XML attacks, session isolation, and load. Each
answer must be a well-formed fault or error body, and the server must go on serving."""
import json
import os
import threading

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from conftest import find_vm
from vimsim import compat
from test_http import read_response

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
ENVELOPE = ('<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/'
            'soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<soapenv:Body>%s</soapenv:Body></soapenv:Envelope>')
METHODS = ["Login", "RetrievePropertiesEx", "CustomizeGuest_Task", "PowerOnVM_Task",
           "CreateContainerView", "WaitForUpdatesEx", "Fetch", "Nope"]
TYPES = ["SessionManager", "PropertyCollector", "VirtualMachine",
         "VirtualMachineGuestCustomizationManager", "ViewManager", "Folder", "Bogus"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=40)


def assert_soap_answer(response):
    assert response.status_code in (200, 500, 413), response.status_code
    assert "Traceback" not in response.text
    if response.status_code == 500:
        root = etree.fromstring(response.content)
        fault = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body/"
                          "{http://schemas.xmlsoap.org/soap/envelope/}Fault")
        assert fault.findtext("faultcode") == "ServerFaultCode"
        assert list(fault.find("detail"))[0].get(
            "{http://www.w3.org/2001/XMLSchema-instance}type")


def still_serving(emulator):
    r = requests.get(emulator.base + "/sdk/vimServiceVersions.xml", timeout=10)
    assert r.status_code == 200


@FUZZ
@given(body=st.binary(max_size=300))
def test_fuzzed_bytes_to_sdk(emulator, body):
    assert_soap_answer(requests.post(emulator.base + "/sdk", data=body, timeout=10))
    still_serving(emulator)


@FUZZ
@given(method=st.sampled_from(METHODS), this_type=st.sampled_from(TYPES), moid=text,
       args=st.lists(st.tuples(st.sampled_from(["vm", "auth", "spec", "specSet", "userName",
                                                "password", "prop", "type", "container",
                                                "options", "version", "x"]), text),
                     max_size=4),
       logged_in=st.booleans())
def test_fuzzed_vim25_calls(emulator, method, this_type, moid, args, logged_in):
    from xml.sax.saxutils import escape
    cookie = None
    if logged_in:
        login = requests.post(emulator.base + "/sdk", data=ENVELOPE % (
            '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>'
            '<userName>user</userName><password>pass</password></Login>'), timeout=10)
        cookie = login.headers["Set-Cookie"]
    inner = "".join("<%s>%s</%s>" % (n, escape(v), n) for n, v in args)
    body = ENVELOPE % ('<%s xmlns="urn:vim25"><_this type="%s">%s</_this>%s</%s>'
                       % (method, this_type, escape(moid), inner, method))
    response = requests.post(emulator.base + "/sdk", data=body.encode(), timeout=10,
                             headers={"Cookie": cookie} if cookie else {})
    assert_soap_answer(response)


JSONS = st.recursive(st.none() | st.booleans() | st.integers() | text,
                     lambda children: st.lists(children, max_size=3) |
                     st.dictionaries(text, children, max_size=3), max_leaves=8)


@FUZZ
@given(mo_type=st.sampled_from(TYPES), moid=st.text(alphabet="abcvm-0123456789", max_size=8),
       member=st.sampled_from(METHODS + ["name", "runtime", "content"]), body=JSONS,
       method=st.sampled_from(["GET", "POST"]))
def test_fuzzed_vi_json(emulator, mo_type, moid, member, body, method):
    url = "%s/sdk/vim25/8.0.2.0/%s/%s/%s" % (emulator.base, mo_type, moid or "x", member)
    response = requests.request(method, url, data=json.dumps(body), timeout=10)
    assert response.status_code in (200, 204, 500)
    assert "Traceback" not in response.text
    if response.status_code == 500:
        fault = response.json()
        assert fault["_typeName"] and fault["faultstring"]


@FUZZ
@given(path=st.sampled_from(["/api/session", "/api/vcenter/vm", "/api/vcenter/vm/vm-21/guest/"
                             "customization", "/rest/vcenter/vm", "/rest/com/vmware/cis/"
                             "session", "/api", "/zstack/v1/accounts/login",
                             "/zstack/v1/vm-instances/virtualizer-info", "/vimsim/v1/rules"]),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]), body=JSONS,
       token=st.sampled_from([None, "bogus", "OAuth bogus"]))
def test_fuzzed_rest_zstack_and_control(emulator, path, method, body, token):
    headers = {}
    if token:
        headers = {"vmware-api-session-id": token, "Authorization": token}
    response = requests.request(method, emulator.base + path, data=json.dumps(body),
                                headers=headers, timeout=10)
    assert response.status_code < 500 or response.status_code == 503, response.text
    assert "Traceback" not in response.text
    if response.headers.get("Content-Type", "").startswith("application/json") \
            and response.content:
        json.loads(response.content)
    still_serving(emulator)


def test_deep_nesting_and_entity_expansion_are_refused(emulator):
    deep = ENVELOPE % ("<a>" * 20000 + "</a>" * 20000)
    assert_soap_answer(requests.post(emulator.base + "/sdk", data=deep, timeout=30))
    laughs = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
              + "".join('<!ENTITY %s "%s">' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10)
                        for i in range(8)) + ']><l>&i;</l>')
    response = requests.post(emulator.base + "/sdk", data=laughs, timeout=30)
    assert_soap_answer(response)
    assert len(response.content) < 10000
    still_serving(emulator)


def test_one_sessions_objects_are_invisible_to_another(emulator):
    a, b = emulator.connect(), emulator.connect()
    view = a.content.viewManager.CreateContainerView(a.content.rootFolder,
                                                     [vim.VirtualMachine], True)
    foreign = vim.view.ContainerView(view._moId, b._stub)
    try:
        foreign.view
        raise AssertionError("another session's view was visible")
    except vmodl.fault.ManagedObjectNotFound:
        pass
    assert len(view.view) == 5


def test_fifty_clients_customize_while_eight_race_for_one_vm(make_emulator):
    # The virtual clock holds time still while everyone asks, so the race is decided by the
    # VM's lock alone; then time moves and every client waits for its task concurrently.
    emulator = make_emulator(clock="virtual", vms=60)
    setup = emulator.connect()
    content = setup.content
    names = sorted(vm.name for vm in content.viewManager.CreateContainerView(
        content.rootFolder, [vim.VirtualMachine], True).view if "NoTools" not in vm.name)
    workers, racers = names[:50], 8
    race_vm = names[50]
    results, errors = {}, []
    C = vim.vm.customization
    spec = C.Specification(identity=C.LinuxPrep(hostName=C.FixedName(name="l"), domain="d"),
                           globalIPSettings=C.GlobalIPSettings())
    auth = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")
    start = threading.Barrier(len(workers) + racers)
    asked = threading.Barrier(len(workers) + racers + 1)

    def client(name, key):
        task = None
        try:
            si = SmartConnect(host="127.0.0.1", port=emulator.port, user="user", pwd="pass",
                              protocol="http")
            vm = find_vm(si, name)
            start.wait(timeout=60)
            try:
                task = si.content.guestCustomizationManager.CustomizeGuest_Task(
                    vm=vm, auth=auth, spec=spec)
            except vim.fault.TaskInProgress as fault:
                results[key] = ("busy", fault.task._moId)
        except Exception as exc:  # recorded and failed below, with its cause
            errors.append((key, repr(exc)))
        asked.wait(timeout=60)
        if task is not None:
            try:
                results[key] = (WaitForTask(task), task._moId)
            except Exception as exc:
                errors.append((key, repr(exc)))

    threads = [threading.Thread(target=client, args=(n, n)) for n in workers]
    threads += [threading.Thread(target=client, args=(race_vm, "race-%d" % i))
                for i in range(racers)]
    for t in threads:
        t.start()
    asked.wait(timeout=60)
    emulator.advance(60)
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    assert all(results[n][0] == "success" for n in workers)
    race = [results["race-%d" % i] for i in range(racers)]
    winners = [r for r in race if r[0] == "success"]
    assert len(winners) == 1
    assert all(r == ("busy", winners[0][1]) for r in race if r[0] == "busy")
    states = emulator.call(lambda: {vm.name: vm.customization.status
                                    for vm in emulator.vc.objects.values()
                                    if vm.vim_type == "VirtualMachine"})
    assert all(states[n] == "SUCCEEDED" for n in workers + [race_vm])


class ServerProcess:
    """`vimsim serve` in its own process, whose memory the test reads from /proc."""

    def __init__(self, *args):
        from test_cli import start
        self.proc, url = start("--http", *args)
        self.port = url.port
        self.base = "http://127.0.0.1:%d" % self.port

    def rss_mb(self):
        with open("/proc/%d/statm" % self.proc.pid) as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20

    def state(self):
        return requests.get(self.base + "/vimsim/v1/state", auth=("user", "pass"),
                            timeout=10).json()

    def stop(self):
        from test_cli import stop
        stop(self.proc)


def test_xml_attacks_and_oversized_bodies_leave_memory_where_it_was():
    server = ServerProcess("--clock", "auto", "--max-body", str(2 ** 20))
    attacks = [
        ENVELOPE % ("<a>" * 20000 + "</a>" * 20000),
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + "".join(
            '<!ENTITY %s "%s">' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10)
            for i in range(8)) + ']><l>&i;</l>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + ENVELOPE % "<Login>&e;</Login>",
        ENVELOPE % ("<a>%s</a>" % ("x" * (2 ** 20 + 1))),  # over the cap: 413
    ]

    def attack_all():
        for attack in attacks:
            response = requests.post(server.base + "/sdk", data=attack.encode(), timeout=30)
            assert response.status_code in (413, 500), response.status_code
            assert "Traceback" not in response.text and "root:" not in response.text

    try:
        attack_all()  # warm-up
        baseline = server.rss_mb()
        for _ in range(15):
            attack_all()
        assert server.rss_mb() - baseline < 3, (baseline, server.rss_mb())
        assert requests.get(server.base + "/sdk/vimServiceVersions.xml", timeout=10).ok
    finally:
        server.stop()


def test_memory_returns_to_baseline_after_rounds_of_fifty_clients():
    """A real server process: after each round of 50 clients that log in, customize, wait
    and log out, its sessions are gone and its RSS is back where the first round left it."""
    server = ServerProcess("--clock", "auto", "--vms", "60")
    port = server.port

    C = vim.vm.customization
    spec = C.Specification(identity=C.LinuxPrep(hostName=C.FixedName(name="l"), domain="d"),
                           globalIPSettings=C.GlobalIPSettings())
    auth = vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware")

    def client(name, errors):
        try:
            si = SmartConnect(host="127.0.0.1", port=port, user="user", pwd="pass",
                              protocol="http")
            vm = find_vm(si, name)
            assert WaitForTask(si.content.guestCustomizationManager.CustomizeGuest_Task(
                vm=vm, auth=auth, spec=spec)) == "success"
            Disconnect(si)
        except Exception as exc:  # recorded and failed below, with its cause
            errors.append(repr(exc))

    def round_of_fifty(names):
        errors = []
        threads = [threading.Thread(target=client, args=(n, errors)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors[:3]

    try:
        setup = SmartConnect(host="127.0.0.1", port=port, user="user", pwd="pass",
                             protocol="http")
        content = setup.content
        names = sorted(vm.name for vm in content.viewManager.CreateContainerView(
            content.rootFolder, [vim.VirtualMachine], True).view if "NoTools" not in vm.name)[:50]
        Disconnect(setup)
        round_of_fifty(names)  # warm-up: allocator arenas, caches, the first task history
        baseline, sessions = server.rss_mb(), server.state()["sessions"]
        for _ in range(3):
            round_of_fifty(names)
        assert server.state()["sessions"] == sessions
        assert server.rss_mb() - baseline < 4, (baseline, server.rss_mb())
    finally:
        server.stop()


def test_bytes_that_are_not_utf8_in_paths_queries_and_cookies(emulator):
    import socket
    requests_ = [
        b"GET /api/vcenter/vm?N\xdd&\xb4names=a&x=%zz HTTP/1.1\r\n\r\n",
        b"GET /rest/vcenter/vm HTTP/1.1\r\nCookie: vmware-api-session-id=\xff\xfe\r\n\r\n",
        b"GET /zstack/v1/\xff\xfe?\xc3(=1 HTTP/1.1\r\nAuthorization: OAuth \xff\r\n\r\n",
        b"GET /zstack/v1/vm-instances/virtualizer-info?uuids\xff=1 HTTP/1.1\r\n"
        b"Authorization: OAuth x\r\n\r\n",
        b"GET /sdk/vim25/8.0.3.0/\xff/\xfe/name HTTP/1.1\r\n\r\n",
        b"GET /vimsim/v1/\xff HTTP/1.1\r\nAuthorization: Basic \xff\r\n\r\n",
        b"POST /sdk HTTP/1.1\r\nSOAPAction: \xff\xfe\r\nCookie: vmware_soap_session=\xff\r\n"
        b"Content-Length: 2\r\n\r\n\xff\xfe",
    ]
    for request in requests_:
        sock = socket.create_connection(("127.0.0.1", emulator.port), timeout=10)
        sock.sendall(request)
        status, headers, body, _ = read_response(sock)
        # a vSphere fault (SOAP or JSON, HTTP 500) or an error body, never vimsim's bare 500
        assert status < 500 or status == 503 or b"_typeName" in body or b"<faultcode>" in body, \
            (request, status, body[:300])
        assert b"Internal server error" not in body and b"Traceback" not in body
        assert b"SYS.1000" not in body and b"SystemError" not in body  # internal errors
    still_serving(emulator)


def test_a_repeated_body_is_answered_for_what_it_says_now(emulator, si):
    """Small bodies' trees are kept by their bytes (compat.RecentDocuments): the same bytes
    get the answer the model gives now, a byte changed is another call, and a refused body
    stays refused however often it comes."""
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    first, second = view.view[:2]
    session = requests.Session()
    session.headers["Cookie"] = si._stub.cookie
    fetch = ENVELOPE % ('<Fetch xmlns="urn:vim25"><_this type="VirtualMachine">%s</_this>'
                        '<prop>name</prop></Fetch>')

    def name_of(moid):
        response = session.post(emulator.base + "/sdk", data=fetch % moid, timeout=10)
        assert response.status_code == 200, response.text
        return etree.fromstring(response.content).findtext(".//{urn:vim25}returnval")

    assert name_of(first._moId) == name_of(first._moId) == first.name
    assert name_of(second._moId) == second.name
    task = first.Rename_Task("renamed-since")
    emulator.advance(5)
    assert task.info.state == "success"
    assert name_of(first._moId) == "renamed-since"

    refused = (fetch % first._moId).replace("<?xml version=\"1.0\"?>",
                                             '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>')
    cut = (fetch % first._moId)[:-20]
    for body in (refused, refused, cut, cut):
        response = session.post(emulator.base + "/sdk", data=body, timeout=10)
        assert_soap_answer(response)
        assert response.status_code == 500 and b"InvalidRequest" in response.content


def test_recent_documents_keep_only_the_last_few_small_ones():
    recent = compat.RecentDocuments(size=2, largest=200)
    a, b, c = (b"<a>%d</a>" % i for i in range(3))
    kept = recent.parse(a)
    assert recent.parse(a) is kept and kept.text == "0"
    kept_b = recent.parse(b)
    recent.parse(a)  # a is now the more recent of the two
    kept_c = recent.parse(c)  # b goes
    assert recent.parse(a) is kept
    assert recent.parse(b) is not kept_b  # parsed again; c goes
    assert recent.parse(c) is not kept_c
    big = b"<a>" + b"x" * 300 + b"</a>"
    assert recent.parse(big) is not recent.parse(big)  # too big to keep
    with pytest.raises(compat.XmlRejected):
        recent.parse(b"<a>")
