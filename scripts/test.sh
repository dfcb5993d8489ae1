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

check lint npx eslint . --max-warnings 0
check format npx prettier --check .
check typecheck npm run --silent typecheck
check build npx electron-vite build
suite unit
suite integration
suite interop
suite e2e

node scripts/summarize-tests.mjs "$results"
