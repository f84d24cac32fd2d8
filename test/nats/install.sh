#!/usr/bin/env bash
# Installs nats-server for the JetStream tests: a pinned version built once
# from the Go module proxy into a cache folder (as Mailpit is).
set -euo pipefail
NATS_VERSION="${NATS_VERSION:-v2.15.2}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/postie/nats-server-$NATS_VERSION"
if [ ! -x "$cache/nats-server" ]; then
  echo "building nats-server $NATS_VERSION (once; cached in $cache)"
  mkdir -p "$cache"
  GOBIN="$cache" GOFLAGS=-mod=mod go install "github.com/nats-io/nats-server/v2@$NATS_VERSION"
fi
"$cache/nats-server" --version
