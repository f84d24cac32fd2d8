package inbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListNewestFirstSearchAndPages(t *testing.T) {
	b := newBox(t)
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, b.deliver(plainMessage("Alice <alice@x.test>", "bob@x.test", "number "+string(rune('0'+i)), "hi")))
	}
	rich := b.deliver(richMessage())
	var p Page
	b.getJSON("/api/v1/messages", &p)
	if p.Total != 6 || len(p.Messages) != 6 || p.Messages[0].ID != rich || p.Messages[5].ID != ids[0] {
		t.Fatalf("list: total %d, first %s, last %s", p.Total, p.Messages[0].ID, p.Messages[len(p.Messages)-1].ID)
	}
	r := p.Messages[0]
	if r.Subject != "我爱计算机网络 rich" || r.From != "张三 <zhang@x.test>" || strings.Join(r.To, ",") != "Bob <bob@x.test>,carol@x.test" ||
		r.Attachments != 4 || r.Date.UTC().Hour() != 2 || r.Size == 0 {
		t.Fatalf("summary: %+v", r)
	}
	for q, want := range map[string]int{"计算机": 1, "ALICE": 5, "number 3": 1, "dave@x.test": 1, "carol rich": 1, "nobody": 0, "": 6} {
		var got Page
		b.getJSON("/api/v1/messages?q="+urlq(q), &got)
		if got.Total != want {
			t.Errorf("search %q: %d, want %d", q, got.Total, want)
		}
	}
	var page2 Page
	b.getJSON("/api/v1/messages?per_page=4&page=2", &page2)
	if page2.Total != 6 || page2.Pages != 2 || len(page2.Messages) != 2 || page2.Messages[1].ID != ids[0] {
		t.Fatalf("page 2: %+v", page2)
	}
}

func urlq(s string) string { return strings.NewReplacer(" ", "+", "@", "%40").Replace(s) }

func TestMessageParts(t *testing.T) {
	b := newBox(t)
	id := b.deliver(richMessage())
	var m struct {
		Subject     string  `json:"subject"`
		Text        string  `json:"text"`
		HTML        string  `json:"html"`
		Header      []Field `json:"header"`
		Parts       []Part  `json:"parts"`
		RawURL      string  `json:"raw_url"`
		Attachments []struct {
			Path, Filename, Type, URL string
			Size                      int64
		} `json:"attachments"`
	}
	b.getJSON("/api/v1/messages/"+id, &m)
	if m.Text != "你好，这是纯文本。\nline two\n" {
		t.Errorf("text (GB2312, base64): %q", m.Text)
	}
	if !strings.Contains(m.HTML, "Hello <b>world</b> 你好") || !strings.Contains(m.HTML, `src="cid/logo@x.test"`) {
		t.Errorf("html: %q", m.HTML)
	}
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Filename)
	}
	if got := strings.Join(names, "|"); got != "报告.pdf|中文.txt|数据.bin|../../etc/passwd" {
		t.Errorf("attachment names: %s", got)
	}
	var tree []string
	for _, p := range m.Parts {
		tree = append(tree, p.Path+" "+p.Type)
	}
	want := " multipart/mixed|1 multipart/related|1.1 multipart/alternative|1.1.1 text/plain|1.1.2 text/html|1.2 image/png|2 application/pdf|3 text/plain|4 application/octet-stream|5 text/html"
	if got := strings.Join(tree, "|"); got != want {
		t.Errorf("MIME tree:\n%s\nwant\n%s", got, want)
	}
	if m.Header[0].Name != "From" || m.Header[0].Value != "张三 <zhang@x.test>" {
		t.Errorf("first header: %+v", m.Header[0])
	}
	// The binary attachment, byte for byte.
	r := b.get(m.Attachments[2].URL)
	if r.status != 200 || r.body != string(binaryAttachment) || r.header.Get("Content-Type") != "application/octet-stream" ||
		r.header.Get("Content-Disposition") != "attachment; filename*=utf-8''%E6%95%B0%E6%8D%AE.bin" {
		t.Fatalf("attachment: %d %q %q, %d bytes", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"), len(r.body))
	}
	// A name with ../ is a download with a bare name, and an HTML
	// attachment is never served as HTML.
	r = b.get(m.Attachments[3].URL)
	if r.header.Get("Content-Disposition") != `attachment; filename=passwd` || r.header.Get("Content-Type") != "application/octet-stream" ||
		!strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("../ attachment: %v", r.header)
	}
	// The raw file, byte for byte.
	files, _ := filepath.Glob(filepath.Join(b.maildir, "new", id))
	raw, _ := os.ReadFile(files[0])
	if r := b.get(m.RawURL); r.body != string(raw) {
		t.Fatalf("raw differs: %d vs %d bytes", len(r.body), len(raw))
	}
	if r := b.get(m.RawURL + "?download=1"); r.header.Get("Content-Disposition") != "attachment; filename="+id+".eml" {
		t.Fatalf("raw download: %v", r.header)
	}
	// The inline image, as an image, from the body document's relative URL.
	r = b.get("/m/" + id + "/cid/logo@x.test")
	if r.status != 200 || r.header.Get("Content-Type") != "image/png" || r.body != string(onePixelPNG) {
		t.Fatalf("cid image: %d %q", r.status, r.header.Get("Content-Type"))
	}
	for _, bad := range []string{"/api/v1/messages/" + id + "/parts/9", "/api/v1/messages/" + id + "/parts/1..2", "/api/v1/messages/nope/raw",
		"/api/v1/messages/..%2f..%2fetc/raw", "/m/" + id + "/cid/none@x", "/api/v1/messages/.hidden"} {
		if r := b.get(bad); r.status != 404 {
			t.Errorf("GET %s: %d, want 404", bad, r.status)
		}
	}
}

