package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/postie/postie/smtp"
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
	claim    *Claim
	jobs     int // jobs of this claim not yet recorded
	lost     bool
	released bool
}

// job is one transaction: some recipients of one claimed entry, all to
// one target.
type job struct {
	cs      *claimState
	target  Target
	rcpts   []int
	env     *smtp.Envelope
	marked  chan struct{} // closed once the sending mark is durable
	markErr error
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
	env := &smtp.Envelope{
		From: e.From,
		Mail: smtp.MailOptions{Size: e.Size, Body8Bit: e.Params.Body8Bit, SMTPUTF8: e.Params.SMTPUTF8, DSNRet: e.Params.DSNRet, DSNEnvID: e.Params.DSNEnvID},
		Rcpt: smtp.RcptOptions{Notify: e.Params.Notify},
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

// conn is one connection's bookkeeping.
type conn struct {
	q         *targetQ
	lim       *rate.Limiter
	pulled    map[*smtp.Envelope]*job
	reserved  *job // this connection's next job, already marked as sending
	delivered int
	progress  bool // something reached a verdict other than a broken connection
}

// serve sends q's jobs over one connection, reconnecting while
// connections make progress.
func (rn *run) serve(ctx context.Context, q *targetQ) {
	for {
		rn.mu.Lock()
		dead, empty := q.dead, len(q.jobs) == 0
		rn.mu.Unlock()
		if empty || rn.stopped(ctx) {
			return
		}
		if dead != nil {
			rn.failTarget(ctx, q, dead)
			return
		}
		sess, err := rn.r.Connect(ctx, q.target)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			err = fmt.Errorf("connect (%s): %w", q.route, err)
			rn.mu.Lock()
			q.dead = err
			rn.mu.Unlock()
			rn.failTarget(ctx, q, err)
			return
		}
		c := &conn{q: q, lim: rn.r.limiter(q.route), pulled: map[*smtp.Envelope]*job{}}
		err = sendEach(ctx, sess, func() (smtp.Job, bool) { return rn.next(ctx, c) }, func(j smtp.Job, res *smtp.Result, err error) error { return rn.done(ctx, c, j, res, err) })
		sess.Quit(ctx)
		rn.mu.Lock()
		if c.reserved != nil {
			q.jobs = append([]*job{c.reserved}, q.jobs...)
		}
		if err != nil && !c.progress && c.delivered == 0 && !rn.stopped(ctx) {
			// A connection that broke before delivering anything: the
			// server is in trouble; do not hammer it in this pass.
			q.dead = err
		}
		rn.mu.Unlock()
	}
}

// pop takes q's next job, or nil. Called with rn.mu held.
func (rn *run) pop(q *targetQ) *job {
	for len(q.jobs) > 0 {
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		if !j.cs.lost {
			return j
		}
		rn.dropJob(j)
	}
	return nil
}

// next hands the connection its next job, honouring the route's rate.
// A job's sending mark must be durable before its message's end leaves
// (see body); a job reserved by done already has it, others get it now,
// in the background, while the envelope and content go out.
func (rn *run) next(ctx context.Context, c *conn) (smtp.Job, bool) {
	rn.mu.Lock()
	j := c.reserved
	c.reserved = nil
	for j == nil {
		if rn.stopped(ctx) || c.q.dead != nil {
			rn.mu.Unlock()
			return smtp.Job{}, false
		}
		if j = rn.pop(c.q); j != nil {
			break
		}
		if !rn.claiming || rn.finished {
			rn.mu.Unlock()
			return smtp.Job{}, false
		}
		rn.cond.Wait() // a claim is under way: it may bring work for q
	}
	if rn.stopped(ctx) {
		c.reserved = j
		rn.mu.Unlock()
		return smtp.Job{}, false
	}
	rn.mu.Unlock()
	if c.lim != nil && !rn.wait(ctx, c.lim) {
		c.reserved = j
		return smtp.Job{}, false
	}
	if j.marked == nil {
		j.marked = make(chan struct{})
		go func() {
			j.markErr = rn.r.Store.Record(context.WithoutCancel(ctx), []Outcome{rn.mark(j)})
			close(j.marked)
		}()
	}
	c.pulled[j.env] = j
	return smtp.Job{Env: j.env, Body: rn.body(j)}, true
}

func (rn *run) mark(j *job) Outcome {
	o := Outcome{ID: j.cs.claim.Entry.ID, Owner: rn.owner, Sending: true}
	for _, i := range j.rcpts {
		o.Rcpts = append(o.Rcpts, RcptOutcome{Index: i})
	}
	return o
}

// body opens a job's message; at the end of the content it waits for the
// job's sending mark, so the final dot (or BDAT LAST) never leaves before
// the store knows the message may be on the wire.
func (rn *run) body(j *job) smtp.Body {
	return func() (io.ReadCloser, error) {
		rc, err := j.cs.claim.Body()
		if err != nil {
			return nil, err
		}
		return &markedBody{ReadCloser: rc, j: j}, nil
	}
}

type markedBody struct {
	io.ReadCloser
	j *job
}

func (b *markedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		<-b.j.marked
		if b.j.markErr != nil {
			return n, fmt.Errorf("marking the message as being sent: %w", b.j.markErr)
		}
	}
	return n, err
}

