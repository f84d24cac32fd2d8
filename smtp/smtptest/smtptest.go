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
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

func (s *Server) step(connp *net.Conn, rp **bufio.Reader, step string) error {
	conn, r := *connp, *rp
	switch {
	case strings.HasPrefix(step, "S: ") || step == "S:":
		_, err := io.WriteString(conn, strings.TrimPrefix(strings.TrimPrefix(step, "S:"), " ")+"\r\n")
		return err
	case step == "C: <data>":
		var buf bytes.Buffer
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return fmt.Errorf("reading data: %w", err)
			}
			if l == ".\r\n" {
				break
			}
			buf.WriteString(l)
			if buf.Len() > 64<<20 {
				return errors.New("data over 64 MiB")
			}
		}
		s.mu.Lock()
		s.data = append(s.data, buf.Bytes())
		s.mu.Unlock()
		return nil
	case step == "C: <bdat>":
		l, err := s.readLine(r)
		if err != nil {
			return err
		}
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "BDAT" {
			return fmt.Errorf("want BDAT, got %q", l)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 0 {
			return fmt.Errorf("bad BDAT size in %q", l)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		s.mu.Lock()
		s.data = append(s.data, buf)
		s.mu.Unlock()
		return nil
	case strings.HasPrefix(step, "C: "):
		want := strings.TrimPrefix(step, "C: ")
		got, err := s.readLine(r)
		if err != nil {
			return err
		}
		if !match(want, got) {
			return fmt.Errorf("client sent %q", got)
		}
		return nil
	case step == "!starttls-reject":
		// The client must refuse the certificate: a failed handshake
		// is the expected outcome.
		tc := tls.Server(conn, s.TLSConfig)
		if err := tc.Handshake(); err == nil {
			return errors.New("client accepted a certificate it should have refused")
		}
		return errStop
	case step == "!starttls":
		tc := tls.Server(conn, s.TLSConfig)
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		*connp, *rp = tc, bufio.NewReader(tc)
		return nil
	case step == "!close":
		return conn.Close()
	case step == "!stall":
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		io.Copy(io.Discard, r)
		return nil
	case step == "!eof":
		// A client that closes with replies still unread makes its
		// kernel reset the connection: that is a close too.
		if l, err := r.ReadString('\n'); l != "" || err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
			return fmt.Errorf("want client to close, got %q %v", l, err)
		}
		return nil
	case strings.HasPrefix(step, "!sleep "):
		d, err := time.ParseDuration(strings.TrimPrefix(step, "!sleep "))
		if err != nil {
			return err
		}
		time.Sleep(d)
		return nil
	case strings.HasPrefix(step, "!raw "):
		txt, err := strconv.Unquote(`"` + strings.TrimPrefix(step, "!raw ") + `"`)
		if err != nil {
			return err
		}
		_, err = io.WriteString(conn, txt)
		return err
	case strings.HasPrefix(step, "!drip "):
		f := strings.SplitN(strings.TrimPrefix(step, "!drip "), " ", 2)
		d, err := time.ParseDuration(f[0])
		if err != nil || len(f) < 2 {
			return fmt.Errorf("bad drip step")
		}
		conn.SetDeadline(time.Now().Add(time.Minute))
		for _, b := range []byte(f[1] + "\r\n") {
			if _, err := conn.Write([]byte{b}); err != nil {
				return nil // the client gave up: that is what drip tests
			}
			time.Sleep(d)
		}
		return nil
	case strings.HasPrefix(step, "!flood "):
		f := strings.SplitN(strings.TrimPrefix(step, "!flood "), " ", 2)
		n, err := strconv.Atoi(f[0])
		if err != nil || len(f) < 2 {
			return fmt.Errorf("bad flood step")
		}
		w := bufio.NewWriter(conn)
		for i := 0; i < n; i++ {
			if _, err := w.WriteString(f[1] + "\r\n"); err != nil {
				return nil // the client stopped reading: expected
			}
		}
		w.Flush()
		return nil
	case strings.HasPrefix(step, "!longline "):
		n, err := strconv.Atoi(strings.TrimPrefix(step, "!longline "))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(conn)
		w.WriteString("250 ")
		for i := 0; i < n; i++ {
			if err := w.WriteByte('x'); err != nil {
				return nil
			}
		}
		w.WriteString("\r\n")
		w.Flush()
		return nil
	}
	return fmt.Errorf("unknown script step")
}

// match reports whether got matches pattern, where each * stands for any
// run of characters (possibly empty).
func match(pattern, got string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == got
	}
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	got = got[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(got, p)
		}
		j := strings.Index(got, p)
		if j < 0 {
			return false
		}
		got = got[j+len(p):]
	}
	return true
}
