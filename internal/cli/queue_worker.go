package cli

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/time/rate"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/merge"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/outbox/jetstream"
	"github.com/postie/postie/outbox/metrics"
)

// queue run as a worker: limits (on a NATS outbox shared by the whole
// fleet through the cluster, jetstream.Fleet), Prometheus metrics, and
// the NATS worker loop (jetstream.Store.Work).

// workerFlags are queue run's limits and metrics.
type workerFlags struct {
	metrics  string
	rateText string
	maxConns int

	rate merge.Rate
}

func (f *workerFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.metrics, "metrics", "", i18n.T("serve Prometheus metrics at http://ADDR/metrics while running, e.g. 127.0.0.1:9464"))
	fs.StringVar(&f.rateText, "rate", "", i18n.T("at most this many messages per route (account or server), e.g. 30/min, 500/h; on a NATS outbox the rate holds for all workers together"))
	fs.IntVar(&f.maxConns, "max-conns", 0, i18n.T("at most this many connections at once to one server (or one domain's mail exchangers); on a NATS outbox, for all workers together"))
}

func (f *workerFlags) check() error {
	if f.rateText != "" {
		r, err := merge.ParseRate(f.rateText)
		if err != nil {
			return exitcode.With(exitcode.Usage, i18n.Errorf("--rate: %w", err), i18n.T("give N/s, N/min or N/h, e.g. --rate 30/min"))
		}
		f.rate = r
	}
	if f.maxConns < 0 {
		return usageErr(i18n.Errorf("--max-conns %d: want a number above 0", f.maxConns))
	}
	return nil
}

// limit applies --rate and --max-conns to r: through the cluster on a
// NATS outbox (every worker draws from the same allowances), in the
// runner otherwise.
func (f *workerFlags) limit(s outbox.Store, r *outbox.Runner) {
	if f.rate.IsZero() && f.maxConns == 0 {
		return
	}
	if js, ok := natsStore(s); ok {
		l := jetstream.Limits{}
		if !f.rate.IsZero() {
			rt := jetstream.Rate{N: f.rate.N, Per: f.rate.Per}
			l.Route = func(outbox.Route) jetstream.Rate { return rt }
		}
		if n := f.maxConns; n > 0 {
			l.Conns = func(outbox.Target) int { return n }
		}
		r.Connect = js.Fleet(l).Connector(r.Connect)
		return
	}
	if !f.rate.IsZero() {
		every := f.rate.Per / time.Duration(f.rate.N)
		r.Limit = func(outbox.Route) *rate.Limiter { return rate.NewLimiter(rate.Every(every), 1) }
	}
	if f.maxConns > 0 {
		r.PerTarget = f.maxConns
	}
}

// serveMetrics serves r's outcomes (and, on a NATS outbox, the queue's
// depth from the cluster at each scrape) until ctx ends. The address is
// taken before any work, so a bad one is an error at once.
func (a *App) serveMetrics(ctx context.Context, s outbox.Store, r *outbox.Runner, addr string, quiet bool) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return exitcode.With(exitcode.Usage, i18n.Errorf("--metrics %s: %w", addr, err), i18n.T("give a free host:port, e.g. 127.0.0.1:9464"))
	}
	m := metrics.New()
	if js, ok := natsStore(s); ok {
		m.SetDepth(func(ctx context.Context) (metrics.Depth, error) {
			st, err := js.Stats(ctx)
			if err != nil {
				return metrics.Depth{}, err
			}
			return metrics.Depth{Depth: float64(st.Depth), Ready: float64(st.Ready), Unacked: float64(st.Unacked),
				InFlight: float64(st.InFlight), Workers: float64(len(st.Workers))}, nil
		})
	}
	if prev := r.OnEvent; prev != nil {
		r.OnEvent = func(ev outbox.Event) { prev(ev); m.Observe(ev) }
	} else {
		r.OnEvent = m.Observe
	}
	if !quiet {
		fmt.Fprintf(a.Stderr, "postie: %s\n", i18n.Sprintf("metrics at http://%s/metrics", ln.Addr()))
	}
	go metrics.ServeListener(ctx, ln, m)
	return nil
}

// work is queue run --watch on a NATS outbox: this process is one worker
// of the fleet until ctx ends (SIGINT, SIGTERM: a normal stop). A pass
// that fails (the cluster unreachable, a node lost) is reported and
// tried again; the entries it held go back to the cluster when their
// leases run out.
func (a *App) work(ctx context.Context, js *jetstream.Store, r *outbox.Runner, poll time.Duration, p *runPrinter) {
	js.Work(ctx, r, jetstream.WorkOptions{
		Poll: poll,
		Each: func(*outbox.Report) { p.flush() },
		Errors: func(err error) {
			a.warn(i18n.Sprintf("the NATS outbox: %v (trying again)", err))
		},
	})
	p.flush()
}
