package smtptest

import "testing"

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		ok   bool
	}{
		{"EHLO *", "EHLO x", true}, {"EHLO *", "HELO x", false}, {"a", "a", true}, {"a", "ab", false},
		{"MAIL FROM:<a> SIZE=* BODY=8BITMIME", "MAIL FROM:<a> SIZE=12 BODY=8BITMIME", true},
		{"MAIL FROM:<a> SIZE=* BODY=8BITMIME", "MAIL FROM:<a> SIZE=12", false},
		{"*x*", "axb", true}, {"*", "", true}, {"a*b*c", "abbc", true}, {"a*b*c", "acb", false},
	} {
		if got := match(c.p, c.s); got != c.ok {
			t.Errorf("match(%q, %q) = %v", c.p, c.s, got)
		}
	}
}
