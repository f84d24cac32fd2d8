package config

import (
	"errors"
	"fmt"
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
