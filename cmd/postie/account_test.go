package main_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/internal/testbin"
)

// loginServer runs postie's own server on loopback with one user; it
// returns its address and the path of its CA.
func loginServer(t *testing.T, user, password string) (addr, ca string) {
	t.Helper()
	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ca = filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, b.CAPEM, 0o644)
	srv, err := capture.New(capture.Config{Maildir: filepath.Join(t.TempDir(), "Maildir"), TLSConfig: b.ServerConfig(), Users: map[string]string{user: password}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), ca
}

// hostileSetup is a config directory where another local user has
// prepared every name postie might write to: symlinks to a file they
// can read, and stale world-readable files.
type hostileSetup struct {
	dir, cfgDir, cfg, tmp, loot string
}

func newHostile(t *testing.T, secretName string) *hostileSetup {
	h := &hostileSetup{dir: t.TempDir()}
	h.cfgDir = filepath.Join(h.dir, "cfg")
	h.cfg = filepath.Join(h.cfgDir, "config.toml")
	h.tmp = filepath.Join(h.dir, "tmp")
	h.loot = filepath.Join(h.dir, "attacker", "loot")
	for _, d := range []string{h.cfgDir, h.tmp, filepath.Dir(h.loot)} {
		os.MkdirAll(d, 0o777)
	}
	os.WriteFile(h.loot, []byte("untouched\n"), 0o666)
	// The user's config: another account with a password, and comments.
	os.WriteFile(h.cfg, []byte("# my accounts\n[accounts.old]   # keep me\nfrom = \"old@x.test\"\nserver = \"127.0.0.1:1\"\nuser = \"old\"\npassword = \"OTHER-ACCOUNT-SECRET\"\n"), 0o600)
	// Stale and planted files beside it.
	os.Symlink(h.loot, h.cfg+".tmp")
	if secretName != "" {
		os.Symlink(h.loot, filepath.Join(h.cfgDir, secretName))
	}
	return h
}

// run starts postie through sh so that the names the old code used in
// $TMPDIR, which carry postie's own PID, are planted first: exec keeps
// the PID.
func (h *hostileSetup) run(t *testing.T, stdin string, shell string) (string, string, error) {
	t.Helper()
	plant := `ln -s "$LOOT" "$TMPDIR/postie-account-test-$$.toml"; ln -s "$LOOT" "$TMPDIR/postie-account-test-$$.toml.tmp"; `
	cmd := exec.Command("sh", "-c", plant+shell)
	cmd.Env = append(os.Environ(), "TMPDIR="+h.tmp, "POSTIE_CONFIG="+h.cfg, "LOOT="+h.loot, "POSTIE="+testbin.Postie(t), "HOME="+h.dir)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	return o.String(), e.String(), err
}

// check asserts what must hold after any run: the attacker's file is
// untouched, $TMPDIR holds only what was planted, the config is a
// private regular file that still holds the user's own text.
func (h *hostileSetup) check(t *testing.T) string {
	t.Helper()
	if b, _ := os.ReadFile(h.loot); string(b) != "untouched\n" {
		t.Errorf("a secret was written through a planted symlink: %q", b)
	}
	ents, _ := os.ReadDir(h.tmp)
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "postie-account-test-") || e.Type()&os.ModeSymlink == 0 {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		t.Errorf("account add made files in $TMPDIR: %v", names)
	}
	if l, err := os.Readlink(h.cfg + ".tmp"); err != nil || l != h.loot {
		t.Errorf("config.toml.tmp was replaced or followed: %v %v", l, err)
	}
	st, err := os.Lstat(h.cfg)
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Fatalf("config: %v %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(h.cfg)
	// The account in use so far (the only one) stays the default.
	if !strings.HasPrefix(strings.TrimPrefix(string(b), "default = \"old\"\n\n"), "# my accounts\n[accounts.old]   # keep me\n") || !strings.Contains(string(b), "OTHER-ACCOUNT-SECRET") {
		t.Errorf("the user's config was not kept as written:\n%s", b)
	}
	return string(b)
}

func TestAccountAddHostileFiles(t *testing.T) {
	addr, ca := loginServer(t, "demo@x.test", "right-pw")

	t.Run("password-file, login tested", func(t *testing.T) {
		h := newHostile(t, "")
		pw := filepath.Join(h.dir, "pw")
		os.WriteFile(pw, []byte("right-pw\n"), 0o600)
		out, errOut, err := h.run(t, "", `exec "$POSTIE" account add work --from demo@x.test --server smtp://`+addr+` --tls starttls --cacert `+ca+` --password-file `+pw)
		if err != nil || !strings.Contains(out, "login:        OK") || !strings.Contains(out, `saved account "work"`) {
			t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
		}
		cfg := h.check(t)
		if !strings.Contains(cfg, "[accounts.work]\nfrom = \"demo@x.test\"\n") {
			t.Errorf("new account not appended:\n%s", cfg)
		}
	})

	t.Run("typed secret", func(t *testing.T) {
		if _, err := exec.LookPath("script"); err != nil {
			t.Fatal("script(1) from util-linux is needed to give postie a terminal")
		}
		h := newHostile(t, "typed.secret")
		// script(1) runs postie on a pseudo-terminal and types our stdin.
		out, errOut, err := h.run(t, "right-pw\n", `exec script -qec '"$POSTIE" account add typed --from demo@x.test --server smtp://`+addr+` --tls starttls --cacert `+ca+`' /dev/null`)
		if err != nil || !strings.Contains(out, `saved account "typed"`) {
			t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
		}
		h.check(t)
		secret := filepath.Join(h.cfgDir, "typed.secret")
		st, err := os.Lstat(secret)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
			t.Fatalf("secret file: %v %v", st.Mode(), err)
		}
		if b, _ := os.ReadFile(secret); string(b) != "right-pw\n" {
			t.Fatalf("secret file holds %q", b)
		}
	})

	t.Run("wrong secret saves nothing", func(t *testing.T) {
		h := newHostile(t, "bad.secret")
		before, _ := os.ReadFile(h.cfg)
		out, errOut, err := h.run(t, "wrong-pw\n", `exec script -qec '"$POSTIE" account add bad --from demo@x.test --server smtp://`+addr+` --tls starttls --cacert `+ca+`' /dev/null`)
		if err == nil || !strings.Contains(out+errOut, "account not saved") {
			t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
		}
		h.check(t)
		if after, _ := os.ReadFile(h.cfg); !bytes.Equal(before, after) {
			t.Errorf("config changed:\n%s", after)
		}
		if l, err := os.Readlink(filepath.Join(h.cfgDir, "bad.secret")); err != nil || l != h.loot {
			t.Errorf("planted bad.secret replaced: %v %v", l, err)
		}
	})

	t.Run("stale world-readable config.toml.tmp, --no-test", func(t *testing.T) {
		h := newHostile(t, "")
		os.Remove(h.cfg + ".tmp")
		os.WriteFile(h.cfg+".tmp", []byte("stale\n"), 0o644)
		os.Chmod(h.cfg+".tmp", 0o644)
		os.Chmod(h.cfg, 0o600)
		_, errOut, err := h.run(t, "", `exec "$POSTIE" account add qq --from me@qq.com --no-test --password-file /nonexistent`)
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		if st, _ := os.Lstat(h.cfg); st.Mode().Perm() != 0o600 {
			t.Fatalf("config is %v", st.Mode())
		}
		if b, _ := os.ReadFile(h.cfg + ".tmp"); string(b) != "stale\n" {
			t.Errorf("config.toml.tmp was used: %q", b)
		}
	})
}
