package smtp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

// turnConn counts the client's round trips: each time it reads after
// having written (and its first read, the greeting) it waits for the
// server. It also keeps every byte the client wrote.
type turnConn struct {
	net.Conn
	mu    sync.Mutex
	wrote bool
	turns int
	out   bytes.Buffer
}

func (c *turnConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.wrote {
		c.turns, c.wrote = c.turns+1, false
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *turnConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.wrote = true
	c.out.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *turnConn) Turns() int { c.mu.Lock(); defer c.mu.Unlock(); return c.turns }

// Written returns how often s occurs in what the client has written.
func (c *turnConn) Written(s string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Count(c.out.String(), s)
}

type turnDialer struct{ conn *turnConn }

func (d *turnDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.conn = &turnConn{Conn: c, wrote: true} // the greeting is the first wait
	return d.conn, nil
}

func dialCounting(t *testing.T, srv *smtptest.Server) (*smtp.Client, *turnConn) {
	t.Helper()
	d := &turnDialer{}
	o := opts(srv, smtp.TLSNone, nil)
	o.Dialer = d
	return dialWith(t, srv, o), d.conn
}

// The openings of scripted servers that pipeline, with DATA or BDAT.
const (
	pipeliningHello = "S: 220 mx.test ESMTP\nC: EHLO client.test\nS: 250-mx.test\nS: 250 PIPELINING\n"
	chunkingHello   = "S: 220 mx.test ESMTP\nC: EHLO client.test\nS: 250-mx.test\nS: 250-PIPELINING\nS: 250 CHUNKING\n"
)

var oneMsg = &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}

// One message, the protocol's minimum: greeting, EHLO, MAIL+RCPT+DATA,
// content+dot+QUIT. The script reads QUIT before it answers the dot, so
// a client that waited for the 250 before QUIT would hang here.
func TestSendAndQuitRoundTripsData(t *testing.T) {
	srv := smtptest.New(t, script(t, "pipelined_quit"))
	c, conn := dialCounting(t, srv)
	res, err := c.SendAndQuit(context.Background(), oneMsg, smtp.BytesBody(msg))
	if err != nil || res.QueueID != "Q1" || len(res.Delivered()) != 1 {
		t.Fatalf("res %+v err %v", res, err)
	}
	if got := conn.Turns(); got != 4 {
		t.Fatalf("%d round trips, want 4 (greeting, EHLO, MAIL+RCPT+DATA, content+dot+QUIT)", got)
	}
}

// With CHUNKING the whole message and QUIT go in one group: 3 round trips.
func TestSendAndQuitRoundTripsChunking(t *testing.T) {
	srv := smtptest.New(t, chunkingHello+`C: MAIL FROM:<a@x.test>
C: RCPT TO:<b@x.test>
C: <bdat>
C: QUIT
S: 250 ok
S: 251 2.1.5 user not local; will forward
S: 250 2.0.0 Ok: queued as Q2
S: 221 bye
!eof`)
	c, conn := dialCounting(t, srv)
	res, err := c.SendAndQuit(context.Background(), oneMsg, smtp.BytesBody(msg))
	if err != nil || res.QueueID != "Q2" || len(res.Delivered()) != 1 || res.Recipients[0].Reply.Code != 251 {
		t.Fatalf("res %+v err %v", res, err)
	}
	if got := conn.Turns(); got != 3 {
		t.Fatalf("%d round trips, want 3 (greeting, EHLO, MAIL+RCPT+BDAT LAST+QUIT)", got)
	}
	if got := string(srv.Data()[0]); got != string(msg) {
		t.Fatalf("content %q", got)
	}
}

// Lost after the dot, with QUIT pipelined behind it: still "may have been
// delivered", never delivered nor "not delivered".
func TestSendAndQuitLostAfterDot(t *testing.T) {
	srv := smtptest.New(t, strings.Split(script(t, "pipelined_quit"), "S: 250 2.0.0")[0]+"!close")
	c := dial(t, srv, smtp.TLSNone, nil)
	res, err := c.SendAndQuit(context.Background(), oneMsg, smtp.BytesBody(msg))
	if !errors.Is(err, smtp.ErrMaybeDelivered) || errors.Is(err, smtp.ErrNotDelivered) {
		t.Fatalf("err = %v", err)
	}
	if st := res.Recipients[0].State; st != smtp.RcptMaybeDelivered {
		t.Fatalf("state %v", st)
	}
}

