package message_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

func multipartMessage() *message.Message {
	return &message.Message{
		From: message.Address{Addr: "a@x.test"}, To: []message.Address{{Addr: "b@x.test"}},
		Subject: "report", Text: "see attached", HTML: "<p>see attached</p>",
		Attachments: []message.Attachment{{Name: "r.txt", ContentType: "text/plain", Size: 5,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("hello")), nil }}},
	}
}

func writeString(t *testing.T, m *message.Message) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func open(t *testing.T, body func() (io.ReadCloser, error)) string {
	t.Helper()
	rc, err := body()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// WriteTo, Size and Body leave the caller's message as it was.
func TestWritingDoesNotChangeTheMessage(t *testing.T) {
	m := multipartMessage()
	writeString(t, m)
	if _, err := m.Size(); err != nil {
		t.Fatal(err)
	}
	open(t, m.Body())
	if !m.Date.IsZero() || m.MessageID != "" {
		t.Fatalf("the message was changed: Date %v, Message-ID %q", m.Date, m.MessageID)
	}
}

// A filled message writes the same bytes every time, MIME boundaries
// included, and Size counts them; Body's every open gives them too, for
// an unfilled message as well.
func TestFilledMessageWritesTheSameBytes(t *testing.T) {
	m := multipartMessage()
	m.Fill()
	first, second := writeString(t, m), writeString(t, m)
	if first != second {
		t.Fatalf("two writes differ:\n%s\n----\n%s", first, second)
	}
	if !strings.Contains(first, "boundary=") {
		t.Fatal("not a multipart message")
	}
	if n, err := m.Size(); err != nil || n != int64(len(first)) {
		t.Fatalf("Size %d, %v; wrote %d", n, err, len(first))
	}
	if b := open(t, m.Body()); b != first {
		t.Fatal("Body differs from WriteTo for a filled message")
	}
	u := multipartMessage()
	body := u.Body()
	if a, b := open(t, body), open(t, body); a != b {
		t.Fatal("two opens of Body differ")
	}
}

// A boundary the text happens to contain is passed over; the text
// arrives whole.
func TestBoundaryNotInTheText(t *testing.T) {
	m := multipartMessage()
	m.MessageID, m.Date = "<fixed@x.test>", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	boundaries := regexp.MustCompile(`boundary="([^"]+)"`)
	first := boundaries.FindAllStringSubmatch(writeString(t, m), -1)
	if len(first) != 2 {
		t.Fatalf("boundaries %v", first)
	}
	m.Text = "quoting a message:\n--" + first[0][1] + "\nthe end\n"
	m.HTML = "<pre>--" + first[1][1] + "</pre>"
	out := writeString(t, m)
	for _, b := range boundaries.FindAllStringSubmatch(out, -1) {
		if b[1] == first[0][1] || b[1] == first[1][1] {
			t.Fatalf("boundary %s is in the text", b[1])
		}
	}
	pm, err := mailcheck.Parse([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(pm.Text("plain"), "\r\n", "\n"); got != m.Text {
		t.Fatalf("text arrived as %q", got)
	}
}

// Body is an smtp.Body: the engine sends it as composed.
func TestBodyThroughTheEngine(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx.test
C: EHLO *
S: 250 mx.test
C: MAIL FROM:<a@x.test>
S: 250 ok
C: RCPT TO:<b@x.test>
S: 250 ok
C: DATA
S: 354 go
C: <data>
S: 250 ok
C: QUIT
S: 221 bye`)
	ctx := context.Background()
	c, err := smtp.Dial(ctx, srv.Addr, &smtp.Options{TLS: smtp.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	m := multipartMessage()
	var body smtp.Body = m.Body()
	if _, err := c.Send(ctx, &smtp.Envelope{From: "a@x.test", To: m.Recipients()}, body); err != nil {
		t.Fatal(err)
	}
	c.Quit(ctx)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, want := string(srv.Data()[0]), open(t, body); got != want {
		t.Fatalf("the server got:\n%s\nBody gives:\n%s", got, want)
	}
}
