package jetstream

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// errLostKey: a ticket whose entry's key belongs to another entry (a
// concurrent enqueue of the same key won).
var errLostKey = errors.New("the key belongs to another entry")

// Enqueue stores e and its message. The bytes become durable first: in
// the object store when larger than InlineMax, then in the ticket
// published to the work stream (replicated, acknowledged by a quorum).
// Only then is the entry's record written, which makes it visible. A
// ticket whose publisher died before the record is finished by the first
// worker that gets it, so a crash at any point leaves all of the entry
// or none of it.
//
// The ticket carries Nats-Msg-Id = the entry's key (or ID): a publish
// repeated within the stream's duplicate window is dropped by the
// cluster. Past the window, the keys bucket keeps a key unique for as
// long as its entry exists.
func (s *Store) Enqueue(ctx context.Context, e *outbox.Entry, body io.Reader) (*outbox.Entry, error) {
	now := s.clock.Now()
	e = cloneEntry(e)
	e.SetDefaults(now)
	e.Spool = ""
	if e.Key != "" {
		if ex, err := s.Lookup(ctx, e.Key); err == nil {
			return ex, fmt.Errorf("key %q: %w", e.Key, outbox.ErrDuplicate)
		} else if !errors.Is(err, outbox.ErrNotFound) {
			return nil, err
		}
	}
	h := sha256.New()
	var head bytes.Buffer
	n, err := io.CopyN(&head, body, s.inlineMax+1)
	where, inline := bodyInline, head.Bytes()
	switch {
	case err == io.EOF:
		h.Write(inline)
	case err != nil:
		return nil, fmt.Errorf("read message: %w", err)
	default:
		where, inline = bodyObject, nil
		src := io.TeeReader(io.MultiReader(&head, body), h)
		info, err := s.bodies.Put(ctx, jetstream.ObjectMeta{Name: string(e.ID)}, src)
		if err != nil {
			s.bodies.Delete(context.WithoutCancel(ctx), string(e.ID))
			return nil, fmt.Errorf("store message in %s: %w", s.o.bucket("bodies"), err)
		}
		n = int64(info.Size)
	}
	e.Size = n
	e.Digest = hex.EncodeToString(h.Sum(nil))
	dropObject := func() {
		if where == bodyObject {
			s.bodies.Delete(context.WithoutCancel(ctx), string(e.ID))
		}
	}
	m, err := newTicketMsg(s.o.workSubject(campaignToken(e.Campaign)), e, where, inline)
	if err != nil {
		dropObject()
		return nil, err
	}
	msgID := string(e.ID)
	if e.Key != "" {
		msgID = "key:" + keyIndexKey(e.Key)
	}
	ack, err := s.publishTicket(ctx, m, msgID)
	if err != nil {
		dropObject()
		return nil, fmt.Errorf("publish to %s: %w", s.o.workStream(), err)
	}
	if ack.Duplicate {
		// The same key was published moments ago (our retry, or another
		// process): that ticket is the entry.
		dropObject()
		t, err := s.getTicket(ctx, ack.Sequence)
		if err != nil {
			return nil, fmt.Errorf("key %q: a duplicate of ticket %d, which cannot be read: %w", e.Key, ack.Sequence, err)
		}
		st, err := s.materialise(ctx, t)
		if err != nil {
			return nil, err
		}
		return st.e, fmt.Errorf("key %q: %w", e.Key, outbox.ErrDuplicate)
	}
	raw, _ := outbox.MarshalEntry(e)
	st, err := s.materialise(ctx, &ticket{seq: ack.Sequence, id: e.ID, where: where, raw: raw, e: e, body: inline})
	if errors.Is(err, errLostKey) {
		s.deleteTicket(context.WithoutCancel(ctx), ack.Sequence)
		dropObject()
		ex, lerr := s.Lookup(ctx, e.Key)
		if lerr != nil {
			return nil, lerr
		}
		return ex, fmt.Errorf("key %q: %w", e.Key, outbox.ErrDuplicate)
	}
	if err != nil {
		return nil, err
	}
	return cloneEntry(st.e), nil
}

// errCodeDuplicateInProcess: a replicated stream is still storing the
// first message with this Nats-Msg-Id (JSStreamDuplicateMessageConflict).
const errCodeDuplicateInProcess jetstream.ErrorCode = 10158

// publishTicket publishes a ticket with its Nats-Msg-Id. On a replicated
// stream a second publish of the same ID while the first is still being
// stored is refused as "in process" rather than reported as a
// duplicate: it asks again, shortly, until the stream can say which.
func (s *Store) publishTicket(ctx context.Context, m *nats.Msg, msgID string) (*jetstream.PubAck, error) {
	wait := 5 * time.Millisecond
	for try := 0; ; try++ {
		ack, err := s.js.PublishMsg(ctx, m, jetstream.WithMsgID(msgID), jetstream.WithExpectStream(s.o.workStream()))
		var ae *jetstream.APIError
		if err == nil || !errors.As(err, &ae) || ae.ErrorCode != errCodeDuplicateInProcess || try == 20 {
			return ack, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 250*time.Millisecond)
	}
}

