package i18n

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Printer writes messages in one language, whatever the process's
// language is: the web inbox answers each request in the language it
// asks for. The zero Printer is English.
type Printer struct{ lang Lang }

// In returns the Printer for l (English for a language postie does not
// speak).
func In(l Lang) Printer {
	if l != ZH {
		l = EN
	}
	return Printer{l}
}

// Lang is the Printer's language.
func (p Printer) Lang() Lang {
	if p.lang == "" {
		return EN
	}
	return p.lang
}

// Sprintf formats the translation of format in p's language.
func (p Printer) Sprintf(format string, args ...any) string {
	if p.Lang() == EN {
		return fmt.Sprintf(format, args...)
	}
	return zh().sprintf(format, localArgs(args)...)
}

// Fprintf writes Sprintf's result to w.
func (p Printer) Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return io.WriteString(w, p.Sprintf(format, args...))
}

// T translates a message without arguments, taking its text as it is.
func (p Printer) T(s string) string {
	if p.Lang() == EN {
		return s
	}
	if t, ok := zh().lookup(s); ok && t != "" {
		return t
	}
	return s
}

// Errorf is fmt.Errorf with the format translated; %w wraps as fmt's does.
func (p Printer) Errorf(format string, args ...any) error {
	if p.Lang() == EN {
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
	msg := zh().sprintf(format, localArgs(args)...)
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

// Negotiate picks the language an Accept-Language header prefers (RFC
// 9110 §12.5.4): the tag with the highest q whose primary subtag is zh or
// en (zh-TW, zh-HK and zh-Hant are passed over, as Detect does); English
// when neither is there.
func Negotiate(acceptLanguage string) Lang {
	best, bestQ := EN, -1.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		tag = strings.TrimSpace(tag)
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		var l Lang
		switch {
		case primary == "en":
			l = EN
		case primary == "zh" && parse(tag) == ZH:
			l = ZH
		default:
			continue // Traditional Chinese reads English better than Simplified, as in Detect
		}
		if q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}
