package deliver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/mtasts"
)

// DomainPlan is how Direct would deliver to one domain: its MX hosts in
// order and what TLS each requires. 'postie check --direct' prints it.
type DomainPlan struct {
	Domain   string // ASCII form
	Policy   string // dane, mta-sts enforce|testing, verify, encrypt, may
	MXSecure bool   // the MX answer was DNSSEC-authenticated
	DANE     bool   // TLSA records were looked up
	MTASTS   *mtasts.Result
	Hosts    []HostPlan
	Notes    []string

	published bool // Policy comes from the domain (DANE, MTA-STS), not from the sender
}

// HostPlan is one MX host and the TLS it requires.
type HostPlan struct {
	Host  string
	Level string      // may, mta-sts testing, encrypt, verify, dane
	TLSA  []dane.TLSA // authenticated records, when DANE applies
	Skip  error       // not to be used (not in the MTA-STS policy, TLSA lookup failed...)
	Note  string

	level level
}

func (h *HostPlan) set(l level, note string) {
	h.level, h.Level = l, l.String()
	if note != "" {
		h.Note = note
	}
}

// Plan finds domain's MX hosts and the TLS policy for each.
func (d *Direct) Plan(ctx context.Context, domain string) (*DomainPlan, error) {
	dom, err := ASCIIDomain(strings.ToLower(domain))
	if err != nil {
		return nil, err
	}
	hosts, mxSecure, err := d.hosts(ctx, dom)
	if err != nil {
		return nil, err
	}
	p := &DomainPlan{Domain: dom, MXSecure: mxSecure}
	for _, h := range hosts {
		p.Hosts = append(p.Hosts, HostPlan{Host: h})
	}
	switch d.TLSPolicy {
	case PolicyMay, PolicyEncrypt, PolicyVerify:
		l := map[TLSPolicy]level{PolicyMay: levelMay, PolicyEncrypt: levelEncrypt, PolicyVerify: levelVerify}[d.TLSPolicy]
		for i := range p.Hosts {
			p.Hosts[i].set(l, "")
		}
		p.Policy = string(d.TLSPolicy)
		return p, nil
	}
	decided := make([]bool, len(p.Hosts))
	if d.TLSPolicy != PolicyMTASTS {
		d.planDANE(ctx, p, decided)
	}
	if d.TLSPolicy != PolicyDANE {
		d.planMTASTS(ctx, p, decided)
	}
	for i := range p.Hosts {
		if decided[i] {
			continue
		}
		if d.TLSPolicy == PolicyDANE {
			p.Hosts[i].Skip = &PolicyError{Domain: dom, Policy: "dane", Permanent: true, Err: fmt.Errorf("MX %s has no usable DNSSEC-authenticated TLSA records", p.Hosts[i].Host)}
		}
		p.Hosts[i].set(levelMay, "")
	}
	// Once the domain's policy requires TLS somewhere, no MX of it gets
	// the message in plain text: an attacker who blocks the protected
	// hosts must not win a clear-text delivery to another.
	for _, h := range p.Hosts {
		if !h.level.requiresTLS() {
			continue
		}
		for i := range p.Hosts {
			if p.Hosts[i].level == levelMay {
				p.Hosts[i].set(levelEncrypt, "STARTTLS required: another MX of the domain requires TLS")
			}
		}
		break
	}
	p.Policy, p.published = policyName(d.TLSPolicy, p)
	return p, nil
}

