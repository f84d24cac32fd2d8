#!/usr/bin/env bash
# Starts private Postfix + Dovecot instances and two Mailpit servers on
# loopback high ports, with a throwaway CA, for postie's end-to-end tests.
# Nothing system-wide: all state lives in $REALMAIL_STATE (default
# /tmp/postie-realmail), and down.sh stops exactly what this started.
#
#   Postfix  127.0.0.1/::1 :2525 plain+STARTTLS (MX-style, AUTH after TLS)
#                          :2587 submission, STARTTLS and AUTH required
#                          :2465 submissions, implicit TLS and AUTH required
#   Dovecot  :2143 IMAP (STARTTLS), :2993 IMAPS; SASL for Postfix
#   Mailpit  :3587 STARTTLS required (API :3025), :3465 implicit TLS (API :3026)
#   users    alice@mail.test / secret-alice, bob@mail.test / secret-bob,
#            carol@mail.test / secret-carol; postmaster@ -> alice
set -euo pipefail
STATE="${REALMAIL_STATE:-/tmp/postie-realmail}"
MAILPIT_VERSION="${MAILPIT_VERSION:-v1.33.1}"
MAILPIT="${XDG_CACHE_HOME:-$HOME/.cache}/postie/mailpit-$MAILPIT_VERSION/mailpit"
here="$(cd "$(dirname "$0")" && pwd)"

"$here/down.sh" >/dev/null 2>&1 || true
rm -rf "$STATE"
mkdir -p "$STATE"/{postfix,spool,data,log,tls,run/dovecot,lib/dovecot,dovecot,mail/mail.test,mailpit}
chmod 755 "$STATE"

# --- certificates: a CA and a server certificate for mail.test, localhost, 127.0.0.1, ::1
T="$STATE/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=postie realmail CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mail.test" \
  -keyout "$T/server.key" -out "$T/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:mail.test,DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' > "$T/ext.cnf"
openssl x509 -req -in "$T/server.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
  -extfile "$T/ext.cnf" -out "$T/server.crt" 2>/dev/null
