package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// action is what becomes of a ticket once its entry's record is written.
type action struct {
	kind     actionKind
	until    time.Time // actPark: when the entry is next due
	moveBody bool      // the inline bytes must go to the object store first
}

type actionKind uint8

const (
	actNone  actionKind = iota // the lease goes on (a sending mark, a partial outcome)
	actHold                    // claimed: the ticket stays with this process
	actAck                     // every recipient delivered: the ticket goes, and the bytes
	actTerm                    // failed or held: the ticket goes, the bytes stay for Retry
	actPark                    // due again later: the ticket goes back with a delay
	actStale                   // the ticket was superseded: it goes
)

// settled is the action for an entry without a lease.
func (s *Store) settled(st *state) action {
	switch st.e.State(time.Time{}) {
	case outbox.Done:
		return action{kind: actAck}
	case outbox.Held:
		return action{kind: actTerm}
	}
	return action{kind: actPark, until: st.e.DueAt}
}

// dispose carries out an action on a ticket this process holds (msg),
// or, when msg is nil, on the entry's ticket wherever it is.
func (s *Store) dispose(ctx context.Context, act action, st *state, msg jetstream.Msg) error {
	switch act.kind {
	case actAck, actStale:
		if act.kind == actAck && st != nil && st.rec.Body == bodyObject {
			s.bodies.Delete(ctx, string(st.e.ID)) // a crash first leaves it to Clean
		}
		if msg != nil {
			return msg.Ack()
		}
		if st != nil {
			return s.deleteTicket(ctx, st.rec.Ticket)
		}
	case actTerm:
		if msg != nil {
			return msg.TermWithReason("postie: failed or held")
		}
		return s.deleteTicket(ctx, st.rec.Ticket)
	case actPark:
		if msg == nil {
			// The ticket is with the cluster (the entry was claimed by
			// ID); whoever gets it next finds when the entry is due.
			return nil
		}
		d := act.until.Sub(s.clock.Now())
		if d <= 0 {
			return s.nak(ctx, msg, 0)
		}
		if err := s.nak(ctx, msg, d); err != nil {
			return err
		}
		s.park(st.e.ID, msg, act.until)
	}
	return nil
}

// nak gives a ticket back to the cluster, to be delivered again after
// delay, and waits until the cluster has taken it (a Claim right after
// must be able to see it).
func (s *Store) nak(ctx context.Context, msg jetstream.Msg, delay time.Duration) error {
	body := []byte("-NAK")
	if delay > 0 {
		b, _ := json.Marshal(struct {
			Delay time.Duration `json:"delay"`
		}{delay})
		body = append(append(body, ' '), b...)
	}
	if _, err := s.request(ctx, msg.Reply(), body); err != nil {
		return fmt.Errorf("give back a ticket: %w", err)
	}
	return nil
}

