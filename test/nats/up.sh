#!/usr/bin/env bash
# Starts a 3-node NATS JetStream cluster on loopback for the tests:
# clients on 127.0.0.1:14222-14224, routes on :16222-16224, monitoring on
# :18222-18224, storage under $STATE (default /tmp/postie-nats). Writes
# $STATE/env (NATS_URLS, NATS_NODE1..3, NATS_MONITOR1..3, NATS_PIDFILE1..3)
# and waits until every node reports JetStream healthy. Stop: down.sh.
set -euo pipefail
cd "$(dirname "$0")"
NATS_VERSION="${NATS_VERSION:-v2.15.2}"
bin="${XDG_CACHE_HOME:-$HOME/.cache}/postie/nats-server-$NATS_VERSION/nats-server"
[ -x "$bin" ] || bash ./install.sh
STATE="${POSTIE_NATS_STATE:-/tmp/postie-nats}"
bash ./down.sh >/dev/null 2>&1 || true
rm -rf "$STATE"
mkdir -p "$STATE"
routes="nats-route://127.0.0.1:16222,nats-route://127.0.0.1:16223,nats-route://127.0.0.1:16224"
for i in 1 2 3; do
  mkdir -p "$STATE/n$i/js"
  cat > "$STATE/n$i/nats.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:$((14221 + i))
http: 127.0.0.1:$((18221 + i))
pid_file: "$STATE/n$i/nats.pid"
jetstream {
  store_dir: "$STATE/n$i/js"
  max_memory_store: 256MB
  max_file_store: 2GB
}
cluster {
  name: postie
  listen: 127.0.0.1:$((16221 + i))
  routes: [$(echo "$routes" | sed 's/,/, /g')]
}
CONF
  # Detached from our stdout (a pipe would hold the caller open).
  "$bin" -c "$STATE/n$i/nats.conf" </dev/null >>"$STATE/n$i/nats.log" 2>&1 &
done
ok=0
for _ in $(seq 1 150); do
  ok=0
  for i in 1 2 3; do
    if curl -fsS "http://127.0.0.1:$((18221 + i))/healthz" >/dev/null 2>&1; then ok=$((ok + 1)); fi
  done
  # healthy nodes and an elected JetStream meta leader
  if [ "$ok" = 3 ] && curl -fsS "http://127.0.0.1:18222/jsz" 2>/dev/null | grep -q '"leader": *"n[123]"'; then break; fi
  ok=0
  sleep 0.2
done
if [ "$ok" != 3 ]; then
  echo "nats cluster did not become healthy; logs:" >&2
  tail -n 20 "$STATE"/n*/nats.log >&2
  exit 1
fi
cat > "$STATE/env" <<ENV
NATS_URLS=nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224
NATS_NODE1=nats://127.0.0.1:14222
NATS_NODE2=nats://127.0.0.1:14223
NATS_NODE3=nats://127.0.0.1:14224
NATS_MONITOR1=http://127.0.0.1:18222
NATS_MONITOR2=http://127.0.0.1:18223
NATS_MONITOR3=http://127.0.0.1:18224
NATS_CONF1=$STATE/n1/nats.conf
NATS_CONF2=$STATE/n2/nats.conf
NATS_CONF3=$STATE/n3/nats.conf
NATS_PIDFILE1=$STATE/n1/nats.pid
NATS_PIDFILE2=$STATE/n2/nats.pid
NATS_PIDFILE3=$STATE/n3/nats.pid
NATS_SERVER_BIN=$bin
ENV
echo "nats up: $("$bin" --version), 3 nodes, JetStream healthy; env in $STATE/env"
