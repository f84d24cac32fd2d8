package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	var noTest bool
	addCmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an account: provider detected from the address, secret asked with hidden input, login tested, saved 0600",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := load(false)
			if err != nil {
				return err
			}
			name := args[0]
			if _, ok := f.Accounts[name]; ok {
				return usageErr("account %q already exists in %s", name, f.Path)
			}
			tty := a.stdinIsTerminal()
			in := bufio.NewReader(a.Stdin)
			if add.From == "" {
				if !tty {
					return usageErr("--from is required when not run on a terminal")
				}
				fmt.Fprint(a.Stderr, "your address: ")
				line, _ := in.ReadString('\n')
				add.From = strings.TrimSpace(line)
			}
			addr, err := smtpAddr(add.From)
			if err != nil {
				return err
			}
			if p, ok := config.PresetForAddress(addr); ok && add.Server == "" {
				fmt.Fprintf(a.Stderr, "postie: provider %s: %s:%d, %s TLS\npostie: note: %s\n", p.Name, p.Host, p.Port, p.TLS, p.AuthMsg)
			} else if add.Server == "" {
				return usageErr("no preset for %s: give --server HOST:PORT", addr)
			}
			// The secret: a file the user named, or typed now (hidden) and
			// stored in a 0600 file beside the config.
			if add.PasswordFile == "" && add.PasswordCmd == "" && tty {
				pw, err := a.password(c.Context(), &connFlags{}, &config.Account{}, first(add.User, addr))
				if err != nil {
					return err
				}
				secret := filepath.Join(filepath.Dir(f.Path), name+".secret")
				if err := os.MkdirAll(filepath.Dir(secret), 0o700); err != nil {
					return exitcode.With(exitcode.CantCreat, err, "")
				}
				if err := os.WriteFile(secret, []byte(pw+"\n"), 0o600); err != nil {
					return exitcode.With(exitcode.CantCreat, err, "")
				}
				add.PasswordFile = secret
			}
			if add.User == "" && add.Server != "" && (add.PasswordFile != "" || add.PasswordCmd != "") {
				add.User = addr
			}
			f.Accounts[name] = add
			if f.Default == "" {
				f.Default = name
			}
			if !noTest && (add.PasswordFile != "" || add.PasswordCmd != "") {
				fmt.Fprintf(a.Stderr, "postie: testing the login...\n")
				tmp := *f
				tmp.Path = filepath.Join(os.TempDir(), fmt.Sprintf("postie-account-test-%d.toml", os.Getpid()))
				if err := tmp.Save(); err != nil {
					return exitcode.With(exitcode.CantCreat, err, "")
				}
				err := a.runCheck(c.Context(), &connFlags{account: name, configPath: tmp.Path, tls: "auto", auth: "auto", connectTimeout: 30e9}, "", nil)
				os.Remove(tmp.Path)
				if err != nil {
					return fmt.Errorf("account not saved: %w", err)
				}
			}
			if err := f.Save(); err != nil {
				return exitcode.With(exitcode.CantCreat, err, "")
			}
			fmt.Fprintf(a.Stdout, "saved account %q in %s (mode 0600)\n", name, f.Path)
			return nil
		},
	}
	addCmd.Flags().StringVar(&add.From, "from", "", "the account's address")
	addCmd.Flags().StringVar(&add.Server, "server", "", "server, if not a known provider")
	addCmd.Flags().StringVar(&add.TLS, "tls", "", "TLS mode")
	addCmd.Flags().StringVar(&add.User, "user", "", "user name (default: the address)")
	addCmd.Flags().StringVar(&add.PasswordFile, "password-file", "", "file holding the password / authorization code")
	addCmd.Flags().StringVar(&add.PasswordCmd, "password-cmd", "", "command printing the password")
	addCmd.Flags().StringVar(&add.CACert, "cacert", "", "CA file to trust for this server")
	addCmd.Flags().BoolVar(&noTest, "no-test", false, "save without testing the login")
	test := &cobra.Command{
		Use: "test NAME", Short: "Log in with an account and report; sends no mail", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			p := cfgPath
			if p == "" {
				p = config.DefaultPath(a.env)
			}
			return a.runCheck(c.Context(), &connFlags{account: args[0], configPath: p, tls: "auto", auth: "auto", connectTimeout: 30e9}, "", nil)
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
