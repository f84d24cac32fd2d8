package jetstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// held is a ticket this process holds: delivered to it by the cluster and
// not yet acknowledged, naked or terminated. Its entry's lease names the
// runner (owner) working on it.
type held struct {
	msg   jetstream.Msg
	t     *ticket
	owner string
	st    *state // the entry as last written by this process
}

// parallel bounds the requests one call keeps in flight at once.
const parallel = 16

// Claim leases up to req.Max due entries to req.Owner. The cluster hands
// out tickets (the work stream's messages); for each, the entry's record
// decides: due recipients are leased (compare-and-set on the record),
// a ticket whose entry is leased elsewhere or deferred goes back with a
// delay until then, a stale ticket (its entry dropped, or superseded by
// Retry) is acknowledged away.
//
// The store's clock decides what is due. Tickets this process put back
// with a delay, or holds under a lease that ran out, are woken by that
// clock; the cluster's own timers (AckWait, the delays) bring back the
// tickets of processes that died.
func (s *Store) Claim(ctx context.Context, req outbox.ClaimRequest) (*outbox.ClaimResult, error) {
	if req.Owner == "" || req.Lease <= 0 {
		return nil, errors.New("outbox: Claim needs an owner and a lease")
	}
	if req.Max <= 0 {
		req.Max = 64
	}
	if req.DueBy.IsZero() {
		req.DueBy = req.Now
	}
	s.startBeat()
	c := &claiming{s: s, req: req, res: &outbox.ClaimResult{}}
	if len(req.Filter.IDs) > 0 {
		for _, id := range req.Filter.IDs {
			if c.full() {
				break
			}
			if err := c.byID(ctx, id); err != nil {
				return nil, err
			}
		}
		return c.res, nil
	}
	// Leases that ran out on tickets this process still holds (a runner
	// here stopped renewing): take them over without waiting for AckWait.
	for _, h := range s.expiredHeld(req.Now, req.Filter.Campaign) {
		if c.full() {
			break
		}
		if err := c.take(ctx, h.msg, h.t); err != nil {
			return nil, err
		}
	}
	if err := s.wakeParked(ctx, req.Now); err != nil {
		return nil, err
	}
	tokens, err := s.tokens(ctx, req.Filter.Campaign)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	start := s.rr
	s.rr++
	s.mu.Unlock()
	for i := range tokens {
		if c.full() {
			break
		}
		if err := c.fetch(ctx, tokens[(start+i)%len(tokens)]); err != nil {
			return nil, err
		}
	}
	return c.res, nil
}

// tokens lists the campaigns with tickets in the work stream (or the one
// asked for).
func (s *Store) tokens(ctx context.Context, campaign string) ([]string, error) {
	if campaign != "" {
		return []string{campaignToken(campaign)}, nil
	}
	info, err := s.work.Info(ctx, jetstream.WithSubjectFilter(s.o.workSubject(">")))
	if err != nil {
		return nil, fmt.Errorf("work stream: %w", err)
	}
	pre := s.o.workSubject("")
	var out []string
	for subj := range info.State.Subjects {
		out = append(out, subj[len(pre):])
	}
	slices.Sort(out)
	return out, nil
}

type claiming struct {
	s     *Store
	req   outbox.ClaimRequest
	mu    sync.Mutex
	res   *outbox.ClaimResult
	bytes int64
}

func (c *claiming) full() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.res.Claims) >= c.req.Max || c.req.MaxBytes > 0 && c.bytes >= c.req.MaxBytes
}

func (c *claiming) add(cl *outbox.Claim, q *outbox.Quarantine) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl != nil {
		c.res.Claims = append(c.res.Claims, cl)
		c.bytes += cl.Entry.Size
	}
	if q != nil {
		c.res.Quarantined = append(c.res.Quarantined, *q)
	}
}

