package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/smtp"
)

func (a *App) withPresetHint(sess *session, err error) error {
	var ae *smtp.AuthError
	if errors.As(err, &ae) && ae.Reply.Code == 535 && sess.preset != nil {
		return exitcode.With(exitcode.NoPerm, err, sess.preset.AuthMsg)
	}
	return err
}

func (a *App) accountCmd() *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{Use: "account", Short: "List, add and test accounts in the config file"}
	cmd.PersistentFlags().StringVar(&cfgPath, "config", "", "config file (default $POSTIE_CONFIG or ~/.config/postie/config.toml)")
	load := func(named bool) (*config.File, error) {
		p := cfgPath
		if p == "" {
			p = config.DefaultPath(a.env)
		}
		f, err := config.Load(p, named && cfgPath != "")
		if err != nil {
			return nil, exitcode.With(exitcode.Config, err, "")
		}
		return f, nil
	}
	list := &cobra.Command{
		Use: "list", Short: "List accounts (secrets masked)", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			f, err := load(true)
			if err != nil {
				return err
			}
			if len(f.Accounts) == 0 {
				fmt.Fprintf(a.Stdout, "no accounts in %s\n", f.Path)
				return nil
			}
			for _, n := range f.Names() {
				ac := f.Accounts[n]
				mark := " "
				if n == f.Default {
					mark = "*"
				}
				secret := "none"
				switch {
				case ac.PasswordCmd != "":
					secret = "password_cmd"
				case ac.PasswordFile != "":
					secret = "password_file " + ac.PasswordFile
				case ac.Password != "":
					secret = "password ********"
				case ac.OAuth2Cmd != "":
					secret = "oauth2_token_cmd"
				}
				server := ac.Server
				if server == "" {
					if p, ok := config.PresetForAddress(bareAddress(ac.From)); ok {
						server = fmt.Sprintf("%s:%d (preset %s)", p.Host, p.Port, p.Name)
					}
				}
				fmt.Fprintf(a.Stdout, "%s %-12s %-30s %-36s user=%s secret=%s\n", mark, n, ac.From, server, first(ac.User, bareAddress(ac.From)), secret)
			}
			return nil
		},
	}
	var add config.Account
	addCmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an account: the provider is detected from the address; the password is asked for with hidden input",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := load(false)
			if err != nil {
				return err
			}
			if add.From == "" {
				if !a.stdinIsTerminal() {
					return usageErr("--from is required when not run on a terminal")
				}
				fmt.Fprint(a.Stderr, "address: ")
				line, _ := bufio.NewReader(a.Stdin).ReadString('\n')
				add.From = strings.TrimSpace(line)
			}
			if _, err := smtpAddr(add.From); err != nil {
				return err
			}
			if p, ok := config.PresetForAddress(bareAddress(add.From)); ok && add.Server == "" {
				fmt.Fprintf(a.Stderr, "postie: provider %s: %s:%d (%s)\npostie: note: %s\n", p.Name, p.Host, p.Port, p.TLS, p.AuthMsg)
			} else if add.Server == "" {
				return usageErr("no preset for %s: give --server HOST:PORT", bareAddress(add.From))
			}
			f.Accounts[args[0]] = add
			if f.Default == "" {
				f.Default = args[0]
			}
			if err := f.Save(); err != nil {
				return exitcode.With(exitcode.CantCreat, err, "")
			}
			fmt.Fprintf(a.Stdout, "saved account %q in %s (mode 0600); try it with: postie account test %s\n", args[0], f.Path, args[0])
			return nil
		},
	}
	addCmd.Flags().StringVar(&add.From, "from", "", "the account's address")
	addCmd.Flags().StringVar(&add.Server, "server", "", "server, if not a known provider")
	addCmd.Flags().StringVar(&add.TLS, "tls", "", "TLS mode")
	addCmd.Flags().StringVar(&add.User, "user", "", "user name (default: the address)")
	addCmd.Flags().StringVar(&add.PasswordFile, "password-file", "", "file holding the password / authorization code")
	addCmd.Flags().StringVar(&add.PasswordCmd, "password-cmd", "", "command printing the password")
	test := &cobra.Command{
		Use: "test NAME", Short: "Log in with an account and report; sends no mail", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			p := cfgPath
			if p == "" {
				p = config.DefaultPath(a.env)
			}
			return a.runCheck(c.Context(), &connFlags{account: args[0], configPath: p, tls: "auto", auth: "auto", connectTimeout: 30e9}, "")
		},
	}
	cmd.AddCommand(list, addCmd, test)
	return cmd
}

func smtpAddr(s string) (string, error) {
	addr := bareAddress(s)
	if err := smtp.CheckAddress(addr); err != nil {
		return "", exitcode.With(exitcode.DataErr, err, "")
	}
	return addr, nil
}

var _ = context.Background
