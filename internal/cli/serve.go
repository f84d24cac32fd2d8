package cli

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/selfsigned"
)

type serveFlags struct {
	listen, listenTLS  string
	maildir            string
	cert, key          string
	selfSigned         bool
	user, passwordFile string
	maxSize            string
	web                string
	limits             limitFlags
}

// limitFlags override the limits postie serve picks for its listen
// addresses (capture.LoopbackLimits or capture.PublicLimits).
type limitFlags struct {
	conns, connsPerIP, minRate, authFailures, messages int
	session, authDelay                                 time.Duration
	stored                                             string
}

func (a *App) serveCmd() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: i18n.T("Run a local SMTP server that stores every message in a Maildir"),
		Long: i18n.T(`Run a small SMTP server (for tests, demos and development) that accepts mail
and stores each message as a file in a Maildir (new/ via tmp/). It offers
PIPELINING, SIZE, 8BITMIME, SMTPUTF8, CHUNKING, STARTTLS (with a certificate)
and AUTH PLAIN/LOGIN after TLS (with --user). It listens on loopback unless told
otherwise, and prints one line per message received.

Limits (each flag overrides its default; 0 turns a cap off):
                          on loopback   beyond loopback
  --max-conns                     100               100
  --max-conns-per-ip          no cap                 10
  --max-session               no cap                10m
  --min-rate (octets/s)       no minimum            256 (after 30s' grace)
  --auth-fail-delay                1s                2s (doubling per recent failure)
  --max-auth-failures               3                 3 (then the connection is closed)
  --max-messages              no cap             10000
  --max-stored                no cap                 1G
Beyond loopback means any --listen or --listen-tls address that is not loopback.`),
		Example: `  postie serve --self-signed --user demo --password-file pw.txt --web 127.0.0.1:8025
  postie serve --listen 127.0.0.1:2525 --listen-tls 127.0.0.1:2465 --tls-cert c.pem --tls-key k.pem`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			lim, err := f.limits.resolve(c.Flags().Changed, f.listen, f.listenTLS)
			if err != nil {
				return err
			}
			return a.runServe(c.Context(), f, lim)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", "127.0.0.1:2525", i18n.T("address for SMTP with STARTTLS"))
	fs.StringVar(&f.listenTLS, "listen-tls", "", i18n.T("address for implicit TLS (e.g. 127.0.0.1:2465)"))
	fs.StringVar(&f.maildir, "maildir", "postie-maildir", i18n.T("Maildir to store messages in"))
	fs.StringVar(&f.cert, "tls-cert", "", i18n.T("certificate chain (PEM)"))
	fs.StringVar(&f.key, "tls-key", "", i18n.T("private key (PEM)"))
	fs.BoolVar(&f.selfSigned, "self-signed", false, i18n.T("make a throwaway CA and certificate; the CA is written to MAILDIR/../postie-ca.pem"))
	fs.StringVar(&f.user, "user", "", i18n.T("require AUTH with this user"))
	fs.StringVar(&f.passwordFile, "password-file", "", i18n.T("the user's password (file, mode 0600)"))
	fs.StringVar(&f.maxSize, "max-size", "64M", i18n.T("largest message accepted (bytes, or with K/M/G)"))
	fs.StringVar(&f.web, "web", "", i18n.T("serve the web inbox on ADDR, e.g. 127.0.0.1:8025 (a bare :PORT means loopback)"))
	l := &f.limits
	fs.IntVar(&l.conns, "max-conns", 0, i18n.T("connections at once (default 100)"))
	fs.IntVar(&l.connsPerIP, "max-conns-per-ip", 0, i18n.T("connections at once from one client address (default: none on loopback, 10 beyond)"))
	fs.DurationVar(&l.session, "max-session", 0, i18n.T("longest connection, however busy (default: none on loopback, 10m beyond)"))
	fs.IntVar(&l.minRate, "min-rate", 0, i18n.T("least average octets/second a client must send while the server waits (default: none on loopback, 256 beyond)"))
	fs.DurationVar(&l.authDelay, "auth-fail-delay", 0, i18n.T("wait before answering a failed AUTH, doubled per recent failure from the address (default 1s on loopback, 2s beyond)"))
	fs.IntVar(&l.authFailures, "max-auth-failures", 0, i18n.T("failed AUTH attempts before the connection is closed (default 3)"))
	fs.IntVar(&l.messages, "max-messages", 0, i18n.T("messages kept in the Maildir (default: none on loopback, 10000 beyond)"))
	fs.StringVar(&l.stored, "max-stored", "", i18n.T("octets kept in the Maildir, with K/M/G (default: none on loopback, 1G beyond)"))
	return cmd
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(strings.ToUpper(s), "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(strings.ToUpper(s), "M"):
		mult, s = 1<<20, s[:len(s)-1]
	case strings.HasSuffix(strings.ToUpper(s), "G"):
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, i18n.Errorf("size %q: want a positive number, optionally with K, M or G", s)
	}
	return n * mult, nil
}

