package merge_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/merge"
)

// readAll reads rows and problems from text.
func readAll(t *testing.T, f merge.Format, text string) ([]merge.Row, []string, error) {
	t.Helper()
	r, err := merge.NewReader(strings.NewReader(text), f, ',')
	if err != nil {
		return nil, nil, err
	}
	var rows []merge.Row
	var probs []string
	for row, err := range r.Rows() {
		if p, ok := err.(*merge.Problem); ok {
			probs = append(probs, p.Error())
			continue
		}
		if err != nil {
			return rows, probs, err
		}
		rows = append(rows, row)
	}
	return rows, probs, nil
}

func nums(rows []merge.Row) []int {
	var out []int
	for _, r := range rows {
		out = append(out, r.Num)
	}
	return out
}

// TestCSVRowNumbers: row numbers are a spreadsheet's: the header is row
// 1; a quoted value over several lines is one row; a blank line is an
// (empty, skipped) row; a row of empty cells is skipped but counted.
func TestCSVRowNumbers(t *testing.T) {
	text := " email , name ,\r\n" + // names trimmed; a column with no name ignored
		"a@x.test,Ann,\r\n" + // row 2
		"b@x.test,\"Bob\r\nthe second\",\r\n" + // row 3, two lines
		"\r\n" + // row 4: blank
		",,\r\n" + // row 5: empty cells
		"c@x.test,\"Cat\"\"s\",\r\n" + // row 6
		"d@x.test,Dan" // row 7, no final line break
	r, err := merge.NewReader(strings.NewReader(text), merge.FormatCSV, ',')
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Columns(); !reflect.DeepEqual(got, []string{"email", "name"}) {
		t.Errorf("columns %q", got)
	}
	rows, probs, err := readAll(t, merge.FormatCSV, text)
	if err != nil || probs != nil {
		t.Fatal(err, probs)
	}
	if got := nums(rows); !reflect.DeepEqual(got, []int{2, 3, 6, 7}) {
		t.Errorf("rows %v, want [2 3 6 7]", got)
	}
	want := []map[string]string{{"email": "a@x.test", "name": "Ann"}, {"email": "b@x.test", "name": "Bob\nthe second"},
		{"email": "c@x.test", "name": `Cat"s`}, {"email": "d@x.test", "name": "Dan"}}
	for i, row := range rows {
		if !reflect.DeepEqual(row.Fields, want[i]) {
			t.Errorf("row %d: %q", row.Num, row.Fields)
		}
	}
}

// TestCSVCharsets: the worked example saved by Excel as "CSV UTF-8" (a
// BOM, CRLF) and by a Chinese Excel as "CSV" (GBK, CRLF; made with
// iconv, another implementation than the decoder's) reads exactly as the
// UTF-8 file; GBK is found without being named, and can be named.
func TestCSVCharsets(t *testing.T) {
	read := func(path string, cs merge.Charset) (*merge.Campaign, map[int][]byte) {
		t.Helper()
		c, err := merge.Open(merge.Options{Name: "example", Template: "testdata/example/grades.eml", Data: path, Charset: cs, Date: testDate,
			AttachDir: "testdata/example"})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out, items, probs := render(t, c)
		if len(items) != 4 || len(probs) > 0 {
			t.Fatalf("%s: %d items, %q", path, len(items), probs)
		}
		return c, out
	}
	_, want := read("testdata/example/students.csv", merge.CharsetAuto)
	for _, tc := range []struct {
		path    string
		cs      merge.Charset
		detects merge.Charset
	}{
		{"testdata/data/students-bom.csv", merge.CharsetAuto, merge.CharsetUTF8},
		{"testdata/data/students-gbk.csv", merge.CharsetAuto, merge.CharsetGB18030},
		{"testdata/data/students-gbk.csv", merge.CharsetGB18030, merge.CharsetGB18030},
		{"testdata/data/students-bom.csv", merge.CharsetUTF8, merge.CharsetUTF8},
	} {
		c, got := read(tc.path, tc.cs)
		if c.Charset != tc.detects {
			t.Errorf("%s: charset %v, want %v", tc.path, c.Charset, tc.detects)
		}
		for row := range want {
			// Same bytes except the Message-ID and boundaries, which
			// hang on the data's fingerprint.
			if a, b := normalise(want[row]), normalise(got[row]); a != b {
				t.Errorf("%s row %d differs:\n%s\n%s", tc.path, row, a, b)
			}
		}
	}
	// The GBK file read as UTF-8, when told so: every row with Chinese
	// is a problem of its row, naming the likely cause.
	c, err := merge.Open(merge.Options{Template: "testdata/example/grades.eml", Data: "testdata/data/students-gbk.csv", Charset: merge.CharsetUTF8, AttachDir: "testdata/example"})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := c.Check(context.Background())
	if len(rep.Problems) != 4 || rep.Problems[0].Error() != `row 2, column "name": not valid UTF-8 (is the file GBK? name its charset)` {
		t.Errorf("problems %v", rep.Problems)
	}
}

