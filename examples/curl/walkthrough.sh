#!/usr/bin/env bash
# A walk through the OMP HTTP API with nothing but curl: health, create, get, list with filters, search (both
# forms), update, export, import, delete, and one error with its envelope.
#
#   bash examples/curl/walkthrough.sh                                    # starts a throw-away reference server
#   OMP_SERVER=http://127.0.0.1:3456 OMP_API_KEY=... bash examples/curl/walkthrough.sh   # your own server
#
# Against your own server it touches only what it creates: every memory goes into a namespace of its own
# (example:curl-<random>) and is deleted again, also when a step fails.
#
# Needs curl and Node.js (>= 22.18 to start the reference server; any Node to read JSON: jq is not required).
# Every request is printed as a curl line you can paste, with the key left as $OMP_API_KEY.
# shellcheck disable=SC2016 # the single-quoted strings are JavaScript for node -e, expanded by node
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# Node: OMP_NODE, else the repository's pinned Node 24 when present, else whatever `node` is on PATH.
node="${OMP_NODE:-}"
if [ -z "$node" ]; then
  if [ -x "$repo/.tools/node24/node_modules/.bin/node" ]; then node="$repo/.tools/node24/node_modules/.bin/node"; else node=node; fi
fi
command -v curl >/dev/null || { echo "walkthrough: curl is not installed" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/omp-curl.XXXXXX")"
server_pid=""
created=()   # ids still to delete if the walkthrough stops half-way

cleanup() {
  local status=$?
  set +e
  # Leave nothing behind on a server we did not start.
  for id in "${created[@]}"; do
    curl -sS -o /dev/null -X DELETE -H "Authorization: Bearer $OMP_API_KEY" "$OMP_SERVER/v1/memories/$id"
  done
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null # graceful: in-flight requests finish, the database closes
    wait "$server_pid" 2>/dev/null
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------
# JSON helpers (Node instead of jq). `jq_ FILE EXPR` prints EXPR evaluated with the parsed file as `b`;
# `check FILE EXPR WHAT` stops the walkthrough when EXPR is falsy.
jq_() {
  "$node" -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const v = new Function("b", `return (${process.argv[2]});`)(b);
    process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));' "$1" "$2"
}
check() {
  if [ "$(jq_ "$1" "Boolean($2)")" != "true" ]; then
    echo "FAILED: $3 (expected $2)" >&2
    exit 1
  fi
  echo "   ok: $3"
}
# Pretty-print a JSON body, at most 24 lines.
show() {
  [ -s "$1" ] || { echo "   (empty body)"; return; }
  "$node" -e 'const t = require("fs").readFileSync(process.argv[1], "utf8");
    let s; try { s = JSON.stringify(JSON.parse(t), null, 2); } catch { s = t; }
    const lines = s.split("\n");
    const out = lines.slice(0, 24).map((l) => "   " + l);
    const more = lines.length - 24;
    if (more > 0) out.push(`   … (${more} more line${more === 1 ? "" : "s"})`);
    console.log(out.join("\n"));' "$1"
}

# `call METHOD PATH [BODY-FILE]`: one request. Prints a curl line you can paste and the answer; the body lands
# in $work/body.json, the status in $status, the headers in $work/headers.txt. `brief call ...` leaves out the body.
step=0
call() {
  local method="$1" path="$2" data="${3:-}"
  local args=(-sS -o "$work/body.json" -D "$work/headers.txt" -w '%{http_code}' -X "$method"
    -H "Authorization: Bearer $OMP_API_KEY")
  local shown="curl -X $method '$OMP_SERVER$path' -H \"Authorization: Bearer \$OMP_API_KEY\""
  if [ -n "$data" ]; then
    args+=(-H 'Content-Type: application/json' --data-binary "@$data")
    # Short bodies inline; long ones (the import file) by file name.
    if [ "$(wc -c <"$data")" -le 400 ]; then
      shown+=" -H 'Content-Type: application/json' -d '$(jq_ "$data" 'JSON.stringify(b)')'"
    else
      shown+=" -H 'Content-Type: application/json' --data-binary @$(basename "$data")"
    fi
  fi
  echo "   \$ $shown"
  status="$(curl "${args[@]}" "$OMP_SERVER$path")"
  echo "   -> HTTP $status"
  [ "${brief_:-}" = 1 ] || show "$work/body.json"
}
brief() { brief_=1 "$@"; }
expect_status() {
  [ "$status" = "$1" ] || { echo "FAILED: expected HTTP $1, got $status" >&2; exit 1; }
}
title() {
  step=$((step + 1))
  printf '\n== %d. %s\n' "$step" "$1"
}

