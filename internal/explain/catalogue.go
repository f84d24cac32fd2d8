package explain

// The catalogue. Each entry is one sentence in English and in Chinese;
// %s stands for a value from the line (an address, a size, a name).

// commands the client sends (RFC 5321 §4.1.1 and the extensions).
var commands = map[string]text{
	"EHLO":     {"The client greets the server with its own name and asks which extensions the server supports (RFC 5321 §4.1.1.1).", "客户端报上自己的名字向服务器问好，并询问服务器支持哪些扩展（RFC 5321 §4.1.1.1）。"},
	"HELO":     {"The client greets the server with its own name, the old way without extensions (RFC 5321 §4.1.1.1).", "客户端报上自己的名字向服务器问好，这是不带扩展的旧式问候（RFC 5321 §4.1.1.1）。"},
	"STARTTLS": {"The client asks to turn this connection into an encrypted TLS connection before going on (RFC 3207).", "客户端请求先把这条连接升级为加密的 TLS 连接，再继续对话（RFC 3207）。"},
	"MAIL":     {"The client starts a new message; the envelope sender %s is where bounces will go (RFC 5321 §4.1.1.2).", "客户端开始一封新邮件；信封发件人 %s 是退信的去处（RFC 5321 §4.1.1.2）。"},
	"RCPT":     {"The client names one recipient of the message, %s; it sends one RCPT per recipient (RFC 5321 §4.1.1.3).", "客户端给出这封邮件的一个收件人 %s；每个收件人发一条 RCPT（RFC 5321 §4.1.1.3）。"},
	"DATA":     {"The client asks to send the message itself; the server should answer 354 (RFC 5321 §4.1.1.4).", "客户端请求发送邮件正文本身；服务器应回答 354（RFC 5321 §4.1.1.4）。"},
	"BDAT":     {"The client sends the next %s octets of the message as one chunk, with no dot at the end (CHUNKING, RFC 3030).", "客户端把邮件接下来的 %s 个字节作为一块发送，结尾不需要点（CHUNKING，RFC 3030）。"},
	"RSET":     {"The client abandons the message in progress and starts over, keeping the connection (RFC 5321 §4.1.1.5).", "客户端放弃正在发送的邮件，从头开始，但保留连接（RFC 5321 §4.1.1.5）。"},
	"NOOP":     {"The client asks the server to do nothing but answer, to check that the connection is alive (RFC 5321 §4.1.1.9).", "客户端让服务器什么也不做、只回个话，用来确认连接还活着（RFC 5321 §4.1.1.9）。"},
	"QUIT":     {"The client says goodbye; the server answers 221 and closes the connection (RFC 5321 §4.1.1.10).", "客户端说再见；服务器回答 221 并关闭连接（RFC 5321 §4.1.1.10）。"},
	"VRFY":     {"The client asks whether a mailbox exists; most servers decline to say (RFC 5321 §3.5).", "客户端询问某个邮箱是否存在；多数服务器不会告诉你（RFC 5321 §3.5）。"},
	"EXPN":     {"The client asks the server to expand a mailing list; most servers refuse (RFC 5321 §3.5).", "客户端请求服务器展开一个邮件列表；多数服务器会拒绝（RFC 5321 §3.5）。"},
	"HELP":     {"The client asks the server for help text (RFC 5321 §4.1.1.8).", "客户端向服务器请求帮助信息（RFC 5321 §4.1.1.8）。"},
	"AUTH":     {"The client starts logging in with the %s mechanism (SMTP AUTH, RFC 4954).", "客户端开始用 %s 方式登录（SMTP AUTH，RFC 4954）。"},
}

