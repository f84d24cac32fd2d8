package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
)

// Clean removes what a crash can leave in the spool: temporary files of
// enqueues that never finished, files whose record was never committed,
// and files of entries already delivered to everyone. A file another
// process is still writing (it holds the file's lock until its record is
// committed) is left alone. Then, when more than half of the database
// file is free space (after a large campaign), it is compacted.
func (s *Store) Clean(ctx context.Context) (*outbox.CleanReport, error) {
	names, err := os.ReadDir(s.spool)
	if err != nil {
		return nil, &outbox.StorageError{Op: "read", Path: s.spool, Err: unwrapPath(err)}
	}
	rep := &outbox.CleanReport{}
	for _, de := range names {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		name := de.Name()
		path := filepath.Join(s.spool, name)
		id := outbox.ID(name)
		if !strings.HasPrefix(name, tmpPrefix) && !id.Valid() {
			continue // not ours
		}
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		if flock(f, syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			f.Close() // being written right now
			continue
		}
		garbage := strings.HasPrefix(name, tmpPrefix)
		if !garbage {
			err := s.db.view(ctx, func(tx *bolt.Tx) error {
				e, _, err := getEntry(tx, id)
				garbage = err == outbox.ErrNotFound || err == nil && e.Spool == ""
				return nil
			})
			if err != nil {
				f.Close()
				return rep, err
			}
		}
		if garbage && os.Remove(path) == nil {
			rep.Removed = append(rep.Removed, path)
		}
		f.Close()
	}
	if s.db.readOnly {
		return rep, nil
	}
	n, err := s.compact()
	rep.Compacted = n
	return rep, err
}
