"""Every adjustment vimsim makes to twisted's and lxml's default behaviour, with the reason.

- XML is parsed with DTDs, entities and network access off, and any DOCTYPE is refused, as
  vCenter refuses it (lxml alone silently drops external entities instead). A malformed
  document is refused in the words of vCenter's parser, expat ("mismatched tag"), never in
  libxml2's ("use XML_PARSE_HUGE option").

- A small answer on a plain TCP connection is sent at once when nothing is queued before it:
  twisted would queue it, register for writability and send it on the next reactor turn,
  which costs two epoll_ctl calls and a poll per request (a fifth of a small call's CPU).

- `vimsim serve` keeps twisted from loading pyOpenSSL (``without_twisted_tls``): vimsim's TLS
  is the standard library's, and twisted's reactor would otherwise import pyOpenSSL and
  cryptography for TLS support nobody uses, about 12 MB of the server's memory.

- JSON request bodies are parsed as RFC 8259 has JSON: Python's json module would take NaN,
  Infinity and -Infinity, which no answer and no state file may hold. Nesting is bounded at
  JSON_MAX_DEPTH on every Python (json's own bound is the interpreter's recursion limit up
  to 3.12 and the C stack from 3.13, and past it raises RecursionError, not ValueError).
  A big body is read in steps (``parse_json_in_steps``): json.loads takes 50 ms over a
  CreateFilter of 20,000 objectSets, in one go.

(HTTP itself, with its body cap, timeouts and keep-alive, is vimsim.httpserver's.)
"""
import base64
import binascii
import collections
import json
import re
from json.decoder import scanstring

from lxml import etree

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False,
                       huge_tree=False, remove_blank_text=False, dtd_validation=False)
_PARSER = etree.XMLParser(**_PARSER_OPTIONS)


class XmlRejected(ValueError):
    pass


_E = etree.ErrorTypes
# libxml2's error codes as expat (vCenter's parser) reports the same mistake; any other code
# reads as expat's most common "not well-formed (invalid token)".
_EXPAT_ERRORS = {_E.ERR_DOCUMENT_EMPTY: "no element found",
                 _E.ERR_TAG_NOT_FINISHED: "no element found",
                 _E.ERR_TAG_NAME_MISMATCH: "mismatched tag",
                 _E.ERR_DOCUMENT_END: "junk after document element",
                 _E.ERR_UNDECLARED_ENTITY: "undefined entity",
                 _E.ERR_ATTRIBUTE_REDEFINED: "duplicate attribute",
                 _E.ERR_UNSUPPORTED_ENCODING: "unknown encoding"}


def _expat_message(exc):
    if exc.code == _E.ERR_INVALID_CHAR and "CharRef" in (exc.msg or ""):
        problem = "reference to invalid character number"
    elif exc.code == _E.ERR_RESOURCE_LIMIT:  # what huge_tree=False bounds
        problem = "limit on element nesting depth (256) breached" if "depth" in exc.msg \
            else "limit on text length (10,000,000 characters) breached"
    else:
        problem = _EXPAT_ERRORS.get(exc.code, "not well-formed (invalid token)")
    line, column = exc.position
    return ("Error returned by expat parser: %s\n\nwhile parsing HTTP request before method "
            "was determined\nat line %d, column %d" % (problem, line, max(column - 1, 0)))


def parse_xml(body):
    """Parse a request body safely; XmlRejected for malformed XML or any DTD."""
    _refuse_dtd(body)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(_expat_message(exc))
    return _checked(root)


class RecentDocuments:
    """parse_xml() of small bodies, answered from the trees of the last few bodies that had
    the same bytes: clients repeat calls (16 of the 24 requests of a pyVmomi power pair with
    WaitForTask repeat an earlier body byte for byte), and a parse, however small, costs
    60-200 µs of CPU when the server has just been idle (README, Performance). The callers
    only read the trees they are given."""

    def __init__(self, size=64, largest=4096):
        self.size, self.largest = size, largest
        self._trees = collections.OrderedDict()

    def parse(self, body):
        root = self._trees.get(body)
        if root is not None:
            self._trees.move_to_end(body)
            return root
        root = parse_xml(body)
        if len(body) <= self.largest:
            self._trees[body] = root
            if len(self._trees) > self.size:
                self._trees.popitem(last=False)
        return root


