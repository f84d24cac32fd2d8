package cli

import (
	"strings"

	"github.com/postie/postie/deliver"
	"github.com/postie/postie/message"
)

// asciiHeaderDomains writes internationalised domains in the message's
// address fields as A-labels (user@例子.测试 -> user@xn--fsqu00a.xn--0zwm56d)
// when the local part is ASCII: that form is valid for every server,
// with or without SMTPUTF8, so the header never forces SMTPUTF8 on its
// own. Addresses with a non-ASCII local part stay as written (they need
// SMTPUTF8 whatever happens); the envelope keeps the user's form, and
// package deliver converts it per server.
func asciiHeaderDomains(m *message.Message) {
	conv := func(a *message.Address) {
		at := strings.LastIndexByte(a.Addr, '@')
		if at < 0 || !isASCIIString(a.Addr[:at]) || isASCIIString(a.Addr) {
			return
		}
		if s, err := deliver.ASCIIAddress(a.Addr); err == nil {
			a.Addr = s
		}
	}
	conv(&m.From)
	if m.Sender != nil {
		conv(m.Sender)
	}
	for _, l := range [][]message.Address{m.To, m.Cc, m.ReplyTo} {
		for i := range l {
			conv(&l[i])
		}
	}
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
