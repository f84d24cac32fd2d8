package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scan runs a message through a Scanner, as sendmail mode does.
func scan(t testing.TB, in []byte) ([]byte, *Info) {
	t.Helper()
	sc := NewScanner(bytes.NewReader(in))
	norm, err := io.ReadAll(sc)
	if err != nil {
		t.Fatal(err)
	}
	return norm, sc.Info()
}

func convert(t testing.TB, norm []byte, info *Info, tr Transport) []byte {
	t.Helper()
	var out bytes.Buffer
	n, err := Convert(&out, bytes.NewReader(norm), info, tr)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(out.Len()) {
		t.Fatalf("Convert returned %d, wrote %d", n, out.Len())
	}
	return out.Bytes()
}

// checkSevenBit: what a server without 8BITMIME may receive: CRLF
// lines of at most 998 octets, no octet over 127, no NUL.
func checkSevenBit(t testing.TB, b []byte) {
	t.Helper()
	if len(b) > 0 && !bytes.HasSuffix(b, crlf) {
		t.Fatal("does not end with CRLF")
	}
	for i, line := range bytes.Split(b, crlf) {
		if bytes.ContainsAny(line, "\r\n\x00") || !asciiBytes(line) || len(line) > MaxLineOctets {
			t.Fatalf("line %d is not 7-bit SMTP text: %q", i+1, line)
		}
	}
}

