package deliver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/postie/postie/smtp"
)

// Resolver looks up mail exchangers and, for a domain without MX, its own
// addresses; *net.Resolver satisfies it.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// NoMailHostError means a recipient's domain does not exist or publishes
// a null MX (RFC 7505): no server will ever take mail for it.
type NoMailHostError struct {
	Domain string
	Reason string
}

func (e *NoMailHostError) Error() string {
	return fmt.Sprintf("domain %s has no mail host: %s", e.Domain, e.Reason)
}

// Direct delivers to each recipient domain's mail exchangers (RFC 5321
// §5.1), as an MTA does, without a relay: MX records in preference order,
// the domain itself when it has none, port 25, no AUTH.
type Direct struct {
	Resolver Resolver     // default net.DefaultResolver
	Port     string       // default "25"
	Options  smtp.Options // trace, timeouts, local name, dialer

	// VerifyTLS requires STARTTLS with a certificate valid for the MX
	// name. Without it TLS is opportunistic and unauthenticated, like
	// Postfix's "may" level: it stops passive eavesdropping, and no
	// credential is ever sent on these connections.
	VerifyTLS bool
}

// Send delivers env to every recipient, domain by domain, and merges the
// outcomes. A domain's next MX is tried only when the previous one could
// not take the message at all (connection failure, 4xx for the whole
// transaction), never after the message may have been delivered.
func (d *Direct) Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	byDomain := map[string][]string{}
	var domains []string
	for _, to := range env.To {
		at := strings.LastIndexByte(to, '@')
		if at < 0 {
			return nil, fmt.Errorf("recipient %q: %w: no domain", to, smtp.ErrInvalidArgument)
		}
		dom := strings.ToLower(strings.Trim(to[at+1:], "[]"))
		if _, ok := byDomain[dom]; !ok {
			domains = append(domains, dom)
		}
		byDomain[dom] = append(byDomain[dom], to)
	}
	total := &smtp.Result{}
	var firstErr error
	for _, dom := range domains {
		e := *env
		e.To = byDomain[dom]
		res, err := d.sendDomain(ctx, dom, &e, body)
		if res == nil {
			res = &smtp.Result{}
			for _, to := range e.To {
				res.Recipients = append(res.Recipients, smtp.RcptStatus{Address: to, Err: err})
			}
		}
		total.Recipients = append(total.Recipients, res.Recipients...)
		total.Transactions += res.Transactions
		if res.Final != nil {
			total.Final, total.QueueID = res.Final, res.QueueID
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if len(total.Delivered()) > 0 {
		return total, nil
	}
	return total, firstErr
}

// hosts returns the exchangers for dom in the order to try them.
func (d *Direct) hosts(ctx context.Context, dom string) ([]string, error) {
	if ip := net.ParseIP(dom); ip != nil {
		return []string{dom}, nil // a domain literal: user@[192.0.2.1]
	}
	r := d.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	mxs, err := r.LookupMX(ctx, dom)
	if isNotFound(err) {
		// Go's resolver says "not found" both for a name that does not
		// exist and for one that exists without MX records (NODATA); in
		// the second case the domain itself is the exchanger (RFC 5321
		// §5.1), so its addresses decide.
		addrs, aerr := r.LookupIPAddr(ctx, dom)
		switch {
		case isNotFound(aerr) || aerr == nil && len(addrs) == 0:
			return nil, &NoMailHostError{Domain: dom, Reason: "the domain does not exist (no MX, no address)"}
		case aerr != nil:
			return nil, fmt.Errorf("address lookup for %s: %w", dom, aerr)
		}
		return []string{dom}, nil
	}
	if err != nil && len(mxs) == 0 {
		return nil, fmt.Errorf("MX lookup for %s: %w", dom, err)
	}
	if len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == "") {
		return nil, &NoMailHostError{Domain: dom, Reason: "it publishes a null MX (RFC 7505)"}
	}
	if len(mxs) == 0 {
		return []string{dom}, nil // no MX: the domain itself (RFC 5321 §5.1)
	}
	sort.SliceStable(mxs, func(i, j int) bool { return mxs[i].Pref < mxs[j].Pref })
	var out []string
	for _, mx := range mxs {
		out = append(out, strings.TrimSuffix(mx.Host, "."))
	}
	return out, nil
}

func (d *Direct) sendDomain(ctx context.Context, dom string, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	hosts, err := d.hosts(ctx, dom)
	if err != nil {
		return nil, err
	}
	port := d.Port
	if port == "" {
		port = "25"
	}
	var lastErr error
	for _, host := range hosts {
		o := d.Options
		o.TLSConfig = &tls.Config{ServerName: host}
		if d.VerifyTLS {
			o.TLS = smtp.TLSStartTLS
		} else {
			o.TLS = smtp.TLSOpportunistic
			o.TLSConfig.InsecureSkipVerify = true
		}
		if d.Options.TLSConfig != nil {
			o.TLSConfig = d.Options.TLSConfig.Clone()
			o.TLSConfig.ServerName = host
			o.TLSConfig.InsecureSkipVerify = !d.VerifyTLS
		}
		c, err := smtp.Dial(ctx, net.JoinHostPort(host, port), &o)
		if err != nil {
			lastErr = fmt.Errorf("MX %s: %w", host, err)
			if tryNext(err) {
				continue
			}
			return nil, lastErr
		}
		res, err := c.Send(ctx, env, body)
		c.Quit(ctx)
		if err == nil || !tryNext(err) || (res != nil && len(res.Delivered()) > 0) {
			if err != nil {
				err = fmt.Errorf("MX %s: %w", host, err)
			}
			return res, err
		}
		lastErr = fmt.Errorf("MX %s: %w", host, err)
	}
	return nil, lastErr
}

func isNotFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// tryNext: the message certainly did not go, and another MX may take it.
func tryNext(err error) bool {
	if errors.Is(err, smtp.ErrMaybeDelivered) || errors.Is(err, context.Canceled) {
		return false
	}
	var se *smtp.Error
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var pe *smtp.ProtocolError
	if errors.As(err, &pe) {
		return true
	}
	return smtp.IsTemporary(err)
}
