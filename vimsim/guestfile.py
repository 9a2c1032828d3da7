"""/guestFile: the URLs InitiateFileTransferToGuest and InitiateFileTransferFromGuest hand
out (vimsim/model/guest_operations.py), served as ESXi serves them: PUT the file's bytes to
one from ToGuest, GET the file from one from FromGuest. Each URL works once; an unknown,
used or expired one answers 404."""
import logging
from urllib.parse import parse_qs

from vimsim import activity, frontend
from vimsim.model import faults

log = logging.getLogger("vimsim")


class GuestFileResource(frontend.ModelResource):

    def _transfer(self, request, to_guest, use):
        query = parse_qs(request.uri.partition(b"?")[2].decode("latin-1"))
        transfer_id = (query.get("id") or [""])[0]
        token = (query.get("token") or [""])[0]
        operations = self.vc.managers["guestOperationsManager"]
        if not use:
            transfer = operations.transfers.get(token)
            return transfer is not None and transfer.to_guest == to_guest and \
                str(transfer.transfer_id) == transfer_id
        transfer = operations.take_transfer(transfer_id, token, to_guest)
        if transfer is not None:
            activity.note(request, target=activity.ref_text(transfer.vm.ref),
                          user=transfer.username)
        return transfer

    def authenticated(self, request):
        """An upload URL's token stands for the session that asked for it: its body may be
        as large as the server takes (--max-body)."""
        return request.method == b"PUT" and self._transfer(request, True, use=False)

    def render(self, request):
        if request.method == b"GET":
            return self.render_GET(request)
        if request.method == b"PUT":
            return self.render_PUT(request)
        request.setHeader(b"Allow", b"GET, PUT")
        return self._answer(request, 405, "Method not allowed\n")

    def _answer(self, request, status, text):
        request.setResponseCode(status)
        request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
        return text.encode("utf-8")

    def render_GET(self, request):
        try:
            transfer = self._transfer(request, False, use=True)
            if transfer is None:
                return self._answer(request, 404, "Not found\n")
            data = self.vc.managers["guestOperationsManager"].download(transfer)
        except faults.Fault as fault:
            return self._answer(request, 404, fault.msg + "\n")
        except Exception:  # a vimsim bug: a clean 500, the traceback in the log
            fault = faults.internal_error(log, "answering GET /guestFile")
            return self._answer(request, 500, fault.msg + "\n")
        request.setHeader(b"Content-Type", b"application/octet-stream")
        return data

    def render_PUT(self, request):
        try:
            transfer = self._transfer(request, True, use=True)
            if transfer is None:
                return self._answer(request, 404, "Not found\n")
            self.vc.managers["guestOperationsManager"].upload(transfer, request.content.read())
        except faults.FileTooLarge as fault:
            return self._answer(request, 413, fault.msg + "\n")
        except faults.Fault as fault:
            return self._answer(request, 500, fault.msg + "\n")
        except Exception:
            fault = faults.internal_error(log, "answering PUT /guestFile")
            return self._answer(request, 500, fault.msg + "\n")
        return self._answer(request, 200, "")
