"""Shared test machinery: one twisted reactor in a background thread, and fresh emulators.

Each test gets its own Server (its own model) on a free port; clients talk to it over real
sockets. Model calls from tests (advance the virtual clock) run in the reactor thread.
"""
import os

import pytest

from vimsim.server import Server
from vimsim.simulator import ensure_reactor
from vimsim.simulator import in_reactor as run_in_reactor

pytest_plugins = ["pytester"]

# The machines set these, and requests lets them override verify=False: clear them for the
# clients of our self-signed server.
for _var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(_var, None)

def in_reactor(fn, *args, **kw):
    """Run ``fn`` in the reactor thread and return its result (raising what it raises)."""
    ensure_reactor()
    return run_in_reactor(fn, *args, **kw)


class Emulator:
    """A running Server as a test sees it."""

    def __init__(self, secure=False, cert_dir=None, **kw):
        self.server = in_reactor(Server, **kw)
        self.port = in_reactor(self.server.listen, 0, "127.0.0.1", secure, cert_dir)
        self.secure = secure

    @property
    def vc(self):
        return self.server.vc

    def advance(self, seconds):
        in_reactor(self.server.advance, seconds)

    def call(self, fn, *args, **kw):
        return in_reactor(fn, *args, **kw)

    @property
    def base(self):
        return "%s://127.0.0.1:%d" % ("https" if self.secure else "http", self.port)

    def connect(self, user="user", pwd="pass"):
        from pyVim.connect import SmartConnect
        return SmartConnect(host="127.0.0.1", port=self.port, user=user, pwd=pwd,
                            protocol="https" if self.secure else "http",
                            disableSslCertValidation=True)

    def stop(self):
        in_reactor(self.server.stop)


@pytest.fixture
def make_emulator():
    made = []

    def make(**kw):
        emulator = Emulator(**kw)
        made.append(emulator)
        return emulator
    yield make
    for emulator in made:
        emulator.stop()


@pytest.fixture
def emulator(make_emulator):
    """The default fixture on plain HTTP with the virtual clock."""
    return make_emulator(clock="virtual")


def connected(emulator):
    """A pyVmomi ServiceInstance of ``emulator``, logged out afterwards (for fixtures to
    ``yield from``)."""
    from pyVim.connect import Disconnect
    si = emulator.connect()
    yield si
    try:
        Disconnect(si)
    except Exception:  # the test may have ended the session itself
        pass


@pytest.fixture
def si(emulator):
    yield from connected(emulator)


def find_vm(si, name):
    from pyVmomi import vim
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    try:
        for vm in view.view:
            if vm.name == name:
                return vm
    finally:
        view.DestroyView()
    raise LookupError(name)


def customize(si, vm, host_name="guest01"):
    """CustomizeGuest_Task on ``vm`` as root with a minimal Linux spec; the Task."""
    from pyVmomi import vim
    C = vim.vm.customization
    return si.content.guestCustomizationManager.CustomizeGuest_Task(
        vm=vm, auth=vim.vm.guest.NamePasswordAuthentication(username="root", password="vmware"),
        spec=C.Specification(identity=C.LinuxPrep(hostName=C.FixedName(name=host_name),
                                                  domain="example.com"),
                             globalIPSettings=C.GlobalIPSettings()))
