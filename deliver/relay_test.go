package deliver

import (
	"context"
	"testing"

	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

func TestSplitServer(t *testing.T) {
	for in, want := range map[string]struct {
		addr   string
		mode   smtp.TLSMode
		scheme bool
	}{
		"smtp.163.com":           {"smtp.163.com:587", 0, false},
		"smtp.163.com:465":       {"smtp.163.com:465", 0, false},
		"smtps://smtp.qq.com":    {"smtp.qq.com:465", smtp.TLSImplicit, true},
		"smtp://mail.x.test":     {"mail.x.test:587", smtp.TLSStartTLS, true},
		"smtp://mail.x.test:25/": {"mail.x.test:25", smtp.TLSStartTLS, true},
		"[::1]:2525":             {"[::1]:2525", 0, false},
		"::1":                    {"[::1]:587", 0, false},
	} {
		addr, mode, scheme, err := SplitServer(in, "587")
		if err != nil || addr != want.addr || scheme != want.scheme || (scheme && mode != want.mode) {
			t.Errorf("%s: %s %v %v %v", in, addr, mode, scheme, err)
		}
	}
	for _, bad := range []string{"", "http://x", "a b", "x\r\n", "smtp://"} {
		if _, _, _, err := SplitServer(bad, "587"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

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
