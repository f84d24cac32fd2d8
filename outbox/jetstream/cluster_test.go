package jetstream_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/outbox/jetstream/internal/natstest"
	"github.com/postie/postie/outbox/outboxtest"
)

// clusterStore opens a fresh outbox (a prefix of its own) on the shared
// 3-node test cluster: replicated R3.
func clusterStore(t *testing.T) (*jetstream.Store, string, string) {
	t.Helper()
	env := natstest.Cluster(t)
	prefix := fmt.Sprintf("c%d", time.Now().UnixNano()%1e9)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := jetstream.Open(ctx, jetstream.Options{URLs: env["NATS_URLS"], Prefix: prefix, AckWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		deleteOutbox(s, prefix)
		s.Close()
	})
	return s, env["NATS_URLS"], prefix
}

// deleteOutbox removes a test's streams and buckets from the shared cluster.
func deleteOutbox(s *jetstream.Store, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range []string{prefix + "-work", "KV_" + prefix + "-entries", "KV_" + prefix + "-keys", "KV_" + prefix + "-quarantine",
		"KV_" + prefix + "-workers", "KV_" + prefix + "-limits", "OBJ_" + prefix + "-bodies"} {
		s.Conn().Request("$JS.API.STREAM.DELETE."+name, nil, 10*time.Second)
	}
	_ = ctx
}

// enqueueMany submits n messages concurrently; entry i goes to rcpt(i).
func enqueueMany(t *testing.T, s outbox.Store, n int, route outbox.Route, rcpt func(i int) string, subject func(i int) string) []*outbox.Entry {
	t.Helper()
	out := make([]*outbox.Entry, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || t.Failed() {
					return
				}
				e := &outbox.Entry{Route: route, From: "a@x.test", Recipients: outboxtest.Rcpts(rcpt(i))}
				got, err := outbox.Submit(context.Background(), s, e, strings.NewReader("From: a@x.test\r\nTo: "+rcpt(i)+"\r\nSubject: "+subject(i)+"\r\n\r\nmessage "+fmt.Sprint(i)+"\r\n"), nil)
				if err != nil {
					t.Errorf("enqueue %d: %v", i, err)
					return
				}
				out[i] = got
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// waitDrained polls (bounded) until the work stream is empty: every
// entry delivered or failed.
func waitDrained(t *testing.T, s *jetstream.Store, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st, err := s.Stats(context.Background())
		if err == nil && st.Depth == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not drained after %v: %+v (%v)", within, st, err)
		}
		time.Sleep(100 * time.Millisecond) // polling other processes' progress
	}
}

