package outbox_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
	"github.com/postie/postie/smtp"
)

// The runner's manners with a server that pushes back, and the following
// runs merge uses. These run on the real clock with short delays: what is
// asserted is counted (copies, connections, states), never timed.

// liveHarness is a store on the real clock and a runner that dials srv.
type liveHarness struct {
	t     *testing.T
	store *local.Store
	srv   *outboxtest.Server

	mu     sync.Mutex
	events []outbox.Event
}

func newLive(t *testing.T, srv *outboxtest.Server) *liveHarness {
	s, err := local.Open(t.TempDir()+"/queue", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &liveHarness{t: t, store: s, srv: srv}
}

func (h *liveHarness) runner(conns int) *outbox.Runner {
	return &outbox.Runner{
		Store: h.store, Connections: conns, Lease: time.Minute,
		Schedule: outbox.Schedule{Delays: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond}, MaxAge: time.Minute},
		Backoff:  outbox.Backoff{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond},
		Connect: func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, h.srv.Addr, &smtp.Options{TLS: smtp.TLSNone})
		},
		OnEvent: func(ev outbox.Event) {
			h.mu.Lock()
			h.events = append(h.events, ev)
			h.mu.Unlock()
		},
	}
}

func (h *liveHarness) enqueue(n int, prefix string) []*outbox.Entry {
	h.t.Helper()
	var out []*outbox.Entry
	for i := range n {
		e := &outbox.Entry{Campaign: "c", Route: outbox.Route{Server: "test"}, Recipients: rcpts(fmt.Sprintf("%s%d@y.test", prefix, i))}
		out = append(out, outboxtest.Enqueue(h.t, h.store, nil, e, outboxtest.Msg(fmt.Sprint(prefix, i))))
	}
	return out
}

func (h *liveHarness) slowDowns() []*outbox.SlowDown {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*outbox.SlowDown
	for _, ev := range h.events {
		if ev.SlowDown != nil {
			out = append(out, ev.SlowDown)
		}
	}
	return out
}

// follow runs r in follow mode until it ends by itself (Follow closed at
// once: everything is queued already), within a bound.
func (h *liveHarness) follow(r *outbox.Runner, horizon time.Duration) *outbox.Report {
	h.t.Helper()
	f := make(chan struct{})
	close(f)
	r.Follow, r.Horizon = f, horizon
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := r.Run(ctx)
	if err != nil {
		h.t.Fatalf("run: %v (report %+v)", err, rep)
	}
	return rep
}

// startFollowing runs r in follow mode in the background; closing the
// returned feed lets it end, and wait returns its report.
func startFollowing(r *outbox.Runner) (feed chan struct{}, wait func() (*outbox.Report, error)) {
	feed = make(chan struct{})
	r.Follow = feed
	type result struct {
		rep *outbox.Report
		err error
	}
	done := make(chan result, 1)
	go func() { rep, err := r.Run(context.Background()); done <- result{rep, err} }()
	return feed, func() (*outbox.Report, error) { res := <-done; return res.rep, res.err }
}

// onceEach checks that every entry reached the server exactly once.
func onceEach(t *testing.T, srv *outboxtest.Server, entries []*outbox.Entry) {
	t.Helper()
	copies := srv.Copies()
	for _, e := range entries {
		if n := copies[key(e, e.Recipients[0].Addr)]; n != 1 {
			t.Errorf("%s: %d copies", e.Recipients[0].Addr, n)
		}
	}
}

// TestFollowTakesEntriesAddedWhileRunning: a following run delivers what
// is enqueued after it started, over connections it keeps, and ends once
// Follow is closed and nothing is left.
func TestFollowTakesEntriesAddedWhileRunning(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newLive(t, srv)
	r := h.runner(2)
	feed, wait := startFollowing(r)
	var all []*outbox.Entry
	for round := range 5 {
		batch := h.enqueue(4, fmt.Sprintf("r%d-", round))
		all = append(all, batch...)
		r.Wake()
		want := len(all)
		waitFor(t, fmt.Sprint(want, " messages at the server"), func() bool { return len(srv.Messages()) >= want })
	}
	close(feed)
	if rep, err := wait(); err != nil || rep.Delivered != 20 {
		t.Fatalf("run: %v, report %+v", err, rep)
	}
	onceEach(t, srv, all)
	if c, _ := h.store.Counts(context.Background(), "c"); c.Delivered != 20 || c.Claimed != 0 {
		t.Fatalf("counts %+v", c)
	}
	// The connections stayed open between the batches (a connection may
	// give up after followIdle with nothing to do; these batches came fast).
	if n := srv.Connections(); n > 2 {
		t.Errorf("%d connections for 5 batches over 2 connections", n)
	}
}

