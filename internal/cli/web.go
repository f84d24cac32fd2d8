package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/postie/postie/capture/inbox"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
)

// webInbox is a running web inbox (postie serve --web, postie demo --keep).
type webInbox struct {
	*inbox.Inbox
	URL  string
	srv  *http.Server
	done chan struct{}
}

// startWeb serves the web inbox of maildir on addr. An address without a
// host (":8025", "8025") means loopback; beyond loopback it warns.
func startWeb(addr, maildir string, stderr io.Writer) (*webInbox, error) {
	if !strings.Contains(addr, ":") {
		addr = ":" + addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usageErr(i18n.Errorf("--web %q: want HOST:PORT, e.g. 127.0.0.1:8025", addr))
	}
	if host == "" {
		host = "127.0.0.1"
	}
	addr = net.JoinHostPort(host, port)
	loopback := isLoopbackAddr(addr)
	if !loopback {
		i18n.Fprintf(stderr, "postie: WARNING: the web inbox listens on %s, beyond loopback: anyone who can reach it can read and delete every message\n", addr)
	}
	in, err := inbox.New(inbox.Config{Maildir: maildir, Loopback: loopback, ErrorLog: stderr})
	if err != nil {
		return nil, exitcode.With(exitcode.Software, err, "")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, exitcode.With(exitcode.Unavailable, i18n.Errorf("web inbox: listen %s: %w", addr, err), i18n.T("pick another port with --web 127.0.0.1:PORT"))
	}
	w := &webInbox{Inbox: in, done: make(chan struct{}),
		srv: &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}}
	shown := ln.Addr().String()
	if h, p, err := net.SplitHostPort(shown); err == nil && (h == "0.0.0.0" || h == "::") {
		shown = net.JoinHostPort("localhost", p)
	}
	w.URL = "http://" + shown + "/"
	go func() { defer close(w.done); w.srv.Serve(ln) }()
	return w, nil
}

// stop ends the event streams and the server.
func (w *webInbox) stop() {
	w.Inbox.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if w.srv.Shutdown(ctx) != nil {
		w.srv.Close()
	}
	<-w.done
}
