package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/outboxtest"
)

func TestRunDeliversEachRecipientOnce(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	var entries []*outbox.Entry
	for i := range 8 {
		entries = append(entries, h.enqueue(&outbox.Entry{Recipients: rcpts(fmt.Sprintf("a%d@y.test", i), fmt.Sprintf("b%d@y.test", i))}, fmt.Sprint("msg ", i)))
	}
	rep := h.run(h.runner())
	if rep.Delivered != 16 || rep.Deferred+rep.Failed+rep.Unknown != 0 {
		t.Fatalf("report %+v", rep)
	}
	copies := srv.Copies()
	for _, e := range entries {
		for _, r := range e.Recipients {
			if n := copies[key(e, r.Addr)]; n != 1 {
				t.Errorf("%s got %d copies", key(e, r.Addr), n)
			}
		}
		g := h.get(e.ID)
		if g.State(h.clock.Now()) != outbox.Done || g.Recipients[0].Last().QueueID == "" {
			t.Errorf("entry %s: %v, last %+v", e.ID, g.State(h.clock.Now()), g.Recipients[0].Last())
		}
	}
	// The bytes on the wire are the stored bytes.
	for _, m := range srv.Messages() {
		id := h.byMsgID[m.MessageID]
		if id == "" {
			t.Fatalf("server got an unknown Message-ID %q", m.MessageID)
		}
		if g := h.get(id); g.Size != int64(len(m.Data)) {
			t.Errorf("%s: %d octets on the wire, %d stored", id, len(m.Data), g.Size)
		}
	}
	if n := srv.Connections(); n > 2 {
		t.Errorf("%d connections for 8 messages with Connections=2", n)
	}
	if again := h.run(h.runner()); again.Delivered != 0 || len(srv.Messages()) != 8 {
		t.Fatalf("a second run sent again: %+v", again)
	}
	if c, _ := h.store.Counts(context.Background(), ""); c.Delivered != 16 || c.Left() != 0 || c.Claimed != 0 {
		t.Fatalf("counts %+v", c)
	}
}

