package merge

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/postie/postie/outbox"
)

// SendOptions say where a campaign's messages go and how fast. Store,
// Route and Connect are required; the zero value of every other field is
// the usual choice.
type SendOptions struct {
	Store   outbox.Store
	Route   outbox.Route     // the account, or server + TLS + user; never a secret
	Connect outbox.Connector // opens a session, fetching the secret then

	Connections   int  // at most this many at once (default 4)
	Rate          Rate // over the whole run; zero: as fast as the server takes them
	ResendUnknown bool // send again the rows whose outcome is unknown (a crash, a cut after the end)
	SkipInvalid   bool // send the good rows when some are invalid (else nothing is sent)

	// Checked is Check's report when the caller ran it already (to print
	// its problems); nil: Send checks every row first itself.
	Checked *Report

	// Sign, when set, signs each message before it is stored (DKIM), as
	// outbox.SubmitOptions.Sign.
	Sign func(dst io.Writer, src io.Reader) error

	// Retry is the schedule for rows deferred by the server (default:
	// MergeSchedule); Horizon how far ahead a deferred row is waited for
	// before Send returns and leaves it in the outbox (default 1 minute).
	Retry   outbox.Schedule
	Horizon time.Duration
	Backoff outbox.Backoff

	// Progress, when set, is called at most every 200 ms while sending,
	// and once at the end.
	Progress func(Progress)
	// OnSlowDown, when set, hears each time the runner eases off the
	// server (it asked to slow down, turned a connection away, failed).
	OnSlowDown func(outbox.SlowDown)

	// Stop, when closed, ends the run gently: rows being sent finish, the
	// rest stay in the outbox for the next run. Cancelling ctx ends it at
	// once (a row whose end was sent becomes "unknown").
	Stop <-chan struct{}

	Clock outbox.Clock // tests
}

// MergeSchedule retries a row the server deferred within seconds at
// first (a 451 in a burst, a 421 storm), then wider apart; the maximum
// age is the outbox's default.
var MergeSchedule = outbox.Schedule{Delays: []time.Duration{
	time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute,
	5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour,
}}

// Progress is the state of a campaign while it is sent, counted over the
// whole campaign (rows sent by an earlier run included).
type Progress struct {
	Total    int // rows to send: the campaign's good rows
	Queued   int // rows in the outbox so far
	Sent     int
	Failed   int
	Deferred int // waiting for a retry, or not yet tried
	Unknown  int
	Skipped  int // invalid rows, and duplicates
	// Rate is messages delivered a second over the last 10 seconds of
	// this run; ETA the time left at that rate (zero: unknown).
	Rate float64
	ETA  time.Duration
}

// Summary is what a run did, counted over the whole campaign.
type Summary struct {
	Campaign string
	Rows     int // data rows
	Total    int // rows to send
	Sent     int
	Failed   int
	Unknown  int // may have been delivered; sent again only with ResendUnknown
	Deferred int // still in the outbox: run again to continue
	Skipped  int // invalid rows and duplicates, not sent
	Invalid  int // of Skipped, the invalid ones

	Resumed     bool // the campaign was in the outbox already
	AlreadyDone bool // nothing was left to send: no connection was made
	Interrupted bool // Stop or ctx ended the run
	SentNow     int  // delivered in this run
	Connections int  // sessions opened in this run
	SlowDowns   int  // times the run eased off the server
	Elapsed     time.Duration

	// Failures are the first rows refused for good, with the reply;
	// Unknowns the first rows whose outcome is unknown.
	Failures, Unknowns []RowReport
}

// maxNamed is how many failed (and unknown) rows a Summary names.
const maxNamed = 20

// submitters is how many rows are queued at once: concurrent Submits
// share the store's commits (bench/RESULTS.md: one caller gets one row
// per commit, 64 get a few thousand a second).
const submitters = 64

