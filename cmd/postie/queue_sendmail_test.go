package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postie/postie/outbox/outboxtest"
)

const sendmailMsg = "From: a@x.test\nTo: bob@y.test\nSubject: from cron\n\ndisk is full\n"

func (u *queueUser) writeConfig(server string, queue bool) {
	u.t.Helper()
	src := fmt.Sprintf("[accounts.cron]\nfrom = \"a@x.test\"\nserver = %q\ntls = \"none\"\n", server)
	if queue {
		src += "queue = true\n"
	}
	if err := os.WriteFile(filepath.Join(u.home, "config.toml"), []byte(src), 0o600); err != nil {
		u.t.Fatal(err)
	}
}

// sendmail -odq puts the message in the outbox and sends nothing;
// sendmail -q sends it, quietly; -bp lists the outbox as mailq does.
func TestSendmailQueueOnlyThenRun(t *testing.T) {
	u := newQueueUser(t)
	srv := outboxtest.NewServer(t)
	u.writeConfig(srv.Addr, false)
	r := u.must(0, sendmailMsg, "sendmail", "-odq", "-t")
	if r.stderr != "" || len(srv.Messages()) != 0 || srv.Connections() != 0 {
		t.Fatalf("-odq: stderr %q, %d connections", r.stderr, srv.Connections())
	}
	l := u.list()
	if len(l) != 1 || l[0].Route != "account cron" || l[0].Recipients[0].State != "pending" {
		t.Fatalf("listed %+v", l)
	}
	if bp := u.must(0, "", "sendmail", "-bp"); !strings.Contains(bp.stdout, l[0].ID) || !strings.Contains(bp.stdout, "<bob@y.test>") {
		t.Fatalf("-bp:\n%s", bp.stdout)
	}
	r = u.must(0, "", "sendmail", "-q")
	if r.stderr != "" || len(srv.Messages()) != 1 {
		t.Fatalf("-q: stderr %q, %d messages", r.stderr, len(srv.Messages()))
	}
	if e := u.show(l[0].ID); e.State != "delivered" {
		t.Fatalf("after -q: %s", e.State)
	}
}

// With queue = true in the account, a 451 leaves the message in the
// outbox and sendmail exits 0 (what msmtpq users want from cron and
// mutt); without it sendmail fails with 75 and keeps nothing.
func TestSendmailAccountQueueOn451(t *testing.T) {
	u := newQueueUser(t)
	srv := outboxtest.NewServer(t)
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Mail {
			return &outboxtest.Fault{Code: 451, Text: "4.7.1 greylisted, come back later"}
		}
		return nil
	})
	u.writeConfig(srv.Addr, false)
	r := u.must(75, sendmailMsg, "sendmail", "-t")
	if !strings.Contains(r.stderr, "451") {
		t.Fatalf("without queue = true: %s", r.stderr)
	}
	if l := u.list(); len(l) != 0 {
		t.Fatalf("without queue = true something was queued: %+v", l)
	}
	u.writeConfig(srv.Addr, true)
	r = u.must(0, sendmailMsg, "sendmail", "-t")
	if r.stderr != "" {
		t.Fatalf("queued, yet sendmail printed %q", r.stderr)
	}
	l := u.list()
	if len(l) != 1 || l[0].Recipients[0].State != "deferred" || !strings.Contains(l[0].Recipients[0].Last, "451 4.7.1 greylisted") {
		t.Fatalf("listed %+v", l)
	}
	// -v says what happened.
	r = u.must(0, sendmailMsg, "sendmail", "-v", "-t")
	if !strings.Contains(r.stderr, "postie: queued <bob@y.test> as ") || !strings.Contains(r.stderr, "451 4.7.1 greylisted") {
		t.Fatalf("-v:\n%s", r.stderr)
	}
	srv.SetFault(nil)
	u.must(0, "", "queue", "retry", "--all", "-q")
	u.must(0, "", "sendmail", "-q")
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d messages delivered, want 2", n)
	}
	// A 5xx for a queued message: sendmail -q says so, even quiet, and exits 69.
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Rcpt {
			return &outboxtest.Fault{Code: 550, Text: "5.1.1 no such user"}
		}
		return nil
	})
	u.must(0, sendmailMsg, "sendmail", "-odq", "-t")
	r = u.must(69, "", "sendmail", "-q")
	if !strings.Contains(r.stderr, "postie: failed ") || !strings.Contains(r.stderr, "550 5.1.1 no such user") || !strings.Contains(r.stderr, "failed for good in this run") {
		t.Fatalf("-q with a 550:\n%s", r.stderr)
	}
	if f := u.list("--failed"); len(f) != 1 {
		t.Fatalf("failed entries: %+v", f)
	}
}
