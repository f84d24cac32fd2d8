package smtp

import (
	"bufio"
	"bytes"
	"io"
)

// MaxLineLength is the longest text line SMTP allows, without CRLF
// (RFC 5321 §4.5.3.1.6).
const MaxLineLength = 998

// lineWriter normalises line endings of a message body as it streams:
// CRLF stays, a bare CR or bare LF becomes CRLF (so a body can never carry
// an end-of-data look-alike that a server might read differently: the 2023
// "SMTP smuggling" attacks). With stuff set it also doubles a leading dot
// (RFC 5321 §4.5.2) and Close appends the "." terminator line.
// A line over MaxLineLength is an error, never cut.
type lineWriter struct {
	w         io.Writer
	stuff     bool
	hook      func(line string) // when set, gets each output line (for -vv)
	lineBuf   []byte
	atStart   bool // next byte begins a line
	pendingCR bool
	lineLen   int
	err       error
}

func newLineWriter(w io.Writer, stuff bool) *lineWriter {
	return &lineWriter{w: w, stuff: stuff, atStart: true}
}

func (d *lineWriter) put(p []byte) {
	if d.err == nil {
		_, d.err = d.w.Write(p)
		if d.hook != nil && p[0] != '\r' {
			d.lineBuf = append(d.lineBuf, p...)
		}
	}
}

func (d *lineWriter) newline() {
	d.put(crlf)
	d.atStart, d.lineLen = true, 0
	if d.hook != nil {
		d.hook(string(d.lineBuf))
		d.lineBuf = d.lineBuf[:0]
	}
}

var crlf = []byte("\r\n")

func (d *lineWriter) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	total := len(p)
	for len(p) > 0 {
		if d.pendingCR {
			d.pendingCR = false
			d.newline()
			if p[0] == '\n' {
				p = p[1:]
				continue
			}
		}
		i := indexLineBreak(p)
		run := p
		if i >= 0 {
			run = p[:i]
		}
		if len(run) > 0 {
			if d.atStart && d.stuff && run[0] == '.' {
				d.put([]byte{'.'})
			}
			d.atStart = false
			d.lineLen += len(run)
			if d.lineLen > MaxLineLength {
				d.err = ErrLineTooLong
				return 0, d.err
			}
			d.put(run)
		}
		if i < 0 {
			break
		}
		if p[i] == '\r' {
			d.pendingCR = true
		} else {
			d.newline()
		}
		p = p[i+1:]
	}
	if d.err != nil {
		return 0, d.err
	}
	return total, nil
}

// finish ends the last line (the terminator, for DATA, is the caller's).
func (d *lineWriter) finish() error {
	if d.err != nil {
		return d.err
	}
	if d.pendingCR || !d.atStart {
		d.pendingCR = false
		d.newline()
	}
	return d.err
}

// DotStuff writes body to w as SMTP DATA content: normalised line endings,
// dot-stuffed, terminated by ".\r\n". It is the engine's data writer,
// exported for tools and the fuzz target. Errors: ErrLineTooLong, or w's.
func DotStuff(w *bufio.Writer, body []byte) error {
	d := newLineWriter(w, true)
	if _, err := d.Write(body); err != nil {
		return err
	}
	if err := d.finish(); err != nil {
		return err
	}
	w.WriteString(".\r\n")
	return w.Flush()
}

// indexLineBreak finds the first CR or LF; two vectorised IndexByte scans
// beat one IndexAny by several times on long content.
func indexLineBreak(p []byte) int {
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
