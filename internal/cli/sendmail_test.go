package cli

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseSendmailArgs(t *testing.T) {
	s, err := parseSendmailArgs([]string{"-t", "-oi", "-fbounce@x.test", "-F", "Me", "-oem", "-odb", "-v", "-C", "c.toml", "-a", "work", "--", "r@x.test"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.readRcpts || s.dotIsEnd || s.from != "bounce@x.test" || s.fullName != "Me" || s.verbose != 1 || s.config != "c.toml" || s.account != "work" || strings.Join(s.rcpts, ",") != "r@x.test" {
		t.Fatalf("%+v", s)
	}
	for _, bad := range [][]string{{"-X", "log"}, {"-bs"}, {"-f"}, {"-f", "a@x\r\nRCPT TO:<e@x>"}, {"--", "-oQ/tmp"}, {"-bd"}, {"-qRbob"}, {"-q0"}, {"-q-5m"}, {"-oQ"}} {
		if _, err := parseSendmailArgs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The outbox's options: -odq queues only (a later -odi undoes it), -oQ
// names the directory, -q runs the queue (once, or every INTERVAL), -bp
// lists it.
func TestParseSendmailQueueArgs(t *testing.T) {
	for _, c := range []struct {
		args     []string
		only     bool
		dir      string
		run      bool
		interval time.Duration
		list     bool
	}{
		{[]string{"-odq", "-t"}, true, "", false, 0, false},
		{[]string{"-odq", "-odi", "-t"}, false, "", false, 0, false},
		{[]string{"-oQ/var/q", "-odq"}, true, "/var/q", false, 0, false},
		{[]string{"-oQ", "/var/q"}, false, "/var/q", false, 0, false},
		{[]string{"-q"}, false, "", true, 0, false},
		{[]string{"-qf"}, false, "", true, 0, false},
		{[]string{"-q30m"}, false, "", true, 30 * time.Minute, false},
		{[]string{"-q1h30m"}, false, "", true, 90 * time.Minute, false},
		{[]string{"-q2d"}, false, "", true, 48 * time.Hour, false},
		{[]string{"-q1w"}, false, "", true, 7 * 24 * time.Hour, false},
		{[]string{"-bp"}, false, "", false, 0, true},
	} {
		s, err := parseSendmailArgs(c.args)
		if err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if s.queueOnly != c.only || s.queueDir != c.dir || s.runQueue != c.run || s.interval != c.interval || s.listQueue != c.list {
			t.Errorf("%q: %+v", c.args, s)
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

// FuzzQueueInterval: -qINTERVAL gives a positive interval or an error,
// and an interval written back as Go writes durations reads the same.
func FuzzQueueInterval(f *testing.F) {
	for _, s := range []string{"30m", "1h30m", "2d", "1w", "0", "-5m", "d", "99999999999w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := queueInterval(s)
		if err != nil {
			return
		}
		if d <= 0 {
			t.Fatalf("%q -> %v", s, d)
		}
		if again, err := queueInterval(d.String()); err != nil || again != d {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, d, d.String(), again, err)
		}
	})
}
