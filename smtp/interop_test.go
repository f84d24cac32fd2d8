package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/sasl"
	"github.com/postie/postie/smtp"
)

// An independent server: emersion/go-smtp, with PIPELINING, CHUNKING,
// SMTPUTF8, DSN and STARTTLS on. It records what it was told.
type peer struct {
	mu       sync.Mutex
	msgs     []peerMsg
	rejectTo map[string]bool
}

type peerMsg struct {
	from string
	opts gosmtp.MailOptions
	to   []string
	rcpt []gosmtp.RcptOptions
	data []byte
	user string
}

type peerSession struct {
	p   *peer
	cur peerMsg
}

func (s *peerSession) AuthMechanisms() []string { return []string{gosasl.Plain} }
func (s *peerSession) Auth(string) (gosasl.Server, error) {
	return gosasl.NewPlainServer(func(_, u, p string) error {
		if u == "u" && p == "p" {
			s.cur.user = u
			return nil
		}
		return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "no"}
	}), nil
}
func (s *peerSession) Mail(from string, o *gosmtp.MailOptions) error {
	s.cur.from = from
	if o != nil {
		s.cur.opts = *o
	}
	return nil
}
func (s *peerSession) Rcpt(to string, o *gosmtp.RcptOptions) error {
	if s.p.rejectTo[to] {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "unknown"}
	}
	s.cur.to = append(s.cur.to, to)
	if o != nil {
		s.cur.rcpt = append(s.cur.rcpt, *o)
	}
	return nil
}
func (s *peerSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.p.mu.Lock()
	s.p.msgs = append(s.p.msgs, s.cur)
	s.p.mu.Unlock()
	user := s.cur.user
	s.cur = peerMsg{user: user}
	return nil
}
func (s *peerSession) Reset()        { user := s.cur.user; s.cur = peerMsg{user: user} }
func (s *peerSession) Logout() error { return nil }

func startPeer(t testing.TB, p *peer, maxRcpt int) (string, *tls.Config) {
	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &peerSession{p: p}, nil }))
	srv.Domain = "peer.test"
	srv.TLSConfig = b.ServerConfig()
	srv.EnableSMTPUTF8, srv.EnableDSN = true, true
	srv.MaxMessageBytes = 50 << 20
	srv.MaxRecipients = maxRcpt
	srv.ErrorLog = nopLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), &tls.Config{RootCAs: b.Pool, ServerName: "localhost"}
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

