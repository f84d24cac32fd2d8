package inbox

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/postie/postie/internal/i18n"
)

var funcs = template.FuncMap{
	"t":       label,
	"tf":      labelf,
	"display": display,
	"join":    strings.Join,
	"size":    humanSize,
	"when":    func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") },
	"partURL": partURL,
	"add":     func(a, b int) int { return a + b },
	"indent":  func(n int) string { return strings.Repeat("\u00a0\u00a0\u00a0\u00a0", n) },
	"seconds": func(us int64) string { return fmt.Sprintf("+%.3fs", float64(us)/1e6) },
	"lines":   func(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") },
	"dirClass": func(d string) string {
		switch d {
		case "C":
			return "c"
		case "S":
			return "s"
		}
		return "e"
	},
	"who": func(l i18n.Lang, d string) string {
		switch d {
		case "C":
			return label(l, "client")
		case "S":
			return label(l, "server")
		}
		return label(l, "note")
	},
}

func humanSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}

// render executes a template into a buffer first, so a failure is a 500
// and never half a page.
func (in *Inbox) render(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := in.pages.ExecuteTemplate(&b, name, data); err != nil {
		in.logf("template %s: %v", name, err)
		http.Error(w, "cannot show this page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

type listData struct {
	L    i18n.Lang
	Page Page
}

func (in *Inbox) listPage(w http.ResponseWriter, r *http.Request) {
	q, page, per := pageParams(r)
	in.render(w, "list.html", listData{L: langOf(r), Page: in.ix.list(q, page, per)})
}

// rowsFragment is the list's table body alone: the page's script swaps it
// in when an event says the list changed.
func (in *Inbox) rowsFragment(w http.ResponseWriter, r *http.Request) {
	q, page, per := pageParams(r)
	in.render(w, "rows", listData{L: langOf(r), Page: in.ix.list(q, page, per)})
}

type messageData struct {
	L          i18n.Lang
	M          *Message
	Transcript *Transcript
	NoSession  string
	Source     []string
	SourceCut  bool
}

// maxSourceShown is how much of the raw message the page shows.
const maxSourceShown = 1 << 20

func (in *Inbox) messagePage(w http.ResponseWriter, r *http.Request) {
	m, ok := in.message(w, r, false)
	if !ok {
		return
	}
	d := messageData{L: langOf(r), M: m}
	if t, err := in.transcriptOf(m.Summary, d.L); err == nil {
		d.Transcript = t
	} else {
		d.NoSession = err.Error()
		switch {
		case errors.Is(err, errNoSession):
			d.NoSession = i18n.In(d.L).T("no session was recorded for this message")
		case errors.Is(err, errSessionGone):
			d.NoSession = i18n.In(d.L).T("the session's transcript is gone")
		}
	}
	if f, err := os.Open(m.path); err == nil {
		b, _ := io.ReadAll(io.LimitReader(f, maxSourceShown+1))
		f.Close()
		if len(b) > maxSourceShown {
			b, d.SourceCut = b[:maxSourceShown], true
		}
		d.Source = strings.Split(strings.ReplaceAll(validText(string(b)), "\r\n", "\n"), "\n")
	}
	in.render(w, "message.html", d)
}

// bodyCSP is the HTML part's own policy, on top of sanitising: no script
// at all, images only from this inbox or data: URLs, nothing remote, and
// a sandbox (RFC-less, CSP Level 2 §7.15) that also blocks forms and
// top-level navigation. allow-same-origin lets the inbox page size the
// frame; without allow-scripts it gives the content no power.
const bodyCSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src 'none'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'self'; " +
	"sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox"

func (in *Inbox) bodyDocument(w http.ResponseWriter, r *http.Request) {
	m, ok := in.message(w, r, false)
	if !ok {
		return
	}
	w.Header().Set("Content-Security-Policy", bodyCSP)
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	in.render(w, "body.html", template.HTML(m.HTML)) // sanitised by sanitizeHTML
}

func (in *Inbox) deleteForm(w http.ResponseWriter, r *http.Request) {
	if err := in.delete(r.PathValue("id")); err != nil {
		in.notFound(w, err, false)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (in *Inbox) deleteAllForm(w http.ResponseWriter, r *http.Request) {
	if _, err := in.deleteAll(); err != nil {
		in.logf("delete all: %v", err)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
