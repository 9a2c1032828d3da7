"""govc 0.24 from the environment vimsim prints: `vimsim serve -E`'s output and `vimsim env`,
eval'ed by bash, are all govc needs, with a password that has to be percent-encoded in a URL."""
import os
import subprocess
import sys

from .conftest import VimsimProcess
from .test_govc import PANIC, field
from .tools import govc_binary

PASSWORD = "p@ss:w/rd $HOME'"


def bash(script, tmp_path, *args):
    """``script`` run by bash with no GOVC_* of this process's; govc is ``$1``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GOVC_", "VIMSIM_", "VMWARE_"))
           and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    env["GOVMOMI_HOME"] = str(tmp_path / "home")
    done = subprocess.run(["bash", "-ec", script, "bash", govc_binary(), *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not PANIC.search(done.stderr), (done.stdout, done.stderr)
    return done.stdout


def test_govc_runs_from_what_serve_e_and_vimsim_env_print(tmp_path):
    server = VimsimProcess(tmp_path, "-E", "--username", "administrator@vsphere.local",
                           "--password", PASSWORD)
    try:
        assert (server.user, server.password) == ("administrator@vsphere.local", PASSWORD)
        printed = ["VIMSIM_URL=" + server.url.geturl()]
        while not printed[-1].startswith("export VMWARE_VALIDATE_CERTS="):
            printed.append(server.proc.stdout.readline().rstrip("\n"))
        # the whole output of `vimsim serve -E`, eval'ed
        out = bash('eval "$2"; "$1" about; "$1" ls /DC0/vm', tmp_path, "\n".join(printed))
        assert field(out, "Name") == "VMware vCenter Server"
        assert "/DC0/vm/DC0_H0_VM0" in out.split()
        # only the ready line kept, the rest from `vimsim env` (which reads $VIMSIM_URL)
        out = bash('export "$2"; eval "$("$3" -m vimsim env)"; "$1" about; "$1" ls /DC0/host',
                   tmp_path, printed[0], sys.executable)
        assert field(out, "API type") == "VirtualCenter"
        assert "/DC0/host/DC0_C0" in out.split()
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()
