// Command jsbench measures the outbox on a NATS JetStream cluster
// (bench/RESULTS.md, "The outbox on a NATS cluster"):
//
//	jsbench drain -nats URLS -n 10000 -workers 3 -conns 16 -server ADDR
//	    queue n 1 KB messages (timed: the enqueue rate), then time W worker
//	    processes draining them to the SMTP server at ADDR
//	jsbench cost -nats URLS -n 1000
//	    what the cluster costs one message, step by step, one at a time:
//	    enqueue (ticket publish + record), claim (fetch + read + lease),
//	    sending mark, outcome (record + ack)
//
// Each run uses an outbox of its own (a fresh prefix) and deletes it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/smtp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: jsbench drain|cost|worker [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	urls := fs.String("nats", "nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224", "cluster URLs")
	n := fs.Int("n", 10000, "messages")
	workers := fs.Int("workers", 1, "worker processes")
	conns := fs.Int("conns", 16, "connections per worker")
	server := fs.String("server", "127.0.0.1:2726", "SMTP server to drain to")
	prefix := fs.String("prefix", "", "outbox prefix (default: a fresh one)")
	replicas := fs.Int("replicas", 0, "replicas (0: 3 on a cluster, 1 on one server)")
	fs.Parse(os.Args[2:])
	if *prefix == "" {
		*prefix = fmt.Sprintf("bench%d", time.Now().UnixNano()%1e8)
	}
	o := jetstream.Options{URLs: *urls, Prefix: *prefix, Replicas: *replicas, AckWait: time.Minute}
	switch os.Args[1] {
	case "worker":
		worker(o, *server, *conns)
	case "drain":
		drain(o, *n, *workers, *conns, *server)
	case "cost":
		cost(o, *n)
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func open(o jetstream.Options) *jetstream.Store {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := jetstream.Open(ctx, o)
	check(err)
	return s
}

// remove deletes the run's streams and buckets.
func remove(s *jetstream.Store, prefix string) {
	for _, name := range []string{prefix + "-work", "KV_" + prefix + "-entries", "KV_" + prefix + "-keys", "KV_" + prefix + "-quarantine",
		"KV_" + prefix + "-workers", "KV_" + prefix + "-limits", "OBJ_" + prefix + "-bodies"} {
		s.Conn().Request("$JS.API.STREAM.DELETE."+name, nil, 10*time.Second)
	}
}

func message() string {
	var b strings.Builder
	b.WriteString("From: a@x.test\r\nTo: b@x.test\r\nSubject: bench\r\n\r\n")
	for b.Len() < 1024-60 {
		b.WriteString("The quick brown fox jumps over the lazy dog, again and again.\r\n")
	}
	return b.String()
}

func enqueue(s outbox.Store, n int, server string) time.Duration {
	msg := message()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 64 {
		wg.Go(func() {
			for int(next.Add(1)) <= n {
				e := &outbox.Entry{Route: outbox.Route{Server: server, TLS: "none"}, From: "a@x.test", Recipients: []outbox.Recipient{{Addr: "b@x.test"}}}
				_, err := outbox.Submit(context.Background(), s, e, strings.NewReader(msg), nil)
				check(err)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

func worker(o jetstream.Options, server string, conns int) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if p := os.Getenv("JSBENCH_CPUPROFILE"); p != "" {
		f, err := os.Create(fmt.Sprintf("%s.%d", p, os.Getpid()))
		check(err)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	s := open(o)
	defer s.Close()
	r := &outbox.Runner{Store: s, Connections: conns, Batch: 256, Lease: time.Minute,
		Connect: func(ctx context.Context, t outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, t.Route.Server, &smtp.Options{TLS: smtp.TLSNone})
		}}
	fmt.Println("ready")
	s.Work(ctx, r, jetstream.WorkOptions{Poll: 20 * time.Millisecond, Errors: func(err error) { fmt.Fprintln(os.Stderr, "worker:", err) }})
}

func drain(o jetstream.Options, n, workers, conns int, server string) {
	s := open(o)
	defer s.Close()
	defer remove(s, o.Prefix)
	de := enqueue(s, n, server)
	fmt.Printf("enqueue: %d messages of 1 KB, 64 goroutines, one process: %.2fs, %.0f msg/s\n", n, de.Seconds(), float64(n)/de.Seconds())
	var procs []*exec.Cmd
	ready := make(chan struct{}, workers)
	for range workers {
		cmd := exec.Command(os.Args[0], "worker", "-nats", o.URLs, "-prefix", o.Prefix, "-server", server, "-conns", fmt.Sprint(conns))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		check(err)
		check(cmd.Start())
		procs = append(procs, cmd)
		go func() {
			b := make([]byte, 6)
			out.Read(b)
			ready <- struct{}{}
		}()
	}
	start := time.Now()
	for range workers {
		<-ready
	}
	for {
		// The stream's message count alone: a cheap request, so that
		// watching does not load the cluster it measures.
		info, err := s.WorkInfo(context.Background())
		if err == nil && info == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	d := time.Since(start)
	for _, p := range procs {
		p.Process.Signal(syscall.SIGTERM)
		p.Wait()
	}
	fmt.Printf("drain: %d messages, %d worker(s) x %d connections: %.2fs, %.0f msg/s\n", n, workers, conns, d.Seconds(), float64(n)/d.Seconds())
}

// cost times each step the cluster takes for one message, one message
// at a time (so each is a round trip or a few, not a share of a batch).
func cost(o jetstream.Options, n int) {
	s := open(o)
	defer s.Close()
	defer remove(s, o.Prefix)
	ctx := context.Background()
	msg := message()
	steps := []string{"enqueue (publish ticket + write record)", "claim (fetch + read + lease)", "sending mark (record)", "outcome (record + ack)", "total"}
	lat := make([][]time.Duration, len(steps))
	for i := range n {
		t0 := time.Now()
		e, err := outbox.Submit(ctx, s, &outbox.Entry{Route: outbox.Route{Server: "x:25"}, From: "a@x.test", Recipients: []outbox.Recipient{{Addr: "b@x.test"}}}, strings.NewReader(msg), nil)
		check(err)
		t1 := time.Now()
		// A ticket just published may not be deliverable yet (the
		// consumer learns of it asynchronously): ask again until it is,
		// and count the wait in the claim.
		for try := 0; ; try++ {
			res, err := s.Claim(ctx, outbox.ClaimRequest{Owner: "bench", Now: time.Now(), Lease: time.Minute, Max: 1})
			check(err)
			if len(res.Claims) == 1 && res.Claims[0].Entry.ID == e.ID {
				break
			}
			if try == 1000 {
				check(fmt.Errorf("claim %d: the ticket never came", i))
			}
		}
		t2 := time.Now()
		check(s.Record(ctx, []outbox.Outcome{{ID: e.ID, Owner: "bench", Sending: true, Rcpts: []outbox.RcptOutcome{{Index: 0}}}}))
		t3 := time.Now()
		check(s.Record(ctx, []outbox.Outcome{{ID: e.ID, Owner: "bench", Rcpts: []outbox.RcptOutcome{{Index: 0, Attempt: &outbox.Attempt{At: t3, Outcome: outbox.Delivered, Reply: &outbox.Reply{Code: 250}}}}}}))
		t4 := time.Now()
		for j, d := range []time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), t4.Sub(t0)} {
			lat[j] = append(lat[j], d)
		}
	}
	fmt.Printf("cost: %d messages of 1 KB, one at a time (p50 / p90 / p99):\n", n)
	for j, name := range steps {
		l := lat[j]
		slices.Sort(l)
		q := func(p float64) int64 { return l[int(p*float64(len(l)-1))].Microseconds() }
		fmt.Printf("  %-42s %6d µs %6d µs %6d µs\n", name, q(0.5), q(0.9), q(0.99))
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "jsbench:", err)
		os.Exit(1)
	}
}
