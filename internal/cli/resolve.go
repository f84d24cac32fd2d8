package cli

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/postie/postie/config"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

// request is what a command asks for: its flags as given, and what it
// knows about the message.
type request struct {
	server   serverFlags
	login    loginFlags
	account  accountFlags
	output   outputFlags
	transfer transferFlags
	direct   directFlags

	// from is the sender the user named on the command line (--from). With
	// no account in use and no server named, its domain may pick a
	// provider preset. sendmail leaves it empty: a message's From (or -f)
	// never chooses where a secret goes.
	from string
	// wantLogin: log in when a user is known (send, sendmail), or only
	// when one is named (check).
	wantLogin bool

	file     *config.File // a configuration held in memory, instead of the file
	noConfig bool         // use no config file at all (the demo)
	noEnv    bool         // ignore POSTIE_* (account add tests the account alone)
}

func (r *request) env(a *App, k string) string {
	if r.noEnv {
		return ""
	}
	return a.env(k)
}

func (a *App) env(k string) string {
	if a.Getenv == nil {
		return ""
	}
	return a.Getenv(k)
}

// loadConfig is the one loader of the config file: the file --config
// names (which must exist), else the default path (which may not).
func (a *App) loadConfig(path string) (*config.File, error) {
	named := path != ""
	if !named {
		path = config.DefaultPath(a.env)
	}
	f, err := config.Load(path, named)
	if err != nil {
		return nil, exitcode.With(exitcode.Config, err, "")
	}
	return f, nil
}

// resolve decides every setting once: flags > environment > account >
// provider preset > defaults. The rules that keep a secret with its
// server:
//
//   - An account is used when it is named (--account, sendmail -a), or
//     when it is the default and neither --server nor POSTIE_SERVER names
//     a server. An explicit server without --account uses no account, so
//     no account's secret can go there.
//   - An account's server is its server key, or else the preset of its
//     provider key or of its own from address. A message's From, -f or
//     --from never changes it: mail from another address goes through the
//     account's server, as msmtp does.
//   - The tls and cacert of an account, and a preset's TLS mode and login
//     rule (the address is the user name), apply only when that account or
//     preset chose the server.
func (a *App) resolve(req *request) (*Settings, error) {
	file := req.file
	if file == nil && !req.noConfig {
		var err error
		if file, err = a.loadConfig(req.account.config); err != nil {
			return nil, err
		}
		req.file = file
	}
	st := &Settings{}
	acct, name, err := a.accountInUse(req)
	if err != nil {
		return nil, err
	}
	st.Account = name
	envServer := req.env(a, "POSTIE_SERVER")
	st.From, st.account = acct.From, acct
	st.LocalName = first(req.server.helo, acct.Helo, localName())
	st.NoPipelining, st.NoChunking = req.transfer.noPipelining, req.transfer.noChunking
	st.Verbose, st.Quiet, st.Explain = req.output.verbose, req.output.quiet, req.output.explain
	if st.Explain {
		st.Verbose = max(st.Verbose, 1)
	}
	if req.direct.direct {
		return st, a.resolveDirect(req, st)
	}

	// The server, and what comes with it from the same source.
	var (
		server  string
		tlsName string // the tls of the source that chose the server
		userOf  string // the address a preset takes as the user name
		ownedBy = "--server"
	)
	acctPreset, err := accountPreset(file, st.Account, acct)
	if err != nil {
		return nil, err
	}
	switch {
	case req.server.server != "":
		server = req.server.server
	case envServer != "":
		server, ownedBy = envServer, "POSTIE_SERVER"
	case acct.Server != "":
		server, tlsName, ownedBy = acct.Server, acct.TLS, "account"
		st.Preset = acctPreset // named by the provider key: its hints apply
	case acctPreset != nil:
		st.Preset, ownedBy = acctPreset, "account"
		server, tlsName, userOf = presetAddr(acctPreset), first(acct.TLS, acctPreset.TLS), bareAddress(acct.From)
	case st.Account == "" && req.from != "":
		if p, ok := config.PresetForAddress(bareAddress(req.from)); ok {
			st.Preset, ownedBy = &p, "preset"
			server, tlsName, userOf = presetAddr(&p), p.TLS, bareAddress(req.from)
		}
	}
	if server == "" {
		if st.Account != "" {
			return nil, exitcode.With(exitcode.Config, file.KeyError(st.Account, "server", i18n.Errorf("the account names no server, and its from address is at no known provider")),
				i18n.T(`add server = "HOST:PORT" to the account, or give --server`))
		}
		return nil, exitcode.With(exitcode.Usage, i18n.Errorf("no server to send through"),
			i18n.T("give --server HOST[:PORT], or --from an address at a known provider, or configure an account (postie account add); try 'postie serve' for a local one"))
	}
	addr, schemeMode, hasScheme, err := splitServer(server, "587")
	if err != nil {
		if ownedBy == "account" {
			return nil, exitcode.With(exitcode.Config, file.KeyError(st.Account, "server", err), "")
		}
		return nil, exitcode.With(exitcode.Usage, i18n.Errorf("%s: %w", ownedBy, err), serverHint(err))
	}
	r := &RelaySettings{Addr: addr, InsecureSkipVerify: req.server.insecure, AllowInsecureAuth: req.login.allowInsecureAuth}
	st.Relay = r
	r.ClientCert, r.ClientKey = req.server.clientCert, req.server.clientKey
	if (r.ClientCert == "") != (r.ClientKey == "") {
		return nil, usageErr(i18n.Errorf("--client-cert and --client-key go together"))
	}
	r.CACert = req.server.cacert
	if ownedBy == "account" {
		r.CACert = first(r.CACert, acct.CACert)
	}

	// The login: flags, then the environment, then the account in use.
	if req.wantLogin {
		if r.Login, err = a.resolveLogin(req, file, st, acct, userOf); err != nil {
			return nil, err
		}
	}

	// TLS: --tls, else the tls of the source that chose the server, else
	// the scheme, else by port and login.
	if t := strings.ToLower(req.server.tls); t != "" && t != "auto" {
		tlsName = t
	}
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	switch strings.ToLower(tlsName) {
	case "auto", "":
		switch {
		case hasScheme:
			r.TLS = schemeMode
		case port == "465":
			r.TLS = smtp.TLSImplicit
		case r.Login != nil:
			r.TLS = smtp.TLSStartTLS
		default:
			r.TLS = smtp.TLSOpportunistic
		}
	case "implicit", "tls", "smtps":
		r.TLS = smtp.TLSImplicit
	case "starttls":
		r.TLS = smtp.TLSStartTLS
	case "none", "plain":
		r.TLS = smtp.TLSNone
	default:
		return nil, usageErr(i18n.Errorf("--tls %q: want auto, implicit, starttls or none", req.server.tls))
	}
	if r.TLS == smtp.TLSNone && r.Login != nil && !r.AllowInsecureAuth {
		return nil, exitcode.With(exitcode.Unavailable, i18n.Errorf("refusing to send credentials without TLS (--tls none)"),
			i18n.T("use --tls starttls or --tls implicit; --allow-insecure-auth exists for test servers only"))
	}
	st.Timeouts = timeouts(req.server, port)
	return st, nil
}

