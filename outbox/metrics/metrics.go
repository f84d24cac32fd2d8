// Package metrics exposes an outbox worker's counts to Prometheus: the
// text exposition format (version 0.0.4) on an HTTP endpoint, for
// `postie queue run --watch --metrics 127.0.0.1:9xxx`.
//
// It writes the format itself instead of using
// github.com/prometheus/client_golang: that library's package
// initialisation (its default registry and collectors, procfs, protobuf
// descriptors) costs every process that links it about 5–7 ms and 1,400
// allocations at start (GODEBUG=inittrace=1, bench/RESULTS.md), and the
// postie binary is one program: a plain `postie send` would pay it. The
// names and types are those client_golang would expose; what is served
// parses with Prometheus' own parser (the tests check).
//
// Metrics:
//
//	postie_outbox_recipients_total{route,outcome}  counter  recipients by attempt outcome
//	postie_outbox_quarantined_total                 counter  entries set aside as damaged
//	postie_outbox_depth                             gauge    entries waiting, deferred or being sent
//	postie_outbox_ready                             gauge    entries no worker has been given yet
//	postie_outbox_unacked                           gauge    entries with a worker, or put back with a delay
//	postie_outbox_in_flight                         gauge    entries being sent (over the live workers)
//	postie_outbox_workers                           gauge    live workers
//	postie_outbox_scrape_errors_total               counter  failures to read the queue's state
package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/postie/postie/outbox"
)

// Depth is the queue's state, read at each scrape.
type Depth struct {
	Depth, Ready, Unacked, InFlight, Workers float64
}

// Outbox counts a worker's outcomes and serves them with the queue's
// state. Its zero value is not usable: call New.
type Outbox struct {
	mu          sync.Mutex
	recipients  map[[2]string]uint64 // route, outcome
	quarantined uint64
	scrapeErrs  uint64
	depth       func(context.Context) (Depth, error)
}

// New returns an empty set of metrics.
func New() *Outbox { return &Outbox{recipients: map[[2]string]uint64{}} }

// Observe counts one runner event (set it as outbox.Runner.OnEvent, or
// call it from there).
func (m *Outbox) Observe(ev outbox.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev.Quarantine != nil {
		m.quarantined++
	}
	if ev.Attempt == nil || ev.Entry == nil {
		return
	}
	m.recipients[[2]string{ev.Entry.Route.String(), ev.Attempt.Outcome.String()}]++
}

// SetDepth sets how the queue's state is read at each scrape (for the
// JetStream outbox: its Stats).
func (m *Outbox) SetDepth(f func(context.Context) (Depth, error)) {
	m.mu.Lock()
	m.depth = f
	m.mu.Unlock()
}

// ServeHTTP writes the metrics in the text format.
func (m *Outbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.WriteTo(r.Context(), w)
}

// WriteTo writes the metrics in the text format.
func (m *Outbox) WriteTo(ctx context.Context, w io.Writer) error {
	m.mu.Lock()
	depth := m.depth
	m.mu.Unlock()
	var d Depth
	var derr error
	if depth != nil {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		d, derr = depth(ctx)
		cancel()
	}
	m.mu.Lock()
	if derr != nil {
		m.scrapeErrs++
	}
	keys := make([][2]string, 0, len(m.recipients))
	for k := range m.recipients {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	var b strings.Builder
	head(&b, "postie_outbox_recipients_total", "counter", "Recipients by the outcome of an attempt to deliver to them.")
	for _, k := range keys {
		fmt.Fprintf(&b, "postie_outbox_recipients_total{route=%s,outcome=%s} %d\n", quote(k[0]), quote(k[1]), m.recipients[k])
	}
	head(&b, "postie_outbox_quarantined_total", "counter", "Entries set aside as damaged.")
	fmt.Fprintf(&b, "postie_outbox_quarantined_total %d\n", m.quarantined)
	head(&b, "postie_outbox_scrape_errors_total", "counter", "Failures to read the queue's state for a scrape.")
	fmt.Fprintf(&b, "postie_outbox_scrape_errors_total %d\n", m.scrapeErrs)
	m.mu.Unlock()
	if depth != nil && derr == nil {
		for _, g := range []struct {
			name, help string
			v          float64
		}{
			{"postie_outbox_depth", "Entries waiting, deferred or being sent.", d.Depth},
			{"postie_outbox_ready", "Entries no worker has been given yet.", d.Ready},
			{"postie_outbox_unacked", "Entries with a worker, or put back with a delay.", d.Unacked},
			{"postie_outbox_in_flight", "Entries being sent, over the live workers.", d.InFlight},
			{"postie_outbox_workers", "Live workers.", d.Workers},
		} {
			head(&b, g.name, "gauge", g.help)
			fmt.Fprintf(&b, "%s %s\n", g.name, strconv.FormatFloat(g.v, 'g', -1, 64))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func head(b *strings.Builder, name, typ, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// quote writes a label value: in double quotes, with backslash, double
// quote and line feed escaped (the text format's rules).
func quote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}

// Serve answers GET /metrics on addr until ctx ends. The address should
// be a loopback one unless the metrics are meant to be public.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on a listener the caller opened (to report a
// bad address before starting work, or to learn the port of :0). It
// closes ln.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
