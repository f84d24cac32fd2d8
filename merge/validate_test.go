package merge_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/postie/postie/merge"
	"github.com/postie/postie/message"
)

const simpleTemplate = "Subject: Hello {{.name}}\n\nDear {{.name}},\nbye\n"

// TestCheckProblems: every problem a row can have, with its exact
// one-line message naming row and column, its kind, and whether it is a
// warning. Check reports all of them in one pass.
func TestCheckProblems(t *testing.T) {
	for _, tc := range []struct {
		name, tmpl, file, data string
		o                      merge.Options
		want                   []string // Problem.Error(), in order
		kinds                  []merge.Kind
		warn                   []bool
		good                   int
	}{
		{
			name: "bad address", tmpl: simpleTemplate, file: "d.csv",
			data:  "email,name\nann@x.test,Ann\nbob@,Bob\n",
			want:  []string{`row 3, column "email": "bob@" is not an email address`},
			kinds: []merge.Kind{merge.KindAddress}, good: 1,
		},
		{
			name: "address: no dot in domain, spaces, two addresses", tmpl: simpleTemplate, file: "d.csv",
			data: "email,name\nbob@qqcom,Bob\nb ob@x.test,Bob\n\"a@x.test, b@x.test\",AB\n",
			want: []string{`row 2, column "email": "bob@qqcom" is not an email address`,
				`row 3, column "email": "b ob@x.test" is not an email address`,
				`row 4, column "email": "a@x.test, b@x.test" is not an email address`},
			kinds: []merge.Kind{merge.KindAddress, merge.KindAddress, merge.KindAddress},
		},
		{
			name: "empty address", tmpl: simpleTemplate, file: "d.csv",
			data:  "email,name\n  ,Ann\n",
			want:  []string{`row 2, column "email": empty: every row needs the recipient's address`},
			kinds: []merge.Kind{merge.KindAddress},
		},
		{
			name: "other recipient column", tmpl: simpleTemplate, file: "d.csv", o: merge.Options{ToColumn: "邮箱"},
			data:  "邮箱,name\nann@x.test,Ann\nnot-an-address,Bob\n",
			want:  []string{`row 3, column "邮箱": "not-an-address" is not an email address`},
			kinds: []merge.Kind{merge.KindAddress}, good: 1,
		},
		{
			name: "template field not a column (once, as row 1)", tmpl: "Subject: Hello {{.Nmae}}\n\nhi\n", file: "d.csv",
			data:  "email,name\nann@x.test,Ann\nbob@x.test,Bob\n",
			want:  []string{`row 1, column "Nmae": no such column, but the template uses {{.Nmae}} (in Subject); columns: email, name (did you mean "name"?)`},
			kinds: []merge.Kind{merge.KindField},
		},
		{
			name: "template field not a column, and a bad address still found", tmpl: "Subject: x\n\n{{.grade}}\n", file: "d.csv",
			data: "email,name\nann@x.test,Ann\nbob@,Bob\n",
			want: []string{`row 1, column "grade": no such column, but the template uses {{.grade}} (in body); columns: email, name`,
				`row 3, column "email": "bob@" is not an email address`},
			kinds: []merge.Kind{merge.KindField, merge.KindAddress},
		},
		{
			name: "JSONL: a key missing on one row", tmpl: simpleTemplate, file: "d.jsonl",
			data:  `{"email":"ann@x.test","name":"Ann"}` + "\n" + `{"email":"bob@x.test"}` + "\n",
			want:  []string{`row 2, column "name": missing, but the template uses {{.name}} (in Subject)`},
			kinds: []merge.Kind{merge.KindField}, good: 1,
		},
		{
			name: "JSONL: no address key", tmpl: simpleTemplate, file: "d.jsonl",
			data:  `{"mail":"ann@x.test","name":"Ann"}` + "\n",
			want:  []string{`row 1, column "email": missing: every row needs the recipient's address`},
			kinds: []merge.Kind{merge.KindAddress},
		},
		{
			name: "JSONL: values other than strings and numbers", tmpl: simpleTemplate, file: "d.jsonl",
			data: `{"email":"a@x.test","name":"A","vip":true}` + "\n" + `{"email":"b@x.test","name":null}` + "\n" +
				`{"email":"c@x.test","name":{"first":"C"}}` + "\n" + `{"email":"d@x.test","name":["D"]}` + "\n",
			want: []string{`row 1, column "vip": a boolean (true), not a string or number`, `row 2, column "name": null, not a string or number`,
				`row 3, column "name": an object, not a string or number`, `row 4, column "name": an array, not a string or number`},
			kinds: []merge.Kind{merge.KindValue, merge.KindValue, merge.KindValue, merge.KindValue},
		},
		{
			name: "JSONL: a line that is not a JSON object", tmpl: simpleTemplate, file: "d.jsonl",
			data: `{"email":"a@x.test","name":"A"}` + "\n\n" + `{"email": "b@x.test", name}` + "\n" + `"just a string"` + "\n" + `{"email":"e@x.test","name":"E"}` + "\n",
			want: []string{`row 3: not JSON: invalid character 'n' looking for beginning of object key string`,
				`row 4: not a JSON object`},
			kinds: []merge.Kind{merge.KindRow, merge.KindRow}, good: 2,
		},
		{
			name: "CSV: wrong number of values", tmpl: simpleTemplate, file: "d.csv",
			data:  "email,name,grade\nann@x.test,Ann,90\nbob@x.test,Bob\ncat@x.test,Cat,80,,\ndan@x.test,Dan,70,oops\n",
			want:  []string{`row 3: 2 values, but the header has 3 columns`, `row 5: 4 values, but the header has 3 columns`},
			kinds: []merge.Kind{merge.KindRow, merge.KindRow}, good: 2,
		},
		{
			name: "attachment missing, and a directory", tmpl: "Subject: x\nX-Postie-Attach: {{.report}}\n\nhi\n", file: "d.csv",
			data: "email,report\nann@x.test,nope.pdf\nbob@x.test,.\ncat@x.test,\n",
			want: []string{`row 2, column "report": cannot attach "nope.pdf": no such file or directory`,
				`row 3, column "report": cannot attach ".": not a regular file`},
			kinds: []merge.Kind{merge.KindAttachment, merge.KindAttachment}, good: 1,
		},
		{
			name: "header injection from a field", tmpl: "Subject: Hello {{.name}}\nX-Class: {{.class}}\n\nhi\n", file: "d.csv",
			data: "email,name,class\nann@x.test,\"Bob\r\nBcc: all@evil.test\",A\nbob@x.test,Bob,\"B\nTo: all@evil.test\"\ncat@x.test,\"x\x00y\",C\n",
			// A quoted CSV value spanning lines is one row, as in a
			// spreadsheet; encoding/csv makes its CRLF a LF.
			want: []string{`row 2, column "name": Subject: contains "\n", which could add a header field`,
				`row 3, column "class": X-Class: contains "\n", which could add a header field`,
				`row 4, column "name": Subject: contains "\x00", which could add a header field`},
			kinds: []merge.Kind{merge.KindValue, merge.KindValue, merge.KindValue},
		},
		{
			name: "header injection from a JSON value", tmpl: "Subject: Hello {{.name}}\n\nhi\n", file: "d.jsonl",
			data:  `{"email":"ann@x.test","name":"Bob\r\nBcc: all@evil.test"}` + "\n",
			want:  []string{`row 1, column "name": Subject: contains "\r", which could add a header field`},
			kinds: []merge.Kind{merge.KindValue},
		},
		{
			name: "To names another address", tmpl: "To: {{.name}} <eve@evil.test>\nSubject: x\n\nhi\n", file: "d.csv",
			data:  "email,name\nbob@x.test,Bob\n",
			want:  []string{`row 2, column "name": To renders as "Bob <eve@evil.test>", which is not this row's address bob@x.test; To may only add a name to it, as in To: {{.name}} <{{.email}}>`},
			kinds: []merge.Kind{merge.KindAddress},
		},
		{
			name: "To adds a second address through a field", tmpl: "To: {{.name}} <{{.email}}>, {{.cc}}\nSubject: x\n\nhi\n", file: "d.csv",
			data:  "email,name,cc\nbob@x.test,Bob,eve@evil.test\n",
			want:  []string{`row 2: To renders as "Bob <bob@x.test>, eve@evil.test", which is not this row's address bob@x.test; To may only add a name to it, as in To: {{.name}} <{{.email}}>`},
			kinds: []merge.Kind{merge.KindAddress},
		},
		{
			name: "duplicates: skipped, domain case ignored; case variants of the local part sent", tmpl: simpleTemplate, file: "d.csv",
			data: "email,name\nbob@x.test,Bob\nann@x.test,Ann\nbob@X.TEST,Bob again\nBob@x.test,Bob in capitals\n",
			want: []string{`row 4, column "email": bob@X.TEST is also on row 2; this row is skipped`,
				`row 5, column "email": Bob@x.test differs only in letter case from the address on row 2; both are sent (most providers would deliver both to one mailbox)`},
			kinds: []merge.Kind{merge.KindDuplicate, merge.KindCaseVariant}, warn: []bool{true, true}, good: 3,
		},
		{
			name: "duplicates allowed", tmpl: simpleTemplate, file: "d.csv", o: merge.Options{AllowDuplicates: true},
			data: "email,name\nbob@x.test,Bob\nbob@x.test,Bob\n", good: 2,
		},
		{
			name: "a bad row's address does not make a later row a duplicate", tmpl: "Subject: x\nX-Postie-Attach: {{.f}}\n\nhi\n", file: "d.csv",
			data:  "email,f\nbob@x.test,missing.pdf\nbob@x.test,\n",
			want:  []string{`row 2, column "f": cannot attach "missing.pdf": no such file or directory`},
			kinds: []merge.Kind{merge.KindAttachment}, good: 1,
		},
		{
			name: "no data rows", tmpl: simpleTemplate, file: "d.csv",
			data:  "email,name\n,\n",
			want:  []string{`no data rows`},
			kinds: []merge.Kind{merge.KindNoRows},
		},
		{
			name: "template fails on a row", tmpl: "Subject: x\n\n{{index .name 9}}\n", file: "d.csv",
			data:  "email,name\nann@x.test,Annabelle Lee\nbob@x.test,Bob\n",
			want:  []string{`row 3: template: t.eml:3:2: executing "t.eml" at <index .name 9>: error calling index: index out of range: 9`},
			kinds: []merge.Kind{merge.KindTemplate}, good: 1,
		},
		{
			name: "From, Sender and Reply-To from fields", tmpl: "From: {{.from}}\nReply-To: {{.reply}}\nSubject: x\n\nhi\n", file: "d.csv",
			data: "email,from,reply\nann@x.test,nobody,a@x.test\nbob@x.test,Boss <boss@x.test>,\"a@, b\"\n",
			want: []string{`row 2, column "from": From renders as "nobody", which is not an address`,
				`row 3, column "reply": Reply-To renders as "a@, b", which is not a list of addresses`},
			kinds: []merge.Kind{merge.KindTemplate, merge.KindTemplate},
		},
		{
			name: "invalid UTF-8 when UTF-8 was chosen", tmpl: simpleTemplate, file: "d.csv", o: merge.Options{Charset: merge.CharsetUTF8},
			data:  "email,name\nann@x.test,\xd5\xc5\xc8\xfd\n",
			want:  []string{`row 2, column "name": not valid UTF-8 (is the file GBK? name its charset)`},
			kinds: []merge.Kind{merge.KindValue},
		},
		{
			name: "every problem of one row", tmpl: "Subject: {{.name}}\nX-Postie-Attach: {{.f}}\n\nhi\n", file: "d.csv",
			data: "email,name,f\nbob@,\"a\nb\",gone.pdf\n",
			want: []string{`row 2, column "email": "bob@" is not an email address`,
				`row 2, column "name": Subject: contains "\n", which could add a header field`,
				`row 2, column "f": cannot attach "gone.pdf": no such file or directory`},
			kinds: []merge.Kind{merge.KindAddress, merge.KindValue, merge.KindAttachment},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustOpen(t, tc.tmpl, tc.file, tc.data, tc.o)
			rep, err := c.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("problems:\n got  %q\n want %q", got, tc.want)
			}
			for i, p := range rep.Problems {
				if p.Kind != tc.kinds[i] {
					t.Errorf("problem %d: kind %v, want %v", i, p.Kind, tc.kinds[i])
				}
				wantWarn := tc.warn != nil && tc.warn[i]
				if p.Warning != wantWarn {
					t.Errorf("problem %d: warning %v, want %v", i, p.Warning, wantWarn)
				}
				if strings.ContainsAny(p.Error(), "\r\n") {
					t.Errorf("problem %d is not one line: %q", i, p.Error())
				}
			}
			if rep.Good != tc.good {
				t.Errorf("good rows %d, want %d", rep.Good, tc.good)
			}
			// Messages yields exactly the rows Check counted as good.
			_, items, probs := render(t, c)
			if len(items) != tc.good || strings.Join(probs, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Messages: %d items, problems %q", len(items), probs)
			}
		})
	}
}

