"""Every adjustment vimsim makes to twisted's and lxml's default behaviour, with the reason.

- Request bodies are capped while they arrive (twisted would buffer any size to a temp file
  before a resource sees it): over the cap the body is discarded and the answer is 413.
- XML is parsed with DTDs, entities and network access off, and any DOCTYPE is refused, as
  vCenter refuses it (lxml alone silently drops external entities instead).
- Keep-alive: pyVmomi pools connections for up to 900 s and never retries a reset socket, so
  idle connections are kept well beyond that (WIRE.md).
"""
from lxml import etree
from twisted.web import server

IDLE_TIMEOUT = 1800

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_blank_text=False, dtd_validation=False)


class XmlRejected(ValueError):
    pass


def parse_xml(body):
    """Parse a request body safely; XmlRejected for malformed XML or any DTD."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise XmlRejected("DOCTYPE and entity declarations are not allowed")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlRejected("Malformed XML: %s" % exc.msg)
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlRejected("DOCTYPE and entity declarations are not allowed")
    return root


class CappedRequest(server.Request):
    """A request whose body may not exceed the site's ``max_body`` bytes."""

    too_large = False
    _received = 0

    def gotLength(self, length):
        cap = self.channel.site.max_body
        if length is not None and length > cap:
            self.too_large = True
        super().gotLength(length if not self.too_large else 0)

    def handleContentChunk(self, data):
        if self.too_large:
            return
        self._received += len(data)
        if self._received > self.channel.site.max_body:
            self.too_large = True
            self.content.seek(0)
            self.content.truncate()
            return
        super().handleContentChunk(data)


class Site(server.Site):
    requestFactory = CappedRequest
    displayTracebacks = False

    def __init__(self, resource, max_body, **kw):
        super().__init__(resource, **kw)
        self.max_body = max_body
        self.timeOut = IDLE_TIMEOUT

    def log(self, request):
        pass  # access logging is the caller's choice, not on by default


def header(request, name):
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value

