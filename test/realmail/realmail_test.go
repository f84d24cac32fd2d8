package realmail_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/internal/testbin"
)

type run struct {
	code           int
	stdout, stderr string
}

func postie(t *testing.T, stdin string, env []string, args ...string) run {
	t.Helper()
	cmd := exec.Command(testbin.Postie(t), args...)
	cmd.Env = append(os.Environ(), append([]string{"POSTIE_CONFIG=" + filepath.Join(t.TempDir(), "none.toml")}, env...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run{code, o.String(), e.String()}
}

func secretFile(t *testing.T, secret string) string {
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func testID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// copies returns every message in user's Maildir carrying the test id,
// waiting (bounded) for Postfix's queue manager to deliver want copies,
// then a little longer so a duplicate would show up before we count.
func copies(t *testing.T, env map[string]string, user, id string, want int) [][]byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(copiesNow(env, user, id)) < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	return copiesNow(env, user, id)
}

func copiesNow(env map[string]string, user, id string) [][]byte {
	var found [][]byte
	for _, sub := range []string{"new", "cur"} {
		files, _ := filepath.Glob(filepath.Join(env["REALMAIL_MAILDIR"], user, "Maildir", sub, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && bytes.Contains(b, []byte("X-Test-Id: "+id)) {
				found = append(found, b)
			}
		}
	}
	return found
}

func TestSubmissionModesAndMechanisms(t *testing.T) {
	env := servers(t)
	pw := secretFile(t, "secret-alice")
	for _, mode := range []struct{ name, addr, tls string }{
		{"starttls-2587", env["REALMAIL_SUBMISSION"], "starttls"},
		{"implicit-2465", env["REALMAIL_SUBMISSIONS"], "implicit"},
	} {
		for _, mech := range strings.Fields(env["REALMAIL_AUTH_MECHS"]) {
			t.Run(mode.name+"/"+mech, func(t *testing.T) {
				id := testID()
				r := postie(t, "", nil, "send", "--server", mode.addr, "--tls", mode.tls, "--cacert", env["REALMAIL_CA"],
					"--user", "alice@mail.test", "--password-file", pw, "--auth", mech,
					"--from", "alice@mail.test", "--to", "bob@mail.test", "--subject", "mode "+mode.name+" "+mech,
					"--header", "X-Test-Id: "+id, "--text", "hello from postie", "-v")
				if r.code != 0 {
					t.Fatalf("exit %d\n%s", r.code, r.stderr)
				}
				if !strings.Contains(r.stderr, "C: AUTH "+strings.ToUpper(mech)) || !strings.Contains(r.stderr, "S: 235") {
					t.Fatalf("transcript does not show AUTH %s succeeding:\n%s", mech, r.stderr)
				}
				for _, s := range []string{"secret-alice", "c2VjcmV0LWFsaWNl"} {
					if strings.Contains(r.stderr+r.stdout, s) {
						t.Fatalf("output leaks %q", s)
					}
				}
				got := copies(t, env, "bob", id, 1)
				if len(got) != 1 {
					t.Fatalf("bob has %d copies, want 1", len(got))
				}
				if !bytes.Contains(got[0], []byte("(Authenticated sender: alice@mail.test)")) {
					t.Fatalf("Postfix did not record an authenticated submission:\n%s", got[0][:min(600, len(got[0]))])
				}
			})
		}
	}
}

func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := 0; i < 16; i++ {
		img.Set(i, i, color.RGBA{255, 0, 0, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func TestRichMessageToEveryRecipientOnce(t *testing.T) {
	env := servers(t)
	dir := t.TempDir()
	blob := make([]byte, 70000)
	rand.Read(blob)
	files := map[string][]byte{"blob.bin": blob, "报告.txt": []byte("季度报告\n第一行\n"), "logo.png": pngBytes()}
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	id := testID()
	subject := "测试邮件：你好，世界 — a long subject line that must be folded across several encoded words 🚀"
	r := postie(t, "", nil, "send", "--server", env["REALMAIL_SUBMISSION"], "--cacert", env["REALMAIL_CA"],
		"--user", "alice@mail.test", "--password-file", secretFile(t, "secret-alice"),
		"--from", "爱丽丝 <alice@mail.test>", "--to", "鲍勃 <bob@mail.test>", "--cc", "Carol <carol@mail.test>",
		"--bcc", "alice@mail.test", "--subject", subject, "--header", "X-Test-Id: "+id,
		"--text", "纯文本正文 plain text", "--html", `<p>HTML 正文 <img src="cid:logo.png"></p>`,
		"--attach", filepath.Join(dir, "blob.bin"), "--attach", filepath.Join(dir, "报告.txt"),
		"--inline", filepath.Join(dir, "logo.png"))
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, user := range []string{"bob", "carol", "alice"} {
		got := copies(t, env, user, id, 1)
		if len(got) != 1 {
			t.Fatalf("%s has %d copies, want exactly 1", user, len(got))
		}
		m, err := mailcheck.Parse(got[0])
		if err != nil {
			t.Fatalf("%s's copy does not parse: %v", user, err)
		}
		if m.Subject != subject {
			t.Errorf("%s: subject %q", user, m.Subject)
		}
		if from := m.DecodedHeader("From"); from != "爱丽丝 <alice@mail.test>" {
			t.Errorf("%s: From %q", user, from)
		}
		if to := m.DecodedHeader("To"); to != "鲍勃 <bob@mail.test>" {
			t.Errorf("%s: To %q", user, to)
		}
		if _, ok := m.Header["Bcc"]; ok || bytes.Contains(bytes.ToLower(got[0]), []byte("\nbcc:")) {
			t.Errorf("%s's copy shows a Bcc header", user)
		}
		for name, want := range files {
			p, ok := m.Attachment(name)
			if !ok {
				t.Errorf("%s: no part named %q (parts %v)", user, name, m.Types)
				continue
			}
			if !bytes.Equal(p.Body, want) {
				t.Errorf("%s: %s differs (%d bytes, want %d)", user, name, len(p.Body), len(want))
			}
		}
		if p, _ := m.Attachment("logo.png"); !p.Inline || p.ContentID != "logo.png" {
			t.Errorf("%s: inline image has disposition inline=%v cid=%q", user, p.Inline, p.ContentID)
		}
		if !strings.Contains(m.Text("plain"), "纯文本正文") || !strings.Contains(m.Text("html"), "cid:logo.png") {
			t.Errorf("%s: bodies %q / %q", user, m.Text("plain"), m.Text("html"))
		}
		want := []string{"multipart/mixed", "multipart/related", "multipart/alternative", "text/plain", "text/html", "image/png", "application/octet-stream", "text/plain"}
		if strings.Join(m.Types, ",") != strings.Join(want, ",") {
			t.Errorf("%s: MIME tree %v, want %v", user, m.Types, want)
		}
	}
	// An independent reader: Dovecot over IMAPS, fetched with curl.
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is missing: test/realmail/install.sh installs it for the IMAP read-back")
		}
		t.Skip("curl not installed: the IMAP read-back was not done (bash test/realmail/install.sh)")
	} else {
		out, err := exec.Command("curl", "-s", "--max-time", "20", "--cacert", env["REALMAIL_CA"], "-u", "carol@mail.test:secret-carol",
			"imaps://"+env["REALMAIL_IMAPS"]+"/INBOX", "-X", "SEARCH HEADER X-Test-Id "+id).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "* SEARCH ") || strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "* SEARCH")) == "" {
			t.Errorf("IMAP search for the message in carol's INBOX: %v %q", err, out)
		}
	}
}

func TestSendmailModeWithBcc(t *testing.T) {
	env := servers(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`default = "bench"
[accounts.bench]
from = "alice@mail.test"
server = "%s"
tls = "starttls"
user = "alice@mail.test"
password_file = "%s"
cacert = "%s"
`, env["REALMAIL_SUBMISSION"], secretFile(t, "secret-alice"), env["REALMAIL_CA"])), 0o600)
	id := testID()
	msg := "From: Alice <alice@mail.test>\nTo: bob@mail.test\nCc: undisclosed-friends: carol@mail.test;\nBcc: alice@mail.test,\n\tpostmaster@mail.test\nSubject: =?UTF-8?B?5rWL6K+V?= sendmail\nX-Test-Id: " + id + "\n\nbody line\n.leading dot\n"
	r := postie(t, msg, []string{"POSTIE_CONFIG=" + cfg}, "sendmail", "-t", "-i")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// postmaster@ is an alias of alice, so alice gets two copies: one per
	// envelope recipient (Postfix does not merge alias expansions across RCPTs).
	for user, want := range map[string]int{"bob": 1, "carol": 1, "alice": 2} {
		got := copies(t, env, user, id, want)
		if len(got) != want {
			t.Fatalf("%s has %d copies, want %d", user, len(got), want)
		}
		for _, c := range got {
			if bytes.Contains(bytes.ToLower(c), []byte("\nbcc:")) || bytes.Contains(c, []byte("\tpostmaster@mail.test")) {
				t.Fatalf("%s's copy still carries the Bcc header:\n%s", user, c)
			}
			if !bytes.Contains(c, []byte("\n.leading dot")) || !bytes.Contains(c, []byte("Message-ID: <")) || !bytes.Contains(c, []byte("Date: ")) {
				t.Fatalf("%s's copy lost a line or lacks Date/Message-ID:\n%s", user, c)
			}
		}
	}
}

