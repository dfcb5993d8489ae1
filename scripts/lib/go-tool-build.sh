# Sourced by scripts/build-kube-stack.sh and scripts/build-chart-tools.sh:
# builds one program from a pinned Go tool module into the folder $out, and
# only when that module's go.mod/go.sum changed since the last build (a stamp
# file beside the binary records their checksum).
#
# build_go_tool <log label> <module dir> <binary name> <package> [ldflags-extra]
build_go_tool() {
  local label=$1 mod=$2 name=$3 pkg=$4 ldx=${5:-}
  local sum stamp
  sum=$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-16)
  stamp="$out/.$name.stamp"
  if [[ -x "$out/$name" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
    echo "$label: $name up to date ($out/$name)"
    return
  fi
  local start=$SECONDS
  echo "$label: building $name from $pkg ..."
  (cd "$mod" && go build -trimpath -ldflags "-s -w $ldx" -o "$out/$name.tmp" "$pkg")
  # `go build` of a package that is not a program writes an archive, silently.
  if [[ "$(head -c4 "$out/$name.tmp" | od -An -c | tr -d ' ')" != '177ELF' ]]; then
    echo "$label: $pkg did not build an executable" >&2
    exit 1
  fi
  chmod +x "$out/$name.tmp"
  mv "$out/$name.tmp" "$out/$name"
  echo "$sum" >"$stamp"
  echo "$label: built $name in $((SECONDS - start))s"
}