func TestInteropGoSMTP(t *testing.T) {
	for _, mode := range []struct {
		name             string
		noPipe, noChunks bool
	}{{"pipelining+bdat", false, false}, {"pipelining+data", false, true}, {"sequential+data", true, true}} {
		t.Run(mode.name, func(t *testing.T) {
			p := &peer{rejectTo: map[string]bool{"nobody@peer.test": true}}
			addr, tc := startPeer(t, p, 0)
			ctx := context.Background()
			c, err := smtp.Dial(ctx, addr, &smtp.Options{TLSConfig: tc, DisablePipelining: mode.noPipe, DisableChunking: mode.noChunks})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Auth(ctx, sasl.Plain("", "u", "p")); err != nil {
				t.Fatal(err)
			}
			body := "Subject: interop\r\n\r\nline\n.dot\r\nbare\rcr\r\n" + strings.Repeat("y", 998) + "\r\n"
			env := &smtp.Envelope{From: "发件人@peer.test", To: []string{"a@peer.test", "nobody@peer.test", "b@peer.test"},
				Mail: smtp.MailOptions{Size: int64(len(body)), Body8Bit: true, DSNRet: smtp.DSNReturnHeaders, DSNEnvID: "env 1"},
				Rcpt: smtp.RcptOptions{Notify: smtp.NotifyFailure | smtp.NotifyDelay, ORcpt: "a@peer.test"}}
			// Send twice over one connection: RSET-free reuse.
			for i := 0; i < 2; i++ {
				res, err := c.Send(ctx, env, smtp.BytesBody([]byte(body)))
				if err != nil {
					t.Fatal(err)
				}
				if d := strings.Join(res.Delivered(), ","); d != "a@peer.test,b@peer.test" {
					t.Fatalf("delivered %s", d)
				}
				var se *smtp.Error
				if f := res.Failed(); len(f) != 1 || !errors.As(f[0].Err, &se) || se.Code != 550 {
					t.Fatalf("failed %+v", f)
				}
			}
			if err := c.Noop(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			if len(p.msgs) != 2 {
				t.Fatalf("%d messages", len(p.msgs))
			}
			m := p.msgs[0]
			want := "Subject: interop\r\n\r\nline\r\n.dot\r\nbare\r\ncr\r\n" + strings.Repeat("y", 998) + "\r\n"
			if string(m.data) != want {
				t.Fatalf("data:\n%q\nwant\n%q", m.data, want)
			}
			if m.from != "发件人@peer.test" || !m.opts.UTF8 || m.opts.Body != gosmtp.Body8BitMIME || m.opts.Size != int64(len(body)) {
				t.Fatalf("MAIL options %+v from %q", m.opts, m.from)
			}
			if m.opts.Return != gosmtp.DSNReturnHeaders || m.opts.EnvelopeID != "env 1" {
				t.Fatalf("DSN MAIL options %+v", m.opts)
			}
			if len(m.rcpt) != 2 || m.rcpt[0].OriginalRecipient != "a@peer.test" || len(m.rcpt[0].Notify) != 2 {
				t.Fatalf("DSN RCPT options %+v", m.rcpt)
			}
			if m.user != "u" {
				t.Fatal("not authenticated")
			}
		})
	}
}

// go-smtp limits recipients per transaction (452 4.5.3): the rest go in a
// second transaction on the same connection, each recipient exactly once.
func TestInteropRecipientLimit(t *testing.T) {
	p := &peer{}
	addr, tc := startPeer(t, p, 3)
	ctx := context.Background()
	c, err := smtp.Dial(ctx, addr, &smtp.Options{TLSConfig: tc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit(ctx)
	var to []string
	for i := 0; i < 8; i++ {
		to = append(to, string(rune('a'+i))+"@peer.test")
	}
	res, err := c.Send(ctx, &smtp.Envelope{From: "s@peer.test", To: to}, smtp.BytesBody([]byte("Subject: x\r\n\r\nx\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Delivered()) != 8 || len(res.Transactions) != 3 {
		t.Fatalf("delivered %d in %d transactions", len(res.Delivered()), len(res.Transactions))
	}
	seen := map[string]int{}
	for _, m := range p.msgs {
		for _, r := range m.to {
			seen[r]++
		}
	}
	for _, r := range to {
		if seen[r] != 1 {
			t.Fatalf("%s got %d copies", r, seen[r])
		}
	}
}

// IPv6 loopback: the engine dials [::1] and verifies the certificate's
// IP SAN ::1 (a certificate without it is refused).
func TestInteropIPv6(t *testing.T) {
	p := &peer{}
	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &peerSession{p: p}, nil }))
	srv.TLSConfig = b.ServerConfig()
	srv.ErrorLog = nopLogger{}
	go srv.Serve(ln)
	defer srv.Close()
	ctx := context.Background()
	c, err := smtp.Dial(ctx, ln.Addr().String(), &smtp.Options{TLSConfig: &tls.Config{RootCAs: b.Pool}})
	if err != nil {
		t.Fatal(err)
	}
	// (For an IP no SNI is sent, so ConnectionState.ServerName is empty:
	// the verified chain and the refusal below show what was checked.)
	if st, ok := c.TLSConnectionState(); !ok || len(st.VerifiedChains) == 0 {
		t.Fatalf("TLS %v, verified chains %d", ok, len(st.VerifiedChains))
	}
	noIP, err := selfsigned.New(selfsigned.Options{Hosts: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	ln2, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	srv2 := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &peerSession{p: p}, nil }))
	srv2.TLSConfig = noIP.ServerConfig()
	srv2.ErrorLog = nopLogger{}
	go srv2.Serve(ln2)
	defer srv2.Close()
	_, err = smtp.Dial(ctx, ln2.Addr().String(), &smtp.Options{TLSConfig: &tls.Config{RootCAs: noIP.Pool}})
	var te *smtp.TLSError
	if !errors.As(err, &te) {
		t.Fatalf("a certificate without IP SAN ::1: err = %v, want TLSError", err)
	}
	if _, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody([]byte("Subject: v6\r\n\r\nhi\r\n"))); err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	if len(p.msgs) != 1 {
		t.Fatalf("%d messages", len(p.msgs))
	}
}

// SendAll pipelines each message's commands behind the previous dot; every
// message still gets its own exact outcome.
func TestSendAllInterop(t *testing.T) {
	p := &peer{rejectTo: map[string]bool{"nobody@peer.test": true}}
	addr, tc := startPeer(t, p, 0)
	ctx := context.Background()
	c, err := smtp.Dial(ctx, addr, &smtp.Options{TLSConfig: tc, DisableChunking: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit(ctx)
	var jobs []smtp.Job
	for i := 0; i < 30; i++ {
		to := []string{fmt.Sprintf("r%d@peer.test", i)}
		switch i % 10 {
		case 3:
			to = []string{"nobody@peer.test"} // every recipient refused
		case 7:
			to = append(to, "nobody@peer.test") // one refused
		}
		jobs = append(jobs, smtp.Job{Env: &smtp.Envelope{From: "s@peer.test", To: to},
			Body: smtp.BytesBody([]byte(fmt.Sprintf("Subject: %d\r\n\r\nmessage %d\r\n", i, i)))})
	}
	res, errs := c.SendAll(ctx, jobs)
	for i := range jobs {
		if i%10 == 3 {
			if errs[i] == nil || len(res[i].Delivered()) != 0 {
				t.Fatalf("job %d: err %v delivered %v", i, errs[i], res[i].Delivered())
			}
			continue
		}
		if errs[i] != nil || len(res[i].Delivered()) != 1 {
			t.Fatalf("job %d: %v %v", i, errs[i], res[i])
		}
	}
	if len(p.msgs) != 27 {
		t.Fatalf("peer got %d messages, want 27", len(p.msgs))
	}
	for _, m := range p.msgs {
		var n int
		fmt.Sscanf(string(m.data), "Subject: %d", &n)
		if m.to[0] != fmt.Sprintf("r%d@peer.test", n) {
			t.Fatalf("message %d went to %v", n, m.to)
		}
	}
}
