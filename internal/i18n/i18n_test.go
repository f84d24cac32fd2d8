package i18n

import (
	"errors"
	"io/fs"
	"sort"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// withCatalogue swaps in a test catalogue for the Chinese printer.
func withCatalogue(t *testing.T, entries map[string]string) {
	t.Helper()
	f := &File{}
	for k, v := range entries {
		f.Messages = append(f.Messages, Entry{ID: k, Translation: v})
	}
	sort.Slice(f.Messages, func(i, j int) bool { return f.Messages[i].ID < f.Messages[j].ID })
	m := &zhMessages{builder: catalog.NewBuilder(catalog.Fallback(language.English)), added: map[string]bool{}}
	for _, e := range f.Messages {
		m.pairs = append(m.pairs, e.ID, e.Translation)
	}
	m.printer = message.NewPrinter(language.SimplifiedChinese, message.Catalog(m.builder))
	old := zh
	zh = func() *zhMessages { return m }
	SetLang(ZH)
	t.Cleanup(func() { zh = old; SetLang(EN) })
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

func TestPrinterPerLanguage(t *testing.T) {
	withCatalogue(t, map[string]string{"%d new messages": "%d 封新邮件", "Search": "搜索"})
	SetLang(EN) // the process speaks English; a request asks for Chinese
	if got := In(ZH).Sprintf("%d new messages", 3); got != "3 封新邮件" {
		t.Errorf("In(ZH).Sprintf = %q", got)
	}
	if got := In(ZH).T("Search"); got != "搜索" {
		t.Errorf("In(ZH).T = %q", got)
	}
	SetLang(ZH)
	if got := In(EN).Sprintf("%d new messages", 3); got != "3 new messages" {
		t.Errorf("In(EN).Sprintf = %q", got)
	}
	if got := (Printer{}).T("Search"); got != "Search" {
		t.Errorf("zero Printer = %q, want English", got)
	}
	if In("fr").Lang() != EN {
		t.Error("In(fr) is not English")
	}
}

// x/text groups the digits of numbers by locale (2,525); a port, a size
// or an exit code must read as fmt writes it.
func TestNumbersAsFmtWritesThem(t *testing.T) {
	withCatalogue(t, map[string]string{"%s:%d, %d bytes, %.1f MiB, %3.0f%%, mode %04o": "%s:%d，%d 字节，%.1f MiB，%3.0f%%，权限 %04o"})
	got := Sprintf("%s:%d, %d bytes, %.1f MiB, %3.0f%%, mode %04o", "smtp.163.com", 2525, 1048576, 12345.67, 7.0, 0o644)
	if want := "smtp.163.com:2525，1048576 字节，12345.7 MiB，  7%，权限 0644"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// T takes its text as it is; only Sprintf formats.
func TestTKeepsPercent(t *testing.T) {
	withCatalogue(t, map[string]string{"97% full": "已用 97%"})
	if got := T("97% full"); got != "已用 97%" {
		t.Errorf("T = %q", got)
	}
	SetLang(EN)
	if got := T("97% full"); got != "97% full" {
		t.Errorf("English T = %q", got)
	}
}

func TestErrorArgumentsInTheLanguage(t *testing.T) {
	withCatalogue(t, map[string]string{"reading %s: %w": "读取 %[1]s 时出错：%[2]w"})
	SetErrorText(func(err error) string {
		if errors.Is(err, fs.ErrNotExist) {
			return "没有这个文件"
		}
		return err.Error()
	})
	defer SetErrorText(nil)
	err := Errorf("reading %s: %w", "a.txt", fs.ErrNotExist)
	if err.Error() != "读取 a.txt 时出错：没有这个文件" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Errorf = %q (wraps: %v)", err, errors.Is(err, fs.ErrNotExist))
	}
	SetLang(EN)
	if err := Errorf("reading %s: %w", "a.txt", fs.ErrNotExist); err.Error() != "reading a.txt: file does not exist" {
		t.Errorf("English Errorf = %q: the error text hook is for other languages only", err)
	}
}

// English never looks at the Chinese catalogue: start-up pays nothing.
func TestEnglishNeverLoadsTheCatalogue(t *testing.T) {
	old := zh
	zh = func() *zhMessages { t.Fatal("an English message loaded the Chinese catalogue"); return nil }
	defer func() { zh = old }()
	SetLang(EN)
	Sprintf("%s", "x")
	T("x")
	Errorf("%w", fs.ErrNotExist)
	In(EN).Sprintf("x")
}

func TestNegotiate(t *testing.T) {
	for h, want := range map[string]Lang{
		"":                           EN,
		"zh-CN,zh;q=0.9,en;q=0.8":    ZH,
		"en-US,en;q=0.9,zh-CN;q=0.5": EN,
		"fr-FR, zh-TW;q=0.7":         EN,
		"zh-Hant-TW, zh-CN;q=0.5":    ZH,
		"zh-HK, en;q=0.1":            EN,
		"de":                         EN,
		"en;q=0.2, zh;q=0.8":         ZH,
		"zh;q=0, en;q=0.1":           EN,
		"zh;q=abc":                   EN,
	} {
		if got := Negotiate(h); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", h, got, want)
		}
	}
}
