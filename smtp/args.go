package smtp

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkArg refuses bytes that would let an argument end the command line
// and start another (CRLF injection, the bug class net/smtp fixed by
// validating its arguments), and NUL.
func checkArg(what, s string) error {
	if i := strings.IndexAny(s, "\r\n\x00"); i >= 0 {
		return fmt.Errorf("%s %q: %w: contains %q", what, clip(s, 60), ErrInvalidArgument, s[i])
	}
	return nil
}

// CheckAddress validates an envelope address before it goes into a
// command: no CR, LF, NUL or angle brackets, no space outside a quoted
// local part (so nothing can smuggle ESMTP parameters), a domain, at most
// 254 octets. The empty string is allowed only as a sender (null path).
// Errors wrap ErrInvalidArgument.
func CheckAddress(addr string) error {
	if err := checkArg("address", addr); err != nil {
		return err
	}
	bad := func(why string) error {
		return fmt.Errorf("address %q: %w: %s", clip(addr, 60), ErrInvalidArgument, why)
	}
	if len(addr) > 254 {
		return bad("longer than 254 octets")
	}
	if strings.EqualFold(addr, "postmaster") {
		return nil
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return bad("want local-part@domain")
	}
	local, domain := addr[:at], addr[at+1:]
	if strings.ContainsAny(addr, "<>") {
		return bad("contains an angle bracket")
	}
	quoted := len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"'
	for i := 0; i < len(local); i++ {
		ch := local[i]
		if ch < 0x20 || ch == 0x7f {
			return bad("control character in local part")
		}
		if !quoted && (ch == ' ' || ch == '\t' || ch == '"') {
			return bad("space or quote outside a quoted local part")
		}
	}
	if strings.ContainsAny(domain, " \t\"\\") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") && !strings.HasPrefix(domain, "[") {
		return bad("malformed domain")
	}
	if !utf8.ValidString(addr) {
		return bad("not valid UTF-8")
	}
	return nil
}

// checkEnvelope validates every address of env and reports whether the
// transaction needs SMTPUTF8 (RFC 6531): forced, or a non-ASCII address.
func checkEnvelope(env *Envelope) (needUTF8 bool, err error) {
	if env == nil {
		return false, fmt.Errorf("no envelope: %w", ErrInvalidArgument)
	}
	if env.From != "" {
		if err := CheckAddress(env.From); err != nil {
			return false, fmt.Errorf("sender: %w", err)
		}
	}
	if len(env.To) == 0 {
		return false, fmt.Errorf("no recipients: %w", ErrInvalidArgument)
	}
	needUTF8 = env.Mail.SMTPUTF8 || !isASCII(env.From)
	for _, to := range env.To {
		if err := CheckAddress(to); err != nil {
			return false, fmt.Errorf("recipient: %w", err)
		}
		needUTF8 = needUTF8 || !isASCII(to)
	}
	return needUTF8, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// xtext encodes s per RFC 3461 §4: "+" then two hex digits for anything
// outside '!'..'~' and for '+' and '='.
func xtext(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < '!' || ch > '~' || ch == '+' || ch == '=' {
			fmt.Fprintf(&b, "+%02X", ch)
		} else {
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// mailLine builds MAIL FROM with the parameters the server supports,
// refusing (before anything is sent) what the message needs and the
// server lacks: *TooLargeError, *UnsupportedError, ErrInvalidArgument.
func (c *Client) mailLine(from string, o MailOptions, needUTF8 bool) (string, error) {
	var b strings.Builder
	b.WriteString("MAIL FROM:<" + from + ">")
	if c.ext.Has("SIZE") && o.Size > 0 {
		if max := c.ext.MaxSize(); max > 0 && o.Size > max {
			return "", &TooLargeError{Size: o.Size, Max: max}
		}
		b.WriteString(" SIZE=" + strconv.FormatInt(o.Size, 10))
	}
	if o.Body8Bit {
		if !c.ext.Has("8BITMIME") {
			return "", &UnsupportedError{Extension: "8BITMIME", Detail: "the message has 8-bit content; send a 7-bit encoded form"}
		}
		b.WriteString(" BODY=8BITMIME")
	}
	if needUTF8 {
		if !c.ext.Has("SMTPUTF8") {
			return "", &UnsupportedError{Extension: "SMTPUTF8", Detail: "an address has non-ASCII characters"}
		}
		b.WriteString(" SMTPUTF8")
	}
	if err := o.DSNRet.validate(); err != nil {
		return "", err
	}
	if c.ext.Has("DSN") {
		if o.DSNRet != "" {
			b.WriteString(" RET=" + string(o.DSNRet))
		}
		if o.DSNEnvID != "" {
			b.WriteString(" ENVID=" + xtext(o.DSNEnvID))
		}
	}
	return b.String(), nil
}

// rcptLine builds RCPT TO with the DSN parameters the server supports.
func (c *Client) rcptLine(to string, o RcptOptions) (string, error) {
	if err := o.Notify.validate(); err != nil {
		return "", err
	}
	line := "RCPT TO:<" + to + ">"
	if c.ext.Has("DSN") {
		if o.Notify != 0 {
			line += " NOTIFY=" + o.Notify.String()
		}
		if o.ORcpt != "" {
			line += " ORCPT=rfc822;" + xtext(o.ORcpt)
		}
	}
	return line, nil
}
