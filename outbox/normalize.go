package outbox

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// maxLine is the longest line SMTP carries, without its CRLF (RFC 5321
// §4.5.3.1.6, RFC 5322 §2.1.1).
const maxLine = 998

// normReader turns every line ending (LF, CR, CRLF) into CRLF, ends the
// message with CRLF, and refuses a line longer than 998 octets — the
// same rules the SMTP engine's dot writer applies on the wire, applied
// once at enqueue so the stored bytes are exactly the bytes sent (and a
// DKIM signature over them stays valid).
type normReader struct {
	src       io.Reader
	in        []byte
	out       bytes.Buffer
	pendingCR bool
	lineLen   int
	line      int
	err       error // from src, once buf is drained
}

var normBufs = sync.Pool{New: func() any { return new([16 << 10]byte) }}

func newNormReader(src io.Reader) *normReader {
	return &normReader{src: src, in: normBufs.Get().(*[16 << 10]byte)[:], line: 1}
}

// free returns the read buffer once the reader is no longer used.
func (n *normReader) free() {
	if n.in != nil {
		normBufs.Put((*[16 << 10]byte)(n.in))
		n.in = nil
	}
}

func (n *normReader) Read(p []byte) (int, error) {
	for n.out.Len() == 0 {
		if n.err != nil {
			return 0, n.err
		}
		k, err := n.src.Read(n.in)
		if err := n.process(n.in[:k]); err != nil {
			n.err = err
			return 0, err
		}
		if err != nil {
			if err == io.EOF {
				n.finish()
			}
			n.err = err
		}
	}
	return n.out.Read(p)
}

func (n *normReader) newline() {
	n.out.WriteString("\r\n")
	n.lineLen = 0
	n.line++
}

func (n *normReader) process(b []byte) error {
	for len(b) > 0 {
		if n.pendingCR {
			n.pendingCR = false
			n.newline()
			if b[0] == '\n' {
				b = b[1:]
				continue
			}
		}
		i := bytes.IndexAny(b, "\r\n")
		run := b
		if i >= 0 {
			run = b[:i]
		}
		n.lineLen += len(run)
		if n.lineLen > maxLine {
			return &MessageError{Reason: fmt.Sprintf("line %d is longer than %d octets (RFC 5322 §2.1.1); encode the body (quoted-printable or base64)", n.line, maxLine)}
		}
		n.out.Write(run)
		if i < 0 {
			return nil
		}
		if b[i] == '\r' {
			n.pendingCR = true
		} else {
			n.newline()
		}
		b = b[i+1:]
	}
	return nil
}

func (n *normReader) finish() {
	if n.pendingCR || n.lineLen > 0 {
		n.pendingCR = false
		n.newline()
	}
}
