package merge_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/postie/postie/merge"
	"github.com/postie/postie/message"
)

// testDate is the campaign start used by every test: fixed, so output is
// byte for byte reproducible.
var testDate = time.Date(2026, 6, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// files writes name -> content into a new directory and returns it.
func files(t testing.TB, fs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range fs {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// open writes a template (t.eml) and data (named by dataName, so the
// extension picks the format) and opens the campaign.
func open(t testing.TB, tmpl, dataName, data string, o merge.Options) (*merge.Campaign, error) {
	t.Helper()
	dir := files(t, map[string]string{"t.eml": tmpl, dataName: data})
	o.Template = filepath.Join(dir, "t.eml")
	o.Data = filepath.Join(dir, dataName)
	if o.From.Addr == "" {
		o.From = message.Address{Name: "Teacher", Addr: "teacher@school.test"}
	}
	if o.Date.IsZero() {
		o.Date = testDate
	}
	return merge.Open(o)
}

func mustOpen(t testing.TB, tmpl, dataName, data string, o merge.Options) *merge.Campaign {
	t.Helper()
	c, err := open(t, tmpl, dataName, data, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// render collects every item's bytes and every problem's text.
func render(t testing.TB, c *merge.Campaign) (map[int][]byte, []*merge.Item, []string) {
	t.Helper()
	out := map[int][]byte{}
	var items []*merge.Item
	var probs []string
	for it, err := range c.Messages(context.Background()) {
		if err != nil {
			if _, ok := err.(*merge.Problem); !ok {
				t.Fatalf("fatal error from Messages: %v", err)
			}
			probs = append(probs, err.Error())
			continue
		}
		var b bytes.Buffer
		if _, err := it.WriteTo(&b); err != nil {
			t.Fatalf("row %d: %v", it.Row, err)
		}
		out[it.Row] = b.Bytes()
		items = append(items, it)
	}
	return out, items, probs
}

var testFrom = message.Address{Name: "Teacher", Addr: "teacher@school.test"}
