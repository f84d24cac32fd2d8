package jetstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/smtp"
)

// Rate is N messages per Per, with up to Burst at once (default 1).
type Rate struct {
	N     int
	Per   time.Duration
	Burst int
}

func (r Rate) set() bool { return r.N > 0 && r.Per > 0 }

// Limits hold for the whole fleet: every worker of the outbox, on every
// host, draws from the same allowances kept in the cluster. A nil
// function sets no limit.
type Limits struct {
	// Route is the rate of a route's messages: an account's `--rate`
	// (a provider's cap per minute or hour).
	Route func(outbox.Route) Rate
	// Domain is the rate of messages to a recipient domain, whatever
	// their route (a receiving provider's manners).
	Domain func(domain string) Rate
	// Conns is the most connections open at once to a target (a relay,
	// or for direct delivery a domain's mail exchangers).
	Conns func(outbox.Target) int
}

// Fleet applies Limits through the outbox's limits bucket.
//
// Why a bucket and not a consumer per route with a bounded number of
// unacknowledged messages: MaxAckPending bounds how many messages are in
// flight, not how many leave per second (a route capped at 30 a minute
// with one in flight and 50 ms per message still sends 1,200 a minute),
// and consumers would have to be known in advance for every account and
// domain. A rate needs time, which a token bucket has.
//
// The rate is a GCRA token bucket (a "theoretical arrival time" per
// route or domain) updated with compare-and-set: a worker reserves the
// next free slot in one write and waits for it, so the workers of a
// fleet queue up fairly and whoever has work takes the next slot; no
// share idles on a worker that has nothing for that route. It costs a
// read and a write per message, only on limited routes. Connection caps
// are Conns numbered slots per target, each held by one worker with an
// expiry it renews while the connection lives, so a dead worker's slot
// frees itself. Times come from the workers' clocks: keep hosts in sync
// (NTP); a skew only shifts when a slot opens by that much.
type Fleet struct {
	s     *Store
	l     Limits
	owner string
}

// Fleet returns the fleet-wide limits l over this store's cluster.
func (s *Store) Fleet(l Limits) *Fleet { return &Fleet{s: s, l: l, owner: s.stats.name} }

// Connector wraps next so that every connection it opens respects the
// limits: a connection waits for a free slot of its target, and on a
// rate-limited route (or with domain rates) each message waits for its
// slot before MAIL FROM. A paced session sends one message at a time
// (nothing is pipelined ahead that could not leave yet); unlimited
// routes keep the engine's pipelining.
func (f *Fleet) Connector(next outbox.Connector) outbox.Connector {
	return func(ctx context.Context, t outbox.Target) (outbox.Session, error) {
		var slot *connSlot
		if f.l.Conns != nil {
			if n := f.l.Conns(t); n > 0 {
				var err error
				if slot, err = f.acquire(ctx, t, n); err != nil {
					return nil, err
				}
			}
		}
		sess, err := next(ctx, t)
		if err != nil {
			slot.release()
			return nil, err
		}
		var rate Rate
		if f.l.Route != nil {
			rate = f.l.Route(t.Route)
		}
		if rate.set() || f.l.Domain != nil {
			return &pacedSession{inner: sess, f: f, routeKey: "rate.r" + hashKey(t.Route.Key()), rate: rate, slot: slot}, nil
		}
		if slot == nil {
			return sess, nil
		}
		if es, ok := sess.(eachSession); ok {
			return &slottedEach{eachSession: es, slot: slot}, nil
		}
		return &slotted{Session: sess, slot: slot}, nil
	}
}

func hashKey(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

// eachSession is a session with the engine's pipelined loop.
type eachSession interface {
	outbox.Session
	SendEach(ctx context.Context, next func() (smtp.Job, bool), done func(smtp.Job, *smtp.Result, error) error) error
}

type slotted struct {
	outbox.Session
	slot *connSlot
}

func (s *slotted) Quit(ctx context.Context) error {
	defer s.slot.release()
	return s.Session.Quit(ctx)
}

type slottedEach struct {
	eachSession
	slot *connSlot
}

func (s *slottedEach) Quit(ctx context.Context) error {
	defer s.slot.release()
	return s.eachSession.Quit(ctx)
}

// pacedSession waits for the route's and the recipients' domains' slots
// before each message.
type pacedSession struct {
	inner    outbox.Session
	f        *Fleet
	routeKey string
	rate     Rate
	slot     *connSlot
}

func (p *pacedSession) Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	if p.rate.set() {
		if err := p.f.take(ctx, p.routeKey, p.rate); err != nil {
			return nil, err
		}
	}
	if p.f.l.Domain != nil {
		seen := map[string]bool{}
		for _, to := range env.To {
			d := strings.ToLower(to[strings.LastIndexByte(to, '@')+1:])
			if seen[d] {
				continue
			}
			seen[d] = true
			if r := p.f.l.Domain(d); r.set() {
				if err := p.f.take(ctx, "rate.d"+hashKey(d), r); err != nil {
					return nil, err
				}
			}
		}
	}
	return p.inner.Send(ctx, env, body)
}

