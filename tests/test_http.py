"""vimsim's HTTP/1.1 layer, byte by byte over raw sockets: framing, keep-alive, limits, timeouts."""
import socket
import time

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import in_reactor

RSC = (b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
       b'"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><RetrieveServiceContent '
       b'xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this>'
       b'</RetrieveServiceContent></soapenv:Body></soapenv:Envelope>')


def raw(emulator, timeout=10):
    sock = socket.create_connection(("127.0.0.1", emulator.port), timeout=timeout)
    return sock


def post_head(length, extra=b""):
    return (b"POST /sdk HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nSOAPAction: "
            b"urn:vim25/8.0.3.0\r\nContent-Length: %d\r\n%s\r\n" % (length, extra))


def read_response(sock, buffered=b""):
    """One response (status, headers, body) and the bytes read past it."""
    data = buffered
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a response head: %r" % data
        data += chunk
    head, data = data.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get(b"content-length", b"0"))
    while len(data) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside a response body"
        data += chunk
    return status, headers, data[:length], data[length:]


def closed(sock):
    """True once the server has closed the connection (reads EOF)."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except socket.timeout:
        return False


def is_service_content(body):
    root = etree.fromstring(body)
    return root.find(".//{urn:vim25}RetrieveServiceContentResponse") is not None


def test_keep_alive_serves_many_requests_on_one_connection(emulator):
    sock = raw(emulator)
    rest = b""
    for _ in range(3):
        sock.sendall(post_head(len(RSC)) + RSC)
        status, headers, body, rest = read_response(sock, rest)
        assert status == 200 and is_service_content(body)
        assert headers[b"content-type"] == b"text/xml; charset=utf-8"
        assert b"connection" not in headers


def test_pipelined_requests_are_answered_in_order(emulator):
    sock = raw(emulator)
    get = b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: x\r\n\r\n"
    sock.sendall(post_head(len(RSC)) + RSC + get + post_head(len(RSC)) + RSC)
    first, _, body1, rest = read_response(sock)
    second, _, body2, rest = read_response(sock, rest)
    third, _, body3, rest = read_response(sock, rest)
    assert (first, second, third) == (200, 200, 200)
    assert is_service_content(body1) and is_service_content(body3)
    assert b"<namespaces" in body2


def test_chunked_request_body(emulator):
    sock = raw(emulator)
    half = len(RSC) // 2
    chunked = b"%x\r\n%s\r\n%x;ext=1\r\n%s\r\n0\r\n\r\n" % (half, RSC[:half], len(RSC) - half,
                                                          RSC[half:])
    sock.sendall(b"POST /sdk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    status, _, body, _ = read_response(sock)
    assert status == 200 and is_service_content(body)


def test_many_small_chunks_are_read_in_linear_time(emulator):
    """30,000 one-byte chunks (a 175 KB body) once froze every client for about 15 s: the
    parser re-added every earlier chunk's length for each new one."""
    sock = raw(emulator)
    body = RSC + b" " * (30000 - len(RSC))
    chunked = b"".join(b"1\r\n%s\r\n" % body[i:i + 1] for i in range(len(body))) + b"0\r\n\r\n"
    started = time.monotonic()
    sock.sendall(b"POST /sdk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    status, _, answer, _ = read_response(sock)
    assert status == 200 and is_service_content(answer)
    assert time.monotonic() - started < 5  # linear: well under a second; quadratic: ~15 s


def test_chunk_sizes_and_trailers_are_capped_before_they_arrive(make_emulator):
    emulator = make_emulator(clock="virtual", max_body=4096)
    huge = raw(emulator)  # declares far more than --max-body: refused before any data
    huge.sendall(b"POST /sdk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"FFFFFFFFFFFF\r\n" + b"x" * 100)
    status, _, body, _ = read_response(huge)
    assert status == 413 and closed(huge)
    endless = raw(emulator)  # a trailer that never ends
    endless.sendall(b"POST /sdk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"0\r\n" + b"X-Trailer: yyyyyyyyyyyyyyyy\r\n" * 5000)
    status, _, _, _ = read_response(endless)
    assert status == 431 and closed(endless)
    long_line = raw(emulator)  # a chunk-size line that never ends
    long_line.sendall(b"POST /sdk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"1" + b";e" * 2000)
    status, _, _, _ = read_response(long_line)
    assert status == 400 and closed(long_line)


def test_blank_lines_do_not_extend_a_connections_deadline(make_emulator):
    """A client sending only CRLFs, each before the timeout, is closed at the idle timeout."""
    emulator = make_emulator(clock="virtual", idle_timeout=0.6, request_timeout=0.6)
    sock = raw(emulator, timeout=0.2)
    started = time.monotonic()
    closed_at = None
    while time.monotonic() - started < 5:
        try:
            sock.sendall(b"\r\n")
            if sock.recv(65536) == b"":
                closed_at = time.monotonic()
                break
        except socket.timeout:
            continue
        except OSError:
            closed_at = time.monotonic()
            break
    assert closed_at is not None and closed_at - started < 3


def test_expect_100_continue_is_answered_before_the_body(emulator):
    sock = raw(emulator)
    sock.sendall(post_head(len(RSC), b"Expect: 100-continue\r\n"))
    status, _, _, rest = read_response(sock)
    assert status == 100
    sock.sendall(RSC)
    status, _, body, _ = read_response(sock, rest)
    assert status == 200 and is_service_content(body)


def test_http_1_0_and_connection_close_end_the_connection(emulator):
    for head in (b"GET /sdk/vimServiceVersions.xml HTTP/1.0\r\n\r\n",
                 b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nConnection: close\r\n\r\n"):
        sock = raw(emulator)
        sock.sendall(head)
        status, headers, _, _ = read_response(sock)
        assert status == 200 and headers[b"connection"] == b"close"
        assert closed(sock)


def test_head_has_the_length_but_no_body(emulator):
    sock = raw(emulator)
    sock.sendall(b"HEAD /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while data.count(b"HTTP/1.1 200") < 2 or not data.endswith(b"</namespaces>\n"):
        data += sock.recv(65536)
    head_answer, get_answer = data.split(b"HTTP/1.1 200")[1:]
    length = int(head_answer.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert length > 0 and head_answer.endswith(b"\r\n\r\n")
    assert get_answer.endswith(b"</namespaces>\n")


def test_malformed_requests_get_400_and_the_server_goes_on(emulator):
    for bad in (b"NONSENSE\r\n\r\n", b"GET /x HTTP/9.9\r\n\r\n", b"GET nohost HTTP/1.1\r\n\r\n",
                b"GET /sdk HTTP/1.1\r\nno colon here\r\n\r\n",
                b"POST /sdk HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                b"POST /sdk HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"POST /sdk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        sock = raw(emulator)
        sock.sendall(bad)
        status, headers, body, _ = read_response(sock)
        assert status == 400, bad
        assert headers[b"connection"] == b"close" and b"Traceback" not in body
        assert closed(sock)
    assert requests.get(emulator.base + "/sdk/vimServiceVersions.xml", timeout=10).ok


def test_oversized_head_is_431(emulator):
    sock = raw(emulator)
    sock.sendall(b"GET /sdk HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    status, _, _, _ = read_response(sock)
    assert status == 431


def test_oversized_body_is_413_and_read_to_its_end(make_emulator):
    emulator = make_emulator(clock="virtual", max_body=4096)
    sock = raw(emulator)
    sock.sendall(post_head(100000) + b"x" * 100000)  # the whole body, as a client would
    status, headers, body, _ = read_response(sock)
    assert status == 413 and headers[b"connection"] == b"close"
    assert body == b"Request body too large\n"
    assert closed(sock)


def test_a_request_that_never_finishes_arriving_gets_408(make_emulator):
    emulator = make_emulator(clock="virtual", request_timeout=0.4)
    slow_head = raw(emulator)
    slow_head.sendall(b"POST /sdk HTTP/1.1\r\nHost: x\r\n")  # and nothing more
    slow_body = raw(emulator)
    slow_body.sendall(post_head(len(RSC)) + RSC[:20])
    started = time.monotonic()
    for sock in (slow_head, slow_body):
        status, headers, body, _ = read_response(sock)  # blocks until the server gives up
        assert status == 408 and headers[b"connection"] == b"close"
        assert closed(sock)
    assert time.monotonic() - started < 5
    assert requests.get(emulator.base + "/sdk/vimServiceVersions.xml", timeout=10).ok


def test_trickling_bytes_does_not_extend_the_deadline(make_emulator):
    emulator = make_emulator(clock="virtual", request_timeout=0.5)
    sock = raw(emulator, timeout=0.1)
    head = post_head(len(RSC))
    answer = b""
    for byte in head:  # one byte every 0.1 s: slowloris
        try:
            sock.sendall(bytes([byte]))
            answer += sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if answer:
            break
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_idle_keep_alive_connections_are_closed_after_the_idle_timeout(make_emulator):
    emulator = make_emulator(clock="virtual", idle_timeout=0.4)
    sock = raw(emulator)
    sock.sendall(post_head(len(RSC)) + RSC)
    status, _, _, _ = read_response(sock)
    assert status == 200
    assert closed(sock)  # EOF, no answer: nothing was asked
    count = in_reactor(lambda: len(emulator.server.site.channels))
    assert count == 0


LOGIN = (b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
         b'"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><Login xmlns="urn:vim25">'
         b'<_this type="SessionManager">SessionManager</_this><userName>user</userName>'
         b'<password>pass</password></Login></soapenv:Body></soapenv:Envelope>')
RETRIEVE_ALL = (
    b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
    b'"http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi='
    b'"http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
    b'<RetrieveProperties xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector'
    b'</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet>'
    b'<pathSet>runtime.powerState</pathSet></propSet><objectSet><obj type="Folder">group-d1'
    b'</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>all</name>'
    b'<type>Folder</type><path>childEntity</path><skip>false</skip><selectSet><name>all'
    b'</name></selectSet><selectSet xsi:type="TraversalSpec"><name>dc</name>'
    b'<type>Datacenter</type><path>vmFolder</path><skip>false</skip><selectSet><name>all'
    b'</name></selectSet></selectSet></selectSet></objectSet></specSet>'
    b'</RetrieveProperties></soapenv:Body></soapenv:Envelope>')


# -- HTTPS: vimsim's TLS layer (the standard library's ssl on the reactor) ----------------


def tls_socket(emulator, timeout=10):
    import ssl
    context = ssl._create_unverified_context()
    return context.wrap_socket(raw(emulator, timeout), server_hostname="127.0.0.1")


def test_https_keeps_alive_and_carries_long_answers(make_emulator, tmp_path):
    emulator = make_emulator(clock="virtual", vms=2000, secure=True, cert_dir=str(tmp_path))
    cookie = requests.post(emulator.base + "/sdk", data=LOGIN, verify=False,
                           timeout=10).headers["Set-Cookie"].split(";")[0].encode()
    sock = tls_socket(emulator)
    rest = b""
    for _ in range(2):
        sock.sendall(post_head(len(RETRIEVE_ALL), b"Cookie: " + cookie + b"\r\n") + RETRIEVE_ALL)
        status, _, body, rest = read_response(sock, rest)
        assert status == 200 and body.count(b"<returnval>") == 2000
        sock.sendall(post_head(len(RSC)) + RSC)
        status, _, body, rest = read_response(sock, rest)
        assert status == 200 and is_service_content(body)
    sock.sendall(b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nConnection: close\r\n\r\n")
    status, headers, _, _ = read_response(sock)
    assert status == 200 and headers[b"connection"] == b"close"
    assert closed(sock)


def test_plain_http_on_the_https_port_is_closed_and_the_server_goes_on(make_emulator,
                                                                       tmp_path):
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path))
    sock = raw(emulator)
    sock.sendall(b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: x\r\n\r\n")
    assert closed(sock)
    assert requests.get(emulator.base + "/sdk/vimServiceVersions.xml", verify=False,
                        timeout=10).ok


def test_a_tls_handshake_that_never_finishes_is_cut_off(make_emulator, tmp_path):
    emulator = make_emulator(clock="virtual", secure=True, cert_dir=str(tmp_path),
                             request_timeout=0.4)
    sock = raw(emulator)
    sock.sendall(b"\x16\x03\x01\x00\xff\x01")  # the start of a ClientHello, and no more
    started = time.monotonic()
    assert closed(sock)
    assert time.monotonic() - started < 5


def test_bytes_pipelined_behind_a_waiting_request_are_capped(make_emulator):
    emulator = make_emulator(clock="virtual", max_body=4096)
    cookie = requests.post(emulator.base + "/sdk", data=LOGIN,
                           timeout=10).headers["Set-Cookie"].split(";")[0].encode()
    wait = (b'<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/'
            b'soap/envelope/"><soapenv:Body><WaitForUpdates xmlns="urn:vim25"><_this type='
            b'"PropertyCollector">propertyCollector</_this><version>1</version>'
            b'</WaitForUpdates></soapenv:Body></soapenv:Envelope>')
    def soap(body):
        envelope = (b'<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.'
                    b'xmlsoap.org/soap/envelope/"><soapenv:Body>%s</soapenv:Body>'
                    b'</soapenv:Envelope>' % body)
        return requests.post(emulator.base + "/sdk", data=envelope, timeout=10,
                             headers={"Cookie": cookie.decode()})
    assert soap(b'<CreateFilter xmlns="urn:vim25"><_this type="PropertyCollector">'
                b'propertyCollector</_this><spec><propSet><type>Folder</type><pathSet>name'
                b'</pathSet></propSet><objectSet><obj type="Folder">group-d1</obj></objectSet>'
                b'</spec><partialUpdates>false</partialUpdates></CreateFilter>').ok
    assert b"<version>1</version>" in soap(
        b'<WaitForUpdates xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector'
        b'</_this><version></version></WaitForUpdates>').content
    sock = raw(emulator)
    sock.sendall(post_head(len(wait), b"Cookie: " + cookie + b"\r\n") + wait)  # waits
    try:
        for _ in range(100):  # far more than a body and a head may hold
            sock.sendall(b"x" * 1024)
    except OSError:
        pass  # closed under us: what is expected
    assert closed(sock)
    assert requests.get(emulator.base + "/sdk/vimServiceVersions.xml", timeout=10).ok


GOOD_REQUESTS = [
    post_head(len(RSC)) + RSC,
    b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /sdk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n"
    % (len(RSC), RSC),
    b"GET /api/vcenter/vm?names=a&x=%zz HTTP/1.1\r\nvmware-api-session-id: x\r\n\r\n",
    b"GET /rest/vcenter/vm HTTP/1.1\r\nCookie: vmware-api-session-id=x\r\n\r\n",
    b"PUT /zstack/v1/accounts/login HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /sdk/vim25/8.0.3.0/SessionManager/SessionManager/Login HTTP/1.1\r\n"
    b"Content-Length: 2\r\n\r\n{}",
    b"GET /vimsim/v1/state HTTP/1.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n",
]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.lists(st.sampled_from(GOOD_REQUESTS), min_size=1, max_size=3),
       edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["put", "cut", "byte"]),
                                st.binary(min_size=1, max_size=12)), max_size=6))
def test_mutated_raw_requests_get_answers_never_internal_errors(emulator, base, edits):
    """Raw bytes, mangled: every answer the server gives is an HTTP answer from vimsim's own
    error paths or a vSphere error body, never a bare 500; the server goes on serving."""
    data = bytearray(b"".join(base))
    for where, edit, blob in edits:
        i = int(where * len(data))
        if edit == "put":
            data[i:i] = blob
        elif edit == "cut":
            del data[i:i + len(blob)]
        elif data:
            data[min(i, len(data) - 1)] = blob[0]
    sock = raw(emulator, timeout=10)
    sock.sendall(bytes(data))
    sock.shutdown(socket.SHUT_WR)  # nothing more: what is incomplete ends here
    answer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    for bad in (b"Internal server error", b"Traceback", b"SYS.1000", b"SystemError"):
        assert bad not in answer, (bytes(data)[:300], answer[:500])
    assert not answer or answer.startswith(b"HTTP/1.")
    assert requests.get(emulator.base + "/sdk/vimServiceVersions.xml", timeout=10).ok
