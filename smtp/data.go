package smtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// DataWriter streams message content after DATA's 354: line endings
// normalised to CRLF and dot-stuffed as it goes (see lineWriter). It is an
// io.WriteCloser; CloseWithReply also returns the server's final reply.
type DataWriter struct {
	c      *Client
	ctx    context.Context
	lw     *lineWriter
	stop   func() bool
	closed bool
}

func (c *Client) newDataWriter(ctx context.Context) *DataWriter {
	lw := newLineWriter(c.w, true)
	if c.opts.TraceData && c.opts.Trace != nil {
		lw.hook = func(l string) { c.opts.Trace(DataSent, l) }
	}
	return &DataWriter{c: c, ctx: ctx, lw: lw}
}

// Write sends content. A line over 998 octets (ErrLineTooLong) or a
// failed write ends the connection, so the server cannot take a partial
// message: the error then wraps ErrNotDelivered.
func (dw *DataWriter) Write(p []byte) (int, error) {
	if dw.closed {
		return 0, errors.New("DATA: write after Close")
	}
	dw.c.arm(dw.ctx, dw.c.tmo.DataBlock)
	n, err := dw.lw.Write(p)
	if err != nil {
		if !errors.Is(err, ErrLineTooLong) {
			err = dw.c.ioErr(dw.ctx, "DATA", dw.c.tmo.DataBlock, err)
		}
		dw.c.broken = fmt.Errorf("message transfer aborted: %w", err)
		dw.c.conn.Close()
		return n, &notDelivered{err: err}
	}
	return n, nil
}

// end finishes the last line and writes the terminating dot, unflushed.
func (dw *DataWriter) end() error {
	dw.closed = true
	dw.c.arm(dw.ctx, dw.c.tmo.DataBlock)
	if err := dw.lw.finish(); err != nil {
		return dw.c.ioErr(dw.ctx, "DATA", dw.c.tmo.DataBlock, err)
	}
	dw.c.send(".", ".")
	if _, err := dw.c.w.Write(nil); err != nil {
		return dw.c.ioErr(dw.ctx, "DATA", dw.c.tmo.DataBlock, err)
	}
	return nil
}

// Close ends the message; see CloseWithReply.
func (dw *DataWriter) Close() error {
	_, err := dw.CloseWithReply()
	return err
}

// CloseWithReply ends the message with the final dot and returns the
// server's reply to it.
//
// Errors: *Error when the server refused the message; an error wrapping
// ErrNotDelivered when the dot could not be sent completely; one wrapping
// ErrMaybeDelivered when it was sent and no reply came (lost connection,
// *TimeoutError, or ctx's error).
func (dw *DataWriter) CloseWithReply() (*Reply, error) {
	c := dw.c
	if dw.closed {
		return nil, errors.New("DATA: already closed")
	}
	if dw.stop != nil {
		defer dw.stop()
	}
	if err := dw.end(); err != nil {
		c.conn.Close()
		return nil, &notDelivered{err: err}
	}
	if err := c.w.Flush(); err != nil {
		// The dot is the last thing buffered: if the write failed, its
		// last octet did not leave.
		return nil, &notDelivered{err: c.ioErr(dw.ctx, "DATA", c.tmo.DataBlock, err)}
	}
	c.arm(dw.ctx, c.tmo.DataTerm)
	rep, err := c.readReply("DATA")
	if err != nil {
		return nil, &maybeDelivered{err: c.ioErr(dw.ctx, "end of data", c.tmo.DataTerm, err)}
	}
	if rep.Code/100 != 2 {
		if c.closing != nil {
			return rep, c.closing
		}
		return rep, replyError("DATA", rep)
	}
	return rep, nil
}

