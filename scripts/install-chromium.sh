#!/usr/bin/env bash
# Browser tests drive Debian's Chromium with puppeteer-core (no browser download is possible on the
# build machines). Installs it from apt when missing; prints its path. Safe to run any number of times.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "$candidate"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no chromium and no apt-get; set CHROMIUM_PATH to a Chromium binary" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-chromium: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends chromium >&2 || {
  $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends chromium >&2
}
echo /usr/bin/chromium
