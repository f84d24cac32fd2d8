package merge

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/postie/postie/outbox"
)

// The Meta keys of a merge's outbox entries: the campaign's fingerprint
// and start (Date) on every entry, so that any one of them tells how the
// campaign began, and the row.
const (
	metaFingerprint = "merge.fingerprint"
	metaDate        = "merge.date"
	metaRow         = "merge.row"
)

// Stored is a campaign as the outbox keeps it.
type Stored struct {
	Name        string
	Fingerprint string    // as when it started; Campaign.Resume compares it
	Date        time.Time // the campaign's start: Options.Date to render its rows again
	Counts      outbox.Counts
}

// Lookup finds a campaign in the outbox: its fingerprint and start from
// the Meta of its first entry, and its counts. Nil when the outbox has no
// entry of that campaign. A campaign whose entries were not made by a
// merge (queued by hand under that name) has an empty Fingerprint, which
// Resume refuses.
func Lookup(ctx context.Context, s outbox.Store, name string) (*Stored, error) {
	counts, err := s.Counts(ctx, name)
	if err != nil {
		return nil, err
	}
	if counts.Entries == 0 {
		return nil, nil
	}
	st := &Stored{Name: name, Counts: counts}
	for e, err := range s.List(ctx, outbox.Filter{Campaign: name}) {
		var ce *outbox.CorruptError
		if errors.As(err, &ce) {
			continue // quarantined when claimed; another entry tells the same
		}
		if err != nil {
			return nil, err
		}
		st.Fingerprint = e.Meta[metaFingerprint]
		if d, err := time.Parse(time.RFC3339, e.Meta[metaDate]); err == nil {
			st.Date = d
		}
		break
	}
	return st, nil
}

// maxRow is the largest row number a campaign's entry IDs can hold.
const maxRow = 1<<24 - 1

// rowID is the outbox ID of a row's entry: the campaign's start, three
// octets of its name and fingerprint, and the row number, so that
// listing a campaign yields its rows in order (the report streams it)
// and running the campaign again finds the same IDs.
func (c *Campaign) rowID(row int) (outbox.ID, error) {
	if row < 0 || row > maxRow {
		return "", fmt.Errorf("row %d: a campaign holds at most %d rows", row, maxRow)
	}
	sum := sha256.Sum256([]byte(c.Name + "\x00" + c.Fingerprint))
	tail := [6]byte{sum[0], sum[1], sum[2], byte(row >> 16), byte(row >> 8), byte(row)}
	return outbox.MakeID(c.Date, tail), nil
}

// entryRow reads the row number an entry keeps, or 0.
func entryRow(e *outbox.Entry) int {
	n, _ := strconv.Atoi(e.Meta[metaRow])
	return n
}
