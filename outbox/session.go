package outbox

import (
	"context"
	"errors"

	"github.com/postie/postie/smtp"
)

// Session is one open connection to a server; *smtp.Client is one.
type Session interface {
	Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error)
	Quit(ctx context.Context) error
}

// Target is where a connection goes: a route, and for a Direct route the
// recipients' domain (whose MX hosts the connector looks up).
type Target struct {
	Route  Route
	Domain string
}

func (t Target) key() string { return t.Route.Key() + "\x00" + t.Domain }

// Connector opens a session for a target, resolving credentials at this
// moment (the outbox never stores them). The CLI passes one built on
// deliver.Relay.Connect or direct delivery. An error marked with
// Permanent fails the entries at once; any other defers them.
type Connector func(ctx context.Context, t Target) (Session, error)

// eachSender is the engine's pipelined loop (smtp.Client.SendEach): done
// is called once per pulled job as soon as its outcome is known, before
// the client writes the next message's end or QUIT.
type eachSender interface {
	SendEach(ctx context.Context, next func() (smtp.Job, bool), done func(smtp.Job, *smtp.Result, error) error) error
}

// sendEach sends jobs over s until next has no more, calling done for
// each before anything that could complete another message goes out —
// the order "delivered means never again" rests on. *smtp.Client has
// SendEach and pipelines each next envelope behind the current message's
// end; other sessions (test doubles, wrappers) send one message at a
// time with Send, which returns only after the message's final reply.
func sendEach(ctx context.Context, s Session, next func() (smtp.Job, bool), done func(smtp.Job, *smtp.Result, error) error) error {
	if es, ok := s.(eachSender); ok {
		return es.SendEach(ctx, next, done)
	}
	for {
		j, ok := next()
		if !ok {
			return nil
		}
		res, err := s.Send(ctx, j.Env, j.Body)
		if derr := done(j, res, err); derr != nil {
			return derr
		}
		if !connectionUsable(err) {
			return err
		}
	}
}

// connectionUsable: after err, the same connection can carry the next
// message (a refusal by reply, or a check made before anything was sent).
func connectionUsable(err error) bool {
	if err == nil {
		return true
	}
	var se *smtp.Error
	if errors.As(err, &se) {
		return se.Code != 421 // 421: the server is closing the connection (RFC 5321 §3.8)
	}
	var tl *smtp.TooLargeError
	var ue *smtp.UnsupportedError
	return errors.As(err, &tl) || errors.As(err, &ue) || errors.Is(err, smtp.ErrInvalidArgument) || errors.Is(err, smtp.ErrLineTooLong)
}

type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

// Permanent marks a connector's error as one that retrying cannot fix
// (the account no longer exists in the config): the runner fails the
// route's entries with it instead of deferring them.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err}
}
