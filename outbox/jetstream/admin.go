package jetstream

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// scan yields every entry of a campaign ("": all) in the order the
// bucket keeps them, reading them in one ordered stream (no request per
// entry). A damaged record yields a *corrupt error.
func (s *Store) scan(ctx context.Context, campaign string) iter.Seq2[*state, error] {
	return func(yield func(*state, error) bool) {
		filter := ">"
		if campaign != "" {
			filter = campaignToken(campaign) + ".*"
		}
		for u, err := range readBucket(ctx, s.entries, filter) {
			if err != nil {
				yield(nil, err)
				return
			}
			st, err := decodeState(u.Key(), u.Revision(), u.Value())
			if err != nil {
				err = &corrupt{key: u.Key(), err: err}
			}
			if !yield(st, err) {
				return
			}
		}
	}
}

// readBucket yields what a bucket holds under filter now (deleted keys
// left out; opts may add MetaOnly), in one ordered stream, then ends.
// The watcher's consumer can lose its node or leader mid-read and then
// simply go quiet: a read that hears nothing for requestTimeout ends
// with an error, never waits forever (the client's ListKeys would, or
// end early with no error).
func readBucket(ctx context.Context, kv jetstream.KeyValue, filter string, opts ...jetstream.WatchOpt) iter.Seq2[jetstream.KeyValueEntry, error] {
	return func(yield func(jetstream.KeyValueEntry, error) bool) {
		w, err := kv.Watch(ctx, filter, append(opts, jetstream.IgnoreDeletes())...)
		if err != nil {
			yield(nil, err)
			return
		}
		defer w.Stop()
		idle := time.NewTimer(requestTimeout)
		defer idle.Stop()
		for {
			select {
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			case <-idle.C:
				yield(nil, fmt.Errorf("bucket %s: nothing from the cluster for %v", kv.Bucket(), requestTimeout))
				return
			case u, ok := <-w.Updates():
				if !ok || u == nil {
					return // nil: the end of what was there
				}
				if !yield(u, nil) {
					return
				}
				idle.Reset(requestTimeout)
			}
		}
	}
}

// listPage is how many entries List reads at once.
const listPage = 256

// List yields the entries f selects, oldest first (IDs sort by creation
// time): the keys are listed and sorted, then the records read a page
// at a time.
func (s *Store) List(ctx context.Context, f outbox.Filter) iter.Seq2[*outbox.Entry, error] {
	return func(yield func(*outbox.Entry, error) bool) {
		now := s.clock.Now()
		if len(f.IDs) > 0 {
			outbox.ListIDs(ctx, s, f, now)(yield)
			return
		}
		filter := ">"
		if f.Campaign != "" {
			filter = campaignToken(f.Campaign) + ".*"
		}
		var keys []string
		for u, err := range readBucket(ctx, s.entries, filter, jetstream.MetaOnly()) {
			if err != nil {
				yield(nil, err)
				return
			}
			keys = append(keys, u.Key())
		}
		idOf := func(k string) string { return k[strings.IndexByte(k, '.')+1:] }
		slices.SortFunc(keys, func(a, b string) int { return strings.Compare(idOf(a), idOf(b)) })
		for len(keys) > 0 {
			page := keys[:min(listPage, len(keys))]
			keys = keys[len(page):]
			got := make([]*state, len(page))
			errs := make([]error, len(page))
			sem := make(chan struct{}, parallel)
			var wg sync.WaitGroup
			for i, k := range page {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					got[i], errs[i] = s.load(ctx, k)
				})
			}
			wg.Wait()
			for i := range page {
				err := errs[i]
				if errors.Is(err, errDeleted) || errors.Is(err, errNeverExisted) {
					continue
				}
				if err != nil {
					if !yield(nil, s.readErr(outbox.ID(idOf(page[i])), err)) {
						return
					}
					continue
				}
				if !f.Match(got[i].e, now) {
					continue
				}
				if !yield(got[i].e, nil) {
					return
				}
			}
		}
	}
}

// Counts tallies a campaign's recipients ("" for all). It reads every
// record of the campaign: O(entries), unlike the local store's stored
// totals; Stats answers "how deep is the queue" in O(1).
func (s *Store) Counts(ctx context.Context, campaign string) (outbox.Counts, error) {
	var c outbox.Counts
	for st, err := range s.scan(ctx, campaign) {
		var ce *corrupt
		if errors.As(err, &ce) {
			continue
		}
		if err != nil {
			return c, err
		}
		c.Add(st.e.Tally())
	}
	return c, nil
}

