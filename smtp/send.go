package smtp

import (
	"context"
	"errors"
)

// Send runs whole transactions for env: MAIL, every RCPT, DATA (or BDAT)
// and the content opened from body, pipelined when the server allows
// (RFC 2920), at most 100 commands awaiting replies at once. Recipients
// refused with 452 (too many recipients) after others were accepted go in
// a further transaction on the same connection.
//
// The error is nil when at least one recipient got the message; the
// Result says which did and why the others did not. Otherwise it is the
// first cause: an argument or extension problem found before anything was
// sent (ErrInvalidArgument, *UnsupportedError, *TooLargeError, with a nil
// Result); a refusal (*Error); *ProtocolError; or a lost connection,
// *TimeoutError or ctx's error, wrapping ErrNotDelivered when it happened
// before the message's end was sent and ErrMaybeDelivered after. With
// PIPELINING and CHUNKING a message of up to 1 MiB goes in the same write
// as its MAIL and RCPTs, so a connection lost before any reply of that
// write is already "may have been delivered".
func (c *Client) Send(ctx context.Context, env *Envelope, body Body) (*Result, error) {
	return c.sendOne(ctx, env, body, false)
}

// SendAndQuit is Send followed by QUIT, in the fewest round trips the
// protocol allows: with PIPELINING, QUIT goes in the same write as the
// message's end (RFC 2920 §3.1), so after the greeting and EHLO one
// message takes two round trips with DATA (MAIL+RCPT+DATA, then
// content+dot+QUIT) and one with CHUNKING (MAIL+RCPT+BDAT LAST+content+
// QUIT). Every reply is still read and reported as by Send; the reply to
// QUIT changes nothing, and a connection lost before the end's reply is
// "may have been delivered" exactly as with Send. The connection is
// closed afterwards, whatever happened. Errors as for Send.
func (c *Client) SendAndQuit(ctx context.Context, env *Envelope, body Body) (*Result, error) {
	res, err := c.sendOne(ctx, env, body, true)
	c.Quit(ctx)
	return res, err
}

func (c *Client) sendOne(ctx context.Context, env *Envelope, body Body, quit bool) (*Result, error) {
	var res *Result
	var rerr error
	pulled := false
	s := &sender{c: c, ctx: ctx, quit: quit,
		next: func() (Job, bool) {
			if pulled {
				return Job{}, false
			}
			pulled = true
			return Job{Env: env, Body: body}, true
		},
		done: func(_ Job, r *Result, err error) error { res, rerr = r, err; return nil },
	}
	if err := s.run(); err != nil && !pulled {
		return nil, err
	}
	if s.quitQueued {
		c.broken = errors.New("the session ended with QUIT")
	}
	return res, rerr
}

// SendEach sends jobs pulled from next over this connection, in order,
// pipelining each message's MAIL, RCPTs (and DATA) behind the previous
// message's end where the server allows (RFC 2920 §3.1): one round trip
// per message. Each job is sent as Send would send it.
//
// Guarantees:
//   - done is called exactly once for every job obtained from next, in
//     order, with what Send would return for it (a nil Result when the job
//     was refused before anything was sent);
//   - it is called as soon as that job's outcome is known, and before the
//     client writes anything that could complete another message (the
//     next message's final dot or BDAT LAST) — so a caller that records
//     each outcome in done never has two messages in doubt at once;
//   - next is not called again once it returned false, and never for
//     more than one job ahead: SendEach streams,
//     whatever the number of jobs. It is called while the previous
//     message's end waits in the buffer, so that the next envelope goes
//     in the same write: a next that blocks delays that message, so
//     return false when nothing is ready and call SendEach again later.
//
// If done returns an error, SendEach stops: a job already pulled ahead
// is withdrawn from the server (RSET, or hanging up if the server already
// waits for its content) and reported to done with an error wrapping
// ErrNotDelivered; SendEach returns done's error. When the connection
// ends (lost, 421, or a failure that leaves it unusable) the job in flight
// gets its outcome, a job pulled ahead gets an error wrapping
// ErrNotDelivered, no further job is pulled, and SendEach returns the
// connection's error. When next has no more jobs SendEach returns nil,
// whatever each job's outcome. SendEach never sends QUIT.
func (c *Client) SendEach(ctx context.Context, next func() (Job, bool), done func(Job, *Result, error) error) error {
	s := &sender{c: c, ctx: ctx, next: next, done: done}
	return s.run()
}

// SendAll sends jobs as SendEach does and returns one Result and one
// error per job, in order. A job that was never attempted because the
// connection ended gets a nil Result and an error wrapping
// ErrNotDelivered.
func (c *Client) SendAll(ctx context.Context, jobs []Job) ([]*Result, []error) {
	results := make([]*Result, len(jobs))
	errs := make([]error, len(jobs))
	i, n := 0, 0
	next := func() (Job, bool) {
		if i == len(jobs) {
			return Job{}, false
		}
		i++
		return jobs[i-1], true
	}
	done := func(_ Job, r *Result, err error) error {
		results[n], errs[n] = r, err
		n++
		return nil
	}
	err := c.SendEach(ctx, next, done)
	for ; n < len(jobs); n++ {
		errs[n] = &notDelivered{err: errors.Join(errors.New("not attempted"), err)}
	}
	return results, errs
}
