#!/usr/bin/env bash
# Type-check and test the Python SDK: creates sdk-python/.venv on first use (pinned dev tools from
# requirements-dev.txt), then runs mypy --strict on the package and pytest (unit tests + every scenario of
# scenarios/cases against a live reference server started by scenarios/harness/start.ts), then the package as users
# install it (scripts/package-test.sh: sdist, wheel, twine check, a fresh venv).
# Works on a fresh clone: needs python3 >= 3.11 and Node >= 24 (taken from .tools/node24 when present).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="$here/.venv"

# The harness is TypeScript run by Node 24; prefer the repo's pinned Node when it is installed.
if [ -d "$repo/.tools/node24/node_modules/.bin" ]; then
  export PATH="$repo/.tools/node24/node_modules/.bin:$PATH"
fi

pick_python() {
  for p in "${OMP_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$p" ] || continue
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
      echo "$p"
      return 0
    fi
  done
  echo "sdk-python: needs Python >= 3.11 (set OMP_PYTHON=/path/to/python)" >&2
  return 1
}

stamp="$venv/.omp-installed"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$stamp" ] || [ "$here/pyproject.toml" -nt "$stamp" ] ||
  [ "$here/requirements-dev.txt" -nt "$stamp" ]; then
  py="$(pick_python)"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-dev.txt" -e "$here"
  touch "$stamp"
fi

cd "$here"
"$venv/bin/python" -m mypy --strict
"$venv/bin/python" -m pytest "$@"
bash "$here/scripts/package-test.sh" "$venv/bin/python"
