package i18n

import (
	"errors"
	"io/fs"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// withCatalogue swaps in a test catalogue for the Chinese printer.
func withCatalogue(t *testing.T, entries map[string]string) {
	t.Helper()
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for k, v := range entries {
		b.SetString(language.SimplifiedChinese, noWrapVerb(k), noWrapVerb(v))
	}
	zhOnce.Do(func() {})
	old := zhPrinter
	zhPrinter = message.NewPrinter(language.SimplifiedChinese, message.Catalog(b))
	SetLang(ZH)
	t.Cleanup(func() { zhPrinter = old; SetLang(EN) })
}

func TestTranslateAndFallBack(t *testing.T) {
	withCatalogue(t, map[string]string{
		"sent to <%s> (%d bytes)": "已发送给 <%[1]s>（%[2]d 字节）",
		"%s: %w":                  "%[1]s：%[2]w",
		"interrupted":             "已中断",
	})
	if got := Sprintf("sent to <%s> (%d bytes)", "bob@qq.com", 12); got != "已发送给 <bob@qq.com>（12 字节）" {
		t.Errorf("Sprintf = %q", got)
	}
	if got := T("interrupted"); got != "已中断" {
		t.Errorf("T = %q", got)
	}
	if got := Sprintf("not in the catalogue: %q", "x"); got != `not in the catalogue: "x"` {
		t.Errorf("fallback = %q", got)
	}
	err := Errorf("%s: %w", "password file", fs.ErrNotExist)
	if err.Error() != "password file：file does not exist" {
		t.Errorf("Errorf = %q", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("Errorf lost the wrapped error")
	}
	if err := Errorf("%v only", fs.ErrNotExist); errors.Is(err, fs.ErrNotExist) {
		t.Error("Errorf wrapped an error formatted with the v verb (fmt does not)")
	}
	SetLang(EN)
	if got := Sprintf("sent to <%s> (%d bytes)", "bob@qq.com", 12); got != "sent to <bob@qq.com> (12 bytes)" {
		t.Errorf("English Sprintf = %q", got)
	}
}
