package message

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/mailcheck"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixed makes composition deterministic: clock, randomness, boundaries.
func fixed(m *Message) *Message {
	m.Date = time.Date(2026, 11, 26, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	m.Rand = bytes.NewReader(bytes.Repeat([]byte{0xab}, 4096))
	m.Boundary = func(d int) string { return fmt.Sprintf("=_postie_boundary_%d", d) }
	return m
}

func bytesAttachment(name, ctype string, b []byte, inline bool) Attachment {
	return Attachment{Name: name, ContentType: ctype, Size: int64(len(b)), Inline: inline,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

var png1x1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

func goldenCases() map[string]*Message {
	return map[string]*Message{
		"seed": fixed(&Message{
			From: Address{Addr: "alice@163.com"}, To: []Address{{Addr: "bob@qq.com"}},
			Subject: "I love computer networks!", Text: "I love computer networks!",
		}),
		"chinese": fixed(&Message{
			From: Address{Name: "张三", Addr: "zhangsan@163.com"}, To: []Address{{Name: "李四", Addr: "lisi@qq.com"}},
			Cc: []Address{{Name: "Wang, Wu", Addr: "wangwu@126.com"}}, Bcc: []Address{{Addr: "secret@x.test"}},
			Subject: "测试邮件：你好，世界！这是一个很长的主题，用来检查折行与编码字是否正确地分开而不会切断任何一个汉字。",
			Text:    "你好，世界！\n第二行。\n",
			Headers: [][2]string{{"X-Mailer", "postie"}},
		}),
		"html-inline-attach": fixed(&Message{
			From: Address{Name: "Alice", Addr: "alice@example.com"}, To: []Address{{Addr: "bob@example.com"}},
			ReplyTo: []Address{{Addr: "noreply@example.com"}},
			Subject: "Report", Text: "See the chart.", HTML: `<p>See <img src="cid:chart.png"></p>`,
			Attachments: []Attachment{
				bytesAttachment("chart.png", "image/png", png1x1, true),
				bytesAttachment("报告.pdf", "application/pdf", []byte("%PDF-1.4 fake\n"), false),
			},
		}),
	}
}

func TestGolden(t *testing.T) {
	for name, m := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := m.WriteTo(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(buf.Len()) {
				t.Fatalf("WriteTo returned %d, wrote %d", n, buf.Len())
			}
			size, err := m.Size()
			if err != nil || size != n {
				t.Fatalf("Size() = %d, %v; WriteTo wrote %d", size, err, n)
			}
			path := filepath.Join("testdata", "golden", name+".eml")
			if *update {
				os.WriteFile(path, buf.Bytes(), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("output differs from %s (run with -update after checking):\n%s", path, buf.String())
			}
			// The golden file is re-parsed: a wrong golden cannot pass.
			checkWellFormed(t, want)
			pm, err := mailcheck.Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			if pm.Subject != m.Subject {
				t.Errorf("subject decodes to %q", pm.Subject)
			}
			wantFrom := m.From.Addr
			if m.From.Name != "" {
				wantFrom = m.From.Name + " <" + m.From.Addr + ">"
			}
			if got := pm.DecodedHeader("From"); got != wantFrom {
				t.Errorf("From decodes to %q, want %q", got, wantFrom)
			}
			if pm.Header.Get("Bcc") != "" || bytes.Contains(want, []byte("secret@x.test")) {
				t.Error("Bcc leaked into the message")
			}
			for _, a := range m.Attachments {
				p, ok := pm.Attachment(a.Name)
				rc, _ := a.Open()
				b, _ := io.ReadAll(rc)
				if !ok || !bytes.Equal(p.Body, b) {
					t.Errorf("attachment %q: found %v, %d bytes", a.Name, ok, len(p.Body))
				}
			}
			if m.Text != "" && strings.TrimRight(pm.Text("plain"), "\r\n") != strings.ReplaceAll(strings.TrimRight(m.Text, "\n"), "\n", "\r\n") {
				t.Errorf("text part %q", pm.Text("plain"))
			}
		})
	}
}

// checkWellFormed: CRLF everywhere, no line over 998 octets, 7-bit only
// (the default composer output needs neither 8BITMIME nor SMTPUTF8).
func checkWellFormed(t *testing.T, b []byte) {
	t.Helper()
	for i, line := range bytes.Split(b, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Fatalf("line %d is %d octets", i+1, len(line))
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("line %d has an 8-bit byte: %q", i+1, line)
			}
		}
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatal("message does not end with CRLF")
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	base := func() *Message {
		return &Message{From: Address{Addr: "a@x.test"}, To: []Address{{Addr: "b@x.test"}}, Text: "x"}
	}
	cases := map[string]func(m *Message){
		"Subject":        func(m *Message) { m.Subject = "Hi\r\nBcc: x@evil.test" },
		"Subject LF":     func(m *Message) { m.Subject = "Hi\nBcc: x@evil.test" },
		"From name":      func(m *Message) { m.From.Name = "A\r\nBcc: x@evil.test" },
		"To address":     func(m *Message) { m.To[0].Addr = "b@x.test\r\nBcc: x@evil.test" },
		"header value":   func(m *Message) { m.Headers = [][2]string{{"X-A", "1\r\nBcc: x@evil.test"}} },
		"header name":    func(m *Message) { m.Headers = [][2]string{{"X-A\r\nBcc", "x"}} },
		"bcc via header": func(m *Message) { m.Headers = [][2]string{{"Bcc", "x@evil.test"}} },
		// A name cannot be folded: one of 2,000 octets is a line SMTP
		// cannot carry (found by FuzzTemplate).
		"long header name": func(m *Message) { m.Headers = [][2]string{{strings.Repeat("X", MaxFieldName+1), "x"}} },
		"attachment name":  func(m *Message) { m.Attachments = []Attachment{bytesAttachment("a\r\nBcc: x.txt", "", nil, false)} },
		"NUL":              func(m *Message) { m.Subject = "a\x00b" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			m := base()
			mutate(m)
			var buf bytes.Buffer
			_, err := m.WriteTo(&buf)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want FieldError", err)
			}
			if buf.Len() != 0 {
				t.Fatal("wrote bytes despite the error")
			}
		})
	}
}

