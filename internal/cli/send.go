package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/config"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

type sendFlags struct {
	conn                      connFlags
	from, replyTo, subject    string
	to, cc, bcc               []string
	text, textFile            string
	html, htmlFile            string
	attach, inline, headers   []string
	dsnNotify                 string
	dsnRet, dsnEnvID          string
	dryRun, jsonOut, eightbit bool
}

func (a *App) sendCmd() *cobra.Command {
	f := &sendFlags{}
	cmd := &cobra.Command{
		Use:   "send [flags] [RECIPIENT...]",
		Short: "Compose a message and send it",
		Example: `  postie send --from alice@163.com --to bob@qq.com --subject 你好 --text 'I love computer networks!' -v
  echo hello | postie send --server smtp.gmail.com:465 --user me@gmail.com --password-file ~/.gmail-app-pw --to you@example.com
  postie send --server 127.0.0.1:2525 --tls none --from a@x.test --to b@x.test --attach report.pdf --text see attached`,
		RunE: func(c *cobra.Command, args []string) error {
			f.to = append(f.to, args...)
			return a.runSend(c.Context(), f)
		},
	}
	fs := cmd.Flags()
	f.conn.add(fs)
	f.conn.dkim.add(fs)
	fs.StringVar(&f.from, "from", "", "sender: ADDR or 'Name <ADDR>'")
	fs.StringArrayVar(&f.to, "to", nil, "recipient (repeatable, or comma-separated)")
	fs.StringArrayVar(&f.cc, "cc", nil, "copy recipient")
	fs.StringArrayVar(&f.bcc, "bcc", nil, "blind copy recipient (never shown in the message)")
	fs.StringVar(&f.replyTo, "reply-to", "", "Reply-To address")
	fs.StringVar(&f.subject, "subject", "", "subject, any language")
	fs.StringVar(&f.text, "text", "", "plain-text body")
	fs.StringVar(&f.textFile, "text-file", "", "read the plain-text body from FILE (- for stdin)")
	fs.StringVar(&f.html, "html", "", "HTML body")
	fs.StringVar(&f.htmlFile, "html-file", "", "read the HTML body from FILE")
	fs.StringArrayVar(&f.attach, "attach", nil, "attach FILE (repeatable)")
	fs.StringArrayVar(&f.inline, "inline", nil, "inline image FILE, referenced from the HTML as cid:<file name>")
	fs.StringArrayVar(&f.headers, "header", nil, "extra header 'Name: value' (repeatable)")
	fs.StringVar(&f.dsnNotify, "dsn-notify", "", "delivery status notifications: NEVER or SUCCESS,FAILURE,DELAY")
	fs.StringVar(&f.dsnRet, "dsn-ret", "", "what a bounce returns: full|hdrs")
	fs.StringVar(&f.dsnEnvID, "dsn-envid", "", "envelope id for delivery status notifications")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the message and send nothing")
	fs.BoolVar(&f.jsonOut, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&f.eightbit, "8bit", false, "send UTF-8 text as 8bit when the server offers 8BITMIME (default: quoted-printable)")
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
					return nil, exitcode.With(exitcode.DataErr, fmt.Errorf("--%s: %w", field, perr), "")
				}
				list = append(list, ad)
			}
		}
		out = append(out, list...)
	}
	return out, nil
}

func readInput(what, path string, stdin io.Reader) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, 64<<20))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", exitcode.With(exitcode.NoInput, fmt.Errorf("%s: %w", what, err), "")
	}
	return string(b), nil
}

