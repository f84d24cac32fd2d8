package explain

import (
	"strconv"
	"strings"
)

// Lang is a language of the catalogue.
type Lang string

const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// text is one catalogue entry in both languages.
type text struct{ en, zh string }

func (t text) in(l Lang) string {
	if l == Chinese {
		return t.zh
	}
	return t.en
}

// Negotiate picks the language an Accept-Language header prefers (RFC
// 9110 §12.5.4): the tag with the highest q whose primary subtag is zh or
// en; English when neither is there.
func Negotiate(acceptLanguage string) Lang {
	best, bestQ := English, -1.0
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
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		var l Lang
		switch primary {
		case "zh":
			l = Chinese
		case "en":
			l = English
		default:
			continue
		}
		if q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}
