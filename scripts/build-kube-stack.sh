#!/usr/bin/env bash
# Builds the real Kubernetes test stack from the Go module proxy into a cache
# folder, once per machine: kube-apiserver, kube-controller-manager, kubectl,
# etcd, kwok and kwokctl at the versions pinned in tools/kube-stack/*/go.mod,
# and rancher/steve (tools/steve/go.mod), a test peer only: the integration
# tests run the real Steve v1 API against a simulated cluster as an oracle;
# the app never needs it.
#
# Idempotent: a binary is rebuilt only when its module's go.mod/go.sum changed
# (a stamp file records their checksum). Prints what it built or reused.
#
# Usage: scripts/build-kube-stack.sh [--with-test-peers] [cache-dir]
#   --with-test-peers also builds steve (about 5 minutes once; tests only).
#   cache-dir defaults to $SCALE_AGENT_KUBE_CACHE, else the machine's cache
#   ${XDG_CACHE_HOME:-~/.cache}/scale-cluster-agent/kube-stack/bin, shared by
#   every checkout (the app looks there too).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
with_test_peers=false
if [[ "${1:-}" == "--with-test-peers" ]]; then
  with_test_peers=true
  shift
fi
out=${1:-${SCALE_AGENT_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scale-cluster-agent/kube-stack/bin}}
mkdir -p "$out"
export PATH=/usr/local/go/bin:$PATH
export CGO_ENABLED=0

# build <module-dir under tools/> <binary-name> <package> [ldflags-extra]
source "$root/scripts/lib/go-tool-build.sh"
build() { build_go_tool kube-stack "$root/tools/$1" "${@:2}"; }

k8s_version=$(awk '/k8s.io\/kubernetes v/{print $NF; exit}' "$root/tools/kube-stack/kubernetes/go.mod")
# Kubernetes binaries report their version from these variables; kwokctl and
# kubectl read it, so set it to the real pinned version instead of v0.0.0.
k8s_ld="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$k8s_version" | cut -d. -f2) -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version"
kwok_version=$(awk '/sigs.k8s.io\/kwok v/{print $NF; exit}' "$root/tools/kube-stack/kwok/go.mod")
steve_version=$(awk '/github.com\/rancher\/steve v/{print $NF; exit}' "$root/tools/steve/go.mod")

build kube-stack/etcd etcd go.etcd.io/etcd/server/v3
build kube-stack/kwok kwok sigs.k8s.io/kwok/cmd/kwok "-X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v}"
build kube-stack/kwok kwokctl sigs.k8s.io/kwok/cmd/kwokctl "-X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v}"
build kube-stack/kubernetes kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ld"
build kube-stack/kubernetes kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ld"
build kube-stack/kubernetes kubectl k8s.io/kubernetes/cmd/kubectl "$k8s_ld"
# Pure Go (its SQL cache is modernc.org/sqlite), so CGO_ENABLED=0 holds.
if $with_test_peers; then
  build steve steve github.com/rancher/steve "-X github.com/rancher/steve/pkg/version.Version=$steve_version"
fi

echo "kube-stack: ready in $out (kubernetes $k8s_version, kwok $kwok_version, steve $steve_version)"
