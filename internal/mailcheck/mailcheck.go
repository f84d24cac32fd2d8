// Package mailcheck reads a delivered message back with the standard
// library's parsers (net/mail, mime, mime/multipart), independent of
// postie's composer, so tests can check what a recipient would see.
package mailcheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Part is a leaf of the MIME tree, decoded.
type Part struct {
	Type      string // media type, lower case
	Filename  string // decoded, from Content-Disposition or Content-Type name
	ContentID string
	Inline    bool
	Body      []byte // transfer-decoded
}

// SHA256 of the decoded body, hex.
func (p Part) SHA256() string {
	s := sha256.Sum256(p.Body)
	return hex.EncodeToString(s[:])
}

// Message is a parsed message.
type Message struct {
	Header  mail.Header
	Subject string // decoded
	Parts   []Part
	Types   []string // every media type in tree order, multiparts included
	Outline []string // the MIME tree, one indented line per part, with sizes
	depth   int
}

// Parse reads raw with net/mail and walks the MIME tree.
func Parse(raw []byte) (*Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return nil, fmt.Errorf("subject: %w", err)
	}
	out := &Message{Header: m.Header, Subject: subj}
	err = out.walk(map[string][]string(m.Header), m.Body)
	return out, err
}

// DecodedHeader returns a header decoded from RFC 2047.
func (m *Message) DecodedHeader(k string) string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get(k))
	if err != nil {
		return m.Header.Get(k)
	}
	return s
}

// Attachment returns the part with that file name.
func (m *Message) Attachment(name string) (Part, bool) {
	for _, p := range m.Parts {
		if p.Filename == name {
			return p, true
		}
	}
	return Part{}, false
}

// Text returns the first text/plain part.
func (m *Message) Text(subtype string) string {
	for _, p := range m.Parts {
		if p.Type == "text/"+subtype && p.Filename == "" {
			return string(p.Body)
		}
	}
	return ""
}

func (m *Message) walk(h map[string][]string, body io.Reader) error {
	get := func(k string) string {
		if v := h[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ct := get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content-type %q: %w", ct, err)
	}
	m.Types = append(m.Types, mt)
	indent := strings.Repeat("  ", m.depth)
	if strings.HasPrefix(mt, "multipart/") {
		m.Outline = append(m.Outline, indent+mt)
		m.depth++
		defer func() { m.depth-- }()
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable itself
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			// NextPart has already decoded quoted-printable (and
			// dropped that header); base64 is decoded at the leaf.
			hdr := map[string][]string(p.Header)
			if err := m.walk(hdr, p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(get("Content-Transfer-Encoding")) {
	case "base64":
		body = newB64(body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	part := Part{Type: mt, Body: b, ContentID: strings.Trim(get("Content-Id"), "<>")}
	if d := get("Content-Disposition"); d != "" {
		disp, dp, err := mime.ParseMediaType(d)
		if err == nil {
			part.Filename = dp["filename"]
			part.Inline = disp == "inline"
		}
	}
	if part.Filename == "" {
		part.Filename = params["name"]
	}
	if strings.HasPrefix(part.Filename, "=?") {
		if d, err := new(mime.WordDecoder).DecodeHeader(part.Filename); err == nil {
			part.Filename = d
		}
	}
	m.Parts = append(m.Parts, part)
	line := indent + mt
	if cs := params["charset"]; cs != "" {
		line += "; charset=" + cs
	}
	if part.Filename != "" {
		line += fmt.Sprintf(" name=%q", part.Filename)
	}
	m.Outline = append(m.Outline, fmt.Sprintf("%s (%d bytes)", line, len(b)))
	return nil
}