// pump copies the content from rc into w in the client's buffer; after
// each write, full (when set) may say stop (a BDAT chunk is full). It
// reports whether rc reached its end. A read error wraps ErrNotDelivered.
func (c *Client) pump(rc io.Reader, w io.Writer, full func() bool) (eof bool, err error) {
	buf := c.copyBuf()
	for {
		n, rerr := rc.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return false, err
			}
		}
		if rerr == io.EOF {
			return true, nil
		}
		if rerr != nil {
			return false, fmt.Errorf("read message: %w", rerr)
		}
		if n > 0 && full != nil && full() {
			return false, nil
		}
	}
}

// bdatChunk is the BDAT chunk size: large enough that a round trip per
// chunk costs little, small enough to keep memory flat.
const bdatChunk = 1 << 20

// bdat sends the content with BDAT (RFC 3030): no dot-stuffing, but the
// same line-ending normalisation as DATA. A message that fits in one
// chunk goes in the envelope's group when the server pipelines (RFC 3030
// §4.2: BDAT may be pipelined; the server consumes a refused chunk), so
// one round trip carries MAIL, RCPT, the content and its end.
func (s *sender) bdat(t *txn) {
	c := s.c
	rc, err := t.job.job.Body()
	if err != nil {
		if c.settle(s.ctx, t) == nil {
			c.reset(s.ctx)
		}
		t.fail(fmt.Errorf("open message: %w", err))
		return
	}
	defer rc.Close()
	chunk := c.chunkBuf()
	lw := newLineWriter(chunk, false)
	if c.opts.TraceData && c.opts.Trace != nil {
		lw.hook = func(l string) { c.opts.Trace(DataSent, l) }
	}
	full := func() bool { return chunk.Len() >= bdatChunk }
	eof, err := c.pump(rc, lw, full)
	if err == nil && eof {
		err = lw.finish()
	}
	if err != nil {
		c.abort(t, err)
		return
	}
	if eof && c.window() > 1 && t.owed > 0 && len(t.rcpts) <= rfcMinRecipients && t.err == nil && t.mailErr == nil {
		t.bodyAhead = true
		s.sendChunk(t, chunk, true)
		return
	}
	if c.settle(s.ctx, t) != nil || t.err != nil {
		return
	}
	if t.mailErr != nil || t.accepted == 0 {
		c.reset(s.ctx)
		return
	}
	for !eof {
		if s.sendChunk(t, chunk, false); c.settle(s.ctx, t) != nil || t.endErr != nil {
			if t.endErr != nil {
				c.reset(s.ctx)
			}
			return
		}
		if eof, err = c.pump(rc, lw, full); err == nil && eof {
			err = lw.finish()
		}
		if err != nil {
			c.abort(t, err)
			return
		}
	}
	s.sendChunk(t, chunk, true)
}

// sendChunk writes one BDAT command and its octets; the last one is the
// message's end, and what may follow it goes behind.
func (s *sender) sendChunk(t *txn, chunk *bytes.Buffer, last bool) {
	c := s.c
	cmd := "BDAT " + strconv.Itoa(chunk.Len())
	if last {
		cmd += " LAST"
	}
	c.arm(s.ctx, c.tmo.DataBlock)
	c.send(cmd, cmd)
	c.w.Write(chunk.Bytes())
	chunk.Reset()
	if _, err := c.w.Write(nil); err != nil {
		c.abort(t, c.ioErr(s.ctx, "BDAT", c.tmo.DataBlock, err))
		return
	}
	if !last {
		c.expect(due{kind: dueChunk, t: t, line: cmd})
		return
	}
	c.markEnd(t)
	c.expect(due{kind: dueEnd, t: t, line: cmd})
	s.behind(t)
}

// copyBuf is the client's reusable read buffer for message content: one
// allocation per connection, not one per message.
func (c *Client) copyBuf() []byte {
	if c.buf == nil {
		c.buf = make([]byte, 32*1024)
	}
	return c.buf
}

// chunkBuf is the client's reusable BDAT chunk: one per connection.
func (c *Client) chunkBuf() *bytes.Buffer {
	if c.chunk == nil {
		c.chunk = bytes.NewBuffer(make([]byte, 0, bdatChunk+64*1024))
	}
	c.chunk.Reset()
	return c.chunk
}
