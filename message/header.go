package message

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// maxAddressInput bounds one "Name <addr>" (a 254-octet address plus a
// generous display name).
const maxAddressInput = 2048

// Address is a mailbox with an optional display name.
type Address struct {
	Name string // display name, any script: "张三"
	Addr string // addr-spec: "zhangsan@example.com"
}

// ParseAddress parses "Name <addr>" or a bare address.
func ParseAddress(s string) (Address, error) {
	if err := noControl("address", s); err != nil {
		return Address{}, err
	}
	// A cap keeps pathological input (deeply nested comments, huge
	// domain literals) from costing more than a bounded amount of work.
	if len(s) > maxAddressInput {
		return Address{}, &FieldError{Field: "address", Reason: fmt.Sprintf("longer than %d octets", maxAddressInput)}
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		// net/mail refuses non-ASCII local parts without a name; accept
		// a bare UTF-8 address (RFC 6532) when it has the basic shape.
		if t := strings.TrimSpace(s); strings.Count(t, "@") == 1 && !strings.ContainsAny(t, " <>\",;") && !strings.HasPrefix(t, "@") && !strings.HasSuffix(t, "@") {
			return Address{Addr: t}, nil
		}
		return Address{}, fmt.Errorf("address %q: %v", clip(s), err)
	}
	return Address{Name: a.Name, Addr: a.Address}, nil
}

// ParseAddressList parses a comma-separated list.
func ParseAddressList(s string) ([]Address, error) {
	if err := noControl("address list", s); err != nil {
		return nil, err
	}
	if len(s) > 64*maxAddressInput {
		return nil, &FieldError{Field: "address list", Reason: "too long"}
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, fmt.Errorf("address list %q: %v", clip(s), err)
	}
	out := make([]Address, len(list))
	for i, a := range list {
		out[i] = Address{Name: a.Name, Addr: a.Address}
	}
	return out, nil
}

func (a Address) String() string {
	if a.Name == "" {
		return a.Addr
	}
	return (&mail.Address{Name: a.Name, Address: a.Addr}).String()
}

// header renders the address for a header: the name as an RFC 2047
// encoded-word when it is not ASCII, quoted when it has specials.
func (a Address) header() string {
	if a.Name == "" {
		return a.Addr
	}
	var name string
	if isASCII(a.Name) && isPhraseOfAtoms(a.Name) {
		name = a.Name
	} else if isASCII(a.Name) {
		name = (&mail.Address{Name: a.Name, Address: "x@x"}).String()
		name = strings.TrimSuffix(name, " <x@x>")
	} else {
		name = mime.BEncoding.Encode("UTF-8", a.Name)
	}
	// A word no line can hold (measured as written, quoting included):
	// encoded-words instead, which fold.
	for _, w := range strings.Split(name, " ") {
		if len(w) > 900 {
			name = forceB(a.Name)
			break
		}
	}
	return name + " <" + a.Addr + ">"
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// MaxFieldName is the longest header field name a message may have: a
// name cannot be folded, and with its colon and a space it must fit the
// 78 octets a line should keep to (RFC 5322 §2.1.1).
const MaxFieldName = 76

// FieldError names the header field, address or file name that holds a
// byte that could start a new header line, or is otherwise invalid.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func noControl(field, s string) error {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r', '\n', 0:
			return &FieldError{Field: field, Reason: fmt.Sprintf("contains %q, which could inject a header", s[i:i+1])}
		}
	}
	if !utf8.ValidString(s) {
		return &FieldError{Field: field, Reason: "not valid UTF-8"}
	}
	return nil
}

// encodeText renders unstructured text (Subject, custom values): as is
// when printable ASCII, else RFC 2047 encoded-words of at most 75 octets
// that never split a UTF-8 character (mime.WordEncoder guarantees both).
func encodeText(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || (c < 0x20 && c != '\t') {
			plain = false
			break
		}
	}
	// A literal "=?" could be read back as an encoded-word: encode it.
	// Words as foldField cuts them: at spaces only (a tab does not fold).
	longWord := false
	for _, w := range strings.Split(s, " ") {
		if len(w) > 900 {
			longWord = true
		}
	}
	if plain && !longWord && !strings.Contains(s, "=?") {
		return s
	}
	if plain {
		// mime's encoders leave printable ASCII alone, but a literal
		// "=?...?=" would be decoded by readers, and a 2,000-octet word
		// cannot be folded: both must become encoded-words.
		return forceB(s)
	}
	// Q is readable for mostly-Latin text; B is shorter for CJK.
	nonASCII := 0
	for _, r := range s {
		if r >= 0x80 {
			nonASCII++
		}
	}
	if nonASCII*3 > utf8.RuneCountInString(s) {
		return mime.BEncoding.Encode("UTF-8", s)
	}
	return mime.QEncoding.Encode("UTF-8", s)
}

// writeField renders "Name: value\r\n", folding at spaces so lines stay
// near 78 octets (RFC 5322 §2.1.1) and never pass 998. Encoded-words are
// separated by spaces, so they fold too.
func foldField(name, value string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(":")
	lineLen := len(name) + 1
	words := strings.Split(value, " ")
	for i, w := range words {
		if i > 0 && lineLen+1+len(w) > 78 && lineLen > 1 {
			b.WriteString("\r\n")
			lineLen = 0
		}
		b.WriteString(" ")
		b.WriteString(w)
		lineLen += 1 + len(w)
	}
	b.WriteString("\r\n")
	return b.String()
}

func addressList(as []Address) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.header()
	}
	return strings.Join(parts, ", ")
}

// isPhraseOfAtoms reports whether s can be written as an RFC 5322 phrase
// without quoting: atoms (atext) separated by single spaces.
func isPhraseOfAtoms(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == ' ':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return !strings.Contains(s, "=?")
}

// forceB writes s as B encoded-words of at most 75 octets, splitting only
// between characters (RFC 2047 §5).
func forceB(s string) string {
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > 45 { // 45 octets -> 60 base64 chars + 12 = 72
				break
			}
			n += size
		}
		words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}
