package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/sasl"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

func script(t *testing.T, name string) string {
	return smtptest.Load(t, filepath.Join("testdata", "scripts", name+".txt"))
}

type transcript struct{ lines []string }

func (tr *transcript) trace(d smtp.Direction, l string) {
	tr.lines = append(tr.lines, []string{"C: ", "S: ", "*  ", "D: "}[d]+l)
}
func (tr *transcript) String() string { return strings.Join(tr.lines, "\n") }

func opts(srv *smtptest.Server, mode smtp.TLSMode, tr *transcript) *smtp.Options {
	o := &smtp.Options{
		TLS:       mode,
		TLSConfig: &tls.Config{RootCAs: srv.Pool, ServerName: "localhost"},
		LocalName: "client.test",
		Timeouts:  smtp.Timeouts{Greeting: 5 * time.Second, Command: 5 * time.Second},
	}
	if tr != nil {
		o.Trace = tr.trace
	}
	return o
}

func dial(t *testing.T, srv *smtptest.Server, mode smtp.TLSMode, tr *transcript) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(context.Background(), srv.Addr, opts(srv, mode, tr))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return c
}

var msg = []byte("Subject: hi\r\n\r\nI love computer networks!\r\n.leading dot\r\n")

func TestSeedDialogue(t *testing.T) {
	srv := smtptest.New(t, script(t, "basic_seed"))
	o := opts(srv, smtp.TLSNone, nil)
	o.AllowInsecureAuth = true
	c, err := smtp.Dial(context.Background(), srv.Addr, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.ChooseMechanism(smtp.Credentials{Username: "user", Password: "pass"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "PLAIN" {
		t.Fatalf("chose %s, want PLAIN (server offers LOGIN PLAIN)", m.Name())
	}
	if err := c.Auth(ctx, m); err != nil {
		t.Fatal(err)
	}
	res, err := c.Send(ctx, &smtp.Envelope{From: "alice@163.test", To: []string{"bob@qq.test"}}, smtp.BytesBody(msg))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := res.Delivered(); len(got) != 1 || got[0] != "bob@qq.test" {
		t.Fatalf("delivered %v", got)
	}
	want := "Subject: hi\r\n\r\nI love computer networks!\r\n..leading dot\r\n"
	if got := string(srv.Data()[0]); got != want {
		t.Fatalf("data on the wire:\n%q\nwant\n%q", got, want)
	}
}

func TestLoginAnswersByPosition(t *testing.T) {
	srv := smtptest.New(t, script(t, "login_lowercase"))
	o := opts(srv, smtp.TLSNone, nil)
	o.AllowInsecureAuth = true
	c, err := smtp.Dial(context.Background(), srv.Addr, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(context.Background(), sasl.Login("user", "pass")); err != nil {
		t.Fatal(err)
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestHeloFallback(t *testing.T) {
	srv := smtptest.New(t, script(t, "helo_fallback"))
	c := dial(t, srv, smtp.TLSOpportunistic, nil)
	ctx := context.Background()
	if _, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg)); err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestHeloFallbackNeverSkipsRequiredTLS(t *testing.T) {
	srv := smtptest.New(t, `S: 220 old.test
C: EHLO client.test
S: 502 no
C: HELO client.test
S: 250 old.test
C: QUIT
S: 221 bye`)
	_, err := smtp.Dial(context.Background(), srv.Addr, opts(srv, smtp.TLSStartTLS, nil))
	var sec *smtp.SecurityError
	if !errors.As(err, &sec) {
		t.Fatalf("err = %v, want SecurityError", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestGreeting554(t *testing.T) {
	srv := smtptest.New(t, script(t, "greeting_554"))
	_, err := smtp.Dial(context.Background(), srv.Addr, opts(srv, smtp.TLSNone, nil))
	var se *smtp.Error
	if !errors.As(err, &se) || se.Code != 554 || se.Temporary() {
		t.Fatalf("err = %v", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestStartTLSRequiredButMissing(t *testing.T) {
	srv := smtptest.New(t, script(t, "starttls_missing"))
	_, err := smtp.Dial(context.Background(), srv.Addr, opts(srv, smtp.TLSStartTLS, nil))
	var sec *smtp.SecurityError
	if !errors.As(err, &sec) {
		t.Fatalf("err = %v, want SecurityError", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestStartTLSResponseInjection(t *testing.T) {
	srv := smtptest.New(t, script(t, "starttls_injection"))
	_, err := smtp.Dial(context.Background(), srv.Addr, opts(srv, smtp.TLSStartTLS, nil))
	var pe *smtp.ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(pe.Reason, "injection") {
		t.Fatalf("err = %v, want injection ProtocolError", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestStartTLSThenCramMD5AndBDAT(t *testing.T) {
	srv := smtptest.New(t, script(t, "starttls_ok"))
	tr := &transcript{}
	c := dial(t, srv, smtp.TLSStartTLS, tr)
	ctx := context.Background()
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("not TLS")
	}
	if c.Extensions().Has("STARTTLS") || !c.Extensions().Has("CHUNKING") {
		t.Fatalf("pre-TLS capabilities kept: %v", c.Extensions())
	}
	m, err := c.ChooseMechanism(smtp.Credentials{Username: "tim", Password: "tanstaaftanstaaf"}, "")
	if err != nil || m.Name() != "CRAM-MD5" {
		t.Fatalf("mechanism %v %v", m, err)
	}
	if err := c.Auth(ctx, m); err != nil {
		t.Fatal(err)
	}
	body := "a\n.b\rc\r\n"
	res, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := string(srv.Data()[0]); got != "a\r\n.b\r\nc\r\n" {
		t.Fatalf("BDAT content %q: no stuffing, CRLF normalised", got)
	}
	if res.QueueID != "ABC" {
		t.Fatalf("queue id %q", res.QueueID)
	}
	if strings.Contains(tr.String(), "dGlt") {
		t.Fatalf("transcript leaks the CRAM-MD5 response:\n%s", tr)
	}
	if !strings.Contains(tr.String(), "TLS handshake: TLS 1.3") {
		t.Fatalf("no TLS summary in transcript:\n%s", tr)
	}
}

func TestAuthRejectedCodes(t *testing.T) {
	srv := smtptest.NewTLS(t, script(t, "auth_535"))
	c := dial(t, srv, smtp.TLSImplicit, nil)
	err := c.Auth(context.Background(), sasl.Plain("", "u", "p"))
	var ae *smtp.AuthError
	if !errors.As(err, &ae) || ae.Reply.Code != 535 {
		t.Fatalf("err = %v", err)
	}
	var se *smtp.Error
	if !errors.As(err, &se) || se.Temporary() {
		t.Fatal("AuthError does not unwrap to a permanent *Error")
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestAuthBadChallenge(t *testing.T) {
	srv := smtptest.NewTLS(t, script(t, "auth_bad_base64"))
	c := dial(t, srv, smtp.TLSImplicit, nil)
	err := c.Auth(context.Background(), sasl.Login("u", "p"))
	var pe *smtp.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestNoCredentialsInClear(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx.test
C: EHLO client.test
S: 250-mx.test
S: 250 AUTH PLAIN
C: QUIT
S: 221 bye`)
	c := dial(t, srv, smtp.TLSNone, nil)
	err := c.Auth(context.Background(), sasl.Plain("", "u", "secret"))
	var sec *smtp.SecurityError
	if !errors.As(err, &sec) {
		t.Fatalf("err = %v", err)
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err) // the script proves no AUTH line was sent
	}
}

func TestProtocolErrors(t *testing.T) {
	for _, name := range []string{"mismatched_code", "flood", "longline"} {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.New(t, script(t, name))
			_, err := smtp.Dial(context.Background(), srv.Addr, opts(srv, smtp.TLSNone, nil))
			var pe *smtp.ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want ProtocolError", err)
			}
			if err := srv.Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDripTimesOut(t *testing.T) {
	srv := smtptest.New(t, script(t, "drip"))
	o := opts(srv, smtp.TLSNone, nil)
	o.Timeouts.Command = 300 * time.Millisecond
	start := time.Now()
	_, err := smtp.Dial(context.Background(), srv.Addr, o)
	var te *smtp.TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want TimeoutError", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("took %v", el)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestCancelInterruptsRead(t *testing.T) {
	srv := smtptest.New(t, script(t, "silent"))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err := smtp.Dial(ctx, srv.Addr, opts(srv, smtp.TLSNone, nil))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// The next message's commands go out before the previous message's final
// reply is read: the script reads them first, so a client that waited
// would deadlock here.
