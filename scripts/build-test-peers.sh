#!/usr/bin/env bash
# Builds the Go remotedialer interop peers (test-peers/remotedialer*) into
# .cache/test-peers/. Idempotent: a peer is rebuilt only when its sources
# (main.go, go.mod, go.sum, cmd/) are newer than the binary.
#
#   scripts/build-test-peers.sh            build what is out of date
#   scripts/build-test-peers.sh --golden   also regenerate the codec golden vectors
#
# test-peers/remotedialer pins v0.5.2, whose go.mod asks for go 1.26.10: with
# GOTOOLCHAIN=auto the go command fetches that toolchain from the module proxy
# once. The older siblings share main.go through a symlink.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.cache/test-peers"
mkdir -p "$out"
export PATH="/usr/local/go/bin:$PATH"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

if ! command -v go >/dev/null 2>&1; then
  echo "build-test-peers: go not found; cannot build remotedialer peers" >&2
  exit 3
fi

failed=0

# build <module dir> <package> <binary name> <go toolchain policy>
build() {
  local dir="$root/test-peers/$1" pkg="$2" bin="$out/$3" toolchain="$4"
  local newest
  newest="$(find -L "$dir" -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -newer "$bin" 2>/dev/null | head -n 1 || true)"
  if [[ -x "$bin" && -z "$newest" ]]; then
    echo "build-test-peers: up to date  $3"
    return 0
  fi
  echo "build-test-peers: building    $3 (test-peers/$1 $pkg)"
  if (cd "$dir" && GOTOOLCHAIN="$toolchain" nice -n 10 go build -o "$bin.tmp" "$pkg"); then
    mv "$bin.tmp" "$bin"
    echo "build-test-peers: built       $3 ($(grep -m1 'github.com/rancher/remotedialer ' "$dir/go.mod" | awk '{print $2}'))"
  else
    rm -f "$bin.tmp"
    echo "build-test-peers: FAILED      $3" >&2
    failed=1
  fi
}

build remotedialer . remotedialer-v05 auto
build remotedialer-v04 . remotedialer-v04 local
build remotedialer-v03 . remotedialer-v03 local
build remotedialer ./cmd/golden golden auto

if [[ "${1:-}" == "--golden" && -x "$out/golden" ]]; then
  REMOTEDIALER_VERSION="$(grep -m1 'github.com/rancher/remotedialer ' "$root/test-peers/remotedialer/go.mod" | awk '{print $2}')" \
    "$out/golden" >"$root/src/main/engine/remotedialer/testdata/golden.json"
  echo "build-test-peers: wrote       src/main/engine/remotedialer/testdata/golden.json"
fi

exit "$failed"
