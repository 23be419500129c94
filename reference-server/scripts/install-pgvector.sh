#!/usr/bin/env bash
# Build and install pgvector into the installed PostgreSQL (Debian bookworm packages no pgvector): the pinned
# source from the Go module proxy (a registry CI reaches), its sha256 checked, compiled without -march=native so
# the library runs on any x86-64 host. Idempotent: does nothing when the server already has vector.control.
# Needs root (apt-get, make install), as .ci/run has. DESTDIR, if set, stages the install there instead (the
# usual make convention; the check then looks there too). Prints one line saying what it did.
set -euo pipefail

VERSION=0.8.0
SHA256=542c112013c5d0c936a741daa8c2e98fc5e28e0a5df9dcf0c1e8337236d6ab39
MODULE=github.com/pgvector/pgvector

fail() {
  echo "install-pgvector: $*" >&2
  exit 1
}

# The newest installed server, the one reference-server/test/postgres-cluster.ts runs.
major=$(ls /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -1 || true)
[ -n "$major" ] && [ -x "/usr/lib/postgresql/$major/bin/postgres" ] ||
  fail "no PostgreSQL server in /usr/lib/postgresql (Debian: apt-get install -y postgresql)"
control="${DESTDIR:-}/usr/share/postgresql/$major/extension/vector.control"
if [ -f "$control" ]; then
  installed=$(sed -n "s/^default_version = '\\(.*\\)'/\\1/p" "$control")
  echo "install-pgvector: PostgreSQL $major already has pgvector $installed ($control): nothing to do"
  exit 0
fi

# Build tools, only those missing: the server headers and PGXS of this major, make, a C compiler, curl, unzip.
pg_config="/usr/lib/postgresql/$major/bin/pg_config"
missing=()
[ -x "$pg_config" ] && [ -f "/usr/include/postgresql/$major/server/postgres.h" ] ||
  missing+=("postgresql-server-dev-$major")
command -v make >/dev/null || missing+=(make)
command -v gcc >/dev/null || missing+=(gcc)
command -v curl >/dev/null || missing+=(curl ca-certificates)
command -v unzip >/dev/null || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

# The first https entry of GOPROXY (a comma- or pipe-separated list), else the public proxy.
proxy=https://proxy.golang.org
for entry in $(tr ',|' '  ' <<<"${GOPROXY:-}"); do
  if [[ $entry == https://* ]]; then
    proxy=${entry%/}
    break
  fi
done

start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/src.zip" "$proxy/$MODULE/@v/v$VERSION.zip" ||
  fail "cannot download $proxy/$MODULE/@v/v$VERSION.zip"
echo "$SHA256  $work/src.zip" | sha256sum -c --quiet - >/dev/null 2>&1 ||
  fail "sha256 of $proxy/$MODULE/@v/v$VERSION.zip is not $SHA256"
unzip -q "$work/src.zip" -d "$work"
src="$work/$MODULE@v$VERSION"

# OPTFLAGS="" drops the Makefile's -march=native (a library built on a newer CPU would crash an older one);
# with_llvm=no skips the JIT bitcode (clang), which the server only uses to inline, never to run the extension.
build=(-C "$src" PG_CONFIG="$pg_config" OPTFLAGS="" with_llvm=no)
make "${build[@]}" -j"$(nproc)" >"$work/build.log" 2>&1 || {
  tail -20 "$work/build.log" >&2
  fail "make failed"
}
make "${build[@]}" install ${DESTDIR:+DESTDIR="$DESTDIR"} >>"$work/build.log" 2>&1 || {
  tail -20 "$work/build.log" >&2
  fail "make install failed"
}
[ -f "$control" ] || fail "make install did not write $control"
echo "install-pgvector: pgvector $VERSION built from $proxy and installed into PostgreSQL $major${DESTDIR:+ (staged in $DESTDIR)} in $((SECONDS - start)) s"
