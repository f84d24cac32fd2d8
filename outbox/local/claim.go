package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
)

// Claim leases due entries to req.Owner in one transaction. Each entry's
// bytes are checked first (inline: size and SHA-256; spool file: size;
// its SHA-256 is checked while it is sent); a damaged entry or record is
// quarantined and reported instead.
func (s *Store) Claim(ctx context.Context, req outbox.ClaimRequest) (*outbox.ClaimResult, error) {
	if req.Owner == "" || req.Lease <= 0 {
		return nil, errors.New("outbox: Claim needs an owner and a lease")
	}
	if req.Max <= 0 {
		req.Max = 64
	}
	dueBy := req.DueBy
	if dueBy.IsZero() {
		dueBy = req.Now
	}
	var res *outbox.ClaimResult
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		res = &outbox.ClaimResult{}
		var bytes int64
		for _, c := range candidates(tx, req.Filter, dueBy, req.Max) {
			if len(res.Claims) >= req.Max || req.MaxBytes > 0 && bytes >= req.MaxBytes {
				break
			}
			cl, q, err := s.claimOne(tx, c, req, dueBy)
			if err != nil {
				return err
			}
			if q != nil {
				res.Quarantined = append(res.Quarantined, *q)
			}
			if cl != nil {
				res.Claims = append(res.Claims, cl)
				bytes += cl.Entry.Size
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

type candidate struct {
	id     outbox.ID
	bucket []byte // the due sub-bucket, nil for an ID given by the filter
	key    []byte
	due    time.Time
}

// candidates lists up to max entries due by dueBy, earliest first, taking
// from every campaign (or the filter's).
func candidates(tx *bolt.Tx, f outbox.Filter, dueBy time.Time, max int) []candidate {
	var out []candidate
	if len(f.IDs) > 0 {
		for _, id := range f.IDs {
			out = append(out, candidate{id: id})
		}
		return out
	}
	due := tx.Bucket(bDue)
	scan := func(name []byte, b *bolt.Bucket) {
		c := b.Cursor()
		n := 0
		for k, _ := c.First(); k != nil && n < max; k, _ = c.Next() {
			t := dueKeyTime(k)
			if t.After(dueBy) {
				break
			}
			out = append(out, candidate{id: outbox.ID(k[8:]), bucket: bytes.Clone(name), key: bytes.Clone(k), due: t})
			n++
		}
	}
	if f.Campaign != "" {
		if b := due.Bucket(campaignBucket(f.Campaign)); b != nil {
			scan(campaignBucket(f.Campaign), b)
		}
	} else {
		due.ForEachBucket(func(name []byte) error {
			scan(name, due.Bucket(name))
			return nil
		})
		sort.SliceStable(out, func(i, j int) bool { return out[i].due.Before(out[j].due) })
	}
	return out
}

func (s *Store) claimOne(tx *bolt.Tx, c candidate, req outbox.ClaimRequest, dueBy time.Time) (*outbox.Claim, *outbox.Quarantine, error) {
	dropKey := func() error {
		if c.bucket == nil {
			return nil
		}
		return tx.Bucket(bDue).Bucket(c.bucket).Delete(c.key)
	}
	e, raw, err := getEntry(tx, c.id)
	switch {
	case errors.Is(err, outbox.ErrNotFound):
		return nil, nil, dropKey() // a stale index entry
	case err != nil:
		if err := dropKey(); err != nil {
			return nil, nil, err
		}
		q, err := s.quarantine(tx, c.id, raw, nil, "the record cannot be read: "+err.Error())
		return nil, &q, err
	}
	if c.bucket == nil && (e.DueAt.After(dueBy) || e.Finished() && e.Lease == nil) {
		return nil, nil, nil // asked for by ID, but not due (or done: its bytes may be gone)
	}
	if c.bucket != nil && !bytes.Equal(c.key, dueKey(e.DueAt, e.ID)) {
		if err := dropKey(); err != nil { // a stray index entry; the right one stays
			return nil, nil, err
		}
	}
	if len(req.Filter.IDs) > 0 && req.Filter.Campaign != "" && e.Campaign != req.Filter.Campaign {
		return nil, nil, nil
	}
	var inline []byte
	if e.Spool == "" {
		inline = tx.Bucket(bBodies).Get([]byte(e.ID))
	}
	if why := s.checkBytes(e, inline); why != "" {
		q, err := s.quarantine(tx, e.ID, raw, e, why)
		return nil, &q, err
	}
	before, old := e.Tally(), e.DueAt
	due := e.TakeLease(req.Owner, req.Now, req.Lease)
	if e.DueAt.Equal(old) && len(due) == 0 {
		return nil, nil, nil // leased to another runner; its place in the index is right
	}
	if err := setDue(tx, e, old, true); err != nil {
		return nil, nil, err
	}
	if err := putEntry(tx, e); err != nil {
		return nil, nil, err
	}
	if err := addCounts(tx, e.Campaign, e.Tally().Sub(before)); err != nil {
		return nil, nil, err
	}
	if len(due) == 0 {
		return nil, nil, nil
	}
	cl := &outbox.Claim{Entry: s.absolute(e), Due: due}
	if e.Spool != "" {
		cl.Body = fileBody(e, s.spoolPath(e.ID))
	} else {
		cl.Body = inlineBody(e, bytes.Clone(inline), s.db.path)
	}
	return cl, nil, nil
}

// checkBytes returns why the entry's stored bytes cannot be sent, or "".
func (s *Store) checkBytes(e *outbox.Entry, inline []byte) string {
	if e.Spool == "" {
		if inline == nil {
			return "its message bytes are missing from the database"
		}
		if int64(len(inline)) != e.Size {
			return fmt.Sprintf("its message is %d octets, %d recorded", len(inline), e.Size)
		}
		sum := sha256.Sum256(inline)
		if hex.EncodeToString(sum[:]) != e.Digest {
			return "its message differs from what was queued (SHA-256)"
		}
		return ""
	}
	fi, err := os.Stat(s.spoolPath(e.ID))
	switch {
	case err != nil:
		return "its spool file is missing or unreadable: " + unwrapPath(err).Error()
	case !fi.Mode().IsRegular():
		return "its spool file is not a regular file"
	case fi.Size() != e.Size:
		return fmt.Sprintf("its spool file is %d octets, %d recorded (truncated?)", fi.Size(), e.Size)
	}
	return ""
}

// Renew extends owner's leases.
func (s *Store) Renew(ctx context.Context, owner string, ids []outbox.ID, until time.Time) ([]outbox.ID, error) {
	var lost []outbox.ID
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		lost = lost[:0]
		for _, id := range ids {
			e, _, err := getEntry(tx, id)
			if err != nil {
				lost = append(lost, id)
				continue
			}
			old := e.DueAt
			if !e.RenewLease(owner, until) {
				lost = append(lost, id)
				continue
			}
			if err := setDue(tx, e, old, true); err != nil {
				return err
			}
			if err := putEntry(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	return lost, err
}

// Record stores outcomes, in one commit with whatever else this process
// is committing at the moment.
func (s *Store) Record(ctx context.Context, outs []outbox.Outcome) error {
	var unlink []outbox.ID
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		unlink = unlink[:0]
		for i := range outs {
			o := &outs[i]
			e, raw, err := getEntry(tx, o.ID)
			if errors.Is(err, outbox.ErrNotFound) {
				continue // dropped meanwhile
			}
			if err != nil {
				if _, err := s.quarantine(tx, o.ID, raw, nil, "the record cannot be read: "+err.Error()); err != nil {
					return err
				}
				continue
			}
			if o.Quarantine != "" {
				if _, err := s.quarantine(tx, o.ID, raw, e, o.Quarantine); err != nil {
					return err
				}
				continue
			}
			before, old := e.Tally(), e.DueAt
			e.Apply(o)
			if e.State(time.Time{}) == outbox.Done {
				// Every recipient has it: the bytes are no longer needed.
				if err := tx.Bucket(bBodies).Delete([]byte(e.ID)); err != nil {
					return err
				}
				if e.Spool != "" {
					unlink = append(unlink, e.ID)
					e.Spool = ""
				}
			}
			if err := setDue(tx, e, old, true); err != nil {
				return err
			}
			if err := putEntry(tx, e); err != nil {
				return err
			}
			if err := addCounts(tx, e.Campaign, e.Tally().Sub(before)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, id := range unlink {
			os.Remove(s.spoolPath(id)) // a crash first leaves it to Clean
		}
	}
	return err
}

// Retry makes the entry's undelivered recipients due at now.
func (s *Store) Retry(ctx context.Context, id outbox.ID, now time.Time) error {
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		e, _, err := getEntry(tx, id)
		if err != nil {
			return err
		}
		before, old := e.Tally(), e.DueAt
		if !e.Retry(now) {
			return nil
		}
		if err := setDue(tx, e, old, true); err != nil {
			return err
		}
		if err := putEntry(tx, e); err != nil {
			return err
		}
		return addCounts(tx, e.Campaign, e.Tally().Sub(before))
	})
	if err != nil {
		return s.readErr(id, err)
	}
	return nil
}

// Drop deletes the entry and its bytes (even when its record is damaged).
func (s *Store) Drop(ctx context.Context, id outbox.ID) error {
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		e, _, err := getEntry(tx, id)
		if errors.Is(err, outbox.ErrNotFound) {
			return err
		}
		if err != nil {
			e = nil
		}
		return deleteEntry(tx, id, e)
	})
	if err != nil {
		return s.readErr(id, err)
	}
	if id.Valid() {
		os.Remove(s.spoolPath(id))
	}
	return nil
}
