package jetstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// verified checks the bytes against the entry while they are read
// (outbox.Verified); a read error from the cluster is not damage.
func verified(e *outbox.Entry, r io.ReadCloser, where string) io.ReadCloser {
	return outbox.Verified(e, r, r, where, func(err error) error {
		return fmt.Errorf("read the message of %s: %w", e.ID, err)
	})
}
