package jetstream_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream/internal/natstest"
)

// realmail reads the facts of the real mail servers (test/realmail/up.sh).
func realmail(t *testing.T) map[string]string {
	t.Helper()
	return natstest.Env(t, "REALMAIL_ENV", "/tmp/postie-realmail/env", "the real mail servers", "bash test/realmail/up.sh")
}

// TestClusterPostfix: 3 workers deliver 30 queued messages through the
// cluster to the real Postfix; each is found exactly once in bob's
// Maildir.
func TestClusterPostfix(t *testing.T) {
	mail := realmail(t)
	s, urls, prefix := clusterStore(t)
	b := make([]byte, 6)
	rand.Read(b)
	run := hex.EncodeToString(b)
	const n = 30
	tag := func(i int) string { return fmt.Sprintf("js-%s-%d", run, i) }
	route := outbox.Route{Server: mail["REALMAIL_SMTP"], TLS: "none"}
	var entries []*outbox.Entry
	for i := range n {
		e := enqueueOne(t, s, &outbox.Entry{Route: route, From: "alice@mail.test", Recipients: []outbox.Recipient{{Addr: "bob@mail.test"}}},
			"From: alice@mail.test\r\nTo: bob@mail.test\r\nSubject: through the cluster "+fmt.Sprint(i)+"\r\nX-Test-Id: "+tag(i)+"\r\n\r\ndelivered by a worker\r\n")
		entries = append(entries, e)
	}
	w := newWorkers(t, urls, prefix)
	for _, ip := range []string{"127.0.0.31", "127.0.0.32", "127.0.0.33"} {
		w.start(ip)
	}
	waitDrained(t, s, 2*time.Minute)
	for _, e := range entries {
		if g, err := s.Get(t.Context(), e.ID); err != nil || g.Recipients[0].State != outbox.Delivered {
			t.Fatalf("%s: %v %v", e.ID, g, err)
		}
	}
	// Postfix hands the message to Dovecot's LDA after its 250: poll
	// (bounded) until all are in, then count.
	box := filepath.Join(mail["REALMAIL_MAILDIR"], "bob", "Maildir")
	var found map[string]int
	for deadline := time.Now().Add(30 * time.Second); ; {
		found = maildirTags(t, box, "js-"+run+"-")
		if len(found) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range n {
		if found[tag(i)] != 1 {
			t.Errorf("%s is in bob's mailbox %d times, want once", tag(i), found[tag(i)])
		}
	}
}

// maildirTags counts X-Test-Id values starting with prefix in a Maildir.
func maildirTags(t *testing.T, box, prefix string) map[string]int {
	out := map[string]int{}
	for _, sub := range []string{"new", "cur"} {
		files, _ := os.ReadDir(filepath.Join(box, sub))
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(box, sub, f.Name()))
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "X-Test-Id: "); ok && strings.HasPrefix(v, prefix) {
					out[v]++
				}
				if line == "\r" || line == "" {
					break // end of the header
				}
			}
		}
	}
	return out
}

func enqueueOne(t *testing.T, s outbox.Store, e *outbox.Entry, msg string) *outbox.Entry {
	t.Helper()
	got, err := outbox.Submit(t.Context(), s, e, strings.NewReader(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
