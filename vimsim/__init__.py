"""vimsim: an offline emulator of the VMware vSphere APIs around guest customization."""


def __getattr__(name):
    # Lazy, so that importing vimsim.model does not pull in twisted's reactor.
    if name == "Simulator":
        from vimsim.simulator import Simulator
        return Simulator
    raise AttributeError(name)
