package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/time/rate"

	"github.com/postie/postie/smtp"
)

// conn is one connection's bookkeeping.
type conn struct {
	q         *targetQ
	lim       *rate.Limiter
	pulled    map[*smtp.Envelope]*job // handed to the engine, outcome not yet known
	ended     bool                    // the connection is over: a job reported now was withdrawn unsent
	retired   bool                    // left at a message boundary: the target has too many connections
	idle      bool                    // a following run had no work for it for followIdle
	fresh     bool                    // open and about to pull a job, none in hand (counted in q.fresh)
	delivered int
	progress  bool // something reached a verdict other than a broken connection
}

// followIdle is how long a connection of a following run waits for more
// work before it says QUIT.
const followIdle = 5 * time.Second

// serve sends q's jobs over one connection at a time, opening another
// when one ends after making progress, easing off when the server pushes
// back (throttle.go).
func (rn *run) serve(ctx context.Context, q *targetQ) {
	for {
		rn.mu.Lock()
		empty, dead, over := len(q.jobs) == 0, q.dead != nil, q.workers > q.limit
		if dead && !rn.clock.Now().Before(q.deadUntil) {
			q.dead, dead = nil, false // left alone long enough: try again
		}
		pause := q.pauseUntil.Sub(rn.clock.Now())
		rn.mu.Unlock()
		if empty || over || rn.over(ctx) {
			return
		}
		if dead {
			rn.failTarget(ctx, q)
			return
		}
		if !rn.sleep(ctx, pause) {
			return
		}
		rn.mu.Lock()
		q.connecting++
		rn.mu.Unlock()
		sess, err := rn.r.Connect(ctx, q.target)
		rn.mu.Lock()
		q.connecting--
		rn.cond.Broadcast() // a worker waiting for this job may take it
		if err != nil {
			if ctx.Err() != nil {
				rn.mu.Unlock()
				return
			}
			err = fmt.Errorf("connect (%s): %w", q.route, err)
			var sd *SlowDown
			var pe *permanent
			if (q.open > 0 || q.connecting > 0) && !errors.As(err, &pe) {
				// Others are in (or may get in): the server takes no more
				// connections than those now. This one leaves, no job is
				// deferred.
				sd = rn.turnedAway(q, err.Error())
				rn.mu.Unlock()
				rn.emitSlowDown(sd)
				return
			}
			rn.markDead(q, err)
			rn.mu.Unlock()
			rn.failTarget(ctx, q)
			return
		}
		q.open++
		q.fresh++
		rn.report.Connections++
		rn.mu.Unlock()
		c := &conn{q: q, lim: rn.r.limiter(q.route), pulled: map[*smtp.Envelope]*job{}, fresh: true}
		for {
			err = sendEach(ctx, sess, func() (smtp.Job, bool) { return rn.next(ctx, c) }, func(j smtp.Job, res *smtp.Result, err error) error { return rn.done(ctx, c, j, res, err) })
			// The engine stops pulling when next has nothing ready to go
			// behind the current message (the rate says wait, a pause, a
			// claim under way, more entries still coming): go on over the
			// same connection.
			rn.mu.Lock()
			more := (len(q.jobs) > 0 || rn.feeding() && !c.idle) && q.dead == nil
			rn.mu.Unlock()
			if err != nil || c.ended || c.retired || !more || rn.over(ctx) {
				break
			}
		}
		sess.Quit(ctx)
		rn.mu.Lock()
		q.open--
		if c.fresh {
			q.fresh--
		}
		if c.retired {
			q.retiring--
		}
		var sd *SlowDown
		leave := false
		if err != nil && !c.progress && c.delivered == 0 && !rn.stopped(ctx) {
			if q.open > 0 {
				// It broke before delivering anything while others work:
				// the server wants fewer connections.
				sd, leave = rn.turnedAway(q, err.Error()), true
			} else {
				// The server is in trouble: leave it alone for a while.
				rn.markDead(q, err)
			}
		}
		rn.mu.Unlock()
		rn.emitSlowDown(sd)
		if leave {
			return
		}
	}
}

// markDead leaves q alone for a while: its jobs are deferred untried
// until then, the wait growing with each failure in a row. Called with
// rn.mu held.
func (rn *run) markDead(q *targetQ, err error) {
	q.troubles++
	q.dead = err
	q.deadUntil = rn.clock.Now().Add(rn.r.Backoff.after(q.troubles))
}

func (rn *run) emitSlowDown(sd *SlowDown) {
	if sd != nil {
		rn.emit(Event{SlowDown: sd})
	}
}

// pop takes q's next job, or nil. Called with rn.mu held.
func (rn *run) pop(q *targetQ) *job {
	for len(q.jobs) > 0 {
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		rn.queued--
		if rn.queued == rn.lowWater-1 {
			rn.cond.Broadcast() // the claim loop may take the next batch
		}
		if !j.cs.lost {
			return j
		}
		rn.dropJob(j)
	}
	return nil
}

