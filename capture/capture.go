// Package capture is postie's embedded SMTP server (postie serve, postie
// demo): it accepts mail on loopback and stores each message as a file in
// a Maildir. The SMTP server side is emersion/go-smtp; this package adds
// Maildir storage, optional AUTH PLAIN/LOGIN (only after TLS) and a
// one-line log per message.
package capture

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Config configures the server. Zero values: no TLS, no AUTH, 64 MiB limit.
type Config struct {
	Maildir   string            // where messages go (created if missing)
	TLSConfig *tls.Config       // enables STARTTLS (and ServeTLS)
	Users     map[string]string // user -> password; when set, AUTH is required to send
	MaxSize   int64             // largest message accepted, octets
	Domain    string            // name in the greeting; default "localhost"
	Log       io.Writer         // one line per message received; nil: silent
	OnMessage func(Stored)      // called after each message is stored
	// ErrorLog receives server-side errors (nil: discarded).
	ErrorLog io.Writer
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
}

// Server is a running capture server.
type Server struct {
	cfg Config
	srv *gosmtp.Server
	seq atomic.Int64
	mu  sync.Mutex
}

// New prepares the Maildir and the server.
func New(cfg Config) (*Server, error) {
	if cfg.Maildir == "" {
		return nil, errors.New("capture: no maildir")
	}
	for _, d := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(cfg.Maildir, d), 0o700); err != nil {
			return nil, err
		}
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 64 << 20
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	s := &Server{cfg: cfg}
	gs := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{s: s, tls: isTLS, conn: c}, nil
	}))
	gs.Domain = cfg.Domain
	gs.MaxMessageBytes = cfg.MaxSize
	gs.MaxRecipients = 1000
	gs.TLSConfig = cfg.TLSConfig
	gs.EnableSMTPUTF8 = true
	gs.EnableDSN = true
	gs.ReadTimeout = 5 * time.Minute
	gs.WriteTimeout = 5 * time.Minute
	gs.AllowInsecureAuth = false
	w := cfg.ErrorLog
	if w == nil {
		w = io.Discard
	}
	gs.ErrorLog = logger{w}
	s.srv = gs
	return s, nil
}

type logger struct{ w io.Writer }

func (l logger) Printf(f string, a ...any) { fmt.Fprintf(l.w, "postie serve: "+f+"\n", a...) }
func (l logger) Println(a ...any)          { fmt.Fprintln(l.w, append([]any{"postie serve:"}, a...)...) }

// Serve accepts plain connections (STARTTLS offered when TLS is configured).
func (s *Server) Serve(ln net.Listener) error { return ignoreClosed(s.srv.Serve(ln)) }

// ServeTLS accepts implicit-TLS connections (RFC 8314).
func (s *Server) ServeTLS(ln net.Listener) error {
	if s.cfg.TLSConfig == nil {
		return errors.New("capture: implicit TLS needs a certificate")
	}
	return ignoreClosed(s.srv.Serve(tls.NewListener(ln, s.cfg.TLSConfig)))
}

func ignoreClosed(err error) error {
	if errors.Is(err, gosmtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Close stops the server and its connections.
func (s *Server) Close() error { return s.srv.Close() }

type session struct {
	s    *Server
	conn *gosmtp.Conn
	tls  bool
	user string
	from string
	to   []string
}

var errAuthRequired = &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
var errBadCreds = &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

func (se *session) AuthMechanisms() []string {
	if len(se.s.cfg.Users) == 0 {
		return nil
	}
	return []string{gosasl.Plain, gosasl.Login}
}

func (se *session) check(user, pass string) error {
	want, ok := se.s.cfg.Users[user]
	if !ok || want != pass {
		return errBadCreds
	}
	se.user = user
	return nil
}

func (se *session) Auth(mech string) (gosasl.Server, error) {
	switch mech {
	case gosasl.Plain:
		return gosasl.NewPlainServer(func(identity, user, pass string) error {
			if identity != "" && identity != user {
				return errBadCreds
			}
			return se.check(user, pass)
		}), nil
	case gosasl.Login:
		return &loginServer{check: se.check}, nil
	}
	return nil, gosasl.ErrUnexpectedClientResponse
}

// loginServer is the server side of AUTH LOGIN (go-sasl no longer has one).
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		return nil, true, l.check(l.user, string(resp))
	}
	return nil, false, gosasl.ErrUnexpectedClientResponse
}

func (se *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if len(se.s.cfg.Users) > 0 && se.user == "" {
		return errAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

// Data writes the message to tmp/ and renames it into new/, so a reader
// of the Maildir never sees a partial file (the Maildir protocol).
func (se *session) Data(r io.Reader) error {
	s := se.s
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", "_", ":", "_").Replace(host)
	name := fmt.Sprintf("%d.P%dQ%d.%s", time.Now().UnixNano(), os.Getpid(), s.seq.Add(1), host)
	tmp := filepath.Join(s.cfg.Maildir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return tempFail(err)
	}
	bw := bufio.NewWriter(f)
	proto := "ESMTP"
	if se.tls {
		proto = "ESMTPS"
	}
	if se.user != "" {
		proto += "A"
	}
	fmt.Fprintf(bw, "Return-Path: <%s>\r\nReceived: from %s (%s)\r\n\tby %s (postie serve) with %s;\r\n\t%s\r\n",
		se.from, se.conn.Hostname(), se.conn.Conn().RemoteAddr(), s.cfg.Domain, proto, time.Now().Format(time.RFC1123Z))
	n, err := io.Copy(bw, r)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		var se *gosmtp.SMTPError
		if errors.As(err, &se) {
			return err
		}
		return tempFail(err)
	}
	final := filepath.Join(s.cfg.Maildir, "new", name)
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return tempFail(err)
	}
	st := Stored{Path: final, From: se.from, Recipients: append([]string(nil), se.to...), Size: n, User: se.user, TLS: se.tls}
	st.Subject = subjectOf(final)
	if s.cfg.Log != nil {
		s.mu.Lock()
		fmt.Fprintf(s.cfg.Log, "received from=<%s> to=<%s> size=%d subject=%q file=%s\n",
			st.From, strings.Join(st.Recipients, ">,<"), st.Size, st.Subject, filepath.Join("new", name))
		s.mu.Unlock()
	}
	if s.cfg.OnMessage != nil {
		s.cfg.OnMessage(st)
	}
	return nil
}

func tempFail(err error) error {
	return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "local error: " + err.Error()}
}

func subjectOf(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	m, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, 1<<20)))
	if err != nil {
		return ""
	}
	raw := m.Header.Get("Subject")
	dec, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil {
		return raw
	}
	return dec
}
