package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/merge"
	"github.com/postie/postie/message"
	"github.com/postie/postie/outbox"
)

// mergeFlags are postie merge's flags: the campaign's files and settings,
// how it is sent, and send's account, server, TLS and auth groups.
type mergeFlags struct {
	req                    request // server, login, account, output, transfer and direct flags
	template, htmlTemplate string
	data, from             string
	attach, inline         []string
	toColumn, charset      string
	campaign               string
	allowDuplicates        bool
	skipInvalid            bool
	resendUnknown          bool
	check                  bool
	dryRun                 string
	concurrency            int
	rate                   string
	report                 string
	jsonOut                bool
	queue                  queueFlags
	dkim                   dkimFlags
}

func (a *App) mergeCmd() *cobra.Command {
	f := &mergeFlags{}
	cmd := &cobra.Command{
		Use:   "merge --template FILE --data FILE [flags]",
		Short: i18n.T("Mail merge: one personalised message per row of a CSV or JSON-lines file"),
		Long: i18n.T(`Send one message per row of a data file (CSV with a header row, or JSON
lines), each to its row's address only, rendered from a template: header
fields, a blank line, the text, with {{.column}} for the row's values.

Every row is checked before the first connection: a problem names its row
and column, and nothing is sent (exit 65; 66 when only files to attach are
missing) unless --skip-invalid. Rows go through the outbox (--queue-dir) as
one campaign (--campaign, default TEMPLATE+DATA): run the same command again
after Ctrl-C, a crash or a server that said "later", and it continues; a row
the server took is never sent again. A row whose outcome is unknown (the
connection broke after its end was sent) is sent again only with
--resend-unknown. A campaign whose template, data or settings changed is
refused: give --campaign a new name to start over.

Exit codes: 0 every row sent; 65 rows skipped as invalid (--skip-invalid);
67 some rows refused for good; 79 some rows' outcome unknown; 75 rows still
waiting (deferred by the server, or not yet tried): run the same command
again; 130 interrupted (the same command continues).`),
		Example: `  postie merge --template grades.eml --data students.csv --dry-run out/
  postie merge --account school --template grades.eml --html-template grades.html --data students.csv --rate 30/min --report report.jsonl`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runMerge(c.Context(), f) },
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&f.template, "template", "", i18n.T("the message template: header fields, a blank line, the text ({{.column}} for a row's value)"))
	fs.StringVar(&f.htmlTemplate, "html-template", "", i18n.T("an HTML body template (row values are escaped)"))
	fs.StringVar(&f.data, "data", "", i18n.T("the rows: CSV with a header row (.tsv: tab-separated), or JSON lines (.jsonl)"))
	fs.StringVar(&f.from, "from", "", i18n.T("sender when the template has no From: ADDR or 'Name <ADDR>' (default: the account's address)"))
	fs.StringVar(&f.toColumn, "to-column", "", i18n.T("the column with each row's address (default email)"))
	fs.StringVar(&f.charset, "data-charset", "auto", i18n.T("the data file's charset: auto|utf-8|gbk (auto: UTF-8, else GB18030 when it decodes cleanly)"))
	listVar(fs, &f.attach, "attach", i18n.T("attach FILE to every message (repeatable)"))
	listVar(fs, &f.inline, "inline", i18n.T("inline image FILE for every HTML body, referenced as cid:<file name>"))
	fs.StringVar(&f.campaign, "campaign", "", i18n.T("the campaign's name in the outbox (default TEMPLATE+DATA, from the file names)"))
	fs.BoolVar(&f.allowDuplicates, "allow-duplicates", false, i18n.T("send a row whose address an earlier row already has (default: send it once)"))
	fs.BoolVar(&f.skipInvalid, "skip-invalid", false, i18n.T("send the good rows when some are invalid (exit 65 at the end)"))
	fs.BoolVar(&f.resendUnknown, "resend-unknown", false, i18n.T("send again the rows whose outcome is unknown (the recipient may get two copies)"))
	fs.BoolVar(&f.check, "check", false, i18n.T("check every row and stop: send nothing, connect nowhere"))
	fs.StringVar(&f.dryRun, "dry-run", "", i18n.T("write each row's message as DIR/row-NNNN.eml and send nothing"))
	fs.IntVar(&f.concurrency, "concurrency", 4, i18n.T("connections at once"))
	fs.StringVar(&f.rate, "rate", "", i18n.T("at most this many messages: N/s, N/min or N/h, over the whole run"))
	fs.StringVar(&f.report, "report", "", i18n.T("write a JSON line per row to FILE: row, recipient, status, server reply, Message-ID"))
	fs.BoolVar(&f.jsonOut, "json", false, i18n.T("print the summary as JSON on stdout"))
	f.queue.add(fs)
	f.dkim.add(fs)
	f.req.addSendFlags(a, cmd)
	return cmd
}

