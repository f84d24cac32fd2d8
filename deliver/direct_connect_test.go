package deliver

import (
	"context"
	"errors"
	"testing"

	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

// Connect goes down the MX list as Send does (the preferred MX greets
// with 421), returns the open session for several messages, and says
// which MX it reached.
func TestDirectConnectFallsBackAndKeepsTheSession(t *testing.T) {
	busy := smtptest.New(t, `S: 421 4.3.2 mx1 busy
!close`)
	good := smtptest.New(t, `S: 220 mx2 ESMTP
C: EHLO *
S: 250 ok
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<bob@example.test>
S: 250 ok
C: DATA
S: 354 go
C: <data>
S: 250 first
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<carol@example.test>
S: 250 ok
C: DATA
S: 354 go
C: <data>
S: 250 second
C: QUIT
S: 221 bye`)
	d := &Direct{
		Resolver: fakeResolver{"example.test": {{Host: "mx2.example.test.", Pref: 20}, {Host: "mx1.example.test.", Pref: 10}}},
		Options:  smtp.Options{LocalName: "client.test", Dialer: mapDialer{"mx1.example.test": busy.Addr, "mx2.example.test": good.Addr}},
	}
	ctx := context.Background()
	c, rep, err := d.Connect(ctx, "Example.TEST")
	if err != nil {
		t.Fatal(err)
	}
	if rep.MX != "mx2.example.test" || rep.Domain != "example.test" || rep.Policy != "may" {
		t.Fatalf("report %+v", rep)
	}
	for _, to := range []string{"bob@example.test", "carol@example.test"} {
		if _, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{to}}, smtp.BytesBody([]byte("x\r\n"))); err != nil {
			t.Fatal(err)
		}
	}
	c.Quit(ctx)
	for _, s := range []*smtptest.Server{busy, good} {
		if err := s.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDirectConnectNoMailHost(t *testing.T) {
	d := &Direct{Resolver: fakeResolver{"nullmx.test": {{Host: ".", Pref: 0}}}, Options: smtp.Options{Dialer: mapDialer{}}}
	for _, dom := range []string{"nullmx.test", "missing.test"} {
		_, rep, err := d.Connect(context.Background(), dom)
		var nm *NoMailHostError
		if !errors.As(err, &nm) || rep.Err != err {
			t.Fatalf("%s: err = %v", dom, err)
		}
	}
	// Every MX refusing the connection: the last one's error.
	d = &Direct{Resolver: fakeResolver{"down.test": {{Host: "mx.down.test", Pref: 1}}}, Options: smtp.Options{Dialer: mapDialer{}}}
	if _, _, err := d.Connect(context.Background(), "down.test"); err == nil || !smtp.IsTemporary(err) {
		t.Fatalf("down.test: err = %v", err)
	}
}