// resolve starts from the defaults for the listen addresses and applies
// the flags that were given.
func (l *limitFlags) resolve(changed func(string) bool, addrs ...string) (capture.Limits, error) {
	lim := capture.LoopbackLimits()
	for _, a := range addrs {
		if a != "" && !isLoopbackAddr(a) {
			lim = capture.PublicLimits()
		}
	}
	for name, v := range map[string]int{"max-conns": l.conns, "max-conns-per-ip": l.connsPerIP, "min-rate": l.minRate,
		"max-auth-failures": l.authFailures, "max-messages": l.messages} {
		if v < 0 {
			return lim, usageErr(i18n.Errorf("--%s %d: want 0 (no cap) or more", name, v))
		}
	}
	for name, v := range map[string]time.Duration{"max-session": l.session, "auth-fail-delay": l.authDelay} {
		if v < 0 {
			return lim, usageErr(i18n.Errorf("--%s %s: want 0 (none) or more", name, v))
		}
	}
	set := func(name string, dst *int, v int) {
		if changed(name) {
			*dst = v
		}
	}
	set("max-conns", &lim.MaxConns, l.conns)
	set("max-conns-per-ip", &lim.MaxConnsPerIP, l.connsPerIP)
	set("min-rate", &lim.MinRate, l.minRate)
	set("max-auth-failures", &lim.MaxAuthFailures, l.authFailures)
	set("max-messages", &lim.MaxMessages, l.messages)
	if changed("max-session") {
		lim.MaxSession = l.session
	}
	if changed("auth-fail-delay") {
		lim.AuthFailDelay = l.authDelay
	}
	if lim.MinRate > 0 && lim.RateGrace == 0 {
		lim.RateGrace = 30 * time.Second
	}
	if changed("max-stored") {
		lim.MaxStoredBytes = 0
		if l.stored != "0" {
			n, err := parseSize(l.stored)
			if err != nil {
				return lim, usageErr(i18n.Errorf("--max-stored: %v", err))
			}
			lim.MaxStoredBytes = n
		}
	}
	return lim, nil
}

