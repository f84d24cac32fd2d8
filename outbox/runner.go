package outbox

import (
	"context"
	"errors"
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
	// host:pid:start:random, which OwnerGone understands).
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
	// OnEvent, when set, hears each recipient's outcome, each
	// quarantined entry and each slow-down, one call at a time.
	OnEvent func(Event)

	// Backoff paces the runner when a server pushes back (throttle.go):
	// a reply of the policy class (451 4.7.1, 421 4.7.0) halves the
	// target's connections and pauses it; a connection refused while
	// others are open lowers the connections to those; a target whose
	// connections fail without delivering anything is left alone for a
	// while, longer each time. A connection that ends after delivering
	// (a 421 after N messages, a reset) is opened again at once.
	Backoff Backoff

	// Follow, when set, keeps a Run going while entries are still being
	// added (merge enqueues while it delivers): the run takes entries
	// that fall due while it runs, not only those due when it began (so
	// a deferred one is tried again in the same run, on the Schedule),
	// and when nothing is due it waits — for Wake, for the next entry to
	// fall due, for Follow to be closed. Once Follow is closed, the run
	// ends when nothing is in flight and nothing the Filter selects is
	// due within Horizon.
	Follow  <-chan struct{}
	Horizon time.Duration
	// Stop, when closed, ends a run gently: no message or connection is
	// begun any more, the messages in flight finish and are recorded,
	// the rest is given back. Cancelling Run's context ends it at once.
	Stop <-chan struct{}

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter
	wake     chan struct{}
}

// Wake tells a following run (Follow) that an entry was added: it claims
// at once instead of at its next poll.
func (r *Runner) Wake() {
	select {
	case r.wakeCh() <- struct{}{}:
	default:
	}
}

func (r *Runner) wakeCh() chan struct{} {
	r.limMu.Lock()
	defer r.limMu.Unlock()
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
	return r.wake
}

// Event is one thing that happened during a run.
type Event struct {
	Entry     *Entry // as claimed, before this outcome
	Recipient string
	Attempt   *Attempt // nil when the recipient was not tried
	Next      time.Time
	// Quarantine is set when an entry was set aside as damaged.
	Quarantine *Quarantine
	// SlowDown is set when the runner eased off a server (throttle.go).
	SlowDown *SlowDown
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
	// Connections counts the sessions opened; SlowDowns the times the
	// runner eased off a server that pushed back.
	Connections, SlowDowns int
}

func (r *Runner) owner() string {
	if r.Owner == "" {
		r.Owner = defaultOwner()
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

// Run delivers everything due when it starts (with Follow, also what
// falls due or is added while it runs) and returns when that is done
// (delivered, deferred or failed), Stop is closed and what was in flight
// is recorded, ctx is cancelled, or the store fails. On cancel, messages not yet sent stay as they were and their
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
	if r.Stop != nil {
		go func() {
			select {
			case <-r.Stop:
				close(rn.halt)
				rn.broadcast()
			case <-ctx.Done(): // Run returned (its deferred cancel) or was cancelled
			}
		}()
	}

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