// Send puts the campaign's rows into the outbox and delivers them, each
// row once: every row is checked first (nothing is sent, no connection
// made, when one is invalid, unless SkipInvalid), then the rows are
// queued — each an entry keyed by campaign and row, so a row already in
// the outbox is not queued again — while a runner limited to the
// campaign delivers them over Connections connections, pipelined, at
// Rate. A row whose outcome becomes unknown (a crash, a cut after its
// end) is held, and sent again only with ResendUnknown; rows the server
// defers are retried on the Retry schedule while the retry is within
// Horizon. Send returns when no row is left to try, only rows deferred
// past the Horizon are left, or Stop or ctx ends it.
//
// A campaign found in the outbox is continued: its abandoned leases (a
// crashed run) are ended, its deferred rows are due at once. One whose
// every row is done returns at once (Summary.AlreadyDone).
func (c *Campaign) Send(ctx context.Context, o SendOptions) (*Summary, error) {
	if o.Store == nil || o.Connect == nil {
		return nil, errors.New("merge: Send needs a Store and a Connector")
	}
	clock := o.Clock
	if clock == nil {
		clock = outbox.SystemClock
	}
	start := clock.Now()
	sum := &Summary{Campaign: c.Name}
	rep := o.Checked
	if rep == nil {
		var err error
		if rep, err = c.Check(ctx); err != nil {
			return nil, err
		}
	}
	sum.Rows = rep.Rows
	sum.Total = rep.Good
	invalid := map[int]bool{} // rows, not problems: a row may have several
	for _, p := range rep.Problems {
		if !p.Warning && !invalid[p.Row] {
			invalid[p.Row] = true
			sum.Invalid++
		}
	}
	sum.Skipped = skippedRows(rep.Problems)
	if err := rep.Err(); err != nil && !o.SkipInvalid {
		return sum, err
	}

	before, err := o.Store.Counts(ctx, c.Name)
	if err != nil {
		return sum, err
	}
	sum.Resumed = before.Entries > 0
	if sum.Resumed {
		if err := c.resume(ctx, o, before, clock.Now()); err != nil {
			return sum, err
		}
		after, err := o.Store.Counts(ctx, c.Name)
		if err != nil {
			return sum, err
		}
		if after.Entries >= rep.Good && after.Pending+after.Deferred == 0 {
			// Finished — by this campaign, or by another version of it
			// (other data under the same name) whose rows must not be
			// counted as this one's.
			if err := c.sameStored(ctx, o); err != nil {
				return sum, err
			}
			sum.AlreadyDone = true
			return sum, c.finish(ctx, o, sum, start, clock)
		}
	}

	follow := make(chan struct{})
	// halt stops the runner gently (what is in flight finishes): on the
	// caller's Stop, or when this run is refused part-way because another
	// version of the campaign queued a row first — cutting its runner off
	// mid-message would leave that message's outcome unknown.
	halt := make(chan struct{})
	var haltOnce sync.Once
	stopRunner := func() { haltOnce.Do(func() { close(halt) }) }
	if o.Stop != nil {
		watchDone := make(chan struct{})
		defer close(watchDone)
		go func() {
			select {
			case <-o.Stop:
				stopRunner()
			case <-watchDone:
			}
		}()
	}
	r := &outbox.Runner{
		Store: o.Store, Connect: o.Connect, Clock: o.Clock,
		Connections: orDefault(o.Connections, 4),
		Filter:      outbox.Filter{Campaign: c.Name},
		Schedule:    o.Retry, Backoff: o.Backoff,
		Follow: follow, Horizon: o.Horizon, Stop: halt,
	}
	if len(r.Schedule.Delays) == 0 {
		r.Schedule.Delays = MergeSchedule.Delays
	}
	if r.Horizon == 0 {
		r.Horizon = time.Minute
	}
	if !o.Rate.IsZero() {
		lim, _ := o.Rate.limiter()
		r.Limit = func(outbox.Route) *rate.Limiter { return lim }
	}
	if o.OnSlowDown != nil {
		r.OnEvent = func(ev outbox.Event) {
			if ev.SlowDown != nil {
				o.OnSlowDown(*ev.SlowDown)
			}
		}
	}

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	type result struct {
		rep *outbox.Report
		err error
	}
	ran := make(chan result, 1)
	go func() {
		rp, err := r.Run(runCtx)
		ran <- result{rp, err}
	}()
	stopProgress := c.progress(ctx, o, sum, clock)

	qerr := c.queue(ctx, o, sum.Resumed, r)
	close(follow)
	var ce *ChangedError
	switch {
	case errors.As(qerr, &ce):
		stopRunner()
	case qerr != nil:
		cancelRun() // a store failure or ctx: stop delivering too
	}
	res := <-ran
	stopProgress()
	if res.rep != nil {
		sum.SentNow = res.rep.Delivered
		sum.Connections = res.rep.Connections
		sum.SlowDowns = res.rep.SlowDowns
	}
	err = qerr
	if err == nil && res.err != nil {
		err = res.err
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil || stopped(o.Stop) {
		sum.Interrupted = true
	}
	if ferr := c.finish(context.WithoutCancel(ctx), o, sum, start, clock); err == nil {
		err = ferr
	}
	return sum, err
}

func orDefault(n, d int) int {
	if n > 0 {
		return n
	}
	return d
}

func stopped(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// skippedRows counts the rows not sent for their problems: invalid rows
// (a row may have several problems) and duplicates.
func skippedRows(probs []*Problem) int {
	rows := map[int]bool{}
	n := 0
	for _, p := range probs {
		if p.Warning && p.Kind != KindDuplicate {
			continue // a case variant is sent
		}
		if p.Row <= 1 { // the header or the data as a whole
			continue
		}
		if !rows[p.Row] {
			rows[p.Row] = true
			n++
		}
	}
	return n
}

// resume prepares a campaign found in the outbox for another run: leases
// of a run that died are ended (what it was sending becomes unknown),
// rows deferred are due now (the user ran it again to continue), and
// with ResendUnknown rows whose outcome is unknown are due again.
func (c *Campaign) resume(ctx context.Context, o SendOptions, counts outbox.Counts, now time.Time) error {
	f := outbox.Filter{Campaign: c.Name}
	if counts.Claimed > 0 {
		if _, err := outbox.ReclaimAbandoned(ctx, o.Store, f, now); err != nil {
			return err
		}
		var err error
		if counts, err = o.Store.Counts(ctx, c.Name); err != nil {
			return err
		}
	}
	if counts.Deferred == 0 && (counts.Unknown == 0 || !o.ResendUnknown) {
		return nil
	}
	var retry []outbox.ID
	for e, err := range o.Store.List(ctx, f) {
		var ce *outbox.CorruptError
		if errors.As(err, &ce) {
			continue
		}
		if err != nil {
			return err
		}
		if e.Lease != nil && now.Before(e.Lease.Until) {
			continue // another run is at it
		}
		st := e.Recipients[0].State
		if st == outbox.Deferred || st == outbox.Unknown && o.ResendUnknown {
			retry = append(retry, e.ID)
		}
	}
	for _, id := range retry {
		if err := o.Store.Retry(ctx, id, now); err != nil {
			return err
		}
	}
	return nil
}

// queue submits every row not yet in the outbox, from several goroutines
// (concurrent Submits share commits), waking the runner after each.
func (c *Campaign) queue(ctx context.Context, o SendOptions, resumed bool, r *outbox.Runner) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	items := make(chan *Item, submitters*2)
	var wg sync.WaitGroup
	for range submitters {
		wg.Go(func() {
			buf := new(bytes.Buffer)
			for it := range items {
				if err := c.submit(ctx, o, it, resumed, buf); err != nil {
					cancel(err)
					for range items { // let the producer finish
					}
					return
				}
				r.Wake()
			}
		})
	}
	var err error
	for it, e := range c.Messages(ctx) {
		if stopped(o.Stop) {
			break
		}
		var p *Problem
		if errors.As(e, &p) {
			continue // reported by Check
		}
		if e != nil {
			err = e
			break
		}
		select {
		case items <- it:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(items)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// inlineBody is the largest message rendered into memory before it is
// submitted; larger ones (attachments) stream through a pipe.
const inlineBody = 64 << 10

// submit queues one row: an entry keyed by campaign and row, with an ID
// in row order, holding unknown outcomes for ResendUnknown.
func (c *Campaign) submit(ctx context.Context, o SendOptions, it *Item, resumed bool, buf *bytes.Buffer) error {
	if resumed {
		if e, err := o.Store.Lookup(ctx, it.Key); err == nil {
			return c.sameCampaign(e) // queued by an earlier run
		} else if !errors.Is(err, outbox.ErrNotFound) {
			return err
		}
	}
	id, err := c.rowID(it.Row)
	if err != nil {
		return err
	}
	e := &outbox.Entry{
		ID: id, Key: it.Key, Campaign: c.Name,
		Meta: map[string]string{
			metaRow:         strconv.Itoa(it.Row),
			metaFingerprint: c.Fingerprint,
			metaDate:        c.Date.Format(time.RFC3339),
		},
		Route:       o.Route,
		From:        it.From,
		Recipients:  []outbox.Recipient{{Addr: it.To.Addr}},
		Params:      outbox.Params{SMTPUTF8: it.NeedsSMTPUTF8()},
		HoldUnknown: true,
	}
	size, err := it.Size()
	if err != nil {
		return fmt.Errorf("row %d: %w", it.Row, err)
	}
	var body io.Reader
	var pw *io.PipeWriter
	if size <= inlineBody {
		buf.Reset()
		if _, err := it.WriteTo(buf); err != nil {
			return fmt.Errorf("row %d: %w", it.Row, err)
		}
		body = buf
	} else {
		var pr *io.PipeReader
		pr, pw = io.Pipe()
		go func() {
			bw := bufio.NewWriterSize(pw, 64<<10)
			_, err := it.WriteTo(bw)
			if err == nil {
				err = bw.Flush()
			}
			pw.CloseWithError(err)
		}()
		body = pr
	}
	_, err = outbox.Submit(ctx, o.Store, e, body, &outbox.SubmitOptions{Clock: o.Clock, Sign: o.Sign})
	if pw != nil {
		pw.CloseWithError(errors.New("submit finished"))
	}
	if errors.Is(err, outbox.ErrDuplicate) {
		// Queued a moment ago by another run of this campaign, or by a
		// run of another campaign of the same name (another data file):
		// that one must not pass for this row's message.
		e, lerr := o.Store.Lookup(ctx, it.Key)
		if errors.Is(lerr, outbox.ErrNotFound) {
			return nil // a key left by an entry set aside or dropped: skipped, as before
		}
		if lerr != nil {
			return fmt.Errorf("row %d: %w", it.Row, lerr)
		}
		return c.sameCampaign(e)
	}
	if err != nil {
		return fmt.Errorf("row %d: %w", it.Row, err)
	}
	return nil
}

// sameStored checks every entry of the campaign with sameCampaign.
func (c *Campaign) sameStored(ctx context.Context, o SendOptions) error {
	for e, err := range o.Store.List(ctx, outbox.Filter{Campaign: c.Name}) {
		var ce *outbox.CorruptError
		if errors.As(err, &ce) {
			continue
		}
		if err != nil {
			return err
		}
		if err := c.sameCampaign(e); err != nil {
			return err
		}
	}
	return nil
}

// sameCampaign: an entry already queued under this campaign's key for a
// row was made from this template, data and settings; else the run
// stops, as Resume does, rather than count another file's row as this
// one's (two merges of the same name started at once).
func (c *Campaign) sameCampaign(e *outbox.Entry) error {
	if fp := e.Meta[metaFingerprint]; fp != c.Fingerprint {
		return c.Resume(fp)
	}
	return nil
}

// finish fills the summary from the store's counts (the whole campaign)
// and reports the last progress.
func (c *Campaign) finish(ctx context.Context, o SendOptions, sum *Summary, start time.Time, clock outbox.Clock) error {
	sum.Elapsed = clock.Now().Sub(start)
	cnt, err := o.Store.Counts(ctx, c.Name)
	if err != nil {
		return err
	}
	sum.Sent, sum.Failed, sum.Unknown = cnt.Delivered, cnt.Failed, cnt.Unknown
	sum.Deferred = max(0, sum.Total-cnt.Entries) + cnt.Pending + cnt.Deferred // not yet queued, or waiting
	if cnt.Failed+cnt.Unknown > 0 {
		for rr, err := range c.rowReports(ctx, o.Store, nil) {
			if err != nil {
				return err
			}
			switch {
			case rr.Status == StatusFailed && len(sum.Failures) < maxNamed:
				sum.Failures = append(sum.Failures, rr)
			case rr.Status == StatusUnknown && len(sum.Unknowns) < maxNamed:
				sum.Unknowns = append(sum.Unknowns, rr)
			}
			if len(sum.Failures) == min(cnt.Failed, maxNamed) && len(sum.Unknowns) == min(cnt.Unknown, maxNamed) {
				break
			}
		}
	}
	if o.Progress != nil {
		o.Progress(progressOf(sum.Total, cnt, sum.Skipped, 0, 0))
	}
	return nil
}

// progress reports the campaign's counts every 200 ms until stopped.
func (c *Campaign) progress(ctx context.Context, o SendOptions, sum *Summary, clock outbox.Clock) (stop func()) {
	if o.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var samples []sample // the last 10 s of (time, sent)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			cnt, err := o.Store.Counts(ctx, c.Name)
			if err != nil {
				continue
			}
			now := clock.Now()
			samples = append(samples, sample{now, cnt.Delivered + cnt.Failed})
			for len(samples) > 1 && now.Sub(samples[0].at) > 10*time.Second {
				samples = samples[1:]
			}
			perSec := 0.0
			if first := samples[0]; len(samples) > 1 && now.After(first.at) {
				perSec = float64(cnt.Delivered+cnt.Failed-first.done) / now.Sub(first.at).Seconds()
			}
			o.Progress(progressOf(sum.Total, cnt, sum.Skipped, perSec, o.Rate.PerSecond()))
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

type sample struct {
	at   time.Time
	done int
}

func progressOf(total int, cnt outbox.Counts, skipped int, perSec, cap float64) Progress {
	p := Progress{
		Total: total, Queued: cnt.Entries, Sent: cnt.Delivered, Failed: cnt.Failed, Unknown: cnt.Unknown,
		Deferred: max(0, total-cnt.Entries) + cnt.Pending + cnt.Deferred,
		Skipped:  skipped, Rate: perSec,
	}
	left := p.Deferred
	speed := perSec
	if cap > 0 && (speed == 0 || speed > cap) {
		speed = cap
	}
	if left > 0 && speed > 0 {
		p.ETA = time.Duration(float64(left) / speed * float64(time.Second)).Round(time.Second)
	}
	return p
}
