// Package smtp is postie's SMTP client engine: one connection to one server.
//
// It implements, from the client side:
//   - RFC 5321 (SMTP): greeting, EHLO with HELO fallback, MAIL, RCPT, DATA,
//     RSET, NOOP, QUIT, reply parsing with hard limits, the §4.5.3.2 timeouts;
//   - RFC 3463 / RFC 2034 enhanced status codes, split out of every reply;
//   - RFC 3207 STARTTLS and RFC 8314 implicit TLS, as named modes;
//   - RFC 4954 AUTH, with mechanisms from package sasl;
//   - RFC 2920 PIPELINING, RFC 3030 CHUNKING (BDAT), RFC 1870 SIZE,
//     RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 3461 DSN parameters.
//
// Files by job: client.go (the session: dial, greeting, EHLO, QUIT),
// conn.go (deadlines, context cancellation, reading and writing lines),
// tls.go, auth.go, envelope.go (envelope, options and result types),
// args.go (address checks and command arguments), commands.go (the
// one-round-trip commands MAIL, RCPT, DATA), pipeline.go (the window of
// commands awaiting replies: one loop, with or without PIPELINING),
// transaction.go (one transaction's replies and outcome), sender.go (the
// engine behind Send, SendAndQuit and SendEach, in send.go), data.go
// (DATA and BDAT content), dotwriter.go, reply.go, ext.go, errors.go.
//
// Outcomes: a message is delivered (a 2xx to its end), refused (an
// *Error), not delivered (errors.Is(err, ErrNotDelivered): the connection
// ended before the end left — safe to send again) or may have been
// delivered (errors.Is(err, ErrMaybeDelivered): it ended after).
//
// It stops at one connection: choosing servers (MX lookup, relays), retrying
// and queueing belong to packages deliver and outbox; composing messages
// belongs to package message. It imports only the standard library and sasl.
package smtp
