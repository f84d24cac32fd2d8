package jetstream

import (
	"container/heap"
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// maxParked bounds the tickets this process remembers having put back
// with a delay; past it the oldest are left to the cluster's timers.
const maxParked = 100_000

// parkedQueue remembers tickets this process put back with a delay, by
// when their entries are due. The cluster redelivers each when its delay
// ends; the store's clock may say so first (a fake clock in tests, or
// Retry): then wakeParked asks for it at once.
type parkedQueue []parkedTicket

type parkedTicket struct {
	id  outbox.ID
	msg jetstream.Msg
	at  time.Time
}

func (q parkedQueue) Len() int           { return len(q) }
func (q parkedQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q parkedQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *parkedQueue) Push(x any)        { *q = append(*q, x.(parkedTicket)) }
func (q *parkedQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func (s *Store) park(id outbox.ID, msg jetstream.Msg, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parked.Len() >= maxParked {
		return
	}
	heap.Push(&s.parked, parkedTicket{id: id, msg: msg, at: at})
}

// wakeParked asks the cluster to deliver now the tickets this process
// parked whose time has come by the store's clock.
func (s *Store) wakeParked(ctx context.Context, now time.Time) error {
	var due []parkedTicket
	s.mu.Lock()
	for s.parked.Len() > 0 && !s.parked[0].at.After(now) {
		due = append(due, heap.Pop(&s.parked).(parkedTicket))
	}
	s.mu.Unlock()
	for _, p := range due {
		// An acknowledged ticket ignores this; one delivered since to
		// another worker may be delivered once more, and whoever gets it
		// reads the entry's record and puts it back: no harm.
		if err := s.nak(ctx, p.msg, 0); err != nil {
			return err
		}
	}
	return nil
}

// nextParked is when the earliest parked ticket is due.
func (s *Store) nextParked() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parked.Len() == 0 {
		return time.Time{}, false
	}
	return s.parked[0].at, true
}
