package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestPadLabelByColumns: the summary's labels end in the same terminal
// column in English and in Chinese (two columns a character).
func TestPadLabelByColumns(t *testing.T) {
	for _, l := range []string{"sent", "已发送", "未知", "elapsed", "耗时"} {
		if w := runewidth.StringWidth(padLabel(l, 10)); w != 10 {
			t.Errorf("%q padded to %d columns, want 10", l, w)
		}
	}
	if got := padLabel("a-very-long-label", 10); got != "a-very-long-label" {
		t.Errorf("a long label changed: %q", got)
	}
}

// TestOpenReport: the --report file is made private when it is a regular
// file of the user's, keeps its last contents until the report is
// written (a run that fails leaves them), and a device such as /dev/null
// is left as it is (as root, chmod would change it for everyone).
func TestOpenReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.jsonl")
	if err := os.WriteFile(path, []byte("last run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := openReport(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	b, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || string(b) != "last run\n" {
		t.Fatalf("after opening: mode %v, contents %q", fi.Mode().Perm(), b)
	}
	before, err := os.Stat(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	f, err = openReport(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if after, _ := os.Stat(os.DevNull); after.Mode() != before.Mode() {
		t.Fatalf("%s changed from %v to %v", os.DevNull, before.Mode(), after.Mode())
	}
	if _, err := openReport(filepath.Join(t.TempDir(), "no", "such", "dir")); err == nil {
		t.Fatal("a path that cannot be created was accepted")
	}
}
