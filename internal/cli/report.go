package cli

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/message"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/smtp"
)

type jsonRcpt struct {
	Address  string `json:"address"`
	Status   string `json:"status"` // delivered | rejected | deferred | failed | unknown | queued | not sent
	Code     int    `json:"code,omitempty"`
	Enhanced string `json:"enhanced,omitempty"`
	Message  string `json:"message,omitempty"`
}

type jsonResult struct {
	Status     string       `json:"status"` // sent | partial | failed | unknown | queued | dry-run
	Server     string       `json:"server,omitempty"`
	QueueID    string       `json:"queue_id,omitempty"`
	Reply      string       `json:"reply,omitempty"`
	Recipients []jsonRcpt   `json:"recipients"`
	Domains    []jsonDomain `json:"domains,omitempty"` // --direct: how each domain was reached
	Error      string       `json:"error,omitempty"`
	OutboxID   string       `json:"outbox_id,omitempty"` // --queue: the entry in the outbox
	ExitCode   int          `json:"exit_code"`
	Message    string       `json:"message,omitempty"` // --dry-run: the message as it would be sent
}

// reportOptions say how a delivery is reported.
type reportOptions struct {
	quiet, json bool
	// before runs when the sending is over and before anything is
	// printed (it clears the progress line).
	before func()
}

// deliver sends through s and reports per recipient: one line per
// outcome on stderr, or JSON on stdout.
func (a *App) deliver(ctx context.Context, s Sender, st *Settings, env *smtp.Envelope, body smtp.Body, o reportOptions) error {
	res, err := s.Send(ctx, env, body)
	if o.before != nil {
		o.before()
	}
	var failed []smtp.RcptStatus
	permanent := false
	if res != nil {
		failed = res.Failed()
		for _, fr := range failed {
			var se *smtp.Error
			var nmh *deliver.NoMailHostError
			var pe *deliver.PolicyError
			if errors.As(fr.Err, &se) && !se.Temporary() || errors.As(fr.Err, &nmh) || errors.As(fr.Err, &pe) && !pe.Temporary() {
				permanent = true
			}
		}
	}
	if err == nil && len(failed) > 0 {
		err = &exitcode.RecipientsError{Failed: failed, Permanent: permanent}
	}
	err = presetHint(st, err)
	// Every recipient refused at RCPT: the engine's error is the first
	// refusal; show them all, one line each, and keep its exit code.
	refusedAll := err != nil && res != nil && len(res.Delivered()) == 0 && len(failed) > 0
	for _, fr := range failed {
		refusedAll = refusedAll && fr.State == smtp.RcptRefused
	}
	if refusedAll && !errors.Is(err, failed[0].Err) {
		refusedAll = false // the transaction failed for another reason: say that
	}
	var domains []*deliver.DomainReport
	if dr, ok := s.(interface {
		domainReports() []*deliver.DomainReport
	}); ok {
		domains = dr.domainReports()
	}
	// The outbox (--queue) may keep some recipients for later.
	var outboxID outbox.ID
	var queued []queuedRcpt
	if qs, ok := s.(interface {
		queuedReport() (outbox.ID, []queuedRcpt)
	}); ok {
		outboxID, queued = qs.queuedReport()
	}
	if o.json {
		a.printJSON(s.Route(), env, res, err, domains, outboxID, queued)
	} else if !o.quiet {
		a.printDomains(domains)
	}
	if res != nil && len(res.Delivered()) > 0 && !o.quiet && !o.json {
		to := strings.Join(res.Delivered(), ">, <")
		if res.Final != nil {
			i18n.Fprintf(a.Stderr, "postie: sent to <%s>: %s\n", to, textsafe.Terminal(decodeServerText(res.Final.String())))
		} else {
			i18n.Fprintf(a.Stderr, "postie: sent to <%s>\n", to)
		}
	}
	if !o.quiet && !o.json {
		a.printQueued(outboxID, queued)
	}
	var re *exitcode.RecipientsError
	if errors.As(err, &re) || refusedAll {
		for _, fr := range failed {
			why := i18n.T("not attempted")
			if fr.Err != nil {
				why = errText(fr.Err)
			}
			if !o.json {
				i18n.Fprintf(a.Stderr, "postie: error: not delivered to <%s>: %s\n", fr.Address, textsafe.Line(why))
			}
		}
		// A provider's advice on its own refusal (presetHint).
		if c := (*exitcode.Coded)(nil); errors.As(err, &c) && c.Hint != "" && !o.json {
			i18n.Fprintf(a.Stderr, "postie: hint: %s\n", textsafe.Line(c.Hint))
		}
		return &silentError{err}
	}
	if err != nil && o.json {
		return &silentError{err}
	}
	return err
}