// TestFaultAtEveryStep fails the server at each step of the session,
// then runs again against a good server: every recipient ends with
// exactly one copy at the good server (unless the first server gave a
// 2xx, or refused it for good), and the states say what happened.
func TestFaultAtEveryStep(t *testing.T) {
	type want struct{ first, final string } // recipient states after each run
	cases := []struct {
		name  string
		step  outboxtest.Step
		fault outboxtest.Fault
		only  string // fault only this recipient (Rcpt)
		want  map[string]want
	}{
		{"greeting 421", outboxtest.Greeting, outboxtest.Fault{Code: 421, Text: "4.3.2 busy", Close: true}, "", nil},
		{"greeting dropped", outboxtest.Greeting, outboxtest.Fault{Close: true}, "", nil},
		{"ehlo 421", outboxtest.Ehlo, outboxtest.Fault{Code: 421, Text: "4.3.2 shutting down", Close: true}, "", nil},
		{"ehlo dropped", outboxtest.Ehlo, outboxtest.Fault{Close: true}, "", nil},
		{"mail 451", outboxtest.Mail, outboxtest.Fault{Code: 451, Text: "4.3.0 try later"}, "", nil},
		{"mail dropped", outboxtest.Mail, outboxtest.Fault{Close: true}, "", nil},
		{"mail 550", outboxtest.Mail, outboxtest.Fault{Code: 550, Text: "5.7.1 sender refused"}, "", map[string]want{"a@y.test": {"failed", "failed"}, "b@y.test": {"failed", "failed"}}},
		{"rcpt 451 one", outboxtest.Rcpt, outboxtest.Fault{Code: 451, Text: "4.2.1 mailbox busy"}, "b@y.test", map[string]want{"a@y.test": {"delivered", "delivered"}, "b@y.test": {"deferred", "delivered"}}},
		{"rcpt 550 one", outboxtest.Rcpt, outboxtest.Fault{Code: 550, Text: "5.1.1 no such user"}, "b@y.test", map[string]want{"a@y.test": {"delivered", "delivered"}, "b@y.test": {"failed", "failed"}}},
		{"rcpt dropped", outboxtest.Rcpt, outboxtest.Fault{Close: true}, "", nil},
		{"data 451", outboxtest.Data, outboxtest.Fault{Code: 451, Text: "4.3.0 no space"}, "", nil},
		{"data 554", outboxtest.Data, outboxtest.Fault{Code: 554, Text: "5.3.4 no"}, "", map[string]want{"a@y.test": {"failed", "failed"}, "b@y.test": {"failed", "failed"}}},
		{"mid-data dropped", outboxtest.Body, outboxtest.Fault{Close: true}, "", map[string]want{"a@y.test": {"unknown", "delivered"}, "b@y.test": {"unknown", "delivered"}}},
		{"after dot dropped", outboxtest.Dot, outboxtest.Fault{Close: true}, "", map[string]want{"a@y.test": {"unknown", "delivered"}, "b@y.test": {"unknown", "delivered"}}},
		{"after dot kept, reply lost", outboxtest.Dot, outboxtest.Fault{Close: true, Keep: true}, "", map[string]want{"a@y.test": {"unknown", "delivered"}, "b@y.test": {"unknown", "delivered"}}},
		{"after dot 451", outboxtest.Dot, outboxtest.Fault{Code: 451, Text: "4.3.0 queue full"}, "", nil},
		{"after dot 554", outboxtest.Dot, outboxtest.Fault{Code: 554, Text: "5.6.0 content refused"}, "", map[string]want{"a@y.test": {"failed", "failed"}, "b@y.test": {"failed", "failed"}}},
		{"quit dropped", outboxtest.Quit, outboxtest.Fault{Close: true}, "", map[string]want{"a@y.test": {"delivered", "delivered"}, "b@y.test": {"delivered", "delivered"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := outboxtest.NewServer(t)
			f := tc.fault
			bad.SetFault(func(step outboxtest.Step, m *outboxtest.Message, rcpt string) *outboxtest.Fault {
				if step == tc.step && (tc.only == "" || rcpt == tc.only) {
					return &f
				}
				return nil
			})
			good := outboxtest.NewServer(t)
			h := newHarness(t, bad)
			e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test", "b@y.test")}, tc.name)
			w := tc.want
			if w == nil {
				w = map[string]want{"a@y.test": {"deferred", "delivered"}, "b@y.test": {"deferred", "delivered"}}
			}
			h.run(h.runner())
			g := h.get(e.ID)
			for _, r := range g.Recipients {
				if r.State.String() != w[r.Addr].first {
					t.Errorf("after the faulty run %s is %v (%s), want %s", r.Addr, r.State, r.Last().Describe(), w[r.Addr].first)
				}
				if r.State == outbox.Failed && (r.Last().Reply == nil || r.Last().Reply.Code != tc.fault.Code) {
					t.Errorf("%s failed without the server's reply: %+v", r.Addr, r.Last())
				}
			}
			h.addr.Store(good.Addr)
			h.clock.Advance(2 * time.Second)
			h.run(h.runner())
			g = h.get(e.ID)
			goodCopies := good.Copies()
			for _, r := range g.Recipients {
				if r.State.String() != w[r.Addr].final {
					t.Errorf("after the good run %s is %v (%s), want %s", r.Addr, r.State, r.Last().Describe(), w[r.Addr].final)
				}
				n := goodCopies[key(e, r.Addr)]
				wantN := 0
				if w[r.Addr].first != "delivered" && w[r.Addr].final == "delivered" {
					wantN = 1
				}
				if n != wantN {
					t.Errorf("the good server has %d copies for %s, want %d", n, r.Addr, wantN)
				}
				if (w[r.Addr].first == "unknown") != r.WasUnknown {
					t.Errorf("%s: WasUnknown=%v", r.Addr, r.WasUnknown)
				}
			}
			// An unknown outcome is resent with the identical bytes.
			if bm, gm := bad.Messages(), good.Messages(); tc.fault.Keep && (len(bm) != 1 || len(gm) != 1 || !bytes.Equal(bm[0].Data, gm[0].Data)) {
				t.Errorf("resent bytes differ from the first copy (%d, %d messages)", len(bm), len(gm))
			}
		})
	}
}

func TestOnlyTheDeferredRecipientIsRetried(t *testing.T) {
	bad := outboxtest.NewServer(t)
	bad.SetFault(func(step outboxtest.Step, m *outboxtest.Message, rcpt string) *outboxtest.Fault {
		if step == outboxtest.Rcpt && rcpt == "busy@y.test" {
			return &outboxtest.Fault{Code: 451, Text: "4.2.1 busy"}
		}
		return nil
	})
	h := newHarness(t, bad)
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test", "busy@y.test", "c@y.test")}, "partial")
	h.run(h.runner())
	good := outboxtest.NewServer(t)
	h.addr.Store(good.Addr)
	h.clock.Advance(time.Second)
	h.run(h.runner())
	ms := good.Messages()
	if len(ms) != 1 || strings.Join(ms[0].To, ",") != "busy@y.test" {
		t.Fatalf("the retry went to %+v, want only busy@y.test", ms)
	}
	if got := h.states(e.ID); got != "a@y.test=delivered busy@y.test=delivered c@y.test=delivered" {
		t.Fatal(got)
	}
}

// deferAtMail makes srv answer every MAIL FROM with 451 and text.
func deferAtMail(srv *outboxtest.Server, text string) {
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Mail {
			return &outboxtest.Fault{Code: 451, Text: text}
		}
		return nil
	})
}

