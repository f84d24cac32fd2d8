package outboxtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
)

// Opener opens a fresh, empty store for one subtest, using clock.
type Opener func(t *testing.T, clock outbox.Clock) outbox.Store

// Epoch is the fake clocks' starting time.
var Epoch = time.Date(2026, 1, 26, 12, 0, 0, 0, time.UTC)

// TestStore runs the contract every outbox.Store keeps (see its doc).
func TestStore(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s outbox.Store, c *Clock)
	}{
		{"EnqueueGetBody", testEnqueueGetBody},
		{"LargeBody", testLargeBody},
		{"IdempotentKey", testIdempotentKey},
		{"ClaimLeaseRecord", testClaimLeaseRecord},
		{"LeaseExpiryMeansUnknown", testLeaseExpiry},
		{"ReleaseKeepsPending", testRelease},
		{"ReleaseAfterSendingMeansUnknown", testReleaseMarked},
		{"DeliveredIsFinal", testDeliveredIsFinal},
		{"PerRecipientDeferral", testPerRecipient},
		{"PartialOutcomeKeepsLease", testPartial},
		{"Renew", testRenew},
		{"RetryAndDrop", testRetryDrop},
		{"ListFilterCounts", testListCounts},
		{"ClaimFilter", testClaimFilter},
		{"Quarantine", testQuarantineOutcome},
		{"HoldUnknown", testHoldUnknown},
		{"AbandonedLeaseEndsAtOnce", testAbandoned},
		{"ConcurrentClaimsNeverOverlap", testConcurrentClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock(Epoch)
			tc.fn(t, open(t, c), c)
		})
	}
}

// Msg is a small message with a recognisable body.
func Msg(subject string) string {
	return "From: a@x.test\r\nTo: b@y.test\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n"
}

// Enqueue submits a message to rcpts through outbox.Submit.
func Enqueue(t testing.TB, s outbox.Store, c outbox.Clock, e *outbox.Entry, body string) *outbox.Entry {
	t.Helper()
	if e.Route == (outbox.Route{}) {
		e.Route = outbox.Route{Server: "127.0.0.1:25", TLS: "none"}
	}
	if e.From == "" {
		e.From = "a@x.test"
	}
	out, err := outbox.Submit(context.Background(), s, e, strings.NewReader(body), &outbox.SubmitOptions{Clock: c})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return out
}

// Rcpts builds recipients.
func Rcpts(addrs ...string) []outbox.Recipient {
	var out []outbox.Recipient
	for _, a := range addrs {
		out = append(out, outbox.Recipient{Addr: a})
	}
	return out
}

func claim(t *testing.T, s outbox.Store, c *Clock, owner string, f outbox.Filter) []*outbox.Claim {
	t.Helper()
	res, err := s.Claim(context.Background(), outbox.ClaimRequest{Owner: owner, Now: c.Now(), Lease: time.Minute, Max: 100, Filter: f})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return res.Claims
}