// runMerge: flags → Options, open (and resume) the campaign, check
// every row, then dry run, or send through the outbox.
func (a *App) runMerge(ctx context.Context, f *mergeFlags) error {
	if f.template == "" || f.data == "" {
		return exitcode.With(exitcode.Usage, i18n.Errorf("postie merge needs --template FILE and --data FILE"), i18n.T("run 'postie merge --help' for usage"))
	}
	var rate merge.Rate
	if f.rate != "" {
		var err error
		if rate, err = merge.ParseRate(f.rate); err != nil {
			return usageErr(i18n.Errorf("--rate %q: want N/s, N/min or N/h, N a whole number above 0", f.rate))
		}
	}
	cs, err := merge.ParseCharset(f.charset)
	if err != nil {
		return usageErr(i18n.Errorf("--data-charset %q: want auto, utf-8 or gbk", f.charset))
	}
	if f.concurrency < 1 {
		return usageErr(i18n.Errorf("--concurrency %d: want 1 or more", f.concurrency))
	}
	if f.dryRun != "" && f.check {
		return usageErr(i18n.Errorf("--dry-run and --check: give one"))
	}
	if f.campaign != "" {
		if err := merge.ValidName(f.campaign); err != nil {
			return usageErr(i18n.Errorf("--campaign: %w", err))
		}
	}
	sending := f.dryRun == "" && !f.check
	req := &f.req
	req.wantLogin, req.from = sending, f.from
	st, rerr := a.resolve(req)
	if rerr != nil && sending {
		return rerr
	}
	f.queue.file = req.file // the outbox settings come from the same file
	o := merge.Options{
		Name: f.campaign, Template: f.template, HTMLTemplate: f.htmlTemplate, Data: f.data,
		Charset: cs, ToColumn: f.toColumn, Attach: f.attach, Inline: f.inline,
		AllowDuplicates: f.allowDuplicates,
	}
	if from := f.from; from != "" || st != nil && st.From != "" {
		if from == "" {
			from = st.From
		}
		addr, err := message.ParseAddress(from)
		if err != nil {
			return exitcode.With(exitcode.DataErr, i18n.Errorf("--from: %w", err), "")
		}
		o.From = addr
	}
	if !sending {
		c, err := merge.Open(o)
		if err != nil {
			return mergeError(err)
		}
		return a.mergeCheck(ctx, c, f)
	}

	sign, err := a.mergeSigner(f, st, o.From.Addr)
	if err != nil {
		return err
	}
	route, err := a.routeFor(req, st)
	if err != nil {
		return err
	}
	// A local outbox that does not exist yet holds no campaign: it is
	// made only once every row has passed, so a file with mistakes leaves
	// nothing behind.
	var store outbox.Store
	if !a.localQueueMissing(f.queue) {
		if store, err = a.openQueue(f.queue); err != nil {
			return err
		}
		defer store.Close()
	}
	name := f.campaign
	if name == "" {
		name = merge.DeriveName(f.template, f.data)
	}
	var stored *merge.Stored
	if store != nil {
		if stored, err = merge.Lookup(ctx, store, name); err != nil {
			return storageHint(err)
		}
	}
	if stored != nil {
		o.Date = stored.Date
	}
	c, err := merge.Open(o)
	if err != nil {
		return mergeError(err)
	}
	if stored != nil {
		if err := c.Resume(stored.Fingerprint); err != nil {
			return mergeError(err)
		}
	}
	rep, err := c.Check(ctx)
	if err != nil {
		return mergeError(err)
	}
	if err := a.printProblems(rep, f.skipInvalid); err != nil {
		return err
	}
	if store == nil {
		if store, err = a.openQueue(f.queue); err != nil {
			return err
		}
		defer store.Close()
	}
	return a.mergeSend(ctx, c, rep, f, store, route, rate, sign)
}

// mergeSigner is the DKIM signer for a campaign's rows (--dkim-key, or the
// account's dkim_key), nil without a key. Each row is signed as it is
// stored in the outbox, so a resend carries the same signed bytes. The
// signing domain must cover the campaign's From (--from or the
// account's), as for send.
func (a *App) mergeSigner(f *mergeFlags, st *Settings, from string) (func(io.Writer, io.Reader) error, error) {
	var acct *config.Account
	if st != nil {
		acct = st.account
	}
	if from == "" && f.dkim.domain == "" && (f.dkim.key != "" || acct != nil && acct.DKIMKey != "" && acct.From == "") {
		return nil, exitcode.With(exitcode.Usage, i18n.Errorf("merge with DKIM needs the campaign's sender: give --from (or --dkim-domain)"), "")
	}
	s, err := dkimSigner(f.dkim, acct, from, a.env("HOME"))
	if err != nil || s == nil {
		return nil, err
	}
	return s.Sign, nil
}

