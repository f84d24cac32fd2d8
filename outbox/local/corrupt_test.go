package local_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
)

// TestDamagedEntriesAreQuarantined damages one entry in each way a disk
// or a crash can, among healthy ones; a run sends every healthy entry,
// sets the damaged one aside by path, and never sends it.
func TestDamagedEntriesAreQuarantined(t *testing.T) {
	spoolOf := func(dir string, e *outbox.Entry) string { return filepath.Join(dir, "spool", string(e.ID)) }
	cases := []struct {
		name   string
		size   int // of the damaged message (over InlineMax: a spool file)
		damage func(t *testing.T, dir string, e *outbox.Entry)
		reason string
	}{
		{"truncated spool file", 4000, func(t *testing.T, dir string, e *outbox.Entry) {
			os.Truncate(spoolOf(dir, e), e.Size/2)
		}, "truncated"},
		{"zero-length spool file", 4000, func(t *testing.T, dir string, e *outbox.Entry) {
			os.Truncate(spoolOf(dir, e), 0)
		}, "truncated"},
		{"missing spool file", 4000, func(t *testing.T, dir string, e *outbox.Entry) {
			os.Remove(spoolOf(dir, e))
		}, "missing"},
		{"unreadable spool file", 4000, func(t *testing.T, dir string, e *outbox.Entry) {
			os.Remove(spoolOf(dir, e))
			os.Mkdir(spoolOf(dir, e), 0o700)
		}, "not a regular file"},
		{"spool file changed, same size", 4000, func(t *testing.T, dir string, e *outbox.Entry) {
			f, _ := os.OpenFile(spoolOf(dir, e), os.O_WRONLY, 0)
			f.WriteAt([]byte("X"), e.Size-10)
			f.Close()
		}, "differs"},
		{"record unparsable", 100, func(t *testing.T, dir string, e *outbox.Entry) {
			withDB(t, dir, func(tx *bolt.Tx) error { return tx.Bucket([]byte("entries")).Put([]byte(e.ID), []byte(`{"v":1,"id":`)) })
		}, "record"},
		{"inline bytes changed", 100, func(t *testing.T, dir string, e *outbox.Entry) {
			withDB(t, dir, func(tx *bolt.Tx) error {
				b := append([]byte(nil), tx.Bucket([]byte("bodies")).Get([]byte(e.ID))...)
				b[len(b)-3] ^= 1
				return tx.Bucket([]byte("bodies")).Put([]byte(e.ID), b)
			})
		}, "differs"},
		{"inline bytes missing", 100, func(t *testing.T, dir string, e *outbox.Entry) {
			withDB(t, dir, func(tx *bolt.Tx) error { return tx.Bucket([]byte("bodies")).Delete([]byte(e.ID)) })
		}, "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir() + "/queue"
			clock := outboxtest.NewClock(outboxtest.Epoch)
			s := openIn(t, dir, &local.Options{Clock: clock, InlineMax: 1024})
			before := enqueue(t, s, clock, "healthy 1", 3000)
			bad := enqueue(t, s, clock, "damaged", tc.size)
			after := enqueue(t, s, clock, "healthy 2", 200)
			tc.damage(t, dir, bad)
			srv := outboxtest.NewServer(t)
			rep, err := runner(s, clock, srv.Addr).Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Delivered != 2 || len(rep.Quarantined) != 1 {
				t.Fatalf("report %+v", rep)
			}
			q := rep.Quarantined[0]
			if q.ID != bad.ID || !strings.Contains(q.Reason, tc.reason) || !strings.HasPrefix(q.Path, filepath.Join(dir, "quarantine")) {
				t.Fatalf("quarantine %+v", q)
			}
			if _, err := os.Stat(q.Path); err != nil {
				t.Fatalf("the reported path: %v", err)
			}
			copies := srv.Copies()
			if copies[before.MessageID+" b@y.test"] != 1 || copies[after.MessageID+" b@y.test"] != 1 || copies[bad.MessageID+" b@y.test"] != 0 {
				t.Fatalf("server copies %v", copies)
			}
			if _, err := s.Get(context.Background(), bad.ID); !errors.Is(err, outbox.ErrNotFound) {
				t.Fatalf("the damaged entry is still queued: %v", err)
			}
			if ql, _ := s.Quarantined(context.Background()); len(ql) != 1 || ql[0].ID != bad.ID {
				t.Fatalf("Quarantined = %+v", ql)
			}
		})
	}
}

