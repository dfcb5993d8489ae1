#!/usr/bin/env bash
# Regenerates the virtual API's protobuf schema and golden vectors from the
# Kubernetes Go types (tools/protobuf-schema). Deterministic: CI can run it and
# `git diff --exit-code src/main/engine/vapi/protobuf`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH GOFLAGS=-buildvcs=false CGO_ENABLED=0
out=src/main/engine/vapi/protobuf
mkdir -p "$out/testdata"
(cd tools/protobuf-schema && go build -o "${TMPDIR:-/tmp}/protobuf-schema-gen" .)
(cd tools/protobuf-schema && "${TMPDIR:-/tmp}/protobuf-schema-gen" \
  -schema "$OLDPWD/$out/k8s-protobuf-schema.json" -golden "$OLDPWD/$out/testdata/golden.json")
rm -f "${TMPDIR:-/tmp}/protobuf-schema-gen"
# `prettier --check .` runs over the repository, so the files are written in
# its format (still deterministic: same input, same output).
source scripts/lib/node-env.sh
npx prettier --log-level warn --write "$out/k8s-protobuf-schema.json" "$out/testdata/golden.json"
