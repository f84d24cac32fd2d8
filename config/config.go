package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Account is one [accounts.NAME] table.
type Account struct {
	From         string `toml:"from,omitempty"`
	Server       string `toml:"server,omitempty"` // host[:port], smtp://, smtps://
	Provider     string `toml:"provider,omitempty"`
	TLS          string `toml:"tls,omitempty"`
	User         string `toml:"user,omitempty"`
	Password     string `toml:"password,omitempty"`
	PasswordFile string `toml:"password_file,omitempty"`
	PasswordCmd  string `toml:"password_cmd,omitempty"`
	OAuth2Cmd    string `toml:"oauth2_token_cmd,omitempty"`
	Auth         string `toml:"auth,omitempty"`
	CACert       string `toml:"cacert,omitempty"`
	Helo         string `toml:"helo,omitempty"`

	// DKIM signing (see 'postie dkim keygen'): the private key file
	// (mode 0600), the selector, and the signing domain (default: the
	// domain of From).
	DKIMKey      string `toml:"dkim_key,omitempty"`
	DKIMSelector string `toml:"dkim_selector,omitempty"`
	DKIMDomain   string `toml:"dkim_domain,omitempty"`
}

// File is the whole accounts file.
type File struct {
	Default  string             `toml:"default,omitempty"`
	Accounts map[string]Account `toml:"accounts"`

	Path string `toml:"-"`
}

// Error is a configuration problem: postie exits 78 for it.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}
func (e *Error) Unwrap() error { return e.Err }

// DefaultPath is $POSTIE_CONFIG, else $XDG_CONFIG_HOME/postie/config.toml,
// else ~/.config/postie/config.toml.
func DefaultPath(getenv func(string) string) string {
	if p := getenv("POSTIE_CONFIG"); p != "" {
		return p
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "postie", "config.toml")
}

// Load reads the file. A missing file at the default path is an empty
// configuration; a missing file the user named is an error. A file that
// holds a password must not be readable by others (as msmtp insists).
func Load(path string, named bool) (*File, error) {
	f := &File{Path: path, Accounts: map[string]Account{}}
	if path == "" {
		return f, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return f, nil
	}
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	md, err := toml.Decode(string(b), f)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &Error{Path: path, Err: fmt.Errorf("unknown key %q", und[0].String())}
	}
	if f.Accounts == nil {
		f.Accounts = map[string]Account{}
	}
	for name, a := range f.Accounts {
		if a.Password != "" {
			if err := checkPrivate(path); err != nil {
				return nil, &Error{Path: path, Err: fmt.Errorf("account %q has a password but %w", name, err)}
			}
		}
	}
	if f.Default != "" {
		if _, ok := f.Accounts[f.Default]; !ok {
			return nil, &Error{Path: path, Err: fmt.Errorf("default account %q is not defined", f.Default)}
		}
	}
	return f, nil
}

func checkPrivate(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("the file is mode %04o; make it 0600 (chmod 600 %s)", st.Mode().Perm(), path)
	}
	return nil
}

// Account returns the named account, or the default, or (nil, nil) when
// the file names none.
func (f *File) Account(name string) (*Account, string, error) {
	if name == "" {
		name = f.Default
		if name == "" && len(f.Accounts) == 1 {
			for n := range f.Accounts {
				name = n
			}
		}
		if name == "" {
			return nil, "", nil
		}
	}
	a, ok := f.Accounts[name]
	if !ok {
		names := f.Names()
		return nil, "", &Error{Path: f.Path, Err: fmt.Errorf("no account %q (have: %s)", name, strings.Join(names, ", "))}
	}
	return &a, name, nil
}

// Names lists account names, sorted.
func (f *File) Names() []string {
	var out []string
	for n := range f.Accounts {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Save writes the file with mode 0600.
func (f *File) Save() error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(f); err != nil {
		return err
	}
	tmp := f.Path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, f.Path)
}

// ReadSecretFile reads a password file: first line, trailing newline
// removed. The file must be 0600 or stricter.
func ReadSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &Error{Err: fmt.Errorf("password file: %w", err)}
	}
	if err := checkPrivate(path); err != nil {
		return "", &Error{Path: path, Err: fmt.Errorf("password file is readable by others: %w", err)}
	}
	s, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// RunSecretCmd runs the user's explicit password or token command with
// sh -c and returns the first line of its output. Its output never
// reaches the terminal.
func RunSecretCmd(ctx context.Context, what, cmdline string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if len(msg) > 200 {
			msg = msg[:200]
		}
		if msg != "" {
			msg = ": " + msg
		}
		return "", &Error{Err: fmt.Errorf("%s command failed: %v%s", what, err, msg)}
	}
	s, _, _ := strings.Cut(out.String(), "\n")
	s = strings.TrimSuffix(s, "\r")
	if s == "" {
		return "", &Error{Err: fmt.Errorf("%s command printed nothing", what)}
	}
	return s, nil
}
