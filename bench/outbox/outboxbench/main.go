// Command outboxbench measures the outbox library (bench/RESULTS.md):
//
//	outboxbench enqueue -n 10000 -workers 64 -dir D   enqueue rate, each entry durable on return
//	outboxbench drain -n 10000 -server ADDR -conns 16 queue n messages (untimed), then time draining them
//	outboxbench latency -n 200 -dir D                 sequential enqueues (another process may drain D)
//	outboxbench mem -n 100000 -server ADDR            queue n, drain, report peak heap and RSS
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/postie/postie/bench/internal/memstat"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/smtp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: outboxbench enqueue|drain|mem [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	n := fs.Int("n", 10000, "messages")
	workers := fs.Int("workers", 64, "concurrent enqueuers")
	dir := fs.String("dir", "", "queue directory (default: a new one under /var/tmp)")
	server := fs.String("server", "127.0.0.1:2625", "SMTP server to drain to")
	conns := fs.Int("conns", 16, "connections")
	size := fs.Int("size", 1024, "message size")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile here")
	memprofile := fs.String("memprofile", "", "mem: write a heap profile here after the drain")
	fs.Parse(os.Args[2:])
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *dir == "" {
		d, err := os.MkdirTemp("/var/tmp", "outboxbench-")
		check(err)
		defer os.RemoveAll(d)
		*dir = d + "/queue"
	}
	s, err := local.Open(*dir, nil)
	check(err)
	defer s.Close()
	msg := message(*size)
	switch os.Args[1] {
	case "enqueue":
		d := enqueue(s, *n, *workers, msg)
		fmt.Printf("enqueue: %d messages of %d B, %d workers: %.2fs, %.0f msg/s\n", *n, len(msg), *workers, d.Seconds(), float64(*n)/d.Seconds())
	case "drain":
		enqueue(s, *n, 64, msg)
		fmt.Fprintln(os.Stderr, "draining")
		d, rep := drain(s, *server, *conns)
		fmt.Printf("drain: %d messages over %d connections: %.2fs, %.0f msg/s (delivered %d, deferred %d, failed %d)\n", *n, *conns, d.Seconds(), float64(*n)/d.Seconds(), rep.Delivered, rep.Deferred, rep.Failed)
	case "latency":
		// Sequential enqueues, as separate `send --queue` commands would
		// make them, while another process may be draining the same queue.
		var lat []time.Duration
		for range *n {
			t0 := time.Now()
			e := &outbox.Entry{Route: outbox.Route{Server: "bench"}, From: "a@x.test", Recipients: []outbox.Recipient{{Addr: "b@x.test"}}}
			_, err := outbox.Submit(context.Background(), s, e, strings.NewReader(msg), nil)
			check(err)
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(10 * time.Microsecond) }
		fmt.Printf("latency: %d sequential enqueues: p50 %v, p90 %v, p99 %v, max %v\n", *n, q(0.5), q(0.9), q(0.99), lat[len(lat)-1].Round(10*time.Microsecond))
	case "mem":
		heap := memstat.StartHeap()
		de := enqueue(s, *n, 64, msg)
		heapEnq := heap.Peak()
		dd, rep := drain(s, *server, *conns)
		peak := heap.Stop()
		if *memprofile != "" {
			f, err := os.Create(*memprofile)
			check(err)
			check(pprof.Lookup("heap").WriteTo(f, 0))
			f.Close()
		}
		fi, _ := os.Stat(*dir + "/queue.db")
		_, err := s.Clean(context.Background())
		check(err)
		fc, _ := os.Stat(*dir + "/queue.db")
		fmt.Printf("mem: n=%d enqueue %.0f msg/s, drain %.0f msg/s (delivered %d); peak heap in use: enqueue %.1f MiB, overall %.1f MiB; peak RSS %s; queue.db %.1f MiB, %.1f MiB after Clean\n",
			*n, float64(*n)/de.Seconds(), float64(*n)/dd.Seconds(), rep.Delivered, mib(heapEnq), mib(peak), memstat.PeakRSS(), mib(uint64(fi.Size())), mib(uint64(fc.Size())))
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func message(size int) string {
	var b strings.Builder
	b.WriteString("From: a@x.test\r\nTo: b@x.test\r\nSubject: bench\r\n\r\n")
	for b.Len() < size-60 {
		b.WriteString("The quick brown fox jumps over the lazy dog, again and again.\r\n")
	}
	return b.String()
}

// enqueue submits n messages from workers goroutines; each Submit returns
// only when its entry is durable.
func enqueue(s outbox.Store, n, workers int, msg string) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				e := &outbox.Entry{Route: outbox.Route{Server: "bench"}, From: "a@x.test", Recipients: []outbox.Recipient{{Addr: "b@x.test"}}}
				_, err := outbox.Submit(context.Background(), s, e, strings.NewReader(msg), nil)
				check(err)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

func drain(s outbox.Store, server string, conns int) (time.Duration, *outbox.Report) {
	r := &outbox.Runner{
		Store: s, Connections: conns, Batch: 256,
		Connect: func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, server, &smtp.Options{TLS: smtp.TLSNone})
		},
	}
	start := time.Now()
	rep, err := r.Run(context.Background())
	check(err)
	return time.Since(start), rep
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "outboxbench:", err)
		os.Exit(1)
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
