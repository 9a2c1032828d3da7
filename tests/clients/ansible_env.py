"""Ansible for the real-client suite: a virtualenv of its own, made once and cached.

``ansible_venv()`` returns the path of its ``ansible-playbook``. The venv holds the ``ansible``
package from PyPI (which ships the community.vmware, vmware.vmware and vmware.vmware_rest
collections) and the Python libraries those collections' modules import. It lives under
``$VIMSIM_CLIENTS_CACHE`` (default ``~/.cache/vimsim-clients``) in a folder named after a hash of
the requirements and the Python version, so a change to either makes a new one; a venv whose
install did not finish (no stamp file) is made again. Only lower bounds are given: pip takes the
newest releases this Python can run.
"""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time

# What the modules under test import, beyond ansible itself (the collections' requirements.txt):
#   community.vmware, vmware.vmware: pyVmomi, requests; the vSphere Automation SDK
#     (vmware-vcenter, which pulls vmware-vapi-runtime; vmware-vapi-common-client) for
#     vmware.vmware.guest_info (always opens a REST session too) and community.vmware's tag code;
#   vmware.vmware_rest: aiohttp (yarl comes with it).
REQUIREMENTS = (
    "ansible>=9",
    "pyvmomi>=8.0.3.0.1",
    "requests>=2.28",
    "aiohttp>=3.8",
    "vmware-vcenter>=8.0.3.0",
    "vmware-vapi-runtime>=2.52.0",
    "vmware-vapi-common-client>=2.52.0",
)

CACHE = os.environ.get("VIMSIM_CLIENTS_CACHE") or os.path.join(
    os.path.expanduser("~"), ".cache", "vimsim-clients")


def _key():
    text = "\n".join(REQUIREMENTS + (sys.version.split()[0],))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ansible_venv_dir():
    return os.path.join(CACHE, "ansible-venv-" + _key())


def ansible_venv():
    """The path of ``ansible-playbook`` in the cached Ansible venv, creating the venv if needed."""
    venv = ansible_venv_dir()
    playbook = os.path.join(venv, "bin", "ansible-playbook")
    stamp = os.path.join(venv, ".installed")
    if os.path.exists(stamp) and os.access(playbook, os.X_OK):
        return playbook
    os.makedirs(CACHE, exist_ok=True)
    with open(venv + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)         # another test process may be installing it
        if os.path.exists(stamp) and os.access(playbook, os.X_OK):
            return playbook
        shutil.rmtree(venv, ignore_errors=True)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q",
               "--disable-pip-version-check"]
        subprocess.run(pip + ["--upgrade", "pip"], check=True)
        subprocess.run(pip + list(REQUIREMENTS), check=True)
        if not os.access(playbook, os.X_OK):
            raise RuntimeError("no ansible-playbook in %s after the install" % venv)
        with open(stamp, "w") as f:
            f.write("%s\ninstalled in %.0f s\n" % ("\n".join(REQUIREMENTS),
                                                   time.monotonic() - started))
    return playbook


def ansible_env(home):
    """Environment for ``ansible-playbook``: isolated from the user's Ansible configuration and
    collections (only those the ``ansible`` package ships), state under ``home``, and no CA
    bundle variables (requests lets them override ``verify=False``)."""
    env = dict(os.environ)
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "ANSIBLE_CONFIG"):
        env.pop(var, None)
    os.makedirs(os.path.join(home, "collections"), exist_ok=True)
    env.update(
        ANSIBLE_HOME=str(home),
        # Modules run in the venv's Python (with pyVmomi and the rest), not a discovered one.
        ANSIBLE_PYTHON_INTERPRETER=os.path.join(ansible_venv_dir(), "bin", "python"),
        ANSIBLE_CONFIG=os.path.join(str(home), "ansible.cfg"),   # absent: built-in defaults
        ANSIBLE_COLLECTIONS_PATH=os.path.join(str(home), "collections"),
        ANSIBLE_LOCAL_TEMP=os.path.join(str(home), "tmp"),
        ANSIBLE_DISPLAY_TRACEBACK="error",      # a failed module's traceback in its result
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        PYTHONWARNINGS="ignore",
        LC_ALL="C.UTF-8",
    )
    return env


if __name__ == "__main__":
    t = time.monotonic()
    print(ansible_venv())
    print("%.0f s" % (time.monotonic() - t))
