package inbox

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/sasl"
	"github.com/postie/postie/smtp"
)

// A message delivered through postie's own server and client: the
// transcript API gives the whole session, redacted, each line explained
// in the language asked for; the page shows it as expandable lines.
func TestTranscriptOfADelivery(t *testing.T) {
	b := newBox(t)
	bundle, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := capture.New(capture.Config{Maildir: b.maildir, TLSConfig: bundle.ServerConfig(),
		Users: map[string]string{"demo": "s3cret-pw"}, OnMessage: func(s capture.Stored) { b.in.Notify(s.Path) }})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ev := b.listen()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := smtp.Dial(ctx, ln.Addr().String(), &smtp.Options{TLSConfig: &tls.Config{RootCAs: bundle.Pool, ServerName: "localhost"}, LocalName: "client.test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(ctx, sasl.Login("demo", "s3cret-pw")); err != nil {
		t.Fatal(err)
	}
	msg := "From: a@x.test\r\nTo: b@x.test\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\n\r\nhello\r\n"
	if _, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody([]byte(msg))); err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	name, data := ev.next(t)
	if name != "new" || !strings.Contains(data, `"subject":"你好"`) {
		t.Fatalf("event %s %s", name, data)
	}
	var p Page
	b.getJSON("/api/v1/messages", &p)
	id := p.Messages[0].ID

	// The session file is complete once the connection has ended.
	var tr Transcript
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b.getJSON("/api/v1/messages/"+id+"/transcript?lang=en", &tr)
		if n := len(tr.Lines); n > 0 && tr.Lines[n-1].Text == "connection closed" || time.Now().After(deadline) {
			break
		}
	}
	var text strings.Builder
	for _, l := range tr.Lines {
		text.WriteString(l.Dir + ": " + l.Text + "\n    " + l.Explanation + "\n")
		if l.Explanation == "" {
			t.Errorf("no explanation for %s: %s", l.Dir, l.Text)
		}
	}
	all := text.String()
	for _, secret := range []string{"s3cret-pw", base64.StdEncoding.EncodeToString([]byte("s3cret-pw")), base64.StdEncoding.EncodeToString([]byte("demo"))} {
		if strings.Contains(all, secret) {
			t.Fatalf("the transcript holds %q:\n%s", secret, all)
		}
	}
	for _, want := range []string{
		"C: EHLO client.test\n", "S: 250-PIPELINING\n    PIPELINING: the client may send several commands", "C: STARTTLS\n",
		"*: TLS handshake: TLS 1.3, cipher TLS_", "S: 334 VXNlcm5hbWU6\n    base64 of 'Username:': the server asks for your user name",
		"C: <redacted>\n", "S: 235 2.0.0 Authentication succeeded\n    235: the login succeeded",
		"C: MAIL FROM:<a@x.test>", "C: RCPT TO:<b@x.test>", "C: BDAT ", "S: 250 2.0.0 OK: queued\n    250: the server has taken the whole message",
		"C: QUIT\n", "*: connection closed\n",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("transcript lacks %q:\n%s", want, all)
		}
	}
	var zh Transcript
	b.getJSON("/api/v1/messages/"+id+"/transcript", &zh, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")
	if zh.Language != "zh" || !strings.Contains(zh.Lines[1].Explanation, "服务器已就绪") {
		t.Fatalf("Chinese explanations: %s %+v", zh.Language, zh.Lines[1])
	}
	page := b.get("/m/"+id, "Accept-Language", "zh-CN")
	if !strings.Contains(page.body, `<details><summary><span class="at">`) || !strings.Contains(page.body, "服务器请你给出用户名") ||
		!strings.Contains(page.body, "SMTP 会话") {
		t.Fatalf("the page's session section:\n%s", page.body)
	}
}
