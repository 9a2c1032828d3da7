"""VI/JSON: /sdk/vim25/{release}/{moType}/{moId}/{method|property} over the same dispatch as
SOAP. POST calls a method with a JSON object of named parameters; GET reads a property."""
import json
import logging
from urllib.parse import unquote

from twisted.web import server

from vimsim import activity, frontend
from vimsim.compat import PARSE_STEP, header, parse_json, parse_json_in_steps
from vimsim.frontend import ModelResource
from vimsim.jsonapi.codec import Encoder, decode, decode_in_steps, dumps_in_steps
from vimsim.model import dispatch, faults
from vimsim.model.objects import Pending, Streamed, complete
from vimsim.model.sessions import CallContext
from vimsim.vim25.data import MoRef
from vimsim.vim25.types import REGISTRY

log = logging.getLogger("vimsim.jsonapi")

SESSION_HEADER = "vmware-api-session-id"
FIRST_RELEASE = (8, 0, 1, 0)


def supported_release(release):
    """VI/JSON exists from vSphere 8.0.1; any vim25 release vimsim knows from then on."""
    if release not in REGISTRY.versions:
        return False
    try:
        return tuple(int(p) for p in release.split(".")) >= FIRST_RELEASE
    except ValueError:
        return False


class JsonApiResource(ModelResource):

    def authenticated(self, request):
        return self.vc.session_manager.live_session(header(request, SESSION_HEADER)) is not None

    def render_GET(self, request):
        return self._handle(request, read=True)

    def render_POST(self, request):
        return self._handle(request, read=False)

    def _handle(self, request, read):
        request.setHeader(b"Content-Type", b"application/json")
        box = {"encoder": Encoder(REGISTRY.newest)}
        try:
            return frontend.run_in_slices(self.state.reactor, request,
                                          self._answer(request, read, box),
                                          lambda exc: self._failed(request, exc, box))
        except Exception as exc:  # a vimsim bug: vCenter's SystemError, never a traceback
            return self._failed(request, exc, box)

    def _failed(self, request, exc, box):
        if isinstance(exc, faults.Fault):
            return self._fault(request, box["encoder"], exc)
        return self._fault(request, box["encoder"],
                           faults.internal_error(log, "answering VI/JSON", exc))

    def _answer(self, request, read, box):
        """The steps of answering one call (see frontend.run_in_slices)."""
        parts = [unquote(p.decode("utf-8", "replace")) for p in request.postpath]
        release = parts[0] if parts else ""
        encoder = box["encoder"] = Encoder(REGISTRY.version_ids(release))
        ctx = CallContext(version=release, user_agent=header(request, "User-Agent"),
                          ip_address=getattr(request.getClientAddress(), "host", None))
        ctx.session = self.vc.session_manager.session_for_cookie(header(request, SESSION_HEADER))
        had_session = ctx.session
        failure = None
        try:
            if not supported_release(release):
                raise faults.InvalidRequest("Unsupported release %r: VI/JSON serves 8.0.1.0 and "
                                            "later" % release)
            if len(parts) != 4 or not all(parts[1:]):
                raise faults.InvalidRequest("Expected /sdk/vim25/{release}/{type}/{id}/"
                                            "{method or property}")
            _, mo_type, mo_id, member = parts
            this = MoRef(mo_type, mo_id)
            activity.note(request, method=member if not read else "Fetch " + member,
                          target=activity.ref_text(this))
            if read:
                obj, minfo = dispatch.resolve(self.vc, ctx, this, dispatch.FETCH, member)
                args = {"prop": member}
            elif member == dispatch.FETCH:  # POST .../Fetch {"prop": ...}, as over SOAP
                args = complete(self._arguments(request.content.read(), None, decode))
                obj, minfo = dispatch.resolve(self.vc, ctx, this, dispatch.FETCH,
                                              args.get("prop"))
            else:
                obj, minfo = dispatch.resolve(self.vc, ctx, this, member)
                body = request.content.read()
                args = complete(self._arguments(body, minfo, decode)) \
                    if len(body) <= PARSE_STEP else (yield from self._arguments(body, minfo))
            result = dispatch.call(self.vc, ctx, obj, minfo, args)
        except faults.Fault as fault:
            failure = fault
        finally:
            self.state.request_done()
            activity.note(request, user=ctx.user_name)
        if failure is not None:
            yield self._fault(request, encoder, failure)
            return
        if ctx.session is not had_session and ctx.session is not None:
            request.setHeader(SESSION_HEADER.encode(), ctx.session.cookie.encode())
        if isinstance(result, Pending):
            def later(p):
                if request.finished or getattr(request, "_disconnected", False):
                    return
                if p.fault:
                    frontend.write(request, self._fault(request, encoder, p.fault))
                    return
                body = frontend.run_in_slices(
                    self.state.reactor, request,
                    self._response(request, encoder, p.value, obj, minfo, member),
                    lambda exc: self._failed(request, exc, box))
                if body is not server.NOT_DONE_YET:
                    frontend.write(request, body)
            result.add_callback(later)
            request.notifyFinish().addBoth(lambda _: result.cancel())
            yield server.NOT_DONE_YET
            return
        yield from self._response(request, encoder, result, obj, minfo, member)

    def _response(self, request, encoder, value, obj, minfo, member):
        """The steps of the answer's body: a Streamed answer encoded an item at a time."""
        if not isinstance(value, Streamed):
            yield self._result(request, encoder, value, obj, minfo, member)
            return
        if value.finish is None:  # a long array (RetrieveProperties): written as it comes
            texts = ["["]
            yield from frontend.take(value, lambda item: json.dumps(encoder.data(item)), texts,
                                     ", ")
            texts.append("]")
            yield (yield from frontend.utf8_in_steps(texts))
            return
        answer = yield from frontend.take(value, lambda item: json.dumps(encoder.data(item)))
        if answer is None or minfo.result.kind == "void":
            yield self._result(request, encoder, answer, obj, minfo, member)
            return
        yield (yield from dumps_in_steps(encoder.value(answer, minfo.result)))

    @staticmethod
    def _arguments(body, minfo, decode_one=None):
        """The call's arguments by name, parsed (compat.parse_json_in_steps) and decoded
        (codec.decode_in_steps) in steps unless ``decode_one`` says otherwise."""
        if not body.strip():
            payload = {}
        else:
            try:
                payload = parse_json(body) if decode_one is not None \
                    else (yield from parse_json_in_steps(body))
            except ValueError:
                raise faults.InvalidRequest("The request body is not valid JSON")
        if not isinstance(payload, dict):
            raise faults.InvalidRequest("The request body must be a JSON object of parameters")
        args = {}
        try:
            for name, value in payload.items():
                if name == "_typeName" or value is None:  # vim_rs names the request type
                    continue
                param = (minfo.param_by_name if minfo is not None
                         else dispatch.FETCH_PARAMS).get(name)
                if param is None:
                    raise faults.InvalidRequest('Unexpected parameter "%s" seen' % name)
                if decode_one is None:
                    args[name] = yield from decode_in_steps(value, param)
                else:
                    args[name] = decode_one(value, param)
        except faults.InvalidRequest as fault:
            raise fault.within("call information for method %s" % (
                minfo.name if minfo is not None else dispatch.FETCH))
        return args

    @staticmethod
    def _result(request, encoder, value, obj, minfo, member):
        if minfo is None:  # a property read
            if value is None or value == []:
                if value is None:
                    request.setResponseCode(204)
                    return b""
            field = REGISTRY.property_field(obj.vim_type, member) or \
                REGISTRY.slot_field(obj.vim_type, member, value)
            return json.dumps(encoder.value(value, field)).encode()
        if value is None or minfo.result.kind == "void":
            request.setResponseCode(204)
            return b""
        return json.dumps(encoder.value(value, minfo.result)).encode()

    @staticmethod
    def _fault(request, encoder, fault):
        request.setResponseCode(getattr(fault, "http_status", 500))  # 503: no session left
        activity.note(request, fault=fault.type_name)
        return json.dumps(encoder.fault(fault)).encode()
