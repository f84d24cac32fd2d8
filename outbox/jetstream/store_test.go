package jetstream_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/outbox/jetstream/internal/natstest"
	"github.com/postie/postie/outbox/outboxtest"
	"github.com/postie/postie/smtp"
)

func claimOnce(t *testing.T, s outbox.Store, owner string, lease time.Duration) []*outbox.Claim {
	t.Helper()
	res, err := s.Claim(context.Background(), outbox.ClaimRequest{Owner: owner, Now: time.Now(), Lease: lease, Max: 10})
	if err != nil {
		t.Fatal(err)
	}
	return res.Claims
}

// pollClaim claims until something comes (bounded): for what the
// cluster's own timers bring back.
func pollClaim(t *testing.T, s outbox.Store, owner string, lease, within time.Duration) []*outbox.Claim {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if cl := claimOnce(t, s, owner, lease); len(cl) > 0 {
			return cl
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing claimable within %v", within)
		}
		time.Sleep(20 * time.Millisecond) // waiting on the server's timer
	}
}

// TestRedeliveredAfterWorkerDies: a worker claims an entry, marks one
// recipient as being sent, and its connection dies without a word. The
// cluster gives the ticket to another worker when AckWait runs out (on
// its own timer: no clock here is fake); the marked recipient comes back
// unknown, the other pending.
func TestRedeliveredAfterWorkerDies(t *testing.T) {
	srv := startServer(t)
	prefix := freshPrefix()
	a := open(t, srv, jetstream.Options{Prefix: prefix, AckWait: time.Second})
	b := open(t, srv, jetstream.Options{Prefix: prefix, AckWait: time.Second})
	e := outboxtest.Enqueue(t, a, outbox.SystemClock, &outbox.Entry{Recipients: outboxtest.Rcpts("sent@y.test", "waiting@y.test")}, outboxtest.Msg("x"))
	if cl := claimOnce(t, a, "dies", time.Second); len(cl) != 1 {
		t.Fatalf("claimed %d", len(cl))
	}
	if err := a.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "dies", Sending: true, Rcpts: []outbox.RcptOutcome{{Index: 0}}}}); err != nil {
		t.Fatal(err)
	}
	a.Conn().Close() // no ack, no nak: gone
	start := time.Now()
	cl := pollClaim(t, b, "takes-over", time.Minute, 10*time.Second)
	if time.Since(start) < 500*time.Millisecond {
		t.Errorf("redelivered after %v, before AckWait (1s) ran out", time.Since(start))
	}
	got := cl[0].Entry.Recipients
	if got[0].State != outbox.Unknown || got[1].State != outbox.Pending || len(cl[0].Due) != 2 {
		t.Fatalf("after the worker died: %+v", got)
	}
}

