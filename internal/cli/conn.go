package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/postie/postie/config"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/explain"
	"github.com/postie/postie/smtp"
)

// connFlags are the flags shared by every command that talks to a server.
type connFlags struct {
	server, tls, user         string
	passwordFile, passwordCmd string
	auth, oauthCmd            string
	allowInsecureAuth         bool
	account, configPath       string
	helo, cacert              string
	clientCert, clientKey     string
	insecure                  bool
	timeout, connectTimeout   time.Duration
	verbose                   int
	explain                   bool
	quiet                     bool
	noPipelining, noChunking  bool
	noConfig                  bool // the demo: ignore the user's config file
	direct                    bool
	dnsServer, mxPort         string
	tlsPolicy, mtaSTSPort     string
	dkim                      dkimFlags
}

func (f *connFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.server, "server", "", "server: HOST[:PORT], smtp://HOST[:PORT] or smtps://HOST[:PORT]")
	fs.StringVar(&f.tls, "tls", "auto", "TLS mode: auto|implicit|starttls|none (auto: implicit on 465, else STARTTLS, required when logging in)")
	fs.StringVar(&f.user, "user", "", "user name to log in with (usually your address)")
	fs.StringVar(&f.passwordFile, "password-file", "", "read the password (or authorization code) from this file (mode 0600)")
	fs.StringVar(&f.passwordCmd, "password-cmd", "", "run this command (sh -c) and use its first output line as the password")
	fs.StringVar(&f.auth, "auth", "auto", "AUTH mechanism: auto|plain|login|cram-md5|xoauth2|oauthbearer")
	fs.StringVar(&f.oauthCmd, "oauth2-token-cmd", "", "run this command for an OAuth 2.0 access token (or set POSTIE_OAUTH2_TOKEN)")
	fs.BoolVar(&f.allowInsecureAuth, "allow-insecure-auth", false, "allow sending credentials without TLS (dangerous)")
	fs.StringVar(&f.account, "account", "", "use this account from the config file")
	fs.StringVar(&f.configPath, "config", "", "config file (default $POSTIE_CONFIG or ~/.config/postie/config.toml)")
	fs.StringVar(&f.helo, "helo", "", "name to give in EHLO/HELO (default: this host's name)")
	fs.StringVar(&f.cacert, "cacert", "", "also trust the CA certificates in this PEM file")
	fs.StringVar(&f.clientCert, "client-cert", "", "present this client certificate (PEM) in the TLS handshake")
	fs.StringVar(&f.clientKey, "client-key", "", "the client certificate's private key (PEM)")
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, "do not verify the server certificate (dangerous)")
	fs.DurationVar(&f.timeout, "timeout", 0, "timeout for each command (default: RFC 5321 values; greeting 30s)")
	fs.DurationVar(&f.connectTimeout, "connect-timeout", 30*time.Second, "timeout for connecting and the TLS handshake")
	fs.CountVarP(&f.verbose, "verbose", "v", "show the SMTP dialogue on stderr (-vv: with the message)")
	fs.BoolVar(&f.explain, "explain", false, "with -v: explain each line of the dialogue (in Chinese when LANG says zh)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing on success")
	fs.BoolVar(&f.noPipelining, "no-pipelining", false, "do not use PIPELINING even when offered")
	fs.BoolVar(&f.noChunking, "no-chunking", false, "do not use BDAT (CHUNKING) even when offered")
	fs.BoolVar(&f.direct, "direct", false, "deliver straight to each recipient domain's MX on port 25, without a relay or login (--tls starttls: require a verified certificate)")
	fs.StringVar(&f.dnsServer, "dns-server", "", "with --direct: ask this DNS server (HOST:PORT) instead of the system's")
	fs.StringVar(&f.mxPort, "mx-port", "25", "with --direct: the port of the mail exchangers (for tests)")
	f.addTrust(fs)
}

