#!/usr/bin/env bash
# The packed-release check CI runs: pack with the real release command (dry run), install the tarballs
# with plain npm in empty projects, import and require every package, run both binaries, and check that
# installing the client alone, or the CLI alone, pulls in none of the server's packages; then the lean
# CLI uploads, lists and downloads against the packed server.
# Prints one `::: name` line per check and `ok name` / `FAIL name`; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
work=${1:-"$(pwd)/.tmp/release-check"}
rm -rf "$work" && mkdir -p "$work"
packs="$work/packs"
failed=0

check() { # check NAME COMMAND...
  local name=$1
  shift
  echo "::: $name"
  if "$@"; then echo "ok $name"; else echo "FAIL $name"; failed=$((failed + 1)); fi
}

if ! node scripts/release.mjs --dry-run --out "$packs" >"$work/release.log" 2>&1; then
  cat "$work/release.log"
  echo "FAIL release dry run"
  exit 1
fi

# A tarball that still says `workspace:` cannot install from the registry.
check "no workspace: ranges in packed manifests" bash -c "
  for t in '$packs'/*.tgz; do
    if tar -xOzf \"\$t\" package/package.json | grep -q '\"workspace:'; then echo \"\$t keeps a workspace: range\"; exit 1; fi
  done"

all="$work/all"
mkdir -p "$all"
echo '{"name":"release-check","private":true}' >"$all/package.json"
if (cd "$all" && npm install --no-audit --no-fund --loglevel=error "$packs"/*.tgz); then
  for t in "$packs"/*.tgz; do
    pkg=$(tar -xOzf "$t" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).name))')
    check "import $pkg" bash -c "cd '$all' && node --input-type=module -e \"const m = await import('$pkg'); if (Object.keys(m).length === 0) throw new Error('no exports');\""
    check "require $pkg" bash -c "cd '$all' && node -e \"const m = require('$pkg'); if (Object.keys(m).length === 0) throw new Error('no exports');\""
  done
  check "datamint --version" bash -c "cd '$all' && ./node_modules/.bin/datamint --version | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+'"
  check "datamint-server --help" bash -c "cd '$all' && ./node_modules/.bin/datamint-server --help | grep -q 'Usage: datamint-server'"
else
  echo "FAIL installing the packed tarballs with npm"
  failed=$((failed + 1))
fi

# Users of the SDK or the CLI alone must not download the local server's database and web framework
# (nor build better-sqlite3): the quickstart, which needs the server, is a private workspace package.
server_only='fastify|@fastify/|better-sqlite3|yazl|@datamint/server'
lean() { # lean NAME [SIBLING...]: install that tarball and the workspace siblings it depends on, alone
  local name=$1 dir="$work/lean-$1"
  shift
  local tarballs=("$packs"/datamint-core-*.tgz "$packs"/datamint-dicom-*.tgz "$packs"/datamint-segmentation-*.tgz)
  local sibling
  for sibling in "$@"; do tarballs+=("$packs"/datamint-"$sibling"-*.tgz); done
  tarballs+=("$packs"/datamint-"$name"-*.tgz)
  mkdir -p "$dir" && echo '{"name":"lean-check","private":true}' >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --omit=optional "${tarballs[@]}") || return 1
  local found
  found=$(cd "$dir" && npm ls --all --parseable 2>/dev/null | grep -E "node_modules/($server_only)" || true)
  if [ -n "$found" ]; then echo "@datamint/$name pulls in server-only packages:"; echo "$found"; return 1; fi
}
check "@datamint/client pulls no server-only packages" lean client
check "@datamint/cli pulls no server-only packages" lean cli client
check "datamint --version from the lean CLI install" bash -c "cd '$work/lean-cli' && ./node_modules/.bin/datamint --version | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+'"

# The lean CLI against the packed server, as a new user runs them: upload a real folder, list it,
# download a file back (each step its own ok/FAIL line).
if [ -x "$all/node_modules/.bin/datamint-server" ] && [ -x "$work/lean-cli/node_modules/.bin/datamint" ]; then
  echo "::: packed CLI against the packed server"
  smoke=$(timeout 900 node scripts/release-smoke.mjs "$all/node_modules/.bin/datamint-server" "$work/lean-cli/node_modules/.bin/datamint" "$work/smoke" 2>&1)
  smoke_status=$?
  echo "$smoke"
  failed=$((failed + $(grep -c '^FAIL ' <<<"$smoke")))
  grep -q '^ok ' <<<"$smoke" || { echo "FAIL packed CLI smoke ran no step"; failed=$((failed + 1)); }
  # A crash or a time-out after some steps passed must not pass as a whole.
  if [ "$smoke_status" -ne 0 ] && ! grep -q '^FAIL ' <<<"$smoke"; then
    echo "FAIL packed CLI smoke exited $smoke_status"
    failed=$((failed + 1))
  fi
else
  echo "FAIL packed CLI smoke: the packed binaries are not installed"
  failed=$((failed + 1))
fi

echo "release check: $failed failed"
[ "$failed" -eq 0 ]
