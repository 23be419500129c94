#!/usr/bin/env bash
# Publishes one release of OMP Kit: the npm packages (in dependency order, the very tarballs packed here), omp-sdk
# on PyPI, and the Go module's tag sdk-go/vX.Y.Z. Every version must agree (npm run release:version) and, for a
# real release, match the tag v<version> being released. See RELEASING.md.
#
#   release/publish.sh --dry-run                      # everything but the uploads: npm publish --dry-run,
#                                                     # twine check --strict, go mod verify, the tag it would push
#   release/publish.sh                                # the release workflow (credentials in the environment)
#   release/publish.sh --dry-run --only npm --tarballs DIR   # npm part only, with tarballs packed already
#                                                     # (the packaging test does this in npm test)
set -euo pipefail
cd "$(dirname "$0")/.."

dry=""
only=""
tarballs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry="--dry-run" ;;
    --only) only="$2"; shift ;;
    --tarballs) tarballs="$2"; shift ;;
    *) echo "publish.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
wants() { [ -z "$only" ] || [ "$only" = "$1" ]; }

version="$(node release/version.ts)"
if [ -z "$dry" ] && [ "${GITHUB_REF_TYPE:-}" = "tag" ] && [ "${GITHUB_REF_NAME:-}" != "v$version" ]; then
  echo "publish.sh: tag ${GITHUB_REF_NAME} does not match the version $version (npm run release:version)" >&2
  exit 1
fi
echo "OMP Kit $version${dry:+ (dry run)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# npm, dependencies first: each package depends on exact versions of those before it.
order=(schemas spec sdk-ts adapters/mcp reference-server conformance)
if wants npm; then
  if [ -z "$tarballs" ]; then
    tarballs="$work/npm"
    mkdir -p "$tarballs"
    workspaces=()
    for w in "${order[@]}"; do workspaces+=(-w "$w"); done
    npm pack "${workspaces[@]}" --pack-destination "$tarballs" >/dev/null # prepack builds dist/
  fi
  provenance=""
  if [ -n "${GITHUB_ACTIONS:-}" ] && [ -z "$dry" ]; then provenance="--provenance"; fi
  for w in "${order[@]}"; do
    name="$(node -p "require('./$w/package.json').name")"
    file="$tarballs/$(node -p "'$name'.replace('@', '').replace('/', '-')")-$version.tgz"
    [ -f "$file" ] || { echo "publish.sh: no tarball $file" >&2; exit 1; }
    # shellcheck disable=SC2086 # empty flags vanish
    npm publish "$file" --access public $dry $provenance ${dry:+--tag dry-run}
  done
fi

# PyPI: the sdist and the wheel built from it, checked, then uploaded (TWINE_USERNAME=__token__, TWINE_PASSWORD).
if wants pypi; then
  python="${OMP_PYTHON:-python3}"
  "$python" -m venv "$work/venv"
  "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "$(grep '^build==' sdk-python/requirements-dev.txt)" "$(grep '^twine==' sdk-python/requirements-dev.txt)"
  "$work/venv/bin/python" -m build --outdir "$work/pypi" sdk-python >/dev/null
  "$work/venv/bin/python" -m twine check --strict "$work"/pypi/*
  if [ -z "$dry" ]; then "$work/venv/bin/python" -m twine upload --non-interactive "$work"/pypi/*; fi
fi

# Go: a module in a subdirectory is released by the tag <dir>/vX.Y.Z on the release commit.
if wants go; then
  (cd sdk-go && go mod verify)
  tag="sdk-go/v$version"
  if [ -n "$dry" ]; then
    echo "would push tag $tag at $(git rev-parse --short HEAD)"
  else
    git tag "$tag"
    git push origin "$tag"
  fi
fi
echo "published OMP Kit $version${dry:+ (dry run: nothing uploaded)}"
