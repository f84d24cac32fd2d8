// Package message composes and reads Internet messages.
//
// Composing (Message.WriteTo) follows RFC 5322 (format, Date, Message-ID),
// RFC 2045-2049 (MIME: multipart/mixed, /alternative, /related,
// quoted-printable, base64 at 76 columns), RFC 2047 (encoded-words for
// non-ASCII subjects and names, via the standard library's mime package),
// RFC 2231 (non-ASCII attachment names) and RFC 2392 (cid: references for
// inline images). Everything streams: attachments are opened and encoded as
// the message is written, and Size computes the length without reading them.
//
// Reading (Prepare) takes an existing message, as sendmail -t does: it
// collects recipients from To, Cc and Bcc, removes Bcc, adds Date and
// Message-ID when missing, and leaves every other byte as it was.
//
// It stops at the message: envelopes and delivery belong to package smtp
// and package deliver.
package message
