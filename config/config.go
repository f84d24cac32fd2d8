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
	"slices"
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

	// Queue: in sendmail mode, keep a message the server cannot take now
	// (4xx, unreachable, lost connection) in the outbox and exit 0, as
	// msmtpq does, instead of failing with 75; 'postie queue run' (or
	// 'postie sendmail -q') sends it later.
	Queue bool `toml:"queue,omitempty"`
}

// File is the whole accounts file.
type File struct {
	Default  string             `toml:"default,omitempty"`
	Accounts map[string]Account `toml:"accounts"`

	// Outbox puts the outbox of every command on a NATS JetStream
	// cluster: a comma-separated list of nats:// URLs (no credentials in
	// it: they go in NATSCreds, or the environment). "" or "local": the
	// local outbox. NATSCreds is a .creds file, NATSCA a CA file for the
	// servers' certificates, NATSPrefix the streams' name prefix.
	Outbox     string `toml:"outbox,omitempty"`
	NATSCreds  string `toml:"nats_creds,omitempty"`
	NATSCA     string `toml:"nats_ca,omitempty"`
	NATSPrefix string `toml:"nats_prefix,omitempty"`

	Path string `toml:"-"`
	src  string // the text read, for line numbers in errors
}

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
// holds a password must belong to the user and be readable by no one
// else (as msmtp insists). Errors name the file, line and key, never a
// value that may be a secret. "~/" in path-valued keys is expanded.
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
	return parse(path, string(b))
}

// Parse reads a configuration held in memory; path names it in errors.
func Parse(path, src string) (*File, error) { return parse(path, src) }

func parse(path, src string) (*File, error) {
	f := &File{Path: path, src: src}
	md, err := toml.Decode(src, f)
	if err != nil {
		e := describeTOMLError(err).(*Error)
		e.Path = path
		return nil, e
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		e := &Error{Path: path, Key: k.String(), Err: ErrUnknownKey}
		if len(k) == 3 && k[0] == "accounts" {
			e.Line = lineOf(src, k[1], k[2])
		} else if len(k) == 1 {
			e.Line = lineOf(src, "", k[0])
		}
		return nil, e
	}
	if f.Accounts == nil {
		f.Accounts = map[string]Account{}
	}
	home, _ := os.UserHomeDir()
	f.NATSCreds, f.NATSCA = ExpandHome(f.NATSCreds, home), ExpandHome(f.NATSCA, home)
	for _, name := range f.Names() {
		a := f.Accounts[name]
		if err := a.check(); err != nil {
			return nil, f.keyError(name, err.key, err)
		}
		if a.Password != "" {
			if err := checkPrivate(path); err != nil {
				return nil, f.keyError(name, "password", fmt.Errorf("the file holds a password but %w", err))
			}
		}
		a.PasswordFile = ExpandHome(a.PasswordFile, home)
		a.CACert = ExpandHome(a.CACert, home)
		f.Accounts[name] = a
	}
	if f.Default != "" {
		if _, ok := f.Accounts[f.Default]; !ok {
			return nil, &Error{Path: path, Line: lineOf(src, "", "default"), Key: "default", Err: fmt.Errorf("account %q is not defined", f.Default)}
		}
	}
	return f, nil
}

// keyError is an error about key in account name, with its line.
func (f *File) keyError(name, key string, err error) *Error {
	return &Error{Path: f.Path, Line: lineOf(f.src, name, key), Key: "accounts." + name + "." + key, Err: err}
}

// KeyError is an error about one key of an account, naming the file, the
// line and the key, for problems found when the account is used.
func (f *File) KeyError(account, key string, err error) error {
	return f.keyError(account, key, err)
}

// ExpandHome expands a leading "~/" to home.
func ExpandHome(p, home string) string {
	if strings.HasPrefix(p, "~/") && home != "" {
		return filepath.Join(home, p[2:])
	}
	return p
}

type keyErr struct {
	key string
	err error
}

func (e *keyErr) Error() string { return e.err.Error() }
func (e *keyErr) Unwrap() error { return e.err }

// TLSModes and AuthMechanisms are the values the tls and auth keys (and
// the --tls and --auth flags) take.
var (
	TLSModes       = []string{"auto", "implicit", "starttls", "none"}
	AuthMechanisms = []string{"auto", "plain", "login", "cram-md5", "xoauth2", "oauthbearer"}
)

// check validates the values of keys that take one of a few words.
func (a *Account) check() *keyErr {
	if a.TLS != "" && !slices.Contains(TLSModes, strings.ToLower(a.TLS)) {
		return &keyErr{"tls", &ValueError{Value: a.TLS, Want: TLSModes}}
	}
	if a.Auth != "" && !slices.Contains(AuthMechanisms, strings.ToLower(a.Auth)) {
		return &keyErr{"auth", &ValueError{Value: a.Auth, Want: AuthMechanisms}}
	}
	if a.Provider != "" {
		if _, ok := PresetByName(a.Provider); !ok {
			return &keyErr{"provider", fmt.Errorf("unknown provider %q (known: %s)", a.Provider, strings.Join(PresetNames(), ", "))}
		}
	}
	return nil
}

// checkPrivate refuses a secret-holding file that another user owns or
// that group or others may read or write.
func checkPrivate(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if uid, ok := ownerOf(st); ok && uid != os.Getuid() {
		return &PermissionError{Path: path, Mode: st.Mode().Perm(), Owner: uid}
	}
	if st.Mode().Perm()&0o077 != 0 {
		return &PermissionError{Path: path, Mode: st.Mode().Perm(), Owner: -1}
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
		return nil, "", &Error{Path: f.Path, Err: &NoAccountError{Name: name, Have: names}}
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

// ReadSecretFile reads a password file: first line, trailing newline
// removed. The file must belong to the user and be 0600 or stricter.
func ReadSecretFile(path string) (string, error) {
	if err := checkPrivate(path); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", &Error{Err: fmt.Errorf("password file: %w", err)}
		}
		return "", &Error{Path: path, Err: fmt.Errorf("password file is not private: %w", err)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &Error{Err: fmt.Errorf("password file: %w", err)}
	}
	s, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// SecretEnv lists the environment variables that hold secrets: postie
// reads them and never hands them on to the commands it runs.
var SecretEnv = []string{"POSTIE_PASSWORD", "POSTIE_OAUTH2_TOKEN"}

// RunSecretCmd runs the user's explicit password or token command with
// sh -c and returns the first line of its output. Neither its output nor
// its error output ever reaches the terminal (it may print the secret, or
// debug lines holding it); the command does not see postie's own secret
// environment variables.
func RunSecretCmd(ctx context.Context, what, cmdline string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Env = secretFreeEnv(os.Environ())
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		ce := &CommandError{What: what, ExitCode: -1, Why: "could not run it"}
		var ee *exec.ExitError
		switch {
		case ctx.Err() == context.DeadlineExceeded:
			ce.Why = "no answer in 60s"
		case errors.As(err, &ee) && ee.ExitCode() >= 0:
			ce.ExitCode, ce.Why = ee.ExitCode(), ""
		case errors.As(err, &ee):
			ce.Why = ee.String() // killed by a signal
		}
		return "", &Error{Err: ce}
	}
	s, _, _ := strings.Cut(out.String(), "\n")
	s = strings.TrimSuffix(s, "\r")
	if s == "" {
		return "", &Error{Err: &CommandError{What: what, ExitCode: -1}}
	}
	return s, nil
}

func secretFreeEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(SecretEnv, k) {
			out = append(out, kv)
		}
	}
	return out
}
