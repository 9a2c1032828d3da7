"""Every adjustment vimsim makes to twisted's and lxml's default behaviour, with the reason.

- XML is parsed with DTDs, entities and network access off, and any DOCTYPE is refused, as
  vCenter refuses it (lxml alone silently drops external entities instead).

- A small answer on a plain TCP connection is sent at once when nothing is queued before it:
  twisted would queue it, register for writability and send it on the next reactor turn,
  which costs two epoll_ctl calls and a poll per request (a fifth of a small call's CPU).

- `vimsim serve` keeps twisted from loading pyOpenSSL (``without_twisted_tls``): vimsim's TLS
  is the standard library's, and twisted's reactor would otherwise import pyOpenSSL and
  cryptography for TLS support nobody uses, about 12 MB of the server's memory.

(HTTP itself, with its body cap, timeouts and keep-alive, is vimsim.httpserver's.)
"""
from lxml import etree

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False,
                       huge_tree=False, remove_blank_text=False, dtd_validation=False)
_PARSER = etree.XMLParser(**_PARSER_OPTIONS)


class XmlRejected(ValueError):
    pass


def parse_xml(body):
    """Parse a request body safely; XmlRejected for malformed XML or any DTD."""
    _refuse_dtd(body)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlRejected("Malformed XML: %s" % exc.msg)
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
        raise XmlRejected("Malformed XML: %s" % exc.msg)
    return _checked(root)


def _refuse_dtd(body):
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise XmlRejected("DOCTYPE and entity declarations are not allowed")


def _checked(root):
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlRejected("DOCTYPE and entity declarations are not allowed")
    return root


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
