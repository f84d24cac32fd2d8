package cli

import (
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

// errUserinfo is a server given with a user (and maybe a password) in it.
var errUserinfo = errors.New("a server address holds no user or password")

// splitServer parses a server as the user writes it: "host", "host:port",
// "smtp://host[:port]" (STARTTLS), "smtps://host[:port]" (implicit TLS,
// port 465) and "[v6]:port". It returns host:port and the TLS mode the
// scheme implies (hasScheme false when there is none). An error never
// repeats a user or password written into the address.
func splitServer(s string, defaultPort string) (addr string, mode smtp.TLSMode, hasScheme bool, err error) {
	rest := s
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		return "", 0, false, i18n.Errorf("server %q: %w", s[:len(s)-len(rest)]+"…@"+rest[at+1:], errUserinfo)
	}
	switch {
	case strings.HasPrefix(s, "smtps://"):
		s, mode, hasScheme = strings.TrimPrefix(s, "smtps://"), smtp.TLSImplicit, true
		if defaultPort == "" || defaultPort == "587" {
			defaultPort = "465"
		}
	case strings.HasPrefix(s, "smtp://"):
		s, mode, hasScheme = strings.TrimPrefix(s, "smtp://"), smtp.TLSStartTLS, true
	case strings.Contains(s, "://"):
		return "", 0, false, i18n.Errorf("server %q: unknown scheme (want smtp:// or smtps://)", s)
	}
	s = strings.TrimSuffix(s, "/")
	if s == "" || strings.ContainsAny(s, " /\r\n\x00") {
		return "", 0, false, i18n.Errorf("server %q: want HOST[:PORT]", s)
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = strings.Trim(s, "[]"), defaultPort
		if strings.Count(host, ":") > 0 && net.ParseIP(host) == nil {
			return "", 0, false, i18n.Errorf("server %q: want HOST[:PORT]", s)
		}
	}
	if host == "" {
		return "", 0, false, i18n.Errorf("server %q: no host", s)
	}
	if strings.ContainsAny(host, "[]") {
		return "", 0, false, i18n.Errorf("server %q: want HOST[:PORT] (an IPv6 address goes in brackets: [::1]:25)", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", 0, false, i18n.Errorf("server %q: port %q is not a number from 1 to 65535", s, port)
	}
	return net.JoinHostPort(host, port), mode, hasScheme, nil
}

// serverHint is the hint for a server that did not parse.
func serverHint(err error) string {
	if errors.Is(err, errUserinfo) {
		return i18n.T("give the user with --user and the password with --password-file, --password-cmd or POSTIE_PASSWORD (never on the command line)")
	}
	return ""
}
