#!/usr/bin/env bash
# Smoke test of the container image: builds it (scripts/build-image.sh, which
# reuses everything it cached) or reuses it, runs it with podman, and checks
# what a user first sees:
#   1. the agent answers /healthz, and the image's own HEALTHCHECK passes;
#   2. GET / serves the web UI's HTML (with the access token), and refuses
#      without it (the agent listens on 0.0.0.0 in the image);
#   3. POST /clusters makes a local-only cluster (no Rancher configured) that
#      reaches status `ready`, on the main cluster kwokctl made inside the
#      container, all as uid 10001;
# then removes the container. Prints `image-smoke: PASS` at the end, or the
# failed check and the container's log, and exits non-zero.
#
# Usage: scripts/image-smoke.sh [--reuse] [--tag NAME:TAG]
#   --reuse   use the image as it is when it exists (no build)
# Environment: SCALE_AGENT_PODMAN_RUN_FLAGS replaces the podman run flags
# chosen below for this kind of machine (see docs/container-image.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/node-env.sh

reuse=false
tag=''
while [[ $# -gt 0 ]]; do
  case $1 in
    --reuse) reuse=true; shift ;;
    --tag) tag=${2:?--tag needs a name}; shift 2 ;;
    *) echo "image-smoke: unknown argument $1" >&2; exit 2 ;;
  esac
done
say() { echo "image-smoke: $*"; }
started=$SECONDS
tag=${tag:-scale-cluster-agent:$(node -p 'require("./package.json").version')}

# podman (and runc, see below) from Debian; curl for the checks.
missing=()
for tool in podman runc curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing ${missing[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if $reuse && podman image exists "$tag"; then
  say "reusing $tag"
else
  bash scripts/build-image.sh --tag "$tag"
fi

# The run flags that work in this sandbox (a VM with cgroup v1 + an empty
# cgroup v2 "hybrid" mount, no systemd), found by trying, and harmless on an
# ordinary host:
#   --runtime runc  crun 1.8 refuses hybrid cgroups ("cgroups in hybrid mode
#                   not supported, drop all controllers from cgroupv2"), even
#                   with --cgroups=disabled; runc uses the v1 controllers.
#   --ulimit nofile/nproc  podman asks for nofile 1048576 and a large nproc
#                   by default; setting either above what this machine
#                   allows fails with "setrlimit RLIMIT_NOFILE/NPROC:
#                   Operation not permitted". nofile = the hard limit here;
#                   nproc no higher than kernel.pid_max (higher fails here).
# podman's health check timers need systemd; without it podman logs an error
# about them and runs the container anyway; the check is run by hand below.
nofile=$(ulimit -Hn)
[[ $nofile == unlimited ]] && nofile=1048576
nproc=$(ulimit -Hu)
pid_max=$(cat /proc/sys/kernel/pid_max)
[[ $nproc == unlimited || $nproc -gt $pid_max ]] && nproc=$pid_max
read -r -a run_flags <<<"${SCALE_AGENT_PODMAN_RUN_FLAGS:---runtime runc --ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc}"

name=sca-smoke-$$
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
cleanup() { podman rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
fail() {
  say "FAIL: $*"
  echo "--- container log (last 40 lines)"
  podman logs "$name" 2>&1 | tail -40 || true
  exit 1
}

say "podman run ${run_flags[*]} -p 127.0.0.1::9090 $tag"
# The host port is left to podman (any free one on loopback); the token is
# this run's own.
podman run -d --name "$name" "${run_flags[@]}" -p 127.0.0.1::9090 \
  -e SCALE_AGENT_ACCESS_TOKEN="$token" "$tag" 2> >(grep -v 'systemd' >&2) >/dev/null ||
  fail "podman run failed"
port=$(podman port "$name" 9090/tcp | sed 's/.*://')
base=http://127.0.0.1:$port
auth=(-H "Authorization: Bearer $token")
say "container $name on $base"

# 1. /healthz and the image's health check
for _ in $(seq 1 60); do
  [[ "$(curl -sS -m 3 "${auth[@]}" "$base/healthz" 2>/dev/null)" == ok ]] && break
  [[ "$(podman inspect -f '{{.State.Running}}' "$name")" == true ]] || fail "the container stopped"
  sleep 1
done
[[ "$(curl -sS -m 3 "${auth[@]}" "$base/healthz")" == ok ]] || fail "/healthz did not answer ok within 60s"
say "GET /healthz with the token: 200 ok"
# Without the token too: probes (Kubernetes, HEALTHCHECK) carry none.
code=$(curl -sS -m 3 -o /dev/null -w '%{http_code}' "$base/healthz")
[[ $code == 200 ]] || fail "/healthz without the token answered $code, not 200"
say "GET /healthz without the token: 200"
podman healthcheck run "$name" 2> >(grep -v 'systemd' >&2) || fail "the image's HEALTHCHECK failed"
say "the image's HEALTHCHECK: healthy"

# 2. the web UI
html=$(curl -sS -m 5 "${auth[@]}" "$base/")
grep -q '<title>Scale Cluster Agent</title>' <<<"$html" || fail "GET / did not serve the web UI: ${html:0:300}"
asset=$(grep -oE '/assets/index-[A-Za-z0-9_-]+\.js' <<<"$html" | head -1)
[[ -n $asset && "$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "${auth[@]}" "$base$asset")" == 200 ]] ||
  fail "the UI's script $asset is not served"
say "GET / : the web UI ($(wc -c <<<"$html") bytes of HTML, $asset served)"
# A browser opened on /?token=... loads the page's script and style without the
# token: the UI's own files are served to anyone, its data (REST, /api/ws) is not.
code=$(curl -sS -m 3 -o /dev/null -w '%{http_code}' "$base$asset")
[[ $code == 200 ]] || fail "GET $asset without the token answered $code, not 200"
say "GET $asset without the token (as a browser asks for it): 200"
code=$(curl -sS -m 3 -o /dev/null -w '%{http_code}' "$base/clusters")
[[ $code == 401 ]] || fail "GET /clusters without the token answered $code, not 401"
say "GET /clusters without the token: 401"

# 3. a local cluster, ready
cluster=smoke-$$
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];console.log(v===undefined?"":v)})' "$1"; }
created=$(curl -sS -m 30 "${auth[@]}" -X POST "$base/clusters" -d "{\"name\":\"$cluster\"}")
[[ "$(json success <<<"$created")" == true ]] || fail "POST /clusters: $created"
say "POST /clusters $cluster: $created"
status=''
for _ in $(seq 1 240); do
  record=$(curl -sS -m 5 "${auth[@]}" "$base/clusters/$cluster")
  status=$(json status <<<"$record")
  [[ $status == ready || $status == failed ]] && break
  sleep 1
