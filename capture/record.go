package capture

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/postie/postie/capture/transcript"
)

// SessionDir is the folder, inside the Maildir, that holds the transcript
// of each session that delivered a message: SessionDir/ID.txt, where ID is
// named in the message's Received header ("with ESMTP id ID"). Maildir
// readers look only at tmp/, new/, cur/ and dot-folders, so they ignore it.
const SessionDir = transcript.DirName

const (
	maxTranscriptLines = 5000
	maxPendingData     = 64 << 10
	maxWaiting         = 1000
)

// recorder is go-smtp's Debug writer for one connection: it receives every
// byte read from the client and every byte of every reply, in order, and
// keeps a transcript.
//
// go-smtp hands both directions to the same writer. A reply is always
// written to the connection first and to Debug right after, as one whole
// "NNN text\r\n" line; what the client sent reaches Debug after a read,
// with no write in between. So a Debug write is the server's when the
// connection saw a Write since the previous Debug write and the bytes are
// one reply line (TLS is below limitConn, so this holds after STARTTLS).
//
// The recorder never stores what the client sends during AUTH: after an
// AUTH command every client line is <redacted> until the server answers
// with something other than 334 (RFC 4954 §4).
type recorder struct {
	mu       sync.Mutex
	lc       *limitConn
	sess     transcript.Session
	dir      string // where the file goes; "" keeps it in memory only
	writes   int64  // lc's write count at the previous Debug write
	partial  []byte // an unfinished client line
	mode     clientMode
	pending  []byte // client bytes after DATA, before the server's answer to it
	inAuth   bool
	authLeft int      // client lines still due in this AUTH exchange; -1: unknown
	waiting  []string // commands whose reply has not come yet, oldest first
	data     dataCounter
	bdat     int64 // octets of the current BDAT chunk still to come
	chunk    int64 // octets of the current BDAT chunk
	stored   bool  // a message was stored: the file is worth keeping
	flushAt  bool  // write the file after the next reply (the DATA's 250)
	full     bool
}

type clientMode int

const (
	modeCommand     clientMode = iota
	modeDataPending            // DATA sent, the server has not answered yet
	modeData                   // the message, up to <CRLF>.<CRLF>
	modeBDAT                   // the octets of a BDAT chunk
)

func newRecorder(lc *limitConn, id, maildir string) *recorder {
	r := &recorder{lc: lc, sess: transcript.Session{ID: id, Remote: lc.RemoteAddr().String(), Start: lc.start}}
	if maildir != "" {
		r.dir = filepath.Join(maildir, SessionDir)
	}
	r.event("connection from %s to %s", lc.RemoteAddr(), lc.LocalAddr())
	r.expect("greeting")
	return r
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.lc.writeCount()
	fromServer := w != r.writes && isReplyLine(p)
	r.writes = w
	if fromServer {
		r.serverLine(string(p[:len(p)-2]))
	} else {
		r.clientBytes(p)
	}
	return len(p), nil
}

func isReplyLine(p []byte) bool {
	return len(p) >= 6 && p[0] >= '2' && p[0] <= '5' && isDigit(p[1]) && isDigit(p[2]) && (p[3] == ' ' || p[3] == '-') &&
		bytes.HasSuffix(p, []byte("\r\n")) && bytes.IndexByte(p[:len(p)-1], '\n') < 0
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func (r *recorder) add(d transcript.Dir, text string) {
	if r.full {
		return
	}
	if len(r.sess.Lines) >= maxTranscriptLines {
		r.full = true
		text, d = "transcript cut here: too many lines", transcript.Event
	}
	if len(text) > transcript.MaxLineText {
		text = strings.ToValidUTF8(text[:transcript.MaxLineText], "") + " [cut]"
	}
	r.sess.Lines = append(r.sess.Lines, transcript.Line{At: time.Since(r.sess.Start).Truncate(time.Microsecond), Dir: d, Text: text})
}

// event records something the server noticed.
func (r *recorder) event(format string, a ...any) {
	r.add(transcript.Event, fmt.Sprintf(format, a...))
}

func (r *recorder) eventLocked(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.event(format, a...)
}

func (r *recorder) serverLine(line string) {
	r.add(transcript.Server, line)
	if line[3] != ' ' {
		return // more lines of this reply follow
	}
	code := line[:3]
	// With PIPELINING (RFC 2920) replies come in the order of the commands;
	// this reply answers the oldest command still waiting.
	answered := ""
	if len(r.waiting) > 0 {
		answered, r.waiting = r.waiting[0], r.waiting[1:]
	}
	if answered == "AUTH" && code != "334" {
		r.inAuth = false
	}
	if answered == "DATA" && r.mode == modeDataPending {
		pend := r.pending
		r.pending = nil
		if code == "354" {
			r.mode, r.data = modeData, dataCounter{}
		} else {
			r.mode = modeCommand
		}
		r.clientBytes(pend)
	}
	if r.flushAt {
		r.flushAt = false
		r.save()
	}
}

// clientBytes follows go-smtp's reading of the client's stream: command
// lines, the DATA message, BDAT chunks.
func (r *recorder) clientBytes(p []byte) {
	for len(p) > 0 {
		switch r.mode {
		case modeDataPending:
			if len(r.pending)+len(p) > maxPendingData { // a client that does not wait for 354
				r.mode, r.data = modeData, dataCounter{}
				p = append(r.pending, p...)
				r.pending = nil
				continue
			}
			r.pending = append(r.pending, p...)
			return
		case modeData:
			n, done := r.data.feed(p)
			p = p[n:]
			if done {
				r.add(transcript.Client, fmt.Sprintf("<message: %d octets, %d lines>", r.data.octets, r.data.lines))
				r.add(transcript.Client, ".")
				r.expect(".")
				r.mode = modeCommand
			}
		case modeBDAT:
			n := min(int64(len(p)), r.bdat)
			r.bdat -= n
			p = p[n:]
			if r.bdat == 0 {
				r.add(transcript.Client, fmt.Sprintf("<chunk: %d octets>", r.chunk))
				r.mode = modeCommand
			}
		default:
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				if len(r.partial) < 2*transcript.MaxLineText {
					r.partial = append(r.partial, p[:min(len(p), 2*transcript.MaxLineText-len(r.partial))]...)
				}
				return
			}
			line := append(r.partial, p[:i]...)
			r.partial = nil
			p = p[i+1:]
			r.command(strings.TrimSuffix(string(line), "\r"))
		}
	}
}

