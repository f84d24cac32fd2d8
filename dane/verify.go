package dane

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error says why a server failed DANE authentication.
type Error struct {
	Host   string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("DANE: %s: %s", e.Host, e.Reason)
}

// Match is the record that authenticated a server.
type Match struct {
	Record TLSA
	Depth  int // 0: the server's certificate; more: a trust anchor in its chain
}

// Verify checks a server's certificate chain (leaf first, as sent)
// against the usable records in rs for MX host name host. now is the
// time for DANE-TA chain validity.
func Verify(rs []TLSA, host string, chain []*x509.Certificate, now time.Time) (*Match, error) {
	usable := Usable(rs)
	if len(usable) == 0 {
		return nil, &Error{Host: host, Reason: "no usable TLSA record"}
	}
	if len(chain) == 0 {
		return nil, &Error{Host: host, Reason: "the server sent no certificate"}
	}
	leaf := chain[0]
	var taErr error
	for _, r := range usable {
		if r.Usage == DANEEE && r.Matches(leaf) {
			// RFC 7672 §3.1.1: the key is pinned; names and dates do not matter.
			return &Match{Record: r}, nil
		}
	}
	for _, r := range usable {
		if r.Usage != DANETA {
			continue
		}
		for depth, anchor := range chain {
			if !r.Matches(anchor) {
				continue
			}
			// The anchor is trusted; the rest of the chain is checked as
			// usual, with the MX host name as the reference identifier
			// (RFC 7672 §3.1.2, §3.2.2).
			roots := x509.NewCertPool()
			roots.AddCert(anchor)
			inter := x509.NewCertPool()
			for _, c := range chain[1:] {
				inter.AddCert(c)
			}
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: strings.TrimSuffix(host, "."), Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err == nil {
				return &Match{Record: r, Depth: depth}, nil
			}
			taErr = err
		}
	}
	if taErr != nil {
		return nil, &Error{Host: host, Reason: "the trust anchor matches a TLSA record but the chain does not verify: " + taErr.Error()}
	}
	return nil, &Error{Host: host, Reason: fmt.Sprintf("the certificate matches none of the %d usable TLSA records (%s)", len(usable), describe(usable))}
}

func describe(rs []TLSA) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.String())
	}
	return strings.Join(s, ", ")
}

// Config returns a TLS configuration that accepts host only when its
// certificate matches rs: Go's own verification is replaced by Verify
// (a DANE-EE certificate is often self-signed or for another name). The
// SNI is the MX host name (RFC 7672 §8.1). matched, when not nil,
// receives the record that matched.
func Config(base *tls.Config, rs []TLSA, host string, now func() time.Time, matched func(*Match)) *tls.Config {
	var cfg *tls.Config
	if base != nil {
		cfg = base.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if now == nil {
		now = time.Now
	}
	cfg.ServerName = strings.TrimSuffix(host, ".")
	cfg.InsecureSkipVerify = true // replaced by VerifyConnection below
	cfg.VerifyConnection = func(st tls.ConnectionState) error {
		m, err := Verify(rs, host, st.PeerCertificates, now())
		if err != nil {
			return err
		}
		if matched != nil {
			matched(m)
		}
		return nil
	}
	return cfg
}

// ErrLookup wraps a failed TLSA lookup: the host's DANE status is
// unknown, so it must not be used as if it had none (RFC 7672 §2.2).
var ErrLookup = errors.New("TLSA lookup failed")
