"""vimsim's HTTP/1.1 server: a lean protocol on the twisted reactor that serves the resource tree.

twisted.web's own HTTPChannel and Request cost about 0.25 ms of CPU per request (line-by-line
header parsing, form-body parsing through the email package, per-header sanitising): three
times what the SOAP work itself costs. This server parses a request head in one pass, keeps
the subset of twisted's IRequest that vimsim's resources use (so the same resources still run
under twisted's own Site when a program mounts them), and enforces what a long-running
emulator needs: a body cap (413), a smaller one for requests without a session, decided from
the head before the body is read, a header cap (431), a deadline for a request to arrive (408,
against slow clients), a short one for a new connection to start its first request, a cap on
open connections and a long keep-alive idle timeout (pyVmomi pools sockets up to 900 s and
never retries a reset one).
"""
import io
import logging
import re
import time
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

from twisted.internet import defer, protocol
from twisted.python import failure
from twisted.web import resource as web_resource
from twisted.web import server as web_server
from twisted.web.error import UnsupportedMethod
from twisted.web.http import RESPONSES, parse_qs

from vimsim import activity, compat
from vimsim.model import faults

log = logging.getLogger("vimsim.http")

IDLE_TIMEOUT = 1800.0
REQUEST_TIMEOUT = 60.0
HANDSHAKE_TIMEOUT = 5.0  # a new connection's TLS handshake and first request byte
# vCenter's Envoy front proxy closes remote connections past 2048 (Broadcom KB 344920).
MAX_CONNECTIONS = 2048
FD_RESERVE = 64  # descriptors kept for what is not a connection (state file, certificate, logs)
# What a request without a session may carry: RetrieveServiceContent, Login, LoginByToken with
# its SAML token, the REST and ZStack logins need a few KiB; the documents none.
MAX_UNAUTHENTICATED_BODY = 64 * 1024
MAX_HEAD = 64 * 1024
MAX_CHUNK_LINE = 1024  # a chunk-size line with its extensions
MAX_HEADERS = 200
NOT_DONE_YET = web_server.NOT_DONE_YET

_date_cache = [0, b""]


def _http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[0], _date_cache[1] = now, formatdate(now, usegmt=True).encode()
    return _date_cache[1]


def _bytes(value):
    return value if isinstance(value, bytes) else str(value).encode("latin-1", "replace")


_HEADER_KEYS = {}
_STATUS_LINES = {}
# twisted's RESPONSES lacks these (RFC 6585)
REASONS = {**RESPONSES, 428: b"Precondition Required", 429: b"Too Many Requests",
           431: b"Request Header Fields Too Large"}
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}[ \t]*\Z")  # 1*HEXDIG, then BWS before an ext


def _header_key(name):
    """The lower-case bytes a header is filed under, remembered per name asked for."""
    key = _HEADER_KEYS.get(name)
    if key is None:
        key = _HEADER_KEYS[name] = _bytes(name).lower()
    return key


UNAUTHENTICATED_TOO_LARGE = "Request body too large for a request without a session"


