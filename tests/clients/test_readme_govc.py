"""The README's blocks that run govc (tests/readme_blocks.py), in order, with govc 0.24 on PATH,
against a `vimsim serve` of their own."""
import os

from readme_blocks import readme_blocks, run_all

from .tools import govc_binary


def test_readme_govc_blocks_run_in_order(tmp_path):
    blocks = [b for b in readme_blocks() if b.kind and b.needs_govc]
    assert blocks, "no README block runs govc"
    run_all(tmp_path, blocks, path_first=[os.path.dirname(govc_binary())])
