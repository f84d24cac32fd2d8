package merge

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/mail"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/message"
)

// oneLine fails when an error message would not fit the one-line rule.
func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("error on more than one line: %q", err)
	}
}

// FuzzCSVReader: rows come out in increasing spreadsheet order with only
// the header's columns; written back with encoding/csv and read again,
// every non-empty row gives the same values, numbered 2, 3, 4...
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{"email,name\na@x.test,Ann\n", "\uFEFFa,b\r\n1,2\r\n\r\n3,\"x\ny\"\r\n", "a,,b\n1,2,3,4\n,\n", "a,a\n", "\"a\nb\",c\n\"\"\"\",x\n", "a\n\"unterminated\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), FormatCSV, ',')
		oneLine(t, err)
		if err != nil {
			return
		}
		cols := r.Columns()
		var good []Row
		last := 1
		for row, err := range r.Rows() {
			oneLine(t, err)
			var p *Problem
			if err != nil && !errors.As(err, &p) {
				break
			}
			if row.Num <= last {
				t.Fatalf("row %d after row %d", row.Num, last)
			}
			last = row.Num
			if err != nil {
				continue
			}
			for k := range row.Fields {
				if !contains(cols, k) {
					t.Fatalf("field %q is not a column of %q", k, cols)
				}
			}
			if len(row.Fields) != len(cols) {
				t.Fatalf("row %d has %d fields, header %d", row.Num, len(row.Fields), len(cols))
			}
			if !allBlank(row.Fields) && !anyCR(row.Fields) {
				good = append(good, row)
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(cols)
		for _, row := range good {
			rec := make([]string, len(cols))
			for i, c := range cols {
				rec[i] = row.Fields[c]
			}
			w.Write(rec)
		}
		w.Flush()
		r2, err := NewReader(&buf, FormatCSV, ',')
		if err != nil {
			t.Fatalf("re-read header %q: %v", cols, err)
		}
		i := 0
		for row, err := range r2.Rows() {
			if err != nil {
				t.Fatalf("re-read: %v", err)
			}
			if i >= len(good) || row.Num != i+2 || !reflect.DeepEqual(row.Fields, good[i].Fields) {
				t.Fatalf("re-read row %d: %q, want %q", row.Num, row.Fields, good[min(i, len(good)-1)].Fields)
			}
			i++
		}
		if i != len(good) {
			t.Fatalf("re-read %d rows of %d", i, len(good))
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func allBlank(m map[string]string) bool {
	for _, v := range m {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// anyCR: encoding/csv reads a CR inside quotes back as it pleases (CRLF
// becomes LF), so such values cannot round-trip through it.
func anyCR(m map[string]string) bool {
	for _, v := range m {
		if strings.Contains(v, "\r") {
			return true
		}
	}
	return false
}

// FuzzJSONLReader: each row is the object on its line (row number = line
// number, checked against the input split independently), with strings
// as decoded and numbers as written.
func FuzzJSONLReader(f *testing.F) {
	for _, s := range []string{`{"email":"a@x.test","n":1.50}` + "\n\n" + `{"b":"\u00e9"}`, "\uFEFF{\"a\":\"b\"}\r\n{\"a\":true}\n[1]\n", `{"a":"x"} {"b":1}`, "{}\n{\"a\":-0e+1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), FormatJSONL, 0)
		oneLine(t, err)
		if err != nil {
			return
		}
		lines := strings.Split(strings.TrimPrefix(string(data), "\uFEFF"), "\n")
		last := 0
		for row, err := range r.Rows() {
			oneLine(t, err)
			var p *Problem
			if err != nil && !errors.As(err, &p) {
				break
			}
			if row.Num <= last || row.Num > len(lines) {
				t.Fatalf("row %d after %d, %d lines", row.Num, last, len(lines))
			}
			last = row.Num
			if err != nil {
				continue
			}
			var obj map[string]any
			dec := json.NewDecoder(strings.NewReader(lines[row.Num-1]))
			dec.UseNumber()
			if err := dec.Decode(&obj); err != nil {
				t.Fatalf("row %d is line %q, which is not an object: %v", row.Num, lines[row.Num-1], err)
			}
			want := map[string]string{}
			for k, v := range obj {
				switch v := v.(type) {
				case string:
					want[k] = v
				case json.Number:
					want[k] = string(v)
				default:
					t.Fatalf("row %d: %q is %T", row.Num, k, v)
				}
			}
			if !reflect.DeepEqual(row.Fields, want) {
				t.Fatalf("row %d: %q, want %q", row.Num, row.Fields, want)
			}
		}
	})
}

// FuzzTemplate: whatever the template and whatever a row's values, a
// rendered message has exactly the header fields the template asks for
// (no value adds one), one To with the row's address and no Cc or Bcc,
// no X-Postie field, and lines within RFC 5322's 998 octets.
func FuzzTemplate(f *testing.F) {
	for _, s := range [][2]string{
		{"Subject: Hello {{.name}}\nX-Grade: {{.grade}}\n\nDear {{.name}}\n", "Bob"},
		{"To: {{.name}} <{{.email}}>\nSubject: {{.name}}\n\n{{.name}}\n", "Eve <eve@evil.test>, x@evil.test"},
		{"Subject: {{.name}}\n\n{{.name}}", "Bob\r\nBcc: all@evil.test"},
		{"From: {{.name}} <t@school.test>\nReply-To: {{.name}}\nSubject: =?UTF-8?B?5rWL6K+V?=\nX-A: a\n b\n\n{{if .name}}{{.name}}{{end}}\n", "张三"},
		{"Subject: x\n\n{{.name}}\n", "\r\n.\r\nMAIL FROM:<e@evil.test>\r\n"},
		{"Subject: {{range .name}}{{.}}{{end}}\nX-Postie-Attach: {{.name}}\n\nx", "=?UTF-8?B?QmNjOiB4?="},
	} {
		f.Add(s[0], s[1])
	}
	attachDir := f.TempDir()
	f.Fuzz(func(t *testing.T, src, value string) {
		tm, err := ParseTemplate("t.eml", []byte(src))
		oneLine(t, err)
		if err != nil || tm.check() != nil {
			return
		}
		c := &Campaign{Name: "fuzz", ToColumn: "email", Date: time.Unix(1e9, 0).UTC(), tmpl: tm,
			from: message.Address{Addr: "teacher@school.test"}, o: Options{AttachDir: attachDir}}
		if tm.from != nil && tm.from.isConst {
			if c.resolveFrom() != nil {
				return
			}
		}
		row := Row{Num: 2, Fields: map[string]string{"email": "bob@x.test"}}
		for _, k := range tm.Fields() {
			if k != "email" {
				row.Fields[k] = value
			}
		}
		// The simple path gives what text/template gives.
		for _, sec := range tm.sections() {
			if !sec.simple {
				continue
			}
			var want bytes.Buffer
			if err := sec.t.Execute(&want, row.Fields); err != nil {
				t.Fatalf("%s: text/template failed where the simple path runs: %v", sec.name, err)
			}
			if got, ok := sec.join(row.Fields); !ok || got != want.String() {
				t.Fatalf("%s: simple path %q, text/template %q", sec.name, got, want.String())
			}
		}
		item, probs := c.render(row, new(scratch))
		for _, p := range probs {
			oneLine(t, p)
		}
		if item == nil {
			return
		}
		var buf bytes.Buffer
		if _, err := item.WriteTo(&buf); err != nil {
			return // an attachment the fuzzer named and the OS refused
		}
		for _, l := range strings.Split(buf.String(), "\r\n") {
			if len(l) > 998 {
				t.Fatalf("line of %d octets", len(l))
			}
		}
		m, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("rendered message does not parse: %v", err)
		}
		want := map[string]int{"Date": 1, "From": 1, "To": 1, "Message-Id": 1, "Mime-Version": 1, "Content-Type": 1}
		for k := range m.Header {
			if k == "Content-Transfer-Encoding" || k == "Subject" || k == "Reply-To" || k == "Sender" {
				want[k] = len(m.Header[k])
			}
		}
		for _, h := range tm.headers {
			if v, _ := (&rowRender{c: c, row: row, buf: new(bytes.Buffer)}).exec(h); strings.TrimSpace(v) != "" {
				want[textproto.CanonicalMIMEHeaderKey(h.name)]++
			}
		}
		for k, vs := range m.Header {
			if want[k] != len(vs) {
				t.Fatalf("field %s: %d times, want %d; header %q", k, len(vs), want[k], m.Header)
			}
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != "bob@x.test" || item.To.Addr != "bob@x.test" {
			t.Fatalf("To %v %v", to, err)
		}
	})
}
