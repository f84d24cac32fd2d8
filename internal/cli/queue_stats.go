package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/outbox"
)

// queue stats: the outbox at a glance. On a NATS outbox, the cluster's
// view (jetstream.Stats: a few requests whatever the queue's size):
// depth, tickets ready and unacknowledged, in flight, delivered and
// failed per minute, and each live worker. On the local outbox, the
// recipients by state (outbox.Counts).

func (a *App) queueStatsCmd() *cobra.Command {
	var q queueFlags
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "stats [--json]",
		Short: i18n.T("Show the outbox's numbers: depth, in flight, delivered and failed per minute, each worker"),
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.withQueue(q, func(s outbox.Store) error { return a.queueStats(c.Context(), s, jsonOut) })
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, i18n.T("print the numbers as JSON on stdout"))
	q.add(cmd.Flags())
	return cmd
}

func (a *App) queueStats(ctx context.Context, s outbox.Store, jsonOut bool) error {
	js, ok := natsStore(s)
	if !ok {
		c, err := s.Counts(ctx, "")
		if err != nil {
			return storageHint(err)
		}
		if jsonOut {
			return textsafe.WriteJSON(a.Stdout, c)
		}
		w := a.Stdout
		fmt.Fprintln(w, i18n.Sprintf("entries:            %d (%d under a lease)", c.Entries, c.Claimed))
		fmt.Fprintln(w, i18n.Sprintf("recipients waiting: %d (deferred %d, outcome unknown %d)", c.Pending+c.Deferred+c.Unknown, c.Deferred, c.Unknown))
		fmt.Fprintln(w, i18n.Sprintf("delivered:          %d", c.Delivered))
		fmt.Fprintln(w, i18n.Sprintf("failed:             %d", c.Failed))
		return nil
	}
	st, err := js.Stats(ctx)
	if err != nil {
		return natsOpError(err)
	}
	if jsonOut {
		return textsafe.WriteJSON(a.Stdout, st)
	}
	w := a.Stdout
	fmt.Fprintln(w, i18n.Sprintf("depth:         %d entries (ready %d, with a worker or deferred %d)", st.Depth, st.Ready, st.Unacked))
	fmt.Fprintln(w, i18n.Sprintf("in flight:     %d", st.InFlight))
	fmt.Fprintln(w, i18n.Sprintf("per minute:    %.1f delivered, %.1f failed", st.DeliveredPerMinute, st.FailedPerMinute))
	fmt.Fprintln(w, i18n.Sprintf("stored:        %s in the work stream, %s in the object store", sizeText(int64(st.StreamBytes)), sizeText(int64(st.ObjectBytes))))
	fmt.Fprintln(w, i18n.Sprintf("workers:       %d", len(st.Workers)))
	now := time.Now()
	for _, wk := range st.Workers {
		fmt.Fprintln(w, "  "+i18n.Sprintf("%s: in flight %d, delivered %d (%.1f/min), deferred %d, unknown %d, failed %d (%.1f/min), seen %s ago",
			textsafe.Line(wk.Worker), wk.InFlight, wk.Delivered, wk.DeliveredPerMinute, wk.Deferred, wk.Unknown, wk.Failed, wk.FailedPerMinute,
			now.Sub(wk.Seen).Round(time.Second)))
	}
	return nil
}

// natsOpError: a request to the cluster failed after it was opened (a
// node lost, the cluster without quorum): try again later.
func natsOpError(err error) error {
	return exitcode.With(exitcode.TempFail, i18n.Errorf("the NATS outbox: %w", err), "")
}