class BadRequest(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code = code


class Request:
    """One HTTP request and its answer: the part of twisted's IRequest vimsim uses."""

    def __init__(self, channel, method, uri, version, headers, body):
        self.channel = channel
        self.method = method
        self.uri = uri
        self.clientproto = version
        self.path, _, query = uri.partition(b"?")
        self._query = query
        self._args = None
        self.prepath = []
        self.postpath = [unquote_to_bytes(p) for p in self.path[1:].split(b"/")]
        self.received_headers = headers
        self.content = io.BytesIO(body)
        self.code = 200
        self.code_message = None
        self.headers = {}
        self.cookies = []
        self.finished = False
        self._disconnected = False
        self._written = []
        self._watchers = None
        self.streaming = False  # the head is sent, and writes go out as they come
        self.started = time.perf_counter()
        self.activity = None  # what the front-end noted for the request's log line

    # -- what the request says -------------------------------------------------------------

    @property
    def args(self):
        if self._args is None:
            # twisted's parse_qs, as twisted's Request: bytes in and out, whatever they are
            self._args = parse_qs(self._query, keep_blank_values=1) if self._query else {}
        return self._args

    def getHeader(self, name):
        value = self.received_headers.get(_header_key(name))
        if value is None or isinstance(name, bytes):
            return value
        return value.decode("latin-1")

    def getCookie(self, name):
        for part in (self.received_headers.get(b"cookie") or b"").split(b";"):
            key, sep, value = part.strip().partition(b"=")
            if sep and key == name:
                return value
        return None

    def getClientAddress(self):
        return self.channel.transport.getPeer()

    def getHost(self):
        return self.channel.transport.getHost()

    def isSecure(self):
        return self.channel.factory.secure

    # -- the answer ------------------------------------------------------------------------

    def setResponseCode(self, code, message=None):
        self.code = int(code)
        self.code_message = message

    def setHeader(self, name, value):
        value = _bytes(value)
        if b"\r" in value or b"\n" in value:
            value = value.replace(b"\r", b" ").replace(b"\n", b" ")
        self.headers[_header_key(name)] = (_bytes(name), value)

    def addCookie(self, key, value, path=None, secure=False, httpOnly=False, sameSite=None):
        cookie = _bytes(key) + b"=" + _bytes(value)
        if path is not None:
            cookie += b"; Path=" + _bytes(path)
        if secure:
            cookie += b"; Secure"
        if httpOnly:
            cookie += b"; HttpOnly"
        if sameSite is not None:
            cookie += b"; SameSite=" + _bytes(sameSite)
        self.cookies.append(cookie)

    def write(self, data):
        if self.finished:
            return
        if self.streaming:
            if not self._disconnected:
                self.channel.transport.write(data)
            return
        self._written.append(data)

    def start_stream(self):
        """Send the head now and each later write() as it comes (server-sent events): the
        answer has no length, so the connection closes when it finishes."""
        self.persistent = False
        self.streaming = True
        self.channel.respond(self, None)

    def finish(self):
        if self.finished:
            return
        self.finished = True
        self.channel.factory.busy_at = time.perf_counter()
        if not self._disconnected:  # (a lost one had its line when the client went)
            activity.request_done(self)  # before the answer: the next request may start in it
        if self.streaming:
            if not self._disconnected:
                self.channel._sent(False)
        elif not self._disconnected:
            self.channel.respond(self, self._written)
        self._notify(None)

    def notifyFinish(self):
        d = defer.Deferred()
        if self.finished:
            d.callback(None)
        elif self._disconnected:
            d.errback(failure.Failure(ConnectionError("the client went away")))
        else:
            if self._watchers is None:
                self._watchers = []
            self._watchers.append(d)
        return d

    def connection_lost(self):
        self._disconnected = True
        if not self.finished:
            activity.request_done(self, lost=True)
            self._notify(failure.Failure(ConnectionError("the client went away")))

    def _notify(self, result):
        watchers, self._watchers = self._watchers, None
        for d in watchers or ():
            if result is None:
                d.callback(None)
            else:
                d.errback(result)

    # -- rendering -------------------------------------------------------------------------

    def render(self, root):
        try:
            target = web_resource.getChildForRequest(root, self)
            if self.method == b"HEAD" and not hasattr(target, "render_GET") \
                    and type(target).render is web_resource.Resource.render:
                raise UnsupportedMethod(web_resource._computeAllowedMethods(target))
            body = target.render(self)
        except UnsupportedMethod as exc:
            self.setResponseCode(405)
            self.setHeader(b"Allow", b", ".join(exc.allowedMethods))
            self.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            body = b"Method not allowed\n"
        except Exception:  # a bug: the traceback in the log, its id alone on the wire
            fault = faults.internal_error(log, "answering %s %s" % (
                self.method.decode("latin-1"), self.uri.decode("latin-1")))
            self.setResponseCode(500)
            self.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            body = (fault.fields["reason"] + "\n").encode()
        if body is NOT_DONE_YET:
            return
        self.write(body)
        self.finish()


# An answer this long goes to the transport STREAM_PART bytes at a time, as it drains: a
# 200 MB RetrieveProperties answer copied and queued in one go held the reactor for 0.1 s.
STREAM_AT = 1024 * 1024
STREAM_PART = 256 * 1024


# Answers queued for a client beyond this, and the next pipelined request waits (and the
# socket is not read) until the client has taken them: one that sends requests and never
# reads held 1.8 GB for 88 KB sent.
MAX_UNSENT = STREAM_AT


class _Drained:
    """A pull producer that only waits for the transport's queue to empty, then lets the
    channel go on with the requests it holds."""

    def __init__(self, channel):
        self.channel = channel
        self.registered = False

    def resumeProducing(self):
        if not self.registered:  # registerProducer's own call: the queue is still full
            self.registered = True
            return
        channel = self.channel
        channel._waiting_drain = None
        channel.transport.unregisterProducer()
        channel.transport.resumeProducing()
        if channel._buffer and not channel._parsing:
            channel._parse()

    def pauseProducing(self):
        pass

    def stopProducing(self):
        pass


class _Body:
    """A pull producer of one long answer's parts."""

    def __init__(self, channel, parts, keep):
        self.channel, self.parts, self.keep = channel, parts, keep
        self.index, self.offset = 0, 0

    def resumeProducing(self):
        channel = self.channel
        if self.parts is None or channel._closing:
            return
        # each part the client takes gives it the request timeout again for the next
        channel.deadline = channel.factory.now() + channel.factory.request_timeout
        out, size = [], 0
        while self.index < len(self.parts) and size < STREAM_PART:
            part = self.parts[self.index]
            piece = part[self.offset:self.offset + STREAM_PART - size]
            out.append(piece)
            size += len(piece)
            self.offset += len(piece)
            if self.offset >= len(part):
                self.index, self.offset = self.index + 1, 0
        if out:
            channel.transport.write(b"".join(out))
        if self.index >= len(self.parts):
            self.parts = None
            channel.transport.unregisterProducer()
            channel._sent(self.keep)

    def pauseProducing(self):
        pass

    def stopProducing(self):
        self.parts = None


class HTTPChannel(protocol.Protocol):
    """One client connection: parses requests and answers them strictly one at a time."""

    def __init__(self):
        # A bytearray, so that appending what arrives costs what arrives, not the whole
        # buffer again (a 15 MiB body in small packets was quadratic as bytes).
        self._buffer = bytearray()
        self._current = None  # the request being answered; later bytes wait in the buffer
        self._head = None  # (method, uri, version, headers, body length or -1 for chunked)
        self._chunks = None
        self._chunked_length = 0  # the decoded size of the chunks read so far
        self._closing = False
        self._parsing = False
        self._drain = 0
        self._authenticated = None  # whether the head being read carries a session, once asked
        self._waiting_drain = None  # a _Drained while answers wait for the client to read
        self._body = None  # the _Body of a long answer being sent
        self.deadline = 0.0

    def connectionMade(self):
        self.factory.channels.add(self)
        # Until its first request starts (TLS handshake included), a connection has only the
        # handshake timeout: connections that never send a byte cannot pile up.
        self.deadline = self.factory.now() + self.factory.handshake_timeout

    def connectionLost(self, reason=protocol.connectionDone):
        self.factory.channels.discard(self)
        self._closing = True
        if self._current is not None:
            self._current.connection_lost()
            self._current = None

    def dataReceived(self, data):
        if self._closing:
            if self._drain > 0:  # the rest of a refused body: read, so the client sees the 413
                self._drain -= len(data)
                if self._drain <= 0:
                    self.transport.loseConnection()
            return
        if self._head is None and self._current is None and \
                not self._buffer.strip(b"\r\n") and data.strip(b"\r\n"):
            # A request's first byte starts its deadline; blank lines between requests do
            # not (a client sending only CRLFs must not keep the connection open for ever,
            # nor one whose lone LF came first hold a request by trickling it).
            self.request_arriving()
        self._buffer += data
        if self._current is None:
            self._parse()
        elif len(self._buffer) > self.factory.max_body + MAX_HEAD:
            # More pipelined than one request may hold, behind one still being answered
            # (a WaitForUpdates can wait for hours): nothing legitimate does that.
            self._closing = True
            self._buffer = bytearray()
            self.transport.loseConnection()

    def request_arriving(self):
        """The first bytes of a request are here: all of it must arrive within the request
        timeout."""
        self.deadline = self.factory.now() + self.factory.request_timeout

    def timed_out(self, now):
        """Called by the factory's sweep: 408 for a request that never finished arriving;
        a client that has not taken its answers within the request timeout (a long one, a
        queue of pipelined ones, or the last before closing) loses the connection, and what
        waited for it."""
        if now >= self.deadline and compat.unsent_bytes(self.transport) and (
                self._waiting_drain is not None or self._body is not None or self._closing):
            self._closing = True
            self.transport.abortConnection()
            return
        if self._drain > 0 and now >= self.deadline:
            self._drain = 0
            self.transport.loseConnection()
        if self._current is not None or self._closing or now < self.deadline:
            return
        if self._buffer or self._head is not None:
            self._reject(408, "The request did not arrive in time")
        else:
            self._closing = True
            self.transport.loseConnection()

    # -- parsing ---------------------------------------------------------------------------

    def _parse(self):
        self._parsing = True  # answers given while parsing let this loop go on, not recurse
        try:
            while not self._closing and self._current is None:
                if self._waiting_drain is not None:
                    return
                if compat.unsent_bytes(self.transport) > MAX_UNSENT:
                    self._wait_for_drain()
                    return
                if self._head is None and not self._parse_head():
                    return
                body = self._read_body()
                if body is None:
                    return
                method, uri, version, headers, _ = self._head
                self._head = self._chunks = None
                self._dispatch(method, uri, version, headers, body)
        except BadRequest as exc:
            self._reject(exc.code, str(exc))
        finally:
            self._parsing = False

    def _wait_for_drain(self):
        """Stop reading until the client has taken what is queued for it (the request
        timeout to do so)."""
        self._waiting_drain = _Drained(self)
        self.deadline = self.factory.now() + self.factory.request_timeout
        self.transport.pauseProducing()
        self.transport.registerProducer(self._waiting_drain, False)

    def _parse_head(self):
        buf = self._buffer
        if not buf:
            return False
        if buf[:1] in (b"\r", b"\n"):  # empty lines tolerated between requests (RFC 9112 2.2)
            buf = self._buffer = bytearray(buf.lstrip(b"\r\n"))
        if buf and not buf[:1].isalpha():  # a request line starts with its method (TLS?)
            raise BadRequest(400, "Malformed request line")
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEAD:
                raise BadRequest(431, "Request header fields too large")
            if b"\n\n" in buf or b"\n\r\n" in buf:  # lines ended by a bare LF
                raise BadRequest(400, "Malformed request: lines must end with CRLF")
            return False
        if end > MAX_HEAD:
            raise BadRequest(431, "Request header fields too large")
        lines = bytes(buf[:end]).split(b"\r\n")
        del buf[:end + 4]
        try:
            method, uri, version = lines[0].split(b" ")
        except ValueError:
            raise BadRequest(400, "Malformed request line")
        if uri[:7].lower() == b"http://" or uri[:8].lower() == b"https://":
            # the absolute form a client sends through a proxy (RFC 9112 3.2.2): its path
            path_at = uri.find(b"/", uri.index(b"//") + 2)
            uri = uri[path_at:] if path_at > 0 else b"/"
        if version not in (b"HTTP/1.1", b"HTTP/1.0") or not uri.startswith(b"/") \
                or not method.isalpha():
            raise BadRequest(400, "Malformed request line")
        if len(lines) > MAX_HEADERS:
            raise BadRequest(431, "Too many request header fields")
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            # a field name is a token (no blanks); no NUL, CR or LF in a value (RFC 9110 5.5)
            if not sep or not name or b" " in name or b"\t" in name or \
                    b"\0" in line or b"\r" in line or b"\n" in line:
                raise BadRequest(400, "Malformed header line")
            name = name.lower()
            value = value.strip()
            if name in headers:
                value = headers[name] + (b"; " if name == b"cookie" else b", ") + value
            headers[name] = value
        coding = headers.get(b"transfer-encoding")
        if coding is not None:
            if coding.lower() != b"chunked" or b"content-length" in headers:
                raise BadRequest(400, "Unsupported transfer encoding")
            length = -1
            self._chunks, self._chunked_length = [], 0
        else:
            raw = headers.get(b"content-length", b"0")
            if not raw.isdigit():
                raise BadRequest(400, "Invalid Content-Length")
            length = int(raw)
            if length > self.factory.max_body:
                self._drain = length - len(self._buffer)
                raise BadRequest(413, "Request body too large")
        self._head = (method, uri, version, headers, length)
        self._authenticated = None
        if length > self.factory.max_unauthenticated_body and not self._may_send_more():
            self._drain = length - len(self._buffer)
            raise BadRequest(413, UNAUTHENTICATED_TOO_LARGE)
        if length and headers.get(b"expect", b"").lower() == b"100-continue":
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _read_body(self):
        length = self._head[4]
        buf = self._buffer
        if length >= 0:
            if len(buf) < length:
                return None
            body = bytes(buf[:length])
            del buf[:length]
            return body
        # Chunked: size line, data, CRLF; a zero size, then trailers (ignored) and a blank
        # line, ends it. Read by position, the buffer cut once: linear in the body's size.
        pos = 0
        try:
            while True:
                line_end = buf.find(b"\r\n", pos)
                if line_end < 0 or line_end - pos > MAX_CHUNK_LINE:
                    if line_end >= 0 or len(buf) - pos > MAX_CHUNK_LINE:
                        raise BadRequest(400, "Malformed chunk")
                    return None
                size_text = bytes(buf[pos:line_end]).split(b";", 1)[0]
                if not _CHUNK_SIZE.match(size_text):  # not int()'s "0x10", "+10" or "1_0"
                    raise BadRequest(400, "Malformed chunk")
                size = int(size_text, 16)
                if size == 0:
                    trailer_end = buf.find(b"\r\n\r\n", line_end)
                    if trailer_end < 0:
                        if len(buf) - line_end > MAX_HEAD:
                            raise BadRequest(431, "Request trailer fields too large")
                        return None
                    pos = trailer_end + 4
                    return b"".join(self._chunks)
                # The caps apply to what a chunk declares, before its data is waited for.
                total = self._chunked_length + size
                if total > self.factory.max_body:
                    raise BadRequest(413, "Request body too large")
                if total > self.factory.max_unauthenticated_body and not self._may_send_more():
                    raise BadRequest(413, UNAUTHENTICATED_TOO_LARGE)
                start = line_end + 2
                if len(buf) < start + size + 2:
                    return None
                if buf[start + size:start + size + 2] != b"\r\n":
                    raise BadRequest(400, "Malformed chunk")
                self._chunks.append(bytes(buf[start:start + size]))
                self._chunked_length += size
                pos = start + size + 2
        finally:
            if not self._closing:
                del buf[:pos]

    def _may_send_more(self):
        """Whether the request whose head was read carries a live session, and so may send a
        body over the unauthenticated cap (asked once per request, before its body is read)."""
        if self._authenticated is None:
            method, uri, version, headers, _ = self._head
            self._authenticated = self.factory.authenticated(self, method, uri, version,
                                                             headers)
        return self._authenticated

    # -- answering -------------------------------------------------------------------------

    def _dispatch(self, method, uri, version, headers, body):
        request = Request(self, method, uri, version, headers, body)
        connection = headers.get(b"connection", b"").lower()
        request.persistent = (b"close" not in connection) if version == b"HTTP/1.1" \
            else (b"keep-alive" in connection)
        self._current = request
        self.factory.busy_at = request.started
        request.render(self.factory.root)

    def respond(self, request, parts):
        """Send a finished request's answer (the list of what it wrote), then go on with what
        is already buffered; with ``parts`` None, only the head of a streamed answer."""
        if request is not self._current or self._closing:
            return
        streamed = parts is None
        parts = parts or ()
        size = sum(map(len, parts))
        body = b"".join(parts) if size < STREAM_AT else b""
        if request.code_message is None:
            status = _STATUS_LINES.get(request.code)
            if status is None:
                status = _STATUS_LINES[request.code] = b"HTTP/1.1 %d %s\r\n" % (
                    request.code, REASONS.get(request.code, b"Unknown"))
        else:
            status = b"HTTP/1.1 %d %s\r\n" % (request.code, _bytes(request.code_message))
        head = [status]
        headers = request.headers
        for name, value in headers.values():
            head.append(name + b": " + value + b"\r\n")
        for cookie in request.cookies:
            head.append(b"Set-Cookie: " + cookie + b"\r\n")
        if b"date" not in headers:
            head.append(b"Date: " + _http_date() + b"\r\n")
        if request.method == b"HEAD" or request.code in (204, 304):
            if request.code not in (204, 304):
                head.append(b"Content-Length: %d\r\n" % size)
            body, parts = b"", ()
        elif not streamed:
            head.append(b"Content-Length: %d\r\n" % size)
        keep = request.persistent and b"close" not in headers.get(b"connection", (0, b""))[1]
        if not keep and b"connection" not in headers:
            head.append(b"Connection: close\r\n")
        head.append(b"\r\n")
        compat.write_now(self.transport, b"".join(head) + body)
        if streamed:
            return
        if size >= STREAM_AT and parts:
            self._body = _Body(self, parts, keep)
            self.transport.registerProducer(self._body, False)
            return
        self._sent(keep)

    def _sent(self, keep):
        """The answer is with the transport: the connection is free for the next request."""
        self._current = self._body = None
        if not keep:
            self._closing = True
            # the client has the request timeout to take the answer before the socket goes
            self.deadline = self.factory.now() + self.factory.request_timeout
            self.transport.loseConnection()
            return
        now = self.factory.now()
        self.deadline = now + (self.factory.request_timeout if self._buffer
                               else self.factory.idle_timeout)
        if self._buffer and not self._parsing:
            self._parse()

    def _reject(self, code, text):
        """Answer a request the server will not read, and close the connection."""
        self._closing = True
        self._head = self._chunks = None
        self._buffer = bytearray()
        activity.refused(code, text)
        body = (text + "\n").encode()
        self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                             % (code, REASONS.get(code, b"Error"), len(body), body))
        if self._drain > 0:
            self.deadline = self.factory.now() + self.factory.request_timeout
        else:
            self.transport.loseConnection()