// expect notes that a reply is due for a client line.
func (r *recorder) expect(verb string) {
	if len(r.waiting) < maxWaiting {
		r.waiting = append(r.waiting, verb)
	}
}

func (r *recorder) command(line string) {
	if r.inAuth {
		r.expect("AUTH")
		if line == "*" {
			r.add(transcript.Client, "*") // the client cancels (RFC 4954 §4)
			r.inAuth = false
			return
		}
		r.add(transcript.Client, "<redacted>")
		if r.authLeft--; r.authLeft == 0 {
			r.inAuth = false
		}
		return
	}
	verb, rest, _ := strings.Cut(line, " ")
	r.expect(strings.ToUpper(verb))
	switch strings.ToUpper(verb) {
	case "AUTH":
		mech, ir, _ := strings.Cut(strings.TrimSpace(rest), " ")
		text := verb + " " + mech
		if strings.TrimSpace(ir) != "" {
			text += " <redacted>" // the initial response carries the credentials
		}
		r.add(transcript.Client, text)
		// How many lines the client has left to send: for PLAIN and LOGIN
		// we know (RFC 4616, the LOGIN draft); for others, until the
		// server's final reply. Either end is enough.
		r.inAuth, r.authLeft = true, -1
		switch strings.ToUpper(mech) {
		case "PLAIN":
			r.authLeft = 1
		case "LOGIN":
			r.authLeft = 2
		}
		if strings.TrimSpace(ir) != "" && r.authLeft > 0 {
			if r.authLeft--; r.authLeft == 0 {
				r.inAuth = false
			}
		}
		return
	case "DATA":
		r.mode = modeDataPending
	case "BDAT":
		if n, ok := bdatSize(rest); ok {
			r.mode, r.bdat, r.chunk = modeBDAT, n, n
			if n == 0 {
				r.mode = modeCommand
			}
		}
	}
	r.add(transcript.Client, line)
}

// bdatSize mirrors go-smtp's handleBdat: when it reads the chunk, so do we.
func bdatSize(arg string) (int64, bool) {
	args := strings.Fields(arg)
	if len(args) == 0 || len(args) > 2 || len(args) == 2 && !strings.EqualFold(args[1], "LAST") {
		return 0, false
	}
	n, err := strconv.ParseUint(args[0], 10, 32)
	return int64(n), err == nil
}

// dataCounter finds the end of a DATA message exactly as go-smtp's
// dataReader does (<CRLF>.<CRLF>, a bare LF starts no line) and counts it.
type dataCounter struct {
	state         int
	octets, lines int64
}

const (
	dBeginLine = iota
	dDot
	dDotCR
	dCR
	dData
)

func (d *dataCounter) feed(p []byte) (int, bool) {
	for i, c := range p {
		switch d.state {
		case dBeginLine:
			switch c {
			case '.':
				d.state = dDot
				continue
			case '\r':
				d.state = dCR
			default:
				d.state = dData
			}
		case dDot:
			if c == '\r' {
				d.state = dDotCR
				continue
			}
			d.state = dData
		case dDotCR:
			if c == '\n' {
				d.state = dBeginLine
				return i + 1, true
			}
			d.state = dData
		case dCR:
			if c == '\n' {
				d.state = dBeginLine
				d.lines++
			} else {
				d.state = dData
			}
		case dData:
			if c == '\r' {
				d.state = dCR
			}
		}
		d.octets++
	}
	return len(p), false
}

// storedMessage notes a message written to the Maildir; the file is
// written once the server has answered the DATA.
func (r *recorder) storedMessage(name string, size int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.event("message stored as %s (%d octets)", name, size)
	r.stored, r.flushAt = true, true
}

func (r *recorder) tlsDone(st tls.ConnectionState) {
	sni := st.ServerName
	if sni == "" {
		sni = "none"
	}
	r.eventLocked("TLS handshake: %s, cipher %s, server name %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), sni)
}

// finish records the end and writes the file if the session delivered a
// message.
func (r *recorder) finish(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if why != "" {
		r.event("connection cut off: %s", why)
	} else {
		r.event("connection closed")
	}
	r.save()
}

// save writes the transcript atomically (temporary file, rename).
func (r *recorder) save() {
	if !r.stored || r.dir == "" {
		return
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(r.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, err = r.sess.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(r.dir, r.sess.ID+".txt"))
	}
	if err != nil {
		os.Remove(f.Name())
	}
}
