// Command fsynccost measures what durability costs on the disk under a
// directory: the numbers the outbox's design rests on (bench/RESULTS.md).
//
//	go run ./bench/outbox/fsynccost -dir /var/tmp -n 500
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "directory on the disk to measure")
	n := flag.Int("n", 500, "operations per measurement")
	flag.Parse()
	work, err := os.MkdirTemp(*dir, "fsynccost-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(work)
	body := make([]byte, 1024)

	report := func(name string, ops int, d time.Duration) {
		fmt.Printf("%-58s %8.1f µs/op %9.0f op/s\n", name, float64(d.Microseconds())/float64(ops), float64(ops)/d.Seconds())
	}

	// 1. fdatasync after appending 1 KB to one preallocated log file.
	f, _ := os.Create(filepath.Join(work, "log"))
	f.Truncate(int64(*n+1) * 1024)
	f.Sync()
	start := time.Now()
	for i := 0; i < *n; i++ {
		f.WriteAt(body, int64(i)*1024)
		fdatasync(f)
	}
	report("append 1 KB + fdatasync (preallocated log)", *n, time.Since(start))
	f.Close()

	// 2. fsync after appending to a growing file (metadata changes each time).
	f, _ = os.Create(filepath.Join(work, "grow"))
	start = time.Now()
	for i := 0; i < *n; i++ {
		f.Write(body)
		f.Sync()
	}
	report("append 1 KB + fsync (growing file)", *n, time.Since(start))
	f.Close()

	// 3. The spool protocol for one message, sequentially: temp file,
	// write, fsync, rename, fsync of the directory.
	spool := filepath.Join(work, "spool")
	os.Mkdir(spool, 0o700)
	d, _ := os.Open(spool)
	start = time.Now()
	for i := 0; i < *n; i++ {
		tmp := filepath.Join(spool, fmt.Sprintf("tmp-%d", i))
		g, _ := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		g.Write(body)
		g.Sync()
		g.Close()
		os.Rename(tmp, filepath.Join(spool, fmt.Sprintf("m-%d", i)))
		d.Sync()
	}
	report("spool file: create+write+fsync+rename+fsync(dir), sequential", *n, time.Since(start))

	// 4. The same with G goroutines at once and one directory fsync per
	// round: what group commit of concurrent enqueues can get.
	for _, g := range []int{8, 32, 128} {
		start = time.Now()
		rounds := *n / g
		if rounds == 0 {
			rounds = 1
		}
		for r := 0; r < rounds; r++ {
			var wg sync.WaitGroup
			for k := 0; k < g; k++ {
				wg.Add(1)
				go func(k int) {
					defer wg.Done()
					tmp := filepath.Join(spool, fmt.Sprintf("ptmp-%d-%d-%d", g, r, k))
					h, _ := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
					h.Write(body)
					h.Sync()
					h.Close()
					os.Rename(tmp, filepath.Join(spool, fmt.Sprintf("p-%d-%d-%d", g, r, k)))
				}(k)
			}
			wg.Wait()
			d.Sync()
		}
		report(fmt.Sprintf("spool files, %d at once, one fsync(dir) per round", g), rounds*g, time.Since(start))
	}
	// 5. Files written without their own fsync, one syncfs per round
	// would flush every other writer on the disk too: not measured, not used.
	d.Close()
}
