#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine: system packages (libtorch), npm packages, the native addon and
# the TypeScript build. Safe to run again. With LIBTORCH=/path/to/libtorch, or LIBTORCH=auto (the libtorch inside
# the PyTorch that python3 imports, CUDA included), the system libtorch is not needed.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(g++ make python3)
[ -n "${LIBTORCH:-}" ] || packages+=(libtorch-dev libopenblas0-pthread)
# Only for the tests: the viewer's browser test drives Debian's chromium (HSA_SKIP_BROWSER=1 skips it).
packages+=(chromium)
# Only for the tests: the queue tests start their own redis-server on a free loopback port (test/queue).
packages+=(redis-server)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# node-gyp builds against the headers that ship with Node instead of downloading them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi
# npm ci also builds the native addon (the package's install script).
npm ci --no-audit --no-fund
npm run build:ts
