package jetstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/outbox/jetstream/internal/natstest"
	"github.com/postie/postie/outbox/outboxtest"
)

// TestNodeDownMidRun: a cluster of 3 of this test's own (in-process), an
// outbox replicated on all three, 2 worker processes delivering 300
// messages; one node stops in the middle. The node stopped is the worst
// one to lose: it leads the entries bucket (every claim, mark and
// outcome goes there) and worker 1 is connected to it, so that worker's
// requests in flight die with it and it must reconnect while the other
// two nodes elect new leaders. Delivery goes on over the other two,
// nothing is lost, and a message arrives twice only when its outcome
// was unknown.
func TestNodeDownMidRun(t *testing.T) {
	srvs, urls := natstest.StartCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := jetstream.Open(ctx, jetstream.Options{URLs: urls, Prefix: "down", AckWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv := outboxtest.NewServer(t)
	const n = 300
	entries := enqueueMany(t, s, n, outbox.Route{Server: srv.Addr, TLS: "none"}, func(i int) string { return fmt.Sprintf("r%d@y.test", i) }, func(i int) string { return fmt.Sprint("node down ", i) })
	victim := natstest.StreamLeader(t, srvs, "KV_down-entries")
	w := newWorkers(t, urls, "down")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workers' logs:\n%s", w.logs())
		}
	})
	// Worker 1 knows only the victim's address (it learns the others'
	// from the cluster, as a client does); worker 2 knows all three.
	w.startWith("127.0.0.41", "WORKER_NATS="+victim.ClientURL())
	w.start("127.0.0.42")
	for deadline := time.Now().Add(2 * time.Minute); len(srv.Messages()) < n/3; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d delivered after 2 minutes", len(srv.Messages()))
		}
		time.Sleep(10 * time.Millisecond) // polling the workers' progress
	}
	before := len(srv.Messages())
	led := natstest.Leads(victim, "KV_down-entries", "KV_down-keys", "down-work")
	victim.Shutdown()
	t.Logf("node %s (leader of %v) stopped after %d of %d messages", victim.Name(), led, before, n)
	waitDrained(t, s, 3*time.Minute)
	copies := srv.Copies()
	for _, e := range entries {
		g, err := s.Get(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := g.Recipients[0]
		k := e.MessageID + " " + r.Addr
		if r.State != outbox.Delivered || copies[k] == 0 {
			t.Errorf("%s: %v, %d copies", e.ID, r.State, copies[k])
		}
		if copies[k] > 1 && !r.WasUnknown {
			t.Errorf("%s: %d copies, never unknown: %+v", e.ID, copies[k], r)
		}
	}
	if len(srv.Messages()) <= before {
		t.Fatal("nothing was delivered after the node stopped")
	}
}
