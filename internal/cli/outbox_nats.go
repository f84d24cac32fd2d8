package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/outbox/local"
)

// Which outbox a command uses: the local one (a directory, the default)
// or one on a NATS JetStream cluster (package outbox/jetstream), chosen
// by --outbox, else $POSTIE_OUTBOX, else the config file's top-level key
// outbox. The value is a comma-separated list of nats:// (or tls://)
// URLs, or "local" to use the local outbox whatever the environment or
// the config file say.
//
// NATS credentials, the deployment's usual ones, at most one kind:
//   - a .creds file: --nats-creds FILE, $POSTIE_NATS_CREDS, config nats_creds;
//   - user and password, or a token: in the URL (nats://user:pass@host,
//     nats://token@host), or $POSTIE_NATS_USER with $POSTIE_NATS_PASSWORD,
//     or $POSTIE_NATS_TOKEN. No flag takes a password: a command line is
//     visible to every user of the host (ps).
//
// TLS: tls:// URLs, or servers that require it, verified with the
// system's roots or --nats-ca FILE ($POSTIE_NATS_CA, config nats_ca).
// Secrets never print: the URLs are shown without their user
// information, and errors are cleaned of the password and token.

// natsOpenTimeout bounds connecting and opening the outbox's streams: a
// cluster that cannot answer in this time is reported, not waited for.
const natsOpenTimeout = 20 * time.Second

func (f *queueFlags) addNATS(fs *pflag.FlagSet) {
	fs.StringVar(&f.outbox, "outbox", "", i18n.T("the outbox on a NATS JetStream cluster: nats://host:4222[,nats://host2:4222...] (default $POSTIE_OUTBOX, else the config key outbox; \"local\" for the local outbox)"))
	fs.StringVar(&f.natsCreds, "nats-creds", "", i18n.T("NATS credentials file (.creds) for --outbox (default $POSTIE_NATS_CREDS, else the config key nats_creds)"))
	fs.StringVar(&f.natsCA, "nats-ca", "", i18n.T("CA certificate file that verifies the NATS servers (default $POSTIE_NATS_CA, else the config key nats_ca)"))
	fs.StringVar(&f.natsPrefix, "nats-prefix", "", i18n.T("name prefix of the outbox's streams and buckets on the cluster, so several outboxes can share one (default $POSTIE_NATS_PREFIX, else the config key nats_prefix, else postie)"))
}

// isNATSOutbox says whether an outbox setting names a cluster.
func isNATSOutbox(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return strings.HasPrefix(v, "nats://") || strings.HasPrefix(v, "tls://")
}

// natsOptions resolves the flags (> environment > config file) to the
// options of a NATS outbox, or nil for the local outbox.
func (a *App) natsOptions(f queueFlags) (*jetstream.Options, error) {
	file := f.file
	fromFile := func(get func(*config.File) string) string {
		if file == nil {
			return ""
		}
		return get(file)
	}
	choice, from := f.outbox, "--outbox"
	if choice == "" {
		choice, from = a.env("POSTIE_OUTBOX"), "POSTIE_OUTBOX"
	}
	if choice == "" && file == nil {
		var err error
		if file, err = a.loadConfig(""); err != nil {
			return nil, err
		}
	}
	if choice == "" {
		choice, from = fromFile(func(c *config.File) string { return c.Outbox }), "outbox"
		if file != nil && file.Path != "" {
			from = file.Path + ": outbox"
		}
	}
	choice = strings.TrimSpace(choice)
	if choice == "" || strings.EqualFold(choice, "local") {
		return nil, nil
	}
	if f.dir != "" {
		return nil, usageErr(i18n.Errorf("--queue-dir names a local outbox and %s a NATS one: give one of them", from))
	}
	o := &jetstream.Options{}
	if err := parseNATSURLs(choice, o); err != nil {
		return nil, exitcode.With(exitcode.Usage, i18n.Errorf("%s: %w", from, err), i18n.T("give nats://host:4222, several separated by commas"))
	}
	if file == nil {
		var err error
		if file, err = a.loadConfig(""); err != nil {
			return nil, err
		}
	}
	// A file named but not there is the user's to fix (66, naming where
	// the name came from), not the cluster's (75).
	fileSetting := func(flag, env, key string, get func(*config.File) string) (string, error) {
		path, from := flag, "--nats-"+key
		if path == "" {
			path, from = a.env(env), env
		}
		if path == "" {
			path, from = fromFile(get), "nats_"+key
			if file != nil && file.Path != "" {
				from = file.Path + ": nats_" + key
			}
		}
		if path == "" {
			return "", nil
		}
		fh, err := os.Open(path)
		if err != nil {
			return "", exitcode.With(exitcode.NoInput, i18n.Errorf("%s: %w", from, err), "")
		}
		fh.Close()
		return path, nil
	}
	var err error
	if o.CredsFile, err = fileSetting(f.natsCreds, "POSTIE_NATS_CREDS", "creds", func(c *config.File) string { return c.NATSCreds }); err != nil {
		return nil, err
	}
	if o.CAFile, err = fileSetting(f.natsCA, "POSTIE_NATS_CA", "ca", func(c *config.File) string { return c.NATSCA }); err != nil {
		return nil, err
	}
	o.Prefix = first(f.natsPrefix, a.env("POSTIE_NATS_PREFIX"), fromFile(func(c *config.File) string { return c.NATSPrefix }))
	if o.User == "" && o.Token == "" {
		o.User, o.Password, o.Token = a.env("POSTIE_NATS_USER"), a.env("POSTIE_NATS_PASSWORD"), a.env("POSTIE_NATS_TOKEN")
	}
	return o, nil
}

