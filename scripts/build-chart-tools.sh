#!/usr/bin/env bash
# Builds the tools that scripts/validate-chart.sh needs from the Go module
# proxy into a cache folder, once per machine: helm (lint and template of
# deploy/helm/scale-cluster-agent) and kubeconform (schema check of the
# rendered chart), at the versions pinned in tools/chart-tools/*/go.mod.
# Same style as scripts/build-kube-stack.sh.
#
# Idempotent: a binary is rebuilt only when its module's go.mod/go.sum changed
# (a stamp file records their checksum). Prints what it built or reused.
#
# Usage: scripts/build-chart-tools.sh [cache-dir]
#   cache-dir defaults to $SCALE_AGENT_CHART_TOOLS, else the machine's cache
#   ${XDG_CACHE_HOME:-~/.cache}/scale-cluster-agent/chart-tools/bin.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${SCALE_AGENT_CHART_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/scale-cluster-agent/chart-tools/bin}}
mkdir -p "$out"
export PATH=/usr/local/go/bin:$PATH
export CGO_ENABLED=0
export GOFLAGS=-mod=mod

# build <module-dir under tools/chart-tools/> <binary-name> <package> [ldflags-extra]
source "$root/scripts/lib/go-tool-build.sh"
build() { build_go_tool chart-tools "$root/tools/chart-tools/$1" "${@:2}"; }

helm_version=$(awk '/helm.sh\/helm\/v4 v/{print $NF; exit}' "$root/tools/chart-tools/helm/go.mod")
kubeconform_version=$(awk '/github.com\/yannh\/kubeconform v/{print $NF; exit}' "$root/tools/chart-tools/kubeconform/go.mod")

# Both report their version from these variables (`helm version`,
# `kubeconform -v`); without them, "v4.3" and "development".
build helm helm helm.sh/helm/v4/cmd/helm "-X helm.sh/helm/v4/internal/version.version=$helm_version"
build kubeconform kubeconform github.com/yannh/kubeconform/cmd/kubeconform "-X main.version=$kubeconform_version"

echo "chart-tools: ready in $out (helm $helm_version, kubeconform $kubeconform_version)"
