package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestPresetsTable(t *testing.T) {
	for addr, want := range map[string]string{
		"x@163.com": "smtp.163.com:465 implicit", "x@126.com": "smtp.126.com:465 implicit", "x@yeah.net": "smtp.yeah.net:465 implicit",
		"x@qq.com": "smtp.qq.com:465 implicit", "x@foxmail.com": "smtp.qq.com:465 implicit", "x@aliyun.com": "smtp.aliyun.com:465 implicit",
		"x@sina.com": "smtp.sina.com:465 implicit", "x@sohu.com": "smtp.sohu.com:465 implicit", "x@GMAIL.com": "smtp.gmail.com:465 implicit",
		"x@outlook.com": "smtp-mail.outlook.com:587 starttls", "x@hotmail.com": "smtp-mail.outlook.com:587 starttls",
		"x@live.com": "smtp-mail.outlook.com:587 starttls", "x@icloud.com": "smtp.mail.me.com:587 starttls",
		"x@yahoo.com": "smtp.mail.yahoo.com:465 implicit", "x@zoho.com": "smtp.zoho.com:465 implicit",
		"x@fastmail.com": "smtp.fastmail.com:465 implicit", "x@gmx.net": "mail.gmx.net:587 starttls",
	} {
		p, ok := PresetForAddress(addr)
		got := ""
		if ok {
			got = p.Host + ":" + itoa(p.Port) + " " + p.TLS
		}
		if got != want {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
		if ok && p.AuthMsg == "" {
			t.Errorf("%s: no 535 hint", addr)
		}
	}
	for _, name := range []string{"exmail", "office365"} {
		if _, ok := PresetByName(name); !ok {
			t.Errorf("no preset %s", name)
		}
	}
	if p, _ := PresetForAddress("a@163.com"); !strings.Contains(p.AuthMsg, "授权码") {
		t.Error("163 hint does not mention the authorization code")
	}
	if _, ok := PresetForAddress("a@example.com"); ok {
		t.Error("preset for an unknown domain")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func write(t *testing.T, content string, mode os.FileMode) string {
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
	return p
}

func TestLoad(t *testing.T) {
	f, err := Load(write(t, "default = \"a\"\n[accounts.a]\nfrom = \"x@163.com\"\npassword_cmd = \"echo hi\"\n", 0o644), true)
	if err != nil {
		t.Fatal(err)
	}
	a, name, err := f.Account("")
	if err != nil || name != "a" || a.From != "x@163.com" {
		t.Fatal(a, name, err)
	}
	if _, _, err := f.Account("nope"); err == nil {
		t.Fatal("unknown account accepted")
	}
	var ce *Error
	if _, err := Load(write(t, "[accounts.a]\npassword = \"x\"\n", 0o644), true); !errors.As(err, &ce) || !strings.Contains(err.Error(), "0644") {
		t.Fatalf("world-readable password file accepted: %v", err)
	}
	if _, err := Load(write(t, "[accounts.a]\npassword = \"x\"\n", 0o600), true); err != nil {
		t.Fatalf("0600 refused: %v", err)
	}
	if _, err := Load(write(t, "default = \"b\"\n[accounts.a]\n", 0o600), true); err == nil {
		t.Fatal("undefined default accepted")
	}
	if _, err := Load(write(t, "[accounts.a\n", 0o600), true); err == nil {
		t.Fatal("bad TOML accepted")
	}
	if f, err := Load(filepath.Join(t.TempDir(), "missing.toml"), false); err != nil || len(f.Accounts) != 0 {
		t.Fatal("missing default file should be empty config")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml"), true); err == nil {
		t.Fatal("missing named file accepted")
	}
}

func TestSecrets(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(p, []byte("s3cret\nignored\n"), 0o600)
	if s, err := ReadSecretFile(p); err != nil || s != "s3cret" {
		t.Fatal(s, err)
	}
	os.Chmod(p, 0o640)
	if _, err := ReadSecretFile(p); err == nil {
		t.Fatal("group-readable password file accepted")
	}
	if s, err := RunSecretCmd(context.Background(), "password", "printf 'tok\\nrest'"); err != nil || s != "tok" {
		t.Fatal(s, err)
	}
	if _, err := RunSecretCmd(context.Background(), "password", "true"); err == nil {
		t.Fatal("empty output accepted")
	}
}

func TestDefaultPath(t *testing.T) {
	env := map[string]string{"HOME": "/h"}
	get := func(k string) string { return env[k] }
	if p := DefaultPath(get); p != "/h/.config/postie/config.toml" {
		t.Fatal(p)
	}
	env["XDG_CONFIG_HOME"] = "/x"
	if p := DefaultPath(get); p != "/x/postie/config.toml" {
		t.Fatal(p)
	}
	env["POSTIE_CONFIG"] = "/c.toml"
	if p := DefaultPath(get); p != "/c.toml" {
		t.Fatal(p)
	}
}

// FuzzConfig: any file either loads or gives a *config.Error; never a panic.
func FuzzConfig(f *testing.F) {
	f.Add("default = \"a\"\n[accounts.a]\nfrom = \"x@163.com\"\n")
	f.Add("[accounts]\na = 1\n")
	f.Add("password = [1,2\n")
	f.Fuzz(func(t *testing.T, s string) {
		p := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(p, []byte(s), 0o600)
		_, err := Load(p, true)
		var ce *Error
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("error of type %T: %v", err, err)
		}
	})
}

// FuzzConfigErrorHidesValues: whatever follows "password =", an error
// about the file never repeats it.
func FuzzConfigErrorHidesValues(f *testing.F) {
	for _, v := range []string{"qwerty-secret", "\"abc", "'abc\"", "[secret-list", "{ x = secret }", "secret\"\nfrom = 1"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		secret := strings.TrimSpace(strings.Trim(v, "\"'[]{} \t\r\n="))
		if len(secret) < 6 || strings.ContainsAny(secret, "\r\n") {
			return
		}
		_, err := Parse("c.toml", "[accounts.a]\nfrom = \"a@x.test\"\npassword = "+v+"\n")
		if err != nil && strings.Contains(err.Error(), secret) && !strings.Contains("c.toml:3: accounts.a.password at or after key not valid TOML (text values need \"double quotes\"); the line is not shown: it may hold a secret a value of the wrong type defined twice", secret) {
			t.Fatalf("error repeats the value %q: %v", secret, err)
		}
	})
}

func TestErrorsNameFileLineKey(t *testing.T) {
	for src, want := range map[string]string{
		"[accounts.a]\nfrom = \"x\"\npassword = qwerty-secret\n": "c.toml:3: not valid TOML (text values need \"double quotes\"), at or after key accounts.a.password; the line is not shown",
		"[accounts.a]\npassword = 123\n":                         "c.toml:2: a value of the wrong type",
		"# c\n[accounts.a]\nfrom = \"x\"\ntls = \"maybe\"\n":     "c.toml:4: accounts.a.tls: \"maybe\": want auto, implicit, starttls, none",
		"[accounts.a]\nauth = \"digest\"\n":                      "c.toml:2: accounts.a.auth: \"digest\"",
		"[accounts.a]\nprovider = \"nope\"\n":                    "c.toml:2: accounts.a.provider: unknown provider \"nope\" (known: 126, 163,",
		"[accounts.a]\nfrom = \"x\"\npasword = \"s3cret\"\n":     "c.toml:3: accounts.a.pasword: unknown key",
		"default = \"b\"\n[accounts.a]\n":                        "c.toml:1: default: account \"b\" is not defined",
	} {
		_, err := Parse("c.toml", src)
		var ce *Error
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q:\n got %v\nwant %s...", src, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "qwerty") || strings.Contains(err.Error(), "s3cret")) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}

func TestPathsExpanded(t *testing.T) {
	home, _ := os.UserHomeDir()
	f, err := Parse("c.toml", "[accounts.a]\ncacert = \"~/ca.pem\"\npassword_file = \"~/pw\"\n")
	if err != nil || home == "" {
		t.Fatal(err, home)
	}
	a := f.Accounts["a"]
	if a.CACert != filepath.Join(home, "ca.pem") || a.PasswordFile != filepath.Join(home, "pw") {
		t.Fatalf("%+v", a)
	}
}

// A password file, or a config holding a password, that belongs to
// another user is refused even at mode 0600 (as msmtp does).
func TestSecretsOfAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	p := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(p, []byte("x\n"), 0o600)
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSecretFile(p); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
		t.Fatalf("someone else's password file accepted: %v", err)
	}
	c := write(t, "[accounts.a]\npassword = \"x\"\n", 0o600)
	if err := os.Chown(c, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(c, true); err == nil || !strings.Contains(err.Error(), "config.toml:2: accounts.a.password: the file holds a password but it belongs to another user") {
		t.Fatalf("someone else's config with a password accepted: %v", err)
	}
	// Without a password key it is only configuration: fine.
	c = write(t, "[accounts.a]\npassword_cmd = \"pass x\"\n", 0o644)
	os.Chown(c, 65534, 65534)
	if _, err := Load(c, true); err != nil {
		t.Fatal(err)
	}
}

func TestRunSecretCmdIsQuiet(t *testing.T) {
	t.Setenv("POSTIE_PASSWORD", "env-secret")
	t.Setenv("POSTIE_OAUTH2_TOKEN", "env-token")
	_, err := RunSecretCmd(context.Background(), "password", "echo debug: token=leaked-value >&2; exit 3")
	if err == nil || err.Error() != "password command failed: exit 3; run it yourself to see why" {
		t.Fatalf("%v", err)
	}
	s, err := RunSecretCmd(context.Background(), "password", `echo "[$POSTIE_PASSWORD][$POSTIE_OAUTH2_TOKEN][$HOME]"`)
	if err != nil || strings.Contains(s, "env-") || !strings.Contains(s, "]["+os.Getenv("HOME")+"]") {
		t.Fatalf("helper saw %q (%v)", s, err)
	}
}

// The preset table: names and domains unique, lower case, every preset a
// host, a port, a TLS mode and a hint.
func TestPresetTableConsistent(t *testing.T) {
	names, domains := map[string]bool{}, map[string]string{}
	for _, p := range Presets() {
		if names[p.Name] || p.Name != strings.ToLower(p.Name) || p.Host == "" || p.Port == 0 || (p.TLS != "implicit" && p.TLS != "starttls") || p.AuthMsg == "" {
			t.Errorf("preset %+v", p)
		}
		names[p.Name] = true
		for _, d := range p.Domains {
			if other, ok := domains[d]; ok || d != strings.ToLower(d) {
				t.Errorf("domain %s in %s and %s", d, other, p.Name)
			}
			domains[d] = p.Name
		}
	}
}
