package outbox

import (
	"context"
	"errors"

	"github.com/postie/postie/smtp"
)

type verdict uint8

const (
	vDeferred     verdict = iota // try again later
	vFailed                      // permanent
	vUnknown                     // may have been delivered
	vNotAttempted                // nothing reached the server; the state stays
	vCorrupt                     // the stored bytes are damaged: quarantine
)

// classify maps an error from the engine to what the outbox does next.
// Only types are consulted, never the error text.
func classify(err error) verdict {
	var ce *CorruptError
	var se *smtp.Error
	var tl *smtp.TooLargeError
	var ue *smtp.UnsupportedError
	var pe *permanent
	switch {
	case errors.As(err, &ce):
		return vCorrupt
	case errors.Is(err, smtp.ErrMaybeDelivered):
		// Lost after the end of the message: the server may have it.
		return vUnknown
	case errors.Is(err, context.Canceled):
		// The runner is stopping and nothing was completed on the wire
		// (a cancel after the final dot surfaces as ErrMaybeDelivered).
		return vNotAttempted
	case errors.As(err, &pe):
		return vFailed
	case errors.As(err, &se):
		if se.Temporary() {
			return vDeferred
		}
		return vFailed
	case errors.As(err, &tl), errors.As(err, &ue), errors.Is(err, smtp.ErrInvalidArgument), errors.Is(err, smtp.ErrLineTooLong):
		// The same server will refuse the same message the same way.
		return vFailed
	}
	// Timeouts, refused or lost connections, TLS and protocol trouble:
	// temporary, as Postfix treats them.
	return vDeferred
}
