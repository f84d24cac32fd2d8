package message

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"
)

// maxNesting bounds the MIME tree a walker follows (multiparts and
// encapsulated messages); anything deeper is one opaque part.
const maxNesting = 50

// walker follows the MIME structure of a message fed to it line by line
// (RFC 2045 §5-6, RFC 2046 §5), the way Postfix's mime_state does: it
// keeps one part header and one line in memory, never a body. Scanning
// (out == nil) it fills an Info; converting it writes the message with
// the parts and fields Info marked encoded for the transport.
type walker struct {
	info  *Info
	out   *countWriter // nil while scanning
	t     Transport
	stack []frame // open multiparts and encapsulated messages, innermost last
	state walkState
	ent   entity // the header being read

	// the current leaf part
	leafN       int // leaves started so far
	cur         int // index of the current leaf in info.leaves
	cte         string
	convertible bool // 7bit, 8bit or binary: it can be re-encoded
	encode      bool // converting: this leaf goes out as quoted-printable
	lines       int
	buf         []byte
}

type walkState int

const (
	inHeader walkState = iota
	inBody
	inPreamble
	inEpilogue
)

type frame struct {
	dash   []byte // "--" + boundary; nil for an encapsulated message
	digest bool   // multipart/digest: parts default to message/rfc822
	closed bool   // past the close delimiter: in the epilogue
}

type entity struct {
	fields  []hfield
	size    int
	start   int64
	top     bool // the message itself
	message bool // a message header (top level or message/rfc822)
	digest  bool // a part of multipart/digest (RFC 2046 §5.1.5)
}

type hfield struct {
	name string
	raw  []byte // every line of the field with its CRLF
	line int64
}

// value is the unfolded field body, RFC 2047 words left encoded.
func (f hfield) value() string {
	v := f.raw[len(f.name)+1:]
	return strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "").Replace(string(v)))
}

func newWalker(info *Info, out *countWriter, t Transport) *walker {
	return &walker{info: info, out: out, t: t, ent: entity{top: true, message: true}}
}

func (w *walker) scanning() bool { return w.out == nil }

// line takes one line of the message, without its line break.
func (w *walker) line(l []byte, no int64) error {
	if k, closing := w.delimiter(l); k >= 0 {
		return w.boundary(k, closing, l, no)
	}
	return w.content(l, no)
}

func (w *walker) content(l []byte, no int64) error {
	switch w.state {
	case inHeader:
		return w.headerLine(l, no)
	case inBody:
		return w.bodyLine(l, no)
	}
	return w.fillerLine(l)
}

// delimiter reports which open multipart l is a delimiter line of
// ("--" boundary, then "--" for the last one, then only blanks), the
// innermost first; a delimiter of an outer multipart closes the inner
// ones, as Postfix and Python's email package read it.
func (w *walker) delimiter(l []byte) (int, bool) {
	if len(l) < 2 || l[0] != '-' || l[1] != '-' {
		return -1, false
	}
	for k := len(w.stack) - 1; k >= 0; k-- {
		f := w.stack[k]
		if f.dash == nil || f.closed || !bytes.HasPrefix(l, f.dash) {
			continue
		}
		rest := l[len(f.dash):]
		closing := bytes.HasPrefix(rest, []byte("--"))
		if closing {
			rest = rest[2:]
		}
		if len(bytes.TrimLeft(rest, " \t")) == 0 {
			return k, closing
		}
	}
	return -1, false
}

func (w *walker) boundary(k int, closing bool, l []byte, no int64) error {
	// Whatever is open inside multipart k ends here: a part header that
	// never got its blank line, then the leaf.
	for i := 0; w.state == inHeader && i <= maxNesting; i++ {
		if err := w.endHeader(false, no); err != nil {
			return err
		}
	}
	if w.state == inBody {
		w.endLeaf()
	}
	w.stack = w.stack[:k+1]
	if closing {
		w.stack[k].closed = true
		w.state = inEpilogue
	} else {
		w.state = inHeader
		w.ent = entity{digest: w.stack[k].digest}
	}
	w.write(l, crlf)
	return nil
}

// end is called at the end of the input.
func (w *walker) end() error {
	for i := 0; w.state == inHeader && i <= maxNesting; i++ {
		if err := w.endHeader(false, 0); err != nil {
			return err
		}
	}
	if w.state == inBody {
		w.endLeaf()
	}
	if w.out != nil {
		return w.out.err
	}
	return nil
}

