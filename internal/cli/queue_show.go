package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"sync"
	"time"

	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/outbox"
)

// What 'queue list', 'queue show' and 'queue run' print.

// jsonEntry is an entry for --json: list has no history and header.
type jsonEntry struct {
	ID         string          `json:"id"`
	State      string          `json:"state"` // queued | sending | failed | delivered
	Created    time.Time       `json:"created"`
	Size       int64           `json:"size"`
	From       string          `json:"from"`
	Subject    string          `json:"subject,omitempty"`
	MessageID  string          `json:"message_id,omitempty"`
	Route      string          `json:"route"`
	RouteInfo  []string        `json:"route_settings,omitempty"`
	Campaign   string          `json:"campaign,omitempty"`
	Recipients []jsonQueueRcpt `json:"recipients"`
	Header     []string        `json:"header,omitempty"`
}

type jsonQueueRcpt struct {
	Address  string `json:"address"`
	State    string `json:"state"` // pending | deferred | unknown | delivered | failed
	Attempts int    `json:"attempts"`
	// PossiblyDelivered: an attempt's outcome was unknown (the connection
	// went after the end of the message), so the server may hold a copy
	// from it besides any later one.
	PossiblyDelivered bool          `json:"possibly_delivered"`
	Next              *time.Time    `json:"next,omitempty"`
	Last              string        `json:"last,omitempty"`
	History           []jsonAttempt `json:"history,omitempty"`
}

type jsonAttempt struct {
	At      time.Time `json:"at"`
	Outcome string    `json:"outcome"`
	Reply   string    `json:"reply,omitempty"`
	Error   string    `json:"error,omitempty"`
	QueueID string    `json:"queue_id,omitempty"`
	Runner  string    `json:"runner,omitempty"`
}

// entryStateWord names an entry's state for people.
func entryStateWord(e *outbox.Entry, now time.Time) string {
	switch e.State(now) {
	case outbox.Active:
		return "sending"
	case outbox.Done:
		return "delivered"
	case outbox.Held:
		return "failed"
	}
	return "queued"
}

func decodeSubject(s string) string {
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		s = d
	}
	return textsafe.Line(s)
}

func toJSONEntry(e *outbox.Entry, now time.Time, full bool) jsonEntry {
	j := jsonEntry{ID: string(e.ID), State: entryStateWord(e, now), Created: e.Created, Size: e.Size, From: e.From,
		Subject: decodeSubject(e.Subject), MessageID: e.MessageID, Route: describeRoute(e.Route), Campaign: e.Campaign, Recipients: []jsonQueueRcpt{}}
	if full {
		j.RouteInfo = routeDetails(e.Route)
	}
	for _, r := range e.Recipients {
		jr := jsonQueueRcpt{Address: r.Addr, State: r.State.String(), Attempts: r.Attempts, PossiblyDelivered: r.WasUnknown}
		if !r.State.Final() && !r.Next.IsZero() {
			n := r.Next
			jr.Next = &n
		}
		if l := r.Last(); l != nil {
			jr.Last = decodeServerText(l.Describe())
		}
		if full {
			for _, h := range r.History {
				ja := jsonAttempt{At: h.At, Outcome: h.Outcome.String(), Error: h.Error, QueueID: h.QueueID, Runner: h.Runner}
				if h.Reply != nil {
					ja.Reply = decodeServerText(h.Reply.String())
				}
				jr.History = append(jr.History, ja)
			}
		}
		j.Recipients = append(j.Recipients, jr)
	}
	return j
}

// reportCorrupt names a damaged record met while listing.
func (a *App) reportCorrupt(err error) {
	fmt.Fprintf(a.Stderr, "postie: error: %s\n", textsafe.Line(err.Error()))
}

