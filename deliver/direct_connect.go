package deliver

import (
	"context"
	"fmt"

	"github.com/postie/postie/smtp"
)

// Connect opens a session to one of domain's mail exchangers, in the
// order and with the TLS policy Send uses, for a caller that sends
// several messages over one connection (the outbox's runner, one
// connection per recipient domain). The next MX is tried when a
// connection cannot be made, the greeting or EHLO is a 4xx, or the TLS
// the host's policy requires fails; unlike Send, a 4xx to a transaction
// on the connection returned is the caller's to handle. The report says
// which MX was reached and how; BeforeSend is not called.
func (d *Direct) Connect(ctx context.Context, domain string) (*smtp.Client, *DomainReport, error) {
	rep := &DomainReport{Domain: domain}
	plan, err := d.Plan(ctx, domain)
	if err != nil {
		rep.Err = err
		return nil, rep, err
	}
	rep.Domain, rep.Policy = plan.Domain, plan.Policy
	rep.Notes = append(rep.Notes, plan.Notes...)
	var lastErr error
	for _, h := range plan.Hosts {
		if h.Skip != nil {
			rep.Notes = append(rep.Notes, "skipped MX "+h.Host+": "+h.Skip.Error())
			lastErr = h.Skip
			continue
		}
		rep.MX = h.Host
		c, next, err := d.dialHost(ctx, &h, rep)
		if err == nil {
			return c, rep, nil
		}
		lastErr = fmt.Errorf("MX %s: %w", h.Host, err)
		if !next {
			rep.Err = lastErr
			return nil, rep, lastErr
		}
		if h.level.requiresTLS() && tlsFailure(err) {
			rep.Notes = append(rep.Notes, lastErr.Error())
		}
	}
	rep.Err = noHostTaken(plan, lastErr)
	return nil, rep, rep.Err
}
