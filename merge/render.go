package merge

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/postie/postie/message"
)

// Item is one row rendered: one message to one recipient.
type Item struct {
	Campaign  string
	Row       int
	Key       string          // "<campaign>/<row>": the outbox entry key, the same on every run
	To        message.Address // the row's recipient, the only one
	From      string          // envelope sender: the From address
	MessageID string          // derived from campaign, fingerprint and row: the same on every run
	msg       *message.Message
}

// WriteTo writes the message, streaming its attachments. Writing the
// same row of the same campaign again gives the same bytes: Date is the
// campaign's, Message-ID and MIME boundaries are derived from the row.
func (it *Item) WriteTo(w io.Writer) (int64, error) { return it.msg.WriteTo(w) }

// Body is the message as a source the SMTP engine (smtp.Body) or the
// outbox opens as often as it needs, each time the same bytes.
func (it *Item) Body() func() (io.ReadCloser, error) { return it.msg.Body() }

// Size is the exact length WriteTo writes, without reading attachments.
func (it *Item) Size() (int64, error) { return it.msg.Size() }

// NeedsSMTPUTF8 reports a non-ASCII address (RFC 6532): only a server
// offering SMTPUTF8 can take the message.
func (it *Item) NeedsSMTPUTF8() bool { return it.msg.NeedsSMTPUTF8() }

// scratch is reused from row to row within one pass.
type scratch struct {
	buf bytes.Buffer
	key []byte
}

// render turns one row into its message, or into the problems that stop it.
func (c *Campaign) render(row Row, sc *scratch) (*Item, []*Problem) {
	var probs []*Problem
	to, p := c.recipient(row)
	if p != nil {
		probs = append(probs, p)
	}
	if len(c.headerProblems) > 0 {
		return nil, probs // the template cannot run on any row: reported once, as row 1
	}
	missing := false
	for _, f := range c.tmpl.Fields() {
		if _, ok := row.Fields[f]; !ok {
			missing = true
			probs = append(probs, problem(row.Num, f, KindField, "missing, but the template uses {{.%s}} (in %s)", f, c.tmpl.usedIn(f)))
		}
	}
	if missing {
		return nil, probs
	}
	r := &rowRender{c: c, row: row, buf: &sc.buf}
	m := &message.Message{Date: c.Date, From: c.from}
	if t := c.tmpl.from; t != nil && !t.isConst {
		if v, ok := r.header(t); ok {
			if a, err := message.ParseAddress(v); err != nil {
				r.fail(t, KindTemplate, "From renders as %q, which is not an address", v)
			} else {
				m.From = a
			}
		}
	}
	if t := c.tmpl.sender; t != nil {
		if v, ok := r.header(t); ok && v != "" {
			a, err := message.ParseAddress(v)
			if err != nil {
				r.fail(t, KindTemplate, "Sender renders as %q, which is not an address", v)
			}
			m.Sender = &a
		}
	}
	if t := c.tmpl.replyTo; t != nil {
		if v, ok := r.header(t); ok && v != "" {
			list, err := message.ParseAddressList(v)
			if err != nil {
				r.fail(t, KindTemplate, "Reply-To renders as %q, which is not a list of addresses", v)
			}
			m.ReplyTo = list
		}
	}
	if t := c.tmpl.to; t != nil && p == nil {
		if v, ok := r.header(t); ok {
			name, ok := toName(v, to.Addr)
			if !ok {
				r.fail(t, KindAddress, "To renders as %q, which is not this row's address %s; To may only add a name to it, as in To: {{.name}} <{{.%s}}>", v, to.Addr, c.ToColumn)
			}
			to.Name = name
		}
	}
	if t := c.tmpl.subject; t != nil {
		m.Subject, _ = r.header(t)
	}
	for _, t := range c.tmpl.headers {
		if v, ok := r.header(t); ok && v != "" {
			m.Headers = append(m.Headers, [2]string{t.name, v})
		}
	}
	for _, t := range c.tmpl.attach {
		m.Attachments = r.file(t, false, m.Attachments)
	}
	for _, t := range c.tmpl.inline {
		m.Attachments = r.file(t, true, m.Attachments)
	}
	m.Attachments = append(m.Attachments, c.attach...)
	if t := c.tmpl.text; t != nil {
		m.Text, _ = r.exec(t)
	}
	if c.tmpl.html != nil {
		sc.buf.Reset()
		if err := c.tmpl.html.Execute(&sc.buf, row.Fields); err != nil {
			r.probs = append(r.probs, execProblem(row.Num, err))
		}
		m.HTML = sc.buf.String()
	}
	probs = append(probs, r.probs...)
	if len(probs) > 0 {
		return nil, probs
	}
	m.To = []message.Address{to}
	sum := c.rowHash(row.Num, sc)
	// Package message derives the MIME boundaries from the Message-ID.
	m.MessageID = "<" + hex.EncodeToString(sum[:16]) + "@" + idDomain(m.From.Addr) + ">"
	if err := m.Validate(); err != nil {
		// Each rendered value was checked above; this is the composer's
		// own rule, kept as the last guard.
		return nil, []*Problem{{Row: row.Num, Kind: KindValue, Err: err}}
	}
	return &Item{
		Campaign:  c.Name,
		Row:       row.Num,
		Key:       c.Name + "/" + strconv.Itoa(row.Num),
		To:        to,
		From:      m.From.Addr,
		MessageID: m.MessageID,
		msg:       m,
	}, nil
}

