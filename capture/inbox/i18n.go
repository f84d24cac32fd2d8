package inbox

import "github.com/postie/postie/internal/explain"

// labels are the words of the pages, in the languages of the catalogue.
var labels = map[string][2]string{ // key -> {English, Chinese}
	"inbox":       {"postie inbox", "postie 收件箱"},
	"search":      {"Search sender, recipients, subject", "搜索发件人、收件人、主题"},
	"find":        {"Search", "搜索"},
	"messages":    {"messages", "封邮件"},
	"from":        {"From", "发件人"},
	"to":          {"To", "收件人"},
	"cc":          {"Cc", "抄送"},
	"subject":     {"Subject", "主题"},
	"date":        {"Date", "日期"},
	"size":        {"Size", "大小"},
	"attachments": {"Attachments", "附件"},
	"empty":       {"No messages yet. Send one to this server and it appears here at once.", "还没有邮件。向这台服务器发一封，它会立即出现在这里。"},
	"delete":      {"Delete", "删除"},
	"deleteAll":   {"Delete all", "全部删除"},
	"confirmAll":  {"Delete every message?", "删除所有邮件？"},
	"older":       {"Older", "更早"},
	"newer":       {"Newer", "更新"},
	"page":        {"Page", "第"},
	"of":          {"of", "页，共"},
	"back":        {"All messages", "所有邮件"},
	"html":        {"HTML", "HTML"},
	"text":        {"Text", "纯文本"},
	"headers":     {"Headers", "信头"},
	"mime":        {"MIME tree", "MIME 结构"},
	"source":      {"Source", "原文"},
	"session":     {"SMTP session", "SMTP 会话"},
	"noText":      {"This message has no text part.", "这封邮件没有纯文本部分。"},
	"remote":      {"remote images were left out: this page never loads anything from the sender.", "张远程图片未加载：本页面从不向发件人请求任何东西。"},
	"sandboxNote": {"Shown sanitised, in a sandbox that runs no script.", "已净化显示，在不运行脚本的沙箱中。"},
	"truncated":   {"Only the beginning is shown.", "只显示了开头部分。"},
	"download":    {"Download", "下载"},
	"downloadEml": {"Download .eml", "下载 .eml"},
	"noSession":   {"No session transcript for this message.", "这封邮件没有会话记录。"},
	"sessionHelp": {"Every command and reply of the SMTP session that delivered this message; click a line for what it means. Passwords are never recorded.", "投递这封邮件的 SMTP 会话中的每条命令和回复；点击一行看它的含义。密码从不记录。"},
	"broken":      {"This message is not well formed:", "这封邮件格式有误："},
	"live":        {"live", "实时"},
	"sourceCut":   {"The source is long: only its beginning is shown; download the whole file.", "原文较长：只显示开头；请下载完整文件。"},
	"client":      {"client", "客户端"},
	"server":      {"server", "服务器"},
	"note":        {"note", "备注"},
}

func label(l explain.Lang, key string) string {
	v, ok := labels[key]
	if !ok {
		return key
	}
	if l == explain.Chinese {
		return v[1]
	}
	return v[0]
}
