package mtasts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
)

// MaxPolicySize bounds the policy body (RFC 8461 §3.3 suggests 64 KiB).
const MaxPolicySize = 64 << 10

// TXTResolver looks up TXT records; *net.Resolver satisfies it.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Fetcher reads a domain's record and policy from the network.
type Fetcher struct {
	Resolver TXTResolver  // default net.DefaultResolver
	HTTP     *http.Client // must verify certificates; default: see NewHTTPClient
	Timeout  time.Duration
}

// NewHTTPClient returns a client fit for policy fetches: it dials through
// dial (nil: a plain net.Dialer), trusts roots (nil: the system's), never
// follows redirects (§3.3) and uses no proxy settings from the
// environment.
func NewHTTPClient(dial func(ctx context.Context, network, addr string) (net.Conn, error), tr *http.Transport) *http.Client {
	if tr == nil {
		tr = &http.Transport{}
	}
	if dial != nil {
		tr.DialContext = dial
	}
	tr.Proxy = nil
	tr.DisableKeepAlives = true
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("MTA-STS policies must not redirect (RFC 8461 §3.3)")
		},
	}
}

// Record returns the id of domain's MTA-STS record, or an error wrapping
// ErrNoRecord when it has none.
func (f *Fetcher) Record(ctx context.Context, domain string) (string, error) {
	r := f.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	txts, err := r.LookupTXT(ctx, "_mta-sts."+domain)
	var de *net.DNSError
	if errors.As(err, &de) && de.IsNotFound {
		return "", ErrNoRecord
	}
	if err != nil {
		return "", fmt.Errorf("MTA-STS record of %s: %w", domain, err)
	}
	return SelectRecord(txts)
}

// URL is where domain's policy lives.
func URL(domain string) string {
	return "https://mta-sts." + domain + "/.well-known/mta-sts.txt"
}

// Policy fetches and parses domain's policy file.
func (f *Fetcher) Policy(ctx context.Context, domain string) (*Policy, error) {
	tmo := f.Timeout
	if tmo <= 0 {
		tmo = time.Minute // RFC 8461 §3.3
	}
	ctx, cancel := context.WithTimeout(ctx, tmo)
	defer cancel()
	client := f.HTTP
	if client == nil {
		client = NewHTTPClient(nil, nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, URL(domain), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("MTA-STS policy of %s: %w", domain, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("MTA-STS policy of %s: HTTP %s", domain, resp.Status)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "text/plain" {
		return nil, fmt.Errorf("MTA-STS policy of %s: content type %q, want text/plain", domain, resp.Header.Get("Content-Type"))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("MTA-STS policy of %s: %w", domain, err)
	}
	if len(b) > MaxPolicySize {
		return nil, fmt.Errorf("MTA-STS policy of %s: over %d octets", domain, MaxPolicySize)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.TrimPrefix(URL(domain), "https://"), err)
	}
	return p, nil
}
