package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
)

// db runs transactions on the bbolt file, sharing it with other
// processes and grouping this process's concurrent writes into one
// commit.
//
// Sharing: bbolt holds an exclusive flock on its file while open, so a
// process opens it only while it has work, under dirLock, and closes it
// when it has had nothing to do for linger, or — once it has held it for
// holdMax — as soon as another process is waiting (a waiter holds
// queue.turn, which the holder can probe). Opening costs about 130 µs on
// this project's VM, but every page touched after an open is a fresh
// page fault, which made reopening for each commit the largest CPU cost
// of a drain; lingering keeps the mapping while work keeps coming. A
// waiting process gets in within holdMax plus one commit.
//
// Group commit: transactions queued while a commit runs go together in
// the next one — one pair of fsyncs for all of them. There is no timer
// (bbolt's own Batch waits up to 10 ms for company): a lone caller
// commits at once, and company forms by itself under load.
type db struct {
	path        string
	lock        *dirLock
	readOnly    bool
	holdMax     time.Duration
	linger      time.Duration
	lockTimeout time.Duration
	wake        chan struct{} // a transaction was queued

	commits, writes atomic.Int64 // for Stats

	mu      sync.Mutex
	idle    sync.Cond // signalled when leading turns false
	pending []*op
	leading bool
}

// wait blocks until no transaction is queued or running.
func (d *db) wait() {
	d.mu.Lock()
	for d.leading {
		d.idle.Wait()
	}
	d.mu.Unlock()
}

type op struct {
	write bool
	fn    func(*bolt.Tx) error
	err   error
	done  chan struct{}
	state atomic.Int32 // opQueued, opTaken, opAbandoned
}

const (
	opQueued int32 = iota
	opTaken
	opAbandoned
)

// errReadOnly: the queue was opened for reading only (a read-only disk,
// a directory the user may not write). It wraps EROFS so callers can tell
// it by errors.Is and suggest another directory.
var errReadOnly error = readOnlyError{}

type readOnlyError struct{}

func (readOnlyError) Error() string { return "the queue directory is read-only" }
func (readOnlyError) Unwrap() error { return syscall.EROFS }

func (d *db) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	return d.do(ctx, false, fn)
}

// update runs fn in a write transaction and returns once it is durable.
// fn may run more than once (when another transaction of the same group
// fails, the group is run again without it), so it must reset anything
// it collects outside the transaction.
func (d *db) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if d.readOnly {
		return &outbox.StorageError{Op: "write", Path: d.path, Err: errReadOnly}
	}
	return d.do(ctx, true, fn)
}

func (d *db) do(ctx context.Context, write bool, fn func(*bolt.Tx) error) error {
	o := &op{write: write, fn: fn, done: make(chan struct{})}
	d.mu.Lock()
	d.pending = append(d.pending, o)
	lead := !d.leading
	d.leading = true
	d.mu.Unlock()
	if lead {
		go d.lead()
	} else {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
	select {
	case <-o.done:
		return o.err
	case <-ctx.Done():
		if o.state.CompareAndSwap(opQueued, opAbandoned) {
			return ctx.Err()
		}
		<-o.done // already in a transaction: its fate is about to be known
		return o.err
	}
}

func (d *db) lead() {
	for {
		d.mu.Lock()
		if len(d.pending) == 0 {
			d.leading = false
			d.idle.Broadcast()
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		d.session()
	}
}

// take removes the queued operations that were not abandoned.
func (d *db) take() []*op {
	d.mu.Lock()
	ops := d.pending
	d.pending = nil
	d.mu.Unlock()
	out := ops[:0]
	for _, o := range ops {
		if o.state.CompareAndSwap(opQueued, opTaken) {
			out = append(out, o)
		}
	}
	return out
}

func finish(ops []*op, err error) {
	for _, o := range ops {
		o.err = err
		close(o.done)
	}
}

// session holds the file for one stretch of work.
func (d *db) session() {
	// The file is read through a memory map: a damaged page pointer can
	// send a read past the end of the file, a fault that would end the
	// process. Here it is a panic, which noPanic makes a storage error.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	if err := d.lock.acquire(d.lockTimeout); err != nil {
		finish(d.take(), err)
		return
	}
	defer d.lock.release()
	var bdb *bolt.DB
	var file *os.File // bolt.Open does not close it when it panics
	err := noPanic(func() (err error) {
		bdb, err = bolt.Open(d.path, 0o600, &bolt.Options{
			Timeout:      d.lockTimeout, // only a foreign process (a bbolt tool) can hold it
			ReadOnly:     d.readOnly,
			FreelistType: bolt.FreelistMapType,
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, perm)
				file = f
				return f, err
			},
		})
		return err
	})
	if isDamage(err) && file != nil {
		file.Close() // and with it bbolt's lock on the file
	}
	if err != nil {
		finish(d.take(), &outbox.StorageError{Op: "open", Path: d.path, Err: unwrapPath(err)})
		return
	}
	defer bdb.Close()
	start := time.Now()
	last, took := 0, time.Duration(0) // the last commit's operations and duration
	for {
		if last > 1 {
			d.gather(last, min(took/2, 2*time.Millisecond))
		}
		ops := d.take()
		if len(ops) == 0 {
			if !d.lingerOn(start) {
				return
			}
			continue
		}
		var writes []*op
		for _, o := range ops {
			if o.write {
				writes = append(writes, o)
				continue
			}
			o.err = noPanic(func() error { return bdb.View(o.fn) })
			if isDamage(o.err) {
				o.err = &outbox.StorageError{Op: "read", Path: d.path, Err: o.err}
			}
			close(o.done)
		}
		t0 := time.Now()
		if !d.commit(bdb, writes) {
			return // after a failed commit, reopen before going on
		}
		last, took = len(writes), time.Since(t0)
		if len(writes) > 0 {
			d.commits.Add(1)
			d.writes.Add(int64(len(writes)))
		}
		if time.Since(start) > d.holdMax && d.lock.waiting() {
			return
		}
	}
}

