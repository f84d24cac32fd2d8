package outbox

import "fmt"

// State is where one recipient of an entry stands.
//
//	pending --claim--> in flight --2xx--> delivered
//	                       |--4xx, refused, lost before the dot--> deferred (Next = backoff)
//	                       |--lost after the dot--> unknown (sent again, same bytes, flagged)
//	                       |--5xx, or past the maximum age--> failed (reply kept)
//	deferred, unknown --due--> in flight        failed --Retry--> pending
//
// "In flight" is not a stored state: it is the entry's lease.
type State uint8

const (
	// Pending: waiting for its first attempt, or put back by Retry.
	Pending State = iota + 1
	// Deferred: the last attempt failed for now (4xx, timeout, refused
	// connection, lost before the end of the message); Next says when
	// the next one is due.
	Deferred
	// Unknown: the connection was lost, or the runner stopped, after the
	// message's end may have reached the server and before its reply was
	// recorded. The server may have the message. It is sent again, with
	// the same bytes and Message-ID, like a deferred one; the history
	// keeps the flag.
	Unknown
	// Delivered: a server answered 2xx to the message's end. Final: it
	// is never sent to this recipient again.
	Delivered
	// Failed: refused permanently (5xx), impossible (too large, an
	// extension the server lacks), or still not delivered at the maximum
	// age. Final until Retry.
	Failed
)

var stateNames = [...]string{Pending: "pending", Deferred: "deferred", Unknown: "unknown", Delivered: "delivered", Failed: "failed"}

func (s State) String() string {
	if int(s) < len(stateNames) && stateNames[s] != "" {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Valid reports whether s is one of the states above.
func (s State) Valid() bool { return s >= Pending && s <= Failed }

// Final reports whether s ends the recipient's delivery.
func (s State) Final() bool { return s == Delivered || s == Failed }

// MarshalText writes the state's name.
func (s State) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("invalid recipient state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a state's name.
func (s *State) UnmarshalText(b []byte) error {
	st, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = st
	return nil
}

// ParseState reads a state's name ("pending", "deferred", ...).
func ParseState(name string) (State, error) {
	for i, n := range stateNames {
		if n != "" && n == name {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("unknown recipient state %q", name)
}

// EntryState summarises an entry for listing and filtering.
type EntryState uint8

const (
	// Queued: some recipient is pending, deferred or unknown.
	Queued EntryState = iota + 1
	// Active: a runner holds the entry's lease.
	Active
	// Done: every recipient was delivered.
	Done
	// Held: nothing left to try by itself, and some recipient failed
	// (or, with HoldUnknown, has an unknown outcome); kept until retried
	// or dropped.
	Held
)

var entryStateNames = [...]string{Queued: "queued", Active: "active", Done: "done", Held: "failed"}

func (s EntryState) String() string {
	if int(s) < len(entryStateNames) && entryStateNames[s] != "" {
		return entryStateNames[s]
	}
	return fmt.Sprintf("EntryState(%d)", uint8(s))
}
