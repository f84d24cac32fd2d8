package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/postie/postie/config"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/smtp"
)

// The CLI's side of the outbox, shared by send --queue, sendmail, the
// queue commands and merge: where the queue is, how resolved Settings
// become an outbox.Route that holds no secret, and the Connector that
// turns a Route back into a connection at delivery time through the same
// resolver (flags > env > account > preset) the message was queued with.
//
// # The route of a message
//
//   - An account in use (named, or the default one): Route.Account is its
//     name, and Route.Options hold the config file's path and whatever the
//     command line (or POSTIE_SERVER, POSTIE_USER) set over the account.
//     At delivery the config file is read again: a changed password_cmd or
//     server applies to queued mail; an account that is gone fails its
//     entries (the reply says why); a file that does not load defers them.
//   - No account: Route.Server, TLS and User as resolved, Route.Secret the
//     secret's locator ("file:PATH", "cmd:COMMAND", "oauth2-cmd:COMMAND"
//     or "env:POSTIE_PASSWORD"), and Options the other flags (a CA file,
//     an EHLO name, timeouts, an AUTH mechanism).
//   - --direct: Route.Direct, and Options its TLS policy, DNS server...
//
// No secret is ever stored. A secret given as POSTIE_PASSWORD (or
// POSTIE_OAUTH2_TOKEN) is stored as "env:POSTIE_PASSWORD": the runner
// reads that variable from its own environment, and defers the entry,
// saying so, when it is not set. A config account's password key is read
// from the config file again. A secret only a terminal prompt can give
// is refused for the outbox (checkQueueable): a runner in cron or
// systemd has no one to ask.

// queueFlags choose the outbox: a local directory, or a NATS cluster
// (outbox_nats.go).
type queueFlags struct {
	dir                           string
	outbox                        string
	natsCreds, natsCA, natsPrefix string
	verbose                       bool         // say which outbox (never a secret)
	file                          *config.File // the config file already loaded, if any
	// mayCreate: the command makes the local outbox when it is not there
	// (send --queue, a watching worker); the others see it as empty.
	mayCreate bool
}

func (f *queueFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.dir, "queue-dir", "", i18n.T("the outbox directory (default $POSTIE_QUEUE_DIR, else $XDG_STATE_HOME/postie/queue, else ~/.local/state/postie/queue)"))
	f.addNATS(fs)
}

// runFlags tune a Runner: retries and the maximum age (for tests and
// operators), and the lease (a hidden test hook).
type runFlags struct {
	retrySchedule string
	maxAge        time.Duration
	lease         time.Duration
}

func (f *runFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.retrySchedule, "retry-schedule", "", i18n.T("waits between attempts after a temporary failure, e.g. 1m,5m,30m (the last repeats; default 5m doubling to 4h, with jitter)"))
	fs.DurationVar(&f.maxAge, "max-age", 0, i18n.T("give up on a message still not delivered after this long in the outbox (default 120h, 5 days)"))
	fs.DurationVar(&f.lease, "lease", 0, i18n.T("how long a claim on an entry holds without renewal (default 5m)"))
	fs.MarkHidden("lease")
}

// schedule is the retry schedule the flags ask for.
func (f *runFlags) schedule() (outbox.Schedule, error) {
	s := outbox.Schedule{MaxAge: f.maxAge}
	if f.maxAge < 0 {
		return s, usageErr(i18n.Errorf("--max-age %s: want a positive duration", f.maxAge))
	}
	if f.retrySchedule != "" {
		d, err := outbox.ParseDelays(f.retrySchedule)
		if err != nil {
			return s, exitcode.With(exitcode.Usage, i18n.Errorf("--retry-schedule: %w", err), i18n.T("give durations separated by commas, e.g. 1m,5m,30m"))
		}
		s.Delays = d
	}
	return s, nil
}

// queueDir is --queue-dir, else $POSTIE_QUEUE_DIR, else
// $XDG_STATE_HOME/postie/queue, else ~/.local/state/postie/queue.
func (a *App) queueDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := a.env("POSTIE_QUEUE_DIR"); d != "" {
		return d, nil
	}
	if d := a.env("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "postie", "queue"), nil
	}
	if h := a.env("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "postie", "queue"), nil
	}
	d, err := local.DefaultDir()
	if err != nil {
		return "", exitcode.With(exitcode.CantCreat, err, i18n.T("give --queue-dir DIR or set POSTIE_QUEUE_DIR"))
	}
	return d, nil
}

