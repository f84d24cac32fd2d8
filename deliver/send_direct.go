package deliver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/smtp"
)

// sendDomain delivers env (all recipients in dom) to dom's MX hosts.
func (d *Direct) sendDomain(ctx context.Context, dom string, env *smtp.Envelope, body smtp.Body, rep *DomainReport) (*smtp.Result, error) {
	plan, err := d.Plan(ctx, dom)
	if err != nil {
		return nil, err
	}
	var res *smtp.Result
	err = d.eachHost(plan, rep, func(h *HostPlan) (bool, error) {
		r, next, err := d.sendHost(ctx, h, env, body, rep)
		if !next {
			res = r
		}
		return next, err
	})
	return res, err
}

// eachHost runs try on plan's MX hosts in order, skipping those the
// policy excludes, until one does not ask for the next; rep records the
// policy, the last MX and why hosts were passed over. The error is that
// host's, or when every host asked for the next, the last one's
// (noHostTaken).
func (d *Direct) eachHost(plan *DomainPlan, rep *DomainReport, try func(*HostPlan) (next bool, err error)) error {
	rep.Policy = plan.Policy
	rep.Notes = append(rep.Notes, plan.Notes...)
	var lastErr error
	for _, h := range plan.Hosts {
		if h.Skip != nil {
			rep.Notes = append(rep.Notes, "skipped MX "+h.Host+": "+h.Skip.Error())
			lastErr = h.Skip
			continue
		}
		rep.MX = h.Host
		next, err := try(&h)
		if !next {
			if err != nil {
				err = fmt.Errorf("MX %s: %w", h.Host, err)
			}
			return err
		}
		lastErr = fmt.Errorf("MX %s: %w", h.Host, err)
		if h.level.requiresTLS() && tlsFailure(err) {
			rep.Notes = append(rep.Notes, lastErr.Error())
		}
	}
	return noHostTaken(plan, lastErr)
}

// noHostTaken is the error when no MX of plan took the message (or the
// connection): the last host's, as the domain's policy failure when the
// domain publishes one.
func noHostTaken(plan *DomainPlan, lastErr error) error {
	if lastErr == nil {
		return &NoMailHostError{Domain: plan.Domain, Reason: "no MX host to try"}
	}
	var pe *PolicyError
	if plan.published && !errors.As(lastErr, &pe) && tlsFailure(lastErr) {
		return &PolicyError{Domain: plan.Domain, Policy: plan.Policy, Err: lastErr}
	}
	return lastErr
}

// sendHost runs one MX connection. next says the message certainly did
// not go and the next MX may be tried.
func (d *Direct) sendHost(ctx context.Context, h *HostPlan, env *smtp.Envelope, body smtp.Body, rep *DomainReport) (res *smtp.Result, next bool, err error) {
	c, next, err := d.dialHost(ctx, h, rep)
	if err != nil {
		return nil, next, err
	}
	defer c.Quit(ctx)
	if d.BeforeSend != nil {
		if err := d.BeforeSend(h.Host, c.Extensions()); err != nil {
			return nil, false, err
		}
	}
	e, restore, err := envelopeFor(env, c.Extensions())
	if err != nil {
		return nil, true, err // another MX may offer SMTPUTF8
	}
	res, err = c.Send(ctx, e, body)
	restore(res)
	if err == nil || !tryNext(err) || (res != nil && len(res.Delivered()) > 0) {
		return res, false, err
	}
	return res, true, err
}

// dialHost opens a session to one MX with the TLS its level requires and
// records in rep how it went. next says the next MX may be tried.
func (d *Direct) dialHost(ctx context.Context, h *HostPlan, rep *DomainReport) (c *smtp.Client, next bool, err error) {
	o := d.Options
	var matched *dane.Match
	o.TLS, o.TLSConfig = d.tlsFor(h, &matched)
	rep.TLS, rep.Verified = false, false
	c, err = smtp.Dial(ctx, net.JoinHostPort(h.Host, d.port()), &o)
	if err != nil {
		return nil, tryNext(err) || h.level.requiresTLS() && tlsFailure(err), err
	}
	st, isTLS := c.TLSConnectionState()
	rep.TLS = isTLS
	switch {
	case matched != nil:
		rep.Verified = true
	case h.level == levelVerify:
		rep.Verified = isTLS
	case h.level == levelTesting:
		// RFC 8461 §5 testing mode: check, report, deliver anyway.
		why := "the server does not offer STARTTLS"
		if isTLS {
			why = ""
			if verr := d.verifyChain(st, h.Host); verr != nil {
				why = verr.Error()
			}
		}
		if why == "" {
			rep.Verified = true
		} else {
			note := fmt.Sprintf("MTA-STS testing: %s would fail the policy (%s); delivered anyway", h.Host, why)
			rep.Notes = append(rep.Notes, note)
			d.trace(note)
		}
	}
	return c, false, nil
}

// tlsFor returns the TLS mode and configuration h's level requires.
// matched receives the TLSA record that authenticated a DANE host.
func (d *Direct) tlsFor(h *HostPlan, matched **dane.Match) (smtp.TLSMode, *tls.Config) {
	var cfg *tls.Config
	if d.Options.TLSConfig != nil {
		cfg = d.Options.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	cfg.ServerName = h.Host
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = nil
	switch h.level {
	case levelDANE:
		return smtp.TLSStartTLS, dane.Config(cfg, h.TLSA, h.Host, d.now, func(m *dane.Match) {
			*matched = m
			d.trace(fmt.Sprintf("DANE: %s authenticated by TLSA %s", h.Host, m.Record))
		})
	case levelVerify:
		cfg.InsecureSkipVerify = false
		return smtp.TLSStartTLS, cfg
	case levelEncrypt:
		return smtp.TLSStartTLS, cfg
	}
	// may and MTA-STS testing: STARTTLS when offered. The certificate is
	// not checked in the handshake (most MX certificates would fail), so
	// no credential is ever sent on these connections.
	return smtp.TLSOpportunistic, cfg
}

// verifyChain checks a server's certificate against the trusted roots
// and the MX host name, as MTA-STS requires (RFC 8461 §4.2).
func (d *Direct) verifyChain(st tls.ConnectionState, host string) error {
	if len(st.PeerCertificates) == 0 {
		return errors.New("no certificate")
	}
	var roots *x509.CertPool
	if d.Options.TLSConfig != nil {
		roots = d.Options.TLSConfig.RootCAs
	}
	inter := x509.NewCertPool()
	for _, c := range st.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := st.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: d.now()})
	return err
}

func (d *Direct) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Direct) trace(line string) {
	if d.Options.Trace != nil {
		d.Options.Trace(smtp.Info, line)
	}
}