func (p *pacedSession) Quit(ctx context.Context) error {
	defer p.slot.release()
	return p.inner.Quit(ctx)
}

// notSent wraps a context's end while waiting for a slot: nothing went
// out, so the runner gives the message back untried.
func notSent(err error) error { return fmt.Errorf("%w: %w", smtp.ErrNotDelivered, err) }

// take reserves the next slot of the bucket at key and waits for it.
func (f *Fleet) take(ctx context.Context, key string, r Rate) error {
	interval := r.Per / time.Duration(r.N)
	tau := interval * time.Duration(max(r.Burst, 1)-1)
	clock := f.s.clock
	for try := 0; ; try++ {
		var tat time.Time
		var rev uint64
		e, err := f.s.limits.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return notSent(err)
		default:
			rev = e.Revision()
			if ns, err := strconv.ParseInt(string(e.Value()), 10, 64); err == nil {
				tat = time.Unix(0, ns)
			}
		}
		now := clock.Now()
		start := tat
		if start.Before(now) {
			start = now
		}
		at := start.Add(-tau)
		if at.Before(now) {
			at = now
		}
		v := []byte(strconv.FormatInt(start.Add(interval).UnixNano(), 10))
		if rev == 0 {
			_, err = f.s.limits.Create(ctx, key, v)
		} else {
			_, err = f.s.limits.Update(ctx, key, v, rev)
		}
		if isConflict(err) && try < 1000 {
			continue // another worker took a slot meanwhile: read again
		}
		if err != nil {
			return notSent(err)
		}
		if d := at.Sub(now); d > 0 {
			select {
			case <-clock.After(d):
			case <-ctx.Done():
				return notSent(ctx.Err())
			}
		}
		return nil
	}
}

// Connection slots.

const (
	slotTTL   = 30 * time.Second
	slotRenew = slotTTL / 3
)

type slotValue struct {
	Owner string `json:"owner"`
	Until int64  `json:"until"` // unix nanoseconds
}

type connSlot struct {
	f    *Fleet
	key  string
	mu   sync.Mutex
	rev  uint64
	stop chan struct{}
	done chan struct{}
}

// acquire takes one of n slots of target t, waiting while all are held.
func (f *Fleet) acquire(ctx context.Context, t outbox.Target, n int) (*connSlot, error) {
	base := "conn." + hashKey(t.Route.Key()+"\x00"+t.Domain)
	wait := 20 * time.Millisecond
	for {
		for i := range n {
			key := base + "." + strconv.Itoa(i)
			if rev, ok, err := f.trySlot(ctx, key); err != nil {
				return nil, err
			} else if ok {
				s := &connSlot{f: f, key: key, rev: rev, stop: make(chan struct{}), done: make(chan struct{})}
				go s.renew()
				return s, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-f.s.clock.After(wait):
		}
		wait = min(wait*2, time.Second)
	}
}

func (f *Fleet) trySlot(ctx context.Context, key string) (uint64, bool, error) {
	now := f.s.clock.Now()
	v, _ := json.Marshal(slotValue{Owner: f.owner, Until: now.Add(slotTTL).UnixNano()})
	e, err := f.s.limits.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		rev, err := f.s.limits.Create(ctx, key, v)
		if isConflict(err) {
			return 0, false, nil
		}
		return rev, err == nil, err
	}
	if err != nil {
		return 0, false, err
	}
	var cur slotValue
	if json.Unmarshal(e.Value(), &cur) == nil && now.Before(time.Unix(0, cur.Until)) {
		return 0, false, nil // held, and its holder is alive
	}
	rev, err := f.s.limits.Update(ctx, key, v, e.Revision())
	if isConflict(err) {
		return 0, false, nil
	}
	return rev, err == nil, err
}

func (s *connSlot) renew() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.f.s.clock.After(slotRenew):
		}
		v, _ := json.Marshal(slotValue{Owner: s.f.owner, Until: s.f.s.clock.Now().Add(slotTTL).UnixNano()})
		ctx, cancel := context.WithTimeout(context.Background(), slotRenew)
		s.mu.Lock()
		rev, err := s.f.s.limits.Update(ctx, s.key, v, s.rev)
		if err == nil {
			s.rev = rev
		}
		s.mu.Unlock()
		cancel()
	}
}

// release frees the slot (nil: nothing to free).
func (s *connSlot) release() {
	if s == nil {
		return
	}
	close(s.stop)
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f.s.limits.Delete(ctx, s.key, jetstream.LastRevision(s.rev))
}
