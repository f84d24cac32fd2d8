package local

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
)

// compactMin: below this much free space the database file is left as it
// is (bbolt never shrinks a file; after a large campaign most of it is
// free pages).
const compactMin = 8 << 20

// compact rewrites the database without its free pages when more than
// half of it (and at least compactMin) is free: a copy is written beside
// it, fsynced, renamed over it, and the directory fsynced, all under the
// queue lock, so no process has the file open meanwhile. It returns the
// octets given back.
func (s *Store) compact() (n int64, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // as in db.session
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, &outbox.StorageError{Op: "compact", Path: s.db.path, Err: fmt.Errorf("%w (%v)", errDamaged, p)}
		}
	}()
	if err := s.db.lock.acquire(s.o.LockTimeout); err != nil {
		return 0, err
	}
	defer s.db.lock.release()
	src, err := bolt.Open(s.db.path, 0o600, &bolt.Options{Timeout: s.o.LockTimeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return 0, &outbox.StorageError{Op: "open", Path: s.db.path, Err: unwrapPath(err)}
	}
	defer src.Close()
	fi, err := os.Stat(s.db.path)
	if err != nil {
		return 0, &outbox.StorageError{Op: "read", Path: s.db.path, Err: unwrapPath(err)}
	}
	free := int64(src.Stats().FreePageN) * int64(src.Info().PageSize)
	if free < compactMin || free*2 < fi.Size() {
		return 0, nil
	}
	tmp := filepath.Join(s.dir, "queue.db.compact")
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		return 0, &outbox.StorageError{Op: "create", Path: tmp, Err: unwrapPath(err)}
	}
	if err := noPanic(func() error { return bolt.Compact(dst, src, 32<<20) }); err != nil {
		dst.Close()
		os.Remove(tmp)
		return 0, &outbox.StorageError{Op: "write", Path: tmp, Err: unwrapPath(err)}
	}
	if err := dst.Close(); err != nil { // bbolt commits synchronously; the file is durable
		os.Remove(tmp)
		return 0, &outbox.StorageError{Op: "write", Path: tmp, Err: unwrapPath(err)}
	}
	src.Close()
	if err := os.Rename(tmp, s.db.path); err != nil {
		os.Remove(tmp)
		return 0, &outbox.StorageError{Op: "write", Path: s.db.path, Err: unwrapPath(err)}
	}
	if err := syncDir(s.dir); err != nil {
		return 0, err
	}
	after, err := os.Stat(s.db.path)
	if err != nil {
		return 0, nil
	}
	return fi.Size() - after.Size(), nil
}