// openQueue opens (creating when needed) the outbox the flags name: the
// local one (*local.Store; failures are *outbox.StorageError: 73 when
// the directory cannot be created, 74 otherwise, naming the path), or
// the one on a NATS cluster (*jetstream.Store; 75 when it cannot be
// reached, 64 for a bad URL). Code that needs one backend's own
// operations asserts the type (natsStore).
func (a *App) openQueue(f queueFlags) (outbox.Store, error) {
	return a.openQueueStore(f)
}

// storageHint adds the likely fix to an outbox storage failure (a full or
// read-only disk), keeping its exit code (73 or 74).
func storageHint(err error) error {
	var se *outbox.StorageError
	if !errors.As(err, &se) {
		return err
	}
	hint := ""
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EFBIG), errors.Is(err, syscall.EDQUOT):
		hint = i18n.T("the disk (or the file size limit) holding the outbox is full: free some space, or give --queue-dir (POSTIE_QUEUE_DIR) on another disk")
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		hint = i18n.T("the outbox directory cannot be written here: give --queue-dir (POSTIE_QUEUE_DIR) a directory of yours on a writable disk")
	}
	return exitcode.With(exitcode.For(err), err, hint)
}

// Route option keys: the names of the flags they come from.
const (
	optConfig         = "config"
	optServer         = "server"
	optTLS            = "tls"
	optCACert         = "cacert"
	optClientCert     = "client-cert"
	optClientKey      = "client-key"
	optInsecure       = "insecure-skip-verify"
	optHelo           = "helo"
	optTimeout        = "timeout"
	optConnectTimeout = "connect-timeout"
	optUser           = "user"
	optPasswordFile   = "password-file"
	optPasswordCmd    = "password-cmd"
	optOAuthCmd       = "oauth2-token-cmd"
	optSecretEnv      = "secret-env" // account routes: the secret came from this variable
	optAuth           = "auth"
	optInsecureAuth   = "allow-insecure-auth"
	optNoPipelining   = "no-pipelining"
	optNoChunking     = "no-chunking"
	optDNSServer      = "dns-server"
	optTLSPolicy      = "tls-policy"
	optMXPort         = "mx-port"
	optMTASTSPort     = "mta-sts-port"
)

// Secret locators in Route.Secret.
const (
	locFile      = "file:"
	locCmd       = "cmd:"
	locOAuth2Cmd = "oauth2-cmd:"
	locEnv       = "env:"
)

// checkQueueable refuses settings whose secret only a terminal prompt
// can give: a runner (cron, systemd) cannot ask anyone.
func checkQueueable(st *Settings) error {
	if st.Relay == nil || st.Relay.Login == nil || st.Relay.Login.Secret.Kind != SecretPrompt {
		return nil
	}
	return exitcode.With(exitcode.Config, &typedSecretError{},
		i18n.T("give the secret with --password-file, --password-cmd, POSTIE_PASSWORD or a config account (password_file, password_cmd)"))
}

