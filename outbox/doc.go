// Package outbox keeps every message until a server has taken it: a
// durable queue of entries (a message, its envelope, its route and each
// recipient's state), a Runner that delivers what is due, and a retry
// schedule. Backends implement Store: outbox/local (spool files and an
// embedded bbolt database) and, later, a NATS JetStream one; both pass
// the suite in outbox/outboxtest.
//
// # What it guarantees
//
// Durable before visible. Submit returns once the message bytes and the
// entry are on disk (fsynced); until then no list, no runner and no
// other process sees the entry. A crash during Submit leaves either the
// whole entry or nothing (half-written files are removed by Clean).
//
// Identical bytes. Submit fixes the message once: line ends become CRLF,
// a missing Date and Message-ID are added, a signer (DKIM) may transform
// it. Every attempt, by any runner, sends exactly those stored bytes,
// checked against their SHA-256 while they are sent: a damaged message is
// never completed on the wire (the connection is closed before the final
// dot) and the entry is set aside (quarantined) by path.
//
// Delivered means never again. When a server answers 2xx to the end of a
// message, that recipient's state is committed before the connection
// sends anything that could complete another message (the next final dot
// or BDAT LAST) or QUIT. A delivered recipient is never sent to again,
// and its state never changes back.
//
// Nothing is lost. Every recipient ends delivered, failed (with the
// server's reply), or waits — pending, deferred or unknown — with a time
// for its next attempt. A 4xx, a refused or lost connection or a timeout
// defers it; a 5xx fails it at once; a recipient still not delivered at
// the maximum age (5 days by default) fails with the last reply. Each
// recipient keeps its attempts with the server's replies.
//
// No secrets at rest. An entry names its Route (an account, or a server,
// TLS mode and user, and where the secret comes from); the Connector
// resolves credentials when it connects.
//
// One runner per entry. A runner leases the entries it claims; the lease
// is renewed while the runner works (a long DATA, a slow reply) and runs
// out if the runner dies, after which another runner takes the entry.
//
// # Where the unknown outcome lives
//
// One window cannot be closed by any SMTP client: after the final dot
// (or BDAT LAST) has left and before the server's reply arrives. If the
// connection breaks, a timeout strikes, or the process dies in that
// window, the server may or may not have the message. The outbox records
// such recipients as Unknown and sends the message again later, with the
// same bytes and the same Message-ID so a receiver can recognise the
// copy; the recipient's history keeps the flag (WasUnknown). The same
// holds when the process dies between receiving the 250 and committing
// it — a window of one commit (about a millisecond). Before a message's
// end can leave, its runner commits a "sending" mark (usually in the
// same commit as the previous message's outcome); a runner that dies
// leaves only marked recipients Unknown — at most one message per
// connection — and returns the others untouched. That is what "exactly
// once" means here: never twice after a recorded 2xx, and at most one
// possible duplicate per crash or lost connection, flagged.
//
// A runner that stalls (stopped, swapped out) for longer than its lease
// loses it; another runner may then send the entry while the first
// wakes up. Leases are renewed every third of their length (default 5
// minutes) to make this rare; SMTP offers no way to fence it entirely.
//
// # Manners with a server that pushes back
//
// A connection that ends after delivering (a 421 after N messages, a
// reset) is opened again at once, and the messages it had not finished —
// withdrawn, turned away by the 421, cut off before their end — go on the
// next connection instead of being deferred. A reply of the policy class
// (RFC 3463 X.7.X: "451 4.7.1" too much mail, "421 4.7.0" too many
// connections) halves the target's connections and pauses it (Backoff);
// a connection refused, or dropped before delivering anything, while
// others are open lowers the connections to those; a target whose every
// connection fails is left alone for a while, doubling each time. Calm
// (50 messages per connection without a push-back) earns one connection
// back. None of this becomes a hot loop: a connection is only opened again
// at once after one that delivered something.
//
// A following run (Runner.Follow) takes entries added while it runs —
// merge enqueues while it delivers — and retries deferred ones within
// the run when the Schedule brings them within its Horizon; Runner.Stop
// ends a run gently (what is in flight finishes). ReclaimAbandoned ends
// at once the leases of a runner whose process is gone (OwnerGone), so a
// command started again after a SIGKILL need not wait for them to run
// out.
//
// # Where it stops
//
// The outbox does not resolve accounts or secrets (the Connector does),
// choose MX hosts (deliver does, behind the Connector), or parse MIME
// beyond the header fields it needs (Message-ID, Date, Subject).
package outbox
