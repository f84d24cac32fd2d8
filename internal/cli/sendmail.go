package cli

import (
	"bufio"
	"context"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

func (a *App) sendmailCmd() *cobra.Command {
	return &cobra.Command{
		Use:                sendmailUsage,
		Short:              i18n.T("Behave like sendmail: read a whole message on stdin and send it"),
		Long:               sendmailHelp(),
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			return a.sendmail(c.Context(), args)
		},
	}
}

type sendmailArgs struct {
	help      bool
	readRcpts bool
	dotIsEnd  bool
	from      string
	fullName  string
	verbose   int
	config    string
	account   string
	rcpts     []string
	dsnNotify string
	dsnRet    string
	envID     string

	queueOnly bool          // -odq: into the outbox, not tried now
	queueDir  string        // -oQDIR
	runQueue  bool          // -q: run the outbox instead of reading a message
	interval  time.Duration // -q30m: keep running, looking this often
	listQueue bool          // -bp: list the outbox (mailq)
}

// parseSendmailArgs reads sendmail's traditional argv by hand: options
// may be joined to their values (-fADDR) or separate (-f ADDR), and
// unknown harmless options are accepted, as sendmail does.
func parseSendmailArgs(args []string) (*sendmailArgs, error) {
	s := &sendmailArgs{dotIsEnd: true}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			s.rcpts = append(s.rcpts, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			s.rcpts = append(s.rcpts, arg)
			continue
		}
		value := func(opt string) (string, error) {
			if v := arg[len(opt):]; v != "" {
				return v, nil
			}
			if i+1 >= len(args) {
				return "", i18n.Errorf("sendmail option %s needs a value", opt)
			}
			i++
			return args[i], nil
		}
		var err error
		switch {
		case arg == "-t":
			s.readRcpts = true
		case arg == "-i", arg == "-oi":
			s.dotIsEnd = false
		case arg == "-v":
			s.verbose++
		case arg == "--help", arg == "-h":
			return &sendmailArgs{help: true}, nil
		case strings.HasPrefix(arg, "-f"), strings.HasPrefix(arg, "-r"):
			s.from, err = value(arg[:2])
		case strings.HasPrefix(arg, "-F"):
			s.fullName, err = value("-F")
		case strings.HasPrefix(arg, "-C"):
			s.config, err = value("-C")
		case strings.HasPrefix(arg, "-a"):
			s.account, err = value("-a")
		case strings.HasPrefix(arg, "-N"):
			s.dsnNotify, err = value("-N")
		case strings.HasPrefix(arg, "-R"):
			s.dsnRet, err = value("-R")
		case strings.HasPrefix(arg, "-V"):
			s.envID, err = value("-V")
		case arg == "-odq":
			s.queueOnly = true
		case arg == "-odi", arg == "-odb", arg == "-odd", arg == "-odf":
			s.queueOnly = false // deliver now (interactive or background: postie tries at once either way)
		case strings.HasPrefix(arg, "-oQ"):
			s.queueDir, err = value("-oQ")
		case arg == "-q", arg == "-qf":
			s.runQueue = true
		case strings.HasPrefix(arg, "-q"):
			s.runQueue = true
			if s.interval, err = queueInterval(arg[2:]); err != nil {
				return nil, err
			}
		case arg == "-bp":
			s.listQueue = true
		case strings.HasPrefix(arg, "-o"), arg == "-bm", arg == "-em", arg == "-U", strings.HasPrefix(arg, "-d") && len(arg) > 2 || arg == "-n":
			// -oXXX options (-oem, -odb, -oQ...), -bm (the default mode),
			// -U (initial submission): accepted and ignored, as msmtp does.
			if arg == "-oX" || arg == "-oF" || arg == "-oL" {
				i++ // these take a separate value
			}
		case strings.HasPrefix(arg, "-b"):
			return nil, i18n.Errorf("sendmail mode %s is not supported (only -bm, the default)", arg)
		default:
			return nil, i18n.Errorf("unknown sendmail option %q", arg)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.from != "" {
		if err := smtp.CheckAddress(s.from); err != nil && s.from != "<>" {
			return nil, i18n.Errorf("-f: %w", err)
		}
	}
	for _, r := range s.rcpts {
		if strings.HasPrefix(r, "-") {
			return nil, i18n.Errorf("recipient %q looks like an option", r)
		}
	}
	return s, nil
}

// dotReader ends the input at a line holding a single dot, as sendmail
// does without -i.
type dotReader struct {
	br   *bufio.Reader
	done bool
	pend []byte
}

func (d *dotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.pend) > 0 {
			c := copy(p[n:], d.pend)
			d.pend = d.pend[c:]
			n += c
			continue
		}
		if d.done {
			break
		}
		// Hand out whole lines while they are buffered; block for more
		// only when nothing has been returned yet.
		if n > 0 && d.br.Buffered() == 0 {
			break
		}
		line, err := d.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			d.pend = append(d.pend[:0], line...)
			continue
		}
		if string(line) == ".\n" || string(line) == ".\r\n" {
			d.done = true
			break
		}
		d.pend = append(d.pend[:0], line...)
		if err == io.EOF {
			d.done = true
		} else if err != nil {
			return n, err
		}
	}
	if n == 0 && d.done && len(d.pend) == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (a *App) sendmail(ctx context.Context, args []string) error {
	s, err := parseSendmailArgs(args)
	if err != nil {
		return exitcode.With(exitcode.Usage, err, i18n.T("run 'postie sendmail --help' for the options"))
	}
	if s.help {
		_, err := io.WriteString(a.Stdout, sendmailHelp())
		return err
	}
	if s.runQueue || s.listQueue {
		return a.sendmailQueue(ctx, s)
	}
	var stdin io.Reader = a.Stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	// Where the message goes is the account's business (or
	// POSTIE_SERVER's), never the message's: its From and -f choose no
	// server. The config is read once, here; the server is resolved once
	// the message is in.
	req := &request{account: accountFlags{account: s.account, config: s.config}, output: outputFlags{verbose: s.verbose}, wantLogin: true}
	if req.file, err = a.loadConfig(s.config); err != nil {
		return err
	}
	acct, _, err := a.accountInUse(req)
	if err != nil {
		return err
	}
	// A message without From gets one, as sendmail does: -F's name and
	// -f's address, else the account's from.
	var hdrFrom *message.Address
	if s.from != "" && s.from != "<>" {
		hdrFrom = &message.Address{Name: s.fullName, Addr: s.from}
	} else if af := acct.From; af != "" {
		if ad, err := message.ParseAddress(af); err == nil {
			if s.fullName != "" {
				ad.Name = s.fullName
			}
			hdrFrom = &ad
		}
	}
	in, err := readSendmailInput(ctx, stdin, s.dotIsEnd, hdrFrom)
	if err != nil {
		return err
	}
	defer in.Close()
	prep := in.prep
	rcpts := s.rcpts
	if s.readRcpts {
		rcpts = append(rcpts, prep.Recipients...)
	}
	if len(rcpts) == 0 {
		return exitcode.With(exitcode.Usage, i18n.Errorf("no recipients"), i18n.T("give recipients as arguments or use -t to read them from the message"))
	}
	st, err := a.resolve(req)
	if err != nil {
		return sendmailServerHint(err)
	}
	from := s.from
	if from == "<>" {
		from = ""
	}
	if s.from == "" {
		from = prep.From
	}
	if s.from == "" && st.From != "" {
		from = bareAddress(st.From)
	}
	// DKIM from the account's dkim_* keys, over the form plan chooses
	// for the server: the bytes signed are the bytes sent.
	if in.signer, err = dkimSigner(dkimFlags{}, st.account, first(prep.From, from), a.env("HOME")); err != nil {
		return err
	}
	env := &smtp.Envelope{From: from, To: rcpts, Mail: smtp.MailOptions{Size: in.size}}
	env.Mail.DSNEnvID = s.envID
	if env.Mail.DSNRet, err = smtp.ParseDSNReturn(s.dsnRet); err != nil {
		return usageErr(i18n.Errorf("-R %q: want full or hdrs", s.dsnRet))
	}
	if env.Rcpt.Notify, err = smtp.ParseDSNNotify(s.dsnNotify); err != nil {
		return usageErr(i18n.Errorf("-N %q: want NEVER, or any of SUCCESS,FAILURE,DELAY", s.dsnNotify))
	}
	// The outbox: -odq queues only; an account with queue = true keeps
	// what the server cannot take now instead of failing (msmtpq).
	if s.queueOnly || st.account != nil && st.account.Queue {
		return a.sendmailQueued(ctx, s, req, st, in, env)
	}
	// plan fits the message to the server's extensions (a direct sender,
	// with no one server to ask, takes the 7-bit form every one accepts).
	sender, err := a.newSender(ctx, st, func(ext smtp.Extensions) error { return in.plan(ext, env) })
	if err != nil {
		return err
	}
	return a.deliver(ctx, sender, st, env, in.body(), reportOptions{quiet: s.verbose == 0})
}
