#!/usr/bin/env bash
# Stops what up.sh started, by its recorded PIDs and config folders only.
STATE="${REALMAIL_STATE:-/tmp/postie-realmail}"
[ -d "$STATE" ] || exit 0
rm -f "$STATE/env"   # the tests read it to know the servers are up
[ -f "$STATE/postfix/main.cf" ] && postfix -c "$STATE/postfix" stop >/dev/null 2>&1
for f in "$STATE/run/dovecot/master.pid" "$STATE/mailpit/starttls.pid" "$STATE/mailpit/tls.pid"; do
  [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
done
# Dovecot takes a few seconds to exit; wait so a following up.sh can bind.
for _ in $(seq 1 60); do
  [ -f "$STATE/run/dovecot/master.pid" ] && kill -0 "$(cat "$STATE/run/dovecot/master.pid")" 2>/dev/null || break
  sleep 0.1
done
exit 0