cat "$T/server.crt" "$T/ca.crt" > "$T/server-chain.crt"
chmod 644 "$T"/*.crt; chmod 640 "$T/server.key"; chgrp dovecot "$T/server.key" 2>/dev/null || true

# --- users (passwords stored {PLAIN} so CRAM-MD5 works too)
: > "$STATE/dovecot/users"
: > "$STATE/postfix/vmailbox"
for u in alice bob carol; do
  echo "$u@mail.test:{PLAIN}secret-$u:8:8::$STATE/mail/mail.test/$u::" >> "$STATE/dovecot/users"
  echo "$u@mail.test mail.test/$u/Maildir/" >> "$STATE/postfix/vmailbox"
  mkdir -p "$STATE/mail/mail.test/$u/Maildir"/{new,cur,tmp}
done
printf 'postmaster@mail.test alice@mail.test\nabuse@mail.test alice@mail.test\n' > "$STATE/postfix/valias"
chown -R 8:8 "$STATE/mail"
chmod 640 "$STATE/dovecot/users"; chgrp dovecot "$STATE/dovecot/users" 2>/dev/null || true

# --- Postfix
cat > "$STATE/postfix/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $STATE/spool
data_directory = $STATE/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.test
mydomain = mail.test
myorigin = mail.test
inet_interfaces = loopback-only
inet_protocols = all
mynetworks =
mydestination = localhost
alias_maps =
alias_database =
virtual_mailbox_domains = mail.test
virtual_mailbox_base = $STATE/mail
virtual_mailbox_maps = texthash:$STATE/postfix/vmailbox
virtual_alias_maps = texthash:$STATE/postfix/valias
virtual_uid_maps = static:8
virtual_gid_maps = static:8
virtual_minimum_uid = 8
smtpd_sasl_type = dovecot
smtpd_sasl_path = $STATE/run/dovecot/auth-postfix
smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = yes
smtpd_sasl_authenticated_header = yes
smtpd_tls_cert_file = $T/server-chain.crt
smtpd_tls_key_file = $T/server.key
smtpd_tls_security_level = may
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtp_dns_support_level = disabled
default_transport = error:outbound mail is disabled on the postie test bench
relay_transport = error:outbound mail is disabled on the postie test bench
maillog_file = $STATE/log/postfix.log
maillog_file_prefixes = $STATE/log
smtputf8_enable = yes
message_size_limit = 52428800
virtual_mailbox_limit = 0
mailbox_size_limit = 0
biff = no
CF
cat > "$STATE/postfix/master.cf" <<'CF'
2525      inet  n       -       n       -       -       smtpd
2587      inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
2465      inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
chown postfix "$STATE/data"
postfix -c "$STATE/postfix" set-permissions >/dev/null 2>&1 || true
postfix -c "$STATE/postfix" check

# --- Dovecot
cat > "$STATE/dovecot/dovecot.conf" <<CF
instance_name = postie-realmail
base_dir = $STATE/run/dovecot
state_dir = $STATE/lib/dovecot
log_path = $STATE/log/dovecot.log
protocols = imap
listen = 127.0.0.1, ::1
ssl = yes
ssl_cert = <$T/server-chain.crt
ssl_key = <$T/server.key
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = yes
auth_mechanisms = ${REALMAIL_AUTH_MECHS:-plain login cram-md5}
first_valid_uid = 8
first_valid_gid = 8
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $STATE/dovecot/users
}
userdb {
  driver = passwd-file
  args = $STATE/dovecot/users
}
service imap-login {
  inet_listener imap {
    port = 2143
  }
  inet_listener imaps {
    port = 2993
    ssl = yes
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CF

# Daemons must not inherit our stdout: a pipe held open by them hangs CI.
dovecot -c "$STATE/dovecot/dovecot.conf" </dev/null >>"$STATE/log/dovecot-start.log" 2>&1
postfix -c "$STATE/postfix" start </dev/null >>"$STATE/log/postfix-start.log" 2>&1

# --- Mailpit (an independent SMTP implementation with an HTTP API)
printf 'alice@mail.test:secret-alice\nbob@mail.test:secret-bob\n' > "$STATE/mailpit/auth"
if [ -x "$MAILPIT" ]; then
  common=(--smtp-auth-file "$STATE/mailpit/auth" --smtp-tls-cert "$T/server-chain.crt" --smtp-tls-key "$T/server.key"
          --smtp-disable-rdns --disable-version-check)
  "$MAILPIT" --listen 127.0.0.1:3025 --smtp 127.0.0.1:3587 --smtp-require-starttls --database "$STATE/mailpit/a.db" "${common[@]}" \
    </dev/null >>"$STATE/log/mailpit-starttls.log" 2>&1 &
  echo $! > "$STATE/mailpit/starttls.pid"
  "$MAILPIT" --listen 127.0.0.1:3026 --smtp 127.0.0.1:3465 --smtp-require-tls --database "$STATE/mailpit/b.db" "${common[@]}" \
    </dev/null >>"$STATE/log/mailpit-tls.log" 2>&1 &
  echo $! > "$STATE/mailpit/tls.pid"
fi

# Wait for the listeners without connecting (a probe connection leaves noise in the logs).
ports=(2525 2587 2465 2993)
[ -x "$MAILPIT" ] && ports+=(3587 3465 3025 3026)
for p in "${ports[@]}"; do
  for _ in $(seq 1 100); do
    [ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && break
    sleep 0.1
  done
  [ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] || { echo "port $p did not come up"; tail -20 "$STATE"/log/*.log; exit 1; }
done
# The SASL socket Postfix uses must exist before a test logs in.
for _ in $(seq 1 50); do [ -S "$STATE/run/dovecot/auth-postfix" ] && break; sleep 0.1; done

cat > "$STATE/env" <<ENV
REALMAIL_STATE=$STATE
REALMAIL_CA=$T/ca.crt
REALMAIL_SMTP=127.0.0.1:2525
REALMAIL_SUBMISSION=127.0.0.1:2587
REALMAIL_SUBMISSIONS=127.0.0.1:2465
REALMAIL_IMAPS=127.0.0.1:2993
REALMAIL_MAILDIR=$STATE/mail/mail.test
REALMAIL_AUTH_MECHS="${REALMAIL_AUTH_MECHS:-plain login cram-md5}"
REALMAIL_VERSIONS="postfix $(postconf -d -h mail_version), dovecot $(dovecot --version | cut -d' ' -f1)"
ENV
if [ -x "$MAILPIT" ]; then
  cat >> "$STATE/env" <<ENV
MAILPIT_STARTTLS=127.0.0.1:3587
MAILPIT_STARTTLS_API=http://127.0.0.1:3025
MAILPIT_TLS=127.0.0.1:3465
MAILPIT_TLS_API=http://127.0.0.1:3026
MAILPIT_VERSION=$MAILPIT_VERSION
ENV
fi
echo "realmail up: $(grep VERSIONS "$STATE/env" | cut -d= -f2-)${MAILPIT:+, mailpit $MAILPIT_VERSION}; env in $STATE/env"