func (w *walker) headerLine(l []byte, no int64) error {
	if len(l) == 0 {
		return w.endHeader(true, no)
	}
	if bytes.IndexByte(l, 0) >= 0 {
		return &LineError{Line: no, Reason: "NUL octet in a header field (RFC 5322 §2.2 forbids it)"}
	}
	e := &w.ent
	if e.size == 0 {
		e.start = no
	}
	e.size += len(l) + 2
	if e.size > MaxHeaderBytes {
		return &LineError{Line: e.start, Reason: fmt.Sprintf("header section larger than %d octets", MaxHeaderBytes)}
	}
	if l[0] == ' ' || l[0] == '\t' {
		if n := len(e.fields); n > 0 {
			e.fields[n-1].raw = append(append(e.fields[n-1].raw, l...), crlf...)
			return nil
		}
	} else if i := bytes.IndexByte(l, ':'); i >= 0 && !bytes.ContainsAny(l[:i], " \t") {
		// An empty name (a line starting with ':') is a malformed field,
		// not the body's start: Go's net/textproto skips it and Python's
		// email parser keeps it as a defect, both reading on in the
		// header; so does this walker, or a reader would see a header
		// field the 7-bit form had encoded as body text.
		raw := append(append(make([]byte, 0, len(l)+2), l...), crlf...)
		e.fields = append(e.fields, hfield{name: string(l[:i]), raw: raw, line: no})
		return nil
	}
	// Not a header line: the header ends without its blank line and
	// this line is the body's first (RFC 5322 §2.1; Python and Postfix
	// read it so too).
	if err := w.endHeader(false, no); err != nil {
		return err
	}
	return w.content(l, no)
}

type kind int

const (
	leafPart kind = iota
	multipartPart
	messagePart
)

// endHeader decides what the entity is, writes its header (converted as
// the transport needs) and moves on to its body.
func (w *walker) endHeader(blank bool, no int64) error {
	e := &w.ent
	var ct, cteField *hfield
	hasMIMEVersion := false
	for i := range e.fields {
		switch strings.ToLower(e.fields[i].name) {
		case "content-type":
			if ct == nil {
				ct = &e.fields[i]
			}
		case "content-transfer-encoding":
			if cteField == nil {
				cteField = &e.fields[i]
			}
		case "mime-version":
			hasMIMEVersion = true
		}
	}
	mt, params := "text/plain", map[string]string(nil)
	if e.digest {
		mt = "message/rfc822"
	}
	if ct != nil {
		// An unreadable Content-Type means text/plain (RFC 2045 §5.2).
		if t, p, _ := mime.ParseMediaType(ct.value()); t != "" {
			mt, params = t, p
		} else {
			mt = "text/plain"
		}
	}
	cte := "7bit"
	if cteField != nil {
		cte = strings.ToLower(cteField.value())
	}
	identity := cte == "7bit" || cte == "8bit" || cte == "binary"
	k := leafPart
	switch {
	case len(w.stack) >= maxNesting:
	case strings.HasPrefix(mt, "multipart/") && params["boundary"] != "":
		k = multipartPart
	case mt == "message/rfc822" && identity:
		k = messagePart
	}

	encode := false
	if w.scanning() {
		w.scanHeader(e)
		if k == multipartPart && !isASCII(params["boundary"]) {
			w.problem(&LineError{Line: ct.line, Reason: "a multipart boundary with 8-bit characters cannot be made 7-bit"})
		}
	} else {
		if k == leafPart {
			if w.leafN >= len(w.info.leaves) {
				return errChanged
			}
			f := w.info.leaves[w.leafN]
			encode = identity && len(w.stack) < maxNesting && (f.nul || w.t == SevenBit && f.eightBit)
		}
		if err := w.writeHeader(e, k, cte, encode, ct != nil, cteField != nil, hasMIMEVersion); err != nil {
			return err
		}
		if blank {
			w.write(crlf)
		}
	}

	switch k {
	case multipartPart:
		w.stack = append(w.stack, frame{dash: []byte("--" + params["boundary"]), digest: mt == "multipart/digest"})
		w.state = inPreamble
	case messagePart:
		w.stack = append(w.stack, frame{})
		w.ent = entity{message: true}
		w.state = inHeader
	default:
		w.state, w.cte, w.convertible, w.encode, w.lines = inBody, cte, identity && len(w.stack) < maxNesting, encode, 0
		w.cur = w.leafN
		w.leafN++
		if w.scanning() {
			w.info.leaves = append(w.info.leaves, leafFlags{})
		}
	}
	return nil
}

// errChanged: Convert was given another message than the one scanned.
var errChanged = errors.New("message: the message differs from the one scanned")

func (w *walker) scanHeader(e *entity) {
	for _, f := range e.fields {
		if e.top && strings.EqualFold(f.name, "bcc") {
			continue // never sent: Prepare removes it
		}
		if asciiBytes(f.raw) {
			continue
		}
		w.info.EightBit, w.info.kept8bit = true, true
		if _, err := encodeField(f.name, f.raw); err != nil {
			le := &LineError{Line: f.line, Reason: err.Error()}
			if errors.Is(err, ErrNeedsSMTPUTF8) {
				le.Err = ErrNeedsSMTPUTF8
				w.info.NeedsSMTPUTF8 = true
				if w.info.utf8Err == nil {
					w.info.utf8Err = le
				}
				continue
			}
			w.problem(le)
		}
	}
}

