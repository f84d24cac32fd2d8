// Package browser_test drives Debian's chromium against postie serve's
// web inbox (issue 16): a message sent with postie send appears without a
// reload, its Chinese subject, its cid: image and its attachment are
// right, a transcript line expands, and a hostile message runs nothing.
package browser_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"image"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/postie/postie/internal/testbin"
)

// chromiumPath finds the browser; outside CI a missing one skips the test
// (saying so), under CI=true it fails: install.sh installs it.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (test/realmail/install.sh installs it)")
	}
	t.Skip("chromium is not installed: the browser tests of the web inbox do not run (apt-get install chromium)")
	return ""
}

// artifacts is where screenshots go: $POSTIE_ARTIFACTS, else test/browser/out
// (ignored by git).
func artifacts(t *testing.T) string {
	dir := os.Getenv("POSTIE_ARTIFACTS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// server is a running postie serve --web.
type server struct {
	smtp, web, ca, pw, dir string
}

func startServe(t *testing.T) *server {
	t.Helper()
	s := &server{dir: t.TempDir()}
	s.pw = filepath.Join(s.dir, "pw")
	os.WriteFile(s.pw, []byte("browser-pw\n"), 0o600)
	s.ca = filepath.Join(s.dir, "postie-ca.pem")
	cmd := exec.Command(testbin.Postie(t), "serve", "--self-signed", "--user", "demo", "--password-file", s.pw,
		"--listen", "127.0.0.1:0", "--web", "127.0.0.1:0", "--maildir", filepath.Join(s.dir, "Maildir"))
	cmd.Dir = s.dir
	out := &lockedBuf{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	re := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+) \(STARTTLS on\)[\s\S]*web inbox at (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			s.smtp, s.web = m[1], m[2]
			return s
		}
	}
	t.Fatalf("postie serve did not start:\n%s", out)
	return nil
}

// send runs the built postie send against the server.
func (s *server) send(t *testing.T, args ...string) {
	t.Helper()
	base := []string{"send", "--server", s.smtp, "--tls", "starttls", "--cacert", s.ca, "--user", "demo",
		"--password-file", s.pw, "--from", "张三 <zhang@x.test>", "--to", "bob@x.test"}
	cmd := exec.Command(testbin.Postie(t), append(base, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "POSTIE_CONFIG="+filepath.Join(s.dir, "absent.toml"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("postie send: %v\n%s", err, out)
	}
}

// sink counts every request: the hostile message points its remote loads
// here, so any request means the page phoned home.
type sink struct {
	addr string
	hits atomic.Int64
	mu   sync.Mutex
	what []string
}

func startSink(t *testing.T) *sink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{addr: ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		s.what = append(s.what, r.URL.Path)
		s.mu.Unlock()
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// console collects what every frame of the page logs or throws.
type console struct {
	mu    sync.Mutex
	lines []string
}

func (c *console) add(s string) { c.mu.Lock(); c.lines = append(c.lines, s); c.mu.Unlock() }
func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

func TestInboxInChromium(t *testing.T) {
	chrome := chromiumPath(t)
	srv := startServe(t)
	remote := startSink(t)
	shots := artifacts(t)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1200, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // start the browser without a deadline
		t.Fatal(err)
	}
	ctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
	defer cancelT()

	// Every console message and uncaught exception of every frame.
	cons := &console{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			cons.add(m.String())
		}
	}()
	must(t, cons, chromedp.Do(ctx, chromedp.Navigate(srv.web), chromedp.WaitVisible(chromedp.CSS("#live"))))
	// The harness itself sees a console message and a window flag.
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`console.log("harness-check"); window.__noReload = true; true`))
	must(t, cons, err)
	waitFor(t, func() bool { return ok && strings.Contains(cons.String(), "harness-check") }, "the console listener")

	// A message sent by postie send appears without a reload.
	data := make([]byte, 70_000)
	rand.Read(data)
	os.WriteFile(filepath.Join(srv.dir, "logo.png"), pngBytes(), 0o600)
	os.WriteFile(filepath.Join(srv.dir, "数据.bin"), data, 0o600)
	subject := "我爱计算机网络！ browser"
	srv.send(t, "--auth", "login", "--subject", subject, "--text", "hello", "--html", `<p>inline:</p><img id="logo" src="cid:logo.png">`,
		"--inline", "logo.png", "--attach", "数据.bin")
	row := chromedp.Search(`//td[@class="subject"]/a[contains(., "我爱计算机网络")]`)
	must(t, cons, chromedp.Do(ctx, chromedp.WaitVisible(row)))
	noReload, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	must(t, cons, err)
	if !noReload {
		t.Fatal("the page reloaded to show the new message")
	}
	shot(t, ctx, filepath.Join(shots, "inbox-list.png"))

	// Open it: the Chinese subject, the image from cid:, the attachment.
	must(t, cons, chromedp.Do(ctx, chromedp.Click(row), chromedp.WaitVisible(chromedp.CSS("#subject"))))
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#subject")))
	must(t, cons, err)
	if shown != subject {
		t.Fatalf("subject shown %q, want %q", shown, subject)
	}
	width, err := chromedp.Run(ctx, chromedp.Poll[int](`(() => { const f = document.getElementById("body-frame");
		const i = f && f.contentDocument && f.contentDocument.getElementById("logo");
		return i && i.complete && i.naturalWidth; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	must(t, cons, err)
	if width != 2 {
		t.Fatalf("the cid: image did not load (naturalWidth %d)", width)
	}
	downloads := t.TempDir()
	done := make(chan string, 1)
	must(t, cons, chromedp.ListenBrowser(ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	}))
	yes := true
	_, err = chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &yes})
	must(t, cons, err)
	must(t, cons, chromedp.Do(ctx, chromedp.Click(chromedp.Search(`//ul[@class="attachments"]//a[contains(., "数据.bin")]`))))
	select {
	case guid := <-done:
		got, err := os.ReadFile(filepath.Join(downloads, guid))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("the downloaded attachment differs (%d octets, %v)", len(got), err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the attachment download did not complete")
	}

	// Expand a transcript line: its explanation appears.
	line := chromedp.Search(`//ol[@class="transcript"]//summary[contains(., "334 VXNlcm5hbWU6")]`)
	must(t, cons, chromedp.Do(ctx, chromedp.ScrollIntoView(line), chromedp.Click(line)))
	open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`[...document.querySelectorAll("ol.transcript details")].find(d => d.textContent.includes("334 VXNlcm5hbWU6")).open`))
	must(t, cons, err)
	explanation, err := chromedp.Run(ctx, chromedp.Text(chromedp.Search(`//ol[@class="transcript"]//details[contains(., "334 VXNlcm5hbWU6")]/p[@class="explain"]`)))
	must(t, cons, err)
	if !open || !strings.Contains(explanation, "Username:") {
		t.Fatalf("the transcript line did not expand: open=%v %q", open, explanation)
	}
	shot(t, ctx, filepath.Join(shots, "inbox-message.png"))

	// A hostile message runs no script and loads nothing from elsewhere.
	hostile := filepath.Join(srv.dir, "hostile.html")
	os.WriteFile(hostile, []byte(strings.ReplaceAll(hostileHTML, "REMOTE", remote.addr)), 0o600)
	srv.send(t, "--subject", "hostile", "--text", "see the HTML", "--html-file", hostile)
	must(t, cons, chromedp.Do(ctx, chromedp.Navigate(srv.web),
		chromedp.Click(chromedp.Search(`//td[@class="subject"]/a[contains(., "hostile")]`)),
		chromedp.WaitVisible(chromedp.CSS("#body-frame"))))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const d = document.getElementById("body-frame").contentDocument;
		return d !== null && d.readyState === "complete" && d.getElementById("hello") !== null; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	must(t, cons, err)
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`JSON.stringify([window.pwned, document.getElementById("body-frame").contentWindow.pwned])`))
	must(t, cons, err)
	if pwned != "[null,null]" {
		t.Fatalf("a script of the message ran: window.pwned = %s\nconsole:\n%s", pwned, cons)
	}
	if strings.Contains(cons.String(), "PWNED") {
		t.Fatalf("a script of the message logged to the console:\n%s", cons)
	}
	if n := remote.hits.Load(); n != 0 {
		t.Fatalf("the page made %d requests to the sender's server: %v", n, remote.what)
	}
	shot(t, ctx, filepath.Join(shots, "inbox-hostile.png"))
}

