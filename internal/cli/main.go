// Package cli is the postie command: subcommands, flags, output, hints.
// Main is its one exit point; every error is mapped to a sysexits code by
// package exitcode.
package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/smtp"
)

// App carries the process's edges so tests can run commands in-process.
type App struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// IsTerminal reports whether a file descriptor is a terminal.
	IsTerminal func(fd int) bool
	// Dialer opens connections to servers (nil: the system's); tests
	// route provider hosts to loopback with it.
	Dialer smtp.Dialer
}

// Main runs postie with args (args[0] is the program name) and returns the
// exit code. Run through a link named "sendmail", it is sendmail.
func Main(args []string) int {
	app := &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, IsTerminal: term.IsTerminal}
	// Ctrl-C and SIGTERM cancel the context: blocked reads end at once,
	// temporary files are removed, and postie exits 130.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return app.Run(ctx, args)
}

// Run is Main with explicit edges.
func (a *App) Run(ctx context.Context, args []string) (code int) {
	// The language of every message for people, from the locale; English
	// reads no catalogue. Errors made below the CLI are English values:
	// in another language they are written from their types (errtext.go).
	i18n.SetLang(i18n.Detect(a.Getenv))
	if i18n.Current() != i18n.EN {
		i18n.SetErrorText(errorText)
	}
	defer func() {
		if r := recover(); r != nil {
			i18n.Fprintf(a.Stderr, "postie: error: internal error: %v\n", r)
			i18n.Fprintf(a.Stderr, "postie: hint: %s\n", i18n.T("this is a bug in postie; please report it with the command you ran"))
			code = exitcode.Software
		}
	}()
	var err error
	if len(args) > 0 && strings.HasPrefix(filepath.Base(args[0]), "sendmail") {
		err = a.sendmail(ctx, args[1:])
	} else {
		root := a.root(args[1:])
		root.SetArgs(args[1:])
		root.SetIn(a.Stdin)
		root.SetOut(a.Stdout)
		root.SetErr(a.Stderr)
		started := false
		root.PersistentPreRun = func(*cobra.Command, []string) { started = true }
		err = root.ExecuteContext(ctx)
		var c *exitcode.Coded
		if err != nil && !started && !errors.As(err, &c) {
			// cobra refused the command line before any command ran (an
			// unknown command, a wrong number of arguments): usage.
			err = exitcode.With(exitcode.Usage, err, i18n.T("run 'postie help' for usage"))
		}
	}
	if err == nil {
		return exitcode.OK
	}
	var silent *silentError
	if !errors.As(err, &silent) {
		a.printError(err)
	}
	return exitcode.For(err)
}

// silentError has already been reported (e.g. per recipient); only the
// exit code is left to give.
type silentError struct{ err error }

func (e *silentError) Error() string { return e.err.Error() }
func (e *silentError) Unwrap() error { return e.err }

func (a *App) printError(err error) {
	msg := textsafe.Line(errText(err))
	if errors.Is(err, context.Canceled) {
		// Not "context canceled": the user pressed Ctrl-C.
		msg = i18n.T("interrupted")
		if errors.Is(err, smtp.ErrMaybeDelivered) {
			msg = i18n.T("interrupted after the message was sent: it may have been delivered")
		}
	}
	i18n.Fprintf(a.Stderr, "postie: error: %s\n", msg)
	if h := hintFor(err); h != "" {
		i18n.Fprintf(a.Stderr, "postie: hint: %s\n", textsafe.Line(h))
	}
}

