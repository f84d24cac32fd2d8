package message

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Attachment is a file carried by the message, opened only when the
// message is written, so it can be any size and written more than once.
type Attachment struct {
	Name        string // file name shown to the recipient, any script
	ContentType string // default: from the name's extension, then sniffed
	Open        func() (io.ReadCloser, error)
	Size        int64  // octets, or -1 if unknown (then Size() reads it)
	Inline      bool   // part of the HTML (multipart/related), not a download
	ContentID   string // for inline parts: the HTML says cid:<ContentID>; default Name
}

// FileAttachment describes a file on disk: checked now (exists, regular,
// readable), read when the message is written.
func FileAttachment(path string) (Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return Attachment{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Attachment{}, err
	}
	if !st.Mode().IsRegular() {
		return Attachment{}, fmt.Errorf("attachment %s: not a regular file", path)
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return Attachment{
		Name:        filepath.Base(path),
		ContentType: DetectType(filepath.Base(path), head[:n]),
		Open:        func() (io.ReadCloser, error) { return os.Open(path) },
		Size:        st.Size(),
	}, nil
}

// DetectType returns a media type from the file name's extension, else
// from the content (http.DetectContentType's sniffing).
func DetectType(name string, head []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	if len(head) == 0 {
		return "application/octet-stream"
	}
	return http.DetectContentType(head)
}

// Message is a message to compose. Zero values are fine: Date and
// Message-ID are filled in when written.
type Message struct {
	From        Address
	Sender      *Address
	To, Cc, Bcc []Address // Bcc is never written; it is only for the envelope
	ReplyTo     []Address
	Subject     string
	Date        time.Time // zero: now
	MessageID   string    // "<id@domain>"; empty: generated from Rand and From's domain
	Headers     [][2]string
	Text        string // text/plain body
	HTML        string // text/html body
	Attachments []Attachment

	// Allow8Bit lets text parts go out as 8bit UTF-8 instead of
	// quoted-printable; only for servers announcing 8BITMIME.
	Allow8Bit bool

	// Injectable for deterministic output (tests, golden files).
	Now      func() time.Time
	Rand     io.Reader
	Boundary func(depth int) string
}

// reserved headers are written by the composer; a custom header may not
// replace them (and Bcc may never appear at all).
var reserved = map[string]bool{
	"bcc": true, "mime-version": true, "content-type": true, "content-transfer-encoding": true,
	"content-disposition": true, "from": true, "to": true, "cc": true, "subject": true,
	"date": true, "message-id": true, "reply-to": true, "sender": true,
}

// Validate checks every field for bytes that could inject a header and
// for malformed names; errors name the field.
func (m *Message) Validate() error {
	check := func(field string, a Address) error {
		if err := noControl(field+" name", a.Name); err != nil {
			return err
		}
		if err := noControl(field+" address", a.Addr); err != nil {
			return err
		}
		if a.Addr == "" || strings.ContainsAny(a.Addr, " <>,;\"") && !strings.HasPrefix(a.Addr, "\"") {
			return &FieldError{Field: field + " address", Reason: fmt.Sprintf("%q is not an address", a.Addr)}
		}
		return nil
	}
	if err := check("From", m.From); err != nil {
		return err
	}
	if m.Sender != nil {
		if err := check("Sender", *m.Sender); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		f  string
		as []Address
	}{{"To", m.To}, {"Cc", m.Cc}, {"Bcc", m.Bcc}, {"Reply-To", m.ReplyTo}} {
		for _, a := range l.as {
			if err := check(l.f, a); err != nil {
				return err
			}
		}
	}
	if err := noControl("Subject", m.Subject); err != nil {
		return err
	}
	if err := noControl("Message-ID", m.MessageID); err != nil {
		return err
	}
	for _, h := range m.Headers {
		name := h[0]
		if name == "" || strings.IndexFunc(name, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == ':' }) >= 0 {
			return &FieldError{Field: fmt.Sprintf("header name %q", clip(name)), Reason: "want printable ASCII without spaces or colon"}
		}
		if len(name) > MaxFieldName {
			return &FieldError{Field: fmt.Sprintf("header name %q", clip(name)), Reason: fmt.Sprintf("longer than %d octets (a field name cannot be folded)", MaxFieldName)}
		}
		if reserved[strings.ToLower(name)] {
			return &FieldError{Field: "header " + name, Reason: "set by postie itself; use the dedicated option"}
		}
		if err := noControl("header "+name, h[1]); err != nil {
			return err
		}
	}
	for _, a := range m.Attachments {
		if err := noControl("attachment name", a.Name); err != nil {
			return err
		}
		if len(a.Name) > 255 {
			return &FieldError{Field: "attachment name", Reason: "longer than 255 octets"}
		}
		if err := noControl("attachment content type", a.ContentType+a.ContentID); err != nil {
			return err
		}
		if a.Open == nil {
			return &FieldError{Field: "attachment " + a.Name, Reason: "no content"}
		}
	}
	return nil
}

