"""The vim25 SOAP endpoint (/sdk) and the version document SmartConnect reads first."""
import logging
import re

from twisted.web import resource, server

from vimsim import activity, frontend
from vimsim.compat import PARSE_STEP, RecentDocuments, XmlRejected, header, parse_xml_in_steps
from vimsim.frontend import ModelResource
from vimsim.model import dispatch, faults
from vimsim.model.objects import Pending, Streamed, complete
from vimsim.model.sessions import CallContext
from vimsim.model.vcenter import API_VERSION, PRIOR_API_VERSIONS
from vimsim.soap import envelope
from vimsim.soap.codec import decode, decode_arguments, local
from vimsim.vim25.data import MoRef
from vimsim.vim25.types import REGISTRY

log = logging.getLogger("vimsim.soap")

COOKIE = "vmware_soap_session"
_COOKIE_RE = re.compile(r'vmware_soap_session="?([0-9A-Za-z]+)"?')
_ENVELOPE = "{%s}Envelope" % envelope.SOAPENV
_BODY = "{%s}Body" % envelope.SOAPENV
# The trees of recent small request bodies (compat.RecentDocuments): one per process, read only.
_RECENT = RecentDocuments()

VERSIONS_XML = ('<?xml version="1.0" encoding="UTF-8" ?>\n<namespaces version="1.0">\n'
                " <namespace>\n  <name>urn:vim25</name>\n  <version>%s</version>\n"
                "  <priorVersions>\n%s  </priorVersions>\n </namespace>\n</namespaces>\n"
                % (API_VERSION, "".join("   <version>%s</version>\n" % v
                                        for v in PRIOR_API_VERSIONS))).encode()


def version_of(soap_action):
    """The API version a SOAPAction header names ("urn:vim25/8.0.3.0", quoted or not)."""
    if soap_action:
        action = soap_action.strip().strip('"')
        if action.startswith("urn:vim25/"):
            return action[10:]
    return None


def session_cookie(raw):
    """The session cookie's value in a Cookie header (pyVmomi echoes the whole Set-Cookie)."""
    match = _COOKIE_RE.search(raw) if raw else None
    return match.group(1) if match else None


def set_cookie(session, secure):
    """The Set-Cookie header vCenter sends on login (no Secure over plain HTTP: zeep and Go
    cookie jars would drop it)."""
    return '%s="%s"; Path=/; HttpOnly;%s ' % (COOKIE, session.cookie,
                                              " Secure;" if secure else "")


