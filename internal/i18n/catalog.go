package i18n

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"golang.org/x/text/language"
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

func zhCatalog() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	f, err := ZHCatalogue()
	if err != nil {
		return b // the catalogue test makes this unreachable in a release
	}
	for _, m := range f.Messages {
		if m.Translation != "" {
			b.SetString(language.SimplifiedChinese, noWrapVerb(m.ID), noWrapVerb(m.Translation))
		}
	}
	return b
}
