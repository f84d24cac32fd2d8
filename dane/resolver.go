package dane

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Resolver asks one recursive resolver, with the DNSSEC OK bit, and
// reports the AD bit of each answer. It also serves as a plain resolver
// for MX and addresses (the stdlib's shape), so that MX hosts and their
// TLSA records come from the same source.
type Resolver struct {
	Server  string        // host:port of a validating resolver
	Timeout time.Duration // per query; default 5s
}

// SystemResolver uses the first nameserver of /etc/resolv.conf.
func SystemResolver() (*Resolver, error) {
	cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil {
		return nil, err
	}
	if len(cc.Servers) == 0 {
		return nil, fmt.Errorf("/etc/resolv.conf names no nameserver")
	}
	return &Resolver{Server: net.JoinHostPort(cc.Servers[0], cc.Port)}, nil
}

// answer is one response: its records, rcode and AD bit.
type answer struct {
	rrs    []dns.RR
	rcode  int
	secure bool
}

func (r *Resolver) query(ctx context.Context, name string, qtype uint16) (*answer, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.AuthenticatedData = true // RFC 6840 §5.7: ask for the AD bit
	m.SetEdns0(4096, true)     // DO: DNSSEC OK
	tmo := r.Timeout
	if tmo <= 0 {
		tmo = 5 * time.Second
	}
	c := &dns.Client{Timeout: tmo}
	resp, _, err := c.ExchangeContext(ctx, m, r.Server)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, m, r.Server)
	}
	if err != nil {
		return nil, &net.DNSError{Err: err.Error(), Name: name, Server: r.Server, IsTimeout: isTimeout(err), IsTemporary: true}
	}
	switch resp.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return nil, &net.DNSError{Err: "server failure (" + dns.RcodeToString[resp.Rcode] + ")", Name: name, Server: r.Server, IsTemporary: true}
	}
	a := &answer{rcode: resp.Rcode, secure: resp.AuthenticatedData}
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype == qtype {
			a.rrs = append(a.rrs, rr)
		}
	}
	return a, nil
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func notFound(name, server string) error {
	return &net.DNSError{Err: "no such host", Name: name, Server: server, IsNotFound: true}
}

// LookupMXSecure returns name's MX records sorted by preference and
// whether the answer was authenticated. As with Go's resolver, a name
// without MX records gives a "not found" DNSError.
func (r *Resolver) LookupMXSecure(ctx context.Context, name string) ([]*net.MX, bool, error) {
	a, err := r.query(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, false, err
	}
	var out []*net.MX
	for _, rr := range a.rrs {
		mx := rr.(*dns.MX)
		out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
	}
	if len(out) == 0 {
		return nil, a.secure, notFound(name, r.Server)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pref < out[j].Pref })
	return out, a.secure, nil
}

// LookupMX is LookupMXSecure without the security flag.
func (r *Resolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	mx, _, err := r.LookupMXSecure(ctx, name)
	return mx, err
}

// LookupIPAddrSecure returns host's IPv4 and IPv6 addresses and whether
// every answer that had addresses was authenticated.
func (r *Resolver) LookupIPAddrSecure(ctx context.Context, host string) ([]net.IPAddr, bool, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IPAddr{{IP: ip}}, true, nil
	}
	var out []net.IPAddr
	secure := true
	var firstErr error
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		a, err := r.query(ctx, host, qt)
		if err != nil {
			firstErr = err
			continue
		}
		for _, rr := range a.rrs {
			switch v := rr.(type) {
			case *dns.A:
				out = append(out, net.IPAddr{IP: v.A})
			case *dns.AAAA:
				out = append(out, net.IPAddr{IP: v.AAAA})
			}
		}
		if len(a.rrs) > 0 {
			secure = secure && a.secure
		}
	}
	if len(out) == 0 {
		if firstErr != nil {
			return nil, false, firstErr
		}
		return nil, false, notFound(host, r.Server)
	}
	return out, secure, nil
}

// LookupIPAddr is LookupIPAddrSecure without the security flag.
func (r *Resolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ips, _, err := r.LookupIPAddrSecure(ctx, host)
	return ips, err
}

// LookupTLSA returns the TLSA records of host's SMTP service on port
// and whether they are authenticated. Following RFC 7672 §2.2.2, the
// records count only when the host's addresses are secure too: an
// insecure address answer gives (nil, false, nil). "No records" (NXDOMAIN
// or NODATA) is not an error; a failed lookup is, wrapping ErrLookup.
func (r *Resolver) LookupTLSA(ctx context.Context, host, port string) ([]TLSA, bool, error) {
	host = strings.TrimSuffix(host, ".")
	_, addrSecure, err := r.LookupIPAddrSecure(ctx, host)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("%w for %s: %v", ErrLookup, host, err)
	}
	if !addrSecure {
		return nil, false, nil
	}
	name := "_" + port + "._tcp." + host
	a, err := r.query(ctx, name, dns.TypeTLSA)
	if err != nil {
		return nil, false, fmt.Errorf("%w for %s: %v", ErrLookup, name, err)
	}
	var out []TLSA
	for _, rr := range a.rrs {
		t := rr.(*dns.TLSA)
		data, err := hex.DecodeString(t.Certificate)
		if err != nil {
			continue // malformed: unusable
		}
		out = append(out, TLSA{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Data: data})
	}
	return out, a.secure, nil
}
