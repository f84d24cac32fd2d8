// Package inbox is the web inbox of postie's embedded server: a page that
// lists what arrived in a Maildir, shows each message as a mail reader
// would (headers, text, HTML with its inline images, attachments, the MIME
// tree, the raw source) and the SMTP session that delivered it, every line
// explained (package explain), and a JSON API under /api/v1/.
//
// It is built from net/http and html/template with its assets embedded:
// no build step, nothing loaded from elsewhere, it works offline.
//
// A received message is hostile until proven otherwise. Its HTML is
// sanitised (an allow-list over x/net/html) and shown in a sandboxed iframe under a
// Content-Security-Policy that forbids scripts and remote loads; its
// attachments are always served as downloads; header text is escaped by
// html/template. Mutations (delete) need a same-origin request
// (net/http's CrossOriginProtection), and on a loopback address the Host
// header must name a loopback host, so another web site cannot read the
// inbox by DNS rebinding.
//
// Reading messages: RFC 5322 headers, RFC 2045–2047 MIME (encoded words in
// any charset x/text knows, GBK and GB18030 included), RFC 2231 parameters,
// RFC 2392 cid: references. Where it stops: it does not verify DKIM, does
// not render message/rfc822 parts inline (they are attachments), and keeps
// no state beside the Maildir and the session transcripts.
package inbox