// TestDeferredComesBackAfterItsDelay: a 4xx defers the entry; its
// ticket goes back to the cluster with that delay, and no worker gets it
// before.
func TestDeferredComesBackAfterItsDelay(t *testing.T) {
	srv := startServer(t)
	prefix := freshPrefix()
	a := open(t, srv, jetstream.Options{Prefix: prefix})
	b := open(t, srv, jetstream.Options{Prefix: prefix})
	e := outboxtest.Enqueue(t, a, outbox.SystemClock, &outbox.Entry{Recipients: outboxtest.Rcpts("later@y.test")}, outboxtest.Msg("x"))
	claimOnce(t, a, "r1", time.Minute)
	next := time.Now().Add(1500 * time.Millisecond)
	err := a.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "r1", Rcpts: []outbox.RcptOutcome{{Index: 0, Next: next,
		Attempt: &outbox.Attempt{At: time.Now(), Outcome: outbox.Deferred, Reply: &outbox.Reply{Code: 451, Text: "later"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	cl := pollClaim(t, b, "r2", time.Minute, 10*time.Second)
	if early := time.Until(next); early > 100*time.Millisecond {
		t.Fatalf("a deferred entry came back %v before its time", early)
	}
	if r := cl[0].Entry.Recipients[0]; r.State != outbox.Deferred || r.Attempts != 1 {
		t.Fatalf("%+v", r)
	}
}

// TestEnqueuerDiesAfterPublish: the ticket is in the stream, the record
// never written. The entry exists all the same: a retried enqueue of the
// same key (within the duplicate window, so the cluster drops the second
// ticket) returns it, and a worker that gets the ticket finishes the
// enqueue.
func TestEnqueuerDiesAfterPublish(t *testing.T) {
	srv := startServer(t)
	s := open(t, srv, jetstream.Options{})
	ctx := context.Background()
	body := []byte(outboxtest.Msg("keyed"))
	first := &outbox.Entry{ID: outbox.NewID(time.Now()), Key: "camp\x1f7", Campaign: "camp", Route: outbox.Route{Server: "x:25"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test"), Created: time.Now(), Since: time.Now(), DueAt: time.Now()}
	if err := jetstream.PublishOnly(ctx, s, first, body); err != nil {
		t.Fatal(err)
	}
	again, err := outbox.Submit(ctx, s, &outbox.Entry{Key: "camp\x1f7", Campaign: "camp", Route: first.Route, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")}, strings.NewReader(string(body)), nil)
	if !errors.Is(err, outbox.ErrDuplicate) || again == nil || again.ID != first.ID {
		t.Fatalf("enqueue of a key whose first enqueue died after publishing: %v, %+v", err, again)
	}
	if n := count(t, s, outbox.Filter{}); n != 1 {
		t.Fatalf("%d entries, want 1", n)
	}

	orphan := &outbox.Entry{ID: outbox.NewID(time.Now()), Route: outbox.Route{Server: "x:25"}, From: "a@x.test", Recipients: outboxtest.Rcpts("c@y.test"), Created: time.Now(), Since: time.Now(), DueAt: time.Now()}
	if err := jetstream.PublishOnly(ctx, s, orphan, body); err != nil {
		t.Fatal(err)
	}
	res, err := s.Claim(ctx, outbox.ClaimRequest{Owner: "w", Now: time.Now(), Lease: time.Minute, Max: 10})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[outbox.ID]bool{}
	for _, c := range res.Claims {
		ids[c.Entry.ID] = true
	}
	if !ids[orphan.ID] || !ids[first.ID] || len(ids) != 2 {
		t.Fatalf("claimed %v, want both entries (the orphan finished by the worker)", ids)
	}
	if g, err := s.Get(ctx, orphan.ID); err != nil || g.Lease == nil {
		t.Fatalf("the orphan's record: %+v %v", g, err)
	}
}

func count(t *testing.T, s outbox.Store, f outbox.Filter) int {
	t.Helper()
	n := 0
	for _, err := range s.List(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// TestConcurrentDuplicateEnqueue: two processes (connections) enqueue
// the same keys at once: one entry per key, and every caller learns its
// ID.
func TestConcurrentDuplicateEnqueue(t *testing.T) {
	srv := startServer(t)
	prefix := freshPrefix()
	duplicateEnqueues(t, open(t, srv, jetstream.Options{Prefix: prefix}), open(t, srv, jetstream.Options{Prefix: prefix}))
}

func duplicateEnqueues(t *testing.T, a, b outbox.Store) {
	stores := []outbox.Store{a, b}
	const keys, tries = 20, 4
	ids := make([][]outbox.ID, keys)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := range keys {
		for i := range tries {
			wg.Go(func() {
				e := &outbox.Entry{Key: fmt.Sprint("row ", k), Route: outbox.Route{Server: "x:25"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")}
				got, err := outbox.Submit(context.Background(), stores[i%2], e, strings.NewReader(outboxtest.Msg("dup")), nil)
				if err != nil && !errors.Is(err, outbox.ErrDuplicate) {
					t.Error(err)
					return
				}
				mu.Lock()
				ids[k] = append(ids[k], got.ID)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for k, got := range ids {
		for _, id := range got {
			if id != got[0] {
				t.Fatalf("key %d: enqueues returned %v", k, got)
			}
		}
	}
	if n := count(t, a, outbox.Filter{}); n != keys {
		t.Fatalf("%d entries for %d keys", n, keys)
	}
}

// TestCredentials: user and password, token, and TLS with a CA; a wrong
// password fails with an error that does not contain it, and the options
// never print a secret.
func TestCredentials(t *testing.T) {
	const pw = "s3cret-pass-word"
	srv := natstest.StartWith(t, &server.Options{Username: "postie", Password: pw})
	if _, err := jetstream.Open(context.Background(), jetstream.Options{URLs: srv.ClientURL(), User: "postie", Password: "wrong-" + pw}); err == nil || strings.Contains(err.Error(), pw) {
		t.Fatalf("wrong password: %v", err)
	}
	o := jetstream.Options{URLs: strings.Replace(srv.ClientURL(), "nats://", "nats://postie:"+pw+"@", 1), Prefix: freshPrefix()}
	if str := fmt.Sprintf("%v %#v %s", o, o, o.String()); strings.Contains(str, pw) {
		t.Fatalf("options print the password: %s", str)
	}
	open(t, srv, o)
	open(t, srv, jetstream.Options{URLs: srv.ClientURL(), User: "postie", Password: pw})

	const token = "tok-0123456789abcdef"
	tsrv := natstest.StartWith(t, &server.Options{Authorization: token})
	open(t, tsrv, jetstream.Options{URLs: tsrv.ClientURL(), Token: token})
	if _, err := jetstream.Open(context.Background(), jetstream.Options{URLs: tsrv.ClientURL(), Token: "nope"}); err == nil {
		t.Fatal("a wrong token was accepted")
	}
	if s := (jetstream.Options{Token: token}).String(); strings.Contains(s, token) {
		t.Fatalf("options print the token: %s", s)
	}

	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ssrv := natstest.StartWith(t, &server.Options{TLSConfig: b.ServerConfig(), TLSTimeout: 2})
	ca := t.TempDir() + "/ca.pem"
	os.WriteFile(ca, b.CAPEM, 0o600)
	url := strings.Replace(ssrv.ClientURL(), "nats://", "tls://", 1)
	open(t, ssrv, jetstream.Options{URLs: url, CAFile: ca})
	if _, err := jetstream.Open(context.Background(), jetstream.Options{URLs: url}); err == nil {
		t.Fatal("connected over TLS to a server whose certificate no known CA signed")
	}
}

// TestRunnerOverJetStream: the outbox's Runner delivers through the
// JetStream store, per recipient: a 250, a 451 retried until accepted, a
// 550 failed (its message kept for Retry), and a message over the
// inline limit sent from the object store.
func TestRunnerOverJetStream(t *testing.T) {
	nsrv := startServer(t)
	s := open(t, nsrv, jetstream.Options{InlineMax: 4 << 10})
	srv := outboxtest.NewServer(t)
	var mu sync.Mutex
	tries := map[string]int{}
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, rcpt string) *outboxtest.Fault {
		if step != outboxtest.Rcpt {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		tries[rcpt]++
		switch {
		case rcpt == "later@y.test" && tries[rcpt] < 3:
			return &outboxtest.Fault{Code: 451, Text: "4.2.0 later"}
		case rcpt == "never@y.test":
			return &outboxtest.Fault{Code: 550, Text: "5.1.1 no such user"}
		}
		return nil
	})
	route := outbox.Route{Server: srv.Addr, TLS: "none"}
	mixed := enqueueOne(t, s, &outbox.Entry{Route: route, From: "a@x.test", Recipients: outboxtest.Rcpts("ok@y.test", "later@y.test", "never@y.test")}, outboxtest.Msg("mixed"))
	big := enqueueOne(t, s, &outbox.Entry{Route: route, From: "a@x.test", Recipients: outboxtest.Rcpts("big@y.test")}, "Subject: big\r\n\r\n"+strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", 1000))
	r := &outbox.Runner{Store: s, Lease: time.Minute, Schedule: outbox.Schedule{Delays: []time.Duration{200 * time.Millisecond}, Jitter: -1},
		Connect: func(ctx context.Context, t outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, t.Route.Server, &smtp.Options{TLS: smtp.TLSNone})
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Work(ctx, r, jetstream.WorkOptions{Poll: 50 * time.Millisecond}); close(done) }()
	waitFor(t, "delivery", func() bool {
		g, err := s.Get(context.Background(), mixed.ID)
		return err == nil && g.Finished() && g.Lease == nil
	})
	cancel()
	<-done
	g, _ := s.Get(context.Background(), mixed.ID)
	if st := fmt.Sprint(g.Recipients[0].State, g.Recipients[1].State, g.Recipients[2].State); st != "delivered delivered failed" {
		t.Fatalf("states %s, history %+v", st, g.Recipients)
	}
	if g.Recipients[1].Attempts != 3 || g.Recipients[2].Last().Reply.Code != 550 {
		t.Fatalf("%+v", g.Recipients)
	}
	if gb, _ := s.Get(context.Background(), big.ID); gb.Recipients[0].State != outbox.Delivered {
		t.Fatalf("big: %+v", gb.Recipients[0])
	}
	copies := srv.Copies()
	if copies[mixed.MessageID+" ok@y.test"] != 1 || copies[mixed.MessageID+" later@y.test"] != 1 || copies[big.MessageID+" big@y.test"] != 1 {
		t.Fatalf("copies %v", copies)
	}
	// The failed recipient's message was kept: Retry sends it to him.
	srv.SetFault(nil)
	if err := s.Retry(context.Background(), mixed.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Get(context.Background(), mixed.ID); g.Recipients[2].State != outbox.Delivered || srv.Copies()[mixed.MessageID+" never@y.test"] != 1 || srv.Copies()[mixed.MessageID+" ok@y.test"] != 1 {
		t.Fatalf("after Retry: %+v, copies %v", g.Recipients, srv.Copies())
	}
	st, err := s.Stats(context.Background())
	if err != nil || st.Depth != 0 || len(st.Workers) != 1 || st.Workers[0].Delivered != 4 || st.Workers[0].Failed != 1 {
		t.Fatalf("stats %+v %v", st, err)
	}
}

// waitFor polls cond (bounded): for what another goroutine does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
