package cli

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestParseSendmailArgs(t *testing.T) {
	s, err := parseSendmailArgs([]string{"-t", "-oi", "-fbounce@x.test", "-F", "Me", "-oem", "-odb", "-v", "-C", "c.toml", "-a", "work", "--", "r@x.test"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.readRcpts || s.dotIsEnd || s.from != "bounce@x.test" || s.fullName != "Me" || s.verbose != 1 || s.config != "c.toml" || s.account != "work" || strings.Join(s.rcpts, ",") != "r@x.test" {
		t.Fatalf("%+v", s)
	}
	for _, bad := range [][]string{{"-X", "log"}, {"-bs"}, {"-f"}, {"-f", "a@x\r\nRCPT TO:<e@x>"}, {"--", "-oQ/tmp"}, {"-bp"}} {
		if _, err := parseSendmailArgs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDotReader(t *testing.T) {
	for in, want := range map[string]string{
		"a\n.\nb\n":   "a\n",
		"a\r\n.\r\nb": "a\r\n",
		"a\n..\nb\n":  "a\n..\nb\n",
		".x\n":        ".x\n",
		"no newline":  "no newline",
		"":            "",
	} {
		got, err := io.ReadAll(&dotReader{br: bufio.NewReaderSize(strings.NewReader(in), 16)})
		if err != nil || string(got) != want {
			t.Errorf("%q -> %q, %v; want %q", in, got, err, want)
		}
	}
}

// FuzzSendmailArgs: any argv either parses or errors; a parse never yields
// a recipient that looks like an option or a sender with CR/LF.
func FuzzSendmailArgs(f *testing.F) {
	f.Add("-t\x00-oi\x00-f\x00a@x.test\x00--\x00b@x.test")
	f.Add("-oQ\x00/tmp\x00-X/tmp/log")
	f.Add("-fa@x\r\nRCPT TO:<x@y>\x00r@x")
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		p, err := parseSendmailArgs(args)
		if err != nil {
			return
		}
		for _, r := range p.rcpts {
			if strings.HasPrefix(r, "-") {
				t.Fatalf("recipient %q looks like an option", r)
			}
		}
		if strings.ContainsAny(p.from, "\r\n\x00") {
			t.Fatalf("sender %q", p.from)
		}
	})
}
