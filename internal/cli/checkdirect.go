package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/deliver"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/smtp"
)

// checkDirect shows how 'send --direct' would reach domain: its MX hosts,
// the MTA-STS policy and TLSA records found, each host's TLS and
// certificate, and what postie would do. It sends no mail.
func (a *App) checkDirect(ctx context.Context, d *deliver.Direct, domain string) error {
	out := a.Stdout
	p, err := d.Plan(ctx, domain)
	if err != nil {
		return err
	}
	yes := map[bool]string{true: i18n.T("yes"), false: i18n.T("no")}
	i18n.Fprintf(out, "domain:       %s\n", p.Domain)
	i18n.Fprintf(out, "mx records:   %d, DNSSEC-authenticated: %s\n", len(p.Hosts), yes[p.MXSecure])
	switch r := p.MTASTS; {
	case r == nil:
		i18n.Fprintf(out, "mta-sts:      not looked up\n")
	case r.Policy == nil:
		i18n.Fprintf(out, "mta-sts:      no policy\n")
	default:
		i18n.Fprintf(out, "mta-sts:      id %s, mode %s, mx %s, max_age %s (%s)\n", r.ID, r.Policy.Mode, strings.Join(r.Policy.MX, " "), r.Policy.MaxAge, r.Source)
	}
	for _, n := range p.Notes {
		i18n.Fprintf(out, "note:         %s\n", textsafe.Line(n))
	}
	i18n.Fprintf(out, "tls policy:   %s\n", p.Policy)
	usable := 0
	for _, h := range p.Hosts {
		i18n.Fprintf(out, "\nmx:           %s (requires: %s)\n", h.Host, h.Level)
		if p.DANE {
			if len(h.TLSA) == 0 {
				i18n.Fprintf(out, "  tlsa:       none\n")
			}
			for _, t := range h.TLSA {
				if t.Usable() {
					i18n.Fprintf(out, "  tlsa:       %s\n", t)
				} else {
					i18n.Fprintf(out, "  tlsa:       %s (unusable)\n", t)
				}
			}
		}
		if h.Note != "" {
			i18n.Fprintf(out, "  note:       %s\n", textsafe.Terminal(h.Note))
		}
		if h.Skip != nil {
			i18n.Fprintf(out, "  verdict:    skipped: %s\n", textsafe.Line(errText(h.Skip)))
			continue
		}
		probe, err := d.Probe(ctx, h)
		if err != nil {
			i18n.Fprintf(out, "  connect:    FAILED: %s\n", textsafe.Line(errText(err)))
			continue
		}
		i18n.Fprintf(out, "  greeting:   %s\n", textsafe.Terminal(decodeServerText(probe.Greeting)))
		if probe.TLS == nil {
			i18n.Fprintf(out, "  tls:        no STARTTLS\n")
		} else {
			i18n.Fprintf(out, "  tls:        %s\n", smtp.DescribeTLS(*probe.TLS, true))
			if len(probe.TLS.PeerCertificates) > 0 {
				c := probe.TLS.PeerCertificates[0]
				i18n.Fprintf(out, "  names:      %s (valid until %s)\n", textsafe.Terminal(strings.Join(append(c.DNSNames, ipStrings(c)...), " ")), c.NotAfter.Format(time.DateOnly))
			}
			if probe.PKIXErr == nil {
				i18n.Fprintf(out, "  pkix:       valid for %s\n", h.Host)
			} else {
				i18n.Fprintf(out, "  pkix:       not valid for %s: %s\n", h.Host, textsafe.Line(errText(probe.PKIXErr)))
			}
			if probe.DANE != nil {
				i18n.Fprintf(out, "  dane:       matches %s\n", daneName(probe.DANE))
			} else if probe.DANEErr != nil {
				i18n.Fprintf(out, "  dane:       %s\n", textsafe.Line(errText(probe.DANEErr)))
			}
		}
		if probe.Deliver {
			usable++
			i18n.Fprintf(out, "  verdict:    postie would deliver here\n")
		} else {
			i18n.Fprintf(out, "  verdict:    postie would not deliver here: %s\n", textsafe.Line(probe.Why))
		}
	}
	fmt.Fprintln(out)
	if usable == 0 {
		i18n.Fprintf(out, "result:       no MX host of %s meets the policy now; a send would fail\n", p.Domain)
		return nil
	}
	i18n.Fprintf(out, "result:       %d of %d MX hosts usable under TLS policy %s\n", usable, len(p.Hosts), p.Policy)
	return nil
}

func daneName(m *dane.Match) string {
	if m.Record.Usage == dane.DANETA {
		return i18n.Sprintf("DANE-TA (trust anchor at depth %d), TLSA %s", m.Depth, m.Record)
	}
	return i18n.Sprintf("DANE-EE (the server's own key), TLSA %s", m.Record)
}
