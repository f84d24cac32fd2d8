package message

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzHeaderEncoding: any valid UTF-8 subject without CR/LF/NUL is
// written on lines of at most 998 octets, never leaks a CR or LF that
// starts a new field, and decodes back to itself.
func FuzzHeaderEncoding(f *testing.F) {
	for _, s := range []string{"hello", "测试邮件：你好，世界", "=?utf-8?q?x?=", "a\tb", strings.Repeat("x", 2000), strings.Repeat("y", 800) + "\t" + strings.Repeat("z", 800), "Hi Bcc: x@evil.test", "🚀é" + strings.Repeat("汉", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") {
			if noControl("Subject", s) == nil {
				t.Fatalf("noControl accepted %q", s)
			}
			return
		}
		field := foldField("Subject", encodeText(s))
		if !strings.HasSuffix(field, "\r\n") {
			t.Fatal("field does not end in CRLF")
		}
		lines := strings.Split(strings.TrimSuffix(field, "\r\n"), "\r\n")
		for i, l := range lines {
			if len(l) > 998 {
				t.Fatalf("line of %d octets", len(l))
			}
			if strings.ContainsAny(l, "\r\n") {
				t.Fatalf("bare CR/LF in %q", l)
			}
			if i > 0 && !strings.HasPrefix(l, " ") {
				t.Fatalf("continuation line %q does not start with a space: a new field", l)
			}
		}
		// Unfold (RFC 5322 §2.2.3) and decode (RFC 2047).
		unfolded := strings.ReplaceAll(strings.TrimSuffix(field, "\r\n"), "\r\n", "")
		value := strings.TrimPrefix(unfolded, "Subject: ")
		if strings.HasPrefix(unfolded, "Subject:") && !strings.HasPrefix(unfolded, "Subject: ") {
			value = strings.TrimPrefix(unfolded, "Subject:")
		}
		got, err := new(mime.WordDecoder).DecodeHeader(value)
		if err != nil {
			t.Fatalf("decode %q: %v", value, err)
		}
		// Folding may only have changed runs of whitespace in plain text.
		if got != s && strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(s), " ") {
			t.Fatalf("round trip:\n in  %q\n out %q", s, got)
		}
	})
}

// FuzzTransferEncoders: base64 lines are 76 columns, quoted-printable
// lines at most 76, and both decode to the input exactly.
func FuzzTransferEncoders(f *testing.F) {
	for _, s := range []string{"", "a", "hello\r\nworld", "中文\n", strings.Repeat("=", 300), "\x00\xff\r\r\n \t\n", strings.Repeat("x", 1000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var b bytes.Buffer
		w := Base64Writer(&b)
		w.Write(in)
		w.Close()
		if int64(b.Len()) != base64Len(int64(len(in))) {
			t.Fatalf("base64 length %d, predicted %d", b.Len(), base64Len(int64(len(in))))
		}
		for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n") {
			if len(l) > 76 {
				t.Fatalf("base64 line of %d", len(l))
			}
		}
		dec, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.ReplaceAll(b.String(), "\r\n", ""))))
		if err != nil || !bytes.Equal(dec, in) {
			t.Fatalf("base64 round trip failed: %v", err)
		}

		var q bytes.Buffer
		qw := QPWriter(&q)
		qw.Write(in)
		qw.Close()
		for _, l := range strings.Split(q.String(), "\r\n") {
			if len(l) > 76 {
				t.Fatalf("quoted-printable line of %d: %q", len(l), l)
			}
		}
		back, err := io.ReadAll(quotedprintable.NewReader(&q))
		if err != nil {
			t.Fatal(err)
		}
		// Text mode turns each LF into CRLF; compare with that normalisation.
		// Text mode makes every line break CRLF (lone CR and LF too).
		norm := bytes.ReplaceAll(bytes.ReplaceAll(bytes.ReplaceAll(in, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		if !bytes.Equal(back, norm) {
			t.Fatalf("quoted-printable round trip:\n in  %q\n out %q", in, back)
		}
	})
}

// FuzzPrepare: whatever the input, Prepare never leaves a Bcc field and
// never changes the body.
func FuzzPrepare(f *testing.F) {
	f.Add("To: a@x.test\r\nBcc: b@x.test\r\n\r\nbody\r\n")
	f.Add("Bcc: a@x.test,\n b@x.test\nSubject: x\n\n.\n")
	f.Add("To: g: a@x.test;\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		_, err := Prepare(strings.NewReader(in), &out, PrepareOptions{Rand: bytes.NewReader(make([]byte, 32))})
		if err != nil {
			return
		}
		hdr, body, _ := strings.Cut(out.String(), "\n\n")
		if i := strings.Index(out.String(), "\r\n\r\n"); i >= 0 && (len(hdr) > i) {
			hdr, body = out.String()[:i], out.String()[i+4:]
		}
		for _, l := range strings.Split(hdr, "\n") {
			if strings.HasPrefix(strings.ToLower(l), "bcc:") {
				t.Fatalf("Bcc survived: %q", out.String())
			}
		}
		if !strings.HasSuffix(in, body) {
			t.Fatalf("body changed:\n in  %q\n out %q", in, out.String())
		}
	})
}

