package capture

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// limitConn sits between the TCP connection and go-smtp (below TLS), so it
// sees every byte the client sends. It enforces the whole-session bound
// and the minimum data rate by shortening the read deadline go-smtp asks
// for, and it can close the connection right after one more reply.
type limitConn struct {
	net.Conn
	lim   Limits
	start time.Time

	mu         sync.Mutex
	readDL     time.Time     // the deadline go-smtp asked for
	waited     time.Duration // time spent waiting in Read
	received   int64         // octets received
	cut        string        // why we cut the client off, once we have
	closeAfter bool          // close after the next Write
	writes     int64         // Write calls so far (see recorder.Write)

	closeOnce sync.Once
	closed    chan struct{}
}

func newLimitConn(c net.Conn, lim Limits) *limitConn {
	return &limitConn{Conn: c, lim: lim, start: time.Now(), closed: make(chan struct{})}
}

func (c *limitConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.readDL = t
	c.mu.Unlock()
	return nil // applied by Read
}

// goodbyeTime is how long after the session's end a reply may still be
// written: the 421 that says why the connection ends.
const goodbyeTime = 10 * time.Second

func (c *limitConn) SetWriteDeadline(t time.Time) error {
	if c.lim.MaxSession > 0 {
		if end := c.start.Add(c.lim.MaxSession + goodbyeTime); t.IsZero() || end.Before(t) {
			t = end
		}
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *limitConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *limitConn) capBySession(t time.Time) time.Time {
	if c.lim.MaxSession <= 0 {
		return t
	}
	end := c.start.Add(c.lim.MaxSession)
	if t.IsZero() || end.Before(t) {
		return end
	}
	return t
}

// Read waits at most until the earliest of: go-smtp's own deadline, the
// end of the session, and the moment the client's average rate would
// fall below MinRate.
func (c *limitConn) Read(p []byte) (int, error) {
	now := time.Now()
	c.mu.Lock()
	dl, why := c.readDL, ""
	if s := c.capBySession(dl); !s.Equal(dl) {
		dl, why = s, "session longer than "+c.lim.MaxSession.String()
	}
	if c.lim.MinRate > 0 {
		// The client has earned (received + grace allowance)/rate of waiting.
		allowance := float64(c.lim.MinRate) * c.lim.RateGrace.Seconds()
		earned := time.Duration((float64(c.received) + allowance) / float64(c.lim.MinRate) * float64(time.Second))
		if r := now.Add(earned - c.waited); dl.IsZero() || r.Before(dl) {
			dl, why = r, "sending slower than the minimum rate"
		}
	}
	c.mu.Unlock()
	c.Conn.SetReadDeadline(dl)
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.waited += time.Since(now)
	c.received += int64(n)
	if err != nil && why != "" && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		c.cut = why
	}
	c.mu.Unlock()
	return n, err
}

func (c *limitConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.writes++
	closeNow := c.closeAfter
	c.mu.Unlock()
	if closeNow {
		c.Close()
	}
	return n, err
}

// closeAfterNextWrite makes the next reply the last one.
func (c *limitConn) closeAfterNextWrite() {
	c.mu.Lock()
	c.closeAfter = true
	c.mu.Unlock()
}

func (c *limitConn) writeCount() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

func (c *limitConn) cutReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cut
}

func (c *limitConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		err = c.Conn.Close()
		close(c.closed)
	})
	return err
}

// oneConnListener hands one connection to a go-smtp server, then blocks
// until that connection is closed, so the server's Serve returns when the
// connection ends.
type oneConnListener struct {
	c    net.Conn
	done <-chan struct{}
	once sync.Once
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.c })
	if c != nil {
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error   { return nil }
func (l *oneConnListener) Addr() net.Addr { return l.c.LocalAddr() }
