package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
)

// Options tune a Store. The zero value is useful.
type Options struct {
	// InlineMax: messages up to this size are kept inside the database,
	// committed together with their record; larger ones go to spool
	// files (default 32 KiB). See the package doc for why.
	InlineMax int64
	// LockTimeout: how long to wait while another process holds the
	// queue before failing with outbox.ErrBusy (default 30 s).
	LockTimeout time.Duration
	// HoldMax: how long this process keeps the queue before letting a
	// waiting process in (default 50 ms).
	HoldMax time.Duration
	// Linger: how long this process keeps the queue open with nothing to
	// do, expecting more (default 5 ms).
	Linger time.Duration
	Clock  outbox.Clock
}

// headBufs hold the start of each message while it is enqueued (all of
// it when it is kept inline).
var headBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// testHookSpooled runs after a spool file is durable and before its
// record is committed: crash tests stop the process there.
var testHookSpooled func()

// Store is the local outbox in one directory.
type Store struct {
	dir   string
	spool string
	clock outbox.Clock
	o     Options
	db    *db
}

var _ outbox.Store = (*Store)(nil)

// DefaultDir is $XDG_STATE_HOME/postie/queue, else
// ~/.local/state/postie/queue.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "postie", "queue"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("outbox: no queue directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "postie", "queue"), nil
}

// Open opens (creating when needed) the outbox in dir: the directory and
// its subdirectories mode 0700, files 0600. On a read-only directory it
// opens for reading: List and Get work, changes fail with a
// *outbox.StorageError.
func Open(dir string, o *Options) (*Store, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.InlineMax == 0 {
		opts.InlineMax = 32 << 10
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 30 * time.Second
	}
	if opts.HoldMax <= 0 {
		opts.HoldMax = 50 * time.Millisecond
	}
	if opts.Linger <= 0 {
		opts.Linger = 5 * time.Millisecond
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &outbox.StorageError{Op: "open", Path: dir, Err: err}
	}
	s := &Store{dir: abs, spool: filepath.Join(abs, "spool"), clock: opts.Clock, o: opts}
	if s.clock == nil {
		s.clock = outbox.SystemClock
	}
	for _, d := range []string{abs, s.spool, filepath.Join(abs, "quarantine")} {
		if err := os.MkdirAll(d, 0o700); err != nil && !isDir(d) {
			return nil, &outbox.StorageError{Op: "create", Path: d, Err: unwrapPath(err)}
		}
	}
	lock, readOnly, err := openLock(abs)
	if err != nil {
		return nil, err
	}
	s.db = &db{path: filepath.Join(abs, "queue.db"), lock: lock, readOnly: readOnly, holdMax: opts.HoldMax, linger: opts.Linger, lockTimeout: opts.LockTimeout, wake: make(chan struct{}, 1)}
	s.db.idle.L = &s.db.mu
	if !readOnly {
		os.Chmod(abs, 0o700)
		err = s.db.update(context.Background(), func(tx *bolt.Tx) error {
			for _, b := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return tx.Bucket(bMeta).Put([]byte("format"), []byte("1"))
		})
	} else {
		err = s.db.view(context.Background(), func(tx *bolt.Tx) error {
			if tx.Bucket(bEntries) == nil {
				return errors.New("not an outbox database")
			}
			return nil
		})
	}
	if err != nil {
		lock.close()
		var se *outbox.StorageError
		if !errors.As(err, &se) {
			err = &outbox.StorageError{Op: "open", Path: s.db.path, Err: err}
		}
		return nil, err
	}
	return s, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Stats counts this Store's commits and the write operations they held
// (enqueues, claims, outcomes...): how well concurrent work shares the
// disk's flushes (bench/RESULTS.md).
func (s *Store) Stats() (commits, writes int64) {
	return s.db.commits.Load(), s.db.writes.Load()
}

// Dir is the queue directory.
func (s *Store) Dir() string { return s.dir }

// Close releases the store's files. Transactions in progress finish first.
func (s *Store) Close() error {
	s.db.wait()
	s.db.lock.close()
	return nil
}

func (s *Store) spoolPath(id outbox.ID) string { return filepath.Join(s.spool, string(id)) }

// Enqueue stores e and its message. The bytes are durable first (in the
// commit itself for small messages; for large ones a spool file written
// under a temporary name, fsynced, renamed, and the directory fsynced),
// then the record is committed; only then does the entry exist. A
// failure at any step leaves nothing visible.
func (s *Store) Enqueue(ctx context.Context, e *outbox.Entry, body io.Reader) (*outbox.Entry, error) {
	now := s.clock.Now()
	e = cloneEntry(e)
	e.SetDefaults(now)
	h := sha256.New()
	buf := headBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer headBufs.Put(buf) // after the commit: bbolt holds the slice until then
	m, err := io.CopyN(buf, body, s.o.InlineMax+1)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	n := int(m)
	head := buf.Bytes()
	h.Write(head)
	var sp *spoolFile
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		e.Spool = ""
	case err != nil:
		return nil, fmt.Errorf("read message: %w", err)
	default:
		if sp, err = newSpoolFile(s.spool, e.ID); err != nil {
			return nil, err
		}
		if _, err := sp.Write(head); err != nil {
			sp.remove()
			return nil, err
		}
		m, err := io.Copy(io.MultiWriter(sp, h), body)
		n += int(m)
		if err == nil {
			err = sp.commit()
		}
		if err == nil && testHookSpooled != nil {
			testHookSpooled()
		}
		if err != nil {
			sp.remove()
			var se *outbox.StorageError
			if !errors.As(err, &se) {
				err = fmt.Errorf("read message: %w", err)
			}
			return nil, err
		}
		e.Spool = "spool/" + string(e.ID)
		head = nil
	}
	e.Size = int64(n)
	e.Digest = hex.EncodeToString(h.Sum(nil))
	raw, err := outbox.MarshalEntry(e)
	if err != nil {
		if sp != nil {
			sp.remove()
		}
		return nil, err
	}
	var existing *outbox.Entry
	err = s.db.update(ctx, func(tx *bolt.Tx) error {
		if e.Key != "" {
			if id := tx.Bucket(bKeys).Get([]byte(e.Key)); id != nil {
				existing, _, _ = getEntry(tx, outbox.ID(id))
				return outbox.ErrDuplicate
			}
			if err := tx.Bucket(bKeys).Put([]byte(e.Key), []byte(e.ID)); err != nil {
				return err
			}
		}
		if tx.Bucket(bEntries).Get([]byte(e.ID)) != nil {
			return fmt.Errorf("outbox: entry %s exists", e.ID)
		}
		if err := appendOnly(tx.Bucket(bEntries)).Put([]byte(e.ID), raw); err != nil {
			return err
		}
		if head != nil {
			if err := appendOnly(tx.Bucket(bBodies)).Put([]byte(e.ID), head); err != nil {
				return err
			}
		}
		if e.Campaign != "" {
			b, err := tx.Bucket(bCampaigns).CreateBucketIfNotExists(campaignBucket(e.Campaign))
			if err != nil {
				return err
			}
			if err := appendOnly(b).Put([]byte(e.ID), nil); err != nil {
				return err
			}
		}
		if err := setDue(tx, e, time.Time{}, false); err != nil {
			return err
		}
		return addCounts(tx, e.Campaign, e.Tally())
	})
	if err != nil {
		if sp != nil {
			sp.remove()
		}
		if errors.Is(err, outbox.ErrDuplicate) {
			if existing != nil {
				s.absolute(existing)
			}
			return existing, fmt.Errorf("key %q: %w", e.Key, outbox.ErrDuplicate)
		}
		return nil, err
	}
	if sp != nil {
		sp.release()
	}
	return s.absolute(e), nil
}