func must(t *testing.T, cons *console, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%v\nconsole:\n%s", err, cons)
	}
}

const hostileHTML = `<meta http-equiv="refresh" content="0;url=http://REMOTE/refresh">
<base href="http://REMOTE/">
<style>body { background: url(http://REMOTE/css-bg) }</style>
<script>window.top.pwned = 1; window.pwned = 1; console.log("PWNED-script")</script>
<script src="http://REMOTE/remote.js"></script>
<p id="hello">hostile message</p>
<img src="x" onerror="window.top.pwned = 2; console.log('PWNED-onerror')">
<img src="http://REMOTE/pixel.gif" width="1" height="1">
<a id="js" href="javascript:window.top.pwned=3">click me</a>
<iframe src="http://REMOTE/frame"></iframe>
<svg onload="window.top.pwned=5; console.log('PWNED-svg')"></svg>
<div style="background-image: url(http://REMOTE/div-bg)">styled</div>
<video src="http://REMOTE/v.mp4" autoplay></video>
<link rel="stylesheet" href="http://REMOTE/style.css">
`

func shot(t *testing.T, ctx context.Context, path string) {
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func waitFor(t *testing.T, cond func() bool, what string) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not seen in 10s", what)
}

// pngBytes is a 2x2 PNG.
func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
