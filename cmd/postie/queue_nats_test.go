package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/postie/postie/internal/testenv"
	"github.com/postie/postie/outbox/outboxtest"
)

// Black-box tests of the outbox on the shared 3-node NATS JetStream test
// cluster (test/nats/up.sh; facts in $NATS_ENV): the postie binary
// queues with --outbox nats://..., three `queue run --watch` workers
// deliver, `queue list/show/stats` read the cluster, `--metrics` serves
// Prometheus text. Each test has an outbox of its own (POSTIE_NATS_PREFIX)
// and deletes it after.

// natsPassword is put in every URL the tests give; it must never print.
const natsPassword = "Ph9-nats-secret"

// natsUser is a queueUser whose outbox is a fresh one on the cluster,
// chosen by POSTIE_OUTBOX with a user and password in the URLs.
func natsUser(t *testing.T) (*queueUser, string) {
	env := testenv.NATSCluster(t)
	u := newQueueUser(t)
	prefix := fmt.Sprintf("cli%d", time.Now().UnixNano()%1e9)
	var urls []string
	for _, raw := range strings.Split(env["NATS_URLS"], ",") {
		urls = append(urls, strings.Replace(raw, "nats://", "nats://tester:"+natsPassword+"@", 1))
	}
	u.env = append(u.env, "POSTIE_OUTBOX="+strings.Join(urls, ","), "POSTIE_NATS_PREFIX="+prefix)
	t.Cleanup(func() { deleteNATSOutbox(t, env["NATS_URLS"], prefix) })
	return u, prefix
}

// deleteNATSOutbox removes a test's streams and buckets from the shared
// cluster.
func deleteNATSOutbox(t *testing.T, urls, prefix string) {
	nc, err := nats.Connect(urls)
	if err != nil {
		t.Logf("cannot delete the test outbox %s: %v", prefix, err)
		return
	}
	defer nc.Close()
	for _, name := range []string{prefix + "-work", "KV_" + prefix + "-entries", "KV_" + prefix + "-keys", "KV_" + prefix + "-quarantine",
		"KV_" + prefix + "-workers", "KV_" + prefix + "-limits", "OBJ_" + prefix + "-bodies"} {
		nc.Request("$JS.API.STREAM.DELETE."+name, nil, 10*time.Second)
	}
}

// noSecret fails when the NATS password shows in what postie printed.
func noSecret(t *testing.T, what string, out ...string) {
	t.Helper()
	for _, o := range out {
		if strings.Contains(o, natsPassword) {
			t.Fatalf("%s printed the NATS password:\n%s", what, o)
		}
	}
}

// worker is one `postie queue run --watch` process.
type worker struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	stderr  bytes.Buffer
	metrics chan string // the address it serves metrics on
}

func (w *worker) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stderr.Write(p)
}

func (w *worker) log() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stderr.String()
}

func startWorker(t *testing.T, u *queueUser, args ...string) *worker {
	t.Helper()
	w := &worker{metrics: make(chan string, 1)}
	w.cmd = u.command("", append([]string{"queue", "run", "--watch", "--poll", "100ms", "--metrics", "127.0.0.1:0"}, args...)...)
	pr, pw := io.Pipe()
	w.cmd.Stderr = pw
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.cmd.Process.Kill(); pw.Close() })
	re := regexp.MustCompile(`metrics at http://(\S+)/metrics`)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			w.Write([]byte(line + "\n"))
			if m := re.FindStringSubmatch(line); m != nil {
				w.metrics <- m[1]
			}
		}
	}()
	return w
}

// metricsAddr is where the worker serves its metrics (bounded wait).
func (w *worker) metricsAddr(t *testing.T) string {
	t.Helper()
	select {
	case a := <-w.metrics:
		w.metrics <- a
		return a
	case <-time.After(30 * time.Second):
		t.Fatalf("the worker never said where its metrics are:\n%s", w.log())
		return ""
	}
}

