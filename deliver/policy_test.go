package deliver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/internal/dnstest"
	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/internal/ststest"
	"github.com/postie/postie/mtasts"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

// Scripts for one MX connection. "plain" offers no STARTTLS and expects
// no transaction: the client must leave without MAIL.
const (
	plainRefused = `S: 220 mx ESMTP
C: EHLO *
S: 250 mx
C: QUIT
S: 221 bye`
	tlsDelivered = `S: 220 mx ESMTP
C: EHLO *
S: 250-mx
S: 250 STARTTLS
C: STARTTLS
S: 220 go
!starttls
C: EHLO *
S: 250 mx
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<bob@example.test>
S: 250 ok
C: DATA
S: 354 go
C: <data>
S: 250 queued
C: QUIT
S: 221 bye`
	tlsRejected = `S: 220 mx ESMTP
C: EHLO *
S: 250-mx
S: 250 STARTTLS
C: STARTTLS
S: 220 go
!starttls-reject`
	plainDelivered = `S: 220 mx ESMTP
C: EHLO *
S: 250 mx
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<bob@example.test>
S: 250 ok
C: DATA
S: 354 go
C: <data>
S: 250 queued
C: QUIT
S: 221 bye`
)

// world is one test's DNS, MX servers, policy web server and Direct.
type world struct {
	t      *testing.T
	ca     map[string]*selfsigned.Bundle // certificate per MX host
	dialed []string
	mu     sync.Mutex
	routes map[string]string // MX host -> scripted server address
	d      *Direct
	report *DomainReport
	web    *ststest.Server
}

func newWorld(t *testing.T) *world {
	return &world{t: t, ca: map[string]*selfsigned.Bundle{}, routes: map[string]string{}}
}

// cert returns (and remembers) a certificate for host from its own CA.
func (w *world) cert(host string) *selfsigned.Bundle {
	if b, ok := w.ca[host]; ok {
		return b
	}
	b, err := selfsigned.New(selfsigned.Options{Hosts: []string{host}})
	if err != nil {
		w.t.Fatal(err)
	}
	w.ca[host] = b
	return b
}

// tlsa is a DANE-EE 3 1 1 record for host's certificate, as zone text.
func (w *world) tlsa(host string) string {
	leaf, _ := x509.ParseCertificate(w.cert(host).Cert.Certificate[0])
	return hex.EncodeToString(dane.Record(3, 1, 1, leaf).Data)
}

// mx starts host's scripted server, with host's certificate for STARTTLS.
func (w *world) mx(host, script string) *smtptest.Server {
	s := smtptest.NewWithTLS(w.t, script, false, w.cert(host).ServerConfig())
	w.routes[host] = s.Addr
	return s
}

func (w *world) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(addr)
	w.mu.Lock()
	w.dialed = append(w.dialed, host)
	real, ok := w.routes[host]
	w.mu.Unlock()
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused (test)")}
	}
	return (&net.Dialer{}).DialContext(ctx, network, real)
}

// direct builds the Direct under test: DNS from zone (DANE-capable
// resolver), MTA-STS policies from policies (domain -> file), and every
// test CA trusted for certificate verification.
func (w *world) direct(zone string, policies map[string]string) *Direct {
	var domains []string
	for d := range policies {
		domains = append(domains, d)
	}
	web, err := ststest.Start("127.0.0.9", append(domains, "unused.test")...)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { web.Close() })
	w.web = web
	for d, p := range policies {
		web.Set(d, ststest.Response{Body: p})
		zone += fmt.Sprintf("\nmta-sts.%s. 300 IN A 127.0.0.9", d)
	}
	ns, err := dnstest.Start(zone)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { ns.Close() })
	roots := x509.NewCertPool()
	for _, b := range w.ca {
		roots.AppendCertsFromPEM(b.CAPEM)
	}
	goRes := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, ns.Addr)
	}}
	w.d = &Direct{
		Resolver: &dane.Resolver{Server: ns.Addr},
		Options:  smtp.Options{LocalName: "client.test", Dialer: w, TLSConfig: &tls.Config{RootCAs: roots}},
		MTASTS: &mtasts.Client{
			Fetcher: mtasts.Fetcher{Resolver: goRes, HTTP: mtasts.NewHTTPClient(ststest.Dialer(ns.Addr, web.Port), &http.Transport{TLSClientConfig: &tls.Config{RootCAs: web.CA.Pool}})},
			Cache:   &mtasts.Cache{Dir: w.t.TempDir()},
		},
		Report: func(r *DomainReport) { w.report = r },
	}
	return w.d
}

func (w *world) send(to string) (*smtp.Result, error) {
	return w.d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{to}}, smtp.BytesBody([]byte("Subject: x\r\n\r\nhi\r\n")))
}

