package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	t0 := time.Unix(1000, 0)
	now := t0
	var buf bytes.Buffer
	p := &progress{w: &buf, total: 100 << 20, now: func() time.Time { return now }, start: t0, last: t0}
	now = t0.Add(2 * time.Second)
	p.add(20 << 20)
	if got := buf.String(); !strings.Contains(got, "20.0 MiB / 100.0 MiB ( 20%)  10.0 MiB/s  ETA 8s") {
		t.Fatalf("%q", got)
	}
	buf.Reset()
	now = now.Add(50 * time.Millisecond)
	p.add(1 << 20) // too soon: no redraw
	if buf.Len() != 0 {
		t.Fatalf("redrew after 50ms: %q", buf.String())
	}
}

func TestNoProgressWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	a := &App{Stderr: &buf}
	body, done := a.withProgress(nil, 1<<30, false)
	done()
	if body != nil || buf.Len() != 0 {
		t.Fatal("progress drawn to a non-terminal")
	}
}
