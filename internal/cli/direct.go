package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/mtasts"
)

// addTrust adds the flags of direct delivery's TLS policies.
func (f *connFlags) addTrust(fs *pflag.FlagSet) {
	fs.StringVar(&f.tlsPolicy, "tls-policy", "", "with --direct: TLS to the MX hosts: "+strings.Join(deliver.TLSPolicies, "|")+" (default: DANE where published, else MTA-STS where published, else may)")
	fs.StringVar(&f.mtaSTSPort, "mta-sts-port", "443", "with --direct: the HTTPS port of MTA-STS policy hosts (for tests)")
	fs.MarkHidden("mta-sts-port")
}

// directTrust sets d's TLS policy, its DNSSEC-aware resolver (DANE) and
// its MTA-STS client, and reports each domain's outcome.
func (a *App) directTrust(f *connFlags, d *deliver.Direct, roots *x509.CertPool, s *session) error {
	policy, err := deliver.ParseTLSPolicy(f.tlsPolicy)
	if err != nil {
		return usageErr("--tls-policy: %v", err)
	}
	if f.tls == "starttls" {
		if policy != deliver.PolicyAuto && policy != deliver.PolicyVerify {
			return usageErr("--tls starttls means --tls-policy verify; give one of them")
		}
		policy = deliver.PolicyVerify
	}
	d.TLSPolicy = policy
	// DNS: the given server, or the system's first nameserver, asked
	// with DNSSEC OK so that authenticated TLSA records can be used.
	var dial func(ctx context.Context, network, addr string) (net.Conn, error)
	var txt mtasts.TXTResolver = net.DefaultResolver
	if f.dnsServer != "" {
		if _, _, err := net.SplitHostPort(f.dnsServer); err != nil {
			return usageErr("--dns-server %q: want HOST:PORT", f.dnsServer)
		}
		goRes := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, f.dnsServer)
		}}
		d.Resolver = &dane.Resolver{Server: f.dnsServer}
		d.Options.Dialer = &net.Dialer{Resolver: goRes}
		dial = (&net.Dialer{Resolver: goRes}).DialContext
		txt = goRes
	} else if r, err := dane.SystemResolver(); err == nil {
		d.Resolver = r
	}
	if policy == deliver.PolicyAuto || policy == deliver.PolicyMTASTS {
		port := f.mtaSTSPort
		base := (&net.Dialer{Timeout: 30 * time.Second}).DialContext
		if dial != nil {
			base = dial
		}
		redial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return base(ctx, network, net.JoinHostPort(host, port))
		}
		d.MTASTS = &mtasts.Client{
			Fetcher: mtasts.Fetcher{Resolver: txt, HTTP: mtasts.NewHTTPClient(redial, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}})},
			Cache:   &mtasts.Cache{Dir: a.mtaSTSCacheDir()},
		}
	}
	d.Report = func(r *deliver.DomainReport) { s.domains = append(s.domains, r) }
	return nil
}

// stateDir is where postie keeps what it learns between runs:
// $XDG_STATE_HOME/postie, else ~/.local/state/postie.
func (a *App) stateDir() string {
	if d := a.env("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "postie")
	}
	home := a.env("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", "postie")
}

func (a *App) mtaSTSCacheDir() string {
	if d := a.stateDir(); d != "" {
		return filepath.Join(d, "mta-sts")
	}
	return ""
}

// describeDomain is the one line saying how a domain was reached.
func describeDomain(r *deliver.DomainReport) string {
	tls := "no TLS"
	switch {
	case r.TLS && r.Verified:
		tls = "TLS verified"
	case r.TLS:
		tls = "TLS not verified"
	}
	if r.MX == "" {
		return fmt.Sprintf("%s: no MX host reached (TLS policy %s)", r.Domain, r.Policy)
	}
	if r.Err != nil {
		return fmt.Sprintf("%s: not delivered; last MX %s, TLS policy %s", r.Domain, r.MX, r.Policy)
	}
	return fmt.Sprintf("%s: MX %s, %s, TLS policy %s", r.Domain, r.MX, tls, r.Policy)
}

// printDomains reports each domain of a direct delivery on stderr.
func (a *App) printDomains(s *session) {
	for _, r := range s.domains {
		if r.Policy == "" {
			continue // no plan (no such domain...): the error says it all
		}
		fmt.Fprintf(a.Stderr, "postie: %s\n", escapeControls(describeDomain(r)))
		for _, n := range r.Notes {
			fmt.Fprintf(a.Stderr, "postie: note: %s: %s\n", r.Domain, escapeControls(oneLine(n)))
		}
	}
}

type jsonDomain struct {
	Domain   string   `json:"domain"`
	Policy   string   `json:"tls_policy"`
	MX       string   `json:"mx,omitempty"`
	TLS      bool     `json:"tls"`
	Verified bool     `json:"tls_verified"`
	Notes    []string `json:"notes,omitempty"`
}

func jsonDomains(s *session) []jsonDomain {
	if s == nil {
		return nil
	}
	var out []jsonDomain
	for _, r := range s.domains {
		out = append(out, jsonDomain{Domain: r.Domain, Policy: r.Policy, MX: r.MX, TLS: r.TLS, Verified: r.Verified, Notes: r.Notes})
	}
	return out
}
