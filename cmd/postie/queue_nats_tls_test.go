package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/outbox/outboxtest"
)

// TestNATSOutboxTLSAndPassword: a NATS server that wants TLS and a user
// and password (a deployment's usual setting), run in the test process.
// The binary refuses a certificate no known CA signed (75, naming the
// cause), and with --nats-ca, or $POSTIE_NATS_CA, and the password from
// $POSTIE_NATS_PASSWORD it queues, lists and delivers; the password never
// prints.
func TestNATSOutboxTLSAndPassword(t *testing.T) {
	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
		TLSConfig: b.ServerConfig(), TLSTimeout: 2, Username: "tester", Password: natsPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server did not start")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	url := strings.Replace(ns.ClientURL(), "nats://", "tls://", 1)
	ca := filepath.Join(t.TempDir(), "nats-ca.pem")
	if err := os.WriteFile(ca, b.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	u := newQueueUser(t)
	u.env = append(u.env, "POSTIE_NATS_USER=tester", "POSTIE_NATS_PASSWORD="+natsPassword)
	srv := outboxtest.NewServer(t)
	send := []string{"send", "--queue-only", "--outbox", url, "--server", srv.Addr, "--tls", "none", "--from", "a@x.test", "--to", "b@y.test", "--subject", "over tls", "--text", "hi"}

	// No CA for the server's certificate: refused, the cause named.
	r := u.must(75, "", send...)
	if !strings.Contains(r.stderr, "certificate") || !strings.HasPrefix(r.stderr, "postie: error: ") {
		t.Fatalf("an unknown certificate: want an error naming it:\n%s", r.stderr)
	}
	noSecret(t, "an unknown certificate", r.stdout, r.stderr)

	// A wrong password: refused, and neither password prints.
	u2 := newQueueUser(t)
	u2.env = append(u2.env, "POSTIE_NATS_USER=tester", "POSTIE_NATS_PASSWORD=wrong-"+natsPassword)
	r = u2.must(75, "", append(send, "--nats-ca", ca)...)
	if !strings.Contains(strings.ToLower(r.stderr), "authorization") {
		t.Fatalf("a wrong password: want an authorization error:\n%s", r.stderr)
	}
	noSecret(t, "a wrong password", r.stdout, r.stderr)

	// --nats-ca: queued on the server over TLS, nothing local.
	r = u.must(0, "", append(send, "--nats-ca", ca, "-v")...)
	noSecret(t, "send --queue-only over TLS", r.stdout, r.stderr)
	if _, err := os.Stat(u.dir); err == nil {
		t.Fatalf("a local outbox was created at %s", u.dir)
	}
	// $POSTIE_NATS_CA and $POSTIE_OUTBOX: the same outbox.
	u.env = append(u.env, "POSTIE_NATS_CA="+ca, "POSTIE_OUTBOX="+url)
	if l := u.list(); len(l) != 1 || l[0].State != "queued" {
		t.Fatalf("queue list over TLS: %+v", l)
	}
	r = u.must(0, "", "queue", "run")
	noSecret(t, "queue run over TLS", r.stdout, r.stderr)
	if m := srv.Messages(); len(m) != 1 {
		t.Fatalf("%d messages delivered from the outbox over TLS, want 1", len(m))
	}
	if l := u.list(); len(l) != 0 {
		t.Fatalf("the outbox is not empty after queue run: %+v", l)
	}
}
