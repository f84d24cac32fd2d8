package local

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
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

// verifier passes the stored bytes through and, instead of the end of
// the input, returns a *CorruptError when they are not the size and
// SHA-256 recorded at enqueue. The engine then closes the connection
// without the final dot: a damaged message is never completed.
type verifier struct {
	r      io.Reader
	c      io.Closer
	h      hash.Hash
	n      int64
	e      *outbox.Entry
	path   string
	failed error
}

func newVerifier(r io.Reader, c io.Closer, e *outbox.Entry, path string) *verifier {
	return &verifier{r: r, c: c, h: sha256.New(), e: e, path: path}
}

func (v *verifier) corrupt(why string) error {
	v.failed = &outbox.CorruptError{ID: v.e.ID, Path: v.path, Reason: why}
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

// inlineBody serves bytes kept in the database.
func inlineBody(e *outbox.Entry, b []byte, path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		return newVerifier(bytes.NewReader(b), nil, e, path), nil
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
		return newVerifier(f, f, e, path), nil
	}
}
