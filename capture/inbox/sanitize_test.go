package inbox

import (
	"regexp"
	"strings"
	"testing"
)

// The hostile message's HTML: nothing that runs, nothing that loads from
// elsewhere, survives sanitising; the body document carries a CSP that
// forbids both anyway, and the page frames it in a sandbox.
func TestHostileHTMLIsDefused(t *testing.T) {
	b := newBox(t)
	id := b.deliver(hostileMessage())
	r := b.get("/m/" + id + "/body")
	if r.status != 200 {
		t.Fatalf("body: %d", r.status)
	}
	// What came from the message: the wrapper's own <meta charset> and
	// <base target> are not the message's.
	body := strings.ToLower(r.body[strings.Index(r.body, "<body>"):])
	for _, bad := range []string{"<script", "onerror", "onload", "javascript:", "127.0.0.1:9", "<meta", "http-equiv", "<base", "<iframe",
		"<form", "<object", "srcdoc", "pwned", "url(", "@import", "<svg"} {
		if strings.Contains(body, bad) {
			t.Errorf("the sanitised HTML still has %q:\n%s", bad, r.body)
		}
	}
	for _, good := range []string{`<p id="hello">hostile message</p>`, `href="http://example.test/ok"`, `noreferrer`, `target="_blank"`, "color: red"} {
		if !strings.Contains(r.body, good) {
			t.Errorf("the sanitised HTML lost %q:\n%s", good, r.body)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "img-src 'self' data:", "sandbox allow-same-origin allow-popups"} {
		if !strings.Contains(csp, want) {
			t.Errorf("body CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(csp, "allow-scripts") || strings.Contains(csp, "http:") {
		t.Errorf("body CSP allows scripts or remote loads: %q", csp)
	}
	page := b.get("/m/" + id)
	frame := regexp.MustCompile(`<iframe id="body-frame" src="/m/[^"]+/body" sandbox="([^"]*)"`).FindStringSubmatch(page.body)
	if frame == nil || strings.Contains(frame[1], "allow-scripts") {
		t.Fatalf("the HTML part is not in a sandboxed iframe without scripts: %v", frame)
	}
	if !strings.Contains(page.body, "2 remote images were left out") {
		t.Errorf("the page does not say remote images were left out")
	}
	// The API gives the sanitised HTML too, never the original.
	var m struct{ HTML string }
	b.getJSON("/api/v1/messages/"+id, &m)
	if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "onerror") {
		t.Fatalf("API html: %s", m.HTML)
	}
}

// HTML in a subject, a sender's name, a file name or a header is shown as
// text on every page, never as markup.
func TestHTMLInHeadersIsEscaped(t *testing.T) {
	b := newBox(t)
	evil := `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	id := b.deliver("From: \"<b>bold</b>\" <a@x.test>\nTo: b@x.test\nSubject: " + evil + "\nX-Evil: " + evil +
		"\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n" + evil +
		"\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"<img src=x onerror=alert(3)>.bin\"\n\nx\n--b--\n")
	for _, path := range []string{"/", "/rows", "/m/" + id, "/?q=%3Cscript%3E"} {
		r := b.get(path)
		if r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") || strings.Contains(r.body, "<b>bold") {
			t.Errorf("%s shows markup from the message:\n%s", path, r.body)
		}
		if !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the subject as text", path)
		}
	}
}

// Terminal controls and bidi overrides from a message are shown as
// visible escapes, so a subject cannot reorder what the reader sees.
func TestControlsInHeadersAreVisible(t *testing.T) {
	b := newBox(t)
	id := b.deliver(plainMessage("a@x.test", "b@x.test", "invoice \u202egpj.exe\x1b[31m", "x"))
	r := b.get("/m/" + id)
	if strings.Contains(r.body, "\u202e") || strings.Contains(r.body, "\x1b") || !strings.Contains(r.body, `invoice \u202egpj.exe\x1b[31m`) {
		t.Fatalf("controls shown raw")
	}
}