# Bytes of a big request body parsed per step (a few milliseconds of lxml's time).
PARSE_STEP = 64 * 1024


def parse_xml_in_steps(body):
    """parse_xml() as a generator: a body longer than PARSE_STEP is fed to lxml a step at a
    time, yielding None after each, so that 500,000 header elements or a 15 MiB request do
    not hold the reactor. Returns the root."""
    if len(body) <= PARSE_STEP:
        return parse_xml(body)
    _refuse_dtd(body)
    parser = etree.XMLParser(**_PARSER_OPTIONS)  # a parser of its own: feed keeps state
    view = memoryview(body)
    try:
        for start in range(0, len(body), PARSE_STEP):
            parser.feed(bytes(view[start:start + PARSE_STEP]))
            yield None
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(_expat_message(exc))
    return _checked(root)


def _refuse_dtd(body):
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise XmlRejected("DOCTYPE and entity declarations are not allowed")


def _checked(root):
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlRejected("DOCTYPE and entity declarations are not allowed")
    return root


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


# Arrays and objects nested deeper than this are refused (as the XML reader refuses elements
# nested past 256); no vim25 value comes near it.
JSON_MAX_DEPTH = 256


def _refuse_deep(text, value, room):
    """ValueError if ``value``, read from ``text``, nests more than ``room`` containers deep;
    the walk is made only when ``text`` has that many opening brackets at all."""
    if isinstance(text, (bytes, bytearray)):
        opened = text.count(b"[") + text.count(b"{")
    else:
        opened = text.count("[") + text.count("{")
    if opened <= room:
        return
    level = [(value, 1)]
    while level:
        item, depth = level.pop()
        if depth > room:
            raise ValueError("nested too deeply")
        inner = item.values() if isinstance(item, dict) else item
        level.extend((v, depth + 1) for v in inner if isinstance(v, (dict, list)))


def parse_json(body):
    """A JSON request body's value; ValueError for anything that is not RFC 8259 JSON."""
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply")
    if isinstance(value, (dict, list)):
        _refuse_deep(body, value, JSON_MAX_DEPTH)
    return value


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")  # json.scanner's
_LITERALS = (("true", True), ("false", False), ("null", None))
# What parse_json_in_steps reads between two steps: characters (about a millisecond's work),
# or values and containers it walks itself.
JSON_STEP_CHARS = 16 * 1024
JSON_STEP_VALUES = 500
# A container of at most this many characters is read by json's C scanner in one call, down
# to this depth (deeper, every container is walked: nesting is bounded without the C stack).
JSON_WHOLE = 16 * 1024
JSON_WHOLE_DEPTH = 64


def parse_json_in_steps(body):
    """parse_json() as a generator yielding None after each step, so that a body of megabytes
    does not hold the reactor. Returns the value; refuses (ValueError) what parse_json
    refuses. The containers it walks are on a stack of its own, bounded at
    JSON_MAX_DEPTH as parse_json's are; a small one goes to json's C scanner whole."""
    text = body.decode(json.detect_encoding(body), "surrogatepass") \
        if isinstance(body, (bytes, bytearray)) else body
    if text.startswith("\ufeff"):
        raise ValueError("Unexpected UTF-8 BOM")
    skip, limit, end = _WHITESPACE.match, JSON_MAX_DEPTH, len(text)
    stack = []  # [container, key of the value being read (None in a list)]
    pos, work, count, window = skip(text, 0).end(), 0, 0, 256
    while True:
        count += 1
        if count >= JSON_STEP_VALUES or work >= JSON_STEP_CHARS:
            count = work = 0
            yield None
        mark = text[pos:pos + 1]
        if mark == "{" or mark == "[":
            value = None
            while window <= JSON_WHOLE and len(stack) < JSON_WHOLE_DEPTH:
                try:  # a container that closes within the window is read whole
                    value, length = _scan_whole(text[pos:pos + window], 0)
                    break
                except (ValueError, StopIteration, RecursionError):
                    work += window
                    if pos + window >= end:
                        break  # it was all there: its fault is found walking it
                    window *= 2
            if value is not None:
                _refuse_deep(text[pos:pos + length], value, limit - len(stack))
                work += length
                pos += length
                window = max(256, min(2 * length, JSON_WHOLE))
            else:
                window = 256
                if len(stack) >= limit:
                    raise ValueError("nested too deeply")
                inner = skip(text, pos + 1).end()
                container = {} if mark == "{" else []
                if text[inner:inner + 1] == ("}" if mark == "{" else "]"):
                    value, pos = container, inner + 1
                else:  # read what it holds
                    key = None
                    if mark == "{":
                        key, inner = _json_key(text, inner)
                    stack.append([container, key])
                    work += inner - pos
                    pos = inner
                    continue
        else:
            value, after = _json_scalar(text, pos)
            work += after - pos
            pos = after
        while True:  # a value is complete: into its container, then what follows it
            if not stack:
                if skip(text, pos).end() != end:
                    raise ValueError("Extra data")
                return value
            frame = stack[-1]
            container = frame[0]
            if frame[1] is None:
                container.append(value)
            else:
                container[frame[1]] = value
            pos = skip(text, pos).end()
            mark = text[pos:pos + 1]
            if mark == ",":
                pos = skip(text, pos + 1).end()
                if type(container) is dict:
                    frame[1], pos = _json_key(text, pos)
                break
            if mark != ("}" if type(container) is dict else "]"):
                raise ValueError("Expecting ',' delimiter")
            stack.pop()
            value, pos = container, pos + 1


