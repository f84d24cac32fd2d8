package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"reflect"
	"syscall"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

// hintFor returns the "postie: hint:" line for err: the likely fix. It
// looks only at the errors' types and fields, never at their text, so a
// reworded message cannot lose its hint.
func hintFor(err error) string {
	var c *exitcode.Coded
	if errors.As(err, &c) && c.Hint != "" {
		return c.Hint
	}
	var rh tls.RecordHeaderError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var to *smtp.TimeoutError
	var sec *smtp.SecurityError
	var ue *smtp.UnsupportedError
	var ae *smtp.AuthError
	var tl *smtp.TooLargeError
	var pe *smtp.ProtocolError
	var se *smtp.Error
	var dns *net.DNSError
	switch {
	case errors.As(err, &rh):
		return i18n.T("the server answered in plain text: this port wants STARTTLS; use --tls starttls (usually port 587 or 25), or port 465 for implicit TLS")
	case errors.As(err, &ua):
		return i18n.T("the certificate is not signed by a CA this machine trusts; give the CA with --cacert FILE")
	case errors.As(err, &he):
		return i18n.T("the certificate is for another name; connect using the name it lists")
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return i18n.T("the server's certificate has expired (or this machine's clock is wrong)")
	case tlsAlert(err) == 70: // protocol_version (RFC 8446 §6.2)
		return i18n.T("the server offers only TLS older than 1.2, which postie refuses")
	case errors.As(err, &to) && to.Step == "greeting":
		return i18n.T("no greeting from the server: if this port expects implicit TLS (usually 465), use --tls implicit")
	case errors.As(err, &sec):
		// The engine's one refusal that reaches a user: STARTTLS required
		// and not offered (the CLI never asks for AUTH in clear text).
		return i18n.T("use --tls implicit for a port-465 server; a server without TLS can only be used without logging in (--tls none)")
	case errors.Is(err, smtp.ErrMaybeDelivered):
		return i18n.T("check the recipient's mailbox before sending again: a retry may deliver a second copy (exit 79)")
	case errors.Is(err, syscall.ECONNREFUSED):
		return i18n.T("nothing is listening there; check the host and port (--server HOST:PORT)")
	case errors.As(err, &dns) && dns.IsNotFound:
		return i18n.T("no such host name in DNS: check the server's name (--server, POSTIE_SERVER or the account's server key)")
	case errors.As(err, &ue) && ue.Extension == "AUTH":
		return i18n.T("the server offers no login here; if it needs one, it may only offer AUTH after TLS (--tls starttls)")
	case errors.As(err, &ae) && ae.Reply.Code == 535:
		return i18n.T("check the user name and password; many providers need an app password or authorization code, not the login password")
	case errors.As(err, &tl):
		return i18n.T("the server announced this limit (SIZE); send the file another way (a link), or split it")
	case errors.Is(err, smtp.ErrLineTooLong):
		return i18n.T("send it as an attachment or encode the body (quoted-printable) so lines stay under 998 octets")
	case errors.As(err, &se) && se.Code == 530:
		return i18n.T("the server wants a login (and usually TLS) before it takes mail: give --user and a password source, with --tls starttls or implicit")
	case errors.As(err, &pe):
		return i18n.T("the server's answer does not follow SMTP; run with -v to see the dialogue (--no-pipelining helps with some broken servers)")
	}
	return ""
}

// tlsAlert is the TLS alert the server sent, or -1. crypto/tls reports a
// received alert as a *net.OpError "remote error" around its unexported
// alert type (a uint8 code).
func tlsAlert(err error) int {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return int(ae)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" && oe.Err != nil {
		if v := reflect.ValueOf(oe.Err); v.Kind() == reflect.Uint8 {
			return int(v.Uint())
		}
	}
	return -1
}