// clientNotes explain client lines that are not commands, and forms of
// commands that need their own words.
var clientNotes = map[string]text{
	"BDATLAST": {"The client sends the last %s octets of the message; after this chunk the message is complete (CHUNKING, RFC 3030).", "客户端发送邮件最后的 %s 个字节；这一块之后邮件就完整了（CHUNKING，RFC 3030）。"},
	"AUTHIR":   {"The client starts logging in with the %s mechanism and sends its credentials at once, base64-encoded; postie hides them (RFC 4954 §4).", "客户端用 %s 方式登录，并立即发送 base64 编码的凭据；postie 把它隐藏了（RFC 4954 §4）。"},
	"PAYLOAD":  {"The client's answer to the server's challenge: credentials in base64, hidden here because base64 is an encoding, not encryption.", "客户端对服务器质询的回答：base64 编码的凭据。这里把它隐藏了，因为 base64 只是编码，不是加密。"},
	"CANCEL":   {"The client cancels the login (RFC 4954 §4).", "客户端取消登录（RFC 4954 §4）。"},
	"DOT":      {"A line with a single dot ends the message (RFC 5321 §4.1.1.4); a dot at the start of a message line is doubled so it cannot end it early.", "只有一个点的一行表示邮件结束（RFC 5321 §4.1.1.4）；正文中以点开头的行会多加一个点，以免提前结束。"},
	"MESSAGE":  {"The message itself, headers and body (%s), sent after the 354; shown here as its size.", "邮件本身，包括信头和正文（%s），在 354 之后发送；这里只显示它的大小。"},
	"CHUNK":    {"The octets of the BDAT chunk (%s), sent right after the BDAT command.", "BDAT 块的内容（%s），紧跟在 BDAT 命令后面发送。"},
	"UNKNOWN":  {"A command this catalogue does not know; the server will answer 500 or 502 if it does not know it either.", "本目录不认识的命令；如果服务器也不认识，它会回答 500 或 502。"},
}

// mailParams are the ESMTP parameters of MAIL and RCPT.
var mailParams = map[string]text{
	"SIZE":     {"SIZE declares the message's size in octets, so the server can refuse at once if it is too big (RFC 1870)", "SIZE 预先声明邮件的字节数，太大时服务器可以立即拒绝（RFC 1870）"},
	"BODY":     {"BODY says the message has 8-bit text (8BITMIME, RFC 6152) or binary content (BINARYMIME, RFC 3030)", "BODY 说明邮件含 8 位文本（8BITMIME，RFC 6152）或二进制内容（BINARYMIME，RFC 3030）"},
	"SMTPUTF8": {"SMTPUTF8 says addresses or headers may be in UTF-8 (RFC 6531)", "SMTPUTF8 表示地址或信头可以是 UTF-8（RFC 6531）"},
	"RET":      {"RET says how much of the message a bounce should return (DSN, RFC 3461)", "RET 指定退信时附带多少原邮件内容（DSN，RFC 3461）"},
	"ENVID":    {"ENVID is an identifier for delivery status notifications (DSN, RFC 3461)", "ENVID 是投递状态通知用的标识（DSN，RFC 3461）"},
	"NOTIFY":   {"NOTIFY says when to send a delivery status notification (DSN, RFC 3461)", "NOTIFY 指定何时发送投递状态通知（DSN，RFC 3461）"},
	"ORCPT":    {"ORCPT carries the original recipient address (DSN, RFC 3461)", "ORCPT 携带原始收件人地址（DSN，RFC 3461）"},
	"AUTH":     {"AUTH names the authenticated sender (RFC 4954 §5)", "AUTH 给出已认证的发件人（RFC 4954 §5）"},
}

