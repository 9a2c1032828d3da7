"""The checked-in vim25 type tables agree with what the model serves."""
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

from vimsim.rest import vapi_types
from vimsim.soap.wsdl import WSDL_DIR
from vimsim.tls import default_dir
from vimsim.vim25.types import REGISTRY
from vimsim.vim25 import typedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def release_on_path(dist, version):
    """A folder to put first on a generator's path so that it reads ``dist`` at ``version``
    (the release a checked-in file was generated from): None when that release is installed,
    else its wheel from PyPI, unpacked once into vimsim's cache folder. A newer release on
    PyPI must not make a checked-in file look stale, nor hide a stale one."""
    if importlib.metadata.version(dist) == version:
        return None
    folder = os.path.join(default_dir(), "sources", "%s-%s" % (dist, version))
    if os.path.isdir(folder):
        return folder
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    work = tempfile.mkdtemp(dir=os.path.dirname(folder))  # beside it: renamed in one step
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet",
                        "--disable-pip-version-check", "--no-deps", "--only-binary=:all:",
                        "%s==%s" % (dist, version), "-d", os.path.join(work, "wheel")],
                       check=True, capture_output=True, timeout=300)
        wheel, = os.listdir(os.path.join(work, "wheel"))
        with zipfile.ZipFile(os.path.join(work, "wheel", wheel)) as archive:
            archive.extractall(os.path.join(work, "unpacked"))
        try:
            os.rename(os.path.join(work, "unpacked"), folder)
        except OSError:  # another run unpacked it first
            if not os.path.isdir(folder):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def generated(script, out_variable, out, first_on_path=None):
    """What a generator script writes to ``out``, reading its source from ``first_on_path``
    when given."""
    env = dict(os.environ, **{out_variable: str(out)})
    if first_on_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [first_on_path,
                                                          env.get("PYTHONPATH")]))
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", script)], check=True,
                   env=env, capture_output=True, timeout=120)
    return out.read_text()


def regenerated(script, out_variable, checked_in, tmp_path, first_on_path=None):
    """Run a generator script into tmp_path and say whether its output is the checked-in file."""
    with open(os.path.join(ROOT, checked_in)) as f:
        return generated(script, out_variable, tmp_path / os.path.basename(checked_in),
                         first_on_path) == f.read()


def test_typedata_is_regenerated_from_the_model(tmp_path):
    source = release_on_path("pyvmomi", typedata.PYVMOMI_VERSION)
    assert regenerated("gen-vim25-types", "VIMSIM_TYPEDATA_OUT", "vimsim/vim25/typedata.py",
                       tmp_path, source), \
        "vimsim/vim25/typedata.py is stale: run scripts/gen-vim25-types"


def test_vapi_types_are_regenerated_from_the_sdk(tmp_path):
    source = release_on_path("vmware-vcenter", vapi_types.VCENTER_SDK_VERSION)
    assert regenerated("gen-vapi-types", "VIMSIM_VAPI_TYPES_OUT", "vimsim/rest/vapi_types.py",
                       tmp_path, source), \
        "vimsim/rest/vapi_types.py is stale: run scripts/gen-vapi-types"


def test_a_release_other_than_the_installed_one_is_what_a_generator_reads(tmp_path):
    """The tables are checked against the release they name, whatever pip installed."""
    installed = importlib.metadata.version("pyvmomi")
    other = "9.1.0.0" if installed != "9.1.0.0" else "9.0.0.0"
    source = release_on_path("pyvmomi", other)
    assert source is not None
    assert "PYVMOMI_VERSION = %r" % other in generated(
        "gen-vim25-types", "VIMSIM_TYPEDATA_OUT", tmp_path / "typedata.py", source)


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


def test_wsdl_is_regenerated_from_the_type_tables(tmp_path):
    env = dict(os.environ, VIMSIM_WSDL_OUT=str(tmp_path))
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-wsdl")], check=True,
                   env=env, capture_output=True, timeout=120)
    for name in os.listdir(tmp_path):
        with open(os.path.join(WSDL_DIR, name)) as f:
            assert (tmp_path / name).read_text() == f.read(), \
                "vimsim/wsdl/%s is stale: run scripts/gen-wsdl" % name


def test_wsdl_declares_exactly_the_served_operations():
    from lxml import etree
    from vimsim.model.objects import MANAGED_TYPES
    import vimsim.model.fixture  # noqa: F401
    wsdl = etree.parse(os.path.join(WSDL_DIR, "vim.wsdl"))
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/"}
    declared = {op.get("name") for op in wsdl.findall("w:portType/w:operation", ns)}
    bound = {op.get("name") for op in wsdl.findall("w:binding/w:operation", ns)}
    # vim25's methods start with a capital, but for setCustomValue
    served = {attr for cls in MANAGED_TYPES.values() for attr in dir(cls)
              if (attr[:1].isupper() or REGISTRY.is_method_name(attr))
              and callable(getattr(cls, attr))}
    assert declared == bound == served


def test_every_served_value_carries_its_required_fields():
    """What the schema requires (minOccurs 1) is set on every property of every object kind."""
    from vimsim.model import fixture
    from vimsim.model.clock import Clock
    from vimsim.model.sessions import CallContext, Session
    from vimsim.vim25.data import DataObject
    from vimsim.vim25.types import REGISTRY
    vc = fixture.build(fixture.load("default"), Clock("virtual"))
    ctx = CallContext(session=Session(vc.users["user"], vc.clock))
    missing = set()

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, DataObject):
            for field in REGISTRY.data[value._typeName].all_fields:
                item = getattr(value, field.name)
                if item is None and not field.optional and not field.array:
                    missing.add("%s.%s" % (value._typeName, field.name))
                walk(item)
    kinds = {}
    for obj in vc.objects.values():
        kinds.setdefault(obj.vim_type, obj)
    for obj in kinds.values():
        for prop in obj.property_names():
            walk(obj.get(prop, ctx))
    assert not missing
