// Package transcript is the record of one SMTP session as postie serve
// saw it: what the client sent (C), what the server answered (S), and
// events (*) such as the TLS handshake or a message being stored. AUTH
// payloads never reach a transcript: the recorder writes <redacted>.
//
// The file format is text, one line per entry, so a person can read it
// with less:
//
//	postie-session 1
//	id 1700000000123456789.1
//	remote 127.0.0.1:54321
//	start 2024-11-14T22:13:20.123456789Z
//
//	0 S 220 localhost ESMTP Service Ready
//	1042 C EHLO client.example
//
// Each entry is the time since the connection opened in microseconds, the
// direction, and the text with backslash, control characters and bytes
// that are not UTF-8 escaped (\\, \x1b), so any text round-trips.
package transcript

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Dir says who wrote a line.
type Dir byte

const (
	Client Dir = 'C' // a command or data from the client
	Server Dir = 'S' // a reply line from the server
	Event  Dir = '*' // something the server noticed (TLS, a message stored)
)

// Line is one entry.
type Line struct {
	At   time.Duration // since the connection opened (microsecond resolution)
	Dir  Dir
	Text string
}

// Session is one connection's transcript.
type Session struct {
	ID     string
	Remote string
	Start  time.Time
	Lines  []Line
}

const magic = "postie-session 1"

// DirName is the folder inside a Maildir where postie serve keeps the
// transcripts, one file per session: DirName/ID.txt.
const DirName = "postie-sessions"

// MaxLineText is the longest line text a file may hold; the recorder cuts
// longer lines.
const MaxLineText = 4096

// WriteTo writes the session in the file format.
func (s *Session) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\nid %s\nremote %s\nstart %s\n\n", magic, escape(s.ID), escape(s.Remote), s.Start.UTC().Format(time.RFC3339Nano))
	for _, l := range s.Lines {
		fmt.Fprintf(bw, "%d %c %s\n", l.At.Microseconds(), l.Dir, escape(l.Text))
	}
	return 0, bw.Flush()
}

// Parse reads a session file.
func Parse(r io.Reader) (*Session, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 4*MaxLineText+64)
	n := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		n++
		return sc.Text(), true
	}
	bad := func(why string) error { return fmt.Errorf("transcript line %d: %s", n, why) }
	if l, ok := next(); !ok || l != magic {
		return nil, bad("not a postie session file")
	}
	s := &Session{}
	for {
		l, ok := next()
		if !ok {
			return nil, bad("the header does not end")
		}
		if l == "" {
			break
		}
		key, val, _ := strings.Cut(l, " ")
		var err error
		switch key {
		case "id":
			s.ID, err = unescape(val)
		case "remote":
			s.Remote, err = unescape(val)
		case "start":
			s.Start, err = time.Parse(time.RFC3339Nano, val)
		default:
			err = errors.New("unknown key")
		}
		if err != nil {
			return nil, bad(fmt.Sprintf("%s: %v", key, err))
		}
	}
	for {
		l, ok := next()
		if !ok {
			break
		}
		us, rest, ok1 := strings.Cut(l, " ")
		dir, text, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 || len(dir) != 1 || !validDir(Dir(dir[0])) {
			return nil, bad("want MICROSECONDS DIR TEXT")
		}
		at, err := strconv.ParseInt(us, 10, 64)
		if err != nil || at < 0 || at > math.MaxInt64/1000 || us != strconv.FormatInt(at, 10) {
			return nil, bad("bad time " + strconv.Quote(us))
		}
		t, err := unescape(text)
		if err != nil {
			return nil, bad(err.Error())
		}
		s.Lines = append(s.Lines, Line{At: time.Duration(at) * time.Microsecond, Dir: Dir(dir[0]), Text: t})
	}
	if err := sc.Err(); err != nil {
		return nil, bad(err.Error())
	}
	return s, nil
}

func validDir(d Dir) bool { return d == Client || d == Server || d == Event }

// escape writes \\ for a backslash and \xNN for a control character or a
// byte that is not part of valid UTF-8.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 || !utf8.ValidString(s) {
			return "", errors.New("unescaped control character or invalid UTF-8")
		}
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x':
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil || strings.ToLower(s[i+2:i+4]) != s[i+2:i+4] {
				return "", fmt.Errorf("bad escape %q", s[i:i+4])
			}
			b.WriteByte(byte(v))
			i += 3
		default:
			return "", errors.New("bad escape")
		}
	}
	out := b.String()
	if escape(out) != s {
		return "", errors.New("not in canonical form")
	}
	return out, nil
}