func readAll(t *testing.T, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func get(t *testing.T, s outbox.Store, id outbox.ID) *outbox.Entry {
	t.Helper()
	e, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func delivered(c *Clock) *outbox.Attempt {
	return &outbox.Attempt{At: c.Now(), Outcome: outbox.Delivered, Reply: &outbox.Reply{Code: 250, Text: "ok"}}
}

func deferred(c *Clock) *outbox.Attempt {
	return &outbox.Attempt{At: c.Now(), Outcome: outbox.Deferred, Reply: &outbox.Reply{Code: 451, Enhanced: "4.3.0", Text: "later"}}
}

func testEnqueueGetBody(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test", "c@y.test"), Meta: map[string]string{"row": "7"}}, Msg("one"))
	if !e.ID.Valid() || e.Size == 0 || len(e.Digest) != 64 || e.MessageID == "" || e.Subject != "one" {
		t.Fatalf("entry not filled in: %+v", e)
	}
	g := get(t, s, e.ID)
	if g.MessageID != e.MessageID || g.Size != e.Size || g.Digest != e.Digest || g.Meta["row"] != "7" || len(g.Recipients) != 2 {
		t.Fatalf("Get = %+v, want %+v", g, e)
	}
	for _, r := range g.Recipients {
		if r.State != outbox.Pending {
			t.Fatalf("new recipient %s is %v", r.Addr, r.State)
		}
	}
	rc, err := s.Body(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if int64(len(b)) != e.Size || !bytes.Contains(b, []byte("body of one\r\n")) || !bytes.Contains(b, []byte("Message-ID: "+e.MessageID)) {
		t.Fatalf("body:\n%s", b)
	}
	cl := claim(t, s, c, "r1", outbox.Filter{})
	if len(cl) != 1 || !bytes.Equal(readAll(t, cl[0].Body), b) || !bytes.Equal(readAll(t, cl[0].Body), b) {
		t.Fatal("a claim's body is not the stored bytes, or cannot be opened twice")
	}
	if _, err := s.Get(context.Background(), outbox.NewID(c.Now())); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("Get(unknown) = %v, want ErrNotFound", err)
	}
}

func testLargeBody(t *testing.T, s outbox.Store, c *Clock) {
	var big strings.Builder
	big.WriteString("Subject: big\r\n\r\n")
	for big.Len() < 3<<20 {
		fmt.Fprintf(&big, "line %d of a large message, long enough to matter................\r\n", big.Len())
	}
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, big.String())
	cl := claim(t, s, c, "r1", outbox.Filter{})
	if len(cl) != 1 {
		t.Fatalf("claimed %d", len(cl))
	}
	got := readAll(t, cl[0].Body)
	if int64(len(got)) != e.Size || !bytes.HasSuffix(got, []byte(big.String()[len(big.String())-100:])) {
		t.Fatalf("large body: %d octets, want %d", len(got), e.Size)
	}
}

func testIdempotentKey(t *testing.T, s outbox.Store, c *Clock) {
	e1 := Enqueue(t, s, c, &outbox.Entry{Key: "camp\x1f1", Campaign: "camp", Recipients: Rcpts("b@y.test")}, Msg("row 1"))
	e2, err := outbox.Submit(context.Background(), s, &outbox.Entry{Key: "camp\x1f1", Campaign: "camp", Route: e1.Route, Recipients: Rcpts("b@y.test")}, strings.NewReader(Msg("row 1 again")), &outbox.SubmitOptions{Clock: c})
	if !errors.Is(err, outbox.ErrDuplicate) || e2 == nil || e2.ID != e1.ID {
		t.Fatalf("second enqueue with the same key: %v, %+v", err, e2)
	}
	l, err := s.Lookup(context.Background(), "camp\x1f1")
	if err != nil || l.ID != e1.ID {
		t.Fatalf("Lookup = %v, %v", l, err)
	}
	if _, err := s.Lookup(context.Background(), "camp\x1f2"); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("Lookup(missing) = %v", err)
	}
	n := 0
	for _, err := range s.List(context.Background(), outbox.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d entries after a duplicate enqueue, want 1", n)
	}
	if cnt, _ := s.Counts(context.Background(), "camp"); cnt.Entries != 1 || cnt.Pending != 1 {
		t.Fatalf("counts after duplicate: %+v", cnt)
	}
}

func testClaimLeaseRecord(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("x"))
	cl := claim(t, s, c, "r1", outbox.Filter{})
	if len(cl) != 1 || cl[0].Entry.ID != e.ID || len(cl[0].Due) != 1 {
		t.Fatalf("claim: %+v", cl)
	}
	if again := claim(t, s, c, "r2", outbox.Filter{}); len(again) != 0 {
		t.Fatal("a leased entry was claimed by a second runner")
	}
	if g := get(t, s, e.ID); g.State(c.Now()) != outbox.Active || g.Lease.Owner != "r1" {
		t.Fatalf("claimed entry: %v %+v", g.State(c.Now()), g.Lease)
	}
	err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 0, Attempt: delivered(c)}}}})
	if err != nil {
		t.Fatal(err)
	}
	g := get(t, s, e.ID)
	if g.Recipients[0].State != outbox.Delivered || g.Lease != nil || g.State(c.Now()) != outbox.Done || g.Recipients[0].Attempts != 1 {
		t.Fatalf("after delivery: %+v", g)
	}
	c.Advance(24 * time.Hour)
	if again := claim(t, s, c, "r2", outbox.Filter{}); len(again) != 0 {
		t.Fatal("a delivered entry was claimed again")
	}
	if _, ok, _ := s.NextDue(context.Background(), outbox.Filter{}); ok {
		t.Fatal("NextDue reports something due after everything was delivered")
	}
}

