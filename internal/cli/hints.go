package cli

import (
	"crypto/x509"
	"errors"
	"strings"
	"syscall"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/smtp"
)

// hintFor returns the "postie: hint:" line for err: the likely fix.
func hintFor(err error) string {
	var c *exitcode.Coded
	if errors.As(err, &c) && c.Hint != "" {
		return c.Hint
	}
	var te *smtp.TLSError
	if errors.As(err, &te) {
		var ua x509.UnknownAuthorityError
		var he x509.HostnameError
		var ci x509.CertificateInvalidError
		msg := te.Err.Error()
		switch {
		case strings.Contains(msg, "first record does not look like a TLS handshake"):
			return "the server answered in plain text: this port wants STARTTLS; use --tls starttls (usually port 587 or 25), or port 465 for implicit TLS"
		case errors.As(err, &ua):
			return "the certificate is not signed by a CA this machine trusts; give the CA with --cacert FILE"
		case errors.As(err, &he):
			return "the certificate is for another name; connect using the name it lists"
		case errors.As(err, &ci) && ci.Reason == x509.Expired:
			return "the server's certificate has expired (or this machine's clock is wrong)"
		case strings.Contains(msg, "protocol version"):
			return "the server offers only TLS older than 1.2, which postie refuses"
		}
		return ""
	}
	var to *smtp.TimeoutError
	if errors.As(err, &to) && to.Step == "greeting" {
		return "no greeting from the server: if this port expects implicit TLS (usually 465), use --tls implicit"
	}
	var sec *smtp.SecurityError
	if errors.As(err, &sec) && strings.Contains(sec.Reason, "STARTTLS") {
		return "use --tls implicit for a port-465 server; a server without TLS can only be used without logging in (--tls none)"
	}
	if errors.Is(err, smtp.ErrMaybeDelivered) {
		return "check the recipient's mailbox before sending again: a retry may deliver a second copy"
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "nothing is listening there; check the host and port (--server HOST:PORT)"
	}
	var ue *smtp.UnsupportedError
	if errors.As(err, &ue) && ue.Extension == "AUTH" {
		return "the server offers no login here; if it needs one, it may only offer AUTH after TLS (--tls starttls)"
	}
	var ae *smtp.AuthError
	if errors.As(err, &ae) && ae.Reply.Code == 535 {
		return "check the user name and password; many providers need an app password or authorization code, not the login password"
	}
	var tl *smtp.TooLargeError
	if errors.As(err, &tl) {
		return "the server announced this limit (SIZE); send the file another way (a link), or split it"
	}
	if errors.Is(err, smtp.ErrLineTooLong) {
		return "send it as an attachment or encode the body (quoted-printable) so lines stay under 998 octets"
	}
	return ""
}
