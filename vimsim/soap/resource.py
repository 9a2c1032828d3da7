"""The vim25 SOAP endpoint (/sdk) and the version document SmartConnect reads first."""
import logging
import re

from twisted.web import resource, server

from vimsim.compat import XmlRejected, header, parse_xml
from vimsim.frontend import ModelResource
from vimsim.model import dispatch, faults
from vimsim.model.objects import Pending, Streamed
from vimsim.model.sessions import CallContext
from vimsim.model.vcenter import API_VERSION, PRIOR_API_VERSIONS
from vimsim.soap import envelope
from vimsim.soap.codec import decode_arguments, local
from vimsim.vim25.data import MoRef
from vimsim.vim25.types import REGISTRY, Field

log = logging.getLogger("vimsim.soap")

COOKIE = "vmware_soap_session"
_COOKIE_RE = re.compile(r'vmware_soap_session="?([0-9A-Za-z]+)"?')
_ENVELOPE = "{%s}Envelope" % envelope.SOAPENV
_BODY = "{%s}Body" % envelope.SOAPENV
_FETCH_PROP = Field("prop", "xsd:string", False, None, False)
# Longest a long answer (RetrieveProperties over 10,000 VMs) holds the reactor at a time.
SLICE = 0.01

VERSIONS_XML = ('<?xml version="1.0" encoding="UTF-8" ?>\n<namespaces version="1.0">\n'
                " <namespace>\n  <name>urn:vim25</name>\n  <version>%s</version>\n"
                "  <priorVersions>\n%s  </priorVersions>\n </namespace>\n</namespaces>\n"
                % (API_VERSION, "".join("   <version>%s</version>\n" % v
                                        for v in PRIOR_API_VERSIONS))).encode()


class VersionsResource(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"text/xml; charset=utf-8")
        return VERSIONS_XML


class SoapResource(ModelResource):

    def render_GET(self, request):
        request.setResponseCode(405)
        request.setHeader(b"Allow", b"POST")
        request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
        return b"The vSphere Web Services SDK endpoint accepts POST requests only.\n"

    def render_POST(self, request):
        request.setHeader(b"Content-Type", b"text/xml; charset=utf-8")
        request.setHeader(b"Cache-Control", b"no-cache")
        try:
            return self._answer(request)
        except Exception:  # a vimsim bug: vCenter's SystemError, never a traceback
            return self._fault(request, faults.internal_error(log, "answering /sdk"),
                               REGISTRY.newest)

    def _answer(self, request):
        version = self._version(request)
        version_ids = REGISTRY.version_ids(version)
        ctx = CallContext(version=version, user_agent=header(request, "User-Agent"),
                          ip_address=getattr(request.getClientAddress(), "host", None))
        ctx.session = self.vc.session_manager.session_for_cookie(self._cookie(request))
        had_session = ctx.session
        try:
            method, this, el, version_id = self._parse(request.content.read())
            if version is None and version_id:  # no SOAPAction: the _this versionId
                version = ctx.version = version_id
                version_ids = REGISTRY.version_ids(version)
            # Fetch's property decides whether it needs a session (currentSession does not)
            fetched = self._arguments(el, None).get("prop") if method == dispatch.FETCH \
                else None
            obj, minfo = dispatch.resolve(self.vc, ctx, this, method, fetched)
            args = self._arguments(el, minfo)
            result = dispatch.call(self.vc, ctx, obj, minfo, args)
        except faults.Fault as fault:
            return self._fault(request, fault, version_ids)
        finally:
            self.state.request_done()
        if ctx.session is not had_session:
            self._set_cookie(request, ctx.session)
        prop = args.get("prop") if minfo is None else None
        if isinstance(result, Pending):
            self._answer_later(request, result, method, minfo, version_ids)
            return server.NOT_DONE_YET
        if isinstance(result, Streamed):
            self._answer_in_slices(request, result, method, minfo, version_ids)
            return server.NOT_DONE_YET
        return envelope.response(method, minfo, result, version_ids, obj.vim_type, prop)

    # -- request parts -------------------------------------------------------------------

    @staticmethod
    def _version(request):
        action = header(request, "SOAPAction")
        if action:
            action = action.strip().strip('"')
            if action.startswith("urn:vim25/"):
                return action[10:]
        return None

    @staticmethod
    def _cookie(request):
        raw = header(request, "Cookie")
        if not raw:
            return None
        match = _COOKIE_RE.search(raw)
        return match.group(1) if match else None

    @staticmethod
    def _parse(body):
        try:
            root = parse_xml(body)
        except XmlRejected as exc:
            raise faults.InvalidRequest(str(exc))
        if root.tag != _ENVELOPE:
            raise faults.InvalidRequest("The request is not a SOAP 1.1 envelope")
        body_el = next((c for c in root if c.tag == _BODY), None)
        call = next((c for c in body_el if isinstance(c.tag, str)), None) \
            if body_el is not None else None
        if call is None:
            raise faults.InvalidRequest("The SOAP body holds no method call")
        this_el = next((c for c in call if isinstance(c.tag, str) and local(c.tag) == "_this"),
                       None)
        this = version_id = None
        if this_el is not None and this_el.get("type"):
            this = MoRef(this_el.get("type"), (this_el.text or "").strip())
            version_id = this_el.get("versionId")
        return local(call.tag), this, call, version_id

    @staticmethod
    def _arguments(el, minfo):
        params = minfo.param_by_name if minfo is not None else {"prop": _FETCH_PROP}
        try:
            return decode_arguments(el, params)
        except faults.InvalidRequest as fault:
            raise fault.within("call information for method %s" % local(el.tag))

    # -- answers -------------------------------------------------------------------------

    def _set_cookie(self, request, session):
        if session is None:
            return
        secure = " Secure;" if request.isSecure() else ""
        request.setHeader(b"Set-Cookie", ('%s="%s"; Path=/; HttpOnly;%s '
                                          % (COOKIE, session.cookie, secure)).encode())

    @staticmethod
    def _fault(request, fault, version_ids):
        request.setResponseCode(500)
        log.debug("fault %s: %s", fault.type_name, fault.msg)
        return envelope.fault(fault, version_ids)

    def _answer_in_slices(self, request, streamed, method, minfo, version_ids):
        """Build a long answer over several reactor turns, so that no other client waits
        more than about SLICE seconds for it (issue 9: never block for 50 ms)."""
        pieces = envelope.response_pieces(method, minfo, streamed, version_ids, SLICE)

        def step():
            if request.finished or getattr(request, "_disconnected", False):
                return
            try:
                body = next(pieces)
            except faults.Fault as fault:
                body = self._fault(request, fault, version_ids)
            except Exception:
                body = self._fault(request, faults.internal_error(log, "answering " + method),
                                   version_ids)
            if body is None:
                self.state.reactor.callLater(0, step)
                return
            request.write(body)
            request.finish()
        step()

    def _answer_later(self, request, pending, method, minfo, version_ids):
        def answer(p):
            if request.finished or getattr(request, "_disconnected", False):
                return
            if p.fault is not None:
                body = self._fault(request, p.fault, version_ids)
            else:
                try:
                    value = list(p.value) if isinstance(p.value, Streamed) else p.value
                    body = envelope.response(method, minfo, value, version_ids)
                except faults.Fault as fault:
                    body = self._fault(request, fault, version_ids)
                except Exception:
                    body = self._fault(request, faults.internal_error(log, "answering " + method),
                                       version_ids)
            request.write(body)
            request.finish()

        pending.add_callback(answer)
        request.notifyFinish().addBoth(lambda _: pending.cancel())
