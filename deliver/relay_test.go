package deliver

import (
	"context"
	"testing"

	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

// Relay.Send says QUIT in the same write as the message's end (the
// script reads QUIT before it answers the dot) and still reports the
// final reply.
func TestRelaySendPipelinesQuit(t *testing.T) {
	srv := smtptest.New(t, smtptest.Load(t, "../smtp/testdata/scripts/pipelined_quit.txt"))
	r := &Relay{Addr: srv.Addr, TLS: smtp.TLSNone, Options: smtp.Options{LocalName: "client.test"}}
	res, err := r.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody([]byte("Subject: x\r\n\r\nhi\r\n")))
	if err != nil || res.QueueID != "Q1" {
		t.Fatalf("%+v %v", res, err)
	}
}
