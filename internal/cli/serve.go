package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/config"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/selfsigned"
)

type serveFlags struct {
	listen, listenTLS  string
	maildir            string
	cert, key          string
	selfSigned         bool
	user, passwordFile string
	maxSize            string
}

func (a *App) serveCmd() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a local SMTP server that stores every message in a Maildir",
		Long: `Run a small SMTP server (for tests, demos and development) that accepts mail
and stores each message as a file in a Maildir (new/ via tmp/). It offers
PIPELINING, SIZE, 8BITMIME, SMTPUTF8, CHUNKING, STARTTLS (with a certificate)
and AUTH PLAIN/LOGIN after TLS (with --user). It listens on loopback unless told
otherwise, and prints one line per message received.`,
		Example: `  postie serve --self-signed --user demo --password-file pw.txt
  postie serve --listen 127.0.0.1:2525 --listen-tls 127.0.0.1:2465 --tls-cert c.pem --tls-key k.pem`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runServe(c.Context(), f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", "127.0.0.1:2525", "address for SMTP with STARTTLS")
	fs.StringVar(&f.listenTLS, "listen-tls", "", "address for implicit TLS (e.g. 127.0.0.1:2465)")
	fs.StringVar(&f.maildir, "maildir", "postie-maildir", "Maildir to store messages in")
	fs.StringVar(&f.cert, "tls-cert", "", "certificate chain (PEM)")
	fs.StringVar(&f.key, "tls-key", "", "private key (PEM)")
	fs.BoolVar(&f.selfSigned, "self-signed", false, "make a throwaway CA and certificate; the CA is written to MAILDIR/../postie-ca.pem")
	fs.StringVar(&f.user, "user", "", "require AUTH with this user")
	fs.StringVar(&f.passwordFile, "password-file", "", "the user's password (file, mode 0600)")
	fs.StringVar(&f.maxSize, "max-size", "64M", "largest message accepted (bytes, or with K/M/G)")
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
		return 0, fmt.Errorf("size %q: want a positive number, optionally with K, M or G", s)
	}
	return n * mult, nil
}

func (a *App) runServe(ctx context.Context, f *serveFlags) error {
	max, err := parseSize(f.maxSize)
	if err != nil {
		return exitcode.With(exitcode.Usage, fmt.Errorf("--max-size: %w", err), "")
	}
	cfg := capture.Config{Maildir: f.maildir, MaxSize: max, Log: a.Stdout, ErrorLog: a.Stderr}
	switch {
	case f.selfSigned && f.cert != "":
		return usageErr("--self-signed and --tls-cert both given; choose one")
	case f.selfSigned:
		b, err := selfsigned.New(selfsigned.Options{})
		if err != nil {
			return err
		}
		caPath := filepath.Join(filepath.Dir(filepath.Clean(f.maildir)), "postie-ca.pem")
		if err := os.WriteFile(caPath, b.CAPEM, 0o644); err != nil {
			return exitcode.With(exitcode.CantCreat, err, "")
		}
		fmt.Fprintf(a.Stdout, "postie serve: self-signed CA written to %s (use --cacert %s)\n", caPath, caPath)
		cfg.TLSConfig = b.ServerConfig()
	case f.cert != "" || f.key != "":
		if f.cert == "" || f.key == "" {
			return usageErr("--tls-cert and --tls-key go together")
		}
		kp, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return exitcode.With(exitcode.Config, fmt.Errorf("TLS certificate: %w", err), "")
		}
		cfg.TLSConfig = &tls.Config{Certificates: []tls.Certificate{kp}, MinVersion: tls.VersionTLS12}
	}
	if f.user != "" {
		if f.passwordFile == "" {
			return usageErr("--user needs --password-file")
		}
		if cfg.TLSConfig == nil {
			return usageErr("--user needs TLS (--self-signed or --tls-cert/--tls-key): AUTH is only offered after TLS")
		}
		pw, err := config.ReadSecretFile(f.passwordFile)
		if err != nil {
			return exitcode.With(exitcode.Config, err, "")
		}
		cfg.Users = map[string]string{f.user: pw}
	}
	if f.listenTLS != "" && cfg.TLSConfig == nil {
		return usageErr("--listen-tls needs a certificate (--self-signed or --tls-cert/--tls-key)")
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
	fmt.Fprintf(a.Stdout, "postie serve: listening on %s (STARTTLS %s), storing in %s\n", ln.Addr(), onOff(cfg.TLSConfig != nil), f.maildir)
	if f.listenTLS != "" {
		tln, err := a.listen(f.listenTLS)
		if err != nil {
			srv.Close()
			return err
		}
		go func() { errc <- srv.ServeTLS(tln) }()
		fmt.Fprintf(a.Stdout, "postie serve: listening on %s (implicit TLS)\n", tln.Addr())
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

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func (a *App) listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usageErr("--listen %q: want HOST:PORT", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(a.Stderr, "postie serve: WARNING: listening on %s, beyond loopback: other machines can send to it\n", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, exitcode.With(exitcode.Unavailable, fmt.Errorf("listen %s: %w", addr, err), "pick another port with --listen 127.0.0.1:PORT")
	}
	return ln, nil
}
