#!/usr/bin/env bash
# omp-sdk as its users install it: builds the sdist, then the wheel from that sdist (so the sdist alone must be
# enough), checks both with `twine check --strict`, checks the sdist holds no tests or other repository files, then
# installs the wheel into a fresh venv outside the repository and calls a local HTTP server with it.
#
#   sdk-python/scripts/package-test.sh [python]    # run by scripts/test.sh with sdk-python/.venv's python
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${1:-$here/.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$py" -m build --outdir "$work/dist" "$here" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
"$py" -m twine check --strict "$work"/dist/*

sdist="$(ls "$work"/dist/*.tar.gz)"
wheel="$(ls "$work"/dist/*.whl)"
listing="$(tar tzf "$sdist")"
unexpected="$(echo "$listing" | sed 's#^[^/]*/##' | grep -vE '^$|^(src/omp_sdk/.*|README\.md|LICENSE|pyproject\.toml|PKG-INFO|\.gitignore)$' || true)"
if [ -n "$unexpected" ]; then
  echo "sdk-python: the sdist holds files users do not need:" >&2
  echo "$unexpected" >&2
  exit 1
fi
for f in src/omp_sdk/py.typed LICENSE; do
  grep -q "/$f\$" <<<"$listing" || { echo "sdk-python: the sdist lacks $f" >&2; exit 1; }
done
"$py" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
assert "omp_sdk/py.typed" in names, "the wheel lacks py.typed"
assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "the wheel lacks the LICENSE"
assert not [n for n in names if n.startswith("tests/")], "the wheel ships tests"
meta = zipfile.ZipFile(sys.argv[1]).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
assert "Provides-Extra" not in meta, "the wheel has a public extra"
assert "License-Expression: Apache-2.0" in meta, "no license expression"
PY

# A fresh venv, outside the repository, with nothing but the wheel and what it depends on.
"$py" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
(cd "$work" && "$work/venv/bin/python" - <<'PY'
import http.server, json, threading
import omp_sdk
from omp_sdk import OmpClient

assert "site-packages" in omp_sdk.__file__, omp_sdk.__file__  # the installed wheel, not the repository

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"status": "ok", "version": "0.3", "levels": ["core"], "capabilities": ["keyword_search"],
                           "memories_count": None}).encode()
        self.send_response(200 if self.path == "/v1/health" else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args: object) -> None:
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
threading.Thread(target=server.serve_forever, daemon=True).start()
with OmpClient(base_url=f"http://127.0.0.1:{server.server_address[1]}", api_key="") as client:
    health = client.health()
server.shutdown()
assert health["status"] == "ok", health
print(f"omp-sdk {omp_sdk.__version__}: installed from the wheel into a fresh venv, health {health['status']}")
PY
)
echo "sdk-python package: sdist and wheel pass twine check --strict; $(basename "$wheel") installs and runs"
