package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/postie/postie/internal/testbin"
	"github.com/postie/postie/outbox/outboxtest"
)

// Black-box tests of the outbox commands: the postie binary against the
// fault-injecting server of outbox/outboxtest.

// queueUser is a user of one outbox: a home, a queue directory and no
// config file (unless the test writes one).
type queueUser struct {
	t    *testing.T
	bin  string
	home string
	dir  string
	env  []string
}

func newQueueUser(t *testing.T) *queueUser {
	home := t.TempDir()
	u := &queueUser{t: t, bin: testbin.Postie(t), home: home, dir: filepath.Join(home, "queue")}
	u.env = []string{"HOME=" + home, "POSTIE_CONFIG=" + filepath.Join(home, "config.toml"), "POSTIE_QUEUE_DIR=" + u.dir, "LANG=C"}
	return u
}

type result struct {
	code           int
	stdout, stderr string
}

func (u *queueUser) command(stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(u.bin, args...)
	cmd.Env = append(os.Environ(), u.env...)
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// run runs postie to the end.
func (u *queueUser) run(stdin string, args ...string) result {
	u.t.Helper()
	cmd := u.command(stdin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		u.t.Fatal(err)
	}
	return result{code, o.String(), e.String()}
}

// must runs postie and wants exit code want.
func (u *queueUser) must(want int, stdin string, args ...string) result {
	u.t.Helper()
	r := u.run(stdin, args...)
	if r.code != want {
		u.t.Fatalf("postie %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// sendQueued is 'postie send --queue --json' through srv.
func (u *queueUser) sendQueued(want int, srv, subject string, to []string, extra ...string) sendJSON {
	u.t.Helper()
	args := []string{"send", "--queue", "--json", "--server", srv, "--tls", "none", "--timeout", "10s", "--from", "a@x.test", "--subject", subject, "--text", "hello " + subject}
	for _, r := range to {
		args = append(args, "--to", r)
	}
	r := u.must(want, "", append(args, extra...)...)
	var out sendJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		u.t.Fatalf("send --json: %v\n%s", err, r.stdout)
	}
	return out
}

type sendJSON struct {
	Status     string `json:"status"`
	OutboxID   string `json:"outbox_id"`
	ExitCode   int    `json:"exit_code"`
	Recipients []struct {
		Address string `json:"address"`
		Status  string `json:"status"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"recipients"`
}

func (s sendJSON) statuses() string {
	var out []string
	for _, r := range s.Recipients {
		out = append(out, r.Address+"="+r.Status)
	}
	return strings.Join(out, " ")
}

type entryJSON struct {
	ID         string `json:"id"`
	State      string `json:"state"`
	MessageID  string `json:"message_id"`
	Route      string `json:"route"`
	Recipients []struct {
		Address           string `json:"address"`
		State             string `json:"state"`
		Attempts          int    `json:"attempts"`
		PossiblyDelivered bool   `json:"possibly_delivered"`
		Last              string `json:"last"`
		History           []struct {
			Outcome string `json:"outcome"`
			Reply   string `json:"reply"`
			Error   string `json:"error"`
		} `json:"history"`
	} `json:"recipients"`
	Header []string `json:"header"`
}

func (u *queueUser) show(id string) entryJSON {
	u.t.Helper()
	r := u.must(0, "", "queue", "show", "--json", id)
	var e entryJSON
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
		u.t.Fatalf("queue show --json: %v\n%s", err, r.stdout)
	}
	return e
}

func (u *queueUser) list(flags ...string) []entryJSON {
	u.t.Helper()
	r := u.must(0, "", append([]string{"queue", "list", "--json"}, flags...)...)
	var es []entryJSON
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil {
		u.t.Fatalf("queue list --json: %v\n%s", err, r.stdout)
	}
	return es
}

func (e entryJSON) states() string {
	var out []string
	for _, r := range e.Recipients {
		out = append(out, r.Address+"="+r.State)
	}
	return strings.Join(out, " ")
}

// TestSendQueueFaultAtEveryStep: 'postie send --queue' against a server
// that fails at each step of the session. A temporary failure leaves the
// message queued (exit 0, "queued"); a permanent one is reported as send
// reports it (67, 69) and the entry is kept as failed with the reply.
// After one more 'postie queue run' against the same server, now good,
// every recipient has exactly one copy — two, identical, with the same
// Message-ID and flagged "possibly delivered", only where the server kept
// the message and its reply was lost — or is failed with the reply.
func TestSendQueueFaultAtEveryStep(t *testing.T) {
	type want struct {
		exit   int
		first  string // recipients' --json status after send
		final  string // recipients' states after queue run
		copies string // copies the server holds in the end
		maybe  bool   // flagged possibly delivered
	}
	queued := want{0, "a@y.test=queued b@y.test=queued", "a@y.test=delivered b@y.test=delivered", "a@y.test=1 b@y.test=1", false}
	cases := []struct {
		name  string
		step  outboxtest.Step
		fault outboxtest.Fault
		only  string
		want  want
	}{
		{"greeting 421", outboxtest.Greeting, outboxtest.Fault{Code: 421, Text: "4.3.2 busy", Close: true}, "", queued},
		{"greeting dropped", outboxtest.Greeting, outboxtest.Fault{Close: true}, "", queued},
		{"ehlo 421", outboxtest.Ehlo, outboxtest.Fault{Code: 421, Text: "4.3.2 closing", Close: true}, "", queued},
		{"ehlo dropped", outboxtest.Ehlo, outboxtest.Fault{Close: true}, "", queued},
		{"mail 451", outboxtest.Mail, outboxtest.Fault{Code: 451, Text: "4.3.0 try later"}, "", queued},
		{"mail dropped", outboxtest.Mail, outboxtest.Fault{Close: true}, "", queued},
		{"mail 550", outboxtest.Mail, outboxtest.Fault{Code: 550, Text: "5.7.1 sender refused"}, "",
			want{69, "a@y.test=rejected b@y.test=rejected", "a@y.test=failed b@y.test=failed", "a@y.test=0 b@y.test=0", false}},
		{"rcpt 451 one", outboxtest.Rcpt, outboxtest.Fault{Code: 451, Text: "4.2.1 mailbox busy"}, "b@y.test",
			want{0, "a@y.test=delivered b@y.test=queued", "a@y.test=delivered b@y.test=delivered", "a@y.test=1 b@y.test=1", false}},
		{"rcpt 550 one", outboxtest.Rcpt, outboxtest.Fault{Code: 550, Text: "5.1.1 no such user"}, "b@y.test",
			want{67, "a@y.test=delivered b@y.test=rejected", "a@y.test=delivered b@y.test=failed", "a@y.test=1 b@y.test=0", false}},
		{"rcpt dropped", outboxtest.Rcpt, outboxtest.Fault{Close: true}, "", queued},
		{"data 451", outboxtest.Data, outboxtest.Fault{Code: 451, Text: "4.3.0 no space"}, "", queued},
		{"data 554", outboxtest.Data, outboxtest.Fault{Code: 554, Text: "5.3.4 no"}, "",
			want{69, "a@y.test=rejected b@y.test=rejected", "a@y.test=failed b@y.test=failed", "a@y.test=0 b@y.test=0", false}},
		{"mid-data dropped", outboxtest.Body, outboxtest.Fault{Close: true}, "", want{0, queued.first, queued.final, queued.copies, true}},
		{"after dot dropped", outboxtest.Dot, outboxtest.Fault{Close: true}, "", want{0, queued.first, queued.final, queued.copies, true}},
		{"after dot kept, reply lost", outboxtest.Dot, outboxtest.Fault{Close: true, Keep: true}, "", want{0, queued.first, queued.final, "a@y.test=2 b@y.test=2", true}},
		{"after dot 451", outboxtest.Dot, outboxtest.Fault{Code: 451, Text: "4.3.0 queue full"}, "", queued},
		{"after dot 554", outboxtest.Dot, outboxtest.Fault{Code: 554, Text: "5.6.0 content refused"}, "",
			want{69, "a@y.test=rejected b@y.test=rejected", "a@y.test=failed b@y.test=failed", "a@y.test=0 b@y.test=0", false}},
		{"quit dropped", outboxtest.Quit, outboxtest.Fault{Close: true}, "",
			want{0, "a@y.test=delivered b@y.test=delivered", "a@y.test=delivered b@y.test=delivered", "a@y.test=1 b@y.test=1", false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own server and outbox
			u := newQueueUser(t)
			srv := outboxtest.NewServer(t)
			f := tc.fault
			srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, rcpt string) *outboxtest.Fault {
				if step == tc.step && (tc.only == "" || rcpt == tc.only) {
					return &f
				}
				return nil
			})
			out := u.sendQueued(tc.want.exit, srv.Addr, tc.name, []string{"a@y.test", "b@y.test"})
			if got := out.statuses(); got != tc.want.first || out.OutboxID == "" || out.ExitCode != tc.want.exit {
				t.Fatalf("send --queue: %s (%s, exit %d), want %s", got, out.Status, out.ExitCode, tc.want.first)
			}
			wantStatus := map[int]string{0: "queued", 67: "partial", 69: "failed"}[tc.want.exit]
			if tc.want.first == "a@y.test=delivered b@y.test=delivered" {
				wantStatus = "sent"
			}
			if out.Status != wantStatus {
				t.Fatalf("status %q, want %q", out.Status, wantStatus)
			}
			srv.SetFault(nil)
			if strings.Contains(tc.want.first, "queued") {
				// Due now instead of in five minutes, then one run.
				u.must(0, "", "queue", "retry", out.OutboxID)
				u.must(0, "", "queue", "run")
			}
			e := u.show(out.OutboxID)
			if got := e.states(); got != tc.want.final {
				t.Fatalf("after queue run: %s, want %s", got, tc.want.final)
			}
			copies := srv.Copies()
			var got []string
			for _, r := range e.Recipients {
				got = append(got, fmt.Sprintf("%s=%d", r.Address, copies[e.MessageID+" "+r.Address]))
				if r.State == "failed" {
					last := r.History[len(r.History)-1]
					if !strings.HasPrefix(last.Reply, fmt.Sprint(tc.fault.Code)) {
						t.Errorf("%s failed without the server's reply: %+v", r.Address, last)
					}
				}
				if r.PossiblyDelivered != tc.want.maybe {
					t.Errorf("%s: possibly delivered = %v", r.Address, r.PossiblyDelivered)
				}
			}
			if strings.Join(got, " ") != tc.want.copies {
				t.Fatalf("the server holds %s, want %s", strings.Join(got, " "), tc.want.copies)
			}
			// Every copy of one message is the same bytes.
			msgs := srv.Messages()
			for _, m := range msgs {
				if !bytes.Equal(m.Data, msgs[0].Data) || m.MessageID != e.MessageID {
					t.Fatalf("copies differ:\n%s\n---\n%s", msgs[0].Data, m.Data)
				}
			}
		})
	}
}

// TestQueueRunnersAndQueueOnlyTogether: two 'postie queue run --watch'
// processes and a loop of 'postie send --queue-only' over 50 messages
// work on one outbox at once: each Message-ID arrives exactly once, and
// SIGTERM stops the watchers cleanly (exit 0).
func TestQueueRunnersAndQueueOnlyTogether(t *testing.T) {
	u := newQueueUser(t)
	srv := outboxtest.NewServer(t)
	var watchers []*exec.Cmd
	var logs []*bytes.Buffer
	for range 2 {
		cmd := u.command("", "queue", "run", "--watch", "--poll", "50ms")
		var e bytes.Buffer
		cmd.Stderr = &e
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		watchers, logs = append(watchers, cmd), append(logs, &e)
	}
	t.Cleanup(func() {
		for _, w := range watchers {
			w.Process.Kill()
		}
	})
	const n = 50
	ids := map[string]bool{}
	for i := range n {
		r := u.must(0, "", "send", "--queue-only", "--json", "--server", srv.Addr, "--tls", "none", "--from", "a@x.test", "--to", fmt.Sprintf("r%d@y.test", i), "--subject", fmt.Sprint("message ", i), "--text", "hi")
		var out sendJSON
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Status != "queued" {
			t.Fatalf("send --queue-only: %v %s", err, r.stdout)
		}
		ids[out.OutboxID] = true
	}
	if len(ids) != n {
		t.Fatalf("%d distinct entries for %d messages", len(ids), n)
	}
	waitUntil(t, "every message delivered", func() bool { return len(srv.Messages()) >= n })
	for i, w := range watchers {
		w.Process.Signal(syscall.SIGTERM)
		if err := w.Wait(); err != nil {
			t.Fatalf("watcher %d: %v\n%s", i, err, logs[i])
		}
	}
	eachOnce(t, srv, n)
	if left := u.list(); len(left) != 0 {
		t.Fatalf("%d entries still listed", len(left))
	}
	// One line per delivered message, from one watcher or the other.
	delivered := 0
	for _, l := range logs {
		delivered += strings.Count(l.String(), "postie: delivered ")
	}
	if delivered != n {
		t.Fatalf("the watchers reported %d deliveries, want %d:\n%s\n%s", delivered, n, logs[0], logs[1])
	}
}

// eachOnce wants n distinct messages at srv, each received exactly once.
func eachOnce(t *testing.T, srv *outboxtest.Server, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.MessageID]++
	}
	if len(seen) != n {
		t.Fatalf("%d distinct Message-IDs arrived, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("%s arrived %d times", id, c)
		}
	}
}