// A pipelined group whose first reply is 421 and then the server goes:
// the 421 is the cause (not the EOF behind it), temporary, not delivered;
// and no recipient is called refused.
func TestFailureAtEveryStepPipelined(t *testing.T) {
	for _, chunking := range []bool{false, true} {
		ext, last := "S: 250 PIPELINING", []string{"C: DATA"}
		mid := []string{"S: 354 go", "C: <data>"}
		if chunking {
			ext, last, mid = "S: 250-PIPELINING\nS: 250 CHUNKING", []string{"C: <bdat>"}, nil
		}
		dialogue := append([]string{"S: 220 mx.test ESMTP", "C: EHLO client.test", "S: 250-mx.test", ext,
			"C: MAIL FROM:<a@x.test>", "C: RCPT TO:<b@x.test>", "C: RCPT TO:<c@x.test>"}, last...)
		dialogue = append(dialogue, "S: 250 ok", "S: 250 ok", "S: 250 ok")
		dialogue = append(dialogue, mid...)
		dialogue = append(dialogue, "S: 250 queued")
		for i, line := range dialogue {
			if !strings.HasPrefix(line, "S: ") || i < 4 {
				continue
			}
			for _, fault := range []string{"421", "close"} {
				t.Run(fmt.Sprintf("chunking=%v/%s instead of %d %q", chunking, fault, i, line), func(t *testing.T) {
					script := strings.Join(dialogue[:i], "\n") + "\n"
					if fault == "421" {
						script += "S: 421 4.3.2 service shutting down\n"
					}
					srv := smtptest.New(t, script+"!close")
					c := dial(t, srv, smtp.TLSNone, nil)
					defer c.Close()
					res, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test", "c@x.test"}}, smtp.BytesBody(msg))
					if !smtp.IsTemporary(err) {
						t.Fatalf("err = %v, want temporary", err)
					}
					// With CHUNKING the content and its end ride with the
					// envelope: once that group left, the server may have
					// taken the message whichever reply is lost.
					afterEnd := (line == "S: 250 queued" || chunking) && fault == "close"
					if errors.Is(err, smtp.ErrMaybeDelivered) != afterEnd || errors.Is(err, smtp.ErrNotDelivered) == afterEnd {
						t.Fatalf("err = %v: maybe=%v not=%v", err, errors.Is(err, smtp.ErrMaybeDelivered), errors.Is(err, smtp.ErrNotDelivered))
					}
					var se *smtp.Error
					if fault == "421" && (!errors.As(err, &se) || se.Code != 421 || se.Enhanced != (smtp.EnhancedCode{4, 3, 2}) || se.Message != "service shutting down") {
						t.Fatalf("err = %v, want the 421 with its codes and text", err)
					}
					want := smtp.RcptNotDelivered
					if afterEnd {
						want = smtp.RcptMaybeDelivered
					}
					for _, st := range res.Recipients {
						if st.State != want || st.Err == nil {
							t.Fatalf("%s: %v (%v), want %v", st.Address, st.State, st.Err, want)
						}
					}
				})
			}
		}
	}
}

// Lost in the middle of the content, at each way it can happen: the
// message certainly was not delivered, and the recipients say so.
func TestLostMidDataIsNotDelivered(t *testing.T) {
	head := "S: 220 mx.test\nC: EHLO client.test\nS: 250 mx.test\nC: MAIL FROM:<a@x.test>\nS: 250 ok\nC: RCPT TO:<b@x.test>\nS: 250 ok\nC: DATA\nS: 354 go\n"
	big := bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n"), 16<<20/64)
	for name, tc := range map[string]struct {
		script string
		body   smtp.Body
		is     error
	}{
		"server gone while writing": {head + "!close", smtp.BytesBody(big), nil},
		"body read error": {head + "!eof", func() (io.ReadCloser, error) {
			return io.NopCloser(io.MultiReader(strings.NewReader("Subject: x\r\n\r\npart"), iotestErr{})), nil
		}, errRead},
		"line too long": {head + "!eof", smtp.BytesBody(bytes.Repeat([]byte("x"), 999)), smtp.ErrLineTooLong},
	} {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.New(t, tc.script)
			c := dial(t, srv, smtp.TLSNone, nil)
			defer c.Close()
			res, err := c.Send(context.Background(), oneMsg, tc.body)
			if !errors.Is(err, smtp.ErrNotDelivered) || errors.Is(err, smtp.ErrMaybeDelivered) {
				t.Fatalf("err = %v, want not delivered", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want %v inside", err, tc.is)
			}
			if st := res.Recipients[0]; st.State != smtp.RcptNotDelivered || !errors.Is(st.Err, smtp.ErrNotDelivered) {
				t.Fatalf("recipient %v: %v", st.State, st.Err)
			}
		})
	}
}

var errRead = errors.New("disk on fire")

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errRead }

// A server that defers recipients with 452 gets them in a further
// transaction; each transaction's final reply and queue id are kept.
func TestTransactionsEachKeepTheirReply(t *testing.T) {
	srv := smtptest.New(t, script(t, "too_many_recipients"))
	c := dial(t, srv, smtp.TLSNone, nil)
	res, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test", "c@x.test"}}, smtp.BytesBody(msg))
	if err != nil {
		t.Fatal(err)
	}
	c.Quit(context.Background())
	if len(res.Transactions) != 2 {
		t.Fatalf("%d transactions", len(res.Transactions))
	}
	for i, want := range []struct{ to, text string }{{"b@x.test", "first"}, {"c@x.test", "second"}} {
		tr := res.Transactions[i]
		if strings.Join(tr.Recipients, ",") != want.to || tr.Final == nil || tr.Final.Text() != want.text {
			t.Fatalf("transaction %d: %+v", i, tr)
		}
	}
}
