package realmail_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/mailcheck"
)

// mailpitRaw finds the message whose subject holds id through Mailpit's
// HTTP API and returns its raw source.
func mailpitRaw(t *testing.T, api, id string) []byte {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(api + "/api/v1/messages?limit=200")
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Messages []struct {
				ID      string
				Subject string
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list.Messages {
			if strings.Contains(m.Subject, id) {
				resp, err := client.Get(api + "/api/v1/message/" + m.ID + "/raw")
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return b
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("message %s not found in Mailpit at %s", id, api)
	return nil
}

func TestMailpitCoreScenario(t *testing.T) {
	env := servers(t)
	if env["MAILPIT_STARTTLS"] == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Mailpit is not up in CI")
		}
		t.Skip("Mailpit not started (test/realmail/install.sh builds it)")
	}
	dir := t.TempDir()
	blob := make([]byte, 30000)
	rand.Read(blob)
	os.WriteFile(filepath.Join(dir, "数据.bin"), blob, 0o644)
	pw := secretFile(t, "secret-alice")
	for _, srv := range []struct{ name, addr, api, tls string }{
		{"starttls", env["MAILPIT_STARTTLS"], env["MAILPIT_STARTTLS_API"], "starttls"},
		{"implicit", env["MAILPIT_TLS"], env["MAILPIT_TLS_API"], "implicit"},
	} {
		t.Run(srv.name, func(t *testing.T) {
			id := testID()
			subject := "邮件测试 " + id
			r := postie(t, "", nil, "send", "--server", srv.addr, "--tls", srv.tls, "--cacert", env["REALMAIL_CA"],
				"--user", "alice@mail.test", "--password-file", pw,
				"--from", "张三 <alice@mail.test>", "--to", "bob@mail.test", "--bcc", "carol@mail.test",
				"--subject", subject, "--text", "正文", "--attach", filepath.Join(dir, "数据.bin"))
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			raw := mailpitRaw(t, srv.api, id)
			m, err := mailcheck.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != subject || m.DecodedHeader("From") != "张三 <alice@mail.test>" {
				t.Fatalf("subject %q from %q", m.Subject, m.DecodedHeader("From"))
			}
			p, ok := m.Attachment("数据.bin")
			if !ok || !bytes.Equal(p.Body, blob) {
				t.Fatalf("attachment missing or changed (found %v, %d bytes)", ok, len(p.Body))
			}
			if bytes.Contains(bytes.ToLower(raw), []byte("\nbcc:")) {
				t.Fatal("Bcc header in the stored message")
			}
		})
	}
	t.Run("wrong-password", func(t *testing.T) {
		r := postie(t, "", nil, "send", "--server", env["MAILPIT_STARTTLS"], "--cacert", env["REALMAIL_CA"],
			"--user", "alice@mail.test", "--password-file", secretFile(t, "nope"),
			"--from", "alice@mail.test", "--to", "bob@mail.test", "--text", "x")
		if r.code != 77 || !strings.Contains(r.stderr, "535") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	})
}
