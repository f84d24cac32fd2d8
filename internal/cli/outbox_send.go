package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/smtp"
)

// sendQueueFlags are send's outbox flags.
type sendQueueFlags struct {
	queue, only bool
	dir         queueFlags
	run         runFlags
}

func (f *sendQueueFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&f.queue, "queue", false, i18n.T("keep the message in the outbox until a server takes it: written to disk first, tried at once; a temporary failure leaves it queued (exit 0) for 'postie queue run'"))
	fs.BoolVar(&f.only, "queue-only", false, i18n.T("put the message in the outbox without trying to send it ('postie queue run' sends it)"))
	f.dir.add(fs)
	f.run.add(fs)
}

func (f *sendQueueFlags) on() bool { return f.queue || f.only }

// queueSender is the Sender of send --queue and of sendmail's queue
// modes. Send writes the message to the outbox before any network I/O
// (the bytes as they will go: Message-ID and Date fixed, DKIM-signed),
// then, unless only queueing, delivers that one entry at once with a
// Runner. What the server could not take for now stays queued; what it
// refused for good is reported as send reports it, and the entry is kept
// as failed for 'postie queue list --failed'.
type queueSender struct {
	store   outbox.Store
	route   outbox.Route
	only    bool
	sched   outbox.Schedule
	lease   time.Duration
	sign    func(io.Writer, io.Reader) error
	adapt   Adapt
	connect func(ctx context.Context) (*smtp.Client, error) // the first attempt, with the settings in hand
	direct  *deliver.Direct                                 // or this, for --direct
	name    string

	entry  *outbox.Entry
	queued []queuedRcpt

	mu      sync.Mutex
	results []*smtp.Result // the engine's, from the first attempt
	errs    []error
}

// queuedRcpt is a recipient left in the outbox, and why.
type queuedRcpt struct {
	addr    string
	reason  string // the last attempt's reply or error; "" when not tried
	maybe   bool   // the outcome was unknown: it may have been delivered
	next    time.Time
	attempt bool
}

// newQueueSender opens the outbox and maps the settings to a route (no
// secret in it). Unless only queueing, the connection for the first
// attempt is prepared as send prepares one: the secret is fetched now,
// so a missing one is reported before anything is queued.
func (a *App) newQueueSender(ctx context.Context, req *request, st *Settings, f *sendQueueFlags, adapt Adapt) (*queueSender, error) {
	rt, err := a.routeFor(req, st)
	if err != nil {
		return nil, err
	}
	sched, err := f.run.schedule()
	if err != nil {
		return nil, err
	}
	qs := &queueSender{route: rt, only: f.only, sched: sched, lease: f.run.lease, adapt: adapt, name: describeRoute(rt)}
	if !f.only {
		if st.Direct != nil {
			ds, err := a.newDirect(st)
			if err != nil {
				return nil, err
			}
			qs.name, qs.direct = ds.Route(), ds.Direct
		} else {
			relay, err := a.newRelay(ctx, st)
			if err != nil {
				return nil, err
			}
			qs.name = relay.Addr
			qs.connect = relay.Connect
		}
	}
	q := f.dir
	q.file, q.verbose = req.file, req.output.verbose > 0
	if qs.store, err = a.openQueue(q); err != nil {
		return nil, err
	}
	return qs, nil
}

func (q *queueSender) Route() string { return q.name }

// Close releases the outbox.
func (q *queueSender) Close() error { return q.store.Close() }

