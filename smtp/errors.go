package smtp

import (
	"errors"
	"fmt"
	"strings"
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
	Message  string       // reply text, lines joined with "; "
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

// ErrMaybeDelivered is wrapped by the error returned when the connection
// broke after the message's end was sent but before the server's reply
// arrived: the server may have accepted the message. Retrying risks a
// duplicate; not retrying risks a loss. Callers must tell the user.
var ErrMaybeDelivered = errors.New("connection lost after the message was sent; it may have been delivered")

// ErrInvalidArgument is wrapped when a command argument contains bytes
// that could inject a command (CR, LF, NUL) or is otherwise malformed.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrLineTooLong is returned by the data writer for a line over 998 octets
// (RFC 5321 §4.5.3.1.6). Such a message must be re-encoded by the caller;
// the engine never cuts a line.
var ErrLineTooLong = errors.New("message has a line longer than 998 octets")

// IsTemporary reports whether err is a transient failure worth retrying:
// a 4xx reply, a timeout, or a network error.
func IsTemporary(err error) bool {
	var se *Error
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var pe *ProtocolError
	var sec *SecurityError
	if errors.As(err, &pe) || errors.As(err, &sec) || errors.Is(err, ErrInvalidArgument) || errors.Is(err, ErrLineTooLong) {
		return false
	}
	return err != nil
}

// maybeDelivered wraps a failure that happened after the final dot was
// sent: errors.Is(err, ErrMaybeDelivered) holds, and the cause is kept.
type maybeDelivered struct{ err error }

func (e *maybeDelivered) Error() string {
	return e.err.Error() + " (after the message was sent: it may have been delivered)"
}
func (e *maybeDelivered) Unwrap() []error { return []error{ErrMaybeDelivered, e.err} }