func testLeaseExpiry(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("sent@y.test", "waiting@y.test")}, Msg("x"))
	claim(t, s, c, "crashed", outbox.Filter{})
	// The runner marks the first recipient as being sent, then dies.
	err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "crashed", Sending: true, Rcpts: []outbox.RcptOutcome{{Index: 0}}}})
	if err != nil {
		t.Fatal(err)
	}
	if g := get(t, s, e.ID); g.Lease == nil || g.Recipients[0].State != outbox.Pending {
		t.Fatalf("a sending mark changed more than the lease: %+v", g)
	}
	c.Advance(59 * time.Second)
	if len(claim(t, s, c, "r2", outbox.Filter{})) != 0 {
		t.Fatal("claimed before the lease ran out")
	}
	if next, ok, _ := s.NextDue(context.Background(), outbox.Filter{}); !ok || !next.Equal(Epoch.Add(time.Minute)) {
		t.Fatalf("NextDue = %v %v, want the lease's end", next, ok)
	}
	c.Advance(2 * time.Second)
	cl := claim(t, s, c, "r2", outbox.Filter{})
	if len(cl) != 1 || len(cl[0].Due) != 2 {
		t.Fatal("an expired lease did not make the entry claimable")
	}
	sent, waiting := cl[0].Entry.Recipients[0], cl[0].Entry.Recipients[1]
	if sent.State != outbox.Unknown || !sent.WasUnknown || sent.Attempts != 1 || sent.Last().Runner != "crashed" {
		t.Fatalf("the recipient being sent when the lease ran out is %+v, want unknown (possibly delivered) with the runner named", sent)
	}
	if waiting.State != outbox.Pending || waiting.Attempts != 0 || waiting.WasUnknown {
		t.Fatalf("a recipient never sent came back as %+v, want pending", waiting)
	}
	if g := get(t, s, e.ID); g.Lease.Owner != "r2" || len(g.Lease.Sending) != 0 {
		t.Fatalf("lease now %+v", g.Lease)
	}
}

func testRelease(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	if err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 0}}}}); err != nil {
		t.Fatal(err)
	}
	cl := claim(t, s, c, "r2", outbox.Filter{})
	if len(cl) != 1 || cl[0].Entry.Recipients[0].State != outbox.Pending || cl[0].Entry.Recipients[0].Attempts != 0 {
		t.Fatalf("a released entry: %+v", cl)
	}
}

// testReleaseMarked: a runner gives back an entry (a store failure
// stopped it) whose message it had marked as being sent, with no outcome:
// the message may have left, so the recipient must come back unknown,
// never as pending as if it had not been tried.
func testReleaseMarked(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("sent@y.test", "untried@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Sending: true, Rcpts: []outbox.RcptOutcome{{Index: 0}, {Index: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	// The second recipient's message was withdrawn unsent (reported as
	// not tried); the first one's outcome is missing altogether.
	if err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1"}}); err != nil {
		t.Fatal(err)
	}
	c.Advance(61 * time.Second)
	cl := claim(t, s, c, "r2", outbox.Filter{})
	if len(cl) != 1 {
		t.Fatalf("claimed %d after the lease ran out, want 1", len(cl))
	}
	if r := cl[0].Entry.Recipients[0]; r.State != outbox.Unknown || !r.WasUnknown {
		t.Fatalf("a recipient given back while marked as being sent is %+v, want unknown", r)
	}
	if r := cl[0].Entry.Recipients[1]; r.State != outbox.Pending || r.WasUnknown {
		t.Fatalf("a recipient reported as not tried is %+v, want pending", r)
	}
}

func testDeliveredIsFinal(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	rec := func(owner string, a *outbox.Attempt) {
		t.Helper()
		if err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: owner, Rcpts: []outbox.RcptOutcome{{Index: 0, Attempt: a, Next: c.Now().Add(time.Minute)}}}}); err != nil {
			t.Fatal(err)
		}
	}
	rec("r1", delivered(c))
	rec("late", deferred(c)) // a stale runner's report arrives after the delivery
	g := get(t, s, e.ID)
	if g.Recipients[0].State != outbox.Delivered {
		t.Fatalf("a delivered recipient went back to %v", g.Recipients[0].State)
	}
}

