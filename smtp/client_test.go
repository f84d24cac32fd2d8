package smtp_test

import (
	"bytes"
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

func TestPipelinedPartialRejection(t *testing.T) {
	srv := smtptest.New(t, script(t, "pipelined_partial"))
	c := dial(t, srv, smtp.TLSNone, nil)
	ctx := context.Background()
	res, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test", "nobody@x.test", "c@x.test"}, Mail: smtp.MailOptions{Size: 42}}, smtp.BytesBody(msg))
	if err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if d := res.Delivered(); strings.Join(d, ",") != "b@x.test,c@x.test" {
		t.Fatalf("delivered %v", d)
	}
	f := res.Failed()
	var se *smtp.Error
	if len(f) != 1 || f[0].Address != "nobody@x.test" || !errors.As(f[0].Err, &se) || se.Code != 550 || se.Enhanced != (smtp.EnhancedCode{5, 1, 1}) {
		t.Fatalf("failed %+v", f)
	}
	if res.QueueID != "4F2A1B" {
		t.Fatalf("queue id %q", res.QueueID)
	}
}

func TestPipelinedAllRejectedSendsNoMessage(t *testing.T) {
	srv := smtptest.New(t, script(t, "pipelined_all_rejected"))
	c := dial(t, srv, smtp.TLSNone, nil)
	ctx := context.Background()
	res, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg))
	var se *smtp.Error
	if !errors.As(err, &se) || se.Code != 550 {
		t.Fatalf("err = %v, want the RCPT 550", err)
	}
	if len(res.Delivered()) != 0 {
		t.Fatal("reported delivered")
	}
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestTooManyRecipientsContinues(t *testing.T) {
	srv := smtptest.New(t, script(t, "too_many_recipients"))
	c := dial(t, srv, smtp.TLSNone, nil)
	ctx := context.Background()
	res, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test", "c@x.test"}}, smtp.BytesBody(msg))
	if err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(res.Delivered()) != 2 || len(res.Transactions) != 2 || len(srv.Data()) != 2 {
		t.Fatalf("delivered %v in %d transactions", res.Delivered(), len(res.Transactions))
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

func TestMaybeDelivered(t *testing.T) {
	srv := smtptest.New(t, script(t, "lost_after_dot"))
	c := dial(t, srv, smtp.TLSNone, nil)
	_, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg))
	if !errors.Is(err, smtp.ErrMaybeDelivered) {
		t.Fatalf("err = %v, want ErrMaybeDelivered", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestLostBeforeDataIsNotMaybe(t *testing.T) {
	srv := smtptest.New(t, script(t, "lost_mid_data"))
	c := dial(t, srv, smtp.TLSNone, nil)
	_, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg))
	if !errors.Is(err, smtp.ErrNotDelivered) || errors.Is(err, smtp.ErrMaybeDelivered) {
		t.Fatalf("err = %v, want not delivered", err)
	}
	if !smtp.IsTemporary(err) {
		t.Fatalf("a lost connection should be temporary: %v", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
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

func TestOutOfPhase(t *testing.T) {
	srv := smtptest.New(t, script(t, "out_of_phase"))
	c := dial(t, srv, smtp.TLSNone, nil)
	_, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg))
	var pe *smtp.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want ProtocolError", err)
	}
	c.Close()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
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

func TestDSNAndSMTPUTF8Parameters(t *testing.T) {
	srv := smtptest.New(t, script(t, "dsn_utf8"))
	c := dial(t, srv, smtp.TLSNone, nil)
	ctx := context.Background()
	env := &smtp.Envelope{
		From: "张三@例子.test", To: []string{"bob@x.test"},
		Mail: smtp.MailOptions{Size: 10, Body8Bit: true, DSNRet: smtp.DSNReturnHeaders, DSNEnvID: "id+1=x"},
		Rcpt: smtp.RcptOptions{Notify: smtp.NotifySuccess | smtp.NotifyFailure, ORcpt: "bob+x@x.test"},
	}
	if _, err := c.Send(ctx, env, smtp.BytesBody([]byte("héllo\r\n"))); err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestMissingExtensionsFailBeforeMail(t *testing.T) {
	for name, env := range map[string]*smtp.Envelope{
		"no_smtputf8":  {From: "a@x.test", To: []string{"用户@x.test"}},
		"size_too_big": {From: "a@x.test", To: []string{"b@x.test"}, Mail: smtp.MailOptions{Size: 1000}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.New(t, script(t, name))
			c := dial(t, srv, smtp.TLSNone, nil)
			_, err := c.Send(context.Background(), env, smtp.BytesBody(msg))
			var ue *smtp.UnsupportedError
			var tl *smtp.TooLargeError
			if !errors.As(err, &ue) && !errors.As(err, &tl) {
				t.Fatalf("err = %v", err)
			}
			c.Quit(context.Background())
			if err := srv.Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTemporaryRcptSequential(t *testing.T) {
	srv := smtptest.New(t, script(t, "rcpt_4xx_sequential"))
	c := dial(t, srv, smtp.TLSNone, nil)
	_, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg))
	if !smtp.IsTemporary(err) {
		t.Fatalf("err = %v, want temporary", err)
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestInjectionInArguments(t *testing.T) {
	for _, a := range []string{"a@x.test>\r\nRCPT TO:<evil@x.test", "a@x.test> SIZE=1", "a b@x.test", "a@x.test\x00", "\"a> NOTIFY=NEVER <\"@x.test", "noat"} {
		if err := smtp.CheckAddress(a); !errors.Is(err, smtp.ErrInvalidArgument) {
			t.Errorf("CheckAddress(%q) = %v", a, err)
		}
	}
	for _, a := range []string{"a@x.test", "\"john doe\"@x.test", "张三@例子.test", "postmaster", "a@[127.0.0.1]"} {
		if err := smtp.CheckAddress(a); err != nil {
			t.Errorf("CheckAddress(%q) = %v", a, err)
		}
	}
}

func TestLineTooLongAborts(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx.test
C: EHLO client.test
S: 250 mx.test
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<b@x.test>
S: 250 ok
C: DATA
S: 354 go
!eof`)
	c := dial(t, srv, smtp.TLSNone, nil)
	long := bytes.Repeat([]byte("x"), 999)
	_, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(long))
	if !errors.Is(err, smtp.ErrLineTooLong) {
		t.Fatalf("err = %v", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// The next message's commands go out before the previous message's final
// reply is read: the script reads them first, so a client that waited
// would deadlock here.
func TestSendAllPipelinesAcrossMessages(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx.test ESMTP
C: EHLO client.test
S: 250-mx.test
S: 250 PIPELINING
C: MAIL FROM:<a@x.test>
C: RCPT TO:<b@x.test>
C: DATA
S: 250 ok
S: 250 ok
S: 354 go
C: <data>
C: MAIL FROM:<a@x.test>
C: RCPT TO:<c@x.test>
C: DATA
S: 250 first queued as A1
S: 250 ok
S: 250 ok
S: 354 go
C: <data>
S: 554 5.7.1 second refused
C: QUIT
S: 221 bye`)
	c := dial(t, srv, smtp.TLSNone, nil)
	ctx := context.Background()
	res, errs := c.SendAll(ctx, []smtp.Job{
		{Env: &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, Body: smtp.BytesBody([]byte("one\r\n"))},
		{Env: &smtp.Envelope{From: "a@x.test", To: []string{"c@x.test"}}, Body: smtp.BytesBody([]byte("two\r\n"))},
	})
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || res[0].QueueID != "A1" {
		t.Fatalf("first: %v %+v", errs[0], res[0])
	}
	var se *smtp.Error
	if !errors.As(errs[1], &se) || se.Code != 554 {
		t.Fatalf("second: %v", errs[1])
	}
}
