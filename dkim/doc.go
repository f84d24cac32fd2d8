// Package dkim signs messages with DKIM (RFC 6376) so the receiving
// server can check that the sending domain vouches for them: relaxed/
// relaxed canonicalization, rsa-sha256 and ed25519-sha256 (RFC 8463),
// through github.com/emersion/go-msgauth. It also loads signing keys
// (checked like any secret: a private file of the user), makes new ones,
// and prints the DNS TXT record that publishes a key.
//
// A message is read once and may be gigabytes: the body hash streams,
// only the header section is held in memory, and the body waits in a
// temporary file (over a small threshold) until the signature, which
// goes in front of the message, is known. Callers that can open the
// message twice use Signature and write the field themselves.
//
// The package stops at signing: verification belongs to receivers (the
// tests use Debian's dkimpy as the independent verifier).
package dkim
