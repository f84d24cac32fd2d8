// Package capture is postie's embedded SMTP server (postie serve, postie
// demo): it accepts mail and stores each message as a file in a Maildir,
// together with a transcript of the SMTP session that delivered it.
//
// The protocol engine is emersion/go-smtp's server side (RFC 5321, with
// PIPELINING RFC 2920, SIZE RFC 1870, 8BITMIME RFC 6152, SMTPUTF8 RFC 6531,
// CHUNKING RFC 3030, STARTTLS RFC 3207, DSN RFC 3461). This package adds:
//
//   - one go-smtp server per connection, so each connection has its own
//     limits (see Limits) and its own transcript recorder;
//   - AUTH PLAIN and LOGIN (RFC 4954), offered only after TLS, with a
//     constant-time password check, a delay after each failure and a
//     disconnect after a few;
//   - Maildir storage (new/ via tmp/, never a partial file), with every
//     line ending stored as CRLF (RFC 5322 §2.1, see store.go) and caps
//     on the number of messages and bytes kept;
//   - the session transcript (package capture/transcript), with AUTH
//     payloads never stored.
//
// It stops there: it delivers nowhere and keeps no queue.
package capture
