package deliver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/mtasts"
	"github.com/postie/postie/smtp"
)

// Resolver looks up mail exchangers and, for a domain without MX, its own
// addresses; *net.Resolver satisfies it.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// SecureResolver is a Resolver that also says which answers were
// DNSSEC-authenticated and finds TLSA records; with one, Direct applies
// DANE (*dane.Resolver satisfies it).
type SecureResolver interface {
	Resolver
	LookupMXSecure(ctx context.Context, name string) ([]*net.MX, bool, error)
	LookupTLSA(ctx context.Context, host, port string) ([]dane.TLSA, bool, error)
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
// the domain itself when it has none, port 25, never AUTH. The TLS of
// each connection follows TLSPolicy (see tlspolicy.go).
type Direct struct {
	Resolver Resolver     // default net.DefaultResolver; a SecureResolver enables DANE
	Port     string       // default "25"
	Options  smtp.Options // trace, timeouts, local name, dialer; TLSConfig.RootCAs for verification

	TLSPolicy TLSPolicy      // default PolicyAuto
	MTASTS    *mtasts.Client // nil: MTA-STS policies are not consulted

	// BeforeSend, when set, runs on each MX connection before the
	// transaction, with the host name and what the server offers.
	BeforeSend func(host string, ext smtp.Extensions) error

	// Report, when set, receives the outcome of each domain: the policy
	// that applied, the MX used, whether TLS was used and verified.
	Report func(*DomainReport)

	Now func() time.Time // default time.Now (DANE-TA chain validity)
}

// DomainReport is what happened to one recipient domain.
type DomainReport struct {
	Domain   string
	Policy   string // the TLS policy applied: dane, mta-sts enforce|testing, verify, encrypt, may
	MX       string // the MX host that took the message, or the last one tried
	TLS      bool   // that connection used TLS
	Verified bool   // the server was authenticated (TLSA match or valid certificate)
	Notes    []string
	Err      error
}

// Send delivers env to every recipient, domain by domain, and merges the
// outcomes. A domain's next MX is tried only when the previous one could
// not take the message at all (connection failure, TLS policy not met,
// 4xx for the whole transaction), never after it may have been delivered.
func (d *Direct) Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	byDomain := map[string][]string{}
	var domains []string
	for _, to := range env.To {
		at := strings.LastIndexByte(to, '@')
		if at < 0 {
			return nil, fmt.Errorf("recipient %q: %w: no domain", to, smtp.ErrInvalidArgument)
		}
		// MX lookups use the ASCII form of an internationalised domain.
		dom, err := ASCIIDomain(strings.ToLower(to[at+1:]))
		if err != nil {
			return nil, fmt.Errorf("recipient %q: %w", to, err)
		}
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
		rep := &DomainReport{Domain: dom}
		res, err := d.sendDomain(ctx, dom, &e, body, rep)
		rep.Err = err
		if d.Report != nil {
			d.Report(rep)
		}
		if res == nil {
			res = &smtp.Result{}
			for _, to := range e.To {
				res.Recipients = append(res.Recipients, smtp.RcptStatus{Address: to, Err: err})
			}
		}
		total.Recipients = append(total.Recipients, res.Recipients...)
		total.Transactions = append(total.Transactions, res.Transactions...)
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

func (d *Direct) port() string {
	if d.Port == "" {
		return "25"
	}
	return d.Port
}

func (d *Direct) resolver() Resolver {
	if d.Resolver == nil {
		return net.DefaultResolver
	}
	return d.Resolver
}

// hosts returns the exchangers for dom in the order to try them, and
// whether the MX answer was DNSSEC-authenticated.
func (d *Direct) hosts(ctx context.Context, dom string) ([]string, bool, error) {
	if ip := net.ParseIP(strings.Trim(dom, "[]")); ip != nil {
		return []string{ip.String()}, false, nil // a domain literal: user@[192.0.2.1]
	}
	r := d.resolver()
	var mxs []*net.MX
	var secure bool
	var err error
	if sr, ok := r.(SecureResolver); ok {
		mxs, secure, err = sr.LookupMXSecure(ctx, dom)
	} else {
		mxs, err = r.LookupMX(ctx, dom)
	}
	if isNotFound(err) {
		// Go's resolver says "not found" both for a name that does not
		// exist and for one that exists without MX records (NODATA); in
		// the second case the domain itself is the exchanger (RFC 5321
		// §5.1), so its addresses decide.
		addrs, aerr := r.LookupIPAddr(ctx, dom)
		switch {
		case isNotFound(aerr) || aerr == nil && len(addrs) == 0:
			return nil, false, &NoMailHostError{Domain: dom, Reason: "the domain does not exist (no MX, no address)"}
		case aerr != nil:
			return nil, false, fmt.Errorf("address lookup for %s: %w", dom, aerr)
		}
		return []string{dom}, secure, nil
	}
	if err != nil && len(mxs) == 0 {
		return nil, false, fmt.Errorf("MX lookup for %s: %w", dom, err)
	}
	if len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == "") {
		return nil, false, &NoMailHostError{Domain: dom, Reason: "it publishes a null MX (RFC 7505)"}
	}
	if len(mxs) == 0 {
		return []string{dom}, secure, nil // no MX: the domain itself (RFC 5321 §5.1)
	}
	sortMX(mxs)
	var out []string
	for _, mx := range mxs {
		out = append(out, strings.TrimSuffix(mx.Host, "."))
	}
	return out, secure, nil
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
	var ue *smtp.UnsupportedError
	if errors.As(err, &pe) || errors.As(err, &ue) {
		return true // another MX may behave, or offer what this one lacks
	}
	return smtp.IsTemporary(err)
}

// tlsFailure: the connection failed the TLS its policy demands (no
// STARTTLS, handshake or certificate refused). Another MX may do better.
func tlsFailure(err error) bool {
	var te *smtp.TLSError
	var sec *smtp.SecurityError
	return errors.As(err, &te) || errors.As(err, &sec)
}
