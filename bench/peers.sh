# Sourced by bench/run.sh and bench/rtt.sh: installs the peers given as
# arguments (Debian package names) when missing. Postfix is installed
# without starting its daemon or configuring a mailer: only smtp-sink and
# smtp-source are used.
install_peers() {
  local missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -n "$missing" ] || return 0
  local rmpol=""
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; rmpol=1; }
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ -z "$rmpol" ] || rm -f /usr/sbin/policy-rc.d
}