// TestFollowRetriesDeferredInTheSameRun: a temporary refusal is tried
// again when the schedule says, within the run, and the run ends only
// when that retry is done.
func TestFollowRetriesDeferredInTheSameRun(t *testing.T) {
	srv := outboxtest.NewServer(t)
	var refused atomic.Int32
	srv.SetFault(func(step outboxtest.Step, m *outboxtest.Message, rcpt string) *outboxtest.Fault {
		if step == outboxtest.Rcpt && strings.HasPrefix(rcpt, "busy") && refused.Add(1) <= 2 {
			return &outboxtest.Fault{Code: 450, Text: "4.2.1 mailbox busy"}
		}
		return nil
	})
	h := newLive(t, srv)
	entries := h.enqueue(5, "x")
	entries = append(entries, h.enqueue(1, "busy")...)
	rep := h.follow(h.runner(2), time.Second)
	if rep.Delivered != 6 || rep.Deferred != 2 {
		t.Fatalf("report %+v, want 6 delivered after 2 deferrals", rep)
	}
	onceEach(t, srv, entries)
	// A horizon shorter than the schedule's next retry ends the run with
	// the entry still deferred.
	refused.Store(0)
	more := h.enqueue(1, "busy-again")
	r := h.runner(1)
	r.Schedule = outbox.Schedule{Delays: []time.Duration{time.Hour}, MaxAge: 24 * time.Hour}
	if rep := h.follow(r, time.Minute); rep.Deferred != 1 || rep.Delivered != 0 {
		t.Fatalf("report %+v", rep)
	}
	if g, _ := h.store.Get(context.Background(), more[0].ID); g.Recipients[0].State != outbox.Deferred {
		t.Fatalf("state %v", g.Recipients[0].State)
	}
}

// TestReconnectAfter421: a server that closes every connection with 421
// after three messages gets all of them, each once, over new
// connections opened at once (they made progress).
func TestReconnectAfter421(t *testing.T) {
	srv := outboxtest.NewServer(t)
	var mu sync.Mutex
	perConn := map[int]int{}
	srv.SetFault(func(step outboxtest.Step, m *outboxtest.Message, _ string) *outboxtest.Fault {
		if step != outboxtest.Mail {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		perConn[m.Conn]++
		if perConn[m.Conn] > 3 {
			return &outboxtest.Fault{Code: 421, Text: "4.3.2 enough for this session", Close: true}
		}
		return nil
	})
	h := newLive(t, srv)
	entries := h.enqueue(30, "r")
	r := h.runner(2)
	rep, err := r.Run(context.Background()) // a plain pass: the reconnects happen inside it
	if err != nil || rep.Delivered != 30 {
		t.Fatalf("run %v, report %+v", err, rep)
	}
	onceEach(t, srv, entries)
	if rep.Connections < 10 || rep.Connections > 12 || srv.Connections() != rep.Connections {
		t.Fatalf("%d connections (server saw %d), want 10-12: three messages each", rep.Connections, srv.Connections())
	}
	if len(h.slowDowns()) != 0 {
		t.Fatalf("a 421 without a policy code slowed the runner down: %+v", h.slowDowns())
	}
}

// TestTooManyConnections: a server that takes two connections and turns
// further ones away with "421 4.7.0 too many connections" gets every
// message once over the two, and nothing is deferred for it.
func TestTooManyConnections(t *testing.T) {
	srv := outboxtest.NewServer(t)
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Greeting && srv.Open() > 2 {
			return &outboxtest.Fault{Code: 421, Text: "4.7.0 too many connections", Close: true}
		}
		return nil
	})
	h := newLive(t, srv)
	entries := h.enqueue(60, "r")
	rep := h.follow(h.runner(8), time.Second)
	if rep.Delivered != 60 || rep.Deferred != 0 {
		t.Fatalf("report %+v", rep)
	}
	onceEach(t, srv, entries)
	sd := h.slowDowns()
	if len(sd) == 0 || sd[len(sd)-1].Connections > 2 {
		t.Fatalf("slow-downs %+v: want the connections lowered to 2", sd)
	}
	// Eight tried at first; after being turned away the runner stays
	// within what the server takes (no reconnect loop).
	if n := srv.Connections(); n > 10 {
		t.Fatalf("%d connections attempted", n)
	}
}

