package smtp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

// batch is a SendEach caller that records everything.
type batch struct {
	jobs   []smtp.Job
	pulled int
	done   []outcomeOf

	exhausted bool
	check     func(i int) error // runs inside done for job i
}

type outcomeOf struct {
	res *smtp.Result
	err error
}

func newBatch(n int) *batch {
	b := &batch{}
	for i := 0; i < n; i++ {
		b.jobs = append(b.jobs, smtp.Job{Env: &smtp.Envelope{From: "a@x.test", To: []string{fmt.Sprintf("r%d@x.test", i)}},
			Body: smtp.BytesBody([]byte(fmt.Sprintf("Subject: %d\r\n\r\nmessage %d\r\n", i, i)))})
	}
	return b
}

func (b *batch) next() (smtp.Job, bool) {
	if b.exhausted {
		panic("next called again after it returned false")
	}
	if b.pulled == len(b.jobs) {
		b.exhausted = true
		return smtp.Job{}, false
	}
	b.pulled++
	return b.jobs[b.pulled-1], true
}

func (b *batch) record(j smtp.Job, res *smtp.Result, err error) error {
	i := len(b.done)
	if j.Env != b.jobs[i].Env {
		return fmt.Errorf("done for %v out of order (want job %d)", j.Env.To, i)
	}
	b.done = append(b.done, outcomeOf{res, err})
	if b.check != nil {
		return b.check(i)
	}
	return nil
}

// envelope returns the pipelined commands of message i.
func envelope(i int, data bool) string {
	s := fmt.Sprintf("C: MAIL FROM:<a@x.test>\nC: RCPT TO:<r%d@x.test>\n", i)
	if data {
		s += "C: DATA\n"
	}
	return s
}

func batchScript(n int) string {
	var b strings.Builder
	b.WriteString(pipeliningHello)
	b.WriteString(envelope(0, true) + "S: 250 ok\nS: 250 ok\nS: 354 go\n")
	for i := 0; i < n; i++ {
		b.WriteString("C: <data>\n")
		if i+1 < n {
			b.WriteString(envelope(i+1, true))
		}
		fmt.Fprintf(&b, "S: 250 queued as Q%d\n", i)
		if i+1 < n {
			b.WriteString("S: 250 ok\nS: 250 ok\nS: 354 go\n")
		}
	}
	return b.String()
}

// done(job i) comes before the client writes the next message's final
// dot: at each call exactly i+1 terminators have left the client. And one
// round trip per message.
func TestSendEachDoneBeforeNextDot(t *testing.T) {
	const n = 4
	srv := smtptest.New(t, batchScript(n)+"C: QUIT\nS: 221 bye")
	c, conn := dialCounting(t, srv)
	b := newBatch(n)
	b.check = func(i int) error {
		if got := conn.Written("\r\n.\r\n"); got != i+1 {
			return fmt.Errorf("at done(%d) the client had written %d final dots", i, got)
		}
		if b.pulled > i+2 {
			return fmt.Errorf("pulled %d jobs at done(%d): more than one ahead", b.pulled, i)
		}
		return nil
	}
	if err := c.SendEach(context.Background(), b.next, b.record); err != nil {
		t.Fatal(err)
	}
	if got := conn.Turns(); got != 2+n+1 {
		t.Fatalf("%d round trips for %d messages, want %d (greeting, EHLO, one per message and the last reply)", got, n, 2+n+1)
	}
	c.Quit(context.Background())
	for i, o := range b.done {
		if o.err != nil || o.res.QueueID != fmt.Sprintf("Q%d", i) {
			t.Fatalf("job %d: %+v %v", i, o.res, o.err)
		}
	}
	if len(b.done) != n {
		t.Fatalf("%d done calls", len(b.done))
	}
}

// The same with CHUNKING: the next envelope rides behind BDAT LAST, its
// BDAT LAST only after done.
func TestSendEachDoneBeforeNextBDATLast(t *testing.T) {
	srv := smtptest.New(t, chunkingHello+`C: MAIL FROM:<a@x.test>
C: RCPT TO:<r0@x.test>
C: <bdat>
C: MAIL FROM:<a@x.test>
C: RCPT TO:<r1@x.test>
S: 250 ok
S: 250 ok
S: 250 queued as Q0
S: 250 ok
S: 250 ok
C: <bdat>
S: 250 queued as Q1
C: QUIT
S: 221 bye`)
	c, conn := dialCounting(t, srv)
	b := newBatch(2)
	b.check = func(i int) error {
		if got := conn.Written(" LAST\r\n"); got != i+1 {
			return fmt.Errorf("at done(%d) the client had written %d BDAT LAST", i, got)
		}
		return nil
	}
	if err := c.SendEach(context.Background(), b.next, b.record); err != nil {
		t.Fatal(err)
	}
	c.Quit(context.Background())
	if len(b.done) != 2 || b.done[0].err != nil || b.done[1].res.QueueID != "Q1" {
		t.Fatalf("%+v", b.done)
	}
}

