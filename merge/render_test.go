package merge_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/merge"
	"github.com/postie/postie/smtp"
)

// TestTwentyRows: 20 rows give 20 messages, each to its own address
// only, carrying its own values and no other row's, with 20 distinct
// Message-IDs.
func TestTwentyRows(t *testing.T) {
	var data strings.Builder
	data.WriteString("email,name,grade,secret\n")
	for i := range 20 {
		fmt.Fprintf(&data, "s%02d@class.test,学生%02d Student,%d,secret-%02d-token\n", i, i, 60+i, i)
	}
	tmpl := "To: {{.name}} <{{.email}}>\nSubject: 成绩 {{.name}}: {{.grade}}\nX-Student: {{.secret}}\n\n{{.name}}，你的成绩是 {{.grade}}。\n{{.secret}}\n"
	c := mustOpen(t, tmpl, "d.csv", data.String(), merge.Options{})
	out, items, probs := render(t, c)
	if len(probs) > 0 || len(items) != 20 {
		t.Fatalf("%d items, problems %q", len(items), probs)
	}
	ids := map[string]bool{}
	for i, it := range items {
		row := i + 2
		me := fmt.Sprintf("%02d", i)
		if it.Row != row || it.To.Addr != "s"+me+"@class.test" || it.Key != c.Name+"/"+fmt.Sprint(row) || it.From != "teacher@school.test" {
			t.Fatalf("item %d: %+v", i, it)
		}
		m, err := mailcheck.Parse(out[row])
		if err != nil {
			t.Fatal(err)
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != it.To.Addr || to[0].Name != "学生"+me+" Student" {
			t.Errorf("row %d: To %v %v", row, to, err)
		}
		for _, h := range []string{"Cc", "Bcc"} {
			if m.Header.Get(h) != "" {
				t.Errorf("row %d has %s", row, h)
			}
		}
		if want := fmt.Sprintf("成绩 学生%s Student: %d", me, 60+i); m.Subject != want {
			t.Errorf("row %d: subject %q, want %q", row, m.Subject, want)
		}
		text := m.Text("plain")
		if !strings.Contains(text, fmt.Sprintf("你的成绩是 %d。", 60+i)) || !strings.Contains(text, "secret-"+me+"-token") {
			t.Errorf("row %d: text %q", row, text)
		}
		// No other row's value, raw or decoded.
		decoded := string(out[row]) + m.Subject + text
		for j := range 20 {
			if j == i {
				continue
			}
			other := fmt.Sprintf("%02d", j)
			for _, v := range []string{"s" + other + "@class.test", "secret-" + other + "-token", "学生" + other} {
				if strings.Contains(decoded, v) {
					t.Errorf("row %d's message holds row %d's %q", row, j+2, v)
				}
			}
		}
		if ids[it.MessageID] || m.Header.Get("Message-Id") != it.MessageID {
			t.Errorf("row %d: Message-ID %q repeated or not written", row, it.MessageID)
		}
		ids[it.MessageID] = true
	}
}

// TestRenderIsDeterministic: the same campaign, data and row give the
// same bytes on every run (a re-render after a crash is what the outbox
// spooled); Date is the campaign's; another campaign name gives other
// Message-IDs.
func TestRenderIsDeterministic(t *testing.T) {
	dir := files(t, map[string]string{
		"t.eml":  "Subject: hi {{.name}}\nX-Postie-Attach: {{.f}}\n\nhello {{.name}}\n",
		"t.html": "<p>hello {{.name}}</p><img src=\"cid:a.png\">",
		"d.csv":  "email,name,f\na@x.test,Ann,r.pdf\nb@x.test,Bob,r.pdf\n",
		"r.pdf":  "%PDF-1.4 report",
		"a.png":  "\x89PNG\r\n\x1a\n",
	})
	o := merge.Options{Template: filepath.Join(dir, "t.eml"), HTMLTemplate: filepath.Join(dir, "t.html"), Data: filepath.Join(dir, "d.csv"),
		Inline: []string{filepath.Join(dir, "a.png")}, From: testFrom, Date: testDate}
	runs := make([]map[int][]byte, 2)
	for i := range runs {
		c, err := merge.Open(o)
		if err != nil {
			t.Fatal(err)
		}
		runs[i], _, _ = render(t, c)
	}
	for row, b := range runs[0] {
		if !bytes.Equal(b, runs[1][row]) {
			t.Errorf("row %d differs between runs", row)
		}
		if !bytes.HasPrefix(b, []byte("Date: Tue, 30 Jun 2026 09:00:00 +0800\r\n")) {
			t.Errorf("row %d: %q", row, b[:60])
		}
	}
	if bytes.Equal(runs[0][2], runs[0][3]) {
		t.Fatal("rows 2 and 3 are the same")
	}
	o.Name = "other-campaign"
	c, err := merge.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	_, items, _ := render(t, c)
	m, _ := mailcheck.Parse(runs[0][2])
	if items[0].MessageID == m.Header.Get("Message-Id") {
		t.Error("two campaigns share a Message-ID")
	}
	// The Item writes the same bytes however often it is written.
	var a, b bytes.Buffer
	items[0].WriteTo(&a)
	items[0].WriteTo(&b)
	n, err := items[0].Size()
	if !bytes.Equal(a.Bytes(), b.Bytes()) || err != nil || n != int64(a.Len()) {
		t.Errorf("WriteTo twice: equal %v, Size %d of %d (%v)", bytes.Equal(a.Bytes(), b.Bytes()), n, a.Len(), err)
	}
	// Body, opened twice (a retry), streams the same bytes.
	body := items[0].Body()
	for range 2 {
		rc, err := body()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, a.Bytes()) {
			t.Errorf("Body: %v, same bytes %v", err, bytes.Equal(got, a.Bytes()))
		}
	}
}

