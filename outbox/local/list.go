package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
)

// listPage is how many entries List reads per hold of the database: the
// consumer runs between pages with the database released.
const listPage = 256

// List yields the entries f selects, in ID (creation) order.
func (s *Store) List(ctx context.Context, f outbox.Filter) iter.Seq2[*outbox.Entry, error] {
	return func(yield func(*outbox.Entry, error) bool) {
		now := s.clock.Now()
		if len(f.IDs) > 0 {
			for e, err := range outbox.ListIDs(ctx, s, f, now) {
				if e != nil {
					s.absolute(e)
				}
				if !yield(e, err) {
					return
				}
			}
			return
		}
		var after []byte
		for {
			type item struct {
				e   *outbox.Entry
				err error
			}
			var page []item
			err := s.db.view(ctx, func(tx *bolt.Tx) error {
				page = page[:0]
				var c *bolt.Cursor
				if f.Campaign != "" {
					b := tx.Bucket(bCampaigns).Bucket(campaignBucket(f.Campaign))
					if b == nil {
						return nil
					}
					c = b.Cursor()
				} else {
					c = tx.Bucket(bEntries).Cursor()
				}
				k, _ := c.First()
				if after != nil {
					k, _ = c.Seek(after)
					if bytes.Equal(k, after) {
						k, _ = c.Next()
					}
				}
				for ; k != nil && len(page) < listPage; k, _ = c.Next() {
					after = bytes.Clone(k)
					e, _, err := getEntry(tx, outbox.ID(k))
					if errors.Is(err, outbox.ErrNotFound) {
						continue // a stale campaign index entry
					}
					if err != nil {
						page = append(page, item{err: &outbox.CorruptError{ID: outbox.ID(k), Path: s.db.path, Reason: err.Error()}})
						continue
					}
					page = append(page, item{e: e})
				}
				return nil
			})
			if err != nil {
				yield(nil, err)
				return
			}
			if len(page) == 0 {
				return
			}
			for _, it := range page {
				if it.e != nil && !f.Match(it.e, now) {
					continue
				}
				if it.e != nil {
					s.absolute(it.e)
				}
				if !yield(it.e, it.err) {
					return
				}
			}
		}
	}
}

// Counts returns the campaign's tallies ("" for the whole outbox).
func (s *Store) Counts(ctx context.Context, campaign string) (outbox.Counts, error) {
	var c outbox.Counts
	key := []byte("all")
	if campaign != "" {
		key = append([]byte("c"), campaign...)
	}
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		c = getCounts(tx, key)
		return nil
	})
	return c, err
}

// NextDue is when the earliest entry f selects becomes claimable.
func (s *Store) NextDue(ctx context.Context, f outbox.Filter) (time.Time, bool, error) {
	var next time.Time
	found := false
	see := func(t time.Time) {
		if !found || t.Before(next) {
			next, found = t, true
		}
	}
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		if len(f.IDs) > 0 {
			for _, id := range f.IDs {
				if e, _, err := getEntry(tx, id); err == nil && (!e.Finished() || e.Lease != nil) {
					see(e.DueAt)
				}
			}
			return nil
		}
		due := tx.Bucket(bDue)
		return due.ForEachBucket(func(name []byte) error {
			if f.Campaign != "" && !bytes.Equal(name, campaignBucket(f.Campaign)) {
				return nil
			}
			if k, _ := due.Bucket(name).Cursor().First(); k != nil {
				see(dueKeyTime(k))
			}
			return nil
		})
	})
	return next, found, err
}

// Quarantined lists the entries set aside as damaged.
func (s *Store) Quarantined(ctx context.Context) ([]outbox.Quarantine, error) {
	var out []outbox.Quarantine
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bQuarantine).ForEach(func(k, v []byte) error {
			var q outbox.Quarantine
			if json.Unmarshal(v, &q) == nil {
				out = append(out, q)
			}
			return nil
		})
	})
	return out, err
}