// session is everything resolved about how to reach the server.
type session struct {
	relay   *deliver.Relay
	from    string // the account's From, if any
	preset  *config.Preset
	account string
	tracer  *tracer
	// afterSend runs as soon as the transaction ends (clears progress).
	afterSend func()
	direct    *deliver.Direct // set instead of relay by --direct
	acct      *config.Account // the account used (empty when none)
	domains   []*deliver.DomainReport
}

func (a *App) env(k string) string {
	if a.Getenv == nil {
		return ""
	}
	return a.Getenv(k)
}

// resolve applies flags > environment > account > provider preset >
// defaults. fromAddr picks a preset when nothing else names a server.
func (a *App) resolve(ctx context.Context, f *connFlags, fromAddr string, wantAuth bool) (*session, error) {
	cfgPath, named := f.configPath, f.configPath != ""
	if cfgPath == "" {
		cfgPath = config.DefaultPath(a.env)
		named = false // a missing default or $POSTIE_CONFIG file is an empty config
	}
	if f.noConfig {
		cfgPath = ""
	}
	file, err := config.Load(cfgPath, named)
	if err != nil {
		return nil, exitcode.With(exitcode.Config, err, "")
	}
	acct, acctName, err := file.Account(f.account)
	if err != nil {
		return nil, exitcode.With(exitcode.Config, err, "run 'postie account list' to see the accounts")
	}
	if acct == nil {
		acct = &config.Account{}
	}
	s := &session{account: acctName, from: acct.From, acct: acct}
	if f.direct {
		return a.resolveDirect(f, s, acct)
	}
	if fromAddr == "" && acct.From != "" {
		fromAddr = acct.From
	}
	// Provider preset: named by the account, or found from the address.
	if acct.Provider != "" {
		p, ok := config.PresetByName(acct.Provider)
		if !ok {
			return nil, exitcode.With(exitcode.Config, fmt.Errorf("account %q: unknown provider %q", acctName, acct.Provider), "")
		}
		s.preset = &p
	} else if addr := bareAddress(fromAddr); addr != "" {
		if p, ok := config.PresetForAddress(addr); ok {
			s.preset = &p
		}
	}

	server := first(f.server, a.env("POSTIE_SERVER"), acct.Server)
	tlsName := f.tls
	if tlsName == "auto" && acct.TLS != "" && f.server == "" {
		tlsName = acct.TLS
	}
	if server == "" && s.preset != nil {
		server = s.preset.Host + ":" + strconv.Itoa(s.preset.Port)
		if tlsName == "auto" {
			tlsName = s.preset.TLS
		}
	}
	if server == "" {
		return nil, exitcode.With(exitcode.Usage, errors.New("no server to send through"),
			"give --server HOST[:PORT], or --from an address at a known provider, or configure an account (postie account add); try 'postie serve' for a local one")
	}
	addr, schemeMode, hasScheme, err := deliver.SplitServer(server, "587")
	if err != nil {
		return nil, exitcode.With(exitcode.Usage, err, "")
	}
	user := first(f.user, a.env("POSTIE_USER"), acct.User)
	if user == "" && s.preset != nil && wantAuth {
		user = bareAddress(fromAddr)
	}
	mechanism := f.auth
	if mechanism == "auto" {
		mechanism = acct.Auth
	}
	if mechanism == "auto" {
		mechanism = ""
	}
	switch strings.ToLower(mechanism) {
	case "", "plain", "login", "cram-md5", "xoauth2", "oauthbearer":
	default:
		return nil, usageErr("--auth %q: want auto, plain, login, cram-md5, xoauth2 or oauthbearer", mechanism)
	}

	var creds *smtp.Credentials
	if user != "" && wantAuth {
		creds = &smtp.Credentials{Username: user}
		oauth := strings.EqualFold(mechanism, "xoauth2") || strings.EqualFold(mechanism, "oauthbearer")
		if oauth || f.oauthCmd != "" || acct.OAuth2Cmd != "" || a.env("POSTIE_OAUTH2_TOKEN") != "" {
			creds.Token, err = a.token(ctx, f, acct)
		} else {
			creds.Password, err = a.password(ctx, f, acct, user)
		}
		if err != nil {
			return nil, err
		}
	}

	var mode smtp.TLSMode
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	switch tlsName {
	case "auto", "":
		switch {
		case hasScheme:
			mode = schemeMode
		case port == "465":
			mode = smtp.TLSImplicit
		case creds != nil:
			mode = smtp.TLSStartTLS
		default:
			mode = smtp.TLSOpportunistic
		}
	case "implicit", "tls", "smtps":
		mode = smtp.TLSImplicit
	case "starttls":
		mode = smtp.TLSStartTLS
	case "none", "plain":
		mode = smtp.TLSNone
	default:
		return nil, usageErr("--tls %q: want auto, implicit, starttls or none", tlsName)
	}
	if mode == smtp.TLSNone && creds != nil && !f.allowInsecureAuth {
		return nil, exitcode.With(exitcode.Unavailable, errors.New("refusing to send credentials without TLS (--tls none)"),
			"use --tls starttls or --tls implicit; --allow-insecure-auth exists for test servers only")
	}

	tlsCfg := &tls.Config{}
	cacert := first(f.cacert, acct.CACert)
	if cacert != "" {
		pool, err := loadCAPool(cacert)
		if err != nil {
			return nil, err
		}
		tlsCfg.RootCAs = pool
	}
	if f.clientCert != "" || f.clientKey != "" {
		if f.clientCert == "" || f.clientKey == "" {
			return nil, usageErr("--client-cert and --client-key go together")
		}
		kp, err := tls.LoadX509KeyPair(f.clientCert, f.clientKey)
		if err != nil {
			return nil, exitcode.With(exitcode.Config, fmt.Errorf("client certificate: %w", err), "")
		}
		tlsCfg.Certificates = []tls.Certificate{kp}
	}
	if f.insecure {
		tlsCfg.InsecureSkipVerify = true
		fmt.Fprintf(a.Stderr, "postie: WARNING: --insecure-skip-verify: the server's certificate is NOT verified; anyone on the path can read and change this mail%s\n",
			map[bool]string{true: " and steal the password", false: ""}[creds != nil])
	}

	opts, t := a.smtpOptions(f, acct.Helo, port)
	s.tracer = t
	s.relay = &deliver.Relay{Addr: addr, TLS: mode, TLSConfig: tlsCfg, Credentials: creds, Mechanism: strings.ToUpper(mechanism), Options: opts}
	return s, nil
}

