"""The WSDL in vimsim/wsdl/ (package data), served under /sdk with the service location pointing at the server."""
import functools
import os

from twisted.web import resource

from vimsim.compat import header

WSDL_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "wsdl")
FILES = ("vimService.wsdl", "vim.wsdl", "vim-types.xsd", "vim-messagetypes.xsd")
_LOCATION = b'location="https://localhost/sdk"'


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
        host = header(request, "Host") or "%s:%d" % (request.getHost().host,
                                                     request.getHost().port)
        scheme = "https" if request.isSecure() else "http"
        location = ('location="%s://%s/sdk"' % (scheme, host)).encode("utf-8", "replace")
        return self.body.replace(_LOCATION, location)