// TestLongDisplayNameIsFolded: a display name with a 2,000-octet word (a
// merge row's value) is encoded so that every line stays within 998
// octets, and reads back as the same name.
func TestLongDisplayNameIsFolded(t *testing.T) {
	for _, name := range []string{strings.Repeat("x", 2000), `"` + strings.Repeat("y", 1500) + `" q`, strings.Repeat("张", 700), strings.Repeat(`\`, 600), strings.Repeat(`"`, 600)} {
		m := &Message{From: Address{Addr: "a@x.test"}, To: []Address{{Name: name, Addr: "b@x.test"}}, Text: "x"}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(buf.String(), "\r\n") {
			if len(l) > 998 {
				t.Fatalf("a line of %d octets", len(l))
			}
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatal(err)
		}
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Name != name || to[0].Address != "b@x.test" {
			t.Fatalf("To reads back as %+v, %v", to, err)
		}
	}
}

func TestEncodedWordsNeverSplitCharacters(t *testing.T) {
	s := strings.Repeat("汉字测试🚀é", 40)
	m := fixed(&Message{From: Address{Addr: "a@x.test"}, To: []Address{{Addr: "b@x.test"}}, Subject: s, Text: "x"})
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, buf.Bytes())
	for _, w := range strings.Fields(strings.ReplaceAll(buf.String(), "\r\n", " ")) {
		if strings.HasPrefix(w, "=?") && len(w) > 75 {
			t.Fatalf("encoded-word longer than 75: %s", w)
		}
	}
	pm, err := mailcheck.Parse(buf.Bytes())
	if err != nil || pm.Subject != s {
		t.Fatalf("subject round trip: %v %q", err, pm.Subject)
	}
}

func TestTransferEncodings(t *testing.T) {
	for text, want := range map[string]string{
		"plain ascii\nshort lines\n": "7bit",
		"中文":                         "quoted-printable",
		strings.Repeat("x", 200):     "quoted-printable",
		"bare\rcr":                   "quoted-printable",
		"ascii\r\nwith crlf\r\n":     "7bit",
	} {
		if got := textEncoding(text, false); got != want {
			t.Errorf("textEncoding(%q) = %s, want %s", text, got, want)
		}
	}
	if textEncoding("中文", true) != "8bit" {
		t.Error("8bit not chosen when allowed")
	}
	m := &Message{From: Address{Addr: "a@x.test"}, Text: "中文", Allow8Bit: true}
	if !m.Needs8BitMIME() {
		t.Error("Needs8BitMIME false for 8bit text")
	}
	m.Allow8Bit = false
	if m.Needs8BitMIME() {
		t.Error("Needs8BitMIME true for the 7-bit form")
	}
	if !(&Message{To: []Address{{Addr: "用户@例子.test"}}}).NeedsSMTPUTF8() {
		t.Error("NeedsSMTPUTF8 false for a UTF-8 address")
	}
}

func TestBase64Len(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 56, 57, 58, 114, 1000, 100000} {
		var buf bytes.Buffer
		w := Base64Writer(&buf)
		w.Write(bytes.Repeat([]byte{7}, n))
		w.Close()
		if int64(buf.Len()) != base64Len(int64(n)) {
			t.Errorf("n=%d: wrote %d, base64Len says %d", n, buf.Len(), base64Len(int64(n)))
		}
	}
}
