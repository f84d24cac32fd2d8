package inbox

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strconv"
	"strings"
)

// Part is one node of a message's MIME tree (RFC 2045, RFC 2046).
type Part struct {
	// Path numbers the part as IMAP does (RFC 3501 §6.4.5): "1", "2.1";
	// the top of a multipart message is "".
	Path        string `json:"path"`
	Type        string `json:"type"` // media type, lower case
	Charset     string `json:"charset,omitempty"`
	Encoding    string `json:"encoding,omitempty"`    // Content-Transfer-Encoding
	Disposition string `json:"disposition,omitempty"` // inline, attachment
	Filename    string `json:"filename,omitempty"`    // decoded (RFC 2231, RFC 2047)
	ContentID   string `json:"content_id,omitempty"`  // without < >
	Size        int64  `json:"size"`                  // decoded octets (leaves)
	Depth       int    `json:"depth"`
	Multipart   bool   `json:"multipart,omitempty"`
	Err         string `json:"error,omitempty"` // what was wrong with this part
}

// IsAttachment says whether a reader would list the part as an
// attachment: not a multipart, and marked as one; else not a resource
// the HTML refers to by Content-ID (RFC 2392), and named or not text.
func (p *Part) IsAttachment() bool {
	switch {
	case p.Multipart:
		return false
	case p.Disposition == "attachment":
		return true
	case p.ContentID != "":
		return false
	}
	return p.Filename != "" || !strings.HasPrefix(p.Type, "text/")
}

// Limits of the walk, so a hostile message cannot make it run forever.
const (
	maxDepth = 20
	maxParts = 1000
)

var errStop = errors.New("stop walking")

// visitFunc sees each part in tree order; body is the part's decoded
// content for leaves (nil for multiparts). It must read body, or not,
// before returning; errStop ends the walk without an error.
type visitFunc func(p *Part, body io.Reader) error

type walker struct {
	visit visitFunc
	parts int
}

// walkMessage reads the message's header, then visits its MIME tree.
func walkMessage(r io.Reader, visit visitFunc) (Header, error) {
	br := bufio.NewReaderSize(r, 8<<10)
	h, rest, herr := readHeader(br)
	var body io.Reader = br
	if rest != nil {
		body = io.MultiReader(bytes.NewReader(rest), br)
	}
	w := &walker{visit: visit}
	top := map[string][]string{}
	for _, f := range h {
		k := textproto.CanonicalMIMEHeaderKey(f.Name)
		top[k] = append(top[k], f.Value)
	}
	err := w.part(top, body, "", 0, true)
	if errors.Is(err, errStop) {
		err = nil
	}
	if err == nil {
		err = herr
	}
	return h, err
}

