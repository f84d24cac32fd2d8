package outbox

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// recordVersion is the format of stored entries. Readers accept unknown
// fields (a newer postie may add some) but not a newer version.
const recordVersion = 1

type record struct {
	V int `json:"v"`
	*Entry
}

// MarshalEntry encodes e for storage (JSON: readable with any bbolt or
// NATS tool, and tolerant of fields added later).
func MarshalEntry(e *Entry) ([]byte, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(record{V: recordVersion, Entry: e})
}

// UnmarshalEntry decodes and checks a stored entry. Anything a later step
// would trust (the ID used in file names, states, recipient indexes) is
// validated here, so a damaged record is refused, not half-used.
func UnmarshalEntry(b []byte) (*Entry, error) {
	r := record{Entry: &Entry{}}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if r.V != recordVersion {
		return nil, fmt.Errorf("record: version %d, want %d", r.V, recordVersion)
	}
	if err := r.Entry.validate(); err != nil {
		return nil, err
	}
	return r.Entry, nil
}

func (e *Entry) validate() error {
	bad := func(f string, a ...any) error { return fmt.Errorf("record: "+f, a...) }
	if !e.ID.Valid() {
		return bad("bad id %q", e.ID)
	}
	if err := e.Route.Validate(); err != nil {
		return bad("%v", err)
	}
	if len(e.Recipients) == 0 {
		return bad("no recipients")
	}
	for i, r := range e.Recipients {
		if r.Addr == "" || strings.ContainsAny(r.Addr, "\r\n\x00") {
			return bad("recipient %d: bad address", i)
		}
		if !r.State.Valid() {
			return bad("recipient %d: bad state", i)
		}
		if r.Attempts < 0 || len(r.History) > MaxHistory {
			return bad("recipient %d: bad history", i)
		}
		for _, a := range r.History {
			if !a.Outcome.Valid() {
				return bad("recipient %d: bad attempt outcome", i)
			}
		}
	}
	if strings.ContainsAny(e.From, "\r\n\x00") || strings.ContainsAny(e.MessageID, "\r\n\x00") {
		return bad("control character in sender or Message-ID")
	}
	if e.Size < 0 {
		return bad("negative size")
	}
	if err := e.Schedule.check(); err != nil {
		return bad("%v", err)
	}
	if d, err := hex.DecodeString(e.Digest); err != nil || len(d) != 32 {
		return bad("bad sha256")
	}
	if l := e.Lease; l != nil {
		if l.Owner == "" {
			return bad("lease without owner")
		}
		for _, i := range l.Sending {
			if i < 0 || i >= len(e.Recipients) {
				return bad("lease names recipient %d of %d", i, len(e.Recipients))
			}
		}
	}
	if strings.ContainsAny(e.Spool, "\x00") {
		return errors.New("record: bad spool path")
	}
	return nil
}