// FuzzDowngrade: a message the Scanner and Prepare accept (as sendmail
// mode reads it) converts for a 7-bit server unless Info names the
// problem first. The 7-bit form is 7-bit SMTP text, and a reader (the
// standard library's parsers) gets the same header text and the same
// decoded parts from it as from the original; the 8BITMIME form is the
// original itself unless a part holds a NUL, which is then encoded.
func FuzzDowngrade(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/downgrade/*.eml")
	for _, p := range inputs {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("Subject: x\n\nno MIME, caf\xc3\xa9\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n\xff\n--b--\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		sc := NewScanner(bytes.NewReader(in))
		var spool bytes.Buffer
		fixedNow := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
		if _, err := Prepare(sc, &spool, PrepareOptions{Now: fixedNow, Rand: bytes.NewReader(make([]byte, 32))}); err != nil {
			return
		}
		info, msg := sc.Info(), spool.Bytes()
		var out bytes.Buffer
		_, err := Convert(&out, bytes.NewReader(msg), info, SevenBit)
		if p := info.Problem(SevenBit, false); p != nil {
			if err == nil {
				t.Fatalf("Info names a problem (%v) but Convert succeeded", p)
			}
			return
		}
		if err != nil {
			t.Fatalf("Convert: %v, though the scan found no problem\n%q", err, msg)
		}
		checkSevenBit(t, out.Bytes())
		before, err := decodeMessage(msg)
		if err == nil {
			after, err := decodeMessage(out.Bytes())
			if err != nil {
				t.Fatalf("the 7-bit form is unreadable: %v\n in  %q\n out %q", err, msg, out.Bytes())
			}
			if d := before.diff(after); d != "" {
				t.Fatalf("a reader sees another message: %s\n in  %q\n out %q", d, msg, out.Bytes())
			}
		}
		var eight bytes.Buffer
		if _, err := Convert(&eight, bytes.NewReader(msg), info, EightBit); err != nil {
			t.Fatalf("EightBit: %v", err)
		}
		if !info.NUL {
			if !bytes.Equal(eight.Bytes(), msg) {
				t.Fatalf("the EightBit form changed the message:\n in  %q\n out %q", msg, eight.Bytes())
			}
			return
		}
		if bytes.IndexByte(eight.Bytes(), 0) >= 0 {
			t.Fatalf("a NUL left in the EightBit form: %q", eight.Bytes())
		}
		if err == nil {
			after, err := decodeMessage(eight.Bytes())
			if err != nil || before.diff(after) != "" {
				t.Fatalf("EightBit form: %v %s", err, before.diff(after))
			}
		}
	})
}

// FuzzScanner: the Scanner's output is the input's lines, each ended by
// CRLF (a CRLF, bare CR or bare LF in the input is one line break), none
// over 998 octets; when it refuses, the line it names is the culprit.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{"", "a", "a\r\nb\rc\nd", "\r\r\n\n", "Subject: \x00\n\nx", strings.Repeat("y", 999) + "\n", "To: a\n\n" + strings.Repeat("é", 500)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := io.ReadAll(NewScanner(bytes.NewReader(in)))
		lines := regexp.MustCompile(`\r\n|\r|\n`).Split(string(in), -1)
		if len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 || le.Line > int64(len(lines)) {
				t.Fatalf("error %v names no line of %d", err, len(lines))
			}
			l := lines[le.Line-1]
			if errors.Is(err, ErrLineTooLong) != (len(l) > MaxLineOctets) || !errors.Is(err, ErrLineTooLong) && !strings.Contains(l, "\x00") {
				t.Fatalf("%v, but line %d is %q", err, le.Line, l)
			}
			return
		}
		want := ""
		for _, l := range lines {
			want += l + "\r\n"
		}
		if string(out) != want {
			t.Fatalf("\n in  %q\n out %q\n want %q", in, out, want)
		}
		for _, l := range lines {
			if len(l) > MaxLineOctets {
				t.Fatalf("a line of %d octets passed", len(l))
			}
		}
	})
}
