"""The real-client suite (pytest marker ``clients``): govc and Ansible against a real
``vimsim serve`` process over HTTPS, as a user would run them. `.ci/run` runs it after
`scripts/test`; each client is installed by the suite itself (see ``tools.py``)."""
import os
import signal
import subprocess
import sys
from urllib.parse import unquote, urlparse

import pytest

for _var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(_var, None)


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.clients)


class VimsimProcess:
    """`vimsim serve` in a process of its own, on a free port, HTTPS with a fresh certificate."""

    def __init__(self, tmp_path, *args):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vimsim", "serve", "--port", "0", "--cert-dir", str(tmp_path),
             "--clock", "auto", *args],
            stdout=subprocess.PIPE, stderr=open(tmp_path / "vimsim.log", "w"), text=True, env=env)
        self.log_path = tmp_path / "vimsim.log"
        line = self.proc.stdout.readline().strip()
        if not line.startswith("VIMSIM_URL="):
            self.proc.kill()
            raise RuntimeError("vimsim did not start: %r\n%s" % (line, self.log()))
        self.url = urlparse(line.split("=", 1)[1])
        self.host, self.port = self.url.hostname, self.url.port
        # percent-encoded in the URL (as any URL's userinfo)
        self.user, self.password = unquote(self.url.username), unquote(self.url.password)

    def log(self):
        return self.log_path.read_text()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def vimsim_serving(tmp_path_factory, port_ok=None):
    """A module's `vimsim serve` (a fixture's generator): started again until ``port_ok``
    takes its port; stopped after the module, its log free of tracebacks."""
    while True:
        server = VimsimProcess(tmp_path_factory.mktemp("vimsim"))
        if port_ok is None or port_ok(server.port):
            break
        server.stop()
    yield server
    server.stop()
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture(scope="module")
def vimsim_process(tmp_path_factory):
    yield from vimsim_serving(tmp_path_factory)
