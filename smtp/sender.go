package smtp

import (
	"context"
	"fmt"
)

// jobRun is one job on its way: its validated commands, its Result, and
// the transaction it is in.
type jobRun struct {
	c         *Client
	job       Job
	mailLine  string
	rcptLines map[string]string
	res       *Result
	cur       *txn
	err       error // why the job failed (first cause); set before any send when it is invalid
}

// sender runs jobs over one connection (see SendEach).
type sender struct {
	c     *Client
	ctx   context.Context
	next  func() (Job, bool)
	done  func(Job, *Result, error) error
	quit  bool    // QUIT rides behind the last message's end (SendAndQuit)
	ahead *jobRun // the next job, pulled (and perhaps announced) early

	quitQueued bool // QUIT went behind the last end
	exhausted  bool // next said there are no more jobs: it is not asked again
}

// pull takes the next job and prepares its commands; nil when there are
// no more. A job that cannot be sent as it is carries its error.
func (s *sender) pull() *jobRun {
	if s.exhausted {
		return nil
	}
	j, ok := s.next()
	if !ok {
		s.exhausted = true
		return nil
	}
	r := &jobRun{c: s.c, job: j, res: &Result{}}
	if j.Body == nil {
		r.err = fmt.Errorf("no message body: %w", ErrInvalidArgument)
		return r
	}
	needUTF8, err := checkEnvelope(j.Env)
	if err == nil {
		r.mailLine, err = s.c.mailLine(j.Env.From, j.Env.Mail, needUTF8)
	}
	r.rcptLines = make(map[string]string, len(j.Env.To))
	for _, to := range j.Env.To {
		if err != nil {
			break
		}
		r.rcptLines[to], err = s.c.rcptLine(to, j.Env.Rcpt)
	}
	if err != nil {
		r.err = err
		return r
	}
	r.cur = r.newTxn(j.Env.To)
	return r
}

// run sends until next has no more jobs, done refuses, or the connection
// is lost.
func (s *sender) run() error {
	c := s.c
	defer c.watch(s.ctx)()
	for {
		r := s.ahead
		s.ahead = nil
		if r == nil {
			if c.alive() != nil {
				return c.alive()
			}
			if r = s.pull(); r == nil {
				break
			}
		}
		for r.err == nil && r.cur != nil {
			s.runTxn(r)
		}
		if err := s.report(r); err != nil {
			return s.abandon(err)
		}
		if err := c.alive(); err != nil {
			return s.abandon(err)
		}
	}
	c.drain(s.ctx) // a trailing RSET or QUIT: the outcomes are already known
	return nil
}

// report hands a finished job to done.
func (s *sender) report(r *jobRun) error {
	var res *Result
	err := r.err
	if r.cur != nil || len(r.res.Recipients) > 0 || len(r.res.Transactions) > 0 {
		res = r.res
		if len(res.Delivered()) > 0 {
			err = nil
		} else if err == nil {
			for _, st := range res.Recipients {
				if st.Err != nil {
					err = st.Err
					break
				}
			}
		}
	}
	return s.done(r.job, res, err)
}

// abandon stops after err: a job pulled ahead is withdrawn from the server
// and reported as not delivered.
func (s *sender) abandon(err error) error {
	r := s.ahead
	s.ahead = nil
	if r == nil {
		return err
	}
	c := s.c
	if r.err == nil && r.cur != nil && r.cur.announced && c.alive() == nil {
		t := r.cur
		if c.settle(s.ctx, t) == nil {
			if t.dataRep != nil && t.dataRep.Code == 354 {
				// The server waits for content that must not come, and a
				// lone dot would deliver an empty message: hang up.
				c.broken = fmt.Errorf("connection closed to withdraw a message announced ahead: %w", err)
				c.conn.Close()
			} else {
				c.reset(s.ctx)
			}
		}
	}
	why := &notDelivered{err: fmt.Errorf("not sent: %w", err)}
	if r.err != nil {
		r.err = &notDelivered{err: r.err} // never sent: its own error says why
	} else {
		r.err = why
		if r.cur != nil {
			r.cur.err = why
			r.cur.mailSent = false // withdrawn: no transaction to report
			r.cur.conclude()
		}
	}
	s.report(r)
	c.drain(s.ctx)
	return err
}

// reset abandons a transaction with RSET, pipelined.
func (c *Client) reset(ctx context.Context) {
	if c.room(ctx) == nil {
		c.put(due{kind: dueIgnore, line: "RSET"})
	}
}

