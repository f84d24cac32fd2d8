package outbox_test

import (
	"context"
	"fmt"
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

// harness is a local store, a fake clock and a connector whose server
// the test can switch.
type harness struct {
	t     *testing.T
	clock *outboxtest.Clock
	store *local.Store
	addr  atomic.Value // string: where the connector dials
	dials atomic.Int32

	mu      sync.Mutex
	targets []outbox.Target
	byMsgID map[string]outbox.ID
}

func newHarness(t *testing.T, srv *outboxtest.Server) *harness {
	h := &harness{t: t, clock: outboxtest.NewClock(outboxtest.Epoch), byMsgID: map[string]outbox.ID{}}
	s, err := local.Open(t.TempDir()+"/queue", &local.Options{Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h.store = s
	h.addr.Store(srv.Addr)
	return h
}

func (h *harness) connect(ctx context.Context, tg outbox.Target) (outbox.Session, error) {
	h.dials.Add(1)
	h.mu.Lock()
	h.targets = append(h.targets, tg)
	h.mu.Unlock()
	return smtp.Dial(ctx, h.addr.Load().(string), &smtp.Options{TLS: smtp.TLSNone, Timeouts: smtp.Timeouts{DataTerm: 20 * time.Second, Mail: 20 * time.Second}})
}

func (h *harness) runner() *outbox.Runner {
	return &outbox.Runner{
		Store: h.store, Connect: h.connect, Clock: h.clock,
		Rand:        func() float64 { return 0 },
		Schedule:    outbox.Schedule{Delays: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, MaxAge: time.Hour},
		Owner:       "test-runner",
		Lease:       time.Minute,
		Connections: 2,
	}
}

func (h *harness) run(r *outbox.Runner) *outbox.Report {
	h.t.Helper()
	rep, err := r.Run(context.Background())
	if err != nil {
		h.t.Fatalf("run: %v", err)
	}
	return rep
}

func (h *harness) enqueue(e *outbox.Entry, subject string) *outbox.Entry {
	h.t.Helper()
	if e.Route == (outbox.Route{}) {
		e.Route = outbox.Route{Server: "test", TLS: "none"}
	}
	out := outboxtest.Enqueue(h.t, h.store, h.clock, e, outboxtest.Msg(subject))
	h.mu.Lock()
	h.byMsgID[out.MessageID] = out.ID
	h.mu.Unlock()
	return out
}

func (h *harness) get(id outbox.ID) *outbox.Entry {
	h.t.Helper()
	e, err := h.store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

func (h *harness) states(id outbox.ID) string {
	var s []string
	for _, r := range h.get(id).Recipients {
		s = append(s, r.Addr+"="+r.State.String())
	}
	return strings.Join(s, " ")
}

func rcpts(addrs ...string) []outbox.Recipient { return outboxtest.Rcpts(addrs...) }

// waitFor polls cond (bounded): for things another goroutine does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 2000; i++ {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func key(e *outbox.Entry, rcpt string) string { return fmt.Sprintf("%s %s", e.MessageID, rcpt) }

type (
	smtpJob    = smtp.Job
	smtpResult = smtp.Result
)
