package outbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Runner delivers what is due in a Store: it claims entries, groups them
// by target, opens connections through Connect, sends each message and
// records each recipient's outcome before the connection sends anything
// that could complete another message (or QUIT).
//
// Any number of runners, in any number of processes, may work on one
// store: leases keep each entry with one runner at a time. The zero
// value of every field but Store and Connect is useful.
type Runner struct {
	Store   Store
	Connect Connector

	Schedule Schedule
	Clock    Clock
	// Rand returns a number in [0,1) for the retry jitter.
	Rand func() float64
	// Owner names this runner in leases and histories (default
	// host:pid:random).
	Owner string
	// Lease is how long a claim holds without renewal (default 5
	// minutes); the runner renews its claims every Lease/3.
	Lease time.Duration
	// Connections is the most connections open at once (default 4);
	// PerTarget the most to one target (default Connections).
	Connections int
	PerTarget   int
	// Batch is how many entries one claim takes (default 64).
	Batch int
	// Filter limits the runner to some entries (a campaign, given IDs).
	Filter Filter
	// Limit, when set, returns the rate limiter for a route (nil: no
	// limit). It is asked once per route; the limiter is shared by every
	// connection of that route for the Runner's life.
	Limit func(Route) *rate.Limiter
	// OnEvent, when set, hears each recipient's outcome and each
	// quarantined entry, one call at a time.
	OnEvent func(Event)

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter
}

// Event is one thing that happened during a run.
type Event struct {
	Entry     *Entry // as claimed, before this outcome
	Recipient string
	Attempt   *Attempt // nil when the recipient was not tried
	Next      time.Time
	// Quarantine is set when an entry was set aside as damaged.
	Quarantine *Quarantine
}

// testHookBeforeRecord runs between a message's final reply and the
// commit of its outcome: crash tests stop the process there.
var testHookBeforeRecord func()

// Report tallies one run: recipients by outcome, permanent failures by
// name, quarantined entries by path.
type Report struct {
	Delivered, Deferred, Unknown, Failed int
	Failures                             []Event
	Quarantined                          []Quarantine
}

func (r *Runner) owner() string {
	if r.Owner == "" {
		h, _ := os.Hostname()
		r.Owner = fmt.Sprintf("%s:%d:%04x", h, os.Getpid(), rand.Uint32()&0xffff)
	}
	return r.Owner
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return 5 * time.Minute
}

func orDefault(n, d int) int {
	if n > 0 {
		return n
	}
	return d
}

func (r *Runner) limiter(rt Route) *rate.Limiter {
	if r.Limit == nil {
		return nil
	}
	r.limMu.Lock()
	defer r.limMu.Unlock()
	if r.limiters == nil {
		r.limiters = map[string]*rate.Limiter{}
	}
	k := rt.Key()
	l, ok := r.limiters[k]
	if !ok {
		l = r.Limit(rt)
		r.limiters[k] = l
	}
	return l
}

// Run delivers everything due when it starts and returns when that is
// done (delivered, deferred or failed), ctx is cancelled, or the store
// fails. On cancel, messages not yet sent stay as they were and their
// claims are given back. The error is a store failure or ctx's; the
// recipients' fates are in the Report.
func (r *Runner) Run(ctx context.Context) (*Report, error) {
	if r.Store == nil || r.Connect == nil {
		return nil, errors.New("outbox: Runner needs a Store and a Connector")
	}
	rn := newRun(r)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopWake := context.AfterFunc(ctx, rn.broadcast)
	defer stopWake()

	var wg sync.WaitGroup
	for range orDefault(r.Connections, 4) {
		wg.Go(func() { rn.worker(ctx) })
	}
	renewDone := make(chan struct{})
	var renewWG sync.WaitGroup
	renewWG.Go(func() { rn.renewLoop(ctx, renewDone) })

	rn.claimLoop(ctx)
	wg.Wait()
	close(renewDone)
	renewWG.Wait()
	rn.releaseLeftovers(context.WithoutCancel(ctx))
	if err := rn.err(); err != nil {
		return &rn.report, err
	}
	return &rn.report, ctx.Err()
}

// Watch runs passes until ctx is cancelled: one whenever an entry falls
// due, and at least every poll (for entries other processes add). each,
// when set, gets every pass's report. It returns nil on cancel, or the
// store's error.
func (r *Runner) Watch(ctx context.Context, poll time.Duration, each func(*Report)) error {
	if poll <= 0 {
		poll = 30 * time.Second
	}
	clock := clockOr(r.Clock)
	for {
		rep, err := r.Run(ctx)
		if each != nil && rep != nil {
			each(rep)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		wait := poll
		if t, ok, err := r.Store.NextDue(ctx, r.Filter); err == nil && ok {
			if d := t.Sub(clock.Now()); d < wait {
				wait = max(d, 50*time.Millisecond) // a floor, so an entry another runner holds cannot spin us
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-clock.After(wait):
		}
	}
}