func normalise(b []byte) string {
	var out []string
	for _, l := range strings.Split(string(b), "\r\n") {
		if strings.HasPrefix(l, "Message-ID:") {
			continue
		}
		if i := strings.Index(l, "postie-"); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestCharsetDetectionAcrossChunks: the whole file is looked at, not a
// prefix: a GBK byte after 64 KiB of ASCII makes it GBK, and UTF-8
// characters cut by a 64 KiB read boundary stay UTF-8.
func TestCharsetDetectionAcrossChunks(t *testing.T) {
	gbkLate := "email,name\n" + strings.Repeat("a@x.test,ascii only\n", 5000) + "b@x.test,\xd5\xc5\xc8\xfd\n" // 张三
	utf8Cut := "email,name\n" + strings.Repeat("a@x.test,张三李四王五\n", 5000)
	for _, tc := range []struct {
		data string
		want merge.Charset
		last string
	}{{gbkLate, merge.CharsetGB18030, "张三"}, {utf8Cut, merge.CharsetUTF8, "张三李四王五"}} {
		c := mustOpen(t, simpleTemplate, "d.csv", tc.data, merge.Options{AllowDuplicates: true})
		if c.Charset != tc.want {
			t.Errorf("charset %v, want %v", c.Charset, tc.want)
		}
		var last *merge.Item
		for it, err := range c.Messages(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			last = it
		}
		var b bytes.Buffer
		last.WriteTo(&b)
		if m, err := mailcheck.Parse(b.Bytes()); err != nil || m.Subject != "Hello "+tc.last {
			t.Errorf("last row: %v %q", err, b.String())
		}
	}
}

// TestJSONLines: numbers as written, blank lines counted in row (= line)
// numbers, CRLF, a BOM, a last line without a line break, a line too long.
func TestJSONLines(t *testing.T) {
	text := "\uFEFF" + `{"email":"a@x.test","grade":95,"avg":3.50,"big":1e3,"neg":-2,"name":"张三"}` + "\r\n" +
		"\r\n" +
		`  {"email":"b@x.test","name":"B\u00e9la"}  ` + "\n" +
		`{"email":"c@x.test","note":"` + strings.Repeat("x", 1<<20) + `"}` + "\n" +
		`{"email":"d@x.test"}`
	rows, probs, err := readAll(t, merge.FormatJSONL, text)
	if err != nil {
		t.Fatal(err)
	}
	if got := nums(rows); !reflect.DeepEqual(got, []int{1, 3, 5}) {
		t.Errorf("rows %v", got)
	}
	if want := []string{"row 4: longer than 1048576 octets"}; !reflect.DeepEqual(probs, want) {
		t.Errorf("problems %q", probs)
	}
	want := map[string]string{"email": "a@x.test", "grade": "95", "avg": "3.50", "big": "1e3", "neg": "-2", "name": "张三"}
	if !reflect.DeepEqual(rows[0].Fields, want) || rows[1].Fields["name"] != "Béla" {
		t.Errorf("values %q %q", rows[0].Fields, rows[1].Fields)
	}
}

// TestFormats: by extension; TSV; a separator given.
func TestFormats(t *testing.T) {
	for name, want := range map[string]merge.Format{"a.csv": merge.FormatCSV, "a.CSV": merge.FormatCSV, "a.txt": merge.FormatCSV,
		"a.jsonl": merge.FormatJSONL, "a.ndjson": merge.FormatJSONL, "a.json": merge.FormatJSONL, "a.tsv": merge.FormatCSV} {
		if f, _ := merge.FormatFor(name); f != want {
			t.Errorf("%s: %v", name, f)
		}
	}
	c := mustOpen(t, simpleTemplate, "d.tsv", "email\tname\na@x.test\tAnn, Jr.\n", merge.Options{})
	_, items, probs := render(t, c)
	if len(items) != 1 || len(probs) > 0 || items[0].To.Addr != "a@x.test" {
		t.Errorf("tsv: %v %q", items, probs)
	}
	c = mustOpen(t, simpleTemplate, "d.csv", "email;name\na@x.test;Ann\n", merge.Options{Comma: ';'})
	if _, items, _ := render(t, c); len(items) != 1 {
		t.Error("semicolons")
	}
	for in, want := range map[string]merge.Charset{"": merge.CharsetAuto, "GBK": merge.CharsetGB18030, "gb2312": merge.CharsetGB18030, "UTF-8": merge.CharsetUTF8} {
		if got, err := merge.ParseCharset(in); got != want || err != nil {
			t.Errorf("ParseCharset(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := merge.ParseCharset("latin1"); err == nil || err.Error() != `unknown charset "latin1" (want auto, utf-8 or gbk)` {
		t.Errorf("latin1: %v", err)
	}
}

// TestReaderStopsOnIOError: an I/O error ends the rows with that error.
func TestReaderStopsOnIOError(t *testing.T) {
	r, err := merge.NewReader(io.MultiReader(strings.NewReader("email\na@x.test\n"), errReader{}), merge.FormatCSV, ',')
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for row, err := range r.Rows() {
		got = append(got, fmt.Sprint(row.Num, err))
	}
	if strings.Join(got, "|") != "2 <nil>|0 disk on fire" {
		t.Errorf("%q", got)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, fmt.Errorf("disk on fire") }

// TestUnreadableDataFile: a missing data file is an *fs.PathError (66).
func TestUnreadableDataFile(t *testing.T) {
	dir := files(t, map[string]string{"t.eml": simpleTemplate})
	_, err := merge.Open(merge.Options{Template: filepath.Join(dir, "t.eml"), Data: filepath.Join(dir, "none.csv"), From: testFrom})
	if !os.IsNotExist(err) {
		t.Fatalf("err %v", err)
	}
}
