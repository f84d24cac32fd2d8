// Package deliver gets a message to servers: through a relay (smarthost)
// with Relay, or straight to the recipients' mail exchangers with Direct.
// It chooses servers and TLS policy; package smtp speaks to each one.
package deliver

import (
	"context"
	"crypto/tls"

	"github.com/postie/postie/smtp"
)

// Relay sends through one submission server (a smarthost), as a mail
// client does: TLS as configured, then AUTH when credentials are given.
type Relay struct {
	Addr        string // host:port
	TLS         smtp.TLSMode
	TLSConfig   *tls.Config
	Credentials *smtp.Credentials // nil: no AUTH
	Mechanism   string            // "" chooses the strongest offered
	Options     smtp.Options      // timeouts, trace, local name, dialer...

	// BeforeSend, when set, runs after the session is open and before
	// the transaction: the caller may adapt the envelope to what the
	// server offers (e.g. fall back to 7-bit without 8BITMIME).
	BeforeSend func(ext smtp.Extensions) error
}

// Send connects, authenticates, runs the transaction(s) and says QUIT,
// pipelined behind the message's end (smtp.Client.SendAndQuit: the
// fewest round trips the server allows).
func (r *Relay) Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	c, err := r.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if r.BeforeSend != nil {
		if err := r.BeforeSend(c.Extensions()); err != nil {
			c.Quit(ctx)
			return nil, err
		}
	}
	// Internationalised domains go as A-labels to a server without
	// SMTPUTF8; a non-ASCII local part cannot, and is refused here.
	e, restore, err := envelopeFor(env, c.Extensions())
	if err != nil {
		c.Quit(ctx)
		return nil, err
	}
	res, err := c.SendAndQuit(ctx, e, body)
	restore(res)
	return res, err
}

// Connect opens an authenticated session, for callers that send several
// messages over one connection.
func (r *Relay) Connect(ctx context.Context) (*smtp.Client, error) {
	o := r.Options
	o.TLS = r.TLS
	o.TLSConfig = r.TLSConfig
	c, err := smtp.Dial(ctx, r.Addr, &o)
	if err != nil {
		return nil, err
	}
	if r.Credentials != nil {
		m, err := c.ChooseMechanism(*r.Credentials, r.Mechanism)
		if err == nil {
			err = c.Auth(ctx, m)
		}
		if err != nil {
			c.Quit(ctx)
			return nil, err
		}
	}
	return c, nil
}
