package cli

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

func (a *App) accountCmd() *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{Use: "account", Short: i18n.T("List, add, test and remove accounts in the config file"), Args: unknownCommand,
		RunE: func(c *cobra.Command, _ []string) error {
			return usageErr(i18n.Errorf("account needs a subcommand: list, add NAME, test NAME or remove NAME"))
		}}
	cmd.PersistentFlags().StringVar(&cfgPath, "config", "", configHelp())
	accountNames := func(c *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return a.completeAccounts(&cfgPath)(c, args, prefix)
	}
	list := &cobra.Command{
		Use: "list", Short: i18n.T("List accounts (secrets masked)"), Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return a.accountList(cfgPath) },
	}
	var add config.Account
	var noTest bool
	addCmd := &cobra.Command{
		Use:   "add NAME",
		Short: i18n.T("Add an account: provider detected from the address, secret asked with hidden input, login tested, saved 0600"),
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return a.accountAdd(c.Context(), cfgPath, args[0], add, noTest)
		},
	}
	addCmd.Flags().StringVar(&add.From, "from", "", i18n.T("the account's address"))
	addCmd.Flags().StringVar(&add.Server, "server", "", i18n.T("server, if not a known provider"))
	addCmd.Flags().StringVar(&add.Provider, "provider", "", i18n.T("the provider, for an address at your own domain hosted by one (exmail, office365, gmail, ...)"))
	addCmd.RegisterFlagCompletionFunc("provider", fixedValues(config.PresetNames()))
	addCmd.Flags().StringVar(&add.TLS, "tls", "", i18n.T("TLS mode"))
	addCmd.Flags().StringVar(&add.User, "user", "", i18n.T("user name (default: the address)"))
	addCmd.Flags().StringVar(&add.PasswordFile, "password-file", "", i18n.T("file holding the password / authorization code"))
	addCmd.Flags().StringVar(&add.PasswordCmd, "password-cmd", "", i18n.T("command printing the password"))
	addCmd.Flags().StringVar(&add.CACert, "cacert", "", i18n.T("CA file to trust for this server"))
	addCmd.Flags().BoolVar(&noTest, "no-test", false, i18n.T("save without testing the login"))
	test := &cobra.Command{
		Use: "test NAME", Short: i18n.T("Log in with an account and report; sends no mail"), Args: exactArgs(1),
		ValidArgsFunction: accountNames,
		RunE: func(c *cobra.Command, args []string) error {
			return a.runCheck(c.Context(), &request{account: accountFlags{account: args[0], config: cfgPath}}, nil)
		},
	}
	remove := &cobra.Command{
		Use: "remove NAME", Short: i18n.T("Remove an account from the config file (its secret file, if any, is left)"), Args: exactArgs(1),
		ValidArgsFunction: accountNames,
		RunE:              func(c *cobra.Command, args []string) error { return a.accountRemove(cfgPath, args[0]) },
	}
	cmd.AddCommand(list, addCmd, test, remove)
	return cmd
}

func smtpAddr(s string) (string, error) {
	addr := bareAddress(s)
	if err := smtp.CheckAddress(addr); err != nil {
		return "", exitcode.With(exitcode.DataErr, err, "")
	}
	return addr, nil
}

