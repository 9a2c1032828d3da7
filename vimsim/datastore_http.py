"""/folder: a datastore's files over HTTP, as vCenter serves them to govc's datastore.upload
and datastore.download, Ansible's vsphere_copy and pyVmomi scripts:
``/folder/<path>?dcPath=<datacenter>&dsName=<datastore>``. GET reads a file (a VM's .vmx is
its configuration); PUT writes one (201 when made, 200 when replaced, its folders made with
it); DELETE removes one (a folder answers 405: FileManager deletes those); GET of a folder,
or of ``/folder`` with the two names, lists it. The session cookie or HTTP Basic credentials
authenticate (vsphere_copy sends the latter); the datastore's privileges decide
(Datastore.Browse to read, Datastore.FileManagement to write). The files themselves are
vimsim/model/datastore_files.py's."""
import html
import logging
from urllib.parse import parse_qs, unquote

from vimsim import activity, frontend
from vimsim.compat import basic_credentials, header
from vimsim.model import authorization, datastore_files, faults, search_index, vm_hardware
from vimsim.soap.resource import session_cookie

log = logging.getLogger("vimsim")

STATUS = {"FileNotFound": 404, "InvalidDatastore": 404, "NotFound": 404, "NoPermission": 403,
          "FileAlreadyExists": 409, "FileLocked": 409, "CannotDeleteFile": 409,
          "NoDiskSpace": 507, "FileTooLarge": 413}


class DatastoreFileResource(frontend.ModelResource):

    def _user(self, request):
        """The user a request authenticates as (its session's, or its Basic credentials'),
        or None."""
        session = self.vc.session_manager.live_session(session_cookie(header(request,
                                                                             "Cookie")))
        if session is not None:
            self.vc.session_manager.active(session)
            return session.user
        credentials = basic_credentials(request, strict=True)
        if credentials is None:
            return None
        name, password = credentials
        user = self.vc.users.get(name)
        return user if user is not None and user.password == password else None

    def authenticated(self, request):
        return self._user(request) is not None

    def _answer(self, request, status, text, content_type=b"text/plain; charset=utf-8"):
        request.setResponseCode(status)
        request.setHeader(b"Content-Type", content_type)
        return text.encode("utf-8") if isinstance(text, str) else text

    def render(self, request):
        method = request.method
        if method not in (b"GET", b"HEAD", b"PUT", b"DELETE"):
            request.setHeader(b"Allow", b"GET, HEAD, PUT, DELETE")
            return self._answer(request, 405, "Method not allowed\n")
        user = self._user(request)
        if user is None:
            request.setHeader(b"WWW-Authenticate", b'Basic realm="VMware HTTP server"')
            return self._answer(request, 401, "Unauthorized\n")
        activity.note(request, user=user.name)
        try:
            datastore, relative = self._target(request)
            privilege = datastore_files.BROWSE_PRIVILEGE if method in (b"GET", b"HEAD") \
                else datastore_files.FILE_PRIVILEGE
            if not authorization.holds(self.vc, user, datastore, privilege):
                raise faults.no_permission(datastore.ref, privilege)
            if method == b"PUT":
                made = datastore_files.write(self.vc, datastore, relative,
                                             request.content.read())
                return self._answer(request, 201 if made else 200, "")
            if method == b"DELETE":
                if datastore_files.is_folder(datastore, relative):  # FileManager's work
                    request.setHeader(b"Allow", b"GET, HEAD")
                    return self._answer(request, 405, "A folder is not deleted over HTTP\n")
                datastore_files.delete(self.vc, None, datastore, relative)
                return self._answer(request, 204, "")
            if datastore_files.is_folder(datastore, relative):
                body = self._listing(datastore, relative, request)
                return self._answer(request, 200, body, b"text/html; charset=utf-8")
            return self._answer(request, 200, datastore_files.read(datastore, relative),
                                b"application/octet-stream")
        except faults.Fault as fault:
            return self._answer(request, STATUS.get(fault.type_name, 400), fault.msg + "\n")
        except Exception:  # a vimsim bug: a clean 500, the traceback in the log
            fault = faults.internal_error(log, "answering %s /folder" % method.decode())
            return self._answer(request, 500, fault.msg + "\n")

    def _target(self, request):
        """(datastore, relative path) the URL names; NotFound for a datacenter or datastore
        that does not exist."""
        path, _, query = request.uri.partition(b"?")
        args = parse_qs(query.decode("latin-1"))
        try:
            relative = unquote(path.decode("latin-1"), encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise faults.NotFound("The path is not UTF-8")
        relative = relative[len("/folder"):].strip("/")
        dc_path = (args.get("dcPath") or [""])[0]
        name = (args.get("dsName") or [""])[0]
        dc = search_index.entity_at(self.vc, dc_path) if dc_path else None
        if dc_path and (dc is None or dc.vim_type != "Datacenter"):
            raise faults.NotFound("Datacenter %s was not found" % dc_path)
        if not name:
            raise faults.NotFound("The dsName argument is missing")
        try:
            return datastore_files.resolve(self.vc, "[%s] %s" % (name, relative), dc)
        except faults.Fault as fault:
            if fault.type_name == "InvalidDatastorePath":
                raise faults.NotFound(fault.msg)
            raise

    @staticmethod
    def _listing(datastore, relative, request):
        """A folder's entries as links, the way vCenter's /folder pages list them."""
        made = datastore.user_entries(relative)
        folders = [e.name for e in made if e.folder]
        sizes = {e.name: e.size for e in made if not e.folder}
        vm = datastore_files.vm_owning(datastore, relative)
        if not relative:
            folders = sorted(set(folders) | set(datastore.vm_folders()))
        elif vm is not None and "/" not in relative:  # a VM's folder: its files too
            prefix = datastore_files.full_path(datastore, relative) + "/"
            sizes.update((f.name[len(prefix):], f.size) for f in vm_hardware.files(vm)
                         if f.name.startswith(prefix))
        query = request.uri.partition(b"?")[2].decode("latin-1")
        base = "/folder/" + (relative + "/" if relative else "")
        rows = ['<tr><td><a href="%s%s/?%s">%s/</a></td></tr>' % (
            html.escape(base), html.escape(n), html.escape(query), html.escape(n))
            for n in sorted(folders)]
        rows += ['<tr><td><a href="%s%s?%s">%s</a></td><td>%d</td></tr>' % (
            html.escape(base), html.escape(n), html.escape(query), html.escape(n), size)
            for n, size in sorted(sizes.items())]
        title = html.escape(datastore_files.full_path(datastore, relative))
        return ("<html><head><title>%s</title></head><body><h1>%s</h1><table>%s</table>"
                "</body></html>\n" % (title, title, "".join(rows)))
