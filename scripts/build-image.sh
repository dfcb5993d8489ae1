#!/usr/bin/env bash
# Builds the container image scale-cluster-agent:<package.json version> on
# this machine without a Docker engine: Debian's mmdebstrap makes the base
# root file system and Debian's buildah assembles the image from files staged
# here, with no RUN step (so no container runtime, user namespace or cgroup is
# needed to build it). deploy/image/Dockerfile is the Docker equivalent.
#
# What goes in, and where it comes from:
#   - Debian bookworm minbase + ca-certificates + tini (deb.debian.org), with
#     the user agent (uid/gid 10001) and its home /var/lib/scale-cluster-agent
#   - Node from the npm package node-linux-<arch>, the version that
#     scripts/provision.sh installs
#   - kwokctl, kwok, kube-apiserver, kube-controller-manager, etcd, kubectl
#     from scripts/build-kube-stack.sh (built from the Go module proxy)
#   - the app: `npm run build` output (headless bundle and web UI; not the
#     Electron shell) and production node_modules only, in /opt/scale-cluster-agent
#
# Usage: scripts/build-image.sh [--oci-archive PATH] [--docker-archive PATH]
#                               [--tag NAME:TAG] [--refresh-base]
#   --oci-archive PATH  also write the image as an OCI archive (tar) to PATH.
#                       The OCI image config has no health check field, so
#                       this form carries no HEALTHCHECK (everything else is kept)
#   --docker-archive PATH  also write it as a docker-archive (`docker load` /
#                       `podman load`), which keeps the HEALTHCHECK
#   --tag NAME:TAG      image name (default scale-cluster-agent:<version>)
#   --refresh-base      make the Debian root file system anew (it is cached;
#                       refresh it to take Debian's latest security updates)
# Environment: SCALE_AGENT_IMAGE_STORAGE_DRIVER (e.g. vfs) is passed to buildah
# as --storage-driver when set.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/node-env.sh

oci_archive=''
docker_archive=''
tag=''
refresh_base=false
while [[ $# -gt 0 ]]; do
  case $1 in
    --oci-archive) oci_archive=${2:?--oci-archive needs a path}; shift 2 ;;
    --docker-archive) docker_archive=${2:?--docker-archive needs a path}; shift 2 ;;
    --tag) tag=${2:?--tag needs a name}; shift 2 ;;
    --refresh-base) refresh_base=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "build-image: $*"; }
die() { echo "build-image: $*" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  die "need root for: $*"; fi; }
started=$SECONDS

# 1. Debian's tools: mmdebstrap for the root file system, buildah for the
#    image (both in bookworm; no Docker engine or registry needed).
missing=()
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v buildah >/dev/null || missing+=(buildah)
if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
storage_opts=()
[[ -n "${SCALE_AGENT_IMAGE_STORAGE_DRIVER:-}" ]] && storage_opts=(--storage-driver "$SCALE_AGENT_IMAGE_STORAGE_DRIVER")

[[ $(node_major) -ge 22 ]] || die "Node 22 is needed to build the app: run scripts/provision.sh first"
version=$(node -p 'require("./package.json").version')
tag=${tag:-scale-cluster-agent:$version}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# The revision label says so when the files differ from that commit.
[[ $revision != unknown && -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]] && revision+=-dirty
# Fixed times instead of the clock, so the same inputs give the same bytes:
# the app layer's files and the image's creation time carry the last commit's
# time; the base (Debian, Node, kube stack) the time of the last commit that
# changed what shapes it, so that it stays the same across app changes.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
base_epoch=$(git log -1 --format=%ct -- tools/kube-stack scripts/build-kube-stack.sh scripts/lib/go-tool-build.sh scripts/provision.sh \
  deploy/image/Containerfile.base 2>/dev/null || true)
base_epoch=${base_epoch:-$epoch}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
arch=$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')
deb_arch=$(dpkg --print-architecture)
work=$SCA_MACHINE_CACHE/image
mkdir -p "$work"
dirty=''
[[ $revision == *-dirty ]] && dirty=-dirty
say "$tag (revision ${revision:0:12}$dirty, $deb_arch), work folder $work"

# 2. The app, rebuilt when out/ is missing or older than anything it is built from.
bundle=out/main/headless.js
if [[ ! -f $bundle || ! -f out/renderer/index.html ]] ||
  [[ -n "$(find src electron.vite.config.ts package.json package-lock.json tsconfig*.json -newer "$bundle" -print -quit)" ]]; then
  say "npm run build (out/ missing or stale)"
  npm run build >"$work/app-build.log" 2>&1 || { tail -30 "$work/app-build.log"; die "npm run build failed"; }
else
  say "out/ is up to date"
