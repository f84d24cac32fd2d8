package jetstream

import (
	"context"
	"time"

	"github.com/postie/postie/outbox"
)

// WorkOptions tune Work. The zero value is useful.
type WorkOptions struct {
	// Poll is how long a worker with nothing to do waits before asking
	// the cluster again (default 1 s).
	Poll time.Duration
	// Each, when set, gets every pass's report.
	Each func(*outbox.Report)
	// Errors, when set, hears the errors that end a pass (the cluster
	// unreachable, a node lost mid-request); the worker waits, up to
	// 5 s, and goes on. Leases of the entries it had claimed run out and
	// the cluster gives them to a worker that can go on.
	Errors func(error)
}

// Work runs r over this store until ctx ends: what `postie queue run
// --watch --outbox nats://...` does on each worker host. A pass (r.Run)
// delivers everything the cluster has ready; between passes the worker
// waits Poll, or until a ticket it put back is due, then asks the
// cluster again. It does not use Runner.Watch, whose wait reads every
// record (NextDue); asking the cluster costs a couple of requests.
// Work returns when ctx ends: at once between passes, and within a few
// request timeouts (5 s each) when a pass is recording outcomes on a
// cluster that no longer answers.
func (s *Store) Work(ctx context.Context, r *outbox.Runner, o WorkOptions) {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if r.Store == nil {
		r.Store = s
	}
	backoff := time.Duration(0)
	for {
		rep, err := r.Run(ctx)
		if o.Each != nil && rep != nil {
			o.Each(rep)
		}
		if ctx.Err() != nil {
			return
		}
		wait := o.Poll
		if err != nil {
			if o.Errors != nil {
				o.Errors(err)
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			wait = backoff
		} else {
			backoff = 0
			if at, ok := s.nextParked(); ok {
				wait = min(wait, max(at.Sub(s.clock.Now()), 10*time.Millisecond))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(wait):
		}
	}
}
