package capture_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/internal/selfsigned"
)

type server struct {
	addr, tlsAddr, caFile, maildir string
	log                            *bytes.Buffer
}

func start(t *testing.T, users map[string]string) *server {
	t.Helper()
	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &server{caFile: filepath.Join(dir, "ca.pem"), maildir: filepath.Join(dir, "Maildir"), log: &bytes.Buffer{}}
	os.WriteFile(s.caFile, b.CAPEM, 0o644)
	srv, err := capture.New(capture.Config{Maildir: s.maildir, TLSConfig: b.ServerConfig(), Users: users, Log: s.log, MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	tln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	go srv.ServeTLS(tln)
	t.Cleanup(func() { srv.Close() })
	s.addr, s.tlsAddr = ln.Addr().String(), tln.Addr().String()
	return s
}

func (s *server) messages(t *testing.T) [][]byte {
	files, _ := filepath.Glob(filepath.Join(s.maildir, "new", "*"))
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func need(t *testing.T, tool string) string {
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed in CI (test/realmail/install.sh installs it)", tool)
		}
		t.Skipf("%s not installed", tool)
	}
	return p
}

// swaks (Debian package), an SMTP client nobody here wrote: STARTTLS, the
// certificate verified, AUTH LOGIN and PLAIN, a UTF-8 subject.
func TestServeWithSwaks(t *testing.T) {
	swaks := need(t, "swaks")
	s := start(t, map[string]string{"demo": "pw-123"})
	for _, mech := range []string{"LOGIN", "PLAIN"} {
		out, err := exec.Command(swaks, "--server", s.addr, "--tls", "--tls-verify", "--tls-ca-path", s.caFile,
			"--tls-sni", "localhost", "--auth", mech, "--auth-user", "demo", "--auth-password", "pw-123",
			"--from", "a@x.test", "--to", "b@x.test", "--header", "Subject: =?UTF-8?B?5rWL6K+V?= "+mech,
			"--body", "hello from swaks").CombinedOutput()
		if err != nil {
			t.Fatalf("swaks %s: %v\n%s", mech, err, out)
		}
		if !strings.Contains(string(out), "<~  235") {
			t.Fatalf("no 235 over TLS in swaks output:\n%s", out)
		}
	}
	msgs := s.messages(t)
	if n := len(msgs); n != 2 {
		t.Fatalf("%d messages stored", n)
	}
	// The session transcripts: the whole dialogue, the TLS parameters, the
	// AUTH exchange with every client payload redacted.
	for _, m := range msgs {
		sess, raw := sessionOf(t, s.maildir, m)
		noSecret(t, raw, "demo", "pw-123")
		text := render(sess)
		mech := "PLAIN"
		if strings.Contains(string(m), "LOGIN") {
			mech = "LOGIN"
		}
		steps := []string{`^\*: connection from 127\.0\.0\.1:\d+`, `^S: 220 localhost ESMTP`, `^C: EHLO `, `^S: 250-STARTTLS`, `^C: STARTTLS$`, `^S: 220 2\.0\.0`,
			`^\*: TLS handshake: TLS 1\.[23], cipher TLS_\w+, server name localhost$`, `^C: EHLO `, `^S: 250-AUTH PLAIN LOGIN`}
		if mech == "LOGIN" {
			steps = append(steps, `^C: AUTH LOGIN$`, `^S: 334 VXNlcm5hbWU6$`, `^C: <redacted>$`, `^S: 334 UGFzc3dvcmQ6$`, `^C: <redacted>$`)
		} else {
			steps = append(steps, `^C: AUTH PLAIN( <redacted>)?$`)
		}
		steps = append(steps, `^S: 235 2\.0\.0`, `^C: MAIL FROM:<a@x\.test>`, `^S: 250 `, `^C: RCPT TO:<b@x\.test>`, `^S: 250 `,
			`^C: DATA$`, `^S: 354 `, `^C: <message: \d+ octets, \d+ lines>$`, `^C: \.$`, `^\*: message stored as \S+ \(\d+ octets\)$`,
			`^S: 250 2\.0\.0`, `^C: QUIT$`, `^S: 221 `, `^\*: connection closed$`)
		inOrder(t, text, steps...)
		if os.Getenv("PEEK") != "" {
			t.Log(raw)
		}
		if strings.Contains(text, "hello from swaks") {
			t.Fatalf("the message body is in the transcript:\n%s", text)
		}
	}
	if !strings.Contains(s.log.String(), `subject="测试 LOGIN"`) {
		t.Fatalf("log line lacks the decoded subject:\n%s", s.log)
	}
	// AUTH before TLS is refused and not even advertised.
	out, _ := exec.Command(swaks, "--server", s.addr, "--auth", "PLAIN", "--auth-user", "demo", "--auth-password", "pw-123",
		"--from", "a@x.test", "--to", "b@x.test").CombinedOutput()
	if strings.Contains(string(out), "<~  235") || strings.Contains(string(out), "<-  235") {
		t.Fatalf("AUTH succeeded without TLS:\n%s", out)
	}
}

// curl (Debian package) sends over implicit TLS with AUTH PLAIN.
func TestServeWithCurlImplicitTLS(t *testing.T) {
	curl := need(t, "curl")
	s := start(t, map[string]string{"demo": "pw-123"})
	msg := filepath.Join(t.TempDir(), "m.eml")
	os.WriteFile(msg, []byte("From: a@x.test\r\nTo: b@x.test\r\nSubject: curl\r\n\r\nhello from curl\r\n"), 0o644)
	_, port, _ := net.SplitHostPort(s.tlsAddr)
	out, err := exec.Command(curl, "-sS", "--max-time", "20", "--cacert", s.caFile, "--resolve", "localhost:"+port+":127.0.0.1",
		"smtps://localhost:"+port, "--user", "demo:pw-123", "--mail-from", "a@x.test", "--mail-rcpt", "b@x.test",
		"--upload-file", msg).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	got := s.messages(t)
	if len(got) != 1 || !bytes.Contains(got[0], []byte("hello from curl")) {
		t.Fatalf("stored %d messages", len(got))
	}
}

// Python's smtplib: STARTTLS with a verifying context, login, send_message.
func TestServeWithPythonSmtplib(t *testing.T) {
	py := need(t, "python3")
	s := start(t, map[string]string{"demo": "pw-123"})
	host, port, _ := net.SplitHostPort(s.addr)
	script := fmt.Sprintf(`
import smtplib, ssl
from email.message import EmailMessage
ctx = ssl.create_default_context(cafile=%q)
m = EmailMessage()
m["From"] = "张三 <a@x.test>"; m["To"] = "b@x.test"; m["Subject"] = "来自 smtplib"
m.set_content("你好")
m.add_attachment(b"\x00\x01\x02binary", maintype="application", subtype="octet-stream", filename="数据.bin")
with smtplib.SMTP(%q, %s, timeout=20) as s:
    s.starttls(context=ctx)
    s.login("demo", "pw-123")
    s.send_message(m)
print("sent")
`, s.caFile, host, port)
	out, err := exec.Command(py, "-c", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "sent") {
		t.Fatalf("python: %v\n%s", err, out)
	}
	got := s.messages(t)
	if len(got) != 1 {
		t.Fatalf("stored %d", len(got))
	}
	m, err := mailcheck.Parse(got[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "来自 smtplib" {
		t.Fatalf("subject %q", m.Subject)
	}
	if p, ok := m.Attachment("数据.bin"); !ok || string(p.Body) != "\x00\x01\x02binary" {
		t.Fatalf("attachment %v %q", ok, p.Body)
	}
}

// rawSession dials the server; say sends a line (none for "") and
// returns the last line of the reply.
func rawSession(t *testing.T, addr string) (net.Conn, func(line string) string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	return conn, func(line string) string {
		if line != "" {
			fmt.Fprintf(conn, "%s\r\n", line)
		}
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if len(l) < 4 || l[3] == ' ' {
				return l
			}
		}
	}
}

// The Maildir protocol: nothing left in tmp/, files only appear in new/.
// And the SIZE limit is enforced.
func TestMaildirAndSizeLimit(t *testing.T) {
	s := start(t, nil)
	conn, say := rawSession(t, s.addr)
	say("")
	if l := say("EHLO t"); !strings.HasPrefix(l, "250") {
		t.Fatal(l)
	}
	say("MAIL FROM:<a@x.test>")
	say("RCPT TO:<b@x.test>")
	say("DATA")
	big := strings.Repeat(strings.Repeat("x", 70)+"\r\n", 20000) // 1.4 MB > 1 MiB limit
	fmt.Fprintf(conn, "Subject: big\r\n\r\n%s.\r\n", big)
	l := say("")
	if !strings.HasPrefix(l, "552") {
		t.Fatalf("oversized message: %q", l)
	}
	tmp, _ := filepath.Glob(filepath.Join(s.maildir, "tmp", "*"))
	if len(tmp) != 0 || len(s.messages(t)) != 0 {
		t.Fatalf("partial message left: tmp=%v new=%d", tmp, len(s.messages(t)))
	}
}

// Issue 11: a client that ends lines with a bare LF (or a bare CR) gets
// a file with CRLF throughout, like the Received lines before it.
func TestStoredLineEndingsAreCRLF(t *testing.T) {
	s := start(t, nil)
	conn, say := rawSession(t, s.addr)
	say("")
	for _, c := range []string{"EHLO lf.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@x.test>", "DATA"} {
		say(c)
	}
	read := func() string { return say("") }
	fmt.Fprint(conn, "From: a@x.test\nSubject: bare LF\n\nline one\nline two\rline three\r\n.\r\n")
	if l := read(); !strings.HasPrefix(l, "250") {
		t.Fatalf("DATA: %q", l)
	}
	msgs := s.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if bytes.Count(m, []byte("\n")) != bytes.Count(m, []byte("\r\n")) || bytes.Count(m, []byte("\r")) != bytes.Count(m, []byte("\r\n")) {
		t.Fatalf("mixed line endings stored:\n%q", m)
	}
	if !bytes.HasSuffix(m, []byte("\r\nSubject: bare LF\r\n\r\nline one\r\nline two\r\nline three\r\n")) {
		t.Fatalf("stored:\n%q", m)
	}
}