func (rn *run) wait(ctx context.Context, lim *rate.Limiter) bool {
	now := rn.clock.Now()
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return true
	}
	d := res.DelayFrom(now)
	if d <= 0 {
		return true
	}
	select {
	case <-rn.clock.After(d):
		return true
	case <-ctx.Done():
		res.CancelAt(rn.clock.Now())
		return false
	}
}

// done records a job's outcome, durably, before returning: the engine
// sends nothing more that could complete a message until it has. The
// same commit marks the connection's next job as sending.
func (rn *run) done(ctx context.Context, c *conn, sj smtp.Job, res *smtp.Result, err error) error {
	j := c.pulled[sj.Env]
	if j == nil {
		return fmt.Errorf("outbox: the engine reported a job it was not given")
	}
	delete(c.pulled, sj.Env)
	o, events := rn.outcome(j, res, err)
	var se *smtp.Error
	if err == nil || classify(err) != vDeferred || errors.As(err, &se) && se.Code != 421 {
		c.progress = true
	}
	for _, ev := range events {
		if ev.Attempt != nil && ev.Attempt.Outcome == Delivered {
			c.delivered++
		}
	}
	var nj *job
	if connectionUsable(err) {
		rn.mu.Lock()
		if !rn.stopped(ctx) {
			nj = rn.pop(c.q)
		}
		rn.mu.Unlock()
	}
	var extra []Outcome
	if nj != nil {
		nj.marked = make(chan struct{})
		extra = append(extra, rn.mark(nj))
	}
	if testHookBeforeRecord != nil {
		testHookBeforeRecord()
	}
	rerr := rn.record(ctx, j, o, extra...)
	if nj != nil {
		nj.markErr = rerr
		close(nj.marked)
		c.reserved = nj
	}
	if rerr != nil {
		return rerr
	}
	rn.tally(events)
	if o.Quarantine != "" {
		rn.quarantined(ctx, o)
	}
	return nil
}

// quarantined reports an entry the store set aside after its bytes
// proved damaged while being sent.
func (rn *run) quarantined(ctx context.Context, o Outcome) {
	q := Quarantine{ID: o.ID, Reason: o.Quarantine, At: rn.clock.Now()}
	if all, err := rn.r.Store.Quarantined(context.WithoutCancel(ctx)); err == nil {
		for _, x := range all {
			if x.ID == o.ID {
				q = x
			}
		}
	}
	rn.mu.Lock()
	rn.report.Quarantined = append(rn.report.Quarantined, q)
	rn.mu.Unlock()
	rn.emit(Event{Quarantine: &q})
}

