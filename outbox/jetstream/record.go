package jetstream

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/postie/postie/outbox"
)

// Where an entry's message bytes are.
const (
	bodyInline = "inline" // inside its ticket (the work stream's message)
	bodyObject = "object" // in the object store, named by the entry's ID
)

// Ticket headers.
const (
	hdrID   = "Postie-Id"
	hdrBody = "Postie-Body"
)

// campaignToken is the subject token of a campaign: "_" for none, else a
// hash (campaign names are free text; subjects and keys are not).
func campaignToken(c string) string {
	if c == "" {
		return "_"
	}
	h := sha256.Sum256([]byte(c))
	return "c" + hex.EncodeToString(h[:12])
}

// entryKey is the entry's key in the entries bucket: campaign token and
// ID, so a campaign's entries are one subject filter away.
func entryKey(campaign string, id outbox.ID) string {
	return campaignToken(campaign) + "." + string(id)
}

// keyIndexKey is an idempotency key's key in the keys bucket.
func keyIndexKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// record is an entry as the entries bucket keeps it: the entry (the
// format every backend shares, outbox.MarshalEntry) and where this
// backend keeps its bytes and its ticket.
type record struct {
	// Ticket is the work stream sequence of the entry's live ticket. A
	// ticket with a lower sequence is stale and is dropped when a worker
	// meets it; a higher one (published by Retry) takes over.
	Ticket uint64          `json:"ticket"`
	Body   string          `json:"body"`
	Entry  json.RawMessage `json:"entry"`
}

// state is a record read from the bucket, at a revision.
type state struct {
	key string
	rev uint64
	rec record
	e   *outbox.Entry
}

func (st *state) clone() *state {
	c := *st
	c.e = cloneEntry(st.e)
	return &c
}

func decodeState(key string, rev uint64, b []byte) (*state, error) {
	st := &state{key: key, rev: rev}
	if err := json.Unmarshal(b, &st.rec); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if st.rec.Body != bodyInline && st.rec.Body != bodyObject {
		return nil, fmt.Errorf("record: body kept %q", st.rec.Body)
	}
	e, err := outbox.UnmarshalEntry(st.rec.Entry)
	if err != nil {
		return nil, err
	}
	if entryKey(e.Campaign, e.ID) != key {
		return nil, errors.New("record: its id or campaign differs from its key")
	}
	st.e = e
	return st, nil
}

func (st *state) encode() ([]byte, error) {
	raw, err := outbox.MarshalEntry(st.e)
	if err != nil {
		return nil, err
	}
	st.rec.Entry = raw
	return json.Marshal(st.rec)
}

// ticket is a work stream message: the entry's record when the ticket
// was published (so any worker can finish an enqueue whose publisher
// died before writing the entry) and the message bytes when inline.
type ticket struct {
	seq   uint64
	id    outbox.ID
	where string
	raw   []byte // the entry (outbox.MarshalEntry)
	e     *outbox.Entry
	body  []byte // inline bytes
}

func newTicketMsg(subject string, e *outbox.Entry, where string, body []byte) (*nats.Msg, error) {
	raw, err := outbox.MarshalEntry(e)
	if err != nil {
		return nil, err
	}
	data := make([]byte, 0, len(raw)+1+len(body))
	data = append(append(append(data, raw...), '\n'), body...)
	m := nats.NewMsg(subject)
	m.Header.Set(hdrID, string(e.ID))
	m.Header.Set(hdrBody, where)
	m.Data = data
	return m, nil
}

// parseTicket reads a ticket. A ticket that does not parse still names
// its entry when its ID header does.
func parseTicket(seq uint64, h nats.Header, data []byte) (*ticket, error) {
	t := &ticket{seq: seq, id: outbox.ID(h.Get(hdrID)), where: h.Get(hdrBody)}
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return t, errors.New("ticket: no record")
	}
	t.raw, t.body = data[:i], data[i+1:]
	e, err := outbox.UnmarshalEntry(t.raw)
	if err != nil {
		return t, fmt.Errorf("ticket: %w", err)
	}
	if e.ID != t.id || (t.where != bodyInline && t.where != bodyObject) {
		return t, errors.New("ticket: headers disagree with its record")
	}
	if t.where == bodyObject && len(t.body) != 0 {
		return t, errors.New("ticket: bytes in a ticket whose message is in the object store")
	}
	t.e = e
	return t, nil
}

func cloneEntry(e *outbox.Entry) *outbox.Entry {
	c := *e
	c.Recipients = make([]outbox.Recipient, len(e.Recipients))
	for i, r := range e.Recipients {
		r.History = append([]outbox.Attempt(nil), r.History...)
		c.Recipients[i] = r
	}
	if e.Lease != nil {
		l := *e.Lease
		l.Sending = append([]int(nil), l.Sending...)
		c.Lease = &l
	}
	return &c
}
