package local

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
)

// The database's buckets.
var (
	bEntries    = []byte("entries")    // id -> record (outbox.MarshalEntry)
	bBodies     = []byte("bodies")     // id -> message bytes, for messages up to InlineMax
	bDue        = []byte("due")        // one sub-bucket per campaign: due time (ns, big-endian) + id -> nil
	bKeys       = []byte("keys")       // idempotency key -> id
	bCampaigns  = []byte("campaigns")  // one sub-bucket per campaign: id -> nil
	bCounts     = []byte("counts")     // "all" and "c"+campaign -> JSON outbox.Counts
	bQuarantine = []byte("quarantine") // id -> JSON outbox.Quarantine
	bMeta       = []byte("meta")       // "format" -> "1"
	allBuckets  = [][]byte{bEntries, bBodies, bDue, bKeys, bCampaigns, bCounts, bQuarantine, bMeta}
)

// campaignBucket names a campaign's sub-bucket (bbolt names cannot be empty).
func campaignBucket(c string) []byte { return []byte("c" + c) }

func dueKey(t time.Time, id outbox.ID) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(max(t.UnixNano(), 0)))
	return append(k, id...)
}

func dueKeyTime(k []byte) time.Time {
	if len(k) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8])))
}

// setDue moves e's place in the due index from old to e.DueAt (removing
// it when the entry is finished).
func setDue(tx *bolt.Tx, e *outbox.Entry, old time.Time, had bool) error {
	due := tx.Bucket(bDue)
	name := campaignBucket(e.Campaign)
	if had {
		if b := due.Bucket(name); b != nil {
			if err := b.Delete(dueKey(old, e.ID)); err != nil {
				return err
			}
		}
	}
	if e.Lease == nil && (e.Finished() || e.DueAt.IsZero()) {
		return nil
	}
	b, err := due.CreateBucketIfNotExists(name)
	if err != nil {
		return err
	}
	return b.Put(dueKey(e.DueAt, e.ID), nil)
}

// appendOnly tunes a bucket whose new keys mostly come in ascending
// order (IDs begin with the time): bbolt splits pages at half by default,
// which leaves every page half empty under ascending inserts.
func appendOnly(b *bolt.Bucket) *bolt.Bucket {
	b.FillPercent = 0.9
	return b
}

func putEntry(tx *bolt.Tx, e *outbox.Entry) error {
	raw, err := outbox.MarshalEntry(e)
	if err != nil {
		return err
	}
	return tx.Bucket(bEntries).Put([]byte(e.ID), raw)
}

func getEntry(tx *bolt.Tx, id outbox.ID) (*outbox.Entry, []byte, error) {
	raw := tx.Bucket(bEntries).Get([]byte(id))
	if raw == nil {
		return nil, nil, outbox.ErrNotFound
	}
	e, err := outbox.UnmarshalEntry(raw)
	if err == nil && e.ID != id {
		err = errMismatch
	}
	return e, raw, err
}

type mismatchError struct{}

func (mismatchError) Error() string { return "record: its id differs from its key" }

var errMismatch = mismatchError{}

// addCounts adds d to the totals and to the campaign's.
func addCounts(tx *bolt.Tx, campaign string, d outbox.Counts) error {
	if d == (outbox.Counts{}) {
		return nil
	}
	b := tx.Bucket(bCounts)
	for _, k := range [][]byte{[]byte("all"), append([]byte("c"), campaign...)} {
		var c outbox.Counts
		if v := b.Get(k); v != nil {
			json.Unmarshal(v, &c)
		}
		c.Add(d)
		v, _ := json.Marshal(c)
		if err := b.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

func getCounts(tx *bolt.Tx, key []byte) outbox.Counts {
	var c outbox.Counts
	if v := tx.Bucket(bCounts).Get(key); v != nil {
		json.Unmarshal(v, &c)
	}
	return c
}

// deleteEntry removes an entry and every index entry pointing to it. e
// may be nil when the record could not be decoded (then the key and
// campaign indexes keep a stale pointer, which readers skip and Clean
// removes).
func deleteEntry(tx *bolt.Tx, id outbox.ID, e *outbox.Entry) error {
	if err := tx.Bucket(bEntries).Delete([]byte(id)); err != nil {
		return err
	}
	if err := tx.Bucket(bBodies).Delete([]byte(id)); err != nil {
		return err
	}
	if e == nil {
		return nil
	}
	if e.Key != "" {
		if err := tx.Bucket(bKeys).Delete([]byte(e.Key)); err != nil {
			return err
		}
	}
	if b := tx.Bucket(bCampaigns).Bucket(campaignBucket(e.Campaign)); b != nil {
		if err := b.Delete([]byte(id)); err != nil {
			return err
		}
	}
	if b := tx.Bucket(bDue).Bucket(campaignBucket(e.Campaign)); b != nil {
		if err := b.Delete(dueKey(e.DueAt, id)); err != nil {
			return err
		}
	}
	return addCounts(tx, e.Campaign, outbox.Counts{}.Sub(e.Tally()))
}

// quarantine sets an entry aside: its message bytes go to
// quarantine/<id>.eml, its record to quarantine/<id>.json, and the
// database keeps the reason. Nothing of it is sent. The file moves are
// idempotent, so the transaction may run again.
func (s *Store) quarantine(tx *bolt.Tx, id outbox.ID, raw []byte, e *outbox.Entry, reason string) (outbox.Quarantine, error) {
	qdir := filepath.Join(s.dir, "quarantine")
	q := outbox.Quarantine{ID: id, Path: filepath.Join(qdir, string(id)+".json"), Reason: reason, At: s.clock.Now().UTC()}
	if id.Valid() {
		msg := filepath.Join(qdir, string(id)+".eml")
		if err := os.Rename(s.spoolPath(id), msg); err == nil {
			q.Path = msg
		} else if b := tx.Bucket(bBodies).Get([]byte(id)); b != nil {
			if os.WriteFile(msg, b, 0o600) == nil {
				q.Path = msg
			}
		}
		os.WriteFile(filepath.Join(qdir, string(id)+".json"), raw, 0o600)
	}
	if err := deleteEntry(tx, id, e); err != nil {
		return q, err
	}
	v, _ := json.Marshal(q)
	return q, tx.Bucket(bQuarantine).Put([]byte(id), v)
}
