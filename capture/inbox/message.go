package inbox

import (
	"io"
	"net/mail"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding/htmlindex"
)

// Summary is what the list shows of a message.
type Summary struct {
	ID          string    `json:"id"`
	From        string    `json:"from"`
	To          []string  `json:"to"`
	Cc          []string  `json:"cc,omitempty"`
	Subject     string    `json:"subject"` // decoded
	Date        time.Time `json:"date"`    // the Date header, else the arrival time
	Arrived     time.Time `json:"arrived"` // when the file appeared
	Size        int64     `json:"size"`    // octets of the stored file
	Attachments int       `json:"attachment_count"`
	Session     string    `json:"session,omitempty"` // the SMTP session's ID, when recorded
	Error       string    `json:"error,omitempty"`   // the message is broken: how

	path string
	hay  string // lower-case from, to, cc and subject, for search
}

// Message is one message read in full for the message view and the API.
type Message struct {
	Summary
	Header        []Field `json:"header"` // decoded values, in order
	Text          string  `json:"text"`   // the first text/plain body part, as UTF-8
	TextTruncated bool    `json:"text_truncated,omitempty"`
	HTML          string  `json:"html,omitempty"` // the first text/html body part, sanitised
	HTMLTruncated bool    `json:"html_truncated,omitempty"`
	RemoteImages  int     `json:"remote_images,omitempty"` // remote images left out of the HTML
	Parts         []*Part `json:"parts"`                   // the MIME tree, in order
	Attach        []*Part `json:"-"`                       // the parts listed as attachments (the API lists them with URLs)
	inline        map[string]string
}

// maxBodyText is the most of a text or HTML part the view shows.
const maxBodyText = 2 << 20

// sessionID finds the session named in our own Received line: the first
// Received field, "... by HOST (postie serve) with PROTO id ID;".
var sessionID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\(postie serve\) with [A-Z]+ id ([0-9]+\.[0-9]+);`) })

func summarize(h Header, id, path string, size int64, arrived time.Time) Summary {
	s := Summary{ID: id, path: path, Size: size, Arrived: arrived, Date: arrived}
	if f := decodeAddresses(h.Get("From")); len(f) > 0 {
		s.From = strings.Join(f, ", ")
	}
	s.To = decodeAddresses(h.Get("To"))
	s.Cc = decodeAddresses(h.Get("Cc"))
	s.Subject = decodeText(h.Get("Subject"))
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		s.Date = d
	}
	if m := sessionID().FindStringSubmatch(h.Get("Received")); m != nil {
		s.Session = m[1]
	}
	s.hay = strings.ToLower(s.From + "\n" + strings.Join(s.To, "\n") + "\n" + strings.Join(s.Cc, "\n") + "\n" + s.Subject)
	return s
}

// readSummary reads a message file for the list: its header, and its MIME
// tree with the bodies skipped (to count attachments).
func readSummary(path, id string) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Summary{}, err
	}
	n := 0
	h, werr := walkMessage(f, func(p *Part, body io.Reader) error {
		if p.IsAttachment() {
			n++
		}
		return nil
	})
	s := summarize(h, id, path, info.Size(), arrivalTime(id, info.ModTime()))
	s.Attachments = n
	if werr != nil {
		s.Error = werr.Error()
	}
	return s, nil
}

// arrivalTime reads the time at the start of a Maildir file name (postie
// serve writes UnixNano; other deliverers write seconds), else the file's
// modification time.
func arrivalTime(id string, mod time.Time) time.Time {
	digits := id
	if i := strings.IndexFunc(id, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = id[:i]
	}
	var v int64
	for _, c := range digits {
		v = v*10 + int64(c-'0')
		if v > 1e18 {
			return mod
		}
	}
	switch {
	case len(digits) >= 18: // nanoseconds
		return time.Unix(0, v)
	case len(digits) >= 9 && len(digits) <= 10: // seconds
		return time.Unix(v, 0)
	}
	return mod
}

// readMessage reads a message in full for the view.
func readMessage(s Summary) (*Message, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := &Message{Summary: s, inline: map[string]string{}}
	var htmlSrc string
	textDone, htmlDone := false, false
	h, werr := walkMessage(f, func(p *Part, body io.Reader) error {
		m.Parts = append(m.Parts, p)
		if body == nil {
			return nil
		}
		if p.ContentID != "" {
			m.inline[p.ContentID] = p.Path
		}
		switch {
		case p.Type == "text/plain" && !textDone && p.Disposition != "attachment" && p.Filename == "":
			textDone = true
			m.Text, m.TextTruncated = readText(body, p.Charset)
		case p.Type == "text/html" && !htmlDone && p.Disposition != "attachment" && p.Filename == "":
			htmlDone = true
			htmlSrc, m.HTMLTruncated = readText(body, p.Charset)
		case p.IsAttachment():
			m.Attach = append(m.Attach, p)
		}
		return nil
	})
	for _, f := range h {
		m.Header = append(m.Header, Field{Name: f.Name, Value: decodeText(f.Value)})
	}
	if werr != nil && m.Error == "" {
		m.Error = werr.Error()
	}
	if htmlSrc != "" {
		m.HTML, m.RemoteImages = sanitizeHTML(htmlSrc)
	}
	return m, nil
}

// readText reads up to maxBodyText of a text part and converts it to
// UTF-8 from its charset.
func readText(body io.Reader, charset string) (string, bool) {
	r := body
	if charset != "" && charset != "utf-8" && charset != "us-ascii" {
		cs := charset
		if cs == "gb2312" || cs == "gbk" {
			cs = "gb18030"
		}
		if enc, err := htmlindex.Get(cs); err == nil {
			r = enc.NewDecoder().Reader(body)
		}
	}
	b, _ := io.ReadAll(io.LimitReader(r, maxBodyText+1))
	cut := len(b) > maxBodyText
	if cut {
		b = b[:maxBodyText]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), cut
}

// openPart streams the decoded content of the first part that matches to
// the writer w returns.
func openPart(path string, match func(*Part) bool, w func(p *Part) io.Writer) (*Part, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return copyPart(f, match, w)
}

func copyPart(r io.Reader, match func(*Part) bool, w func(p *Part) io.Writer) (found *Part, err error) {
	_, err = walkMessage(r, func(p *Part, body io.Reader) error {
		if body == nil || !match(p) {
			return nil
		}
		found = p
		if _, err := io.Copy(w(p), body); err != nil {
			return err
		}
		return errStop
	})
	if found != nil {
		return found, nil // a write error after the headers went out is the client's
	}
	return nil, err
}
