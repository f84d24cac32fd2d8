package explain

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/postie/postie/internal/i18n"
)

type step struct {
	dir  Dir
	line string
	want []string // substrings of the English explanation
	zh   []string // substrings of the Chinese one
}

func walk(t *testing.T, steps []step) {
	t.Helper()
	en, zh := New(i18n.EN), New(i18n.ZH)
	for _, s := range steps {
		ge, gz := en.Explain(s.dir, s.line), zh.Explain(s.dir, s.line)
		for _, w := range s.want {
			if !strings.Contains(ge, w) {
				t.Errorf("%c %q:\n got %q\nwant %q", s.dir, s.line, ge, w)
			}
		}
		for _, w := range s.zh {
			if !strings.Contains(gz, w) {
				t.Errorf("%c %q (zh):\n got %q\nwant %q", s.dir, s.line, gz, w)
			}
		}
	}
}

// A whole session as postie serve records it, and as postie send prints it.
func TestSession(t *testing.T) {
	walk(t, []step{
		{Event, "connection from 127.0.0.1:5555 to 127.0.0.1:2525", []string{"server speaks first"}, []string{"服务器先用 220"}},
		{Server, "220 localhost ESMTP Service Ready", []string{"220: the server is ready"}, []string{"服务器已就绪"}},
		{Client, "EHLO client.example", []string{"asks which extensions"}, []string{"询问服务器支持哪些扩展"}},
		{Server, "250-Hello client.example", []string{"lines that follow list the extensions"}, nil},
		{Server, "250-PIPELINING", []string{"PIPELINING: the client may send several commands", "RFC 2920"}, []string{"连发多条命令"}},
		{Server, "250-SIZE 1048576", []string{"largest message the server accepts is 1048576 octets"}, []string{"1048576 字节"}},
		{Server, "250-AUTH PLAIN LOGIN", []string{"mechanisms: PLAIN LOGIN"}, []string{"PLAIN LOGIN"}},
		{Server, "250-X-FANCY", []string{"does not know"}, nil},
		{Server, "250 STARTTLS", []string{"upgraded to TLS"}, nil},
		{Client, "STARTTLS", []string{"encrypted TLS connection"}, []string{"TLS 连接"}},
		{Server, "220 2.0.0 Ready to start TLS", []string{"go ahead with TLS", "Enhanced code 2.0.0: success"}, []string{"可以开始 TLS", "增强状态码 2.0.0：成功"}},
		{Event, "TLS handshake: TLS 1.3, cipher TLS_AES_128_GCM_SHA256, server name localhost", []string{"encrypted with TLS 1.3"}, []string{"TLS 1.3"}},
		{Client, "EHLO client.example", nil, nil},
		{Server, "250-Hello", nil, nil},
		{Server, "250 AUTH PLAIN LOGIN", []string{"AUTH: the server accepts logins"}, nil},
		{Client, "AUTH LOGIN", []string{"logging in with the LOGIN mechanism"}, []string{"用 LOGIN 方式登录"}},
		{Server, "334 VXNlcm5hbWU6", []string{"base64 of 'Username:': the server asks for your user name"}, []string{"'Username:' 的 base64：服务器请你给出用户名"}},
		{Client, "<redacted>", []string{"credentials in base64, hidden"}, []string{"base64 只是编码，不是加密"}},
		{Server, "334 UGFzc3dvcmQ6", []string{"base64 of 'Password:': the server asks for your password"}, []string{"请你给出密码"}},
		{Client, "<redacted>", nil, nil},
		{Server, "235 2.7.0 Authentication succeeded", []string{"the login succeeded"}, []string{"登录成功"}},
		// A pipelined group: the replies come back in order.
		{Client, "MAIL FROM:<alice@x.test> SIZE=1234 BODY=8BITMIME", []string{"envelope sender <alice@x.test>", "SIZE declares", "8BITMIME"}, []string{"<alice@x.test>", "SIZE 预先声明"}},
		{Client, "RCPT TO:<bob@x.test>", []string{"one recipient of the message, <bob@x.test>"}, nil},
		{Client, "RCPT TO:<nobody@x.test>", nil, nil},
		{Client, "DATA", []string{"send the message itself"}, nil},
		{Server, "250 2.1.0 Sender OK", []string{"accepts this sender", "Enhanced code 2.1.0: success, about an address"}, nil},
		{Server, "250 2.1.5 Recipient OK", []string{"accepts this recipient", "the destination address is valid"}, nil},
		{Server, "550-5.1.1 The email account that you tried to reach", []string{"550: refused for good", "5.1.1", "the mailbox does not exist"}, []string{"永久拒绝", "邮箱不存在"}},
		{Server, "550 5.1.1 does not exist.", []string{"More text of the same 550 reply"}, []string{"同一个 550 回复"}},
		{Server, "354 Go ahead", []string{"354: go ahead, send the message"}, nil},
		{Client, "<message: 228 octets, 10 lines>", []string{"(228 octets, 10 lines)"}, nil},
		{Client, ".", []string{"single dot ends the message"}, []string{"只有一个点的一行"}},
		{Event, "message stored as 1.P1Q1.host (228 octets)", []string{"wrote the message to its Maildir"}, nil},
		{Server, "250 2.0.0 OK: queued as 7F3A", []string{"taken the message and is now responsible", "queue ID"}, []string{"对它负责"}},
		{Client, "BDAT 4096", []string{"next 4096 octets"}, nil},
		{Client, "BDAT 12 LAST", []string{"last 12 octets"}, nil},
		{Server, "250 2.0.0 chunk", []string{"received this chunk"}, nil},
		{Server, "250 2.0.0 done", []string{"taken the whole message"}, nil},
		{Client, "QUIT", []string{"says goodbye"}, []string{"说再见"}},
		{Server, "221 2.0.0 Bye", []string{"221: the server says goodbye"}, nil},
		{Event, "connection closed", []string{"closed"}, []string{"连接已关闭"}},
	})
}