// rowHash seeds a row's Message-ID (and so its boundaries): the same campaign,
// data and row give the same message on every run.
func (c *Campaign) rowHash(row int, sc *scratch) [32]byte {
	k := append(sc.key[:0], "postie merge\x00"...)
	k = append(k, c.Name...)
	k = append(k, 0)
	k = append(k, c.Fingerprint...)
	k = binary.BigEndian.AppendUint64(append(k, 0), uint64(row))
	sc.key = k
	return sha256.Sum256(k)
}

func idDomain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	d := addr[i+1:]
	if i < 0 || d == "" || !isASCII(d) || strings.ContainsAny(d, "[]<> ") {
		return "postie.localhost"
	}
	return strings.ToLower(d)
}

// rowRender runs the template sections of one row, gathering problems.
type rowRender struct {
	c     *Campaign
	row   Row
	probs []*Problem
	buf   *bytes.Buffer
}

func (r *rowRender) fail(s *section, kind Kind, format string, args ...any) {
	r.probs = append(r.probs, problem(r.row.Num, r.column(s, ""), kind, format, args...))
}

// column names the data column behind a section's problem: the one of
// its fields whose value holds one of bad (or any, when bad is ""), when
// the section reads just one such field.
func (r *rowRender) column(s *section, bad string) string {
	found := ""
	for _, f := range s.refs {
		if v, ok := r.row.Fields[f]; ok && (bad == "" || strings.ContainsAny(v, bad)) {
			if found != "" {
				return ""
			}
			found = f
		}
	}
	return found
}

func (r *rowRender) exec(s *section) (string, bool) {
	if s.isConst {
		return s.constant, true
	}
	if s.simple {
		if v, ok := s.join(r.row.Fields); ok {
			return s.trim(v), true
		}
	}
	r.buf.Reset()
	if err := s.t.Execute(r.buf, r.row.Fields); err != nil {
		r.probs = append(r.probs, execProblem(r.row.Num, err))
		return "", false
	}
	return s.trim(r.buf.String()), true
}

