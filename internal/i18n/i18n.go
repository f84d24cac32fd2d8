// Package i18n chooses the language of the messages postie writes for
// people (errors, hints, warnings, help, summaries) and translates them.
//
// English is the source language: the format strings in the code are the
// message keys, so English costs nothing at start-up and an untranslated
// message falls back to English. Simplified Chinese comes from zh.json, a
// gotext-style catalogue (golang.org/x/text/message), read only when the
// locale asks for it. Machine output — exit codes, --json fields, the C:/S:
// transcript, server text — never goes through this package.
//
// A test (catalog_test.go) extracts every key the code passes to Sprintf,
// Errorf, Fprintf, T and Mark, and fails when a key is missing from or
// stale in the catalogue, or when its placeholders differ between languages.
package i18n

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
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

var (
	zhOnce    sync.Once
	zhPrinter *message.Printer
)

func printer() *message.Printer {
	zhOnce.Do(func() { zhPrinter = message.NewPrinter(language.SimplifiedChinese, message.Catalog(zhCatalog())) })
	return zhPrinter
}

// Sprintf formats the translation of format (a key: the English format
// string) in the current language.
func Sprintf(format string, args ...any) string {
	if Current() == EN {
		return fmt.Sprintf(format, args...)
	}
	return printer().Sprintf(format, args...)
}

// Fprintf writes Sprintf's result to w.
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return io.WriteString(w, Sprintf(format, args...))
}

// T translates a message without arguments (help texts, labels).
func T(s string) string {
	if Current() == EN {
		return s
	}
	return printer().Sprintf(s)
}

// Mark marks a literal as a message for the catalogue without translating
// it, for messages kept in tables and translated later with T or Sprintf.
func Mark(s string) string { return s }

// Errorf is fmt.Errorf with the format translated; %w wraps as fmt's does.
func Errorf(format string, args ...any) error {
	if Current() == EN {
		return fmt.Errorf(format, args...)
	}
	var wrapped []error
	for _, v := range Verbs(format) {
		if v.Verb == 'w' && v.Arg < len(args) {
			if e, ok := args[v.Arg].(error); ok {
				wrapped = append(wrapped, e)
			}
		}
	}
	msg := printer().Sprintf(noWrapVerb(format), args...)
	if len(wrapped) == 0 {
		return errors.New(msg)
	}
	return &wrapError{msg: msg, errs: wrapped}
}

type wrapError struct {
	msg  string
	errs []error
}

func (e *wrapError) Error() string   { return e.msg }
func (e *wrapError) Unwrap() []error { return e.errs }
