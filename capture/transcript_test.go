package capture_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/capture/transcript"
)

var receivedID = regexp.MustCompile(`(?m)^Received: from [^\r]*\r\n\tby [^\r]* with [A-Z]+ id ([0-9.]+);`)

// sessionOf reads the transcript named in a stored message's Received line.
func sessionOf(t *testing.T, maildir string, msg []byte) (*transcript.Session, string) {
	t.Helper()
	m := receivedID.FindSubmatch(msg)
	if m == nil {
		t.Fatalf("no session id in the Received line:\n%s", msg[:min(len(msg), 400)])
	}
	// The file is written after the DATA's reply and again when the
	// connection ends: wait (bounded) for the last version.
	path := filepath.Join(maildir, capture.SessionDir, string(m[1])+".txt")
	var raw []byte
	for deadline := time.Now().Add(10 * time.Second); ; {
		var err error
		raw, err = os.ReadFile(path)
		if err == nil && regexp.MustCompile(`\n\d+ \* connection (closed|cut off)`).Match(raw) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %s not finished in 10s: %v\n%s", m[1], err, raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s, err := transcript.Parse(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return s, string(raw)
}

// render shows a session as "C: ..." lines for matching.
func render(s *transcript.Session) string {
	var b strings.Builder
	for _, l := range s.Lines {
		b.WriteString(string(rune(l.Dir)) + ": " + l.Text + "\n")
	}
	return b.String()
}

// inOrder checks that each pattern matches a later line than the last.
func inOrder(t *testing.T, text string, patterns ...string) {
	t.Helper()
	rest := text
	for _, p := range patterns {
		loc := regexp.MustCompile("(?m)" + p).FindStringIndex(rest)
		if loc == nil {
			t.Fatalf("transcript lacks %q (in order):\n%s", p, text)
		}
		rest = rest[loc[1]:]
	}
}

// noSecret fails if the password, its base64 or a PLAIN blob with it is
// anywhere in text.
func noSecret(t *testing.T, text, user, pw string) {
	t.Helper()
	for _, s := range []string{pw, base64.StdEncoding.EncodeToString([]byte(pw)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pw)),
		base64.StdEncoding.EncodeToString([]byte(user + "\x00" + user + "\x00" + pw))} {
		if strings.Contains(text, s) {
			t.Fatalf("the transcript holds the secret %q:\n%s", s, text)
		}
	}
}

// A client that pipelines AUTH with its credentials, and DATA with the
// message, in one write (which RFC 4954 and RFC 2920 forbid): the
// credentials are still redacted and the rest is still read right.
func TestTranscriptOfAHastyClient(t *testing.T) {
	ps := startPipe(t, capture.Config{Users: map[string]string{"demo": "s3cret-pw"}}, true)
	cl := tlsClient(t, ps.l.dial("192.0.2.1"), ps.client)
	cl.reply()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	all := "EHLO hasty\r\nAUTH LOGIN\r\n" + b64("demo") + "\r\n" + b64("s3cret-pw") + "\r\n" +
		"MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\nSubject: hasty\r\n\r\nbody\r\n..dot\r\n.\r\n" +
		"AUTH PLAIN " + b64("\x00demo\x00s3cret-pw") + "\r\nBDAT 7 LAST\r\nab\r\n.\r\nQUIT\r\n"
	if _, err := cl.c.Write([]byte(all)); err != nil {
		t.Fatal(err)
	}
	for r := cl.reply(); r != ""; r = cl.reply() {
	}
	files, _ := filepath.Glob(filepath.Join(ps.maildir, "new", "*"))
	if len(files) != 1 {
		t.Fatalf("%d messages stored", len(files))
	}
	msg, _ := os.ReadFile(files[0])
	sess, raw := sessionOf(t, ps.maildir, msg)
	noSecret(t, raw, "demo", "s3cret-pw")
	inOrder(t, render(sess), `^C: EHLO hasty$`, `^C: AUTH LOGIN$`, `^C: <redacted>$`, `^C: <redacted>$`, `^C: MAIL FROM:<a@x\.test>$`,
		`^C: RCPT TO:<b@x\.test>$`, `^C: DATA$`, `^S: 334 VXNlcm5hbWU6`, `^S: 235 `, `^S: 354 `,
		`^C: <message: 30 octets, 4 lines>$`, `^C: \.$`, `^C: AUTH PLAIN <redacted>$`, `^C: BDAT 7 LAST$`, `^C: <chunk: 7 octets>$`,
		`^C: QUIT$`, `^\*: message stored`, `^S: 250 `, `^S: 503 `, `^S: 502 `, `^S: 221 `)
}
