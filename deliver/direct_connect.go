package deliver

import (
	"context"

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
	rep.Domain = plan.Domain
	var c *smtp.Client
	rep.Err = d.eachHost(plan, rep, func(h *HostPlan) (bool, error) {
		var next bool
		var err error
		c, next, err = d.dialHost(ctx, h, rep)
		return next, err
	})
	if rep.Err != nil {
		return nil, rep, rep.Err
	}
	return c, rep, nil
}
