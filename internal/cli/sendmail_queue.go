package cli

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/outbox"
	"github.com/postie/postie/smtp"
)

// sendmail mode and the outbox: -odq (queue only), an account's
// queue = true (try now, keep what the server cannot take yet), -q (run
// the outbox, as sendmail -q runs its queue) and -bp (list it, mailq).

// queueInterval reads the interval of -qINTERVAL: a Go duration (30m,
// 1h30m) or sendmail's days and weeks (1d, 2w).
func queueInterval(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		unit := 24 * time.Hour
		if s[n-1] == 'w' {
			unit *= 7
		}
		if k, err := strconv.ParseInt(s[:n-1], 10, 64); err == nil && k > 0 && k <= int64(math.MaxInt64/unit) {
			return time.Duration(k) * unit, nil
		}
	}
	return 0, i18n.Errorf("sendmail option -q%s: want -q alone (run the outbox once) or -q with an interval such as -q30m (keep running)", s)
}

// sendmailQueue is -q (run the outbox once, or with an interval keep
// running) and -bp (list it). Quiet unless -v, as sendmail mode is on
// success; failures are always printed.
func (a *App) sendmailQueue(ctx context.Context, s *sendmailArgs) error {
	q := s.queueFlags()
	if s.listQueue {
		return a.withQueue(q, func(st outbox.Store) error {
			return a.listQueue(ctx, st, outbox.Filter{States: []outbox.EntryState{outbox.Queued, outbox.Active, outbox.Held}}, false, true)
		})
	}
	f := &queueRunFlags{q: q, out: outputFlags{verbose: max(s.verbose-1, 0), quiet: s.verbose == 0}, watch: s.interval > 0, poll: s.interval}
	if !f.watch {
		f.poll = 30 * time.Second
	}
	return a.runQueue(ctx, f, nil)
}

// sendmailQueued puts the message read on stdin into the outbox and,
// unless -odq, tries it at once: what the server refuses for good is
// reported as sendmail reports it; what it cannot take now stays queued
// and sendmail exits 0.
func (a *App) sendmailQueued(ctx context.Context, s *sendmailArgs, req *request, st *Settings, in *sendmailInput, env *smtp.Envelope) error {
	f := &sendQueueFlags{queue: true, only: s.queueOnly, dir: s.queueFlags()}
	// The queue does not know the server yet: the 7-bit form every
	// server takes, and SMTPUTF8 asked for when an address needs it.
	adapt := func(smtp.Extensions) error {
		ext := smtp.Extensions{}
		if in.info.NeedsSMTPUTF8 {
			ext["SMTPUTF8"] = ""
		}
		return in.plan(ext, env)
	}
	qs, err := a.newQueueSender(ctx, req, st, f, adapt)
	if err != nil {
		return sendmailQueueHint(err)
	}
	defer qs.Close()
	if in.signer != nil {
		// Signed as the outbox stores it: the bytes every attempt sends.
		qs.sign, in.signer = in.signer.Sign, nil
	}
	return a.deliver(ctx, qs, st, env, in.body(), reportOptions{quiet: s.verbose == 0})
}

// queueFlags: -oQ names the outbox directory, or (nats://...) the
// outbox on a NATS cluster, as --outbox does.
func (s *sendmailArgs) queueFlags() queueFlags {
	if isNATSOutbox(s.queueDir) {
		return queueFlags{outbox: s.queueDir, verbose: s.verbose > 1}
	}
	return queueFlags{dir: s.queueDir, verbose: s.verbose > 1}
}

// sendmailQueueHint: sendmail mode has no --password-file; its secrets
// come from the account.
func sendmailQueueHint(err error) error {
	var ts *typedSecretError
	if errors.As(err, &ts) {
		return exitcode.With(exitcode.Config, ts, i18n.T("give the account a password_file or password_cmd (or set POSTIE_PASSWORD): a queued message is sent later, when no one can type a password"))
	}
	return err
}
