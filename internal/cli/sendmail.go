package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

func (a *App) sendmailCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sendmail [-t] [-i] [-f ADDR] [-F NAME] [-v] [-C FILE] [-a ACCOUNT] [--] [RCPT...]",
		Short: "Behave like sendmail: read a whole message on stdin and send it",
		Long: `Reads a complete message (headers and body) on stdin and sends it, as
sendmail does; postie behaves this way too when run through a link named
"sendmail". -t takes the recipients from To, Cc and Bcc; Bcc is always removed
before sending. Without -i (or -oi) a line with a single dot ends the input.
Options sendmail accepts that do not apply (-oXXX, -bm, -odi, ...) are ignored.`,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			return a.sendmail(c.Context(), args)
		},
	}
}

type sendmailArgs struct {
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
				return "", fmt.Errorf("sendmail option %s needs a value", opt)
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
			return nil, fmt.Errorf("usage: sendmail [-t] [-i] [-f ADDR] [-F NAME] [-v] [-C FILE] [-a ACCOUNT] [--] [RCPT...]")
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
		case strings.HasPrefix(arg, "-o"), arg == "-bm", arg == "-em", arg == "-U", strings.HasPrefix(arg, "-d") && len(arg) > 2 || arg == "-n":
			// -oXXX options (-oem, -odb, -oQ...), -bm (the default mode),
			// -U (initial submission): accepted and ignored, as msmtp does.
			if arg == "-oQ" || arg == "-oX" || arg == "-oF" || arg == "-oL" {
				i++ // these take a separate value
			}
		case strings.HasPrefix(arg, "-b"):
			return nil, fmt.Errorf("sendmail mode %s is not supported (only -bm, the default)", arg)
		default:
			return nil, fmt.Errorf("unknown sendmail option %q", arg)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.from != "" {
		if err := smtp.CheckAddress(s.from); err != nil && s.from != "<>" {
			return nil, fmt.Errorf("-f: %w", err)
		}
	}
	for _, r := range s.rcpts {
		if strings.HasPrefix(r, "-") {
			return nil, fmt.Errorf("recipient %q looks like an option", r)
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
		return exitcode.With(exitcode.Usage, err, "")
	}
	var in io.Reader = a.Stdin
	if in == nil {
		in = strings.NewReader("")
	}
	if s.dotIsEnd {
		in = &dotReader{br: bufio.NewReaderSize(in, 64*1024)}
	}
	// Spool to a private temporary file: the message must be re-readable
	// (a second transaction, a retry) and stdin is not.
	spool, err := os.CreateTemp("", "postie-sendmail-*.eml")
	if err != nil {
		return exitcode.With(exitcode.CantCreat, err, "")
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	bw := bufio.NewWriter(spool)
	// A message without From gets one, as sendmail does: -F's name and
	// -f's address, else the account's from.
	var hdrFrom *message.Address
	if s.from != "" && s.from != "<>" {
		hdrFrom = &message.Address{Name: s.fullName, Addr: s.from}
	} else if af := a.accountFrom(s.config, s.account); af != "" {
		if ad, err := message.ParseAddress(af); err == nil {
			if s.fullName != "" {
				ad.Name = s.fullName
			}
			hdrFrom = &ad
		}
	}
	prep, err := message.Prepare(in, bw, message.PrepareOptions{From: hdrFrom})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return exitcode.With(exitcode.IOErr, err, "")
		}
		return exitcode.With(exitcode.DataErr, fmt.Errorf("reading the message: %w", err), "")
	}
	size, _ := spool.Seek(0, io.SeekEnd)
	rcpts := s.rcpts
	if s.readRcpts {
		rcpts = append(rcpts, prep.Recipients...)
	}
	if len(rcpts) == 0 {
		return exitcode.With(exitcode.Usage, errors.New("no recipients"), "give recipients as arguments or use -t to read them from the message")
	}
	f := &connFlags{configPath: s.config, account: s.account, verbose: s.verbose, tls: "auto", auth: "auto"}
	f.connectTimeout = 30e9
	from := s.from
	if from == "<>" {
		from = ""
	}
	if s.from == "" {
		from = prep.From
	}
	sess, err := a.resolve(ctx, f, from, true)
	if err != nil {
		return err
	}
	if s.from == "" && sess.from != "" {
		from = bareAddress(sess.from)
	}
	name := spool.Name()
	var body smtp.Body = func() (io.ReadCloser, error) { return os.Open(name) }
	// DKIM from the account's dkim_* keys: the spool gives the same
	// bytes on every open, so the signature is computed once.
	signer, err := dkimSigner(dkimFlags{}, sess.acct, first(prep.From, from), a.env("HOME"))
	if err != nil {
		return err
	}
	if signer != nil {
		if body, size, err = signedBody(signer, body, size); err != nil {
			return err
		}
	}
	env := &smtp.Envelope{From: from, To: rcpts, Mail: smtp.MailOptions{Size: size, Body8Bit: has8bit(name)}, Rcpt: smtp.RcptOptions{}}
	env.Mail.DSNRet, env.Mail.DSNEnvID = s.dsnRet, s.envID
	if s.dsnNotify != "" {
		env.Rcpt.Notify = strings.Split(s.dsnNotify, ",")
	}
	return a.deliver(ctx, sess, env, body, s.verbose == 0, false)
}

// has8bit reports whether the spooled message has any 8-bit byte, which
// asks for BODY=8BITMIME.
func has8bit(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 64*1024)
	for {
		n, err := f.Read(buf)
		for _, b := range buf[:n] {
			if b >= 0x80 {
				return true
			}
		}
		if err != nil {
			return false
		}
	}
}

// accountFrom is the from address of the account sendmail will use, or
// "" (errors surface later, in resolve, with their proper exit code).
func (a *App) accountFrom(cfgPath, account string) string {
	named := cfgPath != ""
	if !named {
		cfgPath = config.DefaultPath(a.env)
	}
	f, err := config.Load(cfgPath, named)
	if err != nil {
		return ""
	}
	acct, _, err := f.Account(account)
	if err != nil || acct == nil {
		return ""
	}
	return acct.From
}
