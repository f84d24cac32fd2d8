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
	"time"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/mtasts"
)

// newDirect builds delivery to the MX hosts: its TLS policy, its
// DNSSEC-aware resolver (DANE) and its MTA-STS client; the sender keeps
// each domain's outcome for the report.
func (a *App) newDirect(st *Settings) (*directSender, error) {
	s := st.Direct
	d := &deliver.Direct{Port: s.Port, Options: a.smtpOptions(st), TLSPolicy: s.Policy}
	var roots *x509.CertPool
	if s.CACert != "" {
		var err error
		if roots, err = loadCAPool(s.CACert); err != nil {
			return nil, err
		}
		d.Options.TLSConfig = &tls.Config{RootCAs: roots}
	}
	// DNS: the given server, or the system's first nameserver, asked
	// with DNSSEC OK so that authenticated TLSA records can be used.
	var dial func(ctx context.Context, network, addr string) (net.Conn, error)
	var txt mtasts.TXTResolver = net.DefaultResolver
	if s.DNSServer != "" {
		goRes := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, s.DNSServer)
		}}
		d.Resolver = &dane.Resolver{Server: s.DNSServer}
		d.Options.Dialer = &net.Dialer{Resolver: goRes}
		dial = (&net.Dialer{Resolver: goRes}).DialContext
		txt = goRes
	} else if r, err := dane.SystemResolver(); err == nil {
		d.Resolver = r
	}
	if s.Policy == deliver.PolicyAuto || s.Policy == deliver.PolicyMTASTS {
		port := s.MTASTSPort
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
	ds := &directSender{Direct: d}
	d.Report = func(r *deliver.DomainReport) { ds.domains = append(ds.domains, r) }
	return ds, nil
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
func (a *App) printDomains(reports []*deliver.DomainReport) {
	for _, r := range reports {
		if r.Policy == "" {
			continue // no plan (no such domain...): the error says it all
		}
		fmt.Fprintf(a.Stderr, "postie: %s\n", textsafe.Terminal(describeDomain(r)))
		for _, n := range r.Notes {
			fmt.Fprintf(a.Stderr, "postie: note: %s: %s\n", r.Domain, textsafe.Line(n))
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

func jsonDomains(reports []*deliver.DomainReport) []jsonDomain {
	var out []jsonDomain
	for _, r := range reports {
		out = append(out, jsonDomain{Domain: r.Domain, Policy: r.Policy, MX: r.MX, TLS: r.TLS, Verified: r.Verified, Notes: r.Notes})
	}
	return out
}
