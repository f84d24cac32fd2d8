package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/outbox"
)

// queueCmd is 'postie queue': the outbox's commands.
func (a *App) queueCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "queue",
		Short: i18n.T("The outbox: list, show, run, retry, drop and clean queued messages"),
		Long: i18n.T(`The outbox keeps each message given to 'postie send --queue' (or sendmail
in its queue modes) on disk until a server has taken it for every recipient.

  postie queue list              what waits (--failed: what failed for good)
  postie queue show ID           one entry: header, recipients, every attempt
  postie queue run               send what is due now (--watch: keep doing it)
  postie queue retry ID          make an entry due now (--all-failed, --all)
  postie queue drop ID           delete an entry
  postie queue clean             remove what a crash left behind, compact
  postie queue stats             depth, in flight, per minute, each worker

With --outbox nats://host:4222 (or POSTIE_OUTBOX, or the config key
outbox) every command works on the outbox kept in a NATS JetStream
cluster, and 'queue run --watch' is one worker of a fleet.

Exit codes of 'queue run': 0 nothing failed for good in this run (messages
may still wait for a retry), 69 some recipient failed for good (each is
named), 74 a damaged entry was set aside (named by path), 73/74 the outbox
cannot be written, 75 another postie holds the outbox too long, 130
interrupted (the entry in flight stays queued; with --watch a signal is a
normal stop, exit 0).`),
		Args: unknownCommand,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	cmd.AddCommand(a.queueListCmd(), a.queueShowCmd(), a.queueRunCmd(), a.queueRetryCmd(), a.queueDropCmd(), a.queueCleanCmd(), a.queueStatsCmd())
	return cmd
}

// withQueue opens the outbox for a command and closes it after. fn takes
// an outbox.Store: either backend (natsStore tells which).
func (a *App) withQueue(f queueFlags, fn func(outbox.Store) error) error {
	if !f.mayCreate && a.localQueueMissing(f) {
		// Nothing was ever queued there (or the path has a typo): the
		// command sees an empty outbox, and no directory is made for it.
		tmp, err := os.MkdirTemp("", "postie-empty-outbox-")
		if err != nil {
			return exitcode.With(exitcode.CantCreat, err, "")
		}
		defer os.RemoveAll(tmp)
		f.dir, f.mayCreate = filepath.Join(tmp, "queue"), true
	}
	s, err := a.openQueue(f)
	if err != nil {
		return err
	}
	defer s.Close()
	err = fn(s)
	if _, ok := natsStore(s); ok && err != nil && exitcode.For(err) == exitcode.Software {
		// A request to the cluster failed (a node lost, no quorum): try
		// again later, not a bug of postie's.
		err = natsOpError(err)
	}
	return err
}

func (a *App) queueListCmd() *cobra.Command {
	var q queueFlags
	var failed, all, jsonOut bool
	cmd := &cobra.Command{
		Use:   "list [--failed] [--json]",
		Short: i18n.T("List the messages in the outbox that are not yet delivered to everyone"),
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.withQueue(q, func(s outbox.Store) error {
				f := outbox.Filter{States: []outbox.EntryState{outbox.Queued, outbox.Active, outbox.Held}}
				switch {
				case failed:
					f.States = []outbox.EntryState{outbox.Held}
				case all:
					f.States = nil
				}
				return a.listQueue(c.Context(), s, f, jsonOut, false)
			})
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&failed, "failed", false, i18n.T("only the messages that failed for good (kept until retried or dropped)"))
	fs.BoolVar(&all, "all", false, i18n.T("also the messages delivered to everyone"))
	fs.BoolVar(&jsonOut, "json", false, i18n.T("print the entries as JSON on stdout"))
	q.add(fs)
	return cmd
}