// routeFor maps what a request resolved to (st) to the route a runner
// will find the same server by, holding no secret. st must come from
// resolve(req).
func (a *App) routeFor(req *request, st *Settings) (outbox.Route, error) {
	if err := checkQueueable(st); err != nil {
		return outbox.Route{}, err
	}
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	flag := func(k string, on bool) {
		if on {
			v.Set(k, "1")
		}
	}
	dur := func(k string, d, def time.Duration) {
		if d > 0 && d != def {
			v.Set(k, d.String())
		}
	}
	s := req.server
	set(optCACert, absPath(s.cacert))
	set(optHelo, s.helo)
	dur(optTimeout, s.timeout, 0)
	dur(optConnectTimeout, s.connectTimeout, 30*time.Second)
	var rt outbox.Route
	switch {
	case st.Direct != nil:
		d := req.direct
		rt.Direct = true
		set(optDNSServer, d.dnsServer)
		if p := strings.ToLower(d.tlsPolicy); p != "" && p != "auto" {
			set(optTLSPolicy, p)
		}
		set(optMXPort, d.mxPort)
		set(optMTASTSPort, d.mtaSTSPort)
		if st.Account != "" && s.helo == "" && st.LocalName != localName() {
			set(optHelo, st.LocalName) // the account's helo
		}
	case st.Account != "":
		// The account decides at delivery; keep what was set over it.
		rt.Account = st.Account
		if req.file != nil {
			set(optConfig, absPath(req.file.Path))
		}
		l := req.login
		set(optServer, first(s.server, req.env(a, "POSTIE_SERVER")))
		if t := strings.ToLower(s.tls); t != "auto" {
			set(optTLS, t)
		}
		set(optClientCert, absPath(s.clientCert))
		set(optClientKey, absPath(s.clientKey))
		flag(optInsecure, s.insecure)
		set(optUser, first(l.user, req.env(a, "POSTIE_USER")))
		set(optPasswordFile, absPath(l.passwordFile))
		set(optPasswordCmd, l.passwordCmd)
		set(optOAuthCmd, l.oauthCmd)
		if st.Relay != nil && st.Relay.Login != nil && isEnvSecret(st.Relay.Login.Secret) {
			set(optSecretEnv, st.Relay.Login.Secret.Origin)
		}
		if m := strings.ToLower(l.auth); m != "auto" {
			set(optAuth, m)
		}
		flag(optInsecureAuth, l.allowInsecureAuth)
	default:
		r := st.Relay
		rt.Server, rt.TLS = r.Addr, r.TLS.String()
		set(optClientCert, absPath(r.ClientCert))
		set(optClientKey, absPath(r.ClientKey))
		flag(optInsecure, r.InsecureSkipVerify)
		flag(optInsecureAuth, r.AllowInsecureAuth)
		if l := r.Login; l != nil {
			rt.User = l.User
			set(optAuth, strings.ToLower(l.Mechanism))
			var err error
			if rt.Secret, err = locator(l.Secret); err != nil {
				return outbox.Route{}, err
			}
		}
	}
	flag(optNoPipelining, req.transfer.noPipelining)
	flag(optNoChunking, req.transfer.noChunking)
	rt.Options = v.Encode()
	if err := rt.Validate(); err != nil {
		return outbox.Route{}, exitcode.With(exitcode.Usage, err, "")
	}
	return rt, nil
}

// typedSecretError: the secret would have to be typed at a terminal.
type typedSecretError struct{}

func (*typedSecretError) Error() string {
	return i18n.T("the outbox cannot keep a password typed at the terminal: a later delivery has no one to ask")
}

func isEnvSecret(s Secret) bool {
	return s.Kind == SecretLiteral && (s.Origin == "POSTIE_PASSWORD" || s.Origin == "POSTIE_OAUTH2_TOKEN")
}

// locator says where a secret comes from, never what it is.
func locator(s Secret) (string, error) {
	switch {
	case s.Kind == SecretFile:
		return locFile + absPath(s.Value), nil
	case s.Kind == SecretCmd && s.Token:
		return locOAuth2Cmd + s.Value, nil
	case s.Kind == SecretCmd:
		return locCmd + s.Value, nil
	case isEnvSecret(s):
		return locEnv + s.Origin, nil
	}
	// A literal from elsewhere (a config password key) comes with an
	// account, whose route re-reads it; nothing else is a literal.
	return "", exitcode.With(exitcode.Software, fmt.Errorf("the secret from %s has no locator the outbox can keep", s.Origin), "")
}

