package message

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"reflect"
	"strings"
)

// decoded is what a reader gets from a message, read with the standard
// library alone (net/mail, mime, mime/multipart, mime/quotedprintable),
// independently of the walker under test: decoded header text and every
// leaf part's type, file name and transfer-decoded content, encapsulated
// messages (message/rfc822) included.
type decoded struct {
	Headers map[string]string
	Parts   []decodedPart
}

type decodedPart struct {
	Path     string // position in the tree: "1.2"
	Type     string
	Filename string
	Body     []byte
}

// wordDecoder reads RFC 2047 words; unknown-8bit (RFC 1428) words give
// back their octets as they are, like a raw 8-bit header.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	if strings.EqualFold(cs, "unknown-8bit") {
		return r, nil
	}
	return nil, fmt.Errorf("unhandled charset %q", cs)
}}

func decodeMessage(raw []byte) (*decoded, error) {
	d := &decoded{Headers: map[string]string{}}
	return d, d.message(raw, "")
}

func (d *decoded) message(raw []byte, path string) error {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	for _, k := range []string{"Subject", "Comments", "X-Note"} {
		if v := m.Header.Get(k); v != "" {
			s, err := wordDecoder.DecodeHeader(v)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			d.Headers[path+k] = strings.Join(strings.Fields(s), " ")
		}
	}
	for _, k := range []string{"From", "To", "Cc", "Reply-To"} {
		if v := m.Header.Get(k); v != "" {
			// Compare the parsed list, not the text: quoting of a name
			// may differ, the names and addresses may not.
			list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(v)
			if err != nil {
				d.Headers[path+k] = "unparsable"
				continue
			}
			var s []string
			for _, a := range list {
				s = append(s, strings.Join(strings.Fields(a.Name), " ")+" <"+a.Address+">")
			}
			d.Headers[path+k] = strings.Join(s, ", ")
		}
	}
	return d.entity(textproto.MIMEHeader(m.Header), m.Body, path, false)
}

func (d *decoded) entity(h textproto.MIMEHeader, body io.Reader, path string, digest bool) error {
	mt, params := "text/plain", map[string]string{}
	if digest {
		mt = "message/rfc822"
	}
	if ct := h.Get("Content-Type"); ct != "" {
		var err error
		if mt, params, err = mime.ParseMediaType(ct); err != nil {
			return fmt.Errorf("content-type %q: %w", ct, err)
		}
	}
	cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		d.Parts = append(d.Parts, decodedPart{Path: path, Type: mt})
		for i := 1; ; i++ {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := d.entity(p.Header, p, fmt.Sprintf("%s.%d", path, i), mt == "multipart/digest"); err != nil {
				return err
			}
		}
	}
	switch cte {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.Join(strings.Fields(mustRead(body)), "")))
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if mt == "message/rfc822" && (cte == "" || cte == "7bit" || cte == "8bit" || cte == "binary") {
		d.Parts = append(d.Parts, decodedPart{Path: path, Type: mt})
		return d.message(b, path+"/")
	}
	p := decodedPart{Path: path, Type: mt, Body: b, Filename: params["name"]}
	if cd := h.Get("Content-Disposition"); cd != "" {
		if _, dp, err := mime.ParseMediaType(cd); err == nil && dp["filename"] != "" {
			p.Filename = dp["filename"]
		}
	}
	if strings.HasPrefix(p.Filename, "=?") {
		if s, err := wordDecoder.DecodeHeader(p.Filename); err == nil {
			p.Filename = s
		}
	}
	d.Parts = append(d.Parts, p)
	return nil
}

func mustRead(r io.Reader) string {
	b, _ := io.ReadAll(r)
	return string(b)
}

// diff describes how two decoded messages differ, "" if they do not.
func (d *decoded) diff(o *decoded) string {
	// A field the standard library cannot parse before (raw non-UTF-8
	// names) is compared by Python only.
	for k, v := range d.Headers {
		if v == "unparsable" {
			o = &decoded{Headers: maps.Clone(o.Headers), Parts: o.Parts}
			o.Headers[k] = v
		}
	}
	if !reflect.DeepEqual(d.Headers, o.Headers) {
		return fmt.Sprintf("headers:\n %q\n %q", d.Headers, o.Headers)
	}
	if len(d.Parts) != len(o.Parts) {
		return fmt.Sprintf("%d parts, then %d", len(d.Parts), len(o.Parts))
	}
	for i := range d.Parts {
		a, b := d.Parts[i], o.Parts[i]
		if a.Path != b.Path || a.Type != b.Type || a.Filename != b.Filename || !bytes.Equal(a.Body, b.Body) {
			return fmt.Sprintf("part %s:\n %s %q %q\n %s %q %q", a.Path, a.Type, a.Filename, a.Body, b.Type, b.Filename, b.Body)
		}
	}
	return ""
}