func (a *App) queueShowCmd() *cobra.Command {
	var q queueFlags
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: i18n.T("Show one entry: its header, each recipient's state and every attempt with the server's reply"),
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseQueueID(args[0])
			if err != nil {
				return err
			}
			return a.withQueue(q, func(s outbox.Store) error { return a.showEntry(c.Context(), s, id, jsonOut) })
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, i18n.T("print the entry as JSON on stdout"))
	q.add(cmd.Flags())
	return cmd
}

type queueRunFlags struct {
	q     queueFlags
	run   runFlags
	out   outputFlags
	watch bool
	poll  time.Duration
	// natsPoll: --poll when given (a NATS worker's own default is 1 s:
	// asking the cluster costs a couple of requests).
	natsPoll time.Duration
	worker   workerFlags
}

func (a *App) queueRunCmd() *cobra.Command {
	f := &queueRunFlags{}
	cmd := &cobra.Command{
		Use:   "run [ID...] [--watch]",
		Short: i18n.T("Send what is due in the outbox (the given entries, or all)"),
		Long: i18n.T(`Send what is due in the outbox, then exit: each recipient whose retry time
has come. Several runs (and 'postie send --queue') may work on one outbox at
once: each entry is sent by one of them. One line per delivered, deferred or
failed message (none with -q). With --watch, postie keeps running and sends
each message when it falls due (for a systemd unit); SIGINT and SIGTERM stop
it promptly, and a message being sent at that moment stays queued.

Exit codes: 0 nothing failed for good in this run, 69 some recipient failed
for good (named on stderr; kept for 'postie queue list --failed'), 74 a
damaged entry was set aside, 73/74 the outbox cannot be written, 130
interrupted (with --watch: 0).`),
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("poll") {
				f.natsPoll = f.poll
			}
			return a.runQueue(c.Context(), f, args)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.watch, "watch", false, i18n.T("keep running: send each message when it falls due, until SIGINT or SIGTERM"))
	f.worker.add(fs)
	fs.DurationVar(&f.poll, "poll", 30*time.Second, i18n.T("with --watch: look for messages other processes queued at least this often"))
	f.run.add(fs)
	f.out.add(fs)
	f.q.add(fs)
	return cmd
}

func (a *App) queueRetryCmd() *cobra.Command {
	var q queueFlags
	var allFailed, all, quiet bool
	cmd := &cobra.Command{
		Use:   "retry ID...|--all-failed|--all",
		Short: i18n.T("Make entries due now: failed recipients are tried again, the maximum age starts again"),
		RunE: func(c *cobra.Command, args []string) error {
			if (len(args) > 0) == (allFailed || all) || allFailed && all {
				return exitcode.With(exitcode.Usage, i18n.Errorf("give entry IDs, or --all-failed, or --all"), i18n.T("'postie queue list' shows the entries"))
			}
			return a.withQueue(q, func(s outbox.Store) error { return a.retryQueue(c.Context(), s, args, allFailed, all, quiet) })
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&allFailed, "all-failed", false, i18n.T("every entry that failed for good"))
	fs.BoolVar(&all, "all", false, i18n.T("every entry not yet delivered to everyone (after the network or the server is back)"))
	fs.BoolVarP(&quiet, "quiet", "q", false, i18n.T("print nothing on success"))
	q.add(fs)
	return cmd
}

func (a *App) queueDropCmd() *cobra.Command {
	var q queueFlags
	var quiet bool
	cmd := &cobra.Command{
		Use:   "drop ID...",
		Short: i18n.T("Delete entries from the outbox (their recipients get nothing more)"),
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return exitcode.With(exitcode.Usage, i18n.Errorf("give the IDs of the entries to drop"), i18n.T("'postie queue list' shows the entries"))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			ids, err := parseQueueIDs(args)
			if err != nil {
				return err
			}
			return a.withQueue(q, func(s outbox.Store) error { return a.dropQueue(c.Context(), s, ids, quiet) })
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, i18n.T("print nothing on success"))
	q.add(cmd.Flags())
	return cmd
}

func (a *App) queueCleanCmd() *cobra.Command {
	var q queueFlags
	var quiet bool
	cmd := &cobra.Command{
		Use:   "clean",
		Short: i18n.T("Remove what a crash left in the outbox (half-written files), and give free space back to the disk"),
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.withQueue(q, func(s outbox.Store) error {
				rep, err := s.Clean(c.Context())
				if rep != nil && !quiet {
					for _, p := range rep.Removed {
						fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("removed %s", textsafe.Line(p)))
					}
					if rep.Compacted > 0 {
						fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("compacted the database: %s given back to the disk", sizeText(rep.Compacted)))
					}
				}
				return err
			})
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, i18n.T("print nothing on success"))
	q.add(cmd.Flags())
	return cmd
}