fi
# The image runs the headless bundle only; it must not need Electron.
if grep -lE 'from "electron"|require\("electron"\)' out/main/headless.js out/main/chunks/*.js >/dev/null 2>&1; then
  die "the headless bundle imports electron: it cannot run in the image"
fi

# 3. The kube stack (idempotent: rebuilt only when tools/kube-stack changed).
kube_dir=${SCALE_AGENT_KUBE_CACHE:-$SCA_MACHINE_CACHE/kube-stack/bin}
bash scripts/build-kube-stack.sh "$kube_dir" | sed 's/^/build-image: /'
kube_bins=(kwokctl kwok kube-apiserver kube-controller-manager etcd kubectl)
for b in "${kube_bins[@]}"; do [[ -x $kube_dir/$b ]] || die "$kube_dir/$b is missing"; done

# 4. Node: the same npm package and version as scripts/provision.sh, reused
#    from the machine's cache when that is the one installed there.
node_version=$(grep -oE 'node-linux-\$arch@[0-9]+\.[0-9]+\.[0-9]+' scripts/provision.sh | head -1 | sed 's/.*@//')
[[ -n $node_version ]] || die "cannot read the Node version from scripts/provision.sh"
node_bin=$SCA_MACHINE_CACHE/node22/node_modules/node-linux-$arch/bin/node
if [[ ! -x $node_bin || "$("$node_bin" --version)" != "v$node_version" ]]; then
  node_bin=$work/node-$node_version/node_modules/node-linux-$arch/bin/node
  if [[ ! -x $node_bin ]]; then
    say "fetching node-linux-$arch@$node_version from the npm registry"
    npm install --prefix "$work/node-$node_version" --no-save --no-audit --no-fund \
      "node-linux-$arch@$node_version" >/dev/null
  fi
fi
say "node $("$node_bin" --version) from $node_bin"

# 5. Production node_modules only (no Electron, no build tools), from the
#    lock file; install scripts off as in provision.sh (no dependency of the
#    headless app needs one). Cached per lock file.
lock_sum=$(cat package.json package-lock.json | sha256sum | cut -c1-16)
prod=$work/prod-modules-$lock_sum
if [[ ! -d $prod/node_modules ]]; then
  say "npm ci --omit=dev (production dependencies)"
  rm -rf "$prod" && mkdir -p "$prod"
  cp package.json package-lock.json "$prod/"
  (cd "$prod" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
  [[ ! -e $prod/node_modules/electron ]] || die "electron landed in the production node_modules"
  find "$work" -maxdepth 1 -name 'prod-modules-*' ! -name "${prod##*/}" -exec rm -rf {} + # older lock files
fi

# 6. The Debian root file system, cached by what shapes it. minbase is the
#    smallest variant that still has dpkg/apt (so users can extend the image);
#    tini reaps the daemons kwokctl leaves to PID 1; docs, man pages and
#    locales are left out the way debian:bookworm-slim does; /dev is left
#    empty for the container engine to fill.
mm_args=(
  --variant=minbase
  --include=ca-certificates,tini
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --customize-hook='chroot "$1" groupadd --gid 10001 agent'
  --customize-hook='chroot "$1" useradd --uid 10001 --gid 10001 --home-dir /var/lib/scale-cluster-agent --create-home --shell /usr/sbin/nologin agent'
  --customize-hook='rm -f "$1"/var/log/*.log "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old'
  --skip=output/dev
  --architectures="$deb_arch"
  bookworm
)
mirrors=(
  'deb http://deb.debian.org/debian bookworm main'
  'deb http://deb.debian.org/debian bookworm-updates main'
  'deb http://deb.debian.org/debian-security bookworm-security main'
)
rootfs_key=$(printf '%s\n' "${mm_args[@]}" "${mirrors[@]}" "$base_epoch" | sha256sum | cut -c1-16)
rootfs=$work/rootfs-$rootfs_key.tar
if $refresh_base || [[ ! -f $rootfs ]]; then
  say "mmdebstrap: Debian bookworm minbase from deb.debian.org (about a minute)"
  SOURCE_DATE_EPOCH=$base_epoch mmdebstrap --format=tar "${mm_args[@]}" "$rootfs.part" "${mirrors[@]}" >"$work/mmdebstrap.log" 2>&1 ||
    { tail -30 "$work/mmdebstrap.log"; die "mmdebstrap failed"; }
  mv "$rootfs.part" "$rootfs"
  find "$work" -maxdepth 1 -name 'rootfs-*.tar' ! -name "${rootfs##*/}" -delete # older recipes
else
  say "Debian root file system reused ($rootfs; --refresh-base to renew)"
fi

# 7. Two builds, so that the large layers that change rarely keep the same
#    bytes from one app version to the next:
#    - the base (deploy/image/Containerfile.base): Debian, Node, kube stack,
#      tagged scale-cluster-agent-base:<hash of those files>, built only when
#      no image has that tag; its files' time is the last commit that changed
#      what shapes it (the kube stack pins, the Node version, the base recipe);
#    - the image (deploy/image/Containerfile.prebuilt): the base plus the app
#      layer, environment, user, health check and labels; its files' time and
#      creation time are the last commit's.
#    Each build context holds exactly the files its layers get (hard links
#    where possible: nothing is copied twice on disk).
#    buildah bud: --timestamp sets the files' time and the creation time (the
#    same inputs give the same layer bytes); --format docker keeps the
#    HEALTHCHECK (OCI image configs have no health check field). The base
#    takes --layers, for one layer per ADD/COPY, and --no-cache: it is built
#    only when its tag is missing anyway. The app build has one COPY and is
#    committed as one layer without --layers, which also keeps buildah 1.28's
#    layer cache out of it (the cache reused an image whose files matched even
#    when the labels' build args, revision and time, had changed) and leaves
#    no intermediate images behind.
link() { cp -l "$1" "$2" 2>/dev/null || cp "$1" "$2"; }
bud() { # bud <log-name> <buildah bud args...>
  local log=$work/$1.log
  shift
  buildah "${storage_opts[@]}" bud --format docker "$@" >"$log" 2>&1 ||
    { tail -30 "$log"; die "buildah bud failed (log: $log)"; }
}

