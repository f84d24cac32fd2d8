package smtp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/postie/postie/sasl"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

var _ io.WriteCloser = (*smtp.DataWriter)(nil)

// The one-command-at-a-time API, as net/smtp offers it: 251 is success
// (RFC 5321 §3.4), a refusal is an *Error, and CloseWithReply returns the
// final reply.
func TestLowLevelCommands(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx.test ESMTP
C: EHLO client.test
S: 250-mx.test
S: 250 DSN
C: EHLO client.test
S: 250-mx.test
S: 250 DSN
C: MAIL FROM:<a@x.test> RET=FULL
S: 250 ok
C: RCPT TO:<far@x.test> NOTIFY=FAILURE,DELAY
S: 251 2.1.5 User not local; will forward
C: RCPT TO:<nobody@x.test>
S: 550-5.1.1 Recipient address rejected:
S: 550 5.1.1 no such user
C: DATA
S: 354 go
C: <data>
S: 250 2.0.0 queued as LL1
C: NOOP
S: 250 ok
C: RSET
S: 250 ok
C: QUIT
S: 221 bye`)
	c := dial(t, srv, smtp.TLSNone, nil)
	ctx := context.Background()
	if err := c.Hello(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(ctx, "a@x.test", smtp.MailOptions{DSNRet: smtp.DSNReturnFull}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(ctx, "far@x.test", smtp.RcptOptions{Notify: smtp.NotifyFailure | smtp.NotifyDelay}); err != nil {
		t.Fatalf("251 refused: %v", err)
	}
	err := c.Rcpt(ctx, "nobody@x.test", smtp.RcptOptions{})
	var se *smtp.Error
	if !errors.As(err, &se) || se.Code != 550 || se.Message != "Recipient address rejected: no such user" {
		t.Fatalf("err = %v", err)
	}
	w, err := c.Data(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "Subject: x\n\n.dot\n"); err != nil {
		t.Fatal(err)
	}
	rep, err := w.CloseWithReply()
	if err != nil || rep.Code != 250 || rep.Enhanced != (smtp.EnhancedCode{2, 0, 0}) {
		t.Fatalf("%v %v", rep, err)
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Fatal("write after close accepted")
	}
	for _, f := range []func(context.Context) error{c.Noop, c.Reset, c.Quit} {
		if err := f(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(srv.Data()[0]); got != "Subject: x\r\n\r\n..dot\r\n" {
		t.Fatalf("data %q", got)
	}
}

// Data's writer: a connection lost before the dot is "not delivered",
// after it "may have been delivered".
func TestDataWriterOutcomes(t *testing.T) {
	head := "S: 220 mx.test\nC: EHLO client.test\nS: 250 mx.test\nC: DATA\nS: 354 go\n"
	srv := smtptest.New(t, head+"C: <data>\n!close")
	c := dial(t, srv, smtp.TLSNone, nil)
	w, err := c.Data(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "hi\r\n")
	if err := w.Close(); !errors.Is(err, smtp.ErrMaybeDelivered) {
		t.Fatalf("after the dot: %v", err)
	}
	srv2 := smtptest.New(t, head+"!eof")
	c2 := dial(t, srv2, smtp.TLSNone, nil)
	w2, err := c2.Data(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w2.Write([]byte(strings.Repeat("x", 999))); !errors.Is(err, smtp.ErrNotDelivered) || !errors.Is(err, smtp.ErrLineTooLong) {
		t.Fatalf("before the dot: %v", err)
	}
}

func TestEnhancedCodeCutByItsOwnToken(t *testing.T) {
	for in, want := range map[string]struct {
		ec   smtp.EnhancedCode
		text string
	}{
		"550 5.1.01 no such user\r\n":                             {smtp.EnhancedCode{5, 1, 1}, "no such user"},
		"550 5.1.1 no such user\r\n":                              {smtp.EnhancedCode{5, 1, 1}, "no such user"},
		"250 2.0.000 ok\r\n":                                      {smtp.EnhancedCode{2, 0, 0}, "ok"},
		"550 5.1.1234 no\r\n":                                     {smtp.EnhancedCode{}, "5.1.1234 no"},
		"550 4.1.1 wrong class\r\n":                               {smtp.EnhancedCode{}, "4.1.1 wrong class"},
		"550-5.7.1 first:\r\n550 5.7.01 second\r\n":               {smtp.EnhancedCode{5, 7, 1}, "first: second"},
		"550-Recipient address rejected:\r\n550 no such user\r\n": {smtp.EnhancedCode{}, "Recipient address rejected: no such user"},
	} {
		rep, err := smtp.ReadReply(bufioReader(in))
		if err != nil || rep.Enhanced != want.ec || rep.Text() != want.text {
			t.Errorf("%q: %v %q %v", in, rep.Enhanced, rep.Text(), err)
		}
	}
}

func TestExtensionsIsACopy(t *testing.T) {
	srv := smtptest.New(t, "S: 220 mx.test\nC: EHLO client.test\nS: 250-mx.test\nS: 250 SIZE 100\nC: QUIT\nS: 221 bye")
	c := dial(t, srv, smtp.TLSNone, nil)
	e := c.Extensions()
	e["SIZE"] = "1"
	delete(e, "SIZE")
	e["CHUNKING"] = ""
	if got := c.Extensions(); got.MaxSize() != 100 || got.Has("CHUNKING") {
		t.Fatalf("the client's view changed: %v", got)
	}
	c.Quit(context.Background())
}

func TestIsTemporary(t *testing.T) {
	for err, want := range map[error]bool{
		&smtp.Error{Code: 451}:                         true,
		&smtp.Error{Code: 421}:                         true,
		&smtp.Error{Code: 550}:                         false,
		&smtp.AuthError{Reply: &smtp.Error{Code: 454}}: true,
		&smtp.TimeoutError{}:                           true,
		context.DeadlineExceeded:                       true,
		context.Canceled:                               false,
		io.EOF:                                         true,
		&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}:  true,
		&net.OpError{Op: "read", Err: syscall.ECONNRESET}:    true,
		&net.DNSError{Err: "x", IsTemporary: true}:           true,
		&net.DNSError{Err: "no such host", IsNotFound: true}: false,
		&smtp.ProtocolError{}:                                false,
		&smtp.TLSError{Err: io.EOF}:                          false,
		smtp.ErrInvalidArgument:                              false,
		errors.New("a bug nobody foresaw"):                   false,
		nil:                                                  false,
	} {
		if got := smtp.IsTemporary(err); got != want {
			t.Errorf("IsTemporary(%#v) = %v", err, got)
		}
	}
}

func TestDSNOptions(t *testing.T) {
	if r, err := smtp.ParseDSNReturn("hdrs"); err != nil || r != smtp.DSNReturnHeaders {
		t.Fatal(r, err)
	}
	if _, err := smtp.ParseDSNReturn("bogus"); !errors.Is(err, smtp.ErrInvalidArgument) {
		t.Fatal(err)
	}
	n, err := smtp.ParseDSNNotify("success, Delay")
	if err != nil || n != smtp.NotifySuccess|smtp.NotifyDelay || n.String() != "SUCCESS,DELAY" {
		t.Fatal(n, err)
	}
	for _, bad := range []string{"never,success", "sometimes", ","} {
		if _, err := smtp.ParseDSNNotify(bad); !errors.Is(err, smtp.ErrInvalidArgument) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// A typed value built by hand is checked before anything is sent.
	srv := smtptest.New(t, "S: 220 mx.test\nC: EHLO client.test\nS: 250-mx.test\nS: 250 DSN\nC: QUIT\nS: 221 bye")
	c := dial(t, srv, smtp.TLSNone, nil)
	_, err = c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}, Mail: smtp.MailOptions{DSNRet: "ALL"}}, smtp.BytesBody(msg))
	if !errors.Is(err, smtp.ErrInvalidArgument) {
		t.Fatal(err)
	}
	c.Quit(context.Background())
}

// A server that echoes the AUTH payload in its refusal: neither the
// trace nor the error shows the password, its base64, or the PLAIN blob.
func TestAuthEchoIsScrubbed(t *testing.T) {
	const pw = "hunter2!"
	blob := "\x00user\x00" + pw
	b64 := "AHVzZXIAaHVudGVyMiE=" // base64 of blob
	pwB64 := "aHVudGVyMiE="       // base64 of the password alone
	srv := smtptest.New(t, `S: 220 mx.test
C: EHLO client.test
S: 250-mx.test
S: 250 AUTH PLAIN LOGIN
C: AUTH PLAIN `+b64+`
!raw 535-5.7.8 you sent `+b64+`\r\n
!raw 535-5.7.8 decoded \x00user\x00hunter2! or userhunter2!\r\n
!raw 535 5.7.8 password hunter2! (`+pwB64+`)\r\n
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: dXNlcg==
S: 334 UGFzc3dvcmQ6
C: `+pwB64+`
S: 535 5.7.8 bad password `+pwB64+` = hunter2!
C: QUIT
S: 221 bye`)
	tr := &transcript{}
	o := opts(srv, smtp.TLSNone, tr)
	o.AllowInsecureAuth = true
	c := dialWith(t, srv, o)
	ctx := context.Background()
	err1 := c.Auth(ctx, sasl.Plain("", "user", pw))
	err2 := c.Auth(ctx, sasl.Login("user", pw))
	c.Quit(ctx)
	var ae *smtp.AuthError
	if !errors.As(err1, &ae) || !errors.As(err2, &ae) || ae.Reply.Code != 535 {
		t.Fatalf("%v / %v", err1, err2)
	}
	all := tr.String() + "\n" + err1.Error() + "\n" + err2.Error()
	for _, secret := range []string{pw, b64, pwB64, blob, "aHVudGVy"} {
		if strings.Contains(all, secret) {
			t.Fatalf("%q shown:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "S: 535-5.7.8 you sent <redacted>") || !strings.Contains(err2.Error(), "bad password <redacted>") {
		t.Fatalf("scrubbed text lost its shape:\n%s", all)
	}
}
