package i18n

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// zh.json is the Simplified Chinese catalogue, in the shape of gotext's
// message files: each message's id is the English format string used in
// the code; translation is the Chinese one, with the same placeholders
// (reordered with %[n]s where Chinese word order needs it). It is the
// file translators edit; zh_table.go is made from it (see table.go) so
// that a Chinese run does not parse JSON.
//
//go:embed zh.json
var zhJSON []byte

// Entry is one catalogue message.
type Entry struct {
	ID          string `json:"id"`
	Translation string `json:"translation"`
	Comment     string `json:"comment,omitempty"`
}

// File is a catalogue file.
type File struct {
	Language string  `json:"language"`
	Messages []Entry `json:"messages"`
}

// ZHCatalogue returns the Chinese catalogue's entries, from zh.json.
func ZHCatalogue() (*File, error) {
	var f File
	if err := json.Unmarshal(zhJSON, &f); err != nil {
		return nil, fmt.Errorf("zh.json: %w", err)
	}
	return &f, nil
}

// zhMessages is the Chinese catalogue in use. Nothing of it exists until
// the first Chinese message: an English run never pays for it. Even then
// only the messages a run prints are compiled into x/text's catalogue,
// each on first use; the rest stay in zhTable, a constant.
type zhMessages struct {
	pairs []string // id, translation, id, translation... sorted by id (zhTable)

	mu      sync.Mutex
	builder *catalog.Builder
	added   map[string]bool
	printer *message.Printer
}

var zh = sync.OnceValue(func() *zhMessages {
	m := &zhMessages{builder: catalog.NewBuilder(catalog.Fallback(language.English)), added: map[string]bool{}}
	if zhTable != "" {
		m.pairs = strings.Split(strings.TrimSuffix(zhTable, "\x00"), "\x00")
	}
	m.printer = message.NewPrinter(language.SimplifiedChinese, message.Catalog(m.builder))
	return m
})

// lookup is id's translation.
func (m *zhMessages) lookup(id string) (string, bool) {
	n := len(m.pairs) / 2
	i := sort.Search(n, func(i int) bool { return m.pairs[2*i] >= id })
	if i < n && m.pairs[2*i] == id {
		return m.pairs[2*i+1], true
	}
	return "", false
}

// sprintf formats id's translation with x/text's printer, compiling the
// message into its catalogue the first time.
func (m *zhMessages) sprintf(id string, args ...any) string {
	key := noWrapVerb(id)
	m.mu.Lock()
	if !m.added[id] {
		m.added[id] = true
		if t, ok := m.lookup(id); ok && t != "" {
			m.builder.SetString(language.SimplifiedChinese, key, noWrapVerb(t))
		}
	}
	m.mu.Unlock()
	return m.printer.Sprintf(key, args...)
}
