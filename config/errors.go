package config

import (
	"errors"
	"fmt"
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
	if key != "" {
		what += ", at or after key " + key
	}
	return &Error{Line: line, Err: errors.New(what + "; the line is not shown: it may hold a secret")}
}

// decodeErr is compiled when first needed, not at start-up.
var decodeErr = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)
})
