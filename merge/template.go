package merge

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"mime"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/postie/postie/message"
)

// Template is a parsed merge template: an .eml-like file (header fields,
// a blank line, the text body) whose values and body are Go text/template
// templates run on each row with missingkey=error, plus an optional HTML
// body (html/template, so row values are escaped).
//
// Header fields, matched without regard to case:
//   - From, Sender, Reply-To, Subject, To: as in any message. To may only
//     put a name on the row's own address (see the package doc).
//   - Cc and Bcc are refused: a merge sends each row to its row's address
//     only, and a copy to a third party would carry every row's data.
//   - Date, Message-ID, MIME-Version and Content-* are refused: postie
//     writes them (Date and Message-ID fixed per row, see Item).
//   - X-Postie-Attach: a file to attach (repeatable, a template like any
//     value, so {{.report_pdf}} takes it from a column; an empty result
//     attaches nothing). X-Postie-Inline: an image for the HTML body,
//     referenced as cid:<file name>. Neither is written into the message.
//   - Any other field is written as is, rendered; one that renders empty
//     is left out.
type Template struct {
	file      string
	from      *section // nil: Options.From
	sender    *section
	to        *section // nil: the row's address, with its name if the cell had one
	replyTo   *section
	subject   *section
	headers   []*section
	attach    []*section
	inline    []*section
	text      *section
	html      *htmltemplate.Template
	htmlRefs  []string
	fields    []string // Fields, once worked out
	hasHeader map[string]bool
}

// section is one templated part: a header value or a body.
type section struct {
	name     string // header name as written, or "body"
	line     int    // in the template file
	t        *template.Template
	constant string
	isConst  bool
	dropNL   bool    // the body's output starts with parse's line break
	pieces   []piece // the template as text and fields, when it is that simple
	simple   bool
	refs     []string // row fields it reads
}

// The fields a template may not set, and why.
var refusedFields = map[string]string{
	"cc":                        "a merge sends each message to its row's address only; a copy to others would carry every row's data (run a second merge for them)",
	"bcc":                       "a merge sends each message to its row's address only; a copy to others would carry every row's data (run a second merge for them)",
	"date":                      "postie sets it (the campaign's start, the same on every row)",
	"message-id":                "postie sets it (one per row, kept the same when a row is sent again)",
	"mime-version":              "postie sets it",
	"content-type":              "postie writes the MIME structure (give an HTML template for an HTML body)",
	"content-transfer-encoding": "postie chooses the encoding",
	"content-disposition":       "postie writes the MIME structure",
	"content-id":                "postie writes the MIME structure",
	"received":                  "a trace field of a message already delivered; remove it",
	"return-path":               "a trace field of a message already delivered; remove it",
	"delivered-to":              "a trace field of a message already delivered; remove it",
	"dkim-signature":            "a signature of another message; remove it",
	"authentication-results":    "a trace field of a message already delivered; remove it",
}

