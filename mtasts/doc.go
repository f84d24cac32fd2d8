// Package mtasts implements the sending side of SMTP MTA Strict
// Transport Security (RFC 8461): a domain announces in DNS
// (_mta-sts.<domain> TXT) that it publishes a policy at
// https://mta-sts.<domain>/.well-known/mta-sts.txt naming its MX hosts
// and whether senders must insist on verified TLS to them (enforce) or
// only report failures (testing).
//
// Client fetches policies (HTTPS, certificate verified, no redirects, at
// most 64 KiB, bounded in time), keeps them in a cache directory keyed by
// the record's id until max_age runs out, and falls back to a cached
// policy when the TXT record or the fetch fails (§3.3, §5.1), so an
// attacker who strips the record cannot downgrade a known domain.
//
// Where it stops: it says which policy applies and whether an MX host
// name matches it; enforcing TLS on the connection is package deliver's
// job. TLSRPT reporting (RFC 8460) is not implemented.
package mtasts
