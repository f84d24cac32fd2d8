package deliver

import (
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
		addr, mode, scheme, err := SplitServer(in, "587")
		if err != nil || addr != want.addr || scheme != want.scheme || (scheme && mode != want.mode) {
			t.Errorf("%s: %s %v %v %v", in, addr, mode, scheme, err)
		}
	}
	for _, bad := range []string{"", "http://x", "a b", "x\r\n", "smtp://"} {
		if _, _, _, err := SplitServer(bad, "587"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
