package message

import (
	"bufio"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// Convert writes the message read from r (the bytes a Scanner produced,
// or the same message with only top-level header fields changed, as
// Prepare does) in a form transport t carries, as Postfix does for a
// server without 8BITMIME (RFC 6152 §3, RFC 1652 §4):
//
//   - a leaf part with 8-bit octets (SevenBit) or NUL octets (always) is
//     written quoted-printable and its Content-Transfer-Encoding says so;
//     every other part keeps its bytes;
//   - multipart boundaries and the tree are kept; a multipart or
//     message/rfc822 declared 8bit or binary becomes 7bit, and the
//     header and parts of an encapsulated message are converted in turn;
//   - (SevenBit) a header field with 8-bit octets is re-encoded: display
//     names and unstructured text as RFC 2047 words, Content-Type and
//     Content-Disposition parameters as RFC 2231;
//   - in preambles and epilogues, which readers ignore, an octet the
//     transport cannot carry becomes '?'.
//
// It streams, holding one line and one part header at a time, and
// returns the number of octets written. info must come from scanning
// the same message. An address or message id that is not ASCII cannot be
// encoded (RFC 6532 needs SMTPUTF8): for SevenBit that is an error
// matching ErrNeedsSMTPUTF8, as is info.Problem.
func Convert(w io.Writer, r io.Reader, info *Info, t Transport) (int64, error) {
	if t == SevenBit {
		if err := info.Problem(SevenBit, false); err != nil {
			return 0, err
		}
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	cw := &countWriter{w: bw}
	wk := newWalker(info, cw, t)
	sp := splitter{br: bufio.NewReaderSize(r, 64<<10)}
	for cw.err == nil {
		line, err := sp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return cw.n, err
		}
		if err := wk.line(line, sp.lineNo); err != nil {
			return cw.n, err
		}
	}
	if err := wk.end(); err != nil {
		return cw.n, err
	}
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

// Fields whose value is an address list (RFC 5322 §3.6.2-3.6.3, §3.6.6,
// RFC 3798, and common extensions).
var addressFields = map[string]bool{
	"from": true, "sender": true, "reply-to": true, "to": true, "cc": true, "bcc": true,
	"resent-from": true, "resent-sender": true, "resent-to": true, "resent-cc": true, "resent-bcc": true,
	"return-path": true, "disposition-notification-to": true, "mail-followup-to": true,
	"mail-reply-to": true, "errors-to": true, "return-receipt-to": true,
}

// Fields holding msg-ids (RFC 5322 §3.6.4, RFC 2045 §7), where an
// encoded-word is not allowed.
var idFields = map[string]bool{
	"message-id": true, "in-reply-to": true, "references": true, "content-id": true, "resent-message-id": true,
}

// encodeField rewrites one header field with 8-bit octets in 7-bit form.
func encodeField(name string, raw []byte) ([]byte, error) {
	if !asciiBytes([]byte(name)) {
		return nil, fmt.Errorf("header field name %q has 8-bit characters and cannot be encoded", clip(name))
	}
	v := hfield{name: name, raw: raw}.value()
	var enc string
	switch lname := strings.ToLower(name); {
	case addressFields[lname]:
		var err error
		if enc, err = encodeAddresses(name, v); err != nil {
			return nil, err
		}
	case lname == "content-type" || lname == "content-disposition":
		mt, params, err := mime.ParseMediaType(v)
		if err == nil {
			enc = formatMediaType(mt, params)
		}
		if enc == "" {
			return nil, fmt.Errorf("%s field: cannot read it to encode its 8-bit characters", name)
		}
	case idFields[lname]:
		return nil, fmt.Errorf("%s field is not ASCII (RFC 6532): %w", name, ErrNeedsSMTPUTF8)
	default:
		// Unstructured text: words already encoded are decoded first,
		// so the result decodes to what a reader saw before.
		s := v
		if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
			s = d
		}
		if utf8.ValidString(s) {
			enc = encodeText(s)
		} else {
			enc = mime.QEncoding.Encode("unknown-8bit", s) // RFC 1428
		}
	}
	out := foldField(name, enc)
	for _, l := range strings.Split(out, "\r\n") {
		if len(l) > MaxLineOctets {
			return nil, fmt.Errorf("%s field: its encoded form has a line over %d octets", name, MaxLineOctets)
		}
	}
	return []byte(out), nil
}

// encodeAddresses re-renders an address list with its display names as
// RFC 2047 words. Octets that are not UTF-8 (a Latin-1 or GBK name piped
// in raw) are carried as they are, labelled unknown-8bit (RFC 1428).
func encodeAddresses(name, v string) (string, error) {
	raw8 := !utf8.ValidString(v)
	if raw8 {
		v = bytesToRunes(v) // each octet one rune, so net/mail can parse it
	}
	list, err := mail.ParseAddressList(v)
	if err != nil {
		return "", fmt.Errorf("%s field: cannot read its addresses to encode them: %v", name, err)
	}
	parts := make([]string, len(list))
	for i, a := range list {
		addr, dn := a.Address, a.Name
		if raw8 {
			addr, _ = runesToBytes(addr)
		}
		if !isASCII(addr) {
			return "", fmt.Errorf("%s field: address %q is not ASCII (RFC 6532): %w", name, clip(addr), ErrNeedsSMTPUTF8)
		}
		if b, ok := runesToBytes(dn); raw8 && ok && !isASCII(b) {
			parts[i] = mime.QEncoding.Encode("unknown-8bit", b) + " <" + addr + ">"
			continue
		}
		parts[i] = Address{Name: dn, Addr: addr}.header()
	}
	return strings.Join(parts, ", "), nil
}

func bytesToRunes(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// runesToBytes undoes bytesToRunes; ok is false if a rune is over 0xFF
// (it came from an encoded-word net/mail decoded).
func runesToBytes(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return s, false
		}
		b = append(b, byte(r))
	}
	return string(b), true
}

const upperHex = "0123456789ABCDEF"

// qpLine appends the quoted-printable form of one line (without its line
// break) to dst, in lines of at most 76 characters joined by soft breaks
// (RFC 2045 §6.7). Spaces and tabs ending the line are encoded, and so is
// the first '-' of an encoded line that starts "--", so that no line
// (a soft break can start one anywhere) reads as a multipart delimiter
// (RFC 2046 §5.1.1).
func qpLine(dst, line []byte) []byte {
	n := len(line)
	dst = slices.Grow(dst, 3*n+3*n/25+3)
	col := 0
	for i := 0; i < n; i++ {
		c := line[i]
		last := i == n-1
		dashes := c == '-' && !last && line[i+1] == '-'
		enc := !qpLiteral[c] || last && (c == ' ' || c == '\t') || dashes && col == 0
		w := 1
		if enc {
			w = 3
		}
		// A soft break needs the 76th column for its '='; the line's
		// last character may use it.
		if limit := 75 + b2i(last); col+w > limit {
			dst = append(dst, '=', '\r', '\n')
			col = 0
			if dashes {
				enc, w = true, 3
			}
		}
		if enc {
			dst = append(dst, '=', upperHex[c>>4], upperHex[c&15])
		} else {
			dst = append(dst, c)
		}
		col += w
	}
	return dst
}

// qpLiteral marks the octets quoted-printable writes as themselves
// (RFC 2045 §6.7 rules 2 and 3; a space or tab ending a line is not).
var qpLiteral = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '='
	}
	t[' '], t['\t'] = true, true
	return t
}()

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func asciiBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
