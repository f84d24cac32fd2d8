package smtp

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// FuzzReadReply: the parser never panics, never returns more than the
// caps allow, and a reply it accepts has one valid code, the same on
// every line, and re-serialises to lines it parses identically.
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"250 ok\r\n", "250-a\r\n250 b\r\n", "220\r\n", "550 5.1.1 <x@y>: no\r\n", "250-x\r\n251 y\r\n",
		"999 bad\r\n", "25 short\r\n", "250-" + strings.Repeat("x", 5000) + "\r\n", "250 2.0.0\r\n", "452 4.5.3 Too many\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		rep, err := ReadReply(bufio.NewReaderSize(bytes.NewReader(in), 4096))
		if err != nil {
			return
		}
		if rep.Code < 200 || rep.Code > 559 || len(rep.Lines) == 0 || len(rep.Lines) > MaxReplyLines {
			t.Fatalf("accepted %+v", rep)
		}
		for _, l := range rep.Lines {
			if len(l) > MaxReplyLineLength {
				t.Fatalf("line of %d octets", len(l))
			}
		}
		if rep.Enhanced != (EnhancedCode{}) && rep.Enhanced[0] != rep.Code/100 {
			t.Fatalf("enhanced class %v vs code %d", rep.Enhanced, rep.Code)
		}
		// Round trip: write it out again and parse.
		var b strings.Builder
		for i, l := range rep.Lines {
			sep := "-"
			if i == len(rep.Lines)-1 {
				sep = " "
			}
			if rep.Enhanced != (EnhancedCode{}) {
				l = rep.Enhanced.String() + " " + l
			}
			b.WriteString(strings.TrimRight(strconvItoa(rep.Code)+sep+l, " ") + "\r\n")
		}
		again, err := ReadReply(bufio.NewReader(strings.NewReader(b.String())))
		if err != nil || again.Code != rep.Code || len(again.Lines) != len(rep.Lines) {
			t.Fatalf("re-parse of %q: %+v %v", b.String(), again, err)
		}
	})
}

func strconvItoa(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// FuzzParseEHLO: capability parsing survives anything and keeps keys valid.
func FuzzParseEHLO(f *testing.F) {
	f.Add("mx.test\nPIPELINING\nSIZE 1000\nAUTH PLAIN LOGIN\nAUTH=LOGIN\n8BITMIME")
	f.Add("x\nSIZE 99999999999999999999999\nAUTH\n\x00\n-bad")
	f.Fuzz(func(t *testing.T, s string) {
		ext := ParseEHLO(strings.Split(s, "\n"))
		if len(ext) > maxExtensionLines+1 {
			t.Fatalf("%d keys", len(ext))
		}
		for k := range ext {
			if !validKeyword(k) {
				t.Fatalf("invalid key %q", k)
			}
		}
		if ext.MaxSize() < 0 || len(ext.AuthMechanisms()) > 32 {
			t.Fatal("bad derived values")
		}
	})
}

// FuzzDotWriter: the output has no bare CR or LF, the terminator exactly
// once at the end, and un-stuffing gives back the normalised input.
func FuzzDotWriter(f *testing.F) {
	for _, s := range []string{"", ".", "a\n.\nb", "\r\n.\r\n", "x\r.\r\n", "\n.\n", "\r", "..\r\n.", "a\r\r\nb", "line\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		if err := DotStuff(bw, in); err != nil {
			if err == ErrLineTooLong {
				return
			}
			t.Fatal(err)
		}
		o := out.Bytes()
		if !bytes.HasSuffix(o, []byte(".\r\n")) {
			t.Fatalf("no terminator: %q", o)
		}
		body := o[:len(o)-3]
		if len(body) > 0 && !bytes.HasSuffix(body, []byte("\r\n")) {
			t.Fatalf("terminator not on its own line: %q", o)
		}
		// No bare CR or LF anywhere.
		for i, c := range o {
			if c == '\r' && (i+1 >= len(o) || o[i+1] != '\n') || c == '\n' && (i == 0 || o[i-1] != '\r') {
				t.Fatalf("bare CR/LF at %d in %q", i, o)
			}
		}
		// Terminator exactly once: no line of the body is a lone dot.
		lines := bytes.Split(body, []byte("\r\n"))
		var unstuffed [][]byte
		for _, l := range lines {
			if bytes.Equal(l, []byte(".")) {
				t.Fatalf("lone dot inside the body: %q", o)
			}
			unstuffed = append(unstuffed, bytes.TrimPrefix(l, []byte(".")))
		}
		got := bytes.Join(unstuffed, []byte("\r\n"))
		want := normalise(in)
		if len(want) > 0 && !bytes.HasSuffix(want, []byte("\r\n")) {
			want = append(want, '\r', '\n')
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("un-stuffed:\n got  %q\n want %q", got, want)
		}
	})
}

// normalise is the reference: every CRLF, lone CR and lone LF becomes CRLF.
func normalise(in []byte) []byte {
	var out []byte
	for i := 0; i < len(in); i++ {
		switch in[i] {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(in) && in[i+1] == '\n' {
				i++
			}
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, in[i])
		}
	}
	return out
}

// FuzzCheckAddress: an accepted address can never end the command or add
// a parameter.
func FuzzCheckAddress(f *testing.F) {
	for _, s := range []string{"a@x.test", "\"a b\"@x", "a@x> SIZE=1", "a\r\n@x", "用户@例子.test", "postmaster", "\"a> NOTIFY=NEVER <\"@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckAddress(s) != nil {
			return
		}
		if strings.ContainsAny(s, "\r\n\x00<>") {
			t.Fatalf("accepted %q", s)
		}
		at := strings.LastIndexByte(s, '@')
		if at > 0 {
			local := s[:at]
			quoted := len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"'
			if !quoted && strings.ContainsAny(local, " \t") {
				t.Fatalf("accepted an unquoted space: %q", s)
			}
			if strings.ContainsAny(s[at+1:], " \t") {
				t.Fatalf("accepted a space in the domain: %q", s)
			}
		}
	})
}

// FuzzDSNOptions: a NOTIFY or RET value that parses prints as a value
// that parses to the same thing, and never carries a byte that could end
// or extend the command.
func FuzzDSNOptions(f *testing.F) {
	for _, s := range []string{"never", "success,failure,delay", "Delay, success", "never,delay", "", ",", "full", "hdrs\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseDSNNotify(s); err == nil {
			again, err := ParseDSNNotify(n.String())
			if err != nil || again != n || strings.ContainsAny(n.String(), " \r\n=<>") {
				t.Fatalf("%q -> %v %q -> %v %v", s, n, n.String(), again, err)
			}
		}
		if r, err := ParseDSNReturn(s); err == nil {
			again, err := ParseDSNReturn(string(r))
			if err != nil || again != r || r != "" && r != DSNReturnFull && r != DSNReturnHeaders {
				t.Fatalf("%q -> %q -> %q %v", s, r, again, err)
			}
		}
	})
}
