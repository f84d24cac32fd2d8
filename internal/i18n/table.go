package i18n

import (
	"bytes"
	"fmt"
	"go/format"
	"sort"
	"strconv"
	"strings"
)

// zhTable (zh_table.go) holds zh.json's messages as one constant: "id\x00
// translation\x00" for each, sorted by id. A constant costs nothing at
// start-up, and finding a message in it is a binary search, where
// parsing zh.json would cost a Chinese run milliseconds. The catalogue
// test fails when zh_table.go is not what MakeTable makes of zh.json;
// `go generate ./internal/i18n` (the test with -extract) rewrites both.
//
//go:generate go test -run TestCatalogueMatchesCode -extract

// MakeTable returns the Go source of zh_table.go for f.
func MakeTable(f *File) ([]byte, error) {
	ms := append([]Entry(nil), f.Messages...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	var b bytes.Buffer
	b.WriteString("// Code generated from zh.json by MakeTable (go generate ./internal/i18n); DO NOT EDIT.\n\npackage i18n\n\n")
	b.WriteString("const zhTable = \"\"")
	for i, m := range ms {
		if strings.ContainsRune(m.ID+m.Translation, 0) {
			return nil, fmt.Errorf("zh.json %q: a NUL in a message", m.ID)
		}
		if i > 0 && ms[i-1].ID == m.ID {
			return nil, fmt.Errorf("zh.json %q appears twice", m.ID)
		}
		if m.Translation == "" {
			continue
		}
		b.WriteString(" +\n\t" + strconv.Quote(m.ID+"\x00"+m.Translation+"\x00"))
	}
	b.WriteString("\n")
	return format.Source(b.Bytes())
}