// gather waits, up to max, until as many operations are queued as the
// last commit had: the callers it released (runners' connections, each
// waiting for its outcome to be durable before its next message may
// end) come back within a round trip, and one commit for all of them
// halves the commits of a steady drain — without it they fall into two
// groups that alternate, each waiting for the other's commit. A lone
// caller (the last commit had one operation) never waits.
func (d *db) gather(want int, max time.Duration) {
	deadline := time.Now().Add(max)
	for {
		d.mu.Lock()
		n := len(d.pending)
		d.mu.Unlock()
		left := time.Until(deadline)
		if n >= want || left <= 0 {
			return
		}
		t := time.NewTimer(left)
		select {
		case <-d.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// lingerOn waits up to linger for more work while holding the file; false
// means let it go (nothing came, or another process is waiting).
func (d *db) lingerOn(start time.Time) bool {
	t := time.NewTimer(d.linger)
	defer t.Stop()
	select {
	case <-d.wake:
	case <-t.C:
		return false
	}
	return time.Since(start) <= d.holdMax || !d.lock.waiting()
}

var errRollback = errors.New("rollback")

// errDamaged: bbolt panics on some damage to the file (a page number
// past the end, a freelist that does not add up) instead of returning
// an error. The transaction is rolled back by bbolt as the panic passes;
// the caller gets a storage error naming the file, never a crash.
var errDamaged = errors.New("the database file is damaged")

func noPanic(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w (%v)", errDamaged, p)
		}
	}()
	return fn()
}

func isDamage(err error) bool { return errors.Is(err, errDamaged) }

// commit runs ops in one transaction. An op that fails gets its error
// and the others are run again without it; a commit that fails (disk
// full, I/O error) fails them all.
func (d *db) commit(bdb *bolt.DB, ops []*op) bool {
	for len(ops) > 0 {
		failed, ferr := -1, error(nil)
		err := noPanic(func() error {
			return bdb.Update(func(tx *bolt.Tx) error {
				for i, o := range ops {
					if err := o.fn(tx); err != nil {
						failed, ferr = i, err
						return errRollback
					}
				}
				return nil
			})
		})
		if isDamage(err) {
			failed = -1 // the file, not an op, failed
		}
		if failed >= 0 {
			finish(ops[failed:failed+1], ferr)
			ops = append(ops[:failed:failed], ops[failed+1:]...)
			continue
		}
		if err != nil {
			finish(ops, &outbox.StorageError{Op: "write", Path: d.path, Err: unwrapPath(err)})
			return false
		}
		finish(ops, nil)
		return true
	}
	return true
}
