package smtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// EnhancedCode is an RFC 3463 enhanced status code such as 5.7.8.
// The zero value means the reply carried none.
type EnhancedCode [3]int

func (e EnhancedCode) String() string {
	if e == (EnhancedCode{}) {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", e[0], e[1], e[2])
}

// Error is a reply from the server that refused a command. It carries the
// command (with secrets already redacted), the codes and the server's text.
type Error struct {
	Command  string       // e.g. "RCPT TO:<bob@example.com>"; AUTH payloads never appear
	Code     int          // basic reply code, 400..599
	Enhanced EnhancedCode // zero when the server sent none
	Message  string       // reply text, lines joined as a sentence (see Reply.Text)
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Command != "" {
		b.WriteString(verb(e.Command))
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "server replied %d", e.Code)
	if e.Enhanced != (EnhancedCode{}) {
		b.WriteString(" " + e.Enhanced.String())
	}
	if e.Message != "" {
		b.WriteString(" " + e.Message)
	}
	return b.String()
}

// Temporary reports whether the failure is transient (4xx): the same
// command may succeed later.
func (e *Error) Temporary() bool { return e.Code >= 400 && e.Code < 500 }

func verb(cmd string) string {
	if i := strings.IndexByte(cmd, ':'); i > 0 && (strings.HasPrefix(cmd, "MAIL") || strings.HasPrefix(cmd, "RCPT")) {
		return cmd
	}
	if i := strings.IndexByte(cmd, ' '); i > 0 {
		return cmd[:i]
	}
	return cmd
}

// replyError turns a reply the caller did not want into an error: an
// *Error for 4xx/5xx, a *ProtocolError for a success code out of place.
func replyError(cmd string, rep *Reply) error {
	if rep.Code < 400 {
		return &ProtocolError{Step: verb(cmd), Reason: fmt.Sprintf("unexpected reply %s", clip(rep.String(), 200))}
	}
	return &Error{Command: cmd, Code: rep.Code, Enhanced: rep.Enhanced, Message: rep.Text()}
}

// ProtocolError means the server broke the protocol: a malformed or
// oversized reply, a reply out of phase, or bytes injected where none may be.
type ProtocolError struct {
	Step   string
	Reason string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("%s: protocol error: %s", e.Step, e.Reason)
}

// SecurityError means postie refused to go on because a security
// requirement could not be met (no STARTTLS, credentials in clear, ...).
type SecurityError struct {
	Reason string
}

func (e *SecurityError) Error() string { return e.Reason }

// TLSError is a failed TLS handshake: certificate not trusted, wrong
// host, protocol too old, or a peer that does not speak TLS at all.
type TLSError struct{ Err error }

func (e *TLSError) Error() string { return "TLS handshake: " + e.Err.Error() }
func (e *TLSError) Unwrap() error { return e.Err }

// TimeoutError reports a step that did not complete in time.
type TimeoutError struct {
	Step  string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no complete reply within %s", e.After)
}

// Timeout reports true: a *TimeoutError is a net.Error-style timeout.
func (e *TimeoutError) Timeout() bool { return true }

// Temporary reports true: the same step may complete another time.
func (e *TimeoutError) Temporary() bool { return true }

// UnsupportedError means the server lacks an extension the caller needs.
type UnsupportedError struct {
	Extension string
	Detail    string
}

func (e *UnsupportedError) Error() string {
	s := "server does not support " + e.Extension
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// TooLargeError means the message exceeds the server's announced SIZE.
type TooLargeError struct{ Size, Max int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("message is %d bytes; the server accepts at most %d (SIZE)", e.Size, e.Max)
}

// AuthError is a refused AUTH exchange. Code tells the cases apart:
// 535 bad credentials, 534 mechanism too weak or web login required,
// 454 temporary server failure, 538 encryption required. The server's
// text has been scrubbed of the credential (see Client.Auth).
type AuthError struct {
	Mechanism string
	Reply     *Error
}

func (e *AuthError) Error() string {
	var why string
	r := e.Reply
	switch r.Code {
	case 535:
		why = "credentials rejected"
	case 534:
		why = "server requires a stronger mechanism or a login through the web first"
	case 454:
		why = "temporary authentication failure"
	case 538:
		why = "server requires encryption for this mechanism"
	case 530:
		why = "authentication required"
	default:
		why = "authentication failed"
	}
	s := fmt.Sprintf("AUTH %s: %s: server replied %d", e.Mechanism, why, r.Code)
	if r.Enhanced != (EnhancedCode{}) {
		s += " " + r.Enhanced.String()
	}
	if r.Message != "" {
		s += " " + r.Message
	}
	return s
}

func (e *AuthError) Unwrap() error { return e.Reply }

// ErrMaybeDelivered is wrapped by the error returned when the connection
// broke after the message's end (the final dot, or BDAT LAST with its
// last octet) was completely sent but before the server's reply arrived:
// the server may have accepted the message. Retrying risks a duplicate;
// not retrying risks a loss. Callers must tell the user.
var ErrMaybeDelivered = errors.New("connection lost after the message was sent; it may have been delivered")

// ErrNotDelivered is wrapped by the error returned when the connection
// ended (lost, reset, timed out, cancelled, closed by a 421, or closed by
// the engine because the message could not be read or sent as it is)
// before the message's end was completely sent: the server cannot have
// accepted the message, so sending it again cannot make a duplicate.
// A server's refusal (*Error) on a connection that stays open does not
// wrap it: the reply itself says what happened.
var ErrNotDelivered = errors.New("the message was certainly not delivered")

// ErrInvalidArgument is wrapped when a command argument contains bytes
// that could inject a command (CR, LF, NUL) or is otherwise malformed.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrLineTooLong is returned by the data writer for a line over 998 octets
// (RFC 5321 §4.5.3.1.6). Such a message must be re-encoded by the caller;
// the engine never cuts a line.
var ErrLineTooLong = errors.New("message has a line longer than 998 octets")

// maybeDelivered wraps a failure that happened after the message's end
// was sent: errors.Is(err, ErrMaybeDelivered) holds, and the cause is kept.
type maybeDelivered struct{ err error }

func (e *maybeDelivered) Error() string {
	return e.err.Error() + " (after the message was sent: it may have been delivered)"
}
func (e *maybeDelivered) Unwrap() []error { return []error{ErrMaybeDelivered, e.err} }

// notDelivered wraps a failure that ended the connection before the
// message's end was sent: errors.Is(err, ErrNotDelivered) holds.
type notDelivered struct{ err error }

func (e *notDelivered) Error() string {
	return e.err.Error() + " (before the message was complete: it was not delivered)"
}
func (e *notDelivered) Unwrap() []error { return []error{ErrNotDelivered, e.err} }

// outcome marks err with what it means for a message in flight: after
// its end was sent, "may have been delivered"; before, "not delivered".
// An error already marked keeps its mark.
func outcome(err error, endSent bool) error {
	if err == nil || errors.Is(err, ErrMaybeDelivered) || errors.Is(err, ErrNotDelivered) {
		return err
	}
	if endSent {
		return &maybeDelivered{err: err}
	}
	return &notDelivered{err: err}
}

// IsTemporary reports whether err is a transient failure that the same
// attempt may overcome later. True for exactly these:
//   - a 4xx reply (*Error, also inside *AuthError, e.g. 454), including
//     421 "service not available, closing";
//   - a *TimeoutError, context.DeadlineExceeded or a net.Error timeout;
//   - a connection refused, reset, aborted or lost (EOF) and unreachable
//     hosts or networks, before or after the message's end (check
//     ErrMaybeDelivered first: a resend after it may duplicate), except
//     inside a *TLSError (a peer that drops the handshake is usually one
//     that does not speak TLS there);
//   - a DNS failure the resolver calls temporary or a time-out.
//
// Everything else is false, and so is an error IsTemporary does not
// recognise: a 5xx, a protocol or TLS failure, a refused argument, a
// cancelled context, and any bug must not be retried forever.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var se *Error
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var tlsErr *TLSError
	if errors.Is(err, context.Canceled) || errors.As(err, &tlsErr) {
		return false
	}
	var te *TimeoutError
	if errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTemporary || dnsErr.IsTimeout
	}
	for _, lost := range connectionLost {
		if errors.Is(err, lost) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// connectionLost are the errors of a connection that could not be made or
// went away: the server (or the path to it) may be back later.
var connectionLost = []error{
	io.EOF, io.ErrUnexpectedEOF,
	syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
	syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN, syscall.EHOSTDOWN,
}
