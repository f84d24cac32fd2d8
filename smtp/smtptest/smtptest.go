// Package smtptest runs scripted fake SMTP servers for tests, in the
// manner of net/http/httptest. A script is the exact dialogue:
//
//	S: 220 mx.test ESMTP          server sends the line (CRLF added)
//	C: EHLO *                     server reads a line; it must match
//	                              (each * matches any run of characters)
//	C: <data>                     server reads DATA content up to ".\r\n"
//	C: <bdat>                     server reads one "BDAT n [LAST]" and its n octets
//	!starttls                     server performs the TLS handshake
//	!close                        server closes the connection
//	!sleep 200ms                  server pauses
//	!raw 250 x\r\n                server writes the Go-quoted text as is, no CRLF added
//	!drip 100ms 250 slow          server sends the line one byte per interval
//	!flood 100000 250-x           server sends the line that many times
//	!longline 5000000             server sends one line of that many 'x' bytes
//	!stall                        server reads and discards until the client leaves
//	!eof                          server expects the client to close
//	!tls-reject                   (first line, implicit TLS) the client must refuse the certificate
//	!starttls-reject              the client must refuse the certificate after STARTTLS
//
// Lines starting with # and blank lines are ignored.
package smtptest

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postie/postie/internal/selfsigned"
)

// Server serves one connection per script run, on 127.0.0.1 port 0.
type Server struct {
	Addr      string
	TLSConfig *tls.Config // used by !starttls and by NewTLS
	Pool      *x509.CertPool

	script   []string
	implicit bool
	ln       net.Listener
	mu       sync.Mutex
	data     [][]byte
	received []string
	err      error
	done     chan struct{}
}

// errStop ends a script early, as planned.
var errStop = errors.New("stop")

// Load reads a script file (for scripts kept in testdata/).
func Load(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// New starts a plain-text scripted server. The script's end is checked
// by Wait or, at the latest, at test cleanup.
func New(t testing.TB, script string) *Server {
	return start(t, script, false, nil)
}

// NewTLS starts a server that speaks TLS from the first byte.
func NewTLS(t testing.TB, script string) *Server {
	return start(t, script, true, nil)
}

// NewWithTLS starts a server using cfg for !starttls (or implicit TLS when
// implicit is set): for certificate and version tests.
func NewWithTLS(t testing.TB, script string, implicit bool, cfg *tls.Config) *Server {
	return start(t, script, implicit, cfg)
}

var (
	bundleOnce sync.Once
	bundle     *selfsigned.Bundle
	bundleErr  error
)

// Certs returns the certificate bundle the servers use by default (for
// localhost, 127.0.0.1 and ::1).
func Certs() (*selfsigned.Bundle, error) {
	bundleOnce.Do(func() { bundle, bundleErr = selfsigned.New(selfsigned.Options{}) })
	return bundle, bundleErr
}

func start(t testing.TB, script string, implicit bool, cfg *tls.Config) *Server {
	t.Helper()
	s, err := Start(script, implicit, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Strict: whatever the test did with Wait, the script must have run
	// to its end exactly as written. A client that sent something else,
	// sent more, or stopped early fails the test here.
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("smtptest: %v", err)
			return
		}
		if err := s.Err(); err != nil {
			t.Errorf("smtptest: the client did not follow the script: %v", err)
		}
	})
	return s
}

// Start runs a scripted server outside a *testing.T (testscript commands,
// benchmarks). Close stops it.
func Start(script string, implicit bool, cfg *tls.Config) (*Server, error) {
	b, err := Certs()
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = b.ServerConfig()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Addr: ln.Addr().String(), TLSConfig: cfg, Pool: b.Pool,
		script: parse(script), implicit: implicit, ln: ln, done: make(chan struct{}),
	}
	go s.serve()
	return s, nil
}

// Close stops listening and waits (at most 10s) for the script to end.
func (s *Server) Close() error {
	s.ln.Close()
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("script did not finish within 10s of Close")
	}
}

func parse(script string) []string {
	var out []string
	for _, l := range strings.Split(script, "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		out = append(out, strings.TrimLeft(l, " \t"))
	}
	return out
}

// Wait blocks until the script ended and returns the first deviation
// from it (nil when the client did exactly what the script says).
func (s *Server) Wait() error {
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		return errors.New("smtptest: script still running after 30s")
	}
	return s.Err()
}

// Err returns the first deviation from the script seen so far.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Data returns the raw content received with each C: <data> or <bdat>
// (dot-stuffed, exactly as on the wire, without the terminator).
func (s *Server) Data() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

// Received returns every command line the client sent.
func (s *Server) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

func (s *Server) fail(format string, a ...any) {
	s.mu.Lock()
	if s.err == nil {
		s.err = fmt.Errorf(format, a...)
	}
	s.mu.Unlock()
}

func (s *Server) serve() {
	defer close(s.done)
	conn, err := s.ln.Accept()
	if err != nil {
		s.fail("accept: %v", err)
		return
	}
	s.ln.Close()
	defer conn.Close()
	if s.implicit {
		tc := tls.Server(conn, s.TLSConfig)
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		err := tc.Handshake()
		if len(s.script) > 0 && s.script[0] == "!tls-reject" {
			// The script expects the client to refuse the certificate.
			if err == nil {
				s.fail("client accepted a certificate it should have refused")
			}
			return
		}
		if err != nil {
			s.fail("implicit TLS handshake: %v", err)
			return
		}
		tc.SetDeadline(time.Time{})
		conn = tc
	}
	r := bufio.NewReader(conn)
	for i, step := range s.script {
		// A step must happen within 10s: a test client that hangs fails
		// rather than blocking the suite.
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if err := s.step(&conn, &r, step); err != nil {
			if err != errStop {
				s.fail("script line %d %q: %v", i+1, step, err)
			}
			return
		}
	}
	// Bytes the client pipelined beyond the script's last step are a
	// deviation too (a command the script does not expect).
	if n := r.Buffered(); n > 0 {
		extra, _ := r.Peek(n)
		s.fail("client sent %q after the script's end", clipBytes(extra, 80))
	}
}

func clipBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func (s *Server) readLine(r *bufio.Reader) (string, error) {
	l, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(l, "\r\n") {
		return "", fmt.Errorf("line without CRLF: %q", l)
	}
	l = strings.TrimSuffix(l, "\r\n")
	s.mu.Lock()
	s.received = append(s.received, l)
	s.mu.Unlock()
	return l, nil
}
