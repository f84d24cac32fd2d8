package smtp

import (
	"context"
	"time"
)

// The pipeline: commands are written into the buffer and the replies they
// are owed are queued, oldest first (RFC 2920: replies come back in
// order). Without PIPELINING the window is one command, so the same code
// waits for every reply before the next command: one loop for both.

// windowCap bounds how many commands may wait for their replies at once.
// msmtp caps its pipeline at 100 too; a server's socket buffers, not the
// protocol, are what a deeper pipeline would strain.
const windowCap = 100

// maxCommandLine bounds one command line the engine writes (an address
// is at most 254 octets; ORCPT's xtext at most triples one).
const maxCommandLine = 2048

type dueKind uint8

const (
	dueMail   dueKind = iota // MAIL FROM
	dueRcpt                  // RCPT TO, recipient i of the transaction
	dueData                  // DATA, 354 expected
	dueChunk                 // a BDAT chunk that is not the last
	dueEnd                   // the message's end: the final dot or BDAT LAST
	dueIgnore                // a reply that changes nothing (RSET, the empty dot of a message nobody takes)
	dueQuit                  // QUIT
)

// due is one reply the server owes.
type due struct {
	kind dueKind
	t    *txn // the transaction it belongs to; nil for RSET and QUIT
	i    int  // recipient index, for dueRcpt
	line string
}

func (c *Client) window() int {
	if c.ext.Has("PIPELINING") && !c.opts.DisablePipelining {
		return windowCap
	}
	return 1
}

// timeoutFor is the RFC 5321 §4.5.3.2 wait for a kind of reply.
func (c *Client) timeoutFor(k dueKind) time.Duration {
	switch k {
	case dueMail:
		return c.tmo.Mail
	case dueRcpt:
		return c.tmo.Rcpt
	case dueData:
		return c.tmo.DataInit
	case dueChunk:
		return c.tmo.DataBlock
	case dueEnd:
		return c.tmo.DataTerm
	}
	return c.tmo.Command
}

// alive is nil while commands may be written.
func (c *Client) alive() error {
	if c.closing != nil {
		return c.closing
	}
	return c.broken
}

// room waits for the oldest replies until one more command fits in the
// window. What those replies say is known to the caller afterwards, so it
// can decide whether the next command is still worth sending.
func (c *Client) room(ctx context.Context) error {
	if c.endTxn != nil && c.w.Available() < maxCommandLine {
		// The buffer must not spill while it holds a message's end, or
		// flush could no longer tell whether that end left.
		if err := c.flush(ctx); err != nil {
			return err
		}
	}
	for len(c.due) >= c.window() {
		if err := c.settleOne(ctx); err != nil {
			return err
		}
	}
	return c.alive()
}

// put writes a command whose reply is read later. Call room first.
func (c *Client) put(d due) {
	c.send(d.line, d.line)
	c.expect(d)
}

// expect records a reply owed for something already written.
func (c *Client) expect(d due) {
	c.due = append(c.due, d)
	if d.t != nil {
		d.t.owed++
	}
}

// markEnd records that t's end has just been written into the buffer:
// how many buffered octets must leave for the server to have all of it.
func (c *Client) markEnd(t *txn) {
	c.endTxn, c.endAt = t, c.w.Buffered()
}

// flush sends what is buffered. When that fails, the transaction whose
// end was in the buffer counts as sent only if the end's last octet left.
func (c *Client) flush(ctx context.Context) error {
	if err := c.alive(); err != nil {
		return err
	}
	before := c.w.Buffered()
	if before == 0 {
		if t := c.endTxn; t != nil {
			c.endTxn, t.endSent = nil, true // an earlier write took all of it
		}
		return nil
	}
	c.arm(ctx, c.tmo.DataBlock)
	err := c.w.Flush()
	if t := c.endTxn; t != nil {
		c.endTxn = nil
		if before-c.w.Buffered() >= c.endAt {
			t.endSent = true
		}
	}
	if err != nil {
		err = c.ioErr(ctx, "send", c.tmo.DataBlock, err)
		c.failDue(err)
		c.conn.Close()
		return err
	}
	return nil
}

// settleOne reads the oldest owed reply and hands it to its transaction.
func (c *Client) settleOne(ctx context.Context) error {
	if err := c.flush(ctx); err != nil {
		return err
	}
	d := c.due[0]
	step := verb(d.line)
	if d.kind == dueEnd {
		step = "end of data"
	}
	c.arm(ctx, c.timeoutFor(d.kind))
	rep, err := c.readReply(d.line)
	if err != nil {
		err = c.ioErr(ctx, step, c.timeoutFor(d.kind), err)
		c.failDue(err)
		c.conn.Close()
		return err
	}
	c.due = c.due[:copy(c.due, c.due[1:])]
	if outOfPhase(d.kind, rep.Code) {
		// A reply of the wrong kind (354 to MAIL, 250 to DATA): the
		// replies no longer line up with the commands, and nothing read
		// from here on can be trusted.
		c.broken = &ProtocolError{Step: step, Reason: "unexpected reply " + clip(rep.String(), 200)}
		c.due = append([]due{d}, c.due...)
		c.failDue(c.broken)
		c.conn.Close()
		return c.broken
	}
	if d.t != nil {
		d.t.owed--
		d.t.answer(d, rep)
	}
	if c.closing != nil {
		c.broken = c.closing
		c.failDue(c.closing)
		c.conn.Close()
		return c.closing
	}
	if d.kind == dueIgnore && rep.Code/100 != 2 && d.line == "RSET" {
		// A server that refuses RSET is in a state nobody knows.
		c.broken = replyError(d.line, rep)
	}
	return nil
}

// outOfPhase: 354 answers DATA only, and DATA only 354 or a refusal.
func outOfPhase(k dueKind, code int) bool {
	if k == dueData {
		return code/100 != 3 && code < 400
	}
	return code/100 == 3
}

// settle reads replies until t owes none.
func (c *Client) settle(ctx context.Context, t *txn) error {
	for t.owed > 0 {
		if err := c.settleOne(ctx); err != nil {
			return err
		}
	}
	return nil
}

// drain reads every owed reply.
func (c *Client) drain(ctx context.Context) error {
	for len(c.due) > 0 {
		if err := c.settleOne(ctx); err != nil {
			return err
		}
	}
	return nil
}

// failDue ends every transaction still owed a reply with err: "may have
// been delivered" for one whose end had left, "not delivered" otherwise.
func (c *Client) failDue(err error) {
	for _, d := range c.due {
		if d.t != nil {
			d.t.fail(err)
			d.t.owed = 0
		}
	}
	c.due = c.due[:0]
}