func TestDelete(t *testing.T) {
	b := newBox(t)
	ev := b.listen()
	one := b.deliver(plainMessage("a@x.test", "b@x.test", "one", "1"))
	if name, data := ev.next(t); name != "new" || !strings.Contains(data, one) {
		t.Fatalf("event %s %s", name, data)
	}
	two := b.deliver(plainMessage("a@x.test", "b@x.test", "two", "2"))
	ev.next(t)
	if r := b.do("DELETE", "/api/v1/messages/"+one); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if name, data := ev.next(t); name != "delete" || !strings.Contains(data, one) {
		t.Fatalf("event %s %s", name, data)
	}
	if r := b.get("/api/v1/messages/" + one); r.status != 404 {
		t.Fatalf("deleted message: %d", r.status)
	}
	if r := b.do("DELETE", "/api/v1/messages/"+one); r.status != 404 {
		t.Fatalf("deleting twice: %d", r.status)
	}
	b.deliver(plainMessage("a@x.test", "b@x.test", "three", "3"))
	ev.next(t)
	os.MkdirAll(filepath.Join(b.maildir, "postie-sessions"), 0o700)
	os.WriteFile(filepath.Join(b.maildir, "postie-sessions", "1.1.txt"), []byte("x"), 0o600)
	if r := b.do("DELETE", "/api/v1/messages"); r.status != 200 || !strings.Contains(r.body, `"deleted": 2`) {
		t.Fatalf("delete all: %d %s", r.status, r.body)
	}
	ev.next(t)
	left, _ := filepath.Glob(filepath.Join(b.maildir, "*", "*"))
	if len(left) != 0 {
		t.Fatalf("left after delete all: %v", left)
	}
	_ = two
}

// A page of another site cannot delete: net/http's CrossOriginProtection
// refuses cross-origin unsafe requests, and the forms are POST only.
func TestCrossOriginRefused(t *testing.T) {
	b := newBox(t)
	id := b.deliver(plainMessage("a@x.test", "b@x.test", "keep me", "1"))
	for _, r := range []response{
		b.do("DELETE", "/api/v1/messages/"+id, "Sec-Fetch-Site", "cross-site"),
		b.do("POST", "/delete-all", "Origin", "http://evil.example"),
		b.do("POST", "/m/"+id+"/delete", "Sec-Fetch-Site", "cross-site"),
	} {
		if r.status != 403 {
			t.Fatalf("cross-origin request: %d %s", r.status, r.body)
		}
	}
	if r := b.get("/m/" + id + "/delete"); r.status != 405 {
		t.Fatalf("GET on the delete form: %d", r.status)
	}
	var p Page
	b.getJSON("/api/v1/messages", &p)
	if p.Total != 1 {
		t.Fatalf("a cross-origin request deleted something: %d left", p.Total)
	}
	if r := b.do("POST", "/m/"+id+"/delete", "Sec-Fetch-Site", "same-origin"); r.status != 200 { // 303 followed to the list
		t.Fatalf("same-origin delete: %d", r.status)
	}
}

// On loopback, a request for another host name is refused (DNS
// rebinding), and every page carries its security headers.
func TestHostCheckAndHeaders(t *testing.T) {
	b := newBox(t)
	for host, want := range map[string]int{"evil.example": 421, "evil.example:80": 421, "10.0.0.1": 421, "localhost:8025": 200,
		"127.0.0.1": 200, "[::1]:8025": 200, "app.localhost": 200} {
		req, _ := newRequest("GET", b.srv.URL+"/", host)
		res, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, res.StatusCode, want)
		}
	}
	r := b.get("/")
	for k, v := range map[string]string{"Content-Security-Policy": pageCSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if r.header.Get(k) != v {
			t.Errorf("%s: %q", k, r.header.Get(k))
		}
	}
	if !strings.Contains(pageCSP, "script-src 'self'") || strings.Contains(pageCSP, "unsafe") {
		t.Errorf("page CSP allows inline script: %s", pageCSP)
	}
}

func TestTranscriptNotRecorded(t *testing.T) {
	b := newBox(t)
	id := b.deliver(plainMessage("a@x.test", "b@x.test", "no session", "1"))
	if r := b.get("/api/v1/messages/" + id + "/transcript"); r.status != 404 || !strings.Contains(r.body, "no session was recorded") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := b.get("/m/" + id); r.status != 200 || !strings.Contains(r.body, "No session transcript") {
		t.Fatalf("page: %d", r.status)
	}
}

var _ = bytes.Equal
