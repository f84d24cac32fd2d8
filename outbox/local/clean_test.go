package local_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
)

func TestCleanRemovesWhatCrashesLeave(t *testing.T) {
	dir := t.TempDir() + "/queue"
	clock := outboxtest.NewClock(outboxtest.Epoch)
	s := openIn(t, dir, &local.Options{Clock: clock, InlineMax: 100})
	kept := enqueue(t, s, clock, "queued", 1000)
	sent := enqueue(t, s, clock, "sent", 1000)
	spool := filepath.Join(dir, "spool")
	write := func(name string) string {
		p := filepath.Join(spool, name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tmp := write("tmp-" + string(outbox.NewID(clock.Now())) + "-abc")   // enqueue killed while writing
	orphan := write(string(outbox.NewID(clock.Now())))                  // killed between rename and commit
	busy := write("tmp-" + string(outbox.NewID(clock.Now())) + "-live") // another process writing now
	foreign := write("notes.txt")                                       // not ours
	f, _ := os.Open(busy)
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	// The delivered entry's spool file survives a crash after the commit.
	srv := outboxtest.NewServer(t)
	r := runner(s, clock, srv.Addr)
	r.Filter = outbox.Filter{IDs: []outbox.ID{sent.ID}}
	if rep, err := r.Run(context.Background()); err != nil || rep.Delivered != 1 {
		t.Fatal(rep, err)
	}
	sentSpool := write(string(sent.ID))

	rep, err := s.Clean(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rep.Removed)
	want := []string{tmp, orphan, sentSpool}
	slices.Sort(want)
	if str(rep.Removed) != str(want) {
		t.Fatalf("removed %v, want %v", rep.Removed, want)
	}
	for _, p := range []string{busy, foreign, filepath.Join(spool, string(kept.ID))} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Clean removed %s", p)
		}
	}
	if _, err := s.Body(context.Background(), kept.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Body(context.Background(), sent.ID); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("the bytes of a delivered entry: %v", err)
	}
}

func TestCleanCompactsAfterACampaign(t *testing.T) {
	dir := t.TempDir() + "/queue"
	clock := outboxtest.NewClock(outboxtest.Epoch)
	s := openIn(t, dir, &local.Options{Clock: clock})
	srv := outboxtest.NewServer(t)
	keep := enqueue(t, s, clock, "kept", 2000)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 150 {
				e := &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts(fmt.Sprintf("r%d-%d@y.test", w, i))}
				if _, err := outbox.Submit(context.Background(), s, e, strings.NewReader(outboxtest.Msg("bulk")+filler(4000)), &outbox.SubmitOptions{Clock: clock}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Retry(context.Background(), keep.ID, clock.Now().Add(time.Hour)); err != nil { // not due in this run
		t.Fatal(err)
	}
	r := runner(s, clock, srv.Addr)
	r.Connections = 8
	if rep, err := r.Run(context.Background()); err != nil || rep.Delivered != 2400 {
		t.Fatal(rep, err)
	}
	before, _ := os.Stat(filepath.Join(dir, "queue.db"))
	rep, err := s.Clean(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(dir, "queue.db"))
	if rep.Compacted <= 0 || after.Size()*2 > before.Size() {
		t.Fatalf("compacted %d: %d -> %d octets", rep.Compacted, before.Size(), after.Size())
	}
	t.Logf("queue.db %d -> %d octets", before.Size(), after.Size())
	if rc, err := s.Body(context.Background(), keep.ID); err != nil {
		t.Fatal(err)
	} else if b, err := io.ReadAll(rc); err != nil || int64(len(b)) != keep.Size {
		t.Fatalf("the kept entry after compaction: %v", err)
	}
	if c, _ := s.Counts(context.Background(), ""); c.Entries != 2401 || c.Delivered != 2400 || c.Pending != 1 {
		t.Fatalf("counts after compaction %+v", c)
	}
	if rep, _ := s.Clean(context.Background()); rep.Compacted != 0 {
		t.Fatal("compacted a compact file again")
	}
}
