package mtasts

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoRecord means the domain publishes no (valid, single) MTA-STS record.
var ErrNoRecord = errors.New("no MTA-STS record")

// ParseRecord parses one _mta-sts TXT record (RFC 8461 §3.1) and returns
// its id.
func ParseRecord(txt string) (id string, err error) {
	fields := strings.Split(txt, ";")
	if strings.TrimRight(fields[0], " \t") != "v=STSv1" {
		return "", fmt.Errorf("MTA-STS record %q: does not start with v=STSv1", clip(txt))
	}
	for i, f := range fields[1:] {
		f = strings.Trim(f, " \t")
		if f == "" && i == len(fields)-2 {
			break // a trailing separator is allowed
		}
		name, value, ok := strings.Cut(f, "=")
		if !ok || !validExtName(name) || value == "" {
			return "", fmt.Errorf("MTA-STS record %q: malformed field %q", clip(txt), clip(f))
		}
		for j := 0; j < len(value); j++ {
			if c := value[j]; c < 0x21 || c > 0x7e || c == ';' || c == '=' {
				return "", fmt.Errorf("MTA-STS record %q: bad character in field %q", clip(txt), name)
			}
		}
		if name == "id" {
			if id != "" {
				return "", fmt.Errorf("MTA-STS record %q: two ids", clip(txt))
			}
			if len(value) > 32 || !alnum(value) {
				return "", fmt.Errorf("MTA-STS record %q: id must be 1 to 32 letters and digits", clip(txt))
			}
			id = value
		}
	}
	if id == "" {
		return "", fmt.Errorf("MTA-STS record %q: no id", clip(txt))
	}
	return id, nil
}

// SelectRecord picks the MTA-STS record among a name's TXT records:
// records not starting with "v=STSv1" are ignored, and anything but
// exactly one valid record means no policy (RFC 8461 §3.1).
func SelectRecord(txts []string) (string, error) {
	var sts []string
	for _, t := range txts {
		if strings.HasPrefix(t, "v=STSv1") {
			sts = append(sts, t)
		}
	}
	switch len(sts) {
	case 0:
		return "", ErrNoRecord
	case 1:
		return ParseRecord(sts[0])
	}
	return "", fmt.Errorf("%w: %d records start with v=STSv1", ErrNoRecord, len(sts))
}

func validExtName(s string) bool {
	if s == "" || len(s) > 32 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return s != ""
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