class Site(protocol.ServerFactory):
    """Serves a twisted resource tree over vimsim's HTTPChannel."""

    protocol = HTTPChannel

    def __init__(self, root, max_body, reactor, request_timeout=REQUEST_TIMEOUT,
                 idle_timeout=IDLE_TIMEOUT, handshake_timeout=HANDSHAKE_TIMEOUT,
                 max_connections=None, max_unauthenticated_body=MAX_UNAUTHENTICATED_BODY):
        self.root = root
        self.max_body = max_body
        self.max_unauthenticated_body = min(max_unauthenticated_body, max_body)
        self.reactor = reactor
        self.request_timeout = request_timeout
        self.idle_timeout = idle_timeout
        self.handshake_timeout = handshake_timeout
        self.max_connections = max_connections if max_connections is not None \
            else default_max_connections()
        self.secure = False
        self.busy_at = 0.0  # perf_counter time of the last request begun or finished
        self.channels = set()
        self._sweeper = None
        self._sweep_due = 0.0
        self._sweep_skipped = False
        self._refused_logged = 0.0

    def now(self):
        return self.reactor.seconds()

    def buildProtocol(self, addr):
        """A channel for a new connection, or None (twisted closes it at once) when
        max_connections are open, as vCenter's front proxy closes them."""
        if len(self.channels) >= self.max_connections:
            now = self.now()
            if now - self._refused_logged >= 1.0:  # one line a second, not one per refusal
                self._refused_logged = now
                log.warning("connections exceed max allowed: %d; closing connection from %s",
                            self.max_connections, getattr(addr, "host", addr))
            return None
        return super().buildProtocol(addr)

    def authenticated(self, channel, method, uri, version, headers):
        """Whether a request's head carries a live session (the control API: an
        Administrator's credentials), asked of the resource that will answer it before its
        body is read; a resource that does not say has none."""
        probe = Request(channel, method, uri, version, headers, b"")
        try:
            target = web_resource.getChildForRequest(self.root, probe)
            check = getattr(target, "authenticated", None)
            return bool(check is not None and check(probe))
        except Exception:  # a bug: no session, and the traceback in the log under an id
            faults.internal_error(log, "checking the session of %s %s" % (method, uri))
            return False

    def startFactory(self):
        # One timer for every connection's deadline, instead of a timer reset per request.
        interval = min(1.0, self.request_timeout / 4, self.idle_timeout / 4,
                       self.handshake_timeout / 4)
        self._sweep_due = self.now() + interval
        self._sweeper = self.reactor.callLater(interval, self._sweep, interval)

    def stopFactory(self):
        if self._sweeper is not None and self._sweeper.active():
            self._sweeper.cancel()
        self._sweeper = None

    def _sweep(self, interval):
        now = self.now()
        # A late sweep means the reactor was held: bytes that arrived meanwhile are read only
        # after this call, so this one round times nothing out (the next one, after they have
        # been read, does).
        if now - self._sweep_due > interval and not self._sweep_skipped:
            self._sweep_skipped = True
        else:
            self._sweep_skipped = False
            for channel in list(self.channels):
                channel.timed_out(now)
        self._sweep_due = now + interval
        self._sweeper = self.reactor.callLater(interval, self._sweep, interval)


def default_max_connections():
    """vCenter's connection limit, or less where the process may not open that many files."""
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return MAX_CONNECTIONS
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(1, min(MAX_CONNECTIONS, soft - FD_RESERVE))
