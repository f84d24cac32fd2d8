package smtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MailOptions are the MAIL FROM parameters.
type MailOptions struct {
	Size     int64  // SIZE= (RFC 1870) when > 0 and the server announces SIZE
	Body8Bit bool   // the content has 8-bit bytes: BODY=8BITMIME (RFC 6152)
	SMTPUTF8 bool   // force SMTPUTF8 (RFC 6531); set automatically for non-ASCII addresses
	DSNRet   string // RET=FULL or HDRS (RFC 3461), only if the server offers DSN
	DSNEnvID string // ENVID=, xtext-encoded by the engine
}

// RcptOptions are the RCPT TO parameters (RFC 3461 DSN).
type RcptOptions struct {
	Notify []string // NEVER, or any of SUCCESS, FAILURE, DELAY
	ORcpt  string   // original recipient, sent as ORCPT=rfc822;<xtext>
}

// Envelope is who a message is from and to, with the ESMTP parameters.
type Envelope struct {
	From string // "" for the null reverse-path <>
	To   []string
	Mail MailOptions
	Rcpt RcptOptions
}

// Body opens the message content. Send may open it more than once (one
// transaction per batch of recipients), so it is a source, not a reader.
type Body func() (io.ReadCloser, error)

// BytesBody is a Body over bytes in memory.
func BytesBody(b []byte) Body {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// RcptStatus is the outcome for one recipient.
type RcptStatus struct {
	Address   string
	Reply     *Reply // the reply to RCPT TO; nil if it was never sent
	Err       error  // why it was not delivered; nil when Delivered
	Delivered bool   // RCPT accepted and the message accepted after it
}

// Result reports what happened to each recipient.
type Result struct {
	Recipients   []RcptStatus
	Final        *Reply // the reply to the message's end (last transaction)
	QueueID      string // the server's id for the message, when it gave one
	Transactions int
}

// Delivered and Rejected list addresses by outcome.
func (r *Result) Delivered() (out []string) {
	for _, s := range r.Recipients {
		if s.Delivered {
			out = append(out, s.Address)
		}
	}
	return out
}

// Failed lists the recipients that did not get the message.
func (r *Result) Failed() (out []RcptStatus) {
	for _, s := range r.Recipients {
		if !s.Delivered {
			out = append(out, s)
		}
	}
	return out
}

// TooLargeError means the message exceeds the server's announced SIZE.
type TooLargeError struct{ Size, Max int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("message is %d bytes; the server accepts at most %d (SIZE)", e.Size, e.Max)
}

// CheckAddress validates an envelope address before it goes into a
// command: no CR, LF, NUL or angle brackets, no space outside a quoted
// local part (so nothing can smuggle ESMTP parameters), a domain, at most
// 254 octets. The empty string is allowed only as a sender (null path).
func CheckAddress(addr string) error {
	if err := checkArg("address", addr); err != nil {
		return err
	}
	bad := func(why string) error {
		return fmt.Errorf("address %q: %w: %s", clip(addr, 60), ErrInvalidArgument, why)
	}
	if len(addr) > 254 {
		return bad("longer than 254 octets")
	}
	if strings.EqualFold(addr, "postmaster") {
		return nil
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return bad("want local-part@domain")
	}
	local, domain := addr[:at], addr[at+1:]
	if strings.ContainsAny(addr, "<>") {
		return bad("contains an angle bracket")
	}
	quoted := len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"'
	for i := 0; i < len(local); i++ {
		ch := local[i]
		if ch < 0x20 || ch == 0x7f {
			return bad("control character in local part")
		}
		if !quoted && (ch == ' ' || ch == '\t' || ch == '"') {
			return bad("space or quote outside a quoted local part")
		}
	}
	if strings.ContainsAny(domain, " \t\"\\") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") && !strings.HasPrefix(domain, "[") {
		return bad("malformed domain")
	}
	if !utf8.ValidString(addr) {
		return bad("not valid UTF-8")
	}
	return nil
}

func needsUTF8(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// xtext encodes s per RFC 3461 §4: "+" then two hex digits for anything
// outside '!'..'~' and for '+' and '='.
func xtext(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < '!' || ch > '~' || ch == '+' || ch == '=' {
			fmt.Fprintf(&b, "+%02X", ch)
		} else {
			b.WriteByte(ch)
		}
	}
	return b.String()
}

func (c *Client) mailLine(env *Envelope, utf8 bool) (string, error) {
	var b strings.Builder
	b.WriteString("MAIL FROM:<" + env.From + ">")
	o := env.Mail
	if c.ext.Has("SIZE") && o.Size > 0 {
		if max := c.ext.MaxSize(); max > 0 && o.Size > max {
			return "", &TooLargeError{Size: o.Size, Max: max}
		}
		b.WriteString(" SIZE=" + strconv.FormatInt(o.Size, 10))
	}
	if o.Body8Bit {
		if !c.ext.Has("8BITMIME") {
			return "", &UnsupportedError{Extension: "8BITMIME", Detail: "the message has 8-bit content; send a 7-bit encoded form"}
		}
		b.WriteString(" BODY=8BITMIME")
	}
	if utf8 {
		if !c.ext.Has("SMTPUTF8") {
			return "", &UnsupportedError{Extension: "SMTPUTF8", Detail: "an address has non-ASCII characters"}
		}
		b.WriteString(" SMTPUTF8")
	}
	if c.ext.Has("DSN") {
		if r := strings.ToUpper(o.DSNRet); r == "FULL" || r == "HDRS" {
			b.WriteString(" RET=" + r)
		} else if r != "" {
			return "", fmt.Errorf("DSN RET %q: %w: want FULL or HDRS", o.DSNRet, ErrInvalidArgument)
		}
		if o.DSNEnvID != "" {
			b.WriteString(" ENVID=" + xtext(o.DSNEnvID))
		}
	}
	return b.String(), nil
}

func (c *Client) rcptLine(to string, o RcptOptions) (string, error) {
	line := "RCPT TO:<" + to + ">"
	if c.ext.Has("DSN") {
		if len(o.Notify) > 0 {
			var ns []string
			for _, n := range o.Notify {
				n = strings.ToUpper(strings.TrimSpace(n))
				switch n {
				case "NEVER", "SUCCESS", "FAILURE", "DELAY":
					ns = append(ns, n)
				default:
					return "", fmt.Errorf("DSN NOTIFY %q: %w: want NEVER, SUCCESS, FAILURE or DELAY", n, ErrInvalidArgument)
				}
			}
			line += " NOTIFY=" + strings.Join(ns, ",")
		}
		if o.ORcpt != "" {
			line += " ORCPT=rfc822;" + xtext(o.ORcpt)
		}
	}
	return line, nil
}

// Mail sends MAIL FROM with the given options.
func (c *Client) Mail(ctx context.Context, from string, o MailOptions) error {
	if from != "" {
		if err := CheckAddress(from); err != nil {
			return err
		}
	}
	env := &Envelope{From: from, Mail: o}
	line, err := c.mailLine(env, o.SMTPUTF8 || needsUTF8(from))
	if err != nil {
		return err
	}
	_, err = c.cmd(ctx, c.tmo.Mail, 250, line)
	return err
}

// Rcpt sends RCPT TO for one recipient.
func (c *Client) Rcpt(ctx context.Context, to string, o RcptOptions) error {
	if err := CheckAddress(to); err != nil {
		return err
	}
	line, err := c.rcptLine(to, o)
	if err != nil {
		return err
	}
	rep, err := c.cmd(ctx, c.tmo.Rcpt, 250, line)
	if err == nil && rep.Code != 250 && rep.Code != 251 {
		return replyError(line, rep)
	}
	return err
}

// DataWriter streams message content after a 354. Close sends the final
// dot and returns the server's reply.
type DataWriter struct {
	c    *Client
	ctx  context.Context
	lw   *lineWriter
	stop func() bool
}

// Data sends DATA and returns a writer for the content.
func (c *Client) Data(ctx context.Context) (*DataWriter, error) {
	if _, err := c.cmd(ctx, c.tmo.DataInit, 354, "DATA"); err != nil {
		return nil, err
	}
	return c.newDataWriter(ctx), nil
}

func (c *Client) newDataWriter(ctx context.Context) *DataWriter {
	lw := newLineWriter(c.w, true)
	if c.opts.TraceData && c.opts.Trace != nil {
		lw.hook = func(l string) { c.opts.Trace(DataSent, l) }
	}
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	return &DataWriter{c: c, ctx: ctx, lw: lw, stop: stop}
}

func (c *Client) armData(ctx context.Context, d time.Duration) {
	dl := time.Now().Add(d)
	if cd, ok := ctx.Deadline(); ok && cd.Before(dl) {
		dl = cd
	}
	c.conn.SetDeadline(dl)
}

func (dw *DataWriter) Write(p []byte) (int, error) {
	dw.c.armData(dw.ctx, dw.c.tmo.DataBlock)
	n, err := dw.lw.Write(p)
	if err != nil {
		dw.abort()
		if errors.Is(err, ErrLineTooLong) {
			return n, err
		}
		return n, dw.c.ioErr(dw.ctx, "DATA", dw.c.tmo.DataBlock, err)
	}
	return n, nil
}

// abort closes the connection mid-DATA: the only way to make sure the
// server never takes a partial message as complete.
func (dw *DataWriter) abort() {
	dw.stop()
	if dw.c.broken == nil {
		dw.c.broken = errors.New("message transfer aborted")
	}
	dw.c.conn.Close()
}

// Close ends the message with "." and waits for the final reply. A
// connection lost from here on wraps ErrMaybeDelivered.
func (dw *DataWriter) Close() (*Reply, error) {
	c := dw.c
	defer dw.stop()
	c.armData(dw.ctx, c.tmo.DataBlock)
	if !dw.lw.atStart || dw.lw.pendingCR {
		dw.lw.pendingCR = false
		dw.lw.newline()
	}
	if err := dw.lw.err; err != nil {
		dw.abort()
		return nil, c.ioErr(dw.ctx, "DATA", c.tmo.DataBlock, err)
	}
	// The terminator goes in the same write as the last of the content.
	// If that write fails, the terminator (its last bytes) did not all
	// leave, so the server cannot have taken the message: "not delivered".
	c.send(".", ".")
	// SendAll: the next message's MAIL, RCPTs and DATA may follow in the
	// same write (RFC 2920 §3.1: message content may begin a group).
	if c.aheadOK && c.ahead != nil {
		for _, l := range c.ahead.lines {
			c.send(l, l)
		}
		c.sentAhead = c.ahead.env
	}
	c.ahead = nil
	if err := c.w.Flush(); err != nil {
		return nil, c.ioErr(dw.ctx, "DATA", c.tmo.DataBlock, err)
	}
	c.armData(dw.ctx, c.tmo.DataTerm)
	rep, err := c.readReply()
	if err != nil {
		return nil, c.ioErr(dw.ctx, "end of data", c.tmo.DataTerm, &maybeDelivered{err: err})
	}
	if rep.Code/100 != 2 {
		return rep, replyError("DATA", rep)
	}
	return rep, nil
}

// Send runs whole transactions for env: MAIL, every RCPT, DATA (or BDAT)
// and the content opened from body, pipelined when the server allows.
// Recipients refused with 452 (too many recipients) after others were
// accepted go in a further transaction on the same connection.
//
// The error is nil when at least one recipient got the message; the
// Result says which did and why the others did not.
func (c *Client) Send(ctx context.Context, env *Envelope, body Body) (*Result, error) {
	if env.From != "" {
		if err := CheckAddress(env.From); err != nil {
			return nil, fmt.Errorf("sender: %w", err)
		}
	}
	if len(env.To) == 0 {
		return nil, fmt.Errorf("no recipients: %w", ErrInvalidArgument)
	}
	utf8 := env.Mail.SMTPUTF8 || needsUTF8(env.From)
	for _, to := range env.To {
		if err := CheckAddress(to); err != nil {
			return nil, fmt.Errorf("recipient: %w", err)
		}
		utf8 = utf8 || needsUTF8(to)
	}
	res := &Result{}
	pending := env.To
	var firstErr error
	for len(pending) > 0 {
		deferred, err := c.transaction(ctx, env, pending, utf8, body, res)
		res.Transactions++
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if err != nil || len(deferred) == len(pending) {
			for _, a := range deferred {
				res.Recipients = append(res.Recipients, RcptStatus{Address: a, Err: errors.New("not attempted after an earlier failure")})
			}
			break
		}
		pending = deferred
	}
	if len(res.Delivered()) > 0 {
		return res, nil
	}
	if firstErr == nil {
		for _, s := range res.Recipients {
			if s.Err != nil {
				firstErr = s.Err
				break
			}
		}
	}
	return res, firstErr
}

func tooManyRecipients(rep *Reply) bool {
	return rep.Code == 452 && (rep.Enhanced == EnhancedCode{} || rep.Enhanced == EnhancedCode{4, 5, 3})
}

// transaction sends one message to rcpts and returns recipients deferred
// to a further transaction.
func (c *Client) transaction(ctx context.Context, env *Envelope, rcpts []string, utf8 bool, body Body, res *Result) ([]string, error) {
	if c.broken != nil {
		return nil, fmt.Errorf("connection unusable after earlier error: %w", c.broken)
	}
	mailLine, err := c.mailLine(env, utf8)
	if err != nil {
		return nil, err
	}
	lines := make([]string, len(rcpts))
	for i, to := range rcpts {
		if lines[i], err = c.rcptLine(to, env.Rcpt); err != nil {
			return nil, err
		}
	}
	chunking := c.ext.Has("CHUNKING") && !c.opts.DisableChunking
	pipelined := c.ext.Has("PIPELINING") && !c.opts.DisablePipelining

	base := len(res.Recipients)
	var accepted []int
	var deferred []string
	record := func(i int, rep *Reply, err error) {
		st := RcptStatus{Address: rcpts[i], Reply: rep, Err: err}
		res.Recipients = append(res.Recipients, st)
		if err == nil {
			accepted = append(accepted, base+i)
		}
	}

	var dataRep *Reply
	if pipelined {
		// RFC 2920: MAIL, the RCPTs and DATA go in one write; the replies
		// come back in order. SendAll may already have sent them, behind
		// the previous message's final dot.
		defer c.deadline(ctx, c.tmo.Mail)()
		if c.sentAhead != nil && c.sentAhead == env && len(rcpts) == len(env.To) {
			c.sentAhead = nil
		} else {
			c.sentAhead = nil
			c.send(mailLine, mailLine)
			for _, l := range lines {
				c.send(l, l)
			}
			if !chunking {
				c.send("DATA", "DATA")
			}
			if err := c.w.Flush(); err != nil {
				return nil, c.ioErr(ctx, "MAIL", c.tmo.Mail, err)
			}
		}
		mrep, err := c.readReply()
		if err != nil {
			return nil, c.ioErr(ctx, "MAIL", c.tmo.Mail, err)
		}
		var mailErr error
		if mrep.Code != 250 {
			mailErr = replyError(mailLine, mrep)
		}
		for i, l := range lines {
			c.armData(ctx, c.tmo.Rcpt)
			rrep, err := c.readReply()
			if err != nil {
				return nil, c.ioErr(ctx, "RCPT", c.tmo.Rcpt, err)
			}
			switch {
			case mailErr != nil:
				record(i, rrep, mailErr)
			case rrep.Code == 250 || rrep.Code == 251:
				record(i, rrep, nil)
			case tooManyRecipients(rrep) && len(accepted) > 0:
				deferred = append(deferred, rcpts[i])
			default:
				record(i, rrep, replyError(l, rrep))
			}
		}
		if !chunking {
			c.armData(ctx, c.tmo.DataInit)
			if dataRep, err = c.readReply(); err != nil {
				return nil, c.ioErr(ctx, "DATA", c.tmo.DataInit, err)
			}
		}
		if mailErr != nil || len(accepted) == 0 {
			// If DATA still got 354, end it with an empty body: never
			// send the message when nobody may receive it.
			if dataRep != nil && dataRep.Code == 354 {
				c.send(".", ".")
				c.w.Flush()
				c.armData(ctx, c.tmo.DataTerm)
				if _, err := c.readReply(); err != nil {
					return nil, c.ioErr(ctx, "end of data", c.tmo.DataTerm, err)
				}
			} else if mailErr == nil {
				c.Reset(ctx)
			}
			return deferred, mailErr
		}
		if !chunking && dataRep.Code != 354 {
			c.Reset(ctx)
			return nil, c.failAccepted(res, accepted, replyError("DATA", dataRep))
		}
	} else {
		if _, err := c.cmd(ctx, c.tmo.Mail, 250, mailLine); err != nil {
			var se *Error
			if errors.As(err, &se) {
				c.Reset(ctx)
			}
			return nil, err
		}
		for i, l := range lines {
			rrep, err := c.roundTrip(ctx, c.tmo.Rcpt, "RCPT", l, l)
			if err != nil {
				return nil, err
			}
			switch {
			case rrep.Code == 250 || rrep.Code == 251:
				record(i, rrep, nil)
			case tooManyRecipients(rrep) && len(accepted) > 0:
				deferred = append(deferred, rcpts[i:]...)
			default:
				record(i, rrep, replyError(l, rrep))
			}
			if len(deferred) > 0 {
				break
			}
		}
		if len(accepted) == 0 {
			c.Reset(ctx)
			return deferred, nil
		}
		if !chunking {
			if _, err := c.cmd(ctx, c.tmo.DataInit, 354, "DATA"); err != nil {
				var se *Error
				if errors.As(err, &se) {
					c.Reset(ctx)
				}
				return nil, c.failAccepted(res, accepted, err)
			}
		}
	}

	var final *Reply
	if chunking {
		final, err = c.bdat(ctx, body)
	} else {
		// The next message's commands may ride behind this one's dot only
		// when no recipient of this message waits for another transaction.
		c.aheadOK = pipelined && len(deferred) == 0
		final, err = c.streamData(ctx, body)
		c.aheadOK = false
	}
	if err != nil {
		return nil, c.failAccepted(res, accepted, err)
	}
	res.Final = final
	res.QueueID = queueID(final)
	for _, i := range accepted {
		res.Recipients[i].Delivered = true
	}
	return deferred, nil
}

// failAccepted marks the recipients accepted in this transaction as not
// delivered, with err.
func (c *Client) failAccepted(res *Result, accepted []int, err error) error {
	for _, i := range accepted {
		res.Recipients[i].Err = err
	}
	return err
}

func (c *Client) streamData(ctx context.Context, body Body) (*Reply, error) {
	rc, err := body()
	if err != nil {
		// Nothing of the message has gone yet: end DATA empty? No: an
		// empty message would be delivered. Close the connection instead.
		c.broken = err
		c.conn.Close()
		return nil, fmt.Errorf("open message: %w", err)
	}
	defer rc.Close()
	dw := c.newDataWriter(ctx)
	buf := c.copyBuf()
	for {
		n, rerr := rc.Read(buf)
		if n > 0 {
			if _, err := dw.Write(buf[:n]); err != nil {
				return nil, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			dw.abort()
			return nil, fmt.Errorf("read message: %w", rerr)
		}
	}
	return dw.Close()
}

// bdatChunk is the BDAT chunk size: large enough that a round trip per
// chunk costs little, small enough to keep memory flat.
const bdatChunk = 1 << 20

// bdat sends the content with BDAT (RFC 3030): no dot-stuffing, but the
// same line-ending normalisation as DATA.
func (c *Client) bdat(ctx context.Context, body Body) (*Reply, error) {
	rc, err := body()
	if err != nil {
		c.Reset(ctx)
		return nil, fmt.Errorf("open message: %w", err)
	}
	defer rc.Close()
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	chunk := c.chunkBuf()
	lw := newLineWriter(chunk, false)
	if c.opts.TraceData && c.opts.Trace != nil {
		lw.hook = func(l string) { c.opts.Trace(DataSent, l) }
	}
	buf := c.copyBuf()
	sendChunk := func(last bool) (*Reply, error) {
		cmd := "BDAT " + strconv.Itoa(chunk.Len())
		if last {
			cmd += " LAST"
		}
		c.armData(ctx, c.tmo.DataBlock)
		c.send(cmd, cmd)
		c.w.Write(chunk.Bytes())
		chunk.Reset()
		if err := c.w.Flush(); err != nil {
			if last {
				err = &maybeDelivered{err: err}
			}
			return nil, c.ioErr(ctx, "BDAT", c.tmo.DataBlock, err)
		}
		d := c.tmo.DataBlock
		if last {
			d = c.tmo.DataTerm
		}
		c.armData(ctx, d)
		rep, err := c.readReply()
		if err != nil {
			if last {
				err = &maybeDelivered{err: err}
			}
			return nil, c.ioErr(ctx, "BDAT", d, err)
		}
		if rep.Code != 250 {
			return rep, replyError(cmd, rep)
		}
		return rep, nil
	}
	for {
		n, rerr := rc.Read(buf)
		if n > 0 {
			if _, err := lw.Write(buf[:n]); err != nil {
				c.broken = err
				c.conn.Close()
				return nil, err
			}
			if chunk.Len() >= bdatChunk {
				if _, err := sendChunk(false); err != nil {
					return nil, err
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			c.broken = rerr
			c.conn.Close()
			return nil, fmt.Errorf("read message: %w", rerr)
		}
	}
	if err := lw.finish(); err != nil {
		return nil, err
	}
	return sendChunk(true)
}

// queueID pulls the server's message id out of a final reply: Postfix
// says "queued as 4F2A1", others "OK id=...", go-smtp and many others
// just "OK: queued". When no id is recognised the reply text is kept.
func queueID(rep *Reply) string {
	if rep == nil {
		return ""
	}
	t := rep.Text()
	for _, marker := range []string{"queued as ", "id=", "Queued as "} {
		if i := strings.Index(t, marker); i >= 0 {
			f := strings.Fields(t[i+len(marker):])
			if len(f) > 0 {
				return strings.Trim(f[0], "<>();,")
			}
		}
	}
	return ""
}

// copyBuf is the client's reusable read buffer for message content: one
// allocation per connection, not one per message.
func (c *Client) copyBuf() []byte {
	if c.buf == nil {
		c.buf = make([]byte, 32*1024)
	}
	return c.buf
}

// Job is one message for SendAll.
type Job struct {
	Env  *Envelope
	Body Body
}

// aheadGroup is the next message's command group, ready to be sent behind
// the current message's final dot.
type aheadGroup struct {
	env   *Envelope
	lines []string
}

// SendAll sends each job in turn over this connection, as Send does, and
// with PIPELINING pipelines each message's MAIL, RCPTs and DATA behind the
// previous message's end: one round trip per message instead of two.
// It returns one Result and one error per job.
func (c *Client) SendAll(ctx context.Context, jobs []Job) ([]*Result, []error) {
	results := make([]*Result, len(jobs))
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		c.ahead = nil
		if i+1 < len(jobs) {
			c.ahead = c.groupFor(jobs[i+1].Env)
		}
		results[i], errs[i] = c.Send(ctx, j.Env, j.Body)
	}
	c.ahead, c.sentAhead = nil, nil
	return results, errs
}

// groupFor builds env's pipelined command group, or nil when env cannot
// go ahead (chunking, no pipelining, or an argument the server refuses:
// then its own Send reports the problem).
func (c *Client) groupFor(env *Envelope) *aheadGroup {
	if env == nil || len(env.To) == 0 || !c.ext.Has("PIPELINING") || c.opts.DisablePipelining || (c.ext.Has("CHUNKING") && !c.opts.DisableChunking) {
		return nil
	}
	if env.From != "" && CheckAddress(env.From) != nil {
		return nil
	}
	utf8 := env.Mail.SMTPUTF8 || needsUTF8(env.From)
	for _, to := range env.To {
		if CheckAddress(to) != nil {
			return nil
		}
		utf8 = utf8 || needsUTF8(to)
	}
	mail, err := c.mailLine(env, utf8)
	if err != nil {
		return nil
	}
	g := &aheadGroup{env: env, lines: []string{mail}}
	for _, to := range env.To {
		l, err := c.rcptLine(to, env.Rcpt)
		if err != nil {
			return nil
		}
		g.lines = append(g.lines, l)
	}
	g.lines = append(g.lines, "DATA")
	return g
}

// chunkBuf is the client's reusable BDAT chunk: one per connection.
func (c *Client) chunkBuf() *bytes.Buffer {
	if c.chunk == nil {
		c.chunk = bytes.NewBuffer(make([]byte, 0, bdatChunk+64*1024))
	}
	c.chunk.Reset()
	return c.chunk
}
