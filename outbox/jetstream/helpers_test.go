package jetstream_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/outbox/jetstream/internal/natstest"
)

var prefixes atomic.Int32

// freshPrefix names a new, empty outbox on a shared server.
func freshPrefix() string { return fmt.Sprintf("t%d", prefixes.Add(1)) }

// open opens a store on srv under a new prefix.
func open(t testing.TB, srv *server.Server, o jetstream.Options) *jetstream.Store {
	t.Helper()
	if o.URLs == "" && o.Conn == nil {
		o.URLs = srv.ClientURL()
	}
	if o.Prefix == "" {
		o.Prefix = freshPrefix()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := jetstream.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func startServer(t testing.TB) *server.Server { return natstest.Start(t) }

var _ outbox.Store = (*jetstream.Store)(nil)
