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
  Infinity and -Infinity, which no answer and no state file may hold, and a body nested
  past the interpreter's recursion limit would raise RecursionError rather than ValueError.

(HTTP itself, with its body cap, timeouts and keep-alive, is vimsim.httpserver's.)
"""
import json

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


def parse_json(body):
    """A JSON request body's value; ValueError for anything that is not RFC 8259 JSON."""
    try:
        return json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply")


def header(request, name):
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value



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


def without_twisted_tls():
    """Make twisted see pyOpenSSL as absent in this process (see the module docstring). For
    `vimsim serve` only, before the reactor is imported: a program embedding vimsim keeps
    its own choice."""
    import sys
    if "twisted.internet.reactor" not in sys.modules:
        sys.modules.setdefault("OpenSSL", None)
