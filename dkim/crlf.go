package dkim

import "io"

// crlfReader turns every bare CR and bare LF into CRLF, the line ending
// on the wire: smtp's data writer does the same, so the signature covers
// the bytes the receiver will see.
type crlfReader struct {
	r       io.Reader
	buf     []byte // input not yet consumed
	out     []byte // converted output not yet returned
	obuf    []byte // out's storage, reused
	afterCR bool   // the last input byte was CR: a following LF is its pair
	err     error
}

func newCRLFReader(r io.Reader) *crlfReader {
	return &crlfReader{r: r, buf: make([]byte, 32<<10)}
}

func (c *crlfReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.r.Read(c.buf)
		c.obuf = c.convert(c.obuf[:0], c.buf[:n])
		c.out = c.obuf
		c.err = err
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

func (c *crlfReader) convert(dst, src []byte) []byte {
	for _, b := range src {
		switch {
		case b == '\n' && c.afterCR:
			// the LF of a CRLF already written
		case b == '\n':
			dst = append(dst, '\r', '\n')
		case b == '\r':
			dst = append(dst, '\r', '\n')
		default:
			dst = append(dst, b)
		}
		c.afterCR = b == '\r'
	}
	return dst
}
