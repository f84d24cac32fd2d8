package cli

import (
	"errors"
	"strings"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

// presetHint gives a provider's refusal the provider's own advice when
// its server is used: what its reply means and what to do, in the
// user's language. It reads the reply's code, enhanced code, the command
// it answered and, for NetEase, the anti-spam token at the start of its
// text (DT:SPM: NetEase's protocol, documented on its help pages); never
// postie's own error text. The exit code stays what the error says.
func presetHint(st *Settings, err error) error {
	if st == nil || st.Preset == nil || err == nil {
		return err
	}
	if h := providerHint(st.Preset, err); h != "" {
		return exitcode.With(exitcode.For(err), err, h)
	}
	return err
}

// netease are the presets of NetEase's servers, which answer alike.
func netease(p *config.Preset) bool { return p.Name == "163" || p.Name == "126" || p.Name == "yeah" }

func providerHint(p *config.Preset, err error) string {
	var ae *smtp.AuthError
	if errors.As(err, &ae) {
		switch ae.Reply.Code {
		case 535:
			return presetAdvice(p)
		case 451, 454:
			if netease(p) {
				return i18n.T(`NetEase refuses logins for a while after too many failed ones ("451 Requested mail action not taken: too much fail authentication"): wait some minutes, then log in with the authorization code (授权码)`)
			}
		}
		return ""
	}
	se := refusal(err)
	if se == nil {
		return ""
	}
	token, _, _ := strings.Cut(strings.TrimSpace(se.Message), " ")
	mail := strings.HasPrefix(se.Command, "MAIL") // the sender refused: the account's business
	switch {
	case netease(p) && se.Code == 554 && token == "DT:SPM":
		return i18n.T(`NetEase judged the message to be spam ("554 DT:SPM …": 发送的邮件内容包含了未被许可的信息，或被系统识别为垃圾邮件): change the subject and text (a bare "test" or a lone link is typical of spam), do not send many identical messages, and Cc yourself (--cc your own address), which helps with some`)
	case netease(p) && se.Code == 451 && token == "DT:SPM":
		return i18n.T(`NetEase deferred the message as spam-like for now ("451 DT:SPM … please try again"): try again in a few minutes, with a message that looks less like bulk mail`)
	case netease(p) && (se.Code == 450 || se.Code == 451 || se.Code == 421) && (token == "MI:SFQ" || token == "MI:DMC" || token == "RP:DRC" || token == "HL:ICC" || token == "HL:IFC"):
		return i18n.Sprintf(`NetEase limits how much one account sends ("%d %s": too many messages, recipients or connections in a short time): wait, then send fewer messages at a time`, se.Code, token)
	case netease(p) && se.Code == 550 && mail:
		return i18n.T(`NetEase answers "550 User has no permission" when the SMTP service is off for the account: on the web mail open 设置 (Settings) → POP3/SMTP/IMAP, switch on the SMTP service (开启 SMTP 服务), and log in with the authorization code (授权码) it shows`)
	case netease(p) && se.Code == 553 && mail:
		return i18n.T(`NetEase takes mail only from the address you log in as ("553 Mail from must equal authorized user"): make --from (or the message's From) the same address as the login`)
	case (p.Name == "qq" || p.Name == "exmail") && se.Code == 501 && mail:
		return i18n.T(`QQ Mail takes mail only from the address you log in as ("501 mail from address must be same as authorization user"): make --from (or the message's From) the same address as the login`)
	case p.Name == "qq" && (se.Code == 550 || se.Code == 554) && endOfData(se.Command):
		return i18n.T(`QQ Mail refuses a message whose content it takes for spam ("550 Mail content denied"): change the subject and text, and do not send many identical messages`)
	}
	return ""
}

// endOfData: the reply to the message's end (the final dot, BDAT LAST),
// where a server judges its content.
func endOfData(cmd string) bool { return cmd == "." || strings.HasPrefix(cmd, "BDAT") }

// refusal is the server's refusal in err: the transaction's, or the first
// recipient's when the server refused recipients.
func refusal(err error) *smtp.Error {
	var re *exitcode.RecipientsError
	if errors.As(err, &re) {
		for _, f := range re.Failed {
			var se *smtp.Error
			if errors.As(f.Err, &se) {
				return se
			}
		}
		return nil
	}
	var se *smtp.Error
	if errors.As(err, &se) {
		return se
	}
	return nil
}

// presetAdvice is what a provider's refused login (535) means: where to
// switch on SMTP and which password it wants, quoting its own reply
// where it is known.
func presetAdvice(p *config.Preset) string {
	switch p.Name {
	case "163", "126", "yeah":
		return i18n.Sprintf(`NetEase (%[1]s) needs the authorization code (授权码) from its web settings, not your login password (to a login password it answers "535 Error: authentication failed"): on mail.%[1]s open 设置 (Settings) → POP3/SMTP/IMAP, switch on the SMTP service (开启 SMTP 服务), and use the authorization code it shows as the password`, p.Domains[0])
	case "qq":
		return i18n.T(`QQ Mail needs the authorization code (授权码) from its web settings, not your QQ password (it answers "535 Login Fail. Please enter your authorization code to login", or "535 Error: 请使用授权码登录"): on mail.qq.com open 设置 (Settings) → 账号 (Account) → POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务, switch on the SMTP service, generate an authorization code (生成授权码) and use it as the password. "Account is abnormal, service is not open, password is incorrect, login frequency limited" means the same, or too many attempts: wait a while`)
	case "exmail":
		return i18n.T(`Tencent Exmail (企业微信邮箱): the SMTP service must be on for the mailbox (exmail.qq.com → 设置 (Settings) → 客户端设置 (Client settings) → 开启 IMAP/SMTP 服务); with secure login (安全登录) on, use a client-specific password (客户端专用密码) from 设置 → 账户 → 微信绑定/安全登录, not your login password`)
	case "aliyun":
		return i18n.T(`Aliyun Mail: switch on POP3/SMTP in the web settings first (mail.aliyun.com → 设置 (Settings) → 账户 (Account) → POP3/SMTP 和 IMAP/SMTP 服务); if the account uses a third-party client password (三方客户端安全密码), log in with that`)
	case "sina":
		return i18n.T(`Sina Mail needs the authorization code (授权码) from its web settings, not your login password: on mail.sina.com.cn open 设置 (Settings) → 客户端 POP/IMAP/SMTP, switch on the SMTP service (开启 SMTP 服务), and use the authorization code it gives as the password`)
	case "sohu":
		return i18n.T("Sohu Mail: enable SMTP in the web settings and use the independent password it gives")
	case "gmail":
		return i18n.T("Gmail needs an app password (Google Account > Security > 2-Step Verification > App passwords), or OAuth 2.0 with --auth xoauth2")
	case "outlook":
		return i18n.T("Outlook.com has turned off password logins for most accounts: use OAuth 2.0 (--auth xoauth2 --oauth2-token-cmd ...)")
	case "office365":
		return i18n.T("Microsoft 365: SMTP AUTH must be enabled for the mailbox by the tenant admin; OAuth 2.0 (--auth xoauth2) is preferred")
	case "icloud":
		return i18n.T("iCloud needs an app-specific password (appleid.apple.com > Sign-In and Security)")
	case "yahoo":
		return i18n.T("Yahoo needs an app password (Account Security > Generate app password)")
	case "zoho":
		return i18n.T("Zoho: use an application-specific password when two-factor login is on")
	case "fastmail":
		return i18n.T("Fastmail needs an app password (Settings > Privacy & Security > App passwords)")
	case "gmx":
		return i18n.T("GMX: enable POP3/IMAP/SMTP access in the web settings first")
	}
	return p.AuthMsg // a preset added to config without advice here: its English words
}

// presetTLSName names a preset's TLS mode for people.
func presetTLSName(p *config.Preset) string {
	if p.TLS == "starttls" {
		return i18n.T("STARTTLS")
	}
	return i18n.T("implicit TLS")
}
