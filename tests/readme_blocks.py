"""README.md's code blocks, run as its reader runs them (tests/test_readme.py and
tests/clients/test_readme_govc.py).

What runs, by the block's fence:
- ```python: a program. It is written to a file of its own and run with this interpreter, one
  process per block, so each block defines what it uses.
- A block, other than a shell one, whose first line is a comment naming a file
  (`# test_my_client.py`, `# my-fixture.yaml`) is saved under that name and not run: a later
  block uses it (`pytest test_my_client.py`, `Simulator(fixture="my-fixture.yaml")`).
- ```sh, ```bash, ```shell: run with `bash -euo pipefail`. Every curl in them passes --fail
  (or -f, --fail-with-body), so that an HTTP error fails the block.
- Any other fence (```text, ```yaml, a bare ```) is output, configuration or a sketch: not run.

One marker: `<!-- readme-test: skip REASON -->` on the line before a block leaves it out; the
reason is required. It is for commands that cannot run here (the server, which the test starts
itself; this suite; a real vCenter).

Before the first block, `vimsim serve` starts with its defaults (HTTPS, the real clock, the
default fixture, user/pass) on a free port, its certificate in a scratch folder. Every block
then runs in order, in one scratch working directory, with what the README tells its reader
to set: `VIMSIM_URL` (the line the server printed), REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE
unset, and the interpreter's bin folder (the venv's `.venv/bin`) first on PATH; and without
this pytest run's own PYTEST_ variables.
"""
import contextlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Optional

import pytest

from tests.test_cli import start, stop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")

RUN = {"python": "python", "sh": "sh", "bash": "sh", "shell": "sh"}
FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)")
SKIP = re.compile(r"^\s*<!--\s*readme-test:\s*skip\b\s*(.*?)\s*-->\s*$")
MARKER = re.compile(r"<!--\s*readme-test\b")
SAVE_AS = re.compile(r"^#\s*([\w-]+\.[\w.]+)\s*$")
GOVC = re.compile(r"(?:^|[\s;|&(`])govc\s", re.M)
CURL = re.compile(r"(?:^|[\s;|&(`])curl\b([^\n|;&)]*)")
CURL_FAILS = re.compile(r"^(?:--fail(?:-with-body)?|-[A-Za-z]*f[A-Za-z]*)$")
BLOCK_TIMEOUT = 180


@dataclass
class Block:
    line: int            # of the opening fence, 1-based
    lang: str
    text: str
    skip: Optional[str]  # the reason, for a block left out

    @property
    def kind(self):
        """"python", "sh", "save" (a file to write) or None (not run)."""
        if self.skip is not None:
            return None
        if RUN.get(self.lang) != "sh" and self._save_as():
            return "save"
        return RUN.get(self.lang)

    @property
    def save_as(self):
        return self._save_as() if self.kind == "save" else None

    def _save_as(self):
        match = SAVE_AS.match(self.text.split("\n", 1)[0])
        return match.group(1) if match else None

    @property
    def needs_govc(self):
        return self.kind == "sh" and bool(GOVC.search(self.text))

    def where(self):
        return "README.md line %d (```%s)" % (self.line, self.lang)


class ReadmeError(Exception):
    pass


def parse(markdown):
    """The fenced blocks of ``markdown``, in order."""
    lines = markdown.split("\n")
    blocks, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            if MARKER.search(lines[i]) and not SKIP.match(lines[i]):
                raise ReadmeError("line %d: unknown marker %r" % (i + 1, lines[i].strip()))
            i += 1
            continue
        indent, lang = match.groups()
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i == len(lines):
            raise ReadmeError("line %d: a block that is never closed" % (start + 1))
        i += 1
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        skip = SKIP.match(before)
        if skip and not skip.group(1):
            raise ReadmeError("line %d: readme-test: skip needs a reason" % start)
        blocks.append(Block(start + 1, lang, "\n".join(body) + "\n",
                            skip.group(1) if skip else None))
    return blocks


def readme_blocks():
    with open(README, encoding="utf-8") as f:
        return parse(f.read())


def curl_without_fail(block):
    """The curl commands of a shell block that would not fail on an HTTP error."""
    text = block.text.replace("\\\n", " ")
    text = "\n".join(line.split(" #", 1)[0] for line in text.split("\n")
                     if not line.lstrip().startswith("#"))
    return [("curl" + m.group(1)).strip() for m in CURL.finditer(text)
            if not any(CURL_FAILS.match(word) for word in m.group(1).split())]


def block_env(url, path_first=()):
    # The reader's shell has none of this pytest run's own variables (PYTEST_CURRENT_TEST,
    # PYTEST_XDIST_WORKER), which a block running pytest would take for its own.
    env = {k: v for k, v in os.environ.items()
           if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") and not k.startswith("PYTEST_")}
    env["VIMSIM_URL"] = url
    env["PATH"] = os.pathsep.join([*path_first, os.path.dirname(sys.executable),
                                   env.get("PATH", "")])
    return env


def run_block(block, workdir, env):
    """Run one block in ``workdir``; a failure is ``pytest.fail`` naming it, with its output."""
    if block.kind == "save":
        (workdir / block.save_as).write_text(block.text)
        return
    if block.kind == "python":
        script = workdir / ("readme_line_%d.py" % block.line)
        script.write_text(block.text)
        command = [sys.executable, str(script)]
    else:
        loose = curl_without_fail(block)
        if loose:
            pytest.fail("%s: curl without --fail (an HTTP error would pass): %s"
                        % (block.where(), "; ".join(loose)), pytrace=False)
        command = ["bash", "-euo", "pipefail", "-c", block.text]
    try:
        done = subprocess.run(command, cwd=str(workdir), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=BLOCK_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail("%s: still running after %d s\n%s\n--- output\n%s" % (
            block.where(), BLOCK_TIMEOUT, block.text, exc.stdout or ""), pytrace=False)
    if done.returncode != 0:
        pytest.fail("%s: exit status %d\n%s--- output\n%s" % (
            block.where(), done.returncode, block.text, done.stdout[-6000:]), pytrace=False)


@contextlib.contextmanager
def serving(tmp_path, path_first=()):
    """Start `vimsim serve`; yield ``run(block)`` running a block against it; stop it cleanly."""
    workdir = tmp_path / "work"
    workdir.mkdir(parents=True)
    proc, url = start("--cert-dir", str(tmp_path / "cert"))
    try:
        env = block_env(url.geturl(), path_first)
        yield lambda block: run_block(block, workdir, env)
    finally:
        stop(proc)


def run_all(tmp_path, blocks, path_first=()):
    """Run ``blocks`` in order against one `vimsim serve`."""
    with serving(tmp_path, path_first) as run:
        for block in blocks:
            run(block)
