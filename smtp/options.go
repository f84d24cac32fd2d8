package smtp

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// TLSMode says how the connection is protected. It is always chosen by the
// caller, never guessed from the port.
type TLSMode int

const (
	// TLSStartTLS upgrades with STARTTLS (RFC 3207) and fails if the
	// server does not offer it. The zero value: secure by default.
	TLSStartTLS TLSMode = iota
	// TLSImplicit speaks TLS from the first byte (RFC 8314, port 465).
	TLSImplicit
	// TLSOpportunistic uses STARTTLS when offered and plain text when not.
	// Credentials are still never sent in clear (see AllowInsecureAuth).
	TLSOpportunistic
	// TLSNone never starts TLS.
	TLSNone
)

func (m TLSMode) String() string {
	switch m {
	case TLSStartTLS:
		return "starttls"
	case TLSImplicit:
		return "implicit"
	case TLSOpportunistic:
		return "opportunistic"
	case TLSNone:
		return "none"
	}
	return "unknown"
}

// Timeouts bound each network wait. A timeout covers a command and its
// whole reply, so a server dripping one byte a second still times out.
// Zero fields take the RFC 5321 §4.5.3.2 defaults.
type Timeouts struct {
	Connect   time.Duration // TCP connect and TLS handshake (default 30s)
	Greeting  time.Duration // the 220 greeting (5 min)
	Command   time.Duration // EHLO, STARTTLS, AUTH, RSET, NOOP, QUIT (5 min)
	Mail      time.Duration // MAIL FROM (5 min)
	Rcpt      time.Duration // each RCPT TO (5 min)
	DataInit  time.Duration // the 354 after DATA (2 min)
	DataBlock time.Duration // each write of message data (3 min)
	DataTerm  time.Duration // the reply after the final dot (10 min)
}

// DefaultTimeouts returns the RFC 5321 §4.5.3.2 values.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Connect:   30 * time.Second,
		Greeting:  5 * time.Minute,
		Command:   5 * time.Minute,
		Mail:      5 * time.Minute,
		Rcpt:      5 * time.Minute,
		DataInit:  2 * time.Minute,
		DataBlock: 3 * time.Minute,
		DataTerm:  10 * time.Minute,
	}
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts()
	for _, p := range []struct{ v, def *time.Duration }{
		{&t.Connect, &d.Connect}, {&t.Greeting, &d.Greeting}, {&t.Command, &d.Command},
		{&t.Mail, &d.Mail}, {&t.Rcpt, &d.Rcpt}, {&t.DataInit, &d.DataInit},
		{&t.DataBlock, &d.DataBlock}, {&t.DataTerm, &d.DataTerm},
	} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return t
}

// Dialer opens the TCP connection; *net.Dialer satisfies it, and tests or
// proxies can pass their own.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Direction tells a trace consumer which way a line went.
type Direction int

const (
	Sent     Direction = iota // a command line from the client
	Received                  // a reply line from the server
	Info                      // an event: connection, TLS handshake
	DataSent                  // a line of message content (only with TraceData)
)

// TraceFunc receives every line of the dialogue. AUTH payloads and every
// response to a 334 challenge arrive already replaced by "<redacted>", so
// no consumer can leak a credential. Server lines arrive raw: escape them
// before printing to a terminal.
type TraceFunc func(dir Direction, line string)

// Options configure a Client. The zero value is usable: STARTTLS required,
// certificates verified, RFC timeouts, no trace.
type Options struct {
	Dialer    Dialer      // default: &net.Dialer{}
	TLS       TLSMode     // default: TLSStartTLS
	TLSConfig *tls.Config // cloned; ServerName defaults to the host, MinVersion raised to TLS 1.2
	LocalName string      // EHLO/HELO argument; default "localhost"
	Timeouts  Timeouts
	Trace     TraceFunc
	TraceData bool // also trace message content lines (DataSent)

	// AllowInsecureAuth permits credentials over a connection without TLS.
	// Only an explicit user choice should set it.
	AllowInsecureAuth bool

	DisablePipelining bool
	DisableChunking   bool
}
