"""pytest plugin (entry point ``pytest11``): a running vimsim for each test.

    @pytest.mark.vimsim(fixture="default", scenarios=["flaky-customization"], clock="virtual")
    def test_my_client(vimsim, vimsim_si):
        vimsim.vm("DC0_H0_VM0").tools_running = False
        ...

Fixtures: ``vimsim`` (a started vimsim.Simulator, reset to its fixture before each test),
``vimsim_url``, ``vimsim_si`` (a logged-in pyVmomi ServiceInstance), ``vimsim_zeep`` (a zeep
client on the served WSDL, logged in; ``.sc`` holds the ServiceContent). One simulator per
worker process and fixture/scenario/clock combination: under pytest-xdist each worker has its
own.
"""
import json

import pytest

_simulators = {}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "vimsim(fixture='default', scenarios=(), clock='virtual'): the fixture, "
        "fault scenarios and clock mode of the test's vimsim")


def _options(request):
    marker = request.node.get_closest_marker("vimsim")
    options = dict(marker.kwargs) if marker else {}
    unknown = set(options) - {"fixture", "scenarios", "clock"}
    if unknown:
        raise pytest.UsageError("unknown vimsim marker options: %s" % ", ".join(sorted(unknown)))
    return (options.get("fixture", "default"), tuple(options.get("scenarios", ())),
            options.get("clock", "virtual"))


@pytest.fixture
def vimsim(request):
    from vimsim.simulator import Simulator
    fixture, scenarios, clock = key = _options(request)
    if isinstance(fixture, dict):  # a fixture given inline is keyed by its content
        key = (json.dumps(fixture, sort_keys=True), scenarios, clock)
    sim = _simulators.get(key)
    if sim is None:
        sim = _simulators[key] = Simulator(fixture=fixture, clock=clock,
                                           scenarios=list(scenarios)).start()
    else:
        sim.reset()
    return sim


@pytest.fixture
def vimsim_url(vimsim):
    return vimsim.url


@pytest.fixture
def vimsim_si(vimsim):
    from pyVim.connect import Disconnect, SmartConnect
    si = SmartConnect(host=vimsim.host, port=vimsim.port, user=vimsim.server.username,
                      pwd=vimsim.server.password, protocol="http")
    yield si
    try:
        Disconnect(si)
    except Exception:  # the test may have logged out or reset the simulator itself
        pass


@pytest.fixture
def vimsim_zeep(vimsim):
    import requests
    import zeep
    from zeep.transports import Transport
    session = requests.Session()
    session.trust_env = False  # a CA bundle from the environment would override verify=False
    client = zeep.Client("http://%s:%d/sdk/vimService.wsdl" % (vimsim.host, vimsim.port),
                         transport=Transport(session=session))
    client.sc = client.service.RetrieveServiceContent(
        _this={"_value_1": "ServiceInstance", "type": "ServiceInstance"})
    client.service.Login(_this=client.sc.sessionManager, userName=vimsim.server.username,
                         password=vimsim.server.password)
    return client
