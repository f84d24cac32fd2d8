package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/postie/postie/internal/testbin"
	"github.com/postie/postie/smtp/smtptest"
)

// sendmailRun runs the built binary as sendmail with a config whose
// account sends to server without TLS or login, and returns its exit
// code and stderr.
func sendmailRun(t *testing.T, server string, stdin []byte, args ...string) (int, string) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.toml")
	os.WriteFile(conf, []byte(fmt.Sprintf("default = \"t\"\n[accounts.t]\nfrom = \"me@x.test\"\nserver = %q\ntls = \"none\"\n", server)), 0o600)
	cmd := exec.Command(testbin.Postie(t), append([]string{"sendmail", "-C", conf}, args...)...)
	cmd.Env = append(os.Environ(), "TMPDIR="+dir, "HOME="+dir)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// script is a server transcript: ehlo lines are its capabilities, mail
// the pattern for MAIL FROM, and <content> the DATA or BDAT step.
func script(ehlo []string, mail string, chunking bool) string {
	var b strings.Builder
	b.WriteString("S: 220 mx.test ESMTP\nC: EHLO *\nS: 250-mx.test\n")
	for _, e := range ehlo {
		b.WriteString("S: 250-" + e + "\n")
	}
	b.WriteString("S: 250 SIZE 10000000\n")
	b.WriteString("C: " + mail + "\nS: 250 ok\nC: RCPT TO:<rcpt@x.test>\nS: 250 ok\n")
	if chunking {
		b.WriteString("C: <bdat>\nS: 250 ok\n")
	} else {
		b.WriteString("C: DATA\nS: 354 go\nC: <data>\nS: 250 ok\n")
	}
	b.WriteString("C: QUIT\nS: 221 bye\n")
	return b.String()
}

// received is the message the scripted server got (dot-stuffing undone
// for DATA) and the SIZE= its MAIL FROM declared.
func received(t *testing.T, srv *smtptest.Server, chunking bool) ([]byte, int64, string) {
	t.Helper()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	data := srv.Data()
	if len(data) != 1 {
		t.Fatalf("%d messages received", len(data))
	}
	msg := data[0]
	if !chunking {
		msg = regexp.MustCompile(`(?m)^\.\.`).ReplaceAll(msg, []byte("."))
	}
	var mail string
	for _, l := range srv.Received() {
		if strings.HasPrefix(l, "MAIL FROM:") {
			mail = l
		}
	}
	m := regexp.MustCompile(` SIZE=(\d+)`).FindStringSubmatch(mail)
	if m == nil {
		t.Fatalf("no SIZE= in %q", mail)
	}
	size, _ := strconv.ParseInt(m[1], 10, 64)
	return msg, size, mail
}

// mutt with postie as its sendmail, sending a UTF-8 multipart message
// (LF line endings, 8bit parts) to a server without 8BITMIME: postie
// sends the 7-bit form (the golden conversion), SIZE= is exactly what
// the server received. With 8BITMIME the server gets the message itself,
// in CRLF form, with BODY=8BITMIME.
func TestSendmailEightBitDowngrade(t *testing.T) {
	in, err := os.ReadFile("../../message/testdata/downgrade/mutt-multipart.eml")
	if err != nil {
		t.Fatal(err)
	}
	want7, err := os.ReadFile("../../message/testdata/downgrade/mutt-multipart.7bit")
	if err != nil {
		t.Fatal(err)
	}
	want8 := bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n"))
	for _, c := range []struct {
		name     string
		ehlo     []string
		mail     string
		chunking bool
		want     []byte
	}{
		{"no 8BITMIME, DATA", []string{"PIPELINING"}, "MAIL FROM:<me@x.test> SIZE=*", false, want7},
		{"no 8BITMIME, BDAT", []string{"CHUNKING"}, "MAIL FROM:<me@x.test> SIZE=*", true, want7},
		{"8BITMIME, DATA", []string{"8BITMIME"}, "MAIL FROM:<me@x.test> SIZE=* BODY=8BITMIME", false, want8},
		{"8BITMIME, BDAT", []string{"8BITMIME", "CHUNKING"}, "MAIL FROM:<me@x.test> SIZE=* BODY=8BITMIME", true, want8},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := smtptest.New(t, script(c.ehlo, c.mail, c.chunking))
			code, stderr := sendmailRun(t, srv.Addr, in, "-oi", "rcpt@x.test")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got, size, mail := received(t, srv, c.chunking)
			if !bytes.Equal(got, c.want) {
				t.Fatalf("the server received:\n%s", got)
			}
			if size != int64(len(got)) {
				t.Fatalf("%s declared SIZE=%d, the server received %d octets", mail, size, len(got))
			}
		})
	}
}