// capabilities the server lists in its EHLO reply.
var capabilities = map[string]text{
	"PIPELINING":          {"PIPELINING: the client may send several commands without waiting for each reply (RFC 2920).", "PIPELINING：客户端可以连发多条命令，不必逐条等待回复（RFC 2920）。"},
	"8BITMIME":            {"8BITMIME: the server accepts 8-bit text such as raw UTF-8 in the body (RFC 6152).", "8BITMIME：服务器接受 8 位文本，例如正文中直接写的 UTF-8（RFC 6152）。"},
	"SMTPUTF8":            {"SMTPUTF8: addresses and headers may be written in UTF-8, such as 张三@例子.中国 (RFC 6531).", "SMTPUTF8：地址和信头可以用 UTF-8 书写，例如 张三@例子.中国（RFC 6531）。"},
	"CHUNKING":            {"CHUNKING: the client may send the message in BDAT chunks of known size instead of DATA (RFC 3030).", "CHUNKING：客户端可以用已知大小的 BDAT 块代替 DATA 发送邮件（RFC 3030）。"},
	"BINARYMIME":          {"BINARYMIME: the message may contain binary data, sent with BDAT (RFC 3030).", "BINARYMIME：邮件可以包含二进制数据，用 BDAT 发送（RFC 3030）。"},
	"STARTTLS":            {"STARTTLS: the connection can be upgraded to TLS encryption (RFC 3207).", "STARTTLS：这条连接可以升级为 TLS 加密（RFC 3207）。"},
	"AUTH":                {"AUTH: the server accepts logins with these mechanisms: %s (RFC 4954).", "AUTH：服务器接受用这些方式登录：%s（RFC 4954）。"},
	"SIZE":                {"SIZE: the largest message the server accepts is %s octets (RFC 1870).", "SIZE：服务器接受的最大邮件是 %s 字节（RFC 1870）。"},
	"SIZE0":               {"SIZE: the server will say in advance whether a message is too big (RFC 1870).", "SIZE：服务器会预先告诉你邮件是否太大（RFC 1870）。"},
	"DSN":                 {"DSN: the client may ask for delivery status notifications (RFC 3461).", "DSN：客户端可以请求投递状态通知（RFC 3461）。"},
	"ENHANCEDSTATUSCODES": {"ENHANCEDSTATUSCODES: replies carry a detailed code such as 5.1.1 after the three digits (RFC 2034, RFC 3463).", "ENHANCEDSTATUSCODES：回复在三位数字后附带更细的状态码，例如 5.1.1（RFC 2034、RFC 3463）。"},
	"LIMITS":              {"LIMITS: the server announces its limits, such as how many recipients a message may have (%s, RFC 9422).", "LIMITS：服务器公布它的限制，例如一封邮件最多几个收件人（%s，RFC 9422）。"},
	"REQUIRETLS":          {"REQUIRETLS: the client may demand that the message only travel over TLS (RFC 8689).", "REQUIRETLS：客户端可以要求这封邮件只经由 TLS 传送（RFC 8689）。"},
	"DELIVERBY":           {"DELIVERBY: the client may set a deadline for delivery (RFC 2852).", "DELIVERBY：客户端可以设定投递期限（RFC 2852）。"},
	"MT-PRIORITY":         {"MT-PRIORITY: the client may give the message a priority (RFC 6710).", "MT-PRIORITY：客户端可以给邮件设定优先级（RFC 6710）。"},
	"VRFY":                {"VRFY: the server answers questions about whether a mailbox exists (RFC 5321 §3.5).", "VRFY：服务器回答某个邮箱是否存在（RFC 5321 §3.5）。"},
	"ETRN":                {"ETRN: a client may ask the server to send queued mail for a domain (RFC 1985).", "ETRN：客户端可以请求服务器发送某个域排队中的邮件（RFC 1985）。"},
	"HELP":                {"HELP: the server answers the HELP command (RFC 5321 §4.1.1.8).", "HELP：服务器支持 HELP 命令（RFC 5321 §4.1.1.8）。"},
	"OTHER":               {"An extension this catalogue does not know; a client ignores extensions it does not use.", "本目录不认识的扩展；客户端会忽略它不使用的扩展。"},
	"EHLOFIRST":           {"The server greets the client back; the lines that follow list the extensions it supports (RFC 5321 §4.1.1.1).", "服务器回应客户端的问候；接下来的几行列出它支持的扩展（RFC 5321 §4.1.1.1）。"},
}

