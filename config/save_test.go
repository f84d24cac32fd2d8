package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WritePrivate never writes through what was at the path or beside it,
// and leaves a 0600 file.
func TestWritePrivateHostilePath(t *testing.T) {
	dir := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "attacker-reads-this")
	os.WriteFile(elsewhere, []byte("attacker\n"), 0o666)
	os.Chmod(elsewhere, 0o666)
	for _, setup := range []func(p string){
		func(p string) { os.Symlink(elsewhere, p) },
		func(p string) { os.WriteFile(p, []byte("old\n"), 0o644); os.Chmod(p, 0o644) },
		func(p string) { os.Symlink(elsewhere, p+".tmp"); os.WriteFile(p, []byte("old\n"), 0o666) },
	} {
		p := filepath.Join(dir, "config.toml")
		os.Remove(p)
		os.Remove(p + ".tmp")
		setup(p)
		if err := WritePrivate(p, []byte("secret\n")); err != nil {
			t.Fatal(err)
		}
		st, err := os.Lstat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
			t.Fatalf("result %v %v", st.Mode(), err)
		}
		if b, _ := os.ReadFile(elsewhere); string(b) != "attacker\n" {
			t.Fatalf("wrote through a symlink: %q", b)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".config.toml.new-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestAppendAccountKeepsTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	orig := "# my accounts, hand-written\n[accounts.work] # the office\nfrom = \"me@x.test\"   # aligned\nserver = \"smtp.x.test:587\"\n"
	os.WriteFile(p, []byte(orig), 0o644)
	if err := AppendAccount(p, "qq", Account{From: "me@qq.com", PasswordFile: "/p/qq.secret"}, "qq"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	got := string(b)
	if !strings.HasPrefix(got, "default = \"qq\"\n\n"+orig) {
		t.Fatalf("the user's text was not kept:\n%s", got)
	}
	f, err := Load(p, true)
	if err != nil || f.Default != "qq" || f.Accounts["qq"].From != "me@qq.com" || f.Accounts["work"].Server != "smtp.x.test:587" {
		t.Fatalf("%+v %v", f, err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	// A second one: the default stays.
	if err := AppendAccount(p, "two", Account{From: "a@b.test"}, "two"); err != nil {
		t.Fatal(err)
	}
	if f, _ := Load(p, true); f.Default != "qq" || len(f.Accounts) != 3 {
		t.Fatalf("%+v", f)
	}
	if err := AppendAccount(p, "two", Account{From: "a@b.test"}, ""); err == nil {
		t.Fatal("duplicate account added")
	}
	if err := AppendAccount(p, "bad name", Account{}, ""); err == nil {
		t.Fatal("name with a space added")
	}
}

func TestRemoveAccount(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	orig := "default = \"b\"\n# top comment\n[accounts.a]\nfrom = \"a@x.test\" # a's\n\n# about b\n[accounts.b]\nfrom = \"b@x.test\"\nserver = \"h:25\"\n\n# about c\n[accounts.c]\nfrom = \"c@x.test\"\n"
	os.WriteFile(p, []byte(orig), 0o600)
	if err := RemoveAccount(p, "b"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	// The comment above b's table cannot be told from a's trailing text: it stays.
	want := "# top comment\n[accounts.a]\nfrom = \"a@x.test\" # a's\n\n# about b\n\n# about c\n[accounts.c]\nfrom = \"c@x.test\"\n"
	if string(b) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b, want)
	}
	if err := RemoveAccount(p, "b"); err == nil {
		t.Fatal("removed twice")
	}
	// An account written another way is left for the user.
	os.WriteFile(p, []byte("[accounts]\nd = { from = \"d@x.test\" }\n"), 0o600)
	if err := RemoveAccount(p, "d"); err == nil || !strings.Contains(err.Error(), "by hand") {
		t.Fatalf("%v", err)
	}
}
