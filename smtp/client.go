package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// Client is one SMTP connection. It is not safe for concurrent use.
type Client struct {
	conn     net.Conn
	r        *bufio.Reader
	w        *bufio.Writer
	host     string // server name used for TLS verification
	opts     Options
	tmo      Timeouts
	ext      Extensions // nil after HELO (no extensions) or before EHLO
	ehlo     bool
	isTLS    bool
	tlsState tls.ConnectionState
	greeting *Reply
	broken   error // set once the connection is unusable
	authed   bool
	buf      []byte        // see copyBuf
	chunk    *bytes.Buffer // see chunkBuf

	// SendAll's pipelining across messages (see groupFor).
	ahead     *aheadGroup // to send behind the current message's dot
	aheadOK   bool        // the current transaction allows it
	sentAhead *Envelope   // whose group already went out
}

// Dial connects to addr ("host:port"), reads the greeting, says EHLO and,
// as opts.TLS demands, starts TLS. The returned client is ready for AUTH
// or a transaction.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	tmo := o.Timeouts.withDefaults()
	d := o.Dialer
	if d == nil {
		d = &net.Dialer{}
	}
	dctx, cancel := context.WithTimeout(ctx, tmo.Connect)
	defer cancel()
	trace(o.Trace, Info, "connecting to "+addr)
	conn, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	trace(o.Trace, Info, "connected to "+conn.RemoteAddr().String())
	c, err := NewClient(ctx, conn, host, &o)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// NewClient runs the opening of a session over an existing connection:
// implicit TLS handshake if asked, greeting, EHLO, STARTTLS if asked.
// host is the server's name, used to verify its certificate.
func NewClient(ctx context.Context, conn net.Conn, host string, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.LocalName == "" {
		o.LocalName = "localhost"
	}
	if err := checkArg("EHLO name", o.LocalName); err != nil {
		return nil, err
	}
	c := &Client{conn: conn, host: strings.Trim(host, "[]"), opts: o, tmo: o.Timeouts.withDefaults()}
	c.setConn(conn)
	if o.TLS == TLSImplicit {
		if err := c.handshake(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.readGreeting(ctx); err != nil {
		return nil, err
	}
	if err := c.hello(ctx); err != nil {
		c.quitQuietly(ctx)
		return nil, err
	}
	if !c.isTLS && (o.TLS == TLSStartTLS || o.TLS == TLSOpportunistic) {
		if c.ext.Has("STARTTLS") {
			if err := c.StartTLS(ctx); err != nil {
				return nil, err
			}
		} else if o.TLS == TLSStartTLS {
			c.quitQuietly(ctx)
			why := "server does not offer STARTTLS"
			if !c.ehlo {
				why = "server rejected EHLO, so STARTTLS is not possible"
			}
			return nil, &SecurityError{Reason: why + "; refusing to continue without TLS"}
		}
	}
	return c, nil
}

func (c *Client) setConn(conn net.Conn) {
	c.conn = conn
	c.r = bufio.NewReaderSize(conn, 4096)
	c.w = bufio.NewWriterSize(conn, 64*1024)
}

func trace(t TraceFunc, d Direction, s string) {
	if t != nil {
		t(d, s)
	}
}

// Extensions returns what the server announced in its last EHLO reply;
// nil when it only accepted HELO.
func (c *Client) Extensions() Extensions { return c.ext }

// Greeting returns the server's 220 greeting.
func (c *Client) Greeting() *Reply { return c.greeting }

// TLSConnectionState reports the TLS state, and whether TLS is active.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) { return c.tlsState, c.isTLS }

// Conn returns the underlying connection.
func (c *Client) Conn() net.Conn { return c.conn }

// deadline arms the connection for one command: the per-step timeout,
// shortened by the context's deadline, and cancelled at once when the
// context is. The returned function disarms it.
func (c *Client) deadline(ctx context.Context, d time.Duration) func() {
	dl := time.Now().Add(d)
	if cd, ok := ctx.Deadline(); ok && cd.Before(dl) {
		dl = cd
	}
	c.conn.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }
}

// ioErr turns a network error into one that names the step, and marks
// the client broken.
func (c *Client) ioErr(ctx context.Context, step string, d time.Duration, err error) error {
	var md *maybeDelivered
	if errors.As(err, &md) {
		// Keep the one fact that matters most after the final dot.
		return &maybeDelivered{err: c.ioErr(ctx, step, d, md.err)}
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
		err = &TimeoutError{Step: step, After: d}
	}
	var pe *ProtocolError
	if errors.As(err, &pe) && pe.Step == "reply" {
		pe.Step = step
		c.broken = err
		return err
	}
	c.broken = err
	return fmt.Errorf("%s: %w", step, err)
}

// TimeoutError reports a step that did not complete in time.
type TimeoutError struct {
	Step  string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no complete reply within %s", e.After)
}
func (e *TimeoutError) Timeout() bool   { return true }
func (e *TimeoutError) Temporary() bool { return true }

// send buffers one command line; shown is what the trace gets.
func (c *Client) send(line, shown string) {
	trace(c.opts.Trace, Sent, shown)
	c.w.WriteString(line)
	c.w.WriteString("\r\n")
}

func (c *Client) readReply() (*Reply, error) {
	rr := replyReader{r: c.r}
	if c.opts.Trace != nil {
		rr.raw = func(l string) { c.opts.Trace(Received, l) }
	}
	return rr.read()
}

// roundTrip sends one command and reads its reply within d.
func (c *Client) roundTrip(ctx context.Context, d time.Duration, step, line, shown string) (*Reply, error) {
	if c.broken != nil {
		return nil, fmt.Errorf("%s: connection unusable after earlier error: %w", step, c.broken)
	}
	defer c.deadline(ctx, d)()
	c.send(line, shown)
	if err := c.w.Flush(); err != nil {
		return nil, c.ioErr(ctx, step, d, err)
	}
	rep, err := c.readReply()
	if err != nil {
		return nil, c.ioErr(ctx, step, d, err)
	}
	return rep, nil
}

// cmd runs a command and turns a reply outside want's class into *Error.
func (c *Client) cmd(ctx context.Context, d time.Duration, want int, line string) (*Reply, error) {
	rep, err := c.roundTrip(ctx, d, verb(line), line, line)
	if err != nil {
		return nil, err
	}
	if rep.Code/100 != want/100 || (want%100 != 0 && rep.Code != want) {
		return rep, replyError(line, rep)
	}
	return rep, nil
}

func replyError(cmd string, rep *Reply) error {
	if rep.Code < 400 {
		return &ProtocolError{Step: verb(cmd), Reason: fmt.Sprintf("unexpected reply %s", clip(rep.String(), 200))}
	}
	return &Error{Command: cmd, Code: rep.Code, Enhanced: rep.Enhanced, Message: rep.Text()}
}

func (c *Client) readGreeting(ctx context.Context) error {
	defer c.deadline(ctx, c.tmo.Greeting)()
	rep, err := c.readReply()
	if err != nil {
		return c.ioErr(ctx, "greeting", c.tmo.Greeting, err)
	}
	c.greeting = rep
	if rep.Code == 220 {
		return nil
	}
	// A 554 greeting is a permanent refusal (RFC 5321 §3.1): say QUIT and go.
	c.quitQuietly(ctx)
	if rep.Code >= 400 {
		return &Error{Command: "greeting", Code: rep.Code, Enhanced: rep.Enhanced, Message: rep.Text()}
	}
	return &ProtocolError{Step: "greeting", Reason: "expected 220, got " + clip(rep.String(), 200)}
}

// hello says EHLO, and HELO if the server rejects EHLO with 500/502 (a
// server that only knows RFC 821).
func (c *Client) hello(ctx context.Context) error {
	rep, err := c.roundTrip(ctx, c.tmo.Command, "EHLO", "EHLO "+c.opts.LocalName, "EHLO "+c.opts.LocalName)
	if err != nil {
		return err
	}
	if rep.Code == 250 {
		c.ext, c.ehlo = parseEHLO(rep.Lines), true
		return nil
	}
	if rep.Code != 500 && rep.Code != 502 && rep.Code != 504 && rep.Code != 550 {
		return replyError("EHLO "+c.opts.LocalName, rep)
	}
	c.ext, c.ehlo = Extensions{}, false
	_, err = c.cmd(ctx, c.tmo.Command, 250, "HELO "+c.opts.LocalName)
	return err
}

// Hello re-sends EHLO, e.g. after an AUTH that changed the session.
func (c *Client) Hello(ctx context.Context) error { return c.hello(ctx) }

// StartTLS upgrades the connection (RFC 3207) and says EHLO again,
// forgetting everything the server announced before TLS.
func (c *Client) StartTLS(ctx context.Context) error {
	if c.isTLS {
		return errors.New("STARTTLS: TLS is already active")
	}
	if _, err := c.cmd(ctx, c.tmo.Command, 220, "STARTTLS"); err != nil {
		return err
	}
	// Anything buffered now was sent before the handshake, in clear, and
	// would be read as if it came over TLS: response injection
	// (CVE-2011-0411 class). Refuse.
	if n := c.r.Buffered(); n > 0 {
		c.broken = &ProtocolError{Step: "STARTTLS", Reason: fmt.Sprintf("server sent %d bytes after its 220 and before the TLS handshake (response injection)", n)}
		c.conn.Close()
		return c.broken
	}
	if err := c.handshake(ctx); err != nil {
		return err
	}
	c.ext = nil
	return c.hello(ctx)
}

func (c *Client) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if c.opts.TLSConfig != nil {
		cfg = c.opts.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = c.host
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

func (c *Client) handshake(ctx context.Context) error {
	cfg := c.tlsConfig()
	tc := tls.Client(c.conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, c.tmo.Connect)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		c.broken = err
		if ctx.Err() != nil {
			return fmt.Errorf("TLS handshake: %w", ctx.Err())
		}
		if hctx.Err() != nil {
			return fmt.Errorf("TLS handshake: %w", &TimeoutError{Step: "TLS handshake", After: c.tmo.Connect})
		}
		return &TLSError{Err: err}
	}
	c.setConn(tc)
	c.isTLS = true
	c.tlsState = tc.ConnectionState()
	if c.opts.Trace != nil {
		// A VerifyConnection hook (DANE) replaces Go's verification.
		c.opts.Trace(Info, DescribeTLS(c.tlsState, cfg.InsecureSkipVerify && cfg.VerifyConnection == nil))
	}
	return nil
}

// TLSError is a failed TLS handshake: certificate not trusted, wrong
// host, protocol too old, or a peer that does not speak TLS at all.
type TLSError struct{ Err error }

func (e *TLSError) Error() string { return "TLS handshake: " + e.Err.Error() }
func (e *TLSError) Unwrap() error { return e.Err }

// DescribeTLS summarises a handshake for a transcript.
func DescribeTLS(st tls.ConnectionState, insecure bool) string {
	s := fmt.Sprintf("TLS handshake: %s, %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	if len(st.PeerCertificates) > 0 {
		cert := st.PeerCertificates[0]
		s += fmt.Sprintf(", certificate subject %q issuer %q", cert.Subject.String(), cert.Issuer.String())
	}
	if insecure {
		s += ", NOT VERIFIED (insecure mode)"
	} else {
		s += ", verified"
	}
	return s
}

// Noop sends NOOP, a cheap check that the connection is alive.
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.cmd(ctx, c.tmo.Command, 250, "NOOP")
	return err
}