// NextDue is the earliest time an entry f selects becomes claimable. It
// reads the campaign's records (see Counts); a worker waits on the
// cluster instead (Work).
func (s *Store) NextDue(ctx context.Context, f outbox.Filter) (time.Time, bool, error) {
	var next time.Time
	found := false
	see := func(e *outbox.Entry) {
		if (!e.Finished() || e.Lease != nil) && (!found || e.DueAt.Before(next)) {
			next, found = e.DueAt, true
		}
	}
	if len(f.IDs) > 0 {
		for _, id := range f.IDs {
			if e, err := s.Get(ctx, id); err == nil {
				see(e)
			}
		}
		return next, found, nil
	}
	for st, err := range s.scan(ctx, f.Campaign) {
		var ce *corrupt
		if errors.As(err, &ce) {
			continue
		}
		if err != nil {
			return next, found, err
		}
		see(st.e)
	}
	return next, found, nil
}

// Retry makes the entry's undelivered recipients due at now: the record
// first, then a new ticket (a failed entry's was terminated; a deferred
// one's still sleeps, and becomes stale).
func (s *Store) Retry(ctx context.Context, id outbox.ID, now time.Time) error {
	st, err := s.loadID(ctx, id)
	if err != nil {
		return s.readErr(id, err)
	}
	var body []byte
	if st.rec.Body == bodyInline {
		t, err := s.getTicket(ctx, st.rec.Ticket)
		if err != nil {
			return &outbox.CorruptError{ID: id, Path: s.where(id, ""), Reason: "its ticket (message bytes) cannot be read: " + err.Error()}
		}
		body = t.body
	}
	changed := false
	st, err = s.update(ctx, st.key, st, func(cur *state) error {
		if changed = cur.e.Retry(now); !changed {
			return errSkip
		}
		return nil
	})
	if err != nil {
		return s.readErr(id, err)
	}
	if !changed {
		return nil
	}
	m, err := newTicketMsg(s.o.workSubject(campaignToken(st.e.Campaign)), st.e, st.rec.Body, body)
	if err != nil {
		return err
	}
	ack, err := s.js.PublishMsg(ctx, m, jetstream.WithExpectStream(s.o.workStream()))
	if err != nil {
		return fmt.Errorf("publish to %s: %w", s.o.workStream(), err)
	}
	_, err = s.update(ctx, st.key, st, func(cur *state) error {
		if cur.rec.Ticket >= ack.Sequence {
			return errSkip
		}
		cur.rec.Ticket = ack.Sequence
		return nil
	})
	return ignoreGone(err)
}

// Drop deletes the entry, its key, its ticket and its bytes (even when
// its record is damaged).
func (s *Store) Drop(ctx context.Context, id outbox.ID) error {
	st, err := s.loadID(ctx, id)
	var ce *corrupt
	switch {
	case errors.As(err, &ce):
		st = &state{key: ce.key}
	case err != nil:
		return s.readErr(id, err)
	}
	if err := s.entries.Delete(ctx, st.key); err != nil {
		return err
	}
	if st.e != nil && st.e.Key != "" {
		s.dropKey(ctx, st)
	}
	s.mu.Lock()
	h := s.held[id]
	delete(s.held, id)
	s.mu.Unlock()
	if h != nil {
		h.msg.TermWithReason("postie: dropped")
	}
	s.deleteTicket(ctx, st.rec.Ticket)
	if st.rec.Body == bodyObject || st.e == nil {
		s.bodies.Delete(ctx, string(id))
	}
	return nil
}

// dropKey frees an entry's idempotency key, if it still names the entry.
func (s *Store) dropKey(ctx context.Context, st *state) {
	kk := keyIndexKey(st.e.Key)
	v, rev, err := s.getKey(ctx, kk)
	if err != nil {
		return
	}
	if k, _, _ := strings.Cut(v, " "); k == st.key {
		s.keys.Delete(ctx, kk, jetstream.LastRevision(rev))
	}
}

// objectGrace: an object younger than this with no entry may belong to
// an enqueue still under way; Clean leaves it.
const objectGrace = time.Hour

// Clean removes what crashes can leave behind: message objects with no
// entry (an enqueue that died before its ticket) and the objects of
// entries delivered to everyone.
func (s *Store) Clean(ctx context.Context) (*outbox.CleanReport, error) {
	rep := &outbox.CleanReport{}
	objs, err := s.bodies.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, o := range objs {
		id := outbox.ID(o.Name)
		if !id.Valid() {
			continue // quarantine/...
		}
		st, err := s.loadID(ctx, id)
		remove := false
		switch {
		case errors.Is(err, errNeverExisted):
			remove = now.Sub(o.ModTime) > objectGrace
		case errors.Is(err, errDeleted):
			remove = true
		case err == nil:
			remove = st.rec.Body != bodyObject || st.e.State(time.Time{}) == outbox.Done
		}
		if remove {
			if err := s.bodies.Delete(ctx, o.Name); err == nil {
				rep.Removed = append(rep.Removed, s.where(id, o.Name))
			}
		}
	}
	return rep, nil
}
