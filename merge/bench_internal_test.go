package merge

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRenderRow splits a message's cost: rendering the row (the
// merge's own work: templates, address, Message-ID) and composing the
// bytes (package message), for the 1 KB message of BenchmarkRender10k.
func BenchmarkRenderRow(b *testing.B) {
	src, err := os.ReadFile("testdata/bench.eml")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "t.eml"), src, 0o644)
	os.WriteFile(filepath.Join(dir, "d.csv"), []byte("id,name,email,course,grade\n"), 0o644)
	c, err := Open(Options{Template: filepath.Join(dir, "t.eml"), Data: filepath.Join(dir, "d.csv"), Date: time.Unix(1e9, 0)})
	if err != nil {
		b.Fatal(err)
	}
	row := func(i int) Row {
		return Row{Num: i + 2, Fields: map[string]string{"id": strconv.Itoa(i), "name": "Student " + strconv.Itoa(i) + " 学生",
			"email": "s" + strconv.Itoa(i) + "@class.test", "course": "Computer Networks", "grade": strconv.Itoa(50 + i%50)}}
	}
	sc := new(scratch)
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		cpu := CPUTime()
		for b.Loop() {
			if it, probs := c.render(row(i), sc); it == nil {
				b.Fatal(probs)
			}
			i++
		}
		b.ReportMetric(float64((CPUTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
	b.Run("compose", func(b *testing.B) {
		b.ReportAllocs()
		it, _ := c.render(row(7), sc)
		cpu := CPUTime()
		for b.Loop() {
			if _, err := it.WriteTo(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((CPUTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
}

// CPUTime is the process's CPU time, user and system, every thread (GC
// included): what work costs whatever else the machine is doing, where
// wall time on a shared machine is not.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
