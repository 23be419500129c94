#!/usr/bin/env bash
# The Go SDK's checks: gofmt, go vet and go test (unit tests over local HTTP servers, and every scenario of
# scenarios/cases/ against the harness), plus a vet of the Go example. Standard library only: downloads are
# refused (GOPROXY=off), so it runs the same on a fresh clone as here. Works from any directory.
#
#   sdk-go/scripts/test.sh
#
# Needs Go >= 1.24, and for the scenarios Node 24 (the repository's .tools/node24, or OMP_NODE) with the
# repository's npm dependencies installed (npm ci). OMP_SKIP_SCENARIOS=1 skips the scenarios.
set -euo pipefail

sdk="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$sdk/.." && pwd)"
export GOFLAGS="${GOFLAGS:--mod=mod}" GOPROXY=off GOTOOLCHAIN=local

echo "go: $(go version)"
check_format() {
  local bad
  bad="$(cd "$1" && gofmt -l .)"
  if [ -n "$bad" ]; then
    echo "gofmt: these files need formatting (gofmt -w):" >&2
    echo "$bad" | sed "s#^#  $1/#" >&2
    exit 1
  fi
}
check_format "$sdk"
check_format "$root/examples/go"

(cd "$sdk" && go vet ./... && go mod verify)
# The example consumes the SDK as a user's module would, by its module path, through a replace directive.
(cd "$root/examples/go" && go vet ./... && go mod verify)
module="$(cd "$sdk" && go list -m)"
grep -q "^require $module " "$root/examples/go/go.mod" ||
  { echo "examples/go/go.mod does not require the SDK's module path $module" >&2; exit 1; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
(cd "$sdk" && go test -count=1 -v ./... >"$log" 2>&1) || status=$?
# One line per scenario (file name and pass/fail), then failed or skipped tests and the package verdict.
grep -E '^    --- (PASS|FAIL|SKIP): TestScenarios/' "$log" | sed -E 's/^    --- (PASS|FAIL|SKIP): TestScenarios\/([^ ]+).*/scenario \2: \1/' || true
grep -E '^--- (FAIL|SKIP)|scenarios: [0-9]+ passed|^(ok|FAIL)\b' "$log" || true
echo "go tests: $(grep -cE '^\s*--- PASS' "$log") passed, $(grep -cE '^\s*--- FAIL' "$log") failed (subtests included)"
if [ "$status" -ne 0 ]; then
  echo "--- go test output (passing tests left out) ---" >&2
  grep -vE '^\s*(=== RUN|--- PASS)' "$log" >&2 || true
fi
exit "$status"