// Reset sends RSET, abandoning any transaction in progress.
func (c *Client) Reset(ctx context.Context) error {
	_, err := c.cmd(ctx, c.tmo.Command, 250, "RSET")
	return err
}

// Quit sends QUIT and closes the connection.
func (c *Client) Quit(ctx context.Context) error {
	var err error
	if c.broken == nil {
		_, err = c.cmd(ctx, c.tmo.Command, 221, "QUIT")
	}
	cerr := c.conn.Close()
	if err == nil {
		err = cerr
	}
	return err
}

// quitQuietly says QUIT with a short wait and closes, ignoring errors: used
// on the way out of a failure.
func (c *Client) quitQuietly(ctx context.Context) {
	if c.broken == nil {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c.cmd(qctx, c.tmo.Command, 221, "QUIT")
		cancel()
	}
	c.conn.Close()
}

// Close closes the connection without QUIT.
func (c *Client) Close() error { return c.conn.Close() }

// checkArg refuses bytes that would let an argument end the command line
// and start another (CRLF injection, the bug class net/smtp fixed by
// validating its arguments), and NUL.
func checkArg(what, s string) error {
	if i := strings.IndexAny(s, "\r\n\x00"); i >= 0 {
		return fmt.Errorf("%s %q: %w: contains %q", what, clip(s, 60), ErrInvalidArgument, s[i])
	}
	return nil
}

var _ io.Writer = (*lineWriter)(nil)