// absolute turns the stored relative spool path into one a person can use.
func (s *Store) absolute(e *outbox.Entry) *outbox.Entry {
	if e.Spool != "" {
		e.Spool = s.spoolPath(e.ID)
	}
	return e
}

func cloneEntry(e *outbox.Entry) *outbox.Entry {
	c := *e
	c.Recipients = append([]outbox.Recipient(nil), e.Recipients...)
	return &c
}

// Get returns the entry with id.
func (s *Store) Get(ctx context.Context, id outbox.ID) (*outbox.Entry, error) {
	var e *outbox.Entry
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		e, _, err = getEntry(tx, id)
		return err
	})
	if err != nil {
		return nil, s.readErr(id, err)
	}
	return s.absolute(e), nil
}

func (s *Store) readErr(id outbox.ID, err error) error {
	var se *outbox.StorageError
	if errors.Is(err, outbox.ErrNotFound) || errors.As(err, &se) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if errors.Is(err, outbox.ErrNotFound) {
			return fmt.Errorf("entry %s: %w", id, err)
		}
		return err
	}
	return &outbox.CorruptError{ID: id, Path: s.db.path, Reason: err.Error()}
}

// Lookup returns the entry with the idempotency key.
func (s *Store) Lookup(ctx context.Context, key string) (*outbox.Entry, error) {
	var e *outbox.Entry
	var id outbox.ID
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bKeys).Get([]byte(key))
		if v == nil {
			return outbox.ErrNotFound
		}
		id = outbox.ID(v)
		var err error
		e, _, err = getEntry(tx, id)
		return err
	})
	if errors.Is(err, outbox.ErrNotFound) {
		return nil, fmt.Errorf("key %q: %w", key, outbox.ErrNotFound)
	}
	if err != nil {
		return nil, s.readErr(id, err)
	}
	return s.absolute(e), nil
}

// Body opens the stored message.
func (s *Store) Body(ctx context.Context, id outbox.ID) (io.ReadCloser, error) {
	var b []byte
	var e *outbox.Entry
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		if e, _, err = getEntry(tx, id); err != nil {
			return err
		}
		if v := tx.Bucket(bBodies).Get([]byte(id)); v != nil {
			b = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		return nil, s.readErr(id, err)
	}
	if e.State(time.Time{}) == outbox.Done {
		return nil, fmt.Errorf("entry %s was delivered to every recipient; its message is no longer kept: %w", id, outbox.ErrNotFound)
	}
	if e.Spool != "" {
		return fileBody(e, s.spoolPath(id))()
	}
	if b == nil {
		return nil, &outbox.CorruptError{ID: id, Path: s.db.path, Reason: "its message bytes are missing"}
	}
	return inlineBody(e, b, s.db.path)()
}
