package local_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
)

// crashMessage is a message of about size octets whose every line names it.
func crashMessage(name string, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: a@x.test\r\nTo: b@y.test\r\nSubject: %s\r\n\r\n", name)
	for n := 0; b.Len() < size; n++ {
		fmt.Fprintf(&b, "%s line %07d ......................................\r\n", name, n)
	}
	fmt.Fprintf(&b, "%s end\r\n", name)
	return b.Bytes()
}

// TestEnqueueCrashLoop kills an enqueuing process (SIGKILL) at random
// points while it reads a large message from a slow pipe, and once
// between its spool file becoming durable and its record's commit. After
// each kill the queue holds either the whole message or nothing of it,
// an ID the child reported is always there, and Clean removes the rest.
func TestEnqueueCrashLoop(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	dir := t.TempDir() + "/queue"
	type try struct {
		name     string
		msg      []byte
		wroteAll bool
		id       outbox.ID
		mode     string
	}
	var tries []*try
	const rounds = 10
	for i := range rounds {
		tr := &try{name: fmt.Sprintf("crash-%d", i)}
		size := 600 << 10
		switch i % 4 {
		case 0, 2:
			tr.mode = "kill while reading"
		case 1:
			tr.mode = "kill after the spool file, before the record"
		case 3:
			tr.mode, size = "kill while reading a small message", 10<<10
		}
		if i == rounds-1 {
			tr.mode = "complete"
		}
		tr.msg = crashMessage(tr.name, size)
		tries = append(tries, tr)

		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "OUTBOX_LOCAL_CHILD=enqueue", "OUTBOX_DIR="+dir)
		if strings.Contains(tr.mode, "spool file") {
			cmd.Env = append(cmd.Env, "OUTBOX_CRASH_AT=spooled")
		}
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAt := len(tr.msg)
		if strings.HasPrefix(tr.mode, "kill while") {
			killAt = rng.IntN(len(tr.msg))
		}
		// The slow pipe: 4 KiB at a time.
		for off := 0; off < killAt; off += 4096 {
			end := min(off+4096, killAt)
			if _, err := stdin.Write(tr.msg[off:end]); err != nil {
				break
			}
		}
		if killAt == len(tr.msg) {
			tr.wroteAll = true
			stdin.Close()
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if id, ok := strings.CutPrefix(strings.TrimSpace(line), "id "); ok {
				tr.id = outbox.ID(id)
			} else if !strings.HasPrefix(line, "at spooled") {
				t.Fatalf("%s: child said %q", tr.mode, line)
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
	}

	s := openIn(t, dir, nil)
	found := map[string]*outbox.Entry{}
	for e, err := range s.List(context.Background(), outbox.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		found[e.Subject] = e
	}
	for _, tr := range tries {
		e := found[tr.name]
		switch {
		case tr.id != "" && (e == nil || e.ID != tr.id):
			t.Errorf("%s: the child reported %s, the queue has %v", tr.mode, tr.id, e)
		case e != nil && !tr.wroteAll:
			t.Errorf("%s: an entry exists for a message cut at a kill", tr.mode)
		case strings.Contains(tr.mode, "spool file") && e != nil:
			t.Errorf("%s: the entry exists though its record was never committed", tr.mode)
		case e != nil:
			rc, err := s.Body(context.Background(), e.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			_, body, _ := bytes.Cut(tr.msg, []byte("\r\n\r\n"))
			if err != nil || !bytes.HasSuffix(b, body) {
				t.Errorf("%s: stored message incomplete (%v, %d octets)", tr.mode, err, len(b))
			}
		}
	}
	if e := found[tries[rounds-1].name]; e == nil {
		t.Fatal("the complete enqueue is missing")
	}
	rep, err := s.Clean(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("clean removed %d files", len(rep.Removed))
	left, _ := os.ReadDir(filepath.Join(dir, "spool"))
	for _, de := range left {
		e, err := s.Get(context.Background(), outbox.ID(de.Name()))
		if err != nil || e.Spool == "" {
			t.Errorf("after Clean the spool still has %s (%v)", de.Name(), err)
		}
	}
	if n := len(ids(t, s)); n != len(found) {
		t.Fatalf("Clean changed the queue: %d entries, had %d", n, len(found))
	}
}

func childEnqueue() int {
	if os.Getenv("OUTBOX_CRASH_AT") == "spooled" {
		*local.HookSpooled = func() {
			fmt.Println("at spooled")
			select {} // wait for the SIGKILL
		}
	}
	s, err := local.Open(os.Getenv("OUTBOX_DIR"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e, err := outbox.Submit(context.Background(), s, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")}, os.Stdin, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("id", e.ID)
	return 0
}
