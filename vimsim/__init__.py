"""vimsim: an offline emulator of the VMware vSphere APIs around guest customization."""

__version__ = "0.1.0"  # setup.cfg reads it; `vimsim --version` prints it


def __getattr__(name):
    # Lazy, so that importing vimsim.model does not pull in twisted's reactor.
    if name == "Simulator":
        from vimsim.simulator import Simulator
        return Simulator
    raise AttributeError(name)
