// Package message composes, reads and converts Internet messages.
//
// Composing (Message.WriteTo, Message.Body) follows RFC 5322 (format,
// Date, Message-ID), RFC 2045-2049 (MIME: multipart/mixed, /alternative,
// /related, quoted-printable, base64 at 76 columns), RFC 2047
// (encoded-words for non-ASCII subjects and names, via the standard
// library's mime package), RFC 2231 (non-ASCII attachment names) and RFC
// 2392 (cid: references for inline images). Everything streams:
// attachments are opened and encoded as the message is written, and Size
// computes the length without reading them. Writing never changes the
// Message; once filled (Fill: Date and Message-ID), a message writes the
// same bytes every time, MIME boundaries included, so what Size counted,
// a spool holds and a retry sends are one and the same. Body gives the
// SMTP engine a source it can re-open (assignable to smtp.Body; this
// package does not import smtp).
//
// Reading (Prepare) takes an existing message, as sendmail -t does: it
// collects recipients from To, Cc and Bcc, removes Bcc, adds Date and
// Message-ID when missing, and leaves every other byte as it was.
//
// Checking and converting (Scanner, Convert) is for a message piped in
// whole. A Scanner puts every line ending in CRLF form and refuses, naming
// the line, what SMTP cannot carry (a line over 998 octets, RFC 5321
// §4.5.3.1.6; a NUL in a header, RFC 5322 §2.2); its Info says what a
// conversion needs. Convert then writes the form a server carries: for a
// server without 8BITMIME, Postfix's downgrade (RFC 6152 §3, RFC 1652):
// 8-bit leaf parts as quoted-printable, boundaries and tree kept,
// message/rfc822 converted inside, 8-bit header text as RFC 2047 words and
// parameters as RFC 2231; for any server, a part holding NUL octets as
// quoted-printable. It follows the MIME structure line by line (RFC 2046
// §5), one part header and one line in memory. Non-ASCII addresses cannot
// be encoded: they need SMTPUTF8 (RFC 6531, RFC 6532).
//
// It stops at the message: envelopes and delivery belong to package smtp
// and package deliver.
package message