func TestWrongPasswordExit77(t *testing.T) {
	env := servers(t)
	r := postie(t, "", nil, "send", "--server", env["REALMAIL_SUBMISSION"], "--cacert", env["REALMAIL_CA"],
		"--user", "alice@mail.test", "--password-file", secretFile(t, "wrong-password"),
		"--from", "alice@mail.test", "--to", "bob@mail.test", "--text", "x")
	if r.code != 77 || !strings.Contains(r.stderr, "535") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestUnknownRecipientAmongValid(t *testing.T) {
	env := servers(t)
	id := testID()
	r := postie(t, "", nil, "send", "--server", env["REALMAIL_SUBMISSION"], "--cacert", env["REALMAIL_CA"],
		"--user", "alice@mail.test", "--password-file", secretFile(t, "secret-alice"),
		"--from", "alice@mail.test", "--to", "bob@mail.test", "--to", "nobody@mail.test", "--to", "carol@mail.test",
		"--header", "X-Test-Id: "+id, "--text", "x")
	if r.code != 67 || !strings.Contains(r.stderr, "nobody@mail.test") || !strings.Contains(r.stderr, "550") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, u := range []string{"bob", "carol"} {
		if got := copies(t, env, u, id, 1); len(got) != 1 {
			t.Fatalf("%s has %d copies, want 1", u, len(got))
		}
	}
}
