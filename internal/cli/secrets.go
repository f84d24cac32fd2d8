package cli

import (
	"context"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

// credentials fetches the login's secret: reads the file, runs the
// command, or asks on the terminal. It is called when a connection is
// about to be made, never earlier.
func (a *App) credentials(ctx context.Context, l *Login) (*smtp.Credentials, error) {
	s, err := a.fetchSecret(ctx, l.Secret, l.User)
	if err != nil {
		return nil, err
	}
	c := &smtp.Credentials{Username: l.User}
	if l.Secret.Token {
		c.Token = s
	} else {
		c.Password = s
	}
	return c, nil
}

func (a *App) fetchSecret(ctx context.Context, s Secret, user string) (string, error) {
	// English: config's errors say it; errtext.go says it in the user's language.
	what := i18n.Mark("password")
	if s.Token {
		what = i18n.Mark("OAuth 2.0 token")
	}
	switch s.Kind {
	case SecretFile:
		p, err := config.ReadSecretFile(s.Value)
		return p, codeConfig(err)
	case SecretCmd:
		p, err := config.RunSecretCmd(ctx, what, s.Value)
		return p, codeConfig(err)
	case SecretLiteral:
		return s.Value, nil
	}
	if s.Token {
		return "", exitcode.With(exitcode.Config, i18n.Errorf("no OAuth 2.0 token"), i18n.T("use --oauth2-token-cmd CMD or POSTIE_OAUTH2_TOKEN"))
	}
	if p, ok, err := a.prompt(i18n.Sprintf("password (or authorization code) for %s: ", user)); ok {
		return p, err
	}
	return "", exitcode.With(exitcode.Config, i18n.Errorf("no password for user %q", user),
		i18n.T("use --password-file FILE, --password-cmd CMD, POSTIE_PASSWORD, or a config account"))
}

// prompt asks on the controlling terminal with the input hidden; ok is
// false when there is no terminal.
func (a *App) prompt(question string) (answer string, ok bool, err error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", false, nil
	}
	defer tty.Close()
	if a.IsTerminal == nil || !a.IsTerminal(int(tty.Fd())) {
		return "", false, nil
	}
	fmt.Fprint(tty, question)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", true, exitcode.With(exitcode.Config, i18n.Errorf("reading the password: %w", err), "")
	}
	return string(b), true, nil
}

func codeConfig(err error) error {
	if err == nil {
		return nil
	}
	return exitcode.With(exitcode.Config, err, "")
}