// replies by code; "CODE/COMMAND" entries are for a code answering that
// command.
var replies = map[string]text{
	"211":          {"211: system status or a help reply.", "211：系统状态或帮助回复。"},
	"214":          {"214: help text for a person to read.", "214：给人看的帮助信息。"},
	"220":          {"220: the server is ready and greets the client; its name comes first (RFC 5321 §4.2).", "220：服务器已就绪并向客户端问好，最先出现的是它的名字（RFC 5321 §4.2）。"},
	"220/STARTTLS": {"220: go ahead with TLS; the next bytes on the wire are the TLS handshake, and everything before is forgotten (RFC 3207 §4.2).", "220：可以开始 TLS 了；接下来线路上是 TLS 握手，之前的一切都作废（RFC 3207 §4.2）。"},
	"221":          {"221: the server says goodbye and closes the connection.", "221：服务器说再见并关闭连接。"},
	"235":          {"235: the login succeeded; the client may now send mail as this user (RFC 4954).", "235：登录成功；客户端现在可以以这个用户的身份发信了（RFC 4954）。"},
	"250":          {"250: done, the requested action completed.", "250：完成，请求的操作已完成。"},
	"250/MAIL":     {"250: the server accepts this sender; the client can name recipients now.", "250：服务器接受这个发件人；客户端现在可以给出收件人了。"},
	"250/RCPT":     {"250: the server accepts this recipient.", "250：服务器接受这个收件人。"},
	"250/.":        {"250: the server has taken the message and is now responsible for it; the text often carries its queue ID (RFC 5321 §4.1.1.4).", "250：服务器已收下这封邮件并对它负责；回复文字里常带有它的队列编号（RFC 5321 §4.1.1.4）。"},
	"250/BDATLAST": {"250: the server has taken the whole message and is now responsible for it (RFC 3030).", "250：服务器已收下整封邮件并对它负责（RFC 3030）。"},
	"250/BDAT":     {"250: the server received this chunk and waits for the next one (RFC 3030).", "250：服务器收到了这一块，等待下一块（RFC 3030）。"},
	"250/RSET":     {"250: the message in progress is forgotten; the connection stays open.", "250：正在发送的邮件已被丢弃；连接仍然保持。"},
	"250/NOOP":     {"250: the connection is alive.", "250：连接还活着。"},
	"251":          {"251: the recipient is not local, but the server will forward the message; this is a success (RFC 5321 §3.4).", "251：收件人不在本地，但服务器会转发这封邮件；这算成功（RFC 5321 §3.4）。"},
	"252":          {"252: the server cannot verify the mailbox but will accept the message and try (RFC 5321 §3.5.3).", "252：服务器无法核实这个邮箱，但会接收邮件并尝试投递（RFC 5321 §3.5.3）。"},
	"334":          {"334: the server asks for the next step of the login; its text is base64 (RFC 4954 §4).", "334：服务器请求登录的下一步；它的文字是 base64 编码（RFC 4954 §4）。"},
	"354":          {"354: go ahead, send the message; end it with a line holding only a dot (RFC 5321 §4.1.1.4).", "354：请发送邮件内容，以只有一个点的一行结束（RFC 5321 §4.1.1.4）。"},
	"421":          {"421: the server is closing the connection (busy, shutting down, or the client was too slow); try again later.", "421：服务器正在关闭连接（太忙、正在关机或客户端太慢）；请稍后再试。"},
	"450":          {"450: the mailbox is unavailable for now (busy or greylisted); try again later.", "450：邮箱暂时不可用（忙或被灰名单暂缓）；请稍后再试。"},
	"451":          {"451: the server had a local error and did not take the message; try again later.", "451：服务器本地出错，没有收下邮件；请稍后再试。"},
	"452":          {"452: the server is out of storage, or there are too many recipients; try again later.", "452：服务器存储空间不足，或收件人太多；请稍后再试。"},
	"454":          {"454: a temporary failure of TLS or of the login; try again later (RFC 3207, RFC 4954).", "454：TLS 或登录暂时失败；请稍后再试（RFC 3207、RFC 4954）。"},
	"455":          {"455: the server cannot accept these parameters now.", "455：服务器现在不能接受这些参数。"},
	"500":          {"500: syntax error, the command was not recognised.", "500：语法错误，命令无法识别。"},
	"501":          {"501: syntax error in the command's arguments.", "501：命令参数有语法错误。"},
	"502":          {"502: the server does not implement this command (or not now).", "502：服务器没有实现这条命令（或此时不可用）。"},
	"503":          {"503: bad sequence of commands, e.g. RCPT before MAIL, or AUTH twice.", "503：命令顺序不对，例如 RCPT 在 MAIL 之前，或重复 AUTH。"},
	"504":          {"504: the server does not support this parameter or login mechanism.", "504：服务器不支持这个参数或登录方式。"},
	"521":          {"521: this host does not accept mail at all (RFC 7504).", "521：这台主机根本不收邮件（RFC 7504）。"},
	"523":          {"523: encryption is needed first: use STARTTLS before this command (RFC 5248).", "523：需要先加密：在这条命令前先用 STARTTLS（RFC 5248）。"},
	"530":          {"530: the server wants the client to log in (or use TLS) first (RFC 4954).", "530：服务器要求客户端先登录（或先用 TLS）（RFC 4954）。"},
	"534":          {"534: the login mechanism is too weak for this server (RFC 4954).", "534：这种登录方式对该服务器来说太弱（RFC 4954）。"},
	"535":          {"535: the login failed: wrong user name or password (for 163/QQ, use the authorization code) (RFC 4954).", "535：登录失败：用户名或密码错误（163/QQ 要用授权码）（RFC 4954）。"},
	"538":          {"538: this login mechanism needs encryption first (RFC 4954).", "538：这种登录方式需要先加密（RFC 4954）。"},
	"550":          {"550: refused for good, usually because the mailbox does not exist or policy forbids it.", "550：永久拒绝，通常因为邮箱不存在或策略不允许。"},
	"551":          {"551: the user is not local; the server names where to send instead.", "551：用户不在本地；服务器会告诉你应该发往哪里。"},
	"552":          {"552: the message is too big, or storage is exceeded, for good.", "552：邮件太大，或存储空间已超出，永久拒绝。"},
	"553":          {"553: the mailbox name is not allowed (bad syntax or not permitted).", "553：邮箱名不被允许（语法错误或不许使用）。"},
	"554":          {"554: the transaction failed for good (often: refused as spam or by policy).", "554：事务永久失败（常见原因：被当作垃圾邮件或被策略拒绝）。"},
	"555":          {"555: MAIL or RCPT parameters not recognised or not implemented.", "555：MAIL 或 RCPT 的参数无法识别或未实现。"},
}

