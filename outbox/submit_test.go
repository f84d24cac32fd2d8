package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/outboxtest"
)

// captureStore keeps what Submit would store, for tests of Submit alone.
type captureStore struct {
	outbox.Store
	entry *outbox.Entry
	body  []byte
}

func (c *captureStore) Enqueue(ctx context.Context, e *outbox.Entry, body io.Reader) (*outbox.Entry, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	c.entry, c.body = e, b
	return e, nil
}

func submit(t testing.TB, msg string, o *outbox.SubmitOptions) (*captureStore, error) {
	c := &captureStore{}
	if o == nil {
		o = &outbox.SubmitOptions{Clock: outboxtest.NewClock(outboxtest.Epoch)}
	}
	_, err := outbox.Submit(context.Background(), c, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "me@example.org", Recipients: outboxtest.Rcpts("you@example.net")}, strings.NewReader(msg), o)
	return c, err
}

func TestSubmitFixesMessageIDAndDate(t *testing.T) {
	c, err := submit(t, "Subject: hi\nTo: you@example.net\n\nline one\nline two", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "Subject: hi\r\nTo: you@example.net\r\nDate: Mon, 26 Jan 2026 12:00:00 +0000\r\nMessage-ID: " + c.entry.MessageID + "\r\n\r\nline one\r\nline two\r\n"
	if string(c.body) != want {
		t.Fatalf("got\n%q\nwant\n%q", c.body, want)
	}
	if !strings.HasPrefix(c.entry.MessageID, "<"+string(c.entry.ID)+"@example.org>") || c.entry.Subject != "hi" {
		t.Fatalf("entry %+v", c.entry)
	}
	// Submitting the result again changes nothing: the same bytes, the same id.
	c2, err := submit(t, string(c.body), nil)
	if err != nil || !bytes.Equal(c2.body, c.body) || c2.entry.MessageID != c.entry.MessageID {
		t.Fatalf("not idempotent: %v\n%q", err, c2.body)
	}
}

func TestSubmitKeepsHeaderFields(t *testing.T) {
	msg := "Date: Tue, 1 Jan 2030 00:00:00 +0000\r\nMessage-ID:\r\n <kept@example.org>\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\n\r\n.leading dot\r\n"
	c, err := submit(t, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.body) != msg || c.entry.MessageID != "<kept@example.org>" || c.entry.Subject != "=?UTF-8?B?5L2g5aW9?=" {
		t.Fatalf("%q %+v", c.body, c.entry)
	}
}

func TestSubmitBodyWithoutHeader(t *testing.T) {
	c, err := submit(t, "just text, no header\r\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(c.body), "\r\n\r\njust text, no header\r\n") || !strings.HasPrefix(string(c.body), "Date: ") {
		t.Fatalf("%q", c.body)
	}
}

func TestSubmitRefusesLongLines(t *testing.T) {
	_, err := submit(t, "Subject: x\r\n\r\n"+strings.Repeat("a", 999)+"\r\n", nil)
	var me *outbox.MessageError
	if !errors.As(err, &me) || !strings.Contains(me.Reason, "line 3") {
		t.Fatalf("%v", err)
	}
	if _, err := submit(t, "Subject: x\r\n\r\n"+strings.Repeat("a", 998)+"\r\n", nil); err != nil {
		t.Fatalf("998 octets refused: %v", err)
	}
}

func TestSubmitChecksTheEnvelope(t *testing.T) {
	c := &captureStore{}
	for _, e := range []*outbox.Entry{
		{Route: outbox.Route{Server: "x"}, From: "a@x.test"},
		{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: outboxtest.Rcpts("bad\r\nRCPT TO:<x@y>")},
		{Route: outbox.Route{}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")},
		{Route: outbox.Route{Server: "x", Account: "y"}, From: "a@x.test", Recipients: outboxtest.Rcpts("b@y.test")},
		{Route: outbox.Route{Server: "x"}, From: "a\r\n@x.test", Recipients: outboxtest.Rcpts("b@y.test")},
	} {
		if _, err := outbox.Submit(context.Background(), c, e, strings.NewReader("x"), nil); err == nil {
			t.Errorf("accepted %+v", e)
		}
	}
	if c.entry != nil {
		t.Fatal("something was stored")
	}
	e, err := outbox.Submit(context.Background(), c, &outbox.Entry{Route: outbox.Route{Direct: true}, Recipients: outboxtest.Rcpts("b@y.test", "b@y.test", "c@y.test")}, strings.NewReader("x"), nil)
	if err != nil || len(e.Recipients) != 2 || e.From != "" {
		t.Fatalf("duplicate recipients or the null sender: %+v %v", e, err)
	}
}

func TestSubmitSignHook(t *testing.T) {
	var seen []byte
	o := &outbox.SubmitOptions{Clock: outboxtest.NewClock(outboxtest.Epoch), Sign: func(dst io.Writer, src io.Reader) error {
		b, err := io.ReadAll(src)
		if err != nil {
			return err
		}
		seen = b
		_, err = io.WriteString(dst, "DKIM-Signature: v=1; b=test\r\n"+string(b))
		return err
	}}
	c, err := submit(t, "Subject: s\r\n\r\nbody\r\n", o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(seen, []byte("Message-ID: ")) || !bytes.HasPrefix(c.body, []byte("DKIM-Signature: v=1; b=test\r\nSubject: s\r\n")) || !bytes.HasSuffix(c.body, seen) {
		t.Fatalf("the signer saw\n%q\nstored\n%q", seen, c.body)
	}
	o.Sign = func(dst io.Writer, src io.Reader) error { return errors.New("no key") }
	c, err = submit(t, "Subject: s\r\n\r\nbody\r\n", o)
	if err == nil || !strings.Contains(err.Error(), "no key") || c.entry != nil {
		t.Fatalf("a failing signer: %v", err)
	}
}