// Send queues the message and (unless only queueing) tries it once. The
// result and error cover the recipients that reached a final state
// (delivered, or failed for good); the others are in q.queued.
func (q *queueSender) Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	if q.adapt != nil {
		// No server is known yet: the form every server takes.
		if err := q.adapt(smtp.Extensions{}); err != nil {
			return nil, err
		}
	}
	e, orig := queueEntry(q.route, env)
	e.Schedule = q.sched // what --retry-schedule and --max-age set stays with the message
	r, err := body()
	if err != nil {
		return nil, err
	}
	e, err = outbox.Submit(ctx, q.store, e, r, &outbox.SubmitOptions{Sign: q.sign})
	r.Close()
	if err != nil {
		return nil, submitError(err)
	}
	q.entry = e
	if !q.only {
		run := &outbox.Runner{
			Store: q.store, Connect: q.firstConnect, Schedule: q.sched, Lease: q.lease,
			Connections: 1, Filter: outbox.Filter{IDs: []outbox.ID{e.ID}},
		}
		if _, err := run.Run(ctx); err != nil {
			if errors.Is(err, context.Canceled) {
				return nil, exitcode.With(exitcode.Interrupted, i18n.Errorf("interrupted; the message stays in the outbox as %s ('postie queue run' sends it)", e.ID), "")
			}
			return nil, storageHint(err)
		}
		if q.entry, err = q.store.Get(context.WithoutCancel(ctx), e.ID); err != nil {
			return nil, err
		}
	}
	return q.result(orig)
}

// queueEntry is the outbox entry for env: addresses with internationalised
// domains in their ASCII form where the local part allows (the form every
// server takes; the queue does not know the server yet), SMTPUTF8 asked
// for the others. orig maps the stored addresses back to the caller's.
func queueEntry(rt outbox.Route, env *smtp.Envelope) (*outbox.Entry, map[string]string) {
	e := &outbox.Entry{Route: rt, Params: entryParams(env)}
	orig := map[string]string{}
	ascii := func(addr string) string {
		a, err := deliver.ASCIIAddress(addr)
		if err != nil {
			e.Params.SMTPUTF8 = true
			return addr
		}
		return a
	}
	e.From = ascii(env.From)
	for _, to := range env.To {
		a := ascii(to)
		orig[a] = to
		e.Recipients = append(e.Recipients, outbox.Recipient{Addr: a})
	}
	return e, orig
}

// submitError gives Submit's failures their exit codes: storage (73/74)
// as they are, a message the outbox cannot take 65.
func submitError(err error) error {
	var me *outbox.MessageError
	if errors.As(err, &me) {
		return exitcode.With(exitcode.DataErr, err, "")
	}
	return storageHint(err)
}

// firstConnect opens the first attempt's connection with the settings
// in hand, and keeps what the engine says for the report.
func (q *queueSender) firstConnect(ctx context.Context, t outbox.Target) (outbox.Session, error) {
	var c *smtp.Client
	var err error
	if q.direct != nil {
		var s outbox.Session
		if s, err = directSession(ctx, q.direct, t.Domain); err == nil {
			c = s.(*smtp.Client)
		}
	} else {
		c, err = q.connect(ctx)
	}
	if err != nil {
		q.record(nil, err)
		return nil, err
	}
	return &recordingSession{c: c, rec: q.record}, nil
}

func (q *queueSender) record(res *smtp.Result, err error) {
	q.mu.Lock()
	q.results = append(q.results, res)
	q.errs = append(q.errs, err)
	q.mu.Unlock()
}

// recordingSession passes each job's outcome to rec on its way to the
// runner. It keeps SendEach, so the runner pipelines as with a client.
type recordingSession struct {
	c   *smtp.Client
	rec func(*smtp.Result, error)
}

func (s *recordingSession) Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	res, err := s.c.Send(ctx, env, body)
	s.rec(res, err)
	return res, err
}

func (s *recordingSession) SendEach(ctx context.Context, next func() (smtp.Job, bool), done func(smtp.Job, *smtp.Result, error) error) error {
	return s.c.SendEach(ctx, next, func(j smtp.Job, res *smtp.Result, err error) error {
		s.rec(res, err)
		return done(j, res, err)
	})
}

func (s *recordingSession) Quit(ctx context.Context) error { return s.c.Quit(ctx) }