// scrape reads a worker's metrics with Prometheus' own parser: name ->
// "label=value,..." -> value.
func scrape(t *testing.T, addr string) map[string]map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("metrics content type %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Prometheus cannot parse the metrics: %v\n%s", err, b)
	}
	out := map[string]map[string]float64{}
	for name, f := range fams {
		out[name] = map[string]float64{}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[name][strings.Join(labels, ",")] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return out
}

type natsStatsJSON struct {
	Depth   uint64 `json:"depth"`
	Workers []struct {
		Worker    string `json:"worker"`
		Delivered uint64 `json:"delivered"`
	} `json:"workers"`
}

// TestNATSOutboxThreeWorkersDeliverEachOnce: messages queued with
// `send --queue-only` on the cluster are delivered by three `queue run
// --watch` worker processes, each exactly once, never more than
// --max-conns connections open at once across the three; `queue list/show/stats`
// read the cluster; each worker's --metrics endpoint parses and counts
// what it delivered; nothing prints the NATS password.
func TestNATSOutboxThreeWorkersDeliverEachOnce(t *testing.T) {
	u, _ := natsUser(t)
	srv := outboxtest.NewServer(t)
	const n = 24
	// The first command creates the outbox's streams on the cluster.
	u.must(0, "", "queue", "stats")
	ids := make([]string, n)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				r := u.run("", "send", "--queue-only", "--json", "--server", srv.Addr, "--tls", "none", "--from", "a@x.test",
					"--to", fmt.Sprintf("r%d@y.test", i), "--subject", fmt.Sprint("message ", i), "--text", "hi")
				var out sendJSON
				if err := json.Unmarshal([]byte(r.stdout), &out); r.code != 0 || err != nil || out.Status != "queued" {
					t.Errorf("send --queue-only: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
					return
				}
				noSecret(t, "send --queue-only", r.stdout, r.stderr)
				ids[i] = out.OutboxID
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if got := u.list(); len(got) != n {
		t.Fatalf("queue list on the cluster: %d entries, want %d", len(got), n)
	}
	if e := u.show(ids[0]); e.ID != ids[0] || e.states() != "r0@y.test=pending" {
		t.Fatalf("queue show on the cluster: %+v", e)
	}
	r := u.must(0, "", "queue", "stats")
	if !strings.Contains(r.stdout, fmt.Sprintf("depth:         %d entries", n)) {
		t.Fatalf("queue stats before the workers:\n%s", r.stdout)
	}

	var workers []*worker
	for range 3 {
		workers = append(workers, startWorker(t, u, "--max-conns", "2"))
	}
	waitUntil(t, "every message delivered", func() bool { return len(srv.Messages()) >= n })
	eachOnce(t, srv, n)
	if m := srv.MaxOpen(); m > 2 {
		t.Errorf("%d connections open at once; --max-conns 2 holds for the whole fleet", m)
	}
	waitUntil(t, "the outbox on the cluster empty", func() bool { return len(u.list()) == 0 })
	if e := u.show(ids[n-1]); e.State != "delivered" {
		t.Fatalf("queue show after delivery: state %q", e.State)
	}

	// Each worker's metrics count what it delivered; together, n.
	delivered := 0.0
	for _, w := range workers {
		m := scrape(t, w.metricsAddr(t))
		for labels, v := range m["postie_outbox_recipients_total"] {
			if strings.HasSuffix(labels, "outcome=delivered") {
				delivered += v
			}
		}
		if _, ok := m["postie_outbox_depth"]; !ok {
			t.Fatalf("no depth gauge in the metrics: %v", m)
		}
		if got := m["postie_outbox_workers"][""]; got != 3 {
			t.Errorf("postie_outbox_workers = %v, want 3", got)
		}
	}
	if delivered != n {
		t.Fatalf("the workers' metrics count %v delivered, want %d", delivered, n)
	}

	// queue stats: three live workers whose reports (every 10 s) add up to n.
	var st natsStatsJSON
	waitUntil(t, "queue stats to count every delivery", func() bool {
		r := u.must(0, "", "queue", "stats", "--json")
		noSecret(t, "queue stats", r.stdout, r.stderr)
		st = natsStatsJSON{}
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			t.Fatalf("queue stats --json: %v\n%s", err, r.stdout)
		}
		sum := uint64(0)
		for _, w := range st.Workers {
			sum += w.Delivered
		}
		return len(st.Workers) == 3 && sum == n
	})
	if st.Depth != 0 {
		t.Fatalf("depth %d after delivering everything", st.Depth)
	}
	r = u.must(0, "", "queue", "stats")
	if !strings.Contains(r.stdout, "workers:       3") {
		t.Fatalf("queue stats:\n%s", r.stdout)
	}

	for i, w := range workers {
		w.cmd.Process.Signal(syscall.SIGTERM)
		if err := w.cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, w.log())
		}
		noSecret(t, "queue run --watch", w.log())
	}
}

