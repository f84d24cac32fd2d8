package outbox_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"github.com/postie/postie/dkim"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/outboxtest"
)

// TestDKIMSignedAtEnqueueSurvivesResend plugs the dkim package's signer
// into Submit: the message is signed once, and a resend after an unknown
// outcome carries the identical bytes, so both copies verify.
func TestDKIMSignedAtEnqueueSurvivesResend(t *testing.T) {
	key, err := dkim.GenerateKey("ed25519", 0)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := dkim.New(key, "x.test", "q2026")
	if err != nil {
		t.Fatal(err)
	}
	txt, err := dkim.TXTValue(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	bad := outboxtest.NewServer(t)
	bad.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Dot {
			return &outboxtest.Fault{Close: true, Keep: true}
		}
		return nil
	})
	h := newHarness(t, bad)
	e, err := outbox.Submit(context.Background(), h.store, &outbox.Entry{Route: outbox.Route{Server: "x"}, From: "a@x.test", Recipients: rcpts("b@y.test")},
		strings.NewReader("From: a@x.test\nTo: b@y.test\nSubject: signed\n\nsigned once, sent twice\n"),
		&outbox.SubmitOptions{Clock: h.clock, Sign: signer.Sign})
	if err != nil {
		t.Fatal(err)
	}
	h.run(h.runner())
	good := outboxtest.NewServer(t)
	h.addr.Store(good.Addr)
	h.clock.Advance(2 * time.Second)
	h.run(h.runner())
	copies := append(bad.Messages(), good.Messages()...)
	if len(copies) != 2 || !bytes.Equal(copies[0].Data, copies[1].Data) || copies[0].MessageID != e.MessageID {
		t.Fatalf("%d copies; identical: %v", len(copies), len(copies) == 2 && bytes.Equal(copies[0].Data, copies[1].Data))
	}
	for _, m := range copies {
		vs, err := msgauth.VerifyWithOptions(bytes.NewReader(m.Data), &msgauth.VerifyOptions{LookupTXT: func(string) ([]string, error) {
			return []string{txt}, nil
		}})
		if err != nil || len(vs) != 1 || vs[0].Err != nil {
			t.Fatalf("signature does not verify: %v %v\n%s", err, vs[0].Err, m.Data)
		}
	}
}
