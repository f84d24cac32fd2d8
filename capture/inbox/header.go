package inbox

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"net/mail"
	"strings"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/postie/postie/internal/textsafe"
)

// Field is one header field as it appears in the message: its name, and
// its value unfolded (RFC 5322 §2.2.3) but not decoded.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Header is a message's header fields, in order.
type Header []Field

// Get returns the first value of a field (names compare without case).
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Limits of a header block: beyond them the rest is ignored and an error
// says so.
const (
	maxHeaderBytes  = 1 << 20
	maxHeaderFields = 2000
)

var errHeaderTooBig = errors.New("header block too big: the rest is ignored")

// readHeader reads a header block up to the empty line that ends it (or
// the end of input), unfolding continuation lines. A line that is not a
// field and not a continuation ends the header too (a broken message);
// that line is then given back as the start of the body through rest.
func readHeader(br *bufio.Reader) (h Header, rest []byte, err error) {
	total := 0
	for {
		line, rerr := br.ReadBytes('\n')
		total += len(line)
		if total > maxHeaderBytes || len(h) > maxHeaderFields {
			return h, nil, errHeaderTooBig
		}
		trimmed := bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0 && rerr != nil:
			return h, nil, nil
		case len(trimmed) == 0:
			return h, nil, nil // the empty line: the body follows
		case (trimmed[0] == ' ' || trimmed[0] == '\t') && len(h) > 0:
			// Unfolding (RFC 5322 §2.2.3): the line break goes, one space stays.
			if cont := strings.TrimLeft(string(trimmed), " \t"); cont != "" {
				if v := &h[len(h)-1].Value; *v == "" {
					*v = cont
				} else {
					*v += " " + cont
				}
			}
		default:
			name, value, ok := bytes.Cut(trimmed, []byte(":"))
			if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
				return h, line, nil // not a header: the body starts here
			}
			h = append(h, Field{Name: string(name), Value: strings.TrimLeft(string(value), " \t")})
		}
		if rerr != nil {
			return h, nil, nil
		}
	}
}

// wordDecoder decodes RFC 2047 encoded words in any charset x/text knows
// (GB2312, GBK, GB18030, Big5, ISO-2022-JP, windows-125x, ...).
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	if strings.EqualFold(charset, "gb2312") || strings.EqualFold(charset, "gbk") {
		charset = "gb18030" // a superset: senders that say GB2312 often use GBK characters
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}

// decodeText decodes a header value for display: encoded words, and raw
// 8-bit text that is not UTF-8 (some Chinese mailers send raw GBK).
func decodeText(s string) string {
	if strings.Contains(s, "=?") {
		if d, err := wordDecoder.DecodeHeader(s); err == nil {
			s = d
		}
	}
	return validText(s)
}

// validText returns s as UTF-8 (GB18030 when it is not UTF-8 and reads
// as that).
func validText(s string) string { return textsafe.ToUTF8(s) }

// decodeAddresses returns each address of a list as "Name <addr>" with
// the name decoded, or the decoded text when the list does not parse.
func decodeAddresses(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	list, err := p.ParseList(s)
	if err != nil {
		return []string{decodeText(s)}
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		if a.Name != "" {
			out = append(out, validText(a.Name)+" <"+a.Address+">")
		} else {
			out = append(out, a.Address)
		}
	}
	return out
}