// smtpOptions builds the engine options the flags ask for, and the
// tracer that prints the dialogue.
func (a *App) smtpOptions(f *connFlags, helo, port string) (smtp.Options, *tracer) {
	t := &tracer{w: a.Stderr, data: f.verbose >= 2}
	if f.explain {
		f.verbose = max(f.verbose, 1)
		t.explain = explain.New(a.language())
	}
	opts := smtp.Options{
		LocalName:         first(f.helo, helo, localName()),
		AllowInsecureAuth: f.allowInsecureAuth,
		DisablePipelining: f.noPipelining,
		DisableChunking:   f.noChunking,
		TraceData:         f.verbose >= 2,
	}
	if f.verbose > 0 {
		opts.Trace = t.trace
	}
	opts.Timeouts.Connect = f.connectTimeout
	// An interactive client should not sit five minutes on a silent port:
	// a STARTTLS client on an implicit-TLS port waits for a greeting that
	// never comes. Submission servers greet at once; only port 25 may
	// hold the greeting back on purpose (postscreen's greet pause, 6s).
	opts.Timeouts.Greeting = 10 * time.Second
	if port == "25" {
		opts.Timeouts.Greeting = 60 * time.Second
	}
	if f.timeout > 0 {
		t := f.timeout
		opts.Timeouts = smtp.Timeouts{Connect: f.connectTimeout, Greeting: t, Command: t, Mail: t, Rcpt: t, DataInit: t, DataBlock: t, DataTerm: t}
	}
	return opts, t
}

