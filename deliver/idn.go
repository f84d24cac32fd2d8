package deliver

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"

	"github.com/postie/postie/smtp"
)

// ASCIIDomain returns domain in its ASCII form (A-labels, IDNA 2008 as
// for DNS lookups): 例子.测试 becomes xn--fsqu00a.xn--0zwm56d. ASCII
// domains come back lower-cased; domain literals ([192.0.2.1]) as they are.
func ASCIIDomain(domain string) (string, error) {
	if strings.HasPrefix(domain, "[") {
		return domain, nil
	}
	a, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", fmt.Errorf("domain %q: %w: not a valid internationalised domain name (%v)", domain, smtp.ErrInvalidArgument, err)
	}
	return a, nil
}

// ASCIIAddress rewrites the domain of addr to A-labels. A local part
// that is not ASCII has no ASCII form: that address needs a server with
// SMTPUTF8 (RFC 6531), and the error says so.
func ASCIIAddress(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || isASCII(addr) {
		return addr, nil
	}
	local, domain := addr[:at], addr[at+1:]
	if !isASCII(local) {
		return "", &smtp.UnsupportedError{Extension: "SMTPUTF8", Detail: fmt.Sprintf("the address <%s> has a non-ASCII local part, which only a server with SMTPUTF8 can take", addr)}
	}
	d, err := ASCIIDomain(domain)
	if err != nil {
		return "", err
	}
	return local + "@" + d, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// envelopeFor returns env as the server with extensions ext can take it:
// unchanged when it offers SMTPUTF8 (or every address is ASCII), else with
// internationalised domains as A-labels. restore maps each rewritten
// address back to the caller's form, for the result.
func envelopeFor(env *smtp.Envelope, ext smtp.Extensions) (out *smtp.Envelope, restore func(*smtp.Result), err error) {
	noop := func(*smtp.Result) {}
	if ext.Has("SMTPUTF8") || env.Mail.SMTPUTF8 {
		return env, noop, nil
	}
	e := *env
	orig := map[string]string{}
	if e.From, err = ASCIIAddress(env.From); err != nil {
		return nil, nil, fmt.Errorf("sender: %w", err)
	}
	e.To = make([]string, len(env.To))
	for i, to := range env.To {
		if e.To[i], err = ASCIIAddress(to); err != nil {
			return nil, nil, fmt.Errorf("recipient: %w", err)
		}
		orig[e.To[i]] = to
	}
	return &e, func(res *smtp.Result) {
		if res == nil {
			return
		}
		for i := range res.Recipients {
			if o, ok := orig[res.Recipients[i].Address]; ok {
				res.Recipients[i].Address = o
			}
		}
	}, nil
}
