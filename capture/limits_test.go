package capture_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/internal/selfsigned"
)

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type pipeServer struct {
	*capture.Server
	l       *pipeListener
	maildir string
	events  *syncBuffer
	client  *tls.Config // trusts the server's certificate
}

// startPipe runs a capture server on in-memory connections; inside a
// synctest bubble its clock is virtual. tlsOnly serves implicit TLS.
func startPipe(t *testing.T, cfg capture.Config, tlsOnly bool) *pipeServer {
	t.Helper()
	ps := &pipeServer{l: newPipeListener(), maildir: filepath.Join(t.TempDir(), "Maildir"), events: &syncBuffer{}}
	cfg.Maildir, cfg.ErrorLog = ps.maildir, ps.events
	if tlsOnly {
		b, err := selfsigned.New(selfsigned.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLSConfig = b.ServerConfig()
		ps.client = &tls.Config{RootCAs: b.Pool, ServerName: "localhost"}
	}
	srv, err := capture.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ps.Server = srv
	done := make(chan struct{})
	go func() {
		defer close(done)
		if tlsOnly {
			srv.ServeTLS(ps.l)
		} else {
			srv.Serve(ps.l)
		}
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return ps
}

// A client that sends one byte a second is cut off once its average rate
// falls below MinRate, about RateGrace after it starts; it never gets to
// hold the connection for minutes by restarting the per-line timeout.
func TestDripClientIsCutOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := startPipe(t, capture.Config{Limits: capture.Limits{MinRate: 256, RateGrace: 30 * time.Second}}, false)
		cl := newClient(t, ps.l.dial("192.0.2.1"))
		if r := cl.reply(); !strings.HasPrefix(r, "220") {
			t.Fatalf("greeting %q", r)
		}
		start := time.Now()
		line := "NOOP\r\n"
	drip:
		for i := 0; i < 3600; i++ {
			select {
			case <-cl.gone:
				break drip
			default:
			}
			cl.c.Write([]byte{line[i%len(line)]})
			time.Sleep(time.Second)
		}
		<-cl.gone
		held := cl.goneAt.Sub(start)
		if held < 30*time.Second || held > 35*time.Second {
			t.Fatalf("a one-byte-a-second client held the connection for %s; want it cut off after about 30s", held)
		}
		synctest.Wait() // the server has logged
		if !strings.Contains(ps.events.String(), "sending slower than the minimum rate") {
			t.Fatalf("the cut-off is not logged:\n%s", ps.events)
		}
	})
}

// A client that keeps a session alive with a NOOP every few seconds (each
// restarting the per-command timeout) is cut off by MaxSession.
func TestSessionDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := startPipe(t, capture.Config{Limits: capture.Limits{MaxSession: 10 * time.Minute}}, false)
		cl := newClient(t, ps.l.dial("192.0.2.1"))
		cl.reply()
		start := time.Now()
		for i := 0; i < 1000; i++ {
			if r := cl.cmd("NOOP"); !strings.HasPrefix(r, "250") {
				break
			}
			time.Sleep(4 * time.Second) // 4 s of thinking per 6 octets: 1.5 octets/s
		}
		<-cl.gone
		held := cl.goneAt.Sub(start)
		if held < 10*time.Minute-5*time.Second || held > 10*time.Minute+5*time.Second {
			t.Fatalf("a NOOP-every-4s client held the connection for %s; want 10m", held)
		}
		synctest.Wait()
		if !strings.Contains(ps.events.String(), "session longer than 10m0s") {
			t.Fatalf("the cut-off is not logged:\n%s", ps.events)
		}
	})
}

// A client that pauses a few seconds between commands, as a person typing
// does, is not cut off by the minimum rate.
func TestPoliteClientWithinRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := startPipe(t, capture.Config{Limits: capture.Limits{MinRate: 256, RateGrace: 30 * time.Second, MaxSession: 10 * time.Minute}}, false)
		cl := newClient(t, ps.l.dial("192.0.2.1"))
		cl.reply()
		for _, c := range []string{"EHLO me.example", "MAIL FROM:<a@x.test>", "RCPT TO:<b@x.test>", "DATA"} {
			time.Sleep(5 * time.Second) // a person typing, 20 s in all
			cl.expect(c, map[bool]string{true: "354", false: "250"}[c == "DATA"])
		}
		cl.expect("Subject: hi\r\n\r\nslow but steady\r\n.", "250")
		cl.expect("QUIT", "221")
	})
}

// More connections than the caps: the extra ones get 421 and are closed;
// another client address still gets in; a freed slot is reused.
func TestConnectionCaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := startPipe(t, capture.Config{Limits: capture.Limits{MaxConns: 4, MaxConnsPerIP: 3}}, false)
		var open []*client
		for i := 0; i < 3; i++ {
			cl := newClient(t, ps.l.dial("192.0.2.1"))
			if r := cl.reply(); !strings.HasPrefix(r, "220") {
				t.Fatalf("connection %d: %q", i, r)
			}
			open = append(open, cl)
		}
		over := newClient(t, ps.l.dial("192.0.2.1"))
		if r := over.reply(); !strings.HasPrefix(r, "421 4.7.0") || !strings.Contains(r, "too many connections from 192.0.2.1") {
			t.Fatalf("4th connection from one address: %q", r)
		}
		<-over.gone
		other := newClient(t, ps.l.dial("198.51.100.7"))
		if r := other.reply(); !strings.HasPrefix(r, "220") {
			t.Fatalf("another address: %q", r)
		}
		total := newClient(t, ps.l.dial("203.0.113.9"))
		if r := total.reply(); !strings.HasPrefix(r, "421 4.7.0") || !strings.Contains(r, "too many connections (4)") {
			t.Fatalf("5th connection in all: %q", r)
		}
		open[0].expect("QUIT", "221")
		<-open[0].gone
		synctest.Wait() // the server has released the slot
		again := newClient(t, ps.l.dial("192.0.2.1"))
		if r := again.reply(); !strings.HasPrefix(r, "220") {
			t.Fatalf("after a slot was freed: %q", r)
		}
		if !strings.Contains(ps.events.String(), "refused 192.0.2.1:40000: too many connections from 192.0.2.1 (3)") {
			t.Fatalf("refusals not logged:\n%s", ps.events)
		}
	})
}

