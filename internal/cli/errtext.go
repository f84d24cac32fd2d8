package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/postie/postie/config"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

// errText is err's message in the user's language: err.Error() itself in
// English, the language the packages below the CLI write in.
func errText(err error) string {
	if i18n.Current() == i18n.EN {
		return err.Error()
	}
	return errorText(err)
}

// errorText writes err in the current language from the types of the
// errors in its chain, never from their text: the code, the address, the
// file and the server's own words stay as they are. It is i18n's
// SetErrorText in a language other than English.
//
// A layer it does not know is kept as written: an error the CLI made
// (already in the language, by i18n.Errorf), or a wrapper from below that
// puts its words in front of the error it wraps (fmt.Errorf("connect %s:
// %w")) — its words stay, the wrapped error is written in the language.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	if s, ok := typedText(err); ok {
		return s
	}
	inner := errors.Unwrap(err)
	if inner == nil {
		return err.Error()
	}
	if standalone(inner) {
		return errorText(inner) // its sentence names the file and says it all
	}
	if outer, in := err.Error(), inner.Error(); strings.HasSuffix(outer, in) {
		return outer[:len(outer)-len(in)] + errorText(inner)
	}
	return err.Error()
}

// standalone errors say everything their wrappers from below add
// ("password file is not private: ...").
func standalone(err error) bool {
	switch err.(type) {
	case *config.PermissionError, *config.CommandError:
		return true
	}
	return false
}

// typedText is the text of one layer whose type is known.
func typedText(err error) (string, bool) {
	switch e := err.(type) {
	case *exitcode.Coded:
		return errorText(e.Err), true
	case *exitcode.RecipientsError:
		parts := make([]string, len(e.Failed))
		for i, f := range e.Failed {
			parts[i] = "<" + f.Address + ">"
			if f.Err != nil {
				parts[i] = i18n.Sprintf("<%s> (%s)", f.Address, errorText(f.Err))
			}
		}
		return i18n.Sprintf("not delivered to %s", strings.Join(parts, i18n.T(", "))), true
	case *smtp.AuthError:
		return i18n.Sprintf("AUTH %s: %s: the server replied %s", e.Mechanism, authWhy(e.Reply.Code), replyText(e.Reply)), true
	case *smtp.Error:
		if e.Command == "" {
			return i18n.Sprintf("the server replied %s", replyText(e)), true
		}
		return i18n.Sprintf("%s: the server replied %s", commandName(e.Command), replyText(e)), true
	case *smtp.TimeoutError:
		return i18n.Sprintf("no complete reply within %s", e.After), true
	case *smtp.ProtocolError:
		return i18n.Sprintf("%s: protocol error: %s", e.Step, e.Reason), true
	case *smtp.SecurityError:
		return i18n.Sprintf("refused for security: %s", e.Reason), true
	case *smtp.TLSError:
		return i18n.Sprintf("TLS handshake: %s", errorText(e.Err)), true
	case *smtp.UnsupportedError:
		if e.Detail != "" {
			return i18n.Sprintf("the server does not support %s: %s", e.Extension, e.Detail), true
		}
		return i18n.Sprintf("the server does not support %s", e.Extension), true
	case *smtp.TooLargeError:
		return i18n.Sprintf("the message is %d bytes; the server accepts at most %d (SIZE)", e.Size, e.Max), true
	case x509.UnknownAuthorityError:
		return i18n.T("the certificate is signed by an authority this machine does not trust"), true
	case x509.HostnameError:
		names := e.Host
		if e.Certificate != nil {
			names = strings.Join(append(e.Certificate.DNSNames, ipStrings(e.Certificate)...), ", ")
		}
		return i18n.Sprintf("the certificate is valid for %s, not for %s", names, e.Host), true
	case x509.CertificateInvalidError:
		if e.Reason == x509.Expired {
			return i18n.T("the certificate has expired or is not yet valid"), true
		}
		return i18n.Sprintf("the certificate is not valid: %s", e.Error()), true
	case *tls.CertificateVerificationError:
		return i18n.Sprintf("the server's certificate could not be verified: %s", errorText(e.Err)), true
	case tls.RecordHeaderError:
		return i18n.T("the other side does not speak TLS here (its first bytes are not a TLS handshake)"), true
	case *net.OpError:
		if e.Op == "dial" {
			return errorText(e.Err), true // whoever dialed has named the address ("connect 1.2.3.4:25: ")
		}
		if e.Addr != nil {
			return i18n.Sprintf("%s %s: %s", opName(e.Op), e.Addr, errorText(e.Err)), true
		}
		return i18n.Sprintf("%s: %s", opName(e.Op), errorText(e.Err)), true
	case *os.SyscallError:
		return errorText(e.Err), true
	case *net.DNSError:
		switch {
		case e.IsNotFound:
			return i18n.Sprintf("no such host: %s", e.Name), true
		case e.IsTimeout:
			return i18n.Sprintf("looking up %s: the DNS server did not answer in time", e.Name), true
		}
		return i18n.Sprintf("looking up %s: %s", e.Name, e.Err), true
	case *os.PathError:
		return i18n.Sprintf("%s: %s", e.Path, errorText(e.Err)), true
	case syscall.Errno:
		if s := errnoText(e); s != "" {
			return s, true
		}
	case *config.Error:
		// Its file, line and key, as they are; then its reason.
		return strings.TrimSuffix(e.Error(), e.Err.Error()) + errorText(e.Err), true
	case *config.PermissionError:
		if e.Owner >= 0 {
			return i18n.Sprintf("%s belongs to another user (uid %d); use a file of your own", e.Path, e.Owner), true
		}
		return i18n.Sprintf("%s is mode %04o: others can read it; make it 0600 (chmod 600 %s)", e.Path, uint32(e.Mode), e.Path), true
	case *config.ValueError:
		return i18n.Sprintf("%q: want one of %s", e.Value, strings.Join(e.Want, ", ")), true
	case *config.NoAccountError:
		return i18n.Sprintf("no account %q (have: %s)", e.Name, strings.Join(e.Have, ", ")), true
	case *config.CommandError:
		what := i18n.T(e.What)
		switch {
		case e.ExitCode < 0 && e.Why == "":
			return i18n.Sprintf("the %s command printed nothing", what), true
		case e.ExitCode >= 0:
			return i18n.Sprintf("the %s command failed with exit status %d; run it yourself to see why", what, e.ExitCode), true
		}
		return i18n.Sprintf("the %s command failed (%s); run it yourself to see why", what, e.Why), true
	case *message.LineError:
		if e.Line > 0 {
			return i18n.Sprintf("line %d: %s", e.Line, e.Reason), true
		}
	case *deliver.NoMailHostError:
		return i18n.Sprintf("the domain %s has no mail host: %s", e.Domain, e.Reason), true
	case *deliver.PolicyError:
		return i18n.Sprintf("domain %s: TLS policy %s: %s", e.Domain, e.Policy, errorText(e.Err)), true
	case interface{ Unwrap() []error }:
		// smtp marks what a lost connection means for the message.
		if l := e.Unwrap(); len(l) == 2 {
			switch l[0] {
			case smtp.ErrMaybeDelivered:
				return i18n.Sprintf("%s (after the message was sent: it may have been delivered)", errorText(l[1])), true
			case smtp.ErrNotDelivered:
				return i18n.Sprintf("%s (before the message was complete: it was not delivered)", errorText(l[1])), true
			}
		}
	}
	switch err {
	case config.ErrUnknownKey:
		return i18n.T("unknown key (a typo?)"), true
	case smtp.ErrLineTooLong, message.ErrLineTooLong:
		return i18n.T("a line is longer than 998 octets"), true
	case io.EOF, io.ErrUnexpectedEOF:
		return i18n.T("the connection was closed"), true
	case context.DeadlineExceeded:
		return i18n.T("timed out"), true
	case context.Canceled:
		return i18n.T("interrupted"), true
	}
	return "", false
}

