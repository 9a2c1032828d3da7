"""vimsim as pip installs it: the wheel and the sdist built from this tree, each installed into
a clean venv outside the clone, run `vimsim serve`, vimsim.Simulator and the pytest plugin from
the package data alone (fixtures, scenarios, the WSDL, the dashboard). Building leaves nothing
untracked in the tree."""
import glob
import os
import subprocess
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Run by the installed vimsim in the clean venv, from a folder outside the clone.
CHECK = r'''
import os, signal, subprocess, sys, urllib.request
import vimsim
assert vimsim.__file__.startswith(sys.prefix), vimsim.__file__  # not the clone's

SOAP = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        '<soapenv:Body><RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">'
        'ServiceInstance</_this></RetrieveServiceContent></soapenv:Body></soapenv:Envelope>')

def call(base):
    request = urllib.request.Request(base + "/sdk", SOAP.encode(), {
        "Content-Type": "text/xml", "SOAPAction": "urn:vim25/8.0.3.0"})
    body = urllib.request.urlopen(request, timeout=30).read().decode()
    assert "<apiType>VirtualCenter</apiType>" in body, body
    wsdl = urllib.request.urlopen(base + "/sdk/vimService.wsdl", timeout=30).read().decode()
    assert 'location="%s/sdk"' % base in wsdl, wsdl

serve = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "vimsim"), "serve",
                          "--http", "--port", "0", "--scenario", "flaky-customization"],
                         stdout=subprocess.PIPE, text=True)
ready = serve.stdout.readline().strip()
assert ready.startswith("VIMSIM_URL=http://user:pass@127.0.0.1:"), ready
base = ready.split("=", 1)[1].replace("user:pass@", "").rsplit("/sdk", 1)[0]
call(base)
serve.send_signal(signal.SIGTERM)
assert serve.wait(timeout=30) == 0

with vimsim.Simulator() as sim:
    sim.start()
    assert sim.vm("DC0_H0_VM0").power_state == "poweredOn"
    call("http://127.0.0.1:%d" % sim.port)
print("installed vimsim works")
'''

PLUGIN_TEST = '''
import urllib.request

def test_the_plugin_serves(vimsim):
    assert vimsim.vm("DC0_H0_VM0").power_state == "poweredOn"
    page = urllib.request.urlopen("http://127.0.0.1:%d/" % vimsim.port, timeout=30)
    assert page.status == 200 and b"vimsim" in page.read()
'''


def clean_env():
    """The environment without what would reach back into this tree or this pytest."""
    return {k: v for k, v in os.environ.items()
            if k != "PYTHONPATH" and not k.startswith("PYTEST_")}


def untracked():
    return subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=all"],
                          capture_output=True, text=True, check=True).stdout.splitlines()


def run(*args, cwd):
    proc = subprocess.run(args, cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, "%s\n%s\n%s" % (args, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc.stdout


def installing(dist, where):
    """pip installing ``dist`` (and pytest) into a new venv under ``where``, under way."""
    venv = where / "venv"
    # No pip of its own: the test venv's pip installs into it (much faster than ensurepip).
    run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=where)
    return venv, subprocess.Popen(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         "--disable-pip-version-check", dist, "pytest"],
        cwd=where, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def check(venv, where):
    """The installed vimsim, run from ``where``: the command, the Simulator, the plugin."""
    python = str(venv / "bin" / "python")
    assert run(str(venv / "bin" / "vimsim"), "--version", cwd=where).startswith("vimsim ")
    (where / "check.py").write_text(CHECK)
    assert "installed vimsim works" in run(python, "check.py", cwd=where)
    (where / "test_with_plugin.py").write_text(PLUGIN_TEST)
    assert "1 passed" in run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "test_with_plugin.py", cwd=where)


def test_wheel_and_sdist_install_and_run_without_the_clone(tmp_path):
    before = untracked()
    out = tmp_path / "dist"
    # The sdist, then the wheel from it (so the wheel has only what the sdist carries), with
    # the test venv's setuptools: no build environment to download.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), ROOT,
        cwd=tmp_path)
    assert untracked() == before
    wheel, = glob.glob(str(out / "vimsim-*.whl"))
    sdist, = glob.glob(str(out / "vimsim-*.tar.gz"))
    # every file of the package in git, code or data, is in both (a new data file needs
    # setup.cfg's package_data and MANIFEST.in)
    tracked = set(subprocess.run(["git", "-C", ROOT, "ls-files", "vimsim"], capture_output=True,
                                 text=True, check=True).stdout.split())
    with zipfile.ZipFile(wheel) as whl:
        assert tracked <= set(whl.namelist()), tracked - set(whl.namelist())
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert tracked <= in_sdist, tracked - in_sdist
    installs = []
    for name, dist in (("wheel", wheel), ("sdist", sdist)):  # both at once: mostly downloads
        where = tmp_path / name
        where.mkdir()
        installs.append((where,) + installing(dist, where))
    for where, venv, pip in installs:
        output = pip.communicate(timeout=300)[0]
        assert pip.returncode == 0, output[-3000:]
    for where, venv, pip in installs:
        check(venv, where)
