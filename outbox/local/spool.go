package local

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/postie/postie/outbox"
)

// spoolFile is a message being written to the spool: a temporary name,
// then fsync, rename to spool/<id>, fsync of the directory. Its flock is
// held until the entry's record is committed, so Clean (which removes
// spool files without a record) never takes a file that is about to get
// one.
type spoolFile struct {
	f     *os.File
	dir   string
	name  string // the current path
	final string
}

func newSpoolFile(dir string, id outbox.ID) (*spoolFile, error) {
	var r [6]byte
	rand.Read(r[:])
	tmp := filepath.Join(dir, tmpPrefix+string(id)+"-"+hex.EncodeToString(r[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, &outbox.StorageError{Op: "create", Path: tmp, Err: unwrapPath(err)}
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, &outbox.StorageError{Op: "lock", Path: tmp, Err: err}
	}
	return &spoolFile{f: f, dir: dir, name: tmp, final: filepath.Join(dir, string(id))}, nil
}

const tmpPrefix = "tmp-"

func (s *spoolFile) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	if err != nil {
		return n, &outbox.StorageError{Op: "write", Path: s.name, Err: unwrapPath(err)}
	}
	return n, nil
}

// commit makes the bytes durable under their final name.
func (s *spoolFile) commit() error {
	if err := s.f.Sync(); err != nil {
		return &outbox.StorageError{Op: "sync", Path: s.name, Err: unwrapPath(err)}
	}
	if err := os.Rename(s.name, s.final); err != nil {
		return &outbox.StorageError{Op: "write", Path: s.final, Err: unwrapPath(err)}
	}
	s.name = s.final
	return syncDir(s.dir)
}

// release lets go of the file (and its lock) once its record is durable.
func (s *spoolFile) release() { s.f.Close() }

// remove deletes the file after a failure.
func (s *spoolFile) remove() {
	os.Remove(s.name)
	s.f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return &outbox.StorageError{Op: "sync", Path: dir, Err: unwrapPath(err)}
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return &outbox.StorageError{Op: "sync", Path: dir, Err: unwrapPath(err)}
	}
	return nil
}

// inlineBody serves bytes kept in the database.
func inlineBody(e *outbox.Entry, b []byte, path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		return outbox.Verified(e, bytes.NewReader(b), nil, path, nil), nil
	}
}

// fileBody serves a spool file.
func fileBody(e *outbox.Entry, path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &outbox.CorruptError{ID: e.ID, Path: path, Reason: "the spool file is missing"}
		}
		if err != nil {
			return nil, &outbox.CorruptError{ID: e.ID, Path: path, Reason: "the spool file is unreadable: " + unwrapPath(err).Error()}
		}
		return outbox.Verified(e, f, f, path, nil), nil
	}
}
