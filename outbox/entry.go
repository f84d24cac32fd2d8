package outbox

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/postie/postie/smtp"
)

// MaxHistory is how many attempts a recipient keeps; older ones are
// dropped (the count in Attempts stays exact).
const MaxHistory = 32

// Reply is a server reply as the outbox keeps it.
type Reply struct {
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced,omitempty"`
	Text     string `json:"text,omitempty"`
}

// ReplyOf converts the engine's reply; nil stays nil.
func ReplyOf(r *smtp.Reply) *Reply {
	if r == nil {
		return nil
	}
	return &Reply{Code: r.Code, Enhanced: r.Enhanced.String(), Text: r.Text()}
}

func (r *Reply) String() string {
	if r == nil {
		return ""
	}
	s := fmt.Sprint(r.Code)
	if r.Enhanced != "" {
		s += " " + r.Enhanced
	}
	if r.Text != "" {
		s += " " + r.Text
	}
	return s
}

// Attempt is one try at one recipient.
type Attempt struct {
	At      time.Time `json:"at"`
	Outcome State     `json:"outcome"`
	Reply   *Reply    `json:"reply,omitempty"`    // the server's reply, when there was one
	Error   string    `json:"error,omitempty"`    // what went wrong, in words
	QueueID string    `json:"queue_id,omitempty"` // the server's id for the message, on 2xx
	Runner  string    `json:"runner,omitempty"`   // the lease owner that made the attempt
}

// Describe says what happened in one line: the reply, else the error.
func (a *Attempt) Describe() string {
	switch {
	case a == nil:
		return ""
	case a.Reply != nil && a.Error != "":
		return a.Reply.String() + " (" + a.Error + ")"
	case a.Reply != nil:
		return a.Reply.String()
	}
	return a.Error
}

// Recipient is one envelope recipient and its delivery state.
type Recipient struct {
	Addr     string    `json:"addr"`
	State    State     `json:"state"`
	Attempts int       `json:"attempts,omitempty"`
	Next     time.Time `json:"next,omitzero"`     // when it is due (pending, deferred, unknown)
	History  []Attempt `json:"history,omitempty"` // oldest first, at most MaxHistory
	// WasUnknown: some attempt's outcome was unknown, so the server may
	// hold a copy from it besides the one that was finally delivered.
	WasUnknown bool `json:"was_unknown,omitempty"`
}

// Last is the latest attempt, or nil.
func (r *Recipient) Last() *Attempt {
	if len(r.History) == 0 {
		return nil
	}
	return &r.History[len(r.History)-1]
}

func (r *Recipient) record(a Attempt, next time.Time) {
	r.Attempts++
	r.History = append(r.History, a)
	if len(r.History) > MaxHistory {
		r.History = append(r.History[:0], r.History[len(r.History)-MaxHistory:]...)
	}
	r.State = a.Outcome
	if a.Outcome == Unknown {
		r.WasUnknown = true
	}
	r.Next = time.Time{}
	if !r.State.Final() {
		r.Next = next
	}
}

// Lease is a runner's claim on an entry: until Until, no other runner
// takes it. Sending lists the recipients whose message the runner may
// have started to send (marked before the message's end can leave): if
// the lease runs out, only their outcome is unknown; the others were
// never tried.
type Lease struct {
	Owner   string    `json:"owner"`
	Until   time.Time `json:"until"`
	Sending []int     `json:"sending,omitempty"`
}

// Params are the envelope's ESMTP parameters (see smtp.MailOptions and
// smtp.RcptOptions), fixed at enqueue. The DSN values are kept as the
// words of RFC 3461 ("FULL", "HDRS"; "NEVER" or any of "SUCCESS",
// "FAILURE", "DELAY"), checked by Submit.
type Params struct {
	Body8Bit bool     `json:"8bit,omitempty"`
	SMTPUTF8 bool     `json:"smtputf8,omitempty"`
	DSNRet   string   `json:"dsn_ret,omitempty"`
	DSNEnvID string   `json:"dsn_envid,omitempty"`
	Notify   []string `json:"notify,omitempty"`
}

// IsZero reports whether no parameter is set (an empty Notify list counts
// as none), so a record encodes the same after a round trip.
func (p Params) IsZero() bool {
	return !p.Body8Bit && !p.SMTPUTF8 && p.DSNRet == "" && p.DSNEnvID == "" && len(p.Notify) == 0
}

