"""A spyne Application of its own (a small LabService) serving vimsim's
VirtualMachineGuestCustomizationManager beside it, with the Task, PropertyCollector,
SessionManager and ServiceInstance a client needs to follow the task it returns.

    python examples/spyne_lab.py wsgi [PORT]       # on a WSGI server (wsgiref)
    python examples/spyne_lab.py twisted [PORT]    # on twisted, through twisted.web.wsgi

zeep reads spyne's WSDL at http://127.0.0.1:PORT/sdk?wsdl; pyVmomi connects to 127.0.0.1:PORT
(user "user", password "pass"). ``--check`` serves, runs the client below once, and stops.
Needs the extra vimsim[spyne] (spyne imports only before Python 3.12).
"""
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from spyne import ServiceBase, Unicode, rpc

import vimsim
from vimsim.spyne_services import Vim25Services


class LabService(ServiceBase):
    """The lab's own service: the VM each bench seat uses."""

    @rpc(Unicode, _returns=Unicode)
    def SeatVm(ctx, seat):
        return {"a": "DC0_H0_VM0", "b": "DC0_H0_VM1"}.get(seat, "")


def lab_wsgi(sim):
    """The WSGI callable: LabService and vimsim's services in one spyne Application."""
    vim = Vim25Services(sim)
    return vim.wsgi(vim.application(LabService, tns="urn:example:lab", name="Lab"))


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a client blocked in WaitForUpdates holds only its own thread


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve_wsgi(wsgi, port):
    """wsgiref, a thread per request; vimsim's model runs in its reactor thread."""
    httpd = make_server("127.0.0.1", port, wsgi, server_class=ThreadingWSGIServer,
                        handler_class=QuietHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd.server_port, httpd.shutdown


def serve_twisted(wsgi, port):
    """twisted.web.wsgi on the reactor vimsim's model runs in (spyne's own twisted server
    module does not import on current twisted)."""
    from twisted.internet import reactor
    from twisted.web.server import Site
    from twisted.web.wsgi import WSGIResource
    from vimsim.simulator import ensure_reactor, in_reactor

    ensure_reactor()  # a program running reactor.run() itself skips this
    site = Site(WSGIResource(reactor, reactor.getThreadPool(), wsgi))
    listening = in_reactor(reactor.listenTCP, port, site, interface="127.0.0.1")
    return listening.getHost().port, lambda: in_reactor(listening.stopListening)


def check(sim, port):
    """One client session: the lab's own call, then a guest customization to its end."""
    import zeep
    client = zeep.Client("http://127.0.0.1:%d/sdk?wsdl" % port)
    svc = client.service

    def t(name):  # a vim25 type, by its qualified name (ns0 is the lab's own namespace)
        return client.get_type("{urn:vim25}" + name)
    vm_name = svc.SeatVm("a")
    sc = svc.RetrieveServiceContent(_this={"_value_1": "ServiceInstance",
                                           "type": "ServiceInstance"})
    svc.Login(_this=sc.sessionManager, userName="user", password="pass")
    task = svc.CustomizeGuest_Task(
        _this=sc.guestCustomizationManager,
        vm={"_value_1": sim.vm(vm_name).moid, "type": "VirtualMachine"},
        auth=t("NamePasswordAuthentication")(interactiveSession=False, username="root",
                                                 password="vmware"),
        spec=t("CustomizationSpec")(
            identity=t("CustomizationLinuxPrep")(
                hostName=t("CustomizationFixedName")(name="lab01"), domain="lab.test"),
            globalIPSettings=t("CustomizationGlobalIPSettings")()))
    sim.advance(6)  # the virtual clock: the task, then the customization in the guest
    info = svc.RetrievePropertiesEx(_this=sc.propertyCollector, specSet=[{
        "propSet": [{"type": "Task", "pathSet": ["info"]}], "objectSet": [{"obj": task}]}],
        options={}).objects[0].propSet[0].val
    print("%s: %s %s, host name %s" % (vm_name, task._value_1, info.state,
                                      sim.vm(vm_name).host_name))
    return info.state == "success" and sim.vm(vm_name).host_name == "lab01"


def main(argv):
    mode = argv[1] if len(argv) > 1 else "wsgi"
    port = int(next((a for a in argv[2:] if a.isdigit()), 8089))
    checking = "--check" in argv
    sim = vimsim.Simulator(fixture="default", clock="virtual" if checking else "real")
    serve = serve_twisted if mode == "twisted" else serve_wsgi
    port, stop = serve(lab_wsgi(sim), 0 if checking else port)
    if checking:
        ok = check(sim, port)
        stop()
        return 0 if ok else 1
    print("serving the lab on http://127.0.0.1:%d/sdk (%s); Ctrl-C stops" % (port, mode))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
