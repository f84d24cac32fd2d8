package outbox_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
	"github.com/postie/postie/smtp"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv("OUTBOX_CHILD"); mode != "" {
		os.Exit(child(mode))
	}
	os.Exit(m.Run())
}

// child runs in a process of its own, for the crash and concurrency tests.
func child(mode string) int {
	s, err := local.Open(os.Getenv("OUTBOX_DIR"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	switch mode {
	case "run":
		if n, _ := strconv.Atoi(os.Getenv("OUTBOX_CRASH_BEFORE_RECORD")); n > 0 {
			var seen atomic.Int32
			*outbox.HookBeforeRecord = func() {
				if int(seen.Add(1)) == n {
					fmt.Println("at before-record")
					select {} // a 250 arrived and is not committed: wait for the SIGKILL
				}
			}
		}
		lease, _ := time.ParseDuration(os.Getenv("OUTBOX_LEASE"))
		r := childRunner(s, lease)
		if _, err := r.Run(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("done")
	case "drain":
		// Run until every entry is finished (another process may still be
		// enqueueing), within a bound.
		want, _ := strconv.Atoi(os.Getenv("OUTBOX_WANT"))
		r := childRunner(s, time.Minute)
		r.Connections = 2
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
			if _, err := r.Run(ctx); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			c, err := s.Counts(ctx, "")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			if c.Entries >= want && c.Left() == 0 && c.Claimed == 0 {
				fmt.Println("done")
				return 0
			}
			time.Sleep(20 * time.Millisecond) // polling another process's progress
		}
		fmt.Fprintln(os.Stderr, "drain: not finished in time")
		return 1
	case "enqueue":
		n, _ := strconv.Atoi(os.Getenv("OUTBOX_WANT"))
		for i := range n {
			e := &outbox.Entry{Route: outbox.Route{Server: "test"}, From: "a@x.test", Recipients: outboxtest.Rcpts(fmt.Sprintf("r%d@y.test", i))}
			if _, err := outbox.Submit(ctx, s, e, strings.NewReader(outboxtest.Msg(fmt.Sprint("concurrent ", i))), nil); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		fmt.Println("done")
	default:
		return 2
	}
	return 0
}

// offsetClock is the real clock moved by a fixed offset: a child of a
// later round lives "later", past the leases of the children killed
// before it, without anyone sleeping.
type offsetClock time.Duration

func (o offsetClock) Now() time.Time                         { return time.Now().Add(time.Duration(o)) }
func (o offsetClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func childRunner(s outbox.Store, lease time.Duration) *outbox.Runner {
	addr := os.Getenv("OUTBOX_SERVER")
	offset, _ := time.ParseDuration(os.Getenv("OUTBOX_CLOCK_OFFSET"))
	return &outbox.Runner{
		Store: s, Lease: lease, Connections: 1, Clock: offsetClock(offset),
		Connect: func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, addr, &smtp.Options{TLS: smtp.TLSNone})
		},
	}
}

type proc struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan error
}

func startChild(t *testing.T, mode string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "OUTBOX_CHILD="+mode), env...)
	out, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 16), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		err := cmd.Wait()
		if err != nil && stderr.Len() > 0 {
			err = fmt.Errorf("%v: %s", err, stderr.String())
		}
		p.done <- err
	}()
	return p
}

func (p *proc) kill() error {
	p.cmd.Process.Kill()
	for range p.lines {
	}
	return <-p.done
}

