"""`vimsim serve` as a user runs it: a real process, the VIMSIM_URL line, a clean stop."""
import os
import re
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
    said = refused("--fixture", "nosuch")
    assert "no fixture named or at 'nosuch'" in said and "vimsim ships (default)" in said
    said = refused("--scenario", "nosuch")
    assert "no scenario named or at 'nosuch'" in said and "flaky-customization" in said


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
    assert "--request-timeout: expected a number of seconds more than 0, got '0'" in refused(
        "--request-timeout", "0")


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


def test_version_and_option_errors_in_plain_words():
    from vimsim import __version__
    version = subprocess.run([sys.executable, "-m", "vimsim", "--version"], capture_output=True,
                             text=True, timeout=30)
    assert (version.returncode, version.stdout) == (0, "vimsim %s\n" % __version__)
    said = refused("--port", "abc")
    assert "argument --port: expected a port number from 0 to 65535, got 'abc'" in said
    assert "_positive_int" not in said and "invalid" not in said
    assert "--port: expected a port number from 0 to 65535, got '70000'" in refused(
        "--port", "70000")
    assert "--vms: expected a whole number, 0 or more, got '-3'" in refused("--vms", "-3")
    assert "--speed: expected a number from 1e-06 to 1000000, got 'fast'" in \
        refused("--speed", "fast")
    assert "--speed: expected a number from 1e-06 to 1000000, got '5e-324'" in \
        refused("--speed", "5e-324")
    assert "--session-timeout: expected a number of minutes, 0 or more, got 'nan'" in refused(
        "--session-timeout", "nan")


def read_ready(proc, last):
    """The lines `vimsim serve` prints after its ready line, up to the one starting ``last``."""
    lines = [proc.stdout.readline().rstrip("\n")]
    while not lines[-1].startswith(last):
        assert lines[-1] or proc.poll() is None, lines
        lines.append(proc.stdout.readline().rstrip("\n"))
    return lines


def test_ready_line_percent_encodes_credentials_and_endpoints_follow(tmp_path):
    from urllib.parse import unquote
    import requests
    proc, url = start("--http", "--username", "administrator@vsphere.local",
                      "--password", "p@ss:w/rd")
    try:
        assert url.geturl() == "http://administrator%%40vsphere.local:p%%40ss%%3Aw%%2Frd@" \
            "127.0.0.1:%d/sdk" % url.port
        assert url.hostname == "127.0.0.1" and url.path == "/sdk"
        user, password = unquote(url.username), unquote(url.password)
        assert (user, password) == ("administrator@vsphere.local", "p@ss:w/rd")
        si = SmartConnect(host=url.hostname, port=url.port, user=user, pwd=password,
                          protocol="http")
        assert si.content.sessionManager.currentSession.userName == user
        Disconnect(si)
        base = "http://127.0.0.1:%d" % url.port
        # "  NAME  URL  (clients)" a line, each URL the server's own
        where = dict(re.match(r"  (\S+(?: \S+)?)  +(\S+)", line).groups()
                     for line in read_ready(proc, "  dashboard"))
        assert list(where) == ["vim25 SOAP", "WSDL", "VI/JSON", "REST", "ZStack",
                               "control API", "dashboard"]
        assert all(url.startswith(base + "/") for url in where.values()), where
        assert where["WSDL"] == base + "/sdk/vimService.wsdl"
        session = requests.Session()
        session.trust_env = False
        wsdl = session.get(where["WSDL"], timeout=10)
        assert wsdl.status_code == 200 and "VimService" in wsdl.text
        assert where["dashboard"] == base + "/"
        assert session.get(where["dashboard"], timeout=10).status_code == 200
        content = session.get(where["VI/JSON"] + "ServiceInstance/ServiceInstance/content",
                              timeout=10)
        assert content.json()["about"]["apiType"] == "VirtualCenter"
        assert session.get(where["control API"] + "clock", auth=(user, password),
                           timeout=10).status_code == 200
    finally:
        stop(proc)


def evaluated(shell_text):
    """The environment bash has after eval'ing ``shell_text``."""
    proc = subprocess.run(["bash", "-c", 'eval "$1" && env -0', "bash", shell_text],
                          capture_output=True, text=True, timeout=30, env={})
    assert proc.returncode == 0, proc.stderr
    return dict(item.split("=", 1) for item in proc.stdout.split("\0") if item)


def test_serve_e_prints_exports_that_work_when_evaled():
    from urllib.parse import unquote
    proc, url = start("--http", "-E", "--password", "it's $x")
    try:
        output = "\n".join(["VIMSIM_URL=" + url.geturl()] +
                           read_ready(proc, "export VMWARE_VALIDATE_CERTS"))
        env = evaluated(output)
        assert env["VIMSIM_URL"] == url.geturl()
        assert env["GOVC_URL"] == "http://127.0.0.1:%d/sdk" % url.port
        assert (env["GOVC_USERNAME"], env["GOVC_PASSWORD"]) == ("user", "it's $x")
        assert env["GOVC_INSECURE"] == "1" and unquote(url.password) == "it's $x"
        si = SmartConnect(host=env["VMWARE_HOST"], port=int(env["VMWARE_PORT"]),
                          user=env["VMWARE_USER"], pwd=env["VMWARE_PASSWORD"], protocol="http")
        assert si.content.sessionManager.currentSession.userName == "user"
        Disconnect(si)
        # `vimsim env` prints the same exports from the URL alone
        printed = subprocess.run([sys.executable, "-m", "vimsim", "env", "--url", url.geturl()],
                                 capture_output=True, text=True, timeout=30)
        assert printed.returncode == 0
        assert printed.stdout.splitlines() == [line for line in output.splitlines()
                                               if line.startswith("export ")]
    finally:
        stop(proc)


def test_env_defaults_to_vimsim_url_then_the_default_server_and_refuses_a_non_url():
    def env_of(*args, **variables):
        proc = subprocess.run([sys.executable, "-m", "vimsim", "env", *args],
                              capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, **variables))
        return proc.returncode, proc.stdout, proc.stderr
    status, out, _ = env_of(VIMSIM_URL="")
    assert status == 0 and evaluated(out)["GOVC_URL"] == "https://127.0.0.1:8989/sdk"
    status, out, _ = env_of(VIMSIM_URL="https://a%40b:c@[::1]:9443/sdk")
    env = evaluated(out)
    assert (env["GOVC_URL"], env["GOVC_USERNAME"]) == ("https://[::1]:9443/sdk", "a@b")
    assert (env["VMWARE_HOST"], env["VMWARE_PORT"]) == ("::1", "9443")
    status, out, err = env_of("--url", "127.0.0.1:8989")
    assert status == 2 and out == "" and "Traceback" not in err
    assert "--url: expected the server's URL, such as https://user:pass@127.0.0.1:8989/sdk, " \
        "got '127.0.0.1:8989'" in err


def test_a_reader_gone_before_the_ready_line_does_not_stop_the_server():
    """`vimsim serve | head -1` or `| true`: the ready lines meet a closed pipe; the server
    goes on serving and stops cleanly."""
    import socket
    import urllib.request
    from test_durability import wait_for
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.Popen([sys.executable, "-m", "vimsim", "serve", "--http", "--port",
                             str(port)], stdout=write_end, stderr=subprocess.PIPE, text=True)
    os.close(write_end)

    def answers():
        assert proc.poll() is None, proc.stderr.read()
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/sdk/vimServiceVersions.xml"
                                        % port, timeout=5) as got:
                return got.status == 200
        except OSError:
            return False
    try:
        wait_for(answers, "the server to answer")
    finally:
        stop(proc)
