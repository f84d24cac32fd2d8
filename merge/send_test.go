package merge_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/merge"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/local"
	"github.com/postie/postie/outbox/outboxtest"
	"github.com/postie/postie/smtp"
)

// sendEnv is an outbox and SendOptions delivering to srv.
type sendEnv struct {
	store *local.Store
	dir   string
	srv   *outboxtest.Server
}

func newSendEnv(t *testing.T, srv *outboxtest.Server) *sendEnv {
	t.Helper()
	dir := t.TempDir() + "/queue"
	s, err := local.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &sendEnv{store: s, dir: dir, srv: srv}
}

func (e *sendEnv) options() merge.SendOptions {
	return merge.SendOptions{
		Store: e.store, Route: outbox.Route{Server: "test", TLS: "none"},
		Connect: func(ctx context.Context, _ outbox.Target) (outbox.Session, error) {
			return smtp.Dial(ctx, e.srv.Addr, &smtp.Options{TLS: smtp.TLSNone})
		},
		Retry:   outbox.Schedule{Delays: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}, MaxAge: time.Hour},
		Backoff: outbox.Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond},
	}
}

// send opens the campaign as the CLI does (Lookup, Date, Resume) and sends it.
func (e *sendEnv) send(t *testing.T, o merge.Options, so merge.SendOptions) (*merge.Campaign, *merge.Summary, error) {
	t.Helper()
	c, err := openStored(t, e.store, o)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sum, err := c.Send(ctx, so)
	return c, sum, err
}