func absPath(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// accountOnly are the options only an account route has: a server route
// has its server, TLS, user and secret locator in the Route's fields.
var accountOnly = map[string]bool{optConfig: true, optServer: true, optTLS: true, optUser: true,
	optPasswordFile: true, optPasswordCmd: true, optOAuthCmd: true, optSecretEnv: true}

// routeRequest rebuilds the request a route was made from, for resolve:
// no environment (POSTIE_SERVER in a runner's environment must not move
// an account's mail), the config file only for an account route.
// secretEnv names the variable the secret is to be read from, if any.
func routeRequest(rt outbox.Route) (req *request, secretEnv string, err error) {
	v, err := url.ParseQuery(rt.Options)
	if err != nil {
		return nil, "", fmt.Errorf("route options: %w", err)
	}
	req = &request{wantLogin: true, noEnv: true, noConfig: rt.Account == ""}
	s, l, d := &req.server, &req.login, &req.direct
	s.tls, l.auth = "auto", "auto"
	durs := map[string]*time.Duration{optTimeout: &s.timeout, optConnectTimeout: &s.connectTimeout}
	strs := map[string]*string{
		optConfig: &req.account.config, optServer: &s.server, optTLS: &s.tls, optCACert: &s.cacert,
		optClientCert: &s.clientCert, optClientKey: &s.clientKey, optHelo: &s.helo,
		optUser: &l.user, optPasswordFile: &l.passwordFile, optPasswordCmd: &l.passwordCmd, optOAuthCmd: &l.oauthCmd,
		optSecretEnv: &secretEnv, optAuth: &l.auth,
		optDNSServer: &d.dnsServer, optTLSPolicy: &d.tlsPolicy, optMXPort: &d.mxPort, optMTASTSPort: &d.mtaSTSPort,
	}
	bools := map[string]*bool{optInsecure: &s.insecure, optInsecureAuth: &l.allowInsecureAuth,
		optNoPipelining: &req.transfer.noPipelining, optNoChunking: &req.transfer.noChunking}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := v.Get(k)
		if accountOnly[k] && rt.Account == "" {
			// A server route keeps these in its own fields.
			return nil, "", fmt.Errorf("route option %q belongs to an account route", k)
		}
		switch {
		case strs[k] != nil:
			*strs[k] = val
		case bools[k] != nil:
			*bools[k] = val == "1"
		case durs[k] != nil:
			if *durs[k], err = time.ParseDuration(val); err != nil {
				return nil, "", fmt.Errorf("route option %s=%q: %w", k, val, err)
			}
		default:
			// Written by a newer postie: do not guess what it meant.
			return nil, "", fmt.Errorf("route option %q is unknown to this postie %s", k, version())
		}
	}
	switch {
	case rt.Account != "":
		req.account.account = rt.Account
	case rt.Direct:
		d.direct = true
	default:
		s.server, l.user = rt.Server, rt.User
		if rt.TLS != smtp.TLSOpportunistic.String() {
			s.tls = rt.TLS // opportunistic is what auto gives without a login
		}
		switch sec := rt.Secret; {
		case sec == "":
		case strings.HasPrefix(sec, locFile):
			l.passwordFile = sec[len(locFile):]
		case strings.HasPrefix(sec, locCmd):
			l.passwordCmd = sec[len(locCmd):]
		case strings.HasPrefix(sec, locOAuth2Cmd):
			l.oauthCmd = sec[len(locOAuth2Cmd):]
		case strings.HasPrefix(sec, locEnv):
			secretEnv = sec[len(locEnv):]
		default:
			return nil, "", fmt.Errorf("route secret %q: unknown kind of locator", sec)
		}
	}
	if secretEnv != "" && secretEnv != "POSTIE_PASSWORD" && secretEnv != "POSTIE_OAUTH2_TOKEN" {
		return nil, "", fmt.Errorf("route secret: %q is not a variable postie reads", secretEnv)
	}
	return req, secretEnv, nil
}

// routeSettings resolves a route again, now: the config file is read
// afresh for an account route. out says how much the runner prints. An
// account that no longer exists is an outbox.Permanent error; a config
// file that does not load defers the entry, saying why.
func (a *App) routeSettings(rt outbox.Route, out outputFlags) (*Settings, error) {
	req, secretEnv, err := routeRequest(rt)
	if err != nil {
		return nil, err
	}
	req.output = out
	if rt.Account != "" {
		if req.file, err = a.loadConfig(req.account.config); err != nil {
			return nil, err
		}
		if _, ok := req.file.Accounts[rt.Account]; !ok {
			return nil, outbox.Permanent(i18n.Errorf("account %q is no longer in %s", rt.Account, req.file.Path))
		}
	}
	st, err := a.resolve(req)
	if err != nil {
		return nil, err
	}
	if secretEnv != "" && st.Relay != nil && st.Relay.Login != nil {
		val := a.env(secretEnv)
		if val == "" {
			return nil, exitcode.With(exitcode.Config, i18n.Errorf("the secret came from $%s when the message was queued, and $%s is not set for this runner", secretEnv, secretEnv),
				i18n.T("set it in the runner's environment, or give the account a password_file or password_cmd"))
		}
		st.Relay.Login.Secret = Secret{Kind: SecretLiteral, Value: val, Token: secretEnv == "POSTIE_OAUTH2_TOKEN", Origin: secretEnv}
	}
	return st, nil
}

