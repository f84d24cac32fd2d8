package realmail_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/postie/postie/internal/mailcheck"
)

// hide8BitMIME is a proxy in front of Postfix's port 25 that removes
// 8BITMIME and SMTPUTF8 from its EHLO reply: a server of the kind that
// made mutt + postie fail (issue 11). Everything else passes as it is.
func hide8BitMIME(t *testing.T, target string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(s, c); s.Close() }()
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(s)
				for {
					line, err := r.ReadString('\n')
					if l := strings.ToUpper(line); !strings.HasPrefix(l, "250-8BITMIME") && !strings.HasPrefix(l, "250-SMTPUTF8") {
						if _, werr := io.WriteString(c, line); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// mutt + postie as sendmail + a real Postfix: through a server without
// 8BITMIME the UTF-8 multipart message arrives as quoted-printable with
// every part decoding to what was written; with 8BITMIME it arrives
// byte for byte.
func TestSendmail8BitToRealPostfix(t *testing.T) {
	env := servers(t)
	orig, err := os.ReadFile("../../message/testdata/downgrade/mutt-multipart.eml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := mailcheck.Parse(bytes.ReplaceAll(orig, []byte("\n"), []byte("\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		server   string
		eightBit bool
	}{
		{"without 8BITMIME", hide8BitMIME(t, env["REALMAIL_SMTP"]), false},
		{"with 8BITMIME", env["REALMAIL_SMTP"], true},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := testID()
			msg := strings.Replace(string(orig), "User-Agent:", "X-Test-Id: "+id+"\nUser-Agent:", 1)
			cfg := filepath.Join(t.TempDir(), "config.toml")
			// Port 25 takes mail for mail.test without a login; no TLS,
			// so the proxy can read the EHLO reply.
			os.WriteFile(cfg, []byte(fmt.Sprintf("[accounts.mx]\nfrom = \"zhangsan@example.com\"\nserver = %q\ntls = \"none\"\n", c.server)), 0o600)
			r := postie(t, msg, []string{"POSTIE_CONFIG=" + cfg}, "sendmail", "-oi", "-a", "mx", "bob@mail.test")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			got := copies(t, env, "bob", id, 1)
			if len(got) != 1 {
				t.Fatalf("bob has %d copies", len(got))
			}
			body := got[0][bytes.Index(got[0], []byte("\n\n")):]
			if has8 := bytes.ContainsFunc(body, func(r rune) bool { return r >= 0x80 }); has8 != c.eightBit {
				t.Fatalf("8-bit octets in the delivered body: %v, want %v", has8, c.eightBit)
			}
			if !c.eightBit && !bytes.Contains(got[0], []byte("Content-Transfer-Encoding: quoted-printable")) {
				t.Fatal("no quoted-printable part delivered")
			}
			if c.eightBit && !bytes.HasSuffix(bytes.ReplaceAll(got[0], []byte("\r\n"), []byte("\n")), orig[bytes.Index(orig, []byte("\n\n")):]) {
				t.Fatal("with 8BITMIME the body did not arrive byte for byte")
			}
			pm, err := mailcheck.Parse(bytes.ReplaceAll(bytes.ReplaceAll(got[0], []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
			if err != nil {
				t.Fatal(err)
			}
			if len(pm.Parts) != len(want.Parts) {
				t.Fatalf("%d parts delivered, %d sent", len(pm.Parts), len(want.Parts))
			}
			for i, p := range want.Parts {
				if g := pm.Parts[i]; g.Type != p.Type || g.Filename != p.Filename || !bytes.Equal(g.Body, p.Body) {
					t.Fatalf("part %d arrived as %s %q %q, sent %s %q %q", i, g.Type, g.Filename, g.Body, p.Type, p.Filename, p.Body)
				}
			}
		})
	}
}
