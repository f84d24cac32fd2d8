package merge_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"text/template"

	"github.com/postie/postie/merge"
)

// TestTemplateErrors: a template that cannot serve any row is refused
// when it is read, naming its line.
func TestTemplateErrors(t *testing.T) {
	const cc = "a merge sends each message to its row's address only; a copy to others would carry every row's data (run a second merge for them)"
	for _, tc := range []struct{ name, src, want string }{
		{"Cc", "Subject: x\nCc: boss@school.test\n\nhi\n", "t.eml line 2: Cc: not allowed in a merge template: " + cc},
		{"Bcc, any case", "Subject: x\nBCC: {{.boss}}\n\nhi\n", "t.eml line 2: BCC: not allowed in a merge template: " + cc},
		{"Date", "Date: Mon, 1 Jun 2026 10:00:00 +0800\n\nhi\n", "t.eml line 1: Date: not allowed in a merge template: postie sets it (the campaign's start, the same on every row)"},
		{"Message-ID", "Message-ID: <x@y>\n\nhi\n", "t.eml line 1: Message-ID: not allowed in a merge template: postie sets it (one per row, kept the same when a row is sent again)"},
		{"Content-Type", "Content-Type: text/html\n\n<p>hi\n", "t.eml line 1: Content-Type: not allowed in a merge template: postie writes the MIME structure (give an HTML template for an HTML body)"},
		{"MIME-Version", "MIME-Version: 1.0\n\nhi\n", "t.eml line 1: MIME-Version: not allowed in a merge template: postie sets it"},
		{"Received", "Received: from x by y\n\nhi\n", "t.eml line 1: Received: not allowed in a merge template: a trace field of a message already delivered; remove it"},
		{"ARC", "ARC-Seal: i=1\n\nhi\n", "t.eml line 1: ARC-Seal: a trace field of a message already delivered; remove it"},
		{"unknown X-Postie", "Subject: x\nX-Postie-Atach: a.pdf\n\nhi\n", "t.eml line 2: X-Postie-Atach: unknown; postie knows X-Postie-Attach and X-Postie-Inline"},
		{"twice", "Subject: a\nsubject: b\n\nhi\n", "t.eml line 2: subject: appears twice"},
		{"body first", "Dear {{.name}},\n\nhi\n", `t.eml line 1: "Dear {{.name}}," is not a header field; a template starts with header fields (Subject: ...), then a blank line, then the body`},
		{"long field name", strings.Repeat("B", 77) + ": 0\n\nhi\n", `t.eml line 1: header field name "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB…" is longer than 76 octets (a field name cannot be folded)`},
		{"space first", " Subject: x\n\nhi\n", "t.eml line 1: starts with white space; a template starts with header fields (Subject: ...), then a blank line, then the body"},
		{"empty", "", "t.eml line 1: no header fields; a template starts with header fields (Subject: ...), then a blank line, then the body"},
		{"not UTF-8", "Subject: \xb3\xc9\xbc\xa8\n\nhi\n", "t.eml: not valid UTF-8; save the template as UTF-8"},
		{"unclosed action in a header", "Subject: ok\nX-A: {{.name\n\nhi\n", "template: t.eml:2: unclosed action"},
		{"bad function in the body, its line", "Subject: ok\n\nline 3\nline 4\nhi {{nmae .x}}\n", `template: t.eml:5: function "nmae" not defined`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := merge.ParseTemplate("t.eml", []byte(tc.src))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n got  %v\n want %s", err, tc.want)
			}
		})
	}
}

// TestTemplateErrorsAtOpen: what is judged with the options.
func TestTemplateErrorsAtOpen(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"no body", "Subject: x\n\n  \n", "t.eml: no body: write the text after the header fields and a blank line, or give an HTML template"},
		{"inline without HTML", "Subject: x\nX-Postie-Inline: logo.png\n\nhi\n", "line 2: X-Postie-Inline: an inline image needs an HTML body (give an HTML template)"},
		{"From not an address", "From: the teacher\n\nhi\n", `line 1: header field From: address "the teacher": mail: no angle-addr`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(t, tc.src, "d.csv", "email\na@x.test\n", merge.Options{})
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("error\n got  %v\n want suffix %s", err, tc.want)
			}
		})
	}
}

