# Sourced by scripts/serve and scripts/test: create .venv if needed and (re)install vimsim
# whenever setup.cfg or pyproject.toml changed since the last install. $PYTHON is the
# interpreter a new venv is made with; $VIMSIM_VENV the venv's folder (default .venv), so
# that a second Python has a venv of its own (.ci/run's run on a newer Python).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VIMSIM_VENV:-$ROOT/.venv}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
PY="${PYTHON:-python3}"
extras="${1:-}"
stamp="$VENV/.vimsim-installed${extras:+-$extras}"
want="$(cat "$ROOT/setup.cfg" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
say() { echo "scripts/${0##*/}: $*" >&2; }
if [ ! -x "$VENV/bin/python" ]; then
    say "first run: creating a Python virtual environment in $VENV"
    "$PY" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    # pip's own progress is shown: a first install takes a minute or more.
    say "installing vimsim${extras:+ with its [$extras] extras} and its dependencies from PyPI" \
        "into $VENV (again only when setup.cfg or pyproject.toml change)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$ROOT${extras:+[$extras]}" >&2
    echo "$want" > "$stamp"
    say "installed; $VENV is ready"
fi
# Bytecode for vimsim itself, written even where PYTHONDONTWRITEBYTECODE is set: compiling the
# generated type tables at every start costs start-up time and leaves memory behind.
"$VENV/bin/python" -m compileall -q "$ROOT/vimsim" >&2