// TestInjectionOnTheWire sends the rendered rows to an SMTP server
// (postie's capture server, on go-smtp) and looks at what it stored:
// values crafted to add a header, a recipient or a second message
// changed nothing but their own text.
func TestInjectionOnTheWire(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var stored []capture.Stored
	srv, err := capture.New(capture.Config{Maildir: filepath.Join(dir, "Maildir"), OnMessage: func(s capture.Stored) {
		mu.Lock()
		stored = append(stored, s)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	smuggle := "ok\r\n.\r\nMAIL FROM:<e@evil.test>\r\nRCPT TO:<victim@evil.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nowned\r\n.\r\n"
	rows := []string{
		`{"email":"ann@x.test","name":"Ann","subject":"Bob\r\nBcc: all@evil.test","body":"a"}`,    // refused: header injection
		`{"email":"bob@x.test","name":"Bob","subject":"plain","body":` + jsonQuote(smuggle) + `}`, // sent, the text intact
		`{"email":"cat@x.test","name":"Eve <eve@evil.test>, ","subject":"s","body":"b"}`,          // sent: a name, not an address
		`{"email":"dan@x.test","name":"Dan","subject":"s","body":"\n.\nQUIT\n"}`,                  // bare LF dot line
		`{"email":"eve@x.test\r\nRCPT TO:<x@evil.test>","name":"E","subject":"s","body":"c"}`,     // refused: not an address
	}
	c := mustOpen(t, "To: {{.name}} <{{.email}}>\nSubject: {{.subject}}\n\n{{.body}}\n", "d.jsonl", strings.Join(rows, "\n")+"\n", merge.Options{})
	out, items, probs := render(t, c)
	wantProbs := []string{
		`row 1, column "subject": Subject: contains "\r", which could add a header field`,
		`row 5, column "email": "eve@x.test\r\nRCPT TO:<x@evil.test>" is not an email address`,
	}
	if strings.Join(probs, "\n") != strings.Join(wantProbs, "\n") {
		t.Fatalf("problems %q", probs)
	}
	ctx := context.Background()
	cl, err := smtp.Dial(ctx, ln.Addr().String(), &smtp.Options{TLS: smtp.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	var jobs []smtp.Job
	for _, it := range items {
		jobs = append(jobs, smtp.Job{Env: &smtp.Envelope{From: it.From, To: []string{it.To.Addr}}, Body: smtp.BytesBody(out[it.Row])})
	}
	_, errs := cl.SendAll(ctx, jobs)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
	}
	cl.Quit(ctx)
	mu.Lock()
	defer mu.Unlock()
	if len(stored) != len(items) {
		t.Fatalf("server stored %d messages, want %d", len(stored), len(items))
	}
	for i, s := range stored {
		it := items[i]
		if s.From != "teacher@school.test" || len(s.Recipients) != 1 || s.Recipients[0] != it.To.Addr {
			t.Errorf("message %d: from %q to %q", i, s.From, s.Recipients)
		}
		raw, err := os.ReadFile(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		// The server prepends Return-Path and Received; the rest is
		// exactly the rendered message, which starts with its Date.
		i := bytes.Index(raw, []byte("\r\nDate: Tue, 30 Jun 2026 09:00:00 +0800\r\n"))
		if i < 0 {
			t.Fatalf("stored message %q", raw)
		}
		rest := raw[i+2:]
		if !bytes.Equal(rest, out[it.Row]) {
			t.Errorf("row %d: the server got other bytes than rendered:\n%q\n%q", it.Row, rest, out[it.Row])
		}
		m, err := mailcheck.Parse(rest)
		if err != nil {
			t.Fatal(err)
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != it.To.Addr {
			t.Errorf("row %d: To %v %v", it.Row, to, err)
		}
		if it.Row == 2 && !strings.Contains(m.Text("plain"), "MAIL FROM:<e@evil.test>") {
			t.Errorf("row 2: the value's text is gone: %q", m.Text("plain"))
		}
		if it.Row == 3 && to[0].Name != "Eve <eve@evil.test>," {
			t.Errorf("row 3: name %q", to[0].Name)
		}
	}
}

func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestToRule: a template To may only put a name on the row's address.
func TestToRule(t *testing.T) {
	for _, tc := range []struct{ to, name, email, wantName string }{
		{"{{.email}}", "x", "bob@x.test", ""},
		{"{{.name}} <{{.email}}>", "Smith, John", "bob@x.test", "Smith, John"},
		{`"{{.name}}" <{{.email}}>`, "O'Brien", "bob@x.test", "O'Brien"},
		{"{{.name}} <{{.email}}>", `Say "hi"`, "bob@x.test", `Say "hi"`},
		{"{{.name}} <{{.email}}>", "张三", "bob@x.test", "张三"},
		{"Bob <bob@X.TEST>", "", "bob@x.test", "Bob"},
	} {
		c := mustOpen(t, "To: "+tc.to+"\nSubject: x\n\nhi\n", "d.jsonl", fmt.Sprintf(`{"email":%q,"name":%q}`, tc.email, tc.name)+"\n", merge.Options{})
		out, items, probs := render(t, c)
		if len(items) != 1 {
			t.Errorf("To %q name %q: %q", tc.to, tc.name, probs)
			continue
		}
		m, _ := mail.ReadMessage(bytes.NewReader(out[1]))
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != tc.email || to[0].Name != tc.wantName {
			t.Errorf("To %q name %q: got %v %v", tc.to, tc.name, to, err)
		}
	}
}

// TestHTMLValuesEscaped: html/template escapes row values by context;
// the text part keeps them as they are.
func TestHTMLValuesEscaped(t *testing.T) {
	dir := files(t, map[string]string{
		"t.eml":  "Subject: x\n\nHi {{.name}}\n",
		"t.html": `<p title="{{.name}}">Hi {{.name}}</p><a href="{{.url}}">link</a>`,
		"d.csv":  "email,name,url\na@x.test,\"<script>alert(\"\"x\"\")</script> & Co\",javascript:alert(1)\n",
	})
	c, err := merge.Open(merge.Options{Template: filepath.Join(dir, "t.eml"), HTMLTemplate: filepath.Join(dir, "t.html"), Data: filepath.Join(dir, "d.csv"), From: testFrom, Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	out, _, probs := render(t, c)
	m, err := mailcheck.Parse(out[2])
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	html := m.Text("html")
	want := `<p title="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co">Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co</p><a href="#ZgotmplZ">link</a>`
	if html != want+"\r\n" {
		t.Errorf("html\n got  %q\n want %q", html, want)
	}
	if !strings.Contains(m.Text("plain"), `Hi <script>alert("x")</script> & Co`) {
		t.Errorf("text %q", m.Text("plain"))
	}
}

// TestAttachments: per row from a column (relative to the data file's
// directory), several per row, none when the value is empty; for every
// row from the options; inline images for the HTML.
func TestAttachments(t *testing.T) {
	dir := files(t, map[string]string{
		"t.eml":                 "Subject: x\nX-Postie-Attach: {{.report}}\nX-Postie-Attach: extra/{{.id}}.txt\nX-Postie-Inline: {{.photo}}\n\nhi\n",
		"t.html":                `<img src="cid:{{.photo}}">`,
		"data/d.csv":            "email,id,report,photo\na@x.test,1,reports/报告-1.pdf,p1.png\nb@x.test,2,,p2.png\n",
		"data/reports/报告-1.pdf": "%PDF report one",
		"data/extra/1.txt":      "extra one",
		"data/extra/2.txt":      "extra two",
		"data/p1.png":           "\x89PNG one",
		"data/p2.png":           "\x89PNG two",
		"rules.txt":             "the rules",
	})
	c, err := merge.Open(merge.Options{Template: filepath.Join(dir, "t.eml"), HTMLTemplate: filepath.Join(dir, "t.html"), Data: filepath.Join(dir, "data/d.csv"),
		Attach: []string{filepath.Join(dir, "rules.txt")}, From: testFrom, Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	out, items, probs := render(t, c)
	if len(items) != 2 || len(probs) > 0 {
		t.Fatal(probs)
	}
	for row, want := range map[int][]string{
		// In MIME order: the HTML's inline image (multipart/related),
		// then the row's files, then those for every row.
		2: {"p1.png=\x89PNG one inline", "报告-1.pdf=%PDF report one", "1.txt=extra one", "rules.txt=the rules"},
		3: {"p2.png=\x89PNG two inline", "2.txt=extra two", "rules.txt=the rules"},
	} {
		m, err := mailcheck.Parse(out[row])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range m.Parts {
			if p.Filename != "" {
				s := p.Filename + "=" + string(p.Body)
				if p.Inline {
					s += " inline"
				}
				got = append(got, s)
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("row %d: attachments %q, want %q", row, got, want)
		}
		if strings.Contains(string(out[row]), "X-Postie") {
			t.Errorf("row %d: an X-Postie field reached the message", row)
		}
	}
}

// TestDryRun writes one .eml per good row, 0600 in a 0700 directory,
// after removing an earlier run's files.
func TestDryRun(t *testing.T) {
	c := mustOpen(t, simpleTemplate, "d.csv", "email,name\na@x.test,Ann\nbad@,Bob\nc@x.test,Cat\n", merge.Options{})
	dir := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "row-0003.eml"), []byte("stale"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600)
	rep, err := c.DryRun(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 3 || rep.Good != 2 || len(rep.Problems) != 1 || rep.Err() == nil {
		t.Fatalf("report %+v", rep)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "notes.txt row-0002.eml row-0004.eml" {
		t.Fatalf("files %v", names)
	}
	want, _, _ := render(t, c)
	for row, name := range map[int]string{2: "row-0002.eml", 4: "row-0004.eml"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		st, _ := os.Stat(filepath.Join(dir, name))
		if !bytes.Equal(b, want[row]) || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, same bytes as sent: %v", name, st.Mode().Perm(), bytes.Equal(b, want[row]))
		}
	}
	fresh := filepath.Join(t.TempDir(), "new", "dir")
	if _, err := c.DryRun(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(fresh); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", st.Mode().Perm())
	}
}

// TestResume: a stored fingerprint from the campaign's start is matched,
// and a change of template, data or settings is refused, naming it.
func TestResume(t *testing.T) {
	dir := files(t, map[string]string{"t.eml": simpleTemplate, "d.csv": "email,name\na@x.test,Ann\n"})
	o := merge.Options{Template: filepath.Join(dir, "t.eml"), Data: filepath.Join(dir, "d.csv"), From: testFrom}
	first, err := merge.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if first.Name != "t+d" || !strings.HasPrefix(first.Fingerprint, "m1.") {
		t.Fatalf("name %q fingerprint %q", first.Name, first.Fingerprint)
	}
	again, _ := merge.Open(o)
	if err := again.Resume(first.Fingerprint); err != nil {
		t.Fatalf("same campaign: %v", err)
	}
	change := func(what string, edit func()) {
		t.Helper()
		edit()
		c, err := merge.Open(o)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Resume(first.Fingerprint)
		want := `campaign "t+d" was started with a different ` + what + `; rows already sent used the old one, so it cannot go on with this one (give the merge a new campaign name to start over)`
		if err == nil || err.Error() != want {
			t.Errorf("%s changed: %v", what, err)
		}
	}
	change("data", func() { os.WriteFile(o.Data, []byte("email,name\na@x.test,Anne\n"), 0o644) })
	change("template and data", func() { os.WriteFile(o.Template, []byte(simpleTemplate+"P.S.\n"), 0o644) })
	os.WriteFile(o.Data, []byte("email,name\na@x.test,Ann\n"), 0o644)
	change("template", func() {})
	os.WriteFile(o.Template, []byte(simpleTemplate), 0o644)
	change("settings", func() { o.AllowDuplicates = true })
	o.AllowDuplicates = false
	change("settings", func() { o.ToColumn = "name" })
	o.ToColumn = ""
	change("settings", func() { o.From.Addr = "other@school.test" })
	o.From = testFrom
	// With a From in the template, the sender option does not count.
	os.WriteFile(o.Template, []byte("From: t@school.test\n"+simpleTemplate), 0o644)
	withFrom, _ := merge.Open(o)
	o.From.Addr = "other@school.test"
	if again, _ := merge.Open(o); again.Resume(withFrom.Fingerprint) != nil {
		t.Error("an unused sender option changed the fingerprint")
	}
}

// TestDataChangedDuringAPass: the data file is hashed again as it is
// read; a file changed since Open is an error at its end.
func TestDataChangedDuringAPass(t *testing.T) {
	c := mustOpen(t, simpleTemplate, "d.csv", "email,name\na@x.test,Ann\n", merge.Options{})
	rep, _ := c.Check(context.Background())
	os.WriteFile(filepath.Join(filepath.Dir(rep.File), "d.csv"), []byte("email,name\na@x.test,Eve\n"), 0o644)
	_, err := c.Check(context.Background())
	if err == nil || !strings.HasSuffix(err.Error(), "d.csv: changed while the merge was reading it; run the merge again") {
		t.Fatalf("err %v", err)
	}
}

// TestCancel: a cancelled context stops the pass.
func TestCancel(t *testing.T) {
	c := mustOpen(t, simpleTemplate, "d.csv", "email,name\na@x.test,Ann\n", merge.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Check(ctx); err != context.Canceled {
		t.Fatalf("err %v", err)
	}
}

func TestDeriveName(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"grades.eml", "students.csv"}:              "grades+students",
		{"/a/b/期末 成绩.eml", "../班级/学生名单.csv"}:        "期末-成绩+学生名单",
		{"t", ".hidden.csv"}:                        "t+hidden",
		{"x.eml", strings.Repeat("长", 60) + ".csv"}: "x+" + strings.Repeat("长", 32),
	} {
		got := merge.DeriveName(in[0], in[1])
		if got != want || merge.ValidName(got) != nil {
			t.Errorf("DeriveName%q = %q (%v), want %q", in, got, merge.ValidName(got), want)
		}
	}
	if merge.ValidName(".x") == nil || merge.ValidName("a b") == nil || merge.ValidName("") == nil {
		t.Error("a bad name was accepted")
	}
}
