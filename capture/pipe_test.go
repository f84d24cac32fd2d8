package capture_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// pipeListener hands out in-memory connections (net.Pipe), so a server
// can run inside a testing/synctest bubble where time is virtual.
type pipeListener struct {
	ch        chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{ch: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr("server") }

// dial connects as a client at address ip.
func (l *pipeListener) dial(ip string) net.Conn {
	server, client := net.Pipe()
	l.ch <- addrConn{server, &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}}
	return client
}

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.remote }

// client speaks SMTP line by line. Its replies come from a reader
// goroutine, so the server is never blocked writing to a client that is
// busy writing itself, and the time the server hangs up is known.
type client struct {
	t       testing.TB
	c       net.Conn
	replies chan string // each complete reply (last line), closed at EOF
	gone    chan struct{}
	goneAt  time.Time
}

func newClient(t testing.TB, c net.Conn) *client {
	cl := &client{t: t, c: c, replies: make(chan string, 100), gone: make(chan struct{})}
	go cl.read(bufio.NewReader(c))
	return cl
}

func (cl *client) read(r *bufio.Reader) {
	defer func() { cl.goneAt = time.Now(); close(cl.gone); close(cl.replies) }()
	var lines []string
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return
		}
		lines = append(lines, strings.TrimRight(l, "\r\n"))
		if len(l) >= 4 && l[3] == ' ' {
			cl.replies <- strings.Join(lines, "\n")
			lines = nil
		}
	}
}

// reply waits for the next reply ("" when the server hung up).
func (cl *client) reply() string {
	cl.t.Helper()
	return <-cl.replies
}

// cmd sends one line and returns the reply.
func (cl *client) cmd(line string) string {
	cl.t.Helper()
	if _, err := fmt.Fprintf(cl.c, "%s\r\n", line); err != nil {
		return ""
	}
	return cl.reply()
}

func (cl *client) expect(line, prefix string) string {
	cl.t.Helper()
	got := cl.cmd(line)
	if !strings.HasPrefix(lastLine(got), prefix) {
		cl.t.Fatalf("%s: got %q, want %s...", line, got, prefix)
	}
	return got
}

func lastLine(reply string) string {
	if i := strings.LastIndex(reply, "\n"); i >= 0 {
		return reply[i+1:]
	}
	return reply
}

// tlsClient starts implicit TLS (RFC 8314) on a fresh connection.
func tlsClient(t testing.TB, c net.Conn, cfg *tls.Config) *client {
	t.Helper()
	tc := tls.Client(c, cfg)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	return newClient(t, tc)
}