// TestDeliveryCrashLoop SIGKILLs a runner process at the worst moments —
// between a 250 and the commit of its outcome, while the server delays
// its final reply, and at random points of a session — then drains the
// queue against the good server and reads the server's log: every
// recipient has its message; a second copy exists only where the history
// says the outcome was unknown, at most one message per crash; every
// copy of a message has the same bytes.
func TestDeliveryCrashLoop(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 2))
	t.Logf("seed %d", seed)
	dir := t.TempDir() + "/queue"
	srv := outboxtest.NewServer(t)
	var (
		fmu   sync.Mutex
		fault func(step outboxtest.Step, m *outboxtest.Message, rcpt string) *outboxtest.Fault
	)
	srv.SetFault(func(step outboxtest.Step, m *outboxtest.Message, rcpt string) *outboxtest.Fault {
		fmu.Lock()
		f := fault
		fmu.Unlock()
		if f == nil {
			return nil
		}
		return f(step, m, rcpt)
	})
	s, err := local.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 40
	var entries []*outbox.Entry
	for i := range n {
		to := []string{fmt.Sprintf("r%d@y.test", i)}
		if i%5 == 0 {
			to = append(to, fmt.Sprintf("s%d@y.test", i))
		}
		entries = append(entries, outboxtest.Enqueue(t, s, nil, &outbox.Entry{Route: outbox.Route{Server: "test"}, Recipients: rcpts(to...)}, outboxtest.Msg(fmt.Sprint("crash ", i))))
	}
	env := []string{"OUTBOX_DIR=" + dir, "OUTBOX_SERVER=" + srv.Addr, "OUTBOX_LEASE=2s"}
	const rounds = 9
	for round := range rounds {
		k := 1 + rng.IntN(4)
		before := len(srv.Messages())
		env := append(env, fmt.Sprintf("OUTBOX_CLOCK_OFFSET=%ds", 10*round))
		switch round % 3 {
		case 0: // between the 250 and its commit
			p := startChild(t, "run", append(env, fmt.Sprint("OUTBOX_CRASH_BEFORE_RECORD=", k))...)
			if line := <-p.lines; line != "at before-record" {
				t.Fatalf("round %d: child said %q", round, line)
			}
			p.kill()
		case 1: // while the server holds the final reply of the k-th message
			held, release := make(chan struct{}, 1), make(chan struct{})
			var seen atomic.Int32
			fmu.Lock()
			fault = func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
				if step == outboxtest.Dot && int(seen.Add(1)) == k {
					held <- struct{}{}
					return &outboxtest.Fault{Wait: release} // then it keeps the message, like Postfix
				}
				return nil
			}
			fmu.Unlock()
			p := startChild(t, "run", env...)
			select {
			case <-held:
				p.kill()
			case err := <-p.done:
				t.Fatalf("round %d: the child finished first: %v", round, err)
			}
			close(release)
			fmu.Lock()
			fault = nil
			fmu.Unlock()
		case 2: // anywhere in the session after some messages
			p := startChild(t, "run", env...)
			waitFor(t, "messages", func() bool { return len(srv.Messages()) >= min(before+k, n) || len(p.done) > 0 })
			p.kill()
		}
	}

	// Drain: a runner whose clock is past every lease and retry time.
	clock := outboxtest.NewClock(time.Now().Add(10*rounds*time.Second + time.Hour))
	r := &outbox.Runner{Store: s, Clock: clock, Lease: time.Minute, Connections: 2, Connect: func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
		return smtp.Dial(ctx, srv.Addr, &smtp.Options{TLS: smtp.TLSNone})
	}}
	for range 3 {
		if _, err := r.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
	}

	copies := srv.Copies()
	data := map[string][]byte{}
	for _, m := range srv.Messages() {
		if prev, ok := data[m.MessageID]; ok && !bytes.Equal(prev, m.Data) {
			t.Errorf("%s was sent with different bytes", m.MessageID)
		}
		data[m.MessageID] = m.Data
	}
	flagged := 0
	for _, e := range entries {
		g, err := s.Get(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		unknownEntry := false
		for _, rc := range g.Recipients {
			c := copies[e.MessageID+" "+rc.Addr]
			unknowns := 0
			for _, a := range rc.History {
				if a.Outcome == outbox.Unknown {
					unknowns++
				}
			}
			switch {
			case rc.State != outbox.Delivered:
				t.Errorf("%s %s: %v after the drain (%s)", e.ID, rc.Addr, rc.State, rc.Last().Describe())
			case c == 0:
				t.Errorf("%s %s: delivered but the server has no copy", e.ID, rc.Addr)
			case c > 1+unknowns:
				t.Errorf("%s %s: %d copies, but only %d unknown outcomes in its history", e.ID, rc.Addr, c, unknowns)
			}
			if unknowns > 0 {
				unknownEntry = true
			}
		}
		if unknownEntry {
			flagged++
		}
	}
	if flagged > rounds {
		t.Errorf("%d entries flagged unknown after %d crashes (at most one in flight each)", flagged, rounds)
	}
	t.Logf("%d messages on the server for %d entries; %d flagged unknown after %d kills", len(srv.Messages()), n, flagged, rounds)
}

// TestTwoRunnersAndAnEnqueuer runs two runner processes and an enqueuing
// process on one queue at once: every message arrives exactly once.
func TestTwoRunnersAndAnEnqueuer(t *testing.T) {
	dir := t.TempDir() + "/queue"
	if _, err := local.Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	srv := outboxtest.NewServer(t)
	const n = 50
	env := []string{"OUTBOX_DIR=" + dir, "OUTBOX_SERVER=" + srv.Addr, fmt.Sprint("OUTBOX_WANT=", n)}
	procs := []*proc{startChild(t, "drain", env...), startChild(t, "drain", env...), startChild(t, "enqueue", env...)}
	for _, p := range procs {
		for range p.lines {
		}
		if err := <-p.done; err != nil {
			t.Fatal(err)
		}
	}
	copies := srv.Copies()
	if len(copies) != n {
		t.Fatalf("%d distinct messages arrived, want %d", len(copies), n)
	}
	for k, c := range copies {
		if c != 1 {
			t.Errorf("%s arrived %d times", k, c)
		}
	}
	conns := map[int]bool{}
	for _, m := range srv.Messages() {
		conns[m.Conn] = true
	}
	t.Logf("%d messages over %d connections", len(srv.Messages()), len(conns))
}
