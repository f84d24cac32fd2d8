package exitcode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"syscall"
	"testing"

	"github.com/postie/postie/deliver"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

func TestMapping(t *testing.T) {
	for want, errs := range map[int][]error{
		OK:          {nil},
		Usage:       {With(Usage, errors.New("x"), "")},
		DataErr:     {&message.FieldError{Field: "Subject"}, fmt.Errorf("x: %w", smtp.ErrInvalidArgument), smtp.ErrLineTooLong},
		NoInput:     {&fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}},
		NoUser:      {&RecipientsError{Permanent: true}, &smtp.Error{Command: "RCPT TO:<x@y>", Code: 550}},
		NoHost:      {fmt.Errorf("x: %w", &deliver.NoMailHostError{Domain: "x"})},
		Unavailable: {&net.DNSError{Err: "no such host", IsNotFound: true}, &deliver.PolicyError{Permanent: true}, &smtp.SecurityError{}, &smtp.TLSError{Err: errors.New("x")}, &smtp.UnsupportedError{Extension: "STARTTLS"}, &smtp.Error{Command: "MAIL FROM:<a@b>", Code: 554}, &smtp.AuthError{Reply: &smtp.Error{Code: 538}}},
		Software:    {errors.New("unexplained")},
		TempFail:    {&deliver.PolicyError{Err: &smtp.TLSError{Err: errors.New("x")}}, &deliver.PolicyError{Err: &smtp.SecurityError{}}, &smtp.Error{Code: 451}, &RecipientsError{}, syscall.ECONNREFUSED, io.EOF, &smtp.TimeoutError{}, fmt.Errorf("x: %w", smtp.ErrNotDelivered), &smtp.AuthError{Reply: &smtp.Error{Code: 454}}, context.DeadlineExceeded},
		Protocol:    {&smtp.ProtocolError{}},
		NoPerm:      {&smtp.AuthError{Reply: &smtp.Error{Code: 535}}, &smtp.AuthError{Reply: &smtp.Error{Code: 534}}},
		Interrupted: {context.Canceled},
		MaybeSent:   {fmt.Errorf("x: %w", smtp.ErrMaybeDelivered), fmt.Errorf("%w: %w", smtp.ErrMaybeDelivered, context.Canceled), fmt.Errorf("%w: %w", smtp.ErrMaybeDelivered, io.EOF)},
	} {
		for _, err := range errs {
			if got := For(err); got != want {
				t.Errorf("For(%#v) = %d, want %d", err, got, want)
			}
		}
	}
}

func TestTemporary(t *testing.T) {
	for _, err := range []error{&smtp.Error{Code: 451}, syscall.ECONNREFUSED, &smtp.TimeoutError{}, io.EOF} {
		if !Temporary(err) {
			t.Errorf("Temporary(%#v) = false", err)
		}
	}
	for _, err := range []error{nil, errors.New("a bug"), fmt.Errorf("wrapped: %w", errors.New("unknown")), &smtp.Error{Code: 550}, &smtp.ProtocolError{}, With(Config, errors.New("x"), "")} {
		if Temporary(err) {
			t.Errorf("Temporary(%#v) = true; unknown and permanent errors are not temporary", err)
		}
	}
}
