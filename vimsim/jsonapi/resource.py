"""VI/JSON: /sdk/vim25/{release}/{moType}/{moId}/{method|property} over the same dispatch as
SOAP. POST calls a method with a JSON object of named parameters; GET reads a property."""
import json
import logging
from urllib.parse import unquote

from twisted.web import server

from vimsim.compat import header, parse_json
from vimsim.frontend import ModelResource
from vimsim.jsonapi.codec import Encoder, decode
from vimsim.model import dispatch, faults
from vimsim.model.objects import Pending, Streamed
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

    def render_GET(self, request):
        return self._handle(request, read=True)

    def render_POST(self, request):
        return self._handle(request, read=False)

    def _handle(self, request, read):
        request.setHeader(b"Content-Type", b"application/json")
        try:
            return self._answer(request, read)
        except Exception:  # a vimsim bug: vCenter's SystemError, never a traceback
            return self._fault(request, Encoder(REGISTRY.newest),
                               faults.internal_error(log, "answering VI/JSON"))

    def _answer(self, request, read):
        parts = [unquote(p.decode("utf-8", "replace")) for p in request.postpath]
        release = parts[0] if parts else ""
        encoder = Encoder(REGISTRY.version_ids(release))
        ctx = CallContext(version=release, user_agent=header(request, "User-Agent"),
                          ip_address=getattr(request.getClientAddress(), "host", None))
        ctx.session = self.vc.session_manager.session_for_cookie(header(request, SESSION_HEADER))
        had_session = ctx.session
        try:
            if not supported_release(release):
                raise faults.InvalidRequest("Unsupported release %r: VI/JSON serves 8.0.1.0 and "
                                            "later" % release)
            if len(parts) != 4 or not all(parts[1:]):
                raise faults.InvalidRequest("Expected /sdk/vim25/{release}/{type}/{id}/"
                                            "{method or property}")
            _, mo_type, mo_id, member = parts
            this = MoRef(mo_type, mo_id)
            if read:
                obj, minfo = dispatch.resolve(self.vc, ctx, this, dispatch.FETCH, member)
                args = {"prop": member}
            else:
                obj, minfo = dispatch.resolve(self.vc, ctx, this, member)
                args = self._arguments(request.content.read(), minfo)
            result = dispatch.call(self.vc, ctx, obj, minfo, args)
            if isinstance(result, Streamed):  # VI/JSON builds long answers in one go
                result = list(result)
        except faults.Fault as fault:
            return self._fault(request, encoder, fault)
        finally:
            self.state.request_done()
        if ctx.session is not had_session and ctx.session is not None:
            request.setHeader(SESSION_HEADER.encode(), ctx.session.cookie.encode())
        answer = (lambda value: self._result(request, encoder, value, obj, minfo, member))
        if isinstance(result, Pending):
            def later(p):
                if request.finished or getattr(request, "_disconnected", False):
                    return
                try:
                    if p.fault:
                        raise p.fault
                    body = answer(list(p.value) if isinstance(p.value, Streamed) else p.value)
                except faults.Fault as fault:
                    body = self._fault(request, encoder, fault)
                except Exception:
                    body = self._fault(request, encoder,
                                       faults.internal_error(log, "answering VI/JSON"))
                request.write(body)
                request.finish()
            result.add_callback(later)
            request.notifyFinish().addBoth(lambda _: result.cancel())
            return server.NOT_DONE_YET
        return answer(result)

    @staticmethod
    def _arguments(body, minfo):
        if not body.strip():
            payload = {}
        else:
            try:
                payload = parse_json(body)
            except ValueError:
                raise faults.InvalidRequest("The request body is not valid JSON")
        if not isinstance(payload, dict):
            raise faults.InvalidRequest("The request body must be a JSON object of parameters")
        args = {}
        try:
            for name, value in payload.items():
                if name == "_typeName" or value is None:  # vim_rs names the request type
                    continue
                param = minfo.param_by_name.get(name)
                if param is None:
                    raise faults.InvalidRequest('Unexpected parameter "%s" seen' % name)
                args[name] = decode(value, param)
        except faults.InvalidRequest as fault:
            raise fault.within("call information for method %s" % minfo.name)
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
        request.setResponseCode(500)
        log.debug("fault %s: %s", fault.type_name, fault.msg)
        return json.dumps(encoder.fault(fault)).encode()
