package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/smtp"
)

// A provider's refusal gets the provider's advice, chosen from the typed
// reply (code, the command it answered, NetEase's anti-spam token) and the
// preset in use; the exit code stays the error's own.
func TestProviderHints(t *testing.T) {
	preset := func(name string) *config.Preset {
		p, ok := config.PresetByName(name)
		if !ok {
			t.Fatalf("no preset %s", name)
		}
		return &p
	}
	auth := func(code int, text string) error {
		return &smtp.AuthError{Mechanism: "PLAIN", Reply: &smtp.Error{Command: "AUTH PLAIN", Code: code, Message: text}}
	}
	reply := func(cmd string, code int, text string) error {
		return &smtp.Error{Command: cmd, Code: code, Message: text}
	}
	for _, c := range []struct {
		preset string
		err    error
		want   string // "" for no hint
	}{
		{"163", auth(535, "Error: authentication failed"), `on mail.163.com open 设置 (Settings) → POP3/SMTP/IMAP`},
		{"126", auth(535, "Error: authentication failed"), `on mail.126.com open`},
		{"yeah", auth(535, "Error: authentication failed"), `on mail.yeah.net open`},
		{"qq", auth(535, "Login Fail. Please enter your authorization code to login."), `"535 Login Fail. Please enter your authorization code to login"`},
		{"exmail", auth(535, "Error: authentication failed"), `客户端专用密码`},
		{"aliyun", auth(535, "auth failed"), `mail.aliyun.com → 设置`},
		{"sina", auth(535, "auth failed"), `mail.sina.com.cn`},
		{"gmail", auth(535, "5.7.8 Username and Password not accepted"), `app password`},
		{"163", auth(451, "Requested mail action not taken: too much fail authentication"), `too much fail authentication`},
		{"163", reply(".", 554, "DT:SPM 163 smtp14,EsCowAC3--.5037S2 1503483104,please see http://mail.163.com/help/help_spam_16.htm"), `NetEase judged the message to be spam`},
		{"126", reply(".", 451, "DT:SPM 126 smtp5,jtKowAD3,please try again"), `try again in a few minutes`},
		{"163", reply("MAIL FROM:<a@163.com>", 451, "MI:SFQ 163 smtp10,DsCowABX"), `"451 MI:SFQ"`},
		{"163", reply("MAIL FROM:<a@163.com>", 550, "User has no permission"), `"550 User has no permission"`},
		{"163", reply("MAIL FROM:<b@qq.com>", 553, "Mail from must equal authorized user"), `"553 Mail from must equal authorized user"`},
		{"qq", reply("MAIL FROM:<b@163.com>", 501, "mail from address must be same as authorization user"), `"501 mail from address must be same as authorization user"`},
		{"qq", reply(".", 550, "Mail content denied. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000726"), `"550 Mail content denied"`},
		{"qq", &exitcode.RecipientsError{Failed: []smtp.RcptStatus{{Address: "b@x", Err: reply(".", 550, "Mail content denied")}}, Permanent: true}, `Mail content denied`},
		{"qq", reply(".", 554, "content rejected"), `QQ Mail refuses a message`},
		// No hint: another provider's token, another code, a recipient refused.
		{"gmail", reply(".", 554, "DT:SPM x"), ""},
		{"163", reply(".", 554, "5.7.1 rejected"), ""},
		{"163", reply("RCPT TO:<x@y>", 550, "User not found: x@y"), ""},
		{"163", errors.New("not a reply"), ""},
	} {
		st := &Settings{Preset: preset(c.preset)}
		got := presetHint(st, c.err)
		h := ""
		var coded *exitcode.Coded
		if errors.As(got, &coded) {
			h = coded.Hint
		}
		switch {
		case c.want == "" && h != "":
			t.Errorf("%s %v: a hint %q", c.preset, c.err, h)
		case c.want != "" && !strings.Contains(h, c.want):
			t.Errorf("%s %v: hint %q, want %q in it", c.preset, c.err, h, c.want)
		}
		if exitcode.For(got) != exitcode.For(c.err) {
			t.Errorf("%s %v: exit %d, want %d", c.preset, c.err, exitcode.For(got), exitcode.For(c.err))
		}
	}
	// No preset, no provider's advice.
	if err := presetHint(&Settings{}, auth(535, "x")); errors.As(err, new(*exitcode.Coded)) {
		t.Error("a hint without a preset")
	}
}
