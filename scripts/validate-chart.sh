#!/usr/bin/env bash
# Validates the Helm chart deploy/helm/scale-cluster-agent three ways, for
# the chart's default values and every values file in deploy/helm/ci/:
#   1. helm lint --strict; and every file in deploy/helm/ci/invalid/ must be
#      refused by helm template (values.schema.json or the chart's checks).
#   2. helm template | kubeconform -strict -summary, against JSON schemas
#      generated from the pinned kube-apiserver's own OpenAPI (the version
#      scripts/build-kube-stack.sh builds, from tools/kube-stack/kubernetes/go.mod)
#      by scripts/lib/openapi-to-kubeconform.mjs, plus the hand-written
#      ServiceMonitor schema in deploy/helm/ci/schemas/.
#   3. helm template | kubectl apply --dry-run=server against a real main
#      cluster, in a namespace made for the run and deleted after it.
# Exits non-zero on any failure; prints what it checks.
#
# Usage: scripts/validate-chart.sh [--kubeconfig PATH] [--install-servicemonitor-crd]
#   --kubeconfig  a running cluster of the pinned Kubernetes version (steps 2
#                 and 3). Without it the script starts a throwaway kwokctl
#                 cluster from the kube stack and deletes it at the end.
#   --install-servicemonitor-crd  when the cluster does not serve
#                 monitoring.coreos.com/v1 ServiceMonitors, apply the minimal
#                 stand-in CRD deploy/helm/ci/servicemonitor-crd-minimal.yaml
#                 first (done anyway on the throwaway cluster). Otherwise the
#                 ServiceMonitor is left out of the dry run, and the script says so.
# Needs: helm and kubeconform (scripts/build-chart-tools.sh), the kube stack
# (scripts/build-kube-stack.sh), Node 22 (scripts/lib/node-env.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/node-env.sh

kubeconfig=''
install_crd=false
while [[ $# -gt 0 ]]; do
  case $1 in
    --kubeconfig) kubeconfig=$2; shift 2 ;;
    --install-servicemonitor-crd) install_crd=true; shift ;;
    *) echo "validate-chart: unknown argument $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

chart=deploy/helm/scale-cluster-agent
ci=deploy/helm/ci
tools=${SCALE_AGENT_CHART_TOOLS:-$SCA_MACHINE_CACHE/chart-tools/bin}
kube=${SCALE_AGENT_KUBE_CACHE:-$SCA_MACHINE_CACHE/kube-stack/bin}
helm=$tools/helm
kubeconform=$tools/kubeconform
kubectl=$kube/kubectl

say() { echo "validate-chart: $*"; }
fail() { echo "validate-chart: FAILED: $*" >&2; exit 1; }

for t in "$helm" "$kubeconform"; do
  [[ -x $t ]] || fail "$(basename "$t") not found in $tools: build it with bash scripts/build-chart-tools.sh"
done
[[ -x $kubectl ]] || fail "kubectl not found in $kube: build the kube stack with bash scripts/build-kube-stack.sh"
[[ $(node_major) -ge 22 ]] || fail "Node 22 or newer is needed (scripts/provision.sh installs it)"

