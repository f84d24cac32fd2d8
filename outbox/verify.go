package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"time"
)

// Verified passes an entry's stored bytes through, checking them against
// the size and SHA-256 recorded at enqueue: instead of the end of the
// input it returns a *CorruptError naming where (a path, a bucket) when
// they differ, so the engine closes the connection without the final dot
// and a damaged message is never completed. A read error counts as
// damage, unless transient (when set) says it is not: it then returns
// the error to fail this attempt only (a cluster that did not answer).
// Backends wrap every message they hand out with it.
func Verified(e *Entry, r io.Reader, c io.Closer, where string, transient func(error) error) io.ReadCloser {
	return &verifier{r: r, c: c, h: sha256.New(), e: e, where: where, transient: transient}
}

type verifier struct {
	r         io.Reader
	c         io.Closer
	h         hash.Hash
	n         int64
	e         *Entry
	where     string
	transient func(error) error
	failed    error
}

func (v *verifier) corrupt(why string) error {
	v.failed = &CorruptError{ID: v.e.ID, Path: v.where, Reason: why}
	return v.failed
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.failed != nil {
		return 0, v.failed
	}
	n, err := v.r.Read(p)
	v.n += int64(n)
	v.h.Write(p[:n])
	if v.n > v.e.Size {
		return 0, v.corrupt(fmt.Sprintf("longer than the %d octets recorded", v.e.Size))
	}
	if err == io.EOF {
		if v.n != v.e.Size {
			return n, v.corrupt(fmt.Sprintf("%d octets, %d recorded", v.n, v.e.Size))
		}
		if hex.EncodeToString(v.h.Sum(nil)) != v.e.Digest {
			return n, v.corrupt("content differs from what was queued (SHA-256)")
		}
		return n, io.EOF
	}
	if err != nil {
		if v.transient != nil {
			v.failed = v.transient(err)
			return n, v.failed
		}
		return n, v.corrupt("unreadable: " + err.Error())
	}
	return n, nil
}

func (v *verifier) Close() error {
	if v.c != nil {
		return v.c.Close()
	}
	return nil
}

// SetDefaults fills in what Enqueue assigns when the caller did not: an
// ID, the creation time (and Since, from which the maximum age counts),
// due now, recipients pending; a lease never comes in from outside.
// Backends call it on their own copy of the entry.
func (e *Entry) SetDefaults(now time.Time) {
	if e.ID == "" {
		e.ID = NewID(now)
	}
	if e.Created.IsZero() {
		e.Created = now
	}
	if e.Since.IsZero() {
		e.Since = e.Created
	}
	if e.DueAt.IsZero() {
		e.DueAt = now
	}
	e.Lease = nil
	for i := range e.Recipients {
		if e.Recipients[i].State == 0 {
			e.Recipients[i].State = Pending
		}
	}
}

// ListIDs is List for a filter that names IDs: each entry read with Get,
// in the filter's order, skipping those that are gone or do not match.
func ListIDs(ctx context.Context, s Store, f Filter, now time.Time) iter.Seq2[*Entry, error] {
	return func(yield func(*Entry, error) bool) {
		for _, id := range f.IDs {
			e, err := s.Get(ctx, id)
			if errors.Is(err, ErrNotFound) || err == nil && !f.Match(e, now) {
				continue
			}
			if !yield(e, err) {
				return
			}
		}
	}
}