// classes of reply codes, by first and second digit (RFC 5321 §4.2.1).
var replyClass = map[byte]text{
	'2': {"%s: success (2yz, positive completion).", "%s：成功（2yz，肯定完成）。"},
	'3': {"%s: go on, the server waits for more (3yz, positive intermediate).", "%s：请继续，服务器在等待更多内容（3yz，肯定中间状态）。"},
	'4': {"%s: failed for now; trying again later may work (4yz, transient negative).", "%s：暂时失败，稍后重试可能成功（4yz，暂时否定）。"},
	'5': {"%s: failed for good; do not repeat it unchanged (5yz, permanent negative).", "%s：永久失败，不要原样重试（5yz，永久否定）。"},
}

var replyCategory = map[byte]text{
	'0': {"It is about syntax.", "与语法有关。"},
	'1': {"It is information.", "是说明信息。"},
	'2': {"It is about the connection.", "与连接有关。"},
	'5': {"It is about the mail system.", "与邮件系统有关。"},
}

var continuation = text{"More text of the same %s reply: a hyphen after the code means more lines follow (RFC 5321 §4.2.1).", "同一个 %s 回复的后续文字：代码后的连字符表示后面还有行（RFC 5321 §4.2.1）。"}

// enhanced status codes (RFC 3463; 5.7.x from RFC 4954 and the RFC 5248
// registry): class, subject, and the details seen most.
var enhancedClass = map[string]text{
	"2": {"success", "成功"},
	"4": {"temporary failure", "暂时失败"},
	"5": {"permanent failure", "永久失败"},
}

