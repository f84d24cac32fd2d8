package inbox

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Config configures the inbox. Maildir is the only required field.
type Config struct {
	Maildir string
	// Loopback says the inbox listens on a loopback address: requests
	// must then name a loopback host (localhost, 127.0.0.1, [::1]), so a
	// web page elsewhere cannot reach it through DNS rebinding.
	Loopback bool
	ErrorLog io.Writer // handler errors; nil: discarded
}

// Inbox serves the web inbox of one Maildir.
type Inbox struct {
	cfg   Config
	ix    *index
	hub   *hub
	pages *template.Template
	h     http.Handler
	logMu sync.Mutex
}

// New indexes the Maildir and prepares the handlers.
func New(cfg Config) (*Inbox, error) {
	if cfg.Maildir == "" {
		return nil, errors.New("inbox: no maildir")
	}
	pages, err := template.New("").Funcs(funcs).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	in := &Inbox{cfg: cfg, ix: newIndex(cfg.Maildir), hub: newHub(), pages: pages}
	static, _ := fs.Sub(assets, "static")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", in.listPage)
	mux.HandleFunc("GET /rows", in.rowsFragment)
	mux.HandleFunc("GET /m/{id}", in.messagePage)
	mux.HandleFunc("GET /m/{id}/body", in.bodyDocument)
	mux.HandleFunc("GET /m/{id}/cid/{cid...}", in.inlinePart)
	mux.HandleFunc("POST /m/{id}/delete", in.deleteForm)
	mux.HandleFunc("POST /delete-all", in.deleteAllForm)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /api/v1/messages", in.apiList)
	mux.HandleFunc("DELETE /api/v1/messages", in.apiDeleteAll)
	mux.HandleFunc("GET /api/v1/messages/{id}", in.apiMessage)
	mux.HandleFunc("DELETE /api/v1/messages/{id}", in.apiDelete)
	mux.HandleFunc("GET /api/v1/messages/{id}/raw", in.apiRaw)
	mux.HandleFunc("GET /api/v1/messages/{id}/parts/{part}", in.apiPart)
	mux.HandleFunc("GET /api/v1/messages/{id}/transcript", in.apiTranscript)
	mux.HandleFunc("GET /api/v1/events", in.events)
	in.h = in.guard(http.NewCrossOriginProtection().Handler(mux))
	return in, nil
}

func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { in.h.ServeHTTP(w, r) }

// Notify tells the inbox that a message was stored at path (capture's
// OnMessage): it is indexed and the open pages are told.
func (in *Inbox) Notify(path string) {
	s, err := in.ix.add(path)
	if err != nil {
		in.logf("indexing %s: %v", path, err)
		return
	}
	in.hub.publish("new", s)
}

// Close ends the event streams, so an http.Server can shut down.
func (in *Inbox) Close() { in.hub.close() }

// pageCSP keeps the inbox's own pages to their own scripts and styles.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// guard sets the security headers every response carries and refuses
// requests for a foreign host name on a loopback inbox.
func (in *Inbox) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.cfg.Loopback && !loopbackHost(r.Host) {
			http.Error(w, "this inbox answers only to localhost, 127.0.0.1 or [::1]", http.StatusMisdirectedRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost")
}

func (in *Inbox) logf(format string, a ...any) {
	if in.cfg.ErrorLog == nil {
		return
	}
	in.logMu.Lock()
	defer in.logMu.Unlock()
	fmt.Fprintf(in.cfg.ErrorLog, "postie inbox: %s\n", display(fmt.Sprintf(format, a...)))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
