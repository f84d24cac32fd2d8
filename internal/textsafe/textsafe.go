// Package textsafe makes text that came from the network (server replies,
// certificate names, client input logged by the server) safe to print:
// nothing in it can move a terminal's cursor, change its title or colours,
// or reorder the characters around it. Every printer in postie goes
// through Escape (terminal text) or JSON (encoded JSON output).
package textsafe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// unsafe reports whether r must be shown escaped: C0 controls except tab,
// DEL, C1 controls (U+0080–U+009F: U+009B is a one-byte CSI on some
// terminals), and the bidirectional controls that make text display in
// another order than it is stored (Unicode TR9: U+061C, U+200E/F,
// U+202A–U+202E, U+2066–U+2069).
func unsafe(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\t'
	case r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Escape returns s with every unsafe character made visible: controls as
// \xNN, bidirectional controls as \uNNNN, bytes that are not UTF-8 as
// \xNN. Safe text is returned unchanged.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unsafe(r) && r <= 0xff:
			fmt.Fprintf(&b, "\\x%02x", r)
		case unsafe(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Line is Escape for text printed on one line: line breaks become spaces
// first, so a multi-line reply reads as one line.
func Line(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return Escape(s)
}

func clean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || unsafe(r) {
			return false
		}
		i += n
	}
	return true
}

// JSON rewrites encoded JSON (as encoding/json writes it: valid UTF-8) so
// that DEL, C1 and bidirectional controls inside strings appear as \uNNNN
// escapes. A JSON reader gets the same strings back; a terminal showing
// the raw output is not affected by them. encoding/json already escapes
// the other C0 controls; DEL is escaped here.
func JSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		r, n := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(b[i:])
		}
		// encoding/json escapes C0 itself, not DEL.
		if r == 0x7f || r >= utf8.RuneSelf && unsafe(r) {
			if out == nil {
				out = make([]byte, 0, len(b)+16)
			}
			out = append(out, b[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + n
		}
		i += n
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// WriteJSON encodes v as indented JSON on w, with '<', '>' and '&' left
// as they are (the output is not HTML) and unsafe characters escaped.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(JSON(buf.Bytes()))
	return err
}
