#!/usr/bin/env bash
# Runs every check and test suite, then prints one closing line
# `N passed, N failed, N skipped` summing them all. Exits non-zero on any
# failure. Installs what it needs first (scripts/provision.sh).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
results=.cache/test-results
rm -rf "$results" && mkdir -p "$results"

if ! bash scripts/provision.sh --browser; then
  echo "provisioning failed"
  echo "0 passed, 1 failed"
  exit 1
fi
source scripts/lib/node-env.sh

# check <name> <command...>: a whole command that passes or fails as one.
check() {
  local name=$1
  shift
  echo "=== $name"
  if "$@"; then echo "pass" >"$results/check-$name"; else echo "fail" >"$results/check-$name"; fi
}

# suite <project>: one vitest project, counted test by test.
suite() {
  echo "=== tests: $1"
  npx vitest run --project "$1" --passWithNoTests --reporter=default --reporter=json \
    --outputFile.json="$results/vitest-$1.json"
  echo $? >"$results/exit-$1"
}

# go_suite <name> <dir>: a Go test package of our own, counted test by test (go test -json).
# GOTOOLCHAIN=auto: the stand-in's go.mod asks for the toolchain its remotedialer needs (see its build script).
go_suite() {
  echo "=== tests: $1 (go)"
  (cd "$2" && PATH="/usr/local/go/bin:$PATH" GOFLAGS=-buildvcs=false GOTOOLCHAIN=auto \
    go test -json -count=1 ./...) >"$results/gotest-$1.jsonl"
  echo $? >"$results/goexit-$1"
}

# The bundled protobuf schema must be what k8s.io/api at the pinned version says.
schema_current() {
  bash scripts/gen-protobuf-schema.sh && git diff --exit-code --stat -- src/main/engine/vapi/protobuf
}
check protobuf-schema schema_current
check lint npx eslint . --max-warnings 0
check format npx prettier --check .
check typecheck npm run --silent typecheck
check build npx electron-vite build
suite unit
suite integration
suite interop
suite e2e
go_suite rancher-standin test-peers/rancher-standin

node scripts/summarize-tests.mjs "$results"