// accountAdd adds an account. The login is tried with the account held
// in memory (the secret never touches a file before it is known to
// work, and never a shared directory); then the secret file (when the
// secret was typed) and the config are written as new private files.
func (a *App) accountAdd(ctx context.Context, cfgPath, name string, add config.Account, noTest bool) error {
	if err := config.ValidAccountName(name); err != nil {
		return usageErr(err)
	}
	f, err := a.loadConfig(cfgPath)
	if err != nil {
		return err
	}
	if _, ok := f.Accounts[name]; ok {
		return usageErr(i18n.Errorf("account %q already exists in %s", name, f.Path))
	}
	tty := a.stdinIsTerminal()
	if add.From == "" {
		if !tty {
			return usageErr(i18n.Errorf("--from is required when not run on a terminal"))
		}
		i18n.Fprintf(a.Stderr, "your address: ")
		line, _ := bufio.NewReader(a.Stdin).ReadString('\n')
		add.From = strings.TrimSpace(line)
	}
	addr, err := smtpAddr(add.From)
	if err != nil {
		return err
	}
	if add.Provider != "" {
		if _, ok := config.PresetByName(add.Provider); !ok {
			return usageErr(i18n.Errorf("--provider %q: want one of %s", add.Provider, strings.Join(config.PresetNames(), ", ")))
		}
	}
	if p, _ := accountPreset(f, name, &add); p != nil && add.Server == "" {
		i18n.Fprintf(a.Stderr, "postie: provider %s: %s, %s\n", p.Name, presetAddr(p), presetTLSName(p))
		i18n.Fprintf(a.Stderr, "postie: note: %s\n", presetAdvice(p))
	} else if add.Server == "" {
		return usageErr(i18n.Errorf("no preset for %s: give --server HOST:PORT, or --provider NAME (%s)", addr, strings.Join(config.PresetNames(), ", ")))
	}
	// Paths are kept absolute: the config is read from any directory.
	for _, p := range []*string{&add.PasswordFile, &add.CACert} {
		if *p != "" && !strings.HasPrefix(*p, "~/") {
			if abs, err := filepath.Abs(*p); err == nil {
				*p = abs
			}
		}
	}
	// The secret: a file or command the user named, or typed now (hidden).
	typed := ""
	if add.PasswordFile == "" && add.PasswordCmd == "" && tty {
		if typed, err = a.fetchSecret(ctx, Secret{Kind: SecretPrompt}, first(add.User, addr)); err != nil {
			return err
		}
	}
	if add.User == "" && add.Server != "" && (add.PasswordFile != "" || add.PasswordCmd != "" || typed != "") {
		add.User = addr
	}
	if !noTest && (add.PasswordFile != "" || add.PasswordCmd != "" || typed != "") {
		i18n.Fprintf(a.Stderr, "postie: testing the login...\n")
		trial := add
		if typed != "" {
			trial.Password = typed
		}
		mem := &config.File{Path: f.Path + " (account " + name + ", not saved yet)", Accounts: map[string]config.Account{name: trial}}
		err := a.runCheck(ctx, &request{account: accountFlags{account: name}, file: mem, noEnv: true}, nil)
		if err != nil {
			return i18n.Errorf("account not saved: %w", err)
		}
	}
	if typed != "" {
		secret := filepath.Join(filepath.Dir(f.Path), name+".secret")
		if err := config.WritePrivate(secret, []byte(typed+"\n")); err != nil {
			return exitcode.With(exitcode.CantCreat, i18n.Errorf("saving the secret: %w", err), "")
		}
		add.PasswordFile = secret
	}
	// The account used so far stays the default: the only one there was,
	// or this one when it is the first.
	def := ""
	if f.Default == "" && len(f.Accounts) <= 1 {
		def = name
		for n := range f.Accounts {
			def = n
		}
	}
	if err := config.AppendAccount(f.Path, name, add, def); err != nil {
		return exitcode.With(exitcode.CantCreat, err, "")
	}
	i18n.Fprintf(a.Stdout, "saved account %q in %s (mode 0600)\n", name, f.Path)
	return nil
}

func (a *App) accountList(cfgPath string) error {
	f, err := a.loadConfig(cfgPath)
	if err != nil {
		return err
	}
	if len(f.Accounts) == 0 {
		i18n.Fprintf(a.Stdout, "no accounts in %s\n", f.Path)
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
		server, user := ac.Server, ac.User
		p, _ := accountPreset(f, n, &ac)
		if server == "" && p != nil {
			server = fmt.Sprintf("%s (preset %s)", presetAddr(p), p.Name)
			user = first(user, bareAddress(ac.From)) // a preset logs in with the address
		}
		if user == "" {
			user = "(none)"
		}
		fmt.Fprintf(a.Stdout, "%s %-12s %-30s %-36s user=%s secret=%s\n", mark, n, ac.From, server, user, secret)
	}
	return nil
}

func (a *App) accountRemove(cfgPath, name string) error {
	f, err := a.loadConfig(cfgPath)
	if err != nil {
		return err
	}
	if _, ok := f.Accounts[name]; !ok {
		return exitcode.With(exitcode.Usage, i18n.Errorf("no account %q in %s", name, f.Path), i18n.T("run 'postie account list' to see the accounts"))
	}
	if err := config.RemoveAccount(f.Path, name); err != nil {
		return exitcode.With(exitcode.CantCreat, err, "")
	}
	i18n.Fprintf(a.Stdout, "removed account %q from %s\n", name, f.Path)
	return nil
}
