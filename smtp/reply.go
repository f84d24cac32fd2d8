package smtp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on what a server may send in one reply. RFC 5321 §4.5.3.1.5 sets
// 512 octets per reply line; real servers exceed it a little, hostile ones
// a lot. Past these caps the reply is a protocol error, so a server cannot
// grow the client's memory or keep it reading forever.
const (
	MaxReplyLineLength = 4096
	MaxReplyLines      = 256
)

// Reply is one complete server reply, single or multi-line.
type Reply struct {
	Code     int
	Enhanced EnhancedCode
	Lines    []string // text of each line after "NNN-" / "NNN ", enhanced code removed
}

// Text is the reply text as a person reads it: the lines joined by one
// space, so "550-Recipient address rejected:" + "550 no such user" reads
// "Recipient address rejected: no such user". Empty lines are skipped.
func (r *Reply) Text() string {
	if len(r.Lines) == 1 {
		return strings.TrimSpace(r.Lines[0])
	}
	var parts []string
	for _, l := range r.Lines {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

func (r *Reply) String() string {
	s := strconv.Itoa(r.Code)
	if r.Enhanced != (EnhancedCode{}) {
		s += " " + r.Enhanced.String()
	}
	if t := r.Text(); t != "" {
		s += " " + t
	}
	return s
}

// replyReader reads replies with hard limits. raw, when set, receives each
// raw line (for the transcript).
type replyReader struct {
	r   *bufio.Reader
	raw func(line string)
}

// readLine returns one line without its line ending, refusing lines
// longer than MaxReplyLineLength.
func (rr *replyReader) readLine() (string, error) {
	var buf []byte
	for {
		frag, err := rr.r.ReadSlice('\n')
		if len(buf)+len(frag) > MaxReplyLineLength+2 {
			return "", &ProtocolError{Step: "reply", Reason: fmt.Sprintf("reply line longer than %d octets", MaxReplyLineLength)}
		}
		buf = append(buf, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		break
	}
	buf = bytes.TrimSuffix(buf[:len(buf)-1], []byte{'\r'})
	return string(buf), nil
}

// ReadReply reads one reply. It is exported for the fuzz target and for
// tools that speak SMTP over their own connection. Errors: *ProtocolError
// (malformed, or over MaxReplyLineLength / MaxReplyLines), or r's (io.EOF,
// io.ErrUnexpectedEOF in the middle of a line).
func ReadReply(r *bufio.Reader) (*Reply, error) {
	rr := replyReader{r: r}
	return rr.read()
}

func (rr *replyReader) read() (*Reply, error) {
	rep := &Reply{}
	for n := 0; ; n++ {
		if n >= MaxReplyLines {
			return nil, &ProtocolError{Step: "reply", Reason: fmt.Sprintf("more than %d lines in one reply", MaxReplyLines)}
		}
		line, err := rr.readLine()
		if err != nil {
			return nil, err
		}
		if rr.raw != nil {
			rr.raw(line)
		}
		code, more, text, err := parseReplyLine(line)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			rep.Code = code
		} else if code != rep.Code {
			return nil, &ProtocolError{Step: "reply", Reason: fmt.Sprintf("multi-line reply changes code from %d to %d", rep.Code, code)}
		}
		rep.Lines = append(rep.Lines, text)
		if !more {
			break
		}
	}
	rep.Enhanced, rep.Lines = splitEnhanced(rep.Code, rep.Lines)
	return rep, nil
}

func parseReplyLine(line string) (code int, more bool, text string, err error) {
	bad := func(why string) (int, bool, string, error) {
		return 0, false, "", &ProtocolError{Step: "reply", Reason: fmt.Sprintf("%s: %q", why, clip(line, 80))}
	}
	if len(line) < 3 {
		return bad("reply line too short")
	}
	for i := 0; i < 3; i++ {
		if line[i] < '0' || line[i] > '9' {
			return bad("reply code is not three digits")
		}
	}
	// RFC 5321 §4.2: first digit 2..5, second 0..5.
	if line[0] < '2' || line[0] > '5' || line[1] > '5' {
		return bad("reply code out of range")
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, false, "", nil
	}
	switch line[3] {
	case ' ':
	case '-':
		more = true
	default:
		return bad("reply code not followed by space or hyphen")
	}
	return code, more, line[4:], nil
}

// splitEnhanced removes an RFC 3463 code "c.s.d " from the start of every
// line when the first line has one whose class matches the reply code.
// Each line is cut after its own token, so "5.1.01 no such user" keeps
// "no such user" (RFC 3463 §2 allows 1 to 3 digits, leading zeros too).
func splitEnhanced(code int, lines []string) (EnhancedCode, []string) {
	ec, _, ok := parseEnhanced(lines[0])
	if !ok || ec[0] != code/100 {
		return EnhancedCode{}, lines
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if e, n, ok := parseEnhanced(l); ok && e == ec {
			l = strings.TrimPrefix(l[n:], " ")
		}
		out[i] = l
	}
	return ec, out
}

// parseEnhanced reads the enhanced code at the start of s and the length
// of its token.
func parseEnhanced(s string) (EnhancedCode, int, bool) {
	end := strings.IndexByte(s, ' ')
	if end < 0 {
		end = len(s)
	}
	parts := strings.Split(s[:end], ".")
	if len(parts) != 3 {
		return EnhancedCode{}, 0, false
	}
	var ec EnhancedCode
	for i, p := range parts {
		// class: one digit; subject and detail: 1..3 digits (RFC 3463 §2).
		if len(p) == 0 || len(p) > 3 || (i == 0 && len(p) != 1) {
			return EnhancedCode{}, 0, false
		}
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return EnhancedCode{}, 0, false
			}
		}
		ec[i], _ = strconv.Atoi(p)
	}
	if ec[0] != 2 && ec[0] != 4 && ec[0] != 5 {
		return EnhancedCode{}, 0, false
	}
	return ec, end, true
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
