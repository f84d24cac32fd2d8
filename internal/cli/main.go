// Package cli is the postie command: subcommands, flags, output, hints.
// Main is its one exit point; every error is mapped to a sysexits code by
// package exitcode.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/postie/postie/internal/exitcode"
)

// App carries the process's edges so tests can run commands in-process.
type App struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// IsTerminal reports whether a file descriptor is a terminal.
	IsTerminal func(fd int) bool
}

// Main runs postie with args (args[0] is the program name) and returns the
// exit code. Run through a link named "sendmail", it is sendmail.
func Main(args []string) int {
	app := &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, IsTerminal: term.IsTerminal}
	// SIGTERM too: a cron job or service stop ends postie the way Ctrl-C
	// does, through the same cleanup and exit code.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return app.Run(ctx, args)
}

// Run is Main with explicit edges.
func (a *App) Run(ctx context.Context, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(a.Stderr, "postie: error: internal error: %v\n", r)
			fmt.Fprintf(a.Stderr, "postie: hint: this is a bug in postie; please report it with the command you ran\n")
			code = exitcode.Software
		}
	}()
	var err error
	if len(args) > 0 && strings.HasPrefix(filepath.Base(args[0]), "sendmail") {
		err = a.sendmail(ctx, args[1:])
	} else {
		root := a.root()
		root.SetArgs(args[1:])
		root.SetIn(a.Stdin)
		root.SetOut(a.Stdout)
		root.SetErr(a.Stderr)
		err = root.ExecuteContext(ctx)
		if err != nil && isCobraUsage(err) {
			err = exitcode.With(exitcode.Usage, err, "run 'postie help' for usage")
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

func isCobraUsage(err error) bool {
	var c *exitcode.Coded
	if errors.As(err, &c) {
		return false
	}
	s := err.Error()
	// Flag errors are coded by SetFlagErrorFunc; what is left from cobra
	// is argument-count and command-name errors.
	for _, p := range []string{"unknown command ", "accepts ", "requires at least ", "requires exactly "} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return strings.HasPrefix(s, "if any flags in the group")
}

func (a *App) printError(err error) {
	msg := oneLine(err.Error())
	fmt.Fprintf(a.Stderr, "postie: error: %s\n", msg)
	if h := hintFor(err); h != "" {
		fmt.Fprintf(a.Stderr, "postie: hint: %s\n", oneLine(h))
	}
}

// oneLine keeps an error on one line and free of terminal controls.
func oneLine(s string) string {
	return escapeControls(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", " "), "\n", " "))
}

func (a *App) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "postie",
		Short:         "postie sends mail over SMTP, and shows you the whole dialogue",
		SilenceErrors: true,
		SilenceUsage:  true,
		Long: `postie sends mail over SMTP: through your provider (163, QQ, Gmail, ...),
through any relay, or to a local server it carries itself (postie serve).

  postie demo                      see a whole SMTP dialogue, offline
  postie send --to bob@qq.com --subject hi --text hello -v
  postie check --server smtp.163.com:465
  postie sendmail -t < message.eml

Exit codes follow sysexits(3): 0 sent, 64 usage, 65 bad message, 66 no input,
67 recipient rejected, 69 refused, 75 try again later, 76 protocol error,
77 authentication failed, 78 configuration.`,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(a.sendCmd(), a.serveCmd(), a.demoCmd(), a.checkCmd(), a.sendmailCmd(), a.accountCmd(), a.dkimCmd(), a.completionCmd())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.With(exitcode.Usage, err, "run 'postie "+c.Name()+" --help' for usage")
	})
	return root
}

func (a *App) completionCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "completion bash|zsh|fish",
		Short:     "Print a shell completion script",
		Args:      cobra.ExactArgs(1),
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
			return exitcode.With(exitcode.Usage, fmt.Errorf("unknown shell %q (want bash, zsh or fish)", args[0]), "")
		},
	}
}

func usageErr(format string, args ...any) error {
	return exitcode.With(exitcode.Usage, fmt.Errorf(format, args...), "")
}

func (a *App) stdinIsTerminal() bool {
	f, ok := a.Stdin.(*os.File)
	return ok && a.IsTerminal != nil && a.IsTerminal(int(f.Fd()))
}

func (a *App) stderrIsTerminal() bool {
	f, ok := a.Stderr.(*os.File)
	return ok && a.IsTerminal != nil && a.IsTerminal(int(f.Fd()))
}