func TestListReportsAnUnparsableRecord(t *testing.T) {
	dir := t.TempDir() + "/queue"
	clock := outboxtest.NewClock(outboxtest.Epoch)
	s := openIn(t, dir, &local.Options{Clock: clock})
	a := enqueue(t, s, clock, "a", 10)
	b := enqueue(t, s, clock, "b", 10)
	withDB(t, dir, func(tx *bolt.Tx) error { return tx.Bucket([]byte("entries")).Put([]byte(a.ID), []byte("garbage")) })
	var errs, good int
	for e, err := range s.List(context.Background(), outbox.Filter{}) {
		var ce *outbox.CorruptError
		switch {
		case errors.As(err, &ce) && ce.ID == a.ID:
			errs++
		case err == nil && e.ID == b.ID:
			good++
		default:
			t.Fatalf("List yielded %v, %v", e, err)
		}
	}
	if errs != 1 || good != 1 {
		t.Fatalf("%d errors, %d good", errs, good)
	}
	if _, err := s.Get(context.Background(), a.ID); err == nil {
		t.Fatal("Get returned a garbage record")
	}
	// Drop removes it even though it cannot be read.
	if err := s.Drop(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, s); str(got) != str([]string{string(b.ID)}) {
		t.Fatalf("after Drop: %v", got)
	}
}

// TestDamagedFileIsAnErrorNotACrash: bytes of queue.db flipped at random
// (a failing disk), then every operation a command makes. bbolt panics on
// some damage (a page past the end: "pgid above high water mark"); the
// store turns that into a storage error naming the file, so postie exits
// 74 with one line instead of a goroutine dump. What is asserted is that
// the process lives and every error names the file.
func TestDamagedFileIsAnErrorNotACrash(t *testing.T) {
	ctx := context.Background()
	damaged := 0
	for seed := int64(1); seed <= 24; seed++ {
		dir := filepath.Join(t.TempDir(), "queue")
		s, err := local.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 60 {
			outboxtest.Enqueue(t, s, nil, &outbox.Entry{Route: outbox.Route{Server: "test"}, Recipients: []outbox.Recipient{{Addr: fmt.Sprintf("r%d@y.test", i)}}}, outboxtest.Msg(fmt.Sprint("m", i))+strings.Repeat("body line\r\n", 5*i))
		}
		s.Close()
		path := filepath.Join(dir, "queue.db")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rnd := rand.New(rand.NewPCG(uint64(seed), 3))
		for range 20 {
			i := 8192 + rnd.IntN(len(b)-8192)
			b[i] ^= byte(1 + rnd.IntN(255))
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err = local.Open(dir, nil)
		if err != nil {
			continue
		}
		var errs []error
		for _, err := range s.List(ctx, outbox.Filter{}) {
			errs = append(errs, err)
		}
		_, err = s.Enqueue(ctx, &outbox.Entry{ID: outbox.NewID(time.Now()), Route: outbox.Route{Server: "test"}, Recipients: []outbox.Recipient{{Addr: "new@y.test"}}}, strings.NewReader("Subject: x\r\n\r\nx\r\n"))
		errs = append(errs, err)
		res, err := s.Claim(ctx, outbox.ClaimRequest{Owner: "t", Now: time.Now(), Lease: time.Minute, Max: 100})
		errs = append(errs, err)
		if err == nil {
			var outs []outbox.Outcome
			for _, c := range res.Claims {
				outs = append(outs, outbox.Outcome{ID: c.Entry.ID, Owner: "t", Rcpts: []outbox.RcptOutcome{{Index: 0}}})
			}
			errs = append(errs, s.Record(ctx, outs))
		}
		_, err = s.Clean(ctx)
		errs = append(errs, err)
		s.Close()
		for _, err := range errs {
			var se *outbox.StorageError
			var ce *outbox.CorruptError
			if err != nil {
				damaged++
				if !errors.As(err, &se) && !errors.As(err, &ce) && !errors.Is(err, outbox.ErrNotFound) {
					t.Errorf("seed %d: %T %v: want a storage or corrupt-entry error", seed, err, err)
				}
			}
		}
	}
	t.Logf("%d operations failed on damaged files, none crashed", damaged)
}
