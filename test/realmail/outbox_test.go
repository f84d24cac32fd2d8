package realmail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postie/postie/deliver"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
	"github.com/postie/postie/smtp"
)

// proxy forwards a loopback port to a real server and can be switched
// off, so a test can take "the submission port" down without touching
// the shared Postfix.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func (p *proxy) up(t *testing.T) {
	t.Helper()
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestOutboxQueuedWhileServerDown queues a message while Postfix's
// submission port is unreachable, keeps no secret in the queue, and
// delivers it once the port is back: exactly one copy in the mailbox.
func TestOutboxQueuedWhileServerDown(t *testing.T) {
	env := servers(t)
	ca, err := os.ReadFile(env["REALMAIL_CA"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	p := &proxy{target: env["REALMAIL_SUBMISSION"]}
	p.up(t)
	p.down()
	t.Cleanup(p.down)

	dir := t.TempDir() + "/queue"
	clock := outboxtest.NewClock(time.Now())
	s, err := local.Open(dir, &local.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := testID()
	msg := "From: alice@mail.test\r\nTo: bob@mail.test\r\nSubject: outbox while down\r\nX-Test-Id: " + id + "\r\n\r\nqueued first, delivered later\r\n"
	e, err := outbox.Submit(context.Background(), s, &outbox.Entry{
		Route:      outbox.Route{Server: "mail.test:2587", TLS: "starttls", User: "alice@mail.test", Secret: "test:alice"},
		From:       "alice@mail.test",
		Recipients: []outbox.Recipient{{Addr: "bob@mail.test"}},
	}, strings.NewReader(msg), &outbox.SubmitOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"test:alice": "secret-alice"} // what a keyring or password file would hold
	r := &outbox.Runner{
		Store: s, Clock: clock, Schedule: outbox.Schedule{Delays: []time.Duration{time.Minute}},
		Connect: func(ctx context.Context, tg outbox.Target) (outbox.Session, error) {
			// Credentials are looked up now, at delivery, never stored.
			relay := &deliver.Relay{
				Addr: p.addr, TLS: smtp.TLSStartTLS,
				TLSConfig:   &tls.Config{ServerName: "mail.test", RootCAs: pool},
				Credentials: &smtp.Credentials{Username: tg.Route.User, Password: secrets[tg.Route.Secret]},
			}
			return relay.Connect(ctx)
		},
	}
	rep, err := r.Run(context.Background())
	if err != nil || rep.Deferred != 1 {
		t.Fatalf("with the port down: %+v, %v", rep, err)
	}
	if g, _ := s.Get(context.Background(), e.ID); g.Recipients[0].State != outbox.Deferred || !strings.Contains(g.Recipients[0].Last().Error, "connect") {
		t.Fatalf("%+v", g.Recipients[0])
	}
	// No secret at rest: not in any file of the queue.
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), "secret-alice") {
			t.Errorf("%s contains the password", path)
		}
		return nil
	})

	p.up(t)
	clock.Advance(2 * time.Minute)
	rep, err = r.Run(context.Background())
	if err != nil || rep.Delivered != 1 {
		t.Fatalf("with the port back: %+v, %v", rep, err)
	}
	if got := copies(t, env, "bob", id, 1); len(got) != 1 {
		t.Fatalf("%d copies in bob's mailbox, want 1", len(got))
	}
	g, err := s.Get(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := g.Recipients[0].Last()
	if g.Recipients[0].State != outbox.Delivered || last.QueueID == "" || g.Recipients[0].Attempts != 2 {
		t.Fatalf("%+v", g.Recipients[0])
	}
	if _, err := s.Body(context.Background(), e.ID); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("a delivered message's bytes are still kept: %v", err)
	}
}

// TestCLIQueuedWhileSubmissionDown is the same through the binary:
// 'postie send --queue' while Postfix's submission port is unreachable
// exits 0 saying "queued"; no password is anywhere under the queue
// directory; 'postie queue run' once the port is back delivers it, and
// bob's Maildir has exactly one copy.
func TestCLIQueuedWhileSubmissionDown(t *testing.T) {
	env := servers(t)
	p := &proxy{target: env["REALMAIL_SUBMISSION"]}
	p.up(t)
	p.down()
	t.Cleanup(p.down)
	queue := filepath.Join(t.TempDir(), "queue")
	pw := secretFile(t, "secret-alice")
	qenv := []string{"POSTIE_QUEUE_DIR=" + queue}
	id := testID()
	r := postie(t, "", qenv, "send", "--queue", "--server", p.addr, "--tls", "starttls", "--cacert", env["REALMAIL_CA"],
		"--user", "alice@mail.test", "--password-file", pw, "--from", "alice@mail.test", "--to", "bob@mail.test",
		"--subject", "queued while the port was down", "--header", "X-Test-Id: "+id, "--text", "queued first, delivered later")
	if r.code != 0 || !strings.Contains(r.stderr, "postie: queued <bob@mail.test> as ") || !strings.Contains(r.stderr, "connection refused") {
		t.Fatalf("send --queue with the port down: exit %d\n%s", r.code, r.stderr)
	}
	filepath.Walk(queue, func(path string, fi os.FileInfo, err error) error {
		if b, err := os.ReadFile(path); err == nil && (strings.Contains(string(b), "secret-alice") || strings.Contains(string(b), "c2VjcmV0LWFsaWNl")) {
			t.Errorf("%s contains the password", path)
		}
		return nil
	})
	if got := copiesNow(env, "bob", id); len(got) != 0 {
		t.Fatalf("delivered while the port was down?")
	}

	p.up(t)
	if r := postie(t, "", qenv, "queue", "retry", "--all"); r.code != 0 {
		t.Fatalf("queue retry: %d %s", r.code, r.stderr)
	}
	r = postie(t, "", qenv, "queue", "run")
	if r.code != 0 || !strings.Contains(r.stderr, "postie: delivered ") {
		t.Fatalf("queue run with the port back: exit %d\n%s", r.code, r.stderr)
	}
	if got := copies(t, env, "bob", id, 1); len(got) != 1 {
		t.Fatalf("%d copies in bob's mailbox, want 1", len(got))
	}
	// A second run sends nothing more.
	if r := postie(t, "", qenv, "queue", "run"); r.code != 0 || r.stderr != "" {
		t.Fatalf("a second run: exit %d %q", r.code, r.stderr)
	}
	if got := copies(t, env, "bob", id, 1); len(got) != 1 {
		t.Fatalf("%d copies after a second run", len(got))
	}
}