// join renders a simple section; false when a field is missing (then
// text/template runs, to report it as it does).
func (s *section) join(fields map[string]string) (string, bool) {
	n := 0
	for _, p := range s.pieces {
		if p.field == "" {
			n += len(p.text)
			continue
		}
		v, ok := fields[p.field]
		if !ok {
			return "", false
		}
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range s.pieces {
		if p.field == "" {
			b.WriteString(p.text)
		} else {
			b.WriteString(fields[p.field])
		}
	}
	return b.String(), true
}

// header renders a header value and refuses the bytes that would end
// the field (RFC 5322 §2.2: a CRLF begins the next field; NUL is never
// allowed). message.Validate refuses them too; here the problem names
// the column.
func (r *rowRender) header(s *section) (string, bool) {
	v, ok := r.exec(s)
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(v, "\r\n\x00"); i >= 0 {
		r.probs = append(r.probs, problem(r.row.Num, r.column(s, "\r\n\x00"), KindValue,
			"%s: contains %q, which could add a header field", s.name, v[i:i+1]))
		return "", false
	}
	return v, true
}

// file renders an X-Postie-Attach/-Inline value and checks the file.
func (r *rowRender) file(s *section, inline bool, list []message.Attachment) []message.Attachment {
	v, ok := r.header(s)
	if !ok || v == "" {
		return list
	}
	path := v
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.c.o.AttachDir, path)
	}
	a, err := attachFile(path, inline)
	if err != nil {
		var ae *AttachmentError
		if errors.As(err, &ae) {
			ae.Path = v // as the user wrote it
		}
		r.probs = append(r.probs, &Problem{Row: r.row.Num, Column: r.column(s, ""), Kind: KindAttachment, Err: err})
		return list
	}
	return append(list, a)
}

// attachFile checks a file to attach: it exists, is a regular file and
// can be opened; it is read when the message is written.
func attachFile(path string, inline bool) (message.Attachment, error) {
	st, err := os.Stat(path)
	if err != nil {
		return message.Attachment{}, &AttachmentError{Path: path, Err: err}
	}
	if !st.Mode().IsRegular() {
		return message.Attachment{}, &AttachmentError{Path: path, Err: errors.New("not a regular file")}
	}
	a, err := message.FileAttachment(path)
	if err != nil {
		return message.Attachment{}, &AttachmentError{Path: path, Err: err}
	}
	a.Inline = inline
	return a, nil
}

// recipient reads the row's address: a bare address or "Name <address>".
func (c *Campaign) recipient(row Row) (message.Address, *Problem) {
	v, ok := row.Fields[c.ToColumn]
	if !ok {
		return message.Address{}, problem(row.Num, c.ToColumn, KindAddress, "missing: every row needs the recipient's address")
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return message.Address{}, problem(row.Num, c.ToColumn, KindAddress, "empty: every row needs the recipient's address")
	}
	a, err := message.ParseAddress(v)
	if err != nil || !plausibleAddress(a.Addr) {
		return message.Address{}, problem(row.Num, c.ToColumn, KindAddress, "%q is not an email address", clip(v, 80))
	}
	return a, nil
}

// plausibleAddress adds to net/mail's syntax what a merge to people
// needs: RFC 5321 §4.5.3.1 lengths, and a domain with a dot (bob@qqcom
// is a typo far more often than a host name) or an address literal.
func plausibleAddress(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at > 64 || len(addr) > 254 {
		return false
	}
	d := addr[at+1:]
	if strings.HasPrefix(d, "[") && strings.HasSuffix(d, "]") {
		return true
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, ch := range l {
			if ch < 0x80 && !(ch == '-' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
				return false
			}
		}
	}
	return true
}

// toName reads a rendered To: the row's address, bare or after a display
// name. The name may hold anything but CR/LF (already refused): it is
// taken as a name and encoded by the composer, never parsed for more
// addresses, so "Eve <eve@evil.test>, " in a name column stays a name.
func toName(v, addr string) (string, bool) {
	if v == addr {
		return "", true
	}
	if name, ok := strings.CutSuffix(v, "<"+addr+">"); ok {
		name = strings.TrimSpace(name)
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(name[1 : len(name)-1])
		}
		return name, true
	}
	if a, err := message.ParseAddress(v); err == nil && sameMailbox(a.Addr, addr) {
		return a.Name, true
	}
	return "", false
}

// sameMailbox compares addresses as RFC 5321 §2.4 does: the local part
// exactly, the domain without regard to case.
func sameMailbox(a, b string) bool {
	return exactKey(a) == exactKey(b)
}

func exactKey(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	return addr[:at+1] + strings.ToLower(addr[at+1:])
}

func isASCII(s string) bool { return strings.IndexFunc(s, func(r rune) bool { return r >= 0x80 }) < 0 }
