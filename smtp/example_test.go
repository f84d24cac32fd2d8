package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/postie/postie/sasl"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

// Send one message with STARTTLS and AUTH, as a mail client does. The
// server here is a scripted fake; point Dial at a real one the same way.
func Example() {
	srv, _ := smtptest.Start(`S: 220 mx.test ESMTP
C: EHLO client.test
S: 250-mx.test
S: 250-PIPELINING
S: 250 STARTTLS
C: STARTTLS
S: 220 go ahead
!starttls
C: EHLO client.test
S: 250-mx.test
S: 250-PIPELINING
S: 250 AUTH PLAIN LOGIN
C: AUTH PLAIN *
S: 235 ok
C: MAIL FROM:<alice@mx.test>
C: RCPT TO:<bob@mx.test>
C: RCPT TO:<nobody@mx.test>
C: DATA
S: 250 ok
S: 250 ok
S: 550 5.1.1 no such user
S: 354 go ahead
C: <data>
S: 250 2.0.0 Ok: queued as 4F2A1B
C: QUIT
S: 221 bye`, false, nil)
	defer srv.Close()

	ctx := context.Background()
	c, err := smtp.Dial(ctx, srv.Addr, &smtp.Options{
		TLS:       smtp.TLSStartTLS, // the zero value: STARTTLS required
		TLSConfig: &tls.Config{RootCAs: srv.Pool, ServerName: "localhost"},
		LocalName: "client.test",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Quit(ctx)
	if err := c.Auth(ctx, sasl.Plain("", "alice", "secret")); err != nil {
		fmt.Println(err)
		return
	}
	msg := []byte("Subject: hello\r\n\r\nI love computer networks!\r\n")
	res, err := c.Send(ctx, &smtp.Envelope{From: "alice@mx.test", To: []string{"bob@mx.test", "nobody@mx.test"}}, smtp.BytesBody(msg))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("delivered to", res.Delivered(), "queue id", res.QueueID)
	for _, f := range res.Failed() {
		var se *smtp.Error
		if errors.As(f.Err, &se) {
			fmt.Println("refused", f.Address, se.Code, se.Enhanced, "temporary:", se.Temporary())
		}
	}
	// Output:
	// delivered to [bob@mx.test] queue id 4F2A1B
	// refused nobody@mx.test 550 5.1.1 temporary: false
}

// The transcript hook sees every line; credentials arrive redacted.
func ExampleTraceFunc() {
	srv, _ := smtptest.Start(`S: 220 mx.test
C: EHLO client.test
S: 250-mx.test
S: 250 AUTH LOGIN
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: YWxpY2U=
S: 334 UGFzc3dvcmQ6
C: c2VjcmV0
S: 235 ok
C: QUIT
S: 221 bye`, true, nil)
	defer srv.Close()
	trace := func(d smtp.Direction, line string) {
		if d == smtp.Sent {
			fmt.Println("C:", line)
		}
	}
	ctx := context.Background()
	c, err := smtp.Dial(ctx, srv.Addr, &smtp.Options{TLS: smtp.TLSImplicit, LocalName: "client.test",
		TLSConfig: &tls.Config{RootCAs: srv.Pool, ServerName: "localhost"}, Trace: trace})
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Auth(ctx, sasl.Login("alice", "secret"))
	c.Quit(ctx)
	// Output:
	// C: EHLO client.test
	// C: AUTH LOGIN
	// C: <redacted>
	// C: <redacted>
	// C: QUIT
}