done
[[ $status == ready ]] || fail "cluster $cluster is $status, not ready: $record"
say "GET /clusters/$cluster: ready ($(json nodeCount <<<"$record") nodes, $(json podCount <<<"$record") pods; $(json message <<<"$record"))"
main=$(curl -sS -m 5 "${auth[@]}" "$base/main-cluster")
[[ "$(json state <<<"$main")" == running ]] || fail "main cluster: $main"
say "GET /main-cluster: running, $(json kubeVersion <<<"$main") at $(json apiEndpoint <<<"$main") (inside the container)"
# The image's kubectl against the cluster's own API: its endpoint listens on
# the container's loopback, so kubectl runs inside the container.
nodes=$(curl -sS -m 10 "${auth[@]}" "$base/clusters/$cluster/kubeconfig" |
  podman exec -i "$name" sh -c 'cat >/tmp/smoke.kubeconfig && kubectl --kubeconfig /tmp/smoke.kubeconfig get nodes -o name' 2> >(grep -v 'systemd' >&2)) ||
  fail "kubectl in the container could not list the cluster's nodes"
say "kubectl in the container, cluster $cluster's nodes: $(tr '\n' ' ' <<<"$nodes")"

# Who runs it: everything as uid 10001 under tini.
users=$(podman top "$name" user comm | tail -n +2 | awk '{print $1}' | sort -u | tr '\n' ' ')
[[ $users == 'agent ' ]] || fail "processes run as: $users"
say "processes: $(podman top "$name" comm | tail -n +2 | tr '\n' ' ')(all as agent, uid $(podman exec "$name" id -u))"

deleted=$(curl -sS -m 60 "${auth[@]}" -X DELETE "$base/clusters/$cluster")
[[ "$(json success <<<"$deleted")" == true ]] || fail "DELETE /clusters/$cluster: $deleted"
podman stop -t 30 "$name" >/dev/null 2> >(grep -v 'systemd' >&2)
say "stopped: exit code $(podman inspect -f '{{.State.ExitCode}}' "$name")"
say "PASS ($tag, $((SECONDS - started))s)"
