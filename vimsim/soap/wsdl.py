"""The WSDL in vimsim/wsdl/ (package data), served under /sdk with the service location pointing at the server."""
import functools
import os
import re

from twisted.web import resource

from vimsim.compat import header

WSDL_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "wsdl")
FILES = ("vimService.wsdl", "vim.wsdl", "vim-types.xsd", "vim-messagetypes.xsd")
_LOCATION = b'location="https://localhost/sdk"'
_HOST = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?\Z")


@functools.lru_cache(maxsize=None)
def load():
    documents = {}
    for name in FILES:
        with open(os.path.join(WSDL_DIR, name), "rb") as f:
            documents[name] = f.read()
    return documents


class WsdlResource(resource.Resource):
    isLeaf = True

    def __init__(self, body, rewrite_location=False):
        super().__init__()
        self.body, self.rewrite_location = body, rewrite_location

    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"text/xml; charset=utf-8")
        if not self.rewrite_location:
            return self.body
        host = header(request, "Host")
        if host is None or not _HOST.match(host):  # pasted into XML: only a host[:port]
            address = request.getHost()
            host = "%s:%d" % (("[%s]" % address.host) if ":" in address.host else address.host,
                              address.port)
        scheme = "https" if request.isSecure() else "http"
        location = ('location="%s://%s/sdk"' % (scheme, host)).encode("utf-8", "replace")
        return self.body.replace(_LOCATION, location)
