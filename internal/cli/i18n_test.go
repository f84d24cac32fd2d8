package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

func inChinese(t *testing.T) {
	t.Helper()
	i18n.SetLang(i18n.ZH)
	i18n.SetErrorText(errorText)
	t.Cleanup(func() { i18n.SetLang(i18n.EN); i18n.SetErrorText(nil) })
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Every command's help is in Chinese: its Short, Long and each flag's
// usage. A text not given to i18n when the command is built (a new flag,
// a new command) fails here, where the catalogue test cannot see it.
func TestHelpIsTranslated(t *testing.T) {
	inChinese(t)
	a := &App{}
	root := a.root(nil)
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		if !hasHan(c.Short) {
			t.Errorf("%s: Short %q is not translated", c.CommandPath(), c.Short)
		}
		if c.Long != "" && !hasHan(c.Long) {
			t.Errorf("%s: Long is not translated", c.CommandPath())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			n++
			if !f.Hidden && !hasHan(f.Usage) {
				t.Errorf("%s --%s: usage %q is not translated", c.CommandPath(), f.Name, f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 50 {
		t.Fatalf("only %d flags seen", n)
	}
}

// Errors made below the CLI are written in Chinese from their types; the
// codes, addresses, files and the server's words stay as they are.
func TestErrorTextFromTypes(t *testing.T) {
	inChinese(t)
	for _, c := range []struct {
		err  error
		want string
	}{
		{&smtp.Error{Command: "RCPT TO:<b@x.test>", Code: 550, Enhanced: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, "RCPT TO:<b@x.test>：服务器回复 550 5.1.1 no such user"},
		{&smtp.Error{Command: "AUTH PLAIN AGJvYgBodW50ZXIy", Code: 501}, "AUTH：服务器回复 501"},
		{&smtp.AuthError{Mechanism: "LOGIN", Reply: &smtp.Error{Code: 535, Message: "Error: \xc7\xeb\xca\xb9\xd3\xc3\xca\xda\xc8\xa8\xc2\xeb\xb5\xc7\xc2\xbc"}}, "AUTH LOGIN：凭据被拒绝：服务器回复 535 Error: 请使用授权码登录"},
		{&smtp.AuthError{Mechanism: "PLAIN", Reply: &smtp.Error{Code: 454}}, "AUTH PLAIN：认证暂时失败：服务器回复 454"},
		{&smtp.TimeoutError{Step: "greeting", After: 10 * time.Second}, "10s 内没有收到完整的回复"},
		{&smtp.TooLargeError{Size: 2048, Max: 1024}, "邮件有 2048 字节；服务器最多接受 1024 字节（SIZE）"},
		{&smtp.UnsupportedError{Extension: "SMTPUTF8"}, "服务器不支持 SMTPUTF8"},
		{&net.DNSError{Name: "smtp.nowhere.invalid", IsNotFound: true}, "找不到主机：smtp.nowhere.invalid"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, "连接被拒绝"},
		{&fs.PathError{Op: "open", Path: "a.pdf", Err: syscall.ENOENT}, "a.pdf：没有这个文件或目录"},
		{&config.Error{Path: "c.toml", Line: 2, Key: "accounts.x.pasword", Err: config.ErrUnknownKey}, "c.toml:2: accounts.x.pasword: 未知的键（拼错了？）"},
		{&config.Error{Path: "c.toml", Err: &config.NoAccountError{Name: "wrok", Have: []string{"work"}}}, `c.toml: 没有账户 "wrok"（现有：work）`},
		{&config.Error{Err: &config.CommandError{What: i18n.Mark("password"), ExitCode: 3}}, "获取密码的命令失败，退出码 3；请自己运行一下看看原因"},
		{exitcode.With(exitcode.Config, &config.Error{Path: "p", Err: &config.PermissionError{Path: "p", Mode: 0o644, Owner: -1}}, ""), "p: p 的权限是 0644，别人也能读取；请改为 0600（chmod 600 p）"},
		{&exitcode.RecipientsError{Failed: []smtp.RcptStatus{{Address: "b@x.test", Err: &smtp.Error{Code: 450, Message: "greylisted"}}}}, "没有投递给 <b@x.test>（服务器回复 450 greylisted）"},
		{errors.New("something below postie cannot name"), "something below postie cannot name"},
	} {
		if got := errorText(c.err); got != c.want {
			t.Errorf("%T:\n got %q\nwant %q", c.err, got, c.want)
		}
	}
	// A wrapper from below keeps its words; what it wraps is translated.
	w := wrapf("connect %s: ", "127.0.0.1:25", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED})
	if got := errorText(w); got != "connect 127.0.0.1:25: 连接被拒绝" {
		t.Errorf("wrapped: %q", got)
	}
}

type prefixed struct {
	p   string
	err error
}

func (e *prefixed) Error() string { return e.p + e.err.Error() }
func (e *prefixed) Unwrap() error { return e.err }

func wrapf(format, arg string, err error) error {
	return &prefixed{strings.Replace(format, "%s", arg, 1), err}
}

// English is untouched: errText is err.Error().
func TestErrorTextInEnglish(t *testing.T) {
	i18n.SetLang(i18n.EN)
	err := &smtp.Error{Command: "RCPT TO:<b@x.test>", Code: 550, Message: "no such user"}
	if got := errText(err); got != err.Error() {
		t.Errorf("%q", got)
	}
}

func TestProgressLineInChinese(t *testing.T) {
	inChinese(t)
	t0 := time.Unix(1000, 0)
	now := t0.Add(2 * time.Second)
	var buf bytes.Buffer
	p := &progress{w: &buf, total: 100 << 20, now: func() time.Time { return now }, start: t0, last: t0}
	p.add(20 << 20)
	if got := buf.String(); !strings.Contains(got, "postie: 正在发送 20.0 MiB / 100.0 MiB（ 20%）  10.0 MiB/s  剩余 8s") {
		t.Fatalf("%q", got)
	}
}