// TestSlowDownOnRateReplies: "451 4.7.1" to every 10th MAIL halves the
// connections and pauses; every message still arrives once.
func TestSlowDownOnRateReplies(t *testing.T) {
	srv := outboxtest.NewServer(t)
	var mails atomic.Int32
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Mail && mails.Add(1)%10 == 0 {
			return &outboxtest.Fault{Code: 451, Text: "4.7.1 too much mail, slow down"}
		}
		return nil
	})
	h := newLive(t, srv)
	entries := h.enqueue(80, "r")
	rep := h.follow(h.runner(8), 10*time.Second)
	if rep.Delivered != 80 || rep.Deferred == 0 || rep.SlowDowns == 0 {
		t.Fatalf("report %+v", rep)
	}
	onceEach(t, srv, entries)
	sd := h.slowDowns()
	if sd[0].Connections != 4 || sd[0].Pause != 10*time.Millisecond || !strings.Contains(sd[0].Cause, "451 4.7.1") {
		t.Fatalf("first slow-down %+v: want 4 connections and the first backoff", sd[0])
	}
	// A server that always refused would be visited once per pause, not
	// in a hot loop: connections stay few.
	if n := srv.Connections(); n > 16 {
		t.Fatalf("%d connections", n)
	}
}

// TestNoHotReconnectLoop: a server that drops every connection at MAIL
// is left alone longer each time: the connections it sees in a following
// run are bounded by the backoff, not by how fast we can dial.
func TestNoHotReconnectLoop(t *testing.T) {
	srv := outboxtest.NewServer(t)
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Mail {
			return &outboxtest.Fault{Close: true}
		}
		return nil
	})
	h := newLive(t, srv)
	h.enqueue(20, "r")
	r := h.runner(4)
	r.Schedule = outbox.Schedule{Delays: []time.Duration{5 * time.Millisecond}, MaxAge: 400 * time.Millisecond}
	r.Backoff = outbox.Backoff{Min: 20 * time.Millisecond, Max: 80 * time.Millisecond}
	rep := h.follow(r, time.Second)
	if rep.Failed != 20 || rep.Delivered != 0 {
		t.Fatalf("report %+v: want every entry failed at the maximum age", rep)
	}
	// 400 ms at one attempt per backoff (20, 40, 80, 80 ... ms) is about
	// eight rounds of at most 4 connections.
	if n := srv.Connections(); n > 40 {
		t.Fatalf("%d connections in 400 ms: a reconnect loop", n)
	}
}

// TestStopFinishesWhatIsInFlight: closing Stop while a message waits for
// its final reply lets it finish and be recorded as delivered (not
// unknown); the rest goes back untried, with no lease left.
func TestStopFinishesWhatIsInFlight(t *testing.T) {
	srv := outboxtest.NewServer(t)
	release := make(chan struct{})
	reached := make(chan struct{}, 1)
	var dots atomic.Int32
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Dot && dots.Add(1) == 3 {
			reached <- struct{}{}
			return &outboxtest.Fault{Wait: release}
		}
		return nil
	})
	h := newLive(t, srv)
	entries := h.enqueue(10, "r")
	r := h.runner(1)
	stop := make(chan struct{})
	r.Stop = stop
	done := make(chan *outbox.Report)
	go func() { rep, _ := r.Run(context.Background()); done <- rep }()
	<-reached
	close(stop)
	close(release)
	rep := <-done
	// The third was waiting for its reply; a fourth may have been
	// pipelined behind its end, and is finished too.
	if rep.Delivered < 3 || rep.Delivered > 4 || rep.Unknown != 0 || len(srv.Messages()) != rep.Delivered {
		t.Fatalf("report %+v, server has %d: want the three (or four) begun delivered, none unknown", rep, len(srv.Messages()))
	}
	for _, e := range entries[rep.Delivered:] {
		g, _ := h.store.Get(context.Background(), e.ID)
		if g.Lease != nil || g.Recipients[0].State != outbox.Pending || g.Recipients[0].Attempts != 0 {
			t.Fatalf("%s after Stop: lease %+v, %+v", e.ID, g.Lease, g.Recipients[0])
		}
	}
}