func waitAll(t *testing.T, servers ...*smtptest.Server) {
	t.Helper()
	for _, s := range servers {
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func wantPolicyError(t *testing.T, err error, temporary bool, text string) {
	t.Helper()
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Temporary() != temporary || !strings.Contains(err.Error(), text) {
		t.Fatalf("err = %v, want a PolicyError (temporary %v) with %q", err, temporary, text)
	}
}

const stsZone = `example.test. 300 IN MX 10 mx1.example.test.
mx1.example.test. 300 IN A 127.0.0.2
_mta-sts.example.test. 300 IN TXT "v=STSv1; id=1;"`

func stsPolicy(mode string, mx ...string) map[string]string {
	return map[string]string{"example.test": fmt.Sprintf("version: STSv1\nmode: %s\nmx: %s\nmax_age: 86400\n", mode, strings.Join(mx, "\nmx: "))}
}

// MTA-STS enforce and an MX without STARTTLS: not sent, no MAIL in
// plain text, a temporary failure (the message waits).
func TestMTASTSEnforceRefusesPlainText(t *testing.T) {
	w := newWorld(t)
	s := w.mx("mx1.example.test", plainRefused)
	w.direct(stsZone, stsPolicy("enforce", "mx1.example.test"))
	res, err := w.send("bob@example.test")
	wantPolicyError(t, err, true, "STARTTLS")
	if len(res.Delivered()) != 0 || w.report.Policy != "mta-sts enforce" {
		t.Fatalf("res %+v report %+v", res, w.report)
	}
	waitAll(t, s)
}

// Enforce with a certificate valid for the MX name: delivered, verified.
func TestMTASTSEnforceDeliversVerified(t *testing.T) {
	w := newWorld(t)
	s := w.mx("mx1.example.test", tlsDelivered)
	w.direct(stsZone, stsPolicy("enforce", "*.example.test"))
	if _, err := w.send("bob@example.test"); err != nil {
		t.Fatal(err)
	}
	if r := w.report; r.Policy != "mta-sts enforce" || !r.TLS || !r.Verified || r.MX != "mx1.example.test" {
		t.Fatalf("report %+v", r)
	}
	waitAll(t, s)
}

// Enforce, certificate for another name: refused in the handshake.
func TestMTASTSEnforceRefusesWrongCertificate(t *testing.T) {
	w := newWorld(t)
	w.cert("mx1.example.test")
	s := smtptest.NewWithTLS(t, tlsRejected, false, w.cert("impostor.test").ServerConfig())
	w.routes["mx1.example.test"] = s.Addr
	w.direct(stsZone, stsPolicy("enforce", "mx1.example.test"))
	_, err := w.send("bob@example.test")
	wantPolicyError(t, err, true, "impostor.test")
	waitAll(t, s)
}

// Testing mode: the same plain-text server gets the message, and the
// report says the policy would have failed.
func TestMTASTSTestingDeliversAndReports(t *testing.T) {
	w := newWorld(t)
	s := w.mx("mx1.example.test", plainDelivered)
	w.direct(stsZone, stsPolicy("testing", "mx1.example.test"))
	if _, err := w.send("bob@example.test"); err != nil {
		t.Fatal(err)
	}
	r := w.report
	if r.Policy != "mta-sts testing" || r.TLS || r.Verified || !strings.Contains(strings.Join(r.Notes, ";"), "would fail the policy (the server does not offer STARTTLS); delivered anyway") {
		t.Fatalf("report %+v", r)
	}
	waitAll(t, s)
}

// An MX that the enforced policy does not list is never contacted.
func TestMTASTSMXNotInPolicyIsSkipped(t *testing.T) {
	w := newWorld(t)
	w.routes["rogue.example.net"] = "127.0.0.1:1"
	w.direct(`example.test. 300 IN MX 10 rogue.example.net.
rogue.example.net. 300 IN A 127.0.0.2
_mta-sts.example.test. 300 IN TXT "v=STSv1; id=1;"`, stsPolicy("enforce", "mx1.example.test"))
	_, err := w.send("bob@example.test")
	wantPolicyError(t, err, true, "MX rogue.example.net is not in the MTA-STS policy")
	if len(w.dialed) != 0 {
		t.Fatalf("dialed %v", w.dialed)
	}
}

// --tls-policy mta-sts demands a policy: a domain without one fails
// permanently, and no MX is contacted.
func TestExplicitMTASTSNeedsAPolicy(t *testing.T) {
	w := newWorld(t)
	// No server: any dial is recorded in w.dialed (and would fail), and a
	// scripted server that never ran would fail the test as a deviation.
	d := w.direct(`example.test. 300 IN MX 10 mx1.example.test.
mx1.example.test. 300 IN A 127.0.0.2`, nil)
	d.TLSPolicy = PolicyMTASTS
	_, err := w.send("bob@example.test")
	wantPolicyError(t, err, false, "publishes no MTA-STS policy")
	if len(w.dialed) != 0 {
		t.Fatalf("dialed %v", w.dialed)
	}
}

func daneZone(w *world, tlsaHost string, secure bool) string {
	sec := ""
	if secure {
		sec = " ; secure"
	}
	return fmt.Sprintf(`example.test. 300 IN MX 10 mx1.example.test.%[3]s
mx1.example.test. 300 IN A 127.0.0.2%[3]s
_25._tcp.mx1.example.test. 300 IN TLSA 3 1 1 %[1]s%[3]s
_mta-sts.example.test. 300 IN TXT "v=STSv1; id=1;"
# %[2]s`, w.tlsa(tlsaHost), tlsaHost, sec)
}

// TLSA matching the server's key: delivered, authenticated by DANE,
// although the certificate's CA is trusted by no one. DANE takes
// precedence over the MTA-STS policy the domain also publishes.
func TestDANEMatch(t *testing.T) {
	w := newWorld(t)
	s := w.mx("mx1.example.test", tlsDelivered)
	w.direct(daneZone(w, "mx1.example.test", true), stsPolicy("enforce", "other.example.test"))
	w.d.Options.TLSConfig = nil // no CA trusted: only the TLSA record can vouch
	var trace []string
	w.d.Options.Trace = func(_ smtp.Direction, l string) { trace = append(trace, l) }
	if _, err := w.send("bob@example.test"); err != nil {
		t.Fatal(err)
	}
	if r := w.report; r.Policy != "dane" || !r.TLS || !r.Verified {
		t.Fatalf("report %+v", r)
	}
	if tr := strings.Join(trace, "\n"); !strings.Contains(tr, "DANE: mx1.example.test authenticated by TLSA 3 1 1") || !strings.Contains(tr, "verified") {
		t.Fatalf("trace:\n%s", tr)
	}
	waitAll(t, s)
}

// TLSA for another key: the handshake is refused, nothing is sent.
func TestDANEMismatch(t *testing.T) {
	w := newWorld(t)
	s := w.mx("mx1.example.test", tlsRejected)
	w.direct(daneZone(w, "someone-else.test", true), nil)
	_, err := w.send("bob@example.test")
	wantPolicyError(t, err, true, "matches none of the 1 usable TLSA records")
	var de *dane.Error
	if !errors.As(err, &de) {
		t.Fatalf("not a dane.Error: %v", err)
	}
	waitAll(t, s)
}

// TLSA records without the AD bit are not trusted: the MX is used as
// without DANE (here: opportunistic TLS).
func TestDANEInsecureTLSAIgnored(t *testing.T) {
	w := newWorld(t)
	s := w.mx("mx1.example.test", tlsDelivered)
	w.direct(daneZone(w, "someone-else.test", false), nil)
	if _, err := w.send("bob@example.test"); err != nil {
		t.Fatal(err)
	}
	if r := w.report; r.Policy != "may" || !r.TLS || r.Verified {
		t.Fatalf("report %+v", r)
	}
	waitAll(t, s)
}

// Only unusable records (PKIX-EE): TLS is still mandatory, without
// authentication (RFC 7672 §2.2). A server without STARTTLS is refused;
// one with it gets the message, unverified.
func TestDANEUnusableRecordsRequireTLS(t *testing.T) {
	zone := strings.Replace(daneZone(newWorld(t), "x.test", true), "TLSA 3 1 1", "TLSA 1 1 1", 1)
	w := newWorld(t)
	s := w.mx("mx1.example.test", plainRefused)
	w.direct(zone, nil)
	if _, err := w.send("bob@example.test"); err == nil {
		t.Fatal("sent in plain text")
	}
	waitAll(t, s)

	w = newWorld(t)
	s = w.mx("mx1.example.test", tlsDelivered)
	w.direct(zone, nil)
	if _, err := w.send("bob@example.test"); err != nil {
		t.Fatal(err)
	}
	if r := w.report; r.Policy != "encrypt" || !r.TLS || r.Verified {
		t.Fatalf("report %+v", r)
	}
	waitAll(t, s)
}

// A DANE host that fails does not open the way to plain text on the
// next MX, which has no TLSA records of its own.
func TestNoPlainTextFallbackAfterDANE(t *testing.T) {
	w := newWorld(t)
	s1 := w.mx("mx1.example.test", tlsRejected)
	s2 := w.mx("mx2.example.test", plainRefused)
	w.direct(daneZone(w, "someone-else.test", true)+`
example.test. 300 IN MX 20 mx2.example.test. ; secure
mx2.example.test. 300 IN A 127.0.0.3 ; secure`, nil)
	_, err := w.send("bob@example.test")
	wantPolicyError(t, err, true, "MX mx2.example.test")
	if strings.Join(w.dialed, ",") != "mx1.example.test,mx2.example.test" {
		t.Fatalf("dialed %v", w.dialed)
	}
	waitAll(t, s1, s2)
}

// A TLSA lookup that fails (SERVFAIL) makes that MX unusable for now; the
// next MX, with valid DANE, takes the message.
func TestDANELookupFailureSkipsHost(t *testing.T) {
	w := newWorld(t)
	s2 := w.mx("mx2.example.test", strings.ReplaceAll(tlsDelivered, "mx", "mx2"))
	w.direct(fmt.Sprintf(`example.test. 300 IN MX 10 mx1.example.test. ; secure
example.test. 300 IN MX 20 mx2.example.test. ; secure
mx1.example.test. 300 IN A 127.0.0.2 ; secure
servfail _25._tcp.mx1.example.test.
mx2.example.test. 300 IN A 127.0.0.3 ; secure
_25._tcp.mx2.example.test. 300 IN TLSA 3 1 1 %s ; secure`, w.tlsa("mx2.example.test")), nil)
	if _, err := w.send("bob@example.test"); err != nil {
		t.Fatal(err)
	}
	if r := w.report; r.MX != "mx2.example.test" || !r.Verified || !strings.Contains(strings.Join(r.Notes, ";"), "skipped MX mx1.example.test: domain example.test: TLS policy dane: MX mx1.example.test: TLSA lookup failed") {
		t.Fatalf("report %+v", r)
	}
	if strings.Join(w.dialed, ",") != "mx2.example.test" {
		t.Fatalf("dialed %v", w.dialed)
	}
	waitAll(t, s2)
}

// --tls-policy dane: a domain without TLSA records gets nothing.
func TestExplicitDANENeedsRecords(t *testing.T) {
	w := newWorld(t)
	d := w.direct(`example.test. 300 IN MX 10 mx1.example.test. ; secure
mx1.example.test. 300 IN A 127.0.0.2 ; secure`, nil)
	d.TLSPolicy = PolicyDANE
	_, err := w.send("bob@example.test")
	wantPolicyError(t, err, false, "no usable DNSSEC-authenticated TLSA records")
	if len(w.dialed) != 0 {
		t.Fatalf("dialed %v", w.dialed)
	}
}

// The user's own levels: encrypt refuses plain text; may accepts it.
func TestSenderChosenLevels(t *testing.T) {
	for _, c := range []struct {
		policy TLSPolicy
		script string
		ok     bool
	}{{PolicyEncrypt, plainRefused, false}, {PolicyMay, plainDelivered, true}, {PolicyVerify, tlsDelivered, true}} {
		w := newWorld(t)
		s := w.mx("mx1.example.test", c.script)
		w.direct(daneZone(w, "x.test", false), nil).TLSPolicy = c.policy
		_, err := w.send("bob@example.test")
		if (err == nil) != c.ok || w.report.Policy != string(c.policy) {
			t.Fatalf("%s: err %v report %+v", c.policy, err, w.report)
		}
		var pe *PolicyError
		if errors.As(err, &pe) {
			t.Fatalf("%s: the sender's own level is not a domain policy failure: %v", c.policy, err)
		}
		waitAll(t, s)
	}
}

// The plan 'postie check --direct' prints.
func TestPlan(t *testing.T) {
	w := newWorld(t)
	d := w.direct(daneZone(w, "mx1.example.test", true)+`
example.test. 300 IN MX 20 backup.example.test. ; secure
backup.example.test. 300 IN A 127.0.0.3 ; secure`, stsPolicy("enforce", "mx1.example.test"))
	d.Now = func() time.Time { return time.Now() }
	p, err := d.Plan(context.Background(), "EXAMPLE.test")
	if err != nil {
		t.Fatal(err)
	}
	if p.Domain != "example.test" || p.Policy != "dane" || !p.MXSecure || len(p.Hosts) != 2 {
		t.Fatalf("%+v", p)
	}
	if h := p.Hosts[0]; h.Host != "mx1.example.test" || h.Level != "dane" || len(h.TLSA) != 1 || h.Skip != nil {
		t.Fatalf("host 0 %+v", h)
	}
	// backup has no TLSA; the MTA-STS policy does not list it: skipped.
	if h := p.Hosts[1]; h.Host != "backup.example.test" || h.Skip == nil || !strings.Contains(h.Skip.Error(), "not in the MTA-STS policy") {
		t.Fatalf("host 1 %+v", h)
	}
	if p.MTASTS == nil || p.MTASTS.Policy == nil || p.MTASTS.ID != "1" {
		t.Fatalf("MTA-STS %+v", p.MTASTS)
	}
}