// ParseTemplate parses a template file's content; file names it in errors.
func ParseTemplate(file string, src []byte) (*Template, error) {
	s := string(src)
	if !utf8.ValidString(s) {
		return nil, &TemplateError{File: file, Err: errors.New("not valid UTF-8; save the template as UTF-8")}
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	t := &Template{file: file, hasHeader: map[string]bool{}}
	lines := strings.SplitAfter(s, "\n")
	type raw struct {
		name, value string
		line, col   int
	}
	var fields []raw
	i := 0
	for ; i < len(lines); i++ {
		l := strings.TrimSuffix(lines[i], "\n")
		if strings.TrimSpace(l) == "" {
			i++
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			if len(fields) == 0 {
				return nil, &TemplateError{File: file, Line: i + 1, Err: errors.New("starts with white space; a template starts with header fields (Subject: ...), then a blank line, then the body")}
			}
			// Unfolding (RFC 5322 §2.2.3) removes the line break only.
			fields[len(fields)-1].value += l
			continue
		}
		colon := strings.IndexByte(l, ':')
		if colon <= 0 || !validFieldName(l[:colon]) {
			return nil, &TemplateError{File: file, Line: i + 1, Err: fmt.Errorf("%q is not a header field; a template starts with header fields (Subject: ...), then a blank line, then the body", clip(l, 40))}
		}
		if colon > message.MaxFieldName {
			return nil, &TemplateError{File: file, Line: i + 1, Err: fmt.Errorf("header field name %q is longer than %d octets (a field name cannot be folded)", clip(l[:colon], 40), message.MaxFieldName)}
		}
		v := l[colon+1:]
		col := colon + 2 + len(v) - len(strings.TrimLeft(v, " \t"))
		fields = append(fields, raw{name: l[:colon], value: v, line: i + 1, col: col})
	}
	if len(fields) == 0 {
		return nil, &TemplateError{File: file, Line: 1, Err: errors.New("no header fields; a template starts with header fields (Subject: ...), then a blank line, then the body")}
	}
	for _, f := range fields {
		if err := t.addField(f.name, strings.TrimSpace(f.value), f.line, f.col); err != nil {
			return nil, err
		}
	}
	body := strings.Join(lines[i:], "")
	if strings.TrimSpace(body) != "" {
		sec, err := t.parse("body", body, i+1, 1)
		if err != nil {
			return nil, err
		}
		t.text = sec
	}
	return t, nil
}

// validFieldName: a token (RFC 9110 §5.1), narrower than RFC 5322's
// printable ASCII (§3.6.8) because that is what mail software reads
// without surprises.
func validFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

func (t *Template) addField(name, value string, line, col int) error {
	lower := strings.ToLower(name)
	if why, ok := refusedFields[lower]; ok {
		return &TemplateError{File: t.file, Line: line, Err: fmt.Errorf("%s: not allowed in a merge template: %s", name, why)}
	}
	if strings.HasPrefix(lower, "arc-") {
		return &TemplateError{File: t.file, Line: line, Err: fmt.Errorf("%s: a trace field of a message already delivered; remove it", name)}
	}
	if strings.HasPrefix(lower, "resent-") {
		return &TemplateError{File: t.file, Line: line, Err: fmt.Errorf("%s: not allowed in a merge template: Resent- fields are for a message sent on again by hand", name)}
	}
	single := map[string]**section{"from": &t.from, "sender": &t.sender, "to": &t.to, "reply-to": &t.replyTo, "subject": &t.subject}
	if _, ok := single[lower]; ok && t.hasHeader[lower] {
		return &TemplateError{File: t.file, Line: line, Err: fmt.Errorf("%s: appears twice", name)}
	}
	t.hasHeader[lower] = true
	// A template saved from a mail program may hold RFC 2047 words;
	// the composer encodes again what needs it.
	if strings.Contains(value, "=?") {
		if dec, err := new(mime.WordDecoder).DecodeHeader(value); err == nil {
			value = dec
		}
	}
	sec, err := t.parse(name, value, line, col)
	if err != nil {
		return err
	}
	switch {
	case single[lower] != nil:
		*single[lower] = sec
	case lower == "x-postie-attach":
		t.attach = append(t.attach, sec)
	case lower == "x-postie-inline":
		t.inline = append(t.inline, sec)
	case strings.HasPrefix(lower, "x-postie-"):
		return &TemplateError{File: t.file, Line: line, Err: fmt.Errorf("%s: unknown; postie knows X-Postie-Attach and X-Postie-Inline", name)}
	default:
		t.headers = append(t.headers, sec)
	}
	return nil
}

// parse makes one section, placed so that text/template's errors give
// the line and column in the file ("template: grades.eml:7:12: ..."):
// a template comment takes up the lines before it, spaces the columns.
// The line break after the comment and the spaces come out in front of
// the value: a header value is trimmed anyway; a body drops that one
// line break (unless the body starts by trimming it itself, with "{{-").
func (t *Template) parse(name, text string, line, col int) (*section, error) {
	var prefix string
	if line > 1 {
		prefix = "{{/*" + strings.Repeat("\n", line-2) + "*/}}\n"
	}
	prefix += strings.Repeat(" ", max(col-1, 0))
	tt, err := template.New(t.file).Option("missingkey=error").Parse(prefix + text)
	if err != nil {
		return nil, &TemplateError{Err: err}
	}
	sec := &section{name: name, line: line, t: tt, refs: fieldRefs(tt.Tree)}
	sec.dropNL = line > 1 && col == 1 && !strings.HasPrefix(text, "{{-")
	sec.pieces, sec.simple = simplePieces(tt.Tree)
	sec.constant, sec.isConst = isConstant(tt.Tree)
	if sec.isConst {
		sec.constant = sec.trim(sec.constant)
	}
	return sec, nil
}

// trim removes what parse put in front of the text.
func (s *section) trim(out string) string {
	if s.name != "body" {
		return strings.TrimSpace(out)
	}
	if s.dropNL {
		return strings.TrimPrefix(out, "\n")
	}
	return out
}

// AddHTML adds an HTML body, rendered with html/template so that row
// values are escaped for where they appear (text, attribute, URL).
func (t *Template) AddHTML(file string, src []byte) error {
	s := string(src)
	if !utf8.ValidString(s) {
		return &TemplateError{File: file, Err: errors.New("not valid UTF-8; save the template as UTF-8")}
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	h, err := htmltemplate.New(file).Option("missingkey=error").Parse(s)
	if err != nil {
		return &TemplateError{Err: err}
	}
	t.html, t.htmlRefs, t.fields = h, fieldRefs(h.Tree), nil
	return nil
}

// check is what can only be judged once the template is complete.
func (t *Template) check() error {
	if len(t.inline) > 0 && t.html == nil {
		return &TemplateError{File: t.file, Line: t.inline[0].line, Err: errors.New("X-Postie-Inline: an inline image needs an HTML body (give an HTML template)")}
	}
	if t.text == nil && t.html == nil {
		return &TemplateError{File: t.file, Err: errors.New("no body: write the text after the header fields and a blank line, or give an HTML template")}
	}
	t.Fields() // worked out now: passes may then run at the same time
	return nil
}

// Fields returns every row field the templates read, in order of first use.
func (t *Template) Fields() []string {
	if t.fields == nil {
		t.fields = t.collectFields()
	}
	return t.fields
}

func (t *Template) collectFields() []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range t.sections() {
		for _, r := range s.refs {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	for _, r := range t.htmlRefs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// sections are the text/template parts, in file order of kind.
func (t *Template) sections() []*section {
	var out []*section
	for _, s := range []*section{t.from, t.sender, t.to, t.replyTo, t.subject} {
		if s != nil {
			out = append(out, s)
		}
	}
	out = append(out, t.headers...)
	out = append(out, t.attach...)
	out = append(out, t.inline...)
	if t.text != nil {
		out = append(out, t.text)
	}
	return out
}

// usedIn names where a field is used, for messages: "Subject", "body".
func (t *Template) usedIn(field string) string {
	for _, s := range t.sections() {
		for _, r := range s.refs {
			if r == field {
				return s.name
			}
		}
	}
	return "the HTML template"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