// compose builds the message from the flags.
func (a *App) compose(f *sendFlags, from string) (*message.Message, error) {
	m := &message.Message{Subject: f.subject, Text: f.text, HTML: f.html, Allow8Bit: f.eightbit}
	var err error
	if from == "" {
		return nil, usageErr("no sender: give --from ADDR (or set from in a config account)")
	}
	if m.From, err = message.ParseAddress(from); err != nil {
		return nil, exitcode.With(exitcode.DataErr, fmt.Errorf("--from: %w", err), "")
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
		return nil, usageErr("no recipients: give --to ADDR (or recipients as arguments)")
	}
	if f.textFile != "" {
		if f.text != "" {
			return nil, usageErr("--text and --text-file both given; choose one")
		}
		if m.Text, err = readInput("--text-file", f.textFile, a.Stdin); err != nil {
			return nil, err
		}
	}
	if f.htmlFile != "" {
		if f.html != "" {
			return nil, usageErr("--html and --html-file both given; choose one")
		}
		if m.HTML, err = readInput("--html-file", f.htmlFile, a.Stdin); err != nil {
			return nil, err
		}
	}
	if m.Text == "" && m.HTML == "" && f.textFile == "" && a.Stdin != nil && !a.stdinIsTerminal() {
		if m.Text, err = readInput("stdin", "-", a.Stdin); err != nil {
			return nil, err
		}
	}
	for _, h := range f.headers {
		name, val, ok := strings.Cut(h, ":")
		if !ok {
			return nil, exitcode.With(exitcode.DataErr, fmt.Errorf("--header %q: want 'Name: value'", h), "")
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
				return nil, exitcode.With(exitcode.NoInput, fmt.Errorf("attachment: %w", err), "")
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
	from := f.from
	sess, err := a.resolve(ctx, &f.conn, from, !f.dryRun)
	if err != nil && !f.dryRun {
		return err
	}
	if from == "" && sess != nil {
		from = sess.from
	}
	m, err := a.compose(f, from)
	if err != nil {
		return err
	}
	rcpts := m.Recipients() // as the user wrote them; deliver adapts them per server
	asciiHeaderDomains(m)
	m.Fill()
	var acct *config.Account
	if sess != nil {
		acct = sess.acct
	}
	signer, err := dkimSigner(f.conn.dkim, acct, m.From.Addr, a.env("HOME"))
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
	if signer != nil {
		if body, size, err = signedBody(signer, messageBody(m), size); err != nil {
			return err
		}
	}
	ret, err := smtp.ParseDSNReturn(f.dsnRet)
	if err != nil {
		return err
	}
	notify, err := smtp.ParseDSNNotify(f.dsnNotify)
	if err != nil {
		return err
	}
	env := &smtp.Envelope{
		From: m.From.Addr,
		To:   rcpts,
		Mail: smtp.MailOptions{Size: size, Body8Bit: m.Needs8BitMIME(), DSNRet: ret, DSNEnvID: f.dsnEnvID},
		Rcpt: smtp.RcptOptions{Notify: notify},
	}
	if m.Allow8Bit && sess.direct != nil {
		// Each MX may differ; the 7-bit form suits every one of them.
		m.Allow8Bit, env.Mail.Body8Bit = false, false
		if env.Mail.Size, err = m.Size(); err != nil {
			return err
		}
	}
	if m.Allow8Bit {
		// 8bit text only where the server takes it; otherwise the same
		// message in its 7-bit form (quoted-printable).
		sess.relay.BeforeSend = func(ext smtp.Extensions) error {
			if ext.Has("8BITMIME") {
				return nil
			}
			m.Allow8Bit, env.Mail.Body8Bit = false, false
			env.Mail.Size, err = m.Size()
			return err
		}
	}
	body, done := a.withProgress(body, size, f.conn.quiet || f.conn.verbose > 1)
	sess.afterSend = done
	return a.deliver(ctx, sess, env, body, f.conn.quiet, f.jsonOut)
}

type jsonRcpt struct {
	Address  string `json:"address"`
	Status   string `json:"status"` // delivered | rejected | deferred
	Code     int    `json:"code,omitempty"`
	Enhanced string `json:"enhanced,omitempty"`
	Message  string `json:"message,omitempty"`
}

type jsonResult struct {
	Status     string       `json:"status"` // sent | partial | failed | unknown
	Server     string       `json:"server"`
	QueueID    string       `json:"queue_id,omitempty"`
	Reply      string       `json:"reply,omitempty"`
	Recipients []jsonRcpt   `json:"recipients"`
	Domains    []jsonDomain `json:"domains,omitempty"` // --direct: how each domain was reached
	Error      string       `json:"error,omitempty"`
	ExitCode   int          `json:"exit_code"`
}

// deliver sends through the session's relay and reports per recipient.
func (a *App) deliver(ctx context.Context, sess *session, env *smtp.Envelope, body smtp.Body, quiet, jsonOut bool) error {
	var res *smtp.Result
	var err error
	if sess.direct != nil {
		res, err = sess.direct.Send(ctx, env, body)
	} else {
		res, err = sess.relay.Send(ctx, env, body)
	}
	if sess.afterSend != nil {
		sess.afterSend() // clear the progress line before reporting
	}
	var ae *smtp.AuthError
	if errors.As(err, &ae) && ae.Reply.Code == 535 && sess.preset != nil {
		err = exitcode.With(exitcode.NoPerm, err, sess.preset.AuthMsg)
	}
	var failed []smtp.RcptStatus
	permanent := false
	if res != nil {
		failed = res.Failed()
		for _, fr := range failed {
			var se *smtp.Error
			var nmh *deliver.NoMailHostError
			var pe *deliver.PolicyError
			if errors.As(fr.Err, &se) && !se.Temporary() || errors.As(fr.Err, &nmh) || errors.As(fr.Err, &pe) && !pe.Temporary() {
				permanent = true
			}
		}
	}
	if err == nil && len(failed) > 0 {
		err = &exitcode.RecipientsError{Failed: failed, Permanent: permanent}
	}
	if jsonOut {
		a.printJSON(sess, env, res, err)
	} else if !quiet {
		a.printDomains(sess)
	}
	if res != nil && len(res.Delivered()) > 0 && !quiet && !jsonOut {
		reply := ""
		if res.Final != nil {
			reply = ": " + escapeControls(decodeServerText(res.Final.String()))
		}
		fmt.Fprintf(a.Stderr, "postie: sent to <%s>%s\n", strings.Join(res.Delivered(), ">, <"), reply)
	}
	var re *exitcode.RecipientsError
	if errors.As(err, &re) {
		for _, fr := range re.Failed {
			why := "not attempted"
			if fr.Err != nil {
				why = fr.Err.Error()
			}
			if !jsonOut {
				fmt.Fprintf(a.Stderr, "postie: error: not delivered to <%s>: %s\n", fr.Address, oneLine(why))
			}
		}
		return &silentError{err}
	}
	if err != nil && jsonOut {
		return &silentError{err}
	}
	return err
}

func (a *App) printJSON(sess *session, env *smtp.Envelope, res *smtp.Result, err error) {
	server := "mail exchangers (--direct)"
	if sess.relay != nil {
		server = sess.relay.Addr
	}
	out := jsonResult{Server: server, Recipients: []jsonRcpt{}, ExitCode: exitcode.For(err), Domains: jsonDomains(sess)}
	if res != nil {
		out.QueueID = res.QueueID
		if res.Final != nil {
			out.Reply = res.Final.String()
		}
		for _, r := range res.Recipients {
			jr := jsonRcpt{Address: r.Address, Status: "delivered"}
			if r.State != smtp.RcptDelivered {
				jr.Status = "rejected"
				var se *smtp.Error
				if errors.As(r.Err, &se) {
					jr.Code, jr.Enhanced, jr.Message = se.Code, se.Enhanced.String(), se.Message
					if se.Temporary() {
						jr.Status = "deferred"
					}
				} else if r.Err != nil {
					jr.Message = r.Err.Error()
				}
			} else if r.Reply != nil {
				jr.Code, jr.Enhanced = r.Reply.Code, r.Reply.Enhanced.String()
			}
			out.Recipients = append(out.Recipients, jr)
		}
	} else {
		for _, to := range env.To {
			out.Recipients = append(out.Recipients, jsonRcpt{Address: to, Status: "failed"})
		}
	}
	switch {
	case errors.Is(err, smtp.ErrMaybeDelivered):
		out.Status = "unknown" // the connection went after the final dot
	case err == nil:
		out.Status = "sent"
	case res != nil && len(res.Delivered()) > 0:
		out.Status = "partial"
	default:
		out.Status = "failed"
	}
	if err != nil {
		out.Error = oneLine(err.Error())
	}
	enc := json.NewEncoder(a.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
