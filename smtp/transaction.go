package smtp

import (
	"errors"
	"strings"
)

// errNotAttempted is the reason given to a recipient whose RCPT was never
// sent because its transaction had already failed.
var errNotAttempted = errors.New("not attempted after an earlier failure")

// rfcMinRecipients is how many recipients a server must accept in one
// transaction (RFC 5321 §4.5.3.1.8): below it, no 452 "too many
// recipients" is to be expected.
const rfcMinRecipients = 100

// txn is one transaction: MAIL FROM, RCPTs, the content and its end.
type txn struct {
	job    *jobRun
	rcpts  []string
	lines  []string // the RCPT command lines
	status []RcptStatus

	owed      int // replies still due
	announced bool
	mailSent  bool
	sentRcpt  int // RCPT commands written
	dataSent  bool
	mailErr   error  // MAIL refused
	accepted  int    // RCPTs accepted
	tooMany   bool   // a 452 after an acceptance: the rest wait for another transaction
	deferred  []bool // per recipient: answered 452 "too many"
	dataRep   *Reply // the reply to DATA
	final     *Reply // the reply to the message's end
	endErr    error  // the server refused the message (DATA, a BDAT chunk or the end)
	err       error  // the connection ended the transaction (marked not/maybe delivered)
	endSent   bool   // the end's last octet left
	behind    bool   // something was pipelined behind this message's end (next job or QUIT)
	bodyAhead bool   // the whole content went in the envelope's group (BDAT)
}

func (j *jobRun) newTxn(rcpts []string) *txn {
	t := &txn{job: j, rcpts: rcpts, lines: make([]string, len(rcpts)), status: make([]RcptStatus, len(rcpts)), deferred: make([]bool, len(rcpts))}
	for i, to := range rcpts {
		t.lines[i] = j.rcptLines[to]
		t.status[i].Address = to
	}
	return t
}

// fail ends t because the connection ended; the first cause is kept.
func (t *txn) fail(err error) {
	if t.err == nil {
		t.err = outcome(err, t.endSent)
	}
}

// answer takes one reply for t.
func (t *txn) answer(d due, rep *Reply) {
	if rep.Code == 421 {
		// Service closing (RFC 5321 §3.8): the transaction is over,
		// whichever command the reply answers.
		t.fail(t.job.c.closing)
		return
	}
	switch d.kind {
	case dueMail:
		if rep.Code/100 != 2 {
			t.mailErr = replyError(d.line, rep)
		}
	case dueRcpt:
		st := &t.status[d.i]
		st.Reply = rep
		switch {
		case rep.Code/100 == 2: // 250, and 251 "will forward" (RFC 5321 §3.4)
			t.accepted++
		case t.mailErr != nil:
		case isTooMany(rep) && t.accepted > 0:
			t.deferred[d.i], t.tooMany = true, true
		default:
			st.State, st.Err = RcptRefused, replyError(d.line, rep)
		}
	case dueData:
		t.dataRep = rep
	case dueChunk, dueEnd:
		if rep.Code/100 != 2 && t.endErr == nil {
			t.endErr = replyError(d.line, rep)
		}
		if d.kind == dueEnd {
			t.final = rep
		}
	}
}

// isTooMany: 452 with no enhanced code or 4.5.3 is "too many recipients"
// (RFC 5321 §4.5.3.1.10): the rest go in a further transaction.
func isTooMany(rep *Reply) bool {
	return rep.Code == 452 && (rep.Enhanced == EnhancedCode{} || rep.Enhanced == EnhancedCode{4, 5, 3})
}

// conclude records t's outcome in the job's Result and returns the
// recipients left for a further transaction.
func (t *txn) conclude() (rest []string) {
	r := t.job
	res := r.res
	delivered := t.err == nil && t.endErr == nil && t.final != nil && t.mailErr == nil
	why := t.err
	if why == nil {
		why = t.mailErr
	}
	if why == nil {
		why = t.endErr
	}
	tr := Transaction{Final: t.final}
	for i := range t.status {
		st := t.status[i]
		switch {
		case st.State == RcptRefused:
		case t.deferred[i] || t.mailErr == nil && t.tooMany && i >= t.sentRcpt && t.err == nil:
			if delivered && !t.behind {
				rest = append(rest, st.Address)
				continue
			}
			if !delivered {
				// The message did not go to the others either: no
				// further transaction for the rest.
				st.State, st.Err = RcptNotDelivered, errNotAttempted
				if t.err != nil {
					st.Err = t.err
				}
				break
			}
			// Something already rode behind this message's end (a
			// server that defers below the RFC minimum): no further
			// transaction can come first, so say so.
			st.State, st.Err = RcptRefused, replyError(t.lines[i], st.Reply)
			if st.Reply == nil {
				st.State, st.Err = RcptNotDelivered, errNotAttempted
			}
		case st.Reply != nil && st.Reply.Code/100 == 2 && t.mailErr == nil:
			switch {
			case delivered:
				st.State = RcptDelivered
				tr.Recipients = append(tr.Recipients, st.Address)
			case errors.Is(t.err, ErrMaybeDelivered):
				st.State, st.Err = RcptMaybeDelivered, t.err
			default:
				st.State, st.Err = RcptNotDelivered, why
			}
		case st.Reply == nil && i < t.sentRcpt && t.mailErr == nil && errors.Is(t.err, ErrMaybeDelivered):
			// Its RCPT and the whole message left; no reply came back.
			st.State, st.Err = RcptMaybeDelivered, t.err
		default:
			st.State, st.Err = RcptNotDelivered, why
			if st.Err == nil {
				st.Err = errNotAttempted
			}
		}
		res.Recipients = append(res.Recipients, st)
	}
	if t.mailSent {
		tr.QueueID = queueID(t.final)
		res.Transactions = append(res.Transactions, tr)
		if delivered {
			res.Final, res.QueueID = t.final, tr.QueueID
		}
	}
	if why != nil && r.err == nil {
		r.err = why
	}
	return rest
}

// queueID pulls the server's message id out of a final reply: Postfix
// says "queued as 4F2A1", others "OK id=...", go-smtp and many others
// just "OK: queued". When no id is recognised it is "".
func queueID(rep *Reply) string {
	if rep == nil || rep.Code/100 != 2 {
		return ""
	}
	t := rep.Text()
	for _, marker := range []string{"queued as ", "id=", "Queued as "} {
		if i := strings.Index(t, marker); i >= 0 {
			f := strings.Fields(t[i+len(marker):])
			if len(f) > 0 {
				return strings.Trim(f[0], "<>();,")
			}
		}
	}
	return ""
}
