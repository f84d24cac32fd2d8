package jetstream

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// quarantined is what the quarantine bucket keeps of an entry set aside.
type quarantined struct {
	outbox.Quarantine
	Record json.RawMessage `json:"record,omitempty"` // the entry's record as it was, when readable
}

// quarantineTicket sets aside a ticket that cannot be read (its entry,
// when the ticket names one, goes with it).
func (s *Store) quarantineTicket(ctx context.Context, msg jetstream.Msg, t *ticket, err error) *outbox.Quarantine {
	if t == nil || !t.id.Valid() {
		msg.TermWithReason("postie: unreadable ticket")
		return nil
	}
	var st *state
	if got, lerr := s.loadID(ctx, t.id); lerr == nil {
		st = got
	}
	if st == nil {
		st = &state{}
	}
	q := s.quarantineEntry(ctx, st, "its ticket cannot be read: "+err.Error(), msg, t.body)
	if q != nil && q.ID == "" {
		q.ID = t.id
	}
	return q
}

// quarantineEntry sets an entry aside as damaged: its bytes (when there
// are any to keep) go to quarantine/<id>.eml in the object store, the
// reason and its record to the quarantine bucket, and the entry, its key
// and its ticket are removed. It is never sent. Failures along the way
// leave the entry where it was, to be tried again.
func (s *Store) quarantineEntry(ctx context.Context, st *state, reason string, msg jetstream.Msg, inline []byte) *outbox.Quarantine {
	id := outbox.ID("")
	if st.e != nil {
		id = st.e.ID
	} else if _, i, ok := strings.Cut(st.key, "."); ok {
		id = outbox.ID(i)
	}
	q := outbox.Quarantine{ID: id, Path: s.where(id, ""), Reason: reason, At: s.clock.Now().UTC()}
	if st.rec.Body == bodyObject {
		q.Path = s.where(id, string(id)) // left where it is
	} else if len(inline) > 0 && id.Valid() {
		name := "quarantine/" + string(id) + ".eml"
		if _, err := s.bodies.PutBytes(ctx, name, inline); err == nil {
			q.Path = s.where(id, name)
		}
	}
	v, _ := json.Marshal(quarantined{Quarantine: q, Record: st.rec.Entry})
	if _, err := s.quarantine.Put(ctx, string(id), v); err != nil {
		if msg != nil {
			msg.Nak()
		}
		return nil
	}
	if st.key != "" {
		s.entries.Delete(ctx, st.key)
	}
	if st.e != nil && st.e.Key != "" {
		s.dropKey(ctx, st)
	}
	if msg != nil {
		s.forget(id, msg)
		msg.TermWithReason("postie: quarantined")
	} else if st.rec.Ticket != 0 {
		s.deleteTicket(ctx, st.rec.Ticket)
	}
	return &q
}

// Quarantined lists the entries set aside as damaged.
func (s *Store) Quarantined(ctx context.Context) ([]outbox.Quarantine, error) {
	var out []outbox.Quarantine
	for v, err := range readBucket(ctx, s.quarantine, ">") {
		if err != nil {
			return nil, err
		}
		var q quarantined
		if json.Unmarshal(v.Value(), &q) == nil {
			out = append(out, q.Quarantine)
		}
	}
	return out, nil
}
