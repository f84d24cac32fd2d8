package config

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// Error is a configuration problem: postie exits 78 for it. It names the
// file, the line and the key when they are known, and never holds the
// value of a key that may be a secret.
type Error struct {
	Path string
	Line int    // 1-based; 0 when unknown
	Key  string // e.g. "accounts.work.tls"
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// The reasons of the errors users meet most, as types, so that the CLI
// can say them in the user's language (it never reads an error's text).

// ErrUnknownKey: the file has a key postie does not know (a typo).
var ErrUnknownKey = errors.New("unknown key")

// PermissionError: a file that holds a secret belongs to another user, or
// others may read or write it.
type PermissionError struct {
	Path  string
	Mode  fs.FileMode // its permission bits
	Owner int         // the other user's uid when it is not ours, else -1
}

func (e *PermissionError) Error() string {
	if e.Owner >= 0 {
		return fmt.Sprintf("it belongs to another user (uid %d); use a file of your own", e.Owner)
	}
	return fmt.Sprintf("the file is mode %04o; make it 0600 (chmod 600 %s)", e.Mode, e.Path)
}

// ValueError: a key that takes one of a few words has another.
type ValueError struct {
	Value string
	Want  []string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%q: want %s", e.Value, strings.Join(e.Want, ", "))
}

// NoAccountError: an account is named that the file does not have.
type NoAccountError struct {
	Name string
	Have []string
}

func (e *NoAccountError) Error() string {
	return fmt.Sprintf("no account %q (have: %s)", e.Name, strings.Join(e.Have, ", "))
}

// CommandError: a password or token command failed or printed nothing.
type CommandError struct {
	What     string // "password", "OAuth 2.0 token"
	ExitCode int    // its exit status; -1 when it did not exit by itself
	Why      string // when ExitCode is -1: "no answer in 60s", "could not run it", a signal; "" when it printed nothing
}

func (e *CommandError) Error() string {
	switch {
	case e.ExitCode < 0 && e.Why == "":
		return fmt.Sprintf("%s command printed nothing", e.What)
	case e.ExitCode >= 0:
		return fmt.Sprintf("%s command failed: exit %d; run it yourself to see why", e.What, e.ExitCode)
	}
	return fmt.Sprintf("%s command failed: %s; run it yourself to see why", e.What, e.Why)
}

// describeTOMLError turns the TOML parser's error into one that names the
// line and the key but not the text found there: the parser quotes what
// it read, and a mis-quoted `password = ...` would print the password.
func describeTOMLError(err error) error {
	var line int
	var key, msg string
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line, key, msg = pe.Position.Line, pe.LastKey, pe.Message
	} else if m := decodeErr().FindStringSubmatch(err.Error()); m != nil {
		// Type errors from decoding name types, not values, but are read
		// the same careful way.
		line, _ = strconv.Atoi(m[1])
		key, msg = m[2], m[3]
	}
	what := "not valid TOML"
	switch {
	case strings.Contains(msg, "incompatible types"):
		what = "a value of the wrong type (text values need \"double quotes\")"
	case strings.Contains(msg, "already been defined"):
		what = "defined twice"
	case strings.Contains(msg, "expected value"), strings.Contains(msg, "strings cannot contain newlines"),
		strings.Contains(msg, "unexpected EOF"):
		what = "not valid TOML (text values need \"double quotes\")"
	}
	if key = knownKeyPrefix(key); key != "" {
		what += ", at or after key " + key
	}
	return &Error{Line: line, Err: errors.New(what + "; the line is not shown: it may hold a secret")}
}

// knownKeyPrefix keeps the part of the parser's last key that names
// something postie knows (default, accounts.<name>.<field>). On a broken
// line the parser may have taken the text after "password =" for a key,
// and that text must not be printed.
func knownKeyPrefix(key string) string {
	parts := strings.Split(key, ".")
	switch {
	case parts[0] == "default":
		return "default"
	case parts[0] != "accounts":
		return ""
	case len(parts) == 1:
		return "accounts"
	case len(parts) == 2 || !isAccountField(parts[2]):
		return "accounts." + parts[1]
	}
	return strings.Join(parts[:3], ".")
}

func isAccountField(name string) bool {
	t := reflect.TypeOf(Account{})
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag == name {
			return true
		}
	}
	return false
}

// decodeErr is compiled when first needed, not at start-up.
var decodeErr = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)
})
