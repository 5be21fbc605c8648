#!/usr/bin/env bash
# Set up a fresh clone: pnpm at the pinned version, native-module headers, install from the lockfile.
# Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
export TURBO_TELEMETRY_DISABLED=1

# corepack cannot download pnpm on this machine; npm can.
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION" >&2
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >&2
fi

# better-sqlite3 is compiled from source here and node-gyp cannot download headers:
# point it at the headers that ship with Node when they are installed.
if [ -z "${npm_config_nodedir:-}" ] && [ -d /usr/include/node ]; then
  export npm_config_nodedir=/usr
fi

pnpm install --frozen-lockfile --prefer-offline >&2

# A prebuilt or previously built binary compiled for another Node ABI crashes at load time:
# check once and rebuild when needed.
if ! node -e "require('$(pwd)/packages/server/node_modules/better-sqlite3')(':memory:').close()" >/dev/null 2>&1; then
  echo "bootstrap: rebuilding better-sqlite3 for $(node --version)" >&2
  pnpm --filter @datamint/server rebuild better-sqlite3 >&2
fi
# The browser tests need a real Chromium (Debian's package, driven by puppeteer-core).
bash scripts/install-chromium.sh >/dev/null

echo "bootstrap: ok ($(node --version), pnpm $(pnpm --version))" >&2
