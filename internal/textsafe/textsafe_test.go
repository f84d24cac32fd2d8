package textsafe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerminal(t *testing.T) {
	for in, want := range map[string]string{
		"hello 你好":                          "hello 你好",
		"tab\tok":                           "tab\tok",
		"\x1b]0;pwned\x07\x1b[2J":           `\x1b]0;pwned\x07\x1b[2J`,
		"a\r\nb":                            `a\x0d\x0ab`,
		"csi \u009b31m":                     `csi \u009b31m`,
		"evil\u202eexe.txt":                 `evil\u202eexe.txt`,
		"bad \xff\xfe utf8":                 `bad \xff\xfe utf8`,
		"real \uFFFD replacement is kept":   "real \uFFFD replacement is kept",
		"isolates \u2066x\u2069 and \u200f": `isolates \u2066x\u2069 and \u200f`,
	} {
		if got := Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzTerminal: the output is valid UTF-8 with no control or bidi
// character, and text without any is returned unchanged.
func FuzzTerminal(f *testing.F) {
	for _, s := range []string{"", "hi", "\x1b[2J", "\u202e", "\xff", "你好\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(ToUTF8(s)) {
			t.Fatalf("ToUTF8(%q) is not UTF-8", s)
		}
		out := Terminal(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if strings.IndexFunc(out, unsafeRune) >= 0 {
			t.Fatalf("unsafe rune left in %q (from %q)", out, s)
		}
		if utf8.ValidString(s) && strings.IndexFunc(s, unsafeRune) < 0 && out != s {
			t.Fatalf("safe text changed: %q -> %q", s, out)
		}
	})
}

func TestToUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                "plain",
		"你好":                   "你好",
		"\xc4\xe3\xba\xc3":     "你好",     // GBK
		"\xff\xfe\xfd":         "\uFFFD", // a run of bad bytes is one replacement
		"550 \xd3\xc3\xbb\xa7": "550 用户",
	} {
		if got := ToUTF8(in); got != want {
			t.Errorf("ToUTF8(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLine(t *testing.T) {
	if got := Line("550-a\r\n550 b\nc\x1b"); got != `550-a 550 b c\x1b` {
		t.Errorf("Line: %q", got)
	}
}

func TestWriteJSON(t *testing.T) {
	in := map[string]string{"reply": "250 <ok> & \u009b[2J \u202eevil \x1b\x7f"}
	var b bytes.Buffer
	if err := WriteJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, `<ok> &`) {
		t.Errorf("HTML-escaped: %s", out)
	}
	for _, r := range out {
		if unsafeRune(r) && r != '\n' {
			t.Errorf("raw %U in %q", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["reply"] != in["reply"] {
		t.Errorf("round trip: %q, %v", back["reply"], err)
	}
}

// FuzzJSON: JSON leaves no unsafe character raw and a JSON reader gets
// the same text back; Terminal is idempotent.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{"250 ok", "\x1b[2J", "\u202e", "\xff", "中文\u009b", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := Terminal(s); Terminal(out) != out {
			t.Fatalf("Terminal not idempotent on %q", s)
		}
		b, _ := json.Marshal(s)
		j := JSON(b)
		for _, r := range string(j) {
			if unsafeRune(r) {
				t.Fatalf("JSON keeps %U", r)
			}
		}
		var back, want string
		json.Unmarshal(b, &want)
		if err := json.Unmarshal(j, &back); err != nil || back != want {
			t.Fatalf("JSON round trip of %q: %q %v", s, back, err)
		}
	})
}