// mergeCheck is --check and --dry-run: every row checked (and written),
// no connection made.
func (a *App) mergeCheck(ctx context.Context, c *merge.Campaign, f *mergeFlags) error {
	var rep *merge.Report
	var err error
	if f.dryRun != "" {
		rep, err = c.DryRun(ctx, f.dryRun)
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == f.dryRun {
			return exitcode.With(exitcode.CantCreat, err, "")
		}
	} else {
		rep, err = c.Check(ctx)
	}
	if err != nil {
		return mergeError(err)
	}
	if err := a.printProblems(rep, true); err != nil {
		return err
	}
	bad := 0
	for _, p := range rep.Problems {
		if !p.Warning {
			bad++
		}
	}
	if !f.req.output.quiet {
		switch {
		case f.dryRun != "":
			a.note(i18n.Sprintf("campaign %s: %d rows, %d messages written to %s, nothing sent", c.Name, rep.Rows, rep.Good, f.dryRun))
		case bad > 0 && f.skipInvalid:
			a.note(i18n.Sprintf("campaign %s: %d rows, %d problem(s) above; with --skip-invalid the %d good rows would be sent", c.Name, rep.Rows, bad, rep.Good))
		case bad > 0:
			a.note(i18n.Sprintf("campaign %s: %d rows, %d problem(s) above; as it is, nothing would be sent (--skip-invalid sends the %d good rows)", c.Name, rep.Rows, bad, rep.Good))
		default:
			a.note(i18n.Sprintf("campaign %s: %d rows, %d to send, no problem found", c.Name, rep.Rows, rep.Good))
		}
	}
	if err := rep.Err(); err != nil {
		return &silentError{err: validationError(err)}
	}
	return nil
}

// printProblems prints each problem on its own line (errors, then the
// warnings: duplicates, case variants). Unless skip, an invalid row stops
// the merge before any connection: 65, or 66 when only files are missing.
func (a *App) printProblems(rep *merge.Report, skip bool) error {
	for _, p := range rep.Problems {
		if p.Warning {
			a.warn(p.Error())
		} else {
			i18n.Fprintf(a.Stderr, "postie: error: %s\n", p.Error())
		}
	}
	err := rep.Err()
	if err == nil || skip {
		return nil
	}
	i18n.Fprintf(a.Stderr, "postie: hint: %s\n", i18n.Sprintf("nothing was sent; fix the rows above, or give --skip-invalid to send the %d good rows", rep.Good))
	return &silentError{err: validationError(err)}
}

// validationError is 66 when every problem is a file that cannot be
// read, else 65.
func validationError(err error) error {
	var ve *merge.ValidationError
	if errors.As(err, &ve) && ve.OnlyFiles() {
		return exitcode.With(exitcode.NoInput, err, "")
	}
	return exitcode.With(exitcode.DataErr, err, "")
}

// mergeError gives the merge library's errors their exit codes and
// hints: a file that cannot be read 66, the rest of what is wrong with
// the template, data or campaign 65.
func mergeError(err error) error {
	var (
		ce *merge.ChangedError
		de *merge.DataError
		te *merge.TemplateError
		ae *merge.AttachmentError
		pe *fs.PathError
	)
	switch {
	case errors.As(err, &ce):
		return exitcode.With(exitcode.DataErr, err, i18n.T("to send the changed files as a new campaign, give --campaign NEWNAME ('postie queue list' shows what the old one left)"))
	case errors.As(err, &ae), errors.As(err, &pe):
		return exitcode.With(exitcode.NoInput, err, "")
	case errors.As(err, &de):
		return exitcode.With(exitcode.DataErr, err, i18n.T("a CSV needs a header row naming the columns; --to-column names the address column, --data-charset gbk reads a file a Chinese Excel saved"))
	case errors.As(err, &te):
		return exitcode.With(exitcode.DataErr, err, "")
	case errors.Is(err, context.Canceled):
		return exitcode.With(exitcode.Interrupted, err, "")
	}
	var coded *exitcode.Coded
	if errors.As(err, &coded) {
		return err
	}
	return exitcode.With(exitcode.DataErr, err, "")
}

// note prints a line for people on stderr.
func (a *App) note(msg string) {
	fmt.Fprintf(a.Stderr, "postie: %s\n", msg)
}

