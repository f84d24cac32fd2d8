package smtp

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// DSNReturn is how much of the message a bounce returns (RFC 3461 §4.3,
// MAIL FROM ... RET=). The zero value leaves it to the server.
type DSNReturn string

const (
	DSNReturnFull    DSNReturn = "FULL" // the whole message
	DSNReturnHeaders DSNReturn = "HDRS" // the header only
)

// ParseDSNReturn reads "full" or "hdrs" (any case; "" is the zero value).
// Anything else wraps ErrInvalidArgument.
func ParseDSNReturn(s string) (DSNReturn, error) {
	r := DSNReturn(strings.ToUpper(strings.TrimSpace(s)))
	return r, r.validate()
}

func (r DSNReturn) validate() error {
	switch r {
	case "", DSNReturnFull, DSNReturnHeaders:
		return nil
	}
	return fmt.Errorf("DSN RET %q: %w: want FULL or HDRS", clip(string(r), 40), ErrInvalidArgument)
}

// DSNNotify says when a recipient's delivery status notification is
// wanted (RFC 3461 §4.1, RCPT TO ... NOTIFY=): NotifyNever alone, or any
// of the other three. The zero value leaves it to the server.
type DSNNotify uint8

const (
	NotifySuccess DSNNotify = 1 << iota
	NotifyFailure
	NotifyDelay
	NotifyNever
)

var notifyNames = []struct {
	flag DSNNotify
	name string
}{{NotifyNever, "NEVER"}, {NotifySuccess, "SUCCESS"}, {NotifyFailure, "FAILURE"}, {NotifyDelay, "DELAY"}}

// ParseDSNNotify reads "never" or a comma-separated list of "success",
// "failure" and "delay" (any case; "" is the zero value). Anything else,
// and NEVER together with another, wraps ErrInvalidArgument.
func ParseDSNNotify(s string) (DSNNotify, error) {
	var n DSNNotify
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
next:
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		for _, nn := range notifyNames {
			if f == nn.name {
				n |= nn.flag
				continue next
			}
		}
		return 0, fmt.Errorf("DSN NOTIFY %q: %w: want NEVER, or any of SUCCESS, FAILURE, DELAY", clip(f, 40), ErrInvalidArgument)
	}
	return n, n.validate()
}

func (n DSNNotify) validate() error {
	if n&NotifyNever != 0 && n != NotifyNever || n > NotifySuccess|NotifyFailure|NotifyDelay|NotifyNever {
		return fmt.Errorf("DSN NOTIFY %s: %w: NEVER excludes the others", n, ErrInvalidArgument)
	}
	return nil
}

// String is the NOTIFY= value, e.g. "SUCCESS,FAILURE".
func (n DSNNotify) String() string {
	var names []string
	for _, nn := range notifyNames {
		if n&nn.flag != 0 {
			names = append(names, nn.name)
		}
	}
	return strings.Join(names, ",")
}

// MailOptions are the MAIL FROM parameters.
type MailOptions struct {
	Size     int64     // SIZE= (RFC 1870) when > 0 and the server announces SIZE
	Body8Bit bool      // the content has 8-bit bytes: BODY=8BITMIME (RFC 6152)
	SMTPUTF8 bool      // force SMTPUTF8 (RFC 6531); set automatically for non-ASCII addresses
	DSNRet   DSNReturn // RET= (RFC 3461), sent only if the server offers DSN
	DSNEnvID string    // ENVID=, xtext-encoded by the engine
}

// RcptOptions are the RCPT TO parameters (RFC 3461 DSN), sent only if
// the server offers DSN.
type RcptOptions struct {
	Notify DSNNotify
	ORcpt  string // original recipient, sent as ORCPT=rfc822;<xtext>
}

// Envelope is who a message is from and to, with the ESMTP parameters.
type Envelope struct {
	From string // "" for the null reverse-path <>
	To   []string
	Mail MailOptions
	Rcpt RcptOptions
}

// Body opens the message content. Send may open it more than once (one
// transaction per batch of recipients), so it is a source, not a reader.
type Body func() (io.ReadCloser, error)

// BytesBody is a Body over bytes in memory.
func BytesBody(b []byte) Body {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// Job is one message for SendEach and SendAll.
type Job struct {
	Env  *Envelope
	Body Body
}

// RcptState is what became of one recipient.
type RcptState int

const (
	// RcptNotDelivered: the recipient did not get the message because its
	// transaction failed or never ran (the message was refused after RCPT,
	// or the connection ended before the message's end). Err says why.
	RcptNotDelivered RcptState = iota
	// RcptRefused: the server refused RCPT TO for this recipient; Reply is
	// its answer and Err the matching *Error (4xx: may succeed later).
	RcptRefused
	// RcptDelivered: the server took the message for this recipient.
	RcptDelivered
	// RcptMaybeDelivered: the connection ended after the message's end was
	// sent and before the reply: the server may have taken it.
	RcptMaybeDelivered
)

func (s RcptState) String() string {
	switch s {
	case RcptNotDelivered:
		return "not delivered"
	case RcptRefused:
		return "refused"
	case RcptDelivered:
		return "delivered"
	case RcptMaybeDelivered:
		return "maybe delivered"
	}
	return fmt.Sprintf("RcptState(%d)", int(s))
}

// RcptStatus is the outcome for one recipient.
type RcptStatus struct {
	Address string
	State   RcptState
	Reply   *Reply // the reply to RCPT TO; nil if it was never sent or answered
	Err     error  // why it was not (certainly) delivered; nil when delivered
}

// Transaction is one MAIL FROM ... end of message on the connection.
type Transaction struct {
	Recipients []string // accepted at RCPT in this transaction
	Final      *Reply   // the reply to the message's end; nil if none came
	QueueID    string   // the server's id for the message, when it gave one
}

// Result reports what happened to each recipient. One Send may run
// several transactions (a server that answers 452 "too many recipients"
// takes the rest in a further one); each has its own final reply.
type Result struct {
	Recipients   []RcptStatus
	Transactions []Transaction
	Final        *Reply // the last transaction's final reply (each is in Transactions)
	QueueID      string // the last transaction's queue id (each is in Transactions)
}

// Delivered lists the addresses that got the message.
func (r *Result) Delivered() (out []string) {
	for _, s := range r.Recipients {
		if s.State == RcptDelivered {
			out = append(out, s.Address)
		}
	}
	return out
}

// Failed lists the recipients that did not (certainly) get the message.
func (r *Result) Failed() (out []RcptStatus) {
	for _, s := range r.Recipients {
		if s.State != RcptDelivered {
			out = append(out, s)
		}
	}
	return out
}
