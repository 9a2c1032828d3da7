"""Clients configured only by the environment vimsim prints: `vimsim serve -E`'s output and
`vimsim env`, eval'ed by bash, are all govc 0.24 and Ansible's community.vmware need, with a
user and password that have to be percent-encoded in a URL."""
import json
import os
import subprocess
import sys

import pytest

from .ansible_env import ansible_env, ansible_venv
from .conftest import VimsimProcess
from .test_govc import PANIC, field
from .tools import govc_binary

USER, PASSWORD = "administrator@vsphere.local", "p@ss:w/rd $HOME'"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A `vimsim serve -E` and everything it printed once ready."""
    server = VimsimProcess(tmp_path_factory.mktemp("vimsim"), "-E", "--username", USER,
                           "--password", PASSWORD)
    server.printed = ["VIMSIM_URL=" + server.url.geturl()]
    while not server.printed[-1].startswith("export VMWARE_VALIDATE_CERTS="):
        server.printed.append(server.proc.stdout.readline().rstrip("\n"))
    yield server
    server.stop()
    assert "Traceback" not in server.log(), server.log()


def bash(script, env, *args):
    """``script`` run by bash, with none of this process's client variables, ``args`` as $1..."""
    env = {k: v for k, v in env.items() if not k.startswith(("GOVC_", "VIMSIM_", "VMWARE_"))
           and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    done = subprocess.run(["bash", "-ec", script, "bash", *args], env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and not PANIC.search(done.stderr), (done.stdout, done.stderr)
    return done.stdout


def test_govc_runs_from_what_serve_e_and_vimsim_env_print(served, tmp_path):
    assert (served.user, served.password) == (USER, PASSWORD)
    env = dict(os.environ, GOVMOMI_HOME=str(tmp_path / "home"))
    # the whole output of `vimsim serve -E`, eval'ed
    out = bash('eval "$2"; "$1" about; "$1" ls /DC0/vm', env, govc_binary(),
               "\n".join(served.printed))
    assert field(out, "Name") == "VMware vCenter Server"
    assert "/DC0/vm/DC0_H0_VM0" in out.split()
    # only the ready line kept, the rest from `vimsim env` (which reads $VIMSIM_URL)
    out = bash('export "$2"; eval "$("$3" -m vimsim env)"; "$1" about; "$1" ls /DC0/host', env,
               govc_binary(), served.printed[0], sys.executable)
    assert field(out, "API type") == "VirtualCenter"
    assert "/DC0/host/DC0_C0" in out.split()


def test_ansible_community_vmware_runs_from_what_vimsim_env_prints(served, tmp_path):
    ansible = os.path.join(os.path.dirname(ansible_venv()), "ansible")
    out = bash('export "$2"; eval "$("$3" -m vimsim env)"; '
               '"$1" localhost -c local -o -m community.vmware.vmware_about_info',
               ansible_env(tmp_path / "home"), ansible, served.printed[0], sys.executable)
    result = json.loads(out.split(" => ", 1)[1])  # "localhost | SUCCESS => {...}"
    assert result["about_info"]["api_type"] == "VirtualCenter"
    assert result["about_info"]["product_name"] == "VMware vCenter Server"
