package inbox

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/postie/postie/internal/i18n"
)

// The JSON API under /api/v1/ (documented in the README):
//
//	GET    /api/v1/messages?q=&page=&per_page=   one page of the list, newest first
//	DELETE /api/v1/messages                       delete every message
//	GET    /api/v1/messages/{id}                  one message: headers, text, sanitised HTML, parts
//	DELETE /api/v1/messages/{id}                  delete one message
//	GET    /api/v1/messages/{id}/raw              the stored file, byte for byte
//	GET    /api/v1/messages/{id}/parts/{part}     a part's decoded content, as a download
//	GET    /api/v1/messages/{id}/transcript       the SMTP session, each line explained (?lang=en|zh)
//	GET    /api/v1/events                         Server-Sent Events: "new" and "delete"

const (
	defaultPerPage = 50
	maxPerPage     = 500
)

func pageParams(r *http.Request) (q string, page, per int) {
	q = r.URL.Query().Get("q")
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	per, _ = strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = defaultPerPage
	}
	return q, max(page, 1), min(per, maxPerPage)
}

func (in *Inbox) apiList(w http.ResponseWriter, r *http.Request) {
	q, page, per := pageParams(r)
	writeJSON(w, http.StatusOK, in.ix.list(q, page, per))
}

// messageView is the API's message: the message plus where its pieces are.
type messageView struct {
	*Message
	RawURL        string           `json:"raw_url"`
	TranscriptURL string           `json:"transcript_url,omitempty"`
	Attachments   []attachmentView `json:"attachments"`
}

type attachmentView struct {
	*Part
	URL string `json:"url"`
}

func partURL(id, partPath string) string {
	return "/api/v1/messages/" + id + "/parts/" + partPath
}

func (in *Inbox) message(w http.ResponseWriter, r *http.Request, asJSON bool) (*Message, bool) {
	s, err := in.ix.get(r.PathValue("id"))
	if err == nil {
		var m *Message
		if m, err = readMessage(s); err == nil {
			return m, true
		}
	}
	in.notFound(w, err, asJSON)
	return nil, false
}

func (in *Inbox) notFound(w http.ResponseWriter, err error, asJSON bool) {
	status := http.StatusNotFound
	msg := "no such message"
	if !errors.Is(err, ErrNotFound) && !errors.Is(err, os.ErrNotExist) {
		in.logf("%v", err)
		status, msg = http.StatusInternalServerError, "cannot read the message"
	}
	if asJSON {
		jsonError(w, status, msg)
	} else {
		http.Error(w, msg, status)
	}
}

func (in *Inbox) apiMessage(w http.ResponseWriter, r *http.Request) {
	m, ok := in.message(w, r, true)
	if !ok {
		return
	}
	v := messageView{Message: m, RawURL: "/api/v1/messages/" + m.ID + "/raw", Attachments: []attachmentView{}}
	if m.Session != "" {
		v.TranscriptURL = "/api/v1/messages/" + m.ID + "/transcript"
	}
	for _, p := range m.Attach {
		v.Attachments = append(v.Attachments, attachmentView{p, partURL(m.ID, p.Path)})
	}
	writeJSON(w, http.StatusOK, v)
}

func (in *Inbox) apiRaw(w http.ResponseWriter, r *http.Request) {
	s, err := in.ix.get(r.PathValue("id"))
	if err != nil {
		in.notFound(w, err, true)
		return
	}
	f, err := os.Open(s.path)
	if err != nil {
		in.notFound(w, err, true)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if r.URL.Query().Get("download") != "" {
		h.Set("Content-Type", "message/rfc822")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": s.ID + ".eml"}))
	} else {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	info, _ := f.Stat()
	http.ServeContent(w, r, "", info.ModTime(), f)
}

var partPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,4}(\.[0-9]{1,4}){0,20}$`) }) // compiled on first use: postie send never needs it

func (in *Inbox) apiPart(w http.ResponseWriter, r *http.Request) {
	s, err := in.ix.get(r.PathValue("id"))
	want := r.PathValue("part")
	if err != nil || !partPath().MatchString(want) {
		in.notFound(w, ErrNotFound, true)
		return
	}
	in.servePart(w, s, func(p *Part) bool { return p.Path == want }, false)
}

// inlinePart serves a cid: reference of the HTML part (RFC 2392): an
// image type the browser can show, anything else as a download.
func (in *Inbox) inlinePart(w http.ResponseWriter, r *http.Request) {
	s, err := in.ix.get(r.PathValue("id"))
	if err != nil {
		in.notFound(w, err, false)
		return
	}
	cid := r.PathValue("cid")
	alt, _ := url.PathUnescape(cid)
	in.servePart(w, s, func(p *Part) bool { return p.ContentID != "" && (p.ContentID == cid || p.ContentID == alt) }, true)
}

// inlineTypes are the images served for display; every other part is a
// download (application/octet-stream), so a text/html or image/svg+xml
// attachment never runs in the inbox's origin.
var inlineTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true, "image/avif": true}

func (in *Inbox) servePart(w http.ResponseWriter, s Summary, match func(*Part) bool, inline bool) {
	p, err := openPart(s.path, match, func(p *Part) io.Writer {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		if inline && inlineTypes[p.Type] {
			h.Set("Content-Type", p.Type)
		} else {
			h.Set("Content-Type", "application/octet-stream")
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(p)}))
		}
		w.WriteHeader(http.StatusOK)
		return w
	})
	if p == nil {
		if err != nil {
			in.logf("message %s: %v", s.ID, err)
		}
		http.Error(w, "no such part", http.StatusNotFound)
	}
}

// downloadName is a part's file name as a bare name: whatever path it
// pretends to have ("../../etc/passwd", "C:\x\y") is dropped.
func downloadName(p *Part) string {
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ReplaceAll(p.Filename, `\`, "/"))
	name = path.Base(name)
	if name == "." || name == ".." || name == "/" || name == "" {
		name = "part-" + p.Path
		if exts, _ := mime.ExtensionsByType(p.Type); len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

// langOf is the language a request asks for: ?lang=zh|en, else its
// Accept-Language.
func langOf(r *http.Request) i18n.Lang {
	switch r.URL.Query().Get("lang") {
	case "zh":
		return i18n.ZH
	case "en":
		return i18n.EN
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

func (in *Inbox) apiTranscript(w http.ResponseWriter, r *http.Request) {
	s, err := in.ix.get(r.PathValue("id"))
	if err != nil {
		in.notFound(w, err, true)
		return
	}
	t, err := in.transcriptOf(s, langOf(r))
	if err != nil {
		jsonError(w, http.StatusNotFound, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (in *Inbox) apiDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := in.delete(id); err != nil {
		in.notFound(w, err, true)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": 1})
}

func (in *Inbox) apiDeleteAll(w http.ResponseWriter, r *http.Request) {
	n, err := in.deleteAll()
	if err != nil {
		in.logf("delete all: %v", err)
		jsonError(w, http.StatusInternalServerError, "some messages could not be deleted")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": n})
}

func (in *Inbox) delete(id string) error {
	if err := in.ix.remove(id); err != nil {
		return err
	}
	in.hub.publish("delete", map[string]string{"id": id})
	return nil
}

func (in *Inbox) deleteAll() (int, error) {
	n, err := in.ix.removeAll(in.sessionDir())
	in.hub.publish("delete", map[string]any{"all": true})
	return n, err
}