// parseNATSURLs checks the server list and moves the user information
// out of the URLs into o (user and password, or a token), so that what
// is shown and what nats.go reports never carries it.
func parseNATSURLs(list string, o *jetstream.Options) error {
	var urls []string
	var auth *url.Userinfo
	for _, raw := range strings.Split(list, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.Hostname() == "" {
			return i18n.Errorf("%q is not a server URL", redactURL(raw))
		}
		if s := strings.ToLower(u.Scheme); s != "nats" && s != "tls" {
			return i18n.Errorf("%q: want a nats:// or tls:// URL", redactURL(raw))
		}
		if u.User != nil {
			if auth != nil && auth.String() != u.User.String() {
				return i18n.Errorf("the URLs carry different credentials: give one user (or token) for the cluster")
			}
			auth = u.User
			u.User = nil
		}
		if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
			return i18n.Errorf("%q: a server URL has no path or query", redactURL(raw))
		}
		urls = append(urls, u.Scheme+"://"+u.Host)
	}
	o.URLs = strings.Join(urls, ",")
	if auth != nil {
		if p, ok := auth.Password(); ok {
			o.User, o.Password = auth.Username(), p
		} else {
			o.Token = auth.Username()
		}
	}
	return nil
}

// redactURL drops whatever precedes the host's @ in a URL that may not
// parse, for messages.
func redactURL(raw string) string {
	if i := strings.LastIndexByte(raw, '@'); i >= 0 {
		scheme := ""
		if j := strings.Index(raw, "://"); j >= 0 && j < i {
			scheme = raw[:j+3]
		}
		return scheme + "****" + raw[i:]
	}
	return raw
}

// localQueueMissing: the flags name the local outbox and its directory
// does not exist (so it holds nothing yet).
func (a *App) localQueueMissing(f queueFlags) bool {
	if o, err := a.natsOptions(f); err != nil || o != nil {
		return false
	}
	dir, err := a.queueDir(f.dir)
	if err != nil {
		return false
	}
	_, err = os.Stat(dir)
	return errors.Is(err, fs.ErrNotExist)
}

// openQueueStore opens the outbox f selects: local (a directory) or on
// a NATS cluster. A cluster that cannot be reached, or does not answer
// within natsOpenTimeout, is 75 (try again later), with the servers named
// and no secret.
func (a *App) openQueueStore(f queueFlags) (outbox.Store, error) {
	o, err := a.natsOptions(f)
	if err != nil {
		return nil, err
	}
	if o == nil {
		dir, err := a.queueDir(f.dir)
		if err != nil {
			return nil, err
		}
		s, err := local.Open(dir, nil)
		if err != nil {
			return nil, storageHint(err)
		}
		return s, nil
	}
	if f.verbose {
		fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("outbox: %s", o.String()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), natsOpenTimeout)
	defer cancel()
	s, err := jetstream.Open(ctx, *o)
	if err != nil {
		msg := redactSecrets(err.Error(), o)
		if strings.HasPrefix(msg, "nats credentials") || strings.HasPrefix(msg, "nats client certificate") || strings.HasPrefix(msg, "outbox prefix") {
			return nil, exitcode.With(exitcode.Usage, errors.New(msg), "")
		}
		return nil, exitcode.With(exitcode.TempFail, i18n.Errorf("the outbox on %s cannot be opened: %s", o.String(), msg),
			i18n.T("check that the servers run with JetStream enabled and that the credentials (--nats-creds, the URL's user) are right"))
	}
	return s, nil
}

// redactSecrets takes the password and token out of a message (a
// library's error may quote what it was given).
func redactSecrets(msg string, o *jetstream.Options) string {
	for _, secret := range []string{o.Password, o.Token} {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "****")
		}
	}
	return msg
}

// natsStore is the NATS outbox behind s, if it is one.
func natsStore(s outbox.Store) (*jetstream.Store, bool) {
	js, ok := s.(*jetstream.Store)
	return js, ok
}
