package deliver

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/smtp"
)

// Probe is what one MX host showed when asked, without sending mail.
type Probe struct {
	Greeting   string
	Extensions smtp.Extensions
	TLS        *tls.ConnectionState // nil: no STARTTLS
	DANE       *dane.Match          // the TLSA record the certificate matches
	DANEErr    error                // why it matches none (when TLSA apply)
	PKIXErr    error                // why the certificate is not valid for the host name (nil: valid)
	Deliver    bool                 // the host's policy level would accept this connection
	Why        string               // why not, when Deliver is false
}

// Probe connects to h (opportunistic STARTTLS, no check in the
// handshake), says QUIT, and judges the connection as the plan's level
// would: for 'postie check --direct'.
func (d *Direct) Probe(ctx context.Context, h HostPlan) (*Probe, error) {
	o := d.Options
	cfg := &tls.Config{}
	if d.Options.TLSConfig != nil {
		cfg = d.Options.TLSConfig.Clone()
	}
	cfg.ServerName, cfg.InsecureSkipVerify, cfg.VerifyConnection = h.Host, true, nil
	o.TLS, o.TLSConfig = smtp.TLSOpportunistic, cfg
	c, err := smtp.Dial(ctx, net.JoinHostPort(h.Host, d.port()), &o)
	if err != nil {
		return nil, err
	}
	defer c.Quit(ctx)
	p := &Probe{Greeting: c.Greeting().String(), Extensions: c.Extensions(), Deliver: true}
	st, ok := c.TLSConnectionState()
	if ok {
		p.TLS = &st
		p.PKIXErr = d.verifyChain(st, h.Host)
		if len(h.TLSA) > 0 {
			p.DANE, p.DANEErr = dane.Verify(h.TLSA, h.Host, st.PeerCertificates, d.now())
		}
	}
	switch {
	case h.Skip != nil:
		p.Deliver, p.Why = false, h.Skip.Error()
	case !ok && h.level.requiresTLS():
		p.Deliver, p.Why = false, "no STARTTLS, and the policy requires TLS"
	case h.level == levelDANE && p.DANEErr != nil:
		p.Deliver, p.Why = false, p.DANEErr.Error()
	case h.level == levelVerify && p.PKIXErr != nil:
		p.Deliver, p.Why = false, "certificate: "+p.PKIXErr.Error()
	}
	return p, nil
}
