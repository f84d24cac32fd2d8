package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/postie/postie/internal/i18n"
)

// localizeHelp gives the command tree's help the user's language: the
// headings of the usage text, the flags' defaults, and the -h, --version
// and help command cobra would otherwise add in English. The commands'
// own texts were translated when they were built. English keeps cobra's
// own help, untouched.
func localizeHelp(root *cobra.Command) {
	if i18n.Current() == i18n.EN {
		return
	}
	root.SetUsageFunc(usage)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("help") == nil {
			c.Flags().BoolP("help", "h", false, i18n.Sprintf("help for %s", c.Name()))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if root.Version != "" && root.Flags().Lookup("version") == nil {
		root.Flags().BoolP("version", "v", false, i18n.Sprintf("version for %s", root.Name()))
	}
	if root.HasSubCommands() {
		root.SetHelpCommand(helpCmd())
	}
}

// helpCmd is cobra's help command, in the user's language.
func helpCmd() *cobra.Command {
	h := &cobra.Command{
		Use:   "help [command]",
		Short: i18n.T("Help about any command"),
		Long:  i18n.T("Help shows the help of any command: postie help [command...]."),
		ValidArgsFunction: func(c *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil || cmd == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), prefix) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, _, err := c.Root().Find(args)
			if cmd == nil || err != nil {
				i18n.Fprintf(c.OutOrStdout(), "Unknown help topic %q\n", strings.Join(args, " "))
				return c.Root().Usage()
			}
			return cmd.Help()
		},
	}
	h.Flags().BoolP("help", "h", false, i18n.Sprintf("help for %s", "help"))
	return h
}

// usage is cobra's default usage text with its headings translated (the
// commands postie builds have no aliases, groups or help topics).
func usage(c *cobra.Command) error {
	w := c.OutOrStderr()
	i18n.Fprintf(w, "Usage:")
	if c.Runnable() {
		fmt.Fprintf(w, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [command]", c.CommandPath())
	}
	if c.HasExample() {
		i18n.Fprintf(w, "\n\nExamples:\n")
		fmt.Fprint(w, c.Example)
	}
	if c.HasAvailableSubCommands() {
		i18n.Fprintf(w, "\n\nAvailable Commands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		i18n.Fprintf(w, "\n\nFlags:\n")
		fmt.Fprint(w, strings.TrimRight(flagUsages(c.LocalFlags()), " \t\n"))
	}
	if c.HasAvailableInheritedFlags() {
		i18n.Fprintf(w, "\n\nGlobal Flags:\n")
		fmt.Fprint(w, strings.TrimRight(flagUsages(c.InheritedFlags()), " \t\n"))
	}
	if c.HasAvailableSubCommands() {
		i18n.Fprintf(w, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	fmt.Fprintln(w)
	return nil
}

// flagUsages is pflag's FlagUsages with "(default …)" in the user's
// language: one line per flag, the usages aligned.
func flagUsages(fs *pflag.FlagSet) string {
	var lines []string
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		line := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			line = "  -" + f.Shorthand + ", --" + f.Name
		}
		name, text := pflag.UnquoteUsage(f)
		if name != "" {
			line += " " + name
		}
		line += "\x00"
		width = max(width, len(line))
		if !zeroDefault(f.DefValue) {
			def := f.DefValue
			if f.Value.Type() == "string" {
				def = fmt.Sprintf("%q", def)
			}
			text += i18n.Sprintf(" (default %s)", def)
		}
		lines = append(lines, line+text)
	})
	var b strings.Builder
	for _, l := range lines {
		i := strings.IndexByte(l, 0)
		fmt.Fprintln(&b, l[:i], strings.Repeat(" ", width-i), l[i+1:])
	}
	return b.String()
}

func zeroDefault(v string) bool {
	switch v {
	case "", "0", "0s", "false", "[]", "<nil>":
		return true
	}
	return false
}

// flagError says what pflag refused, in the user's language, from the
// error's type; pflag's own English sentence otherwise.
func flagError(err error) error {
	if i18n.Current() == i18n.EN {
		return err
	}
	var ne *pflag.NotExistError
	var vr *pflag.ValueRequiredError
	var iv *pflag.InvalidValueError
	var is *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() != "":
		return i18n.Errorf("unknown flag: -%s in -%s", ne.GetSpecifiedName(), ne.GetSpecifiedShortnames())
	case errors.As(err, &ne):
		return i18n.Errorf("unknown flag: --%s", ne.GetSpecifiedName())
	case errors.As(err, &vr):
		return i18n.Errorf("flag needs an argument: --%s", vr.GetFlag().Name)
	case errors.As(err, &iv):
		return i18n.Errorf("invalid argument %q for --%s: %w", iv.GetValue(), iv.GetFlag().Name, errors.Unwrap(iv))
	case errors.As(err, &is):
		return i18n.Errorf("bad flag syntax: %s", is.GetSpecifiedFlag())
	}
	return err
}
