package main_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postie/postie/internal/testbin"
)

func TestDemoBlackBox(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(testbin.Postie(t), "demo", "--dir", dir)
	cmd.Env = append(os.Environ(), "POSTIE_CONFIG="+filepath.Join(dir, "absent.toml"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()

	// The dialogue, in order.
	order := []string{"S: 220 ", "C: EHLO ", "C: STARTTLS", "S: 220 ", "TLS handshake: TLS 1.3", "verified", "C: EHLO ",
		"C: AUTH LOGIN", "S: 334 ", "C: <redacted>", "S: 235 ", "C: MAIL FROM:<alice@postie-demo.localhost>", "S: 250 ",
		"C: RCPT TO:<bob@postie-demo.localhost>", "S: 250 ", "C: DATA", "S: 354 ", "C: .", "S: 250 ", "C: QUIT", "S: 221 "}
	rest := out
	for _, want := range order {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("transcript lacks %q in order; output:\n%s", want, out)
		}
		rest = rest[i+len(want):]
	}

	// Each line explained, from the catalogue the web inbox uses.
	for _, want := range []string{"S: 334 VXNlcm5hbWU6\n   ↳ base64 of 'Username:': the server asks for your user name",
		"C: DATA\n   ↳ The client asks to send the message itself", "S: 221 2.0.0 Bye\n   ↳ 221: the server says goodbye"} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo lacks the explanation %q; output:\n%s", want, out)
		}
	}

	// No secret: the password and every base64 form of it.
	pw, err := os.ReadFile(filepath.Join(dir, "password"))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(string(pw))
	for _, s := range []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), base64.StdEncoding.EncodeToString([]byte("\x00demo\x00" + secret))} {
		if strings.Contains(out+stderr.String(), s) {
			t.Fatalf("output contains a secret form %q", s)
		}
	}

	// The stored message parses and carries the subject and attachment.
	files, _ := filepath.Glob(filepath.Join(dir, "Maildir", "new", "*"))
	if len(files) != 1 {
		t.Fatalf("want 1 message in Maildir/new, have %v", files)
	}
	tmp, _ := filepath.Glob(filepath.Join(dir, "Maildir", "tmp", "*"))
	if len(tmp) != 0 {
		t.Fatalf("Maildir/tmp not empty: %v", tmp)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mail.ReadMessage(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subj != "我爱计算机网络！ I love computer networks!" {
		t.Fatalf("subject %q (%v)", subj, err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	want, _ := os.ReadFile(filepath.Join(dir, "network.png"))
	var gotText string
	var gotImage []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch {
		case p.FileName() == "network.png":
			gotImage, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
			if err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
			gotText = string(b) // NextPart decodes quoted-printable
		}
	}
	if !bytes.Equal(gotImage, want) || len(want) == 0 {
		t.Fatalf("attachment: got %d bytes, want %d identical", len(gotImage), len(want))
	}
	if !strings.Contains(gotText, "I love computer networks!") || !strings.Contains(gotText, "我爱计算机网络") {
		t.Fatalf("text part %q", gotText)
	}
	if !strings.Contains(out, `image/png name="network.png"`) {
		t.Fatalf("demo did not describe the attachment:\n%s", out)
	}
}
