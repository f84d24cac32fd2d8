package outbox

import (
	"context"
	"errors"
	"time"

	"github.com/postie/postie/smtp"
)

// Backoff paces a runner that a server pushes back on: the pause after a
// reply asking it to slow down, and how long a target whose connections
// fail is left alone, doubling from Min to Max with each trouble in a
// row. The zero value is 500 ms doubling to one minute.
type Backoff struct {
	Min, Max time.Duration
}

// after is the wait after the n-th trouble in a row (1 for the first).
func (b Backoff) after(n int) time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = 500 * time.Millisecond
	}
	if hi <= 0 {
		hi = time.Minute
	}
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// SlowDown is a runner's answer to a server that pushes back: it opens
// fewer connections to the target, and begins no message there for Pause.
type SlowDown struct {
	Target      Target
	Connections int           // connections allowed from now on
	Pause       time.Duration // no new message or connection before it has passed
	Cause       string        // the server's reply, or the connection error
}

// throttleReply reports whether a reply asks the client to slow down:
// any 421 that comes with the policy class of enhanced codes, and any 4xx
// of that class (RFC 3463 §3.8, X.7.XXX: "451 4.7.1" as providers say
// "too much mail", "421 4.7.0 too many connections"). A 421 without it
// (a server closing after N messages, shutting down) only ends the
// connection: the runner reconnects.
func throttleReply(err error) (*smtp.Error, bool) {
	var se *smtp.Error
	if !errors.As(err, &se) || !se.Temporary() {
		return nil, false
	}
	return se, se.Enhanced[0] == 4 && se.Enhanced[1] == 7
}

// throttled finds a reply asking to slow down in a job's outcome: the
// transaction's error or a recipient's.
func throttled(res *smtp.Result, err error) *smtp.Error {
	if se, ok := throttleReply(err); ok {
		return se
	}
	if res != nil {
		for _, st := range res.Recipients {
			if se, ok := throttleReply(st.Err); ok {
				return se
			}
		}
	}
	return nil
}

// slowDown halves q's connections and pauses it, once per pause: the
// replies of connections already under way when the server first pushed
// back count as the same signal. Called with rn.mu held.
func (rn *run) slowDown(q *targetQ, cause string) *SlowDown {
	now := rn.clock.Now()
	if now.Before(q.pauseUntil) {
		return nil
	}
	q.troubles++
	q.limit = max(1, q.limit/2)
	q.calm = 0
	pause := rn.r.Backoff.after(q.troubles)
	q.pauseUntil = now.Add(pause)
	rn.report.SlowDowns++
	return &SlowDown{Target: q.target, Connections: q.limit, Pause: pause, Cause: cause}
}

// turnedAway lowers q's connections, by one at least, to those open or
// opening, when the server refuses one more (or drops it before it
// delivered anything) while others are in: the server takes no more than
// those now. The caller's worker leaves the target. Called with rn.mu
// held.
func (rn *run) turnedAway(q *targetQ, cause string) *SlowDown {
	n := max(1, min(q.limit-1, q.open-q.retiring+q.connecting))
	if n >= q.limit {
		return nil
	}
	q.limit, q.calm = n, 0
	rn.report.SlowDowns++
	return &SlowDown{Target: q.target, Connections: n, Cause: cause}
}

// delivered counts a message taken: trouble in a row is over, and after
// a run of calm the target may have one connection more (additive
// increase: a limit found once is not kept for ever). Called with rn.mu
// held.
func (rn *run) deliveredTo(q *targetQ) {
	if !rn.clock.Now().Before(q.pauseUntil) {
		q.troubles = 0
	}
	q.calm++
	if q.limit < q.max && q.calm >= 50*q.limit {
		q.limit++
		q.calm = 0
		rn.cond.Broadcast() // a worker may take the new place
	}
}

// sleep waits d on the run's clock; false when the run stops first.
func (rn *run) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-rn.clock.After(d):
		return true
	case <-ctx.Done():
		return false
	case <-rn.halt:
		return false
	}
}