func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func (a *App) runServe(ctx context.Context, f *serveFlags, lim capture.Limits) error {
	max, err := parseSize(f.maxSize)
	if err != nil {
		return exitcode.With(exitcode.Usage, i18n.Errorf("--max-size: %w", err), "")
	}
	cfg := capture.Config{Maildir: f.maildir, MaxSize: max, Log: a.Stdout, ErrorLog: a.Stderr, Limits: lim}
	switch {
	case f.selfSigned && f.cert != "":
		return usageErr(i18n.Errorf("--self-signed and --tls-cert both given; choose one"))
	case f.selfSigned:
		b, err := selfsigned.New(selfsigned.Options{})
		if err != nil {
			return err
		}
		caPath := filepath.Join(filepath.Dir(filepath.Clean(f.maildir)), "postie-ca.pem")
		if err := os.WriteFile(caPath, b.CAPEM, 0o644); err != nil {
			return exitcode.With(exitcode.CantCreat, err, "")
		}
		i18n.Fprintf(a.Stdout, "postie serve: self-signed CA written to %s (use --cacert %s)\n", caPath, caPath)
		cfg.TLSConfig = b.ServerConfig()
	case f.cert != "" || f.key != "":
		if f.cert == "" || f.key == "" {
			return usageErr(i18n.Errorf("--tls-cert and --tls-key go together"))
		}
		kp, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return exitcode.With(exitcode.Config, i18n.Errorf("TLS certificate: %w", err), "")
		}
		cfg.TLSConfig = &tls.Config{Certificates: []tls.Certificate{kp}, MinVersion: tls.VersionTLS12}
	}
	if f.user != "" {
		if f.passwordFile == "" {
			return usageErr(i18n.Errorf("--user needs --password-file"))
		}
		if cfg.TLSConfig == nil {
			return usageErr(i18n.Errorf("--user needs TLS (--self-signed or --tls-cert/--tls-key): AUTH is only offered after TLS"))
		}
		pw, err := config.ReadSecretFile(f.passwordFile)
		if err != nil {
			return exitcode.With(exitcode.Config, err, "")
		}
		cfg.Users = map[string]string{f.user: pw}
	}
	if f.listenTLS != "" && cfg.TLSConfig == nil {
		return usageErr(i18n.Errorf("--listen-tls needs a certificate (--self-signed or --tls-cert/--tls-key)"))
	}
	var web *webInbox
	if f.web != "" {
		if web, err = startWeb(f.web, f.maildir, a.Stderr); err != nil {
			return err
		}
		defer web.stop()
		cfg.OnMessage = func(st capture.Stored) { web.Notify(st.Path) }
	}
	srv, err := capture.New(cfg)
	if err != nil {
		return exitcode.With(exitcode.CantCreat, err, "")
	}
	ln, err := a.listen(f.listen)
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.TLSConfig != nil {
		i18n.Fprintf(a.Stdout, "postie serve: listening on %s (STARTTLS on), storing in %s\n", ln.Addr(), f.maildir)
	} else {
		i18n.Fprintf(a.Stdout, "postie serve: listening on %s (STARTTLS off), storing in %s\n", ln.Addr(), f.maildir)
	}
	i18n.Fprintf(a.Stdout, "postie serve: limits: %s\n", limitsSummary(lim))
	if web != nil {
		i18n.Fprintf(a.Stdout, "postie serve: web inbox at %s\n", web.URL)
	}
	if f.listenTLS != "" {
		tln, err := a.listen(f.listenTLS)
		if err != nil {
			srv.Close()
			return err
		}
		go func() { errc <- srv.ServeTLS(tln) }()
		i18n.Fprintf(a.Stdout, "postie serve: listening on %s (implicit TLS)\n", tln.Addr())
	}
	select {
	case <-ctx.Done():
		srv.Close()
		return nil
	case err := <-errc:
		srv.Close()
		return err
	}
}

// limitsSummary says in one line what the server will put up with.
func limitsSummary(l capture.Limits) string {
	var parts []string
	perIP := i18n.T("no per-address cap")
	if l.MaxConnsPerIP > 0 {
		perIP = i18n.Sprintf("%d per address", l.MaxConnsPerIP)
	}
	if l.MaxConns > 0 {
		parts = append(parts, i18n.Sprintf("%d connections at once (%s)", l.MaxConns, perIP))
	} else {
		parts = append(parts, i18n.Sprintf("no cap on connections at once (%s)", perIP))
	}
	if l.MaxSession > 0 {
		parts = append(parts, i18n.Sprintf("sessions up to %s", l.MaxSession))
	} else {
		parts = append(parts, i18n.T("no session bound"))
	}
	if l.MinRate > 0 {
		parts = append(parts, i18n.Sprintf("at least %d octets/s after %s", l.MinRate, l.RateGrace))
	} else {
		parts = append(parts, i18n.T("no minimum rate"))
	}
	if l.MaxAuthFailures > 0 {
		parts = append(parts, i18n.Sprintf("failed AUTH answered after %s, closed after %d", l.AuthFailDelay, l.MaxAuthFailures))
	} else {
		parts = append(parts, i18n.Sprintf("failed AUTH answered after %s", l.AuthFailDelay))
	}
	if l.MaxMessages > 0 {
		parts = append(parts, i18n.Sprintf("%d messages stored", l.MaxMessages))
	} else {
		parts = append(parts, i18n.T("no cap on messages stored"))
	}
	if l.MaxStoredBytes > 0 {
		parts = append(parts, i18n.Sprintf("at most %d octets stored", l.MaxStoredBytes))
	} else {
		parts = append(parts, i18n.T("no cap on octets stored"))
	}
	return strings.Join(parts, i18n.T("; "))
}

func (a *App) listen(addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, usageErr(i18n.Errorf("--listen %q: want HOST:PORT", addr))
	}
	if !isLoopbackAddr(addr) {
		i18n.Fprintf(a.Stderr, "postie serve: WARNING: listening on %s, beyond loopback: other machines can send to it\n", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, exitcode.With(exitcode.Unavailable, i18n.Errorf("listen %s: %w", addr, err), i18n.T("pick another port with --listen 127.0.0.1:PORT"))
	}
	return ln, nil
}