# ---------------------------------------------------------------------------------------------------------------
# 0. A server. With OMP_SERVER set we use it (and need its key); otherwise we start the reference server on a
# free port with a temporary database and a freshly generated key, and stop it at exit.
if [ -n "${OMP_SERVER:-}" ]; then
  : "${OMP_API_KEY:?OMP_SERVER is set, so OMP_API_KEY must be too}"
  OMP_SERVER="${OMP_SERVER%/}"
  echo "Using the server at $OMP_SERVER"
else
  OMP_API_KEY="$("$node" -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))')"
  # The key goes in through the environment: command-line flags are visible in process lists.
  OMP_API_KEY="$OMP_API_KEY" "$node" "$repo/reference-server/bin/omp-reference-server.js" \
    --port 0 --db "$work/omp.db" --quiet >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  # The server prints "OMP reference server <version> listening on http://127.0.0.1:<port>" once it listens.
  for _ in $(seq 1 150); do
    OMP_SERVER="$(sed -n 's/.* listening on \(http[^ ]*\).*/\1/p' "$work/server.out")"
    [ -n "$OMP_SERVER" ] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "the reference server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$OMP_SERVER" ] || { echo "the reference server did not print its URL within 15 s" >&2; exit 1; }
  echo "Started the reference server at $OMP_SERVER (database $work/omp.db, stopped at exit)"
fi
export OMP_SERVER OMP_API_KEY

# Our own namespace: nothing we list, search or export mixes with memories already on the server.
ns="example:curl-$("$node" -e 'console.log(require("crypto").randomBytes(4).toString("hex"))')"
echo "Namespace of this run: $ns"

# ---------------------------------------------------------------------------------------------------------------
title "Health: open to everyone; says which levels and capabilities the server offers"
call GET /v1/health
expect_status 200
check "$work/body.json" 'b.levels.includes("core")' "declares the core level"
echo "   server: $(jq_ "$work/body.json" '`${b.server.name} ${b.server.version}, OMP ${b.version}, levels ${b.levels.join("+")}`')"

title "Create: the body from the draft README (plus our namespace)"
cat >"$work/create.json" <<JSON
{
  "content": "User prefers TypeScript over JavaScript and dislikes verbose comments",
  "type": "semantic",
  "source": { "tool": "claude" },
  "tags": ["preferences", "coding"],
  "namespace": "$ns"
}
JSON
call POST /v1/memories "$work/create.json"
expect_status 201
id="$(jq_ "$work/body.json" 'b.id')"
created+=("$id")
check "$work/body.json" '/^mem_[a-z0-9]{16}$/.test(b.id)' "the server assigned the id $id"
check "$work/body.json" 'b.source.timestamp === b.created_at' "source.timestamp defaulted to created_at"
echo "   Location: $(grep -i '^location:' "$work/headers.txt" | tr -d '\r' | cut -d' ' -f2 || true)"

# A second memory, so the filters below have something to tell apart.
cat >"$work/create2.json" <<JSON
{
  "content": "Deploys of myapp go through make release after the staging smoke test passes",
  "type": "procedural",
  "source": { "tool": "cursor", "session_id": "cur_7781" },
  "tags": ["deploy"],
  "namespace": "$ns"
}
JSON
echo "   (and a second one, procedural, from cursor)"
brief call POST /v1/memories "$work/create2.json"
expect_status 201
id2="$(jq_ "$work/body.json" 'b.id')"
created+=("$id2")