func openStored(t *testing.T, s outbox.Store, o merge.Options) (*merge.Campaign, error) {
	t.Helper()
	name := o.Name
	if name == "" {
		name = merge.DeriveName(o.Template, o.Data)
	}
	st, err := merge.Lookup(context.Background(), s, name)
	if err != nil {
		t.Fatal(err)
	}
	if st != nil {
		o.Date = st.Date
	}
	c, err := merge.Open(o)
	if err != nil {
		return nil, err
	}
	if st != nil {
		if err := c.Resume(st.Fingerprint); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// campaign writes a template and data file and returns their Options.
func campaign(t *testing.T, tmpl, dataName, data string) merge.Options {
	t.Helper()
	dir := files(t, map[string]string{"t.eml": tmpl, dataName: data})
	return merge.Options{Template: filepath.Join(dir, "t.eml"), Data: filepath.Join(dir, dataName), From: testFrom, Date: testDate}
}

func report(t *testing.T, c *merge.Campaign, s outbox.Store) []merge.RowReport {
	t.Helper()
	rep, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WriteReport(context.Background(), s, rep, &b); err != nil {
		t.Fatal(err)
	}
	var out []merge.RowReport
	sc := bufio.NewScanner(&b)
	for sc.Scan() {
		var rr merge.RowReport
		if err := json.Unmarshal(sc.Bytes(), &rr); err != nil {
			t.Fatalf("report line %q: %v", sc.Text(), err)
		}
		out = append(out, rr)
	}
	return out
}

func rowsCSV(n int) string {
	var b strings.Builder
	b.WriteString("email,name,token\n")
	for i := range n {
		fmt.Fprintf(&b, "s%03d@class.test,学生%03d,token-%03d-x\n", i, i, i)
	}
	return b.String()
}

const tokenTemplate = "Subject: 成绩 {{.name}}\n\n{{.name}}: {{.token}}\n"

// TestSendTwentyRows: 20 rows through the outbox are 20 transactions,
// one RCPT each, 20 distinct Message-IDs, each message holding its row's
// values and no other row's; the report says sent for each, in row
// order, with the server's reply.
func TestSendTwentyRows(t *testing.T) {
	srv := outboxtest.NewServer(t)
	env := newSendEnv(t, srv)
	o := campaign(t, tokenTemplate, "d.csv", rowsCSV(20))
	so := env.options()
	so.Connections = 3
	var last merge.Progress
	so.Progress = func(p merge.Progress) { last = p }
	c, sum, err := env.send(t, o, so)
	if err != nil || sum.Sent != 20 || sum.SentNow != 20 || sum.Total != 20 || sum.Deferred != 0 || sum.AlreadyDone {
		t.Fatalf("send: %v, summary %+v", err, sum)
	}
	if last.Sent != 20 || last.Total != 20 || last.Deferred != 0 {
		t.Fatalf("last progress %+v", last)
	}
	msgs := srv.Messages()
	if len(msgs) != 20 {
		t.Fatalf("%d transactions", len(msgs))
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		if len(m.To) != 1 || m.From != "teacher@school.test" {
			t.Fatalf("transaction from %q to %q", m.From, m.To)
		}
		i := 0
		fmt.Sscanf(m.To[0], "s%03d@", &i)
		pm, err := mailcheck.Parse(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(pm.Text("plain"), fmt.Sprintf("token-%03d-x", i)) || pm.Subject != fmt.Sprintf("成绩 学生%03d", i) {
			t.Errorf("%s: subject %q text %q", m.To[0], pm.Subject, pm.Text("plain"))
		}
		for j := range 20 {
			if j != i && (bytes.Contains(m.Data, fmt.Appendf(nil, "token-%03d-x", j)) || strings.Contains(pm.Subject, fmt.Sprintf("%03d", j))) {
				t.Errorf("%s's message holds row %d's values", m.To[0], j+2)
			}
		}
		if ids[m.MessageID] || m.MessageID == "" {
			t.Errorf("Message-ID %q repeated", m.MessageID)
		}
		ids[m.MessageID] = true
	}
	rows := report(t, c, env.store)
	if len(rows) != 20 {
		t.Fatalf("%d report lines", len(rows))
	}
	for i, rr := range rows {
		if rr.Row != i+2 || rr.To != fmt.Sprintf("s%03d@class.test", i) || rr.Status != merge.StatusSent || !strings.HasPrefix(rr.Reply, "250 2.0.0") || !ids[rr.MessageID] {
			t.Errorf("report line %d: %+v", i, rr)
		}
	}
	// Again: finished, nothing sent, no connection made.
	conns := srv.Connections()
	_, sum, err = env.send(t, o, env.options())
	if err != nil || !sum.AlreadyDone || sum.Sent != 20 || sum.SentNow != 0 || srv.Connections() != conns || len(srv.Messages()) != 20 {
		t.Fatalf("second run: %v %+v, %d connections", err, sum, srv.Connections()-conns)
	}
}

// TestSendValidatesFirst: one bad row and nothing is queued, no
// connection made; with SkipInvalid the good rows go and the report
// names the bad one.
func TestSendValidatesFirst(t *testing.T) {
	srv := outboxtest.NewServer(t)
	env := newSendEnv(t, srv)
	o := campaign(t, tokenTemplate, "d.csv", "email,name,token\nann@x.test,Ann,t1\nbob@,Bob,t2\ncat@x.test,Cat,t3\nann@X.TEST,Ann again,t4\n")
	_, sum, err := env.send(t, o, env.options())
	var ve *merge.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Row != 3 || ve.Problems[0].Column != "email" {
		t.Fatalf("err %v", err)
	}
	if srv.Connections() != 0 {
		t.Fatalf("%d connections made for an invalid campaign", srv.Connections())
	}
	if cnt, _ := env.store.Counts(context.Background(), ""); cnt.Entries != 0 || sum.Invalid != 1 {
		t.Fatalf("queued %d entries; summary %+v", cnt.Entries, sum)
	}
	so := env.options()
	so.SkipInvalid = true
	c, sum, err := env.send(t, o, so)
	if err != nil || sum.Sent != 2 || sum.Skipped != 2 || sum.Invalid != 1 {
		t.Fatalf("skip invalid: %v %+v", err, sum)
	}
	rows := report(t, c, env.store)
	want := []string{"2 ann@x.test sent", "3 bob@ skipped", "4 cat@x.test sent", "5 ann@X.TEST skipped"}
	for i, rr := range rows {
		if got := fmt.Sprint(rr.Row, " ", rr.To, " ", rr.Status); i >= len(want) || got != want[i] {
			t.Fatalf("report %+v", rows)
		}
	}
	if rows[1].Problem != `"bob@" is not an email address` || !strings.Contains(rows[3].Problem, "also on row 2") {
		t.Fatalf("problems %q, %q", rows[1].Problem, rows[3].Problem)
	}
}

// TestSendInjectionOnTheWire: values crafted to add a header, a
// recipient or a second transaction change nothing on the wire.
func TestSendInjectionOnTheWire(t *testing.T) {
	srv := outboxtest.NewServer(t)
	env := newSendEnv(t, srv)
	smuggle := "ok\r\n.\r\nMAIL FROM:<e@evil.test>\r\nRCPT TO:<victim@evil.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nowned\r\n.\r\n"
	rows := []string{
		`{"email":"ann@x.test","name":"Bob\r\nBcc: all@evil.test","body":"a"}`,
		`{"email":"bob@x.test","name":"Bob","body":` + jsonQuote(smuggle) + `}`,
	}
	o := campaign(t, "Subject: hello {{.name}}\n\n{{.body}}\n", "d.jsonl", strings.Join(rows, "\n")+"\n")
	so := env.options()
	so.SkipInvalid = true
	c, sum, err := env.send(t, o, so)
	if err != nil || sum.Sent != 1 || sum.Invalid != 1 {
		t.Fatalf("%v %+v", err, sum)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].From != "teacher@school.test" || strings.Join(msgs[0].To, ",") != "bob@x.test" {
		t.Fatalf("the server took %+v", msgs)
	}
	pm, err := mailcheck.Parse(msgs[0].Data)
	if err != nil || pm.Header.Get("Bcc") != "" || !strings.Contains(pm.Text("plain"), "MAIL FROM:<e@evil.test>") {
		t.Fatalf("%v: stored %q", err, msgs[0].Data)
	}
	if r := report(t, c, env.store); r[0].Status != merge.StatusSkipped || !strings.Contains(r[0].Problem, "could add a header field") {
		t.Fatalf("report %+v", r)
	}
}

// TestSendResumesAfterStop: a run stopped part way leaves the rest in the
// outbox; the next run sends each remaining row once, and the report of
// the whole campaign says sent for all.
func TestSendResumesAfterStop(t *testing.T) {
	srv := outboxtest.NewServer(t)
	stop := make(chan struct{})
	var dots atomic.Int32
	srv.SetFault(func(step outboxtest.Step, _ *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Dot && dots.Add(1) == 10 {
			close(stop)
		}
		return nil
	})
	env := newSendEnv(t, srv)
	o := campaign(t, tokenTemplate, "d.csv", rowsCSV(50))
	so := env.options()
	so.Connections = 2
	so.Stop = stop
	_, sum, err := env.send(t, o, so)
	if err != nil || !sum.Interrupted || sum.Sent < 10 || sum.Sent >= 50 || sum.Unknown != 0 || sum.Sent+sum.Deferred != 50 {
		t.Fatalf("stopped run: %v %+v", err, sum)
	}
	first := sum.Sent
	c, sum, err := env.send(t, o, env.options())
	if err != nil || !sum.Resumed || sum.Sent != 50 || sum.SentNow != 50-first || sum.Interrupted {
		t.Fatalf("second run: %v %+v", err, sum)
	}
	copies := srv.Copies()
	if len(copies) != 50 {
		t.Fatalf("%d distinct messages at the server", len(copies))
	}
	for k, n := range copies {
		if n != 1 {
			t.Errorf("%s: %d copies", k, n)
		}
	}
	for _, rr := range report(t, c, env.store) {
		if rr.Status != merge.StatusSent {
			t.Errorf("row %d: %s", rr.Row, rr.Status)
		}
	}
}

// TestSendHoldsUnknown: a row whose reply was lost after its end is
// "unknown"; running again does not send it; ResendUnknown does, once.
func TestSendHoldsUnknown(t *testing.T) {
	srv := outboxtest.NewServer(t)
	srv.SetFault(func(step outboxtest.Step, m *outboxtest.Message, _ string) *outboxtest.Fault {
		if step == outboxtest.Dot && strings.HasPrefix(m.To[0], "s003@") {
			return &outboxtest.Fault{Keep: true, Close: true}
		}
		return nil
	})
	env := newSendEnv(t, srv)
	o := campaign(t, tokenTemplate, "d.csv", rowsCSV(8))
	so := env.options()
	so.Connections = 1
	c, sum, err := env.send(t, o, so)
	if err != nil || sum.Sent != 7 || sum.Unknown != 1 || sum.Deferred != 0 {
		t.Fatalf("%v %+v", err, sum)
	}
	rows := report(t, c, env.store)
	if rows[3].Row != 5 || rows[3].Status != merge.StatusUnknown || !strings.Contains(rows[3].Reply, "no reply after the end of the message") {
		t.Fatalf("row 5: %+v", rows[3])
	}
	srv.SetFault(nil)
	conns := srv.Connections()
	if _, sum, err = env.send(t, o, env.options()); err != nil || !sum.AlreadyDone || sum.Unknown != 1 || srv.Connections() != conns {
		t.Fatalf("run again: %v %+v", err, sum)
	}
	so = env.options()
	so.ResendUnknown = true
	c, sum, err = env.send(t, o, so)
	if err != nil || sum.Sent != 8 || sum.Unknown != 0 || sum.SentNow != 1 {
		t.Fatalf("resend unknown: %v %+v", err, sum)
	}
	if n := srv.Copies()[rows[3].MessageID+" s003@class.test"]; n != 2 {
		t.Fatalf("row 5 reached the server %d times, want 2 (kept once, resent once)", n)
	}
	if rr := report(t, c, env.store)[3]; rr.Status != merge.StatusSent || !rr.WasUnknown || rr.Attempts != 2 {
		t.Fatalf("row 5 after resending: %+v", rr)
	}
}

// TestSendRefusesAChangedCampaign: after rows went out, a changed data
// file is refused, naming what changed; nothing more is sent.
func TestSendRefusesAChangedCampaign(t *testing.T) {
	srv := outboxtest.NewServer(t)
	env := newSendEnv(t, srv)
	o := campaign(t, tokenTemplate, "d.csv", rowsCSV(3))
	if _, _, err := env.send(t, o, env.options()); err != nil {
		t.Fatal(err)
	}
	st, err := merge.Lookup(context.Background(), env.store, "t+d")
	if err != nil || st == nil || !st.Date.Equal(testDate) || !strings.HasPrefix(st.Fingerprint, "m1.") || st.Counts.Delivered != 3 {
		t.Fatalf("Lookup = %+v, %v", st, err)
	}
	os.WriteFile(o.Data, []byte(rowsCSV(4)), 0o644)
	_, _, err = env.send(t, o, env.options())
	var ce *merge.ChangedError
	if !errors.As(err, &ce) || strings.Join(ce.What, ",") != "data" {
		t.Fatalf("err %v", err)
	}
	if len(srv.Messages()) != 3 {
		t.Fatal("sent after a refusal")
	}
	if st, _ := merge.Lookup(context.Background(), env.store, "other"); st != nil {
		t.Fatalf("Lookup of an unknown campaign: %+v", st)
	}
}

// TestSendTwoCampaignsOfOneName: two merges of the same campaign name
// but different data (class1/students.csv and class2/students.csv),
// started together before either has queued a row. Whatever the
// interleaving, at least one of them is refused as changed, and a run
// that is not says sent only for its rows that were delivered: a row
// queued by the other never passes for this one's.
func TestSendTwoCampaignsOfOneName(t *testing.T) {
	for round := range 4 {
		srv := outboxtest.NewServer(t)
		env := newSendEnv(t, srv)
		data := func(prefix string) string {
			var b strings.Builder
			b.WriteString("email,name,token\n")
			for i := range 8 {
				fmt.Fprintf(&b, "%s%d@class.test,n%d,t%d\n", prefix, i, i, i)
			}
			return b.String()
		}
		var cs [2]*merge.Campaign
		for i, p := range []string{"a", "b"} {
			o := campaign(t, tokenTemplate, "students.csv", data(p))
			o.Name = "grades+students"
			c, err := merge.Open(o)
			if err != nil {
				t.Fatal(err)
			}
			cs[i] = c
		}
		var errs [2]error
		var sums [2]*merge.Summary
		var wg sync.WaitGroup
		for i := range cs {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				sums[i], errs[i] = cs[i].Send(ctx, env.options())
			})
		}
		wg.Wait()
		got := map[string]int{}
		for _, m := range srv.Messages() {
			for _, r := range m.To {
				got[r]++
			}
		}
		refused := 0
		for i, p := range []string{"a", "b"} {
			var ce *merge.ChangedError
			switch {
			case errors.As(errs[i], &ce):
				refused++
			case errs[i] != nil:
				t.Fatalf("round %d, run %s: %v", round, p, errs[i])
			default:
				// What it reports sent was delivered, once. The rest is
				// counted as waiting or unknown, never as sent: the refused
				// run may hold a row of this one when this one ends (and
				// deliver it as it stops), and the CLI then exits 75 or 79,
				// "run it again".
				delivered := 0
				for r := range 8 {
					switch n := got[fmt.Sprintf("%s%d@class.test", p, r)]; n {
					case 0:
					case 1:
						delivered++
					default:
						t.Fatalf("round %d: %s%d@class.test got %d messages", round, p, r, n)
					}
				}
				if sum := sums[i]; sum.Sent > delivered || sum.Sent+sum.Deferred+sum.Unknown != 8 {
					t.Fatalf("round %d: run %s returned no error and says sent %d, unknown %d, waiting %d; %d of its rows were delivered", round, p, sum.Sent, sum.Unknown, sum.Deferred, delivered)
				}
			}
		}
		if refused == 0 {
			t.Fatalf("round %d: neither run was refused; the server has %v", round, got)
		}
	}
}

// TestSendRate: --rate spaces the messages on the run's clock: with one
// every 10 s, the next message waits for the clock however long the
// test waits, and goes when the clock moves.
func TestSendRate(t *testing.T) {
	srv := outboxtest.NewServer(t)
	clock := outboxtest.NewClock(outboxtest.Epoch)
	dir := t.TempDir() + "/queue"
	s, err := local.Open(dir, &local.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	env := &sendEnv{store: s, dir: dir, srv: srv}
	so := env.options()
	so.Clock = clock
	so.Rate, _ = merge.ParseRate("6/min")
	o := campaign(t, tokenTemplate, "d.csv", rowsCSV(3))
	done := make(chan *merge.Summary)
	go func() { _, sum, _ := env.send(t, o, so); done <- sum }()
	for want := 1; want <= 3; want++ {
		waitUntil(t, fmt.Sprint(want, " messages"), func() bool { return len(srv.Messages()) == want })
		if want < 3 {
			next := clock.Now().Add(10 * time.Second)
			waitUntil(t, "the rate's wait", func() bool { return clock.WaitsUntil(next) })
			if n := len(srv.Messages()); n != want {
				t.Fatalf("%d messages before the rate allowed", n)
			}
			clock.Advance(10 * time.Second)
		}
	}
	// The run ends once Follow is closed and nothing is left; its idle
	// poll waits on the fake clock too.
	for range 10000 {
		select {
		case sum := <-done:
			if sum.Sent != 3 {
				t.Fatalf("summary %+v", sum)
			}
			return
		default:
			clock.Advance(time.Second)
			time.Sleep(time.Millisecond) // poll: let the run see the clock move
		}
	}
	t.Fatal("the run did not end")
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]string{"20/s": "20/s", "30/min": "30/min", "500/h": "500/h", "7": "7/s", "2/m": "2/min", "10/hour": "10/h"} {
		r, err := merge.ParseRate(in)
		if err != nil || r.String() != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %s", in, r, err, want)
		}
	}
	for _, bad := range []string{"", "0/s", "-1/s", "x/min", "5/day", "1.5/s"} {
		if _, err := merge.ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
	if r, _ := merge.ParseRate("30/min"); r.PerSecond() != 0.5 {
		t.Errorf("30/min = %v/s", r.PerSecond())
	}
}

// waitUntil polls cond (bounded).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 4000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
