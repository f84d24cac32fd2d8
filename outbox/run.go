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

	mu       sync.Mutex
	cond     *sync.Cond
	targets  map[string]*targetQ
	order    []*targetQ
	rr       int // round-robin position in order
	claiming bool
	finished bool
	inflight map[ID]*claimState
	failed   atomic.Pointer[error] // a store failure stops the run
	report   Report
	eventMu  sync.Mutex
	start    time.Time
}

type claimState struct {
	claim *Claim
	jobs  int // jobs of this claim not yet recorded
	lost  bool
}

// job is one transaction: some recipients of one claimed entry, all to
// one target.
type job struct {
	cs        *claimState
	target    Target
	rcpts     []int
	env       *smtp.Envelope
	marked    chan struct{} // closed once the sending mark is durable
	markLater bool          // the mark rides on the outcome of the job before it
	markErr   error
}

type targetQ struct {
	target  Target
	route   Route
	jobs    []*job
	workers int
	dead    error
}

func newRun(r *Runner) *run {
	rn := &run{
		r: r, clock: clockOr(r.Clock), owner: r.owner(), lease: r.lease(), rnd: r.Rand,
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

// claimLoop keeps up to MaxInFlight entries claimed while any is due.
func (rn *run) claimLoop(ctx context.Context) {
	conns := orDefault(rn.r.Connections, 4)
	maxInFlight := conns * 32
	batch := orDefault(rn.r.Batch, 64)
	defer func() {
		rn.mu.Lock()
		rn.finished = true
		rn.cond.Broadcast()
		rn.mu.Unlock()
	}()
	for {
		rn.mu.Lock()
		for !rn.stopped(ctx) && len(rn.inflight) >= maxInFlight {
			rn.cond.Wait()
		}
		if rn.stopped(ctx) {
			rn.mu.Unlock()
			return
		}
		n := min(batch, maxInFlight-len(rn.inflight))
		rn.claiming = true
		rn.mu.Unlock()

		res, err := rn.r.Store.Claim(ctx, ClaimRequest{
			Owner: rn.owner, Now: rn.clock.Now(), DueBy: rn.start, Lease: rn.lease, Max: n, Filter: rn.r.Filter,
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
		if len(res.Claims) == 0 {
			return
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
			q = &targetQ{target: j.target, route: e.Route}
			rn.targets[j.target.key()] = q
			rn.order = append(rn.order, q)
		}
		q.jobs = append(q.jobs, j)
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
	perTarget := orDefault(rn.r.PerTarget, orDefault(rn.r.Connections, 4))
	for {
		rn.mu.Lock()
		var q *targetQ
		for q == nil {
			if rn.stopped(ctx) {
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
				if c.workers < perTarget {
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
