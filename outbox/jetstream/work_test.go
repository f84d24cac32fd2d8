package jetstream_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/smtp"
)

// TestWorkStopsWithClusterGone: a worker is in the middle of a message
// when its whole cluster goes away; then it is told to stop (SIGTERM).
// The runner records the outcome with a context that is never cancelled
// (an outcome must not be dropped because the worker is stopping), so
// only the store's own bound on each request lets Work return: it must
// within stopWithin, as the worker processes must on SIGTERM. (It
// waited forever in a read of the record, a request with no deadline.)
func TestWorkStopsWithClusterGone(t *testing.T) {
	srv := startServer(t)
	s := open(t, srv, jetstream.Options{AckWait: 2 * time.Second})
	e := enqueueMany(t, s, 1, outbox.Route{Server: "127.0.0.1:1", TLS: "none"}, func(int) string { return "r@y.test" }, func(int) string { return "cluster gone" })[0]

	sess := &heldSession{entered: make(chan struct{}), release: make(chan struct{})}
	r := &outbox.Runner{
		Store:   s,
		Connect: func(context.Context, outbox.Target) (outbox.Session, error) { return sess, nil },
		Lease:   2 * time.Second,
		// Asked for by ID (as `postie queue run ID` does), the entry is
		// claimed without its ticket: recording its outcome reads the
		// record from the stream's leader first.
		Filter:   outbox.Filter{IDs: []outbox.ID{e.ID}},
		Schedule: outbox.Schedule{Delays: []time.Duration{time.Second}, MaxAge: time.Hour},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		s.Work(ctx, r, jetstream.WorkOptions{Poll: 100 * time.Millisecond})
	}()
	select {
	case <-sess.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not start sending within 30s")
	}

	srv.Shutdown()
	srv.WaitForShutdown()
	stopped := time.Now()
	cancel()
	close(sess.release) // the server accepted the message: an outcome to record
	select {
	case <-returned:
		t.Logf("Work returned %v after cancel, its cluster gone", time.Since(stopped).Round(time.Millisecond))
	case <-time.After(stopWithin):
		t.Fatalf("Work did not return within %v of cancel with its cluster gone", stopWithin)
	}
}

// heldSession is a connection whose first message is accepted only when
// the test says so.
type heldSession struct {
	entered chan struct{}
	once    sync.Once
	release chan struct{}
}

func (h *heldSession) Send(ctx context.Context, env *smtp.Envelope, _ smtp.Body) (*smtp.Result, error) {
	h.once.Do(func() { close(h.entered) })
	<-h.release
	res := &smtp.Result{}
	for _, to := range env.To {
		res.Recipients = append(res.Recipients, smtp.RcptStatus{Address: to, State: smtp.RcptDelivered})
	}
	return res, nil
}

func (h *heldSession) Quit(context.Context) error { return nil }