// waitUntil polls cond (bounded: 60 s).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestQueueRunKilledWhileTheFinalReplyIsDelayed: 'postie queue run' is
// SIGKILLed while the server holds back its reply to the final dot (and
// keeps the message). Once the dead runner's lease runs out, a run
// against the good server delivers the message again — identical bytes,
// same Message-ID — and 'queue show' flags it possibly delivered.
func TestQueueRunKilledWhileTheFinalReplyIsDelayed(t *testing.T) {
	u := newQueueUser(t)
	srv := outboxtest.NewServer(t)
	atDot := make(chan struct{}, 1)
	release := make(chan struct{})
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step != outboxtest.Dot {
			return nil
		}
		atDot <- struct{}{}
		return &outboxtest.Fault{Wait: release, Keep: true, Close: true}
	})
	out := u.sendQueued(0, srv.Addr, "killed", []string{"bob@y.test"}, "--queue-only")
	run := u.command("", "queue", "run", "--lease", "1s")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-atDot:
	case <-time.After(60 * time.Second):
		run.Process.Kill()
		t.Fatal("the runner never sent the final dot")
	}
	if e := u.show(out.OutboxID); e.State != "sending" {
		t.Fatalf("while the reply is held back the entry is %q", e.State)
	}
	run.Process.Kill()
	run.Wait()
	close(release) // the server keeps the message; its reply goes nowhere
	srv.SetFault(nil)
	waitUntil(t, "the dead runner's lease to run out", func() bool { return u.show(out.OutboxID).State != "sending" })
	r := u.must(0, "", "queue", "run")
	if !strings.Contains(r.stderr, "delivered "+out.OutboxID) {
		t.Fatalf("queue run said:\n%s", r.stderr)
	}
	e := u.show(out.OutboxID)
	rc := e.Recipients[0]
	if rc.State != "delivered" || !rc.PossiblyDelivered || rc.Attempts != 2 || rc.History[0].Outcome != "unknown" || !strings.Contains(rc.History[0].Error, "may have been delivered") {
		t.Fatalf("%+v", rc)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || !bytes.Equal(msgs[0].Data, msgs[1].Data) || msgs[0].MessageID != e.MessageID || msgs[1].MessageID != e.MessageID {
		t.Fatalf("%d copies; identical: %v", len(msgs), len(msgs) == 2 && bytes.Equal(msgs[0].Data, msgs[1].Data))
	}
	human := u.must(0, "", "queue", "show", out.OutboxID)
	if !strings.Contains(human.stdout, "POSSIBLY DELIVERED") {
		t.Fatalf("queue show does not flag it:\n%s", human.stdout)
	}
}