func parseQueueIDs(args []string) ([]outbox.ID, error) {
	var ids []outbox.ID
	for _, s := range args {
		id, err := parseQueueID(s)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// runQueue is 'queue run' (and sendmail -q): a Runner over what is due.
func (a *App) runQueue(ctx context.Context, f *queueRunFlags, args []string) error {
	ids, err := parseQueueIDs(args)
	if err != nil {
		return err
	}
	sched, err := f.run.schedule()
	if err != nil {
		return err
	}
	if f.poll <= 0 {
		return usageErr(i18n.Errorf("--poll %s: want a positive duration", f.poll))
	}
	if err := f.worker.check(); err != nil {
		return err
	}
	f.q.verbose = f.q.verbose || f.out.verbose > 0
	f.q.mayCreate = f.watch // a worker waits for what others will queue there
	return a.withQueue(f.q, func(s outbox.Store) error {
		for _, id := range ids {
			e, err := s.Get(ctx, id)
			if err != nil {
				return queueIDError(id, err)
			}
			if !f.out.quiet {
				a.noteNotDue(e)
			}
		}
		r := a.newRunner(s, f.out, sched, f.run.lease)
		r.Filter.IDs = ids
		p := &runPrinter{a: a, quiet: f.out.quiet}
		r.OnEvent = p.event
		f.worker.limit(s, r)
		if f.worker.metrics != "" {
			if err := a.serveMetrics(ctx, s, r, f.worker.metrics, f.out.quiet); err != nil {
				return err
			}
		}
		if js, ok := natsStore(s); ok && f.watch {
			a.work(ctx, js, r, f.natsPoll, p)
			return nil
		}
		if f.watch {
			// Failures are printed as they happen; a signal is a normal
			// stop for a service (nil), a store failure is not.
			return storageHint(r.Watch(ctx, f.poll, func(*outbox.Report) { p.flush() }))
		}
		rep, err := r.Run(ctx)
		p.flush()
		if errors.Is(err, context.Canceled) {
			return exitcode.With(exitcode.Interrupted, i18n.Errorf("interrupted; the messages not yet sent stay queued"), "")
		}
		if err != nil {
			return storageHint(err)
		}
		return runOutcome(rep)
	})
}

// newRunner is a Runner over s whose connections resolve each route
// again (connector): what queue run and merge use.
func (a *App) newRunner(s outbox.Store, out outputFlags, sched outbox.Schedule, lease time.Duration) *outbox.Runner {
	return &outbox.Runner{Store: s, Connect: a.connector(out), Schedule: sched, Lease: lease}
}

// runOutcome is a run's exit: 69 naming each entry that failed for good,
// else 74 naming each damaged entry set aside, else nil.
func runOutcome(rep *outbox.Report) error {
	if len(rep.Failures) > 0 {
		var ids []string
		seen := map[outbox.ID]bool{}
		for _, ev := range rep.Failures {
			if !seen[ev.Entry.ID] {
				seen[ev.Entry.ID] = true
				ids = append(ids, string(ev.Entry.ID))
			}
		}
		return exitcode.With(exitcode.Unavailable, i18n.Errorf("%d recipient(s) failed for good in this run: %s", len(rep.Failures), strings.Join(ids, ", ")),
			i18n.T("'postie queue show ID' has the server's reply; after fixing the cause, 'postie queue retry ID' tries again"))
	}
	if len(rep.Quarantined) > 0 {
		var paths []string
		for _, q := range rep.Quarantined {
			paths = append(paths, q.Path)
		}
		return exitcode.With(exitcode.IOErr, i18n.Errorf("%d damaged entries set aside, never sent: %s", len(rep.Quarantined), strings.Join(paths, ", ")), "")
	}
	return nil
}

// noteNotDue says why 'queue run ID' will not send an entry now.
func (a *App) noteNotDue(e *outbox.Entry) {
	now := time.Now()
	switch {
	case e.Finished():
		fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("%s: nothing left to send (%s)", e.ID, entryStateWord(e, now)))
	case e.State(now) == outbox.Active:
		fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("%s is being sent by another runner (%s)", e.ID, e.Lease.Owner))
	case len(e.Due(now)) == 0:
		fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("%s is not due until %s; 'postie queue retry %s' makes it due now", e.ID, e.DueAt.Local().Format(time.DateTime), e.ID))
	}
}

