package merge_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/postie/postie/merge"
)

// writeBenchData writes n rows of distinct people to dir/d.csv.
func writeBenchData(tb testing.TB, dir string, n int) string {
	tb.Helper()
	path := filepath.Join(dir, "d.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,name,email,course,grade,comment")
	for i := range n {
		fmt.Fprintf(w, "%07d,Student %d 学生,s%d@class%d.test,Computer Networks,%d,\"a short comment about the work of student %d, with a comma\"\n", i, i, i, i%97, 50+i%50, i)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path
}

func benchCampaign(tb testing.TB, rows int, o merge.Options) *merge.Campaign {
	tb.Helper()
	dir := tb.TempDir()
	// testdata/bench.eml renders to about 1 KB, with six fields.
	o.Template, o.Data, o.Date = "testdata/bench.eml", writeBenchData(tb, dir, rows), testDate
	c, err := merge.Open(o)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkRender10k: one op is the whole merge of 10,000 rows read from
// CSV, rendered and written (to io.Discard); ns/msg, B/msg and allocs/msg
// are per message.
func BenchmarkRender10k(b *testing.B) {
	const n = 10000
	c := benchCampaign(b, n, merge.Options{})
	var size int64
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := merge.CPUTime()
	for b.Loop() {
		size = 0
		count := 0
		for it, err := range c.Messages(context.Background()) {
			if err != nil {
				b.Fatal(err)
			}
			k, err := it.WriteTo(io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			size += k
			count++
		}
		if count != n {
			b.Fatalf("%d messages", count)
		}
	}
	cpu := merge.CPUTime() - cpu0
	runtime.ReadMemStats(&after)
	msgs := float64(b.N * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
	// CPU time (user+system, every thread: GC included) is what the
	// rendering costs whatever else the machine is doing; wall time on
	// a shared machine is not.
	b.ReportMetric(float64(cpu.Nanoseconds())/msgs, "cpu-ns/msg")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/msgs, "B/msg")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/msgs, "allocs/msg")
	b.ReportMetric(float64(size)/n, "octets/msg")
	b.ReportMetric(msgs/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkReadRows: the CSV reader alone, per row, at two sizes: the
// cost per row does not grow with the file.
func BenchmarkReadRows(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			path := writeBenchData(b, b.TempDir(), n)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				f, _ := os.Open(path)
				r, err := merge.NewReader(f, merge.FormatCSV, ',')
				if err != nil {
					b.Fatal(err)
				}
				for _, err := range r.Rows() {
					if err != nil {
						b.Fatal(err)
					}
				}
				f.Close()
			}
			runtime.ReadMemStats(&after)
			rows := float64(b.N * n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
		})
	}
}

// TestMemoryFlat reads and renders 100,000 rows (a 10 MB file) and looks
// at the live heap after a GC at row 1,000 and at the end: it may grow by
// the duplicate check's hashes only (about 80 octets a row, see dedupe),
// and not at all when duplicates are allowed. Loading the file would add
// over 100 octets a row of data alone, whatever the rows are.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 100,000 rows")
	}
	const n = 100000
	for _, tc := range []struct {
		allowDups bool
		maxPerRow float64
	}{{true, 2}, {false, 128}} {
		c := benchCampaign(t, n, merge.Options{AllowDuplicates: tc.allowDups})
		var early, late uint64
		count := 0
		for it, err := range c.Messages(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			count++
			// Measured while the pass is live: its duplicate set is
			// still held at the last row.
			switch count {
			case 1000:
				early = liveHeap()
			case n:
				late = liveHeap()
			}
			_ = it
		}
		if count != n {
			t.Fatalf("%d rows", count)
		}
		perRow := (float64(late) - float64(early)) / float64(n-1000)
		t.Logf("allow duplicates %v: live heap %d KiB at row 1,000, %d KiB at row %d: %.1f octets a row", tc.allowDups, early>>10, late>>10, n, perRow)
		if perRow > tc.maxPerRow {
			t.Errorf("the heap grows by %.1f octets a row (at most %.0f expected): is the data being held?", perRow, tc.maxPerRow)
		}
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
