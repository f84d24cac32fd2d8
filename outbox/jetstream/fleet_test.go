package jetstream_test

import (
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/outboxtest"
)

// countingProxy forwards to target and keeps the most connections it
// ever had open at once.
type countingProxy struct {
	addr      string
	mu        sync.Mutex
	open, max int
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &countingProxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.open++
			p.max = max(p.max, p.open)
			p.mu.Unlock()
			go func() {
				done := make(chan struct{}, 2)
				go func() { io.Copy(s, c); s.Close(); done <- struct{}{} }()
				go func() { io.Copy(c, s); c.Close(); done <- struct{}{} }()
				<-done
				<-done
				p.mu.Lock()
				p.open--
				p.mu.Unlock()
			}()
		}
	}()
	return p
}

func (p *countingProxy) maxOpen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.max
}

// TestClusterFleetLimits: 3 worker processes share one route limited to
// 20 messages a second and 2 connections, fleet-wide. The server counts
// MAIL commands per second (at most 22 in any second: 21 slots, and
// one MAIL late on its slot) and a proxy counts open connections (at most
// 2). Each worker alone may open 4 connections and would send hundreds a
// second.
func TestClusterFleetLimits(t *testing.T) {
	s, urls, prefix := clusterStore(t)
	srv := outboxtest.NewServer(t)
	var mu sync.Mutex
	var mails []time.Time
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Mail {
			mu.Lock()
			mails = append(mails, time.Now())
			mu.Unlock()
		}
		return nil
	})
	proxy := newCountingProxy(t, srv.Addr)
	const n, rate = 100, 20
	enqueueMany(t, s, n, outbox.Route{Server: proxy.addr, TLS: "none"}, func(i int) string { return fmt.Sprintf("r%d@y.test", i) }, func(i int) string { return fmt.Sprint("limited ", i) })
	w := newWorkers(t, urls, prefix, fmt.Sprintf("WORKER_RATE=%d/1s", rate), "WORKER_CONNS=2")
	for _, ip := range []string{"127.0.0.21", "127.0.0.22", "127.0.0.23"} {
		w.start(ip)
	}
	waitDrained(t, s, 2*time.Minute)
	w.stopAll()

	mu.Lock()
	defer mu.Unlock()
	if len(srv.Messages()) != n || len(mails) != n {
		t.Fatalf("%d messages, %d MAILs, want %d", len(srv.Messages()), len(mails), n)
	}
	slices.SortFunc(mails, func(a, b time.Time) int { return a.Compare(b) })
	most := 0
	for i := range mails {
		j := i
		for j < len(mails) && mails[j].Sub(mails[i]) < time.Second {
			j++
		}
		most = max(most, j-i)
	}
	span := mails[len(mails)-1].Sub(mails[0])
	overall := float64(n-1) / span.Seconds()
	t.Logf("%d MAILs in %v (%.1f/s), at most %d in any second, at most %d connections open", n, span.Round(time.Millisecond), overall, most, proxy.maxOpen())
	// The bucket hands out one slot per 1/20 s, so a second holds at
	// most 21 slots; a MAIL reaching the server a little after its slot
	// (scheduling on a loaded machine) may share a second with one more.
	// Three workers limited each on its own would show 60.
	if most > rate+2 {
		t.Errorf("%d MAILs within one second across 3 workers, limit %d/s", most, rate)
	}
	// Two connections, each sending one message at a time and recording
	// it in the cluster, keep the fleet a little under the rate; far under
	// it would mean workers wait for slots no one uses.
	if overall < rate/4 {
		t.Errorf("%.1f MAILs/s overall: the shared limit of %d/s starves the fleet", overall, rate)
	}
	if m := proxy.maxOpen(); m > 2 {
		t.Errorf("%d connections open at once, fleet cap 2", m)
	}
}