func TestBackoffScheduleAndMaxAge(t *testing.T) {
	srv := outboxtest.NewServer(t)
	deferAtMail(srv, "4.7.1 greylisted")
	h := newHarness(t, srv)
	r := h.runner()
	r.Schedule.MaxAge = 10 * time.Second
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test")}, "backoff")
	attempts := func() int { return h.get(e.ID).Recipients[0].Attempts }
	steps := []struct {
		advance  time.Duration
		attempts int
		next     time.Duration // since the epoch; 0: failed
	}{
		{0, 1, 1 * time.Second},
		{500 * time.Millisecond, 1, 1 * time.Second}, // not due yet: nothing sent
		{500 * time.Millisecond, 2, 3 * time.Second},
		{2 * time.Second, 3, 7 * time.Second},
		{4 * time.Second, 4, 10 * time.Second}, // 7s+4s would pass the maximum age: the last try is at it
		{3 * time.Second, 5, 0},
	}
	for i, st := range steps {
		h.clock.Advance(st.advance)
		rep := h.run(r)
		g := h.get(e.ID)
		rc := g.Recipients[0]
		if attempts() != st.attempts {
			t.Fatalf("step %d: %d attempts, want %d", i, attempts(), st.attempts)
		}
		if st.next == 0 {
			if rc.State != outbox.Failed || rc.Last().Reply.Code != 451 || !strings.Contains(rc.Last().Error, "gave up") || len(rep.Failures) != 1 {
				t.Fatalf("at the maximum age: %+v, report %+v", rc, rep)
			}
			continue
		}
		if rc.State != outbox.Deferred || !rc.Next.Equal(outboxtest.Epoch.Add(st.next)) {
			t.Fatalf("step %d: %v next %v, want deferred next %v", i, rc.State, rc.Next.Sub(outboxtest.Epoch), st.next)
		}
	}
}