// listQueue is 'queue list'.
func (a *App) listQueue(ctx context.Context, s outbox.Store, f outbox.Filter, jsonOut, mailq bool) error {
	now := time.Now()
	var out []jsonEntry
	listed := 0
	var firstErr error
	for e, err := range s.List(ctx, f) {
		if err != nil {
			var ce *outbox.CorruptError
			if !errors.As(err, &ce) {
				return err
			}
			a.reportCorrupt(err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if jsonOut {
			out = append(out, toJSONEntry(e, now, false))
			continue
		}
		a.printEntryLine(e, now)
		listed++
	}
	switch {
	case jsonOut:
	case listed == 0 && mailq:
		fmt.Fprintln(a.Stdout, "Mail queue is empty") // as mailq says it
	case listed == 0 && firstErr == nil:
		a.note(i18n.T("nothing to list: the outbox holds no such message"))
	}
	if jsonOut {
		if out == nil {
			out = []jsonEntry{}
		}
		textsafe.WriteJSON(a.Stdout, out)
	}
	if firstErr != nil {
		return &silentError{firstErr}
	}
	return nil
}

// printEntryLine is one entry in 'queue list': a line for the entry, and
// one for each recipient not delivered or possibly delivered twice.
func (a *App) printEntryLine(e *outbox.Entry, now time.Time) {
	var to []string
	for _, r := range e.Recipients {
		to = append(to, "<"+r.Addr+">")
	}
	fmt.Fprintf(a.Stdout, "%s  %-9s  %s  %8s  <%s> → %s  %s\n", e.ID, entryStateWord(e, now), e.Created.Local().Format("2006-01-02 15:04"),
		sizeText(e.Size), e.From, strings.Join(to, ", "), decodeSubject(e.Subject))
	for _, r := range e.Recipients {
		if r.State == outbox.Delivered && !r.WasUnknown {
			continue
		}
		fmt.Fprintf(a.Stdout, "    %s  %s\n", r.Addr, rcptSummary(&r))
	}
}

// rcptSummary says where one recipient stands, in one line.
func rcptSummary(r *outbox.Recipient) string {
	var parts []string
	parts = append(parts, r.State.String())
	parts = append(parts, i18n.Sprintf("%d attempt(s)", r.Attempts))
	if r.WasUnknown {
		parts = append(parts, i18n.T("possibly delivered before (an attempt's outcome was unknown)"))
	}
	if !r.State.Final() && !r.Next.IsZero() {
		parts = append(parts, i18n.Sprintf("next %s", r.Next.Local().Format(time.DateTime)))
	}
	s := strings.Join(parts, ", ")
	if l := r.Last(); l != nil {
		s += ": " + textsafe.Line(decodeServerText(l.Describe()))
	}
	return s
}

// sizeText is a size for people.
func sizeText(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 10<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// showEntry is 'queue show ID'.
func (a *App) showEntry(ctx context.Context, s outbox.Store, id outbox.ID, jsonOut bool) error {
	e, err := s.Get(ctx, id)
	if err != nil {
		return queueIDError(id, err)
	}
	header, herr := entryHeader(ctx, s, id)
	now := time.Now()
	j := toJSONEntry(e, now, true)
	j.Header = header
	if jsonOut {
		return textsafe.WriteJSON(a.Stdout, j)
	}
	w := a.Stdout
	row := func(k, v string) { fmt.Fprintf(w, "%-12s %s\n", k+":", v) }
	row(i18n.T("Entry"), string(e.ID))
	row(i18n.T("State"), j.State)
	row(i18n.T("Created"), e.Created.Local().Format(time.DateTime))
	row(i18n.T("Message-ID"), textsafe.Line(e.MessageID))
	row(i18n.T("From"), "<"+e.From+">")
	row(i18n.T("Size"), i18n.Sprintf("%d octets (sha256 %s)", e.Size, e.Digest))
	row(i18n.T("Route"), describeRoute(e.Route))
	for _, d := range j.RouteInfo {
		fmt.Fprintf(w, "%-12s   %s\n", "", textsafe.Line(d))
	}
	fmt.Fprintf(w, "%s\n", i18n.T("Header:"))
	switch {
	case herr != nil:
		fmt.Fprintf(w, "  (%s)\n", textsafe.Line(herr.Error()))
	default:
		for _, h := range header {
			fmt.Fprintf(w, "  %s\n", h)
		}
	}
	fmt.Fprintf(w, "%s\n", i18n.T("Recipients:"))
	for i := range e.Recipients {
		r := &e.Recipients[i]
		fmt.Fprintf(w, "  <%s>  %s\n", r.Addr, rcptSummary(r))
		if r.WasUnknown {
			fmt.Fprintf(w, "    %s\n", i18n.T("POSSIBLY DELIVERED: an attempt lost its connection after the end of the message was sent, so that server may have it; every retry sends the same bytes with the same Message-ID, so a second copy can be recognised"))
		}
		for _, h := range r.History {
			fmt.Fprintf(w, "    %s  %-9s  %s\n", h.At.Local().Format(time.DateTime), h.Outcome, textsafe.Line(decodeServerText(h.Describe())))
		}
	}
	return nil
}

// entryHeader reads the stored message's header section, one decoded
// field a line. A delivered message's bytes are no longer kept.
func entryHeader(ctx context.Context, s outbox.Store, id outbox.ID) ([]string, error) {
	rc, err := s.Body(ctx, id)
	if errors.Is(err, outbox.ErrNotFound) {
		return nil, i18n.Errorf("the message itself is no longer kept: every recipient has it")
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(io.LimitReader(rc, 1<<20), 64<<10)
	var out []string
	dec := new(mime.WordDecoder)
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1] += " " + strings.TrimSpace(line)
		} else {
			out = append(out, line)
		}
		if err != nil {
			break
		}
	}
	for i, h := range out {
		if d, err := dec.DecodeHeader(h); err == nil {
			h = d
		}
		out[i] = textsafe.Line(h)
	}
	return out, nil
}

// runPrinter prints one line per entry and outcome as a run goes:
// delivered, deferred, possibly delivered, failed; and each damaged entry
// set aside. An entry's line waits until each of its recipients due in
// the run has an outcome (or the pass ends).
type runPrinter struct {
	a     *App
	quiet bool

	mu      sync.Mutex
	pending map[outbox.ID]*entryEvents
	order   []outbox.ID
}

type entryEvents struct {
	e      *outbox.Entry
	due    int
	got    int
	groups map[outbox.State]*outcomeGroup
	states []outbox.State
}

// slowDownLine says that a server pushed back and how the run eased off.
func slowDownLine(sd *outbox.SlowDown) string {
	where := describeRoute(sd.Target.Route)
	if sd.Target.Domain != "" {
		where += " (" + sd.Target.Domain + ")"
	}
	return "postie: " + i18n.Sprintf("%s pushed back (%s): at most %d connection(s), pausing %s", textsafe.Line(where), textsafe.Line(sd.Cause), sd.Connections, sd.Pause.Round(time.Second)) + "\n"
}

type outcomeGroup struct {
	addrs  []string
	reason string
	next   time.Time
}

func (p *runPrinter) event(ev outbox.Event) {
	if ev.Quarantine != nil {
		q := ev.Quarantine
		fmt.Fprintf(p.a.Stderr, "postie: error: %s\n", i18n.Sprintf("entry %s is damaged (%s): set aside in %s, never sent", q.ID, textsafe.Line(q.Reason), textsafe.Line(q.Path)))
		return
	}
	if sd := ev.SlowDown; sd != nil {
		// The server pushed back (a 4.7.x reply, a refused connection):
		// say so, as it explains why the run slows down.
		if !p.quiet {
			fmt.Fprint(p.a.Stderr, slowDownLine(sd))
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		p.pending = map[outbox.ID]*entryEvents{}
	}
	id := ev.Entry.ID
	ee := p.pending[id]
	if ee == nil {
		ee = &entryEvents{e: ev.Entry, due: len(ev.Entry.Due(time.Now())), groups: map[outbox.State]*outcomeGroup{}}
		p.pending[id] = ee
		p.order = append(p.order, id)
	}
	ee.got++
	if a := ev.Attempt; a != nil {
		g := ee.groups[a.Outcome]
		if g == nil {
			g = &outcomeGroup{}
			ee.groups[a.Outcome] = g
			ee.states = append(ee.states, a.Outcome)
		}
		g.addrs = append(g.addrs, ev.Recipient)
		g.reason, g.next = a.Describe(), ev.Next
	}
	if ee.got >= ee.due {
		p.print(ee)
		delete(p.pending, id)
	}
}

// flush prints what is left at the end of a pass.
func (p *runPrinter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range p.order {
		if ee := p.pending[id]; ee != nil {
			p.print(ee)
		}
	}
	p.pending, p.order = nil, nil
}

func (p *runPrinter) print(ee *entryEvents) {
	for _, st := range ee.states {
		g := ee.groups[st]
		to := strings.Join(g.addrs, ">, <")
		why := textsafe.Line(decodeServerText(g.reason))
		id := ee.e.ID
		var line string
		switch st {
		case outbox.Delivered:
			if p.quiet {
				continue
			}
			line = i18n.Sprintf("delivered %s to <%s>: %s", id, to, why)
		case outbox.Deferred:
			if p.quiet {
				continue
			}
			line = i18n.Sprintf("deferred %s for <%s>: %s; next attempt %s", id, to, why, g.next.Local().Format(time.DateTime))
		case outbox.Unknown:
			if p.quiet {
				continue
			}
			if g.next.IsZero() {
				line = i18n.Sprintf("possibly delivered %s to <%s>: %s; held until 'postie queue retry %s'", id, to, why, id)
			} else {
				line = i18n.Sprintf("possibly delivered %s to <%s>: %s; sent again with the same Message-ID at %s", id, to, why, g.next.Local().Format(time.DateTime))
			}
		case outbox.Failed:
			// Never silent, not even with -q.
			line = i18n.Sprintf("failed %s for <%s>: %s", id, to, why)
		default:
			continue
		}
		fmt.Fprintf(p.a.Stderr, "postie: %s\n", line)
	}
}
