package jetstream

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/postie/postie/outbox"
)

// Options say where the cluster is, how to log in, and how the outbox's
// streams are laid out. Only URLs is required; every other zero value is
// useful. Credentials are used to connect and never printed: String and
// every error of this package leave them out.
type Options struct {
	// URLs lists the servers, comma separated
	// ("nats://n1:4222,nats://n2:4222"); a client finds the rest of the
	// cluster from any one of them.
	URLs string
	// Credentials, as NATS deployments hand them out: a .creds file
	// (JWT and NKey seed), a user and password, or a token. At most one.
	CredsFile string
	User      string
	Password  string
	Token     string
	// CAFile verifies the servers' certificates (tls:// URLs, or servers
	// that require TLS); CertFile and KeyFile present a client
	// certificate when the servers ask for one.
	CAFile   string
	CertFile string
	KeyFile  string
	// TLSConfig, when set, is used as is (after the files above).
	TLSConfig *tls.Config
	// Name names the connection in the servers' monitoring (default
	// "postie").
	Name string

	// Conn, when set, is used instead of connecting (the caller keeps
	// and closes it).
	Conn *nats.Conn

	// Prefix names the outbox's streams, buckets and subjects (default
	// "postie"), so several outboxes can share one cluster.
	Prefix string
	// Replicas of every stream and bucket: 0 picks 3 on a cluster and 1
	// on a single server. Applies when the outbox is first created.
	Replicas int
	// AckWait is how long a worker holds a message without a sign of life
	// before the cluster gives it to another worker: the lease. Workers
	// renew it every third of the runner's Lease while they send (a long
	// DATA included). Default 5 minutes, the runner's default lease.
	AckWait time.Duration
	// DuplicateWindow is how long the stream remembers Nats-Msg-Id to
	// drop a repeated publish (default 2 minutes). An entry's key stays
	// unique for the entry's whole life regardless: see the package doc.
	DuplicateWindow time.Duration
	// InlineMax: messages up to this size travel inside the work
	// stream's message; larger ones go to the object store. Default and
	// ceiling: the servers' max payload less 64 KiB for the record.
	InlineMax int64
	// Clock is the store's time (leases, retry times); tests inject a
	// fake one. Default: the system clock.
	Clock outbox.Clock
}

// validPrefix: a subject token and a stream name at once.
func validPrefix(p string) bool {
	if p == "" || len(p) > 32 || p[0] == '_' || p[0] == '-' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (o *Options) fill() error {
	if o.Prefix == "" {
		o.Prefix = "postie"
	}
	if !validPrefix(o.Prefix) {
		return fmt.Errorf("outbox prefix %q: want up to 32 of a-z, 0-9, _ and -", o.Prefix)
	}
	if o.AckWait <= 0 {
		o.AckWait = 5 * time.Minute
	}
	if o.DuplicateWindow <= 0 {
		o.DuplicateWindow = 2 * time.Minute
	}
	if o.Name == "" {
		o.Name = "postie"
	}
	if o.Clock == nil {
		o.Clock = outbox.SystemClock
	}
	n := 0
	for _, s := range []string{o.CredsFile, o.User + o.Password, o.Token} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return errors.New("nats credentials: give one of a creds file, a user and password, or a token")
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return errors.New("nats client certificate: give both the certificate and its key")
	}
	return nil
}

// natsOptions turns the options into the client's.
func (o *Options) natsOptions() []nats.Option {
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.MaxReconnects(-1), // a worker outlives a restarting cluster
		nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(false),
	}
	switch {
	case o.CredsFile != "":
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	case o.User != "" || o.Password != "":
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	case o.Token != "":
		opts = append(opts, nats.Token(o.Token))
	}
	if o.CAFile != "" {
		opts = append(opts, nats.RootCAs(o.CAFile))
	}
	if o.CertFile != "" {
		opts = append(opts, nats.ClientCert(o.CertFile, o.KeyFile))
	}
	if o.TLSConfig != nil {
		opts = append(opts, nats.Secure(o.TLSConfig.Clone()))
	}
	return opts
}

// String describes the options without any secret.
func (o Options) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "nats %s", redactURLs(o.URLs))
	switch {
	case o.CredsFile != "":
		fmt.Fprintf(&b, " creds=%s", o.CredsFile)
	case o.User != "":
		fmt.Fprintf(&b, " user=%s password=%s", o.User, mask(o.Password))
	case o.Token != "":
		b.WriteString(" token=****")
	}
	if o.CAFile != "" {
		fmt.Fprintf(&b, " ca=%s", o.CAFile)
	}
	if o.Prefix != "" {
		fmt.Fprintf(&b, " prefix=%s", o.Prefix)
	}
	return b.String()
}

// GoString keeps %#v from printing the secrets too.
func (o Options) GoString() string { return "jetstream.Options{" + o.String() + "}" }

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "****"
}

// redactURLs drops user information (user:password@, token@) from a list
// of server URLs, for messages.
func redactURLs(urls string) string {
	var out []string
	for _, u := range strings.Split(urls, ",") {
		u = strings.TrimSpace(u)
		if p, err := url.Parse(u); err == nil && p.User != nil {
			p.User = url.User("****")
			u = p.String()
		} else if i := strings.LastIndexByte(u, '@'); i >= 0 && err != nil {
			u = "****" + u[i:]
		}
		out = append(out, u)
	}
	return strings.Join(out, ",")
}
