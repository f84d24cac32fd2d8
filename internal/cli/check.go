package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/smtp"
)

func (a *App) checkCmd() *cobra.Command {
	req := &request{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: i18n.T("Connect to a server and show what it offers; optionally test the login. Sends no mail"),
		Example: `  postie check --server smtp.163.com:465
  postie check --server smtp.gmail.com:587 --user me@gmail.com --password-file ~/.gmail-app-pw
  postie check --direct example.org`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return a.runCheck(c.Context(), req, args) },
	}
	cmd.Flags().SortFlags = false // by topic, as send
	req.server.add(cmd)
	req.login.add(cmd)
	req.account.add(a, cmd)
	req.output.add(cmd.Flags())
	req.direct.add(cmd.Flags())
	cmd.Flags().StringVar(&req.from, "from", "", i18n.T("an address, to pick the provider's server when --server is not given"))
	return cmd
}

// runCheck connects, shows what the server offers and, when a user is
// named (or an account), logs in. With --direct it shows how a domain's
// mail exchangers would be reached (checkdirect.go).
func (a *App) runCheck(ctx context.Context, req *request, args []string) error {
	if !req.direct.direct && len(args) > 0 {
		return usageErr(i18n.Errorf("check takes no arguments (a DOMAIN only with --direct)"))
	}
	req.wantLogin = req.login.user != "" || req.account.account != ""
	st, err := a.resolve(req)
	if err != nil {
		return err
	}
	if st.Direct != nil {
		if len(args) != 1 {
			return usageErr(i18n.Errorf("check --direct needs the DOMAIN to look at"))
		}
		d, err := a.newDirect(st)
		if err != nil {
			return err
		}
		return a.checkDirect(ctx, d.Direct, args[0])
	}
	relay, err := a.newRelay(ctx, st)
	if err != nil {
		return err
	}
	r := *relay
	creds := r.Credentials
	r.Credentials = nil
	out := a.Stdout
	if st.Quiet {
		out = io.Discard // -q: the exit code says it; errors still go to stderr
	}
	i18n.Fprintf(out, "server:       %s (%s)\n", r.Addr, describeTLSMode(r.TLS))
	c, err := r.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Quit(ctx)
	i18n.Fprintf(out, "greeting:     %s\n", textsafe.Terminal(decodeServerText(c.Greeting().String())))
	if cs, ok := c.TLSConnectionState(); ok {
		i18n.Fprintf(out, "tls:          %s\n", smtp.DescribeTLS(cs, r.TLSConfig != nil && r.TLSConfig.InsecureSkipVerify))
		if len(cs.PeerCertificates) > 0 {
			cert := cs.PeerCertificates[0]
			i18n.Fprintf(out, "certificate:  names %s, valid until %s\n", textsafe.Terminal(strings.Join(append(cert.DNSNames, ipStrings(cert)...), " ")), cert.NotAfter.Format("2006-01-02"))
		}
	} else {
		i18n.Fprintf(out, "tls:          none (the connection is in clear text)\n")
	}
	ext := c.Extensions()
	var keys []string
	for k := range ext {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	i18n.Fprintf(out, "capabilities:")
	for _, k := range keys {
		fmt.Fprintf(out, " %s", textsafe.Terminal(strings.TrimSpace(k+" "+ext[k])))
	}
	fmt.Fprintln(out)
	if mechs := ext.AuthMechanisms(); len(mechs) > 0 {
		i18n.Fprintf(out, "auth:         %s\n", textsafe.Terminal(strings.Join(mechs, " ")))
	} else {
		i18n.Fprintf(out, "auth:         none offered on this connection\n")
	}
	if creds == nil {
		return nil
	}
	m, err := c.ChooseMechanism(*creds, r.Mechanism)
	if err == nil {
		err = c.Auth(ctx, m)
	}
	if err != nil {
		i18n.Fprintf(out, "login:        FAILED\n")
		return presetHint(st, err)
	}
	i18n.Fprintf(out, "login:        OK as %s with %s\n", creds.Username, m.Name())
	return nil
}

func ipStrings(c *x509.Certificate) []string {
	var out []string
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

// describeTLSMode says what a TLS mode does, in the words of the check.
func describeTLSMode(m smtp.TLSMode) string {
	switch m {
	case smtp.TLSImplicit:
		return i18n.T("implicit TLS, certificate verified")
	case smtp.TLSStartTLS:
		return i18n.T("STARTTLS required, certificate verified")
	case smtp.TLSOpportunistic:
		return i18n.T("STARTTLS if the server offers it, certificate verified; clear text only if it offers none")
	case smtp.TLSNone:
		return i18n.T("no TLS: clear text")
	}
	return m.String()
}
