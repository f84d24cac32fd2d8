package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv("OUTBOX_LOCAL_CHILD"); mode != "" {
		os.Exit(child(mode))
	}
	os.Exit(m.Run())
}

// tmpfs mounts a small tmpfs for the test (we are root in CI).
func tmpfs(t *testing.T, size string) string { return outboxtest.Tmpfs(t, size) }

func storageError(t *testing.T, err error) *outbox.StorageError {
	t.Helper()
	var se *outbox.StorageError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *outbox.StorageError", err, err)
	}
	return se
}

// checkIntact verifies that exactly want entries are listed and each body
// still has its recorded size and digest.
func checkIntact(t *testing.T, s outbox.Store, want []*outbox.Entry) {
	t.Helper()
	got := ids(t, s)
	if len(got) != len(want) {
		t.Fatalf("%d entries listed, want %d: %v", len(got), len(want), got)
	}
	for _, e := range want {
		rc, err := s.Body(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // the verifier fails on a size or SHA-256 mismatch
		rc.Close()
		if err != nil || int64(len(b)) != e.Size {
			t.Fatalf("entry %s damaged: %v", e.ID, err)
		}
	}
}

func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "spool", "tmp-*"))
	if len(names) > 0 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestFullDisk(t *testing.T) {
	dir := tmpfs(t, "1m") + "/queue"
	clock := outboxtest.NewClock(outboxtest.Epoch)
	s := openIn(t, dir, &local.Options{Clock: clock})
	var ok []*outbox.Entry
	ok = append(ok, enqueue(t, s, clock, "small", 500), enqueue(t, s, clock, "spooled", 100<<10))

	// A large message does not fit: the spool write fails, naming the file.
	_, err := outbox.Submit(context.Background(), s, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")},
		strings.NewReader("Subject: big\r\n\r\n"+strings.Repeat(strings.Repeat("x", 76)+"\r\n", 2<<20/78)), &outbox.SubmitOptions{Clock: clock})
	se := storageError(t, err)
	if !errors.Is(err, syscall.ENOSPC) || !strings.HasPrefix(se.Path, filepath.Join(dir, "spool")) || se.Op != "write" && se.Op != "sync" {
		t.Fatalf("big message: %+v", se)
	}
	noTempFiles(t, dir)
	checkIntact(t, s, ok)

	// Small messages until the database itself cannot grow.
	var last error
	for i := 0; i < 5000 && last == nil; i++ {
		e, err := outbox.Submit(context.Background(), s, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")},
			strings.NewReader(outboxtest.Msg(fmt.Sprint(i))+filler(1500)), &outbox.SubmitOptions{Clock: clock})
		if err == nil {
			ok = append(ok, e)
		}
		last = err
	}
	se = storageError(t, last)
	if !errors.Is(last, syscall.ENOSPC) || se.Path != filepath.Join(dir, "queue.db") {
		t.Fatalf("database full: %+v", se)
	}
	checkIntact(t, s, ok)
	// Reopened (a new process), the queue is the same.
	s.Close()
	checkIntact(t, openIn(t, dir, &local.Options{Clock: clock}), ok)
}