func testPerRecipient(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("ok@y.test", "later@y.test", "never@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	next := c.Now().Add(5 * time.Minute)
	err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{
		{Index: 0, Attempt: delivered(c)},
		{Index: 1, Attempt: deferred(c), Next: next},
		{Index: 2, Attempt: &outbox.Attempt{At: c.Now(), Outcome: outbox.Failed, Reply: &outbox.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	g := get(t, s, e.ID)
	if g.Recipients[2].State != outbox.Failed || g.Recipients[2].Last().Reply.Code != 550 {
		t.Fatalf("5xx recipient: %+v", g.Recipients[2])
	}
	if g.State(c.Now()) != outbox.Queued {
		t.Fatalf("entry with a deferred recipient is %v", g.State(c.Now()))
	}
	c.Advance(4 * time.Minute)
	if len(claim(t, s, c, "r1", outbox.Filter{})) != 0 {
		t.Fatal("claimed before the deferred recipient's next attempt")
	}
	c.Advance(time.Minute)
	cl := claim(t, s, c, "r1", outbox.Filter{})
	if len(cl) != 1 || len(cl[0].Due) != 1 || cl[0].Entry.Recipients[cl[0].Due[0]].Addr != "later@y.test" {
		t.Fatalf("retry claims %+v, want only the deferred recipient", cl)
	}
	cnt, _ := s.Counts(context.Background(), "")
	if cnt.Delivered != 1 || cnt.Deferred != 1 || cnt.Failed != 1 || cnt.Entries != 1 || cnt.Claimed != 1 {
		t.Fatalf("counts %+v", cnt)
	}
}

func testPartial(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Route: outbox.Route{Direct: true}, Recipients: Rcpts("a@one.test", "b@two.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Partial: true, Rcpts: []outbox.RcptOutcome{{Index: 0, Attempt: delivered(c)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if get(t, s, e.ID).Lease == nil || len(claim(t, s, c, "r2", outbox.Filter{})) != 0 {
		t.Fatal("a partial outcome ended the lease while other recipients were in flight")
	}
}

func testRenew(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	c.Advance(50 * time.Second)
	lost, err := s.Renew(context.Background(), "r1", []outbox.ID{e.ID}, c.Now().Add(time.Minute))
	if err != nil || len(lost) != 0 {
		t.Fatalf("renew: %v %v", lost, err)
	}
	c.Advance(50 * time.Second) // past the first lease, within the renewed one
	if len(claim(t, s, c, "r2", outbox.Filter{})) != 0 {
		t.Fatal("a renewed lease ran out at its old time")
	}
	if lost, _ := s.Renew(context.Background(), "r2", []outbox.ID{e.ID}, c.Now().Add(time.Minute)); len(lost) != 1 {
		t.Fatal("a runner renewed a lease it does not hold")
	}
}

func testRetryDrop(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 0, Attempt: &outbox.Attempt{At: c.Now(), Outcome: outbox.Failed, Reply: &outbox.Reply{Code: 554}}}}}})
	if get(t, s, e.ID).State(c.Now()) != outbox.Held {
		t.Fatal("a failed entry is not held")
	}
	c.Advance(time.Hour)
	if err := s.Retry(context.Background(), e.ID, c.Now()); err != nil {
		t.Fatal(err)
	}
	g := get(t, s, e.ID)
	if g.Recipients[0].State != outbox.Pending || !g.Since.Equal(c.Now()) {
		t.Fatalf("after Retry: %+v", g)
	}
	if len(claim(t, s, c, "r1", outbox.Filter{})) != 1 {
		t.Fatal("a retried entry is not due")
	}
	if err := s.Drop(context.Background(), e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), e.ID); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("after Drop, Get = %v", err)
	}
	if _, err := s.Body(context.Background(), e.ID); err == nil {
		t.Fatal("after Drop the body is still there")
	}
	if cnt, _ := s.Counts(context.Background(), ""); cnt != (outbox.Counts{}) {
		t.Fatalf("counts after Drop: %+v", cnt)
	}
	if err := s.Drop(context.Background(), e.ID); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("second Drop = %v", err)
	}
}