func (p Params) dsn() (smtp.DSNReturn, smtp.DSNNotify, error) {
	ret, err := smtp.ParseDSNReturn(p.DSNRet)
	if err != nil {
		return "", 0, err
	}
	notify, err := smtp.ParseDSNNotify(strings.Join(p.Notify, ","))
	return ret, notify, err
}

// Entry is one message in the outbox: the envelope, where it goes, and
// each recipient's state. The message bytes are kept by the store.
type Entry struct {
	ID ID `json:"id"`
	// Key makes Enqueue idempotent: a second entry with the same key is
	// refused with ErrDuplicate (merge uses campaign and row).
	Key      string            `json:"key,omitempty"`
	Campaign string            `json:"campaign,omitempty"`
	Meta     map[string]string `json:"meta,omitempty"` // the caller's (merge: row number)

	Route      Route       `json:"route"`
	From       string      `json:"from"` // "" is the null reverse-path
	Recipients []Recipient `json:"rcpts"`
	Params     Params      `json:"params,omitzero"`

	MessageID string `json:"message_id,omitempty"` // as in the header, with <>
	Subject   string `json:"subject,omitempty"`    // raw header value, for listings
	Size      int64  `json:"size"`                 // octets of the message as stored
	Digest    string `json:"sha256"`               // hex SHA-256 of those octets

	Created time.Time `json:"created"`
	Since   time.Time `json:"since"`           // the maximum age counts from here (Retry resets it)
	DueAt   time.Time `json:"due_at,omitzero"` // when a runner may next take it (lease expiry while leased)
	Lease   *Lease    `json:"lease,omitempty"`
	Spool   string    `json:"spool,omitempty"` // where a backend keeps the bytes, when in a file

	// HoldUnknown: a recipient whose outcome became unknown waits for
	// Retry instead of being sent again by itself (merge, unless
	// --resend-unknown). The entry is then Held.
	HoldUnknown bool `json:"hold_unknown,omitempty"`

	// Schedule is the sender's own retry schedule and maximum age (send
	// --queue --retry-schedule/--max-age), kept with the entry so that
	// whichever runner delivers it honours them; what it leaves unset is
	// the runner's.
	Schedule Schedule `json:"schedule,omitzero"`
}

// State summarises the entry at now.
func (e *Entry) State(now time.Time) EntryState {
	if e.Lease != nil && now.Before(e.Lease.Until) {
		return Active
	}
	held := false
	for i := range e.Recipients {
		r := &e.Recipients[i]
		switch {
		case e.waiting(r):
			return Queued
		case r.State != Delivered:
			held = true
		}
	}
	if held {
		return Held
	}
	return Done
}

// waiting: the recipient will be tried again without anyone asking.
func (e *Entry) waiting(r *Recipient) bool {
	return !r.State.Final() && !(e.HoldUnknown && r.State == Unknown)
}

// Finished reports whether no recipient is left to try by itself
// (every one delivered, failed, or unknown and held).
func (e *Entry) Finished() bool {
	for i := range e.Recipients {
		if e.waiting(&e.Recipients[i]) {
			return false
		}
	}
	return true
}

// Due lists the recipients to attempt at now.
func (e *Entry) Due(now time.Time) []int {
	var due []int
	for i := range e.Recipients {
		if r := &e.Recipients[i]; e.waiting(r) && !r.Next.After(now) {
			due = append(due, i)
		}
	}
	return due
}

// nextDue is when the entry is next claimable: its lease's end while
// leased, else the earliest Next of a recipient left to try; zero when
// finished.
func (e *Entry) nextDue() time.Time {
	if e.Lease != nil {
		return e.Lease.Until
	}
	var t time.Time
	for i := range e.Recipients {
		if r := &e.Recipients[i]; e.waiting(r) && (t.IsZero() || r.Next.Before(t)) {
			t = r.Next
		}
	}
	return t
}

// Tally counts the entry's recipients by state.
func (e *Entry) Tally() Counts {
	c := Counts{Entries: 1}
	for _, r := range e.Recipients {
		c.add(r.State, 1)
	}
	if e.Lease != nil {
		c.Claimed = 1
	}
	return c
}

