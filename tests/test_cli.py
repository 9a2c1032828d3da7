"""`vimsim serve` as a user runs it: a real process, the VIMSIM_URL line, a clean stop."""
import os
import signal
import subprocess
import sys
from urllib.parse import urlparse

from pyVim.connect import Disconnect, SmartConnect


def start(*args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "vimsim", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    assert line.startswith("VIMSIM_URL="), (line, proc.stderr.read() if proc.poll() else "")
    return proc, urlparse(line.split("=", 1)[1])


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    err = proc.stderr_text = proc.stderr.read()
    assert "Traceback" not in err, err


def test_serve_https_prints_url_and_stops_on_sigterm(tmp_path):
    proc, url = start("--cert-dir", str(tmp_path), "--username", "admin", "--password", "s3cret")
    try:
        assert url.scheme == "https" and url.path == "/sdk"
        assert (url.username, url.password, url.hostname) == ("admin", "s3cret", "127.0.0.1")
        si = SmartConnect(host=url.hostname, port=url.port, user=url.username,
                          pwd=url.password, disableSslCertValidation=True)
        assert si.content.about.apiType == "VirtualCenter"
        Disconnect(si)
    finally:
        stop(proc)


def test_serve_http_with_more_vms_and_hosts():
    proc, url = start("--http", "--vms", "40", "--hosts", "9")
    try:
        assert url.scheme == "http"
        si = SmartConnect(host=url.hostname, port=url.port, user="user", pwd="pass",
                          protocol="http")
        from pyVmomi import vim
        content = si.content
        vms = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine],
                                                      True).view
        hosts = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem],
                                                        True).view
        assert len(vms) == 40 and len({vm.name for vm in vms}) == 40
        assert len(hosts) == 9
        Disconnect(si)
    finally:
        stop(proc)


def refused(*args):
    """What `vimsim serve ARGS` says on stderr as it refuses to start (exit status 2)."""
    proc = subprocess.run([sys.executable, "-m", "vimsim", "serve", *args],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_serve_rejects_an_unknown_fixture():
    assert "no fixture" in refused("--fixture", "nosuch")


def test_serve_rejects_a_bad_fault_delivery():
    assert "'call' or 'task'" in refused("--fault-delivery", "InvalidGuestLogin=later")


def test_serve_rejects_a_fault_delivery_of_no_fault_type():
    assert "NoSuchFault is not a vim25 fault type" in refused("--fault-delivery",
                                                              "NoSuchFault=call")


def test_serve_rejects_a_scenario_rule_the_state_file_could_not_keep(tmp_path):
    # A YAML date as a message was accepted, then made the save at stop fail and lose the run.
    scenario = tmp_path / "dated.yaml"
    scenario.write_text("rules:\n  - {operation: PowerOnVM_Task, fault: SystemError}\n"
                        "  - {operation: PowerOnVM_Task, fault: SystemError, "
                        "message: 2026-12-02}\n")
    said = refused("--scenario", str(scenario), "--state", str(tmp_path / "state.json"))
    assert "scenario %s: rules[1].message: a date is not a JSON value" % scenario in said
    assert not (tmp_path / "state.json").exists()


def test_serve_request_and_idle_timeouts():
    import socket
    proc, url = start("--http", "--request-timeout", "0.3", "--idle-timeout", "0.3")
    try:
        def answer_until_closed(request):
            sock = socket.create_connection((url.hostname, url.port), timeout=10)
            sock.sendall(request)
            answer = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    return answer
                answer += chunk
        slow = answer_until_closed(b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: x\r\n")
        assert slow.startswith(b"HTTP/1.1 408 ")
        # answered, then closed by the server once idle
        idle = answer_until_closed(b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.startswith(b"HTTP/1.1 200 ") and idle.endswith(b"</namespaces>\n")
    finally:
        stop(proc)


def test_serve_rejects_a_bad_timeout():
    assert "must be more than 0" in refused("--request-timeout", "0")


def test_serve_leaves_pyopenssl_and_cryptography_unloaded():
    # vimsim's TLS is the standard library's; twisted's would load pyOpenSSL and cryptography
    # (about 12 MB). cryptography is loaded only to make a certificate.
    proc, url = start("--http")
    try:
        with open("/proc/%d/maps" % proc.pid) as f:
            maps = f.read()
        assert "cryptography" not in maps and "OpenSSL" not in maps
        assert SmartConnect(host=url.hostname, port=url.port, user="user", pwd="pass",
                            protocol="http").content.about.apiType == "VirtualCenter"
    finally:
        stop(proc)