func testListCounts(t *testing.T, s outbox.Store, c *Clock) {
	var ids []outbox.ID
	for i := range 5 {
		camp := "spring"
		if i%2 == 1 {
			camp = "autumn"
		}
		ids = append(ids, Enqueue(t, s, c, &outbox.Entry{Campaign: camp, Recipients: Rcpts(fmt.Sprintf("r%d@y.test", i))}, Msg(fmt.Sprint(i))).ID)
		c.Advance(time.Millisecond)
	}
	list := func(f outbox.Filter) (out []outbox.ID) {
		for e, err := range s.List(context.Background(), f) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e.ID)
		}
		return out
	}
	if got := list(outbox.Filter{}); fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("List = %v, want %v (creation order)", got, ids)
	}
	if got := list(outbox.Filter{Campaign: "autumn"}); fmt.Sprint(got) != fmt.Sprint([]outbox.ID{ids[1], ids[3]}) {
		t.Fatalf("List(autumn) = %v", got)
	}
	cl := claim(t, s, c, "r1", outbox.Filter{Campaign: "spring"})
	if len(cl) != 3 {
		t.Fatalf("claimed %d of campaign spring, want 3", len(cl))
	}
	s.Record(context.Background(), []outbox.Outcome{{ID: cl[0].Entry.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 0, Attempt: delivered(c)}}}})
	if got := list(outbox.Filter{States: []outbox.EntryState{outbox.Done}}); len(got) != 1 || got[0] != cl[0].Entry.ID {
		t.Fatalf("List(done) = %v", got)
	}
	sp, _ := s.Counts(context.Background(), "spring")
	au, _ := s.Counts(context.Background(), "autumn")
	all, _ := s.Counts(context.Background(), "")
	if sp.Entries != 3 || sp.Delivered != 1 || sp.Pending != 2 || sp.Claimed != 2 || au.Entries != 2 || au.Pending != 2 || all.Entries != 5 || all.Left() != 4 {
		t.Fatalf("counts spring %+v autumn %+v all %+v", sp, au, all)
	}
	// Many entries (enqueued at once, as merge does): List pages through
	// them without losing or repeating one.
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Go(func() {
			for i := range 30 {
				e := &outbox.Entry{Campaign: "bulk", Route: outbox.Route{Direct: true}, Recipients: Rcpts(fmt.Sprintf("m%d-%d@y.test", w, i))}
				if _, err := outbox.Submit(context.Background(), s, e, strings.NewReader(Msg("bulk")), &outbox.SubmitOptions{Clock: c}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	seen := map[outbox.ID]bool{}
	for _, id := range list(outbox.Filter{Campaign: "bulk"}) {
		if seen[id] {
			t.Fatalf("List repeated %s", id)
		}
		seen[id] = true
	}
	if len(seen) != 600 {
		t.Fatalf("List(bulk) gave %d entries, want 600", len(seen))
	}
}

func testClaimFilter(t *testing.T, s outbox.Store, c *Clock) {
	a := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("a"))
	b := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("b"))
	cl := claim(t, s, c, "r1", outbox.Filter{IDs: []outbox.ID{b.ID}})
	if len(cl) != 1 || cl[0].Entry.ID != b.ID {
		t.Fatalf("claim by ID took %+v", cl)
	}
	if cl := claim(t, s, c, "r1", outbox.Filter{}); len(cl) != 1 || cl[0].Entry.ID != a.ID {
		t.Fatalf("then the rest: %+v", cl)
	}
	// A delivered entry asked for by ID is not claimed, and stays as it is.
	if err := s.Record(context.Background(), []outbox.Outcome{{ID: b.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 0, Attempt: delivered(c)}}}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Claim(context.Background(), outbox.ClaimRequest{Owner: "r2", Now: c.Now(), Lease: time.Minute, Filter: outbox.Filter{IDs: []outbox.ID{b.ID}}})
	if err != nil || len(res.Claims)+len(res.Quarantined) != 0 {
		t.Fatalf("claiming a delivered entry by ID: %+v %v", res, err)
	}
	if g := get(t, s, b.ID); g.State(c.Now()) != outbox.Done {
		t.Fatalf("%v", g.State(c.Now()))
	}
}

func testQuarantineOutcome(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts("b@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	if err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Quarantine: "bytes damaged"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), e.ID); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatal("a quarantined entry is still an entry")
	}
	q, err := s.Quarantined(context.Background())
	if err != nil || len(q) != 1 || q[0].ID != e.ID || q[0].Reason != "bytes damaged" || q[0].Path == "" {
		t.Fatalf("Quarantined = %+v, %v", q, err)
	}
}

func testConcurrentClaims(t *testing.T, s outbox.Store, c *Clock) {
	const n = 60
	for i := range n {
		Enqueue(t, s, c, &outbox.Entry{Recipients: Rcpts(fmt.Sprintf("r%d@y.test", i))}, Msg(fmt.Sprint(i)))
	}
	var mu sync.Mutex
	got := map[outbox.ID]string{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			owner := fmt.Sprint("runner", w)
			for range 20 {
				res, err := s.Claim(context.Background(), outbox.ClaimRequest{Owner: owner, Now: c.Now(), Lease: time.Minute, Max: 4})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, cl := range res.Claims {
					if prev, ok := got[cl.Entry.ID]; ok {
						t.Errorf("%s claimed by %s and %s", cl.Entry.ID, prev, owner)
					}
					got[cl.Entry.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d of %d entries claimed", len(got), n)
	}
}

func testHoldUnknown(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{HoldUnknown: true, Recipients: Rcpts("a@y.test")}, Msg("x"))
	claim(t, s, c, "r1", outbox.Filter{})
	err := s.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 0, Next: c.Now().Add(time.Second),
		Attempt: &outbox.Attempt{At: c.Now(), Outcome: outbox.Unknown, Error: "lost after the dot"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	if len(claim(t, s, c, "r1", outbox.Filter{})) != 0 {
		t.Fatal("a held unknown outcome was claimed for sending")
	}
	if _, ok, _ := s.NextDue(context.Background(), outbox.Filter{}); ok {
		t.Fatal("a held entry is due")
	}
	if g := get(t, s, e.ID); g.State(c.Now()) != outbox.Held {
		t.Fatalf("state %v", g.State(c.Now()))
	}
	if err := s.Retry(context.Background(), e.ID, c.Now()); err != nil {
		t.Fatal(err)
	}
	cl := claim(t, s, c, "r1", outbox.Filter{})
	if len(cl) != 1 || cl[0].Entry.Recipients[0].State != outbox.Pending || !cl[0].Entry.Recipients[0].WasUnknown {
		t.Fatalf("after Retry: %+v", cl)
	}
}

// testAbandoned: an Abandoned outcome from the lease's owner ends the
// lease at once as if it had run out (the marked recipient unknown, the
// other due again); from anyone else it changes nothing.
func testAbandoned(t *testing.T, s outbox.Store, c *Clock) {
	e := Enqueue(t, s, c, &outbox.Entry{HoldUnknown: true, Recipients: Rcpts("sent@y.test", "waiting@y.test")}, Msg("x"))
	claim(t, s, c, "dead", outbox.Filter{})
	ctx := context.Background()
	if err := s.Record(ctx, []outbox.Outcome{{ID: e.ID, Owner: "dead", Sending: true, Rcpts: []outbox.RcptOutcome{{Index: 0}}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, []outbox.Outcome{{ID: e.ID, Owner: "someone else", Abandoned: true, At: c.Now()}}); err != nil {
		t.Fatal(err)
	}
	if g := get(t, s, e.ID); g.Lease == nil || g.Lease.Owner != "dead" {
		t.Fatalf("another owner's Abandoned outcome ended the lease: %+v", g.Lease)
	}
	if err := s.Record(ctx, []outbox.Outcome{{ID: e.ID, Owner: "dead", Abandoned: true, At: c.Now()}}); err != nil {
		t.Fatal(err)
	}
	g := get(t, s, e.ID)
	if g.Lease != nil || g.Recipients[0].State != outbox.Unknown || g.Recipients[1].State != outbox.Pending || g.Recipients[1].Attempts != 0 {
		t.Fatalf("after Abandoned: lease %+v, recipients %+v", g.Lease, g.Recipients)
	}
	if cnt, _ := s.Counts(ctx, ""); cnt.Claimed != 0 || cnt.Unknown != 1 || cnt.Pending != 1 {
		t.Fatalf("counts %+v", cnt)
	}
	cl := claim(t, s, c, "r2", outbox.Filter{}) // at once: no waiting for the lease's end
	if len(cl) != 1 || len(cl[0].Due) != 1 || cl[0].Due[0] != 1 {
		t.Fatalf("after Abandoned the claim took %+v, want only the recipient never sent", cl)
	}
}