// accountInUse is the account a request uses (an empty one for none):
// the one named, or the default when neither --server nor POSTIE_SERVER
// names a server. The config file must be loaded (req.file) unless the
// request uses none.
func (a *App) accountInUse(req *request) (*config.Account, string, error) {
	explicit := req.server.server != "" || req.env(a, "POSTIE_SERVER") != ""
	if req.file == nil || req.account.account == "" && explicit && !req.direct.direct {
		return &config.Account{}, "", nil
	}
	acct, name, err := req.file.Account(req.account.account)
	if err != nil {
		return nil, "", exitcode.With(exitcode.Config, err, i18n.T("run 'postie account list' to see the accounts"))
	}
	if acct == nil {
		return &config.Account{}, "", nil
	}
	return acct, name, nil
}

// accountPreset is the preset an account names (provider key) or whose
// domain its own from address is at.
func accountPreset(file *config.File, name string, acct *config.Account) (*config.Preset, error) {
	if acct.Provider != "" {
		p, ok := config.PresetByName(acct.Provider)
		if !ok { // config.Load checks this; an in-memory file may not have been
			return nil, exitcode.With(exitcode.Config, file.KeyError(name, "provider", i18n.Errorf("unknown provider %q", acct.Provider)), "")
		}
		return &p, nil
	}
	if p, ok := config.PresetForAddress(bareAddress(acct.From)); ok {
		return &p, nil
	}
	return nil, nil
}

func presetAddr(p *config.Preset) string { return net.JoinHostPort(p.Host, strconv.Itoa(p.Port)) }

