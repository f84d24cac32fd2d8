package i18n

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var wellFormedIndexes = regexp.MustCompile(`^([^\[]|\[[1-9][0-9]?\])*$`)

// FuzzVerbs checks the placeholder parser against fmt itself: given as
// many arguments as Verbs says the format consumes, fmt reports neither a
// missing nor an extra argument; and noWrapVerb changes only w verbs.
func FuzzVerbs(f *testing.F) {
	for _, s := range []string{"%s: %w", "%[2]s %[1]d", "%-5.2f%%", "%*d", "%.*s", "100%", "%[3]*.[2]*[1]f", "%v%", "%[1]w 给 %[1]v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		if !wellFormedIndexes.MatchString(format) {
			return // fmt's recovery from a broken [n] is its own business
		}
		verbs := Verbs(format)
		n := 0
		for _, v := range verbs {
			if v.Arg+1 > n {
				n = v.Arg + 1
			}
		}
		if n > 50 {
			return
		}
		args := make([]any, n)
		for i := range args {
			args[i] = 1
		}
		out := fmt.Sprintf(strings.ReplaceAll(format, "%w", "%v"), args...)
		if strings.Contains(out, "BADINDEX") || strings.Contains(out, "NOVERB") || strings.Contains(out, "BADWIDTH") || strings.Contains(out, "BADPREC") || strings.Contains(out, "%![") {
			return // fmt's own error paths for malformed formats
		}
		if strings.Contains(out, "(MISSING)") {
			t.Fatalf("Verbs(%q) = %v: fmt says an argument is missing: %q", format, verbs, out)
		}
		if strings.Contains(out, "%!(EXTRA") && !strings.Contains(format, "[") {
			t.Fatalf("Verbs(%q) = %v: fmt says an argument is extra: %q", format, verbs, out)
		}
		nw := noWrapVerb(format)
		if len([]rune(nw)) != len([]rune(format)) {
			t.Fatalf("noWrapVerb changed the length of %q", format)
		}
		got := Verbs(nw)
		if len(got) != len(verbs) {
			t.Fatalf("noWrapVerb(%q) = %q changed the verbs", format, nw)
		}
		for i := range got {
			want := verbs[i]
			if want.Verb == 'w' {
				want.Verb = 'v'
			}
			if got[i] != want {
				t.Fatalf("noWrapVerb(%q): verb %d is %v, want %v", format, i, got[i], want)
			}
		}
	})
}