// Recipients returns every To, Cc and Bcc address, for the envelope.
func (m *Message) Recipients() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range [][]Address{m.To, m.Cc, m.Bcc} {
		for _, a := range l {
			if k := strings.ToLower(a.Addr); !seen[k] {
				seen[k] = true
				out = append(out, a.Addr)
			}
		}
	}
	return out
}

// Needs8BitMIME reports whether the written form carries 8-bit text
// parts (only possible with Allow8Bit).
func (m *Message) Needs8BitMIME() bool {
	return m.Allow8Bit && (textEncoding(m.Text, true) == "8bit" || textEncoding(m.HTML, true) == "8bit")
}

// NeedsSMTPUTF8 reports whether a header address has a non-ASCII
// addr-spec, which only an SMTPUTF8 server may carry (RFC 6532).
func (m *Message) NeedsSMTPUTF8() bool {
	for _, l := range [][]Address{{m.From}, m.To, m.Cc, m.Bcc, m.ReplyTo} {
		for _, a := range l {
			if !isASCII(a.Addr) {
				return true
			}
		}
	}
	return false
}

func (m *Message) now() time.Time {
	if !m.Date.IsZero() {
		return m.Date
	}
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Message) random(n int) string {
	b := make([]byte, n)
	r := m.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, b); err != nil {
		panic("message: randomness source failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Fill sets Date and Message-ID if they are unset. A filled message
// writes the same bytes every time, boundaries included (they derive
// from the Message-ID): call Fill once before Size and WriteTo, or use
// Body, which fills a copy.
func (m *Message) Fill() {
	if m.Date.IsZero() {
		m.Date = m.now()
	}
	if m.MessageID == "" {
		domain := "postie.localhost"
		if i := strings.LastIndexByte(m.From.Addr, '@'); i >= 0 && i < len(m.From.Addr)-1 {
			domain = m.From.Addr[i+1:]
		}
		m.MessageID = "<" + m.random(16) + "@" + domain + ">"
	}
}

// filled is a copy of m with Date and Message-ID set; m is not changed.
func (m *Message) filled() *Message {
	c := *m
	c.Fill()
	return &c
}

// counter counts octets; in counting mode attachments of known size are
// added arithmetically instead of being read.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Size returns the exact length WriteTo produces, reading no attachment
// whose Size is known. It does not change m. If m's Date or Message-ID
// is unset, each write fills them afresh: call Fill first.
func (m *Message) Size() (int64, error) {
	c := &counter{w: io.Discard}
	err := m.filled().write(c, true)
	return c.n, err
}

// WriteTo writes the message with CRLF line endings, streaming each
// attachment from its source. It does not change m (see Fill).
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	c := &counter{w: w}
	err := m.filled().write(c, false)
	return c.n, err
}

// Body returns the message as a source that the SMTP engine opens as
// often as it needs (the func type is assignable to smtp.Body): each
// open composes and streams the same bytes, nothing is held in memory.
// m is copied now, filled if its Date or Message-ID is unset, and not
// changed; later changes to m do not show. An invalid message fails at
// open (Validate).
func (m *Message) Body() func() (io.ReadCloser, error) {
	c := m.filled()
	c.To, c.Cc, c.Bcc, c.ReplyTo = slices.Clone(m.To), slices.Clone(m.Cc), slices.Clone(m.Bcc), slices.Clone(m.ReplyTo)
	c.Headers, c.Attachments = slices.Clone(m.Headers), slices.Clone(m.Attachments)
	if m.Sender != nil {
		s := *m.Sender
		c.Sender = &s
	}
	return func() (io.ReadCloser, error) {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		pr, pw := io.Pipe()
		go func() {
			// io.Pipe hands over each Write synchronously; the composer
			// writes line by line, so batch its output.
			bw := bufio.NewWriterSize(pw, 64<<10)
			_, err := c.WriteTo(bw)
			if err == nil {
				err = bw.Flush()
			}
			pw.CloseWithError(err)
		}()
		return pr, nil
	}
}

type part struct {
	header [][2]string
	body   func(c *counter, counting bool) error
	kids   []*part
	kind   string // multipart subtype, when kids
}

func (m *Message) write(c *counter, counting bool) error {
	var h strings.Builder
	h.WriteString(foldField("Date", m.now().Format(time.RFC1123Z)))
	h.WriteString(foldField("From", m.From.header()))
	if m.Sender != nil {
		h.WriteString(foldField("Sender", m.Sender.header()))
	}
	if len(m.ReplyTo) > 0 {
		h.WriteString(foldField("Reply-To", addressList(m.ReplyTo)))
	}
	if len(m.To) > 0 {
		h.WriteString(foldField("To", addressList(m.To)))
	}
	if len(m.Cc) > 0 {
		h.WriteString(foldField("Cc", addressList(m.Cc)))
	}
	if m.Subject != "" {
		h.WriteString(foldField("Subject", encodeText(m.Subject)))
	}
	h.WriteString(foldField("Message-ID", m.MessageID))
	for _, x := range m.Headers {
		h.WriteString(foldField(x[0], encodeText(x[1])))
	}
	h.WriteString("MIME-Version: 1.0\r\n")
	if _, err := io.WriteString(c, h.String()); err != nil {
		return err
	}
	return m.writePart(c, m.tree(), 0, counting)
}

func (m *Message) textPart(s, subtype string) *part {
	enc := textEncoding(s, m.Allow8Bit)
	return &part{
		header: [][2]string{
			{"Content-Type", "text/" + subtype + "; charset=UTF-8"},
			{"Content-Transfer-Encoding", enc},
		},
		body: func(c *counter, _ bool) error {
			if enc == "quoted-printable" {
				qp := QPWriter(c)
				if _, err := io.WriteString(qp, s); err != nil {
					return err
				}
				if err := qp.Close(); err != nil {
					return err
				}
				if !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\r") && s != "" {
					_, err := io.WriteString(c, "\r\n")
					return err
				}
				return nil
			}
			t := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
			if t != "" && !strings.HasSuffix(t, "\r\n") {
				t += "\r\n"
			}
			_, err := io.WriteString(c, t)
			return err
		},
	}
}

