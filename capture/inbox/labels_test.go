package inbox

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/postie/postie/internal/i18n"
)

// Every label a template asks for is in the table (label would show the
// bare key otherwise), and has its Chinese.
func TestTemplateLabelsExist(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("templates", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v", err)
	}
	use := regexp.MustCompile(`\{\{-?\s*tf? \$?\.?L "(\w+)"`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			n++
			en, ok := labels()[m[1]]
			if !ok {
				t.Errorf("%s: label %q is not in the table", f, m[1])
				continue
			}
			if zh := i18n.In(i18n.ZH).T(en); zh == en && en != "HTML" {
				t.Errorf("%s: label %q has no Chinese", f, m[1])
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d label uses: the pattern no longer matches the templates", n)
	}
}
