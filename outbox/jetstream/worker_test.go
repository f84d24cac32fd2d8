package jetstream_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/smtp"
)

// TestMain lets the test binary run as a worker process: the test
// harness's stand-in for `postie queue run --watch --outbox nats://...`
// until the CLI has it.
func TestMain(m *testing.M) {
	if os.Getenv("POSTIE_JS_WORKER") != "" {
		os.Exit(workerMain())
	}
	os.Exit(m.Run())
}

// workerMain: a Runner over a JetStream store, delivering each entry to
// its route's Server address from the source address WORKER_IP (so a
// test server knows which worker a connection is), until SIGTERM.
func workerMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	lease, _ := time.ParseDuration(os.Getenv("WORKER_LEASE"))
	s, err := jetstream.Open(ctx, jetstream.Options{URLs: os.Getenv("WORKER_NATS"), Prefix: os.Getenv("WORKER_PREFIX"), AckWait: lease})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	defer s.Close()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(os.Getenv("WORKER_IP"))}}
	connect := func(ctx context.Context, t outbox.Target) (outbox.Session, error) {
		return smtp.Dial(ctx, t.Route.Server, &smtp.Options{TLS: smtp.TLSNone, Dialer: dialer, LocalName: "worker.test",
			Timeouts: smtp.Timeouts{DataTerm: 30 * time.Second, Mail: 30 * time.Second}})
	}
	var l jetstream.Limits
	if v := os.Getenv("WORKER_RATE"); v != "" { // N/duration for every route
		n, per, _ := strings.Cut(v, "/")
		r := jetstream.Rate{}
		r.N, _ = strconv.Atoi(n)
		r.Per, _ = time.ParseDuration(per)
		l.Route = func(outbox.Route) jetstream.Rate { return r }
	}
	if v := os.Getenv("WORKER_CONNS"); v != "" {
		n, _ := strconv.Atoi(v)
		l.Conns = func(outbox.Target) int { return n }
	}
	if l.Route != nil || l.Conns != nil {
		connect = s.Fleet(l).Connector(connect)
	}
	conns, _ := strconv.Atoi(os.Getenv("WORKER_CONNECTIONS"))
	r := &outbox.Runner{
		Store: s, Connect: connect, Lease: lease, Connections: conns,
		Schedule: outbox.Schedule{Delays: []time.Duration{500 * time.Millisecond, time.Second}, MaxAge: time.Hour},
	}
	fmt.Println("ready")
	s.Work(ctx, r, jetstream.WorkOptions{Poll: 100 * time.Millisecond, Errors: func(err error) { fmt.Fprintln(os.Stderr, "worker:", err) }})
	return 0
}

// workers runs worker processes for one test.
type workers struct {
	t      *testing.T
	env    []string
	mu     sync.Mutex
	procs  map[string]*exec.Cmd // by source IP
	stderr map[string]*lockedWriter
}

// newWorkers prepares workers for the outbox at urls/prefix; env adds
// WORKER_* settings (WORKER_LEASE defaults to 2s).
func newWorkers(t *testing.T, urls, prefix string, env ...string) *workers {
	w := &workers{t: t, procs: map[string]*exec.Cmd{}, stderr: map[string]*lockedWriter{},
		env: append([]string{"POSTIE_JS_WORKER=1", "WORKER_NATS=" + urls, "WORKER_PREFIX=" + prefix, "WORKER_LEASE=2s", "WORKER_CONNECTIONS=4"}, env...)}
	t.Cleanup(w.stopAll)
	return w
}

// start runs a worker whose connections come from ip, and waits until
// it is ready.
func (w *workers) start(ip string) { w.t.Helper(); w.startWith(ip) }

// startWith is start with more WORKER_* settings for this worker alone
// (later ones win).
func (w *workers) startWith(ip string, env ...string) {
	w.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(append(os.Environ(), w.env...), env...), "WORKER_IP="+ip)
	out, err := cmd.StdoutPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	errb := &lockedWriter{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	w.procs[ip], w.stderr[ip] = cmd, errb
	w.mu.Unlock()
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			w.t.Fatalf("worker %s exited before it was ready: %s", ip, errb)
		}
	case <-time.After(30 * time.Second):
		w.t.Fatalf("worker %s not ready after 30s: %s", ip, errb)
	}
}

// kill sends SIGKILL to the worker at ip: no cleanup, no release.
func (w *workers) kill(ip string) {
	w.mu.Lock()
	cmd := w.procs[ip]
	delete(w.procs, ip)
	w.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

func (w *workers) logs() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for ip, e := range w.stderr {
		fmt.Fprintf(&b, "== %s\n%s", ip, e.String())
	}
	return b.String()
}

// stopWithin bounds how long a worker may take to stop on SIGTERM: it
// hands back what it holds and closes its connection, nothing more.
const stopWithin = 20 * time.Second

func (w *workers) stderrOf(ip string) string {
	w.mu.Lock()
	b := w.stderr[ip]
	w.mu.Unlock()
	if b == nil {
		return ""
	}
	return b.String()
}

func (w *workers) stopAll() {
	w.mu.Lock()
	procs := w.procs
	w.procs = map[string]*exec.Cmd{}
	w.mu.Unlock()
	for ip, cmd := range procs {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				w.t.Errorf("worker %s: %v: %s", ip, err, w.stderrOf(ip))
			}
		case <-time.After(stopWithin):
			// SIGQUIT makes the Go runtime print every goroutine's stack
			// on stderr and exit: where the worker is stuck.
			cmd.Process.Signal(syscall.SIGQUIT)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
			w.t.Errorf("worker %s did not stop on SIGTERM within %v; its stderr and goroutines:\n%s", ip, stopWithin, w.stderrOf(ip))
		}
	}
}

// lockedWriter collects a worker's stderr, written by exec's copying
// goroutine and read by the test.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
