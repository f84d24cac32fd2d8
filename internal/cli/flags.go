package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/postie/postie/config"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/i18n"
)

// The flags, in groups; each command adds the groups that mean something
// to it. Every group's zero value is the default, so a command that builds
// a request by hand (sendmail, account test, the demo) leaves out what it
// does not set. Flags are read only by resolve, which turns them into
// Settings; nothing below the CLI sees a flag.

// serverFlags say which relay to use and how to talk to it.
type serverFlags struct {
	server, tls           string // tls: "" or "auto" = auto
	cacert                string
	clientCert, clientKey string
	insecure              bool
	helo                  string
	timeout               time.Duration
	connectTimeout        time.Duration // 0: 30s
}

func (f *serverFlags) add(c *cobra.Command) {
	fs := c.Flags()
	fs.StringVar(&f.server, "server", "", i18n.T("server: HOST[:PORT], smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] (implicit TLS)"))
	fs.StringVar(&f.tls, "tls", "auto", i18n.T("TLS mode: auto|implicit|starttls|none (auto: implicit on 465, else STARTTLS, required when logging in)"))
	fs.StringVar(&f.cacert, "cacert", "", i18n.T("also trust the CA certificates in this PEM file"))
	fs.StringVar(&f.clientCert, "client-cert", "", i18n.T("present this client certificate (PEM) in the TLS handshake"))
	fs.StringVar(&f.clientKey, "client-key", "", i18n.T("the client certificate's private key (PEM)"))
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, i18n.T("do not verify the server certificate (dangerous; warns on every use)"))
	fs.StringVar(&f.helo, "helo", "", i18n.T("name to give in EHLO/HELO (default: this host's name)"))
	fs.DurationVar(&f.timeout, "timeout", 0, i18n.T("timeout for each command and reply (default: RFC 5321 values; the greeting 10s, 60s on port 25)"))
	fs.DurationVar(&f.connectTimeout, "connect-timeout", 30*time.Second, i18n.T("timeout for connecting and the TLS handshake"))
	c.RegisterFlagCompletionFunc("tls", fixedValues(config.TLSModes))
}

// loginFlags say whom to log in as and where the secret comes from.
type loginFlags struct {
	user                      string
	passwordFile, passwordCmd string
	auth                      string // "" or "auto" = the strongest offered
	oauthCmd                  string
	allowInsecureAuth         bool
}

func (f *loginFlags) add(c *cobra.Command) {
	fs := c.Flags()
	fs.StringVar(&f.user, "user", "", i18n.T("user name to log in with (usually your address)"))
	fs.StringVar(&f.passwordFile, "password-file", "", i18n.T("read the password (or authorization code) from this file (yours, mode 0600)"))
	fs.StringVar(&f.passwordCmd, "password-cmd", "", i18n.T("run this command (sh -c) and use its first output line as the password"))
	fs.StringVar(&f.auth, "auth", "auto", i18n.T("AUTH mechanism: auto|plain|login|cram-md5|xoauth2|oauthbearer"))
	fs.StringVar(&f.oauthCmd, "oauth2-token-cmd", "", i18n.T("run this command for an OAuth 2.0 access token (or set POSTIE_OAUTH2_TOKEN)"))
	fs.BoolVar(&f.allowInsecureAuth, "allow-insecure-auth", false, i18n.T("allow sending credentials without TLS (test servers only; warns on every use)"))
	c.RegisterFlagCompletionFunc("auth", fixedValues(config.AuthMechanisms))
}

// accountFlags choose the config file and the account in it.
type accountFlags struct {
	account string
	config  string // "" = $POSTIE_CONFIG, $XDG_CONFIG_HOME/postie/config.toml, ~/.config/postie/config.toml
}

func configHelp() string {
	return i18n.T("config file (default $POSTIE_CONFIG, else $XDG_CONFIG_HOME/postie/config.toml, else ~/.config/postie/config.toml)")
}

