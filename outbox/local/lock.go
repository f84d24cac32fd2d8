package local

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/postie/postie/outbox"
)

// dirLock is the queue's cross-process lock: one process at a time opens
// the bbolt file. It is a turnstile of two flock(2) locks: a process
// first takes queue.turn, then queue.lock, then lets go of queue.turn.
// A process that has just released queue.lock and wants it again must
// queue behind whoever already holds queue.turn, so a busy runner cannot
// starve a `send --queue` that is waiting (flock alone wakes waiters in
// no particular order, and the releasing process usually wins the race).
type dirLock struct {
	main, turn *os.File
	sem        chan struct{} // one acquirer per process (flock is per open file, not per goroutine)
}

func openLock(dir string) (*dirLock, bool, error) {
	readOnly := false
	open := func(name string) (*os.File, error) {
		p := dir + "/" + name
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil && (errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES)) {
			if f, err2 := os.Open(p); err2 == nil {
				readOnly = true
				return f, nil
			}
		}
		if err != nil {
			return nil, &outbox.StorageError{Op: "create", Path: p, Err: unwrapPath(err)}
		}
		return f, nil
	}
	main, err := open("queue.lock")
	if err != nil {
		return nil, false, err
	}
	turn, err := open("queue.turn")
	if err != nil {
		main.Close()
		return nil, false, err
	}
	return &dirLock{main: main, turn: turn, sem: make(chan struct{}, 1)}, readOnly, nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// acquire waits up to timeout for the queue.
func (l *dirLock) acquire(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	busy := func() error {
		return &outbox.StorageError{Op: "lock", Path: l.main.Name(), Err: fmt.Errorf("%w: waited %s", outbox.ErrBusy, timeout)}
	}
	select {
	case l.sem <- struct{}{}:
	case <-t.C:
		return busy()
	}
	got := make(chan error, 1)
	go func() {
		err := flock(l.turn, syscall.LOCK_EX)
		if err == nil {
			err = flock(l.main, syscall.LOCK_EX)
			flock(l.turn, syscall.LOCK_UN)
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			<-l.sem
			return &outbox.StorageError{Op: "lock", Path: l.main.Name(), Err: err}
		}
		return nil
	case <-t.C:
		// Keep the process's place until the kernel answers, then let go.
		go func() {
			if err := <-got; err == nil {
				flock(l.main, syscall.LOCK_UN)
			}
			<-l.sem
		}()
		return busy()
	}
}

// waiting reports whether another process is queued for the lock (it
// holds queue.turn while it waits for queue.lock).
func (l *dirLock) waiting() bool {
	if flock(l.turn, syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return true
	}
	flock(l.turn, syscall.LOCK_UN)
	return false
}

func (l *dirLock) release() {
	flock(l.main, syscall.LOCK_UN)
	<-l.sem
}

func (l *dirLock) close() {
	l.main.Close()
	l.turn.Close()
}

// unwrapPath drops *os.PathError's own path: StorageError names it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
