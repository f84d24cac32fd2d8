package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/internal/textsafe"
)

func (a *App) demoCmd() *cobra.Command {
	var keep bool
	var dir, web string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: i18n.T("Send a sample message to a local server and show the whole SMTP dialogue"),
		Long: i18n.T(`Starts postie's own SMTP server on a free loopback port with a fresh
self-signed certificate and a demo user, then sends "I love computer
networks!" with a Chinese subject and an image attachment through the same
code as 'postie send': STARTTLS, the certificate verified against the demo CA,
AUTH LOGIN. It prints the dialogue (password redacted), then the message as
the server stored it. Nothing beyond loopback is touched.`),
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runDemo(c.Context(), dir, keep, web) },
	}
	cmd.Flags().BoolVar(&keep, "keep", false, i18n.T("leave the server running and show how to send to it"))
	cmd.Flags().StringVar(&dir, "dir", "", i18n.T("keep the demo's files (Maildir, CA, password) in DIR instead of a temporary folder"))
	cmd.Flags().StringVar(&web, "web", "127.0.0.1:0", i18n.T("with --keep, serve the web inbox on ADDR (default: a free loopback port)"))
	return cmd
}

// demoImage draws a small PNG: a gradient with a white diagonal.
func demoImage() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 48; x++ {
			c := color.RGBA{uint8(x * 5), uint8(y * 5), 200, 255}
			if x == y || x == 47-y {
				c = color.RGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func (a *App) runDemo(ctx context.Context, dir string, keep bool, webAddr string) error {
	out := a.Stdout
	temporary := false
	// SIGTERM ends the demo as Ctrl-C does, so the deferred clean-up runs.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	if dir == "" {
		tmp, err := os.MkdirTemp("", "postie-demo-")
		if err != nil {
			return exitcode.With(exitcode.CantCreat, err, "")
		}
		defer os.RemoveAll(tmp) // with --keep too: the temporary folder goes when the demo ends
		dir, temporary = tmp, true
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return exitcode.With(exitcode.CantCreat, err, "")
	}
	bundle, err := selfsigned.New(selfsigned.Options{Org: "postie demo"})
	if err != nil {
		return err
	}
	pwBytes := make([]byte, 12)
	rand.Read(pwBytes)
	password := hex.EncodeToString(pwBytes)
	paths := struct{ ca, pw, img, maildir string }{
		filepath.Join(dir, "ca.pem"), filepath.Join(dir, "password"), filepath.Join(dir, "network.png"), filepath.Join(dir, "Maildir"),
	}
	for p, b := range map[string][]byte{paths.ca: bundle.CAPEM, paths.pw: []byte(password + "\n"), paths.img: demoImage()} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return exitcode.With(exitcode.CantCreat, err, "")
		}
	}
	stored := make(chan capture.Stored, 1)
	logw := &gatedWriter{w: out} // opened once the demo's own message is shown
	var web atomic.Pointer[webInbox]
	srv, err := capture.New(capture.Config{
		Maildir: paths.maildir, TLSConfig: bundle.ServerConfig(), Users: map[string]string{"demo": password},
		Domain: "postie-demo.localhost", Log: logw, OnMessage: func(s capture.Stored) {
			if w := web.Load(); w != nil {
				w.Notify(s.Path)
			}
			select {
			case stored <- s:
			default:
			}
		},
	})
	if err != nil {
		return exitcode.With(exitcode.CantCreat, err, "")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return exitcode.With(exitcode.Unavailable, err, "")
	}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()

	i18n.Fprintf(out, "postie demo: an SMTP server of postie's own is listening on %s\n", addr)
	i18n.Fprintf(out, "postie demo: sending with STARTTLS (certificate checked against %s) and AUTH LOGIN as user \"demo\"\n", paths.ca)
	i18n.Fprintf(out, "postie demo: one command at a time, like the seed (postie send pipelines and uses BDAT when the server offers them)\n\n")

	// The same path as 'postie send', with the transcript on stdout.
	sub := *a
	sub.Stderr = out
	sub.Stdin = strings.NewReader("")
	f := &sendFlags{
		from: "Alice <alice@postie-demo.localhost>", to: []string{"张三 <bob@postie-demo.localhost>"},
		subject: "我爱计算机网络！ I love computer networks!",
		text:    "I love computer networks!\r\n我爱计算机网络！\r\n\r\nThis message came through postie's SMTP client.\r\n",
		attach:  []string{paths.img},
	}
	f.req = request{
		server:   serverFlags{server: addr, tls: "starttls", cacert: paths.ca, helo: "postie-demo-client", connectTimeout: 10e9},
		login:    loginFlags{user: "demo", passwordFile: paths.pw, auth: "login"},
		output:   outputFlags{verbose: 1, explain: true},
		transfer: transferFlags{noPipelining: true, noChunking: true},
		noConfig: true, noEnv: true,
	}
	if err := sub.runSend(ctx, f); err != nil {
		return err
	}
	var st capture.Stored
	select {
	case st = <-stored:
	default:
		return exitcode.With(exitcode.Software, i18n.Errorf("the server accepted the message but stored nothing"), "")
	}
	i18n.Fprintf(out, "\n--- the message as the server stored it: %s (%d bytes)\n", st.Path, st.Size)
	if err := describeMessage(out, st.Path); err != nil {
		return err
	}
	if keep {
		w, err := startWeb(webAddr, paths.maildir, a.Stderr)
		if err != nil {
			return err
		}
		defer w.stop()
		web.Store(w)
		i18n.Fprintf(out, "\npostie demo: the web inbox is at %s (each message, and the SMTP session that delivered it, explained)\n", w.URL)
		i18n.Fprintf(out, "postie demo: the server keeps running on %s until you press Ctrl-C. From another terminal:\n", addr)
		fmt.Fprintf(out, "  postie send --server %s --tls starttls --cacert %s --user demo --password-file %s \\\n", addr, paths.ca, paths.pw)
		fmt.Fprintf(out, "      --from you@postie-demo.localhost --to friend@postie-demo.localhost --subject hello --text hi -v\n")
		fmt.Fprintf(out, "  swaks --server %s --tls --tls-ca-path %s --auth LOGIN --auth-user demo --auth-password %s --to friend@postie-demo.localhost\n", addr, paths.ca, "\"$(cat "+paths.pw+")\"")
		i18n.Fprintf(out, "Messages arrive in %s/new; each is listed here:\n", paths.maildir)
		if temporary {
			i18n.Fprintf(out, "(Ctrl-C stops the server and removes %s)\n", dir)
		}
		logw.open.Store(true)
		<-ctx.Done()
	}
	return nil
}

// describeMessage prints headers and the MIME tree with each part's
// decoded size, read back from the stored file with the standard
// library's parsers (package mailcheck), not with postie's composer.
func describeMessage(w io.Writer, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := mailcheck.Parse(raw)
	if err != nil {
		return i18n.Errorf("stored message does not parse: %w", err)
	}
	dec := new(mime.WordDecoder)
	for _, k := range []string{"Return-Path", "Received", "Date", "From", "To", "Cc", "Subject", "Message-Id", "Mime-Version", "Content-Type"} {
		for _, v := range m.Header[k] {
			line := k + ": " + v
			if d, err := dec.DecodeHeader(v); err == nil && d != v {
				line += i18n.Sprintf("   [decoded: %s]", d)
			}
			fmt.Fprintln(w, textsafe.Terminal(line))
		}
	}
	i18n.Fprintf(w, "--- MIME structure (decoded sizes)\n")
	for _, l := range m.Outline {
		fmt.Fprintln(w, textsafe.Terminal(l))
	}
	return nil
}

// gatedWriter drops writes until opened.
type gatedWriter struct {
	w    io.Writer
	open atomic.Bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	if !g.open.Load() {
		return len(p), nil
	}
	return g.w.Write(p)
}