func (a *App) printJSON(route string, env *smtp.Envelope, res *smtp.Result, err error, domains []*deliver.DomainReport, outboxID outbox.ID, queued []queuedRcpt) {
	out := jsonResult{Server: route, Recipients: []jsonRcpt{}, ExitCode: exitcode.For(err), Domains: jsonDomains(domains), OutboxID: string(outboxID)}
	if res != nil {
		out.QueueID = res.QueueID
		if res.Final != nil {
			out.Reply = decodeServerText(res.Final.String())
		}
		for _, r := range res.Recipients {
			jr := jsonRcpt{Address: r.Address, Status: rcptStatus(r)}
			if r.State != smtp.RcptDelivered {
				var se *smtp.Error
				if errors.As(r.Err, &se) && jr.Status != "unknown" {
					jr.Code, jr.Enhanced, jr.Message = se.Code, se.Enhanced.String(), decodeServerText(se.Message)
				} else if r.Err != nil {
					jr.Message = r.Err.Error()
				}
			} else if r.Reply != nil {
				jr.Code, jr.Enhanced = r.Reply.Code, r.Reply.Enhanced.String()
			}
			out.Recipients = append(out.Recipients, jr)
		}
	} else if len(queued) == 0 {
		for _, to := range env.To {
			out.Recipients = append(out.Recipients, jsonRcpt{Address: to, Status: "failed"})
		}
	}
	for _, q := range queued {
		out.Recipients = append(out.Recipients, jsonRcpt{Address: q.addr, Status: "queued", Message: decodeServerText(q.reason)})
	}
	switch {
	case err == nil && len(queued) > 0 && (res == nil || len(res.Failed()) == 0):
		out.Status = "queued" // some or all wait in the outbox; none failed
	case errors.Is(err, smtp.ErrMaybeDelivered):
		out.Status = "unknown" // the connection went after the final dot
	case err == nil:
		out.Status = "sent"
	case res != nil && len(res.Delivered()) > 0:
		out.Status = "partial"
	default:
		out.Status = "failed"
	}
	if err != nil {
		out.Error = textsafe.Line(err.Error())
	}
	textsafe.WriteJSON(a.Stdout, out)
}

// printDryRunJSON is --dry-run --json: the message and its envelope
// recipients, as JSON, nothing sent.
func (a *App) printDryRunJSON(m *message.Message, body smtp.Body) error {
	r, err := body()
	if err != nil {
		return err
	}
	defer r.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	out := jsonResult{Status: "dry-run", Recipients: []jsonRcpt{}, Message: b.String()}
	for _, to := range m.Recipients() {
		out.Recipients = append(out.Recipients, jsonRcpt{Address: to, Status: "not sent"})
	}
	return textsafe.WriteJSON(a.Stdout, out)
}

// rcptStatus is one recipient's outcome for --json: delivered; rejected
// (5xx) or deferred (4xx) by the server, at RCPT or at the message's end;
// unknown when the connection was lost after the whole message was sent
// (it may have been delivered: do not resend blindly); failed when it
// was certainly not delivered for another reason (safe to send again).
func rcptStatus(r smtp.RcptStatus) string {
	switch r.State {
	case smtp.RcptDelivered:
		return "delivered"
	case smtp.RcptMaybeDelivered:
		return "unknown"
	}
	var se *smtp.Error
	if errors.As(r.Err, &se) {
		if se.Temporary() {
			return "deferred"
		}
		return "rejected"
	}
	return "failed"
}
