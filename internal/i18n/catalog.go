package i18n

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// zh.json is the Simplified Chinese catalogue, in the shape of gotext's
// message files: each message's id is the English format string used in
// the code; translation is the Chinese one, with the same placeholders
// (reordered with %[n]s where Chinese word order needs it).
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

// ZHCatalogue returns the Chinese catalogue's entries.
func ZHCatalogue() (*File, error) {
	var f File
	if err := json.Unmarshal(zhJSON, &f); err != nil {
		return nil, fmt.Errorf("zh.json: %w", err)
	}
	return &f, nil
}

// zhMessages is the Chinese catalogue, parsed once, when first wanted:
// an English run never pays for it.
type zhMessages struct {
	printer *message.Printer  // formats: Sprintf, Errorf
	table   map[string]string // looks up texts taken as they are: T
}

var zh = sync.OnceValue(func() *zhMessages {
	m := &zhMessages{table: map[string]string{}}
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	if f, err := ZHCatalogue(); err == nil { // the catalogue test makes err unreachable in a release
		for _, e := range f.Messages {
			if e.Translation != "" {
				b.SetString(language.SimplifiedChinese, noWrapVerb(e.ID), noWrapVerb(e.Translation))
				m.table[e.ID] = e.Translation
			}
		}
	}
	m.printer = message.NewPrinter(language.SimplifiedChinese, message.Catalog(b))
	return m
})
