"""The checked-in vim25 type tables agree with what the model serves."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_typedata_is_regenerated_from_the_model(tmp_path):
    out = tmp_path / "typedata.py"
    env = dict(os.environ, VIMSIM_TYPEDATA_OUT=str(out))
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-vim25-types")],
                   check=True, env=env, capture_output=True, timeout=120)
    with open(os.path.join(ROOT, "vimsim", "vim25", "typedata.py")) as f:
        checked_in = f.read()
    assert out.read_text() == checked_in, \
        "vimsim/vim25/typedata.py is stale: run scripts/gen-vim25-types"


def test_every_served_method_is_a_vim25_method():
    from vimsim.model.objects import MANAGED_TYPES
    from vimsim.vim25.types import REGISTRY
    import vimsim.model.fixture  # noqa: F401  (loads every managed object class)
    for name, cls in MANAGED_TYPES.items():
        mtype = REGISTRY.managed[name]
        for attr in dir(cls):
            if attr[:1].isupper() and callable(getattr(cls, attr)):
                assert attr in mtype.methods, "%s.%s is not declared" % (name, attr)
        for prop in cls.property_names():
            assert prop in mtype.props, "%s.%s is not declared" % (name, prop)