base_ctx=$work/context-base
rm -rf "$base_ctx" && mkdir -p "$base_ctx/kube-stack"
link "$rootfs" "$base_ctx/rootfs.tar"
link "$node_bin" "$base_ctx/node"
for b in "${kube_bins[@]}"; do link "$kube_dir/$b" "$base_ctx/kube-stack/$b"; done
base_key=$( (cd "$base_ctx" && sha256sum rootfs.tar node kube-stack/*; cat "$root/deploy/image/Containerfile.base"; echo "$base_epoch") |
  sha256sum | cut -c1-16)
base_tag=localhost/scale-cluster-agent-base:$base_key
if buildah "${storage_opts[@]}" inspect --type image "$base_tag" >/dev/null 2>&1; then
  say "base $base_tag reused"
else
  say "buildah bud -> $base_tag (Debian, Node, kube stack)"
  build_start=$SECONDS
  bud buildah-base --layers --no-cache --timestamp "$base_epoch" -f deploy/image/Containerfile.base -t "$base_tag" "$base_ctx"
  say "base committed in $((SECONDS - build_start))s"
fi
rm -rf "$base_ctx"

ctx=$work/context
rm -rf "$ctx" && mkdir -p "$ctx/app/out/main" "$ctx/app/bin"
cp package.json "$ctx/app/" # the app finds its own folder by this file
cp bin/scale-cluster-agent.mjs bin/malloc-tuning.mjs "$ctx/app/bin/"
cp out/main/headless.js "$ctx/app/out/main/"
cp -r out/main/chunks "$ctx/app/out/main/"
cp -r out/renderer "$ctx/app/out/"
cp deploy/image/healthcheck.mjs "$ctx/app/"
cp -al "$prod/node_modules" "$ctx/app/node_modules" 2>/dev/null || cp -a "$prod/node_modules" "$ctx/app/"
# Type declarations and source maps are never loaded at run time: about 45 MB
# of the 94 MB (most of it @kubernetes/client-node's). The copies are links,
# so the cached install keeps them.
find "$ctx/app/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
# Files the image's root owns and everyone reads; the agent's user writes
# only its home. Fixed modes keep the layer the same from build to build.
chmod -R u=rwX,go=rX "$ctx/app"

say "buildah bud -> $tag"
old_id=$(buildah "${storage_opts[@]}" images --noheading --format '{{.ID}}' "$tag" 2>/dev/null | head -1 || true)
build_start=$SECONDS
bud buildah --timestamp "$epoch" --build-arg BASE="$base_tag" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  -f deploy/image/Containerfile.prebuilt -t "$tag" "$ctx"
say "image committed in $((SECONDS - build_start))s"
rm -rf "$ctx"
# The image this tag named before is now unnamed: remove it (its app layer;
# the base layers stay while an image uses them).
new_id=$(buildah "${storage_opts[@]}" images --noheading --format '{{.ID}}' "$tag" | head -1)
if [[ -n $old_id && $old_id != "$new_id" ]]; then
  buildah "${storage_opts[@]}" rmi "$old_id" >/dev/null 2>&1 || true
fi
# Older bases (616 MB each) that no image uses any more; one still in use by
# another tag is refused by buildah and stays.
for old_base in $(buildah "${storage_opts[@]}" images --noheading --format '{{.Name}}:{{.Tag}}' | grep '^localhost/scale-cluster-agent-base:' || true); do
  [[ $old_base == "$base_tag" ]] || buildah "${storage_opts[@]}" rmi "$old_base" >/dev/null 2>&1 || true
done

if [[ -n $oci_archive ]]; then
  rm -f "$oci_archive"
  buildah "${storage_opts[@]}" push --quiet "$tag" "oci-archive:$oci_archive:$tag" >/dev/null
  say "OCI archive $oci_archive ($(du -h "$oci_archive" | cut -f1), layers compressed)"
fi
if [[ -n $docker_archive ]]; then
  rm -f "$docker_archive"
  buildah "${storage_opts[@]}" push --quiet "$tag" "docker-archive:$docker_archive:$tag" >/dev/null
  say "docker archive $docker_archive ($(du -h "$docker_archive" | cut -f1), layers uncompressed)"
fi

image_id=$(buildah "${storage_opts[@]}" images --noheading --format '{{.ID}}' "$tag" | head -1)
image_size=$(buildah "${storage_opts[@]}" images --noheading --format '{{.Size}}' "$tag" | head -1)
say "image $tag: id $image_id, size $image_size (uncompressed)"
say "done in $((SECONDS - started))s"
