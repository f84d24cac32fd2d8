package message

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
)

var crlf = []byte("\r\n")

// lineWrapper inserts CRLF every n octets: base64 bodies at 76 columns
// (RFC 2045 §6.8). The standard encoder does not wrap.
type lineWrapper struct {
	w   io.Writer
	n   int
	col int
}

func (l *lineWrapper) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := l.n - l.col
		if k > len(p) {
			k = len(p)
		}
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.col += k
		p = p[k:]
		if l.col == l.n {
			if _, err := l.w.Write(crlf); err != nil {
				return 0, err
			}
			l.col = 0
		}
	}
	return total, nil
}

func (l *lineWrapper) finish() error {
	if l.col > 0 {
		l.col = 0
		_, err := l.w.Write(crlf)
		return err
	}
	return nil
}

// Base64Writer returns a writer that base64-encodes into w in lines of 76
// characters ending in CRLF. Close flushes the last line.
func Base64Writer(w io.Writer) io.WriteCloser {
	lw := &lineWrapper{w: w, n: 76}
	return &b64{enc: base64.NewEncoder(base64.StdEncoding, lw), lw: lw}
}

type b64 struct {
	enc io.WriteCloser
	lw  *lineWrapper
}

func (b *b64) Write(p []byte) (int, error) { return b.enc.Write(p) }
func (b *b64) Close() error {
	if err := b.enc.Close(); err != nil {
		return err
	}
	return b.lw.finish()
}

// base64Len is the exact length Base64Writer produces for n input octets.
func base64Len(n int64) int64 {
	enc := (n + 2) / 3 * 4
	lines := (enc + 75) / 76
	return enc + 2*lines
}

// QPWriter returns a quoted-printable writer (lines <= 76, CRLF breaks):
// the standard library's, fed LF-only line breaks. Go's writer loses a
// line break after a bare CR ("\r\x80\n" comes out without its last
// LF; found by FuzzTransferEncoders), so every CRLF, CR and LF is made
// a single LF first, which it writes as CRLF.
func QPWriter(w io.Writer) io.WriteCloser { return &lfWriter{w: quotedprintable.NewWriter(w)} }

type lfWriter struct {
	w         *quotedprintable.Writer
	pendingCR bool
	buf       []byte
}

func (l *lfWriter) Write(p []byte) (int, error) {
	l.buf = l.buf[:0]
	for _, c := range p {
		if l.pendingCR {
			l.pendingCR = false
			l.buf = append(l.buf, '\n')
			if c == '\n' {
				continue
			}
		}
		if c == '\r' {
			l.pendingCR = true
			continue
		}
		l.buf = append(l.buf, c)
	}
	if _, err := l.w.Write(l.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (l *lfWriter) Close() error {
	if l.pendingCR {
		l.pendingCR = false
		if _, err := l.w.Write([]byte{'\n'}); err != nil {
			return err
		}
	}
	return l.w.Close()
}

// textEncoding picks the transfer encoding for a text body: 7bit when it
// is ASCII with short lines and no bare CR, quoted-printable otherwise,
// or 8bit when allowed and the text is valid, short-lined UTF-8.
func textEncoding(s string, allow8bit bool) string {
	ascii, short := true, true
	col := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			col = 0
			continue
		case c == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			return "quoted-printable"
		case c == 0:
			return "quoted-printable"
		case c >= 0x80:
			ascii = false
		}
		col++
		if col > 76 {
			short = false
		}
	}
	if short && ascii {
		return "7bit"
	}
	if short && allow8bit {
		return "8bit"
	}
	return "quoted-printable"
}