var enhancedSubject = map[string]text{
	"0": {"other or undefined", "其他或未定义"},
	"1": {"about an address", "与地址有关"},
	"2": {"about the mailbox", "与邮箱有关"},
	"3": {"about the mail system", "与邮件系统有关"},
	"4": {"about the network or routing", "与网络或路由有关"},
	"5": {"about the protocol", "与协议有关"},
	"6": {"about the message content", "与邮件内容有关"},
	"7": {"about security or policy", "与安全或策略有关"},
}

var enhancedDetail = map[string]text{
	"0.0":  {"nothing more to say", "没有更多说明"},
	"1.0":  {"an address status", "地址状态"},
	"1.1":  {"the mailbox does not exist", "邮箱不存在"},
	"1.2":  {"the destination domain does not exist or takes no mail", "目标域不存在或不收邮件"},
	"1.3":  {"the address is not valid syntax", "地址语法无效"},
	"1.5":  {"the destination address is valid", "目标地址有效"},
	"1.6":  {"the mailbox has moved", "邮箱已迁移"},
	"1.7":  {"the sender's address is not valid syntax", "发件人地址语法无效"},
	"1.8":  {"the sender's domain is not valid", "发件人的域无效"},
	"2.0":  {"a mailbox status", "邮箱状态"},
	"2.1":  {"the mailbox is disabled", "邮箱已停用"},
	"2.2":  {"the mailbox is full", "邮箱已满"},
	"2.3":  {"the message is too long for this mailbox", "邮件对这个邮箱来说太长"},
	"3.0":  {"a mail system status", "邮件系统状态"},
	"3.1":  {"the mail system is full", "邮件系统已满"},
	"3.4":  {"the message is too big for the system", "邮件对系统来说太大"},
	"4.0":  {"a network or routing status", "网络或路由状态"},
	"4.1":  {"no answer from the host", "主机没有应答"},
	"4.2":  {"a bad connection", "连接不良"},
	"4.3":  {"a directory (DNS) server failure", "目录（DNS）服务器故障"},
	"4.4":  {"no route to the destination", "无法路由到目的地"},
	"4.5":  {"the system is congested", "系统拥塞"},
	"4.7":  {"the delivery time expired", "投递时间已过期"},
	"5.0":  {"a protocol status", "协议状态"},
	"5.1":  {"an invalid command", "无效命令"},
	"5.2":  {"a syntax error", "语法错误"},
	"5.3":  {"too many recipients", "收件人太多"},
	"5.4":  {"invalid command arguments", "命令参数无效"},
	"5.5":  {"the wrong protocol version", "协议版本不对"},
	"6.0":  {"a content status", "内容状态"},
	"6.1":  {"the media type is not supported", "不支持这种媒体类型"},
	"6.3":  {"a conversion is needed but not possible", "需要转换但无法转换"},
	"7.0":  {"authentication is required, or another security status", "需要认证，或其他安全状态"},
	"7.1":  {"delivery is not authorised", "不允许投递"},
	"7.4":  {"security features are not supported", "不支持所需的安全特性"},
	"7.8":  {"the credentials are invalid", "凭据无效"},
	"7.9":  {"the login mechanism is too weak", "登录方式太弱"},
	"7.10": {"encryption is needed", "需要加密"},
	"7.11": {"encryption is required for this login mechanism", "这种登录方式要求加密"},
	"7.12": {"a password transition is needed", "需要更换密码"},
}

