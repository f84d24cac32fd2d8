package cli

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

type sendFlags struct {
	req                       request   // server, login, account, output, transfer and direct flags
	dkim                      dkimFlags // the signing key (else the account's)
	from, replyTo, subject    string
	to, cc, bcc               []string
	text, textFile            string
	html, htmlFile            string
	attach, inline, headers   []string
	dsnNotify                 string
	dsnRet, dsnEnvID          string
	dryRun, jsonOut, eightbit bool
	queue                     sendQueueFlags // --queue, --queue-only and the outbox's settings

	textSet, htmlSet bool // --text or --html given, even empty
}

// bodyGiven: the command line says what the body is.
func (f *sendFlags) bodyGiven() bool {
	return f.textSet || f.htmlSet || f.text != "" || f.html != "" || f.textFile != "" || f.htmlFile != ""
}

func (a *App) sendCmd() *cobra.Command {
	f := &sendFlags{}
	cmd := &cobra.Command{
		Use:   "send [flags] [RECIPIENT...]",
		Short: i18n.T("Compose a message and send it"),
		Example: `  postie send --from alice@163.com --to bob@qq.com --subject 你好 --text 'I love computer networks!' -v
  echo hello | postie send --server smtp.gmail.com:465 --user me@gmail.com --password-file ~/.gmail-app-pw --to you@example.com
  postie send --server 127.0.0.1:2525 --tls none --from a@x.test --to b@x.test --attach report.pdf --text see attached`,
		RunE: func(c *cobra.Command, args []string) error {
			f.to = append(f.to, args...)
			f.textSet, f.htmlSet = c.Flags().Changed("text"), c.Flags().Changed("html")
			return a.runSend(c.Context(), f)
		},
	}
	fs := cmd.Flags()
	// In the order defined (the message, then server, login, account...):
	// help reads by topic, and nothing sorts ~50 flags on every run.
	fs.SortFlags = false
	fs.StringVar(&f.from, "from", "", i18n.T("sender: ADDR or 'Name <ADDR>'"))
	listVar(fs, &f.to, "to", i18n.T("recipient (repeatable, or comma-separated)"))
	listVar(fs, &f.cc, "cc", i18n.T("copy recipient"))
	listVar(fs, &f.bcc, "bcc", i18n.T("blind copy recipient (never shown in the message)"))
	fs.StringVar(&f.replyTo, "reply-to", "", i18n.T("Reply-To address"))
	fs.StringVar(&f.subject, "subject", "", i18n.T("subject, any language"))
	fs.StringVar(&f.text, "text", "", i18n.T("plain-text body"))
	fs.StringVar(&f.textFile, "text-file", "", i18n.T("read the plain-text body from FILE (- for stdin); at most 64 MiB"))
	fs.StringVar(&f.html, "html", "", i18n.T("HTML body"))
	fs.StringVar(&f.htmlFile, "html-file", "", i18n.T("read the HTML body from FILE (- for stdin)"))
	listVar(fs, &f.attach, "attach", i18n.T("attach FILE (repeatable)"))
	listVar(fs, &f.inline, "inline", i18n.T("inline image FILE, referenced from the HTML as cid:<file name>"))
	listVar(fs, &f.headers, "header", i18n.T("extra header 'Name: value' (repeatable)"))
	fs.StringVar(&f.dsnNotify, "dsn-notify", "", i18n.T("delivery status notifications: NEVER or SUCCESS,FAILURE,DELAY"))
	fs.StringVar(&f.dsnRet, "dsn-ret", "", i18n.T("what a bounce returns: full|hdrs"))
	fs.StringVar(&f.dsnEnvID, "dsn-envid", "", i18n.T("envelope id for delivery status notifications"))
	fs.BoolVar(&f.dryRun, "dry-run", false, i18n.T("print the message and send nothing (with --json: as JSON)"))
	fs.BoolVar(&f.jsonOut, "json", false, i18n.T("print the result as JSON on stdout"))
	fs.BoolVar(&f.eightbit, "8bit", false, i18n.T("send UTF-8 text as 8bit when the server offers 8BITMIME (default: quoted-printable)"))
	f.dkim.add(fs)
	f.req.addSendFlags(a, cmd)
	f.queue.add(fs)
	return cmd
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// parseAddrs accepts each value as one address or a comma-separated list;
// a list is parsed as RFC 5322 so "Wang, Wu" <w@x> stays one address.
func parseAddrs(field string, vals []string) ([]message.Address, error) {
	var out []message.Address
	for _, v := range vals {
		if strings.TrimSpace(v) == "" {
			continue
		}
		list, err := message.ParseAddressList(v)
		if err != nil {
			// Bare UTF-8 addresses (RFC 6532) that net/mail refuses.
			list = nil
			for _, p := range splitList([]string{v}) {
				ad, perr := message.ParseAddress(p)
				if perr != nil {
					return nil, exitcode.With(exitcode.DataErr, i18n.Errorf("--%s: %w", field, perr), "")
				}
				list = append(list, ad)
			}
		}
		out = append(out, list...)
	}
	return out, nil
}

// maxBody is the largest text or HTML body postie takes (it is held in
// memory); bigger content goes as an attachment, which is streamed.
const maxBody = 64 << 20

// readInput reads a body from a file or, for "-", standard input. A body
// over maxBody is refused (65) with its size, never cut.
func readInput(what, path string, stdin io.Reader) (string, error) {
	hint := i18n.T("send a body that large as an attachment (--attach FILE): attachments are streamed, not held in memory")
	if path == "-" {
		if stdin == nil {
			return "", nil
		}
		b, err := io.ReadAll(io.LimitReader(stdin, maxBody+1))
		if err != nil {
			return "", exitcode.With(exitcode.IOErr, i18n.Errorf("%s: reading standard input: %w", what, err), "")
		}
		if len(b) > maxBody {
			return "", exitcode.With(exitcode.DataErr, i18n.Errorf("%s: the body on standard input is over %d MiB, the most postie takes for a body", what, maxBody>>20), hint)
		}
		return string(b), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", exitcode.With(exitcode.NoInput, i18n.Errorf("%s: %w", what, err), "")
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > maxBody {
		return "", exitcode.With(exitcode.DataErr, i18n.Errorf("%s %s: %d bytes, over the %d MiB postie takes for a body", what, path, st.Size(), maxBody>>20), hint)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxBody+1))
	if err != nil {
		return "", exitcode.With(exitcode.NoInput, i18n.Errorf("%s: %w", what, err), "")
	}
	if len(b) > maxBody {
		return "", exitcode.With(exitcode.DataErr, i18n.Errorf("%s %s: over the %d MiB postie takes for a body", what, path, maxBody>>20), hint)
	}
	return string(b), nil
}

// compose builds the message from the flags.
func (a *App) compose(f *sendFlags, from string) (*message.Message, error) {
	m := &message.Message{Subject: f.subject, Text: f.text, HTML: f.html, Allow8Bit: f.eightbit}
	var err error
	if from == "" {
		return nil, usageErr(i18n.Errorf("no sender: give --from ADDR (or set from in a config account)"))
	}
	if m.From, err = message.ParseAddress(from); err != nil {
		return nil, exitcode.With(exitcode.DataErr, i18n.Errorf("--from: %w", err), "")
	}
	if m.To, err = parseAddrs("to", f.to); err != nil {
		return nil, err
	}
	if m.Cc, err = parseAddrs("cc", f.cc); err != nil {
		return nil, err
	}
	if m.Bcc, err = parseAddrs("bcc", f.bcc); err != nil {
		return nil, err
	}
	if f.replyTo != "" {
		if m.ReplyTo, err = parseAddrs("reply-to", []string{f.replyTo}); err != nil {
			return nil, err
		}
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return nil, usageErr(i18n.Errorf("no recipients: give --to ADDR (or recipients as arguments)"))
	}
	if f.textFile == "-" && f.htmlFile == "-" {
		return nil, usageErr(i18n.Errorf("--text-file - and --html-file - both read standard input; give one of them a file"))
	}
	if f.textFile != "" {
		if f.text != "" {
			return nil, usageErr(i18n.Errorf("--text and --text-file both given; choose one"))
		}
		if m.Text, err = readInput("--text-file", f.textFile, a.Stdin); err != nil {
			return nil, err
		}
	}
	if f.htmlFile != "" {
		if f.html != "" {
			return nil, usageErr(i18n.Errorf("--html and --html-file both given; choose one"))
		}
		if m.HTML, err = readInput("--html-file", f.htmlFile, a.Stdin); err != nil {
			return nil, err
		}
	}
	if !f.bodyGiven() {
		if a.stdinIsTerminal() {
			// Nothing would end the body but Ctrl-D: say how to give one.
			if len(f.attach)+len(f.inline) == 0 {
				return nil, exitcode.With(exitcode.Usage, i18n.Errorf("no message body"),
					i18n.T("give --text TEXT, --text-file FILE or --html, or pipe the body in (echo hi | postie send ...); --text '' sends an empty body"))
			}
		} else if m.Text, err = readInput("stdin", "-", a.Stdin); err != nil {
			return nil, err
		}
	}
	for _, h := range f.headers {
		name, val, ok := strings.Cut(h, ":")
		if !ok {
			return nil, exitcode.With(exitcode.DataErr, i18n.Errorf("--header %q: want 'Name: value'", h), "")
		}
		m.Headers = append(m.Headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(val)})
	}
	for _, list := range []struct {
		paths  []string
		inline bool
	}{{f.attach, false}, {f.inline, true}} {
		for _, p := range list.paths {
			at, err := message.FileAttachment(p)
			if err != nil {
				what := i18n.T("attachment")
				if list.inline {
					what = i18n.T("inline image")
				}
				return nil, exitcode.With(exitcode.NoInput, i18n.Errorf("%s: %w", what, err), "")
			}
			at.Inline = list.inline
			if list.inline {
				at.ContentID = filepath.Base(p)
			}
			m.Attachments = append(m.Attachments, at)
		}
	}
	if err := m.Validate(); err != nil {
		return nil, exitcode.With(exitcode.DataErr, err, "")
	}
	return m, nil
}

