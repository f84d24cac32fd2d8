package outbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/postie/postie/smtp"
)

// maxHeader bounds the header section Submit reads into memory.
const maxHeader = 1 << 20

// SubmitOptions tune Submit. The zero value is useful.
type SubmitOptions struct {
	Clock Clock
	// Domain for a generated Message-ID when the sender has none usable
	// (default: the sender's domain, else the host name).
	Domain string
	// Sign, when set, transforms the prepared message (CRLF line ends,
	// Message-ID and Date fixed) before it is stored, as a DKIM signer
	// does: it reads src to the end and writes the signed message to dst.
	// What it writes is what every attempt sends.
	Sign func(dst io.Writer, src io.Reader) error
}

// Submit prepares msg and enqueues it in s. It checks the envelope, ends
// every line with CRLF (refusing a line over 998 octets), adds Date and
// Message-ID when the header lacks them — so every retry, from any
// runner, sends the same bytes with the same Message-ID — runs the Sign
// hook, and returns once the entry is durable.
//
// e.Recipients needs only Addr; states start Pending. The returned entry
// has MessageID and Subject from the header. A duplicate Key returns the
// existing entry and an error wrapping ErrDuplicate.
func Submit(ctx context.Context, s Store, e *Entry, msg io.Reader, o *SubmitOptions) (*Entry, error) {
	if o == nil {
		o = &SubmitOptions{}
	}
	now := clockOr(o.Clock).Now()
	if err := prepareEntry(e, now); err != nil {
		return nil, err
	}
	nr := newNormReader(msg)
	defer nr.free()
	br := bufio.NewReaderSize(nr, 8<<10) // holds a whole header line: normReader refuses any over 998 octets
	hdr, info, rest, err := readHeader(br)
	if err != nil {
		return nil, err
	}
	var add []string
	if info.date == "" {
		add = append(add, "Date: "+now.Format(time.RFC1123Z))
	}
	if info.messageID == "" {
		info.messageID = "<" + string(e.ID) + "@" + idDomain(e.From, o.Domain) + ">"
		add = append(add, "Message-ID: "+info.messageID)
	}
	e.MessageID, e.Subject = info.messageID, info.subject
	for _, f := range add {
		hdr = append(hdr, f+"\r\n"...)
	}
	hdr = append(hdr, "\r\n"...)
	var body io.Reader = io.MultiReader(bytes.NewReader(hdr), bytes.NewReader(rest), br)
	if o.Sign == nil {
		return s.Enqueue(ctx, e, body)
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(signed(o.Sign, pw, body))
	}()
	out, err := s.Enqueue(ctx, e, pr)
	pr.CloseWithError(errors.New("enqueue finished"))
	<-done
	return out, err
}

func signed(sign func(io.Writer, io.Reader) error, dst io.Writer, src io.Reader) error {
	if err := sign(dst, src); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	return nil
}

func prepareEntry(e *Entry, now time.Time) error {
	if e.ID == "" {
		e.ID = NewID(now)
	}
	if !e.ID.Valid() {
		return fmt.Errorf("entry id %q: not an outbox ID", e.ID)
	}
	if err := e.Route.Validate(); err != nil {
		return err
	}
	if e.From != "" {
		if err := smtp.CheckAddress(e.From); err != nil {
			return fmt.Errorf("sender: %w", err)
		}
	}
	if len(e.Recipients) == 0 {
		return fmt.Errorf("no recipients: %w", smtp.ErrInvalidArgument)
	}
	if _, _, err := e.Params.dsn(); err != nil {
		return fmt.Errorf("DSN: %w", err)
	}
	if err := e.Schedule.check(); err != nil {
		return fmt.Errorf("%w: %w", err, smtp.ErrInvalidArgument)
	}
	seen := map[string]bool{}
	rcpts := e.Recipients[:0:0]
	for _, r := range e.Recipients {
		if err := smtp.CheckAddress(r.Addr); err != nil {
			return fmt.Errorf("recipient: %w", err)
		}
		if seen[r.Addr] {
			continue
		}
		seen[r.Addr] = true
		rcpts = append(rcpts, Recipient{Addr: r.Addr, State: Pending, Next: now})
	}
	e.Recipients = rcpts
	for _, f := range []string{e.Key, e.Campaign} {
		if strings.ContainsAny(f, "\r\n\x00") {
			return fmt.Errorf("key or campaign: %w: control character", smtp.ErrInvalidArgument)
		}
	}
	if e.Created.IsZero() {
		e.Created = now
	}
	if e.Since.IsZero() {
		e.Since = now
	}
	e.DueAt = now
	return nil
}

type headerInfo struct {
	messageID, date, subject string
}

// readHeader reads the header section of a normalised message (every
// line ends in CRLF) and returns it without the blank line that ends it.
// A line that cannot be a header field (no colon, or a continuation with
// nothing to continue) starts the body: it is returned as rest, and the
// caller's blank line goes before it. A Message-ID field with an empty
// value counts as none.
func readHeader(br *bufio.Reader) (hdr []byte, info headerInfo, rest []byte, err error) {
	var name, value string // the field being unfolded
	flush := func() {
		v := strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "message-id":
			if info.messageID == "" {
				info.messageID = v
			}
		case "date":
			info.date = "yes"
		case "subject":
			if info.subject == "" {
				info.subject = v
				if len(info.subject) > 256 {
					info.subject = info.subject[:256]
				}
			}
		}
		name, value = "", ""
	}
	defer flush()
	for {
		l, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, info, nil, &MessageError{Reason: "header line too long"}
		}
		if err != nil && err != io.EOF {
			return nil, info, nil, err
		}
		if len(l) == 0 {
			return hdr, info, nil, nil
		}
		text := strings.TrimSuffix(string(l), "\r\n")
		if text == "" {
			return hdr, info, nil, nil
		}
		if text[0] == ' ' || text[0] == '\t' {
			if len(hdr) == 0 {
				return hdr, info, append([]byte(nil), l...), nil
			}
			if len(value) < 4096 {
				value += text
			}
		} else {
			n, v, ok := strings.Cut(text, ":")
			if !ok || !fieldName(n) {
				return hdr, info, append([]byte(nil), l...), nil
			}
			flush()
			name, value = n, v
		}
		hdr = append(hdr, l...)
		if len(hdr) > maxHeader {
			return nil, info, nil, &MessageError{Reason: fmt.Sprintf("header section over %d octets", maxHeader)}
		}
		if err == io.EOF {
			return hdr, info, nil, nil
		}
	}
}

// fieldName: printable US-ASCII except colon (RFC 5322 §2.2).
func fieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

// idDomain picks the right-hand side of a generated Message-ID: the
// option, else the sender's domain, else the host name.
func idDomain(from, domain string) string {
	if domain != "" && dotAtom(domain) {
		return domain
	}
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 && dotAtom(from[at+1:]) {
		return from[at+1:]
	}
	if h := hostname(); h != "" && dotAtom(h) {
		return h
	}
	return "localhost"
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func dotAtom(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return !strings.HasPrefix(s, ".") && !strings.HasSuffix(s, ".") && !strings.Contains(s, "..")
}
