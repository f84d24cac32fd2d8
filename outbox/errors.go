package outbox

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: no entry with that ID or key.
	ErrNotFound = errors.New("no such entry in the outbox")
	// ErrDuplicate: an entry with the same key is already in the outbox.
	ErrDuplicate = errors.New("an entry with this key is already in the outbox")
	// ErrBusy: another process held the store longer than the lock timeout.
	ErrBusy = errors.New("the outbox is busy (another postie process holds it)")
)

// StorageError is a failure to keep data on disk: a full disk, a
// read-only or missing directory, a file size limit. Nothing partial is
// visible after it. Op is "create" when a file or directory could not be
// created (sysexits 73) and "read", "write", "sync", "lock" or "open"
// otherwise (74).
type StorageError struct {
	Op   string
	Path string
	Err  error
}

func (e *StorageError) Error() string {
	return fmt.Sprintf("outbox: %s %s: %v", e.Op, e.Path, e.Err)
}

func (e *StorageError) Unwrap() error { return e.Err }

// CorruptError means an entry's record or bytes are damaged: it was (or
// is being) moved to quarantine and will not be sent.
type CorruptError struct {
	ID     ID
	Path   string
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("outbox: entry %s is damaged (%s): set aside in %s", e.ID, e.Reason, e.Path)
}

// MessageError means the message cannot be queued as given (a line over
// 998 octets, a header too large): the caller's input is wrong.
type MessageError struct {
	Reason string
}

func (e *MessageError) Error() string { return "message: " + e.Reason }