// The connection ends at each point of a batch: every pulled job gets
// exactly one done, with "delivered", "may have been delivered" or "not
// delivered" as the wire allows; nothing is pulled after the loss.
func TestSendEachConnectionLoss(t *testing.T) {
	full := strings.Split(strings.TrimSpace(batchScript(3)), "\n")
	type want struct {
		pulled int
		kinds  string // per job: d delivered, m maybe, n not delivered
	}
	cases := map[string]want{
		"S: 250 queued as Q0": {2, "mn"},  // lost after dot 0: job 1 was ahead
		"S: 250 queued as Q1": {3, "dmn"}, // lost after dot 1
		"S: 250 queued as Q2": {3, "ddm"}, // lost after the last dot
	}
	// The envelope replies of job 1 (after Q0): lost there, job 1 is not
	// delivered and job 2 never pulled.
	cut1 := 0
	for i, l := range full {
		if l == "S: 250 queued as Q0" {
			cut1 = i + 1
		}
	}
	for _, fault := range []string{"close", "421"} {
		for line, w := range cases {
			t.Run(fault+" instead of "+line, func(t *testing.T) {
				i := indexOf(full, line)
				testBatchCut(t, full[:i], fault, w.pulled, w.kinds)
			})
		}
		t.Run(fault+" instead of job 1's MAIL reply", func(t *testing.T) {
			testBatchCut(t, full[:cut1], fault, 2, "dn")
		})
	}
}

func indexOf(lines []string, l string) int {
	for i, x := range lines {
		if x == l {
			return i
		}
	}
	panic(l)
}

func testBatchCut(t *testing.T, script []string, fault string, pulled int, kinds string) {
	t.Helper()
	end := "!close"
	if fault == "421" {
		end = "S: 421 4.3.2 going down\n!close"
		// A 421 instead of a final reply is the server's "no".
		kinds = strings.ReplaceAll(kinds, "m", "n")
	}
	srv := smtptest.New(t, strings.Join(script, "\n")+"\n"+end)
	c := dial(t, srv, smtp.TLSNone, nil)
	defer c.Close()
	b := newBatch(3)
	err := c.SendEach(context.Background(), b.next, b.record)
	if err == nil {
		t.Fatal("SendEach returned nil after the connection ended")
	}
	if b.pulled != pulled || len(b.done) != pulled {
		t.Fatalf("pulled %d, done %d; want %d each", b.pulled, len(b.done), pulled)
	}
	for i, o := range b.done {
		var got byte
		switch {
		case o.err == nil:
			got = 'd'
		case errors.Is(o.err, smtp.ErrMaybeDelivered):
			got = 'm'
		case errors.Is(o.err, smtp.ErrNotDelivered):
			got = 'n'
		}
		if got != kinds[i] {
			t.Fatalf("job %d: %q (%v), want %q", i, got, o.err, kinds[i])
		}
	}
	if fault == "421" {
		// The job whose reply the 421 replaced reports it, codes and text.
		first := strings.IndexFunc(kinds, func(r rune) bool { return r != 'd' })
		var se *smtp.Error
		if !errors.As(b.done[first].err, &se) || se.Code != 421 || se.Message != "going down" {
			t.Fatalf("job %d: %v, want the 421", first, b.done[first].err)
		}
	}
}

// done refuses: SendEach stops at once; the job pulled ahead (its server
// waiting for content after 354) is withdrawn by hanging up, and reported
// not delivered.
func TestSendEachStopsWhenDoneFails(t *testing.T) {
	srv := smtptest.New(t, pipeliningHello+envelope(0, true)+`S: 250 ok
S: 250 ok
S: 354 go
C: <data>
`+envelope(1, true)+`S: 250 queued as Q0
S: 250 ok
S: 250 ok
S: 354 go
!eof`)
	c := dial(t, srv, smtp.TLSNone, nil)
	b := newBatch(3)
	stop := errors.New("store full")
	b.check = func(i int) error {
		if i == 0 {
			return stop
		}
		return nil
	}
	err := c.SendEach(context.Background(), b.next, b.record)
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	if b.pulled != 2 || len(b.done) != 2 || b.done[0].err != nil || !errors.Is(b.done[1].err, smtp.ErrNotDelivered) {
		t.Fatalf("pulled %d, done %+v", b.pulled, b.done)
	}
}

// A job that cannot be sent as it is (bad address) is reported at once and
// the batch goes on; SendAll wraps SendEach.
func TestSendAllReportsInvalidJobs(t *testing.T) {
	srv := smtptest.New(t, pipeliningHello+envelope(0, true)+`S: 250 ok
S: 250 ok
S: 354 go
C: <data>
S: 250 queued as Q0
`+envelope(2, true)+`S: 250 ok
S: 250 ok
S: 354 go
C: <data>
S: 250 queued as Q2
C: QUIT
S: 221 bye`)
	c := dial(t, srv, smtp.TLSNone, nil)
	b := newBatch(3)
	b.jobs[1].Env.To = []string{"bad>@x.test"}
	res, errs := c.SendAll(context.Background(), b.jobs)
	c.Quit(context.Background())
	if errs[0] != nil || res[0].QueueID != "Q0" || !errors.Is(errs[1], smtp.ErrInvalidArgument) || res[1] != nil || errs[2] != nil || res[2].QueueID != "Q2" {
		t.Fatalf("%v %v", res, errs)
	}
}