// fetch takes what the campaign's consumer has ready, without waiting,
// and settles each ticket, several at once.
func (c *claiming) fetch(ctx context.Context, token string) error {
	cons, err := c.s.consumer(ctx, token)
	if err != nil {
		return err
	}
	c.mu.Lock()
	n := c.req.Max - len(c.res.Claims)
	c.mu.Unlock()
	batch, err := cons.FetchNoWait(n)
	if err != nil {
		c.s.dropConsumer(token)
		return fmt.Errorf("fetch from %s: %w", c.s.o.workSubject(token), err)
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	got := 0
	for try := 0; ; try++ {
		for msg := range batch.Messages() {
			got++
			c.settle(ctx, msg, sem, &wg, func(err error) {
				errMu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				errMu.Unlock()
			})
		}
		// A ticket published a moment ago (an enqueue, a Retry) is in the
		// stream before the consumer has it ready: a fetch that got
		// nothing asks whether the consumer has tickets pending, and
		// fetches again, a few times at most.
		if got > 0 || try == 3 || !c.pending(ctx, cons) {
			break
		}
		time.Sleep(time.Duration(try+1) * 10 * time.Millisecond)
		if batch, err = cons.FetchNoWait(n); err != nil {
			c.s.dropConsumer(token)
			return fmt.Errorf("fetch from %s: %w", c.s.o.workSubject(token), err)
		}
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
		c.s.dropConsumer(token)
		return fmt.Errorf("fetch from %s: %w", c.s.o.workSubject(token), err)
	}
	return nil
}

// pending reports whether the consumer holds tickets not yet delivered.
func (c *claiming) pending(ctx context.Context, cons jetstream.Consumer) bool {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	info, err := cons.Info(ctx)
	return err == nil && info.NumPending > 0
}

// settle parses one fetched ticket and takes it (in parallel, at most
// parallel at once); a damaged ticket is quarantined.
func (c *claiming) settle(ctx context.Context, msg jetstream.Msg, sem chan struct{}, wg *sync.WaitGroup, fail func(error)) {
	meta, err := msg.Metadata()
	if err != nil {
		msg.Nak()
		return
	}
	t, perr := parseTicket(meta.Sequence.Stream, msg.Headers(), msg.Data())
	if perr != nil {
		q := c.s.quarantineTicket(ctx, msg, t, perr)
		c.add(nil, q)
		return
	}
	sem <- struct{}{}
	wg.Go(func() {
		defer func() { <-sem }()
		if err := c.take(ctx, msg, t); err != nil {
			fail(err)
		}
	})
}

// take settles one ticket: a claim when its entry has recipients due,
// else the ticket goes back (with a delay) or away.
func (c *claiming) take(ctx context.Context, msg jetstream.Msg, t *ticket) error {
	return c.takeMoved(ctx, msg, t, false)
}

// takeMoved is take, once the message bytes were copied to the object
// store (moved) or not.
func (c *claiming) takeMoved(ctx context.Context, msg jetstream.Msg, t *ticket, moved bool) error {
	s := c.s
	key := entryKey(t.e.Campaign, t.id)
	st, err := s.load(ctx, key)
	if errors.Is(err, errNeverExisted) {
		// Its publisher died (or is still busy) between the ticket and
		// the record: finish the enqueue; every step is idempotent.
		st, err = s.materialise(ctx, t)
	}
	var ce *corrupt
	switch {
	case errors.Is(err, errDeleted), errors.Is(err, errLostKey):
		s.forget(t.id, msg)
		msg.Ack()
		return nil
	case errors.As(err, &ce):
		c.add(nil, s.quarantineTicket(ctx, msg, t, err))
		return nil
	case err != nil:
		msg.Nak()
		return err
	}
	if c.full() {
		// MaxBytes reached while others were being taken: give it back.
		return s.nak(ctx, msg, 0)
	}
	if st.rec.Body == bodyInline && t.seq >= st.rec.Ticket {
		if why := checkInline(st.e, t.body); why != "" {
			c.add(nil, s.quarantineEntry(ctx, st, why, msg, t.body))
			return nil
		}
	}
	var due []int
	var act action
	st, err = s.update(ctx, key, st, func(cur *state) error {
		if t.seq < cur.rec.Ticket {
			act = action{kind: actStale}
			return errSkip
		}
		adopt := t.seq > cur.rec.Ticket
		if adopt {
			cur.rec.Ticket = t.seq
		}
		e := cur.e
		if e.Lease == nil && !e.Finished() && e.DueAt.After(c.req.DueBy) {
			// Due, but after this pass began (or later): for the next one.
			act = action{kind: actPark, until: e.DueAt}
			if !adopt {
				return errSkip
			}
			return nil
		}
		hadLease, dueAt := e.Lease != nil, e.DueAt
		due = e.TakeLease(c.req.Owner, c.req.Now, c.req.Lease)
		switch {
		case len(due) > 0:
			act = action{kind: actHold}
		case e.Lease != nil:
			act = action{kind: actPark, until: e.Lease.Until} // leased to a runner that is alive
		default:
			act = s.settled(cur)
		}
		if act.kind == actTerm && cur.rec.Body == bodyInline {
			act.moveBody = true
			cur.rec.Body = bodyObject // written once the object exists (below)
		}
		if !adopt && len(due) == 0 && !hadLease && e.DueAt.Equal(dueAt) && !act.moveBody {
			return errSkip
		}
		if act.moveBody && !moved {
			return errMoveBody
		}
		return nil
	})
	if errors.Is(err, errMoveBody) {
		// A failed or held entry keeps its bytes for Retry: into the
		// object store before the ticket (which holds them) goes.
		if err := s.putObject(ctx, t.id, t.body); err != nil {
			msg.Nak()
			return err
		}
		return c.takeMoved(ctx, msg, t, true)
	}
	switch {
	case errors.Is(err, errDeleted):
		msg.Ack()
		return nil
	case err != nil:
		msg.Nak()
		return err
	}
	if act.kind == actHold {
		h := &held{msg: msg, t: t, owner: c.req.Owner, st: st}
		s.mu.Lock()
		s.held[t.id] = h
		s.mu.Unlock()
		c.add(&outbox.Claim{Entry: cloneEntry(st.e), Due: due, Body: s.claimBody(st, t.body)}, nil)
		return nil
	}
	s.forget(t.id, msg)
	return s.dispose(ctx, act, st, msg)
}

var errMoveBody = errors.New("the message must move to the object store first")

// byID claims one entry asked for by ID. Its ticket stays where it is
// (the cluster may hand it to a worker, who finds the lease and puts it
// back); when the entry is finished the ticket is deleted.
func (c *claiming) byID(ctx context.Context, id outbox.ID) error {
	s := c.s
	st, err := s.loadID(ctx, id)
	var ce *corrupt
	switch {
	case errors.Is(err, errNeverExisted), errors.Is(err, errDeleted):
		return nil
	case errors.As(err, &ce):
		c.add(nil, s.quarantineEntry(ctx, &state{key: ce.key}, "the record cannot be read: "+ce.Error(), nil, nil))
		return nil
	case err != nil:
		return err
	}
	if f := c.req.Filter.Campaign; f != "" && st.e.Campaign != f {
		return nil
	}
	if st.e.DueAt.After(c.req.DueBy) || st.e.Finished() && st.e.Lease == nil {
		return nil
	}
	var body []byte
	if st.rec.Body == bodyInline {
		t, err := s.getTicket(ctx, st.rec.Ticket)
		if err != nil {
			c.add(nil, s.quarantineEntry(ctx, st, "its ticket (message bytes) is missing: "+err.Error(), nil, nil))
			return nil
		}
		if why := checkInline(st.e, t.body); why != "" {
			c.add(nil, s.quarantineEntry(ctx, st, why, nil, t.body))
			return nil
		}
		body = t.body
	}
	var due []int
	st, err = s.update(ctx, st.key, st, func(cur *state) error {
		if due = cur.e.TakeLease(c.req.Owner, c.req.Now, c.req.Lease); len(due) == 0 {
			return errSkip
		}
		return nil
	})
	if err != nil || len(due) == 0 {
		return ignoreGone(err)
	}
	c.add(&outbox.Claim{Entry: cloneEntry(st.e), Due: due, Body: s.claimBody(st, body)}, nil)
	return nil
}

func ignoreGone(err error) error {
	if errors.Is(err, errDeleted) || errors.Is(err, errNeverExisted) {
		return nil
	}
	return err
}

// checkInline says why inline bytes cannot be sent, or "".
func checkInline(e *outbox.Entry, b []byte) string {
	if int64(len(b)) != e.Size {
		return fmt.Sprintf("its message is %d octets, %d recorded", len(b), e.Size)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != e.Digest {
		return "its message differs from what was queued (SHA-256)"
	}
	return ""
}

// claimBody opens a claim's message: the ticket's bytes, or the object.
func (s *Store) claimBody(st *state, inline []byte) func() (io.ReadCloser, error) {
	e := cloneEntry(st.e)
	if st.rec.Body == bodyInline {
		return func() (io.ReadCloser, error) { return verified(e, inlineReader(inline), s.where(e.ID, "")), nil }
	}
	return func() (io.ReadCloser, error) { return s.openObject(context.Background(), e) }
}

// expiredHeld lists held tickets whose lease, by this store's clock, ran
// out.
func (s *Store) expiredHeld(now time.Time, campaign string) []*held {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*held
	for _, h := range s.held {
		l := h.st.e.Lease
		if l != nil && now.Before(l.Until) || campaign != "" && h.t.e.Campaign != campaign {
			continue
		}
		out = append(out, h)
	}
	return out
}

// forget drops a ticket from this process's books when it is settled.
func (s *Store) forget(id outbox.ID, msg jetstream.Msg) {
	s.mu.Lock()
	if h := s.held[id]; h != nil && h.msg == msg {
		delete(s.held, id)
	}
	s.mu.Unlock()
}

// Renew extends owner's leases and tells the cluster the tickets are in
// progress, so AckWait starts again.
func (s *Store) Renew(ctx context.Context, owner string, ids []outbox.ID, until time.Time) ([]outbox.ID, error) {
	var mu sync.Mutex
	var lost []outbox.ID
	var firstErr error
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, id := range ids {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ok, err := s.renewOne(ctx, owner, id, until)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if err == nil && !ok {
				lost = append(lost, id)
			}
		})
	}
	wg.Wait()
	return lost, firstErr
}

func (s *Store) renewOne(ctx context.Context, owner string, id outbox.ID, until time.Time) (bool, error) {
	s.mu.Lock()
	h := s.held[id]
	s.mu.Unlock()
	var key string
	var st *state
	key, st, err := s.locate(ctx, id, h)
	if err != nil {
		return false, ignoreGone(err)
	}
	ok := false
	st, err = s.update(ctx, key, st, func(cur *state) error {
		ok = cur.e.RenewLease(owner, until)
		if !ok {
			return errSkip
		}
		return nil
	})
	if err != nil {
		return false, ignoreGone(err)
	}
	if ok && h != nil && h.owner == owner {
		h.msg.InProgress()
		s.mu.Lock()
		h.st = st
		s.mu.Unlock()
	}
	return ok, nil
}

// locate finds an entry's key and a recent copy: from the ticket this
// process holds, else by reading it.
func (s *Store) locate(ctx context.Context, id outbox.ID, h *held) (string, *state, error) {
	if h != nil {
		s.mu.Lock()
		st := h.st
		s.mu.Unlock()
		return st.key, st, nil
	}
	st, err := s.loadID(ctx, id)
	if err != nil {
		return "", nil, err
	}
	return st.key, st, nil
}
