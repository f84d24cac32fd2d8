package dane

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/selfsigned"
)

func chainOf(t *testing.T, hosts ...string) []*x509.Certificate {
	t.Helper()
	b, err := selfsigned.New(selfsigned.Options{Hosts: hosts})
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for _, der := range b.Cert.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out // leaf, CA
}

func TestVerify(t *testing.T) {
	chain := chainOf(t, "mx.example.test")
	other := chainOf(t, "mx.example.test")
	leaf, ca := chain[0], chain[1]
	now := time.Now()
	ok := map[string][]TLSA{
		"DANE-EE 3 1 1":                  {Record(3, 1, 1, leaf)},
		"DANE-EE 3 0 1":                  {Record(3, 0, 1, leaf)},
		"DANE-EE 3 1 2":                  {Record(3, 1, 2, leaf)},
		"DANE-EE 3 0 0":                  {Record(3, 0, 0, leaf)},
		"DANE-TA 2 0 1":                  {Record(2, 0, 1, ca)},
		"DANE-TA 2 1 1":                  {Record(2, 1, 1, ca)},
		"one of several":                 {Record(3, 1, 1, other[0]), Record(3, 1, 1, leaf)},
		"unusable ignored beside usable": {Record(1, 1, 1, leaf), Record(2, 0, 1, ca)},
	}
	for name, rs := range ok {
		if m, err := Verify(rs, "mx.example.test", chain, now); err != nil || m == nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// DANE-EE does not look at names or dates (RFC 7672 §3.1.1).
	if _, err := Verify([]TLSA{Record(3, 1, 1, leaf)}, "other.test", chain, now.Add(selfsigned.Lifetime+time.Hour)); err != nil {
		t.Errorf("DANE-EE with another name or date: %v", err)
	}
	bad := map[string]struct {
		rs   []TLSA
		host string
		want string
	}{
		"other key":             {[]TLSA{Record(3, 1, 1, other[0])}, "mx.example.test", "matches none"},
		"other CA":              {[]TLSA{Record(2, 0, 1, other[1])}, "mx.example.test", "matches none"},
		"TA, wrong name":        {[]TLSA{Record(2, 0, 1, ca)}, "mx2.example.test", "chain does not verify"},
		"PKIX-EE only":          {[]TLSA{Record(1, 1, 1, leaf)}, "mx.example.test", "no usable"},
		"PKIX-TA only":          {[]TLSA{Record(0, 0, 1, ca)}, "mx.example.test", "no usable"},
		"digest of wrong size":  {[]TLSA{{Usage: 3, Selector: 1, MatchingType: 1, Data: []byte{1, 2, 3}}}, "mx.example.test", "no usable"},
		"unknown matching type": {[]TLSA{{Usage: 3, Selector: 1, MatchingType: 9, Data: []byte{1}}}, "mx.example.test", "no usable"},
	}
	for name, c := range bad {
		_, err := Verify(c.rs, c.host, chain, now)
		var de *Error
		if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
	if _, err := Verify([]TLSA{Record(2, 0, 1, ca)}, "mx.example.test", chain, now.Add(selfsigned.Lifetime+time.Hour)); err == nil {
		t.Error("DANE-TA accepted an expired chain")
	}
}
