package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
)

// MaxHeaderBytes bounds the header section Prepare will hold in memory;
// the body is streamed.
const MaxHeaderBytes = 1 << 20

// Field is one raw header field, with its continuation lines and line
// endings exactly as read.
type Field struct {
	Name string // as written, e.g. "To"
	Raw  []byte // "To: a@x.test,\r\n\tb@x.test\r\n"
}

// Value returns the unfolded value, RFC 2047 words left encoded.
func (f Field) Value() string {
	v := f.Raw[len(f.Name)+1:]
	s := strings.NewReplacer("\r\n", "", "\n", "").Replace(string(v))
	return strings.TrimSpace(s)
}

// Prepared is what Prepare learned about the message.
type Prepared struct {
	Recipients []string // To, Cc and Bcc addresses, de-duplicated, never RFC 2047-decoded
	From       string   // addr-spec of From, if parseable
	RemovedBcc bool
	AddedFrom  bool
	AddedDate  bool
	AddedID    bool
}

// PrepareOptions inject the clock and randomness for Date and Message-ID,
// and the From to add when the message has none (sendmail's -f/-F).
type PrepareOptions struct {
	Now  func() time.Time
	Rand io.Reader
	From *Address
}

// Prepare copies a message from r to w as sendmail -t does: Bcc fields
// are dropped (including their continuation lines), Date and Message-ID
// are added when missing, and every other byte passes unchanged. It
// returns the recipients from To, Cc and Bcc.
func Prepare(r io.Reader, w io.Writer, o PrepareOptions) (*Prepared, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	fields, sep, err := ReadHeader(br)
	if err != nil {
		return nil, err
	}
	p := &Prepared{}
	seen := map[string]bool{}
	var out bytes.Buffer
	hasDate, hasID, hasFrom := false, false, false
	eol := "\r\n"
	for _, f := range fields {
		name := strings.ToLower(f.Name)
		switch name {
		case "to", "cc", "bcc":
			v := f.Value()
			if v != "" {
				list, err := mail.ParseAddressList(v)
				if err != nil {
					return nil, fmt.Errorf("%s header %q: %v", f.Name, clip(v), err)
				}
				for _, a := range list {
					if k := strings.ToLower(a.Address); !seen[k] {
						seen[k] = true
						p.Recipients = append(p.Recipients, a.Address)
					}
				}
			}
		case "from":
			hasFrom = true
			if a, err := mail.ParseAddress(f.Value()); err == nil {
				p.From = a.Address
			}
		case "date":
			hasDate = true
		case "message-id":
			hasID = true
		}
		if name == "bcc" {
			p.RemovedBcc = true
			continue
		}
		if !bytes.HasSuffix(f.Raw, []byte("\r\n")) {
			eol = "\n"
		}
		out.Write(f.Raw)
		if !bytes.HasSuffix(f.Raw, []byte("\n")) {
			out.WriteString(eol)
		}
	}
	if !hasFrom && o.From != nil && o.From.Addr != "" {
		if err := noControl("From name", o.From.Name); err != nil {
			return nil, err
		}
		out.WriteString(strings.TrimSuffix(foldField("From", o.From.header()), "\r\n") + eol)
		p.From = o.From.Addr
		p.AddedFrom = true
	}
	if !hasDate {
		now := time.Now
		if o.Now != nil {
			now = o.Now
		}
		out.WriteString("Date: " + now().Format(time.RFC1123Z) + eol)
		p.AddedDate = true
	}
	if !hasID {
		m := &Message{From: Address{Addr: p.From}, Rand: o.Rand}
		m.Fill()
		out.WriteString("Message-ID: " + m.MessageID + eol)
		p.AddedID = true
	}
	out.Write(sep)
	if _, err := w.Write(out.Bytes()); err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, br); err != nil {
		return nil, err
	}
	return p, nil
}

// ErrNoHeader means the input does not start with a header field.
var ErrNoHeader = errors.New("message does not start with a header field")

// ReadHeader reads header fields up to and including the blank line
// (returned as sep, empty if the input ended first).
func ReadHeader(br *bufio.Reader) (fields []Field, sep []byte, err error) {
	total := 0
	lineNo := 0
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, nil, fmt.Errorf("header line %d longer than %d octets", lineNo+1, br.Size())
		}
		if err != nil && err != io.EOF {
			return nil, nil, err
		}
		lineNo++
		total += len(line)
		if total > MaxHeaderBytes {
			return nil, nil, fmt.Errorf("header section larger than %d octets", MaxHeaderBytes)
		}
		if len(line) == 0 {
			return fields, nil, nil
		}
		if string(line) == "\r\n" || string(line) == "\n" {
			return fields, append([]byte(nil), line...), nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return nil, nil, ErrNoHeader
			}
			f := &fields[len(fields)-1]
			f.Raw = append(f.Raw, line...)
		} else {
			i := bytes.IndexByte(line, ':')
			if i <= 0 || bytes.ContainsAny(line[:i], " \t") {
				if len(fields) == 0 {
					return nil, nil, ErrNoHeader
				}
				return nil, nil, fmt.Errorf("header line %d is not a field: %q", lineNo, clip(string(line)))
			}
			fields = append(fields, Field{Name: string(line[:i]), Raw: append([]byte(nil), line...)})
		}
		if err == io.EOF {
			// A header with no body and no final newline.
			return fields, nil, nil
		}
	}
}
