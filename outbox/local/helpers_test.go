package local_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
	"github.com/postie/postie/smtp"
)

func openIn(t *testing.T, dir string, o *local.Options) *local.Store {
	t.Helper()
	s, err := local.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func runner(s outbox.Store, clock outbox.Clock, addr string) *outbox.Runner {
	return &outbox.Runner{
		Store: s, Clock: clock, Owner: "test", Lease: time.Minute, Rand: func() float64 { return 0 },
		Schedule: outbox.Schedule{Delays: []time.Duration{time.Second}},
		Connect: func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, addr, &smtp.Options{TLS: smtp.TLSNone})
		},
	}
}

func enqueue(t *testing.T, s outbox.Store, c outbox.Clock, subject string, size int) *outbox.Entry {
	t.Helper()
	body := outboxtest.Msg(subject)
	if size > len(body) {
		body += strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", (size-len(body))/65+1)
	}
	return outboxtest.Enqueue(t, s, c, &outbox.Entry{Recipients: outboxtest.Rcpts("b@y.test")}, body)
}

// withDB opens the store's bbolt file directly, as a damaged disk or a
// bug elsewhere would leave it. The store holds the file only during its
// transactions, so between calls the test may.
func withDB(t *testing.T, dir string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(dir+"/queue.db", 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func ids(t *testing.T, s outbox.Store) (out []string) {
	t.Helper()
	for e, err := range s.List(context.Background(), outbox.Filter{}) {
		if err != nil {
			out = append(out, "error:"+err.Error())
			continue
		}
		out = append(out, string(e.ID))
	}
	return out
}

func str(v any) string { return fmt.Sprint(v) }
