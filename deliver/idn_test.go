package deliver

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/postie/postie/internal/dnstest"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

func idnScript(ext, rcpt, mailParams string) string {
	return `S: 220 mx ESMTP
C: EHLO *
S: 250-mx
S: 250 ` + ext + `
C: MAIL FROM:<a@x.test>` + mailParams + `
S: 250 ok
C: RCPT TO:<` + rcpt + `>
S: 250 ok
C: DATA
S: 354 go
C: <data>
S: 250 queued
C: QUIT
S: 221 bye`
}

// 例子.测试 is looked up as xn--fsqu00a.xn--0zwm56d; a server without
// SMTPUTF8 gets the A-label form in RCPT, one with it the Unicode form.
// The result names the recipient as the caller wrote it.
func TestDirectIDNRecipient(t *testing.T) {
	ns, err := dnstest.Start(`xn--fsqu00a.xn--0zwm56d. 300 IN MX 10 mx.xn--fsqu00a.xn--0zwm56d.`)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	for _, c := range []struct{ ext, rcpt, params string }{
		{"8BITMIME", "user@xn--fsqu00a.xn--0zwm56d", ""},
		{"SMTPUTF8", "user@例子.测试", " SMTPUTF8"},
	} {
		srv := smtptest.New(t, idnScript(c.ext, c.rcpt, c.params))
		d := &Direct{Resolver: goResolver(ns.Addr), TLSPolicy: PolicyMay,
			Options: smtp.Options{LocalName: "client.test", Dialer: mapDialer{"mx.xn--fsqu00a.xn--0zwm56d": srv.Addr}}}
		res, err := d.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"user@例子.测试"}}, smtp.BytesBody([]byte("x\r\n")))
		if err != nil || strings.Join(res.Delivered(), ",") != "user@例子.测试" {
			t.Fatalf("%s: %+v %v", c.ext, res, err)
		}
		if err := srv.Wait(); err != nil {
			t.Fatalf("%s: %v", c.ext, err)
		}
	}
	if q := strings.Join(ns.Queries(), ","); !strings.Contains(q, "xn--fsqu00a.xn--0zwm56d MX") {
		t.Fatalf("queries %s", q)
	}
}

// A non-ASCII local part has no ASCII form: without SMTPUTF8 the client
// says so and sends no MAIL.
func TestNonASCIILocalPartNeedsSMTPUTF8(t *testing.T) {
	srv := smtptest.New(t, `S: 220 relay ESMTP
C: EHLO *
S: 250-relay
S: 250 8BITMIME
C: QUIT
S: 221 bye`)
	r := &Relay{Addr: srv.Addr, TLS: smtp.TLSNone, Options: smtp.Options{LocalName: "client.test"}}
	_, err := r.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"用户@例子.测试"}}, smtp.BytesBody([]byte("x\r\n")))
	var ue *smtp.UnsupportedError
	if !errors.As(err, &ue) || ue.Extension != "SMTPUTF8" || !strings.Contains(err.Error(), "<用户@例子.测试> has a non-ASCII local part") {
		t.Fatalf("err = %v", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// Through a relay the same conversion applies, sender included.
func TestRelayIDN(t *testing.T) {
	srv := smtptest.New(t, strings.Replace(idnScript("8BITMIME", "bob@xn--fsqu00a.xn--0zwm56d", ""), "MAIL FROM:<a@x.test>", "MAIL FROM:<me@xn--fiqs8s.xn--0zwm56d>", 1))
	r := &Relay{Addr: srv.Addr, TLS: smtp.TLSNone, Options: smtp.Options{LocalName: "client.test"}}
	res, err := r.Send(context.Background(), &smtp.Envelope{From: "me@中国.测试", To: []string{"bob@例子.测试"}}, smtp.BytesBody([]byte("x\r\n")))
	if err != nil || strings.Join(res.Delivered(), ",") != "bob@例子.测试" {
		t.Fatalf("%+v %v", res, err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestASCIIAddress(t *testing.T) {
	for in, want := range map[string]string{
		"user@例子.测试":       "user@xn--fsqu00a.xn--0zwm56d",
		"user@Example.ORG": "user@Example.ORG", // ASCII is left alone
		"user@[192.0.2.1]": "user@[192.0.2.1]",
		"user@bücher.test": "user@xn--bcher-kva.test",
		"user@BÜCHER.test": "user@xn--bcher-kva.test",
	} {
		if got, err := ASCIIAddress(in); err != nil || got != want {
			t.Errorf("%s: %q %v", in, got, err)
		}
	}
	for _, in := range []string{"user@xn--a.测试", "user@a\u200d.测试"} {
		if _, err := ASCIIAddress(in); !errors.Is(err, smtp.ErrInvalidArgument) {
			t.Errorf("%s: %v", in, err)
		}
	}
}
