package message_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

// Compose a message with a Chinese subject and display name, text and
// HTML bodies and an attachment; it streams to any io.Writer.
func ExampleMessage_WriteTo() {
	m := &message.Message{
		From:    message.Address{Name: "张三", Addr: "zhangsan@163.com"},
		To:      []message.Address{{Addr: "lisi@qq.com"}},
		Bcc:     []message.Address{{Addr: "boss@example.com"}}, // envelope only
		Subject: "我爱计算机网络",
		Text:    "I love computer networks!",
		HTML:    "<p>I love computer networks!</p>",
		Attachments: []message.Attachment{{
			Name: "报告.txt", ContentType: "text/plain", Size: 5,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("hello")), nil },
		}},
		// Fixed clock, randomness and boundaries make the output repeatable.
		Date:     time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC),
		Rand:     bytes.NewReader(make([]byte, 64)),
		Boundary: func(depth int) string { return fmt.Sprintf("b%d", depth) },
	}
	var out bytes.Buffer
	if _, err := m.WriteTo(&out); err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range strings.Split(out.String(), "\r\n")[:9] {
		fmt.Println(l)
	}
	fmt.Println("envelope recipients:", m.Recipients())
	// Output:
	// Date: Thu, 26 Nov 2026 08:00:00 +0000
	// From: =?UTF-8?b?5byg5LiJ?= <zhangsan@163.com>
	// To: lisi@qq.com
	// Subject: =?UTF-8?b?5oiR54ix6K6h566X5py6572R57uc?=
	// Message-ID: <00000000000000000000000000000000@163.com>
	// MIME-Version: 1.0
	// Content-Type: multipart/mixed; boundary="b0"
	//
	// --b0
	// envelope recipients: [lisi@qq.com boss@example.com]
}

// Send a message through a provider with the engine: the README's "As a
// library", kept identical to it by TestReadmeLibrarySnippet. Compiled,
// not run: it needs a real account.
func Example_send() {
	ctx := context.Background()
	code := os.Getenv("POSTIE_PASSWORD")
	// README: begin
	// ctx is your context; code the authorization code (163) or app password.
	c, err := smtp.Dial(ctx, "smtp.163.com:465", &smtp.Options{TLS: smtp.TLSImplicit})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Quit(ctx)
	mech, err := c.ChooseMechanism(smtp.Credentials{Username: "you@163.com", Password: code}, "")
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Auth(ctx, mech); err != nil { // or c.Auth(ctx, sasl.Login("you@163.com", code))
		log.Fatal(err)
	}
	m := &message.Message{
		From:    message.Address{Name: "张三", Addr: "you@163.com"},
		To:      []message.Address{{Addr: "friend@qq.com"}},
		Subject: "你好",
		Text:    "I love computer networks!",
	}
	m.Fill() // fixes Date and Message-ID, so Size and every write agree
	size, err := m.Size()
	if err != nil {
		log.Fatal(err)
	}
	env := &smtp.Envelope{From: m.From.Addr, To: m.Recipients(), Mail: smtp.MailOptions{Size: size}}
	res, err := c.Send(ctx, env, m.Body()) // Body streams, and re-opens for each transaction
	if errors.Is(err, smtp.ErrMaybeDelivered) {
		log.Fatal("connection lost after the message was sent: check before sending it again")
	}
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res.Failed() {
		fmt.Println("not delivered to", r.Address+":", r.Err) // r.Err is an error, *smtp.Error for a refusal
	}
	fmt.Println("queued as", res.QueueID)
	// README: end
}