// materialise writes the record of a ticket's entry if it was never
// written: the second half of Enqueue, done by whoever gets there first
// (the enqueuer, or a worker holding a ticket whose enqueuer died). The
// keys bucket decides between two entries of one key.
func (s *Store) materialise(ctx context.Context, t *ticket) (*state, error) {
	key := entryKey(t.e.Campaign, t.id)
	if t.e.Key != "" {
		val := key + " " + strconv.FormatUint(t.seq, 10)
		kk := keyIndexKey(t.e.Key)
		if _, err := s.keys.Create(ctx, kk, []byte(val)); err != nil {
			if !isConflict(err) {
				return nil, fmt.Errorf("key index: %w", err)
			}
			cur, _, err := s.getKey(ctx, kk)
			if err != nil {
				return nil, fmt.Errorf("key index: %w", err)
			}
			if k, _, _ := strings.Cut(cur, " "); k != key {
				return nil, errLostKey
			}
		}
	}
	st := &state{key: key, rec: record{Ticket: t.seq, Body: t.where}, e: cloneEntry(t.e)}
	err := s.save(ctx, st)
	if errors.Is(err, errConflict) {
		return s.load(ctx, key) // written meanwhile (or deleted: errDeleted)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// getTicket reads a ticket from the work stream by sequence.
func (s *Store) getTicket(ctx context.Context, seq uint64) (*ticket, error) {
	m, err := s.leaderGet(ctx, s.o.workStream(), msgGetRequest{Seq: seq})
	if err != nil {
		return nil, err
	}
	return parseTicket(seq, m.Header, m.Data)
}

// Get returns the entry with id.
func (s *Store) Get(ctx context.Context, id outbox.ID) (*outbox.Entry, error) {
	st, err := s.loadID(ctx, id)
	if err != nil {
		return nil, s.readErr(id, err)
	}
	return st.e, nil
}

func (s *Store) readErr(id outbox.ID, err error) error {
	var ce *corrupt
	switch {
	case errors.Is(err, errNeverExisted), errors.Is(err, errDeleted):
		return fmt.Errorf("entry %s: %w", id, outbox.ErrNotFound)
	case errors.As(err, &ce):
		return &outbox.CorruptError{ID: id, Path: s.where(id, ""), Reason: ce.Error()}
	}
	return err
}

// where names a place in the cluster for people: "nats:<bucket>/<name>".
func (s *Store) where(id outbox.ID, name string) string {
	if name == "" {
		return "nats:" + s.o.bucket("entries") + "/" + string(id)
	}
	return "nats:" + s.o.bucket("bodies") + "/" + name
}

// Lookup returns the entry with the idempotency key.
func (s *Store) Lookup(ctx context.Context, key string) (*outbox.Entry, error) {
	v, _, err := s.getKey(ctx, keyIndexKey(key))
	if errors.Is(err, errNeverExisted) {
		return nil, fmt.Errorf("key %q: %w", key, outbox.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	ek, seqs, _ := strings.Cut(v, " ")
	st, err := s.load(ctx, ek)
	if errors.Is(err, errNeverExisted) {
		// Enqueued, and its publisher stopped before the record: finish it.
		seq, _ := strconv.ParseUint(seqs, 10, 64)
		t, terr := s.getTicket(ctx, seq)
		if terr != nil {
			return nil, fmt.Errorf("key %q: %w", key, outbox.ErrNotFound)
		}
		st, err = s.materialise(ctx, t)
	}
	if err != nil {
		_, id, _ := strings.Cut(ek, ".")
		return nil, s.readErr(outbox.ID(id), err)
	}
	if st.e.Key != key {
		return nil, fmt.Errorf("key %q: %w", key, outbox.ErrNotFound)
	}
	return st.e, nil
}

// Body opens the stored message.
func (s *Store) Body(ctx context.Context, id outbox.ID) (io.ReadCloser, error) {
	st, err := s.loadID(ctx, id)
	if err != nil {
		return nil, s.readErr(id, err)
	}
	if st.e.State(time.Time{}) == outbox.Done {
		return nil, fmt.Errorf("entry %s was delivered to every recipient; its message is no longer kept: %w", id, outbox.ErrNotFound)
	}
	if st.rec.Body == bodyObject {
		return s.openObject(ctx, st.e)
	}
	t, err := s.getTicket(ctx, st.rec.Ticket)
	if err != nil {
		return nil, &outbox.CorruptError{ID: id, Path: s.where(id, ""), Reason: "its ticket (message bytes) cannot be read: " + err.Error()}
	}
	return verified(st.e, inlineReader(t.body), s.where(id, "")), nil
}
