package mtasts

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseRecord(t *testing.T) {
	good := map[string]string{
		"v=STSv1; id=20160831085700Z;":            "20160831085700Z",
		"v=STSv1;id=abc":                          "abc",
		"v=STSv1; id=abc ; ext_1=x.y":             "abc",
		"v=STSv1;\tid=" + strings.Repeat("a", 32): strings.Repeat("a", 32),
	}
	for in, want := range good {
		if id, err := ParseRecord(in); err != nil || id != want {
			t.Errorf("%q: %q %v", in, id, err)
		}
	}
	for _, in := range []string{"", "v=STSv2; id=1", "v=STSv1", "v=STSv1;", "v=STSv1; id=", "v=STSv1; id=a-b",
		"v=STSv1; id=" + strings.Repeat("a", 33), "v=STSv1; id=1; id=2", "v=STSv1; id=1; =x", "v=STSv1; id=1; x", "id=1; v=STSv1", "v=STSv1; id=1;; x=y"} {
		if id, err := ParseRecord(in); err == nil {
			t.Errorf("%q accepted (id %q)", in, id)
		}
	}
	if _, err := SelectRecord([]string{"v=spf1 -all", "v=STSv1; id=1", "v=STSv1; id=2"}); !errors.Is(err, ErrNoRecord) {
		t.Errorf("two records: %v", err)
	}
	if id, err := SelectRecord([]string{"v=spf1 -all", "v=STSv1; id=7"}); err != nil || id != "7" {
		t.Errorf("one record among others: %q %v", id, err)
	}
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy([]byte("version: STSv1\nmode: enforce\nmx: mail.example.com\r\nmx: *.Example.NET.\nmax_age: 604800\nfuture: thing\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != Enforce || p.MaxAge != 7*24*time.Hour || strings.Join(p.MX, ",") != "mail.example.com,*.example.net" {
		t.Fatalf("%+v", p)
	}
	for host, want := range map[string]bool{
		"mail.example.com": true, "MAIL.example.com.": true, "mx1.example.net": true,
		"example.net": false, "a.b.example.net": false, "mail2.example.com": false, "xexample.net": false,
	} {
		if p.Matches(host) != want {
			t.Errorf("Matches(%s) = %v", host, !want)
		}
	}
	for _, in := range []string{
		"mode: enforce\nmx: a.test\nmax_age: 1\n",                                                      // no version
		"version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n",                                       // bad mode
		"version: STSv1\nmode: enforce\nmax_age: 1\n",                                                  // no mx
		"version: STSv1\nmode: enforce\nmx: a.test\n",                                                  // no max_age
		"version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601\n",                               // too long
		"version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1\n",                                     // negative
		"version: STSv1\nmode: enforce\nmx: a..test\nmax_age: 1\n",                                     // bad pattern
		"version: STSv1\nmode: enforce\nmx: *.*.test\nmax_age: 1\n",                                    // double wildcard
		"version: STSv1\nmode enforce\nmx: a.test\nmax_age: 1\n",                                       // no colon
		"version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 1\n" + strings.Repeat("x", MaxPolicySize), // huge line
	} {
		if _, err := ParsePolicy([]byte(in)); err == nil {
			t.Errorf("accepted %.60q", in)
		}
	}
	if p, err := ParsePolicy([]byte("version: STSv1\nmode: none\nmax_age: 0\n")); err != nil || p.Mode != None {
		t.Errorf("mode none: %v", err)
	}
}