// replyText is a refusal as the server gave it: code, enhanced code and
// its own words (decoded when a Chinese provider sent GBK).
func replyText(e *smtp.Error) string {
	s := strconv.Itoa(e.Code)
	if ec := e.Enhanced.String(); ec != "" {
		s += " " + ec
	}
	if e.Message != "" {
		s += " " + decodeServerText(e.Message)
	}
	return s
}

// commandName is how smtp.Error names the command: MAIL and RCPT with
// their address, others by their verb (never an AUTH payload).
func commandName(cmd string) string {
	if strings.HasPrefix(cmd, "MAIL") || strings.HasPrefix(cmd, "RCPT") {
		return cmd
	}
	verb, _, _ := strings.Cut(cmd, " ")
	return verb
}

// authWhy says what a refused AUTH's code means (RFC 4954 §6).
func authWhy(code int) string {
	switch code {
	case 535:
		return i18n.T("credentials rejected")
	case 534:
		return i18n.T("the server requires a stronger mechanism or a login through the web first")
	case 454:
		return i18n.T("temporary authentication failure")
	case 538:
		return i18n.T("the server requires encryption for this mechanism")
	case 530:
		return i18n.T("authentication required")
	}
	return i18n.T("authentication failed")
}

// opName says what a network operation was doing.
func opName(op string) string {
	switch op {
	case "read":
		return i18n.T("reading from")
	case "write":
		return i18n.T("writing to")
	}
	return op
}

// errnoText says the system errors users meet, in the language.
func errnoText(e syscall.Errno) string {
	switch e {
	case syscall.ECONNREFUSED:
		return i18n.T("connection refused")
	case syscall.ECONNRESET:
		return i18n.T("connection reset by the other side")
	case syscall.ETIMEDOUT:
		return i18n.T("timed out")
	case syscall.EPIPE:
		return i18n.T("the connection was closed")
	case syscall.ENETUNREACH:
		return i18n.T("network unreachable")
	case syscall.EHOSTUNREACH:
		return i18n.T("host unreachable")
	case syscall.ENOENT:
		return i18n.T("no such file or directory")
	case syscall.EACCES, syscall.EPERM:
		return i18n.T("permission denied")
	case syscall.EEXIST:
		return i18n.T("the file already exists")
	case syscall.EISDIR:
		return i18n.T("is a directory")
	case syscall.ENOSPC:
		return i18n.T("no space left on the device")
	case syscall.EADDRINUSE:
		return i18n.T("the address is already in use")
	}
	return ""
}