// record stores a job's outcome (with extra outcomes in the same commit)
// and, when it was the claim's last job, ends the lease. A claim split
// over several jobs (a Direct route's domains) keeps its lease until
// every job is recorded, so no other runner takes recipients still in
// flight.
func (rn *run) record(ctx context.Context, j *job, o Outcome, extra ...Outcome) error {
	store := rn.r.Store
	bg := context.WithoutCancel(ctx)
	// Partial while another job of the claim is not yet recorded (a job
	// counts itself down only after its commit, so the last one to commit
	// sees 1 and ends the lease).
	rn.mu.Lock()
	o.Partial = j.cs.jobs > 1
	rn.mu.Unlock()
	if err := store.Record(bg, append([]Outcome{o}, extra...)); err != nil {
		err = fmt.Errorf("recording the outcome of %s: %w", o.ID, err)
		rn.setFatal(err)
		return err
	}
	rn.mu.Lock()
	j.cs.jobs--
	last := j.cs.jobs == 0
	if last {
		delete(rn.inflight, o.ID)
		rn.cond.Broadcast()
	}
	rn.mu.Unlock()
	if last && o.Partial {
		if err := store.Record(bg, []Outcome{{ID: o.ID, Owner: rn.owner}}); err != nil {
			err = fmt.Errorf("releasing %s: %w", o.ID, err)
			rn.setFatal(err)
			return err
		}
	}
	return nil
}

// dropJob forgets a job whose lease was lost. Called with rn.mu held.
func (rn *run) dropJob(j *job) {
	j.cs.jobs--
	if j.cs.jobs == 0 {
		delete(rn.inflight, j.cs.claim.Entry.ID)
		rn.cond.Broadcast()
	}
}

