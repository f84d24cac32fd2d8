package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postie/postie/outbox/outboxtest"
)

// TestQueueFullDisk: a message that does not fit fails with 74 naming the
// file; nothing of it is listed, and the entries before it are intact and
// still go.
func TestQueueFullDisk(t *testing.T) {
	u := newQueueUser(t)
	u.dir = filepath.Join(outboxtest.Tmpfs(t, "1m"), "queue")
	u.env = append(u.env, "POSTIE_QUEUE_DIR="+u.dir)
	srv := outboxtest.NewServer(t)
	before := []string{
		u.sendQueued(0, srv.Addr, "small", []string{"a@y.test"}, "--queue-only").OutboxID,
		u.sendQueued(0, srv.Addr, "spooled", []string{"b@y.test"}, "--queue-only", "--text", strings.Repeat("forty octets of text in every line....\n", 1500)).OutboxID,
	}
	big := filepath.Join(u.home, "big.bin")
	if err := os.WriteFile(big, make([]byte, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	r := u.must(74, "", "send", "--queue-only", "--server", srv.Addr, "--tls", "none", "--from", "a@x.test", "--to", "c@y.test", "--subject", "too big", "--text", "x", "--attach", big)
	if !strings.Contains(r.stderr, filepath.Join(u.dir, "spool")) || !strings.Contains(r.stderr, "no space left on device") || !strings.Contains(r.stderr, "postie: hint: the disk (or the file size limit) holding the outbox is full") {
		t.Fatalf("the error does not name the file and the cause:\n%s", r.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(u.dir, "spool", "tmp-*")); len(left) > 0 {
		t.Fatalf("half-written files left: %v", left)
	}
	listed := u.list()
	if len(listed) != 2 || listed[0].ID != before[0] || listed[1].ID != before[1] {
		t.Fatalf("listed %+v, want exactly %v", listed, before)
	}
	u.must(0, "", "queue", "run")
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d messages sent, want 2", n)
	}
}

// TestQueueReadOnly: on a read-only disk the outbox still lists what it
// holds; queueing fails with 74 naming the database, and a new queue
// directory with 73 naming it. Nothing earlier is harmed.
func TestQueueReadOnly(t *testing.T) {
	mnt := outboxtest.Tmpfs(t, "4m")
	u := newQueueUser(t)
	u.dir = filepath.Join(mnt, "queue")
	u.env = append(u.env, "POSTIE_QUEUE_DIR="+u.dir)
	srv := outboxtest.NewServer(t)
	id := u.sendQueued(0, srv.Addr, "before", []string{"a@y.test"}, "--queue-only").OutboxID
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount ro: %v %s", err, out)
	}
	if l := u.list(); len(l) != 1 || l[0].ID != id {
		t.Fatalf("listed %+v", l)
	}
	r := u.must(74, "", "send", "--queue-only", "--server", srv.Addr, "--tls", "none", "--from", "a@x.test", "--to", "b@y.test", "--text", "x")
	if !strings.Contains(r.stderr, filepath.Join(u.dir, "queue.db")) || !strings.Contains(r.stderr, "read-only") || !strings.Contains(r.stderr, "postie: hint: the outbox directory cannot be written here") {
		t.Fatalf("queueing on a read-only disk said:\n%s", r.stderr)
	}
	r = u.must(73, "", "send", "--queue-only", "--queue-dir", filepath.Join(mnt, "new"), "--server", srv.Addr, "--tls", "none", "--from", "a@x.test", "--to", "b@y.test", "--text", "x")
	if !strings.Contains(r.stderr, filepath.Join(mnt, "new")) {
		t.Fatalf("a new queue on a read-only disk said:\n%s", r.stderr)
	}
	if l := u.list(); len(l) != 1 || l[0].ID != id {
		t.Fatalf("listed %+v", l)
	}
}
