package merge_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/mailcheck"
	"github.com/postie/postie/merge"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exampleOptions is the README's worked example: grades for a class,
// a template in Chinese and English, an HTML body with the course logo,
// each student's report card attached from a column.
func exampleOptions() merge.Options {
	return merge.Options{
		Name:         "grades-2026",
		Template:     "testdata/example/grades.eml",
		HTMLTemplate: "testdata/example/grades.html",
		Data:         "testdata/example/students.csv",
		Inline:       []string{"testdata/example/logo.png"},
		Date:         time.Date(2026, 6, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)),
	}
}

// TestWorkedExample: the dry run of the worked example is byte for byte
// the golden .eml files, and each, read back with net/mail and
// mime/multipart, says what its row of the CSV says.
func TestWorkedExample(t *testing.T) {
	c, err := merge.Open(exampleOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rep, err := c.DryRun(context.Background(), dir)
	if err != nil || rep.Err() != nil || rep.Good != 4 {
		t.Fatalf("%v %v %+v", err, rep.Err(), rep)
	}
	golden := "testdata/example/golden"
	if *update {
		os.RemoveAll(golden)
		os.MkdirAll(golden, 0o755)
	}
	// The expected values come from the CSV, read here by encoding/csv.
	f, _ := os.Open("testdata/example/students.csv")
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	logo, _ := os.ReadFile("testdata/example/logo.png")
	for i, rec := range records[1:] {
		name, email, course, grade, comment, report := rec[0], rec[1], rec[2], rec[3], rec[4], rec[5]
		file := fmt.Sprintf("row-%04d.eml", i+2)
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			os.WriteFile(filepath.Join(golden, file), got, 0o644)
		}
		want, err := os.ReadFile(filepath.Join(golden, file))
		if err != nil {
			t.Fatalf("%v (run go test -run TestWorkedExample -update ./merge)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file", file)
		}
		m, err := mailcheck.Parse(want)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != email || to[0].Name != name {
			t.Errorf("%s: To %v %v", file, to, err)
		}
		if from, _ := m.Header.AddressList("From"); len(from) != 1 || from[0].Name != "王老师 Wang Laoshi" {
			t.Errorf("%s: From %v", file, from)
		}
		if want := "《" + course + "》期末成绩 / Your final grade: " + grade; m.Subject != want {
			t.Errorf("%s: subject %q, want %q", file, m.Subject, want)
		}
		text, html := m.Text("plain"), m.Text("html")
		for _, s := range []string{name + " 同学，你好：", "你的《" + course + "》期末成绩是 " + grade + " 分。", "Dear " + name + ",", "is " + grade + "."} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: text lacks %q:\n%s", file, s, text)
			}
		}
		if (comment != "") != strings.Contains(text, "老师评语：") || !strings.Contains(text, comment) {
			t.Errorf("%s: comment %q in text:\n%s", file, comment, text)
		}
		if !strings.Contains(html, "<b>"+grade+"</b>") {
			t.Errorf("%s: html lacks the grade", file)
		}
		wantTypes := "multipart/mixed multipart/related multipart/alternative text/plain text/html image/png application/pdf"
		if report == "" {
			wantTypes = "multipart/related multipart/alternative text/plain text/html image/png"
		}
		if got := strings.Join(m.Types, " "); got != wantTypes {
			t.Errorf("%s: structure %s", file, got)
		}
		if p, ok := m.Attachment("logo.png"); !ok || !p.Inline || p.ContentID != "logo.png" || !bytes.Equal(p.Body, logo) {
			t.Errorf("%s: logo %v", file, ok)
		}
		if report != "" {
			pdf, _ := os.ReadFile(filepath.Join("testdata/example", report))
			if p, ok := m.Attachment(filepath.Base(report)); !ok || !bytes.Equal(p.Body, pdf) {
				t.Errorf("%s: report card", file)
			}
		}
	}
}

// The worked example: check every row, then write each message as an
// .eml file instead of sending it (what --dry-run DIR does).
func Example() {
	c, err := merge.Open(merge.Options{
		Template:     "testdata/example/grades.eml",  // headers, a blank line, the text
		HTMLTemplate: "testdata/example/grades.html", // optional
		Data:         "testdata/example/students.csv",
		Inline:       []string{"testdata/example/logo.png"},
	})
	if err != nil {
		log.Fatal(err)
	}
	rep, err := c.Check(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("campaign %s: %d rows, %d to send, %d problems\n", c.Name, rep.Rows, rep.Good, len(rep.Problems))
	dir, _ := os.MkdirTemp("", "merge-example")
	defer os.RemoveAll(dir)
	if _, err := c.DryRun(context.Background(), dir); err != nil {
		log.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	for _, n := range names {
		fmt.Println(filepath.Base(n))
	}
	// Output:
	// campaign grades+students: 4 rows, 4 to send, 0 problems
	// row-0002.eml
	// row-0003.eml
	// row-0004.eml
	// row-0005.eml
}
