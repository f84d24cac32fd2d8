package inbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// box is an inbox over a fresh Maildir, served by httptest.
type box struct {
	t       testing.TB
	maildir string
	in      *Inbox
	srv     *httptest.Server
	seq     atomic.Int64
}

func newBox(t testing.TB) *box {
	t.Helper()
	b := &box{t: t, maildir: filepath.Join(t.TempDir(), "Maildir")}
	for _, d := range []string{"tmp", "new", "cur"} {
		os.MkdirAll(filepath.Join(b.maildir, d), 0o700)
	}
	b.start()
	return b
}

func (b *box) start() {
	in, err := New(Config{Maildir: b.maildir, Loopback: true})
	if err != nil {
		b.t.Fatal(err)
	}
	b.in = in
	b.srv = httptest.NewServer(in)
	b.t.Cleanup(func() { in.Close(); b.srv.Close() })
}

// deliver writes a message file as a deliverer would (tmp/ then new/),
// arriving at base + n seconds so the order is known; it returns the ID.
func (b *box) deliver(raw string) string {
	b.t.Helper()
	n := b.seq.Add(1)
	id := fmt.Sprintf("%d.P1Q%d.test", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n)*time.Second).UnixNano(), n)
	tmp := filepath.Join(b.maildir, "tmp", id)
	if err := os.WriteFile(tmp, []byte(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")), 0o600); err != nil {
		b.t.Fatal(err)
	}
	final := filepath.Join(b.maildir, "new", id)
	if err := os.Rename(tmp, final); err != nil {
		b.t.Fatal(err)
	}
	b.in.Notify(final)
	return id
}

func newRequest(method, url, host string) (*http.Request, error) {
	req, err := http.NewRequest(method, url, nil)
	if err == nil {
		req.Host = host
	}
	return req, err
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *box) do(method, path string, hdr ...string) response {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.srv.Client().Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(body)}
}

func (b *box) get(path string, hdr ...string) response { return b.do("GET", path, hdr...) }

// getJSON fetches path and decodes it into v, failing on a non-200.
func (b *box) getJSON(path string, v any, hdr ...string) {
	b.t.Helper()
	r := b.get(path, hdr...)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		b.t.Fatalf("GET %s: %d %s\n%s", path, r.status, r.header.Get("Content-Type"), r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		b.t.Fatalf("GET %s: %v\n%s", path, err, r.body)
	}
}

// sseReader reads events from /api/v1/events.
type sseReader struct {
	events chan [2]string // name, data
}

func (b *box) listen() *sseReader {
	b.t.Helper()
	res, err := b.srv.Client().Get(b.srv.URL + "/api/v1/events")
	if err != nil {
		b.t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		b.t.Fatalf("events: Content-Type %q", ct)
	}
	s := &sseReader{events: make(chan [2]string, 16)}
	go func() {
		defer res.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var name, data string
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "event: "):
				name = strings.TrimPrefix(l, "event: ")
			case strings.HasPrefix(l, "data: "):
				data = strings.TrimPrefix(l, "data: ")
			case l == "" && name != "":
				s.events <- [2]string{name, data}
				name, data = "", ""
			}
		}
	}()
	b.t.Cleanup(func() { res.Body.Close() })
	return s
}

func (s *sseReader) next(t testing.TB) (string, string) {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return e[0], e[1]
	case <-time.After(10 * time.Second):
		t.Fatal("no event in 10s")
	}
	return "", ""
}
