#!/usr/bin/env bash
# The steps of certify-server.yml on your machine: start a server, run the OMP conformance suite with the same
# command line as the workflow, append the Markdown report to the "job summary", and check the JUnit and HTML
# reports the workflow uploads are there.
#
#   bash examples/ci/certify-local.sh                          # certifies a throw-away reference server
#   OMP_URL=http://127.0.0.1:3456 OMP_TOKEN=... bash examples/ci/certify-local.sh   # certifies your server
#       (add OMP_TOKEN_B and OMP_TOOL_TOKENS="name=KEY ..." to certify the Full level)
#
# Reports go to $REPORT_DIR (default: a new temporary folder, printed at the end); the summary to
# $GITHUB_STEP_SUMMARY (default: $REPORT_DIR/step-summary.md). Exit status: the conformance runner's
# (0 conformant, 1 not conformant, 2 configuration error, 3 unreachable or interrupted).
# Needs the repository's dependencies (npm ci) and Node >= 22.18 (the repository's .tools/node24 if present).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if [ -d "$repo/.tools/node24/node_modules/.bin" ]; then export PATH="$repo/.tools/node24/node_modules/.bin:$PATH"; fi
# npx finds omp-conformance and omp-reference-server among the workspace's packages from the repository root.
cd "$repo"

export REPORT_DIR="${REPORT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/omp-certify.XXXXXX")/conformance-report}"
export GITHUB_STEP_SUMMARY="${GITHUB_STEP_SUMMARY:-$REPORT_DIR/step-summary.md}"
work="$(mktemp -d "${TMPDIR:-/tmp}/omp-certify-server.XXXXXX")"
server_pid=""
# shellcheck disable=SC2329 # called by the EXIT trap
cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== Start the server under test"
if [ -n "${OMP_URL:-}" ]; then
  : "${OMP_TOKEN:?OMP_URL is set, so OMP_TOKEN must be too}"
  echo "using $OMP_URL"
else
  # The reference server with every key the Full level needs: a second principal, and per-tool keys of each
  # scope shape (conformance/README.md, "Full level: the keys it needs").
  # omp_ first, as the server's own keys: a bare base64url key starts with '-' one time in 64.
  key() { node -e 'console.log("omp_" + require("crypto").randomBytes(24).toString("base64url"))'; }
  OMP_TOKEN="$(key)" OMP_TOKEN_B="$(key)"
  cursor="$(key)" claude="$(key)" reader="$(key)" writer="$(key)"
  OMP_TOOL_TOKENS="cursor=$cursor claude=$claude reader=$reader writer=$writer"
  (umask 077 && cat >"$work/keys.json" <<JSON
[
  { "key": "$OMP_TOKEN", "principal": "owner" },
  { "key": "$OMP_TOKEN_B", "principal": "second" },
  { "key": "$cursor", "principal": "owner", "tool": "cursor", "scopes": ["read", "write"], "read_scope": "own" },
  { "key": "$claude", "principal": "owner", "tool": "claude", "scopes": ["read", "write"], "read_scope": "all" },
  { "key": "$reader", "principal": "owner", "tool": "reader", "scopes": ["read"] },
  { "key": "$writer", "principal": "owner", "tool": "writer", "scopes": ["write"] }
]
JSON
  )
  export OMP_TOKEN OMP_TOKEN_B OMP_TOOL_TOKENS
  # The workspace's omp-reference-server bin, started by node itself rather than npx: $! must be the server's
  # own pid, because npx does not pass the stopping signal on to it.
  node node_modules/.bin/omp-reference-server --port 0 --db "$work/omp.db" --keys-file "$work/keys.json" --quiet \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  # Port 0 picks a free port; the server prints "... listening on http://127.0.0.1:<port>".
  for _ in $(seq 1 150); do
    OMP_URL="$(sed -n 's/.* listening on \(http[^ ]*\).*/\1/p' "$work/server.log")"
    [ -n "$OMP_URL" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$OMP_URL" ] || { echo "the reference server printed no URL" >&2; exit 1; }
  echo "started the reference server at $OMP_URL (keys for two principals and four tools)"
fi
export OMP_URL
# As in the workflow: wait until it answers its health endpoint (at most 60 s).
for i in $(seq 1 60); do
  if curl -fsS "$OMP_URL/v1/health" >/dev/null; then break; fi
  [ "$i" = 60 ] && { echo "the server did not answer $OMP_URL/v1/health" >&2; exit 1; }
  sleep 1
done

echo "== Run the OMP conformance suite (the workflow's command line)"
status=0
npx omp-conformance "$OMP_URL" --token="$OMP_TOKEN" --reporter pretty,junit,html,markdown --out "$REPORT_DIR" || status=$?

echo "== Conformance report in the job summary"
if [ -f "$REPORT_DIR/report.md" ]; then cat "$REPORT_DIR/report.md" >> "$GITHUB_STEP_SUMMARY"; fi
echo "appended $REPORT_DIR/report.md to $GITHUB_STEP_SUMMARY"

echo "== The reports the workflow uploads"
for f in junit.xml report.html; do
  if [ -s "$REPORT_DIR/$f" ]; then
    echo "artifact: $REPORT_DIR/$f ($(wc -c <"$REPORT_DIR/$f") bytes)"
  else
    echo "missing report: $REPORT_DIR/$f" >&2
    [ "$status" = 0 ] && status=1
  fi
done

echo "certify-local: omp-conformance exited $status"
exit "$status"