// TestDamagedEntryIsSetAsideTheRestGoes: a spool file cut short is
// reported by path (exit 74) and never sent; the other entries go.
func TestDamagedEntryIsSetAsideTheRestGoes(t *testing.T) {
	u := newQueueUser(t)
	srv := outboxtest.NewServer(t)
	a := u.sendQueued(0, srv.Addr, "first", []string{"a@y.test"}, "--queue-only")
	big := u.sendQueued(0, srv.Addr, "big", []string{"b@y.test"}, "--queue-only", "--text", strings.Repeat("a long line of text for the spool file\n", 2000))
	c := u.sendQueued(0, srv.Addr, "third", []string{"c@y.test"}, "--queue-only")
	spool := filepath.Join(u.dir, "spool", big.OutboxID)
	if err := os.Truncate(spool, 1000); err != nil {
		t.Fatal(err)
	}
	r := u.must(74, "", "queue", "run")
	quarantined := filepath.Join(u.dir, "quarantine")
	if !strings.Contains(r.stderr, "entry "+big.OutboxID+" is damaged") || !strings.Contains(r.stderr, quarantined) {
		t.Fatalf("queue run said:\n%s", r.stderr)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d messages sent, want the 2 undamaged ones", n)
	}
	for _, id := range []string{a.OutboxID, c.OutboxID} {
		if e := u.show(id); e.State != "delivered" {
			t.Fatalf("%s is %s", id, e.State)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(quarantined, big.OutboxID+"*")); len(files) == 0 {
		t.Fatalf("nothing of %s in %s", big.OutboxID, quarantined)
	}
}

// TestQueueRunStopsPromptlyOnSignal: SIGTERM (or SIGINT) while a message
// is in flight — the server holds its answer to DATA — stops 'queue run'
// at once (130; with --watch a normal stop, 0), and the message stays
// pending: no attempt counted, nothing flagged, sent once by the next run.
func TestQueueRunStopsPromptlyOnSignal(t *testing.T) {
	for _, c := range []struct {
		name string
		sig  os.Signal
		args []string
		exit int
	}{
		{"run, SIGTERM", syscall.SIGTERM, []string{"queue", "run"}, 130},
		{"run --watch, SIGINT", syscall.SIGINT, []string{"queue", "run", "--watch"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newQueueUser(t)
			srv := outboxtest.NewServer(t)
			atData := make(chan struct{}, 1)
			release := make(chan struct{})
			defer close(release)
			srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
				if step != outboxtest.Data {
					return nil
				}
				atData <- struct{}{}
				return &outboxtest.Fault{Wait: release}
			})
			out := u.sendQueued(0, srv.Addr, c.name, []string{"bob@y.test"}, "--queue-only")
			run := u.command("", c.args...)
			var stderr bytes.Buffer
			run.Stderr = &stderr
			if err := run.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-atData:
			case <-time.After(60 * time.Second):
				run.Process.Kill()
				t.Fatal("the runner never reached DATA")
			}
			run.Process.Signal(c.sig)
			exited := make(chan error, 1)
			go func() { exited <- run.Wait() }()
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				run.Process.Kill()
				t.Fatal("the runner did not stop within 10 s of the signal")
			}
			if code := run.ProcessState.ExitCode(); code != c.exit {
				t.Fatalf("exit %d, want %d\n%s", code, c.exit, stderr.String())
			}
			e := u.show(out.OutboxID)
			if r := e.Recipients[0]; e.State != "queued" || r.State != "pending" || r.Attempts != 0 || r.PossiblyDelivered {
				t.Fatalf("after the signal: %s %+v", e.State, r)
			}
			srv.SetFault(nil)
			u.must(0, "", "queue", "run")
			if n := srv.Copies()[e.MessageID+" bob@y.test"]; n != 1 {
				t.Fatalf("%d copies, want 1", n)
			}
		})
	}
}
