// Command mergebench measures merge.Send, the library under `postie
// merge` (bench/RESULTS.md, section "Merge"): a campaign of n personalised
// 1 KB messages (merge/testdata/bench.eml, six fields a row) queued in a
// fresh outbox and delivered to a server, each row's 250 committed before
// the connection's next final dot.
//
//	mergebench -n 10000 -conns 8 -server 127.0.0.1:2625   time the whole merge
//	mergebench -n 100000 -mem ...                          also sample the heap
//	mergebench -data rows.csv -n 10000                     only write the CSV
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/postie/postie/bench/internal/memstat"
	"github.com/postie/postie/merge"
	"github.com/postie/postie/message"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/smtp"
)

func main() {
	n := flag.Int("n", 10000, "rows")
	conns := flag.Int("conns", 8, "connections")
	server := flag.String("server", "127.0.0.1:2625", "SMTP server")
	tmpl := flag.String("template", "merge/testdata/bench.eml", "template")
	data := flag.String("data", "", "write the CSV here and exit")
	mem := flag.Bool("mem", false, "sample the heap every 20 ms and report its peak")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if *data != "" {
		check(writeCSV(*data, *n))
		return
	}
	work, err := os.MkdirTemp("/var/tmp", "mergebench-")
	check(err)
	defer os.RemoveAll(work)
	csv := filepath.Join(work, "rows.csv")
	check(writeCSV(csv, *n))
	s, err := local.Open(filepath.Join(work, "queue"), nil)
	check(err)
	defer s.Close()
	c, err := merge.Open(merge.Options{Template: *tmpl, Data: csv, From: message.Address{Addr: "teacher@school.test"}})
	check(err)

	var heap *memstat.HeapSampler
	if *mem {
		heap = memstat.StartHeap()
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	var cpu0 syscallTimes
	cpu0.read()
	start := time.Now()
	sum, err := c.Send(context.Background(), merge.SendOptions{
		Store: s, Route: outbox.Route{Server: *server, TLS: "none"}, Connections: *conns,
		Connect: func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, *server, &smtp.Options{TLS: smtp.TLSNone})
		},
	})
	el := time.Since(start)
	var peak uint64
	if heap != nil {
		peak = heap.Stop()
	}
	check(err)
	var cpu1 syscallTimes
	cpu1.read()
	fmt.Printf("merge: %d rows over %d connections: %.2fs, %.0f msg/s (sent %d, deferred %d, failed %d; %d connections); CPU %.1f µs/msg",
		*n, *conns, el.Seconds(), float64(sum.SentNow)/el.Seconds(), sum.Sent, sum.Deferred, sum.Failed, sum.Connections,
		float64(cpu1.total()-cpu0.total())/1e3/float64(*n))
	if *mem {
		fmt.Printf("; peak heap in use %.1f MiB; peak RSS %s", float64(peak)/(1<<20), memstat.PeakRSS())
	}
	commits, writes := s.Stats()
	fmt.Printf("; %d commits of %.1f writes each\n", commits, float64(writes)/float64(max(commits, 1)))
}

// writeCSV writes n rows of distinct students (a non-ASCII name each).
func writeCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	fmt.Fprintln(w, "id,name,email,course,grade")
	for i := range n {
		fmt.Fprintf(w, "%07d,Student %d 学生,s%d@class%d.test,Computer Networks,%d\n", i, i, i, i%97, 50+i%50)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mergebench:", err)
		os.Exit(1)
	}
}

// syscallTimes is the process's user+system CPU time (getrusage).
type syscallTimes struct{ ns int64 }

func (t *syscallTimes) read() {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t.ns = ru.Utime.Nano() + ru.Stime.Nano()
}

func (t syscallTimes) total() int64 { return t.ns }