func (w *walker) problem(e *LineError) {
	if w.info.problem == nil {
		w.info.problem = e
	}
}

func (w *walker) writeHeader(e *entity, k kind, cte string, encode, hasCT, hasCTE, hasMIMEVersion bool) error {
	seven := w.t == SevenBit
	rewroteCTE := false
	for _, f := range e.fields {
		out := f.raw
		if strings.EqualFold(f.name, "content-transfer-encoding") {
			switch {
			case rewroteCTE:
				continue // a second one would contradict the first
			case encode:
				out, rewroteCTE = []byte("Content-Transfer-Encoding: quoted-printable\r\n"), true
			case k != leafPart && seven && (cte == "8bit" || cte == "binary"):
				// Once its parts are 7-bit, so is the whole (RFC 2045 §6.4).
				out, rewroteCTE = []byte("Content-Transfer-Encoding: 7bit\r\n"), true
			}
		}
		if seven && !asciiBytes(out) {
			enc, err := encodeField(f.name, f.raw)
			if err != nil {
				le := &LineError{Line: f.line, Reason: err.Error()}
				if errors.Is(err, ErrNeedsSMTPUTF8) {
					le.Err = ErrNeedsSMTPUTF8
				}
				return le
			}
			out = enc
		}
		w.write(out)
	}
	if encode {
		// A message with no MIME header gets the fields that make its
		// encoding readable (RFC 2045 §4, §5, §6).
		if e.message && !hasMIMEVersion {
			w.write([]byte("MIME-Version: 1.0\r\n"))
		}
		if !hasCT {
			w.write([]byte("Content-Type: text/plain; charset=" + w.charset() + "\r\n"))
		}
		if !hasCTE {
			w.write([]byte("Content-Transfer-Encoding: quoted-printable\r\n"))
		}
	}
	return nil
}

// charset names the text of an unlabelled part that gets encoded.
func (w *walker) charset() string {
	f := w.info.leaves[w.leafN]
	switch {
	case !f.eightBit:
		return "us-ascii"
	case f.invalidUTF8:
		return "unknown-8bit" // RFC 1428
	}
	return "utf-8"
}

func (w *walker) bodyLine(l []byte, no int64) error {
	nul := bytes.IndexByte(l, 0) >= 0
	eight := !asciiBytes(l)
	if w.scanning() {
		f := &w.info.leaves[w.cur]
		if nul {
			if !w.convertible {
				return &LineError{Line: no, Reason: fmt.Sprintf("NUL octet in a part declared %q, which cannot be re-encoded", w.cte)}
			}
			f.nul, w.info.NUL = true, true
		}
		if eight {
			f.eightBit, w.info.EightBit = true, true
			if !utf8.Valid(l) {
				f.invalidUTF8 = true
			}
			if !w.convertible {
				w.problem(&LineError{Line: no, Reason: fmt.Sprintf("8-bit octets in a part declared %q, which cannot be re-encoded", w.cte)})
			}
		}
		return nil
	}
	if w.encode {
		if w.lines > 0 {
			w.write(crlf)
		}
		w.buf = qpLine(w.buf[:0], l)
		w.write(w.buf)
	} else {
		if nul || eight && w.t == SevenBit {
			return errChanged
		}
		w.write(l, crlf)
	}
	w.lines++
	return nil
}

func (w *walker) endLeaf() {
	if w.scanning() {
		if f := w.info.leaves[w.cur]; f.eightBit && !f.nul {
			w.info.kept8bit = true
		}
		return
	}
	if w.encode && w.lines > 0 {
		w.write(crlf)
	}
}

// fillerLine is a line of a preamble or epilogue, which readers ignore
// (RFC 2046 §5.1.1): what a transport cannot carry there becomes '?'.
func (w *walker) fillerLine(l []byte) error {
	nul := bytes.IndexByte(l, 0) >= 0
	eight := !asciiBytes(l)
	if w.scanning() {
		if nul {
			w.info.NUL = true
		}
		if eight {
			w.info.EightBit, w.info.kept8bit = true, true
		}
		return nil
	}
	if nul || eight && w.t == SevenBit {
		w.buf = append(w.buf[:0], l...)
		for i, c := range w.buf {
			if c == 0 || c >= 0x80 && w.t == SevenBit {
				w.buf[i] = '?'
			}
		}
		l = w.buf
	}
	w.write(l, crlf)
	return nil
}

func (w *walker) write(parts ...[]byte) {
	if w.out == nil {
		return
	}
	for _, p := range parts {
		w.out.write(p)
	}
}

// countWriter counts what it writes and keeps the first error.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) write(p []byte) {
	if c.err != nil || len(p) == 0 {
		return
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
}
