package metrics_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/metrics"
)

func event(route outbox.Route, s outbox.State) outbox.Event {
	return outbox.Event{Entry: &outbox.Entry{Route: route}, Recipient: "b@y.test", Attempt: &outbox.Attempt{Outcome: s}}
}

// TestServedMetricsParse: what the endpoint serves parses with
// Prometheus' own text parser, with the counts observed and the gauges
// read at scrape time; a route name with quotes and a backslash is
// escaped, and a failed state read is counted, not fatal.
func TestServedMetricsParse(t *testing.T) {
	m := metrics.New()
	odd := outbox.Route{Server: `relay"1\x:25`, User: "me"}
	for _, s := range []outbox.State{outbox.Delivered, outbox.Delivered, outbox.Deferred, outbox.Failed} {
		m.Observe(event(outbox.Route{Account: "163"}, s))
	}
	m.Observe(event(odd, outbox.Unknown))
	m.Observe(outbox.Event{Quarantine: &outbox.Quarantine{ID: "x"}})
	calls := 0
	m.SetDepth(func(context.Context) (metrics.Depth, error) {
		calls++
		if calls == 2 {
			return metrics.Depth{}, errors.New("cluster unreachable")
		}
		return metrics.Depth{Depth: 12, Ready: 5, Unacked: 7, InFlight: 3, Workers: 2}, nil
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- metrics.Serve(ctx, addr, m) }()
	scrape := func() map[string]*dtoFamily {
		t.Helper()
		var resp *http.Response
		for range 200 {
			if resp, err = http.Get("http://" + addr + "/metrics"); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond) // the listener starting
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Fatalf("content type %q", ct)
		}
		b, _ := io.ReadAll(resp.Body)
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("Prometheus cannot parse what is served: %v\n%s", err, b)
		}
		out := map[string]*dtoFamily{}
		for name, f := range fams {
			df := &dtoFamily{typ: f.GetType().String(), values: map[string]float64{}}
			for _, mm := range f.GetMetric() {
				var labels []string
				for _, l := range mm.GetLabel() {
					labels = append(labels, l.GetName()+"="+l.GetValue())
				}
				v := mm.GetCounter().GetValue() + mm.GetGauge().GetValue()
				df.values[strings.Join(labels, ",")] = v
			}
			out[name] = df
		}
		return out
	}
	got := scrape()
	rec := got["postie_outbox_recipients_total"]
	if rec == nil || rec.typ != "COUNTER" || rec.values["route=account 163,outcome=delivered"] != 2 || rec.values["route=account 163,outcome=failed"] != 1 ||
		rec.values[`route=me@relay"1\x:25,outcome=unknown`] != 1 {
		t.Fatalf("recipients: %+v", rec)
	}
	if g := got["postie_outbox_depth"]; g == nil || g.typ != "GAUGE" || g.values[""] != 12 || got["postie_outbox_in_flight"].values[""] != 3 {
		t.Fatalf("gauges: %+v", got)
	}
	if got["postie_outbox_quarantined_total"].values[""] != 1 {
		t.Fatal("quarantined not counted")
	}
	second := scrape()
	if second["postie_outbox_depth"] != nil || second["postie_outbox_scrape_errors_total"].values[""] != 1 {
		t.Fatalf("a failed state read: %+v", second)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type dtoFamily struct {
	typ    string
	values map[string]float64
}
