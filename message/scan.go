package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxLineOctets is the longest line SMTP carries, without its CRLF
// (RFC 5321 §4.5.3.1.6).
const MaxLineOctets = 998

var (
	// ErrLineTooLong: a line is over MaxLineOctets. postie refuses it
	// rather than cut it.
	ErrLineTooLong = errors.New("line longer than 998 octets")
	// ErrNeedsSMTPUTF8: an address or message id in a header is not
	// ASCII. No encoding can carry it; only a server offering SMTPUTF8
	// (RFC 6531, RFC 6532) can.
	ErrNeedsSMTPUTF8 = errors.New("only a server offering SMTPUTF8 can carry it")
)

// LineError names the line of the input message that cannot be sent.
type LineError struct {
	Line   int64  // 1-based, counted in the input as given; 0 if unknown
	Reason string // what is wrong, in plain words
	Err    error  // ErrLineTooLong, ErrNeedsSMTPUTF8, or nil
}

func (e *LineError) Error() string {
	if e.Line == 0 {
		return e.Reason
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

func (e *LineError) Unwrap() error { return e.Err }

// Transport is what the next hop can carry.
type Transport int

const (
	// SevenBit: a server without 8BITMIME. 8-bit parts are sent as
	// quoted-printable and 8-bit header values as RFC 2047 words.
	SevenBit Transport = iota
	// EightBit: a server with 8BITMIME (RFC 6152). 8-bit parts go as
	// they are.
	EightBit
)

// Info is what a Scanner learned about a message: enough for Convert to
// decide, part by part, what to encode before the first byte is written.
type Info struct {
	EightBit      bool // an octet >= 0x80 outside Bcc fields
	NUL           bool // a body holds NUL octets: that part is always sent encoded
	NeedsSMTPUTF8 bool // a header address or message id is not ASCII (see Problem)

	kept8bit bool        // 8-bit octets the EightBit form keeps
	leaves   []leafFlags // per leaf part, in order
	utf8Err  *LineError  // first reason SMTPUTF8 is needed
	problem  *LineError  // first reason no 7-bit form can be made
}

type leafFlags struct {
	eightBit, nul, invalidUTF8 bool
}

// Needs8BitMIME reports whether the EightBit form of the message has
// 8-bit octets, so that MAIL FROM must say BODY=8BITMIME.
func (i *Info) Needs8BitMIME() bool { return i.kept8bit }

// NeedsConversion reports whether Convert would change the message for
// t. When it does not, send the scanned bytes as they are.
func (i *Info) NeedsConversion(t Transport) bool {
	return i.NUL || t == SevenBit && i.EightBit
}

// Problem returns why the message cannot be sent over t, or nil: a part
// that cannot be encoded for a 7-bit server, or a header that only an
// SMTPUTF8 server can carry (errors.Is(err, ErrNeedsSMTPUTF8)).
func (i *Info) Problem(t Transport, smtputf8 bool) error {
	if i.utf8Err != nil && !smtputf8 {
		return i.utf8Err
	}
	if t == SevenBit && i.problem != nil {
		return i.problem
	}
	return nil
}

// Scanner reads a whole message as it is piped in (sendmail's stdin)
// and hands it on with every line ending as CRLF (a bare CR or LF
// becomes CRLF, as SMTP sends it; a last line without one gets one). It
// refuses, naming the line, what SMTP cannot carry: a line over 998
// octets, a NUL in a header. It follows the MIME structure as it goes
// and, once Read has returned io.EOF, Info tells what Convert needs.
// It holds one line at a time.
type Scanner struct {
	sp   splitter
	walk *walker
	out  []byte
	off  int
	err  error
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner {
	s := &Scanner{sp: splitter{br: bufio.NewReaderSize(r, 64<<10)}}
	s.walk = newWalker(&Info{}, nil, EightBit)
	return s
}

// Read implements io.Reader.
func (s *Scanner) Read(p []byte) (int, error) {
	for s.off == len(s.out) && s.err == nil {
		s.out, s.off = s.out[:0], 0
		// Batch lines so that a caller's large Read is not one line.
		for len(s.out) < 32<<10 && s.err == nil {
			line, err := s.sp.next()
			if err != nil {
				if err == io.EOF {
					err = s.walk.end()
					if err == nil {
						err = io.EOF
					}
				}
				s.err = err
				break
			}
			if err := s.walk.line(line, s.sp.lineNo); err != nil {
				s.err = err
				break
			}
			s.out = append(append(s.out, line...), '\r', '\n')
		}
	}
	if s.off < len(s.out) {
		n := copy(p, s.out[s.off:])
		s.off += n
		return n, nil
	}
	return 0, s.err
}

// Info returns what the scan found; complete once Read returned io.EOF.
func (s *Scanner) Info() *Info { return s.walk.info }

// splitter cuts a stream into lines at CRLF, bare CR and bare LF (the
// SMTP data writer's rule, so sizes agree), counting them.
type splitter struct {
	br     *bufio.Reader
	chunk  []byte
	eof    bool
	lineNo int64
}

// next returns the next line without its line break (valid until the
// next call), or io.EOF.
func (s *splitter) next() ([]byte, error) {
	for {
		if len(s.chunk) > 0 {
			i := indexBreak(s.chunk)
			if i < 0 { // the input ended without a line break
				line := s.chunk
				s.chunk = nil
				return s.emit(line)
			}
			line := s.chunk[:i]
			if s.chunk[i] == '\r' && i+1 < len(s.chunk) && s.chunk[i+1] == '\n' {
				i++
			}
			s.chunk = s.chunk[i+1:]
			return s.emit(line)
		}
		if s.eof {
			return nil, io.EOF
		}
		c, err := s.br.ReadSlice('\n')
		switch err {
		case nil:
		case io.EOF:
			s.eof = true
		case bufio.ErrBufferFull:
			return nil, tooLong(s.lineNo+1, len(c))
		default:
			return nil, err
		}
		s.chunk = c
	}
}

func (s *splitter) emit(line []byte) ([]byte, error) {
	s.lineNo++
	if len(line) > MaxLineOctets {
		return nil, tooLong(s.lineNo, len(line))
	}
	return line, nil
}

func tooLong(line int64, n int) error {
	more := ""
	if n >= 64<<10 {
		more = "at least "
	}
	return &LineError{Line: line, Err: ErrLineTooLong,
		Reason: fmt.Sprintf("%s%d octets long; SMTP allows %d (RFC 5321 §4.5.3.1.6)", more, n, MaxLineOctets)}
}

func indexBreak(p []byte) int {
	lf := bytes.IndexByte(p, '\n')
	end := lf
	if end < 0 {
		end = len(p)
	}
	if cr := bytes.IndexByte(p[:end], '\r'); cr >= 0 {
		return cr
	}
	return lf
}