// TestReclaimAbandoned: the leases of a runner whose process is gone end
// at once (what it was sending becomes unknown); a live runner's stay.
func TestReclaimAbandoned(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newLive(t, srv)
	entries := h.enqueue(2, "r")
	host, _ := os.Hostname()
	child := exec.Command("true")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	dead := fmt.Sprintf("%s:%d:12345:beef", host, child.Process.Pid)
	alive := fmt.Sprintf("%s:%d:%s:beef", host, os.Getpid(), outbox.ProcessStart(os.Getpid()))
	if !outbox.OwnerGone(dead) || outbox.OwnerGone(alive) || outbox.OwnerGone("elsewhere:1:2:3") || outbox.OwnerGone("test-runner") {
		t.Fatal("OwnerGone is wrong about a dead process, this process, another host or a name of another form")
	}
	ctx := context.Background()
	for i, owner := range []string{dead, alive} {
		res, err := h.store.Claim(ctx, outbox.ClaimRequest{Owner: owner, Now: time.Now(), Lease: time.Hour, Max: 1, Filter: outbox.Filter{IDs: []outbox.ID{entries[i].ID}}})
		if err != nil || len(res.Claims) != 1 {
			t.Fatal(err)
		}
		if err := h.store.Record(ctx, []outbox.Outcome{{ID: entries[i].ID, Owner: owner, Sending: true, Rcpts: []outbox.RcptOutcome{{Index: 0}}}}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := outbox.ReclaimAbandoned(ctx, h.store, outbox.Filter{Campaign: "c"}, time.Now())
	if err != nil || n != 1 {
		t.Fatalf("ReclaimAbandoned = %d, %v; want 1", n, err)
	}
	if g, _ := h.store.Get(ctx, entries[0].ID); g.Lease != nil || g.Recipients[0].State != outbox.Unknown {
		t.Fatalf("the dead runner's entry: lease %+v, %v", g.Lease, g.Recipients[0].State)
	}
	if g, _ := h.store.Get(ctx, entries[1].ID); g.Lease == nil || g.Lease.Owner != alive {
		t.Fatalf("the live runner's lease was taken: %+v", g.Lease)
	}
}

// TestNoMoreConnectionsThanJobs: one message and room for four
// connections opens one; a server that takes one connection at a time
// is never told "slow down" by connections that had nothing to send.
func TestNoMoreConnectionsThanJobs(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newLive(t, srv)
	h.enqueue(1, "one")
	r := h.runner(4)
	rep, err := r.Run(context.Background())
	if err != nil || rep.Delivered != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if n := srv.Connections(); n != 1 {
		t.Fatalf("%d connections for one message; report %+v", n, rep)
	}
	if sd := h.slowDowns(); len(sd) != 0 {
		t.Fatalf("slow-downs with nothing pushing back: %+v", sd[0])
	}
}

// TestFollowUsesTheWaitingConnection: messages that arrive one at a time
// while a following run waits go over the connection that waits for
// them; no other connection is opened for a message it will take.
func TestFollowUsesTheWaitingConnection(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newLive(t, srv)
	r := h.runner(4)
	feed, wait := startFollowing(r)
	var all []*outbox.Entry
	for i := range 6 {
		all = append(all, h.enqueue(1, fmt.Sprintf("one%d-", i))...)
		r.Wake()
		waitFor(t, fmt.Sprint(i+1, " messages at the server"), func() bool { return len(srv.Messages()) >= i+1 })
	}
	close(feed)
	if rep, err := wait(); err != nil || rep.Delivered != 6 {
		t.Fatalf("run: %v, report %+v", err, rep)
	}
	onceEach(t, srv, all)
	if n := srv.Connections(); n != 1 {
		t.Fatalf("%d connections for 6 messages that came one at a time", n)
	}
}

// TestPermanentConnectErrorIsNoSlowDown: a connector's permanent error
// fails the target's entries at once, whatever other workers are doing;
// it is not the server turning a connection away.
func TestPermanentConnectErrorIsNoSlowDown(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newLive(t, srv)
	h.enqueue(12, "p")
	r := h.runner(4)
	r.Connect = func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
		time.Sleep(5 * time.Millisecond) // let the workers overlap
		return nil, outbox.Permanent(fmt.Errorf("the account is gone"))
	}
	rep, err := r.Run(context.Background())
	if err != nil || rep.Failed != 12 {
		t.Fatalf("report %+v, %v: want all 12 failed", rep, err)
	}
	if sd := h.slowDowns(); len(sd) != 0 {
		t.Fatalf("a permanent error taken for a slow-down: %+v", sd[0])
	}
}
