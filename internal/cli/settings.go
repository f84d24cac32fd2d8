package cli

import (
	"time"

	"github.com/postie/postie/config"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/smtp"
)

// Settings is everything decided about how to send, resolved once by
// resolve from flags > environment > account > provider preset > defaults.
// Commands turn Settings into a Sender (newSender); nothing below reads a
// flag, the environment or the config file again.
type Settings struct {
	// Account is the account in use ("" for none) and From its address,
	// the sender when the command gives none.
	Account string
	From    string
	// Preset is the provider whose server is used; its advice is the
	// hint when the login is refused.
	Preset *config.Preset
	// account is the account in use (empty when none): its DKIM keys.
	account *config.Account

	Relay  *RelaySettings  // set for a relay (smarthost)
	Direct *DirectSettings // set instead for delivery to the MX hosts

	LocalName    string // EHLO name
	Timeouts     smtp.Timeouts
	NoPipelining bool
	NoChunking   bool
	Verbose      int  // 1: the dialogue on stderr; 2: with the message
	Explain      bool // a sentence under each line of the dialogue
	Quiet        bool // nothing on success
}

// RelaySettings say how to reach one submission server.
type RelaySettings struct {
	Addr   string // host:port
	TLS    smtp.TLSMode
	CACert string // extra CA file, added to the system's

	ClientCert, ClientKey string
	InsecureSkipVerify    bool

	Login             *Login // nil: no AUTH
	AllowInsecureAuth bool
}

// Login is whom to log in as. The secret is only located here; it is
// fetched (a command run, a file read, a prompt) when a connection needs
// it, so a route can be kept or queued without the secret.
type Login struct {
	User      string
	Mechanism string // upper case; "" for the strongest both sides have
	Secret    Secret
}

// Secret is where a password or OAuth 2.0 token comes from.
type Secret struct {
	Kind   SecretKind
	Value  string // the file, the command line, or (SecretLiteral) the secret
	Token  bool   // an OAuth 2.0 access token, not a password
	Origin string // named in errors: "--password-file", `account "work" password_cmd`, ...
}

// SecretKind tells the sources of a secret apart.
type SecretKind int

const (
	SecretPrompt  SecretKind = iota // ask on the terminal
	SecretFile                      // first line of a private file
	SecretCmd                       // first line a command prints
	SecretLiteral                   // given as is (environment, config password key)
)

// DirectSettings say how to deliver to the recipients' mail exchangers.
type DirectSettings struct {
	Port       string            // "25" unless a test says otherwise
	Policy     deliver.TLSPolicy // TLS to the MX hosts (auto: DANE, else MTA-STS, else may)
	DNSServer  string            // HOST:PORT; "" for the system's resolver
	CACert     string            // extra CA file
	MTASTSPort string            // HTTPS port of MTA-STS policy hosts ("443"; tests change it)
}

// greetingTimeout is how long an interactive client waits for the 220:
// submission servers greet at once, and a STARTTLS client on an
// implicit-TLS port would otherwise sit five minutes on a silent port;
// only port 25 may hold the greeting back on purpose (postscreen's greet
// pause, 6s).
func greetingTimeout(port string) time.Duration {
	if port == "25" {
		return 60 * time.Second
	}
	return 10 * time.Second
}