// next hands the connection its next job, honouring the route's rate.
//
// A job's "sending" mark must be durable before its message's end can
// leave (body waits for it). For a job pulled while another is still in
// flight on this connection — the engine announces the next envelope
// behind the current message's end — the mark goes into the commit of
// the current message's outcome, which the engine awaits before that
// end: so a crash leaves at most one marked message per connection, the
// one really in doubt. A job pulled with nothing in flight is marked at
// once, in the background, while its envelope goes out.
//
// Pulled ahead, next must not block: the current message's end waits in
// the engine's buffer until it returns. Then it gives only a job that
// can go at once, and serve calls the engine again for the rest.
func (rn *run) next(ctx context.Context, c *conn) (smtp.Job, bool) {
	ahead := len(c.pulled) > 0
	q := c.q
	var idleSince time.Time
	rn.mu.Lock()
	if !ahead && !c.fresh {
		// Waiting with nothing in flight, it takes the next job: no
		// other connection need be opened for that one.
		c.fresh = true
		q.fresh++
	}
	var j *job
	for j == nil {
		if rn.over(ctx) || q.dead != nil {
			rn.mu.Unlock()
			return smtp.Job{}, false
		}
		if q.open-q.retiring > q.limit {
			// The server asked for fewer connections: this one leaves at
			// this message boundary.
			q.retiring++
			c.retired = true
			rn.mu.Unlock()
			return smtp.Job{}, false
		}
		if len(q.jobs) > 0 {
			if pause := q.pauseUntil.Sub(rn.clock.Now()); pause > 0 {
				// The server asked to slow down: begin nothing before the
				// pause is over.
				rn.mu.Unlock()
				if ahead || !rn.sleep(ctx, pause) {
					return smtp.Job{}, false
				}
				rn.mu.Lock()
				continue
			}
			if j = rn.pop(q); j != nil {
				if c.fresh {
					c.fresh = false
					q.fresh--
				}
				break
			}
			continue
		}
		switch {
		case ahead || rn.finished:
			rn.mu.Unlock()
			return smtp.Job{}, false
		case rn.claiming:
			rn.cond.Wait() // a claim is under way: it may bring work for q
		case rn.feeding():
			// More entries are coming: keep the connection a while. The
			// claim loop broadcasts at least every second.
			if idleSince.IsZero() {
				idleSince = rn.clock.Now()
			} else if rn.clock.Now().Sub(idleSince) >= followIdle {
				c.idle = true
				rn.mu.Unlock()
				return smtp.Job{}, false
			}
			rn.cond.Wait()
		default:
			rn.mu.Unlock()
			return smtp.Job{}, false
		}
	}
	rn.mu.Unlock()
	if c.lim != nil && !rn.wait(ctx, c.lim, !ahead) {
		rn.mu.Lock()
		q.jobs = append([]*job{j}, q.jobs...)
		rn.queued++
		if !c.fresh {
			c.fresh = true // it comes back for this job once its message is done
			q.fresh++
		}
		rn.mu.Unlock()
		return smtp.Job{}, false
	}
	mk := &markState{done: make(chan struct{})}
	j.mk = mk
	if len(c.pulled) > 0 {
		mk.later = true
	} else {
		mo := rn.mark(j)
		go func() {
			mk.err = rn.r.Store.Record(context.WithoutCancel(ctx), []Outcome{mo})
			close(mk.done)
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
// the store knows the message may be on the wire. The engine reads a
// message only in its own turn, after the previous outcome is reported,
// so a mark that rides on that outcome's commit is ready by then.
func (rn *run) body(j *job) smtp.Body {
	mk := j.mk
	return func() (io.ReadCloser, error) {
		rc, err := j.cs.claim.Body()
		if err != nil {
			return nil, err
		}
		return &markedBody{ReadCloser: rc, mk: mk}, nil
	}
}

type markedBody struct {
	io.ReadCloser
	mk *markState
}

func (b *markedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		<-b.mk.done
		if b.mk.err != nil {
			return n, fmt.Errorf("marking the message as being sent: %w", b.mk.err)
		}
	}
	return n, err
}

// wait takes a token from lim, waiting for it when block is set; false
// when there is none (yet) or ctx ends.
func (rn *run) wait(ctx context.Context, lim *rate.Limiter, block bool) bool {
	now := rn.clock.Now()
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return true
	}
	d := res.DelayFrom(now)
	if d <= 0 {
		return true
	}
	if !block {
		res.CancelAt(now)
		return false
	}
	select {
	case <-rn.clock.After(d):
		return true
	case <-ctx.Done():
	case <-rn.halt:
	}
	res.CancelAt(rn.clock.Now())
	return false
}

// done records a job's outcome, durably, before returning: the engine
// sends nothing that could complete another message until it has. The
// same commit marks the job pulled ahead as sending.
func (rn *run) done(ctx context.Context, c *conn, sj smtp.Job, res *smtp.Result, err error) error {
	j := c.pulled[sj.Env]
	if j == nil {
		return fmt.Errorf("outbox: the engine reported a job it was not given")
	}
	delete(c.pulled, sj.Env)
	// Withdrawn unsent when the connection ended, or never begun (no
	// MAIL went out): nothing of it was tried.
	withdrawn := c.ended || errors.Is(err, smtp.ErrNotDelivered) && (res == nil || len(res.Transactions) == 0)
	// A job the connection failed under before its end — withdrawn,
	// turned away by a 421, cut off — goes on the next connection of this
	// run: the connection failed, not the message. A cut one twice at
	// most, so a message that itself breaks connections is deferred like
	// any other.
	requeue := !rn.over(ctx) && (withdrawn || j.cuts < 2 && lostBeforeEnd(res, err))
	var o Outcome
	var events []Event
	switch {
	case requeue:
		if !withdrawn {
			j.cuts++
		}
	case withdrawn:
		// The run is ending: give it back as it was.
		o = Outcome{ID: j.cs.claim.Entry.ID, Owner: rn.owner}
		for _, i := range j.rcpts {
			o.Rcpts = append(o.Rcpts, RcptOutcome{Index: i})
		}
	default:
		o, events = rn.outcome(j, res, err)
	}
	var se *smtp.Error
	if err == nil || classify(err) != vDeferred || errors.As(err, &se) && se.Code != 421 {
		c.progress = true
	}
	delivered := 0
	for _, ev := range events {
		if ev.Attempt != nil && ev.Attempt.Outcome == Delivered {
			delivered++
		}
	}
	c.delivered += delivered
	var sd *SlowDown
	rn.mu.Lock()
	if len(c.pulled) == 0 && !c.fresh {
		// Nothing in hand: it takes the next job (or the connection ends,
		// and serve counts it out).
		c.fresh = true
		c.q.fresh++
	}
	for range delivered {
		rn.deliveredTo(c.q)
	}
	if se := throttled(res, err); se != nil {
		sd = rn.slowDown(c.q, se.Error())
	}
	rn.mu.Unlock()
	rn.emitSlowDown(sd)
	var ahead []*job
	for _, p := range c.pulled {
		if p.mk.later {
			ahead = append(ahead, p)
		}
	}
	var extra []Outcome
	for _, p := range ahead {
		extra = append(extra, rn.mark(p))
	}
	if testHookBeforeRecord != nil && !requeue {
		testHookBeforeRecord()
	}
	var rerr error
	switch {
	case !requeue:
		rerr = rn.record(ctx, j, o, extra...)
	case len(extra) > 0:
		if rerr = rn.r.Store.Record(context.WithoutCancel(ctx), extra); rerr != nil {
			rn.setFatal(rerr)
		}
	}
	for _, p := range ahead {
		p.mk.later, p.mk.err = false, rerr
		close(p.mk.done)
	}
	if requeue {
		rn.mu.Lock()
		c.q.jobs = append([]*job{j}, c.q.jobs...)
		rn.queued++
		rn.cond.Broadcast()
		rn.mu.Unlock()
	}
	if rerr != nil || !connectionUsable(err) {
		c.ended = true
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

// lostBeforeEnd: the connection ended (a 421, a reset, a time-out)
// before the message's end was sent, so no recipient can have it.
func lostBeforeEnd(res *smtp.Result, err error) bool {
	if !errors.Is(err, smtp.ErrNotDelivered) || connectionUsable(err) {
		return false
	}
	if res != nil {
		for _, st := range res.Recipients {
			if st.State == smtp.RcptDelivered || st.State == smtp.RcptMaybeDelivered {
				return false
			}
		}
	}
	return true
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

// record stores a job's outcome (with extra outcomes in the same commit).
func (rn *run) record(ctx context.Context, j *job, o Outcome, extra ...Outcome) error {
	return rn.recordMany(ctx, []*job{j}, []Outcome{o}, extra)
}

// recordMany stores jobs' outcomes in one commit and ends the lease of
// each claim whose last job this was. A claim split over several jobs (a
// Direct route's domains) keeps its lease until every job is recorded,
// so no other runner takes recipients still in flight: an outcome is
// Partial while another job of its claim is not yet recorded (a job
// counts itself down only after its commit, so the last one to commit
// sees 1 and its outcome ends the lease).
func (rn *run) recordMany(ctx context.Context, jobs []*job, outs, extra []Outcome) error {
	bg := context.WithoutCancel(ctx)
	rn.mu.Lock()
	for i, j := range jobs {
		outs[i].Partial = j.cs.jobs > 1
	}
	rn.mu.Unlock()
	if err := rn.r.Store.Record(bg, append(outs, extra...)); err != nil {
		err = fmt.Errorf("recording the outcome of %s: %w", outs[0].ID, err)
		rn.setFatal(err)
		return err
	}
	var release []Outcome
	rn.mu.Lock()
	for i, j := range jobs {
		j.cs.jobs--
		if j.cs.jobs == 0 {
			delete(rn.inflight, outs[i].ID)
			if outs[i].Partial {
				release = append(release, Outcome{ID: outs[i].ID, Owner: rn.owner})
			}
		}
	}
	rn.signalDrained()
	rn.cond.Broadcast()
	rn.mu.Unlock()
	if len(release) > 0 {
		if err := rn.r.Store.Record(bg, release); err != nil {
			err = fmt.Errorf("releasing %s: %w", release[0].ID, err)
			rn.setFatal(err)
			return err
		}
	}
	return nil
}