k8s_version=$(awk '/k8s.io\/kubernetes v/{print $NF; exit}' tools/kube-stack/kubernetes/go.mod)
# The values sets every step checks: the chart's defaults, then each CI file.
value_sets=(default)
for f in "$ci"/*-values.yaml; do value_sets+=("$f"); done
value_args() { [[ $1 == default ]] || echo "--values $1"; }

work=$(mktemp -d)
own_cluster=''
namespace=''
cleanup() {
  if [[ -n $namespace ]]; then
    "$kubectl" --kubeconfig "$kubeconfig" delete namespace "$namespace" --wait=false >/dev/null 2>&1 || true
  fi
  if [[ -n $own_cluster ]]; then
    KWOK_WORKDIR=$own_cluster "$kube/kwokctl" delete cluster --name chart-check >/dev/null 2>&1 || true
    rm -rf "$own_cluster"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say "helm $("$helm" version --template '{{.Version}}'), kubeconform $("$kubeconform" -v), kubectl and schemas of Kubernetes $k8s_version"

# ---- 1. helm lint (strict), and invalid values refused
say "1. helm lint --strict"
for set in "${value_sets[@]}"; do
  # shellcheck disable=SC2046
  if ! out=$("$helm" lint --strict "$chart" $(value_args "$set") 2>&1); then
    echo "$out"
    fail "helm lint --strict with values $set"
  fi
  say "   lint passed: values $set"
done
for f in "$ci"/invalid/*-values.yaml; do
  if out=$("$helm" template chart-check "$chart" --values "$f" 2>&1); then
    fail "helm template accepted $f, which must be refused"
  fi
  # The schema's words ("- at '/shards': ...") when it was the schema, else the chart's own message.
  why=$(echo "$out" | grep -m1 -E "^- at " || echo "$out" | grep -m1 '^Error: ' | sed 's/^Error: //')
  say "   refused as it must be: $f: $why"
done

# ---- the cluster for steps 2 and 3
if [[ -z $kubeconfig ]]; then
  for b in kwokctl kwok kube-apiserver kube-controller-manager etcd; do
    [[ -x $kube/$b ]] || fail "$b not found in $kube: build the kube stack with bash scripts/build-kube-stack.sh"
  done
  own_cluster=$(mktemp -d)
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  say "starting a throwaway kwokctl cluster (kube-apiserver on 127.0.0.1:$port)"
  # The same flags as the agent's own kwokctl main cluster (kwokctl-provider.ts).
  KWOK_WORKDIR=$own_cluster "$kube/kwokctl" create cluster --name chart-check --runtime binary \
    --kube-apiserver-port "$port" --secure-port=true --disable kube-scheduler --disable-qps-limits \
    --kube-apiserver-binary "$kube/kube-apiserver" --kube-controller-manager-binary "$kube/kube-controller-manager" \
    --etcd-binary "$kube/etcd" --kwok-controller-binary "$kube/kwok" --kubeconfig '' --wait 180s \
    >"$work/kwokctl.log" 2>&1 || { cat "$work/kwokctl.log"; fail "kwokctl could not start the throwaway cluster"; }
  kubeconfig=$own_cluster/clusters/chart-check/kubeconfig.yaml
  install_crd=true
fi
[[ -f $kubeconfig ]] || fail "kubeconfig $kubeconfig does not exist"
k() { "$kubectl" --kubeconfig "$kubeconfig" "$@"; }
server_version=$(k version -o json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).serverVersion.gitVersion))')
[[ $server_version == "$k8s_version" ]] ||
  fail "the cluster runs Kubernetes $server_version, not the pinned $k8s_version: the schemas must come from the pinned kube-apiserver"

# ---- 2. kubeconform against the pinned apiserver's schemas
schemas=$SCA_MACHINE_CACHE/chart-tools/schemas/$k8s_version
stamp_want=$(sha256sum scripts/lib/openapi-to-kubeconform.mjs | cut -c1-16)
if [[ -f $schemas/.stamp && "$(cat "$schemas/.stamp")" == "$stamp_want" ]]; then
  say "2. kubeconform: schemas of $k8s_version up to date ($schemas)"
else
  say "2. kubeconform: generating the schemas of $k8s_version from the apiserver's /openapi/v2"
  rm -rf "$schemas" && mkdir -p "$schemas"
  k get --raw /openapi/v2 >"$work/openapi-v2.json"
  node scripts/lib/openapi-to-kubeconform.mjs "$work/openapi-v2.json" "$schemas" "$k8s_version" | sed 's/^/validate-chart:    /'
  echo "$stamp_want" >"$schemas/.stamp"
fi
for set in "${value_sets[@]}"; do
  # shellcheck disable=SC2046
  "$helm" template chart-check "$chart" --namespace chart-check $(value_args "$set") >"$work/rendered.yaml" ||
    fail "helm template with values $set"
  say "   kubeconform -strict, values $set:"
  if ! "$kubeconform" -strict -summary -verbose -output text -kubernetes-version "${k8s_version#v}" \
    -schema-location "$schemas" -schema-location "$ci/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "$work/rendered.yaml" >"$work/kubeconform.out" 2>&1; then
    sed 's/^/     /' "$work/kubeconform.out"
    fail "kubeconform found invalid resources with values $set"
  fi
  sed "s|$work/rendered.yaml|$set|; s/^/     /" "$work/kubeconform.out"
done

# ---- 3. server dry run
namespace=chart-check-$(date +%s)
say "3. kubectl apply --dry-run=server (namespace $namespace, made for the run)"
k create namespace "$namespace" >/dev/null
sm_served=false
if k get --raw /apis/monitoring.coreos.com/v1 2>/dev/null | grep -q '"ServiceMonitor"'; then
  sm_served=true
elif $install_crd; then
  say "   applying the minimal stand-in ServiceMonitor CRD ($ci/servicemonitor-crd-minimal.yaml)"
  k apply -f "$ci/servicemonitor-crd-minimal.yaml" >/dev/null
  k wait --for condition=established --timeout=60s crd/servicemonitors.monitoring.coreos.com >/dev/null
  sm_served=true
fi
for set in "${value_sets[@]}"; do
  extra=()
  if ! $sm_served; then
    extra=(--set serviceMonitor.enabled=false)
    say "   ServiceMonitor left out for values $set: the cluster does not serve monitoring.coreos.com/v1 (use --install-servicemonitor-crd)"
  fi
  # shellcheck disable=SC2046
  "$helm" template chart-check "$chart" --namespace "$namespace" $(value_args "$set") "${extra[@]}" >"$work/rendered.yaml" ||
    fail "helm template with values $set"
  say "   values $set:"
  if ! k apply --dry-run=server --namespace "$namespace" -f "$work/rendered.yaml" >"$work/apply.out" 2>&1; then
    sed 's/^/     /' "$work/apply.out"
    fail "the server refused the chart rendered with values $set"
  fi
  sed 's/^/     /' "$work/apply.out"
done

say "all checks passed"
