package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/smtp"
)

func (a *App) checkCmd() *cobra.Command {
	f := &connFlags{}
	var from string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Connect to a server and show what it offers; optionally test the login. Sends no mail",
		Example: `  postie check --server smtp.163.com:465
  postie check --server smtp.gmail.com:587 --user me@gmail.com --password-file ~/.gmail-app-pw
  postie check --direct example.org`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return a.runCheck(c.Context(), f, from, args) },
	}
	f.add(cmd.Flags())
	cmd.Flags().StringVar(&from, "from", "", "an address, to pick the provider's server when --server is not given")
	return cmd
}

func (a *App) runCheck(ctx context.Context, f *connFlags, from string, args []string) error {
	if !f.direct && len(args) > 0 {
		return usageErr("check takes no arguments (a DOMAIN only with --direct)")
	}
	login := f.user != "" || f.account != ""
	sess, err := a.resolve(ctx, f, from, login)
	if err != nil {
		return err
	}
	if sess.direct != nil {
		if len(args) != 1 {
			return usageErr("check --direct needs the DOMAIN to look at")
		}
		return a.checkDirect(ctx, sess.direct, args[0])
	}
	r := *sess.relay
	creds := r.Credentials
	r.Credentials = nil
	c, err := r.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Quit(ctx)
	out := a.Stdout
	fmt.Fprintf(out, "server:       %s (TLS mode %s)\n", r.Addr, r.TLS)
	fmt.Fprintf(out, "greeting:     %s\n", escapeControls(decodeServerText(c.Greeting().String())))
	if st, ok := c.TLSConnectionState(); ok {
		fmt.Fprintf(out, "tls:          %s\n", smtp.DescribeTLS(st, r.TLSConfig != nil && r.TLSConfig.InsecureSkipVerify))
		if len(st.PeerCertificates) > 0 {
			cert := st.PeerCertificates[0]
			fmt.Fprintf(out, "certificate:  names %s, valid until %s\n", strings.Join(append(cert.DNSNames, ipStrings(cert)...), " "), cert.NotAfter.Format("2006-01-02"))
		}
	} else {
		fmt.Fprintf(out, "tls:          none (the connection is in clear text)\n")
	}
	ext := c.Extensions()
	var keys []string
	for k := range ext {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(out, "capabilities:")
	for _, k := range keys {
		fmt.Fprintf(out, " %s", escapeControls(strings.TrimSpace(k+" "+ext[k])))
	}
	fmt.Fprintln(out)
	if mechs := ext.AuthMechanisms(); len(mechs) > 0 {
		fmt.Fprintf(out, "auth:         %s\n", strings.Join(mechs, " "))
	} else {
		fmt.Fprintf(out, "auth:         none offered on this connection\n")
	}
	if creds == nil {
		return nil
	}
	m, err := c.ChooseMechanism(*creds, r.Mechanism)
	if err == nil {
		err = c.Auth(ctx, m)
	}
	if err != nil {
		fmt.Fprintf(out, "login:        FAILED\n")
		return a.withPresetHint(sess, err)
	}
	fmt.Fprintf(out, "login:        OK as %s with %s\n", creds.Username, m.Name())
	return nil
}

func ipStrings(c *x509.Certificate) []string {
	var out []string
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}