// resolveLogin finds the user, the mechanism and where the secret is.
// userOf is the address that is the user name when a preset chose the
// server.
func (a *App) resolveLogin(req *request, file *config.File, st *Settings, acct *config.Account, userOf string) (*Login, error) {
	f := req.login
	mech := strings.ToLower(f.auth)
	if mech == "auto" {
		mech = ""
	}
	if mech != "" && !contains(config.AuthMechanisms, mech) {
		return nil, usageErr(i18n.Errorf("--auth %q: want %s", f.auth, strings.Join(config.AuthMechanisms, ", ")))
	}
	if mech == "" && strings.ToLower(acct.Auth) != "auto" {
		mech = strings.ToLower(acct.Auth)
	}
	user := first(f.user, req.env(a, "POSTIE_USER"), acct.User, userOf)
	oauth, password := mech == "xoauth2" || mech == "oauthbearer", mech != "" && mech != "xoauth2" && mech != "oauthbearer"

	// Each source in order; in a source, the first secret that suits the
	// mechanism (any, when it is automatic).
	acctName := fmt.Sprintf("account %q", st.Account)
	candidates := []Secret{
		{Kind: SecretFile, Value: f.passwordFile, Origin: "--password-file"},
		{Kind: SecretCmd, Value: f.passwordCmd, Origin: "--password-cmd"},
		{Kind: SecretCmd, Value: f.oauthCmd, Token: true, Origin: "--oauth2-token-cmd"},
		{Kind: SecretLiteral, Value: req.env(a, "POSTIE_PASSWORD"), Origin: "POSTIE_PASSWORD"},
		{Kind: SecretLiteral, Value: req.env(a, "POSTIE_OAUTH2_TOKEN"), Token: true, Origin: "POSTIE_OAUTH2_TOKEN"},
		{Kind: SecretFile, Value: acct.PasswordFile, Origin: acctName + " password_file"},
		{Kind: SecretCmd, Value: acct.PasswordCmd, Origin: acctName + " password_cmd"},
		{Kind: SecretLiteral, Value: acct.Password, Origin: acctName + " password"},
		{Kind: SecretCmd, Value: acct.OAuth2Cmd, Token: true, Origin: acctName + " oauth2_token_cmd"},
	}
	secret := Secret{Kind: SecretPrompt, Token: oauth, Origin: i18n.T("the terminal")}
	for _, c := range candidates {
		if c.Value != "" && !(oauth && !c.Token) && !(password && c.Token) {
			secret = c
			break
		}
	}
	if user == "" {
		if secret.Kind != SecretPrompt && strings.HasPrefix(secret.Origin, "--") {
			return nil, usageErr(i18n.Errorf("%s given but no user name to log in with: add --user", secret.Origin))
		}
		return nil, nil // nobody to log in as: send without AUTH
	}
	return &Login{User: user, Mechanism: strings.ToUpper(mech), Secret: secret}, nil
}

// resolveDirect sets up delivery to the recipients' mail exchangers.
func (a *App) resolveDirect(req *request, st *Settings) error {
	switch {
	case req.server.server != "":
		return usageErr(i18n.Errorf("--direct and --server exclude each other"))
	case req.login.user != "" || req.login.passwordFile != "" || req.login.passwordCmd != "" || req.login.oauthCmd != "":
		return usageErr(i18n.Errorf("--direct delivers to mail exchangers, which take no login; drop --user and the password"))
	}
	policy, err := deliver.ParseTLSPolicy(req.direct.tlsPolicy)
	if err != nil {
		return usageErr(i18n.Errorf("--tls-policy: %v", err))
	}
	switch strings.ToLower(req.server.tls) {
	case "", "auto":
	case "starttls":
		if policy != deliver.PolicyAuto && policy != deliver.PolicyVerify {
			return usageErr(i18n.Errorf("--tls starttls means --tls-policy verify; give one of them"))
		}
		policy = deliver.PolicyVerify
	default:
		return usageErr(i18n.Errorf("--direct uses STARTTLS as --tls-policy says; --tls starttls is --tls-policy verify"))
	}
	if req.direct.dnsServer != "" {
		if _, _, err := net.SplitHostPort(req.direct.dnsServer); err != nil {
			return usageErr(i18n.Errorf("--dns-server %q: want HOST:PORT", req.direct.dnsServer))
		}
	}
	d := &DirectSettings{Port: first(req.direct.mxPort, "25"), Policy: policy, DNSServer: req.direct.dnsServer,
		CACert: req.server.cacert, MTASTSPort: first(req.direct.mtaSTSPort, "443")}
	st.Direct = d
	st.Timeouts = timeouts(req.server, d.Port)
	return nil
}

// timeouts are the RFC 5321 values, with a short greeting wait for an
// interactive client, or --timeout for every step.
func timeouts(f serverFlags, port string) smtp.Timeouts {
	connect := f.connectTimeout
	if connect <= 0 {
		connect = 30 * time.Second
	}
	if t := f.timeout; t > 0 {
		return smtp.Timeouts{Connect: connect, Greeting: t, Command: t, Mail: t, Rcpt: t, DataInit: t, DataBlock: t, DataTerm: t}
	}
	return smtp.Timeouts{Connect: connect, Greeting: greetingTimeout(port)}
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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
