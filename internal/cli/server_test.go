package cli

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/postie/postie/smtp"
)

func TestSplitServer(t *testing.T) {
	for in, want := range map[string]struct {
		addr   string
		mode   smtp.TLSMode
		scheme bool
	}{
		"smtp.163.com":           {"smtp.163.com:587", 0, false},
		"smtp.163.com:465":       {"smtp.163.com:465", 0, false},
		"smtps://smtp.qq.com":    {"smtp.qq.com:465", smtp.TLSImplicit, true},
		"smtp://mail.x.test":     {"mail.x.test:587", smtp.TLSStartTLS, true},
		"smtp://mail.x.test:25/": {"mail.x.test:25", smtp.TLSStartTLS, true},
		"[::1]:2525":             {"[::1]:2525", 0, false},
		"::1":                    {"[::1]:587", 0, false},
	} {
		addr, mode, scheme, err := splitServer(in, "587")
		if err != nil || addr != want.addr || scheme != want.scheme || (scheme && mode != want.mode) {
			t.Errorf("%s: %s %v %v %v", in, addr, mode, scheme, err)
		}
	}
	for _, bad := range []string{"", "http://x", "a b", "x\r\n", "smtp://", "h:", "h:0", "h:smtp", "h:99999"} {
		if _, _, _, err := splitServer(bad, "587"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzSplitServer: a user or password written into the address never
// appears in the error, and what parses is a valid host:port.
func FuzzSplitServer(f *testing.F) {
	for _, s := range []string{"smtp://alice:secret@host", "alice:s3cret@host:25", "smtps://u@h", "h:587", "[::1]:25", "smtp://a@b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, _, _, err := splitServer(s, "587")
		rest := s
		if i := strings.Index(rest, "://"); i >= 0 {
			rest = rest[i+3:]
		}
		if at := strings.LastIndexByte(rest, '@'); at > 0 {
			userinfo := rest[:at]
			if err == nil {
				t.Fatalf("%q accepted with userinfo", s)
			}
			// What the error may say without the userinfo: the scheme and the
			// host, quoted (a quoted byte like \x81 can spell digits by chance).
			allowed := fmt.Sprintf("server %q: a server address holds no user or password", s[:len(s)-len(rest)]+"…@"+rest[at+1:])
			if len(userinfo) >= 3 && strings.Contains(err.Error(), userinfo) && !strings.Contains(allowed, userinfo) {
				t.Fatalf("error repeats %q: %v", userinfo, err)
			}
		}
		if err == nil {
			if h, p, e := net.SplitHostPort(addr); e != nil || h == "" || p == "" {
				t.Fatalf("%q -> %q", s, addr)
			}
		}
	})
}
