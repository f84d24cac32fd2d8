package local_test

import (
	"testing"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
)

func openStore(t *testing.T, clock outbox.Clock) *local.Store {
	t.Helper()
	s, err := local.Open(t.TempDir()+"/queue", &local.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	outboxtest.TestStore(t, func(t *testing.T, c outbox.Clock) outbox.Store { return openStore(t, c) })
}
