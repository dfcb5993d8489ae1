# Sourced by the project's scripts: puts a Node >= 22 first on PATH.
# The system Node is used when new enough; otherwise the one that
# scripts/provision.sh installs from the npm registry into the machine's cache.
export SCA_MACHINE_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/scale-cluster-agent"
_node22="$SCA_MACHINE_CACHE/node22/node_modules/node-linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')/bin"
if [[ -x "$_node22/node" ]]; then
  export PATH="$_node22:$PATH"
fi
export PATH="/usr/local/go/bin:$PATH"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
