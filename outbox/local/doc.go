// Package local is the outbox on this machine: one directory (default
// $XDG_STATE_HOME/postie/queue, mode 0700, files 0600) holding
//
//	queue.db     bbolt: entries, per-recipient states, indexes, counts
//	queue.lock   \ the cross-process lock (a turnstile of two flocks)
//	queue.turn   /
//	spool/       message bytes over Options.InlineMax, one file per entry
//	quarantine/  damaged entries set aside: <id>.eml, <id>.json
//
// # Why small messages live in the database
//
// Measured on this project's VM (bench/RESULTS.md): a spool file made
// durable — temporary name, write, fsync, rename, fsync of the directory
// — costs about 1 ms on its own and tops out near 2,000–4,000 files/s
// even with 128 writers at once, because each file needs its own fsync.
// A bbolt commit costs two fdatasyncs whatever it holds: 0.5 ms for one
// entry, 1.4 ms for 64. So a message up to InlineMax (32 KiB) is stored
// in the same commit as its record — one commit makes a whole batch of
// concurrent enqueues durable — and only larger messages, where the copy
// dominates anyway, go through spool files. Either way the bytes are
// durable before the record that makes the entry visible.
//
// # Group commit
//
// Every transaction of a process goes through one queue: while a commit
// runs, the next transactions gather, and the next commit takes them all
// (the outcomes of many connections' 250s, many Submit calls). No timer
// waits for company, so a lone caller pays one commit, no more.
//
// # Several processes
//
// bbolt allows one process to open its file. Processes take turns: each
// opens the file only while it has work, under queue.lock, and lets go
// after 5 ms without work, or — after holding it 50 ms — at the next
// commit if another process is waiting. Waiting goes through queue.turn
// first, so a busy runner re-taking the lock queues behind a waiting
// `send --queue` rather than starving it. A process that cannot get the
// queue within LockTimeout fails with outbox.ErrBusy.
//
// # Damage
//
// A record that does not decode, message bytes missing, short, or not
// matching their SHA-256: the entry is moved to quarantine/ and reported
// by path, never sent; the rest of the queue goes on. A full disk, a
// read-only directory or a file size limit fail with an
// *outbox.StorageError naming the file, leaving nothing partial visible
// and earlier entries intact. On a read-only directory the queue opens
// for reading.
package local