// stopOnSignal turns the first SIGINT or SIGTERM into a gentle stop:
// rows being sent finish, the rest stay in the outbox. If the run has
// not ended grace later, or on a second signal, the returned context is
// cancelled (a row whose end was sent becomes "unknown").
func stopOnSignal(ctx context.Context, grace time.Duration) (context.Context, <-chan struct{}, func()) {
	inner, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := make(chan struct{})
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-sig:
		case <-done:
			return
		}
		close(stop)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-sig:
		case <-t.C:
		case <-done:
			return
		}
		cancel()
	}()
	return inner, stop, func() {
		signal.Stop(sig)
		close(done)
		cancel()
	}
}

// mergeGrace is how long rows in flight get to finish after Ctrl-C.
const mergeGrace = 10 * time.Second

// mergeSend sends the campaign through the outbox, then writes the
// report and the summary.
func (a *App) mergeSend(ctx context.Context, c *merge.Campaign, rep *merge.Report, f *mergeFlags, store outbox.Store, route outbox.Route, rate merge.Rate, sign func(io.Writer, io.Reader) error) error {
	var report *os.File
	if f.report != "" {
		// Opened before the first connection: a path that cannot be
		// written is said before anything is sent, not after.
		var err error
		if report, err = openReport(f.report); err != nil {
			return err
		}
		defer report.Close()
	}
	runCtx, stop, release := stopOnSignal(ctx, mergeGrace)
	defer release()
	bar := a.newMergeBar(f.req.output.quiet || f.req.output.verbose > 0, rep.Good)
	so := merge.SendOptions{
		Store: store, Route: route, Connect: a.connector(f.req.output),
		Connections: f.concurrency, Rate: rate,
		ResendUnknown: f.resendUnknown, SkipInvalid: f.skipInvalid,
		Checked: rep, Stop: stop, Sign: sign,
	}
	if bar != nil {
		so.Progress = bar.update
	}
	if !f.req.output.quiet {
		// Say when the server pushes back: it explains a slower run.
		var mu sync.Mutex
		so.OnSlowDown = func(sd outbox.SlowDown) {
			mu.Lock()
			defer mu.Unlock()
			line := slowDownLine(&sd)
			if bar != nil {
				if _, err := bar.p.Write([]byte(line)); err == nil { // above the bar
					return
				}
			}
			fmt.Fprint(a.Stderr, line)
		}
	}
	sum, err := c.Send(runCtx, so)
	if bar != nil {
		bar.finish()
	}
	var ce *merge.ChangedError
	if err != nil && (sum == nil || errors.As(err, &ce)) {
		return mergeError(err) // a run of another version of the campaign got there first: 65
	}
	if err != nil && !sum.Interrupted {
		return storageHint(err)
	}
	if report != nil {
		if rerr := a.writeMergeReport(c, store, rep, report); rerr != nil {
			return rerr
		}
	}
	if f.jsonOut {
		if jerr := a.printMergeJSON(sum); jerr != nil {
			return jerr
		}
	}
	if !f.req.output.quiet {
		a.printSummary(sum)
	}
	return a.mergeOutcome(sum)
}

// mergeOutcome is the exit status of a run, the most pressing first:
// interrupted (130), rows still waiting (75: the same command continues),
// rows whose outcome is unknown (79), rows refused for good (67), invalid
// rows skipped (65).
func (a *App) mergeOutcome(sum *merge.Summary) error {
	again := i18n.T("run the same command again to continue; rows already sent are not sent again")
	switch {
	case sum.Interrupted:
		return exitcode.With(exitcode.Interrupted, i18n.Errorf("interrupted: %d of %d rows sent, %d waiting in the outbox", sum.Sent, sum.Total, sum.Deferred), again)
	case sum.Deferred > 0:
		return exitcode.With(exitcode.TempFail, i18n.Errorf("%d rows not sent yet (the server deferred them, or could not be reached)", sum.Deferred), again)
	case sum.Unknown > 0:
		return exitcode.With(exitcode.MaybeSent, i18n.Errorf("%d rows may or may not have been delivered (the connection ended after their end was sent)", sum.Unknown),
			i18n.T("ask their recipients, or give --resend-unknown to send them again (they may get two copies)"))
	case sum.Failed > 0:
		return exitcode.With(exitcode.NoUser, i18n.Errorf("%d rows refused for good by the server", sum.Failed), i18n.T("--report FILE lists every row with the server's reply"))
	case sum.Invalid > 0:
		return exitcode.With(exitcode.DataErr, i18n.Errorf("%d invalid rows were skipped", sum.Invalid), "")
	}
	return nil
}