// result reports the entry as the outbox now has it: the engine's result
// and error for the recipients that are done (delivered, or failed for
// good), and q.queued for the others.
func (q *queueSender) result(orig map[string]string) (*smtp.Result, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	seen := map[string]smtp.RcptStatus{}
	total := &smtp.Result{}
	var firstErr error
	for i, res := range q.results {
		if res != nil {
			for _, r := range res.Recipients {
				seen[r.Address] = r
			}
			total.Transactions = append(total.Transactions, res.Transactions...)
			if res.Final != nil {
				total.Final, total.QueueID = res.Final, res.QueueID
			}
		}
		if q.errs[i] != nil && firstErr == nil {
			firstErr = q.errs[i]
		}
	}
	failed := 0
	for _, r := range q.entry.Recipients {
		addr := orig[r.Addr]
		if addr == "" {
			addr = r.Addr
		}
		last := r.Last()
		switch r.State {
		case outbox.Delivered, outbox.Failed:
			st, ok := seen[r.Addr]
			if !ok {
				st = smtp.RcptStatus{Address: r.Addr}
				if r.State == outbox.Delivered {
					st.State = smtp.RcptDelivered
				} else if st.Err = firstErr; st.Err == nil {
					st.Err = errors.New(last.Describe())
				}
			}
			if r.State == outbox.Failed {
				failed++
				if st.Err == nil || exitcode.Temporary(st.Err) || errors.Is(st.Err, smtp.ErrMaybeDelivered) {
					// Given up (the maximum age): say so, with the reply.
					st.State, st.Err = smtp.RcptNotDelivered, exitcode.With(exitcode.Unavailable, errors.New(last.Describe()), "")
				}
			}
			st.Address = addr
			total.Recipients = append(total.Recipients, st)
		default:
			qr := queuedRcpt{addr: addr, next: r.Next, maybe: r.State == outbox.Unknown}
			if last != nil {
				qr.reason, qr.attempt = last.Describe(), true
			}
			q.queued = append(q.queued, qr)
		}
	}
	// The engine's error speaks for the recipients still queued unless
	// some failed for good; those carry their own errors.
	if failed == 0 || exitcode.Temporary(firstErr) || errors.Is(firstErr, smtp.ErrMaybeDelivered) {
		firstErr = nil
	}
	return total, firstErr
}

// queuedReport is what deliver prints for recipients left in the outbox.
func (q *queueSender) queuedReport() (outbox.ID, []queuedRcpt) {
	if q.entry == nil {
		return "", nil
	}
	return q.entry.ID, q.queued
}

// printQueued says which recipients wait in the outbox and why: one line
// (one per distinct reason when recipients fared differently).
func (a *App) printQueued(id outbox.ID, qs []queuedRcpt) {
	type group struct {
		r     queuedRcpt
		addrs []string
	}
	var groups []*group
	byReason := map[string]*group{}
	for _, r := range qs {
		k := fmt.Sprint(r.attempt, r.maybe, r.reason)
		g := byReason[k]
		if g == nil {
			g = &group{r: r}
			byReason[k] = g
			groups = append(groups, g)
		}
		g.addrs = append(g.addrs, r.addr)
	}
	for _, g := range groups {
		to, r := strings.Join(g.addrs, ">, <"), g.r
		why, next := textsafe.Line(decodeServerText(r.reason)), r.next.Local().Format(time.DateTime)
		var line string
		switch {
		case !r.attempt:
			line = i18n.Sprintf("queued <%s> as %s; 'postie queue run' sends it", to, id)
		case r.maybe:
			line = i18n.Sprintf("queued <%s> as %s: %s; it may have been delivered: the next attempt (%s) sends the same Message-ID", to, id, why, next)
		default:
			line = i18n.Sprintf("queued <%s> as %s: %s; next attempt %s ('postie queue run')", to, id, why, next)
		}
		fmt.Fprintf(a.Stderr, "postie: %s\n", line)
	}
}
