package i18n

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// keyArg is the position of the message key in each function's arguments.
var keyArg = map[string]int{"Sprintf": 0, "Errorf": 0, "T": 0, "Mark": 0, "Fprintf": 1}

// extractKeys finds every message key the repository passes to this
// package: the English side of the catalogue.
func extractKeys(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	keys := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == ".git" || n == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		name := "" // the local name of this package in the file
		for _, im := range f.Imports {
			if im.Path.Value == `"github.com/postie/postie/internal/i18n"` {
				name = "i18n"
				if im.Name != nil {
					name = im.Name.Name
				}
			}
		}
		if name == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !isPackage(sel.X, name) {
				return true
			}
			pos, ok := keyArg[sel.Sel.Name]
			if !ok || pos >= len(call.Args) {
				return true
			}
			key, ok := literal(call.Args[pos])
			if !ok {
				// T, and a Printer's methods, may be given a key kept in a
				// table (written with Mark, which this walk sees).
				if _, onPrinter := sel.X.(*ast.CallExpr); sel.Sel.Name != "T" && !onPrinter {
					t.Errorf("%s: %s.%s with a key that is not a string literal: the catalogue cannot see it", fset.Position(call.Pos()), name, sel.Sel.Name)
				}
				return true
			}
			keys[key] = fset.Position(call.Pos()).String()
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// isPackage reports whether x is this package (i18n.Sprintf) or one of
// its Printers made on the spot (i18n.In(l).Sprintf).
func isPackage(x ast.Expr, name string) bool {
	if id, ok := x.(*ast.Ident); ok {
		return id.Name == name
	}
	call, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "In" {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == name
}

// literal evaluates a string literal or a + of string literals.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}

// -extract rewrites zh.json as gotext's extract does: messages the code
// no longer uses are dropped, new ones added without a translation (for
// a translator to fill in; the test fails until then), sorted by id.
var extract = flag.Bool("extract", false, "update zh.json from the code's messages")

func TestCatalogueMatchesCode(t *testing.T) {
	keys := extractKeys(t)
	f, err := ZHCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if *extract {
		writeExtracted(t, f, keys)
		if f, err = ZHCatalogue(); err != nil {
			t.Fatal(err)
		}
	}
	table, err := MakeTable(f)
	if err != nil {
		t.Fatal(err)
	}
	if *extract {
		if err := os.WriteFile("zh_table.go", table, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if have, err := os.ReadFile("zh_table.go"); err != nil || !bytes.Equal(have, table) {
		t.Errorf("zh_table.go is not made from this zh.json: run go generate ./internal/i18n")
	}
	if f.Language != "zh" {
		t.Errorf("zh.json language = %q", f.Language)
	}
	seen := map[string]bool{}
	for _, m := range f.Messages {
		if seen[m.ID] {
			t.Errorf("zh.json: %q appears twice", m.ID)
		}
		seen[m.ID] = true
		if _, ok := keys[m.ID]; !ok {
			t.Errorf("zh.json: %q is not used by the code (stale: remove it or fix the key)", m.ID)
		}
		if strings.TrimSpace(m.Translation) == "" {
			t.Errorf("zh.json: %q has no translation", m.ID)
		}
	}
	var missing []string
	for k, where := range keys {
		if !seen[k] {
			missing = append(missing, where+": "+strconv.Quote(k))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no Chinese for the message at %s", m)
	}
}

func TestPlaceholdersAgree(t *testing.T) {
	f, err := ZHCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range f.Messages {
		if a, b := sortedVerbs(m.ID), sortedVerbs(m.Translation); !reflect.DeepEqual(a, b) {
			t.Errorf("zh.json %q: placeholders %v in English, %v in Chinese", m.ID, a, b)
		}
	}
}

func sortedVerbs(s string) []Verb {
	v := Verbs(s)
	sort.Slice(v, func(i, j int) bool {
		if v[i].Arg != v[j].Arg {
			return v[i].Arg < v[j].Arg
		}
		return v[i].Verb < v[j].Verb
	})
	return v
}

func TestVerbs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []Verb
	}{
		{"plain", nil},
		{"100%% sure", nil},
		{"%s to <%s>: %d", []Verb{{0, 's'}, {1, 's'}, {2, 'd'}}},
		{"%[2]s 给 %[1]s", []Verb{{1, 's'}, {0, 's'}}},
		{"%-12s|%5.2f|%*d|%w", []Verb{{0, 's'}, {1, 'f'}, {2, '*'}, {3, 'd'}, {4, 'w'}}},
		{"%q%", []Verb{{0, 'q'}}},
	} {
		if got := Verbs(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Verbs(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want Lang
	}{
		{nil, EN},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, ZH},
		{map[string]string{"LANG": "zh_SG.UTF-8"}, ZH},
		{map[string]string{"LANG": "zh_Hans"}, ZH},
		{map[string]string{"LANG": "zh"}, ZH},
		{map[string]string{"LANG": "zh_TW.UTF-8"}, EN},
		{map[string]string{"LANG": "zh_HK.UTF-8"}, EN},
		{map[string]string{"LANG": "zh_Hant_TW"}, EN},
		{map[string]string{"LANG": "C"}, EN},
		{map[string]string{"LANG": "C.UTF-8"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, EN},
		{map[string]string{"LANG": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, ZH},
		{map[string]string{"LC_ALL": "zh_CN.GB18030", "LC_MESSAGES": "C"}, ZH},
		{map[string]string{"LANG": "zh_CN.UTF-8", "POSTIE_LANG": "en"}, EN},
		{map[string]string{"LANG": "C", "POSTIE_LANG": "zh"}, ZH},
		{map[string]string{"POSTIE_LANG": "klingon"}, EN},
	} {
		got := Detect(func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("Detect(%v) = %s, want %s", c.env, got, c.want)
		}
	}
}

func writeExtracted(t *testing.T, f *File, keys map[string]string) {
	t.Helper()
	out := File{Language: f.Language, Messages: []Entry{}}
	have := map[string]bool{}
	for _, m := range f.Messages {
		if _, used := keys[m.ID]; used && !have[m.ID] {
			have[m.ID] = true
			out.Messages = append(out.Messages, m)
		}
	}
	for k := range keys {
		if !have[k] {
			out.Messages = append(out.Messages, Entry{ID: k})
		}
	}
	sort.Slice(out.Messages, func(i, j int) bool { return out.Messages[i].ID < out.Messages[j].ID })
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("zh.json", b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	zhJSON = b.Bytes()
}
