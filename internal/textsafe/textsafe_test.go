package textsafe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"250 ok":                      "250 ok",
		"中文 and tab\there":            "中文 and tab\there",
		"\x1b]0;pwned\x07\x1b[2J":     `\x1b]0;pwned\x07\x1b[2J`,
		"a\rb\nc\x00d\x7f":            `a\x0db\x0ac\x00d\x7f`,
		"csi \u009b31m":               `csi \x9b31m`,
		"evil\u202etxt.exe":           `evil\u202etxt.exe`,
		"\u2066\u2067\u2068\u2069":    `\u2066\u2067\u2068\u2069`,
		"\u200e\u200f\u061c":          `\u200e\u200f\u061c`,
		"bad \xff\xfe utf8":           `bad \xff\xfe utf8`,
		"real \uFFFD replacement":     "real \uFFFD replacement",
		"\u00a0nbsp and \u00e9 latin": "\u00a0nbsp and \u00e9 latin",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Line("550-a\r\n550 b\nc"); got != "550-a 550 b c" {
		t.Errorf("Line: %q", got)
	}
}

func TestWriteJSON(t *testing.T) {
	in := map[string]string{"reply": "250 <ok> & \u009b[2J \u202eevil \x1b"}
	var b bytes.Buffer
	if err := WriteJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, `<ok> &`) {
		t.Errorf("HTML-escaped: %s", out)
	}
	for _, r := range out {
		if unsafe(r) && r != '\n' {
			t.Errorf("raw %U in %q", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["reply"] != in["reply"] {
		t.Errorf("round trip: %q, %v", back["reply"], err)
	}
}

// FuzzEscape: the output never holds an unsafe character or invalid
// UTF-8, and safe input is returned unchanged.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"250 ok", "\x1b[2J", "\u202e", "\xff", "中文\u009b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		for _, r := range out {
			if unsafe(r) {
				t.Fatalf("Escape(%q) keeps %U", s, r)
			}
		}
		if clean(s) && out != s {
			t.Fatalf("clean %q changed to %q", s, out)
		}
		if Escape(out) != out {
			t.Fatalf("not idempotent on %q", s)
		}
		// JSON: the encoded string decodes back to the same text and
		// carries no unsafe character raw.
		b, _ := json.Marshal(s)
		j := JSON(b)
		for _, r := range string(j) {
			if unsafe(r) {
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