// connector opens sessions for a Runner: each route is resolved again
// (routeSettings), the secret fetched now, and the connection made
// through deliver.Relay, or deliver.Direct for one recipient domain. out
// says how much to print (queue run -v shows each dialogue).
func (a *App) connector(out outputFlags) outbox.Connector {
	return func(ctx context.Context, t outbox.Target) (outbox.Session, error) {
		st, err := a.routeSettings(t.Route, out)
		if err != nil {
			return nil, err
		}
		if st.Direct != nil {
			ds, err := a.newDirect(st)
			if err != nil {
				return nil, err
			}
			return directSession(ctx, ds.Direct, t.Domain)
		}
		relay, err := a.newRelay(ctx, st)
		if err != nil {
			return nil, err
		}
		return relay.Connect(ctx)
	}
}

// directSession connects to one domain's mail exchangers. A domain with
// no mail host, or a TLS policy it publishes that no MX can meet for
// good, fails its entries at once.
func directSession(ctx context.Context, d *deliver.Direct, domain string) (outbox.Session, error) {
	c, _, err := d.Connect(ctx, domain)
	if err != nil {
		var nm *deliver.NoMailHostError
		var pe *deliver.PolicyError
		if errors.As(err, &nm) || errors.As(err, &pe) && !pe.Temporary() {
			return nil, outbox.Permanent(err)
		}
		return nil, err
	}
	return c, nil
}

// describeRoute says where a route goes, for listings: the account (and
// what was set over it), the server, or the mail exchangers.
func describeRoute(rt outbox.Route) string {
	v, _ := url.ParseQuery(rt.Options)
	var s string
	switch {
	case rt.Account != "":
		s = i18n.Sprintf("account %s", rt.Account)
		if srv := v.Get(optServer); srv != "" {
			s += " → " + srv
		}
	case rt.Direct:
		s = i18n.T("the recipients' mail exchangers (--direct)")
	default:
		s = rt.Server
		if rt.User != "" {
			s = rt.User + " @ " + s
		}
		s += " (" + rt.TLS + ")"
	}
	return s
}

// routeDetails lists a route's settings for queue show, one "key: value"
// a line; secret locators name where the secret is, never what it is.
func routeDetails(rt outbox.Route) []string {
	var out []string
	add := func(k, v string) {
		if v != "" {
			out = append(out, k+": "+v)
		}
	}
	add("account", rt.Account)
	add("server", rt.Server)
	add("tls", rt.TLS)
	add("user", rt.User)
	add("secret", rt.Secret)
	if rt.Direct {
		add("direct", "yes")
	}
	v, _ := url.ParseQuery(rt.Options)
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k, v.Get(k))
	}
	return out
}

// entryParams are the envelope's ESMTP parameters as the outbox keeps them.
func entryParams(env *smtp.Envelope) outbox.Params {
	p := outbox.Params{Body8Bit: env.Mail.Body8Bit, SMTPUTF8: env.Mail.SMTPUTF8, DSNRet: strings.ToUpper(string(env.Mail.DSNRet)), DSNEnvID: env.Mail.DSNEnvID}
	if n := env.Rcpt.Notify; n != 0 {
		p.Notify = strings.Split(n.String(), ",")
	}
	return p
}

// parseQueueID checks an entry ID given on the command line.
func parseQueueID(s string) (outbox.ID, error) {
	id := outbox.ID(strings.ToLower(strings.TrimSpace(s)))
	if !id.Valid() {
		return "", exitcode.With(exitcode.Usage, i18n.Errorf("%q is not an outbox entry ID (20 letters and digits, as 'postie queue list' shows them)", s), "")
	}
	return id, nil
}

// queueIDError is the error for an ID that is not in the outbox (66).
func queueIDError(id outbox.ID, err error) error {
	if errors.Is(err, outbox.ErrNotFound) {
		return exitcode.With(exitcode.NoInput, i18n.Errorf("no entry %s in the outbox", id), i18n.T("'postie queue list' shows the entries (--failed: the failed ones)"))
	}
	return err
}