func TestRepliesByClassAndEnhancedCodes(t *testing.T) {
	e := New(i18n.EN)
	for line, want := range map[string]string{
		"599 odd":             "599: failed for good",
		"215 list follows":    "215: success (2yz, positive completion). It is information.",
		"421 4.7.0 too many":  "Enhanced code 4.7.0: temporary failure, about security or policy",
		"535 5.7.8 bad creds": "the credentials are invalid",
		"530 5.7.0 Must issue a STARTTLS command first": "log in (or use TLS) first",
		"452 4.3.1 Mailbox full":                        "the mail system is full",
		"554 5.9.99 weird":                              "Enhanced code 5.9.99: permanent failure, other or undefined, nothing more to say",
		"550 4.1.1 class mismatch":                      "550: refused for good",
		"451 4.4.2 lost":                                "a bad connection",
	} {
		got := e.Explain(Server, line)
		if !strings.Contains(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", line, got, want)
		}
		if line == "550 4.1.1 class mismatch" && strings.Contains(got, "Enhanced") {
			t.Errorf("an enhanced code whose class disagrees with the reply is explained: %q", got)
		}
	}
}

func TestChallenges(t *testing.T) {
	for line, want := range map[string]string{
		"334 ": "ready for the client's credentials",
		"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+": "base64 of '<1896.697170952@postoffice.reston.mci.net>': a one-time challenge",
		"334 eyJzdGF0dXMiOiI0MDEifQ==":                                 `base64 of '{"status":"401"}': the login failed`,
		"334 AAECAw==":                                                 "4 octets of binary data",
		"334 not-base64!":                                              "334: the server asks for the next step",
		"334 G1syShtdMDtwd25lZAc=":                                     "14 octets of binary data", // a challenge with escapes is not shown as text
	} {
		e := New(i18n.EN)
		e.Explain(Client, "AUTH X")
		got := e.Explain(Server, line)
		if !strings.Contains(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", line, got, want)
		}
	}
}

// Text from the network that an explanation repeats is escaped.
func TestExplanationsEscapeNetworkText(t *testing.T) {
	got := New(i18n.EN).Explain(Client, "MAIL FROM:<\"\x1b]0;pwned\x07\u202e\"@x.test>")
	if strings.ContainsAny(got, "\x1b\x07\u202e") || !strings.Contains(got, `\x1b]0;pwned\x07\u202e`) {
		t.Fatalf("%q", got)
	}
}

// FuzzExplain: any sequence of lines gets an explanation each, and every
// explanation is safe for a terminal (valid UTF-8, no control character).
func FuzzExplain(f *testing.F) {
	f.Add("EHLO x\n250-PIPELINING\n250 AUTH PLAIN\nAUTH LOGIN\n334 VXNlcm5hbWU6", byte(0))
	f.Add("334 G1syShtdMDtwd25lZAc=\n550 5.1.1 x\n*TLS handshake: x", byte(3))
	f.Fuzz(func(t *testing.T, lines string, dirs byte) {
		for _, l := range []i18n.Lang{i18n.EN, i18n.ZH} {
			e := New(l)
			for i, line := range strings.Split(lines, "\n") {
				d := []Dir{Client, Server, Event}[(int(dirs)+i)%3]
				got := e.Explain(d, line)
				if got == "" || !utf8.ValidString(got) || strings.ContainsAny(got, "\x00\x07\x1b\r\n\u009b\u202e") {
					t.Fatalf("%c %q -> %q", d, line, got)
				}
			}
		}
	})
}
