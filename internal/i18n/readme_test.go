package i18n

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The two READMEs say the same things: every command of a ```sh block in
// one is in the other (comments aside, continuation lines joined).
func TestReadmesShowTheSameCommands(t *testing.T) {
	en := shCommands(t, "README.md")
	zh := shCommands(t, "README.zh-CN.md")
	if len(en) < 20 {
		t.Fatalf("README.md: only %d commands found: the ```sh blocks are not read", len(en))
	}
	for _, c := range missing(en, zh) {
		t.Errorf("README.md shows a command README.zh-CN.md does not: %s", c)
	}
	for _, c := range missing(zh, en) {
		t.Errorf("README.zh-CN.md shows a command README.md does not: %s", c)
	}
}

// And the English one points to the Chinese one at its top.
func TestReadmeLinksToChinese(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(b), "\n## ")
	if !strings.Contains(head, "(README.zh-CN.md)") {
		t.Error("README.md does not link to README.zh-CN.md before its first section")
	}
}

func missing(from, in map[string]bool) []string {
	var out []string
	for c := range from {
		if !in[c] {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// shCommands reads the command lines of a README's ```sh blocks: without
// comments (a line starting with #, or from " #" on), a line ending in \
// joined with the next, spaces collapsed.
func shCommands(t *testing.T, name string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	cmds := map[string]bool{}
	in, cont := false, ""
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```sh":
			in = true
			continue
		case in && strings.HasPrefix(strings.TrimSpace(line), "```"):
			in, cont = false, ""
			continue
		case !in:
			continue
		}
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "#") {
			continue
		}
		if i := strings.Index(l, " #"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		if strings.HasSuffix(l, `\`) {
			cont += strings.TrimSuffix(l, `\`) + " "
			continue
		}
		l = strings.Join(strings.Fields(cont+l), " ")
		cont = ""
		if l != "" {
			cmds[l] = true
		}
	}
	return cmds
}
