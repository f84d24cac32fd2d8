package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/postie/postie/dane"
	"github.com/postie/postie/deliver"
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
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(out, "domain:       %s\n", p.Domain)
	fmt.Fprintf(out, "mx records:   %d, DNSSEC-authenticated: %s\n", len(p.Hosts), yes[p.MXSecure])
	switch r := p.MTASTS; {
	case r == nil:
		fmt.Fprintf(out, "mta-sts:      not looked up\n")
	case r.Policy == nil:
		fmt.Fprintf(out, "mta-sts:      no policy\n")
	default:
		fmt.Fprintf(out, "mta-sts:      id %s, mode %s, mx %s, max_age %s (%s)\n", r.ID, r.Policy.Mode, strings.Join(r.Policy.MX, " "), r.Policy.MaxAge, r.Source)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(out, "note:         %s\n", textsafe.Line(n))
	}
	fmt.Fprintf(out, "tls policy:   %s\n", p.Policy)
	usable := 0
	for _, h := range p.Hosts {
		fmt.Fprintf(out, "\nmx:           %s (requires: %s)\n", h.Host, h.Level)
		if p.DANE {
			if len(h.TLSA) == 0 {
				fmt.Fprintf(out, "  tlsa:       none\n")
			}
			for _, t := range h.TLSA {
				fmt.Fprintf(out, "  tlsa:       %s%s\n", t, map[bool]string{true: "", false: " (unusable)"}[t.Usable()])
			}
		}
		if h.Note != "" {
			fmt.Fprintf(out, "  note:       %s\n", textsafe.Terminal(h.Note))
		}
		if h.Skip != nil {
			fmt.Fprintf(out, "  verdict:    skipped: %s\n", textsafe.Line(h.Skip.Error()))
			continue
		}
		probe, err := d.Probe(ctx, h)
		if err != nil {
			fmt.Fprintf(out, "  connect:    FAILED: %s\n", textsafe.Line(err.Error()))
			continue
		}
		fmt.Fprintf(out, "  greeting:   %s\n", textsafe.Terminal(decodeServerText(probe.Greeting)))
		if probe.TLS == nil {
			fmt.Fprintf(out, "  tls:        no STARTTLS\n")
		} else {
			fmt.Fprintf(out, "  tls:        %s\n", smtp.DescribeTLS(*probe.TLS, true))
			if len(probe.TLS.PeerCertificates) > 0 {
				c := probe.TLS.PeerCertificates[0]
				fmt.Fprintf(out, "  names:      %s (valid until %s)\n", textsafe.Terminal(strings.Join(append(c.DNSNames, ipStrings(c)...), " ")), c.NotAfter.Format(time.DateOnly))
			}
			if probe.PKIXErr == nil {
				fmt.Fprintf(out, "  pkix:       valid for %s\n", h.Host)
			} else {
				fmt.Fprintf(out, "  pkix:       not valid for %s: %s\n", h.Host, textsafe.Line(probe.PKIXErr.Error()))
			}
			if probe.DANE != nil {
				fmt.Fprintf(out, "  dane:       matches %s\n", daneName(probe.DANE))
			} else if probe.DANEErr != nil {
				fmt.Fprintf(out, "  dane:       %s\n", textsafe.Line(probe.DANEErr.Error()))
			}
		}
		if probe.Deliver {
			usable++
			fmt.Fprintf(out, "  verdict:    postie would deliver here\n")
		} else {
			fmt.Fprintf(out, "  verdict:    postie would not deliver here: %s\n", textsafe.Line(probe.Why))
		}
	}
	fmt.Fprintln(out)
	if usable == 0 {
		fmt.Fprintf(out, "result:       no MX host of %s meets the policy now; a send would fail\n", p.Domain)
		return nil
	}
	fmt.Fprintf(out, "result:       %d of %d MX hosts usable under TLS policy %s\n", usable, len(p.Hosts), p.Policy)
	return nil
}

func daneName(m *dane.Match) string {
	kind := "DANE-EE (the server's own key)"
	if m.Record.Usage == dane.DANETA {
		kind = fmt.Sprintf("DANE-TA (trust anchor at depth %d)", m.Depth)
	}
	return fmt.Sprintf("%s, TLSA %s", kind, m.Record)
}