// TestClusterWorkersExactlyOnce: 3 worker processes deliver 2,000
// queued messages through the 3-node cluster to a fault-injecting
// server. One worker is SIGKILLed in the middle of a DATA (its message
// never completed: redelivered by another worker, one copy in all),
// another after the final dot while the reply is held back (the server
// has it: the outcome is unknown, so it is sent once more with the same
// Message-ID and flagged); replacements start as a supervisor would.
// Every message arrives, and only the unknown one twice.
func TestClusterWorkersExactlyOnce(t *testing.T) {
	s, urls, prefix := clusterStore(t)
	srv := outboxtest.NewServer(t)
	const n = 2000
	const killData, killDot = 600, 1200
	rcpt := func(i int) string {
		switch i {
		case killData:
			return "kill-data@y.test"
		case killDot:
			return "kill-dot@y.test"
		}
		return fmt.Sprintf("r%d@y.test", i)
	}
	entries := enqueueMany(t, s, n, outbox.Route{Server: srv.Addr, TLS: "none"}, rcpt, func(i int) string { return fmt.Sprint("msg ", i) })

	at := make(chan string, 2)     // the worker IP holding each fault
	release := make(chan struct{}) // lets the server go on once the worker is dead
	var once [2]sync.Once
	srv.SetFault(func(step outboxtest.Step, m *outboxtest.Message, _ string) *outboxtest.Fault {
		if m == nil || len(m.To) != 1 {
			return nil
		}
		switch {
		case step == outboxtest.Body && m.To[0] == "kill-data@y.test":
			fired := false
			once[0].Do(func() { fired = true })
			if fired {
				at <- m.Remote
				return &outboxtest.Fault{Wait: release, Close: true}
			}
		case step == outboxtest.Dot && m.To[0] == "kill-dot@y.test":
			fired := false
			once[1].Do(func() { fired = true })
			if fired {
				at <- m.Remote
				return &outboxtest.Fault{Keep: true, Wait: release, Close: true}
			}
		}
		return nil
	})
	w := newWorkers(t, urls, prefix)
	ips := []string{"127.0.0.11", "127.0.0.12", "127.0.0.13"}
	for _, ip := range ips {
		w.start(ip)
	}
	replacement := 14
	for range 2 {
		select {
		case remote := <-at:
			ip, _, _ := strings.Cut(remote, ":")
			w.kill(ip)
			w.start(fmt.Sprintf("127.0.0.%d", replacement))
			replacement++
		case <-time.After(3 * time.Minute):
			t.Fatal("the faults were never reached")
		}
	}
	close(release)
	waitDrained(t, s, 5*time.Minute)

	copies := srv.Copies()
	unknown := 0
	for _, e := range entries {
		g, err := s.Get(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := g.Recipients[0]
		k := e.MessageID + " " + r.Addr
		if r.State != outbox.Delivered {
			t.Errorf("%s to %s: %v, want delivered", e.ID, r.Addr, r.State)
		}
		if copies[k] == 0 {
			t.Errorf("%s to %s: lost (no copy at the server)", e.ID, r.Addr)
		}
		if copies[k] > 1 && !r.WasUnknown {
			t.Errorf("%s to %s: %d copies, and its outcome was never unknown", e.ID, r.Addr, copies[k])
		}
		if r.WasUnknown {
			unknown++
		}
	}
	if k := entries[killDot].MessageID + " kill-dot@y.test"; copies[k] != 2 {
		t.Errorf("the message whose reply was lost after the dot arrived %d times, want 2 (kept, then resent as unknown)", copies[k])
	}
	if k := entries[killData].MessageID + " kill-data@y.test"; copies[k] != 1 {
		t.Errorf("the message cut in the middle of its DATA arrived %d times, want 1", copies[k])
	}
	// Each kill leaves at most one message per connection in doubt
	// (4 connections per worker).
	if unknown > 8 {
		t.Errorf("%d recipients flagged unknown after 2 kills, want at most 8", unknown)
	}
	total := 0
	for _, c := range copies {
		total += c
	}
	t.Logf("%d messages, %d copies at the server, %d flagged unknown", n, total, unknown)
}

// TestClusterDuplicateEnqueue: on the replicated cluster, two clients
// connected to different nodes enqueue the same 20 keys 4 times each at
// once: 20 entries, and every caller gets the entry's ID.
func TestClusterDuplicateEnqueue(t *testing.T) {
	s, _, prefix := clusterStore(t)
	env := natstest.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	other, err := jetstream.Open(ctx, jetstream.Options{URLs: env["NATS_NODE3"], Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	duplicateEnqueues(t, s, other)
}

// TestConcurrentFirstOpen: several processes that open a new outbox at
// the same moment (a fleet of workers started together) all get it:
// one creates each stream and bucket, the others find it, and none fails
// on the cluster's slow answer to a create that raced another.
func TestConcurrentFirstOpen(t *testing.T) {
	env := natstest.Cluster(t)
	prefix := fmt.Sprintf("f%d", time.Now().UnixNano()%1e9)
	const n = 6
	stores := make([]*jetstream.Store, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			stores[i], errs[i] = jetstream.Open(ctx, jetstream.Options{URLs: env["NATS_URLS"], Prefix: prefix})
		})
	}
	close(start)
	wg.Wait()
	var open *jetstream.Store
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		open = stores[i]
		defer stores[i].Close()
	}
	if open != nil {
		defer deleteOutbox(open, prefix)
	}
	if t.Failed() {
		t.FailNow()
	}
	// One outbox, not six: what one process enqueues another sees.
	e := &outbox.Entry{Route: outbox.Route{Server: "127.0.0.1:1"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@x.test")}
	got, err := outbox.Submit(context.Background(), stores[0], e, strings.NewReader("Subject: one\r\n\r\nx\r\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := stores[n-1].Get(context.Background(), got.ID); err != nil || g.ID != got.ID {
		t.Fatalf("another process does not see the entry: %+v, %v", g, err)
	}
}
