#!/usr/bin/env bash
# Installs what the project needs on a fresh machine, idempotently:
#   Node >= 22 (from the npm registry when the system Node is older),
#   npm dependencies (without install scripts: Electron's downloads its
#   binary from outside the registry, which headless use does not need),
#   the real kube stack built from the Go module proxy (cached),
#   and with --browser (what the tests ask for), Debian's Chromium for the UI
#   tests, rancher/steve (the tests' oracle for the Steve API), and helm and
#   kubeconform for the Helm chart's checks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
want_browser=false
[[ "${1:-}" == "--browser" ]] && want_browser=true

say() { echo "provision: $*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "provision: need root for: $*" >&2; return 1; fi; }

# 1. Node >= 22
source scripts/lib/node-env.sh
if [[ $(node_major) -lt 22 ]]; then
  arch=$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')
  say "system Node $(node --version 2>/dev/null || echo none) is older than 22: installing node-linux-$arch@22.23.3 from the npm registry"
  command -v npm >/dev/null || { echo "provision: npm is needed to fetch Node 22 (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$SCA_MACHINE_CACHE/node22"
  npm install --prefix "$SCA_MACHINE_CACHE/node22" --no-save --no-audit --no-fund "node-linux-$arch@22.23.3" >/dev/null
  source scripts/lib/node-env.sh
fi
say "node $(node --version)"

# 2. Go, for the kube stack and the remotedialer test peers
if ! command -v go >/dev/null; then
  echo "provision: Go 1.26+ is needed to build the kube stack (expected at /usr/local/go/bin/go)" >&2
  exit 1
fi

# 3. Chromium for the browser tests
if $want_browser && [[ ! -x /usr/bin/chromium ]]; then
  say "installing Debian's chromium"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

# 4. npm dependencies, reinstalled only when the lock file changed
lock_sum=$(sha256sum package-lock.json | cut -c1-16)
if [[ ! -f node_modules/.lock-sum || "$(cat node_modules/.lock-sum)" != "$lock_sum" ]]; then
  say "npm ci (install scripts off; Electron's binary is not needed for headless use or tests)"
  npm ci --ignore-scripts --no-audit --no-fund
  echo "$lock_sum" >node_modules/.lock-sum
else
  say "node_modules up to date"
fi

# 5. The real kube stack, built once per machine (with the tests' Steve oracle when testing)
if $want_browser; then bash scripts/build-kube-stack.sh --with-test-peers; else bash scripts/build-kube-stack.sh; fi
# 6. helm and kubeconform for the chart's checks (scripts/validate-chart.sh, test/integration/helm-chart.test.ts)
if $want_browser; then bash scripts/build-chart-tools.sh; fi
