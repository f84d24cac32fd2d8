package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/merge"
	"github.com/postie/postie/outbox"
)

// mergeBar is the progress bar of a merge on a terminal: rows done of
// the campaign's total, then sent / failed / waiting, the rate and ETA.
type mergeBar struct {
	p   *mpb.Progress
	bar *mpb.Bar

	mu   sync.Mutex
	last merge.Progress
}

// newMergeBar returns nil when stderr is not a terminal, or the user
// asked for quiet (or for the dialogue, which the bar would garble).
func (a *App) newMergeBar(off bool, total int) *mergeBar {
	if off || !a.stderrIsTerminal() {
		return nil
	}
	b := &mergeBar{last: merge.Progress{Total: total, Deferred: total}}
	// WithAutoRefresh: the App has said stderr is a terminal (tests say so
	// through a pipe, where mpb would otherwise draw only at the end).
	b.p = mpb.New(mpb.WithOutput(a.Stderr), mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithAutoRefresh())
	b.bar = b.p.New(int64(total), mpb.BarStyle(),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return i18n.T("postie: sending ") }),
			decor.CountersNoUnit("%d / %d")),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return b.status() })))
	return b
}

// update takes the merge's progress (every 200 ms).
func (b *mergeBar) update(p merge.Progress) {
	b.mu.Lock()
	b.last = p
	b.mu.Unlock()
	b.bar.SetTotal(int64(p.Total), false)
	b.bar.SetCurrent(int64(p.Sent + p.Failed + p.Unknown))
}

func (b *mergeBar) status() string {
	b.mu.Lock()
	p := b.last
	b.mu.Unlock()
	eta := "--"
	if p.ETA > 0 {
		eta = p.ETA.String()
	}
	return i18n.Sprintf("  sent %d  failed %d  waiting %d  %.1f/s  ETA %s", p.Sent, p.Failed, p.Deferred, p.Rate, eta)
}

// finish draws the bar a last time and lets go of the terminal.
func (b *mergeBar) finish() {
	b.bar.SetTotal(-1, true)
	b.p.Wait()
}

// openReport opens (creating) the --report file before anything is
// sent, so a path that cannot be written is said first. It is emptied
// only when the report is written, so a run that fails keeps the last
// report. A regular file of the user's is made 0600 (it lists every
// recipient); a device or someone else's file is left as it is.
func openReport(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, exitcode.With(exitcode.CantCreat, i18n.Errorf("--report: %w", err), "")
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == os.Getuid() && fi.Mode().Perm() != 0o600 {
			if err := f.Chmod(0o600); err != nil {
				f.Close()
				return nil, exitcode.With(exitcode.CantCreat, i18n.Errorf("--report: %w", err), "")
			}
		}
	}
	return f, nil
}

// writeMergeReport writes --report to f (from openReport): a JSON line
// per data row, in row order, for the whole campaign (earlier runs
// included).
func (a *App) writeMergeReport(c *merge.Campaign, s outbox.Store, rep *merge.Report, f *os.File) error {
	var err error
	if fi, serr := f.Stat(); serr == nil && fi.Mode().IsRegular() {
		err = f.Truncate(0)
	}
	if err == nil {
		err = c.WriteReport(context.Background(), s, rep, f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return exitcode.With(exitcode.IOErr, i18n.Errorf("--report %s: %w", f.Name(), err), "")
	}
	return nil
}

// mergeJSON is --json: the summary, counted over the whole campaign.
type mergeJSON struct {
	Campaign    string            `json:"campaign"`
	Rows        int               `json:"rows"`
	Total       int               `json:"total"`
	Sent        int               `json:"sent"`
	Failed      int               `json:"failed"`
	Unknown     int               `json:"unknown"`
	Deferred    int               `json:"deferred"`
	Skipped     int               `json:"skipped"`
	Invalid     int               `json:"invalid"`
	Resumed     bool              `json:"resumed"`
	AlreadyDone bool              `json:"already_done"`
	Interrupted bool              `json:"interrupted"`
	SentNow     int               `json:"sent_now"`
	Connections int               `json:"connections"`
	SlowDowns   int               `json:"slow_downs"`
	ElapsedMS   int64             `json:"elapsed_ms"`
	Failures    []merge.RowReport `json:"failures,omitempty"`
	Unknowns    []merge.RowReport `json:"unknowns,omitempty"`
}

func (a *App) printMergeJSON(s *merge.Summary) error {
	enc := json.NewEncoder(a.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(mergeJSON{
		Campaign: s.Campaign, Rows: s.Rows, Total: s.Total, Sent: s.Sent, Failed: s.Failed, Unknown: s.Unknown,
		Deferred: s.Deferred, Skipped: s.Skipped, Invalid: s.Invalid, Resumed: s.Resumed, AlreadyDone: s.AlreadyDone,
		Interrupted: s.Interrupted, SentNow: s.SentNow, Connections: s.Connections, SlowDowns: s.SlowDowns, ElapsedMS: s.Elapsed.Milliseconds(),
		Failures: s.Failures, Unknowns: s.Unknowns,
	})
}

// maxShown is how many failed (and unknown) rows the summary names.
const maxShown = 5

// padLabel pads a label to width terminal columns: a Chinese character
// takes two, so fmt's %-10s (which counts runes) would misalign the table.
func padLabel(label string, width int) string {
	if w := runewidth.StringWidth(label); w < width {
		return label + strings.Repeat(" ", width-w)
	}
	return label
}

// printSummary is the table at the end of a run, on stderr.
func (a *App) printSummary(s *merge.Summary) {
	if s.AlreadyDone {
		a.note(i18n.Sprintf("campaign %s is finished: nothing left to send, no connection made", s.Campaign))
	} else if s.Resumed {
		a.note(i18n.Sprintf("campaign %s continued from an earlier run", s.Campaign))
	}
	row := func(label string, n int) {
		fmt.Fprintf(a.Stderr, "  %s %6d\n", padLabel(label, 10), n)
	}
	a.note(i18n.Sprintf("campaign %s: %d rows", s.Campaign, s.Rows))
	row(i18n.T("sent"), s.Sent)
	row(i18n.T("failed"), s.Failed)
	row(i18n.T("unknown"), s.Unknown)
	row(i18n.T("deferred"), s.Deferred)
	row(i18n.T("skipped"), s.Skipped)
	rate := 0.0
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = float64(s.SentNow) / secs
	}
	fmt.Fprintf(a.Stderr, "  %s %s\n", padLabel(i18n.T("elapsed"), 10), i18n.Sprintf("%s, %d sent in this run (%.1f/s), %d connections", s.Elapsed.Round(time.Millisecond), s.SentNow, rate, s.Connections))
	if s.SlowDowns > 0 {
		fmt.Fprintf(a.Stderr, "  %s %s\n", padLabel(i18n.T("eased off"), 10), i18n.Sprintf("%d times, as the server asked (fewer connections, a pause)", s.SlowDowns))
	}
	named := func(title string, rows []merge.RowReport) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(a.Stderr, "  %s\n", title)
		for i, r := range rows {
			if i == maxShown {
				fmt.Fprintf(a.Stderr, "    %s\n", i18n.T("... (--report FILE lists every row)"))
				break
			}
			fmt.Fprintf(a.Stderr, "    %s\n", i18n.Sprintf("row %d <%s>: %s", r.Row, textsafe.Line(r.To), textsafe.Line(decodeServerText(r.Reply))))
		}
	}
	named(i18n.T("failed rows:"), s.Failures)
	named(i18n.T("rows whose outcome is unknown:"), s.Unknowns)
}