func (m *Message) attachmentPart(a Attachment) *part {
	ct := a.ContentType
	if ct == "" {
		ct = DetectType(a.Name, nil)
	}
	disp := "attachment"
	if a.Inline {
		disp = "inline"
	}
	hdr := [][2]string{
		{"Content-Type", withName(ct, "name", a.Name)},
		{"Content-Transfer-Encoding", "base64"},
		{"Content-Disposition", withName(disp, "filename", a.Name)},
	}
	if a.Inline {
		cid := a.ContentID
		if cid == "" {
			cid = a.Name
		}
		hdr = append(hdr, [2]string{"Content-ID", "<" + cid + ">"})
	}
	return &part{header: hdr, body: func(c *counter, counting bool) error {
		if counting && a.Size >= 0 {
			c.n += base64Len(a.Size)
			return nil
		}
		rc, err := a.Open()
		if err != nil {
			return fmt.Errorf("attachment %s: %w", a.Name, err)
		}
		defer rc.Close()
		enc := Base64Writer(c)
		if _, err := io.Copy(enc, rc); err != nil {
			return fmt.Errorf("attachment %s: %w", a.Name, err)
		}
		return enc.Close()
	}}
}

// withName adds a file name parameter to a media type.
func withName(mediaType, param, name string) string {
	if name == "" {
		return mediaType
	}
	base, params, err := mime.ParseMediaType(mediaType)
	if err != nil {
		base, params = mediaType, map[string]string{}
	}
	params[param] = name
	return formatMediaType(base, params)
}

