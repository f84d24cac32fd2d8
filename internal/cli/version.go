package cli

import (
	"runtime/debug"
	"strings"
)

// version describes this build from what the Go toolchain recorded in it:
// the module version (a tag, or "(devel)"), and for a build from a git
// checkout the commit, its time and whether the tree was modified.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown build)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	parts := []string{v}
	for _, p := range []string{rev, at, modified} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ") + ", " + bi.GoVersion
}
