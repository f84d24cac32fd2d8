package capture

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Config configures the server. Zero values: no TLS, no AUTH, 64 MiB
// messages, no limits.
type Config struct {
	Maildir   string            // where messages go (created if missing)
	TLSConfig *tls.Config       // enables STARTTLS (and ServeTLS)
	Users     map[string]string // user -> password; when set, AUTH is required to send
	MaxSize   int64             // largest message accepted, octets
	Domain    string            // name in the greeting; default "localhost"
	Limits    Limits
	// Log receives one line per message stored; nil: silent. Text that
	// came from the network is escaped (no terminal controls).
	Log io.Writer
	// ErrorLog receives server-side events and errors: connections
	// refused or cut off, failed logins (nil: discarded).
	ErrorLog  io.Writer
	OnMessage func(Stored) // called after each message is stored
}

// Stored describes one message written to the Maildir.
type Stored struct {
	Path       string
	From       string
	Recipients []string
	Size       int64
	Subject    string // decoded
	User       string // authenticated user, if any
	TLS        bool
	Session    string // the session ID: its transcript is MAILDIR/postie-sessions/ID.txt
}

// Server is a running capture server.
type Server struct {
	cfg   Config
	store *store
	auth  *authGuard

	mu        sync.Mutex
	closed    bool
	listeners []net.Listener
	conns     map[*limitConn]struct{}
	perIP     map[string]int
	wg        sync.WaitGroup
	logMu     sync.Mutex
	connSeq   atomic.Int64
}

// New prepares the Maildir and the server.
func New(cfg Config) (*Server, error) {
	if cfg.Maildir == "" {
		return nil, errors.New("capture: no maildir")
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 64 << 20
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	st, err := openStore(cfg.Maildir, cfg.Limits)
	if err != nil {
		return nil, err
	}
	return &Server{
		cfg: cfg, store: st, auth: newAuthGuard(cfg.Users, cfg.Limits),
		conns: map[*limitConn]struct{}{}, perIP: map[string]int{},
	}, nil
}

// Serve accepts plain connections (STARTTLS offered when TLS is configured).
func (s *Server) Serve(ln net.Listener) error { return s.serve(ln, false) }

// ServeTLS accepts implicit-TLS connections (RFC 8314).
func (s *Server) ServeTLS(ln net.Listener) error {
	if s.cfg.TLSConfig == nil {
		return errors.New("capture: implicit TLS needs a certificate")
	}
	return s.serve(ln, true)
}

func (s *Server) serve(ln net.Listener, implicitTLS bool) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				// Out of file descriptors and the like: wait, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		lc, why := s.admit(c)
		if lc == nil {
			s.refuse(c, why, implicitTLS)
			continue
		}
		go s.handle(lc, implicitTLS)
	}
}

func isTemporary(err error) bool {
	t, ok := err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

// admit counts the connection against the caps, or says why not.
func (s *Server) admit(c net.Conn) (*limitConn, string) {
	ip := clientIP(c.RemoteAddr())
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, "server closing"
	case s.cfg.Limits.MaxConns > 0 && len(s.conns) >= s.cfg.Limits.MaxConns:
		return nil, fmt.Sprintf("too many connections (%d)", s.cfg.Limits.MaxConns)
	case s.cfg.Limits.MaxConnsPerIP > 0 && s.perIP[ip] >= s.cfg.Limits.MaxConnsPerIP:
		return nil, fmt.Sprintf("too many connections from %s (%d)", ip, s.cfg.Limits.MaxConnsPerIP)
	}
	lc := newLimitConn(c, s.cfg.Limits)
	s.conns[lc] = struct{}{}
	s.perIP[ip]++
	s.wg.Add(1)
	return lc, ""
}

func (s *Server) release(lc *limitConn) {
	lc.Close()
	ip := clientIP(lc.RemoteAddr())
	s.mu.Lock()
	delete(s.conns, lc)
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	s.mu.Unlock()
	s.wg.Done()
}

// refuse answers 421 (RFC 5321 §3.8: a server may refuse a connection
// with 421 in place of its greeting) and closes, without blocking the
// accept loop on a client that does not read.
func (s *Server) refuse(c net.Conn, why string, implicitTLS bool) {
	s.eventf("refused %s: %s", c.RemoteAddr(), why)
	go func() {
		defer c.Close()
		if !implicitTLS {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(c, "421 4.7.0 %s %s, try again later\r\n", s.cfg.Domain, why)
		}
	}()
}

func clientIP(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}

// handle runs one connection with its own go-smtp server, so limits and
// the transcript belong to this connection alone.
func (s *Server) handle(lc *limitConn, implicitTLS bool) {
	defer s.release(lc)
	id := fmt.Sprintf("%d.%d", lc.start.UnixNano(), s.connSeq.Add(1))
	rec := newRecorder(lc, id, s.cfg.Maildir)
	cs := &connState{srv: s, lc: lc, ip: clientIP(lc.RemoteAddr()), rec: rec}
	var tcfg *tls.Config
	if s.cfg.TLSConfig != nil {
		tcfg = s.cfg.TLSConfig.Clone()
		prev := tcfg.VerifyConnection
		tcfg.VerifyConnection = func(st tls.ConnectionState) error {
			rec.tlsDone(st)
			if prev != nil {
				return prev(st)
			}
			return nil
		}
	}
	gs := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		cs.user = "" // a new session (after STARTTLS) starts unauthenticated, as go-smtp does
		return &session{cs: cs, conn: c, tls: isTLS}, nil
	}))
	gs.Domain = s.cfg.Domain
	gs.MaxMessageBytes = s.cfg.MaxSize
	gs.MaxRecipients = 1000
	gs.TLSConfig = tcfg
	gs.EnableSMTPUTF8 = true
	gs.EnableDSN = true
	gs.ReadTimeout = 5 * time.Minute // RFC 5321 §4.5.3.2.7: 5 minutes for a command
	gs.WriteTimeout = 5 * time.Minute
	gs.AllowInsecureAuth = false
	gs.ErrorLog = logger{s}
	var nc net.Conn = lc
	if implicitTLS {
		nc = tls.Server(lc, tcfg)
	}
	gs.Debug = rec
	gs.Serve(&oneConnListener{c: nc, done: lc.closed})
	// Serve returns as soon as the connection is closed, possibly before
	// go-smtp's handler for it has finished (storing a message, logging
	// out): wait for that, so Close means nothing more is written.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	gs.Shutdown(ctx)
	cancel()
	why := lc.cutReason()
	if why != "" {
		s.eventf("cut off %s: %s", lc.RemoteAddr(), why)
	}
	rec.finish(why)
}

// Close stops the server and its connections.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, ln := range s.listeners {
		ln.Close()
	}
	for lc := range s.conns {
		lc.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// eventf writes one escaped line to the error log.
func (s *Server) eventf(format string, a ...any) {
	if s.cfg.ErrorLog == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.ErrorLog, "postie serve: %s\n", escapeText(fmt.Sprintf(format, a...)))
}

type logger struct{ s *Server }

func (l logger) Printf(f string, a ...any) { l.s.eventf(f, a...) }
func (l logger) Println(a ...any)          { l.s.eventf("%s", fmt.Sprint(a...)) }