// SIZE= is the size after CRLF conversion (issue 11: SIZE=4577 for BDAT
// 5084 with LF input), for DATA and BDAT.
func TestSendmailSizeOfLFInput(t *testing.T) {
	in := []byte("From: me@x.test\nTo: rcpt@x.test\nSubject: lf\nDate: Thu, 26 Nov 2026 08:30:00 +0800\nMessage-ID: <1@x.test>\n\n" +
		strings.Repeat("a line of text\n", 300) + ".dot\nlast line without a newline")
	for _, chunking := range []bool{false, true} {
		ehlo := []string{"PIPELINING"}
		if chunking {
			ehlo = append(ehlo, "CHUNKING")
		}
		srv := smtptest.New(t, script(ehlo, "MAIL FROM:<me@x.test> SIZE=*", chunking))
		if code, stderr := sendmailRun(t, srv.Addr, in, "-i", "rcpt@x.test"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got, size, _ := received(t, srv, chunking)
		want := append(bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n")), "\r\n"...)
		if !bytes.Equal(got, want) || size != int64(len(got)) {
			t.Fatalf("chunking %v: SIZE=%d, received %d octets (want %d)", chunking, size, len(got), len(want))
		}
	}
}

// A NUL in a body part: the part goes quoted-printable even to an
// 8BITMIME server; the other 8-bit part goes as it is.
func TestSendmailNULInBodyEncoded(t *testing.T) {
	in := []byte("From: me@x.test\nSubject: cron\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n" +
		"--b\nContent-Type: text/plain; charset=utf-8\n\nhéllo\n--b\nContent-Type: text/plain\n\nbinary\x00output\n--b--\n")
	srv := smtptest.New(t, script([]string{"8BITMIME"}, "MAIL FROM:<me@x.test> SIZE=* BODY=8BITMIME", false))
	if code, stderr := sendmailRun(t, srv.Addr, in, "-i", "rcpt@x.test"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, size, _ := received(t, srv, false)
	if bytes.IndexByte(got, 0) >= 0 || !bytes.Contains(got, []byte("binary=00output")) || !bytes.Contains(got, []byte("héllo\r\n")) ||
		!bytes.Contains(got, []byte("Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n")) {
		t.Fatalf("received:\n%q", got)
	}
	if size != int64(len(got)) {
		t.Fatalf("SIZE=%d, received %d", size, len(got))
	}
}

// What cannot be sent is refused before any connection, naming the line
// of the input: exit 65.
func TestSendmailInputNamesTheLine(t *testing.T) {
	dead := "127.0.0.1:1" // never reached
	for _, c := range []struct {
		in   string
		want string
	}{
		{"Subject: x\n\nok\n" + strings.Repeat("x", 1200) + "\nok\n", `line 4: 1200 octets long; SMTP allows 998`},
		{"Subject: x\r\nX-Bad: a\x00b\r\n\r\nok\r\n", `line 2: NUL octet in a header`},
		{"Subject: x\nContent-Transfer-Encoding: base64\n\nAAAA\nAA\x00A\n", `line 5: NUL octet in a part declared "base64"`},
	} {
		code, stderr := sendmailRun(t, dead, []byte(c.in), "-i", "rcpt@x.test")
		if code != 65 || !strings.Contains(stderr, "postie: error: reading the message: "+c.want) {
			t.Errorf("exit %d, stderr %q; want 65 and %q", code, stderr, c.want)
		}
	}
}

// A header address that is not ASCII needs SMTPUTF8: refused (69) by a
// server without it, naming the line; with SMTPUTF8 it goes as it is.
func TestSendmailUTF8AddressNeedsSMTPUTF8(t *testing.T) {
	in := []byte("From: me@x.test\nTo: 用户@例子.test\nSubject: hi\n\nhi\n")
	srv := smtptest.New(t, "S: 220 mx.test\nC: EHLO *\nS: 250-mx.test\nS: 250 8BITMIME\nC: QUIT\nS: 221 bye\n")
	code, stderr := sendmailRun(t, srv.Addr, in, "-i", "rcpt@x.test")
	if code != 69 || !strings.Contains(stderr, "SMTPUTF8") || !strings.Contains(stderr, "line 2: To field") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	srv = smtptest.New(t, script([]string{"8BITMIME", "SMTPUTF8"}, "MAIL FROM:<me@x.test> SIZE=* BODY=8BITMIME SMTPUTF8", false))
	if code, stderr := sendmailRun(t, srv.Addr, in, "-i", "rcpt@x.test"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	received(t, srv, false)
}

// The spool: while postie reads the message it is held in a file that
// has no name (a file or symlink planted in TMPDIR can neither be used
// nor capture it), mode 0600; SIGTERM ends postie at once (exit 130,
// nothing sent) and leaves nothing behind.
func TestSendmailSpoolPrivateAndGoneAfterSIGTERM(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	tmp := t.TempDir()
	os.Chmod(tmp, 0o1777) // a shared /tmp
	// Planted by another user: symlinks at the names an old or naive
	// spool would use, pointing at a file they can read.
	loot := filepath.Join(t.TempDir(), "loot")
	os.WriteFile(loot, nil, 0o666)
	planted := map[string]bool{}
	for _, n := range []string{"postie-sendmail.eml", "postie-sendmail-1.eml", "postie-sendmail-" + strconv.Itoa(os.Getpid()), "postie-sendmail-0"} {
		os.Symlink(loot, filepath.Join(tmp, n))
		planted[n] = true
	}
	cmd := exec.Command(testbin.Postie(t), "sendmail", "-i", "rcpt@x.test")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "POSTIE_CONFIG="+filepath.Join(tmp, "none.toml"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	secret := "Subject: payroll\n\nthe secret figures\n"
	io.WriteString(stdin, secret+strings.Repeat("more text\n", 10000)) // stdin stays open

	fdDir := fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)
	var spool string
	for deadline := time.Now().Add(20 * time.Second); spool == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		fds, _ := os.ReadDir(fdDir)
		for _, fd := range fds {
			if target, _ := os.Readlink(filepath.Join(fdDir, fd.Name())); strings.HasPrefix(target, tmp+"/") {
				spool = filepath.Join(fdDir, fd.Name())
				if !strings.HasSuffix(target, " (deleted)") {
					t.Errorf("the spool %s has a name others can open", target)
				}
			}
		}
	}
	if spool == "" {
		t.Fatal("postie opened no spool file in TMPDIR within 20s")
	}
	st, err := os.Stat(spool)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("spool mode %v, %v; want 0600", st.Mode(), err)
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if !planted[e.Name()] {
			t.Errorf("%s is in TMPDIR while postie reads the message", e.Name())
		}
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("postie did not end within 20s of SIGTERM")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "interrupted while reading the message; nothing was sent") {
		t.Fatalf("exit %d after SIGTERM (want 130), stderr %q", code, stderr.String())
	}
	entries, _ = os.ReadDir(tmp)
	for _, e := range entries {
		if !planted[e.Name()] {
			t.Errorf("%s left in TMPDIR after SIGTERM", e.Name())
		}
	}
	if b, _ := os.ReadFile(loot); len(b) != 0 {
		t.Fatalf("a planted symlink captured %q", b)
	}
}
