package dane

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"fmt"
)

// TLSA is one record's data (RFC 6698 §2.1).
type TLSA struct {
	Usage        uint8 // 2 DANE-TA, 3 DANE-EE (0 and 1 are unusable for SMTP)
	Selector     uint8 // 0 full certificate, 1 SubjectPublicKeyInfo
	MatchingType uint8 // 0 exact, 1 SHA-256, 2 SHA-512
	Data         []byte
}

// Usage values (RFC 7218 names).
const (
	PKIXTA = 0
	PKIXEE = 1
	DANETA = 2
	DANEEE = 3
)

func (t TLSA) String() string {
	d := hex.EncodeToString(t.Data)
	if len(d) > 16 {
		d = d[:16] + "…"
	}
	return fmt.Sprintf("%d %d %d %s", t.Usage, t.Selector, t.MatchingType, d)
}

// Usable reports whether an SMTP client can use the record: DANE-TA or
// DANE-EE, a known selector, and a known matching type whose data has the
// right length (RFC 7672 §3.1.3, RFC 7671 §4).
func (t TLSA) Usable() bool {
	if t.Usage != DANETA && t.Usage != DANEEE || t.Selector > 1 {
		return false
	}
	switch t.MatchingType {
	case 0:
		return len(t.Data) > 0
	case 1:
		return len(t.Data) == sha256.Size
	case 2:
		return len(t.Data) == sha512.Size
	}
	return false
}

// Usable returns the usable records of rs.
func Usable(rs []TLSA) []TLSA {
	var out []TLSA
	for _, r := range rs {
		if r.Usable() {
			out = append(out, r)
		}
	}
	return out
}

// Matches reports whether cert is the certificate (or key) r names.
func (t TLSA) Matches(cert *x509.Certificate) bool {
	d, ok := digest(t.Selector, t.MatchingType, cert)
	return ok && string(d) == string(t.Data)
}

// Record builds the TLSA record that matches cert with the given usage,
// selector and matching type (for tests and diagnostics).
func Record(usage, selector, matching uint8, cert *x509.Certificate) TLSA {
	d, _ := digest(selector, matching, cert)
	return TLSA{Usage: usage, Selector: selector, MatchingType: matching, Data: d}
}

// digest is the association data of cert for a selector and matching
// type (RFC 6698 §2.1.3, §2.1.4); ok is false for unknown values.
func digest(selector, matching uint8, cert *x509.Certificate) (d []byte, ok bool) {
	switch selector {
	case 0:
		d = cert.Raw
	case 1:
		d = cert.RawSubjectPublicKeyInfo
	default:
		return nil, false
	}
	switch matching {
	case 0:
		return append([]byte(nil), d...), true
	case 1:
		h := sha256.Sum256(d)
		return h[:], true
	case 2:
		h := sha512.Sum512(d)
		return h[:], true
	}
	return nil, false
}
