package mtasts

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Mode is a policy's mode (RFC 8461 §3.2).
type Mode string

const (
	Enforce Mode = "enforce" // deliver only over verified TLS to a listed MX
	Testing Mode = "testing" // check and report, deliver anyway
	None    Mode = "none"    // the domain withdrew its policy
)

// MaxMaxAge is the largest max_age a policy may give: one year.
const MaxMaxAge = 31557600 * time.Second

// Policy is a parsed policy file.
type Policy struct {
	Mode   Mode
	MX     []string // patterns: "mail.example.com" or "*.example.com"
	MaxAge time.Duration
}

// ParsePolicy parses a policy file (RFC 8461 §3.2): "key: value" lines
// ending in CRLF or LF; version, mode and max_age are required, mx too
// unless the mode is none; unknown keys are ignored.
func ParsePolicy(b []byte) (*Policy, error) {
	p := &Policy{}
	var version string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), MaxPolicySize)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("MTA-STS policy line %d: want \"key: value\"", n)
		}
		value = strings.TrimLeft(value, " \t")
		if key != "mx" && seen[key] {
			continue // the first occurrence counts
		}
		seen[key] = true
		switch key {
		case "version":
			version = value
		case "mode":
			switch Mode(value) {
			case Enforce, Testing, None:
				p.Mode = Mode(value)
			default:
				return nil, fmt.Errorf("MTA-STS policy line %d: mode %q: want enforce, testing or none", n, clip(value))
			}
		case "max_age":
			secs, err := strconv.ParseUint(value, 10, 32)
			if err != nil || len(value) > 10 || time.Duration(secs)*time.Second > MaxMaxAge {
				return nil, fmt.Errorf("MTA-STS policy line %d: max_age %q: want 0 to 31557600 seconds", n, clip(value))
			}
			p.MaxAge = time.Duration(secs) * time.Second
		case "mx":
			if !validPattern(value) {
				return nil, fmt.Errorf("MTA-STS policy line %d: mx %q is not a host name or *.domain pattern", n, clip(value))
			}
			p.MX = append(p.MX, strings.ToLower(strings.TrimSuffix(value, ".")))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("MTA-STS policy: %w", err)
	}
	switch {
	case version != "STSv1":
		return nil, fmt.Errorf("MTA-STS policy: version %q: want STSv1", clip(version))
	case p.Mode == "":
		return nil, fmt.Errorf("MTA-STS policy: no mode")
	case !seen["max_age"]:
		return nil, fmt.Errorf("MTA-STS policy: no max_age")
	case p.Mode != None && len(p.MX) == 0:
		return nil, fmt.Errorf("MTA-STS policy: mode %s but no mx", p.Mode)
	}
	return p, nil
}

// String renders the policy as a policy file, which ParsePolicy reads back.
func (p *Policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: STSv1\r\nmode: %s\r\n", p.Mode)
	for _, mx := range p.MX {
		fmt.Fprintf(&b, "mx: %s\r\n", mx)
	}
	fmt.Fprintf(&b, "max_age: %d\r\n", int64(p.MaxAge/time.Second))
	return b.String()
}

// Matches reports whether MX host name host is allowed by the policy: an
// exact name, or "*.domain" standing for exactly one more label on the
// left (RFC 8461 §4.1).
func (p *Policy) Matches(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, pat := range p.MX {
		if rest, ok := strings.CutPrefix(pat, "*."); ok {
			label, parent, found := strings.Cut(host, ".")
			if found && label != "" && parent == rest {
				return true
			}
		} else if host == pat {
			return true
		}
	}
	return false
}

// validPattern: a host name, optionally with "*." in front.
func validPattern(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "*."), ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnum(c) && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}
