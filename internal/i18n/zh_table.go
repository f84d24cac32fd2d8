// Code generated from zh.json by MakeTable (go generate ./internal/i18n); DO NOT EDIT.

package i18n

const zhTable = "" +
	"\n\nAvailable Commands:\x00\n\n可用命令：\x00" +
	"\n\nExamples:\n\x00\n\n示例：\n\x00" +
	"\n\nFlags:\n\x00\n\n选项：\n\x00" +
	"\n\nGlobal Flags:\n\x00\n\n全局选项：\n\x00" +
	"\n\nUse \"%s [command] --help\" for more information about a command.\x00\n\n运行 \"%s [command] --help\" 查看某个命令的详细说明。\x00" +
	"\n--- the message as the server stored it: %s (%d bytes)\n\x00\n--- 服务器存下的邮件：%s（%d 字节）\n\x00" +
	"\nmx:           %s (requires: %s)\n\x00\nMX：          %s（要求：%s）\n\x00" +
	"\npostie demo: the web inbox is at %s (each message, and the SMTP session that delivered it, explained)\n\x00\npostie demo：网页收件箱在 %s（每封邮件，以及投递它的 SMTP 会话，都有讲解）\n\x00" +
	"   [decoded: %s]\x00   [解码后：%s]\x00" +
	"  connect:    FAILED: %s\n\x00  连接：      失败：%s\n\x00" +
	"  dane:       %s\n\x00  DANE：      %s\n\x00" +
	"  dane:       matches %s\n\x00  DANE：      匹配 %s\n\x00" +
	"  greeting:   %s\n\x00  问候：      %s\n\x00" +
	"  names:      %s (valid until %s)\n\x00  名字：      %s（有效期至 %s）\n\x00" +
	"  note:       %s\n\x00  备注：      %s\n\x00" +
	"  pkix:       not valid for %s: %s\n\x00  PKIX：      对 %s 无效：%s\n\x00" +
	"  pkix:       valid for %s\n\x00  PKIX：      对 %s 有效\n\x00" +
	"  sent %d  failed %d  waiting %d  %.1f/s  ETA %s\x00  已发送 %d  失败 %d  等待 %d  %.1f 封/秒  预计剩余 %s\x00" +
	"  tls:        %s\n\x00  TLS：       %s\n\x00" +
	"  tls:        no STARTTLS\n\x00  TLS：       不支持 STARTTLS\n\x00" +
	"  tlsa:       %s\n\x00  TLSA：      %s\n\x00" +
	"  tlsa:       %s (unusable)\n\x00  TLSA：      %s（不可用）\n\x00" +
	"  tlsa:       none\n\x00  TLSA：      无\n\x00" +
	"  verdict:    postie would deliver here\n\x00  结论：      postie 会投递到这里\n\x00" +
	"  verdict:    postie would not deliver here: %s\n\x00  结论：      postie 不会投递到这里：%s\n\x00" +
	"  verdict:    skipped: %s\n\x00  结论：      跳过：%s\n\x00" +
	" (default %s)\x00（默认值：%s）\x00" +
	"%d attempt(s)\x00尝试 %d 次\x00" +
	"%d connections at once (%s)\x00同时最多 %d 个连接（%s）\x00" +
	"%d damaged entries set aside, never sent: %s\x00%d 个损坏的条目已被隔离，不会发送：%s\x00" +
	"%d entries due now; 'postie queue run' sends them\x00%d 个条目现已到期；'postie queue run' 会发送它们\x00" +
	"%d invalid rows were skipped\x00跳过了 %d 个无效行\x00" +
	"%d messages stored\x00最多存 %d 封邮件\x00" +
	"%d octets (sha256 %s)\x00%d 字节（sha256 %s）\x00" +
	"%d per address\x00每个地址 %d 个\x00" +
	"%d recipient(s) failed for good in this run: %s\x00本次运行中有 %d 个收件人永久失败：%s\x00" +
	"%d remote images were left out: this page never loads anything from the sender.\x00%d 张远程图片未加载：本页面从不向发件人请求任何东西。\x00" +
	"%d rows may or may not have been delivered (the connection ended after their end was sent)\x00%d 行可能已投递，也可能没有（连接在邮件结尾发出之后断开）\x00" +
	"%d rows not sent yet (the server deferred them, or could not be reached)\x00%d 行尚未发送（服务器要求稍后再试，或无法连接）\x00" +
	"%d rows refused for good by the server\x00%d 行被服务器永久拒绝\x00" +
	"%d times, as the server asked (fewer connections, a pause)\x00%d 次，按服务器的要求（减少连接、暂停）\x00" +
	"%q is not a server URL\x00%q 不是服务器 URL\x00" +
	"%q is not an outbox entry ID (20 letters and digits, as 'postie queue list' shows them)\x00%q 不是发件箱条目 ID（20 个字母和数字，见 'postie queue list' 的输出）\x00" +
	"%q: a server URL has no path or query\x00%q：服务器 URL 不能带路径或查询参数\x00" +
	"%q: want a nats:// or tls:// URL\x00%q：需要 nats:// 或 tls:// URL\x00" +
	"%q: want one of %s\x00%q：应为以下之一：%s\x00" +
	"%s %s: %d bytes, over the %d MiB postie takes for a body\x00%s %s：%d 字节，超过了 postie 对正文的 %d MiB 上限\x00" +
	"%s %s: %s\x00%s %s：%s\x00" +
	"%s %s: over the %d MiB postie takes for a body\x00%s %s：超过了 postie 对正文的 %d MiB 上限\x00" +
	"%s (after the message was sent: it may have been delivered)\x00%s（发生在邮件发出之后：邮件可能已经投递）\x00" +
	"%s (before the message was complete: it was not delivered)\x00%s（发生在邮件发完之前：邮件没有投递）\x00" +
	"%s Enhanced code %s: %s, %s, %s (RFC 3463).\x00%s增强状态码 %s：%s，%s，%s（RFC 3463）。\x00" +
	"%s It is about syntax.\x00%s与语法有关。\x00" +
	"%s It is about the connection.\x00%s与连接有关。\x00" +
	"%s It is about the mail system.\x00%s与邮件系统有关。\x00" +
	"%s It is information.\x00%s是说明信息。\x00" +
	"%s belongs to another user (uid %d); use a file of your own\x00%s 属于另一个用户（uid %d）；请使用你自己的文件\x00" +
	"%s given but no user name to log in with: add --user\x00给了 %s，但没有用来登录的用户名：请加上 --user\x00" +
	"%s is being sent by another runner (%s)\x00%s 正由另一个投递进程发送（%s）\x00" +
	"%s is being sent right now by %s: that attempt may still deliver it\x00%s 正由 %s 发送：那次尝试仍可能把它送达\x00" +
	"%s is mode %04o: others can read it; make it 0600 (chmod 600 %s)\x00%s 的权限是 %04o，别人也能读取；请改为 0600（chmod 600 %s）\x00" +
	"%s is not due until %s; 'postie queue retry %s' makes it due now\x00%s 要到 %s 才到期；'postie queue retry %s' 可让它立即到期\x00" +
	"%s may have been delivered already (the connection broke after the message was sent): not retried; 'postie queue retry %s' sends it again\x00%s 可能已经送达（邮件发出后连接断开）：未重试；'postie queue retry %s' 会再次发送\x00" +
	"%s may have been delivered already: it is sent again, and a recipient may get it twice\x00%s 可能已经送达：现在再次发送，收件人可能会收到两封\x00" +
	"%s octets of binary data in base64: the server's challenge for this login mechanism.\x00%s 个字节的 base64 二进制数据：服务器针对这种登录方式的质询。\x00" +
	"%s pushed back (%s): at most %d connection(s), pausing %s\x00%s 要求放慢（%s）：最多 %d 个连接，暂停 %s\x00" +
	"%s takes %d argument(s), got %d\x00%s 需要 %d 个参数，实际给了 %d 个\x00" +
	"%s takes at most %d argument(s), got %d\x00%s 最多接受 %d 个参数，实际给了 %d 个\x00" +
	"%s, %d sent in this run (%.1f/s), %d connections\x00%s，本次发送 %d 封（%.1f 封/秒），%d 个连接\x00" +
	"%s: %s\x00%s：%s\x00" +
	"%s: %w\x00%s：%w\x00" +
	"%s: every recipient has it; nothing to retry\x00%s：所有收件人都已收到；无需重试\x00" +
	"%s: failed for good; do not repeat it unchanged (5yz, permanent negative).\x00%s：永久失败，不要原样重试（5yz，永久否定）。\x00" +
	"%s: failed for now; trying again later may work (4yz, transient negative).\x00%s：暂时失败，稍后重试可能成功（4yz，暂时否定）。\x00" +
	"%s: go on, the server waits for more (3yz, positive intermediate).\x00%s：请继续，服务器在等待更多内容（3yz，肯定中间状态）。\x00" +
	"%s: in flight %d, delivered %d (%.1f/min), deferred %d, unknown %d, failed %d (%.1f/min), seen %s ago\x00%s：发送中 %d，已送达 %d（%.1f/分钟），推迟 %d，未知 %d，失败 %d（%.1f/分钟），%s 前上报\x00" +
	"%s: nothing left to send (%s)\x00%s：没有需要发送的内容（%s）\x00" +
	"%s: protocol error: %s\x00%s：协议错误：%s\x00" +
	"%s: reading standard input: %w\x00%s：读取标准输入出错：%w\x00" +
	"%s: success (2yz, positive completion).\x00%s：成功（2yz，肯定完成）。\x00" +
	"%s: the body on standard input is over %d MiB, the most postie takes for a body\x00%s：标准输入上的正文超过了 %d MiB，这是 postie 对正文的上限\x00" +
	"%s: the server replied %s\x00%s：服务器回复 %s\x00" +
	"'postie queue list' shows the entries\x00'postie queue list' 列出所有条目\x00" +
	"'postie queue list' shows the entries (--failed: the failed ones)\x00'postie queue list' 列出所有条目（--failed：只列失败的）\x00" +
	"'postie queue show ID' has the server's reply; after fixing the cause, 'postie queue retry ID' tries again\x00'postie queue show ID' 可查看服务器的回复；排除原因后，'postie queue retry ID' 会再次尝试\x00" +
	"(Ctrl-C stops the server and removes %s)\n\x00（按 Ctrl-C 停止服务器并删除 %s）\n\x00" +
	", \x00，\x00" +
	"--%s %d: want 0 (no cap) or more\x00--%s %d：应为 0（不设上限）或更大的数\x00" +
	"--%s %s: want 0 (none) or more\x00--%s %s：应为 0（不限）或更大的值\x00" +
	"--%s: %w\x00--%s：%w\x00" +
	"--- MIME structure (decoded sizes)\n\x00--- MIME 结构（解码后的大小）\n\x00" +
	"--allow-insecure-auth: the password may go over the network in clear text; anyone on the path can read it\x00--allow-insecure-auth：密码可能以明文在网络上传送，路径上的任何人都能读到\x00" +
	"--auth %q: want %s\x00--auth %q：应为 %s 之一\x00" +
	"--cacert %s: no PEM certificate in it\x00--cacert %s：文件里没有 PEM 证书\x00" +
	"--cacert: %w\x00--cacert：%w\x00" +
	"--campaign: %w\x00--campaign：%w\x00" +
	"--client-cert and --client-key go together\x00--client-cert 和 --client-key 必须一起给出\x00" +
	"--concurrency %d: want 1 or more\x00--concurrency %d：至少为 1\x00" +
	"--data-charset %q: want auto, utf-8 or gbk\x00--data-charset %q：应为 auto、utf-8 或 gbk\x00" +
	"--direct and --server exclude each other\x00--direct 和 --server 不能同时使用\x00" +
	"--direct delivers to mail exchangers, which take no login; drop --user and the password\x00--direct 直接投递到收件方的邮件交换服务器（MX），它们不接受登录；请去掉 --user 和密码\x00" +
	"--direct uses STARTTLS as --tls-policy says; --tls starttls is --tls-policy verify\x00--direct 按 --tls-policy 的规定使用 STARTTLS；--tls starttls 相当于 --tls-policy verify\x00" +
	"--dkim-selector and --dkim-domain need --dkim-key\x00--dkim-selector 和 --dkim-domain 需要配合 --dkim-key 使用\x00" +
	"--dns-server %q: want HOST:PORT\x00--dns-server %q：应为 主机:端口\x00" +
	"--dry-run and --check: give one\x00--dry-run 和 --check 只能给一个\x00" +
	"--dsn-notify %q: want NEVER, or any of SUCCESS,FAILURE,DELAY\x00--dsn-notify %q：应为 NEVER，或 SUCCESS、FAILURE、DELAY 中的任意几个（用逗号分隔）\x00" +
	"--dsn-ret %q: want full or hdrs\x00--dsn-ret %q：应为 full 或 hdrs\x00" +
	"--from is required when not run on a terminal\x00不在终端上运行时必须给出 --from\x00" +
	"--from: %w\x00--from：%w\x00" +
	"--header %q: want 'Name: value'\x00--header %q：应为 '名称: 值' 的形式\x00" +
	"--html and --html-file both given; choose one\x00同时给了 --html 和 --html-file；请只用其中一个\x00" +
	"--insecure-skip-verify: the server's certificate is NOT verified; anyone on the path can read and change this mail\x00--insecure-skip-verify：不验证服务器证书；路径上的任何人都能读取和篡改这封邮件\x00" +
	"--insecure-skip-verify: the server's certificate is NOT verified; anyone on the path can read and change this mail and steal the password\x00--insecure-skip-verify：不验证服务器证书；路径上的任何人都能读取和篡改这封邮件，并窃取密码\x00" +
	"--listen %q: want HOST:PORT\x00--listen %q：应为 主机:端口\x00" +
	"--listen-tls needs a certificate (--self-signed or --tls-cert/--tls-key)\x00--listen-tls 需要证书（--self-signed 或 --tls-cert/--tls-key）\x00" +
	"--max-age %s: want a positive duration\x00--max-age %s：需要一个正的时长\x00" +
	"--max-conns %d: want a number above 0\x00--max-conns %d：需要大于 0 的数\x00" +
	"--max-size: %w\x00--max-size：%w\x00" +
	"--max-stored: %v\x00--max-stored：%v\x00" +
	"--metrics %s: %w\x00--metrics %s：%w\x00" +
	"--out: %w\x00--out：%w\x00" +
	"--poll %s: want a positive duration\x00--poll %s：需要一个正的时长\x00" +
	"--provider %q: want one of %s\x00--provider %q：应为以下之一：%s\x00" +
	"--queue-dir names a local outbox and %s a NATS one: give one of them\x00--queue-dir 指定了本地发件箱，而 %s 指定了 NATS 发件箱：请只给其中一个\x00" +
	"--rate %q: want N/s, N/min or N/h, N a whole number above 0\x00--rate %q：应为 N/s、N/min 或 N/h，N 为大于 0 的整数\x00" +
	"--rate: %w\x00--rate：%w\x00" +
	"--report %s: %w\x00--report %s：%w\x00" +
	"--report FILE lists every row with the server's reply\x00--report FILE 会列出每一行及服务器的回复\x00" +
	"--report: %w\x00--report：%w\x00" +
	"--retry-schedule: %w\x00--retry-schedule：%w\x00" +
	"--self-signed and --tls-cert both given; choose one\x00同时给了 --self-signed 和 --tls-cert；请只用其中一个\x00" +
	"--text and --text-file both given; choose one\x00同时给了 --text 和 --text-file；请只用其中一个\x00" +
	"--text-file - and --html-file - both read standard input; give one of them a file\x00--text-file - 和 --html-file - 都要读标准输入；请给其中一个指定文件\x00" +
	"--tls %q: want auto, implicit, starttls or none\x00--tls %q：应为 auto、implicit、starttls 或 none\x00" +
	"--tls starttls means --tls-policy verify; give one of them\x00--tls starttls 就是 --tls-policy verify；请只给其中一个\x00" +
	"--tls-cert and --tls-key go together\x00--tls-cert 和 --tls-key 必须一起给出\x00" +
	"--tls-policy: %v\x00--tls-policy：%v\x00" +
	"--user needs --password-file\x00--user 需要配合 --password-file 使用\x00" +
	"--user needs TLS (--self-signed or --tls-cert/--tls-key): AUTH is only offered after TLS\x00--user 需要 TLS（--self-signed 或 --tls-cert/--tls-key）：只有在 TLS 之后才提供 AUTH\x00" +
	"--web %q: want HOST:PORT, e.g. 127.0.0.1:8025\x00--web %q：应为 主机:端口，例如 127.0.0.1:8025\x00" +
	"-N %q: want NEVER, or any of SUCCESS,FAILURE,DELAY\x00-N %q：应为 NEVER，或 SUCCESS、FAILURE、DELAY 中的任意几个（用逗号分隔）\x00" +
	"-R %q: want full or hdrs\x00-R %q：应为 full 或 hdrs\x00" +
	"-f: %w\x00-f：%w\x00" +
	"... (--report FILE lists every row)\x00……（--report FILE 会列出每一行）\x00" +
	"211: system status or a help reply.\x00211：系统状态或帮助回复。\x00" +
	"214: help text for a person to read.\x00214：给人看的帮助信息。\x00" +
	"220: go ahead with TLS; the next bytes on the wire are the TLS handshake, and everything before is forgotten (RFC 3207 §4.2).\x00220：可以开始 TLS 了；接下来线路上是 TLS 握手，之前的一切都作废（RFC 3207 §4.2）。\x00" +
	"220: the server is ready and greets the client; its name comes first (RFC 5321 §4.2).\x00220：服务器已就绪并向客户端问好，最先出现的是它的名字（RFC 5321 §4.2）。\x00" +
	"221: the server says goodbye and closes the connection.\x00221：服务器说再见并关闭连接。\x00" +
	"235: the login succeeded; the client may now send mail as this user (RFC 4954).\x00235：登录成功；客户端现在可以以这个用户的身份发信了（RFC 4954）。\x00" +
	"250: done, the requested action completed.\x00250：完成，请求的操作已完成。\x00" +
	"250: the connection is alive.\x00250：连接还活着。\x00" +
	"250: the message in progress is forgotten; the connection stays open.\x00250：正在发送的邮件已被丢弃；连接仍然保持。\x00" +
	"250: the server accepts this recipient.\x00250：服务器接受这个收件人。\x00" +
	"250: the server accepts this sender; the client can name recipients now.\x00250：服务器接受这个发件人；客户端现在可以给出收件人了。\x00" +
	"250: the server has taken the message and is now responsible for it; the text often carries its queue ID (RFC 5321 §4.1.1.4).\x00250：服务器已收下这封邮件并对它负责；回复文字里常带有它的队列编号（RFC 5321 §4.1.1.4）。\x00" +
	"250: the server has taken the whole message and is now responsible for it (RFC 3030).\x00250：服务器已收下整封邮件并对它负责（RFC 3030）。\x00" +
	"250: the server received this chunk and waits for the next one (RFC 3030).\x00250：服务器收到了这一块，等待下一块（RFC 3030）。\x00" +
	"251: the recipient is not local, but the server will forward the message; this is a success (RFC 5321 §3.4).\x00251：收件人不在本地，但服务器会转发这封邮件；这算成功（RFC 5321 §3.4）。\x00" +
	"252: the server cannot verify the mailbox but will accept the message and try (RFC 5321 §3.5.3).\x00252：服务器无法核实这个邮箱，但会接收邮件并尝试投递（RFC 5321 §3.5.3）。\x00" +
	"334 with nothing after it: the server is ready for the client's credentials (AUTH PLAIN without an initial response, RFC 4616).\x00334 后面什么也没有：服务器已准备好接收客户端的凭据（不带初始响应的 AUTH PLAIN，RFC 4616）。\x00" +
	"334: the server asks for the next step of the login; its text is base64 (RFC 4954 §4).\x00334：服务器请求登录的下一步；它的文字是 base64 编码（RFC 4954 §4）。\x00" +
	"354: go ahead, send the message; end it with a line holding only a dot (RFC 5321 §4.1.1.4).\x00354：请发送邮件内容，以只有一个点的一行结束（RFC 5321 §4.1.1.4）。\x00" +
	"421: the server is closing the connection (busy, shutting down, or the client was too slow); try again later.\x00421：服务器正在关闭连接（太忙、正在关机或客户端太慢）；请稍后再试。\x00" +
	"450: the mailbox is unavailable for now (busy or greylisted); try again later.\x00450：邮箱暂时不可用（忙或被灰名单暂缓）；请稍后再试。\x00" +
	"451: the server had a local error and did not take the message; try again later.\x00451：服务器本地出错，没有收下邮件；请稍后再试。\x00" +
	"452: the server is out of storage, or there are too many recipients; try again later.\x00452：服务器存储空间不足，或收件人太多；请稍后再试。\x00" +
	"454: a temporary failure of TLS or of the login; try again later (RFC 3207, RFC 4954).\x00454：TLS 或登录暂时失败；请稍后再试（RFC 3207、RFC 4954）。\x00" +
	"455: the server cannot accept these parameters now.\x00455：服务器现在不能接受这些参数。\x00" +
	"500: syntax error, the command was not recognised.\x00500：语法错误，命令无法识别。\x00" +
	"501: syntax error in the command's arguments.\x00501：命令参数有语法错误。\x00" +
	"502: the server does not implement this command (or not now).\x00502：服务器没有实现这条命令（或此时不可用）。\x00" +
	"503: bad sequence of commands, e.g. RCPT before MAIL, or AUTH twice.\x00503：命令顺序不对，例如 RCPT 在 MAIL 之前，或重复 AUTH。\x00" +
	"504: the server does not support this parameter or login mechanism.\x00504：服务器不支持这个参数或登录方式。\x00" +
	"521: this host does not accept mail at all (RFC 7504).\x00521：这台主机根本不收邮件（RFC 7504）。\x00" +
	"523: encryption is needed first: use STARTTLS before this command (RFC 5248).\x00523：需要先加密：在这条命令前先用 STARTTLS（RFC 5248）。\x00" +
	"530: the server wants the client to log in (or use TLS) first (RFC 4954).\x00530：服务器要求客户端先登录（或先用 TLS）（RFC 4954）。\x00" +
	"534: the login mechanism is too weak for this server (RFC 4954).\x00534：这种登录方式对该服务器来说太弱（RFC 4954）。\x00" +
	"535: the login failed: wrong user name or password (for 163/QQ, use the authorization code) (RFC 4954).\x00535：登录失败：用户名或密码错误（163/QQ 要用授权码）（RFC 4954）。\x00" +
	"538: this login mechanism needs encryption first (RFC 4954).\x00538：这种登录方式需要先加密（RFC 4954）。\x00" +
	"550: refused for good, usually because the mailbox does not exist or policy forbids it.\x00550：永久拒绝，通常因为邮箱不存在或策略不允许。\x00" +
	"551: the user is not local; the server names where to send instead.\x00551：用户不在本地；服务器会告诉你应该发往哪里。\x00" +
	"552: the message is too big, or storage is exceeded, for good.\x00552：邮件太大，或存储空间已超出，永久拒绝。\x00" +
	"553: the mailbox name is not allowed (bad syntax or not permitted).\x00553：邮箱名不被允许（语法错误或不许使用）。\x00" +
	"554: the transaction failed for good (often: refused as spam or by policy).\x00554：事务永久失败（常见原因：被当作垃圾邮件或被策略拒绝）。\x00" +
	"555: MAIL or RCPT parameters not recognised or not implemented.\x00555：MAIL 或 RCPT 的参数无法识别或未实现。\x00" +
	"8BITMIME: the server accepts 8-bit text such as raw UTF-8 in the body (RFC 6152).\x008BITMIME：服务器接受 8 位文本，例如正文中直接写的 UTF-8（RFC 6152）。\x00" +
	"; \x00；\x00" +
	"<%s> (%s)\x00<%s>（%s）\x00" +
	"A client connected; the server speaks first with a 220 greeting (RFC 5321 §3.1).\x00有客户端连上来了；服务器先用 220 问候开口（RFC 5321 §3.1）。\x00" +
	"A command this catalogue does not know; the server will answer 500 or 502 if it does not know it either.\x00本目录不认识的命令；如果服务器也不认识，它会回答 500 或 502。\x00" +
	"A line with a single dot ends the message (RFC 5321 §4.1.1.4); a dot at the start of a message line is doubled so it cannot end it early.\x00只有一个点的一行表示邮件结束（RFC 5321 §4.1.1.4）；正文中以点开头的行会多加一个点，以免提前结束。\x00" +
	"A note from postie, not part of the SMTP dialogue.\x00postie 的备注，不属于 SMTP 对话。\x00" +
	"AUTH %s: %s: the server replied %s\x00AUTH %s：%s：服务器回复 %s\x00" +
	"AUTH mechanism: auto|plain|login|cram-md5|xoauth2|oauthbearer\x00认证方式：auto|plain|login|cram-md5|xoauth2|oauthbearer\x00" +
	"AUTH names the authenticated sender (RFC 4954 §5)\x00AUTH 给出已认证的发件人（RFC 4954 §5）\x00" +
	"AUTH: the server accepts logins with these mechanisms: %s (RFC 4954).\x00AUTH：服务器接受用这些方式登录：%s（RFC 4954）。\x00" +
	"Add an account: provider detected from the address, secret asked with hidden input, login tested, saved 0600\x00添加账户：根据地址识别服务商，隐藏输入密码，测试登录，以 0600 权限保存\x00" +
	"Aliyun Mail: switch on POP3/SMTP in the web settings first (mail.aliyun.com → 设置 (Settings) → 账户 (Account) → POP3/SMTP 和 IMAP/SMTP 服务); if the account uses a third-party client password (三方客户端安全密码), log in with that\x00阿里邮箱：先在网页设置里开启 POP3/SMTP（mail.aliyun.com → 设置 → 账户 → POP3/SMTP 和 IMAP/SMTP 服务）；如果账户启用了三方客户端安全密码，就用它登录\x00" +
	"All messages\x00所有邮件\x00" +
	"An extension this catalogue does not know; a client ignores extensions it does not use.\x00本目录不认识的扩展；客户端会忽略它不使用的扩展。\x00" +
	"Attachments\x00附件\x00" +
	"BINARYMIME: the message may contain binary data, sent with BDAT (RFC 3030).\x00BINARYMIME：邮件可以包含二进制数据，用 BDAT 发送（RFC 3030）。\x00" +
	"BODY says the message has 8-bit text (8BITMIME, RFC 6152) or binary content (BINARYMIME, RFC 3030)\x00BODY 说明邮件含 8 位文本（8BITMIME，RFC 6152）或二进制内容（BINARYMIME，RFC 3030）\x00" +
	"Behave like sendmail: read a whole message on stdin and send it\x00像 sendmail 一样工作：从标准输入读入整封邮件并发送\x00" +
	"CA certificate file that verifies the NATS servers (default $POSTIE_NATS_CA, else the config key nats_ca)\x00用于验证 NATS 服务器证书的 CA 文件（默认 $POSTIE_NATS_CA，其次配置键 nats_ca）\x00" +
	"CA file to trust for this server\x00为这个服务器额外信任的 CA 文件\x00" +
	"CHUNKING: the client may send the message in BDAT chunks of known size instead of DATA (RFC 3030).\x00CHUNKING：客户端可以用已知大小的 BDAT 块代替 DATA 发送邮件（RFC 3030）。\x00" +
	"Cc\x00抄送\x00" +
	"Compose a message and send it\x00撰写一封邮件并发送\x00" +
	"Connect to a server and show what it offers; optionally test the login. Sends no mail\x00连接服务器并显示它提供的功能；也可以测试登录。不发送邮件\x00" +
	"Created\x00创建时间\x00" +
	"DANE-EE (the server's own key), TLSA %s\x00DANE-EE（服务器自己的密钥），TLSA %s\x00" +
	"DANE-TA (trust anchor at depth %d), TLSA %s\x00DANE-TA（位于第 %d 层的信任锚），TLSA %s\x00" +
	"DELIVERBY: the client may set a deadline for delivery (RFC 2852).\x00DELIVERBY：客户端可以设定投递期限（RFC 2852）。\x00" +
	"DKIM signing keys: make one and print the DNS record to publish\x00DKIM 签名密钥：生成密钥并打印要发布的 DNS 记录\x00" +
	"DSN: the client may ask for delivery status notifications (RFC 3461).\x00DSN：客户端可以请求投递状态通知（RFC 3461）。\x00" +
	"Date\x00日期\x00" +
	"Delete\x00删除\x00" +
	"Delete all\x00全部删除\x00" +
	"Delete entries from the outbox (their recipients get nothing more)\x00从发件箱删除条目（其收件人不会再收到任何邮件）\x00" +
	"Delete every message?\x00删除所有邮件？\x00" +
	"Download\x00下载\x00" +
	"Download .eml\x00下载 .eml\x00" +
	"ENHANCEDSTATUSCODES: replies carry a detailed code such as 5.1.1 after the three digits (RFC 2034, RFC 3463).\x00ENHANCEDSTATUSCODES：回复在三位数字后附带更细的状态码，例如 5.1.1（RFC 2034、RFC 3463）。\x00" +
	"ENVID is an identifier for delivery status notifications (DSN, RFC 3461)\x00ENVID 是投递状态通知用的标识（DSN，RFC 3461）\x00" +
	"ETRN: a client may ask the server to send queued mail for a domain (RFC 1985).\x00ETRN：客户端可以请求服务器发送某个域排队中的邮件（RFC 1985）。\x00" +
	"Entry\x00条目\x00" +
	"Every command and reply of the SMTP session that delivered this message; click a line for what it means. Passwords are never recorded.\x00投递这封邮件的 SMTP 会话中的每条命令和回复；点击一行看它的含义。密码从不记录。\x00" +
	"Fastmail needs an app password (Settings > Privacy & Security > App passwords)\x00Fastmail 需要应用专用密码（Settings > Privacy & Security > App passwords）\x00" +
	"From\x00发件人\x00" +
	"GMX: enable POP3/IMAP/SMTP access in the web settings first\x00GMX：先在网页设置里开启 POP3/IMAP/SMTP 访问\x00" +
	"Gmail needs an app password (Google Account > Security > 2-Step Verification > App passwords), or OAuth 2.0 with --auth xoauth2\x00Gmail 需要应用专用密码（Google 账号 > 安全性 > 两步验证 > 应用专用密码），或用 --auth xoauth2 走 OAuth 2.0\x00" +
	"HELP: the server answers the HELP command (RFC 5321 §4.1.1.8).\x00HELP：服务器支持 HELP 命令（RFC 5321 §4.1.1.8）。\x00" +
	"HTML\x00HTML\x00" +
	"HTML body\x00HTML 正文\x00" +
	"Header:\x00信头：\x00" +
	"Headers\x00信头\x00" +
	"Help about any command\x00显示任意命令的帮助\x00" +
	"Help shows the help of any command: postie help [command...].\x00显示任意命令的帮助：postie help [命令...]。\x00" +
	"LIMITS: the server announces its limits, such as how many recipients a message may have (%s, RFC 9422).\x00LIMITS：服务器公布它的限制，例如一封邮件最多几个收件人（%s，RFC 9422）。\x00" +
	"List accounts (secrets masked)\x00列出账户（密码已遮盖）\x00" +
	"List the messages in the outbox that are not yet delivered to everyone\x00列出发件箱中尚未投递给全部收件人的邮件\x00" +
	"List, add, test and remove accounts in the config file\x00列出、添加、测试和删除配置文件里的账户\x00" +
	"Log in with an account and report; sends no mail\x00用某个账户登录并报告结果；不发送邮件\x00" +
	"MIME tree\x00MIME 结构\x00" +
	"MT-PRIORITY: the client may give the message a priority (RFC 6710).\x00MT-PRIORITY：客户端可以给邮件设定优先级（RFC 6710）。\x00" +
	"Mail merge: one personalised message per row of a CSV or JSON-lines file\x00邮件合并：按 CSV 或 JSON lines 文件的每一行发送一封个性化邮件\x00" +
	"Maildir to store messages in\x00存放邮件的 Maildir\x00" +
	"Make a DKIM key (written 0600 to FILE) and print the TXT record to publish in DNS\x00生成 DKIM 密钥（以 0600 权限写入 FILE），并打印要在 DNS 里发布的 TXT 记录\x00" +
	"Make entries due now: failed recipients are tried again, the maximum age starts again\x00让条目立即到期：失败的收件人会再次尝试，最长保留时间重新计算\x00" +
	"Message-ID\x00Message-ID\x00" +
	"Messages arrive in %s/new; each is listed here:\n\x00邮件会出现在 %s/new 里；每收到一封都会在这里列出：\n\x00" +
	"Microsoft 365: SMTP AUTH must be enabled for the mailbox by the tenant admin; OAuth 2.0 (--auth xoauth2) is preferred\x00Microsoft 365：需要租户管理员为这个邮箱开启 SMTP AUTH；更推荐用 OAuth 2.0（--auth xoauth2）\x00" +
	"More text of the same %s reply: a hyphen after the code means more lines follow (RFC 5321 §4.2.1).\x00同一个 %s 回复的后续文字：代码后的连字符表示后面还有行（RFC 5321 §4.2.1）。\x00" +
	"NATS credentials file (.creds) for --outbox (default $POSTIE_NATS_CREDS, else the config key nats_creds)\x00--outbox 使用的 NATS 凭据文件（.creds）（默认 $POSTIE_NATS_CREDS，其次配置键 nats_creds）\x00" +
	"NOTIFY says when to send a delivery status notification (DSN, RFC 3461)\x00NOTIFY 指定何时发送投递状态通知（DSN，RFC 3461）\x00" +
	"NetEase (%[1]s) needs the authorization code (授权码) from its web settings, not your login password (to a login password it answers \"535 Error: authentication failed\"): on mail.%[1]s open 设置 (Settings) → POP3/SMTP/IMAP, switch on the SMTP service (开启 SMTP 服务), and use the authorization code it shows as the password\x00网易 %[1]s 邮箱要用网页设置里的授权码，而不是登录密码（用登录密码时它回复“535 Error: authentication failed”）：登录 mail.%[1]s，打开 设置 → POP3/SMTP/IMAP，开启 SMTP 服务，把页面显示的授权码当作密码使用\x00" +
	"NetEase answers \"550 User has no permission\" when the SMTP service is off for the account: on the web mail open 设置 (Settings) → POP3/SMTP/IMAP, switch on the SMTP service (开启 SMTP 服务), and log in with the authorization code (授权码) it shows\x00账户没有开启 SMTP 服务时，网易回复“550 User has no permission”：在网页邮箱里打开 设置 → POP3/SMTP/IMAP，开启 SMTP 服务，并用页面显示的授权码登录\x00" +
	"NetEase deferred the message as spam-like for now (\"451 DT:SPM … please try again\"): try again in a few minutes, with a message that looks less like bulk mail\x00网易认为这封邮件像垃圾邮件，暂时推迟接收（“451 DT:SPM … please try again”）：过几分钟再试，并让邮件看起来不那么像群发邮件\x00" +
	"NetEase judged the message to be spam (\"554 DT:SPM …\": 发送的邮件内容包含了未被许可的信息，或被系统识别为垃圾邮件): change the subject and text (a bare \"test\" or a lone link is typical of spam), do not send many identical messages, and Cc yourself (--cc your own address), which helps with some\x00网易把这封邮件判定为垃圾邮件（“554 DT:SPM …”：发送的邮件内容包含了未被许可的信息，或被系统识别为垃圾邮件）：请修改主题和正文（只写“test”或只有一个链接是典型的垃圾邮件特征），不要重复发送内容相同的邮件；抄送一份给自己（--cc 你自己的地址）有时也有帮助\x00" +
	"NetEase limits how much one account sends (\"%d %s\": too many messages, recipients or connections in a short time): wait, then send fewer messages at a time\x00网易限制单个账户的发送量（“%d %s”：短时间内邮件、收件人或连接太多）：请等一会儿，然后每次少发一些\x00" +
	"NetEase refuses logins for a while after too many failed ones (\"451 Requested mail action not taken: too much fail authentication\"): wait some minutes, then log in with the authorization code (授权码)\x00登录失败次数太多后，网易会暂时拒绝登录（“451 Requested mail action not taken: too much fail authentication”）：请等几分钟，再用授权码登录\x00" +
	"NetEase takes mail only from the address you log in as (\"553 Mail from must equal authorized user\"): make --from (or the message's From) the same address as the login\x00网易只接受以登录账户本身的地址作为发件人（“553 Mail from must equal authorized user”）：请让 --from（或邮件的 From）与登录用的地址相同\x00" +
	"Newer\x00更新\x00" +
	"No messages yet. Send one to this server and it appears here at once.\x00还没有邮件。向这台服务器发一封，它会立即出现在这里。\x00" +
	"No session transcript for this message.\x00这封邮件没有会话记录。\x00" +
	"OAuth 2.0 token\x00OAuth 2.0 令牌\x00" +
	"ORCPT carries the original recipient address (DSN, RFC 3461)\x00ORCPT 携带原始收件人地址（DSN，RFC 3461）\x00" +
	"Older\x00更早\x00" +
	"Only the beginning is shown.\x00只显示了开头部分。\x00" +
	"Outlook.com has turned off password logins for most accounts: use OAuth 2.0 (--auth xoauth2 --oauth2-token-cmd ...)\x00Outlook.com 已对大多数账户关闭密码登录：请使用 OAuth 2.0（--auth xoauth2 --oauth2-token-cmd ...）\x00" +
	"PIPELINING: the client may send several commands without waiting for each reply (RFC 2920).\x00PIPELINING：客户端可以连发多条命令，不必逐条等待回复（RFC 2920）。\x00" +
	"POSSIBLY DELIVERED: an attempt lost its connection after the end of the message was sent, so that server may have it; every retry sends the same bytes with the same Message-ID, so a second copy can be recognised\x00可能已送达：某次尝试在邮件结尾发出之后断开了连接，那台服务器可能已经收到；每次重试都发送相同的字节和相同的 Message-ID，因此第二份副本可以被识别\x00" +
	"Page %d of %d\x00第 %d 页，共 %d 页\x00" +
	"Print a shell completion script\x00打印 shell 补全脚本\x00" +
	"Print a shell completion script. For bash (it needs the bash-completion\npackage, e.g. Debian's bash-completion):\n\n  postie completion bash > ~/.local/share/bash-completion/completions/postie\n\nzsh:  postie completion zsh > \"${fpath[1]}/_postie\"\nfish: postie completion fish > ~/.config/fish/completions/postie.fish\n\nCompleted: subcommands, flags, the values of --tls and --auth, and account\nnames (--account, account test/remove).\x00打印 shell 补全脚本。bash（需要 bash-completion 软件包，例如 Debian 的\nbash-completion）：\n\n  postie completion bash > ~/.local/share/bash-completion/completions/postie\n\nzsh：  postie completion zsh > \"${fpath[1]}/_postie\"\nfish： postie completion fish > ~/.config/fish/completions/postie.fish\n\n可以补全：子命令、选项、--tls 和 --auth 的取值，以及账户名\n（--account、account test/remove）。\x00" +
	"QQ Mail needs the authorization code (授权码) from its web settings, not your QQ password (it answers \"535 Login Fail. Please enter your authorization code to login\", or \"535 Error: 请使用授权码登录\"): on mail.qq.com open 设置 (Settings) → 账号 (Account) → POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务, switch on the SMTP service, generate an authorization code (生成授权码) and use it as the password. \"Account is abnormal, service is not open, password is incorrect, login frequency limited\" means the same, or too many attempts: wait a while\x00QQ 邮箱要用网页设置里的授权码，而不是 QQ 密码（否则它回复“535 Login Fail. Please enter your authorization code to login”或“535 Error: 请使用授权码登录”）：登录 mail.qq.com，打开 设置 → 账号 → POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务，开启 SMTP 服务，生成授权码并把它当作密码使用。回复“Account is abnormal, service is not open, password is incorrect, login frequency limited”意思相同，也可能是尝试次数太多：请等一会儿再试\x00" +
	"QQ Mail refuses a message whose content it takes for spam (\"550 Mail content denied\"): change the subject and text, and do not send many identical messages\x00QQ 邮箱会拒收它认为内容是垃圾邮件的邮件（“550 Mail content denied”）：请修改主题和正文，不要重复发送内容相同的邮件\x00" +
	"QQ Mail takes mail only from the address you log in as (\"501 mail from address must be same as authorization user\"): make --from (or the message's From) the same address as the login\x00QQ 邮箱只接受以登录账户本身的地址作为发件人（“501 mail from address must be same as authorization user”）：请让 --from（或邮件的 From）与登录用的地址相同\x00" +
	"REQUIRETLS: the client may demand that the message only travel over TLS (RFC 8689).\x00REQUIRETLS：客户端可以要求这封邮件只经由 TLS 传送（RFC 8689）。\x00" +
	"RET says how much of the message a bounce should return (DSN, RFC 3461)\x00RET 指定退信时附带多少原邮件内容（DSN，RFC 3461）\x00" +
	"RSA key size\x00RSA 密钥长度\x00" +
	"Recipients:\x00收件人：\x00" +
	"Remove an account from the config file (its secret file, if any, is left)\x00从配置文件删除一个账户（它的密码文件如果有，会保留）\x00" +
	"Remove what a crash left in the outbox (half-written files), and give free space back to the disk\x00清除崩溃后留在发件箱中的残留（写了一半的文件），并把空闲空间还给磁盘\x00" +
	"Reply-To address\x00回复地址（Reply-To）\x00" +
	"Route\x00路由\x00" +
	"Run a local SMTP server that stores every message in a Maildir\x00运行一个本地 SMTP 服务器，把每封邮件存进 Maildir\x00" +
	"Run a small SMTP server (for tests, demos and development) that accepts mail\nand stores each message as a file in a Maildir (new/ via tmp/). It offers\nPIPELINING, SIZE, 8BITMIME, SMTPUTF8, CHUNKING, STARTTLS (with a certificate)\nand AUTH PLAIN/LOGIN after TLS (with --user). It listens on loopback unless told\notherwise, and prints one line per message received.\n\nLimits (each flag overrides its default; 0 turns a cap off):\n                          on loopback   beyond loopback\n  --max-conns                     100               100\n  --max-conns-per-ip          no cap                 10\n  --max-session               no cap                10m\n  --min-rate (octets/s)       no minimum            256 (after 30s' grace)\n  --auth-fail-delay                1s                2s (doubling per recent failure)\n  --max-auth-failures               3                 3 (then the connection is closed)\n  --max-messages              no cap             10000\n  --max-stored                no cap                 1G\nBeyond loopback means any --listen or --listen-tls address that is not loopback.\x00运行一个小型 SMTP 服务器（用于测试、演示和开发）：它接收邮件，把每封邮件作为\n一个文件存进 Maildir（经由 tmp/ 放入 new/）。它提供 PIPELINING、SIZE、8BITMIME、\nSMTPUTF8、CHUNKING、STARTTLS（需要证书），以及 TLS 之后的 AUTH PLAIN/LOGIN\n（需要 --user）。除非另行指定，它只监听本机回环地址；每收到一封邮件打印一行。\n\n限制（每个选项覆盖它的默认值；0 表示不设上限）：\n                          回环地址上    回环地址之外\n  --max-conns                     100               100\n  --max-conns-per-ip           不限                  10\n  --max-session                不限                 10m\n  --min-rate（字节/秒）        不限                 256（30 秒宽限之后）\n  --auth-fail-delay                1s                2s（近期每失败一次加倍）\n  --max-auth-failures               3                 3（之后关闭连接）\n  --max-messages               不限               10000\n  --max-stored                 不限                  1G\n“回环地址之外”指任何不是回环地址的 --listen 或 --listen-tls 地址。\x00" +
	"SIZE declares the message's size in octets, so the server can refuse at once if it is too big (RFC 1870)\x00SIZE 预先声明邮件的字节数，太大时服务器可以立即拒绝（RFC 1870）\x00" +
	"SIZE: the largest message the server accepts is %s octets (RFC 1870).\x00SIZE：服务器接受的最大邮件是 %s 字节（RFC 1870）。\x00" +
	"SIZE: the server will say in advance whether a message is too big (RFC 1870).\x00SIZE：服务器会预先告诉你邮件是否太大（RFC 1870）。\x00" +
	"SMTP session\x00SMTP 会话\x00" +
	"SMTPUTF8 says addresses or headers may be in UTF-8 (RFC 6531)\x00SMTPUTF8 表示地址或信头可以是 UTF-8（RFC 6531）\x00" +
	"SMTPUTF8: addresses and headers may be written in UTF-8, such as 张三@例子.中国 (RFC 6531).\x00SMTPUTF8：地址和信头可以用 UTF-8 书写，例如 张三@例子.中国（RFC 6531）。\x00" +
	"STARTTLS\x00STARTTLS\x00" +
	"STARTTLS if the server offers it, certificate verified; clear text only if it offers none\x00服务器提供 STARTTLS 时就用，并验证证书；只有服务器完全不提供时才用明文\x00" +
	"STARTTLS required, certificate verified\x00必须使用 STARTTLS，验证证书\x00" +
	"STARTTLS: the connection can be upgraded to TLS encryption (RFC 3207).\x00STARTTLS：这条连接可以升级为 TLS 加密（RFC 3207）。\x00" +
	"Search\x00搜索\x00" +
	"Search sender, recipients, subject\x00搜索发件人、收件人、主题\x00" +
	"Send a sample message to a local server and show the whole SMTP dialogue\x00向本地服务器发送一封示例邮件，并显示完整的 SMTP 对话\x00" +
	"Send one message per row of a data file (CSV with a header row, or JSON\nlines), each to its row's address only, rendered from a template: header\nfields, a blank line, the text, with {{.column}} for the row's values.\n\nEvery row is checked before the first connection: a problem names its row\nand column, and nothing is sent (exit 65; 66 when only files to attach are\nmissing) unless --skip-invalid. Rows go through the outbox (--queue-dir) as\none campaign (--campaign, default TEMPLATE+DATA): run the same command again\nafter Ctrl-C, a crash or a server that said \"later\", and it continues; a row\nthe server took is never sent again. A row whose outcome is unknown (the\nconnection broke after its end was sent) is sent again only with\n--resend-unknown. A campaign whose template, data or settings changed is\nrefused: give --campaign a new name to start over.\n\nExit codes: 0 every row sent; 65 rows skipped as invalid (--skip-invalid);\n67 some rows refused for good; 79 some rows' outcome unknown; 75 rows still\nwaiting (deferred by the server, or not yet tried): run the same command\nagain; 130 interrupted (the same command continues).\x00按数据文件（带表头的 CSV，或 JSON lines）的每一行发送一封邮件，只发给该行的地址，\n由模板生成：头字段、一个空行、正文，用 {{.column}} 表示该行的值。\n\n在第一次连接之前检查每一行：问题会指出行号和列名，不发送任何邮件（退出码 65；\n只缺附件文件时为 66），除非加 --skip-invalid。各行作为一个活动经由发件箱\n（--queue-dir）发送（--campaign，默认 模板+数据）：按 Ctrl-C、程序崩溃或服务器\n要求稍后再试之后，再次运行同一条命令即可继续；服务器已接收的行不会再发。结果未知\n的行（邮件结尾发出后连接断开）只有加 --resend-unknown 才会重发。模板、数据或设置\n改变了的活动会被拒绝：用 --campaign 取一个新名字重新开始。\n\n退出码：0 每行都已发送；65 跳过了无效行（--skip-invalid）；67 有行被永久拒绝；\n79 有行结果未知；75 还有行在等待（服务器要求稍后再试，或尚未尝试）：再次运行同一\n条命令；130 已中断（同一条命令可继续）。\x00" +
	"Send what is due in the outbox (the given entries, or all)\x00发送发件箱中已到期的邮件（指定的条目，或全部）\x00" +
	"Send what is due in the outbox, then exit: each recipient whose retry time\nhas come. Several runs (and 'postie send --queue') may work on one outbox at\nonce: each entry is sent by one of them. One line per delivered, deferred or\nfailed message (none with -q). With --watch, postie keeps running and sends\neach message when it falls due (for a systemd unit); SIGINT and SIGTERM stop\nit promptly, and a message being sent at that moment stays queued.\n\nExit codes: 0 nothing failed for good in this run, 69 some recipient failed\nfor good (named on stderr; kept for 'postie queue list --failed'), 74 a\ndamaged entry was set aside, 73/74 the outbox cannot be written, 130\ninterrupted (with --watch: 0).\x00发送发件箱中已到期的邮件后退出：即重试时间已到的每个收件人。多个运行实例（以及\n'postie send --queue'）可以同时处理同一个发件箱：每个条目只由其中一个发送。每封\n已投递、已推迟或已失败的邮件打印一行（-q 时不打印）。使用 --watch 时 postie 持续运行，\n在每封邮件到期时发送（适合 systemd 单元）；SIGINT 和 SIGTERM 会让它立即停止，\n正在发送的那封邮件留在队列中。\n\n退出码：0 本次运行没有永久失败，69 有收件人永久失败（在标准错误中列出；保留供\n'postie queue list --failed' 查看），74 有损坏的条目被隔离，73/74 发件箱无法写入，\n130 被中断（使用 --watch 时为 0）。\x00" +
	"Show one entry: its header, each recipient's state and every attempt with the server's reply\x00查看单个条目：信头、每个收件人的状态，以及每次尝试和服务器的回复\x00" +
	"Show the outbox's numbers: depth, in flight, delivered and failed per minute, each worker\x00显示发件箱的统计：深度、发送中、每分钟送达和失败数、每个工作进程\x00" +
	"Shown sanitised, in a sandbox that runs no script.\x00已净化显示，在不运行脚本的沙箱中。\x00" +
	"Sina Mail needs the authorization code (授权码) from its web settings, not your login password: on mail.sina.com.cn open 设置 (Settings) → 客户端 POP/IMAP/SMTP, switch on the SMTP service (开启 SMTP 服务), and use the authorization code it gives as the password\x00新浪邮箱要用网页设置里的授权码，而不是登录密码：登录 mail.sina.com.cn，打开 设置 → 客户端 POP/IMAP/SMTP，开启 SMTP 服务，把它给出的授权码当作密码使用\x00" +
	"Size\x00大小\x00" +
	"Sohu Mail: enable SMTP in the web settings and use the independent password it gives\x00搜狐邮箱：在网页设置里开启 SMTP，并使用它给出的独立密码\x00" +
	"Source\x00原文\x00" +
	"Starts postie's own SMTP server on a free loopback port with a fresh\nself-signed certificate and a demo user, then sends \"I love computer\nnetworks!\" with a Chinese subject and an image attachment through the same\ncode as 'postie send': STARTTLS, the certificate verified against the demo CA,\nAUTH LOGIN. It prints the dialogue (password redacted), then the message as\nthe server stored it. Nothing beyond loopback is touched.\x00在一个空闲的本机回环端口上启动 postie 自带的 SMTP 服务器（带一张新的自签名证书和\n一个演示用户），然后用与 'postie send' 相同的代码发送 \"I love computer networks!\"，\n带中文主题和一张图片附件：STARTTLS、用演示 CA 验证证书、AUTH LOGIN。它打印整个\n对话（密码已隐藏），再打印服务器存下的邮件。不会访问回环地址之外的任何东西。\x00" +
	"State\x00状态\x00" +
	"Subject\x00主题\x00" +
	"TLS certificate: %w\x00TLS 证书：%w\x00" +
	"TLS handshake: %s\x00TLS 握手：%s\x00" +
	"TLS mode\x00TLS 方式\x00" +
	"TLS mode: auto|implicit|starttls|none (auto: implicit on 465, else STARTTLS, required when logging in)\x00TLS 方式：auto|implicit|starttls|none（auto：465 端口用隐式 TLS，其他端口用 STARTTLS，登录时必须加密）\x00" +
	"Tencent Exmail (企业微信邮箱): the SMTP service must be on for the mailbox (exmail.qq.com → 设置 (Settings) → 客户端设置 (Client settings) → 开启 IMAP/SMTP 服务); with secure login (安全登录) on, use a client-specific password (客户端专用密码) from 设置 → 账户 → 微信绑定/安全登录, not your login password\x00腾讯企业邮箱（企业微信邮箱）：必须为这个邮箱开启 SMTP 服务（exmail.qq.com → 设置 → 客户端设置 → 开启 IMAP/SMTP 服务）；如果开启了安全登录，要使用 设置 → 账户 → 微信绑定/安全登录 里生成的客户端专用密码，而不是登录密码\x00" +
	"Text\x00纯文本\x00" +
	"The TCP connection is open; the server speaks first (RFC 5321 §3.1).\x00TCP 连接已建立；由服务器先开口（RFC 5321 §3.1）。\x00" +
	"The TLS handshake is done and the server's certificate was checked against its name: from here on everything is encrypted (%s).\x00TLS 握手完成，服务器证书已按它的名字核验：从这里开始一切都是加密的（%s）。\x00" +
	"The TLS handshake is done but the certificate was NOT checked, so the server could be an impostor (%s).\x00TLS 握手完成，但证书没有核验，对方可能是冒充者（%s）。\x00" +
	"The TLS handshake is done: from here on everything is encrypted with %s.\x00TLS 握手完成：从这里开始，一切都用 %s 加密。\x00" +
	"The client abandons the message in progress and starts over, keeping the connection (RFC 5321 §4.1.1.5).\x00客户端放弃正在发送的邮件，从头开始，但保留连接（RFC 5321 §4.1.1.5）。\x00" +
	"The client asks the server for help text (RFC 5321 §4.1.1.8).\x00客户端向服务器请求帮助信息（RFC 5321 §4.1.1.8）。\x00" +
	"The client asks the server to do nothing but answer, to check that the connection is alive (RFC 5321 §4.1.1.9).\x00客户端让服务器什么也不做、只回个话，用来确认连接还活着（RFC 5321 §4.1.1.9）。\x00" +
	"The client asks the server to expand a mailing list; most servers refuse (RFC 5321 §3.5).\x00客户端请求服务器展开一个邮件列表；多数服务器会拒绝（RFC 5321 §3.5）。\x00" +
	"The client asks to send the message itself; the server should answer 354 (RFC 5321 §4.1.1.4).\x00客户端请求发送邮件正文本身；服务器应回答 354（RFC 5321 §4.1.1.4）。\x00" +
	"The client asks to turn this connection into an encrypted TLS connection before going on (RFC 3207).\x00客户端请求先把这条连接升级为加密的 TLS 连接，再继续对话（RFC 3207）。\x00" +
	"The client asks whether a mailbox exists; most servers decline to say (RFC 5321 §3.5).\x00客户端询问某个邮箱是否存在；多数服务器不会告诉你（RFC 5321 §3.5）。\x00" +
	"The client cancels the login (RFC 4954 §4).\x00客户端取消登录（RFC 4954 §4）。\x00" +
	"The client greets the server with its own name and asks which extensions the server supports (RFC 5321 §4.1.1.1).\x00客户端报上自己的名字向服务器问好，并询问服务器支持哪些扩展（RFC 5321 §4.1.1.1）。\x00" +
	"The client greets the server with its own name, the old way without extensions (RFC 5321 §4.1.1.1).\x00客户端报上自己的名字向服务器问好，这是不带扩展的旧式问候（RFC 5321 §4.1.1.1）。\x00" +
	"The client names one recipient of the message, %s; it sends one RCPT per recipient (RFC 5321 §4.1.1.3).\x00客户端给出这封邮件的一个收件人 %s；每个收件人发一条 RCPT（RFC 5321 §4.1.1.3）。\x00" +
	"The client says goodbye; the server answers 221 and closes the connection (RFC 5321 §4.1.1.10).\x00客户端说再见；服务器回答 221 并关闭连接（RFC 5321 §4.1.1.10）。\x00" +
	"The client sends the last %s octets of the message; after this chunk the message is complete (CHUNKING, RFC 3030).\x00客户端发送邮件最后的 %s 个字节；这一块之后邮件就完整了（CHUNKING，RFC 3030）。\x00" +
	"The client sends the next %s octets of the message as one chunk, with no dot at the end (CHUNKING, RFC 3030).\x00客户端把邮件接下来的 %s 个字节作为一块发送，结尾不需要点（CHUNKING，RFC 3030）。\x00" +
	"The client starts a new message; the envelope sender %s is where bounces will go (RFC 5321 §4.1.1.2).\x00客户端开始一封新邮件；信封发件人 %s 是退信的去处（RFC 5321 §4.1.1.2）。\x00" +
	"The client starts logging in with the %s mechanism (SMTP AUTH, RFC 4954).\x00客户端开始用 %s 方式登录（SMTP AUTH，RFC 4954）。\x00" +
	"The client starts logging in with the %s mechanism and sends its credentials at once, base64-encoded; postie hides them (RFC 4954 §4).\x00客户端用 %s 方式登录，并立即发送 base64 编码的凭据；postie 把它隐藏了（RFC 4954 §4）。\x00" +
	"The client's answer to the server's challenge: credentials in base64, hidden here because base64 is an encoding, not encryption.\x00客户端对服务器质询的回答：base64 编码的凭据。这里把它隐藏了，因为 base64 只是编码，不是加密。\x00" +
	"The connection is closed.\x00连接已关闭。\x00" +
	"The message itself, headers and body (%s), sent after the 354; shown here as its size.\x00邮件本身，包括信头和正文（%s），在 354 之后发送；这里只显示它的大小。\x00" +
	"The octets of the BDAT chunk (%s), sent right after the BDAT command.\x00BDAT 块的内容（%s），紧跟在 BDAT 命令后面发送。\x00" +
	"The outbox keeps each message given to 'postie send --queue' (or sendmail\nin its queue modes) on disk until a server has taken it for every recipient.\n\n  postie queue list              what waits (--failed: what failed for good)\n  postie queue show ID           one entry: header, recipients, every attempt\n  postie queue run               send what is due now (--watch: keep doing it)\n  postie queue retry ID          make an entry due now (--all-failed, --all)\n  postie queue drop ID           delete an entry\n  postie queue clean             remove what a crash left behind, compact\n  postie queue stats             depth, in flight, per minute, each worker\n\nWith --outbox nats://host:4222 (or POSTIE_OUTBOX, or the config key\noutbox) every command works on the outbox kept in a NATS JetStream\ncluster, and 'queue run --watch' is one worker of a fleet.\n\nExit codes of 'queue run': 0 nothing failed for good in this run (messages\nmay still wait for a retry), 69 some recipient failed for good (each is\nnamed), 74 a damaged entry was set aside (named by path), 73/74 the outbox\ncannot be written, 75 another postie holds the outbox too long, 130\ninterrupted (the entry in flight stays queued; with --watch a signal is a\nnormal stop, exit 0).\x00发件箱把交给 'postie send --queue'（或队列模式下的 sendmail）的每封邮件保存在磁盘上，\n直到服务器为每个收件人都接收了它。\n\n  postie queue list              等待中的邮件（--failed：永久失败的邮件）\n  postie queue show ID           单个条目：信头、收件人、每次尝试\n  postie queue run               发送现在到期的邮件（--watch：持续发送）\n  postie queue retry ID          让条目立即到期（--all-failed、--all）\n  postie queue drop ID           删除条目\n  postie queue clean             清除崩溃留下的残留并压缩\n  postie queue stats             深度、发送中、每分钟数字、每个工作进程\n\n使用 --outbox nats://host:4222（或 POSTIE_OUTBOX，或配置键 outbox）时，所有命令都作用于\nNATS JetStream 集群中的发件箱，'queue run --watch' 就是集群中的一个工作进程。\n\n'queue run' 的退出码：0 本次运行没有永久失败（仍可能有邮件等待重试），69 有收件人\n永久失败（逐个列出），74 有损坏的条目被隔离（给出路径），73/74 发件箱无法写入，\n75 另一个 postie 占用发件箱过久，130 被中断（正在发送的条目留在队列中；\n使用 --watch 时收到信号属于正常停止，退出码 0）。\x00" +
	"The outbox: list, show, run, retry, drop and clean queued messages\x00发件箱：列出、查看、发送、重试、删除和清理队列中的邮件\x00" +
	"The server cut the client off to protect itself (too slow, too long, or too many failed logins).\x00服务器为保护自己切断了客户端（太慢、太久或登录失败太多次）。\x00" +
	"The server greets the client back; the lines that follow list the extensions it supports (RFC 5321 §4.1.1.1).\x00服务器回应客户端的问候；接下来的几行列出它支持的扩展（RFC 5321 §4.1.1.1）。\x00" +
	"The server wrote the message to its Maildir; the 250 that follows tells the client.\x00服务器把邮件写进了它的 Maildir；接下来的 250 告诉客户端这件事。\x00" +
	"The source is long: only its beginning is shown; download the whole file.\x00原文较长：只显示开头；请下载完整文件。\x00" +
	"This message has no text part.\x00这封邮件没有纯文本部分。\x00" +
	"This message is not well formed:\x00这封邮件格式有误：\x00" +
	"To\x00收件人\x00" +
	"Unknown help topic %q\n\x00没有这个帮助主题：%q\n\x00" +
	"Usage:\x00用法：\x00" +
	"VRFY: the server answers questions about whether a mailbox exists (RFC 5321 §3.5).\x00VRFY：服务器回答某个邮箱是否存在（RFC 5321 §3.5）。\x00" +
	"Yahoo needs an app password (Account Security > Generate app password)\x00Yahoo 需要应用专用密码（Account Security > Generate app password）\x00" +
	"Zoho: use an application-specific password when two-factor login is on\x00Zoho：开启两步验证时请使用应用专用密码\x00" +
	"a CSV needs a header row naming the columns; --to-column names the address column, --data-charset gbk reads a file a Chinese Excel saved\x00CSV 需要一行表头写明各列名称；--to-column 指定地址所在的列，--data-charset gbk 可读取中文 Excel 保存的文件\x00" +
	"a DKIM key without a selector\x00有 DKIM 密钥，但没有选择器（selector）\x00" +
	"a bad connection\x00连接不良\x00" +
	"a content status\x00内容状态\x00" +
	"a conversion is needed but not possible\x00需要转换但无法转换\x00" +
	"a directory (DNS) server failure\x00目录（DNS）服务器故障\x00" +
	"a line is longer than 998 octets\x00有一行超过了 998 字节\x00" +
	"a mail system status\x00邮件系统状态\x00" +
	"a mailbox status\x00邮箱状态\x00" +
	"a network or routing status\x00网络或路由状态\x00" +
	"a password transition is needed\x00需要更换密码\x00" +
	"a protocol status\x00协议状态\x00" +
	"a syntax error\x00语法错误\x00" +
	"about an address\x00与地址有关\x00" +
	"about security or policy\x00与安全或策略有关\x00" +
	"about the mail system\x00与邮件系统有关\x00" +
	"about the mailbox\x00与邮箱有关\x00" +
	"about the message content\x00与邮件内容有关\x00" +
	"about the network or routing\x00与网络或路由有关\x00" +
	"about the protocol\x00与协议有关\x00" +
	"account %q already exists in %s\x00账户 %q 已经存在于 %s 中\x00" +
	"account %q is no longer in %s\x00账户 %q 已不在 %s 中\x00" +
	"account %s\x00账户 %s\x00" +
	"account needs a subcommand: list, add NAME, test NAME or remove NAME\x00account 需要一个子命令：list、add 名称、test 名称 或 remove 名称\x00" +
	"account not saved: %w\x00账户没有保存：%w\x00" +
	"add server = \"HOST:PORT\" to the account, or give --server\x00在账户里加上 server = \"主机:端口\"，或者给出 --server\x00" +
	"address for SMTP with STARTTLS\x00SMTP（STARTTLS）的监听地址\x00" +
	"address for implicit TLS (e.g. 127.0.0.1:2465)\x00隐式 TLS 的监听地址（例如 127.0.0.1:2465）\x00" +
	"allow sending credentials without TLS (test servers only; warns on every use)\x00允许在没有 TLS 的情况下发送凭据（仅限测试服务器；每次使用都会警告）\x00" +
	"also the messages delivered to everyone\x00也列出已投递给全部收件人的邮件\x00" +
	"also trust the CA certificates in this PEM file\x00额外信任这个 PEM 文件里的 CA 证书\x00" +
	"an HTML body template (row values are escaped)\x00HTML 正文模板（行中的值会被转义）\x00" +
	"an address status\x00地址状态\x00" +
	"an address, to pick the provider's server when --server is not given\x00一个邮件地址，没有 --server 时用它选择服务商的服务器\x00" +
	"an invalid command\x00无效命令\x00" +
	"ask their recipients, or give --resend-unknown to send them again (they may get two copies)\x00请向这些收件人确认，或加 --resend-unknown 重新发送（他们可能收到两份）\x00" +
	"at least %d octets/s after %s\x00%[2]s 之后至少 %[1]d 字节/秒\x00" +
	"at most %d octets stored\x00最多存 %d 字节\x00" +
	"at most this many connections at once to one server (or one domain's mail exchangers); on a NATS outbox, for all workers together\x00同时连接到同一服务器（或同一域名的邮件交换器）的最大连接数；在 NATS 发件箱上，对所有工作进程合计生效\x00" +
	"at most this many messages per route (account or server), e.g. 30/min, 500/h; on a NATS outbox the rate holds for all workers together\x00每条路由（账户或服务器）最多发送这么多封邮件，例如 30/min、500/h；在 NATS 发件箱上，该速率对所有工作进程合计生效\x00" +
	"at most this many messages: N/s, N/min or N/h, over the whole run\x00发送速率上限：N/s、N/min 或 N/h，对整次运行有效\x00" +
	"attach FILE (repeatable)\x00附加文件 FILE（可重复）\x00" +
	"attach FILE to every message (repeatable)\x00给每封邮件附加 FILE（可重复）\x00" +
	"attachment\x00附件\x00" +
	"auth:         %s\n\x00认证：        %s\n\x00" +
	"auth:         none offered on this connection\n\x00认证：        这个连接上不提供认证\n\x00" +
	"authentication failed\x00认证失败\x00" +
	"authentication is required, or another security status\x00需要认证，或其他安全状态\x00" +
	"authentication required\x00需要认证\x00" +
	"bad flag syntax: %s\x00选项写法不对：%s\x00" +
	"base64 of '%s': a one-time challenge; the client answers with its user name and an HMAC-MD5 of it keyed by the password (AUTH CRAM-MD5, RFC 2195).\x00'%s' 的 base64：一次性的质询；客户端用用户名和以密码为密钥对它算出的 HMAC-MD5 来回答（AUTH CRAM-MD5，RFC 2195）。\x00" +
	"base64 of '%s': the login failed and these are the provider's error details; the client answers with an empty line (XOAUTH2/OAUTHBEARER, RFC 7628).\x00'%s' 的 base64：登录失败，这是服务商给出的错误详情；客户端用空行回答（XOAUTH2/OAUTHBEARER，RFC 7628）。\x00" +
	"base64 of '%s': the server asks for your password, base64-encoded (AUTH LOGIN); base64 is not encryption, which is why TLS comes first.\x00'%s' 的 base64：服务器请你给出密码，用 base64 编码（AUTH LOGIN）；base64 不是加密，所以要先用 TLS。\x00" +
	"base64 of '%s': the server asks for your user name, base64-encoded (AUTH LOGIN).\x00'%s' 的 base64：服务器请你给出用户名，用 base64 编码（AUTH LOGIN）。\x00" +
	"base64 of '%s': the server's challenge for this login mechanism.\x00'%s' 的 base64：服务器针对这种登录方式的质询。\x00" +
	"blind copy recipient (never shown in the message)\x00密送收件人（不会出现在邮件里）\x00" +
	"campaign %s continued from an earlier run\x00活动 %s 接着上次运行继续\x00" +
	"campaign %s is finished: nothing left to send, no connection made\x00活动 %s 已完成：没有需要发送的内容，未建立任何连接\x00" +
	"campaign %s: %d rows\x00活动 %s：%d 行\x00" +
	"campaign %s: %d rows, %d messages written to %s, nothing sent\x00活动 %s：%d 行，%d 封邮件已写入 %s，未发送任何邮件\x00" +
	"campaign %s: %d rows, %d problem(s) above; as it is, nothing would be sent (--skip-invalid sends the %d good rows)\x00活动 %s：共 %d 行，上面列出 %d 个问题；照现在这样，什么也不会发送（--skip-invalid 可发送其中 %d 个没有问题的行）\x00" +
	"campaign %s: %d rows, %d problem(s) above; with --skip-invalid the %d good rows would be sent\x00活动 %s：共 %d 行，上面列出 %d 个问题；加了 --skip-invalid，会发送其中 %d 个没有问题的行\x00" +
	"campaign %s: %d rows, %d to send, no problem found\x00活动 %s：%d 行，%d 封待发送，未发现问题\x00" +
	"capabilities:\x00扩展：\x00" +
	"certificate chain (PEM)\x00证书链（PEM）\x00" +
	"certificate:  names %s, valid until %s\n\x00证书：        名字 %s，有效期至 %s\n\x00" +
	"check --direct needs the DOMAIN to look at\x00check --direct 需要给出要查看的域名\x00" +
	"check every row and stop: send nothing, connect nowhere\x00检查每一行后停止：不发送，不连接\x00" +
	"check takes no arguments (a DOMAIN only with --direct)\x00check 不接受参数（只有 --direct 时才接受一个域名）\x00" +
	"check that the servers run with JetStream enabled and that the credentials (--nats-creds, the URL's user) are right\x00请确认服务器已启用 JetStream，并且凭据（--nats-creds、URL 中的用户）正确\x00" +
	"check the recipient's mailbox before sending again: a retry may deliver a second copy (exit 79)\x00再次发送前先检查收件人的邮箱：重试可能会投递第二份（退出码 79）\x00" +
	"check the user name and password; many providers need an app password or authorization code, not the login password\x00请检查用户名和密码；很多服务商要求使用应用专用密码或授权码，而不是登录密码\x00" +
	"client\x00客户端\x00" +
	"client certificate: %w\x00客户端证书：%w\x00" +
	"command printing the password\x00打印密码的命令\x00" +
	"compacted the database: %s given back to the disk\x00已压缩数据库：还给磁盘 %s\x00" +
	"config file (default $POSTIE_CONFIG, else $XDG_CONFIG_HOME/postie/config.toml, else ~/.config/postie/config.toml)\x00配置文件（默认 $POSTIE_CONFIG，其次 $XDG_CONFIG_HOME/postie/config.toml，再次 ~/.config/postie/config.toml）\x00" +
	"connection refused\x00连接被拒绝\x00" +
	"connection reset by the other side\x00连接被对方重置\x00" +
	"connections at once\x00同时使用的连接数\x00" +
	"connections at once (default 100)\x00同时允许的连接数（默认 100）\x00" +
	"connections at once from one client address (default: none on loopback, 10 beyond)\x00同一客户端地址同时允许的连接数（默认：回环地址上不限，之外 10）\x00" +
	"copy recipient\x00抄送收件人\x00" +
	"credentials rejected\x00凭据被拒绝\x00" +
	"deferred\x00等待\x00" +
	"deferred %s for <%s>: %s; next attempt %s\x00已推迟 %s（<%s>）：%s；下次尝试 %s\x00" +
	"deliver straight to each recipient domain's MX on port 25, without a relay or login (--tls starttls: require a verified certificate)\x00直接投递到每个收件域的 MX 的 25 端口，不经中继、不登录（--tls starttls：要求证书通过验证）\x00" +
	"delivered %s to <%s>: %s\x00已投递 %s 给 <%s>：%s\x00" +
	"delivered:          %d\x00已送达：    %d\x00" +
	"delivery is not authorised\x00不允许投递\x00" +
	"delivery status notifications: NEVER or SUCCESS,FAILURE,DELAY\x00投递状态通知：NEVER，或 SUCCESS,FAILURE,DELAY\x00" +
	"depth:         %d entries (ready %d, with a worker or deferred %d)\x00深度：      %d 个条目（就绪 %d，在工作进程手中或已推迟 %d）\x00" +
	"did you mean '%s %s'?\x00你是不是想用 '%s %s'？\x00" +
	"dkim keygen needs --selector, --domain and --out\x00dkim keygen 需要 --selector、--domain 和 --out\x00" +
	"do not use BDAT (CHUNKING) even when offered\x00即使服务器提供也不使用 BDAT（CHUNKING）\x00" +
	"do not use PIPELINING even when offered\x00即使服务器提供也不使用 PIPELINING\x00" +
	"do not verify the server certificate (dangerous; warns on every use)\x00不验证服务器证书（危险；每次使用都会警告）\x00" +
	"domain %s: TLS policy %s: %s\x00域 %s：TLS 策略 %s：%s\x00" +
	"domain:       %s\n\x00域：          %s\n\x00" +
	"dropped %s\x00已删除 %s\x00" +
	"eased off\x00已放慢\x00" +
	"elapsed\x00用时\x00" +
	"encryption is needed\x00需要加密\x00" +
	"encryption is required for this login mechanism\x00这种登录方式要求加密\x00" +
	"entries:            %d (%d under a lease)\x00条目：      %d（%d 个正被租用）\x00" +
	"entry %s is damaged (%s): set aside in %s, never sent\x00条目 %s 已损坏（%s）：已隔离到 %s，不会发送\x00" +
	"envelope id for delivery status notifications\x00投递状态通知用的信封 ID\x00" +
	"every entry not yet delivered to everyone (after the network or the server is back)\x00所有尚未投递给全部收件人的条目（网络或服务器恢复之后使用）\x00" +
	"every entry that failed for good\x00所有永久失败的条目\x00" +
	"extra header 'Name: value' (repeatable)\x00额外的信头 '名称: 值'（可重复）\x00" +
	"failed\x00失败\x00" +
	"failed %s for <%s>: %s\x00%s 投递给 <%s> 失败：%s\x00" +
	"failed AUTH answered after %s\x00认证失败后等待 %s 再回答\x00" +
	"failed AUTH answered after %s, closed after %d\x00认证失败后等待 %s 再回答，失败 %d 次后关闭连接\x00" +
	"failed AUTH attempts before the connection is closed (default 3)\x00关闭连接前允许的认证失败次数（默认 3）\x00" +
	"failed rows:\x00失败的行：\x00" +
	"failed:             %d\x00已失败：    %d\x00" +
	"file holding the password / authorization code\x00存放密码或授权码的文件\x00" +
	"fix the part's Content-Transfer-Encoding, or send through a server that offers 8BITMIME\x00请修正那一部分的 Content-Transfer-Encoding，或者通过提供 8BITMIME 的服务器发送\x00" +
	"flag needs an argument: --%s\x00选项 --%s 需要一个值\x00" +
	"give --dkim-selector (or dkim_selector in the account): the name the key is published under\x00请给出 --dkim-selector（或在账户里写 dkim_selector）：密钥发布时用的名字\x00" +
	"give --queue-dir DIR or set POSTIE_QUEUE_DIR\x00请用 --queue-dir DIR 指定，或设置 POSTIE_QUEUE_DIR\x00" +
	"give --server HOST[:PORT], or --from an address at a known provider, or configure an account (postie account add); try 'postie serve' for a local one\x00请给出 --server 主机[:端口]，或用 --from 给出一个已知服务商的地址，或配置一个账户（postie account add）；想要本地服务器可以试试 'postie serve'\x00" +
	"give --text TEXT, --text-file FILE or --html, or pipe the body in (echo hi | postie send ...); --text '' sends an empty body\x00请给出 --text 文本、--text-file 文件 或 --html，或者用管道输入正文（echo hi | postie send ...）；--text '' 会发送空正文\x00" +
	"give N/s, N/min or N/h, e.g. --rate 30/min\x00请给出 N/s、N/min 或 N/h，例如 --rate 30/min\x00" +
	"give a free host:port, e.g. 127.0.0.1:9464\x00请给出一个空闲的 host:port，例如 127.0.0.1:9464\x00" +
	"give durations separated by commas, e.g. 1m,5m,30m\x00请给出用逗号分隔的时长，如 1m,5m,30m\x00" +
	"give entry IDs, or --all-failed, or --all\x00请给出条目 ID，或 --all-failed，或 --all\x00" +
	"give nats://host:4222, several separated by commas\x00请给出 nats://host:4222，多个用逗号分隔\x00" +
	"give recipients as arguments or use -t to read them from the message\x00请把收件人作为参数给出，或者用 -t 从邮件中读取\x00" +
	"give the IDs of the entries to drop\x00请给出要删除的条目 ID\x00" +
	"give the account a password_file or password_cmd (or set POSTIE_PASSWORD): a queued message is sent later, when no one can type a password\x00请为账户配置 password_file 或 password_cmd（或设置 POSTIE_PASSWORD）：队列中的邮件稍后发送，那时没有人可以输入密码\x00" +
	"give the secret with --password-file, --password-cmd, POSTIE_PASSWORD or a config account (password_file, password_cmd)\x00请用 --password-file、--password-cmd、POSTIE_PASSWORD 或配置文件中的账户（password_file、password_cmd）提供密码\x00" +
	"give the user with --user and the password with --password-file, --password-cmd or POSTIE_PASSWORD (never on the command line)\x00用户名请用 --user 给出，密码请用 --password-file、--password-cmd 或 POSTIE_PASSWORD 给出（绝不要写在命令行上）\x00" +
	"give up on a message still not delivered after this long in the outbox (default 120h, 5 days)\x00邮件在发件箱中超过这么久仍未投递就放弃（默认 120h，即 5 天）\x00" +
	"greeting:     %s\n\x00问候：        %s\n\x00" +
	"help for %s\x00显示 %s 的帮助\x00" +
	"host unreachable\x00主机不可达\x00" +
	"how long a claim on an entry holds without renewal (default 5m)\x00对一个条目的占用在不续期时保持多久（默认 5m）\x00" +
	"iCloud needs an app-specific password (appleid.apple.com > Sign-In and Security)\x00iCloud 需要 App 专用密码（appleid.apple.com > 登录与安全）\x00" +
	"implicit TLS\x00隐式 TLS\x00" +
	"implicit TLS, certificate verified\x00隐式 TLS，验证证书\x00" +
	"in flight:     %d\x00发送中：    %d\x00" +
	"inline image\x00内嵌图片\x00" +
	"inline image FILE for every HTML body, referenced as cid:<file name>\x00给每封 HTML 正文加内嵌图片 FILE，用 cid:<文件名> 引用\x00" +
	"inline image FILE, referenced from the HTML as cid:<file name>\x00内嵌图片文件 FILE，在 HTML 里用 cid:<文件名> 引用\x00" +
	"interrupted\x00已中断\x00" +
	"interrupted after the message was sent: it may have been delivered\x00在邮件发出之后被中断：邮件可能已经投递\x00" +
	"interrupted while reading the message; nothing was sent\x00读取邮件时被中断；什么也没有发送\x00" +
	"interrupted: %d of %d rows sent, %d waiting in the outbox\x00已中断：%[2]d 行中已发送 %[1]d 行，%[3]d 行在发件箱中等待\x00" +
	"interrupted; the message stays in the outbox as %s ('postie queue run' sends it)\x00已中断；邮件留在发件箱中，条目 %s（'postie queue run' 会发送它）\x00" +
	"interrupted; the messages not yet sent stay queued\x00已中断；尚未发送的邮件留在队列中\x00" +
	"invalid argument %q for --%s: %w\x00--%[2]s 的值 %[1]q 无效：%[3]w\x00" +
	"invalid command arguments\x00命令参数无效\x00" +
	"is a directory\x00是一个目录\x00" +
	"keep running: send each message when it falls due, until SIGINT or SIGTERM\x00持续运行：每封邮件到期时发送，直到收到 SIGINT 或 SIGTERM\x00" +
	"keep the demo's files (Maildir, CA, password) in DIR instead of a temporary folder\x00把演示用的文件（Maildir、CA、密码）保存在 DIR 中，而不是临时目录\x00" +
	"keep the message in the outbox until a server takes it: written to disk first, tried at once; a temporary failure leaves it queued (exit 0) for 'postie queue run'\x00把邮件保存在发件箱中，直到服务器接收：先写入磁盘，再立即尝试发送；临时失败时留在队列中（退出码 0），由 'postie queue run' 重试\x00" +
	"key type: rsa|ed25519 (ed25519 is not verified everywhere yet)\x00密钥类型：rsa|ed25519（还不是所有地方都验证 ed25519）\x00" +
	"largest message accepted (bytes, or with K/M/G)\x00接受的最大邮件（字节数，可带 K/M/G）\x00" +
	"least average octets/second a client must send while the server waits (default: none on loopback, 256 beyond)\x00服务器等待时客户端平均每秒至少要发送的字节数（默认：回环地址上不限，之外 256）\x00" +
	"leave the server running and show how to send to it\x00让服务器继续运行，并显示如何向它发信\x00" +
	"line %d: %s\x00第 %d 行：%s\x00" +
	"listen %s: %w\x00监听 %s：%w\x00" +
	"live\x00实时\x00" +
	"login:        FAILED\n\x00登录：        失败\n\x00" +
	"login:        OK as %s with %s\n\x00登录：        成功，用户 %s，方式 %s\n\x00" +
	"longest connection, however busy (default: none on loopback, 10m beyond)\x00单个连接的最长时间，无论是否繁忙（默认：回环地址上不限，之外 10m）\x00" +
	"looking up %s: %s\x00查询 %s：%s\x00" +
	"looking up %s: the DNS server did not answer in time\x00查询 %s：DNS 服务器没有及时回答\x00" +
	"make a throwaway CA and certificate; the CA is written to MAILDIR/../postie-ca.pem\x00生成一次性的 CA 和证书；CA 写入 MAILDIR/../postie-ca.pem\x00" +
	"merge with DKIM needs the campaign's sender: give --from (or --dkim-domain)\x00带 DKIM 的邮件合并需要活动的发件人：请给出 --from（或 --dkim-domain）\x00" +
	"messages\x00封邮件\x00" +
	"messages kept in the Maildir (default: none on loopback, 10000 beyond)\x00Maildir 中保留的邮件数（默认：回环地址上不限，之外 10000）\x00" +
	"metrics at http://%s/metrics\x00指标位于 http://%s/metrics\x00" +
	"mta-sts:      id %s, mode %s, mx %s, max_age %s (%s)\n\x00MTA-STS：     id %s，模式 %s，mx %s，max_age %s（%s）\n\x00" +
	"mta-sts:      no policy\n\x00MTA-STS：     没有策略\n\x00" +
	"mta-sts:      not looked up\n\x00MTA-STS：     没有查询\n\x00" +
	"mx records:   %d, DNSSEC-authenticated: %s\n\x00MX 记录：     %d 条，经 DNSSEC 认证：%s\n\x00" +
	"name prefix of the outbox's streams and buckets on the cluster, so several outboxes can share one (default $POSTIE_NATS_PREFIX, else the config key nats_prefix, else postie)\x00发件箱在集群上的流和存储桶的名称前缀，使多个发件箱可以共用一个集群（默认 $POSTIE_NATS_PREFIX，其次配置键 nats_prefix，否则为 postie）\x00" +
	"name to give in EHLO/HELO (default: this host's name)\x00在 EHLO/HELO 中报上的名字（默认：本机主机名）\x00" +
	"network unreachable\x00网络不可达\x00" +
	"next %s\x00下次 %s\x00" +
	"no\x00否\x00" +
	"no OAuth 2.0 token\x00没有 OAuth 2.0 令牌\x00" +
	"no TLS: clear text\x00不用 TLS：明文\x00" +
	"no account %q (have: %s)\x00没有账户 %q（现有：%s）\x00" +
	"no account %q in %s\x00%[2]s 里没有账户 %[1]q\x00" +
	"no accounts in %s\n\x00%s 里没有账户\n\x00" +
	"no answer from the host\x00主机没有应答\x00" +
	"no cap on connections at once (%s)\x00同时连接数不设上限（%s）\x00" +
	"no cap on messages stored\x00存储的邮件数不设上限\x00" +
	"no cap on octets stored\x00存储的字节数不设上限\x00" +
	"no complete reply within %s\x00%s 内没有收到完整的回复\x00" +
	"no entry %s in the outbox\x00发件箱中没有条目 %s\x00" +
	"no greeting from the server: if this port expects implicit TLS (usually 465), use --tls implicit\x00服务器没有发来问候：如果这个端口要求隐式 TLS（通常是 465），请用 --tls implicit\x00" +
	"no message body\x00没有邮件正文\x00" +
	"no minimum rate\x00不要求最低速率\x00" +
	"no password for user %q\x00用户 %q 没有密码\x00" +
	"no per-address cap\x00单个地址不设上限\x00" +
	"no preset for %s: give --server HOST:PORT, or --provider NAME (%s)\x00没有适用于 %s 的服务商预设：请给出 --server 主机:端口，或 --provider 名称（%s）\x00" +
	"no recipients\x00没有收件人\x00" +
	"no recipients: give --to ADDR (or recipients as arguments)\x00没有收件人：请给出 --to 地址（或把收件人作为参数）\x00" +
	"no route to the destination\x00无法路由到目的地\x00" +
	"no sender: give --from ADDR (or set from in a config account)\x00没有发件人：请给出 --from 地址（或在配置的账户里设置 from）\x00" +
	"no server to send through\x00没有可用来发信的服务器\x00" +
	"no session bound\x00会话时长不设上限\x00" +
	"no session was recorded for this message\x00这封邮件没有记录会话\x00" +
	"no space left on the device\x00设备上没有剩余空间\x00" +
	"no such file or directory\x00没有这个文件或目录\x00" +
	"no such host name in DNS: check the server's name (--server, POSTIE_SERVER or the account's server key)\x00DNS 中没有这个主机名：请检查服务器的名字（--server、POSTIE_SERVER 或账户的 server 键）\x00" +
	"no such host: %s\x00找不到主机：%s\x00" +
	"not attempted\x00没有尝试\x00" +
	"not delivered to %s\x00没有投递给 %s\x00" +
	"note\x00备注\x00" +
	"note:         %s\n\x00备注：        %s\n\x00" +
	"nothing is listening there; check the host and port (--server HOST:PORT)\x00那里没有程序在监听；请检查主机和端口（--server 主机:端口）\x00" +
	"nothing more to say\x00没有更多说明\x00" +
	"nothing to list: the outbox holds no such message\x00没有可列出的：发件箱里没有这样的邮件\x00" +
	"nothing was sent; fix the rows above, or give --skip-invalid to send the %d good rows\x00没有发送任何邮件；请修正上面的行，或加 --skip-invalid 只发送 %d 个正确的行\x00" +
	"octets kept in the Maildir, with K/M/G (default: none on loopback, 1G beyond)\x00Maildir 中保留的字节数，可带 K/M/G（默认：回环地址上不限，之外 1G）\x00" +
	"only the messages that failed for good (kept until retried or dropped)\x00只列永久失败的邮件（保留到重试或删除为止）\x00" +
	"other or undefined\x00其他或未定义\x00" +
	"outbox: %s\x00发件箱：%s\x00" +
	"password\x00密码\x00" +
	"password (or authorization code) for %s: \x00%s 的密码（或授权码）：\x00" +
	"per minute:    %.1f delivered, %.1f failed\x00每分钟：    送达 %.1f，失败 %.1f\x00" +
	"permanent failure\x00永久失败\x00" +
	"permission denied\x00权限不够\x00" +
	"pick another port with --listen 127.0.0.1:PORT\x00请用 --listen 127.0.0.1:端口 换一个端口\x00" +
	"pick another port with --web 127.0.0.1:PORT\x00请用 --web 127.0.0.1:端口 换一个端口\x00" +
	"plain-text body\x00纯文本正文\x00" +
	"possibly delivered %s to <%s>: %s; held until 'postie queue retry %s'\x00%s 可能已送达 <%s>：%s；保留到执行 'postie queue retry %s'\x00" +
	"possibly delivered %s to <%s>: %s; sent again with the same Message-ID at %s\x00%s 可能已送达 <%s>：%s；将于 %[4]s 以相同的 Message-ID 重发\x00" +
	"possibly delivered before (an attempt's outcome was unknown)\x00之前可能已送达（某次尝试的结果未知）\x00" +
	"postie demo: an SMTP server of postie's own is listening on %s\n\x00postie demo：postie 自带的 SMTP 服务器正在监听 %s\n\x00" +
	"postie demo: one command at a time, like the seed (postie send pipelines and uses BDAT when the server offers them)\n\n\x00postie demo：像最初的作业那样一次一条命令（服务器支持时，postie send 会用流水线和 BDAT）\n\n\x00" +
	"postie demo: sending with STARTTLS (certificate checked against %s) and AUTH LOGIN as user \"demo\"\n\x00postie demo：用 STARTTLS（用 %s 验证证书）和 AUTH LOGIN 以用户 \"demo\" 发送\n\x00" +
	"postie demo: the server keeps running on %s until you press Ctrl-C. From another terminal:\n\x00postie demo：服务器会在 %s 上一直运行，直到你按 Ctrl-C。在另一个终端里：\n\x00" +
	"postie inbox\x00postie 收件箱\x00" +
	"postie merge needs --template FILE and --data FILE\x00postie merge 需要 --template FILE 和 --data FILE\x00" +
	"postie opens a TCP connection to the server.\x00postie 向服务器建立 TCP 连接。\x00" +
	"postie sends mail over SMTP, and shows you the whole dialogue\x00postie 通过 SMTP 发送邮件，并让你看到完整的对话\x00" +
	"postie sends mail over SMTP: through your provider (163, QQ, Gmail, ...),\nthrough any relay, or to a local server it carries itself (postie serve).\n\n  postie demo                      see a whole SMTP dialogue, offline\n  postie send --to bob@qq.com --subject hi --text hello -v\n  postie check --server smtp.163.com:465\n  postie sendmail -t < message.eml\n\nExit codes follow sysexits(3): 0 sent, 64 usage, 65 bad message, 66 no input,\n67 recipient rejected, 68 no mail host (--direct), 69 refused, 75 not sent:\ntry again later, 76 protocol error, 77 authentication failed, 78 configuration;\nand 79 may have been delivered (do not resend blindly), 130 interrupted.\x00postie 通过 SMTP 发送邮件：经由你的邮件服务商（163、QQ、Gmail……）、任意中继，\n或者发到它自带的本地服务器（postie serve）。\n\n  postie demo                      离线看一次完整的 SMTP 对话\n  postie send --to bob@qq.com --subject hi --text hello -v\n  postie check --server smtp.163.com:465\n  postie sendmail -t < message.eml\n\n退出码遵循 sysexits(3)：0 已发送，64 用法错误，65 邮件有误，66 没有输入，\n67 收件人被拒，68 没有邮件主机（--direct），69 被拒绝，75 没有发出：请稍后再试，\n76 协议错误，77 认证失败，78 配置错误；79 可能已经投递（不要盲目重发），\n130 已中断。\x00" +
	"postie serve: WARNING: listening on %s, beyond loopback: other machines can send to it\n\x00postie serve：警告：正在监听 %s，超出了回环地址：其他机器也能向它发信\n\x00" +
	"postie serve: limits: %s\n\x00postie serve：限制：%s\n\x00" +
	"postie serve: listening on %s (STARTTLS off), storing in %s\n\x00postie serve：正在监听 %s（STARTTLS 关闭），邮件存入 %s\n\x00" +
	"postie serve: listening on %s (STARTTLS on), storing in %s\n\x00postie serve：正在监听 %s（STARTTLS 开启），邮件存入 %s\n\x00" +
	"postie serve: listening on %s (implicit TLS)\n\x00postie serve：正在监听 %s（隐式 TLS）\n\x00" +
	"postie serve: self-signed CA written to %s (use --cacert %s)\n\x00postie serve：自签名 CA 已写入 %s（发信时用 --cacert %s）\n\x00" +
	"postie serve: web inbox at %s\n\x00postie serve：网页收件箱在 %s\n\x00" +
	"postie: WARNING: %s\n\x00postie: 警告：%s\n\x00" +
	"postie: WARNING: the web inbox listens on %s, beyond loopback: anyone who can reach it can read and delete every message\n\x00postie: 警告：网页收件箱监听在 %s，超出了回环地址：任何能访问到它的人都能阅读和删除所有邮件\n\x00" +
	"postie: error: %s\n\x00postie: 错误：%s\n\x00" +
	"postie: error: internal error: %v\n\x00postie: 错误：内部错误：%v\n\x00" +
	"postie: error: not delivered to <%s>: %s\n\x00postie: 错误：没有投递给 <%s>：%s\n\x00" +
	"postie: hint: %s\n\x00postie: 提示：%s\n\x00" +
	"postie: note: %s\n\x00postie: 注意：%s\n\x00" +
	"postie: provider %s: %s, %s\n\x00postie: 服务商 %s：%s，%s\n\x00" +
	"postie: sending \x00postie: 正在发送 \x00" +
	"postie: sending %s / %s (%3.0f%%)  %s/s  ETA %s   \x00postie: 正在发送 %s / %s（%3.0f%%）  %s/s  剩余 %s   \x00" +
	"postie: sent to <%s>\n\x00postie: 已发送给 <%s>\n\x00" +
	"postie: sent to <%s>: %s\n\x00postie: 已发送给 <%s>：%s\n\x00" +
	"postie: testing the login...\n\x00postie: 正在测试登录……\n\x00" +
	"postie: wrote the %s private key to %s (mode 0600); publish this record, then sign with:\n\x00postie: 已把 %s 私钥写入 %s（权限 0600）；请发布下面这条记录，然后这样签名：\n\x00" +
	"present this client certificate (PEM) in the TLS handshake\x00在 TLS 握手中出示这张客户端证书（PEM）\x00" +
	"print nothing on success\x00成功时什么也不打印\x00" +
	"print the entries as JSON on stdout\x00以 JSON 格式在标准输出打印这些条目\x00" +
	"print the entry as JSON on stdout\x00以 JSON 格式在标准输出打印该条目\x00" +
	"print the message and send nothing (with --json: as JSON)\x00打印邮件而不发送（配合 --json：以 JSON 打印）\x00" +
	"print the numbers as JSON on stdout\x00在标准输出上以 JSON 打印这些数字\x00" +
	"print the result as JSON on stdout\x00在标准输出上以 JSON 打印结果\x00" +
	"print the summary as JSON on stdout\x00在标准输出上以 JSON 打印汇总\x00" +
	"private key (PEM)\x00私钥（PEM）\x00" +
	"put the message in the outbox without trying to send it ('postie queue run' sends it)\x00只把邮件放入发件箱，不尝试发送（由 'postie queue run' 发送）\x00" +
	"queued <%s> as %s: %s; it may have been delivered: the next attempt (%s) sends the same Message-ID\x00<%s> 已入队，条目 %s：%s；邮件可能已经送达：下次尝试（%s）会以相同的 Message-ID 重发\x00" +
	"queued <%s> as %s: %s; next attempt %s ('postie queue run')\x00<%s> 已入队，条目 %s：%s；下次尝试时间 %s（'postie queue run'）\x00" +
	"queued <%s> as %s; 'postie queue run' sends it\x00<%s> 已入队，条目 %s；'postie queue run' 会发送它\x00" +
	"read the HTML body from FILE (- for stdin)\x00从 FILE 读取 HTML 正文（- 表示标准输入）\x00" +
	"read the password (or authorization code) from this file (yours, mode 0600)\x00从这个文件读取密码（或授权码）（须属于你，权限 0600）\x00" +
	"read the plain-text body from FILE (- for stdin); at most 64 MiB\x00从 FILE 读取纯文本正文（- 表示标准输入）；最多 64 MiB\x00" +
	"reading from\x00读取\x00" +
	"reading the message: %w\x00读取邮件时出错：%w\x00" +
	"reading the password: %w\x00读取密码时出错：%w\x00" +
	"recipient %q looks like an option\x00收件人 %q 看起来像一个选项\x00" +
	"recipient (repeatable, or comma-separated)\x00收件人（可重复，或用逗号分隔）\x00" +
	"recipients waiting: %d (deferred %d, outcome unknown %d)\x00等待的收件人：%d（推迟 %d，结果未知 %d）\x00" +
	"refused for security: %s\x00出于安全考虑拒绝继续：%s\x00" +
	"refusing to send credentials without TLS (--tls none)\x00拒绝在没有 TLS 的情况下发送凭据（--tls none）\x00" +
	"removed %s\x00已删除 %s\x00" +
	"removed account %q from %s\n\x00已从 %[2]s 删除账户 %[1]q\n\x00" +
	"require AUTH with this user\x00要求以这个用户认证（AUTH）\x00" +
	"result:       %d of %d MX hosts usable under TLS policy %s\n\x00结果：        在 TLS 策略 %[3]s 下，%[2]d 台 MX 主机中有 %[1]d 台可用\n\x00" +
	"result:       no MX host of %s meets the policy now; a send would fail\n\x00结果：        %s 现在没有符合策略的 MX 主机；发送会失败\n\x00" +
	"row %d <%s>: %s\x00第 %d 行 <%s>：%s\x00" +
	"rows whose outcome is unknown:\x00结果未知的行：\x00" +
	"run '%s --help' for the commands\x00运行 '%s --help' 查看命令列表\x00" +
	"run '%s --help' for usage\x00运行 '%s --help' 查看用法\x00" +
	"run 'postie account list' to see the accounts\x00运行 'postie account list' 查看账户\x00" +
	"run 'postie help' for usage\x00运行 'postie help' 查看用法\x00" +
	"run 'postie merge --help' for usage\x00运行 'postie merge --help' 查看用法\x00" +
	"run 'postie sendmail --help' for the options\x00运行 'postie sendmail --help' 查看选项\x00" +
	"run the same command again to continue; rows already sent are not sent again\x00再次运行同一条命令即可继续；已发送的行不会再发\x00" +
	"run this command (sh -c) and use its first output line as the password\x00运行这个命令（sh -c），用它输出的第一行作为密码\x00" +
	"run this command for an OAuth 2.0 access token (or set POSTIE_OAUTH2_TOKEN)\x00运行这个命令获取 OAuth 2.0 访问令牌（或设置 POSTIE_OAUTH2_TOKEN）\x00" +
	"save without testing the login\x00不测试登录就保存\x00" +
	"saved account %q in %s (mode 0600)\n\x00账户 %q 已保存到 %s（权限 0600）\n\x00" +
	"saving the secret: %w\x00保存密码时出错：%w\x00" +
	"security features are not supported\x00不支持所需的安全特性\x00" +
	"selector: the key's name under _domainkey (e.g. mail2026)\x00选择器：密钥在 _domainkey 下的名字（例如 mail2026）\x00" +
	"send UTF-8 text as 8bit when the server offers 8BITMIME (default: quoted-printable)\x00服务器提供 8BITMIME 时把 UTF-8 文本按 8bit 发送（默认：quoted-printable）\x00" +
	"send a body that large as an attachment (--attach FILE): attachments are streamed, not held in memory\x00这么大的正文请作为附件发送（--attach 文件）：附件是流式发送的，不会整个放进内存\x00" +
	"send a row whose address an earlier row already has (default: send it once)\x00地址与前面某行相同的行也发送（默认只发一次）\x00" +
	"send again the rows whose outcome is unknown (the recipient may get two copies)\x00重新发送结果未知的行（收件人可能收到两份）\x00" +
	"send it as an attachment or encode the body (quoted-printable) so lines stay under 998 octets\x00请作为附件发送，或对正文编码（quoted-printable），让每行不超过 998 字节\x00" +
	"send the good rows when some are invalid (exit 65 at the end)\x00有无效行时仍发送正确的行（最后以 65 退出）\x00" +
	"sender when the template has no From: ADDR or 'Name <ADDR>' (default: the account's address)\x00模板没有 From 时的发件人：ADDR 或 'Name <ADDR>'（默认：账户的地址）\x00" +
	"sender: ADDR or 'Name <ADDR>'\x00发件人：地址 或 '名字 <地址>'\x00" +
	"sendmail mode %s is not supported (only -bm, the default)\x00不支持 sendmail 模式 %s（只支持默认的 -bm）\x00" +
	"sendmail mode sends through a config account: set server (or a from at a known provider) in it, choose it with -a NAME or -C FILE, or set POSTIE_SERVER; 'postie account add' makes one\x00sendmail 模式通过配置文件中的账户发信：请在账户里设置 server（或一个已知服务商的 from 地址），用 -a 名称 或 -C 文件 选择它，或者设置 POSTIE_SERVER；'postie account add' 可以创建账户\x00" +
	"sendmail option %s needs a value\x00sendmail 选项 %s 需要一个值\x00" +
	"sendmail option -q%s: want -q alone (run the outbox once) or -q with an interval such as -q30m (keep running)\x00sendmail 选项 -q%s：应为单独的 -q（运行一次发件箱）或带间隔的 -q，如 -q30m（持续运行）\x00" +
	"sent\x00已发送\x00" +
	"serve Prometheus metrics at http://ADDR/metrics while running, e.g. 127.0.0.1:9464\x00运行期间在 http://ADDR/metrics 提供 Prometheus 指标，例如 127.0.0.1:9464\x00" +
	"serve the web inbox on ADDR, e.g. 127.0.0.1:8025 (a bare :PORT means loopback)\x00在 ADDR 上提供网页收件箱，例如 127.0.0.1:8025（只写 :端口 表示回环地址）\x00" +
	"server\x00服务器\x00" +
	"server %q: %w\x00服务器 %q：%w\x00" +
	"server %q: no host\x00服务器 %q：没有主机名\x00" +
	"server %q: port %q is not a number from 1 to 65535\x00服务器 %q：端口 %q 不是 1 到 65535 之间的数\x00" +
	"server %q: unknown scheme (want smtp:// or smtps://)\x00服务器 %q：未知的协议前缀（应为 smtp:// 或 smtps://）\x00" +
	"server %q: want HOST[:PORT]\x00服务器 %q：应为 主机[:端口]\x00" +
	"server %q: want HOST[:PORT] (an IPv6 address goes in brackets: [::1]:25)\x00服务器 %q：应为 主机[:端口]（IPv6 地址要放在方括号里：[::1]:25）\x00" +
	"server, if not a known provider\x00服务器（如果不是已知的服务商）\x00" +
	"server:       %s (%s)\n\x00服务器：      %s（%s）\n\x00" +
	"server: HOST[:PORT], smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] (implicit TLS)\x00服务器：主机[:端口]、smtp://主机[:端口]（STARTTLS）或 smtps://主机[:端口]（隐式 TLS）\x00" +
	"sessions up to %s\x00会话最长 %s\x00" +
	"set TMPDIR to a directory you can write\x00请把 TMPDIR 设为一个你能写入的目录\x00" +
	"set it in the runner's environment, or give the account a password_file or password_cmd\x00请在投递进程的环境中设置它，或为账户配置 password_file 或 password_cmd\x00" +
	"show the SMTP dialogue on stderr (-vv: with the message)\x00在标准错误上显示 SMTP 对话（-vv：连同邮件内容）\x00" +
	"sign for this domain (default: the From domain), even if it is not the From domain\x00以这个域签名（默认：From 的域），即使它不是 From 的域\x00" +
	"sign with DKIM using this private key file (mode 0600; see 'postie dkim keygen')\x00用这个私钥文件做 DKIM 签名（权限 0600；见 'postie dkim keygen'）\x00" +
	"sign with the From domain's key, or give --dkim-domain to sign for %s anyway\x00请用 From 所在域的密钥签名，或者给出 --dkim-domain 坚持以 %s 签名\x00" +
	"size %q: want a positive number, optionally with K, M or G\x00大小 %q：应为正数，可带 K、M 或 G\x00" +
	"skipped\x00跳过\x00" +
	"spool file for the message: %w\x00邮件的暂存文件：%w\x00" +
	"stored message does not parse: %w\x00存下的邮件无法解析：%w\x00" +
	"stored:        %s in the work stream, %s in the object store\x00存储：      工作流中 %s，对象存储中 %s\x00" +
	"subject, any language\x00主题，任何语言都可以\x00" +
	"success\x00成功\x00" +
	"temporary authentication failure\x00认证暂时失败\x00" +
	"temporary failure\x00暂时失败\x00" +
	"the %s command failed (%s); run it yourself to see why\x00获取%s的命令失败（%s）；请自己运行一下看看原因\x00" +
	"the %s command failed with exit status %d; run it yourself to see why\x00获取%s的命令失败，退出码 %d；请自己运行一下看看原因\x00" +
	"the %s command printed nothing\x00获取%s的命令什么也没有输出\x00" +
	"the DKIM selector: the key is published at SELECTOR._domainkey.DOMAIN\x00DKIM 选择器：密钥发布在 选择器._domainkey.域名\x00" +
	"the NATS outbox: %v (trying again)\x00NATS 发件箱：%v（将重试）\x00" +
	"the NATS outbox: %w\x00NATS 发件箱：%w\x00" +
	"the URLs carry different credentials: give one user (or token) for the cluster\x00这些 URL 带有不同的凭据：整个集群请只给一个用户（或令牌）\x00" +
	"the account names no server, and its from address is at no known provider\x00账户没有指定服务器，它的 from 地址也不属于任何已知服务商\x00" +
	"the account's address\x00账户的邮件地址\x00" +
	"the address is already in use\x00地址已被占用\x00" +
	"the address is not valid syntax\x00地址语法无效\x00" +
	"the campaign's name in the outbox (default TEMPLATE+DATA, from the file names)\x00活动在发件箱中的名称（默认 模板+数据，取自文件名）\x00" +
	"the certificate has expired or is not yet valid\x00证书已过期或尚未生效\x00" +
	"the certificate is for another name; connect using the name it lists\x00证书是给另一个名字的；请用证书上列出的名字连接\x00" +
	"the certificate is not signed by a CA this machine trusts; give the CA with --cacert FILE\x00证书不是由本机信任的 CA 签发的；请用 --cacert 文件 给出 CA\x00" +
	"the certificate is not valid: %s\x00证书无效：%s\x00" +
	"the certificate is signed by an authority this machine does not trust\x00证书由本机不信任的机构签发\x00" +
	"the certificate is valid for %s, not for %s\x00证书适用于 %s，而不是 %s\x00" +
	"the client certificate's private key (PEM)\x00客户端证书的私钥（PEM）\x00" +
	"the column with each row's address (default email)\x00存放每行收件地址的列（默认 email）\x00" +
	"the connection was closed\x00连接已关闭\x00" +
	"the credentials are invalid\x00凭据无效\x00" +
	"the data file's charset: auto|utf-8|gbk (auto: UTF-8, else GB18030 when it decodes cleanly)\x00数据文件的字符集：auto|utf-8|gbk（auto：UTF-8，否则在能正确解码时按 GB18030）\x00" +
	"the delivery time expired\x00投递时间已过期\x00" +
	"the destination address is valid\x00目标地址有效\x00" +
	"the destination domain does not exist or takes no mail\x00目标域不存在或不收邮件\x00" +
	"the disk (or the file size limit) holding the outbox is full: free some space, or give --queue-dir (POSTIE_QUEUE_DIR) on another disk\x00存放发件箱的磁盘（或文件大小限制）已满：请释放一些空间，或用 --queue-dir（POSTIE_QUEUE_DIR）指定另一块磁盘上的目录\x00" +
	"the domain %s has no mail host: %s\x00域 %s 没有邮件主机：%s\x00" +
	"the file already exists\x00文件已经存在\x00" +
	"the key file must not exist yet; postie never overwrites a key\x00密钥文件必须还不存在；postie 从不覆盖密钥\x00" +
	"the login mechanism is too weak\x00登录方式太弱\x00" +
	"the mail system is full\x00邮件系统已满\x00" +
	"the mailbox does not exist\x00邮箱不存在\x00" +
	"the mailbox has moved\x00邮箱已迁移\x00" +
	"the mailbox is disabled\x00邮箱已停用\x00" +
	"the mailbox is full\x00邮箱已满\x00" +
	"the media type is not supported\x00不支持这种媒体类型\x00" +
	"the message is %d bytes; the server accepts at most %d (SIZE)\x00邮件有 %d 字节；服务器最多接受 %d 字节（SIZE）\x00" +
	"the message is too big for the system\x00邮件对系统来说太大\x00" +
	"the message is too long for this mailbox\x00邮件对这个邮箱来说太长\x00" +
	"the message itself is no longer kept: every recipient has it\x00邮件本身已不再保存：所有收件人都已收到\x00" +
	"the message template: header fields, a blank line, the text ({{.column}} for a row's value)\x00邮件模板：头字段、一个空行、正文（{{.column}} 表示该行的值）\x00" +
	"the other side does not speak TLS here (its first bytes are not a TLS handshake)\x00对方在这个端口上不说 TLS（它发来的第一批字节不是 TLS 握手）\x00" +
	"the outbox cannot keep a password typed at the terminal: a later delivery has no one to ask\x00发件箱无法保存在终端输入的密码：之后投递时没有人可以询问\x00" +
	"the outbox directory (default $POSTIE_QUEUE_DIR, else $XDG_STATE_HOME/postie/queue, else ~/.local/state/postie/queue)\x00发件箱目录（默认 $POSTIE_QUEUE_DIR，其次 $XDG_STATE_HOME/postie/queue，再次 ~/.local/state/postie/queue）\x00" +
	"the outbox directory cannot be written here: give --queue-dir (POSTIE_QUEUE_DIR) a directory of yours on a writable disk\x00这里的发件箱目录无法写入：请用 --queue-dir（POSTIE_QUEUE_DIR）指定可写磁盘上属于你的目录\x00" +
	"the outbox on %s cannot be opened: %s\x00无法打开 %s 上的发件箱：%s\x00" +
	"the outbox on a NATS JetStream cluster: nats://host:4222[,nats://host2:4222...] (default $POSTIE_OUTBOX, else the config key outbox; \"local\" for the local outbox)\x00使用 NATS JetStream 集群上的发件箱：nats://host:4222[,nats://host2:4222...]（默认 $POSTIE_OUTBOX，其次配置键 outbox；\"local\" 表示本地发件箱）\x00" +
	"the provider, for an address at your own domain hosted by one (exmail, office365, gmail, ...)\x00服务商，用于托管在服务商那里的自有域名地址（exmail、office365、gmail……）\x00" +
	"the recipients' mail exchangers (--direct)\x00收件人域名的邮件交换服务器（--direct）\x00" +
	"the rows: CSV with a header row (.tsv: tab-separated), or JSON lines (.jsonl)\x00数据行：带表头的 CSV（.tsv 为制表符分隔），或 JSON lines（.jsonl）\x00" +
	"the secret came from $%s when the message was queued, and $%s is not set for this runner\x00邮件入队时密码来自 $%s，而本次投递进程没有设置 $%s\x00" +
	"the sender's address is not valid syntax\x00发件人地址语法无效\x00" +
	"the sender's domain is not valid\x00发件人的域无效\x00" +
	"the server accepted the message but stored nothing\x00服务器接受了邮件，却什么也没存下\x00" +
	"the server announced this limit (SIZE); send the file another way (a link), or split it\x00这是服务器公布的上限（SIZE）；请换一种方式发送文件（例如链接），或者拆分\x00" +
	"the server answered in plain text: this port wants STARTTLS; use --tls starttls (usually port 587 or 25), or port 465 for implicit TLS\x00服务器用明文回答了：这个端口要用 STARTTLS；请用 --tls starttls（通常是 587 或 25 端口），或者用 465 端口走隐式 TLS\x00" +
	"the server does not offer 8BITMIME, and the message cannot be made 7-bit: %w\x00服务器不提供 8BITMIME，而这封邮件无法转成 7 位：%w\x00" +
	"the server does not offer SMTPUTF8, which this message needs: %w\x00服务器不提供这封邮件需要的 SMTPUTF8：%w\x00" +
	"the server does not support %s\x00服务器不支持 %s\x00" +
	"the server does not support %s: %s\x00服务器不支持 %s：%s\x00" +
	"the server offers no login here; if it needs one, it may only offer AUTH after TLS (--tls starttls)\x00服务器在这里不提供登录；如果需要登录，它可能只在 TLS 之后才提供 AUTH（--tls starttls）\x00" +
	"the server offers only TLS older than 1.2, which postie refuses\x00服务器只提供低于 1.2 版的 TLS，postie 拒绝使用\x00" +
	"the server replied %s\x00服务器回复 %s\x00" +
	"the server requires a stronger mechanism or a login through the web first\x00服务器要求更强的认证方式，或要求先在网页上登录一次\x00" +
	"the server requires encryption for this mechanism\x00服务器要求这种认证方式先加密\x00" +
	"the server wants a login (and usually TLS) before it takes mail: give --user and a password source, with --tls starttls or implicit\x00服务器要求先登录（通常还要 TLS）才收信：请给出 --user 和密码来源，并用 --tls starttls 或 implicit\x00" +
	"the server's answer does not follow SMTP; run with -v to see the dialogue (--no-pipelining helps with some broken servers)\x00服务器的回答不符合 SMTP；加 -v 运行可以看到对话（对某些有问题的服务器，--no-pipelining 会有帮助）\x00" +
	"the server's certificate could not be verified: %s\x00无法验证服务器的证书：%s\x00" +
	"the server's certificate has expired (or this machine's clock is wrong)\x00服务器的证书已经过期（或者本机时钟不对）\x00" +
	"the session's transcript is gone\x00这次会话的记录已不在了\x00" +
	"the signing domain (your From domain)\x00签名的域（你的 From 所在的域）\x00" +
	"the system is congested\x00系统拥塞\x00" +
	"the terminal\x00终端\x00" +
	"the user's password (file, mode 0600)\x00该用户的密码（文件，权限 0600）\x00" +
	"the wrong protocol version\x00协议版本不对\x00" +
	"this is a bug in postie; please report it with the command you ran\x00这是 postie 的缺陷；请连同你运行的命令一起报告\x00" +
	"timed out\x00超时\x00" +
	"timeout for connecting and the TLS handshake\x00连接和 TLS 握手的超时时间\x00" +
	"timeout for each command and reply (default: RFC 5321 values; the greeting 10s, 60s on port 25)\x00每条命令和回复的超时时间（默认：RFC 5321 的值；问候 10s，25 端口 60s）\x00" +
	"tls policy:   %s\n\x00TLS 策略：    %s\n\x00" +
	"tls:          %s\n\x00TLS：         %s\n\x00" +
	"tls:          none (the connection is in clear text)\n\x00TLS：         无（连接是明文的）\n\x00" +
	"to send the changed files as a new campaign, give --campaign NEWNAME ('postie queue list' shows what the old one left)\x00要把修改后的文件作为新活动发送，请加 --campaign 新名称（'postie queue list' 可查看旧活动剩下的内容）\x00" +
	"too many recipients\x00收件人太多\x00" +
	"unknown\x00未知\x00" +
	"unknown command %q for %q\x00%[2]q 没有命令 %[1]q\x00" +
	"unknown flag: -%s in -%s\x00未知选项：-%[2]s 中的 -%[1]s\x00" +
	"unknown flag: --%s\x00未知选项：--%s\x00" +
	"unknown key (a typo?)\x00未知的键（拼错了？）\x00" +
	"unknown provider %q\x00未知的服务商 %q\x00" +
	"unknown sendmail option %q\x00未知的 sendmail 选项 %q\x00" +
	"unknown shell %q (want bash, zsh or fish)\x00未知的 shell %q（应为 bash、zsh 或 fish）\x00" +
	"usage: postie %s\n       (or run postie through a link named sendmail)\n\nReads a whole message, header and body, on standard input and sends it\nthrough a config account's server, as sendmail does for mutt, git\nsend-email, cron and scripts.\n\n  -t            also send to the To, Cc and Bcc addresses in the message\n                (Bcc is removed from the message in every case)\n  -i, -oi       a line holding a single dot is text; without -i it ends the\n                message, as in sendmail\n  -f ADDR       envelope sender, where bounces go (\"<>\" for none); also the\n  -r ADDR       From of a message that has none\n  -F NAME       the name in a From that postie adds\n  -C FILE       config file (default $POSTIE_CONFIG, else\n                $XDG_CONFIG_HOME/postie/config.toml, else\n                ~/.config/postie/config.toml)\n  -a ACCOUNT    the account to send through (default: the file's default)\n  -N DSN        delivery status notifications: NEVER, or any of\n                SUCCESS,FAILURE,DELAY (RFC 3461; when the server offers DSN)\n  -R RET        what a bounce carries: full or hdrs\n  -V ENVID      envelope id for delivery status notifications\n  -v            show the SMTP dialogue on stderr (-v -v: with the message)\n  -h, --help    this help\n\nThe outbox (see 'postie queue --help'):\n  -odq          put the message in the outbox and exit; 'postie queue run'\n                (or sendmail -q) sends it\n  -odi, -odb    send now (the default); with queue = true in the account a\n                message the server cannot take now (4xx, unreachable) stays\n                in the outbox and sendmail exits 0, as msmtpq does\n  -oQDIR        the outbox directory (default $POSTIE_QUEUE_DIR, else\n                $XDG_STATE_HOME/postie/queue)\n  -q            send what is due in the outbox, then exit (cron)\n  -qINTERVAL    keep running, sending each message when due and looking for\n                new ones every INTERVAL (-q30m, -q1h, -q1d)\n  -bp           list the outbox, as mailq does\n\nAccepted and ignored, as other sendmail replacements do: -oXXX (-oem, -oi,\n...), -bm, -em, -U, -n, -dXXX. Other -b modes are refused.\n\nThe server, login and TLS come from the account (postie account add).\nLines may end in LF or CRLF; they are sent as CRLF. A line over 998 octets\nis refused (exit 65) naming it. A NUL octet in a body part makes postie\nsend that part quoted-printable; in a header it is refused. A server\nwithout 8BITMIME gets 8-bit parts as quoted-printable and 8-bit header\ntext as RFC 2047 words; only non-ASCII addresses need SMTPUTF8.\n\nExit codes (sysexits.h): 0 sent (or kept in the outbox), 64 usage, 65 bad\nmessage, 67 a recipient refused, 69 refused by the server (with -q: some\nrecipient failed for good), 73/74 the outbox cannot be written, 75 try\nagain later, 77 login refused, 78 configuration.\n\x00usage: postie %s\n       （或者通过名为 sendmail 的链接运行 postie）\n\n从标准输入读入整封邮件（信头和正文），通过配置文件中账户的服务器发送，\n就像 sendmail 为 mutt、git send-email、cron 和脚本所做的那样。\n\n  -t            同时发给邮件中 To、Cc 和 Bcc 里的地址\n                （无论如何，Bcc 都会从邮件中删除）\n  -i, -oi       只有一个点的一行当作正文；没有 -i 时它表示邮件结束，\n                与 sendmail 相同\n  -f ADDR       信封发件人，即退信的去处（\"<>\" 表示不要退信）；\n  -r ADDR       邮件没有 From 时也用作 From\n  -F NAME       postie 添加 From 时使用的名字\n  -C FILE       配置文件（默认 $POSTIE_CONFIG，其次\n                $XDG_CONFIG_HOME/postie/config.toml，再次\n                ~/.config/postie/config.toml）\n  -a ACCOUNT    用来发信的账户（默认：配置文件中的默认账户）\n  -N DSN        投递状态通知：NEVER，或 SUCCESS、FAILURE、DELAY 中的\n                任意几个（RFC 3461；服务器提供 DSN 时有效）\n  -R RET        退信附带的内容：full 或 hdrs\n  -V ENVID      投递状态通知用的信封 ID\n  -v            在标准错误上显示 SMTP 对话（-v -v：连同邮件内容）\n  -h, --help    显示这份帮助\n\n发件箱（见 'postie queue --help'）：\n  -odq          把邮件放进发件箱后退出；由 'postie queue run'\n                （或 sendmail -q）发送\n  -odi, -odb    立即发送（默认）；账户中设了 queue = true 时，服务器\n                暂时不能接收（4xx、连不上）的邮件留在发件箱中，sendmail\n                退出码为 0，与 msmtpq 相同\n  -oQDIR        发件箱目录（默认 $POSTIE_QUEUE_DIR，其次\n                $XDG_STATE_HOME/postie/queue）\n  -q            发送发件箱中到期的邮件，然后退出（适合 cron）\n  -qINTERVAL    持续运行：每封邮件到期时发送，每隔 INTERVAL 查看有没有\n                新邮件（-q30m、-q1h、-q1d）\n  -bp           列出发件箱，与 mailq 相同\n\n和其他 sendmail 替代品一样，接受但忽略：-oXXX（-oem、-oi……）、-bm、-em、\n-U、-n、-dXXX。其他 -b 模式会被拒绝。\n\n服务器、登录和 TLS 都来自账户（postie account add）。行尾可以是 LF 或 CRLF，\n发送时一律是 CRLF。超过 998 字节的行会被拒绝（退出码 65），并指明是哪一行。\n正文某部分含有 NUL 字节时，postie 把那一部分按 quoted-printable 发送；信头中\n含有 NUL 则拒绝。对于不支持 8BITMIME 的服务器，8 位的部分按 quoted-printable\n发送，8 位的信头文字按 RFC 2047 编码；只有非 ASCII 的地址才需要 SMTPUTF8。\n\n退出码（sysexits.h）：0 已发送（或已留在发件箱中），64 用法错误，65 邮件有误，\n67 有收件人被拒，69 被服务器拒绝（用 -q 时：有收件人永久失败），73/74 无法写入\n发件箱，75 请稍后再试，77 登录被拒，78 配置错误。\n\x00" +
	"use --oauth2-token-cmd CMD or POSTIE_OAUTH2_TOKEN\x00请用 --oauth2-token-cmd 命令 或 POSTIE_OAUTH2_TOKEN\x00" +
	"use --password-file FILE, --password-cmd CMD, POSTIE_PASSWORD, or a config account\x00请用 --password-file 文件、--password-cmd 命令、POSTIE_PASSWORD，或配置文件里的账户\x00" +
	"use --tls implicit for a port-465 server; a server without TLS can only be used without logging in (--tls none)\x00465 端口的服务器请用 --tls implicit；没有 TLS 的服务器只能不登录使用（--tls none）\x00" +
	"use --tls starttls or --tls implicit; --allow-insecure-auth exists for test servers only\x00请用 --tls starttls 或 --tls implicit；--allow-insecure-auth 只是给测试服务器用的\x00" +
	"use this account from the config file\x00使用配置文件里的这个账户\x00" +
	"user name (default: the address)\x00用户名（默认：邮件地址）\x00" +
	"user name to log in with (usually your address)\x00登录用的用户名（通常就是你的邮件地址）\x00" +
	"version for %s\x00显示 %s 的版本\x00" +
	"wait before answering a failed AUTH, doubled per recent failure from the address (default 1s on loopback, 2s beyond)\x00回答失败的认证前等待的时间，同一地址近期每失败一次加倍（默认：回环地址上 1s，之外 2s）\x00" +
	"waits between attempts after a temporary failure, e.g. 1m,5m,30m (the last repeats; default 5m doubling to 4h, with jitter)\x00临时失败后各次重试之间的等待时间，如 1m,5m,30m（最后一项重复使用；默认从 5m 开始翻倍，最长 4h，带随机抖动）\x00" +
	"web inbox: listen %s: %w\x00网页收件箱：监听 %s：%w\x00" +
	"what a bounce returns: full|hdrs\x00退信时附带的内容：full|hdrs\x00" +
	"with --direct: TLS to the MX hosts: %s (default: DANE where published, else MTA-STS where published, else may)\x00配合 --direct：到 MX 主机的 TLS：%s（默认：有 DANE 就用 DANE，否则有 MTA-STS 就用 MTA-STS，否则 may）\x00" +
	"with --direct: ask this DNS server (HOST:PORT) instead of the system's\x00配合 --direct：查询这个 DNS 服务器（主机:端口），而不是系统的\x00" +
	"with --direct: the HTTPS port of MTA-STS policy hosts, for tests\x00配合 --direct：MTA-STS 策略主机的 HTTPS 端口，测试用\x00" +
	"with --direct: the mail exchangers' port, for tests\x00配合 --direct：邮件交换服务器的端口，测试用\x00" +
	"with --keep, serve the web inbox on ADDR (default: a free loopback port)\x00配合 --keep，在 ADDR 上提供网页收件箱（默认：一个空闲的回环端口）\x00" +
	"with --watch: look for messages other processes queued at least this often\x00与 --watch 一起使用：至少每隔这么久查找一次其他进程放入队列的邮件\x00" +
	"with -v: explain each line of the dialogue (in Chinese when LANG says zh)\x00配合 -v：逐行讲解对话（LANG 为 zh 时用中文）\x00" +
	"workers:       %d\x00工作进程：  %d\x00" +
	"wrap the text, or send the data as an attachment (postie send --attach), so that lines stay under 998 octets\x00请给文本换行，或者把数据作为附件发送（postie send --attach），让每行不超过 998 字节\x00" +
	"write a JSON line per row to FILE: row, recipient, status, server reply, Message-ID\x00每行写一条 JSON 到 FILE：行号、收件人、状态、服务器回复、Message-ID\x00" +
	"write each row's message as DIR/row-NNNN.eml and send nothing\x00把每行的邮件写成 DIR/row-NNNN.eml，不发送\x00" +
	"write the address in ASCII, or send through a server that offers SMTPUTF8\x00请用 ASCII 写地址，或者通过提供 SMTPUTF8 的服务器发送\x00" +
	"write the private key to this new file\x00把私钥写入这个新文件\x00" +
	"writing to\x00写入\x00" +
	"yes\x00是\x00" +
	"your address: \x00你的邮件地址：\x00"
