package smtp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// The I/O floor every command goes through: one way to arm a deadline,
// one way to let a context interrupt a blocked read or write, one way to
// name a network failure.

// past is a deadline that has already expired: setting it makes every
// blocked read and write on the connection return at once.
var past = time.Unix(1, 0)

// watch makes ctx's cancellation interrupt any blocked read or write on
// the connection at once, until the returned stop is called.
func (c *Client) watch(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() { c.conn.SetDeadline(past) })
}

// arm bounds the next wait by d (an RFC 5321 §4.5.3.2 step timeout),
// shortened by ctx's deadline. The deadline is set before ctx is checked,
// so a cancellation that fired (through watch) just before cannot be
// undone by it.
func (c *Client) arm(ctx context.Context, d time.Duration) {
	dl := time.Now().Add(d)
	if cd, ok := ctx.Deadline(); ok && cd.Before(dl) {
		dl = cd
	}
	c.conn.SetDeadline(dl)
	if ctx.Err() != nil {
		c.conn.SetDeadline(past)
	}
}

// ioErr turns a network error into one that names the step (a context's
// error when it ended the wait, a *TimeoutError when the step's timeout
// did), and marks the client broken: after a failed read or write the
// dialogue's state is unknown.
func (c *Client) ioErr(ctx context.Context, step string, d time.Duration, err error) error {
	if c.closing != nil {
		// The server said 421 and went: that reply is the cause, not the
		// EOF that followed it.
		c.broken = c.closing
		return c.closing
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		if pe.Step == "reply" {
			pe.Step = step
		}
		c.broken = err
		return err
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
		err = &TimeoutError{Step: step, After: d}
	}
	err = fmt.Errorf("%s: %w", step, err)
	c.broken = err
	return err
}

// send buffers one command line; shown is what the trace gets.
func (c *Client) send(line, shown string) {
	trace(c.opts.Trace, Sent, shown)
	c.w.WriteString(line)
	c.w.WriteString("\r\n")
}

// readReply reads one reply. A 421 is remembered: the server is closing
// the connection (RFC 5321 §3.8), so nothing more is written and that
// reply becomes the reason for whatever fails next.
func (c *Client) readReply(cmd string) (*Reply, error) {
	rr := replyReader{r: c.r}
	if c.opts.Trace != nil {
		rr.raw = func(l string) { c.opts.Trace(Received, c.scrub(l)) }
	}
	rep, err := rr.read()
	if err == nil && rep.Code == 421 && c.closing == nil {
		c.scrubReply(rep)
		c.closing = &notDelivered{err: replyError(cmd, rep)}
	}
	return rep, err
}

// usable is nil while commands may still be sent.
func (c *Client) usable(step string) error {
	if c.closing != nil {
		return c.closing
	}
	if c.broken != nil {
		return fmt.Errorf("%s: connection unusable after earlier error: %w", step, c.broken)
	}
	if len(c.due) > 0 {
		return &ProtocolError{Step: step, Reason: "replies of an earlier pipelined group are still due"}
	}
	return nil
}

// roundTrip sends one command and reads its reply within d.
func (c *Client) roundTrip(ctx context.Context, d time.Duration, step, line, shown string) (*Reply, error) {
	if err := c.usable(step); err != nil {
		return nil, err
	}
	defer c.watch(ctx)()
	c.arm(ctx, d)
	c.send(line, shown)
	if err := c.w.Flush(); err != nil {
		return nil, c.ioErr(ctx, step, d, err)
	}
	rep, err := c.readReply(line)
	if err != nil {
		return nil, c.ioErr(ctx, step, d, err)
	}
	if c.closing != nil {
		c.broken = c.closing
		c.conn.Close()
	}
	return rep, nil
}

// cmd runs a command and turns a reply outside want's class (or other
// than want exactly, when want is not a round hundred) into an error.
func (c *Client) cmd(ctx context.Context, d time.Duration, want int, line string) (*Reply, error) {
	rep, err := c.roundTrip(ctx, d, verb(line), line, line)
	if err != nil {
		return nil, err
	}
	if rep.Code/100 != want/100 || (want%100 != 0 && rep.Code != want) {
		if c.closing != nil {
			return rep, c.closing
		}
		return rep, replyError(line, rep)
	}
	return rep, nil
}

func trace(t TraceFunc, d Direction, s string) {
	if t != nil {
		t(d, s)
	}
}
