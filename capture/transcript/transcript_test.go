package transcript

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	s := &Session{ID: "1700000000.1", Remote: "127.0.0.1:5555", Start: time.Date(2024, 11, 14, 22, 13, 20, 123456789, time.UTC),
		Lines: []Line{
			{0, Server, "220 localhost ESMTP Service Ready"},
			{1042 * time.Microsecond, Client, "EHLO 客户端"},
			{2 * time.Millisecond, Event, `TLS 1.3 \ cipher`},
			{3 * time.Millisecond, Client, "MAIL FROM:<\"\x1b]0;x\x07\"@x.test> \xff"},
			{4 * time.Millisecond, Server, ""},
		}}
	var b bytes.Buffer
	s.WriteTo(&b)
	if strings.Contains(b.String(), "\x1b") || strings.Contains(b.String(), "\xff") {
		t.Fatalf("raw control or invalid byte in the file:\n%q", b.String())
	}
	if !strings.Contains(b.String(), "1042 C EHLO 客户端\n") {
		t.Fatalf("file:\n%s", b.String())
	}
	got, err := Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n%+v\n%+v", got, s)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"postie-session 2\n\n",
		"postie-session 1\nid x\n",
		"postie-session 1\nwho x\n\n",
		"postie-session 1\n\n12 X hi\n",
		"postie-session 1\n\n-1 C hi\n",
		"postie-session 1\n\n01 C hi\n",
		"postie-session 1\n\n1 C a\\qb\n",
		"postie-session 1\n\n1 C a\\x1\n",
		"postie-session 1\n\n1 C a\x1bb\n",
		"postie-session 1\n\n1 C\n",
	} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("accepted %q", in)
		} else if !strings.HasPrefix(err.Error(), "transcript line ") {
			t.Errorf("%q: error %q does not name the line", in, err)
		}
	}
}

// FuzzParse: whatever parses writes back to a file that parses to the
// same session (and to the same bytes).
func FuzzParse(f *testing.F) {
	f.Add("postie-session 1\nid 1.2\nremote 127.0.0.1:1\nstart 2024-01-01T00:00:00Z\n\n0 S 220 hi\n5 C EHLO \\x1b\\\\\n")
	f.Add("postie-session 1\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		var b1 bytes.Buffer
		s.WriteTo(&b1)
		s2, err := Parse(bytes.NewReader(b1.Bytes()))
		if err != nil {
			t.Fatalf("own output does not parse: %v\n%q", err, b1.String())
		}
		var b2 bytes.Buffer
		s2.WriteTo(&b2)
		if !reflect.DeepEqual(s.Lines, s2.Lines) || s.ID != s2.ID || s.Remote != s2.Remote || !s.Start.Equal(s2.Start) || b1.String() != b2.String() {
			t.Fatalf("not stable:\n%q\n%q", b1.String(), b2.String())
		}
	})
}

// FuzzEscape: any text survives escape/unescape, and its escaped form
// has no control character.
func FuzzEscape(f *testing.F) {
	f.Add("hi \\ \x1b \xff 你好")
	f.Fuzz(func(t *testing.T, s string) {
		e := escape(s)
		if strings.ContainsAny(e, "\r\n\x00\x1b") {
			t.Fatalf("control in %q", e)
		}
		back, err := unescape(e)
		if err != nil || back != s {
			t.Fatalf("%q -> %q -> %q, %v", s, e, back, err)
		}
	})
}
