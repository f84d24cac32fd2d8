package inbox

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// param2231 reads parameter key of a header value by hand, for what
// mime.ParseMediaType drops: RFC 2231 values in a charset other than
// UTF-8 or US-ASCII (filename*=GBK”%D6%D0%CE%C4.txt), possibly split in
// numbered sections (filename*0*=, filename*1*=).
func param2231(value, key string) string {
	type section struct {
		n       int
		encoded bool
		v       string
	}
	var secs []section
	for _, p := range strings.Split(value, ";")[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		rest, ok := strings.CutPrefix(k, strings.ToLower(key)+"*")
		if !ok {
			continue
		}
		s := section{v: strings.Trim(strings.TrimSpace(v), `"`)}
		if rest, s.encoded = strings.CutSuffix(rest, "*"); rest == "" && !s.encoded {
			s.encoded = true // key*=... (no section number) is always encoded
		}
		if rest != "" {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || n > 999 {
				continue
			}
			s.n = n
		}
		secs = append(secs, s)
	}
	if len(secs) == 0 {
		return ""
	}
	sort.SliceStable(secs, func(i, j int) bool { return secs[i].n < secs[j].n })
	charset := ""
	var raw strings.Builder
	for i, s := range secs {
		v := s.v
		if s.encoded {
			if i == 0 {
				parts := strings.SplitN(v, "'", 3)
				if len(parts) != 3 {
					return ""
				}
				charset, v = parts[0], parts[2]
			}
			d, err := url.PathUnescape(v)
			if err != nil {
				return ""
			}
			v = d
		}
		raw.WriteString(v)
	}
	if charset == "" || strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "us-ascii") {
		return validText(raw.String())
	}
	r, err := charsetReader(charset, strings.NewReader(raw.String()))
	if err != nil {
		return validText(raw.String())
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil || b.Len() > 4096 {
			break
		}
	}
	return validText(b.String())
}