// TestEntryScheduleOverTheRunners: an entry's own schedule (send --queue
// --retry-schedule/--max-age) is what a runner with other settings
// follows; what the entry leaves unset is the runner's. A schedule that
// would loop is refused at Submit.
func TestEntryScheduleOverTheRunners(t *testing.T) {
	srv := outboxtest.NewServer(t)
	deferAtMail(srv, "4.2.0 mailbox busy")
	h := newHarness(t, srv)
	r := h.runner() // delays 1s, 2s, 4s; maximum age 1h
	own := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test"), Schedule: outbox.Schedule{Delays: []time.Duration{3 * time.Second}, MaxAge: 5 * time.Second}}, "own")
	ageOnly := h.enqueue(&outbox.Entry{Recipients: rcpts("b@y.test"), Schedule: outbox.Schedule{MaxAge: 5 * time.Second}}, "age only")
	plain := h.enqueue(&outbox.Entry{Recipients: rcpts("c@y.test")}, "runner's")
	h.run(r)
	for _, c := range []struct {
		e    *outbox.Entry
		next time.Duration
	}{{own, 3 * time.Second}, {ageOnly, time.Second}, {plain, time.Second}} {
		if rc := h.get(c.e.ID).Recipients[0]; rc.State != outbox.Deferred || !rc.Next.Equal(outboxtest.Epoch.Add(c.next)) {
			t.Fatalf("%s: %v next %v, want %v", rc.Addr, rc.State, rc.Next.Sub(outboxtest.Epoch), c.next)
		}
	}
	h.clock.Advance(6 * time.Second)
	h.run(r)
	for _, e := range []*outbox.Entry{own, ageOnly} {
		if rc := h.get(e.ID).Recipients[0]; rc.State != outbox.Failed || !strings.Contains(rc.Last().Error, "maximum age 5s") {
			t.Fatalf("%s past its own maximum age: %v %q", rc.Addr, rc.State, rc.Last().Error)
		}
	}
	if rc := h.get(plain.ID).Recipients[0]; rc.State != outbox.Deferred {
		t.Fatalf("the runner's maximum age (1h) was not the plain entry's: %v", rc.State)
	}
	bad := &outbox.Entry{Route: outbox.Route{Server: "test"}, Recipients: rcpts("d@y.test"), Schedule: outbox.Schedule{Delays: []time.Duration{0}}}
	if _, err := outbox.Submit(context.Background(), h.store, bad, strings.NewReader("Subject: x\r\n\r\nx\r\n"), nil); err == nil {
		t.Fatal("a zero delay was accepted")
	}
}

func TestJitterStretchesDelays(t *testing.T) {
	s := outbox.Schedule{Delays: []time.Duration{time.Minute}, Jitter: 0.5}
	next, _ := s.Next(outboxtest.Epoch, outboxtest.Epoch, 1, func() float64 { return 0.5 })
	if d := next.Sub(outboxtest.Epoch); d != 75*time.Second {
		t.Fatalf("jittered delay %v, want 75s", d)
	}
	def := outbox.Schedule{}
	if d := def.Delay(1); d != 5*time.Minute {
		t.Fatalf("default first delay %v", d)
	}
	if d := def.Delay(100); d != 4*time.Hour {
		t.Fatalf("default last delay %v", d)
	}
	if _, expired := def.Next(outboxtest.Epoch, outboxtest.Epoch.Add(5*24*time.Hour), 9, nil); !expired {
		t.Fatal("the default maximum age is not 5 days")
	}
	if _, err := outbox.ParseDelays("1s,2s,x"); err == nil {
		t.Fatal("ParseDelays accepted a bad duration")
	}
	if ds, err := outbox.ParseDelays("1s, 2s,4s"); err != nil || len(ds) != 3 || ds[2] != 4*time.Second {
		t.Fatalf("ParseDelays = %v, %v", ds, err)
	}
}

// TestCommitBeforeNextDot checks invariant 2 from the server's side: when
// a message's end arrives, and at QUIT, every message this server
// accepted earlier is already recorded as delivered.
func TestCommitBeforeNextDot(t *testing.T) {
	for _, conns := range []int{1, 3} {
		t.Run(fmt.Sprint(conns, " connections"), func(t *testing.T) {
			srv := outboxtest.NewServer(t)
			h := newHarness(t, srv)
			check := func(what string, conn int) {
				for _, m := range srv.Messages() {
					if m.Conn != conn {
						continue // another connection's reply may still be on its way
					}
					id := h.byMsgID[m.MessageID]
					e, err := h.store.Get(context.Background(), id)
					if err != nil {
						t.Error(err)
						return
					}
					for _, r := range e.Recipients {
						if r.State != outbox.Delivered {
							t.Errorf("%s: %s accepted earlier is still %v", what, id, r.State)
						}
					}
				}
			}
			srv.SetFault(func(step outboxtest.Step, m *outboxtest.Message, _ string) *outboxtest.Fault {
				switch step {
				case outboxtest.Dot:
					check("at a message's end", m.Conn)
				case outboxtest.Quit:
					check("at QUIT", m.Conn)
				}
				return nil
			})
			for i := range 12 {
				h.enqueue(&outbox.Entry{Recipients: rcpts(fmt.Sprintf("r%d@y.test", i))}, fmt.Sprint(i))
			}
			r := h.runner()
			r.Connections = conns
			if rep := h.run(r); rep.Delivered != 12 {
				t.Fatalf("report %+v", rep)
			}
		})
	}
}