// messageBody streams the composed message into the engine: each
// transaction opens it afresh, nothing is held in memory.
func messageBody(m *message.Message) smtp.Body {
	return func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			// io.Pipe hands over every Write synchronously; the composer
			// writes line by line, so batch its output into 64 KiB.
			bw := bufio.NewWriterSize(pw, 64<<10)
			_, err := m.WriteTo(bw)
			if err == nil {
				err = bw.Flush()
			}
			pw.CloseWithError(err)
		}()
		return pr, nil
	}
}

func (a *App) runSend(ctx context.Context, f *sendFlags) error {
	// A bad flag value is a usage error (64), as --tls maybe is.
	ret, err := smtp.ParseDSNReturn(f.dsnRet)
	if err != nil {
		return usageErr(i18n.Errorf("--dsn-ret %q: want full or hdrs", f.dsnRet))
	}
	notify, err := smtp.ParseDSNNotify(f.dsnNotify)
	if err != nil {
		return usageErr(i18n.Errorf("--dsn-notify %q: want NEVER, or any of SUCCESS,FAILURE,DELAY", f.dsnNotify))
	}
	req := &f.req
	req.from, req.wantLogin = f.from, !f.dryRun
	st, err := a.resolve(req)
	if err != nil && !f.dryRun {
		return err
	}
	from := f.from
	if from == "" && st != nil {
		from = st.From
	}
	m, err := a.compose(f, from)
	if err != nil {
		return err
	}
	rcpts := m.Recipients() // as the user wrote them; deliver adapts them per server
	asciiHeaderDomains(m)
	m.Fill()
	var acct *config.Account
	if st != nil {
		acct = st.account
	}
	signer, err := dkimSigner(f.dkim, acct, m.From.Addr, a.env("HOME"))
	if err != nil {
		return err
	}
	body := messageBody(m)
	if signer != nil {
		// The signed bytes must be the sent bytes: one 7-bit form for
		// every server, the same MIME boundaries on every pass.
		m.Allow8Bit = false
		fixBoundaries(m)
		if body, _, err = signedBody(signer, body, 0); err != nil {
			return err
		}
	}
	if f.dryRun {
		if f.jsonOut {
			return a.printDryRunJSON(m, body)
		}
		r, err := body()
		if err != nil {
			return err
		}
		defer r.Close()
		_, err = io.Copy(a.Stdout, r)
		return err
	}
	size, err := m.Size()
	if err != nil {
		return exitcode.With(exitcode.NoInput, err, "")
	}
	if signer != nil && !f.queue.on() { // the outbox signs as it stores
		if body, size, err = signedBody(signer, messageBody(m), size); err != nil {
			return err
		}
	}
	env := &smtp.Envelope{
		From: m.From.Addr,
		To:   rcpts,
		Mail: smtp.MailOptions{Size: size, Body8Bit: m.Needs8BitMIME(), DSNRet: ret, DSNEnvID: f.dsnEnvID},
		Rcpt: smtp.RcptOptions{Notify: notify},
	}
	var adapt Adapt
	if m.Allow8Bit {
		// 8bit text only where the server takes it; otherwise the same
		// message in its 7-bit form (quoted-printable).
		adapt = func(ext smtp.Extensions) error {
			if ext.Has("8BITMIME") {
				return nil
			}
			m.Allow8Bit, env.Mail.Body8Bit = false, false
			var err error
			env.Mail.Size, err = m.Size()
			return err
		}
	}
	if f.queue.on() {
		qs, err := a.newQueueSender(ctx, req, st, &f.queue, adapt)
		if err != nil {
			return err
		}
		defer qs.Close()
		if signer != nil {
			qs.sign = signer.Sign
		}
		return a.deliver(ctx, qs, st, env, messageBody(m), reportOptions{quiet: st.Quiet, json: f.jsonOut})
	}
	sender, err := a.newSender(ctx, st, adapt)
	if err != nil {
		return err
	}
	body, done := a.withProgress(body, size, st.Quiet || st.Verbose > 1)
	return a.deliver(ctx, sender, st, env, body, reportOptions{quiet: st.Quiet, json: f.jsonOut, before: done})
}