// root builds the command tree for args. When args start with a
// subcommand's name only that subcommand is built: a plain 'postie send'
// does not pay for the flags of every other command (start-up time).
// Help, completion and unknown names get the whole tree.
func (a *App) root(args []string) *cobra.Command {
	root := &cobra.Command{
		Use:           "postie",
		Short:         i18n.T("postie sends mail over SMTP, and shows you the whole dialogue"),
		SilenceErrors: true,
		SilenceUsage:  true,
		Long: i18n.T(`postie sends mail over SMTP: through your provider (163, QQ, Gmail, ...),
through any relay, or to a local server it carries itself (postie serve).

  postie demo                      see a whole SMTP dialogue, offline
  postie send --to bob@qq.com --subject hi --text hello -v
  postie check --server smtp.163.com:465
  postie sendmail -t < message.eml

Exit codes follow sysexits(3): 0 sent, 64 usage, 65 bad message, 66 no input,
67 recipient rejected, 68 no mail host (--direct), 69 refused, 75 not sent:
try again later, 76 protocol error, 77 authentication failed, 78 configuration;
and 79 may have been delivered (do not resend blindly), 130 interrupted.`),
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.Args = unknownCommand
	root.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.With(exitcode.Usage, flagError(err), i18n.Sprintf("run '%s --help' for usage", c.CommandPath()))
	})
	commands := []struct {
		name string
		make func() *cobra.Command
	}{
		{"send", a.sendCmd}, {"serve", a.serveCmd}, {"demo", a.demoCmd}, {"check", a.checkCmd},
		{"sendmail", a.sendmailCmd}, {"account", a.accountCmd}, {"dkim", a.dkimCmd}, {"queue", a.queueCmd}, {"merge", a.mergeCmd}, {"completion", a.completionCmd},
	}
	for _, c := range commands {
		if len(args) > 0 && args[0] == c.name {
			root.AddCommand(c.make())
			localizeHelp(root)
			return root
		}
	}
	for _, c := range commands {
		root.AddCommand(c.make())
	}
	root.Version = version()
	root.SetVersionTemplate("postie {{.Version}}\n")
	localizeHelp(root)
	return root
}

func (a *App) completionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: i18n.T("Print a shell completion script"),
		Long: i18n.T(`Print a shell completion script. For bash (it needs the bash-completion
package, e.g. Debian's bash-completion):

  postie completion bash > ~/.local/share/bash-completion/completions/postie

zsh:  postie completion zsh > "${fpath[1]}/_postie"
fish: postie completion fish > ~/.config/fish/completions/postie.fish

Completed: subcommands, flags, the values of --tls and --auth, and account
names (--account, account test/remove).`),
		Args:      exactArgs(1),
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(a.Stdout, true)
			case "zsh":
				return root.GenZshCompletion(a.Stdout)
			case "fish":
				return root.GenFishCompletion(a.Stdout, true)
			}
			return exitcode.With(exitcode.Usage, i18n.Errorf("unknown shell %q (want bash, zsh or fish)", args[0]), "")
		},
	}
}

// unknownCommand refuses arguments a command with subcommands does not
// take, suggesting the closest subcommand.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := i18n.Sprintf("run '%s --help' for the commands", c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		hint = i18n.Sprintf("did you mean '%s %s'?", c.CommandPath(), s[0])
	}
	return exitcode.With(exitcode.Usage, i18n.Errorf("unknown command %q for %q", args[0], c.CommandPath()), hint)
}

// exactArgs wants n arguments.
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return exitcode.With(exitcode.Usage, i18n.Errorf("%s takes %d argument(s), got %d", c.CommandPath(), n, len(args)),
				i18n.Sprintf("run '%s --help' for usage", c.CommandPath()))
		}
		return nil
	}
}

// noArgs wants none.
func noArgs(c *cobra.Command, args []string) error { return exactArgs(0)(c, args) }

// maxArgs wants at most n.
func maxArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) > n {
			return exitcode.With(exitcode.Usage, i18n.Errorf("%s takes at most %d argument(s), got %d", c.CommandPath(), n, len(args)),
				i18n.Sprintf("run '%s --help' for usage", c.CommandPath()))
		}
		return nil
	}
}

// usageErr is a usage error (64) made of an error in the user's language
// (i18n.Errorf).
func usageErr(err error) error { return exitcode.With(exitcode.Usage, err, "") }

func (a *App) stdinIsTerminal() bool {
	f, ok := a.Stdin.(*os.File)
	return ok && a.IsTerminal != nil && a.IsTerminal(int(f.Fd()))
}

func (a *App) stderrIsTerminal() bool {
	f, ok := a.Stderr.(*os.File)
	return ok && a.IsTerminal != nil && a.IsTerminal(int(f.Fd()))
}
