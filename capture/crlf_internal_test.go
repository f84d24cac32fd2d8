package capture

import (
	"bytes"
	"regexp"
	"testing"
)

func crlfAll(chunks ...string) string {
	var b bytes.Buffer
	w := &crlfWriter{w: &b}
	for _, c := range chunks {
		w.Write([]byte(c))
	}
	w.Close()
	return b.String()
}

func TestCRLFWriter(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"a\r\nb\r\n"}, "a\r\nb\r\n"},
		{[]string{"a\nb\n"}, "a\r\nb\r\n"},
		{[]string{"a\rb\r"}, "a\r\nb\r\n"},
		{[]string{"a\r", "\nb"}, "a\r\nb"},         // CRLF split across writes
		{[]string{"a\r", "", "\r\n"}, "a\r\n\r\n"}, // bare CR, then CRLF
		{[]string{"\n\n\r\r\n"}, "\r\n\r\n\r\n\r\n"},
		{[]string{"no ending"}, "no ending"},
	} {
		if got := crlfAll(tc.in...); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

var lineBreak = regexp.MustCompile(`\r\n|\r|\n`)

// FuzzCRLFWriter: whatever the input and however it is split into
// writes, the output has no bare CR or LF, and its lines are the input's
// lines (each CRLF, bare CR or bare LF one line break).
func FuzzCRLFWriter(f *testing.F) {
	f.Add("Subject: x\nbody\r\n.\r\n", uint8(3))
	f.Add("\r\r\n\n\r", uint8(1))
	f.Add("a\r\nb", uint8(2))
	f.Fuzz(func(t *testing.T, in string, split uint8) {
		var chunks []string
		step := int(split%7) + 1
		for i := 0; i < len(in); i += step {
			chunks = append(chunks, in[i:min(i+step, len(in))])
		}
		out := crlfAll(chunks...)
		if bytes.Contains([]byte(lineBreak.ReplaceAllString(out, "")), []byte("\r")) {
			t.Fatalf("bare CR in %q", out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] == '\r' && (i+1 == len(out) || out[i+1] != '\n') || out[i] == '\n' && (i == 0 || out[i-1] != '\r') {
				t.Fatalf("bare line ending at %d in %q (from %q)", i, out, in)
			}
		}
		if got, want := lineBreak.ReplaceAllString(out, "\n"), lineBreak.ReplaceAllString(in, "\n"); got != want {
			t.Fatalf("lines changed: %q -> %q", in, out)
		}
	})
}