func first(h map[string][]string, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// part visits one part and, for a multipart, its children.
func (w *walker) part(h map[string][]string, body io.Reader, path string, depth int, top bool) error {
	w.parts++
	p := &Part{Path: path, Depth: depth, Encoding: strings.ToLower(strings.TrimSpace(first(h, "Content-Transfer-Encoding")))}
	if top && path == "" {
		p.Path = "1" // a single-part message: its body is part 1
	}
	ct := first(h, "Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	switch {
	case ct == "":
		mt, params = "text/plain", map[string]string{"charset": "us-ascii"} // RFC 2045 §5.2
	case err != nil && mt == "":
		p.Err = fmt.Sprintf("content-type %q: %v", decodeText(ct), err)
		mt, params = "application/octet-stream", map[string]string{}
	}
	p.Type = strings.ToLower(mt)
	p.Charset = strings.ToLower(params["charset"])
	cd := first(h, "Content-Disposition")
	if cd != "" {
		d, dp, _ := mime.ParseMediaType(cd)
		p.Disposition = strings.ToLower(d)
		p.Filename = dp["filename"]
		if p.Filename == "" {
			p.Filename = param2231(cd, "filename")
		}
	}
	if p.Filename == "" {
		p.Filename = params["name"]
	}
	if p.Filename == "" {
		p.Filename = param2231(ct, "name")
	}
	p.Filename = decodeText(p.Filename) // RFC 2047 inside a parameter: wrong, but common
	p.ContentID = strings.Trim(strings.TrimSpace(first(h, "Content-Id")), "<>")

	if strings.HasPrefix(p.Type, "multipart/") {
		p.Multipart = true
		if top {
			p.Path = ""
		}
		boundary := params["boundary"]
		if boundary == "" {
			p.Err = "multipart without a boundary: shown as one part"
			p.Multipart = false
			return w.leaf(p, body)
		}
		if depth >= maxDepth {
			p.Err = "nested too deep: not read further"
			return w.visit(p, nil)
		}
		if err := w.visit(p, nil); err != nil {
			return err
		}
		mr := multipart.NewReader(body, boundary)
		for i := 1; ; i++ {
			if w.parts >= maxParts {
				p.Err = "too many parts: the rest is not read"
				return nil
			}
			child, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				p.Err = "broken multipart: " + err.Error()
				return nil
			}
			cpath := strconv.Itoa(i)
			if path != "" {
				cpath = path + "." + cpath
			}
			if err := w.part(child.Header, child, cpath, depth+1, false); err != nil {
				return err
			}
		}
	}
	return w.leaf(p, body)
}

// leaf hands the decoded body to the visitor; when the visitor does not
// read it, the decoded size is counted without decoding (base64 is most
// of a big message: counting its letters is enough).
func (w *walker) leaf(p *Part, body io.Reader) error {
	lb := &lazyBody{p: p, raw: body}
	if err := w.visit(p, lb); err != nil {
		return err
	}
	if lb.dec == nil {
		p.Size = decodedSize(p, body)
		return nil
	}
	if _, err := io.Copy(io.Discard, lb); err != nil && p.Err == "" {
		p.Err = "cannot decode " + p.Encoding + ": " + err.Error()
	}
	p.Size = lb.n
	return nil
}

// lazyBody decodes the transfer encoding on the first Read.
type lazyBody struct {
	p   *Part
	raw io.Reader
	dec io.Reader
	n   int64
}

func (l *lazyBody) Read(b []byte) (int, error) {
	if l.dec == nil {
		l.dec = decodeTransfer(l.p, l.raw)
	}
	n, err := l.dec.Read(b)
	l.n += int64(n)
	return n, err
}

// decodedSize reads the rest of body and says how many octets it decodes to.
func decodedSize(p *Part, body io.Reader) int64 {
	switch p.Encoding {
	case "base64":
		buf := make([]byte, 32<<10)
		var letters int64
		for {
			n, err := body.Read(buf)
			for _, c := range buf[:n] {
				if base64Alphabet[c] && c != '=' {
					letters++
				}
			}
			if err != nil {
				break
			}
		}
		return letters/4*3 + max(letters%4-1, 0)
	case "", "7bit", "8bit", "binary":
		n, _ := io.Copy(io.Discard, body)
		return n
	}
	n, _ := io.Copy(io.Discard, decodeTransfer(p, body))
	return n
}

func decodeTransfer(p *Part, body io.Reader) io.Reader {
	switch p.Encoding {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Filter{r: body})
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	case "", "7bit", "8bit", "binary":
		return body
	}
	p.Err = "unknown transfer encoding " + strconv.Quote(p.Encoding) + ": shown undecoded"
	return body
}

// base64Alphabet marks the octets of base64 text (RFC 4648 §4), padding
// included.
var base64Alphabet = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") {
		t[c] = true
	}
	return t
}()

// base64Filter drops what RFC 2045 §6.8 says a decoder must ignore:
// line breaks and any character outside the base64 alphabet.
type base64Filter struct{ r io.Reader }

func (f *base64Filter) Read(p []byte) (int, error) {
	for {
		n, err := f.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if base64Alphabet[c] {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