title "Get one memory by id"
call GET "/v1/memories/$id"
expect_status 200
check "$work/body.json" "b.id === '$id' && b.metadata && b.expires_at === null" "every member is present (metadata {}, expires_at null)"

title "List with filters: type, tags (comma-separated = all of them), namespace, limit, sort"
call GET "/v1/memories?namespace=$ns&type=semantic&tags=preferences,coding&limit=10&sort=created_at_asc"
expect_status 200
check "$work/body.json" "b.total === 1 && b.memories[0].id === '$id'" "only the semantic memory matches"
brief call GET "/v1/memories?namespace=$ns&tool=cursor"
expect_status 200
check "$work/body.json" "b.total === 1 && b.memories[0].id === '$id2'" "filtering by tool=cursor finds the procedural one"

title "Search (POST): keyword search, every query token must occur, best match first"
echo "{\"q\": \"typescript comments\", \"namespace\": \"$ns\", \"limit\": 5}" >"$work/search.json"
call POST /v1/memories/search "$work/search.json"
expect_status 200
check "$work/body.json" "b.total === 1 && b.memories[0].id === '$id'" "found the TypeScript memory"
echo "   mode_used: $(jq_ "$work/body.json" 'b.mode_used')"

title "Search (GET): the same search as query parameters"
call GET "/v1/memories/search?q=staging+smoke&namespace=$ns"
expect_status 200
check "$work/body.json" "b.total === 1 && b.memories[0].id === '$id2'" "found the deploy memory"

title "Update: partial; tags are replaced whole, absent members are kept"
echo '{"tags": ["preferences", "coding", "typescript"], "metadata": {"confidence": 0.9}}' >"$work/update.json"
call PUT "/v1/memories/$id" "$work/update.json"
expect_status 200
check "$work/body.json" 'b.tags.length === 3 && b.content.startsWith("User prefers")' "tags replaced, content kept"
check "$work/body.json" 'b.updated_at > b.created_at' "updated_at moved forward"

title "Export: every memory the key can see, in the portable export file"
brief call GET /v1/export
expect_status 200
cp "$work/body.json" "$work/export.json"
echo "   export file: omp_version $(jq_ "$work/export.json" 'b.omp_version'), $(jq_ "$work/export.json" 'b.memories.length') memories"
# Keep only this run's memories: on your own server the export holds everything else too.
jq_ "$work/export.json" "({ ...b, memories: b.memories.filter((m) => m.namespace === '$ns') })" >"$work/ours.json"
check "$work/ours.json" 'b.memories.length === 2' "both of our memories are in it"

title "Import: delete a memory, then import the export file to restore it with the same id"
brief call DELETE "/v1/memories/$id"
expect_status 204
echo "   (deleted $id)"
call POST "/v1/import?conflict=skip" "$work/ours.json"
expect_status 200
check "$work/body.json" 'b.imported === 1 && b.skipped === 1 && b.errors.length === 0' \
  "1 imported (the deleted one), 1 skipped (still there: conflict=skip)"
brief call GET "/v1/memories/$id"
expect_status 200
check "$work/body.json" "b.id === '$id' && b.tags.includes('typescript')" "restored, with the id and tags it had"

title "An error: every error is the same JSON envelope (here 422, a tag must be lower-case)"
echo "{\"content\": \"x\", \"type\": \"semantic\", \"source\": {\"tool\": \"claude\"}, \"tags\": [\"Preferences\"], \"namespace\": \"$ns\"}" >"$work/bad.json"
call POST /v1/memories "$work/bad.json"
expect_status 422
check "$work/body.json" 'b.error === "validation_error" && b.details.errors.some((e) => e.path === "/tags/0")' \
  "error validation_error, details.errors points at /tags/0"

title "Delete: 204 with no body; afterwards the id is 404 memory_not_found"
for m in "$id" "$id2"; do
  brief call DELETE "/v1/memories/$m"
  expect_status 204
  echo "   deleted $m"
done
created=()
call GET "/v1/memories/$id"
expect_status 404
check "$work/body.json" 'b.error === "memory_not_found"' "gone"

printf '\nwalkthrough complete: %d steps against %s\n' "$step" "$OMP_SERVER"
