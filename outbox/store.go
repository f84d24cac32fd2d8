package outbox

import (
	"context"
	"io"
	"iter"
	"slices"
	"time"

	"github.com/postie/postie/smtp"
)

// Store keeps entries durably. outbox/local is the embedded backend
// (spool files and bbolt); a NATS JetStream backend implements the same
// contract. Every method is safe for concurrent use, also from several
// processes sharing one store.
//
// The contract every backend keeps (outbox/storetest checks it):
//   - Enqueue returns only after the bytes and the entry are durable;
//     before that nothing of the entry is visible (Get, List, Claim).
//   - Claim hands an entry to one owner at a time, until its lease ends.
//   - Record is durable when it returns; several concurrent calls may
//     share one commit.
//   - A Delivered recipient never goes back to another state.
type Store interface {
	// Enqueue stores e and the message bytes from body, assigning ID,
	// Size, Digest and times when unset. When e.Key is set and an entry
	// with that key exists, it stores nothing and returns that entry
	// with an error wrapping ErrDuplicate.
	Enqueue(ctx context.Context, e *Entry, body io.Reader) (*Entry, error)
	// Get returns the entry with id, or an error wrapping ErrNotFound.
	Get(ctx context.Context, id ID) (*Entry, error)
	// Lookup returns the entry with the idempotency key.
	Lookup(ctx context.Context, key string) (*Entry, error)
	// Body opens the stored message bytes.
	Body(ctx context.Context, id ID) (io.ReadCloser, error)

	// Claim leases up to req.Max due entries to req.Owner. Entries whose
	// bytes or record are damaged are quarantined instead and reported.
	Claim(ctx context.Context, req ClaimRequest) (*ClaimResult, error)
	// Renew extends owner's leases on ids to until and returns the ids
	// whose lease owner no longer holds.
	Renew(ctx context.Context, owner string, ids []ID, until time.Time) (lost []ID, err error)
	// Record stores outcomes and ends the owners' leases on them.
	Record(ctx context.Context, outcomes []Outcome) error

	// List yields the entries f selects, oldest first, without holding
	// the store between items. A damaged record yields a *CorruptError.
	List(ctx context.Context, f Filter) iter.Seq2[*Entry, error]
	// Counts tallies a campaign's recipients ("" for the whole store).
	Counts(ctx context.Context, campaign string) (Counts, error)
	// NextDue is the earliest time an entry f selects becomes claimable.
	NextDue(ctx context.Context, f Filter) (t time.Time, ok bool, err error)
	// Quarantined lists entries set aside as damaged.
	Quarantined(ctx context.Context) ([]Quarantine, error)

	// Retry makes the entry's undelivered recipients due at now.
	Retry(ctx context.Context, id ID, now time.Time) error
	// Drop deletes the entry and its bytes.
	Drop(ctx context.Context, id ID) error
	// Clean removes what a crash can leave behind (message bytes with no
	// entry, half-written files) and the bytes of finished entries.
	Clean(ctx context.Context) (*CleanReport, error)
	Close() error
}

// ClaimRequest asks for due entries.
type ClaimRequest struct {
	Owner    string        // the runner; renewals and outcomes name it
	Now      time.Time     // the time of the claim: leases run from it
	DueBy    time.Time     // entries due at or before DueBy (zero: Now); a pass's start, so a pass ends
	Lease    time.Duration // how long the claim holds without renewal
	Max      int           // at most this many entries
	MaxBytes int64         // stop adding entries once their sizes pass this (0: no limit)
	Filter   Filter
}

// Claim is one leased entry: the recipients to attempt now and its bytes.
type Claim struct {
	Entry *Entry
	Due   []int
	// Body opens the message bytes; the reader fails with a
	// *CorruptError, before its end, when they are not what was stored,
	// so a damaged message is never completed on the wire.
	Body smtp.Body
}

// ClaimResult is what Claim took.
type ClaimResult struct {
	Claims      []*Claim
	Quarantined []Quarantine
}

// Outcome is what a runner learned about one entry.
type Outcome struct {
	ID    ID
	Owner string
	Rcpts []RcptOutcome
	// Quarantine, when set, sets the entry aside as damaged (the reason).
	Quarantine string
	// Partial: more outcomes of the same claim follow (a Direct route's
	// other domains); the lease stays.
	Partial bool
	// Sending marks Rcpts as about to be sent under Owner's lease (no
	// Attempt): if the lease runs out, their outcome is unknown. Runners
	// record it before the message's end can leave.
	Sending bool
	// Abandoned ends Owner's lease at At as if it had run out (the
	// recipients it marked as sending become unknown): for a lease whose
	// runner is known to be dead (ReclaimAbandoned). Rcpts is ignored.
	Abandoned bool
	At        time.Time
}

// RcptOutcome is the result for one recipient. A nil Attempt means the
// recipient was not tried (the runner stopped first): its state stays.
type RcptOutcome struct {
	Index   int
	Attempt *Attempt
	Next    time.Time // when Attempt.Outcome is Deferred or Unknown
}

// Filter selects entries. Zero fields select everything.
type Filter struct {
	Campaign string
	IDs      []ID
	States   []EntryState // List only
}

// Match reports whether e passes the filter at now.
func (f *Filter) Match(e *Entry, now time.Time) bool {
	if f.Campaign != "" && e.Campaign != f.Campaign {
		return false
	}
	if len(f.IDs) > 0 && !slices.Contains(f.IDs, e.ID) {
		return false
	}
	if len(f.States) > 0 && !slices.Contains(f.States, e.State(now)) {
		return false
	}
	return true
}

// Counts tallies recipients by state (and entries) for progress bars and
// reports, kept up to date by the store so reading them costs nothing.
type Counts struct {
	Entries   int `json:"entries"`
	Pending   int `json:"pending"`
	Deferred  int `json:"deferred"`
	Unknown   int `json:"unknown"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	Claimed   int `json:"claimed"` // entries under a lease (some may have run out)
}

func (c *Counts) add(s State, n int) {
	switch s {
	case Pending:
		c.Pending += n
	case Deferred:
		c.Deferred += n
	case Unknown:
		c.Unknown += n
	case Delivered:
		c.Delivered += n
	case Failed:
		c.Failed += n
	}
}

// Add adds d (which may be negative) to c.
func (c *Counts) Add(d Counts) {
	c.Entries += d.Entries
	c.Pending += d.Pending
	c.Deferred += d.Deferred
	c.Unknown += d.Unknown
	c.Delivered += d.Delivered
	c.Failed += d.Failed
	c.Claimed += d.Claimed
}

// Sub returns c - d.
func (c Counts) Sub(d Counts) Counts {
	return Counts{c.Entries - d.Entries, c.Pending - d.Pending, c.Deferred - d.Deferred, c.Unknown - d.Unknown, c.Delivered - d.Delivered, c.Failed - d.Failed, c.Claimed - d.Claimed}
}

// Left is how many recipients are not yet delivered or failed (held
// unknown outcomes included).
func (c Counts) Left() int { return c.Pending + c.Deferred + c.Unknown }

// Quarantine is an entry set aside because its bytes or record were
// damaged. It is never sent; Path is where its files now are.
type Quarantine struct {
	ID     ID        `json:"id"`
	Path   string    `json:"path"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// CleanReport lists what Clean removed.
type CleanReport struct {
	Removed   []string // paths
	Compacted int64    // octets of free space given back to the disk
}
