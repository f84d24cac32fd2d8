// Package textsafe escapes text that came from the network (SMTP replies
// and commands, header values, certificate names, file names) before it
// reaches a terminal, a log or a JSON document, so a peer cannot move the
// cursor, retitle the window, clear the screen or reorder what the reader
// sees. Every printer in postie goes through Terminal (or Line) for text
// and WriteJSON for JSON.
package textsafe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Terminal returns s with every control character (C0 except tab, DEL,
// C1), every bidirectional formatting character (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069) and every byte that is not UTF-8 written
// as a visible escape: \x1b, \u202e. Other text, Chinese included, is
// unchanged.
func Terminal(s string) string {
	i := strings.IndexFunc(s, unsafeRune)
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		case unsafeRune(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Line is Terminal for text printed on one line: line breaks become
// spaces first, so a multi-line reply or error reads as one line.
func Line(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return Terminal(s)
}

// unsafeRune: C0 controls except tab, DEL, C1 controls (U+009B is a
// one-character CSI on some terminals), and the bidirectional controls
// that make text display in another order than it is stored (Unicode
// TR9).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// ToUTF8 returns network text as UTF-8: as it is when it is UTF-8, else
// read as GB18030 (a superset of GBK, which Chinese mail servers and
// mailers use) when that decodes cleanly, else with the bad bytes
// replaced by U+FFFD.
func ToUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	// The decoder replaces what it cannot read with U+FFFD instead of
	// failing: a replacement in its output means it did not decode cleanly.
	if d, err := simplifiedchinese.GB18030.NewDecoder().String(s); err == nil && !strings.ContainsRune(d, utf8.RuneError) {
		return d
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// JSON rewrites encoded JSON (as encoding/json writes it: valid UTF-8) so
// that DEL, C1 and bidirectional controls inside strings appear as \uNNNN
// escapes. A JSON reader gets the same strings back; a terminal showing
// the raw output is not affected by them. encoding/json already escapes
// the other C0 controls.
func JSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		r, n := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(b[i:])
		}
		if r == 0x7f || r >= utf8.RuneSelf && unsafeRune(r) {
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
