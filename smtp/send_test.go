package smtp_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

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

// A message refused at its end after a 452 deferred some recipients: the
// deferred ones are not tried in a further transaction (the server said
// no to the message), and no recipient is called refused at RCPT.
func TestRefusedMessageEndsDeferral(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx.test ESMTP
C: EHLO client.test
S: 250 mx.test
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<b@x.test>
S: 250 ok
C: RCPT TO:<c@x.test>
S: 452 4.5.3 Too many recipients
C: DATA
S: 354 go
C: <data>
S: 554 5.7.1 content refused
C: QUIT
S: 221 bye`)
	c := dial(t, srv, smtp.TLSNone, nil)
	res, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test", "c@x.test"}}, smtp.BytesBody(msg))
	c.Quit(context.Background())
	var se *smtp.Error
	if !errors.As(err, &se) || se.Code != 554 || len(res.Transactions) != 1 {
		t.Fatalf("err = %v, %d transactions", err, len(res.Transactions))
	}
	for _, st := range res.Recipients {
		if st.State != smtp.RcptNotDelivered || st.Err == nil {
			t.Fatalf("%s: %v %v", st.Address, st.State, st.Err)
		}
	}
}
