package message

import (
	"os"
	"strings"
	"testing"
)

// The README's "As a library" code is Example_send's, which compiles with
// every test run: the README cannot drift into code that does not build.
func TestReadmeLibrarySnippet(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(readme), "\n## As a library\n")
	_, block, ok2 := strings.Cut(sec, "```go\n")
	block, _, ok3 := strings.Cut(block, "```\n")
	_, region, ok4 := strings.Cut(string(ex), "\t// README: begin\n")
	region, _, ok5 := strings.Cut(region, "\t// README: end\n")
	if !ok || !ok2 || !ok3 || !ok4 || !ok5 {
		t.Fatal("README section or example markers not found")
	}
	var want strings.Builder
	want.WriteString("import (\n\t\"github.com/postie/postie/message\"\n\t\"github.com/postie/postie/smtp\"\n)\n\n")
	for _, l := range strings.SplitAfter(region, "\n") {
		want.WriteString(strings.TrimPrefix(l, "\t"))
	}
	if block != want.String() {
		t.Fatalf("README.md's library snippet differs from Example_send in example_test.go; the README has:\n%s\nthe example:\n%s", block, want.String())
	}
}