// planDANE looks up TLSA records for each MX host of a DNSSEC-signed MX
// answer (RFC 7672 §2.2): usable ones make DANE mandatory for that host;
// authenticated but unusable ones still require (unauthenticated) TLS; a
// failed lookup makes the host unusable for now.
func (d *Direct) planDANE(ctx context.Context, p *DomainPlan, decided []bool) {
	sr, ok := d.resolver().(SecureResolver)
	if !ok {
		return
	}
	if !p.MXSecure {
		p.Notes = append(p.Notes, "DANE: the MX records are not DNSSEC-authenticated, so TLSA records are not used")
		return
	}
	p.DANE = true
	for i := range p.Hosts {
		h := &p.Hosts[i]
		recs, secure, err := sr.LookupTLSA(ctx, h.Host, d.port())
		switch {
		case err != nil:
			h.set(levelDANE, "")
			h.Skip = &PolicyError{Domain: p.Domain, Policy: "dane", Err: fmt.Errorf("MX %s: %w", h.Host, err)}
		case secure && len(dane.Usable(recs)) > 0:
			h.TLSA = recs
			h.set(levelDANE, fmt.Sprintf("%d usable TLSA record(s)", len(dane.Usable(recs))))
		case secure && len(recs) > 0:
			h.TLSA = recs
			h.set(levelEncrypt, "TLSA records published but none usable: TLS required, not authenticated (RFC 7672 §2.2)")
			if d.TLSPolicy == PolicyDANE {
				h.Skip = &PolicyError{Domain: p.Domain, Policy: "dane", Permanent: true, Err: fmt.Errorf("MX %s: no usable TLSA record", h.Host)}
			}
		default:
			continue
		}
		decided[i] = true
	}
}

// planMTASTS applies the domain's MTA-STS policy to the hosts DANE did
// not decide (DANE takes precedence, RFC 8461 §2).
func (d *Direct) planMTASTS(ctx context.Context, p *DomainPlan, decided []bool) {
	undecided := false
	for _, ok := range decided {
		undecided = undecided || !ok
	}
	if !undecided || d.MTASTS == nil {
		if d.TLSPolicy == PolicyMTASTS && d.MTASTS == nil {
			p.Notes = append(p.Notes, "MTA-STS lookups are off")
		}
		return
	}
	res := d.MTASTS.Lookup(ctx, p.Domain)
	p.MTASTS = res
	if res.Note != "" {
		p.Notes = append(p.Notes, "MTA-STS: "+res.Note)
	}
	if res.Policy == nil {
		if d.TLSPolicy == PolicyMTASTS {
			for i := range p.Hosts {
				if !decided[i] {
					p.Hosts[i].Skip = &PolicyError{Domain: p.Domain, Policy: "mta-sts", Permanent: true, Err: errors.New("the domain publishes no MTA-STS policy")}
				}
			}
		}
		return
	}
	enforce := res.Policy.Mode == mtasts.Enforce || d.TLSPolicy == PolicyMTASTS
	for i := range p.Hosts {
		if decided[i] {
			continue
		}
		h := &p.Hosts[i]
		decided[i] = true
		switch {
		case !res.Policy.Matches(h.Host) && enforce:
			h.set(levelVerify, "")
			h.Skip = &PolicyError{Domain: p.Domain, Policy: "mta-sts", Err: fmt.Errorf("MX %s is not in the MTA-STS policy (mx: %s)", h.Host, strings.Join(res.Policy.MX, ", "))}
		case !res.Policy.Matches(h.Host):
			h.set(levelMay, fmt.Sprintf("not in the MTA-STS policy (mx: %s); testing mode: used anyway", strings.Join(res.Policy.MX, ", ")))
		case enforce:
			h.set(levelVerify, "MTA-STS enforce: certificate must be valid for the MX name")
		default:
			h.set(levelTesting, "MTA-STS testing: certificate checked and reported, delivery goes on")
		}
	}
}

// policyName says which policy applies to the domain as a whole.
func policyName(asked TLSPolicy, p *DomainPlan) (string, bool) {
	encrypt := false
	for _, h := range p.Hosts {
		if h.level == levelDANE {
			return "dane", true
		}
		encrypt = encrypt || h.level == levelEncrypt
	}
	switch {
	case asked == PolicyDANE:
		return "dane", true
	case asked == PolicyMTASTS:
		return "mta-sts enforce", true
	case p.MTASTS != nil && p.MTASTS.Policy != nil:
		return "mta-sts " + string(p.MTASTS.Policy.Mode), true
	case encrypt:
		return "encrypt", true // authenticated but unusable TLSA records
	}
	return "may", false
}

// sortMX orders exchangers by preference, keeping the DNS order among equals.
func sortMX(mxs []*net.MX) {
	sort.SliceStable(mxs, func(i, j int) bool { return mxs[i].Pref < mxs[j].Pref })
}
