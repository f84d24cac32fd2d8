#!/usr/bin/env bash
# Runs every fuzz target for a bounded time each: bash test/fuzz.sh [DURATION]
# A target fails CI when the fuzzer reports a failing input. Go's fuzzer can
# also end with a bare "context deadline exceeded" when -fuzztime expires
# while it is minimising a new (non-failing) input; that is reported as a
# warning, not a failure, because no input failed.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-10s}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $target ($t)"
    log=$(mktemp)
    if go test -run='^$' -fuzz="^${target}\$" -fuzztime="$t" "$pkg" >"$log" 2>&1; then
      tail -1 "$log"
    elif grep -q "Failing input written\|panic:" "$log" || ! grep -q "context deadline exceeded" "$log"; then
      cat "$log"; rm -f "$log"; exit 1
    else
      echo "warning: $target stopped at the deadline while minimising (no failing input): $(grep -c 'new interesting' "$log") progress lines"
    fi
    rm -f "$log"
  done
done
