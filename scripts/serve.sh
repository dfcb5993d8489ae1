#!/usr/bin/env bash
# The app's main job on a fresh machine: install what is missing, build, and
# run `scale-cluster-agent serve` (engine + REST API + web UI on
# http://127.0.0.1:9090, bringing up the local main cluster).
# Extra arguments go to `serve`, e.g. --listen-port 9191.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/provision.sh
source scripts/lib/node-env.sh
npx electron-vite build >/dev/null
exec node bin/scale-cluster-agent.mjs serve "$@"