// TakeLease gives the entry to owner until now+lease and returns the
// recipients to attempt, or nil when it is leased to another runner or
// nothing is due. A lease that ran out means its runner stopped (crash,
// kill) without recording an outcome: for each recipient it had marked
// as sending, the message may or may not have reached the server, so the
// attempt is recorded as Unknown and the recipient is due again at once;
// the others simply return.
//
// Backends call it inside the transaction that stores the entry.
func (e *Entry) TakeLease(owner string, now time.Time, lease time.Duration) []int {
	if e.Lease != nil {
		if now.Before(e.Lease.Until) {
			return nil
		}
		e.expireLease(now)
	}
	due := e.Due(now)
	if len(due) == 0 {
		e.DueAt = e.nextDue()
		return nil
	}
	e.Lease = &Lease{Owner: owner, Until: now.Add(lease)}
	e.DueAt = e.Lease.Until
	return due
}

func (e *Entry) expireLease(now time.Time) {
	l := e.Lease
	e.Lease = nil
	for _, i := range l.Sending {
		if i < 0 || i >= len(e.Recipients) || e.Recipients[i].State.Final() {
			continue
		}
		e.Recipients[i].record(Attempt{
			At: now, Outcome: Unknown, Runner: l.Owner,
			Error: "the runner stopped before recording an outcome (its lease ran out at " + l.Until.UTC().Format(time.RFC3339) + "); the message may have been delivered",
		}, now)
	}
	e.DueAt = e.nextDue()
}

// RenewLease extends owner's lease to until; false when owner does not
// hold it (it ran out and another runner took the entry).
func (e *Entry) RenewLease(owner string, until time.Time) bool {
	if e.Lease == nil || e.Lease.Owner != owner {
		return false
	}
	if until.After(e.Lease.Until) {
		e.Lease.Until = until
		e.DueAt = until
	}
	return true
}

// Apply records a runner's outcome. A delivered recipient stays
// delivered whatever comes later (delivered means never again); the
// owner's lease ends. A Sending outcome only marks recipients as being
// sent under the owner's lease. Backends call it inside the transaction
// that stores the entry.
func (e *Entry) Apply(o *Outcome) {
	if o.Abandoned {
		if e.Lease != nil && e.Lease.Owner == o.Owner {
			e.expireLease(o.At)
		}
		return
	}
	if o.Sending {
		if e.Lease == nil || e.Lease.Owner != o.Owner {
			return
		}
		for _, ro := range o.Rcpts {
			if ro.Index >= 0 && ro.Index < len(e.Recipients) && !slices.Contains(e.Lease.Sending, ro.Index) {
				e.Lease.Sending = append(e.Lease.Sending, ro.Index)
			}
		}
		return
	}
	for _, ro := range o.Rcpts {
		if ro.Index < 0 || ro.Index >= len(e.Recipients) || ro.Attempt == nil {
			continue
		}
		r := &e.Recipients[ro.Index]
		if e.Lease != nil && e.Lease.Owner == o.Owner {
			e.Lease.Sending = slices.DeleteFunc(e.Lease.Sending, func(i int) bool { return i == ro.Index })
		}
		if r.State == Delivered {
			continue
		}
		r.record(*ro.Attempt, ro.Next)
	}
	if e.Lease != nil && e.Lease.Owner == o.Owner && !o.Partial {
		for _, ro := range o.Rcpts {
			if ro.Attempt == nil { // reported as not tried: never left
				e.Lease.Sending = slices.DeleteFunc(e.Lease.Sending, func(i int) bool { return i == ro.Index })
			}
		}
		// A recipient still marked has no outcome: the runner gave the
		// entry back (after a store failure) with its message possibly
		// sent. The lease stays and runs out; TakeLease then records the
		// recipient as unknown, as after a crash.
		if len(e.Lease.Sending) == 0 {
			e.Lease = nil
		}
	}
	e.DueAt = e.nextDue()
}

// Retry makes every recipient not yet delivered due at now and restarts
// the maximum age: what `queue retry` does after fixing the cause (and
// merge's --resend-unknown for held unknown outcomes).
func (e *Entry) Retry(now time.Time) bool {
	changed := false
	for i := range e.Recipients {
		r := &e.Recipients[i]
		if r.State == Delivered {
			continue
		}
		if r.State == Failed || r.State == Unknown {
			r.State = Pending // WasUnknown and the history keep what happened
		}
		r.Next = now
		changed = true
	}
	if changed {
		e.Since = now
		e.DueAt = e.nextDue()
	}
	return changed
}