// formatMediaType writes a Content-Type or Content-Disposition value:
// non-ASCII parameters as RFC 2231 (name*=utf-8”...) via
// mime.FormatMediaType, plus for a name or filename the RFC 2047 quoted
// form that Outlook and older clients read. "" if a parameter name is
// not a token.
func formatMediaType(base string, params map[string]string) string {
	s := mime.FormatMediaType(base, params)
	if s == "" {
		return ""
	}
	for _, p := range []string{"filename", "name"} {
		if v, ok := params[p]; ok && !isASCII(v) && utf8.ValidString(v) {
			s += "; " + p + "=\"" + mime.BEncoding.Encode("UTF-8", v) + "\""
		}
	}
	return s
}

// tree builds the MIME structure: mixed( related( alternative(text,
// html), inline... ), attachments... ), dropping levels not needed.
func (m *Message) tree() *part {
	var body *part
	switch {
	case m.Text != "" && m.HTML != "":
		body = &part{kind: "alternative", kids: []*part{m.textPart(m.Text, "plain"), m.textPart(m.HTML, "html")}}
	case m.HTML != "":
		body = m.textPart(m.HTML, "html")
	default:
		body = m.textPart(m.Text, "plain")
	}
	var inline, attached []*part
	for _, a := range m.Attachments {
		if a.Inline {
			inline = append(inline, m.attachmentPart(a))
		} else {
			attached = append(attached, m.attachmentPart(a))
		}
	}
	if len(inline) > 0 {
		body = &part{kind: "related", kids: append([]*part{body}, inline...)}
	}
	if len(attached) > 0 {
		body = &part{kind: "mixed", kids: append([]*part{body}, attached...)}
	}
	return body
}

// boundary derives the delimiter of the multipart at depth from the
// Message-ID, so a filled message always writes the same bytes (a retry
// sends what was sent, a spool holds what Size counted). One that occurs
// in the text or HTML is passed over: those are the only parts written
// as they are; attachments are base64, which has no '-' (RFC 2046 §5.1.1).
func (m *Message) boundary(depth int) string {
	if m.Boundary != nil {
		return m.Boundary(depth)
	}
	for n := 0; ; n++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "postie boundary %d %d %s", depth, n, m.MessageID))
		b := fmt.Sprintf("postie-%d-%s", depth, hex.EncodeToString(sum[:12]))
		if !strings.Contains(m.Text, b) && !strings.Contains(m.HTML, b) {
			return b
		}
	}
}

func (m *Message) writePart(c *counter, p *part, depth int, counting bool) error {
	var h strings.Builder
	var boundary string
	if p.kids != nil {
		boundary = m.boundary(depth)
		typ := "multipart/" + p.kind
		if p.kind == "related" {
			typ += "; type=\"multipart/alternative\""
			if p.kids[0].kids == nil {
				typ = "multipart/related; type=\"text/html\""
			}
		}
		h.WriteString(foldField("Content-Type", typ+"; boundary=\""+boundary+"\""))
	}
	for _, f := range p.header {
		h.WriteString(foldField(f[0], f[1]))
	}
	h.WriteString("\r\n")
	if _, err := io.WriteString(c, h.String()); err != nil {
		return err
	}
	if p.kids == nil {
		return p.body(c, counting)
	}
	// The CRLF before each later delimiter belongs to the delimiter
	// (RFC 2046 §5.1.1), so each part keeps its own final line break.
	for i, k := range p.kids {
		delim := "--" + boundary + "\r\n"
		if i > 0 {
			delim = "\r\n" + delim
		}
		if _, err := io.WriteString(c, delim); err != nil {
			return err
		}
		if err := m.writePart(c, k, depth+1, counting); err != nil {
			return err
		}
	}
	_, err := io.WriteString(c, "\r\n--"+boundary+"--\r\n")
	return err
}
