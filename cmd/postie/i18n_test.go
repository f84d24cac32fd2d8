package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postie/postie/internal/testbin"
	"github.com/postie/postie/smtp/smtptest"
)

// What scripts read does not depend on the language: the --json document,
// the exit code and the C:/S: lines of the transcript are the same under
// LANG=C and LANG=zh_CN.UTF-8, while the words for people change.
func TestMachineOutputIsTheSameInEveryLanguage(t *testing.T) {
	bin := testbin.Postie(t)
	for _, c := range []struct {
		name   string
		script string // "" for no server
		args   []string
		words  [2]string // a line for people on stderr, in English and in Chinese ("" when --json says it all)
	}{
		{"partial-json", rcptScript, []string{"--tls", "none", "--to", "ok@x.test", "--to", "nobody@x.test", "--no-pipelining", "--json", "-v"}, [2]string{}},
		{"partial", rcptScript, []string{"--tls", "none", "--to", "ok@x.test", "--to", "nobody@x.test", "--no-pipelining", "-v"},
			[2]string{"postie: error: not delivered to <nobody@x.test>", "postie: 错误：没有投递给 <nobody@x.test>"}},
		{"maybe-delivered-json", goneScript, []string{"--tls", "none", "--to", "b@x.test", "--json", "-vv"}, [2]string{}},
		{"maybe-delivered", goneScript, []string{"--tls", "none", "--to", "b@x.test", "-vv"},
			[2]string{"it may have been delivered", "邮件可能已经投递"}},
		{"auth-refused-json", authScript, []string{"--tls", "none", "--allow-insecure-auth", "--user", "bob", "--to", "b@x.test", "--json", "-v"},
			[2]string{"postie: WARNING: --allow-insecure-auth", "postie: 警告：--allow-insecure-auth"}},
		{"usage", "", []string{"--to", "b@x.test", "--tls", "maybe", "--server", "127.0.0.1:1"},
			[2]string{"postie: error: --tls \"maybe\"", "postie: 错误：--tls \"maybe\"："}},
	} {
		t.Run(c.name, func(t *testing.T) {
			runs := map[string]langRun{}
			for _, lang := range []string{"C", "zh_CN.UTF-8"} {
				args := append([]string{"send", "--from", "a@x.test", "--text", "hi"}, c.args...)
				var srv *smtptest.Server
				if c.script != "" {
					var err error
					if srv, err = smtptest.Start(c.script, false, nil); err != nil {
						t.Fatal(err)
					}
					args = append(args, "--server", srv.Addr)
				}
				run := runIn(t, bin, lang, args)
				if srv != nil {
					srv.Close()
					// Each run has its own server: its port is not the language's doing.
					run.stdout = strings.ReplaceAll(run.stdout, srv.Addr, "SERVER")
					run.stderr = strings.ReplaceAll(run.stderr, srv.Addr, "SERVER")
				}
				runs[lang] = run
			}
			en, zh := runs["C"], runs["zh_CN.UTF-8"]
			if en.code != zh.code {
				t.Errorf("exit %d under LANG=C, %d under zh_CN", en.code, zh.code)
			}
			if en.stdout != zh.stdout {
				t.Errorf("stdout differs:\nLANG=C:\n%s\nzh_CN:\n%s", en.stdout, zh.stdout)
			}
			if a, b := transcript(en.stderr), transcript(zh.stderr); a != b {
				t.Errorf("transcript differs:\nLANG=C:\n%s\nzh_CN:\n%s", a, b)
			}
			if c.script != "" && !strings.Contains(transcript(en.stderr), "S: 220 mx.test") {
				t.Errorf("no transcript to compare:\n%s", en.stderr)
			}
			if c.script != "" && strings.Contains(strings.Join(c.args, " "), "--json") && !strings.Contains(en.stdout, `"exit_code"`) {
				t.Errorf("no JSON to compare:\n%s", en.stdout)
			}
			// The words for people did change: the comparisons above are
			// not between two English runs.
			if !strings.Contains(en.stderr, c.words[0]) || !strings.Contains(zh.stderr, c.words[1]) {
				t.Errorf("want %q under LANG=C and %q under zh_CN; got\n%s\n--\n%s", c.words[0], c.words[1], en.stderr, zh.stderr)
			}
		})
	}
}

type langRun struct {
	stdout, stderr string
	code           int
}

func runIn(t *testing.T, bin, lang string, args []string) langRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"LANG=" + lang, "HOME=" + t.TempDir(), "POSTIE_CONFIG=" + filepath.Join(t.TempDir(), "none.toml"), "POSTIE_PASSWORD=hunter2", "PATH=" + os.Getenv("PATH")}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return langRun{out.String(), errb.String(), code}
}

// transcript is the dialogue's lines: what postie sent (C:, C|), what the
// server said (S:) and the engine's events (*).
func transcript(stderr string) string {
	var b strings.Builder
	for _, l := range strings.Split(stderr, "\n") {
		for _, p := range []string{"C: ", "C| ", "S: ", "*  "} {
			if strings.HasPrefix(l, p) {
				if p == "C| " && (strings.HasPrefix(l, "C| Date: ") || strings.HasPrefix(l, "C| Message-ID: ") || strings.Contains(l, "boundary") || strings.HasPrefix(l, "C| --")) {
					break // the message's date, id and boundaries are new on every run
				}
				b.WriteString(l + "\n")
			}
		}
	}
	return b.String()
}

const rcptScript = `S: 220 mx.test ESMTP
C: EHLO *
S: 250-mx.test
S: 250 ENHANCEDSTATUSCODES
C: MAIL FROM:<a@x.test>
S: 250 2.1.0 ok
C: RCPT TO:<ok@x.test>
S: 250 2.1.5 ok
C: RCPT TO:<nobody@x.test>
S: 550 5.1.1 no such user
C: DATA
S: 354 go
C: <data>
S: 250 2.0.0 Ok: queued as 77AB
C: QUIT
S: 221 bye
`

const goneScript = `S: 220 mx.test ESMTP
C: EHLO *
S: 250 mx.test
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<b@x.test>
S: 250 ok
C: DATA
S: 354 go
C: <data>
!close
`

const authScript = `S: 220 mx.test ESMTP
C: EHLO *
S: 250-mx.test
S: 250 AUTH PLAIN
C: AUTH PLAIN *
S: 535 5.7.8 authentication failed
C: QUIT
S: 221 bye
`
