// Package exitcode maps errors to sysexits(3) codes: the one place that
// decides how postie exits, so scripts can act on the code.
package exitcode

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"strings"
	"syscall"

	"github.com/postie/postie/deliver"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

// The codes postie uses (sysexits.h, plus 79 for "may have been
// delivered" and 130 for an interrupt).
const (
	OK          = 0
	Usage       = 64 // bad command line
	DataErr     = 65 // bad message or address
	NoInput     = 66 // input file missing or unreadable
	NoUser      = 67 // a recipient permanently rejected
	NoHost      = 68 // domain has no mail host
	Unavailable = 69 // permanent refusal or security policy
	Software    = 70 // internal error
	CantCreat   = 73 // cannot create a local file
	IOErr       = 74 // cannot write a local file
	TempFail    = 75 // try again later
	Protocol    = 76 // the server broke the protocol
	NoPerm      = 77 // authentication rejected
	Config      = 78 // bad configuration or missing secret
	// MaybeSent: the connection was lost after the whole message was
	// sent and before the server's answer; it may have been delivered.
	// Not a sysexits code: 75 would tell a script to resend, which may
	// deliver a second copy.
	MaybeSent   = 79
	Interrupted = 130
)

// Coded is an error that knows its exit code (usage, config, input...).
type Coded struct {
	Code int
	Err  error
	Hint string // optional "postie: hint:" line
}

func (e *Coded) Error() string { return e.Err.Error() }
func (e *Coded) Unwrap() error { return e.Err }

// With wraps err with a code and an optional hint.
func With(code int, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Coded{Code: code, Err: err, Hint: hint}
}

// RecipientsError reports recipients that did not get the message while
// others did (or none did).
type RecipientsError struct {
	Failed    []smtp.RcptStatus
	Permanent bool
}

func (e *RecipientsError) Error() string {
	s := "not delivered to"
	for i, f := range e.Failed {
		if i > 0 {
			s += ","
		}
		s += " <" + f.Address + ">"
		if f.Err != nil {
			s += " (" + f.Err.Error() + ")"
		}
	}
	return s
}

// For returns the exit code for err.
func For(err error) int {
	if err == nil {
		return OK
	}
	var c *Coded
	if errors.As(err, &c) {
		return c.Code
	}
	// Whatever ended the session after the message's end was sent (a
	// reset, a time-out, Ctrl-C), the message may have been delivered.
	if errors.Is(err, smtp.ErrMaybeDelivered) {
		return MaybeSent
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	var re *RecipientsError
	if errors.As(err, &re) {
		if re.Permanent {
			return NoUser
		}
		return TempFail
	}
	var ae *smtp.AuthError
	if errors.As(err, &ae) {
		switch ae.Reply.Code {
		case 454:
			return TempFail
		case 538:
			return Unavailable
		}
		return NoPerm
	}
	// Before the TLS errors it wraps: a domain's own TLS policy (DANE,
	// MTA-STS) that no MX met is temporary; one the domain does not
	// publish, though --tls-policy demands it, is a refusal.
	var tp *deliver.PolicyError
	if errors.As(err, &tp) {
		if tp.Temporary() {
			return TempFail
		}
		return Unavailable
	}
	var pe *smtp.ProtocolError
	if errors.As(err, &pe) {
		return Protocol
	}
	var sec *smtp.SecurityError
	var te *smtp.TLSError
	var ue *smtp.UnsupportedError
	var tl *smtp.TooLargeError
	if errors.As(err, &sec) || errors.As(err, &te) || errors.As(err, &ue) || errors.As(err, &tl) {
		return Unavailable
	}
	var fe *message.FieldError
	if errors.As(err, &fe) || errors.Is(err, smtp.ErrInvalidArgument) || errors.Is(err, smtp.ErrLineTooLong) || errors.Is(err, message.ErrNoHeader) {
		return DataErr
	}
	var se *smtp.Error
	if errors.As(err, &se) {
		if se.Temporary() {
			return TempFail
		}
		if strings.HasPrefix(se.Command, "RCPT") {
			return NoUser
		}
		if se.Code == 530 {
			return NoPerm
		}
		return Unavailable
	}
	var nmh *deliver.NoMailHostError
	if errors.As(err, &nmh) {
		return NoHost
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		// A relay's name that does not exist will not exist on a retry
		// either. (A recipient domain without mail host, --direct, is a
		// NoMailHostError: 68.)
		if dnsErr.IsNotFound {
			return Unavailable
		}
		return TempFail
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return TempFail
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return TempFail
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return NoInput
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return TempFail // the server went away
	}
	// Whatever else ended the session before the message's end was
	// sent, the message was certainly not delivered: safe to send again.
	if errors.Is(err, smtp.ErrNotDelivered) {
		return TempFail
	}
	return Software
}

// Temporary reports whether trying again later may succeed: the errors
// For maps to TempFail. An error postie does not recognise is not
// temporary: a bug must not be retried forever (by a script or the
// outbox).
func Temporary(err error) bool { return err != nil && For(err) == TempFail }
