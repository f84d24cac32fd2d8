package deliver

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/postie/postie/internal/dnstest"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

type fakeResolver map[string][]*net.MX

func (f fakeResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	mx, ok := f[name]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return mx, nil
}

func (f fakeResolver) LookupIPAddr(_ context.Context, name string) ([]net.IPAddr, error) {
	if _, ok := f[name]; !ok {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}

// goResolver is Go's own resolver asking the test DNS server at addr.
func goResolver(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
}

// mapDialer sends "host:25" to the loopback test server standing for host.
type mapDialer map[string]string

func (m mapDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(addr)
	real, ok := m[host]
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return (&net.Dialer{}).DialContext(ctx, network, real)
}

const accept = `S: 220 %s ESMTP
C: EHLO *
S: 250 ok
C: MAIL FROM:<a@x.test>
S: 250 ok
%s
C: DATA
S: 354 go
C: <data>
S: 250 queued
C: QUIT
S: 221 bye`

func script(name string, rcpts ...string) string {
	var r []string
	for _, x := range rcpts {
		r = append(r, "C: RCPT TO:<"+x+">\nS: 250 ok")
	}
	return strings.Replace(strings.Replace(accept, "%s", name, 1), "%s", strings.Join(r, "\n"), 1)
}

func TestDirectByPreferenceWithFallback(t *testing.T) {
	// example.test: the preferred MX is down, the second takes it.
	// other.test: no MX records, so its A record is the exchanger.
	backup := smtptest.New(t, script("mx2.example.test", "bob@example.test", "carol@example.test"))
	implicit := smtptest.New(t, script("other.test", "dave@other.test"))
	d := &Direct{
		Resolver: fakeResolver{
			"example.test": {{Host: "mx2.example.test.", Pref: 20}, {Host: "mx1.example.test.", Pref: 10}},
			"other.test":   {},
		},
		Options: smtp.Options{LocalName: "client.test", Dialer: mapDialer{"mx2.example.test": backup.Addr, "other.test": implicit.Addr}},
	}
	res, err := d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"bob@example.test", "dave@other.test", "carol@example.test"}}, smtp.BytesBody([]byte("Subject: x\r\n\r\nhi\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Delivered(), ","); got != "bob@example.test,carol@example.test,dave@other.test" {
		t.Fatalf("delivered %s", got)
	}
	for _, s := range []*smtptest.Server{backup, implicit} {
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDirectNoMailHost(t *testing.T) {
	d := &Direct{Resolver: fakeResolver{"nullmx.test": {{Host: ".", Pref: 0}}}, Options: smtp.Options{Dialer: mapDialer{}}}
	for _, to := range []string{"x@nullmx.test", "x@missing.test"} {
		res, err := d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{to}}, smtp.BytesBody([]byte("x\r\n")))
		var nm *NoMailHostError
		if !errors.As(err, &nm) || len(res.Failed()) != 1 {
			t.Fatalf("%s: err = %v", to, err)
		}
	}
}

// A permanent refusal is final: the next MX is not asked.
func TestDirectPermanentRefusalStops(t *testing.T) {
	first := smtptest.New(t, `S: 220 mx1 ESMTP
C: EHLO *
S: 250 ok
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<bob@example.test>
S: 550 5.1.1 no such user
C: RSET
S: 250 ok
C: QUIT
S: 221 bye`)
	d := &Direct{
		Resolver: fakeResolver{"example.test": {{Host: "mx1.example.test", Pref: 10}, {Host: "mx2.example.test", Pref: 20}}},
		Options:  smtp.Options{LocalName: "client.test", Dialer: mapDialer{"mx1.example.test": first.Addr}},
	}
	_, err := d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"bob@example.test"}}, smtp.BytesBody([]byte("x\r\n")))
	var se *smtp.Error
	if !errors.As(err, &se) || se.Code != 550 || strings.Contains(err.Error(), "mx2") {
		t.Fatalf("err = %v", err)
	}
	if err := first.Wait(); err != nil {
		t.Fatal(err)
	}
}

// Opportunistic TLS: STARTTLS is used when offered, with a certificate the
// client cannot verify (as most MX certificates are for another name).
func TestDirectOpportunisticTLS(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx ESMTP
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
S: 221 bye`)
	d := &Direct{Resolver: fakeResolver{"example.test": {{Host: "mx.example.test", Pref: 1}}},
		Options: smtp.Options{LocalName: "client.test", Dialer: mapDialer{"mx.example.test": srv.Addr}}}
	if _, err := d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"bob@example.test"}}, smtp.BytesBody([]byte("x\r\n"))); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// A domain with an address and no MX is its own exchanger (RFC 5321 §5.1),
// although Go's LookupMX reports "not found" for it as for a domain that
// does not exist; only the latter has no mail host. Go's real resolver
// asks a DNS server on loopback, as in production.
func TestDirectNoMXFallsBackToAddress(t *testing.T) {
	ns, err := dnstest.Start(`aonly.test. 300 IN A 127.0.0.1
txtonly.test. 300 IN TXT "no mail here"`)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	srv := smtptest.New(t, script("aonly.test", "bob@aonly.test"))
	d := &Direct{Resolver: goResolver(ns.Addr), Options: smtp.Options{LocalName: "client.test", Dialer: mapDialer{"aonly.test": srv.Addr}}}
	res, err := d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"bob@aonly.test"}}, smtp.BytesBody([]byte("x\r\n")))
	if err != nil || len(res.Delivered()) != 1 {
		t.Fatalf("res %+v err %v", res, err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if q := strings.Join(ns.Queries(), ","); !strings.Contains(q, "aonly.test MX") || !strings.Contains(q, "aonly.test A") {
		t.Fatalf("queries %s", q)
	}
	for _, dom := range []string{"nowhere.test", "txtonly.test"} {
		_, err = d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"bob@" + dom}}, smtp.BytesBody([]byte("x\r\n")))
		var nm *NoMailHostError
		if !errors.As(err, &nm) || nm.Domain != dom {
			t.Fatalf("%s: err = %v", dom, err)
		}
	}
}
