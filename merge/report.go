package merge

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"strings"

	"github.com/postie/postie/outbox"
)

// A row's status in the report.
const (
	StatusSent     = "sent"     // the server took it (2xx)
	StatusFailed   = "failed"   // refused for good (5xx), or deferred past the maximum age
	StatusUnknown  = "unknown"  // the connection or the process ended after its end was sent: it may have been delivered
	StatusDeferred = "deferred" // the server said "later" (4xx) or could not be reached: the next run tries again
	StatusPending  = "pending"  // not tried yet (the run was stopped first)
	StatusSkipped  = "skipped"  // not sent: invalid (Problem says why), or a duplicate
)

// RowReport is one line of the report (--report): what became of a row.
type RowReport struct {
	Row        int    `json:"row"`
	To         string `json:"to"`
	Status     string `json:"status"`
	Reply      string `json:"reply,omitempty"` // the server's last reply, or what went wrong
	MessageID  string `json:"message_id,omitempty"`
	Attempts   int    `json:"attempts,omitempty"`
	WasUnknown bool   `json:"was_unknown,omitempty"` // an earlier attempt's outcome was unknown: the recipient may have two copies
	Problem    string `json:"problem,omitempty"`     // why it was skipped
}

func statusOf(s outbox.State) string {
	switch s {
	case outbox.Delivered:
		return StatusSent
	case outbox.Failed:
		return StatusFailed
	case outbox.Unknown:
		return StatusUnknown
	case outbox.Deferred:
		return StatusDeferred
	}
	return StatusPending
}

func entryReport(e *outbox.Entry) RowReport {
	r := &e.Recipients[0]
	rr := RowReport{Row: entryRow(e), To: r.Addr, Status: statusOf(r.State), MessageID: e.MessageID, Attempts: r.Attempts, WasUnknown: r.WasUnknown}
	if a := r.Last(); a != nil {
		rr.Reply = a.Describe()
	}
	return rr
}

// WriteReport writes one JSON line per data row, in row order, from the
// outbox's records — a campaign sent over several runs is reported
// whole — and from checked (Check's report) for the rows not sent.
func (c *Campaign) WriteReport(ctx context.Context, s outbox.Store, checked *Report, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for rr, err := range c.rowReports(ctx, s, checked) {
		if err != nil {
			return err
		}
		if err := enc.Encode(rr); err != nil {
			return err
		}
	}
	return nil
}

// rowReports yields a RowReport per data row; with checked nil, only the
// rows the outbox has.
func (c *Campaign) rowReports(ctx context.Context, s outbox.Store, checked *Report) iter.Seq2[RowReport, error] {
	return func(yield func(RowReport, error) bool) {
		next, stop := iter.Pull2(s.List(ctx, outbox.Filter{Campaign: c.Name}))
		defer stop()
		// nextEntry is the next readable entry of the campaign, or nil.
		nextEntry := func() (*outbox.Entry, error) {
			for {
				e, err, ok := next()
				if !ok {
					return nil, nil
				}
				var ce *outbox.CorruptError
				if errors.As(err, &ce) {
					continue // set aside; its row shows as not queued
				}
				return e, err
			}
		}
		e, err := nextEntry()
		if err != nil {
			yield(RowReport{}, err)
			return
		}
		if checked == nil {
			for ; e != nil; e, err = nextEntry() {
				if !yield(entryReport(e), nil) {
					return
				}
			}
			if err != nil {
				yield(RowReport{}, err)
			}
			return
		}
		probs := map[int][]string{}
		var header []string // problems of the CSV header spoil every row
		for _, p := range checked.Problems {
			switch {
			case p.Warning && p.Kind != KindDuplicate, p.Row == 0:
			case p.Row == 1 && c.Format == FormatCSV:
				header = append(header, p.Error())
			default:
				probs[p.Row] = append(probs[p.Row], p.Err.Error())
			}
		}
		for row, err := range c.dataRows(ctx) {
			if err != nil {
				yield(RowReport{}, err)
				return
			}
			for e != nil && entryRow(e) < row.num {
				e, err = nextEntry() // an entry of a row the data no longer has: not possible for an unchanged campaign
				if err != nil {
					yield(RowReport{}, err)
					return
				}
			}
			var rr RowReport
			switch {
			case e != nil && entryRow(e) == row.num:
				rr = entryReport(e)
				if e, err = nextEntry(); err != nil {
					yield(RowReport{}, err)
					return
				}
			case len(probs[row.num]) > 0:
				rr = RowReport{Row: row.num, To: row.to, Status: StatusSkipped, Problem: strings.Join(probs[row.num], "; ")}
			case len(header) > 0:
				rr = RowReport{Row: row.num, To: row.to, Status: StatusSkipped, Problem: strings.Join(header, "; ")}
			default:
				rr = RowReport{Row: row.num, To: row.to, Status: StatusPending}
			}
			if !yield(rr, nil) {
				return
			}
		}
	}
}

type dataRow struct {
	num int
	to  string // the recipient column's value as written
}

// dataRows yields every data row's number, as Messages counts them, and
// its recipient cell, without rendering anything.
func (c *Campaign) dataRows(ctx context.Context) iter.Seq2[dataRow, error] {
	return func(yield func(dataRow, error) bool) {
		d, err := openData(c.o.Data, c.Charset)
		if err != nil {
			yield(dataRow{}, err)
			return
		}
		defer d.Close()
		r, err := NewReader(d.text, c.Format, c.comma)
		if err != nil {
			yield(dataRow{}, c.dataErr(err))
			return
		}
		for row, err := range r.Rows() {
			if err := ctx.Err(); err != nil {
				yield(dataRow{}, err)
				return
			}
			var p *Problem
			switch {
			case errors.As(err, &p):
				if !yield(dataRow{num: p.Row}, nil) {
					return
				}
			case err != nil:
				yield(dataRow{}, c.dataErr(err))
				return
			default:
				if !yield(dataRow{num: row.Num, to: strings.TrimSpace(row.Fields[c.ToColumn])}, nil) {
					return
				}
			}
		}
	}
}
