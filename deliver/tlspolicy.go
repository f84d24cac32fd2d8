package deliver

import (
	"fmt"
	"strings"
)

// TLSPolicy is what direct delivery demands of the TLS to each MX host
// (the names follow Postfix's smtp_tls_security_level).
type TLSPolicy string

const (
	// PolicyAuto: DANE for MX hosts with usable authenticated TLSA
	// records, else the domain's MTA-STS policy where it publishes one,
	// else PolicyMay. The default.
	PolicyAuto TLSPolicy = ""
	// PolicyMay: STARTTLS when offered, certificate not checked, plain
	// text otherwise. Stops passive eavesdropping only.
	PolicyMay TLSPolicy = "may"
	// PolicyEncrypt: STARTTLS required, certificate not checked. Stops
	// eavesdropping and STARTTLS stripping, not an impostor.
	PolicyEncrypt TLSPolicy = "encrypt"
	// PolicyVerify: STARTTLS required with a certificate valid for the MX
	// host name. Stops an impostor MX, not a forged MX record.
	PolicyVerify TLSPolicy = "verify"
	// PolicyDANE: only MX hosts with usable DNSSEC-authenticated TLSA
	// records, whose certificates must match them.
	PolicyDANE TLSPolicy = "dane"
	// PolicyMTASTS: the domain must publish an MTA-STS policy; it is
	// enforced even in testing mode.
	PolicyMTASTS TLSPolicy = "mta-sts"
)

// TLSPolicies lists the accepted names, for usage text and completion.
var TLSPolicies = []string{"may", "encrypt", "verify", "dane", "mta-sts"}

// ParseTLSPolicy reads a --tls-policy value ("" or "auto" is PolicyAuto).
func ParseTLSPolicy(s string) (TLSPolicy, error) {
	switch s {
	case "", "auto":
		return PolicyAuto, nil
	}
	for _, p := range TLSPolicies {
		if s == p {
			return TLSPolicy(s), nil
		}
	}
	return "", fmt.Errorf("TLS policy %q: want %s", s, strings.Join(TLSPolicies, ", "))
}

// level is what one connection to an MX host requires.
type level int

const (
	levelMay     level = iota // STARTTLS if offered, unverified; else plain text
	levelTesting              // as may, but the certificate is checked and the result reported (MTA-STS testing)
	levelEncrypt              // STARTTLS required, unverified
	levelVerify               // STARTTLS required, certificate valid for the host name
	levelDANE                 // STARTTLS required, certificate matching TLSA records
)

func (l level) String() string {
	return [...]string{"may", "mta-sts testing", "encrypt", "verify", "dane"}[l]
}

// requiresTLS: plain text is refused at this level.
func (l level) requiresTLS() bool { return l >= levelEncrypt }

// PolicyError is delivery refused by a TLS policy: no MX host of the
// domain could be reached with the TLS its policy demands. A failure of a
// policy the domain publishes (DANE, MTA-STS) is temporary, as in an MTA:
// it may be an attack in progress or a passing misconfiguration, and the
// message waits (RFC 8461 §5, RFC 7672 §2.2). Permanent means the domain
// does not publish what --tls-policy demands.
type PolicyError struct {
	Domain    string
	Policy    string
	Err       error // the last MX host's failure
	Permanent bool
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("domain %s: TLS policy %s: %v", e.Domain, e.Policy, e.Err)
}
func (e *PolicyError) Unwrap() error   { return e.Err }
func (e *PolicyError) Temporary() bool { return !e.Permanent }