func TestExpiredLeaseIsResentAndFlagged(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test")}, "ghost")
	// A runner that claims, starts sending and dies.
	if _, err := h.store.Claim(context.Background(), outbox.ClaimRequest{Owner: "ghost", Now: h.clock.Now(), Lease: time.Minute, Max: 1}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.Record(context.Background(), []outbox.Outcome{{ID: e.ID, Owner: "ghost", Sending: true, Rcpts: []outbox.RcptOutcome{{Index: 0}}}}); err != nil {
		t.Fatal(err)
	}
	if rep := h.run(h.runner()); rep.Delivered != 0 {
		t.Fatal("sent while another runner's lease held")
	}
	h.clock.Advance(61 * time.Second)
	if rep := h.run(h.runner()); rep.Delivered != 1 {
		t.Fatalf("report %+v", rep)
	}
	r := h.get(e.ID).Recipients[0]
	if !r.WasUnknown || len(r.History) != 2 || r.History[0].Outcome != outbox.Unknown || r.History[0].Runner != "ghost" || r.State != outbox.Delivered {
		t.Fatalf("history %+v", r)
	}
}

func TestLeaseRenewedDuringSlowReply(t *testing.T) {
	release := make(chan struct{})
	reached := make(chan struct{}, 1)
	srv := outboxtest.NewServer(t)
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Dot {
			reached <- struct{}{}
			return &outboxtest.Fault{Wait: release}
		}
		return nil
	})
	h := newHarness(t, srv)
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test")}, "slow")
	r := h.runner()
	done := make(chan *outbox.Report)
	go func() { rep, _ := r.Run(context.Background()); done <- rep }()
	<-reached
	until := h.get(e.ID).Lease.Until
	// The renewal timer (Lease/3 = 20s) and nothing else waits on the clock.
	waitFor(t, "the renewal timer", func() bool { return h.clock.Waiters() > 0 })
	h.clock.Advance(45 * time.Second)
	waitFor(t, "a renewed lease", func() bool { return h.get(e.ID).Lease.Until.After(until) })
	h.clock.Advance(30 * time.Second) // past the first lease's end
	if res, _ := h.store.Claim(context.Background(), outbox.ClaimRequest{Owner: "other", Now: h.clock.Now(), Lease: time.Minute}); len(res.Claims) != 0 {
		t.Fatal("another runner took an entry whose reply was still coming")
	}
	close(release)
	if rep := <-done; rep.Delivered != 1 {
		t.Fatalf("report %+v", rep)
	}
	if r := h.get(e.ID).Recipients[0]; r.WasUnknown || r.State != outbox.Delivered {
		t.Fatalf("%+v", r)
	}
}

func TestRateLimitPerRoute(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	for i := range 3 {
		h.enqueue(&outbox.Entry{Recipients: rcpts(fmt.Sprintf("r%d@y.test", i))}, fmt.Sprint(i))
	}
	r := h.runner()
	r.Connections = 2
	r.Limit = func(outbox.Route) *rate.Limiter { return rate.NewLimiter(rate.Every(10*time.Second), 1) }
	done := make(chan *outbox.Report)
	go func() { rep, _ := r.Run(context.Background()); done <- rep }()
	for want := 1; want <= 3; want++ {
		waitFor(t, fmt.Sprint(want, " messages"), func() bool { return len(srv.Messages()) == want })
		if want < 3 {
			// The next one waits for the clock, however long we wait here.
			next := h.clock.Now().Add(10 * time.Second)
			waitFor(t, "the limiter's wait", func() bool { return h.clock.WaitsUntil(next) })
			if n := len(srv.Messages()); n != want {
				t.Fatalf("%d messages sent before the rate allowed", n)
			}
			h.clock.Advance(10 * time.Second)
		}
	}
	if rep := <-done; rep.Delivered != 3 {
		t.Fatalf("report %+v", rep)
	}
}