// The golden conversions: mutt's multipart, git send-email's patch, cron's
// message without MIME (with a NUL), a forwarded message/rfc822 and a
// digest, raw Latin-1. Each is byte-exact and also re-read by the
// standard library and by Python's email package: what a reader gets is
// the same before and after.
func TestDowngradeGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/downgrade/*.eml")
	if len(inputs) < 5 {
		t.Fatalf("only %d golden inputs", len(inputs))
	}
	type pair struct{ norm, out []byte }
	pairs := map[string]pair{}
	var all [][]byte
	for _, path := range inputs {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		norm, info := scan(t, in)
		if !info.EightBit || !info.NeedsConversion(SevenBit) {
			t.Fatalf("%s: scan saw no 8-bit content: %+v", path, info)
		}
		out := convert(t, norm, info, SevenBit)
		golden := strings.TrimSuffix(path, ".eml") + ".7bit"
		if *update {
			os.WriteFile(golden, out, 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("output differs from %s (run with -update after checking):\n%s", golden, out)
		}
		// With 8BITMIME the message goes as it came, NUL aside.
		if !info.NUL && (info.NeedsConversion(EightBit) || !bytes.Equal(convert(t, norm, info, EightBit), norm)) {
			t.Fatalf("%s: the EightBit form is not the message itself", path)
		}
		pairs[path] = pair{norm, want}
		all = append(all, norm, want)
	}
	py := pythonParts(t, all...)
	for i, path := range inputs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p := pairs[path]
			checkSevenBit(t, p.out)
			before, err := decodeMessage(p.norm)
			if err != nil {
				t.Fatal(err)
			}
			after, err := decodeMessage(p.out)
			if err != nil {
				t.Fatal(err)
			}
			if d := before.diff(after); d != "" {
				t.Fatalf("a reader sees another message:\n%s", d)
			}
			if len(before.Parts) == 0 {
				t.Fatal("no parts decoded")
			}
			if py[2*i] != py[2*i+1] {
				t.Fatalf("Python's email package reads another message:\n before %s\n after  %s", py[2*i], py[2*i+1])
			}
			var got struct{ Defects []string }
			json.Unmarshal([]byte(py[2*i+1]), &got)
			if len(got.Defects) > 0 {
				t.Fatalf("Python reports defects: %v", got.Defects)
			}
		})
	}
}

// pythonParts is testdata/pyparts.py's JSON line for each message.
func pythonParts(t *testing.T, msgs ...[]byte) []string {
	t.Helper()
	py := python3(t)
	args := []string{"testdata/pyparts.py"}
	for i, m := range msgs {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("%d.eml", i))
		os.WriteFile(path, m, 0o644)
		args = append(args, path)
	}
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(msgs) {
		t.Fatalf("python printed %d lines for %d messages:\n%s", len(lines), len(msgs), out)
	}
	return lines
}

// A NUL goes out encoded even to an 8BITMIME server (RFC 6152 still
// forbids it); only its part changes, 8-bit headers and parts stay.
func TestNULPartEncodedForEightBit(t *testing.T) {
	in := "Subject: caf\xc3\xa9\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=b\n\n" +
		"--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nhéllo\n" +
		"--b\nContent-Type: application/octet-stream\n\nA\x00B\n--b--\n"
	norm, info := scan(t, []byte(in))
	if !info.NUL || !info.NeedsConversion(EightBit) || !info.Needs8BitMIME() {
		t.Fatalf("%+v", info)
	}
	out := convert(t, norm, info, EightBit)
	want := "Subject: caf\xc3\xa9\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nhéllo\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nA=00B\r\n--b--\r\n"
	if string(out) != want {
		t.Fatalf("got\n%q\nwant\n%q", out, want)
	}
	a, _ := decodeMessage(norm)
	b, err := decodeMessage(out)
	if err != nil || a.diff(b) != "" {
		t.Fatalf("%v %s", err, a.diff(b))
	}
}

func TestScannerLines(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"a":                      "a\r\n",
		"a\nb\n":                 "a\r\nb\r\n",
		"a\r\nb":                 "a\r\nb\r\n",
		"a\rb\r":                 "a\r\nb\r\n",
		"a\r\r\nb\n\r":           "a\r\n\r\nb\r\n\r\n",
		"\n\n":                   "\r\n\r\n",
		strings.Repeat("x", 998): strings.Repeat("x", 998) + "\r\n",
	} {
		got, err := io.ReadAll(NewScanner(strings.NewReader(in)))
		if err != nil || string(got) != want {
			t.Errorf("%q -> %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestScannerNamesTheLine(t *testing.T) {
	long := strings.Repeat("x", 999)
	for _, c := range []struct {
		in   string
		line int64
		is   error
		says string
	}{
		{"Subject: a\n\nok\n" + long + "\n", 4, ErrLineTooLong, "999 octets"},
		{"Subject: a\r\n\r\n" + strings.Repeat("y", 70000), 3, ErrLineTooLong, "at least"},
		{"Subject: a\rTo: b\r\n\r\n" + long, 4, ErrLineTooLong, "999"},
		{"Subject: a\x00b\n\nbody\n", 1, nil, "NUL octet in a header"},
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\nX-A: 1\nX-B: \x00\n\n--b--\n", 5, nil, "NUL octet in a header"},
		{"Content-Transfer-Encoding: base64\n\nAAAA\nA\x00AA\n", 4, nil, "cannot be re-encoded"},
	} {
		_, err := io.ReadAll(NewScanner(strings.NewReader(c.in)))
		var le *LineError
		if !errors.As(err, &le) || le.Line != c.line || !strings.Contains(err.Error(), c.says) || c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%q: err %v, want line %d saying %q", c.in, err, c.line, c.says)
		}
	}
	// A NUL in a body is not refused: it is encoded (TestNULPartEncodedForEightBit).
	if _, err := io.ReadAll(NewScanner(strings.NewReader("Subject: a\n\nx\x00y\n"))); err != nil {
		t.Fatal(err)
	}
}

// What no encoding can carry is refused for a 7-bit server, naming the
// line; an 8BITMIME server takes the same message as it is.
func TestConvertRefusesTheImpossible(t *testing.T) {
	for _, c := range []struct {
		in       string
		line     int64
		smtputf8 bool
	}{
		{"From: a@x.test\nTo: 用户@例子.test\n\nhi\n", 2, true},
		{"Message-ID: <标识@x.test>\n\nhi\n", 1, true},
		{"Subject: x\nContent-Transfer-Encoding: base64\n\nAAAA\n\xff\n", 5, false},
		{"Subject: x\nContent-Type: text/plain; charset=\"a\xffb\n\nhi\n", 2, false},
	} {
		norm, info := scan(t, []byte(c.in))
		_, err := Convert(io.Discard, bytes.NewReader(norm), info, SevenBit)
		var le *LineError
		if !errors.As(err, &le) || le.Line != c.line || errors.Is(err, ErrNeedsSMTPUTF8) != c.smtputf8 || info.NeedsSMTPUTF8 != c.smtputf8 {
			t.Errorf("%q: %v (line %d?), want line %d, SMTPUTF8 %v", c.in, err, le.Line, c.line, c.smtputf8)
			continue
		}
		if !errors.Is(info.Problem(SevenBit, false), err) && info.Problem(SevenBit, false) != err {
			t.Errorf("%q: Problem says %v, Convert %v", c.in, info.Problem(SevenBit, false), err)
		}
		if c.smtputf8 && info.Problem(EightBit, true) != nil || !c.smtputf8 && info.Problem(EightBit, false) != nil {
			t.Errorf("%q: a problem for a server that can carry it", c.in)
		}
		if out := convert(t, norm, info, EightBit); !bytes.Equal(out, norm) {
			t.Errorf("%q: EightBit changed it", c.in)
		}
	}
}

func TestQPLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                                "plain",
		"a=b":                                  "a=3Db",
		"end ":                                 "end=20",
		"tab\t":                                "tab=09",
		"-- ":                                  "=2D-=20",
		"-x":                                   "-x",
		"é\x00":                                "=C3=A9=00",
		strings.Repeat("a", 76):                strings.Repeat("a", 76),
		strings.Repeat("a", 77):                strings.Repeat("a", 75) + "=\r\naa",
		strings.Repeat("a", 75) + "--boundary": strings.Repeat("a", 75) + "=\r\n=2D-boundary",
		strings.Repeat("a", 74) + "é":          strings.Repeat("a", 74) + "=\r\n=C3=A9",
	} {
		if got := string(qpLine(nil, []byte(in))); got != want {
			t.Errorf("qpLine(%q) =\n %q, want\n %q", in, got, want)
		}
	}
}
