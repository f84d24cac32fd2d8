package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"maps"
	"net"
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
	ext      Extensions // empty after HELO (no extensions)
	ehlo     bool
	isTLS    bool
	tlsState tls.ConnectionState
	greeting *Reply
	broken   error    // set once the connection is unusable
	closing  error    // the server's 421: it is closing the connection
	secrets  []string // during AUTH: what server text must not echo (see scrub)

	due    []due // replies owed for pipelined commands, oldest first (see pipeline.go)
	endTxn *txn  // whose end was written into the buffer and not yet flushed
	endAt  int   // octets buffered up to that end's last octet

	buf   []byte        // see copyBuf
	chunk *bytes.Buffer // see chunkBuf
}

// Dial connects to addr ("host:port"), reads the greeting, says EHLO and,
// as opts.TLS demands, starts TLS. The returned client is ready for AUTH
// or a transaction.
//
// Errors: the dialer's (wrapped with "connect ADDR"), *TLSError,
// *SecurityError (TLS required and not offered), *Error (a refusing
// greeting or EHLO), *ProtocolError, *TimeoutError, or ctx's error.
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
// host is the server's name, used to verify its certificate. It returns
// the errors Dial does, except the dialer's.
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
	if err := c.Hello(ctx); err != nil {
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

// Extensions returns a copy of what the server announced in its last
// EHLO reply; empty when it only accepted HELO.
func (c *Client) Extensions() Extensions { return maps.Clone(c.ext) }

// Greeting returns the server's 220 greeting.
func (c *Client) Greeting() *Reply { return c.greeting }

// TLSConnectionState reports the TLS state, and whether TLS is active.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) { return c.tlsState, c.isTLS }

func (c *Client) readGreeting(ctx context.Context) error {
	defer c.watch(ctx)()
	c.arm(ctx, c.tmo.Greeting)
	rep, err := c.readReply("greeting")
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

// Hello says EHLO, and HELO if the server rejects EHLO with 500, 502,
// 504 or 550 (a server that only knows RFC 821). Dial and StartTLS call
// it; call it again only to refresh the capabilities.
//
// Errors: *Error (HELO refused too, or EHLO refused otherwise),
// *ProtocolError, *TimeoutError, a network error, or ctx's error.
func (c *Client) Hello(ctx context.Context) error {
	line := "EHLO " + c.opts.LocalName
	rep, err := c.roundTrip(ctx, c.tmo.Command, "EHLO", line, line)
	if err != nil {
		return err
	}
	if rep.Code == 250 {
		c.ext, c.ehlo = parseEHLO(rep.Lines), true
		return nil
	}
	if rep.Code != 500 && rep.Code != 502 && rep.Code != 504 && rep.Code != 550 {
		if c.closing != nil {
			return c.closing
		}
		return replyError(line, rep)
	}
	c.ext, c.ehlo = Extensions{}, false
	_, err = c.cmd(ctx, c.tmo.Command, 250, "HELO "+c.opts.LocalName)
	return err
}

// Noop sends NOOP, a cheap check that the connection is alive. Errors as
// for Hello.
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.cmd(ctx, c.tmo.Command, 250, "NOOP")
	return err
}

// Reset sends RSET, abandoning any transaction in progress. Errors as
// for Hello.
func (c *Client) Reset(ctx context.Context) error {
	_, err := c.cmd(ctx, c.tmo.Command, 250, "RSET")
	return err
}

// Quit sends QUIT, waits for the 221 and closes the connection. On a
// connection already broken it only closes. Errors as for Hello, or the
// error of closing.
func (c *Client) Quit(ctx context.Context) error {
	var err error
	if c.usable("QUIT") == nil {
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
	if c.usable("QUIT") == nil {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c.cmd(qctx, c.tmo.Command, 221, "QUIT")
		cancel()
	}
	c.conn.Close()
}

// Close closes the connection without QUIT; the error is the connection's.
func (c *Client) Close() error { return c.conn.Close() }
