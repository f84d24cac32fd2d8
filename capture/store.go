package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// store writes messages into a Maildir and keeps the storage caps.
//
// Line endings: every line of a stored file ends in CRLF, including lines
// a client ended with a bare LF or a bare CR. CRLF is the form RFC 5322
// §2.1 defines and the form the message had on the wire, so a stored file
// is byte for byte what a conforming client sent (after our Return-Path
// and Received lines), DKIM signatures can be checked on the file as it
// is, and the web inbox serves it unchanged. Maildir readers (Dovecot,
// mutt, Python's mailbox, Mailpit) accept CRLF files.
type store struct {
	dir  string
	lim  Limits
	host string
	seq  atomic.Int64

	mu    sync.Mutex
	count int   // messages in new/ and cur/, plus those being written
	bytes int64 // their octets, plus those being written
}

var errStorageFull = &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1}, Message: "Mailbox full: the server's storage cap is reached"}

func openStore(dir string, lim Limits) (*store, error) {
	for _, d := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
	}
	host, _ := os.Hostname()
	st := &store{dir: dir, lim: lim, host: strings.NewReplacer("/", "_", ":", "_").Replace(host)}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st, st.recountLocked()
}

// recountLocked counts what is in new/ and cur/ now: files may have been
// removed by the web inbox or by hand since the last count.
func (st *store) recountLocked() error {
	if st.lim.MaxMessages <= 0 && st.lim.MaxStoredBytes <= 0 {
		return nil
	}
	st.count, st.bytes = 0, 0
	for _, d := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(st.dir, d))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
				st.count++
				st.bytes += info.Size()
			}
		}
	}
	return nil
}

func (st *store) fullLocked(extraBytes int64) bool {
	return st.lim.MaxMessages > 0 && st.count >= st.lim.MaxMessages ||
		st.lim.MaxStoredBytes > 0 && st.bytes+extraBytes > st.lim.MaxStoredBytes
}

// roomForOne answers MAIL FROM: 452 4.3.1 (RFC 3463: mail system full)
// when a cap is reached, so the client does not send the message at all.
func (st *store) roomForOne() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fullLocked(0) {
		st.recountLocked()
		if st.fullLocked(0) {
			return errStorageFull
		}
	}
	return nil
}

// reserve claims room for n more octets (and, with msg, one more message)
// before they are written.
func (st *store) reserve(msg bool, n int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if msg && st.lim.MaxMessages > 0 && st.count >= st.lim.MaxMessages ||
		st.lim.MaxStoredBytes > 0 && st.bytes+n > st.lim.MaxStoredBytes {
		return errStorageFull
	}
	if msg {
		st.count++
	}
	st.bytes += n
	return nil
}

func (st *store) unreserve(msg bool, n int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if msg {
		st.count--
	}
	st.bytes -= n
}

// quotaWriter reserves room for each write before making it.
type quotaWriter struct {
	st *store
	w  io.Writer
	n  int64 // reserved so far
}

func (q *quotaWriter) Write(p []byte) (int, error) {
	if err := q.st.reserve(false, int64(len(p))); err != nil {
		return 0, err
	}
	q.n += int64(len(p))
	return q.w.Write(p)
}

// deliver writes the message to tmp/ and renames it into new/, so a reader
// of the Maildir never sees a partial file (the Maildir protocol).
func (s *Server) deliver(se *session, r io.Reader) error {
	st := s.store
	if err := st.reserve(true, 0); err != nil {
		return err
	}
	name := fmt.Sprintf("%d.P%dQ%d.%s", time.Now().UnixNano(), os.Getpid(), st.seq.Add(1), st.host)
	tmp := filepath.Join(st.dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		st.unreserve(true, 0)
		return tempFail(err)
	}
	q := &quotaWriter{st: st, w: f}
	bw := bufio.NewWriter(q)
	proto := "ESMTP"
	if se.tls {
		proto = "ESMTPS"
	}
	if se.cs.user != "" {
		proto += "A" // RFC 3848
	}
	// Return-Path and Received (RFC 5321 §4.4); from/helo are the client's
	// words, so CR and LF cannot reach here (go-smtp reads lines).
	// The id clause names the session, whose transcript is SessionDir/id.txt.
	fmt.Fprintf(bw, "Return-Path: <%s>\r\nReceived: from %s (%s)\r\n\tby %s (postie serve) with %s id %s;\r\n\t%s\r\n",
		se.from, se.conn.Hostname(), se.cs.lc.RemoteAddr(), s.cfg.Domain, proto, se.cs.rec.sess.ID, time.Now().Format(time.RFC1123Z))
	cw := &crlfWriter{w: bw}
	n, err := io.Copy(cw, r)
	if err == nil {
		err = cw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		final := filepath.Join(st.dir, "new", name)
		if err = os.Rename(tmp, final); err == nil {
			s.stored(se, final, n)
			return nil
		}
	}
	os.Remove(tmp)
	st.unreserve(true, q.n)
	var smtpErr *gosmtp.SMTPError
	if errors.As(err, &smtpErr) {
		return err
	}
	return tempFail(err)
}

func (s *Server) stored(se *session, path string, n int64) {
	se.cs.rec.storedMessage(filepath.Base(path), n)
	stored := Stored{Path: path, From: se.from, Recipients: append([]string(nil), se.to...), Size: n, User: se.cs.user, TLS: se.tls,
		Session: se.cs.rec.sess.ID}
	stored.Subject = subjectOf(path)
	if s.cfg.Log != nil {
		s.logMu.Lock()
		fmt.Fprintf(s.cfg.Log, "received from=<%s> to=<%s> size=%d subject=%q file=%s\n",
			escapeText(stored.From), escapeText(strings.Join(stored.Recipients, ">,<")), stored.Size,
			stored.Subject, filepath.Join("new", filepath.Base(path)))
		s.logMu.Unlock()
	}
	if s.cfg.OnMessage != nil {
		s.cfg.OnMessage(stored)
	}
}

func tempFail(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is ours, not the client's business
	}
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

// crlfWriter writes every line ending as CRLF: CRLF stays, a bare LF or a
// bare CR becomes CRLF. Close ends a trailing bare CR.
type crlfWriter struct {
	w      io.Writer
	lastCR bool
}

var crlf = []byte("\r\n")

func (c *crlfWriter) Write(p []byte) (int, error) {
	start := 0
	for i, b := range p {
		if b != '\r' && b != '\n' {
			continue
		}
		if err := c.text(p[start:i]); err != nil {
			return 0, err
		}
		start = i + 1
		if b == '\r' {
			if c.lastCR { // the previous CR was bare
				if _, err := c.w.Write(crlf); err != nil {
					return 0, err
				}
			}
			c.lastCR = true
			continue
		}
		c.lastCR = false // CRLF, or a bare LF: one CRLF either way
		if _, err := c.w.Write(crlf); err != nil {
			return 0, err
		}
	}
	if err := c.text(p[start:]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// text writes the line ending owed for a bare CR, then b.
func (c *crlfWriter) text(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if c.lastCR {
		c.lastCR = false
		if _, err := c.w.Write(crlf); err != nil {
			return err
		}
	}
	_, err := c.w.Write(b)
	return err
}

func (c *crlfWriter) Close() error {
	if c.lastCR {
		c.lastCR = false
		_, err := c.w.Write(crlf)
		return err
	}
	return nil
}
