package local_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

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
