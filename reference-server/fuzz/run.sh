#!/usr/bin/env bash
# Schemathesis against the reference server (issue #14): every check, positive and negative data, the
# examples, coverage, fuzzing and stateful phases, bounded so it fits the CI budget. Zero failures expected;
# a false positive is fixed in the OpenAPI document, never ignored here.
#
#   bash reference-server/fuzz/run.sh [openapi document] [max examples per operation]
#
# The document defaults to spec/openapi.yaml, bundled offline into one file (bundle.ts); pass another (e.g. a
# prebuilt spec/dist/openapi.json) to test that one. Schemathesis is pinned and installed into
# reference-server/fuzz/.venv on first use. Reports (JUnit, NDJSON) go to reference-server/fuzz/report/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
doc="${1:-$repo/spec/openapi.yaml}"
examples="${2:-${OMP_FUZZ_EXAMPLES:-15}}"
venv="$here/.venv"
version="4.32.5"

if [ -d "$repo/.tools/node24/node_modules/.bin" ]; then
  export PATH="$repo/.tools/node24/node_modules/.bin:$PATH"
fi

if [ ! -x "$venv/bin/st" ] || [ "$(cat "$venv/.omp-version" 2>/dev/null)" != "$version" ]; then
  py="${OMP_PYTHON:-python3}"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
  echo "$version" > "$venv/.omp-version"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

bundled="$work/openapi.json"
node "$here/bundle.ts" "$doc" "$bundled"

# A fresh in-memory Core server on a free port, with one global key (no embedder: the Search level's model
# dimensions are a rule the document cannot state; its own tests cover it).
key="fuzz-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OMP_API_KEY="$key" node "$repo/reference-server/bin/omp-reference-server.js" --db :memory: --port 0 --quiet --embedder off \
  > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
for _ in $(seq 1 150); do
  url="$(grep -o 'listening on http://[^ ]*' "$work/server.out" | head -1 | cut -d' ' -f3 || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.2
done
[ -n "${url:-}" ] || { echo "fuzz: the server did not start" >&2; exit 1; }

# Optional operations this server does not offer (health `capabilities`) are paths it does not have: every
# method there is a 404 (OMP-AI-002), so they are left out rather than tested as 404s.
excluded=()
capabilities="$(curl -fsS "$url/v1/health" 2>/dev/null || node -e "fetch('$url/v1/health').then(r=>r.text()).then(t=>process.stdout.write(t))")"
for cap in extract compress; do
  case "$capabilities" in
    *"\"$cap\""*) ;;
    *) excluded+=(--exclude-path "/v1/$cap") ;;
  esac
done

mkdir -p "$here/report"
set +e
# hooks.py maps valid cases onto the rules JSON Schema cannot express (future expires_at, readable
# omp_version). Strings are generated as UTF-8: a lone surrogate is not Unicode text, which SPEC.md §4.1 makes a
# 422 that no schema can state, so valid data never holds one.
# Run from the temporary folder: Schemathesis keeps a cache folder in its working directory.
cd "$work"
SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" "$venv/bin/st" --config-file "$here/schemathesis.toml" run "$bundled" \
  --generation-codec utf-8 \
  --url "$url" \
  --header "Authorization: Bearer $key" \
  --mode all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$examples" \
  --seed "${OMP_FUZZ_SEED:-1404}" \
  --workers 1 \
  --request-timeout 30 \
  --no-color \
  --generation-database none \
  --report junit,ndjson --report-dir "$here/report" \
  "${excluded[@]}" \
  "${@:3}"
status=$?
set -e
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "fuzz: the server died during the run" >&2
  cat "$work/server.err" >&2
  exit 1
fi
exit "$status"
