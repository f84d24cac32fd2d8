// Package jetstream is the outbox on a NATS JetStream cluster, for
// postie workers on many hosts: an outbox.Store, the same contract and
// the same guarantees as outbox/local (it passes outbox/outboxtest), kept
// in streams replicated across the cluster (R3 on three or more nodes).
//
// # Layout (prefix "postie" by default)
//
//	postie-work       work-queue stream, subjects postie.work.<campaign>: one
//	                  message (a "ticket") per entry that has something to
//	                  send; small messages travel inside it
//	postie-entries    KV bucket, key <campaign>.<id>: each entry's record and
//	                  per-recipient state, changed only by compare-and-set
//	postie-keys       KV bucket: idempotency key -> entry
//	postie-bodies     object store: messages over InlineMax, and the
//	                  messages of failed entries kept for Retry
//	postie-quarantine KV bucket: entries set aside as damaged
//	postie-workers    KV bucket (1 minute TTL): live workers and their counts
//	postie-limits     KV bucket: fleet-wide rates and connection slots
//
// Each campaign has a durable pull consumer (postie-w-<campaign>) with
// explicit acks; campaigns are tokens so merge's workers can take one
// campaign's tickets without touching the rest.
//
// # How an entry moves
//
// Enqueue stores the bytes (object store first when large), publishes the
// ticket with Nats-Msg-Id = the entry's key (or ID), then writes the
// record: visible only once everything is durable on a quorum. A worker
// fetches tickets; for each it reads the record and, by compare-and-set,
// takes the lease on the recipients due (outbox.Entry.TakeLease). It marks
// recipients as being sent before a message's end leaves, and records
// each outcome before acknowledging the ticket and before anything more
// is sent on that connection. Then: every recipient delivered → the
// ticket is acknowledged (gone); a 4xx → the ticket is nak'ed with the
// retry delay (NakWithDelay); 5xx or the maximum age → the message moves
// to the object store and the ticket is terminated (Term), so Retry can
// publish a fresh ticket later.
//
// The lease is the consumer's AckWait: a worker that stops showing signs
// of life (renewals send "in progress" every third of the runner's lease,
// through a long DATA too) loses the ticket to another worker, which finds
// the lease run out in the record and, as the local outbox does, records
// the recipients that were marked as being sent as unknown — resent with
// the same bytes and Message-ID, flagged — and the others as never tried.
// A mark is refused once the lease has gone to another runner, so a worker
// cut off from the cluster longer than its lease does not send what
// another worker now holds.
//
// The record decides, the stream dispatches: a ticket whose entry was
// dropped, or that Retry superseded (a lower sequence than the record
// names), is acknowledged away; a ticket whose publisher died before
// writing the record is finished by the worker that gets it (every step
// of Enqueue is idempotent and the keys bucket settles two entries of one
// key). So a crash of any process at any point leaves a consistent outbox.
//
// # Duplicates
//
// Nats-Msg-Id makes the work stream drop a second publish of the same
// key within its duplicate window (DuplicateWindow, default 2 minutes):
// a publish retried after a lost acknowledgement. Past the window the
// keys bucket keeps the key unique for as long as its entry exists; Drop
// frees it.
//
// # Time
//
// Leases and retry times come from the store's Clock, and that clock
// decides: a ticket this process put back with a delay, or holds under a
// lease that ran out, is asked for again when the clock says so. The
// cluster's timers (AckWait, the nak delays) bring back the tickets of
// processes that died. Hosts' clocks should agree to well within a lease
// (NTP); a skew only delays a takeover or a retry by that much.
//
// # Losing a node
//
// Every request to the cluster waits at most 5 s (requestTimeout),
// whatever the caller's context, and a read of a bucket ends with an
// error when the cluster goes quiet: a request whose node stopped, or
// whose stream lost its leader, fails instead of waiting forever. The
// worker's pass ends with that error, Work waits (up to 5 s) and asks
// again, by then of the leaders the other nodes elected; a fetch that
// failed looks its consumer up again. The tickets of a pass that failed
// come back when their leases end. So a worker that loses a node goes on,
// and one told to stop returns within a few of those 5 s even with its
// whole cluster gone (TestNodeDownMidRun, TestWorkStopsWithClusterGone).
//
// # Cost and scale
//
// Per message the cluster does about eight replicated operations: a
// publish and a record write at enqueue; a fetch, a record read and a
// lease write at claim; the sending mark; the outcome; the ack. Counts,
// NextDue and List read records (O(entries of the campaign)); Stats
// reads stream and consumer state and the workers' reports (O(1) in the
// number of entries). See bench/RESULTS.md.
//
// # Where it stops
//
// It does not run workers (Work runs an outbox.Runner over the store; the
// CLI's `postie queue run --watch --outbox nats://...` will call it), nor
// resolve accounts or secrets (the Connector does). NATS credentials are
// options of Open and are never printed.
package jetstream
