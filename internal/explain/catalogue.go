package explain

import (
	"sync"

	"github.com/postie/postie/internal/i18n"
)

// The catalogue: one sentence per entry, in English, the key of its
// translation in internal/i18n's catalogue (zh.json); %s stands for a
// value from the line (an address, a size, a name).
type catalogue struct {
	commands        map[string]string
	clientNotes     map[string]string
	mailParams      map[string]string
	capabilities    map[string]string
	replies         map[string]string
	replyClass      map[byte]string
	replyCategory   map[byte]string
	continuation    string
	enhancedClass   map[string]string
	enhancedSubject map[string]string
	enhancedDetail  map[string]string
	enhancedFormat  string
	challenges      map[string]string
	events          map[string]string
}

// cat is built the first time a line is explained: a postie run that
// explains nothing (every plain send) does not pay for it at start-up.
var cat = sync.OnceValue(func() *catalogue {
	return &catalogue{
		// commands the client sends (RFC 5321 §4.1.1 and the extensions).
		commands: map[string]string{
			"EHLO":     i18n.Mark("The client greets the server with its own name and asks which extensions the server supports (RFC 5321 §4.1.1.1)."),
			"HELO":     i18n.Mark("The client greets the server with its own name, the old way without extensions (RFC 5321 §4.1.1.1)."),
			"STARTTLS": i18n.Mark("The client asks to turn this connection into an encrypted TLS connection before going on (RFC 3207)."),
			"MAIL":     i18n.Mark("The client starts a new message; the envelope sender %s is where bounces will go (RFC 5321 §4.1.1.2)."),
			"RCPT":     i18n.Mark("The client names one recipient of the message, %s; it sends one RCPT per recipient (RFC 5321 §4.1.1.3)."),
			"DATA":     i18n.Mark("The client asks to send the message itself; the server should answer 354 (RFC 5321 §4.1.1.4)."),
			"BDAT":     i18n.Mark("The client sends the next %s octets of the message as one chunk, with no dot at the end (CHUNKING, RFC 3030)."),
			"RSET":     i18n.Mark("The client abandons the message in progress and starts over, keeping the connection (RFC 5321 §4.1.1.5)."),
			"NOOP":     i18n.Mark("The client asks the server to do nothing but answer, to check that the connection is alive (RFC 5321 §4.1.1.9)."),
			"QUIT":     i18n.Mark("The client says goodbye; the server answers 221 and closes the connection (RFC 5321 §4.1.1.10)."),
			"VRFY":     i18n.Mark("The client asks whether a mailbox exists; most servers decline to say (RFC 5321 §3.5)."),
			"EXPN":     i18n.Mark("The client asks the server to expand a mailing list; most servers refuse (RFC 5321 §3.5)."),
			"HELP":     i18n.Mark("The client asks the server for help text (RFC 5321 §4.1.1.8)."),
			"AUTH":     i18n.Mark("The client starts logging in with the %s mechanism (SMTP AUTH, RFC 4954)."),
		},
		// clientNotes explain client lines that are not commands, and forms of
		// commands that need their own words.
		clientNotes: map[string]string{
			"BDATLAST": i18n.Mark("The client sends the last %s octets of the message; after this chunk the message is complete (CHUNKING, RFC 3030)."),
			"AUTHIR":   i18n.Mark("The client starts logging in with the %s mechanism and sends its credentials at once, base64-encoded; postie hides them (RFC 4954 §4)."),
			"PAYLOAD":  i18n.Mark("The client's answer to the server's challenge: credentials in base64, hidden here because base64 is an encoding, not encryption."),
			"CANCEL":   i18n.Mark("The client cancels the login (RFC 4954 §4)."),
			"DOT":      i18n.Mark("A line with a single dot ends the message (RFC 5321 §4.1.1.4); a dot at the start of a message line is doubled so it cannot end it early."),
			"MESSAGE":  i18n.Mark("The message itself, headers and body (%s), sent after the 354; shown here as its size."),
			"CHUNK":    i18n.Mark("The octets of the BDAT chunk (%s), sent right after the BDAT command."),
			"UNKNOWN":  i18n.Mark("A command this catalogue does not know; the server will answer 500 or 502 if it does not know it either."),
		},
		// mailParams are the ESMTP parameters of MAIL and RCPT.
		mailParams: map[string]string{
			"SIZE":     i18n.Mark("SIZE declares the message's size in octets, so the server can refuse at once if it is too big (RFC 1870)"),
			"BODY":     i18n.Mark("BODY says the message has 8-bit text (8BITMIME, RFC 6152) or binary content (BINARYMIME, RFC 3030)"),
			"SMTPUTF8": i18n.Mark("SMTPUTF8 says addresses or headers may be in UTF-8 (RFC 6531)"),
			"RET":      i18n.Mark("RET says how much of the message a bounce should return (DSN, RFC 3461)"),
			"ENVID":    i18n.Mark("ENVID is an identifier for delivery status notifications (DSN, RFC 3461)"),
			"NOTIFY":   i18n.Mark("NOTIFY says when to send a delivery status notification (DSN, RFC 3461)"),
			"ORCPT":    i18n.Mark("ORCPT carries the original recipient address (DSN, RFC 3461)"),
			"AUTH":     i18n.Mark("AUTH names the authenticated sender (RFC 4954 §5)"),
		},
		// capabilities the server lists in its EHLO reply.
		capabilities: map[string]string{
			"PIPELINING":          i18n.Mark("PIPELINING: the client may send several commands without waiting for each reply (RFC 2920)."),
			"8BITMIME":            i18n.Mark("8BITMIME: the server accepts 8-bit text such as raw UTF-8 in the body (RFC 6152)."),
			"SMTPUTF8":            i18n.Mark("SMTPUTF8: addresses and headers may be written in UTF-8, such as 张三@例子.中国 (RFC 6531)."),
			"CHUNKING":            i18n.Mark("CHUNKING: the client may send the message in BDAT chunks of known size instead of DATA (RFC 3030)."),
			"BINARYMIME":          i18n.Mark("BINARYMIME: the message may contain binary data, sent with BDAT (RFC 3030)."),
			"STARTTLS":            i18n.Mark("STARTTLS: the connection can be upgraded to TLS encryption (RFC 3207)."),
			"AUTH":                i18n.Mark("AUTH: the server accepts logins with these mechanisms: %s (RFC 4954)."),
			"SIZE":                i18n.Mark("SIZE: the largest message the server accepts is %s octets (RFC 1870)."),
			"SIZE0":               i18n.Mark("SIZE: the server will say in advance whether a message is too big (RFC 1870)."),
			"DSN":                 i18n.Mark("DSN: the client may ask for delivery status notifications (RFC 3461)."),
			"ENHANCEDSTATUSCODES": i18n.Mark("ENHANCEDSTATUSCODES: replies carry a detailed code such as 5.1.1 after the three digits (RFC 2034, RFC 3463)."),
			"LIMITS":              i18n.Mark("LIMITS: the server announces its limits, such as how many recipients a message may have (%s, RFC 9422)."),
			"REQUIRETLS":          i18n.Mark("REQUIRETLS: the client may demand that the message only travel over TLS (RFC 8689)."),
			"DELIVERBY":           i18n.Mark("DELIVERBY: the client may set a deadline for delivery (RFC 2852)."),
			"MT-PRIORITY":         i18n.Mark("MT-PRIORITY: the client may give the message a priority (RFC 6710)."),
			"VRFY":                i18n.Mark("VRFY: the server answers questions about whether a mailbox exists (RFC 5321 §3.5)."),
			"ETRN":                i18n.Mark("ETRN: a client may ask the server to send queued mail for a domain (RFC 1985)."),
			"HELP":                i18n.Mark("HELP: the server answers the HELP command (RFC 5321 §4.1.1.8)."),
			"OTHER":               i18n.Mark("An extension this catalogue does not know; a client ignores extensions it does not use."),
			"EHLOFIRST":           i18n.Mark("The server greets the client back; the lines that follow list the extensions it supports (RFC 5321 §4.1.1.1)."),
		},
		// replies by code; "CODE/COMMAND" entries are for a code answering that
		// command.
		replies: map[string]string{
			"211":          i18n.Mark("211: system status or a help reply."),
			"214":          i18n.Mark("214: help text for a person to read."),
			"220":          i18n.Mark("220: the server is ready and greets the client; its name comes first (RFC 5321 §4.2)."),
			"220/STARTTLS": i18n.Mark("220: go ahead with TLS; the next bytes on the wire are the TLS handshake, and everything before is forgotten (RFC 3207 §4.2)."),
			"221":          i18n.Mark("221: the server says goodbye and closes the connection."),
			"235":          i18n.Mark("235: the login succeeded; the client may now send mail as this user (RFC 4954)."),
			"250":          i18n.Mark("250: done, the requested action completed."),
			"250/MAIL":     i18n.Mark("250: the server accepts this sender; the client can name recipients now."),
			"250/RCPT":     i18n.Mark("250: the server accepts this recipient."),
			"250/.":        i18n.Mark("250: the server has taken the message and is now responsible for it; the text often carries its queue ID (RFC 5321 §4.1.1.4)."),
			"250/BDATLAST": i18n.Mark("250: the server has taken the whole message and is now responsible for it (RFC 3030)."),
			"250/BDAT":     i18n.Mark("250: the server received this chunk and waits for the next one (RFC 3030)."),
			"250/RSET":     i18n.Mark("250: the message in progress is forgotten; the connection stays open."),
			"250/NOOP":     i18n.Mark("250: the connection is alive."),
			"251":          i18n.Mark("251: the recipient is not local, but the server will forward the message; this is a success (RFC 5321 §3.4)."),
			"252":          i18n.Mark("252: the server cannot verify the mailbox but will accept the message and try (RFC 5321 §3.5.3)."),
			"334":          i18n.Mark("334: the server asks for the next step of the login; its text is base64 (RFC 4954 §4)."),
			"354":          i18n.Mark("354: go ahead, send the message; end it with a line holding only a dot (RFC 5321 §4.1.1.4)."),
			"421":          i18n.Mark("421: the server is closing the connection (busy, shutting down, or the client was too slow); try again later."),
			"450":          i18n.Mark("450: the mailbox is unavailable for now (busy or greylisted); try again later."),
			"451":          i18n.Mark("451: the server had a local error and did not take the message; try again later."),
			"452":          i18n.Mark("452: the server is out of storage, or there are too many recipients; try again later."),
			"454":          i18n.Mark("454: a temporary failure of TLS or of the login; try again later (RFC 3207, RFC 4954)."),
			"455":          i18n.Mark("455: the server cannot accept these parameters now."),
			"500":          i18n.Mark("500: syntax error, the command was not recognised."),
			"501":          i18n.Mark("501: syntax error in the command's arguments."),
			"502":          i18n.Mark("502: the server does not implement this command (or not now)."),
			"503":          i18n.Mark("503: bad sequence of commands, e.g. RCPT before MAIL, or AUTH twice."),
			"504":          i18n.Mark("504: the server does not support this parameter or login mechanism."),
			"521":          i18n.Mark("521: this host does not accept mail at all (RFC 7504)."),
			"523":          i18n.Mark("523: encryption is needed first: use STARTTLS before this command (RFC 5248)."),
			"530":          i18n.Mark("530: the server wants the client to log in (or use TLS) first (RFC 4954)."),
			"534":          i18n.Mark("534: the login mechanism is too weak for this server (RFC 4954)."),
			"535":          i18n.Mark("535: the login failed: wrong user name or password (for 163/QQ, use the authorization code) (RFC 4954)."),
			"538":          i18n.Mark("538: this login mechanism needs encryption first (RFC 4954)."),
			"550":          i18n.Mark("550: refused for good, usually because the mailbox does not exist or policy forbids it."),
			"551":          i18n.Mark("551: the user is not local; the server names where to send instead."),
			"552":          i18n.Mark("552: the message is too big, or storage is exceeded, for good."),
			"553":          i18n.Mark("553: the mailbox name is not allowed (bad syntax or not permitted)."),
			"554":          i18n.Mark("554: the transaction failed for good (often: refused as spam or by policy)."),
			"555":          i18n.Mark("555: MAIL or RCPT parameters not recognised or not implemented."),
		},
		// classes of reply codes, by first and second digit (RFC 5321 §4.2.1).
		replyClass: map[byte]string{
			'2': i18n.Mark("%s: success (2yz, positive completion)."),
			'3': i18n.Mark("%s: go on, the server waits for more (3yz, positive intermediate)."),
			'4': i18n.Mark("%s: failed for now; trying again later may work (4yz, transient negative)."),
			'5': i18n.Mark("%s: failed for good; do not repeat it unchanged (5yz, permanent negative)."),
		},
		replyCategory: map[byte]string{
			'0': i18n.Mark("%s It is about syntax."),
			'1': i18n.Mark("%s It is information."),
			'2': i18n.Mark("%s It is about the connection."),
			'5': i18n.Mark("%s It is about the mail system."),
		},
		continuation: i18n.Mark("More text of the same %s reply: a hyphen after the code means more lines follow (RFC 5321 §4.2.1)."),
		// enhanced status codes (RFC 3463; 5.7.x from RFC 4954 and the RFC 5248
		// registry): class, subject, and the details seen most.
		enhancedClass: map[string]string{
			"2": i18n.Mark("success"),
			"4": i18n.Mark("temporary failure"),
			"5": i18n.Mark("permanent failure"),
		},
		enhancedSubject: map[string]string{
			"0": i18n.Mark("other or undefined"),
			"1": i18n.Mark("about an address"),
			"2": i18n.Mark("about the mailbox"),
			"3": i18n.Mark("about the mail system"),
			"4": i18n.Mark("about the network or routing"),
			"5": i18n.Mark("about the protocol"),
			"6": i18n.Mark("about the message content"),
			"7": i18n.Mark("about security or policy"),
		},
		enhancedDetail: map[string]string{
			"0.0":  i18n.Mark("nothing more to say"),
			"1.0":  i18n.Mark("an address status"),
			"1.1":  i18n.Mark("the mailbox does not exist"),
			"1.2":  i18n.Mark("the destination domain does not exist or takes no mail"),
			"1.3":  i18n.Mark("the address is not valid syntax"),
			"1.5":  i18n.Mark("the destination address is valid"),
			"1.6":  i18n.Mark("the mailbox has moved"),
			"1.7":  i18n.Mark("the sender's address is not valid syntax"),
			"1.8":  i18n.Mark("the sender's domain is not valid"),
			"2.0":  i18n.Mark("a mailbox status"),
			"2.1":  i18n.Mark("the mailbox is disabled"),
			"2.2":  i18n.Mark("the mailbox is full"),
			"2.3":  i18n.Mark("the message is too long for this mailbox"),
			"3.0":  i18n.Mark("a mail system status"),
			"3.1":  i18n.Mark("the mail system is full"),
			"3.4":  i18n.Mark("the message is too big for the system"),
			"4.0":  i18n.Mark("a network or routing status"),
			"4.1":  i18n.Mark("no answer from the host"),
			"4.2":  i18n.Mark("a bad connection"),
			"4.3":  i18n.Mark("a directory (DNS) server failure"),
			"4.4":  i18n.Mark("no route to the destination"),
			"4.5":  i18n.Mark("the system is congested"),
			"4.7":  i18n.Mark("the delivery time expired"),
			"5.0":  i18n.Mark("a protocol status"),
			"5.1":  i18n.Mark("an invalid command"),
			"5.2":  i18n.Mark("a syntax error"),
			"5.3":  i18n.Mark("too many recipients"),
			"5.4":  i18n.Mark("invalid command arguments"),
			"5.5":  i18n.Mark("the wrong protocol version"),
			"6.0":  i18n.Mark("a content status"),
			"6.1":  i18n.Mark("the media type is not supported"),
			"6.3":  i18n.Mark("a conversion is needed but not possible"),
			"7.0":  i18n.Mark("authentication is required, or another security status"),
			"7.1":  i18n.Mark("delivery is not authorised"),
			"7.4":  i18n.Mark("security features are not supported"),
			"7.8":  i18n.Mark("the credentials are invalid"),
			"7.9":  i18n.Mark("the login mechanism is too weak"),
			"7.10": i18n.Mark("encryption is needed"),
			"7.11": i18n.Mark("encryption is required for this login mechanism"),
			"7.12": i18n.Mark("a password transition is needed"),
		},
		enhancedFormat: i18n.Mark("%s Enhanced code %s: %s, %s, %s (RFC 3463)."),
		// 334 challenges, decoded.
		challenges: map[string]string{
			"user":   i18n.Mark("base64 of '%s': the server asks for your user name, base64-encoded (AUTH LOGIN)."),
			"pass":   i18n.Mark("base64 of '%s': the server asks for your password, base64-encoded (AUTH LOGIN); base64 is not encryption, which is why TLS comes first."),
			"empty":  i18n.Mark("334 with nothing after it: the server is ready for the client's credentials (AUTH PLAIN without an initial response, RFC 4616)."),
			"cram":   i18n.Mark("base64 of '%s': a one-time challenge; the client answers with its user name and an HMAC-MD5 of it keyed by the password (AUTH CRAM-MD5, RFC 2195)."),
			"json":   i18n.Mark("base64 of '%s': the login failed and these are the provider's error details; the client answers with an empty line (XOAUTH2/OAUTHBEARER, RFC 7628)."),
			"text":   i18n.Mark("base64 of '%s': the server's challenge for this login mechanism."),
			"binary": i18n.Mark("%s octets of binary data in base64: the server's challenge for this login mechanism."),
		},
		// events: lines starting with "*" (postie's own notes).
		events: map[string]string{
			"tls":         i18n.Mark("The TLS handshake is done: from here on everything is encrypted with %s."),
			"tlsverified": i18n.Mark("The TLS handshake is done and the server's certificate was checked against its name: from here on everything is encrypted (%s)."),
			"tlsinsecure": i18n.Mark("The TLS handshake is done but the certificate was NOT checked, so the server could be an impostor (%s)."),
			"connecting":  i18n.Mark("postie opens a TCP connection to the server."),
			"connected":   i18n.Mark("The TCP connection is open; the server speaks first (RFC 5321 §3.1)."),
			"from":        i18n.Mark("A client connected; the server speaks first with a 220 greeting (RFC 5321 §3.1)."),
			"stored":      i18n.Mark("The server wrote the message to its Maildir; the 250 that follows tells the client."),
			"closed":      i18n.Mark("The connection is closed."),
			"cut":         i18n.Mark("The server cut the client off to protect itself (too slow, too long, or too many failed logins)."),
			"other":       i18n.Mark("A note from postie, not part of the SMTP dialogue."),
		},
	}
})