func TestReadOnlyDirectory(t *testing.T) {
	mnt := tmpfs(t, "4m")
	dir := mnt + "/queue"
	clock := outboxtest.NewClock(outboxtest.Epoch)
	s, err := local.Open(dir, &local.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ok := []*outbox.Entry{enqueue(t, s, clock, "a", 100), enqueue(t, s, clock, "b", 50<<10)}
	s.Close()
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount ro: %v %s", err, out)
	}
	ro := openIn(t, dir, &local.Options{Clock: clock})
	checkIntact(t, ro, ok)
	_, err = outbox.Submit(context.Background(), ro, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")}, strings.NewReader(outboxtest.Msg("c")), &outbox.SubmitOptions{Clock: clock})
	if se := storageError(t, err); se.Path != filepath.Join(dir, "queue.db") {
		t.Fatalf("%+v", se)
	}
	_, err = outbox.Submit(context.Background(), ro, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")}, strings.NewReader(outboxtest.Msg("c")+filler(64<<10)), &outbox.SubmitOptions{Clock: clock})
	if se := storageError(t, err); se.Op != "create" || !errors.Is(err, syscall.EROFS) {
		t.Fatalf("%+v", se)
	}
	if _, err := local.Open(mnt+"/elsewhere", nil); storageError(t, err).Op != "create" {
		t.Fatal("opening a new queue on a read-only disk did not say create")
	}
	checkIntact(t, ro, ok)
}

// TestFileSizeLimit runs enqueues in a child process under a file size
// limit (ulimit -f): each failure is a StorageError naming the file, and
// what succeeded is intact when the parent reopens the queue.
func TestFileSizeLimit(t *testing.T) {
	dir := t.TempDir() + "/queue"
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OUTBOX_LOCAL_CHILD=ulimit", "OUTBOX_DIR="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	var res ulimitResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("child said %q: %v", out, err)
	}
	if res.BigOp != "write" || !strings.HasPrefix(res.BigPath, filepath.Join(dir, "spool", "tmp-")) || !strings.Contains(res.BigErr, "file too large") {
		t.Fatalf("large message under ulimit -f: %+v", res)
	}
	if res.FullPath != filepath.Join(dir, "queue.db") || !strings.Contains(res.FullErr, "file too large") || len(res.OK) < 10 {
		t.Fatalf("database under ulimit -f: %+v", res)
	}
	s := openIn(t, dir, nil)
	var ok []*outbox.Entry
	for _, id := range res.OK {
		e, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		ok = append(ok, e)
	}
	checkIntact(t, s, ok)
	noTempFiles(t, dir)
}

type ulimitResult struct {
	BigOp, BigPath, BigErr string
	FullPath, FullErr      string
	OK                     []outbox.ID
}

func child(mode string) int {
	switch mode {
	case "enqueue":
		return childEnqueue()
	case "ulimit":
		// 256 KiB: the database grows past it after a few hundred entries.
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 256 << 10, Max: 256 << 10}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		s, err := local.Open(os.Getenv("OUTBOX_DIR"), nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		var res ulimitResult
		submit := func(body string) (*outbox.Entry, error) {
			return outbox.Submit(context.Background(), s, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")}, strings.NewReader(body), nil)
		}
		_, err = submit("Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 76)+"\r\n", 1<<20/78))
		var se *outbox.StorageError
		if errors.As(err, &se) {
			res.BigOp, res.BigPath, res.BigErr = se.Op, se.Path, se.Err.Error()
		}
		for i := 0; i < 20000; i++ {
			e, err := submit(outboxtest.Msg(fmt.Sprint(i)) + filler(1000))
			if err != nil {
				if errors.As(err, &se) {
					res.FullPath, res.FullErr = se.Path, se.Err.Error()
				} else {
					res.FullErr = "not a StorageError: " + err.Error()
				}
				break
			}
			res.OK = append(res.OK, e.ID)
		}
		json.NewEncoder(os.Stdout).Encode(res)
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown child mode", mode)
	return 2
}

func TestPermissions(t *testing.T) {
	dir := t.TempDir() + "/state/postie/queue"
	clock := outboxtest.NewClock(outboxtest.Epoch)
	s := openIn(t, dir, &local.Options{Clock: clock, InlineMax: 100})
	enqueue(t, s, clock, "big", 1000)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		fi, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700 | fs.ModeDir
		}
		if fi.Mode() != want {
			t.Errorf("%s: %v, want %v", p, fi.Mode(), want)
		}
		return nil
	})
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if d, _ := local.DefaultDir(); d != "/xdg/state/postie/queue" {
		t.Fatal(d)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := local.DefaultDir(); d != "/home/u/.local/state/postie/queue" {
		t.Fatal(d)
	}
}

// filler is n octets of short lines.
func filler(n int) string {
	return strings.Repeat(strings.Repeat("y", 62)+"\r\n", n/64+1)
}