// TestReportErr: warnings alone pass; any other problem is a
// *ValidationError, whose OnlyFiles says 66 (files) or 65 (the rest).
func TestReportErr(t *testing.T) {
	check := func(data string) *merge.Report {
		c := mustOpen(t, "Subject: x\nX-Postie-Attach: {{.f}}\n\nhi\n", "d.csv", data, merge.Options{})
		rep, err := c.Check(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if err := check("email,f\na@x.test,\na@x.test,\n").Err(); err != nil {
		t.Errorf("duplicates only: %v", err)
	}
	err := check("email,f\na@x.test,gone.pdf\nb@x.test,gone2.pdf\n").Err()
	var ve *merge.ValidationError
	if !errors.As(err, &ve) || !ve.OnlyFiles() || len(ve.Problems) != 2 {
		t.Fatalf("files: %v", err)
	}
	var pe *fs.PathError
	var ae *merge.AttachmentError
	if !errors.As(err, &pe) || !errors.As(err, &ae) || ae.Path != "gone.pdf" {
		t.Errorf("the file errors are not reachable with errors.As: %v", err)
	}
	if !strings.HasSuffix(err.Error(), `d.csv: 2 problems, the first: row 2, column "f": cannot attach "gone.pdf": no such file or directory`) {
		t.Errorf("message %q", err)
	}
	err = check("email,f\na@,\nb@x.test,gone.pdf\n").Err()
	if !errors.As(err, &ve) || ve.OnlyFiles() {
		t.Errorf("mixed: %v", err)
	}
}

// TestOpenErrors: what makes a whole campaign unusable, one line each.
func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		name, tmpl, file, data string
		o                      merge.Options
		want                   string // suffix of the error (paths vary)
	}{
		{name: "no recipient column", tmpl: simpleTemplate, file: "d.csv", data: "mail,name\na@x.test,A\n",
			want: `d.csv: no column "email" for the recipient (columns: mail, name); name the column that holds the addresses`},
		{name: "empty file", tmpl: simpleTemplate, file: "d.csv", data: "",
			want: `d.csv: empty: want a header row naming the columns (email,name,...)`},
		{name: "two columns of one name", tmpl: simpleTemplate, file: "d.csv", data: "email,name,email\n",
			want: `d.csv: columns 1 and 3 are both named "email"`},
		{name: "UTF-16", tmpl: simpleTemplate, file: "d.csv", data: "\xff\xfee\x00m\x00",
			want: `d.csv: UTF-16 text (Excel's "Unicode text"); save it as "CSV UTF-8" instead`},
		{name: "neither UTF-8 nor GB18030", tmpl: simpleTemplate, file: "d.csv", data: "email,name\na@x.test,ok\nb@x.test,\xff\xff\n",
			want: `d.csv line 3: not valid UTF-8, and not GBK/GB18030 either; save the file as "CSV UTF-8" or name its charset`},
		{name: "gbk chosen for a UTF-8 file with a BOM", tmpl: simpleTemplate, file: "d.csv", data: "\xef\xbb\xbfemail,name\n", o: merge.Options{Charset: merge.CharsetGB18030},
			want: `d.csv: starts with a UTF-8 byte order mark, but the charset gbk was chosen`},
		{name: "JSON array", tmpl: simpleTemplate, file: "d.json", data: `[{"email":"a@x.test"}]`,
			want: `d.json line 1: a JSON array; want JSON lines: one object per line`},
		{name: "no From", tmpl: "Subject: x\n\nhi\n", file: "d.csv", data: "email\na@x.test\n", o: merge.Options{From: message.Address{Addr: "-"}},
			want: `sender address "-" is not an email address`},
		{name: "bad campaign name", tmpl: simpleTemplate, file: "d.csv", data: "email,name\n", o: merge.Options{Name: "a/b"},
			want: `campaign name "a/b": '/' is not allowed; want letters, digits, '-', '_', '.', '+' or '@'`},
		{name: "attachment for all rows missing", tmpl: simpleTemplate, file: "d.csv", data: "email,name\n", o: merge.Options{Attach: []string{"/nonexistent/x.pdf"}},
			want: `cannot attach "/nonexistent/x.pdf": no such file or directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(t, tc.tmpl, tc.file, tc.data, tc.o)
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v\nwant suffix %s", err, tc.want)
			}
		})
	}
}

// TestCSVSyntaxErrorStopsThePass: a CSV syntax error is a problem of the
// file (nothing after it can be trusted), named by its line.
func TestCSVSyntaxErrorStopsThePass(t *testing.T) {
	c := mustOpen(t, simpleTemplate, "d.csv", "email,name\na@x.test,A\nb@x.test,\"B\n\nc@x.test,C\"x\n", merge.Options{})
	rep, err := c.Check(context.Background())
	var de *merge.DataError
	if !errors.As(err, &de) || !strings.HasSuffix(err.Error(), `d.csv line 5: extraneous or missing " in quoted-field`) {
		t.Fatalf("err %v", err)
	}
	if rep.Good != 1 {
		t.Errorf("good %d", rep.Good)
	}
}