func TestCancelLeavesEntriesPending(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv := outboxtest.NewServer(t)
	never := make(chan struct{})
	defer close(never)
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Mail {
			reached <- struct{}{}
			return &outboxtest.Fault{Wait: never}
		}
		return nil
	})
	h := newHarness(t, srv)
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test")}, "cancel")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { _, err := h.runner().Run(ctx); errc <- err }()
	<-reached
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	g := h.get(e.ID)
	if g.Recipients[0].State != outbox.Pending || g.Recipients[0].Attempts != 0 || g.Lease != nil {
		t.Fatalf("after cancel: %+v lease %+v", g.Recipients[0], g.Lease)
	}
}

func TestDirectRouteOneConnectionPerDomain(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	e := h.enqueue(&outbox.Entry{Route: outbox.Route{Direct: true}, Recipients: rcpts("a@one.test", "b@Two.test", "c@one.test")}, "direct")
	if rep := h.run(h.runner()); rep.Delivered != 3 {
		t.Fatalf("report %+v", rep)
	}
	domains := map[string]bool{}
	for _, tg := range h.targets {
		domains[tg.Domain] = true
	}
	if len(domains) != 2 || !domains["one.test"] || !domains["two.test"] {
		t.Fatalf("targets %+v", h.targets)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d transactions, want one per domain", n)
	}
	if g := h.get(e.ID); g.Lease != nil || g.State(h.clock.Now()) != outbox.Done {
		t.Fatalf("%+v", g)
	}
}

func TestConnectorErrors(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test")}, "x")
	f := h.enqueue(&outbox.Entry{Route: outbox.Route{Account: "gone"}, Recipients: rcpts("a@y.test")}, "y")
	r := h.runner()
	r.Connect = func(ctx context.Context, tg outbox.Target) (outbox.Session, error) {
		if tg.Route.Account == "gone" {
			return nil, outbox.Permanent(errors.New(`no account "gone" in the config`))
		}
		return nil, errors.New("connection refused")
	}
	rep := h.run(r)
	if rep.Deferred != 1 || rep.Failed != 1 {
		t.Fatalf("report %+v", rep)
	}
	if r := h.get(e.ID).Recipients[0]; r.State != outbox.Deferred || !strings.Contains(r.Last().Error, "connection refused") {
		t.Fatalf("%+v", r.Last())
	}
	if r := h.get(f.ID).Recipients[0]; r.State != outbox.Failed || !strings.Contains(r.Last().Error, "no account") {
		t.Fatalf("%+v", r.Last())
	}
}

func TestSessionSendEachIsUsed(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	for i := range 3 {
		h.enqueue(&outbox.Entry{Recipients: rcpts(fmt.Sprintf("r%d@y.test", i))}, fmt.Sprint(i))
	}
	var each *eachSession
	r := h.runner()
	r.Connections = 1
	r.Connect = func(ctx context.Context, tg outbox.Target) (outbox.Session, error) {
		s, err := h.connect(ctx, tg)
		if err != nil {
			return nil, err
		}
		each = &eachSession{Session: s}
		return each, nil
	}
	if rep := h.run(r); rep.Delivered != 3 || each == nil || each.jobs != 3 {
		t.Fatalf("report %+v, SendEach saw %d jobs", rep, each.jobs)
	}
}

// eachSession has SendEach, as the engine's pipelined loop will.
type eachSession struct {
	outbox.Session
	jobs int
}

func (s *eachSession) SendEach(ctx context.Context, next func() (smtpJob, bool), done func(smtpJob, *smtpResult, error) error) error {
	for {
		j, ok := next()
		if !ok {
			return nil
		}
		s.jobs++
		res, err := s.Send(ctx, j.Env, j.Body)
		if err := done(j, res, err); err != nil {
			return err
		}
	}
}

func TestBodyIsReopenable(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test")}, "x")
	rc, err := h.store.Body(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	h.run(h.runner())
	if got := srv.Messages()[0].Data; !bytes.Equal(got, b) {
		t.Fatalf("wire:\n%q\nstored:\n%q", got, b)
	}
}
