package jetstream

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

func inlineReader(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// putObject stores a message in the object store under the entry's ID.
func (s *Store) putObject(ctx context.Context, id outbox.ID, b []byte) error {
	if _, err := s.bodies.PutBytes(ctx, string(id), b); err != nil {
		return fmt.Errorf("store message in %s: %w", s.o.bucket("bodies"), err)
	}
	return nil
}

// openObject reads a message from the object store.
func (s *Store) openObject(ctx context.Context, e *outbox.Entry) (io.ReadCloser, error) {
	where := s.where(e.ID, string(e.ID))
	r, err := s.bodies.Get(ctx, string(e.ID))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, &outbox.CorruptError{ID: e.ID, Path: where, Reason: "its message is missing from the object store"}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", where, err)
	}
	return verified(e, r, where), nil
}

// verified checks the bytes against the entry's size and SHA-256 while
// they are read, and fails before the end (so the engine never sends the
// final dot) with a *outbox.CorruptError when they differ.
func verified(e *outbox.Entry, r io.ReadCloser, where string) io.ReadCloser {
	return &verifier{r: r, h: sha256.New(), e: e, where: where}
}

type verifier struct {
	r      io.ReadCloser
	h      hash.Hash
	n      int64
	e      *outbox.Entry
	where  string
	failed error
}

func (v *verifier) corrupt(why string) error {
	v.failed = &outbox.CorruptError{ID: v.e.ID, Path: v.where, Reason: why}
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
			return 0, v.corrupt(fmt.Sprintf("%d octets, %d recorded", v.n, v.e.Size))
		}
		if hex.EncodeToString(v.h.Sum(nil)) != v.e.Digest {
			return 0, v.corrupt("content differs from what was queued (SHA-256)")
		}
		return n, io.EOF
	}
	if err != nil {
		// The cluster did not answer (a node down, a timeout): not damage;
		// the attempt fails and is retried.
		return 0, fmt.Errorf("read the message of %s: %w", v.e.ID, err)
	}
	return n, nil
}

func (v *verifier) Close() error { return v.r.Close() }
