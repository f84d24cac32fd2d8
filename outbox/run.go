package outbox

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/postie/postie/smtp"
)

// run is the state of one Run.
type run struct {
	r     *Runner
	clock Clock
	owner string
	lease time.Duration
	rnd   func() float64
	// follow: entries falling due during the run are taken (Runner.Follow).
	follow bool
	// halt is closed when Runner.Stop is: begin nothing new.
	halt chan struct{}
	// drained is signalled when the last claim in flight is recorded.
	drained chan struct{}

	mu       sync.Mutex
	cond     *sync.Cond
	targets  map[string]*targetQ
	order    []*targetQ
	rr       int // round-robin position in order
	claiming bool
	finished bool
	inflight map[ID]*claimState
	// queued counts the jobs waiting in the targets' queues; the claim
	// loop takes more only when they fall below lowWater, so that claims
	// come in batches rather than one small claim (and commit) after
	// every message.
	queued, lowWater int
	failed           atomic.Pointer[error] // a store failure stops the run
	report           Report
	eventMu          sync.Mutex
	start            time.Time
}

type claimState struct {
	claim *Claim
	jobs  int // jobs of this claim not yet recorded
	lost  bool
}

// job is one transaction: some recipients of one claimed entry, all to
// one target.
type job struct {
	cs     *claimState
	target Target
	rcpts  []int
	env    *smtp.Envelope
	mk     *markState // this pull's sending mark (a job given back is pulled again)
	cuts   int        // connections lost under it before its end: it goes on the next one twice at most
}

// markState is a pulled job's "sending" mark.
type markState struct {
	done  chan struct{} // closed once the mark is durable (err says if it failed)
	later bool          // the mark rides on the commit of the outcome of the job before it
	err   error
}

type targetQ struct {
	target  Target
	route   Route
	jobs    []*job
	workers int // workers serving the target, connecting or connected
	// dead: connections to the target fail; until deadUntil its jobs are
	// deferred without trying.
	dead      error
	deadUntil time.Time

	// How hard to push (throttle.go): connections allowed now (limit, at
	// most max), sessions open, retiring (open, but leaving at their next
	// message) and being opened; no message or connection begins before
	// pauseUntil; troubles in a row; messages delivered since the last
	// slow-down.
	limit, max                 int
	open, retiring, connecting int
	fresh                      int // sessions open, waiting for their next job with none in flight
	pauseUntil                 time.Time
	troubles, calm             int
}

func newRun(r *Runner) *run {
	rn := &run{
		r: r, clock: clockOr(r.Clock), owner: r.owner(), lease: r.lease(), rnd: r.Rand,
		follow: r.Follow != nil, halt: make(chan struct{}), drained: make(chan struct{}, 1),
		targets: map[string]*targetQ{}, inflight: map[ID]*claimState{},
	}
	if rn.rnd == nil {
		rn.rnd = rand.Float64
	}
	rn.cond = sync.NewCond(&rn.mu)
	rn.start = rn.clock.Now()
	return rn
}

func (rn *run) broadcast() {
	rn.mu.Lock()
	rn.cond.Broadcast()
	rn.mu.Unlock()
}

// setFatal stops the run for a store failure (the first one is kept).
func (rn *run) setFatal(err error) {
	rn.failed.CompareAndSwap(nil, &err)
	rn.broadcast()
}

func (rn *run) err() error {
	if p := rn.failed.Load(); p != nil {
		return *p
	}
	return nil
}

func (rn *run) stopped(ctx context.Context) bool { return rn.failed.Load() != nil || ctx.Err() != nil }

// halted: Runner.Stop was closed; nothing new begins.
func (rn *run) halted() bool {
	select {
	case <-rn.halt:
		return true
	default:
		return false
	}
}

// over: the run begins nothing more (stopped, or halted).
func (rn *run) over(ctx context.Context) bool { return rn.stopped(ctx) || rn.halted() }

// feeding: entries are still being added (Runner.Follow not yet closed).
func (rn *run) feeding() bool {
	if !rn.follow {
		return false
	}
	select {
	case <-rn.r.Follow:
		return false
	default:
		return true
	}
}

// claimLoop keeps up to MaxInFlight entries claimed while any is due.
func (rn *run) claimLoop(ctx context.Context) {
	conns := orDefault(rn.r.Connections, 4)
	maxInFlight := conns * 32
	batch := orDefault(rn.r.Batch, 64)
	rn.mu.Lock()
	rn.lowWater = max(conns*4, min(batch, maxInFlight/2))
	rn.mu.Unlock()
	defer func() {
		rn.mu.Lock()
		rn.finished = true
		rn.cond.Broadcast()
		rn.mu.Unlock()
	}()
	for {
		rn.mu.Lock()
		for !rn.over(ctx) && (len(rn.inflight) >= maxInFlight || rn.queued >= rn.lowWater) {
			rn.cond.Wait()
		}
		if rn.over(ctx) {
			rn.mu.Unlock()
			return
		}
		n := min(batch, maxInFlight-len(rn.inflight))
		rn.claiming = true
		rn.mu.Unlock()

		now := rn.clock.Now()
		dueBy := rn.start // a pass takes what was due when it began, so it ends
		if rn.follow {
			dueBy = now
		}
		res, err := rn.r.Store.Claim(ctx, ClaimRequest{
			Owner: rn.owner, Now: now, DueBy: dueBy, Lease: rn.lease, Max: n, Filter: rn.r.Filter,
		})

		rn.mu.Lock()
		rn.claiming = false
		if err != nil {
			rn.mu.Unlock()
			if ctx.Err() == nil {
				rn.setFatal(err)
			}
			return
		}
		rn.report.Quarantined = append(rn.report.Quarantined, res.Quarantined...)
		for _, c := range res.Claims {
			rn.add(c)
		}
		rn.cond.Broadcast()
		rn.mu.Unlock()
		for i := range res.Quarantined {
			rn.emit(Event{Quarantine: &res.Quarantined[i]})
		}
		if len(res.Claims) == 0 && (!rn.follow || !rn.idle(ctx)) {
			return
		}
	}
}

