package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"

	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/explain"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

// Sender gets one message to its recipients: through a relay, straight to
// the MX hosts, or (to come) into the outbox. A command builds one from
// Settings with newSender and does not care which it is.
type Sender interface {
	// Send delivers the message. The result holds each recipient's
	// outcome; the error is the transaction's (nil when every recipient
	// got a final answer, accepted or refused).
	Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error)
	// Route names where the message goes, for reports.
	Route() string
}

// Adapt lets a message fit what the server offers just before it is sent
// (8bit text only where 8BITMIME is offered). A Sender calls it with each
// server's extensions; one that cannot know the server in advance (MX
// hosts that may differ, a queue that sends later) calls it once with
// none, before it starts, so the message takes its most portable form.
type Adapt func(ext smtp.Extensions) error

// newSender turns settings into a Sender. This is where the secret is
// fetched and the warnings about unsafe choices are printed.
func (a *App) newSender(ctx context.Context, st *Settings, adapt Adapt) (Sender, error) {
	if st.Direct != nil {
		d, err := a.newDirect(st)
		if err != nil {
			return nil, err
		}
		d.adapt = adapt
		return d, nil
	}
	r, err := a.newRelay(ctx, st)
	if err != nil {
		return nil, err
	}
	if adapt != nil {
		r.BeforeSend = adapt
	}
	return relaySender{r}, nil
}

type relaySender struct{ *deliver.Relay }

func (s relaySender) Route() string { return s.Addr }

// directSender delivers to the MX hosts and keeps each domain's report
// (policy, MX, TLS) for the output.
type directSender struct {
	*deliver.Direct
	adapt   Adapt
	domains []*deliver.DomainReport
}

func (s *directSender) Route() string { return "mail exchangers (--direct)" } // --json's server: not translated

func (s *directSender) Send(ctx context.Context, env *smtp.Envelope, body smtp.Body) (*smtp.Result, error) {
	if s.adapt != nil {
		// Each MX may differ: the form every one of them takes.
		if err := s.adapt(smtp.Extensions{}); err != nil {
			return nil, err
		}
	}
	return s.Direct.Send(ctx, env, body)
}

// domainReports is how each domain was reached (direct delivery).
func (s *directSender) domainReports() []*deliver.DomainReport { return s.domains }

// newRelay builds the relay the settings describe, with the secret.
func (a *App) newRelay(ctx context.Context, st *Settings) (*deliver.Relay, error) {
	r := st.Relay
	tlsCfg := &tls.Config{}
	if r.CACert != "" {
		pool, err := loadCAPool(r.CACert)
		if err != nil {
			return nil, err
		}
		tlsCfg.RootCAs = pool
	}
	if r.ClientCert != "" {
		kp, err := tls.LoadX509KeyPair(r.ClientCert, r.ClientKey)
		if err != nil {
			return nil, exitcode.With(exitcode.Config, i18n.Errorf("client certificate: %w", err), "")
		}
		tlsCfg.Certificates = []tls.Certificate{kp}
	}
	var creds *smtp.Credentials
	if r.Login != nil {
		var err error
		if creds, err = a.credentials(ctx, r.Login); err != nil {
			return nil, err
		}
	}
	if r.InsecureSkipVerify {
		tlsCfg.InsecureSkipVerify = true
		if creds != nil {
			a.warn(i18n.T("--insecure-skip-verify: the server's certificate is NOT verified; anyone on the path can read and change this mail and steal the password"))
		} else {
			a.warn(i18n.T("--insecure-skip-verify: the server's certificate is NOT verified; anyone on the path can read and change this mail"))
		}
	}
	if r.AllowInsecureAuth && creds != nil && (r.TLS == smtp.TLSNone || r.TLS == smtp.TLSOpportunistic) {
		a.warn(i18n.T("--allow-insecure-auth: the password may go over the network in clear text; anyone on the path can read it"))
	}
	opts := a.smtpOptions(st)
	opts.AllowInsecureAuth = r.AllowInsecureAuth
	return &deliver.Relay{Addr: r.Addr, TLS: r.TLS, TLSConfig: tlsCfg, Credentials: creds, Mechanism: r.Login.mechanism(), Options: opts}, nil
}

func (l *Login) mechanism() string {
	if l == nil {
		return ""
	}
	return l.Mechanism
}

// smtpOptions are the engine options the settings ask for, with the
// tracer that prints the dialogue.
func (a *App) smtpOptions(st *Settings) smtp.Options {
	opts := smtp.Options{
		LocalName:         st.LocalName,
		DisablePipelining: st.NoPipelining,
		DisableChunking:   st.NoChunking,
		TraceData:         st.Verbose >= 2,
		Timeouts:          st.Timeouts,
		Dialer:            a.Dialer,
	}
	if st.Verbose > 0 {
		t := &tracer{w: a.Stderr, data: st.Verbose >= 2}
		if st.Explain {
			t.explain = explain.New(i18n.Current())
		}
		opts.Trace = t.trace
	}
	return opts
}

func (a *App) warn(msg string) {
	i18n.Fprintf(a.Stderr, "postie: WARNING: %s\n", msg)
}

// loadCAPool returns the system's roots plus the CA certificates in path:
// an extra CA, not a replacement.
func loadCAPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, exitcode.With(exitcode.NoInput, i18n.Errorf("--cacert: %w", err), "")
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, exitcode.With(exitcode.Config, i18n.Errorf("--cacert %s: no PEM certificate in it", path), "")
	}
	return pool, nil
}