// TestNATSOutboxCredentialsNeverPrinted: -v says which outbox is used
// (servers and user, the password masked); the config file's outbox key
// selects the cluster too; retry and drop work against it.
func TestNATSOutboxCredentialsNeverPrinted(t *testing.T) {
	u, prefix := natsUser(t)
	r := u.must(0, "", "queue", "run", "-v")
	if !strings.Contains(r.stderr, "outbox: nats nats://127.0.0.1:") || !strings.Contains(r.stderr, "user=tester password=****") {
		t.Fatalf("queue run -v does not say which outbox:\n%s", r.stderr)
	}
	noSecret(t, "queue run -v", r.stdout, r.stderr)

	// sendmail: -oQ takes the cluster's URL as --outbox does.
	var oq string
	for _, kv := range u.env {
		if v, ok := strings.CutPrefix(kv, "POSTIE_OUTBOX="); ok {
			oq = "-oQ" + strings.Split(v, ",")[0]
		}
	}
	saved := u.env
	u.env = append(u.env[:len(u.env):len(u.env)], "POSTIE_OUTBOX=local", "POSTIE_SERVER=127.0.0.1:1")
	r = u.must(0, "Subject: by sendmail\n\nhi\n", "sendmail", "-odq", oq, "-f", "a@x.test", "c@y.test")
	noSecret(t, "sendmail -odq", r.stdout, r.stderr)
	r = u.must(0, "", "sendmail", "-bp", oq)
	if !strings.Contains(r.stdout, "by sendmail") {
		t.Fatalf("sendmail -bp %s does not list what sendmail -odq queued there:\n%s", oq, r.stdout)
	}
	noSecret(t, "sendmail -bp", r.stdout, r.stderr)
	u.env = saved

	// The config key, with the password in the environment.
	env := testenv.NATSCluster(t)
	cfg := fmt.Sprintf("outbox = %q\nnats_prefix = %q\n", env["NATS_URLS"], prefix)
	if err := os.WriteFile(u.home+"/config.toml", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, kv := range u.env {
		if !strings.HasPrefix(kv, "POSTIE_OUTBOX=") && !strings.HasPrefix(kv, "POSTIE_NATS_PREFIX=") {
			kept = append(kept, kv)
		}
	}
	u.env = append(kept, "POSTIE_NATS_USER=tester", "POSTIE_NATS_PASSWORD="+natsPassword)
	srv := outboxtest.NewServer(t)
	r = u.must(0, "", "send", "--queue-only", "--json", "-v", "--server", srv.Addr, "--tls", "none", "--from", "a@x.test", "--to", "b@y.test", "--subject", "s", "--text", "hi")
	noSecret(t, "send --queue-only -v", r.stdout, r.stderr)
	if !strings.Contains(r.stderr, "prefix="+prefix) {
		t.Fatalf("the config file's outbox was not used:\n%s", r.stderr)
	}
	var out sendJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(u.dir); err == nil {
		t.Fatalf("a local outbox was created at %s", u.dir)
	}
	// send --queue: queued on the cluster, tried at once.
	if got := u.sendQueued(0, srv.Addr, "at once", []string{"d@y.test"}).statuses(); got != "d@y.test=delivered" {
		t.Fatalf("send --queue on the cluster: %s", got)
	}
	if len(srv.Messages()) != 1 {
		t.Fatalf("%d messages at the server after send --queue", len(srv.Messages()))
	}
	r = u.must(0, "", "queue", "retry", out.OutboxID)
	noSecret(t, "queue retry", r.stdout, r.stderr)
	r = u.must(0, "", "queue", "drop", out.OutboxID)
	noSecret(t, "queue drop", r.stdout, r.stderr)
	u.must(66, "", "queue", "show", out.OutboxID)
	// --outbox local overrides the config file.
	r = u.must(0, "", "queue", "list", "--outbox", "local", "--json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("queue list --outbox local: %s", r.stdout)
	}
}

// TestNATSOutboxUnreachableOrBadURL: a cluster that does not answer is a
// one-line error, exit 75, promptly, with no secret; a bad URL is 64.
// Needs no cluster.
func TestNATSOutboxUnreachableOrBadURL(t *testing.T) {
	u := newQueueUser(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	url := "nats://tester:" + natsPassword + "@" + dead
	for _, args := range [][]string{
		{"queue", "list", "--outbox", url},
		{"queue", "stats", "--outbox", url},
		{"queue", "run", "--watch", "--outbox", url},
		{"send", "--queue-only", "--outbox", url, "--server", "127.0.0.1:1", "--tls", "none", "--from", "a@x.test", "--to", "b@y.test", "--text", "hi"},
	} {
		start := time.Now()
		r := u.must(75, "", args...)
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("%s took %s to fail", args[1], took)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "postie: error: ") || !strings.Contains(lines[0], dead) || !strings.HasPrefix(lines[1], "postie: hint: ") {
			t.Fatalf("%v: want an error line naming %s and a hint:\n%s", args, dead, r.stderr)
		}
		noSecret(t, args[0]+" "+args[1], r.stdout, r.stderr)
	}
	for _, bad := range []string{"http://127.0.0.1:4222", "nats://", "nats://127.0.0.1:4222/path", "nats://a:" + natsPassword + "@h1:1,nats://b:x@h2:2"} {
		r := u.must(64, "", "queue", "list", "--outbox", bad)
		if !strings.HasPrefix(r.stderr, "postie: error: --outbox: ") {
			t.Fatalf("--outbox %s: %s", bad, r.stderr)
		}
		noSecret(t, "a bad URL", r.stdout, r.stderr)
	}
	r := u.must(64, "", "queue", "list", "--outbox", "nats://127.0.0.1:4222", "--queue-dir", t.TempDir())
	if !strings.Contains(r.stderr, "--queue-dir") {
		t.Fatalf("--queue-dir with --outbox: %s", r.stderr)
	}
}

// TestQueueStatsLocal: on the local outbox, queue stats counts the
// entries and recipients by state.
func TestQueueStatsLocal(t *testing.T) {
	u := newQueueUser(t)
	srv := outboxtest.NewServer(t)
	for i := range 2 {
		u.must(0, "", "send", "--queue-only", "--server", srv.Addr, "--tls", "none", "--from", "a@x.test",
			"--to", fmt.Sprintf("r%d@y.test", i), "--to", "s@y.test", "--text", "hi")
	}
	r := u.must(0, "", "queue", "stats", "--json")
	var c struct {
		Entries, Pending, Delivered int
	}
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || c.Entries != 2 || c.Pending != 4 || c.Delivered != 0 {
		t.Fatalf("queue stats --json before a run: %+v %v\n%s", c, err, r.stdout)
	}
	u.must(0, "", "queue", "run")
	r = u.must(0, "", "queue", "stats")
	if !strings.Contains(r.stdout, "delivered:          4") {
		t.Fatalf("queue stats after a run:\n%s", r.stdout)
	}
}
