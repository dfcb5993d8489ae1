#!/usr/bin/env bash
# Builds the Rancher stand-in (test-peers/rancher-standin, a Go program on
# github.com/rancher/remotedialer v0.5.2 and k8s.io/client-go v0.36.1) into
#   ${XDG_CACHE_HOME:-$HOME/.cache}/scale-cluster-agent/test-peers/rancher-standin
# Idempotent: skips the build when no source (*.go, go.mod, go.sum) is newer
# than the binary. Prints the binary path on its last line.
#
#   scripts/build-rancher-standin.sh          build if out of date
#   scripts/build-rancher-standin.sh --force  rebuild
#   scripts/build-rancher-standin.sh --test   also run its Go tests (~45 s; the
#                                             kube stack test needs scripts/build-kube-stack.sh)
#
# A cold build (empty Go build cache) takes ~3 min of CPU since client-go and
# k8s.io/api came in (~1 min before); everything comes from the Go module proxy.
#
# remotedialer v0.5.2's go.mod asks for go 1.26.10; GOTOOLCHAIN=auto lets the
# go command use (or fetch once from the module proxy) that toolchain.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/test-peers/rancher-standin"
out_dir="${XDG_CACHE_HOME:-$HOME/.cache}/scale-cluster-agent/test-peers"
bin="$out_dir/rancher-standin"
export PATH="/usr/local/go/bin:$PATH"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOTOOLCHAIN="${STANDIN_GOTOOLCHAIN:-auto}"

force=0
run_tests=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --test) run_tests=1 ;;
    *) echo "build-rancher-standin: unknown argument $arg" >&2; exit 2 ;;
  esac
done

if ! command -v go >/dev/null 2>&1; then
  echo "build-rancher-standin: go not found (looked in PATH and /usr/local/go/bin)" >&2
  exit 3
fi
mkdir -p "$out_dir"

newest=""
if [[ -x "$bin" && "$force" == 0 ]]; then
  newest="$(find "$src" -maxdepth 1 -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -newer "$bin" | head -n 1 || true)"
fi
if [[ -x "$bin" && "$force" == 0 && -z "$newest" ]]; then
  echo "build-rancher-standin: up to date ($bin)"
else
  echo "build-rancher-standin: building ${newest:+(changed: ${newest#$root/}) }"
  if (cd "$src" && nice -n 10 go build -o "$bin.tmp" .); then
    mv "$bin.tmp" "$bin"
    echo "build-rancher-standin: built $bin"
  else
    rm -f "$bin.tmp"
    echo "build-rancher-standin: FAILED" >&2
    exit 1
  fi
fi

if [[ "$run_tests" == 1 ]]; then
  echo "build-rancher-standin: go test"
  (cd "$src" && nice -n 10 go test -count=1 ./...)
fi
echo "$bin"
