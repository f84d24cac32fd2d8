package outbox

import (
	"errors"
	"strconv"
	"strings"
)

// Route says how an entry leaves this machine, without any secret: the
// runner's Connector turns it into a connection, resolving credentials
// at that moment (from the config file, a password command, a keyring).
// Exactly one of Account, Server and Direct is set.
type Route struct {
	// Account names an account in the config file; the connector reads
	// its server, TLS mode, user and secret source when it connects.
	Account string `json:"account,omitempty"`
	// Server is host:port of a relay, with TLS ("implicit", "starttls",
	// "none", ...) and User as the sender configured them.
	Server string `json:"server,omitempty"`
	TLS    string `json:"tls,omitempty"`
	User   string `json:"user,omitempty"`
	// Secret tells the connector where to find the credential for User
	// (for example "file:/home/me/.config/postie/pw"); never the
	// credential itself.
	Secret string `json:"secret,omitempty"`
	// Direct: deliver to each recipient domain's mail exchangers.
	Direct bool `json:"direct,omitempty"`
	// Options are the sender's other connection settings that are not
	// secrets (a CA file, an EHLO name, timeouts, a TLS policy, an
	// account's overrides), for the Connector to interpret; the CLI keeps
	// them in URL query form with sorted keys. Part of Key: entries whose
	// options differ do not share a connection.
	Options string `json:"options,omitempty"`
}

// Key is a canonical string for the route: entries with equal keys share
// connections and rate limits.
func (r Route) Key() string {
	var k string
	switch {
	case r.Account != "":
		k = "account:" + r.Account
	case r.Direct:
		k = "direct:"
	default:
		k = "server:" + strconv.Quote(r.Server) + " " + strconv.Quote(r.TLS) + " " + strconv.Quote(r.User) + " " + strconv.Quote(r.Secret)
	}
	if r.Options != "" {
		k += " " + strconv.Quote(r.Options)
	}
	return k
}

// String describes the route for people.
func (r Route) String() string {
	switch {
	case r.Account != "":
		return "account " + r.Account
	case r.Direct:
		return "direct to MX"
	}
	s := r.Server
	if r.User != "" {
		s = r.User + "@" + s
	}
	if r.TLS != "" {
		s += " (" + r.TLS + ")"
	}
	return s
}

// Validate checks that exactly one kind of route is set and that no
// field could break a line of a log or a command.
func (r Route) Validate() error {
	n := 0
	if r.Account != "" {
		n++
	}
	if r.Server != "" {
		n++
	}
	if r.Direct {
		n++
	}
	if n != 1 {
		return errors.New("route: want exactly one of account, server or direct")
	}
	for _, f := range []string{r.Account, r.Server, r.TLS, r.User, r.Secret, r.Options} {
		if strings.ContainsAny(f, "\r\n\x00") {
			return errors.New("route: control character in a field")
		}
	}
	return nil
}