// deleteTicket removes a ticket from the work stream by sequence; one
// that is gone already (acknowledged, terminated) is no error. The
// request is made here rather than through the client's DeleteMsg, whose
// error keeps the server's error code only as text.
func (s *Store) deleteTicket(ctx context.Context, seq uint64) error {
	if seq == 0 {
		return nil
	}
	req, _ := json.Marshal(struct {
		Seq     uint64 `json:"seq"`
		NoErase bool   `json:"no_erase"`
	}{seq, true})
	resp, err := s.request(ctx, "$JS.API.STREAM.MSG.DELETE."+s.o.workStream(), req)
	if err != nil {
		return fmt.Errorf("delete ticket %d: %w", seq, err)
	}
	var r struct {
		Error *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(resp.Data, &r); err != nil {
		return fmt.Errorf("delete ticket %d: %w", seq, err)
	}
	if r.Error != nil && !isNotFound(r.Error) {
		return fmt.Errorf("delete ticket %d: %w", seq, r.Error)
	}
	return nil
}

// errCodeMsgDeleteFailed is the server's answer to deleting a message
// that is no longer there (JSStreamMsgDeleteFailedF).
const errCodeMsgDeleteFailed jetstream.ErrorCode = 10057

func isNotFound(err error) bool {
	var ae *jetstream.APIError
	return errors.As(err, &ae) && (ae.Code == 404 || ae.ErrorCode == jetstream.JSErrCodeMessageNotFound || ae.ErrorCode == errCodeMsgDeleteFailed)
}

// Record stores outcomes: each entry's record is written (compare and
// set) before anything is done to its ticket, so a crash between the two
// leaves a ticket that the next worker settles from the record. Outcomes
// of different entries are written concurrently, those of one entry in
// order, and sending marks only after every other outcome of the call:
// the runner sends the next message's mark with the previous message's
// outcome, and a crash between the two writes must not leave both marked
// (the local store's single commit cannot); so at most one message per
// connection is ever in doubt.
func (s *Store) Record(ctx context.Context, outs []outbox.Outcome) error {
	var marks, rest []*outbox.Outcome
	for i := range outs {
		if outs[i].Sending {
			marks = append(marks, &outs[i])
		} else {
			rest = append(rest, &outs[i])
		}
	}
	if err := s.recordAll(ctx, rest); err != nil {
		return err
	}
	return s.recordAll(ctx, marks)
}

// recordAll writes outcomes, entries concurrently, each entry's in order.
func (s *Store) recordAll(ctx context.Context, outs []*outbox.Outcome) error {
	var order []outbox.ID
	groups := map[outbox.ID][]*outbox.Outcome{}
	for _, o := range outs {
		if groups[o.ID] == nil {
			order = append(order, o.ID)
		}
		groups[o.ID] = append(groups[o.ID], o)
	}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, id := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, o := range groups[id] {
				if err := s.recordOne(ctx, o); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("entry %s: %w", id, err)
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

func (s *Store) recordOne(ctx context.Context, o *outbox.Outcome) error {
	s.mu.Lock()
	h := s.held[o.ID]
	s.mu.Unlock()
	mine := h != nil && h.owner == o.Owner
	var msg jetstream.Msg
	if mine {
		msg = h.msg
	}
	key, st, err := s.locate(ctx, o.ID, h)
	var ce *corrupt
	switch {
	case errors.Is(err, errNeverExisted), errors.Is(err, errDeleted):
		return nil // dropped meanwhile
	case errors.As(err, &ce):
		s.quarantineEntry(ctx, &state{key: ce.key}, "the record cannot be read: "+ce.Error(), msg, nil)
		return nil
	case err != nil:
		return err
	}
	if o.Quarantine != "" {
		var inline []byte
		if h != nil {
			inline = h.t.body
		}
		s.quarantineEntry(ctx, st, o.Quarantine, msg, inline)
		return nil
	}
	moved := false
	for {
		var act action
		prev := st
		st, err = s.update(ctx, key, st, func(cur *state) error {
			if o.Sending && (cur.e.Lease == nil || cur.e.Lease.Owner != o.Owner) {
				// The lease ran out (the cluster was unreachable longer
				// than it lasts) and another runner may be sending this
				// entry now: the message must not go.
				return fmt.Errorf("%w (runner %s)", errLeaseLost, o.Owner)
			}
			cur.e.Apply(o)
			act = action{kind: actNone}
			if cur.e.Lease == nil {
				act = s.settled(cur)
			}
			if act.kind == actTerm && cur.rec.Body == bodyInline {
				if !moved {
					return errMoveBody
				}
				cur.rec.Body = bodyObject
			}
			return nil
		})
		if errors.Is(err, errMoveBody) {
			if prev == nil {
				if prev, err = s.load(ctx, key); err != nil {
					return ignoreGone(err)
				}
			}
			if err := s.moveToObject(ctx, prev, h); err != nil {
				return err
			}
			moved, st = true, nil
			continue
		}
		if errors.Is(err, errDeleted) || errors.Is(err, errNeverExisted) {
			if mine {
				s.forget(o.ID, msg)
				msg.Ack()
			}
			return nil
		}
		if err != nil {
			return err
		}
		s.stats.count(o)
		if act.kind == actNone {
			if h != nil {
				s.mu.Lock()
				h.st = st
				s.mu.Unlock()
			}
			return nil
		}
		if h != nil && !mine {
			// The ticket is here under another runner of this process
			// (this outcome is a stale runner's); leave it to that one.
			return nil
		}
		if mine {
			s.forget(o.ID, msg)
		}
		return s.dispose(ctx, act, st, msg)
	}
}

// errLeaseLost refuses a sending mark from a runner whose lease ended.
var errLeaseLost = errors.New("the lease on this entry ran out: another runner may have it")

// moveToObject copies an entry's inline bytes (from the ticket this
// process holds, else from the stream) into the object store.
func (s *Store) moveToObject(ctx context.Context, st *state, h *held) error {
	var body []byte
	if h != nil && h.t.seq == st.rec.Ticket {
		body = h.t.body
	} else {
		t, err := s.getTicket(ctx, st.rec.Ticket)
		if err != nil {
			return fmt.Errorf("keep the message of %s for a retry: %w", st.e.ID, err)
		}
		body = t.body
	}
	return s.putObject(ctx, st.e.ID, body)
}