func (a *App) password(ctx context.Context, f *connFlags, acct *config.Account, user string) (string, error) {
	switch {
	case f.passwordFile != "":
		p, err := config.ReadSecretFile(f.passwordFile)
		return p, codeConfig(err)
	case f.passwordCmd != "":
		p, err := config.RunSecretCmd(ctx, "password", f.passwordCmd)
		return p, codeConfig(err)
	case a.env("POSTIE_PASSWORD") != "":
		return a.env("POSTIE_PASSWORD"), nil
	case acct.PasswordFile != "":
		p, err := config.ReadSecretFile(expandHome(acct.PasswordFile, a.env("HOME")))
		return p, codeConfig(err)
	case acct.PasswordCmd != "":
		p, err := config.RunSecretCmd(ctx, "password", acct.PasswordCmd)
		return p, codeConfig(err)
	case acct.Password != "":
		return acct.Password, nil
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil && a.IsTerminal != nil && a.IsTerminal(int(tty.Fd())) {
		defer tty.Close()
		fmt.Fprintf(tty, "password (or authorization code) for %s: ", user)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		if err != nil {
			return "", exitcode.With(exitcode.Config, fmt.Errorf("reading password: %w", err), "")
		}
		return string(b), nil
	}
	return "", exitcode.With(exitcode.Config, fmt.Errorf("no password for user %q", user),
		"use --password-file FILE, --password-cmd CMD, POSTIE_PASSWORD, or a config account")
}

func (a *App) token(ctx context.Context, f *connFlags, acct *config.Account) (string, error) {
	switch {
	case f.oauthCmd != "":
		t, err := config.RunSecretCmd(ctx, "OAuth 2.0 token", f.oauthCmd)
		return t, codeConfig(err)
	case a.env("POSTIE_OAUTH2_TOKEN") != "":
		return a.env("POSTIE_OAUTH2_TOKEN"), nil
	case acct.OAuth2Cmd != "":
		t, err := config.RunSecretCmd(ctx, "OAuth 2.0 token", acct.OAuth2Cmd)
		return t, codeConfig(err)
	}
	return "", exitcode.With(exitcode.Config, errors.New("no OAuth 2.0 token"), "use --oauth2-token-cmd CMD or POSTIE_OAUTH2_TOKEN")
}

func codeConfig(err error) error {
	if err == nil {
		return nil
	}
	return exitcode.With(exitcode.Config, err, "")
}

func expandHome(p, home string) string {
	if strings.HasPrefix(p, "~/") && home != "" {
		return home + p[1:]
	}
	return p
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func localName() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \r\n\x00") {
		return "localhost"
	}
	return h
}

// bareAddress returns the addr-spec of "Name <addr>" or addr.
func bareAddress(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return s
}

// resolveDirect sets up delivery to the recipients' mail exchangers.
func (a *App) resolveDirect(f *connFlags, s *session, acct *config.Account) (*session, error) {
	switch {
	case f.server != "":
		return nil, usageErr("--direct and --server exclude each other")
	case f.user != "" || f.passwordFile != "" || f.passwordCmd != "":
		return nil, usageErr("--direct delivers to mail exchangers, which take no login; drop --user and the password")
	case f.tls != "auto" && f.tls != "starttls":
		return nil, usageErr("--direct uses STARTTLS as --tls-policy says; --tls starttls is --tls-policy verify")
	}
	opts, t := a.smtpOptions(f, acct.Helo, f.mxPort)
	d := &deliver.Direct{Port: f.mxPort, Options: opts}
	var pool *x509.CertPool
	if cacert := first(f.cacert, acct.CACert); cacert != "" {
		var err error
		if pool, err = loadCAPool(cacert); err != nil {
			return nil, err
		}
		d.Options.TLSConfig = &tls.Config{RootCAs: pool}
	}
	if err := a.directTrust(f, d, pool, s); err != nil {
		return nil, err
	}
	s.tracer, s.direct = t, d
	return s, nil
}

// loadCAPool returns the system's roots plus the CA certificates in path:
// an extra CA, not a replacement.
func loadCAPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, exitcode.With(exitcode.NoInput, fmt.Errorf("--cacert: %w", err), "")
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, exitcode.With(exitcode.Config, fmt.Errorf("--cacert %s: no PEM certificate in it", path), "")
	}
	return pool, nil
}
