package outbox

import (
	"context"
	"time"
)

// ReclaimAbandoned ends the leases, among the entries f selects, whose
// runner is known to be dead (OwnerGone: a process of this host that no
// longer runs), as if they had run out at now: a recipient the dead
// runner had marked as sending becomes unknown, the others are due again.
// A process started again after a crash calls it so as not to wait for
// the old leases (minutes) to end. It returns how many it ended.
func ReclaimAbandoned(ctx context.Context, s Store, f Filter, now time.Time) (int, error) {
	var batch []Outcome
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.Record(ctx, batch)
		n += len(batch)
		batch = batch[:0]
		return err
	}
	for e, err := range s.List(ctx, f) {
		if err != nil {
			if _, corrupt := err.(*CorruptError); corrupt {
				continue // Claim quarantines it
			}
			return n, err
		}
		if e.Lease == nil || !now.Before(e.Lease.Until) || !OwnerGone(e.Lease.Owner) {
			continue
		}
		batch = append(batch, Outcome{ID: e.ID, Owner: e.Lease.Owner, Abandoned: true, At: now})
		if len(batch) == 256 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}
