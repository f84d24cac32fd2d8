package jetstream

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/postie/postie/outbox"
)

// How workers report themselves: every beatEvery into the workers
// bucket, whose entries expire after workerTTL, so a dead worker drops
// out of Stats within a minute.
const (
	beatEvery = 10 * time.Second
	workerTTL = time.Minute
	// window is how far back the per-minute rates look.
	window = time.Minute
)

// WorkerStats is one worker process as it last reported itself.
type WorkerStats struct {
	Worker   string    `json:"worker"` // host:pid:random, the workers bucket key's readable form
	Host     string    `json:"host"`
	PID      int       `json:"pid"`
	Started  time.Time `json:"started"`
	Seen     time.Time `json:"seen"`
	InFlight int       `json:"in_flight"` // tickets it holds (entries being sent)
	// Recipients by outcome since the worker started.
	Delivered uint64 `json:"delivered"`
	Deferred  uint64 `json:"deferred"`
	Unknown   uint64 `json:"unknown"`
	Failed    uint64 `json:"failed"`
	// Over the last minute.
	DeliveredPerMinute float64 `json:"delivered_per_minute"`
	FailedPerMinute    float64 `json:"failed_per_minute"`
}

// Stats is the state of the whole outbox, read in a few requests
// whatever its size (for `postie queue stats` and for metrics).
type Stats struct {
	// Depth is how many entries have a ticket in the work stream: waiting,
	// deferred or being sent.
	Depth uint64 `json:"depth"`
	// Ready: tickets no worker has been given yet.
	Ready uint64 `json:"ready"`
	// Unacked: tickets given to workers and not settled: being sent, or
	// put back with a delay (deferred).
	Unacked uint64 `json:"unacked"`
	// InFlight: entries being sent, summed over the live workers.
	InFlight int `json:"in_flight"`
	// Bytes held in the work stream and the object store.
	StreamBytes uint64 `json:"stream_bytes"`
	ObjectBytes uint64 `json:"object_bytes"`
	// Per minute, summed over the live workers.
	DeliveredPerMinute float64       `json:"delivered_per_minute"`
	FailedPerMinute    float64       `json:"failed_per_minute"`
	Workers            []WorkerStats `json:"workers"`
}

// Stats reads the outbox's state from the cluster. A worker asking
// reports itself first, so its own line is current.
func (s *Store) Stats(ctx context.Context) (*Stats, error) {
	if s.beating.Load() {
		s.beat()
	}
	info, err := s.work.Info(ctx)
	if err != nil {
		return nil, err
	}
	st := &Stats{Depth: info.State.Msgs, StreamBytes: info.State.Bytes}
	cons := s.work.ListConsumers(ctx)
	for ci := range cons.Info() {
		st.Ready += ci.NumPending
		st.Unacked += uint64(ci.NumAckPending)
	}
	if err := cons.Err(); err != nil {
		return nil, err
	}
	if oi, err := s.bodies.Status(ctx); err == nil {
		st.ObjectBytes = oi.Size()
	}
	for v, err := range readBucket(ctx, s.workers, ">") {
		if err != nil {
			return nil, err
		}
		var w WorkerStats
		if json.Unmarshal(v.Value(), &w) == nil {
			st.Workers = append(st.Workers, w)
			st.InFlight += w.InFlight
			st.DeliveredPerMinute += w.DeliveredPerMinute
			st.FailedPerMinute += w.FailedPerMinute
		}
	}
	return st, nil
}

// WorkInfo is the number of entries with a ticket in the work stream
// (Stats' Depth), in one request.
func (s *Store) WorkInfo(ctx context.Context) (uint64, error) {
	info, err := s.work.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.Msgs, nil
}

// workerStats counts this process's outcomes for its reports.
type workerStats struct {
	key, name, host string
	pid             int
	started         time.Time

	mu                                   sync.Mutex
	delivered, deferred, unknown, failed uint64
	ring                                 [6]sample // one per beat, the last minute
	next                                 int
}

type sample struct {
	at                time.Time
	delivered, failed uint64
}

func (w *workerStats) init(now time.Time) {
	w.host, _ = os.Hostname()
	w.pid = os.Getpid()
	w.started = now
	w.name = fmt.Sprintf("%s:%d:%04x", w.host, w.pid, uint16(now.UnixNano()>>10))
	w.key = strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, w.name)
}

func (w *workerStats) count(o *outbox.Outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range o.Rcpts {
		if r.Attempt == nil {
			continue
		}
		switch r.Attempt.Outcome {
		case outbox.Delivered:
			w.delivered++
		case outbox.Deferred:
			w.deferred++
		case outbox.Unknown:
			w.unknown++
		case outbox.Failed:
			w.failed++
		}
	}
}

// snapshot is this worker's report at now.
func (w *workerStats) snapshot(now time.Time, inFlight int) WorkerStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws := WorkerStats{Worker: w.name, Host: w.host, PID: w.pid, Started: w.started, Seen: now, InFlight: inFlight,
		Delivered: w.delivered, Deferred: w.deferred, Unknown: w.unknown, Failed: w.failed}
	oldest := sample{at: w.started} // counts start at zero
	if now.Sub(w.started) > window {
		for _, c := range w.ring {
			if !c.at.IsZero() && now.Sub(c.at) <= window && (oldest.at.Equal(w.started) || c.at.Before(oldest.at)) {
				oldest = c
			}
		}
	}
	if mins := now.Sub(oldest.at).Minutes(); mins > 0 {
		ws.DeliveredPerMinute = float64(w.delivered-oldest.delivered) / mins
		ws.FailedPerMinute = float64(w.failed-oldest.failed) / mins
	}
	w.ring[w.next] = sample{at: now, delivered: w.delivered, failed: w.failed}
	w.next = (w.next + 1) % len(w.ring)
	return ws
}

// startBeat begins this process's reports, the first time it claims.
func (s *Store) startBeat() {
	s.beatOnce.Do(func() {
		s.beating.Store(true)
		s.bg.Go(func() {
			t := time.NewTicker(beatEvery)
			defer t.Stop()
			for {
				s.beat()
				select {
				case <-s.stop:
					return
				case <-t.C:
				}
			}
		})
	})
}

func (s *Store) beat() {
	s.mu.Lock()
	n := len(s.held)
	s.mu.Unlock()
	v, _ := json.Marshal(s.stats.snapshot(time.Now(), n))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.workers.Put(ctx, s.stats.key, v)
}