// idle waits, in a following run, until something may be claimable: it
// returns false when the run should end — Follow closed, nothing in
// flight, and nothing the filter selects due within the Horizon.
func (rn *run) idle(ctx context.Context) bool {
	for {
		feeding := rn.feeding()
		rn.mu.Lock()
		busy := len(rn.inflight) > 0
		rn.mu.Unlock()
		now := rn.clock.Now()
		next, ok, err := rn.r.Store.NextDue(ctx, rn.r.Filter)
		if err != nil {
			if ctx.Err() == nil {
				rn.setFatal(err)
			}
			return false
		}
		if !feeding && !busy && (!ok || next.After(now.Add(rn.r.Horizon))) {
			return false
		}
		// Poll at least every second (another process may add entries),
		// never faster than every 20 ms (an entry due now that another
		// runner holds must not make us spin).
		wait := time.Second
		if ok {
			wait = min(wait, max(next.Sub(now), 20*time.Millisecond))
		}
		var follow <-chan struct{}
		if feeding {
			follow = rn.r.Follow
		}
		select {
		case <-rn.r.wakeCh():
			return true
		case <-rn.clock.After(wait):
			return true
		case <-rn.drained:
		case <-follow:
			rn.broadcast() // connections waiting for more work may now leave
		case <-ctx.Done():
			return false
		case <-rn.halt:
			return false
		}
	}
}

// add splits a claim into jobs by target (a Direct route's recipients by
// domain) and queues them. Called with rn.mu held.
func (rn *run) add(c *Claim) {
	e := c.Entry
	cs := &claimState{claim: c}
	rn.inflight[e.ID] = cs
	byTarget := map[string]*job{}
	var jobs []*job
	for _, i := range c.Due {
		t := Target{Route: e.Route}
		if e.Route.Direct {
			a := e.Recipients[i].Addr
			t.Domain = strings.ToLower(strings.Trim(a[strings.LastIndexByte(a, '@')+1:], "[]"))
		}
		j := byTarget[t.key()]
		if j == nil {
			j = &job{cs: cs, target: t}
			byTarget[t.key()] = j
			jobs = append(jobs, j)
		}
		j.rcpts = append(j.rcpts, i)
	}
	cs.jobs = len(jobs)
	for _, j := range jobs {
		j.env = envelope(e, j.rcpts)
		q := rn.targets[j.target.key()]
		if q == nil {
			n := orDefault(rn.r.PerTarget, orDefault(rn.r.Connections, 4))
			q = &targetQ{target: j.target, route: e.Route, limit: n, max: n}
			rn.targets[j.target.key()] = q
			rn.order = append(rn.order, q)
		}
		q.jobs = append(q.jobs, j)
		rn.queued++
	}
}

func envelope(e *Entry, rcpts []int) *smtp.Envelope {
	ret, notify, _ := e.Params.dsn() // checked at Submit
	env := &smtp.Envelope{
		From: e.From,
		Mail: smtp.MailOptions{Size: e.Size, Body8Bit: e.Params.Body8Bit, SMTPUTF8: e.Params.SMTPUTF8, DSNRet: ret, DSNEnvID: e.Params.DSNEnvID},
		Rcpt: smtp.RcptOptions{Notify: notify},
	}
	for _, i := range rcpts {
		env.To = append(env.To, e.Recipients[i].Addr)
	}
	return env
}

// worker serves targets until nothing is left.
func (rn *run) worker(ctx context.Context) {
	for {
		rn.mu.Lock()
		var q *targetQ
		for q == nil {
			if rn.over(ctx) {
				rn.mu.Unlock()
				return
			}
			busy := false
			for k := range rn.order {
				c := rn.order[(rn.rr+k)%len(rn.order)]
				if len(c.jobs) == 0 {
					continue
				}
				busy = true
				// A worker on the target without an open session (about
				// to connect, or connecting) will take a job, and so will
				// an open session waiting for one: open no more
				// connections than there are jobs for them.
				if c.workers < c.limit && len(c.jobs) > c.workers-c.open+c.fresh {
					q = c
					rn.rr = (rn.rr + k + 1) % len(rn.order)
					break
				}
			}
			if q == nil {
				if rn.finished && !busy {
					rn.mu.Unlock()
					return
				}
				rn.cond.Wait()
			}
		}
		q.workers++
		rn.mu.Unlock()

		rn.serve(ctx, q)

		rn.mu.Lock()
		q.workers--
		rn.cond.Broadcast()
		rn.mu.Unlock()
	}
}