// runTxn runs r's current transaction to its end and moves r on to the
// next one (recipients a server deferred with 452) or to none.
func (s *sender) runTxn(r *jobRun) {
	c, t := s.c, r.cur
	if !t.announced {
		s.announce(t)
	}
	if c.ext.Has("CHUNKING") && !c.opts.DisableChunking {
		s.bdat(t)
	} else {
		s.data(t)
	}
	c.settle(s.ctx, t)
	rest := t.conclude()
	r.cur = nil
	if len(rest) > 0 {
		r.cur = r.newTxn(rest)
	}
}

// announce writes MAIL FROM, the RCPTs and (for DATA) DATA, as far as
// the window allows and as long as what is known says they are useful.
func (s *sender) announce(t *txn) {
	c := s.c
	t.announced = true
	if err := c.room(s.ctx); err != nil {
		t.fail(err)
		return
	}
	c.put(due{kind: dueMail, t: t, line: t.job.mailLine})
	t.mailSent = true
	for i, l := range t.lines {
		if err := c.room(s.ctx); err != nil {
			t.fail(err)
			return
		}
		if t.mailErr != nil || t.tooMany || t.err != nil {
			return
		}
		c.put(due{kind: dueRcpt, t: t, i: i, line: l})
		t.sentRcpt++
	}
	if c.ext.Has("CHUNKING") && !c.opts.DisableChunking {
		return
	}
	if err := c.room(s.ctx); err != nil {
		t.fail(err)
		return
	}
	if t.mailErr != nil || t.owed == 0 && t.accepted == 0 {
		return
	}
	c.put(due{kind: dueData, t: t, line: "DATA"})
	t.dataSent = true
}

// data sends the content with DATA once the envelope's replies are in.
func (s *sender) data(t *txn) {
	c := s.c
	if c.settle(s.ctx, t) != nil || t.err != nil {
		return
	}
	switch {
	case !t.dataSent:
		c.reset(s.ctx)
		return
	case t.dataRep.Code != 354:
		if t.accepted > 0 && t.mailErr == nil {
			t.endErr = replyError("DATA", t.dataRep)
		}
		c.reset(s.ctx)
		return
	case t.mailErr != nil && t.accepted > 0:
		// A server that accepted recipients after refusing MAIL waits for
		// content: no dot may follow, even an empty message would go.
		c.broken = fmt.Errorf("server accepted recipients after refusing MAIL: %w", t.mailErr)
		c.conn.Close()
		t.fail(c.broken)
		return
	case t.accepted == 0:
		// 354 though nobody may receive it: end DATA with a lone dot,
		// never the message.
		c.send(".", ".")
		c.expect(due{kind: dueIgnore, line: "."})
		return
	}
	rc, err := t.job.job.Body()
	if err != nil {
		// Nothing of the content has gone, and a lone dot would deliver
		// an empty message: only hanging up is safe.
		c.abort(t, fmt.Errorf("open message: %w", err))
		return
	}
	defer rc.Close()
	dw := c.newDataWriter(s.ctx)
	if _, err := c.pump(rc, dw, nil); err != nil {
		c.abort(t, err)
		return
	}
	if err := dw.end(); err != nil {
		c.abort(t, err)
		return
	}
	c.markEnd(t)
	c.expect(due{kind: dueEnd, t: t, line: "DATA"})
	s.behind(t)
}

// behind sends the message's end and, RFC 2920 §3.1 letting message
// content begin a group, what may follow it before its reply, in the same
// write: QUIT for SendAndQuit, or the next job's MAIL, RCPTs (and DATA).
// One write matters: a server that gets the end and the next envelope
// together answers them together, where two writes can cost it a delayed
// acknowledgement per message. Nothing that could complete another
// message goes here: that waits until this one's outcome is reported.
func (s *sender) behind(t *txn) {
	c := s.c
	rcptsDue := t.owed > 1 // RCPT replies still to come: BDAT went in the envelope's group
	switch {
	case c.window() == 1 || t.tooMany:
		// No pipelining, or recipients wait for a further transaction.
	case s.quit:
		if c.room(s.ctx) == nil {
			s.quitQueued, t.behind = true, true
			c.put(due{kind: dueQuit, line: "QUIT"})
		}
	case rcptsDue && len(t.rcpts) > 1:
		// A 452 is still possible, and its further transaction must come
		// before anything else.
	default:
		if s.ahead = s.pull(); s.ahead != nil && s.ahead.err == nil {
			t.behind = true
			s.announce(s.ahead.cur)
		}
	}
	c.flush(s.ctx)
}

// abort hangs up in the middle of a message: the only way to make sure
// the server never takes a partial message as complete.
func (c *Client) abort(t *txn, err error) {
	if c.broken == nil {
		c.broken = fmt.Errorf("message transfer aborted: %w", err)
	}
	c.conn.Close()
	c.failDue(err)
	t.fail(err)
}
