package outbox

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/postie/postie/smtp"
)

// outcome turns the engine's result for a job into per-recipient outcomes.
func (rn *run) outcome(j *job, res *smtp.Result, err error) (Outcome, []Event) {
	e := j.cs.claim.Entry
	now := rn.clock.Now()
	o := Outcome{ID: e.ID, Owner: rn.owner}
	var events []Event
	for _, i := range j.rcpts {
		rcpt := &e.Recipients[i]
		ro := RcptOutcome{Index: i}
		a, quarantine := rn.attempt(e, rcpt, res, err, now)
		if quarantine != "" {
			o.Quarantine = quarantine
		}
		if a != nil {
			if a.Outcome == Deferred || a.Outcome == Unknown && !e.HoldUnknown {
				sched := e.Schedule.Under(rn.r.Schedule)
				next, expired := sched.Next(e.Since, now, rcpt.Attempts+1, rn.rnd)
				if expired {
					a.Error = strings.TrimPrefix(a.Error+"; ", "; ") + fmt.Sprintf("gave up: in the outbox since %s (maximum age %s)", e.Since.UTC().Format(time.RFC3339), sched.maxAge())
					if a.Outcome == Unknown {
						a.Error = "outcome unknown; " + a.Error
					}
					a.Outcome = Failed
				} else {
					ro.Next = next
				}
			}
			ro.Attempt = a
		}
		o.Rcpts = append(o.Rcpts, ro)
		events = append(events, Event{Entry: e, Recipient: rcpt.Addr, Attempt: a, Next: ro.Next})
	}
	return o, events
}

// attempt is one recipient's attempt, or nil when it was not tried; a
// non-empty quarantine reason sets the entry aside.
func (rn *run) attempt(e *Entry, rcpt *Recipient, res *smtp.Result, err error, now time.Time) (*Attempt, string) {
	a := &Attempt{At: now, Runner: rn.owner}
	rerr := err
	if res != nil {
		for _, st := range res.Recipients {
			if st.Address != rcpt.Addr {
				continue
			}
			switch st.State {
			case smtp.RcptDelivered:
				a.Outcome = Delivered
				a.Reply, a.QueueID = ReplyOf(res.Final), res.QueueID
				for _, tr := range res.Transactions { // its own transaction's reply (after a 452 split)
					if slices.Contains(tr.Recipients, rcpt.Addr) {
						a.Reply, a.QueueID = ReplyOf(tr.Final), tr.QueueID
					}
				}
				return a, ""
			case smtp.RcptMaybeDelivered:
				a.Outcome, a.Error = Unknown, "no reply after the end of the message: "+errText(st.Err)
				return a, ""
			}
			rerr = st.Err
			if st.Reply != nil && st.Reply.Code/100 != 2 {
				a.Reply = ReplyOf(st.Reply)
			}
			break
		}
	}
	if rerr == nil {
		rerr = errors.New("the engine reported no outcome for this recipient")
	}
	switch classify(rerr) {
	case vNotAttempted:
		return nil, ""
	case vCorrupt:
		var ce *CorruptError
		errors.As(rerr, &ce)
		return nil, ce.Reason
	case vFailed:
		a.Outcome = Failed
	case vUnknown:
		a.Outcome = Unknown
	default:
		a.Outcome = Deferred
	}
	var se *smtp.Error
	if errors.As(rerr, &se) {
		// The error's reply is the cause (a refused MAIL makes the RCPTs
		// after it fail too, with a reply of their own that only echoes it).
		a.Reply = &Reply{Code: se.Code, Enhanced: se.Enhanced.String(), Text: se.Message}
		if se.Command != "" {
			a.Error = "in reply to " + se.Command
		}
	} else {
		a.Error = rerr.Error()
	}
	return a, ""
}

func errText(err error) string {
	if err == nil {
		return "connection lost"
	}
	return err.Error()
}

// tally adds a job's events to the report and tells OnEvent.
func (rn *run) tally(events []Event) {
	rn.mu.Lock()
	for _, ev := range events {
		if ev.Attempt == nil {
			continue
		}
		switch ev.Attempt.Outcome {
		case Delivered:
			rn.report.Delivered++
		case Deferred:
			rn.report.Deferred++
		case Unknown:
			rn.report.Unknown++
		case Failed:
			rn.report.Failed++
			rn.report.Failures = append(rn.report.Failures, ev)
		}
	}
	rn.mu.Unlock()
	for _, ev := range events {
		rn.emit(ev)
	}
}

func (rn *run) emit(ev Event) {
	if rn.r.OnEvent == nil {
		return
	}
	rn.eventMu.Lock()
	defer rn.eventMu.Unlock()
	rn.r.OnEvent(ev)
}
