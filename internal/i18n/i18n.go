// Package i18n chooses the language of the messages postie writes for
// people (errors, hints, warnings, help, summaries, explanations, the web
// inbox) and translates them.
//
// English is the source language: the format strings in the code are the
// message keys, so English costs nothing at start-up and an untranslated
// message falls back to English. Simplified Chinese comes from zh.json, a
// gotext-style catalogue (golang.org/x/text/message), read the first time
// a Chinese message is wanted. Machine output — exit codes, --json
// fields, the C:/S: transcript, server text — never goes through this
// package.
//
// The process has a current language (SetLang, from the locale: Detect),
// used by the package-level functions; code that serves several languages
// at once (the web inbox, per request) asks In(lang) for a Printer.
//
// A test (catalog_test.go) extracts every key the code passes to Sprintf,
// Errorf, Fprintf, T and Mark (also as In(l).Sprintf...), and fails when a
// key is missing from or stale in the catalogue, or when its placeholders
// differ between languages. Keys kept in tables are written with Mark, so
// the test sees them; a Printer held in a variable may then be given them.
package i18n

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"golang.org/x/text/language"
)

// Lang is a language postie speaks.
type Lang string

const (
	EN Lang = "en"
	ZH Lang = "zh" // Simplified Chinese
)

var current atomic.Value // Lang

// SetLang chooses the language for the rest of the process.
func SetLang(l Lang) {
	if l != ZH {
		l = EN
	}
	current.Store(l)
}

// Current is the language in use (English unless SetLang chose another).
func Current() Lang {
	if l, ok := current.Load().(Lang); ok {
		return l
	}
	return EN
}

// Detect picks the language from the environment: POSTIE_LANG (en|zh)
// overrides; otherwise the first of LC_ALL, LC_MESSAGES, LANG that is set
// decides, as POSIX orders them. zh, zh_CN, zh_SG and zh_Hans select
// Chinese; zh_TW, zh_HK and zh_Hant do not (there is no Traditional
// catalogue, and English reads better to them than Simplified).
func Detect(getenv func(string) string) Lang {
	if getenv == nil {
		return EN
	}
	if v := getenv("POSTIE_LANG"); v != "" {
		return parse(v)
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return parse(v)
		}
	}
	return EN
}

func parse(v string) Lang {
	v, _, _ = strings.Cut(v, ".") // zh_CN.UTF-8
	v, _, _ = strings.Cut(v, "@")
	v = strings.ReplaceAll(v, "_", "-")
	if !strings.HasPrefix(strings.ToLower(v), "zh") {
		return EN
	}
	tag, err := language.Parse(v)
	if err != nil {
		return EN
	}
	if script, conf := tag.Script(); conf != language.No && script.String() == "Hant" {
		return EN
	}
	return ZH
}

// Sprintf formats the translation of format (a key: the English format
// string) in the current language.
func Sprintf(format string, args ...any) string { return In(Current()).Sprintf(format, args...) }

// Fprintf writes Sprintf's result to w.
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return In(Current()).Fprintf(w, format, args...)
}

// T translates a message without arguments (help texts, labels). Its
// text is taken as it is: a % in it is a percent sign.
func T(s string) string { return In(Current()).T(s) }

// Mark marks a literal as a message for the catalogue without translating
// it, for messages kept in tables and translated later with a Printer.
func Mark(s string) string { return s }

// Errorf is fmt.Errorf with the format translated; %w wraps as fmt's does.
func Errorf(format string, args ...any) error { return In(Current()).Errorf(format, args...) }

// errorText renders errors given as arguments in a language other than
// English (see SetErrorText).
var errorText atomic.Pointer[func(error) string]

// SetErrorText sets how an error given as an argument to Sprintf, Errorf
// or Fprintf is written in a language other than English: errors made
// below the user interface are English values, and only the interface
// knows their types well enough to say them in another language. %w
// still wraps the original error.
func SetErrorText(f func(error) string) {
	if f == nil {
		errorText.Store(nil)
		return
	}
	errorText.Store(&f)
}

// plain formats a number as fmt does: x/text's printer would group the
// digits of every number by the locale's rules (2,525 for a port).
type plain struct{ v any }

func (p plain) Format(f fmt.State, verb rune) { fmt.Fprintf(f, fmt.FormatString(f, verb), p.v) }

// localArgs prepares arguments for the Chinese printer: numbers printed
// as fmt prints them, errors written by the interface's SetErrorText.
func localArgs(args []any) []any {
	var text func(error) string
	if f := errorText.Load(); f != nil {
		text = *f
	}
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr, float32, float64:
			out[i] = plain{v}
		case error:
			if text != nil && v != nil {
				out[i] = text(v)
			} else {
				out[i] = a
			}
		default:
			out[i] = a
		}
	}
	return out
}