// retryQueue is 'queue retry'.
func (a *App) retryQueue(ctx context.Context, s outbox.Store, args []string, allFailed, all, quiet bool) error {
	ids, err := parseQueueIDs(args)
	if err != nil {
		return err
	}
	unknown := func(e *outbox.Entry) bool {
		for _, r := range e.Recipients {
			if r.State == outbox.Unknown {
				return true
			}
		}
		return false
	}
	if allFailed || all {
		f := outbox.Filter{States: []outbox.EntryState{outbox.Held}}
		if all {
			f.States = append(f.States, outbox.Queued)
		}
		for e, err := range s.List(ctx, f) {
			if err != nil {
				a.reportCorrupt(err)
				continue
			}
			if e.State(time.Now()) == outbox.Held && unknown(e) {
				// Sending it again may deliver it twice: only by its ID.
				a.warn(i18n.Sprintf("%s may have been delivered already (the connection broke after the message was sent): not retried; 'postie queue retry %s' sends it again", e.ID, e.ID))
				continue
			}
			ids = append(ids, e.ID)
		}
	} else {
		for _, id := range ids {
			if e, err := s.Get(ctx, id); err == nil && unknown(e) && !quiet {
				a.warn(i18n.Sprintf("%s may have been delivered already: it is sent again, and a recipient may get it twice", id))
			}
		}
	}
	now := time.Now()
	n := 0
	for _, id := range ids {
		e, err := s.Get(ctx, id)
		if err != nil {
			return queueIDError(id, err)
		}
		if e.State(now) == outbox.Done {
			if !quiet {
				fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("%s: every recipient has it; nothing to retry", id))
			}
			continue
		}
		if err := s.Retry(ctx, id, now); err != nil {
			return queueIDError(id, err)
		}
		n++
	}
	if !quiet {
		fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("%d entries due now; 'postie queue run' sends them", n))
	}
	return nil
}

// dropQueue is 'queue drop'.
func (a *App) dropQueue(ctx context.Context, s outbox.Store, ids []outbox.ID, quiet bool) error {
	for _, id := range ids {
		e, err := s.Get(ctx, id)
		if err == nil && e.State(time.Now()) == outbox.Active {
			a.warn(i18n.Sprintf("%s is being sent right now by %s: that attempt may still deliver it", id, e.Lease.Owner))
		}
		var ce *outbox.CorruptError
		if err != nil && !errors.As(err, &ce) {
			return queueIDError(id, err)
		}
		if err := s.Drop(ctx, id); err != nil {
			return queueIDError(id, err)
		}
		if !quiet {
			fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("dropped %s", id))
		}
	}
	return nil
}