func (f *accountFlags) add(a *App, c *cobra.Command) {
	fs := c.Flags()
	fs.StringVar(&f.account, "account", "", i18n.T("use this account from the config file"))
	fs.StringVar(&f.config, "config", "", configHelp())
	c.RegisterFlagCompletionFunc("account", a.completeAccounts(&f.config))
}

// addSendFlags adds the groups of a command that sends (send, merge):
// server, login, account, output, transfer and direct.
func (r *request) addSendFlags(a *App, c *cobra.Command) {
	fs := c.Flags()
	r.server.add(c)
	r.login.add(c)
	r.account.add(a, c)
	r.output.add(fs)
	r.transfer.add(fs)
	r.direct.add(fs)
}

// outputFlags say how much to print.
type outputFlags struct {
	verbose int
	explain bool // a sentence under each line of the dialogue (implies -v)
	quiet   bool
}

func (f *outputFlags) add(fs *pflag.FlagSet) {
	fs.CountVarP(&f.verbose, "verbose", "v", i18n.T("show the SMTP dialogue on stderr (-vv: with the message)"))
	fs.BoolVar(&f.explain, "explain", false, i18n.T("with -v: explain each line of the dialogue (in Chinese when LANG says zh)"))
	fs.BoolVarP(&f.quiet, "quiet", "q", false, i18n.T("print nothing on success"))
}

// transferFlags turn off extensions (send only).
type transferFlags struct {
	noPipelining, noChunking bool
}

func (f *transferFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&f.noPipelining, "no-pipelining", false, i18n.T("do not use PIPELINING even when offered"))
	fs.BoolVar(&f.noChunking, "no-chunking", false, i18n.T("do not use BDAT (CHUNKING) even when offered"))
}

// directFlags ask for delivery to the recipients' mail exchangers (send),
// or for a look at how a domain would be reached (check).
type directFlags struct {
	direct     bool
	dnsServer  string
	tlsPolicy  string
	mxPort     string // "" = 25; a test hook, hidden
	mtaSTSPort string // "" = 443; a test hook, hidden
}

func (f *directFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&f.direct, "direct", false, i18n.T("deliver straight to each recipient domain's MX on port 25, without a relay or login (--tls starttls: require a verified certificate)"))
	fs.StringVar(&f.dnsServer, "dns-server", "", i18n.T("with --direct: ask this DNS server (HOST:PORT) instead of the system's"))
	fs.StringVar(&f.tlsPolicy, "tls-policy", "", i18n.Sprintf("with --direct: TLS to the MX hosts: %s (default: DANE where published, else MTA-STS where published, else may)", strings.Join(deliver.TLSPolicies, "|")))
	fs.StringVar(&f.mxPort, "mx-port", "", i18n.T("with --direct: the mail exchangers' port, for tests"))
	fs.StringVar(&f.mtaSTSPort, "mta-sts-port", "", i18n.T("with --direct: the HTTPS port of MTA-STS policy hosts, for tests"))
	fs.MarkHidden("mx-port")
	fs.MarkHidden("mta-sts-port")
}

// fixedValues completes a flag from a fixed list.
func fixedValues(vals []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, v := range vals {
			if strings.HasPrefix(v, prefix) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeAccounts completes account names from the config file that
// --config names (or the default one).
func (a *App) completeAccounts(cfgPath *string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		f, err := a.loadConfig(*cfgPath)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, n := range f.Names() {
			if strings.HasPrefix(n, prefix) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// listValue is a repeatable string flag (each use adds one value), like
// pflag's StringArray but without its per-flag CSV encoder: building the
// flags is part of every run's start-up.
type listValue struct{ p *[]string }

func (v listValue) Set(s string) error { *v.p = append(*v.p, s); return nil }
func (v listValue) Type() string       { return "stringArray" }
func (v listValue) String() string {
	return strings.Join(*v.p, ",") // "" when unset: help shows no default
}

func listVar(fs *pflag.FlagSet, p *[]string, name, usage string) {
	fs.Var(listValue{p}, name, usage)
}
