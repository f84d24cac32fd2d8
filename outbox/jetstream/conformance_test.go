package jetstream_test

import (
	"testing"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/outbox/outboxtest"
)

// TestConformance runs the contract every outbox.Store keeps against a
// JetStream server in this process, each subtest in an outbox of its own.
func TestConformance(t *testing.T) {
	srv := startServer(t)
	outboxtest.TestStore(t, func(t *testing.T, c outbox.Clock) outbox.Store {
		return open(t, srv, jetstream.Options{Clock: c})
	})
}