// 300 wrong passwords: every connection is closed after 3 failures, each
// failure is answered only after a delay that grows for the address, and
// the right password still works for its owner afterwards.
func TestAuthGuessingIsSlowAndCut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := startPipe(t, capture.Config{Users: map[string]string{"demo": "right-pw"},
			Limits: capture.Limits{AuthFailDelay: time.Second, MaxAuthFailures: 3}}, true)
		plain := func(pw string) string { return base64.StdEncoding.EncodeToString([]byte("\x00demo\x00" + pw)) }
		start := time.Now()
		var delays []time.Duration
		attempts, conns := 0, 0
		for attempts < 300 {
			conns++
			cl := tlsClient(t, ps.l.dial("192.0.2.1"), ps.client)
			cl.reply()
			cl.expect("EHLO guesser", "250")
			for n := 1; ; n++ {
				sent := time.Now()
				r := cl.cmd("AUTH PLAIN " + plain(fmt.Sprintf("guess-%d", attempts)))
				attempts++
				delays = append(delays, time.Since(sent))
				if n < 3 {
					if !strings.HasPrefix(r, "535 5.7.8") {
						t.Fatalf("attempt %d on connection %d: %q", n, conns, r)
					}
					continue
				}
				if !strings.HasPrefix(r, "421 4.7.0") {
					t.Fatalf("third failure: %q, want 421 and a hang-up", r)
				}
				answered := time.Now()
				<-cl.gone
				if cl.goneAt.Sub(answered) > time.Second {
					t.Fatalf("the server hung up %s after its 421, not at once", cl.goneAt.Sub(answered))
				}
				break
			}
		}
		if conns != 100 {
			t.Fatalf("300 attempts took %d connections, want 100 (3 each)", conns)
		}
		if delays[0] != time.Second || delays[1] != 2*time.Second || delays[299] != 32*time.Second {
			t.Fatalf("delays %s, %s ... %s; want 1s, 2s ... 32s", delays[0], delays[1], delays[299])
		}
		if took := time.Since(start); took < 2*time.Hour {
			t.Fatalf("300 guesses took only %s", took)
		}
		// The owner still gets in at once.
		cl := tlsClient(t, ps.l.dial("198.51.100.7"), ps.client)
		cl.reply()
		cl.expect("EHLO owner", "250")
		sent := time.Now()
		cl.expect("AUTH PLAIN "+plain("right-pw"), "235")
		if time.Since(sent) != 0 {
			t.Fatalf("a right password waited %s", time.Since(sent))
		}
		// A prefix of the password, or the password with more, is wrong.
		cl2 := tlsClient(t, ps.l.dial("198.51.100.8"), ps.client)
		cl2.reply()
		cl2.expect("EHLO owner", "250")
		cl2.expect("AUTH PLAIN "+plain("right-p"), "535")
		cl2.expect("AUTH PLAIN "+plain("right-pw2"), "535")
	})
}

// Storage caps: MAIL is refused with 452 4.3.1 when the message count is
// reached; a message that would pass the byte cap is refused at its end
// and leaves nothing behind; deleting a file makes room again.
func TestStorageCaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := startPipe(t, capture.Config{Limits: capture.Limits{MaxMessages: 2, MaxStoredBytes: 4000}}, false)
		cl := newClient(t, ps.l.dial("192.0.2.1"))
		cl.reply()
		cl.expect("EHLO x", "250")
		send := func(body string) string {
			cl.expect("MAIL FROM:<a@x.test>", "250")
			cl.expect("RCPT TO:<b@x.test>", "250")
			cl.expect("DATA", "354")
			return cl.cmd("Subject: s\r\n\r\n" + body + "\r\n.")
		}
		if r := send(strings.Repeat(strings.Repeat("y", 70)+"\r\n", 60)); !strings.HasPrefix(r, "452 4.3.1") {
			t.Fatalf("a message over the byte cap: %q", r)
		}
		if n := countFiles(t, ps.maildir); n != 0 {
			t.Fatalf("%d files left after a refused message", n)
		}
		for i := 0; i < 2; i++ {
			if r := send("small"); !strings.HasPrefix(r, "250") {
				t.Fatalf("message %d: %q", i, r)
			}
		}
		if r := cl.cmd("MAIL FROM:<a@x.test>"); !strings.HasPrefix(r, "452 4.3.1") {
			t.Fatalf("third message: %q", r)
		}
		files, _ := filepath.Glob(filepath.Join(ps.maildir, "new", "*"))
		os.Remove(files[0])
		cl.expect("MAIL FROM:<a@x.test>", "250")
		cl.expect("QUIT", "221")
	})
}

func countFiles(t *testing.T, maildir string) int {
	n := 0
	for _, d := range []string{"tmp", "new", "cur"} {
		f, _ := filepath.Glob(filepath.Join(maildir, d, "*"))
		n += len(f)
	}
	return n
}