// TestTemplateErrorPlaces: an error while a row runs names the line and
// column in the template file, the same place text/template gives when
// it runs on the whole file as it is.
func TestTemplateErrorPlaces(t *testing.T) {
	for _, src := range []string{
		"Subject: x\nX-A:   {{index .name 9}}\n\nhi\n",
		"Subject: x\nX-A: y\n\n\n  {{index .name 9}}\n",
		"Subject: x\n\n{{index .name 9}}\n",
	} {
		var want strings.Builder
		whole := template.Must(template.New("t.eml").Parse(src))
		err := whole.Execute(&want, map[string]string{"name": "Bob"})
		c := mustOpen(t, src, "d.csv", "email,name\na@x.test,Bob\n", merge.Options{})
		rep, _ := c.Check(context.Background())
		if len(rep.Problems) != 1 || rep.Problems[0].Error() != "row 2: "+err.Error() {
			t.Errorf("%q:\n got  %v\n want row 2: %v", src, rep.Problems, err)
		}
	}
}

// TestTemplateReading: CRLF, a BOM, folded fields and RFC 2047 words from
// a template saved by a mail program; leading body space kept.
func TestTemplateReading(t *testing.T) {
	src := "\uFEFFSubject: =?UTF-8?B?5pyf5pyr5oiQ57up?= {{.name}}\r\nX-Long: a\r\n b\r\n\tc\r\n\r\n  indented {{.name}}\r\nend\r\n"
	c := mustOpen(t, src, "d.csv", "email,name\na@x.test,Bob\n", merge.Options{})
	out, _, probs := render(t, c)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	msg := string(out[2])
	for _, want := range []string{"Subject: =?UTF-8?b?5pyf5pyr5oiQ57upIEJvYg==?=\r\n", "X-Long: a b\tc\r\n", "\r\n\r\n  indented Bob\r\nend\r\n"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in\n%s", want, msg)
		}
	}
}

// TestTemplateFields: the row fields a template reads, found statically
// (the dot of range/with bodies is not the row).
func TestTemplateFields(t *testing.T) {
	src := "Subject: {{.a}}\nTo: {{.b}} <{{.email}}>\n\n" +
		`{{$.c}} {{index . "d e"}} {{with .f}}{{.notrow}}{{else}}{{.g}}{{end}} {{range .h}}{{.nope}}{{else}}{{.i}}{{end}}` +
		` {{if .j}}{{.k}}{{end}} {{(.l)}} {{printf "%s" .m | print}} {{index $ "n"}} {{.a}}` + "\n"
	tm, err := merge.ParseTemplate("t.eml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.AddHTML("t.html", []byte(`<a href="{{.url}}">{{.a}}</a>`)); err != nil {
		t.Fatal(err)
	}
	want := []string{"b", "email", "a", "c", "d e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "url"}
	if got := tm.Fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
}

// TestHTMLTemplateErrors: the HTML template's own errors name its file.
func TestHTMLTemplateErrors(t *testing.T) {
	dir := files(t, map[string]string{"t.eml": "Subject: x\n\nhi\n", "t.html": "<p>{{.name</p>", "d.csv": "email\na@x.test\n"})
	_, err := merge.Open(merge.Options{Template: filepath.Join(dir, "t.eml"), HTMLTemplate: filepath.Join(dir, "t.html"), Data: filepath.Join(dir, "d.csv"), From: testFrom})
	if err == nil || !strings.HasPrefix(err.Error(), "template: t.html:1: ") {
		t.Fatalf("err %v", err)
	}
	_, err = merge.Open(merge.Options{Template: filepath.Join(dir, "t.eml"), HTMLTemplate: filepath.Join(dir, "none.html"), Data: filepath.Join(dir, "d.csv"), From: testFrom})
	if !os.IsNotExist(err) {
		t.Fatalf("missing HTML template: %v", err)
	}
}
