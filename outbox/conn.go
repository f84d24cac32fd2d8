package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/time/rate"

	"github.com/postie/postie/smtp"
)

// conn is one connection's bookkeeping.
type conn struct {
	q         *targetQ
	lim       *rate.Limiter
	pulled    map[*smtp.Envelope]*job // handed to the engine, outcome not yet known
	ended     bool                    // the connection is over: a job reported now was withdrawn unsent
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
		for {
			err = sendEach(ctx, sess, func() (smtp.Job, bool) { return rn.next(ctx, c) }, func(j smtp.Job, res *smtp.Result, err error) error { return rn.done(ctx, c, j, res, err) })
			// The engine stops pulling when next has nothing ready to go
			// behind the current message (the rate says wait, a claim is
			// under way): go on over the same connection.
			rn.mu.Lock()
			more := len(q.jobs) > 0 && q.dead == nil
			rn.mu.Unlock()
			if err != nil || c.ended || !more || rn.stopped(ctx) {
				break
			}
		}
		sess.Quit(ctx)
		if err != nil && !c.progress && c.delivered == 0 && !rn.stopped(ctx) {
			// A connection that broke before delivering anything: the
			// server is in trouble; do not hammer it in this pass.
			rn.mu.Lock()
			q.dead = err
			rn.mu.Unlock()
		}
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
	rn.mu.Lock()
	var j *job
	for j == nil {
		if rn.stopped(ctx) || c.q.dead != nil {
			rn.mu.Unlock()
			return smtp.Job{}, false
		}
		if j = rn.pop(c.q); j != nil {
			break
		}
		if ahead || !rn.claiming || rn.finished {
			rn.mu.Unlock()
			return smtp.Job{}, false
		}
		rn.cond.Wait() // a claim is under way: it may bring work for q
	}
	rn.mu.Unlock()
	if c.lim != nil && !rn.wait(ctx, c.lim, !ahead) {
		rn.mu.Lock()
		c.q.jobs = append([]*job{j}, c.q.jobs...)
		rn.mu.Unlock()
		return smtp.Job{}, false
	}
	j.marked = make(chan struct{})
	if len(c.pulled) > 0 {
		j.markLater = true
	} else {
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
// the store knows the message may be on the wire. The engine reads a
// message only in its own turn, after the previous outcome is reported,
// so a mark that rides on that outcome's commit is ready by then.
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
		res.CancelAt(rn.clock.Now())
		return false
	}
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
	var o Outcome
	var events []Event
	if c.ended || errors.Is(err, smtp.ErrNotDelivered) && (res == nil || len(res.Transactions) == 0) {
		// Pulled ahead and withdrawn when the connection ended, or never
		// begun (no MAIL went out): nothing of it was tried; give it back
		// as it was.
		o = Outcome{ID: j.cs.claim.Entry.ID, Owner: rn.owner}
		for _, i := range j.rcpts {
			o.Rcpts = append(o.Rcpts, RcptOutcome{Index: i})
		}
	} else {
		o, events = rn.outcome(j, res, err)
	}
	var se *smtp.Error
	if err == nil || classify(err) != vDeferred || errors.As(err, &se) && se.Code != 421 {
		c.progress = true
	}
	for _, ev := range events {
		if ev.Attempt != nil && ev.Attempt.Outcome == Delivered {
			c.delivered++
		}
	}
	var ahead []*job
	for _, p := range c.pulled {
		if p.markLater {
			ahead = append(ahead, p)
		}
	}
	var extra []Outcome
	for _, p := range ahead {
		extra = append(extra, rn.mark(p))
	}
	if testHookBeforeRecord != nil {
		testHookBeforeRecord()
	}
	rerr := rn.record(ctx, j, o, extra...)
	for _, p := range ahead {
		p.markLater, p.markErr = false, rerr
		close(p.marked)
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