var enhancedFormat = text{"Enhanced code %s: %s, %s, %s (RFC 3463).", "增强状态码 %s：%s，%s，%s（RFC 3463）。"}

// 334 challenges, decoded.
var challenges = map[string]text{
	"user":   {"base64 of '%s': the server asks for your user name, base64-encoded (AUTH LOGIN).", "'%s' 的 base64：服务器请你给出用户名，用 base64 编码（AUTH LOGIN）。"},
	"pass":   {"base64 of '%s': the server asks for your password, base64-encoded (AUTH LOGIN); base64 is not encryption, which is why TLS comes first.", "'%s' 的 base64：服务器请你给出密码，用 base64 编码（AUTH LOGIN）；base64 不是加密，所以要先用 TLS。"},
	"empty":  {"334 with nothing after it: the server is ready for the client's credentials (AUTH PLAIN without an initial response, RFC 4616).", "334 后面什么也没有：服务器已准备好接收客户端的凭据（不带初始响应的 AUTH PLAIN，RFC 4616）。"},
	"cram":   {"base64 of '%s': a one-time challenge; the client answers with its user name and an HMAC-MD5 of it keyed by the password (AUTH CRAM-MD5, RFC 2195).", "'%s' 的 base64：一次性的质询；客户端用用户名和以密码为密钥对它算出的 HMAC-MD5 来回答（AUTH CRAM-MD5，RFC 2195）。"},
	"json":   {"base64 of '%s': the login failed and these are the provider's error details; the client answers with an empty line (XOAUTH2/OAUTHBEARER, RFC 7628).", "'%s' 的 base64：登录失败，这是服务商给出的错误详情；客户端用空行回答（XOAUTH2/OAUTHBEARER，RFC 7628）。"},
	"text":   {"base64 of '%s': the server's challenge for this login mechanism.", "'%s' 的 base64：服务器针对这种登录方式的质询。"},
	"binary": {"%s octets of binary data in base64: the server's challenge for this login mechanism.", "%s 个字节的 base64 二进制数据：服务器针对这种登录方式的质询。"},
}

// events: lines starting with "*" (postie's own notes).
var events = map[string]text{
	"tls":         {"The TLS handshake is done: from here on everything is encrypted with %s.", "TLS 握手完成：从这里开始，一切都用 %s 加密。"},
	"tlsverified": {"The TLS handshake is done and the server's certificate was checked against its name: from here on everything is encrypted (%s).", "TLS 握手完成，服务器证书已按它的名字核验：从这里开始一切都是加密的（%s）。"},
	"tlsinsecure": {"The TLS handshake is done but the certificate was NOT checked, so the server could be an impostor (%s).", "TLS 握手完成，但证书没有核验，对方可能是冒充者（%s）。"},
	"connecting":  {"postie opens a TCP connection to the server.", "postie 向服务器建立 TCP 连接。"},
	"connected":   {"The TCP connection is open; the server speaks first (RFC 5321 §3.1).", "TCP 连接已建立；由服务器先开口（RFC 5321 §3.1）。"},
	"from":        {"A client connected; the server speaks first with a 220 greeting (RFC 5321 §3.1).", "有客户端连上来了；服务器先用 220 问候开口（RFC 5321 §3.1）。"},
	"stored":      {"The server wrote the message to its Maildir; the 250 that follows tells the client.", "服务器把邮件写进了它的 Maildir；接下来的 250 告诉客户端这件事。"},
	"closed":      {"The connection is closed.", "连接已关闭。"},
	"cut":         {"The server cut the client off to protect itself (too slow, too long, or too many failed logins).", "服务器为保护自己切断了客户端（太慢、太久或登录失败太多次）。"},
	"other":       {"A note from postie, not part of the SMTP dialogue.", "postie 的备注，不属于 SMTP 对话。"},
}
