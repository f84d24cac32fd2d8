package cli

import (
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestPadLabelByColumns: the summary's labels end in the same terminal
// column in English and in Chinese (two columns a character).
func TestPadLabelByColumns(t *testing.T) {
	for _, l := range []string{"sent", "已发送", "未知", "elapsed", "耗时"} {
		if w := runewidth.StringWidth(padLabel(l, 10)); w != 10 {
			t.Errorf("%q padded to %d columns, want 10", l, w)
		}
	}
	if got := padLabel("a-very-long-label", 10); got != "a-very-long-label" {
		t.Errorf("a long label changed: %q", got)
	}
}
