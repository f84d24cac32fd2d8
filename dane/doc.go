// Package dane authenticates SMTP servers with DANE (RFC 7672, on RFC
// 6698/7671): TLSA records, published in DNSSEC-signed zones, say which
// certificate or trust anchor an MX host presents. It has two halves:
//
//   - Resolver: a stub resolver (github.com/miekg/dns) that asks one
//     validating resolver and reports whether each answer was
//     authenticated (the AD bit). Go's resolver cannot show that bit. The
//     AD bit is only as trustworthy as the path to that resolver: use one
//     on this host (127.0.0.1, as Postfix expects) or on a trusted network.
//   - Verify: matching a server's certificate chain against TLSA records.
//     DANE-EE(3) matches the server's own certificate or key, without
//     name or date checks (RFC 7672 §3.1.1); DANE-TA(2) names a trust
//     anchor in the chain the server sends, and the chain is then checked
//     as usual, names included (§3.1.2). PKIX-TA(0) and PKIX-EE(1) are
//     unusable for SMTP (§3.1.3).
//
// Where the package stops: it does not validate DNSSEC signatures itself,
// and it does not follow CNAMEs of MX hosts (TLSA are looked up at the MX
// name only).
package dane
