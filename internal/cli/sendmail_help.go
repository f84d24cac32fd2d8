package cli

import (
	"errors"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
)

// sendmailUsage is the synopsis, and sendmailHelp what -h/--help prints
// (on stdout, exit 0): every option parseSendmailArgs accepts.
const sendmailUsage = "sendmail [-t] [-i] [-f ADDR] [-F NAME] [-C FILE] [-a ACCOUNT] [-N DSN] [-R RET] [-V ENVID] [-odq|-odi] [-oQDIR] [-v] [--] [RECIPIENT...]\n       postie sendmail -q[INTERVAL] | -bp"

func sendmailHelp() string {
	return i18n.Sprintf(`usage: postie %s
       (or run postie through a link named sendmail)

Reads a whole message, header and body, on standard input and sends it
through a config account's server, as sendmail does for mutt, git
send-email, cron and scripts.

  -t            also send to the To, Cc and Bcc addresses in the message
                (Bcc is removed from the message in every case)
  -i, -oi       a line holding a single dot is text; without -i it ends the
                message, as in sendmail
  -f ADDR       envelope sender, where bounces go ("<>" for none); also the
  -r ADDR       From of a message that has none
  -F NAME       the name in a From that postie adds
  -C FILE       config file (default $POSTIE_CONFIG, else
                $XDG_CONFIG_HOME/postie/config.toml, else
                ~/.config/postie/config.toml)
  -a ACCOUNT    the account to send through (default: the file's default)
  -N DSN        delivery status notifications: NEVER, or any of
                SUCCESS,FAILURE,DELAY (RFC 3461; when the server offers DSN)
  -R RET        what a bounce carries: full or hdrs
  -V ENVID      envelope id for delivery status notifications
  -v            show the SMTP dialogue on stderr (-v -v: with the message)
  -h, --help    this help

The outbox (see 'postie queue --help'):
  -odq          put the message in the outbox and exit; 'postie queue run'
                (or sendmail -q) sends it
  -odi, -odb    send now (the default); with queue = true in the account a
                message the server cannot take now (4xx, unreachable) stays
                in the outbox and sendmail exits 0, as msmtpq does
  -oQDIR        the outbox directory (default $POSTIE_QUEUE_DIR, else
                $XDG_STATE_HOME/postie/queue)
  -q            send what is due in the outbox, then exit (cron)
  -qINTERVAL    keep running, sending each message when due and looking for
                new ones every INTERVAL (-q30m, -q1h, -q1d)
  -bp           list the outbox, as mailq does

Accepted and ignored, as other sendmail replacements do: -oXXX (-oem, -oi,
...), -bm, -em, -U, -n, -dXXX. Other -b modes are refused.

The server, login and TLS come from the account (postie account add).
Lines may end in LF or CRLF; they are sent as CRLF. A line over 998 octets
is refused (exit 65) naming it. A NUL octet in a body part makes postie
send that part quoted-printable; in a header it is refused. A server
without 8BITMIME gets 8-bit parts as quoted-printable and 8-bit header
text as RFC 2047 words; only non-ASCII addresses need SMTPUTF8.

Exit codes (sysexits.h): 0 sent (or kept in the outbox), 64 usage, 65 bad
message, 67 a recipient refused, 69 refused by the server (with -q: some
recipient failed for good), 73/74 the outbox cannot be written, 75 try
again later, 77 login refused, 78 configuration.
`, sendmailUsage)
}

// sendmailServerHint replaces the hint of resolve's usage errors, which
// speak of --server: sendmail mode takes its server from the config.
func sendmailServerHint(err error) error {
	var c *exitcode.Coded
	if errors.As(err, &c) && c.Code == exitcode.Usage {
		return exitcode.With(c.Code, c.Err, i18n.T("sendmail mode sends through a config account: set server (or a from at a known provider) in it, choose it with -a NAME or -C FILE, or set POSTIE_SERVER; 'postie account add' makes one"))
	}
	return err
}
