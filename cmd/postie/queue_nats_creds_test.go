package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/postie/postie/outbox/outboxtest"
)

// TestNATSOutboxCredsFile: a NATS server in operator mode (JWTs, as
// Synadia Cloud and most managed deployments run it), in the test
// process. A user's .creds file given by --nats-creds, or by
// $POSTIE_NATS_CREDS, queues, lists and delivers; without it the server
// refuses (75); the file's seed never prints; a missing file is 66, named.
func TestNATSOutboxCredsFile(t *testing.T) {
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	okp, err := nkeys.CreateOperator()
	must(err)
	opub, err := okp.PublicKey()
	must(err)
	account := func(js bool) (nkeys.KeyPair, string, string) {
		kp, err := nkeys.CreateAccount()
		must(err)
		pub, err := kp.PublicKey()
		must(err)
		c := jwt.NewAccountClaims(pub)
		if js {
			c.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
		}
		tok, err := c.Encode(okp)
		must(err)
		return kp, pub, tok
	}
	_, syspub, sysjwt := account(false)
	akp, apub, ajwt := account(true)
	oc := jwt.NewOperatorClaims(opub)
	oc.SystemAccount = syspub
	otok, err := oc.Encode(okp)
	must(err)
	operator, err := jwt.DecodeOperatorClaims(otok)
	must(err)
	resolver := &server.MemAccResolver{}
	must(resolver.Store(syspub, sysjwt))
	must(resolver.Store(apub, ajwt))

	ukp, err := nkeys.CreateUser()
	must(err)
	upub, err := ukp.PublicKey()
	must(err)
	utok, err := jwt.NewUserClaims(upub).Encode(akp)
	must(err)
	seed, err := ukp.Seed()
	must(err)
	creds, err := jwt.FormatUserConfig(utok, seed)
	must(err)
	credsFile := filepath.Join(t.TempDir(), "postie.creds")
	must(os.WriteFile(credsFile, creds, 0o600))

	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
		TrustedOperators: []*jwt.OperatorClaims{operator}, AccountResolver: resolver, SystemAccount: syspub,
	})
	must(err)
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server did not start")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })

	u := newQueueUser(t)
	srv := outboxtest.NewServer(t)
	send := []string{"send", "--queue-only", "--outbox", ns.ClientURL(), "--server", srv.Addr, "--tls", "none", "--from", "a@x.test", "--to", "b@y.test", "--subject", "with creds", "--text", "hi"}
	secret := string(seed)
	noSeed := func(what string, out ...string) {
		t.Helper()
		for _, o := range out {
			if strings.Contains(o, secret) {
				t.Fatalf("%s printed the creds file's seed:\n%s", what, o)
			}
		}
	}

	// No credentials: the server says no.
	r := u.must(75, "", send...)
	if !strings.Contains(strings.ToLower(r.stderr), "authorization") {
		t.Fatalf("no credentials: want an authorization error:\n%s", r.stderr)
	}
	// A creds file that is not there: named, 66 (as a missing --cacert).
	r = u.must(66, "", append(send, "--nats-creds", credsFile+".missing")...)
	if !strings.HasPrefix(r.stderr, "postie: error: --nats-creds: open ") || !strings.Contains(r.stderr, "postie.creds.missing") {
		t.Fatalf("a missing creds file is not named:\n%s", r.stderr)
	}
	// --nats-creds: queued on the server.
	r = u.must(0, "", append(send, "--nats-creds", credsFile, "-v")...)
	noSeed("send --nats-creds -v", r.stdout, r.stderr)
	// $POSTIE_NATS_CREDS with $POSTIE_OUTBOX: the same outbox.
	u.env = append(u.env, "POSTIE_NATS_CREDS="+credsFile, "POSTIE_OUTBOX="+ns.ClientURL())
	if l := u.list(); len(l) != 1 || l[0].State != "queued" {
		t.Fatalf("queue list with POSTIE_NATS_CREDS: %+v", l)
	}
	r = u.must(0, "", "queue", "run", "-v")
	noSeed("queue run -v", r.stdout, r.stderr)
	if m := srv.Messages(); len(m) != 1 {
		t.Fatalf("%d messages delivered from the outbox, want 1", len(m))
	}
}
