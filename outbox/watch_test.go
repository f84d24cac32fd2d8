package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/outboxtest"
)

func TestWatchRetriesWhenDueAndStopsOnCancel(t *testing.T) {
	var refused atomic.Bool
	refused.Store(true)
	srv := outboxtest.NewServer(t)
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Mail && refused.Load() {
			return &outboxtest.Fault{Code: 451, Text: "4.3.0 later"}
		}
		return nil
	})
	h := newHarness(t, srv)
	e := h.enqueue(&outbox.Entry{Recipients: rcpts("a@y.test")}, "watch")
	r := h.runner()
	ctx, cancel := context.WithCancel(context.Background())
	passes := make(chan *outbox.Report, 10)
	done := make(chan error)
	go func() { done <- r.Watch(ctx, time.Hour, func(rep *outbox.Report) { passes <- rep }) }()
	if rep := <-passes; rep.Deferred != 1 {
		t.Fatalf("first pass %+v", rep)
	}
	refused.Store(false)
	// Watch sleeps on the clock until the retry is due (1s), not the hour.
	due := h.clock.Now().Add(time.Second)
	waitFor(t, "Watch to sleep until the retry", func() bool { return h.clock.WaitsUntil(due) })
	h.clock.Advance(time.Second)
	if rep := <-passes; rep.Delivered != 1 {
		t.Fatalf("second pass %+v", rep)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Watch = %v", err)
	}
	if g := h.get(e.ID); g.Recipients[0].State != outbox.Delivered {
		t.Fatal(h.states(e.ID))
	}
}

// failingStore fails Record from its nth call on, as a full disk would.
type failingStore struct {
	outbox.Store
	calls, n atomic.Int32
}

func (f *failingStore) Record(ctx context.Context, o []outbox.Outcome) error {
	if f.calls.Add(1) >= f.n.Load() {
		return &outbox.StorageError{Op: "write", Path: "/queue/queue.db", Err: syscall.ENOSPC}
	}
	return f.Store.Record(ctx, o)
}

// TestStoreFailureStopsSending: when an outcome cannot be committed, the
// connection sends nothing more (no other message's end, no QUIT that
// could be taken as "all done") and Run returns the storage error.
func TestStoreFailureStopsSending(t *testing.T) {
	srv := outboxtest.NewServer(t)
	h := newHarness(t, srv)
	for i := range 5 {
		h.enqueue(&outbox.Entry{Recipients: rcpts(fmt.Sprintf("r%d@y.test", i))}, fmt.Sprint(i))
	}
	fs := &failingStore{Store: h.store}
	fs.n.Store(3) // 1: the first message's sending mark; 2: its outcome with the next one's mark; 3: fails
	r := h.runner()
	r.Store, r.Connections = fs, 1
	_, err := r.Run(context.Background())
	var se *outbox.StorageError
	if !errors.As(err, &se) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Run = %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d messages sent; the second one's outcome failed to commit, so 2 and no more", n)
	}
}