// failTarget settles every queued job of a target whose connection
// cannot be opened: deferred with err (failed when err is Permanent or
// the entry is past its maximum age).
func (rn *run) failTarget(ctx context.Context, q *targetQ, err error) {
	for {
		rn.mu.Lock()
		if len(q.jobs) == 0 || rn.failed.Load() != nil {
			rn.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		rn.mu.Unlock()
		if j.cs.lost {
			rn.mu.Lock()
			rn.dropJob(j)
			rn.mu.Unlock()
			continue
		}
		o, events := rn.outcome(j, nil, err)
		if rn.record(ctx, j, o) != nil {
			return
		}
		rn.tally(events)
	}
}

// outcome turns the engine's result for a job into per-recipient outcomes.
func (rn *run) outcome(j *job, res *smtp.Result, err error) (Outcome, []Event) {
	e := j.cs.claim.Entry
	now := rn.clock.Now()
	o := Outcome{ID: e.ID, Owner: rn.owner}
	var events []Event
	for _, i := range j.rcpts {
		rcpt := &e.Recipients[i]
		ro := RcptOutcome{Index: i}
		a, quarantine := rn.attempt(e, rcpt, res, err, now)
		if quarantine != "" {
			o.Quarantine = quarantine
		}
		if a != nil {
			if a.Outcome == Deferred || a.Outcome == Unknown {
				next, expired := rn.r.Schedule.Next(e.Since, now, rcpt.Attempts+1, rn.rnd)
				if expired {
					a.Error = strings.TrimPrefix(a.Error+"; ", "; ") + fmt.Sprintf("gave up: in the outbox since %s (maximum age %s)", e.Since.UTC().Format(time.RFC3339), rn.r.Schedule.maxAge())
					if a.Outcome == Unknown {
						a.Error = "outcome unknown; " + a.Error
					}
					a.Outcome = Failed
				} else {
					ro.Next = next
				}
			}
			ro.Attempt = a
		}
		o.Rcpts = append(o.Rcpts, ro)
		events = append(events, Event{Entry: e, Recipient: rcpt.Addr, Attempt: a, Next: ro.Next})
	}
	return o, events
}

// attempt is one recipient's attempt, or nil when it was not tried; a
// non-empty quarantine reason sets the entry aside.
func (rn *run) attempt(e *Entry, rcpt *Recipient, res *smtp.Result, err error, now time.Time) (*Attempt, string) {
	a := &Attempt{At: now, Runner: rn.owner}
	rerr := err
	if res != nil {
		for _, st := range res.Recipients {
			if st.Address != rcpt.Addr {
				continue
			}
			if st.Delivered {
				a.Outcome, a.Reply, a.QueueID = Delivered, ReplyOf(res.Final), res.QueueID
				return a, ""
			}
			rerr = st.Err
			if st.Reply != nil && st.Reply.Code/100 != 2 {
				a.Reply = ReplyOf(st.Reply)
			}
			break
		}
	}
	if rerr == nil {
		rerr = errors.New("the engine reported no outcome for this recipient")
	}
	switch classify(rerr) {
	case vNotAttempted:
		return nil, ""
	case vCorrupt:
		var ce *CorruptError
		errors.As(rerr, &ce)
		return nil, ce.Reason
	case vFailed:
		a.Outcome = Failed
	case vUnknown:
		a.Outcome = Unknown
	default:
		a.Outcome = Deferred
	}
	var se *smtp.Error
	if errors.As(rerr, &se) {
		// The error's reply is the cause (a refused MAIL makes the RCPTs
		// after it fail too, with a reply of their own that only echoes it).
		a.Reply = &Reply{Code: se.Code, Enhanced: se.Enhanced.String(), Text: se.Message}
		if se.Command != "" {
			a.Error = "in reply to " + se.Command
		}
	} else {
		a.Error = rerr.Error()
	}
	return a, ""
}

// tally adds a job's events to the report and tells OnEvent.
func (rn *run) tally(events []Event) {
	rn.mu.Lock()
	for _, ev := range events {
		if ev.Attempt == nil {
			continue
		}
		switch ev.Attempt.Outcome {
		case Delivered:
			rn.report.Delivered++
		case Deferred:
			rn.report.Deferred++
		case Unknown:
			rn.report.Unknown++
		case Failed:
			rn.report.Failed++
			rn.report.Failures = append(rn.report.Failures, ev)
		}
	}
	rn.mu.Unlock()
	for _, ev := range events {
		rn.emit(ev)
	}
}

func (rn *run) emit(ev Event) {
	if rn.r.OnEvent == nil {
		return
	}
	rn.eventMu.Lock()
	defer rn.eventMu.Unlock()
	rn.r.OnEvent(ev)
}

// renewLoop extends the run's leases every Lease/3 while it works, so a
// long DATA or a slow server never lets a claim run out under it.
func (rn *run) renewLoop(ctx context.Context, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-rn.clock.After(rn.lease / 3):
		}
		rn.mu.Lock()
		ids := make([]ID, 0, len(rn.inflight))
		for id := range rn.inflight {
			ids = append(ids, id)
		}
		rn.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		lost, err := rn.r.Store.Renew(context.WithoutCancel(ctx), rn.owner, ids, rn.clock.Now().Add(rn.lease))
		if err != nil {
			continue // the next renewal may succeed; the lease still has 2/3 of its time
		}
		rn.mu.Lock()
		for _, id := range lost {
			if cs := rn.inflight[id]; cs != nil {
				cs.lost = true // jobs not yet started are dropped; another runner has it
			}
		}
		rn.mu.Unlock()
	}
}

// releaseLeftovers gives back claims the run did not get to (cancelled,
// or stopped by a store failure), so they are due again at once instead
// of waiting for their leases to run out.
func (rn *run) releaseLeftovers(ctx context.Context) {
	rn.mu.Lock()
	var out []Outcome
	for id, cs := range rn.inflight {
		if !cs.lost {
			out = append(out, Outcome{ID: id, Owner: rn.owner})
		}
	}
	rn.inflight = map[ID]*claimState{}
	rn.mu.Unlock()
	if len(out) > 0 {
		rn.r.Store.Record(ctx, out)
	}
}