_scan_whole = json.JSONDecoder(parse_constant=_no_constant).scan_once


def _json_scalar(text, pos):
    """A string, number, true, false or null at ``pos``, and the position after it."""
    if text[pos:pos + 1] == '"':
        return scanstring(text, pos + 1, True)
    number = _NUMBER.match(text, pos)
    if number:
        integer, fraction, exponent = number.groups()
        value = float(integer + (fraction or "") + (exponent or "")) if fraction or exponent \
            else int(integer)
        return value, number.end()
    for word, value in _LITERALS:
        if text.startswith(word, pos):
            return value, pos + len(word)
    for word in ("NaN", "Infinity", "-Infinity"):
        if text.startswith(word, pos):
            _no_constant(word)
    raise ValueError("Expecting value")


def _json_key(text, pos):
    """An object member's name and the position of its value."""
    if text[pos:pos + 1] != '"':
        raise ValueError("Expecting property name enclosed in double quotes")
    key, pos = scanstring(text, pos + 1, True)
    pos = _WHITESPACE.match(text, pos).end()
    if text[pos:pos + 1] != ":":
        raise ValueError("Expecting ':' delimiter")
    return key, _WHITESPACE.match(text, pos + 1).end()


def header(request, name):
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value


def basic_credentials(request, strict=False):
    """(user name, password) of a request's HTTP Basic Authorization header, or None (no
    header, another scheme, or one that does not decode; ``strict``: base64 with no stray
    characters)."""
    scheme, _, encoded = (header(request, "Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        name, _, password = base64.b64decode(encoded.strip(), validate=strict) \
            .decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return name, password


_TcpServer = None


def write_now(transport, data):
    """transport.write(data), sending directly when the transport is a plain TCP socket with
    nothing queued (see the module docstring; any other transport is left alone); whatever is
    not sent at once goes through twisted."""
    global _TcpServer
    if _TcpServer is None:  # imported late, so that without_twisted_tls can come first
        from twisted.internet.tcp import Server as _TcpServer
    if type(transport) is _TcpServer and transport.connected and not transport.disconnecting \
            and not transport._tempDataLen and transport.offset == len(transport.dataBuffer):
        try:
            sent = transport.socket.send(data)
        except OSError:  # EAGAIN, or a broken connection twisted will find and report itself
            sent = 0
        if sent == len(data):
            return
        data = data[sent:]
    transport.write(data)


def unsent_bytes(transport):
    """How much of what was written to ``transport`` (a TCP socket's, or the plaintext side
    of vimsim's TLS) still waits to go to the socket: what a client that does not read
    leaves queued."""
    socket_transport = getattr(getattr(transport, "_tls", None), "transport", transport)
    try:
        return len(socket_transport.dataBuffer) - socket_transport.offset + \
            socket_transport._tempDataLen
    except AttributeError:  # not a twisted socket transport (a test's): nothing waits
        return 0


def without_twisted_tls():
    """Make twisted see pyOpenSSL as absent in this process (see the module docstring). For
    `vimsim serve` only, before the reactor is imported: a program embedding vimsim keeps
    its own choice."""
    import sys
    if "twisted.internet.reactor" not in sys.modules:
        sys.modules.setdefault("OpenSSL", None)
