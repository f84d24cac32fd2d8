package smtp

import (
	"strconv"
	"strings"
)

// Extensions are the capabilities a server announced in its EHLO reply,
// keyed by upper-case keyword. The value is the rest of the line.
type Extensions map[string]string

// maxExtensionLines bounds how many EHLO lines are remembered; the reply
// parser already caps the reply, this keeps the map small.
const maxExtensionLines = 64

func parseEHLO(lines []string) Extensions {
	ext := Extensions{}
	// The first line is the server's greeting name, not a capability.
	for i, l := range lines {
		if i == 0 || i > maxExtensionLines {
			continue
		}
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		kw, param, _ := strings.Cut(l, " ")
		// Old servers send "AUTH=LOGIN PLAIN" (pre-RFC 4954 syntax).
		if k, p, ok := strings.Cut(kw, "="); ok && strings.EqualFold(k, "AUTH") {
			kw, param = k, strings.TrimSpace(p+" "+param)
		}
		kw = strings.ToUpper(kw)
		if !validKeyword(kw) {
			continue
		}
		if old, ok := ext[kw]; ok && kw == "AUTH" {
			param = old + " " + param
		}
		ext[kw] = strings.TrimSpace(param)
	}
	return ext
}

func validKeyword(kw string) bool {
	if kw == "" || len(kw) > 64 {
		return false
	}
	for i := 0; i < len(kw); i++ {
		c := kw[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

// ParseEHLO parses the lines of an EHLO reply (as in Reply.Lines).
func ParseEHLO(lines []string) Extensions { return parseEHLO(lines) }

// Has reports whether the server announced the keyword.
func (e Extensions) Has(kw string) bool {
	_, ok := e[strings.ToUpper(kw)]
	return ok
}

// AuthMechanisms returns the announced SASL mechanisms, upper case, de-duplicated.
func (e Extensions) AuthMechanisms() []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range strings.Fields(e["AUTH"]) {
		m = strings.ToUpper(m)
		if !seen[m] && len(out) < 32 {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// MaxSize returns the SIZE limit, or 0 if none was announced or the value
// is not a sane number.
func (e Extensions) MaxSize() int64 {
	v, ok := e["SIZE"]
	if !ok || v == "" {
		return 0
	}
	n, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
