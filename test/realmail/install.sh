#!/usr/bin/env bash
# Installs what the end-to-end tests use, without starting any system
# service: Postfix, Dovecot, swaks, curl, openssl, chromium with a CJK font
# (for the web inbox's browser tests) (Debian packages) and
# Mailpit (built from the Go module proxy once, then cached).
set -euo pipefail
MAILPIT_VERSION="${MAILPIT_VERSION:-v1.33.1}"
pkgs=(postfix dovecot-core dovecot-imapd swaks curl openssl ca-certificates python3 python3-dkim libnet-ssleay-perl libio-socket-ssl-perl iproute2 chromium fonts-wqy-microhei)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  # Keep package scripts from starting the system daemons on 25/143/993.
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "postfix postfix/mailname string mail.test" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
echo "postfix $(postconf -d -h mail_version 2>/dev/null), $(dovecot --version 2>/dev/null | head -1 | sed 's/^/dovecot /'), $(swaks --version 2>&1 | head -1)"

# Mailpit: a pinned version, built once into a cache folder.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/postie/mailpit-$MAILPIT_VERSION"
if [ ! -x "$cache/mailpit" ]; then
  echo "building mailpit $MAILPIT_VERSION (once; cached in $cache)"
  mkdir -p "$cache"
  GOBIN="$cache" GOFLAGS=-mod=mod go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
fi
"$cache/mailpit" version 2>/dev/null | head -1 || true