def call_target(call):
    """(_this, its versionId) of a method call element; (None, None) without a typed _this."""
    this_el = next((c for c in call if isinstance(c.tag, str) and local(c.tag) == "_this"),
                   None)
    if this_el is None or not this_el.get("type"):
        return None, None
    return MoRef(this_el.get("type"), (this_el.text or "").strip()), this_el.get("versionId")


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

    def authenticated(self, request):
        return self.vc.session_manager.live_session(self._cookie(request)) is not None

    def render_POST(self, request):
        request.setHeader(b"Content-Type", b"text/xml; charset=utf-8")
        request.setHeader(b"Cache-Control", b"no-cache")
        box = {"version_ids": REGISTRY.newest}
        try:
            return frontend.run_in_slices(self.state.reactor, request,
                                          self._answer(request, box),
                                          lambda exc: self._failed(request, exc, box))
        except Exception as exc:  # a vimsim bug: vCenter's SystemError, never a traceback
            return self._failed(request, exc, box)

    def _failed(self, request, exc, box):
        if isinstance(exc, faults.Fault):
            return self._fault(request, exc, box["version_ids"])
        return self._fault(request, faults.internal_error(log, "answering /sdk", exc),
                           box["version_ids"])

    def _answer(self, request, box):
        """The steps of answering one call (see frontend.run_in_slices): a big body is parsed
        and decoded, and a Streamed answer retrieved and encoded, a slice at a time."""
        version = self._version(request)
        version_ids = box["version_ids"] = REGISTRY.version_ids(version)
        ctx = CallContext(version=version, user_agent=header(request, "User-Agent"),
                          ip_address=getattr(request.getClientAddress(), "host", None))
        ctx.session = self.vc.session_manager.session_for_cookie(self._cookie(request))
        had_session = ctx.session
        failure = None
        try:
            body = request.content.read()
            big = len(body) > PARSE_STEP
            root = (yield from parse_xml_in_steps(body)) if big else self._xml(body)
            method, this, el, version_id = self._parse(root)
            activity.note(request, method=method, target=activity.ref_text(this))
            if version is None and version_id:  # no SOAPAction: the _this versionId
                version = ctx.version = version_id
                version_ids = box["version_ids"] = REGISTRY.version_ids(version)
            # Fetch's property decides whether it needs a session (currentSession does not);
            # its arguments, decoded for that, are the call's.
            args = self.arguments(el, None) if method == dispatch.FETCH else None
            obj, minfo = dispatch.resolve(self.vc, ctx, this, method,
                                          args.get("prop") if args is not None else None)
            if args is None:
                args = (yield from self._arguments_in_steps(el, minfo)) if big \
                    else self.arguments(el, minfo)
            result = dispatch.call(self.vc, ctx, obj, minfo, args)
        except XmlRejected as exc:
            failure = faults.InvalidRequest(str(exc))
        except faults.Fault as fault:
            failure = fault
        finally:
            self.state.request_done()
            activity.note(request, user=ctx.user_name)
        if failure is not None:
            yield self._fault(request, failure, version_ids)
            return
        if ctx.session is not had_session:
            self._set_cookie(request, ctx.session)
        prop = args.get("prop") if minfo is None else None
        if isinstance(result, Pending):
            self._answer_later(request, result, method, minfo, version_ids)
            yield server.NOT_DONE_YET
            return
        yield from self.response_steps(method, minfo, result, version_ids, obj.vim_type, prop)

    @staticmethod
    def response_steps(method, minfo, result, version_ids, this_type=None, prop=None):
        """The steps of encoding a call's answer (see frontend.run_in_slices)."""
        if isinstance(result, Streamed):
            yield from envelope.response_steps(method, minfo, result, version_ids)
        else:
            yield envelope.response(method, minfo, result, version_ids, this_type, prop)

    # -- request parts -------------------------------------------------------------------

    @staticmethod
    def _version(request):
        return version_of(header(request, "SOAPAction"))

    @staticmethod
    def _cookie(request):
        return session_cookie(header(request, "Cookie"))

    @staticmethod
    def _xml(body):
        try:
            return _RECENT.parse(body)
        except XmlRejected as exc:
            raise faults.InvalidRequest(str(exc))

    @staticmethod
    def _parse(root):
        """(method, _this, the call's element, _this's versionId) of a parsed envelope."""
        if root.tag != _ENVELOPE:
            raise faults.InvalidRequest("The request is not a SOAP 1.1 envelope")
        body_el = next((c for c in root if c.tag == _BODY), None)
        call = next((c for c in body_el if isinstance(c.tag, str)), None) \
            if body_el is not None else None
        if call is None:
            raise faults.InvalidRequest("The SOAP body holds no method call")
        this, version_id = call_target(call)
        return local(call.tag), this, call, version_id

    @classmethod
    def arguments(cls, el, minfo):
        """A call element's arguments by name, decoded as ``minfo`` declares (Fetch: None)."""
        return complete(cls._arguments_in_steps(el, minfo, decode))

    @staticmethod
    def _arguments_in_steps(el, minfo, decode_one=None):
        """The call's arguments by name; decoded in steps (codec.decode_in_steps) unless
        ``decode_one`` says otherwise."""
        params = minfo.param_by_name if minfo is not None else dispatch.FETCH_PARAMS
        try:
            return (yield from decode_arguments(el, params, decode_one))
        except faults.InvalidRequest as fault:
            raise fault.within("call information for method %s" % local(el.tag))

    # -- answers -------------------------------------------------------------------------

    def _set_cookie(self, request, session):
        if session is not None:
            request.setHeader(b"Set-Cookie", set_cookie(session, request.isSecure()).encode())

    @staticmethod
    def _fault(request, fault, version_ids):
        request.setResponseCode(getattr(fault, "http_status", 500))  # 503: no session left
        activity.note(request, fault=fault.type_name)
        return envelope.fault(fault, version_ids)

    def _answer_later(self, request, pending, method, minfo, version_ids):
        def answer(p):
            if request.finished or getattr(request, "_disconnected", False):
                return
            if p.fault is not None:
                frontend.write(request, self._fault(request, p.fault, version_ids))
                return
            box = {"version_ids": version_ids}
            body = frontend.run_in_slices(
                self.state.reactor, request,
                self.response_steps(method, minfo, p.value, version_ids),
                lambda exc: self._failed(request, exc, box))
            if body is not server.NOT_DONE_YET:
                frontend.write(request, body)

        pending.add_callback(answer)
        request.notifyFinish().addBoth(lambda _: pending.cancel())
