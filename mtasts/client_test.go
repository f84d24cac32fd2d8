package mtasts

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/dnstest"
	"github.com/postie/postie/internal/ststest"
)

const enforcePolicy = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n"

type env struct {
	web    *ststest.Server
	client *Client
	now    time.Time
}

// newEnv: a DNS server publishing records, an HTTPS server for the
// policies on 127.0.0.7, and a client whose cache lives in a temp dir.
func newEnv(t *testing.T, zone string) *env {
	t.Helper()
	web, err := ststest.Start("127.0.0.7", "example.test", "other.test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { web.Close() })
	ns, err := dnstest.Start(zone + "\nmta-sts.example.test. 300 IN A 127.0.0.7\nmta-sts.other.test. 300 IN A 127.0.0.7\n")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	e := &env{web: web, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	res := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, ns.Addr)
	}}
	e.client = &Client{
		Fetcher: Fetcher{Resolver: res, HTTP: NewHTTPClient(ststest.Dialer(ns.Addr, web.Port), &http.Transport{TLSClientConfig: &tls.Config{RootCAs: web.CA.Pool}}), Timeout: 5 * time.Second},
		Cache:   &Cache{Dir: t.TempDir()},
		Now:     func() time.Time { return e.now },
	}
	return e
}

func TestLookupFetchesAndCaches(t *testing.T) {
	e := newEnv(t, `_mta-sts.example.test. 300 IN TXT "v=STSv1; id=1;"`)
	e.web.Set("example.test", ststest.Response{Body: enforcePolicy})
	ctx := context.Background()
	r := e.client.Lookup(ctx, "example.test")
	if r.Policy == nil || r.Policy.Mode != Enforce || r.Source != "fetched" || r.ID != "1" || r.Note != "" {
		t.Fatalf("%+v", r)
	}
	// Same id: from the cache, no request.
	r = e.client.Lookup(ctx, "example.test")
	if r.Source != "cache" || e.web.Hits.Load() != 1 {
		t.Fatalf("%+v, %d fetches", r, e.web.Hits.Load())
	}
	// max_age runs out: fetched again.
	e.now = e.now.Add(86401 * time.Second)
	if r = e.client.Lookup(ctx, "example.test"); r.Source != "fetched" || e.web.Hits.Load() != 2 {
		t.Fatalf("%+v, %d fetches", r, e.web.Hits.Load())
	}
}

// An attacker who strips the TXT record, or breaks the HTTPS fetch, does
// not remove a policy already cached (RFC 8461 §3.3, §5.1).
func TestCachedPolicySurvivesDowngrade(t *testing.T) {
	e := newEnv(t, `_mta-sts.example.test. 300 IN TXT "v=STSv1; id=1;"`)
	e.web.Set("example.test", ststest.Response{Body: enforcePolicy})
	ctx := context.Background()
	if r := e.client.Lookup(ctx, "example.test"); r.Policy == nil {
		t.Fatalf("%+v", r)
	}
	// The record vanishes (a fresh DNS server without it, same cache).
	stripped := newEnv(t, `example.test. 300 IN A 127.0.0.1`)
	stripped.client.Cache, stripped.now = e.client.Cache, e.now
	r := stripped.client.Lookup(ctx, "example.test")
	if r.Policy == nil || r.Policy.Mode != Enforce || r.Source != "cache" || !strings.Contains(r.Note, "no MTA-STS record") {
		t.Fatalf("stripped record: %+v", r)
	}
	// A new id but the fetch fails: the cached policy still applies.
	broken := newEnv(t, `_mta-sts.example.test. 300 IN TXT "v=STSv1; id=2;"`)
	broken.client.Cache, broken.now = e.client.Cache, e.now
	broken.web.Set("example.test", ststest.Response{Status: 500, Body: "oops"})
	if r := broken.client.Lookup(ctx, "example.test"); r.Policy == nil || r.Source != "cache" || !strings.Contains(r.Note, "500") {
		t.Fatalf("failed fetch: %+v", r)
	}
}

func TestFetchRefusesBadPolicies(t *testing.T) {
	for name, c := range map[string]struct {
		resp ststest.Response
		want string
	}{
		"not found":    {ststest.Response{Status: 404}, "404"},
		"redirect":     {ststest.Response{Location: "https://mta-sts.other.test/.well-known/mta-sts.txt"}, "must not redirect"},
		"html":         {ststest.Response{ContentType: "text/html", Body: enforcePolicy}, "content type"},
		"too big":      {ststest.Response{Body: enforcePolicy + strings.Repeat("# padding\n", MaxPolicySize/10+1)}, "over 65536"},
		"not a policy": {ststest.Response{Body: "hello"}, "key: value"},
	} {
		e := newEnv(t, `_mta-sts.example.test. 300 IN TXT "v=STSv1; id=1;"`)
		e.web.Set("example.test", c.resp)
		e.web.Set("other.test", ststest.Response{Body: enforcePolicy})
		r := e.client.Lookup(context.Background(), "example.test")
		if r.Policy != nil || !strings.Contains(r.Note, c.want) {
			t.Errorf("%s: %+v, want note %q", name, r, c.want)
		}
	}
}

// The policy host's certificate must be valid: a server with an unknown
// CA gives no policy.
func TestFetchVerifiesCertificate(t *testing.T) {
	e := newEnv(t, `_mta-sts.example.test. 300 IN TXT "v=STSv1; id=1;"`)
	e.web.Set("example.test", ststest.Response{Body: enforcePolicy})
	e.client.Fetcher.HTTP.Transport.(*http.Transport).TLSClientConfig = &tls.Config{}
	r := e.client.Lookup(context.Background(), "example.test")
	if r.Policy != nil || !strings.Contains(r.Note, "certificate") {
		t.Fatalf("%+v", r)
	}
}

func TestNoRecordNoPolicy(t *testing.T) {
	e := newEnv(t, `example.test. 300 IN A 127.0.0.1
_mta-sts.other.test. 300 IN TXT "v=STSv1; id=1;"
_mta-sts.other.test. 300 IN TXT "v=STSv1; id=2;"`)
	for _, d := range []string{"example.test", "other.test"} {
		if r := e.client.Lookup(context.Background(), d); r.Policy != nil || e.web.Hits.Load() != 0 {
			t.Fatalf("%s: %+v", d, r)
		}
	}
	e2 := newEnv(t, `_mta-sts.example.test. 300 IN TXT "v=STSv1; id=9;"`)
	e2.web.Set("example.test", ststest.Response{Body: "version: STSv1\nmode: none\nmax_age: 100\n"})
	if r := e2.client.Lookup(context.Background(), "example.test"); r.Policy != nil || r.Source != "fetched" {
		t.Fatalf("mode none: %+v", r)
	}
}
